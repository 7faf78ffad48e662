//! One SQL statement with its arguments, run on either backend: the shape of most repository
//! functions (one statement, a few arguments, one kind of answer) in one line each.
//!
//! ```ignore
//! statement("DELETE FROM login_failures WHERE scope_key = $1").bind(key).execute(conn).await
//! ```
//!
//! The arguments are kept as owned values and bound once the backend is known. Statements that
//! build their SQL, read rows by hand or run several queries use [`db_run!`] directly.

use super::{db_run, Conn, Decodes};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::FromRow;

/// A value the repository binds: what Frontline's columns hold.
#[derive(Debug, Clone)]
pub enum Arg {
    Int(Option<i64>),
    Text(Option<String>),
    Bool(Option<bool>),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Arg {
        Arg::Int(Some(v))
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Arg {
        Arg::Int(v)
    }
}
impl From<bool> for Arg {
    fn from(v: bool) -> Arg {
        Arg::Bool(Some(v))
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Arg {
        Arg::Text(Some(v.to_string()))
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Arg {
        Arg::Text(Some(v))
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Arg {
        Arg::Text(Some(v.clone()))
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Arg {
        Arg::Text(v.map(str::to_string))
    }
}
impl From<&Option<String>> for Arg {
    fn from(v: &Option<String>) -> Arg {
        Arg::Text(v.clone())
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Arg {
        Arg::Text(v)
    }
}

/// A row type both backends map (a tuple or a `FromRow` struct).
pub trait Record:
    Send + Unpin + for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow>
{
}
impl<T> Record for T where
    T: Send + Unpin + for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow>
{
}

/// A single value both backends decode.
pub trait Scalar: Send + Unpin + for<'r> Decodes<'r> {}
impl<T> Scalar for T where T: Send + Unpin + for<'r> Decodes<'r> {}

/// `sql` (with `$1`, `$2` ... placeholders), to be given its arguments with [`Statement::bind`].
pub fn statement(sql: &str) -> Statement<'_> {
    Statement {
        sql,
        args: Vec::new(),
    }
}

pub struct Statement<'s> {
    sql: &'s str,
    args: Vec<Arg>,
}

/// Binds `$args` in order to the sqlx query `$q`.
macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for arg in $args {
            q = match arg {
                Arg::Int(v) => q.bind(v),
                Arg::Text(v) => q.bind(v),
                Arg::Bool(v) => q.bind(v),
            };
        }
        q
    }};
}

impl<'s> Statement<'s> {
    pub fn bind(mut self, value: impl Into<Arg>) -> Self {
        self.args.push(value.into());
        self
    }

    /// Runs it for what it does.
    pub async fn run(self, conn: &mut Conn) -> sqlx::Result<()> {
        self.execute(conn).await.map(|_| ())
    }

    /// Runs it; how many rows it changed.
    pub async fn execute(self, conn: &mut Conn) -> sqlx::Result<u64> {
        db_run!(conn, c => bind_all!(sqlx::query(self.sql), self.args)
            .execute(c)
            .await
            .map(|done| done.rows_affected()))
    }

    pub async fn fetch_one<T: Record>(self, conn: &mut Conn) -> sqlx::Result<T> {
        db_run!(conn, c => bind_all!(sqlx::query_as(self.sql), self.args).fetch_one(c).await)
    }

    pub async fn fetch_optional<T: Record>(self, conn: &mut Conn) -> sqlx::Result<Option<T>> {
        db_run!(conn, c => bind_all!(sqlx::query_as(self.sql), self.args).fetch_optional(c).await)
    }

    pub async fn fetch_all<T: Record>(self, conn: &mut Conn) -> sqlx::Result<Vec<T>> {
        db_run!(conn, c => bind_all!(sqlx::query_as(self.sql), self.args).fetch_all(c).await)
    }

    pub async fn scalar<T: Scalar>(self, conn: &mut Conn) -> sqlx::Result<T> {
        db_run!(conn, c => bind_all!(sqlx::query_scalar(self.sql), self.args).fetch_one(c).await)
    }

    pub async fn scalar_optional<T: Scalar>(self, conn: &mut Conn) -> sqlx::Result<Option<T>> {
        db_run!(conn, c => bind_all!(sqlx::query_scalar(self.sql), self.args)
            .fetch_optional(c)
            .await)
    }

    pub async fn scalars<T: Scalar>(self, conn: &mut Conn) -> sqlx::Result<Vec<T>> {
        db_run!(conn, c => bind_all!(sqlx::query_scalar(self.sql), self.args).fetch_all(c).await)
    }
}
