//! Copying a SQLite desk into a PostgreSQL database (`frontline migrate-to`): every row of
//! every table, read from one snapshot of the SQLite file and written in one PostgreSQL
//! transaction, with what it takes to check the copy before it is committed.
//!
//! The tables, their columns and types, and the order are the target's (see [`plan`]): the
//! PostgreSQL migrations are the schema, SQLite's tables must match it. Not copied: sqlx's
//! `_sqlx_migrations` (each side has its own), SQLite's FTS5 tables (PostgreSQL's `fts` columns
//! are generated from the rows).

mod cell;
pub mod plan;

pub use cell::Tally;
use cell::{Kind, Param};
use futures::TryStreamExt;
use plan::{quoted, Table};
use sqlx::query_builder::Separated;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{PgPool, Postgres, QueryBuilder, Sqlite, Transaction};
use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::Duration;

/// Tables the migrations themselves put rows into (the ticket number counter): a fresh target
/// holds these, and the copy replaces them with the desk's.
pub const FILLED_BY_MIGRATIONS: &[&str] = &["counters"];

/// The most values one INSERT binds (PostgreSQL allows 65,535), and the most rows.
const MAX_BINDS: usize = 60_000;
const MAX_ROWS: usize = 1_000;

/// The SQLite desk, read inside one deferred transaction: every read sees the file as it was at
/// the first one, while the desk may go on writing. Nothing is ever written through it.
pub struct Source {
    tx: Transaction<'static, Sqlite>,
}

impl Source {
    /// Opens the existing database at `url` (never creates one) and starts the read snapshot.
    pub async fn open(url: &str) -> sqlx::Result<Source> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(false)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        let mut tx = pool.begin().await?;
        // the snapshot starts at the first read
        sqlx::query("SELECT COUNT(*) FROM sqlite_schema")
            .execute(&mut *tx)
            .await?;
        Ok(Source { tx })
    }

    /// The migrations applied to the desk, or `None` when it has no migrations table (not a
    /// Frontline database).
    pub async fn migrations(&mut self) -> sqlx::Result<Option<Vec<i64>>> {
        let has_table: bool = sqlx::query_scalar(
            "SELECT COUNT(*) > 0 FROM sqlite_schema
             WHERE type = 'table' AND name = '_sqlx_migrations'",
        )
        .fetch_one(&mut *self.tx)
        .await?;
        if !has_table {
            return Ok(None);
        }
        let versions = sqlx::query_scalar(
            "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version",
        )
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(Some(versions))
    }

    /// The desk's tables and their columns: every table but SQLite's own, sqlx's, and the
    /// full-text indexes (the FTS5 virtual tables and their `<name>_*` shadow tables).
    pub async fn tables(&mut self) -> sqlx::Result<BTreeMap<String, Vec<String>>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT m.name, c.name
             FROM sqlite_schema m, pragma_table_info(m.name) c
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
               AND m.name <> '_sqlx_migrations'
               AND m.sql NOT LIKE 'CREATE VIRTUAL%'
               AND NOT EXISTS (
                   SELECT 1 FROM sqlite_schema v
                   WHERE v.type = 'table' AND v.sql LIKE 'CREATE VIRTUAL%'
                     AND substr(m.name, 1, length(v.name) + 1) = v.name || '_')
             ORDER BY m.name, c.cid",
        )
        .fetch_all(&mut *self.tx)
        .await?;
        let mut tables: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (table, column) in rows {
            tables.entry(table).or_default().push(column);
        }
        Ok(tables)
    }

    pub async fn count(&mut self, table: &str) -> sqlx::Result<i64> {
        count(&mut *self.tx, table).await
    }

    /// Ends the read snapshot.
    pub async fn close(self) -> sqlx::Result<()> {
        self.tx.rollback().await
    }

    /// The rows of `table` in primary key order (byte order for text, as PostgreSQL's "C"
    /// collation sorts), with the columns at `columns`; only those where `present` is not NULL
    /// when given.
    fn select(table: &Table, columns: &[usize], present: Option<usize>) -> String {
        let name = |i: usize| quoted(&table.columns[i].name);
        let list: Vec<String> = columns.iter().map(|&i| name(i)).collect();
        let order: Vec<String> = table
            .key
            .iter()
            .map(|&i| format!("{} COLLATE BINARY", name(i)))
            .collect();
        let filter = present.map_or(String::new(), |i| format!(" WHERE {} IS NOT NULL", name(i)));
        format!(
            "SELECT {} FROM {}{filter} ORDER BY {}",
            list.join(", "),
            quoted(&table.name),
            order.join(", ")
        )
    }
}

/// The PostgreSQL database, written in one transaction: dropped without [`Target::commit`],
/// nothing of the copy stays.
pub struct Target {
    tx: Transaction<'static, Postgres>,
}

impl Target {
    pub async fn begin(pool: &PgPool) -> sqlx::Result<Target> {
        Ok(Target {
            tx: pool.begin().await?,
        })
    }

    /// The desk's tables in the order the copy writes them; `Err` says why the schema cannot be
    /// copied.
    pub async fn plan(&mut self) -> sqlx::Result<Result<Vec<Table>, String>> {
        plan::read(&mut self.tx).await
    }

    pub async fn count(&mut self, table: &str) -> sqlx::Result<i64> {
        count(&mut *self.tx, table).await
    }

    /// Removes the rows the migrations put in `table` (see [`FILLED_BY_MIGRATIONS`]).
    pub async fn clear(&mut self, table: &str) -> sqlx::Result<()> {
        sqlx::query(&format!("DELETE FROM {}", quoted(table)))
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Moves every identity sequence of `table` past its largest value, so that the next row
    /// inserted gets a new id.
    pub async fn move_sequences(&mut self, table: &Table) -> sqlx::Result<()> {
        for column in &table.identity {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence($1, $2),
                               COALESCE((SELECT MAX({c}) FROM {t}), 0) + 1, false)",
                c = quoted(column),
                t = quoted(&table.name),
            );
            sqlx::query(&sql)
                .bind(quoted(&table.name))
                .bind(column)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    /// The rows of `table` as they now stand in the transaction, counted and hashed in primary
    /// key order, the way the copy hashed the desk's.
    pub async fn tally(&mut self, table: &Table) -> sqlx::Result<Tally> {
        let list: Vec<String> = table
            .columns
            .iter()
            .map(|c| c.kind.select(&quoted(&c.name)))
            .collect();
        let order: Vec<String> = table
            .key
            .iter()
            .map(|&i| {
                let column = &table.columns[i];
                match column.kind {
                    Kind::Text => format!("{} COLLATE \"C\"", quoted(&column.name)),
                    _ => quoted(&column.name),
                }
            })
            .collect();
        let sql = format!(
            "SELECT {} FROM {} ORDER BY {}",
            list.join(", "),
            quoted(&table.name),
            order.join(", ")
        );
        let kinds: Vec<Kind> = table.columns.iter().map(|c| c.kind).collect();
        let mut tally = Tally::default();
        let mut rows = sqlx::query(&sql).fetch(&mut *self.tx);
        while let Some(row) = rows.try_next().await? {
            tally.add(&cell::from_postgres(&row, &kinds)?);
        }
        Ok(tally)
    }

    pub async fn commit(self) -> sqlx::Result<()> {
        self.tx.commit().await
    }
}

async fn count<'c, E>(conn: E, table: &str) -> sqlx::Result<i64>
where
    E: sqlx::Executor<'c>,
    i64: sqlx::Type<E::Database> + for<'r> sqlx::Decode<'r, E::Database>,
    for<'q> <E::Database as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, E::Database>,
    usize: sqlx::ColumnIndex<<E::Database as sqlx::Database>::Row>,
{
    let sql = format!("SELECT COUNT(*) FROM {}", quoted(table));
    sqlx::query_scalar(&sql).fetch_one(conn).await
}

/// Copies every row of `table` from the desk into the target, in batches, and returns the
/// desk's rows as read (counted and hashed). Deferred columns are written NULL here; see
/// [`fill_deferred`].
pub async fn copy_table(
    source: &mut Source,
    target: &mut Target,
    table: &Table,
) -> sqlx::Result<Tally> {
    let all: Vec<usize> = (0..table.columns.len()).collect();
    let select = Source::select(table, &all, None);
    let per_insert = (MAX_BINDS / table.columns.len().max(1)).clamp(1, MAX_ROWS);
    let mut tally = Tally::default();
    let mut batch: Vec<Vec<Param>> = Vec::with_capacity(per_insert);
    let mut rows = sqlx::query(&select).fetch(&mut *source.tx);
    while let Some(row) = rows.try_next().await? {
        let cells = cell::from_sqlite(&row)?;
        tally.add(&cells);
        let mut params = Vec::with_capacity(cells.len());
        for (i, (value, column)) in cells.into_iter().zip(&table.columns).enumerate() {
            let param = if table.deferred.contains(&i) {
                Param::null(column.kind)
            } else {
                Param::convert(value, column.kind).map_err(|why| unfit(table, i, why))?
            };
            params.push(param);
        }
        batch.push(params);
        if batch.len() == per_insert {
            insert(&mut target.tx, table, &batch).await?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        insert(&mut target.tx, table, &batch).await?;
    }
    Ok(tally)
}

/// Sets the deferred columns of `table` to the desk's values, once every table is copied (the
/// rows they name exist by then).
pub async fn fill_deferred(
    source: &mut Source,
    target: &mut Target,
    table: &Table,
) -> sqlx::Result<()> {
    let [key] = table.key[..] else {
        return Ok(());
    };
    for &column in &table.deferred {
        let (key_col, col) = (&table.columns[key], &table.columns[column]);
        let select = Source::select(table, &[key, column], Some(column));
        let per_update = MAX_ROWS;
        let mut batch: Vec<(Param, Param)> = Vec::with_capacity(per_update);
        let mut rows = sqlx::query(&select).fetch(&mut *source.tx);
        while let Some(row) = rows.try_next().await? {
            let mut cells = cell::from_sqlite(&row)?.into_iter();
            let (Some(k), Some(v)) = (cells.next(), cells.next()) else {
                continue;
            };
            let k = Param::convert(k, key_col.kind).map_err(|why| unfit(table, key, why))?;
            let v = Param::convert(v, col.kind).map_err(|why| unfit(table, column, why))?;
            batch.push((k, v));
            if batch.len() == per_update {
                update(&mut target.tx, table, key, column, &batch).await?;
                batch.clear();
            }
        }
        if !batch.is_empty() {
            update(&mut target.tx, table, key, column, &batch).await?;
        }
    }
    Ok(())
}

fn unfit(table: &Table, column: usize, why: String) -> sqlx::Error {
    let column = &table.columns[column].name;
    sqlx::Error::Protocol(format!("{}.{column} {why}", table.name))
}

async fn insert(
    tx: &mut Transaction<'static, Postgres>,
    table: &Table,
    rows: &[Vec<Param>],
) -> sqlx::Result<()> {
    let columns: Vec<String> = table.columns.iter().map(|c| quoted(&c.name)).collect();
    let mut qb: QueryBuilder<Postgres> = QueryBuilder::new(format!(
        "INSERT INTO {} ({}) ",
        quoted(&table.name),
        columns.join(", ")
    ));
    qb.push_values(rows, |mut b, row| {
        for param in row {
            bind(&mut b, param);
        }
    });
    qb.build().execute(&mut **tx).await?;
    Ok(())
}

/// `UPDATE t SET column = v.value FROM (VALUES ...) v WHERE t.key = v.key`, for one batch.
async fn update(
    tx: &mut Transaction<'static, Postgres>,
    table: &Table,
    key: usize,
    column: usize,
    rows: &[(Param, Param)],
) -> sqlx::Result<()> {
    let (key, column) = (&table.columns[key], &table.columns[column]);
    let mut qb: QueryBuilder<Postgres> = QueryBuilder::new(format!(
        "UPDATE {t} AS t SET {c} = v.value FROM (",
        t = quoted(&table.name),
        c = quoted(&column.name),
    ));
    qb.push_values(rows, |mut b, (k, v)| {
        // typed, since a VALUES list outside an INSERT takes no type from a column
        for (param, data_type) in [(k, &key.data_type), (v, &column.data_type)] {
            bind(&mut b, param);
            b.push_unseparated(format!("::{data_type}"));
        }
    });
    qb.push(format!(
        ") AS v (key, value) WHERE t.{} = v.key",
        quoted(&key.name)
    ));
    qb.build().execute(&mut **tx).await?;
    Ok(())
}

fn bind<'q>(b: &mut Separated<'_, 'q, Postgres, &'static str>, param: &Param) {
    match param.clone() {
        Param::Int(v) => b.push_bind(v),
        Param::Bool(v) => b.push_bind(v),
        Param::Real(v) => b.push_bind(v),
        Param::Text(v) => b.push_bind(v),
        Param::Bytes(v) => b.push_bind(v),
    };
}
