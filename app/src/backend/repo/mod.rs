//! Data access: every SQL statement of the application lives below this module, written in the
//! portable subset that PostgreSQL also accepts ($n placeholders, RETURNING, integer timestamps).

pub mod alerts;
pub mod api_tokens;
pub mod attachments;
pub mod audit;
pub mod backup;
pub mod canned;
pub mod categories;
pub mod dashboard;
pub mod desk;
pub mod forecast;
pub mod held_mail;
pub mod kb;
pub mod leader;
pub mod live;
pub mod mail;
pub mod mailbox_admin;
pub mod mailboxes;
pub mod notifications;
pub mod oncall;
pub mod orgs;
pub mod password_resets;
pub mod problems;
pub mod reports;
pub mod scope;
pub mod second_factors;
pub mod sessions;
pub mod shifts;
pub mod sla;
pub mod statement;
pub mod teams;
pub mod text;
pub mod tickets;
pub mod transfer;
pub mod users;
pub mod webhooks;

pub use crate::backend::db::{db_run, Conn, Dialect};
use sqlx::postgres::PgRow;
use sqlx::query_builder::Separated;
use sqlx::sqlite::SqliteRow;
use sqlx::{ColumnIndex, Decode, Encode, Postgres, QueryBuilder, Sqlite, Type};
use std::fmt::Display;

/// A column value both backends decode (integers, text, booleans, options of them).
pub trait Decodes<'r>:
    Decode<'r, Sqlite> + Type<Sqlite> + Decode<'r, Postgres> + Type<Postgres>
{
}

impl<'r, T> Decodes<'r> for T where
    T: Decode<'r, Sqlite> + Type<Sqlite> + Decode<'r, Postgres> + Type<Postgres>
{
}

/// A column's name or position, in a row of either backend.
pub trait Column: ColumnIndex<SqliteRow> + ColumnIndex<PgRow> {}

impl<I: ColumnIndex<SqliteRow> + ColumnIndex<PgRow>> Column for I {}

/// A row of either backend: row mappers are written once for both.
pub trait Columns {
    fn get<'r, T: Decodes<'r>>(&'r self, column: impl Column) -> T;
    fn try_get<'r, T: Decodes<'r>>(&'r self, column: impl Column) -> sqlx::Result<T>;
}

macro_rules! columns_for {
    ($row:ty) => {
        impl Columns for $row {
            fn get<'r, T: Decodes<'r>>(&'r self, column: impl Column) -> T {
                sqlx::Row::get(self, column)
            }
            fn try_get<'r, T: Decodes<'r>>(&'r self, column: impl Column) -> sqlx::Result<T> {
                sqlx::Row::try_get(self, column)
            }
        }
    };
}
columns_for!(SqliteRow);
columns_for!(PgRow);

/// A value both backends bind.
pub trait Bindable<'q>:
    'q + Encode<'q, Sqlite> + Type<Sqlite> + Encode<'q, Postgres> + Type<Postgres>
{
}

impl<'q, T> Bindable<'q> for T where
    T: 'q + Encode<'q, Sqlite> + Type<Sqlite> + Encode<'q, Postgres> + Type<Postgres>
{
}

/// A query builder of either backend (or a separated list inside one): the helpers that add a
/// condition or a list of values to a query take one, so they are written once for both.
pub trait Builder<'q> {
    /// The dialect of the query being built, for the conditions written twice.
    fn dialect(&self) -> Dialect;
    fn push(&mut self, sql: impl Display) -> &mut Self;
    fn push_bind<T: Bindable<'q>>(&mut self, value: T) -> &mut Self;
}

macro_rules! builder_for {
    ($db:ty, $dialect:expr) => {
        impl<'q> Builder<'q> for QueryBuilder<'q, $db> {
            fn dialect(&self) -> Dialect {
                $dialect
            }
            fn push(&mut self, sql: impl Display) -> &mut Self {
                QueryBuilder::push(self, sql)
            }
            fn push_bind<T: Bindable<'q>>(&mut self, value: T) -> &mut Self {
                QueryBuilder::push_bind(self, value)
            }
        }
        impl<'q, Sep: Display> Builder<'q> for Separated<'_, 'q, $db, Sep> {
            fn dialect(&self) -> Dialect {
                $dialect
            }
            fn push(&mut self, sql: impl Display) -> &mut Self {
                Separated::push(self, sql)
            }
            fn push_bind<T: Bindable<'q>>(&mut self, value: T) -> &mut Self {
                Separated::push_bind(self, value)
            }
        }
    };
}
builder_for!(Sqlite, Dialect::Sqlite);
builder_for!(Postgres, Dialect::Postgres);

/// Pushes a bound list of ids after `… IN `: `(1, 2, 3)`, or `(NULL)`, which matches nothing,
/// when there are none.
pub fn push_ids<'q>(qb: &mut impl Builder<'q>, ids: &[i64]) {
    qb.push("(");
    if ids.is_empty() {
        qb.push("NULL");
    }
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            qb.push(", ");
        }
        qb.push_bind(*id);
    }
    qb.push(")");
}

/// How many of `ids` are existing rows of `table` (a trusted, fixed table name).
pub async fn count_existing(
    conn: &mut Conn,
    table: &'static str,
    ids: &[i64],
) -> sqlx::Result<i64> {
    if ids.is_empty() {
        return Ok(0);
    }
    db_run!(conn, c => {
        let mut qb = QueryBuilder::new(format!("SELECT COUNT(*) FROM {table} WHERE id IN "));
        push_ids(&mut qb, ids);
        qb.build_query_scalar().fetch_one(c).await
    })
}

/// Whether a row of `table` other than `except` has `value` in `column`, ignoring case (trusted,
/// fixed names): the check before a write that a unique index would refuse.
pub async fn taken(
    conn: &mut Conn,
    table: &'static str,
    column: &'static str,
    value: &str,
    except: Option<i64>,
) -> sqlx::Result<bool> {
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM {table} WHERE LOWER({column}) = LOWER($1) AND id <> $2)"
    );
    db_run!(conn, c => sqlx::query_scalar(&sql)
        .bind(value)
        .bind(except.unwrap_or(-1))
        .fetch_one(c)
        .await)
}
