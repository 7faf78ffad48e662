//! What the copy writes, read from the target's own schema: the desk's tables in an order that
//! puts every parent before its children, each with its copied columns and their types, its
//! primary key, its identity columns, and the foreign keys filled in after every table is there
//! (those that close a cycle: a team names its lead, a user their team; a page the page it
//! escalated to).

use super::cell::Kind;
use sqlx::PgConnection;
use std::collections::{BTreeMap, BTreeSet};

/// One table of the desk, as the copy writes it.
#[derive(Clone, Debug)]
pub struct Table {
    pub name: String,
    /// Every column but the generated ones (the full-text `fts`), in the table's order.
    pub columns: Vec<Column>,
    /// Positions in `columns` of the primary key: the order rows are read and hashed in.
    pub key: Vec<usize>,
    /// Positions in `columns` of foreign keys written NULL first and set once every table is
    /// copied.
    pub deferred: Vec<usize>,
    /// Identity columns, whose sequences move past the copied ids.
    pub identity: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
    /// The PostgreSQL type, for casts.
    pub data_type: String,
    pub nullable: bool,
}

/// A foreign key of one column, `child.column` -> `parent`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub child: String,
    pub column: String,
    pub parent: String,
}

/// Double quotes around a name, so that any table or column name is taken as it is.
pub fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The desk's tables on the (migrated) PostgreSQL connection, parents first. `Err` names what
/// the copy cannot carry: a column type it does not know, a table without a primary key, a cycle
/// of foreign keys that are all NOT NULL.
pub async fn read(conn: &mut PgConnection) -> sqlx::Result<Result<Vec<Table>, String>> {
    let columns: Vec<(String, String, String, bool, bool)> = sqlx::query_as(
        "SELECT c.table_name::text, c.column_name::text, c.data_type::text,
                c.is_nullable::text = 'YES', c.is_identity::text = 'YES'
         FROM information_schema.columns c
         JOIN information_schema.tables t
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
           AND c.table_name <> '_sqlx_migrations' AND c.is_generated::text = 'NEVER'
         ORDER BY c.table_name, c.ordinal_position",
    )
    .fetch_all(&mut *conn)
    .await?;
    let keys: Vec<(String, String)> = sqlx::query_as(
        "SELECT r.relname::text, a.attname::text
         FROM pg_constraint c
         JOIN pg_class r ON r.oid = c.conrelid
         CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k (attnum, n)
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
         WHERE c.contype = 'p' AND r.relnamespace = current_schema()::regnamespace
         ORDER BY r.relname, k.n",
    )
    .fetch_all(&mut *conn)
    .await?;
    // foreign keys of one column; one of several columns can never be left out for a while
    let links: Vec<(String, String, String, bool)> = sqlx::query_as(
        "SELECT r.relname::text, a.attname::text, p.relname::text, cardinality(c.conkey) = 1
         FROM pg_constraint c
         JOIN pg_class r ON r.oid = c.conrelid
         JOIN pg_class p ON p.oid = c.confrelid
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         WHERE c.contype = 'f' AND r.relnamespace = current_schema()::regnamespace
         ORDER BY 1, 2",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(assemble(columns, keys, links))
}

fn assemble(
    columns: Vec<(String, String, String, bool, bool)>,
    keys: Vec<(String, String)>,
    links: Vec<(String, String, String, bool)>,
) -> Result<Vec<Table>, String> {
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    for (table, name, data_type, nullable, identity) in columns {
        let kind = Kind::of(&data_type).ok_or_else(|| {
            format!("{table}.{name}: the copy does not carry {data_type} columns")
        })?;
        let entry = tables.entry(table.clone()).or_insert_with(|| Table {
            name: table,
            columns: Vec::new(),
            key: Vec::new(),
            deferred: Vec::new(),
            identity: Vec::new(),
        });
        if identity {
            entry.identity.push(name.clone());
        }
        entry.columns.push(Column {
            name,
            kind,
            data_type,
            nullable,
        });
    }
    for (table, column) in keys {
        if let Some(t) = tables.get_mut(&table) {
            let at = t.columns.iter().position(|c| c.name == column);
            t.key.extend(at);
        }
    }
    if let Some(t) = tables.values().find(|t| t.key.is_empty()) {
        return Err(format!("{}: a table without a primary key", t.name));
    }
    let mut nullable = BTreeSet::new();
    for t in tables.values() {
        for c in t.columns.iter().filter(|c| c.nullable) {
            nullable.insert((t.name.clone(), c.name.clone()));
        }
    }
    let links: Vec<(Link, bool)> = links
        .into_iter()
        .filter(|(child, _, parent, _)| tables.contains_key(child) && tables.contains_key(parent))
        .map(|(child, column, parent, single)| {
            let deferrable = single && nullable.contains(&(child.clone(), column.clone()));
            let link = Link {
                child,
                column,
                parent,
            };
            (link, deferrable)
        })
        .collect();
    let names: Vec<String> = tables.keys().cloned().collect();
    let (order, deferred) = parents_first(&names, &links)?;
    for link in deferred {
        let t = tables.get_mut(&link.child).ok_or("a link of no table")?;
        if t.key.len() != 1 {
            return Err(format!(
                "{}.{}: closes a cycle of foreign keys in a table whose primary key has several columns",
                link.child, link.column
            ));
        }
        let at = t.columns.iter().position(|c| c.name == link.column);
        t.deferred.extend(at);
    }
    Ok(order
        .into_iter()
        .filter_map(|name| tables.remove(&name))
        .collect())
}

/// `tables` ordered so that each comes after the parents its foreign keys name, and the links
/// left out to make that possible: every link of a table to itself, and where the rest form a
/// cycle, the first nullable link of it (by table and column name). `links` are (link, whether
/// it may be written NULL first). Deterministic: ties go by name.
pub fn parents_first(
    tables: &[String],
    links: &[(Link, bool)],
) -> Result<(Vec<String>, Vec<Link>), String> {
    let mut deferred: Vec<Link> = Vec::new();
    for (link, deferrable) in links.iter().filter(|(l, _)| l.child == l.parent) {
        if !deferrable {
            return Err(format!(
                "{}.{}: a NOT NULL foreign key to its own table",
                link.child, link.column
            ));
        }
        deferred.push(link.clone());
    }
    let mut left: BTreeSet<&String> = tables.iter().collect();
    let mut order = Vec::with_capacity(tables.len());
    while !left.is_empty() {
        let waits = |table: &String, deferred: &[Link]| {
            links.iter().any(|(l, _)| {
                &l.child == table
                    && l.parent != l.child
                    && left.contains(&l.parent)
                    && !deferred.contains(l)
            })
        };
        let ready: Vec<&String> = left
            .iter()
            .copied()
            .filter(|t| !waits(t, &deferred))
            .collect();
        if ready.is_empty() {
            let open: Vec<&Link> = links
                .iter()
                .map(|(l, _)| l)
                .filter(|l| {
                    l.child != l.parent
                        && left.contains(&l.child)
                        && left.contains(&l.parent)
                        && !deferred.contains(l)
                })
                .collect();
            let breaker = links
                .iter()
                .find(|(l, deferrable)| {
                    *deferrable && open.contains(&l) && reaches(&open, &l.parent, &l.child)
                })
                .map(|(l, _)| l.clone());
            match breaker {
                Some(link) => deferred.push(link),
                None => {
                    let names: Vec<&str> = left.iter().map(|t| t.as_str()).collect();
                    return Err(format!(
                        "the foreign keys of {} form a cycle of NOT NULL columns",
                        names.join(", ")
                    ));
                }
            }
            continue;
        }
        for table in ready {
            left.remove(table);
            order.push(table.clone());
        }
    }
    Ok((order, deferred))
}

/// Whether `to` is reached from `from` by following `links` from child to parent.
fn reaches(links: &[&Link], from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from];
    while let Some(table) = stack.pop() {
        if table == to {
            return true;
        }
        if seen.insert(table) {
            stack.extend(
                links
                    .iter()
                    .filter(|l| l.child == table)
                    .map(|l| l.parent.as_str()),
            );
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(child: &str, column: &str, parent: &str, deferrable: bool) -> (Link, bool) {
        let link = Link {
            child: child.into(),
            column: column.into(),
            parent: parent.into(),
        };
        (link, deferrable)
    }

    fn names(tables: &[&str]) -> Vec<String> {
        tables.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn parents_come_first_and_cycles_are_broken_at_a_nullable_link() {
        let tables = names(&["articles", "pages", "teams", "tickets", "users"]);
        let links = [
            link("pages", "escalated_page", "pages", true),
            link("pages", "ticket_id", "tickets", false),
            link("teams", "lead_id", "users", true),
            link("tickets", "requester_id", "users", false),
            link("users", "team_id", "teams", true),
            // nullable, but in no cycle: never left out
            link("articles", "source_ticket_id", "tickets", true),
        ];
        let (order, deferred) = parents_first(&tables, &links).expect("an order");
        assert_eq!(order, ["teams", "users", "tickets", "articles", "pages"]);
        assert_eq!(deferred, [links[0].0.clone(), links[2].0.clone()]);
    }

    #[test]
    fn a_cycle_of_not_null_links_has_no_order() {
        let tables = names(&["a", "b"]);
        let links = [link("a", "b_id", "b", false), link("b", "a_id", "a", false)];
        let err = parents_first(&tables, &links).expect_err("no order");
        assert!(err.contains("a, b"), "{err}");
        let own = [link("a", "a_id", "a", false)];
        assert!(parents_first(&tables, &own).is_err());
    }
}
