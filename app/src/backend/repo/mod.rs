//! Data access: every SQL statement of the application lives below this module, written in the
//! portable subset that PostgreSQL also accepts ($n placeholders, RETURNING, integer timestamps).

pub mod attachments;
pub mod audit;
pub mod backup;
pub mod canned;
pub mod categories;
pub mod dashboard;
pub mod desk;
pub mod kb;
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
pub mod teams;
pub mod text;
pub mod tickets;
pub mod users;

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

/// Pushes a bound list of ids after `… IN `: `(1, 2, 3)`, or `(NULL)`, which matches nothing,
/// when there are none.
pub fn push_ids(qb: &mut QueryBuilder<'_, Sqlite>, ids: &[i64]) {
    qb.push("(");
    if ids.is_empty() {
        qb.push("NULL");
    }
    let mut list = qb.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    qb.push(")");
}

/// How many of `ids` are existing rows of `table` (a trusted, fixed table name).
pub async fn count_existing(
    conn: &mut SqliteConnection,
    table: &'static str,
    ids: &[i64],
) -> sqlx::Result<i64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let mut qb = QueryBuilder::<Sqlite>::new(format!("SELECT COUNT(*) FROM {table} WHERE id IN "));
    push_ids(&mut qb, ids);
    qb.build_query_scalar().fetch_one(conn).await
}

/// Whether a row of `table` other than `except` has `value` in `column`, ignoring case (trusted,
/// fixed names): the check before a write that a unique index would refuse.
pub async fn taken(
    conn: &mut SqliteConnection,
    table: &'static str,
    column: &'static str,
    value: &str,
    except: Option<i64>,
) -> sqlx::Result<bool> {
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM {table} WHERE LOWER({column}) = LOWER($1) AND id <> $2)"
    );
    sqlx::query_scalar(&sql)
        .bind(value)
        .bind(except.unwrap_or(-1))
        .fetch_one(conn)
        .await
}
