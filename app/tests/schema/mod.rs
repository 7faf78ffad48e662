//! A database's schema as a list of facts that mean the same in both dialects ("tickets: column
//! subject" = "text NOT NULL"), read from SQLite's pragmas and PostgreSQL's catalogs, and the
//! differences between two such lists.
//!
//! Left out on purpose: sqlx's bookkeeping table, and full-text search, which each dialect does
//! its own way (FTS5 tables with their shadow tables and triggers; a generated tsvector column
//! with a GIN index). Of the search only what it covers is compared: which columns of which table.

use sqlx::{PgPool, Row, SqlitePool};
use std::collections::BTreeMap;

pub type Facts = BTreeMap<String, String>;

/// Facts of both sides that differ, one readable line each.
pub fn diff(sqlite: &Facts, postgres: &Facts) -> Vec<String> {
    let mut keys: Vec<&String> = sqlite.keys().chain(postgres.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|key| match (sqlite.get(key), postgres.get(key)) {
            (Some(a), Some(b)) if a == b => None,
            (a, b) => Some(format!(
                "{key}\n    sqlite:   {}\n    postgres: {}",
                a.map_or("(missing)", String::as_str),
                b.map_or("(missing)", String::as_str)
            )),
        })
        .collect()
}

fn column(ty: &str, not_null: bool, default: Option<&str>, identity: bool) -> String {
    let mut out = ty.to_string();
    if not_null {
        out.push_str(" NOT NULL");
    }
    if let Some(default) = default {
        // PostgreSQL spells a default with its type ('x'::text) and in lower case (true)
        let default = default
            .trim_end_matches("::text")
            .trim_end_matches("::bigint");
        out.push_str(&format!(" DEFAULT {}", default.to_lowercase()));
    }
    if identity {
        out.push_str(" (generated id)");
    }
    out
}

/// A partial index's condition without parentheses and case, as PostgreSQL adds the first.
fn predicate(condition: &str) -> String {
    condition
        .replace(['(', ')'], "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn index(table: &str, unique: bool, columns: &[String], condition: Option<&str>) -> String {
    let mut out = format!(
        "{}ON {table} ({})",
        if unique { "UNIQUE " } else { "" },
        columns.join(", ")
    );
    if let Some(condition) = condition {
        out.push_str(&format!(" WHERE {}", predicate(condition)));
    }
    out
}

fn sqlite_type(declared: &str) -> String {
    match declared.to_uppercase().as_str() {
        "INTEGER" | "BIGINT" => "bigint".into(),
        "TEXT" => "text".into(),
        "BOOLEAN" => "boolean".into(),
        other => format!("{other} (unmapped)"),
    }
}

pub async fn sqlite(pool: &SqlitePool) -> Facts {
    let mut facts = Facts::new();
    // shadow and virtual tables (FTS5) have their own type in table_list
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT l.name, s.sql FROM pragma_table_list l JOIN sqlite_schema s ON s.name = l.name
         WHERE l.schema = 'main' AND l.type = 'table'
           AND l.name NOT LIKE 'sqlite_%' AND l.name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .expect("sqlite tables");
    for (table, sql) in tables {
        facts.insert(format!("{table}: table"), "exists".into());
        let checks = sql.matches("CHECK (").count() + sql.matches("CHECK(").count();
        facts.insert(format!("{table}: CHECK constraints"), checks.to_string());

        let columns = sqlx::query(
            "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info($1) ORDER BY pk",
        )
        .bind(&table)
        .fetch_all(pool)
        .await
        .expect("sqlite columns");
        let mut primary_key = Vec::new();
        for c in &columns {
            let name: String = c.get("name");
            let declared: String = c.get("type");
            let pk: i64 = c.get("pk");
            if pk > 0 {
                primary_key.push(name.clone());
            }
            // INTEGER PRIMARY KEY is the rowid: a generated id
            let identity = pk == 1
                && declared.eq_ignore_ascii_case("INTEGER")
                && columns.iter().filter(|c| c.get::<i64, _>("pk") > 0).count() == 1;
            let not_null = c.get::<bool, _>("notnull") || pk > 0;
            let default: Option<String> = c.get("dflt_value");
            facts.insert(
                format!("{table}: column {name}"),
                column(
                    &sqlite_type(&declared),
                    not_null,
                    default.as_deref(),
                    identity,
                ),
            );
        }
        facts.insert(
            format!("{table}: primary key"),
            format!("({})", primary_key.join(", ")),
        );

        let keys = sqlx::query(
            "SELECT id, \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list($1)
             ORDER BY id, seq",
        )
        .bind(&table)
        .fetch_all(pool)
        .await
        .expect("sqlite foreign keys");
        let mut by_id: BTreeMap<i64, (String, Vec<String>, Vec<String>, String)> = BTreeMap::new();
        for k in keys {
            let entry = by_id
                .entry(k.get("id"))
                .or_insert_with(|| (k.get("table"), Vec::new(), Vec::new(), k.get("on_delete")));
            entry.1.push(k.get("from"));
            entry.2.push(k.get("to"));
        }
        for (target, from, to, on_delete) in by_id.into_values() {
            facts.insert(
                format!("{table}: foreign key ({})", from.join(", ")),
                format!(
                    "REFERENCES {target} ({}) ON DELETE {on_delete}",
                    to.join(", ")
                ),
            );
        }

        let indexes = sqlx::query(
            "SELECT l.name, l.\"unique\", l.origin, s.sql FROM pragma_index_list($1) l
             LEFT JOIN sqlite_schema s ON s.type = 'index' AND s.name = l.name",
        )
        .bind(&table)
        .fetch_all(pool)
        .await
        .expect("sqlite indexes");
        for i in indexes {
            let name: String = i.get("name");
            let origin: String = i.get("origin");
            let columns: Vec<String> = sqlx::query(
                "SELECT name, \"desc\" FROM pragma_index_xinfo($1) WHERE key = 1 ORDER BY seqno",
            )
            .bind(&name)
            .fetch_all(pool)
            .await
            .expect("sqlite index columns")
            .iter()
            .map(|c| {
                let name: String = c.get("name");
                if c.get::<bool, _>("desc") {
                    format!("{name} DESC")
                } else {
                    name
                }
            })
            .collect();
            match origin.as_str() {
                "u" => {
                    facts.insert(
                        format!("{table}: unique ({})", columns.join(", ")),
                        "UNIQUE".into(),
                    );
                }
                "c" => {
                    let sql: String = i.get("sql");
                    let condition = sql
                        .find(" WHERE ")
                        .map(|at| sql[at + " WHERE ".len()..].to_string());
                    facts.insert(
                        format!("index {name}"),
                        index(&table, i.get("unique"), &columns, condition.as_deref()),
                    );
                }
                _ => {} // the primary key's own index
            }
        }
    }

    let searches: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_schema WHERE sql LIKE 'CREATE VIRTUAL TABLE % fts5%'",
    )
    .fetch_all(pool)
    .await
    .expect("sqlite fts tables");
    for (name, sql) in searches {
        let content = sql
            .split("content = '")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap_or("(contentless)")
            .to_string();
        let mut columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
            .bind(&name)
            .fetch_all(pool)
            .await
            .expect("sqlite fts columns");
        columns.sort();
        facts.insert(
            format!("{content}: full-text search"),
            format!("({}), indexed", columns.join(", ")),
        );
    }
    facts
}

pub async fn postgres(pool: &PgPool) -> Facts {
    let mut facts = Facts::new();
    let tables: Vec<(i64, String)> = sqlx::query_as(
        "SELECT c.oid::bigint, c.relname::text FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .expect("postgres tables");
    for (oid, table) in tables {
        facts.insert(format!("{table}: table"), "exists".into());
        let columns = sqlx::query(
            "SELECT a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS ty,
                    a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS dflt,
                    a.attidentity <> '' AS identity, a.attgenerated <> '' AS generated
             FROM pg_attribute a
             LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
             WHERE a.attrelid = $1::bigint::oid AND a.attnum > 0 AND NOT a.attisdropped",
        )
        .bind(oid)
        .fetch_all(pool)
        .await
        .expect("postgres columns");
        let mut searched = Vec::new();
        let mut search_column = None;
        for c in &columns {
            let name: String = c.get("name");
            let ty: String = c.get("ty");
            let default: Option<String> = c.get("dflt");
            if ty == "tsvector" {
                // the search: which of the table's columns its expression reads
                let expr = default.unwrap_or_default();
                searched = columns
                    .iter()
                    .map(|c| c.get::<String, _>("name"))
                    .filter(|col| expr.contains(&format!("({col},")))
                    .collect();
                search_column = Some(name);
                continue;
            }
            let default = (!c.get::<bool, _>("generated"))
                .then_some(default)
                .flatten();
            facts.insert(
                format!("{table}: column {name}"),
                column(
                    &ty,
                    c.get("not_null"),
                    default.as_deref(),
                    c.get("identity"),
                ),
            );
        }

        let constraints = sqlx::query(
            "SELECT c.contype::text AS kind,
                    ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n
                          ORDER BY k.i) AS cols,
                    CASE WHEN c.contype = 'f' THEN c.confrelid::regclass::text END AS target,
                    ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                          JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n
                          ORDER BY k.i) AS target_cols,
                    c.confdeltype::text AS on_delete
             FROM pg_constraint c WHERE c.conrelid = $1::bigint::oid",
        )
        .bind(oid)
        .fetch_all(pool)
        .await
        .expect("postgres constraints");
        let mut checks = 0;
        for c in constraints {
            let cols: Vec<String> = c.get("cols");
            let cols = cols.join(", ");
            match c.get::<String, _>("kind").as_str() {
                "p" => {
                    facts.insert(format!("{table}: primary key"), format!("({cols})"));
                }
                "u" => {
                    facts.insert(format!("{table}: unique ({cols})"), "UNIQUE".into());
                }
                "c" => checks += 1,
                "f" => {
                    let on_delete = match c.get::<String, _>("on_delete").as_str() {
                        "a" => "NO ACTION",
                        "r" => "RESTRICT",
                        "c" => "CASCADE",
                        "n" => "SET NULL",
                        "d" => "SET DEFAULT",
                        _ => "?",
                    };
                    let target: String = c.get("target");
                    let target_cols: Vec<String> = c.get("target_cols");
                    facts.insert(
                        format!("{table}: foreign key ({cols})"),
                        format!(
                            "REFERENCES {target} ({}) ON DELETE {on_delete}",
                            target_cols.join(", ")
                        ),
                    );
                }
                _ => {}
            }
        }
        facts.insert(format!("{table}: CHECK constraints"), checks.to_string());

        // indexes of their own, not those behind a primary key or unique constraint
        let indexes = sqlx::query(
            "SELECT ic.relname::text AS name, i.indisunique AS is_unique, am.amname::text AS method,
                    ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true)
                                 || CASE WHEN i.indoption[k - 1] & 1 = 1 THEN ' DESC' ELSE '' END
                          FROM generate_series(1, i.indnkeyatts) k ORDER BY k) AS cols,
                    pg_get_expr(i.indpred, i.indrelid) AS condition
             FROM pg_index i
             JOIN pg_class ic ON ic.oid = i.indexrelid
             JOIN pg_am am ON am.oid = ic.relam
             WHERE i.indrelid = $1::bigint::oid
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                               WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u'))",
        )
        .bind(oid)
        .fetch_all(pool)
        .await
        .expect("postgres indexes");
        let mut search_indexed = false;
        for i in indexes {
            let name: String = i.get("name");
            let cols: Vec<String> = i.get("cols");
            if search_column.as_ref().is_some_and(|s| cols == [s.clone()]) {
                search_indexed = i.get::<String, _>("method") == "gin";
                continue;
            }
            let condition: Option<String> = i.get("condition");
            facts.insert(
                format!("index {name}"),
                index(&table, i.get("is_unique"), &cols, condition.as_deref()),
            );
        }
        if search_column.is_some() {
            searched.sort();
            facts.insert(
                format!("{table}: full-text search"),
                format!(
                    "({}), {}",
                    searched.join(", "),
                    if search_indexed {
                        "indexed"
                    } else {
                        "no GIN index"
                    }
                ),
            );
        }
    }
    facts
}
