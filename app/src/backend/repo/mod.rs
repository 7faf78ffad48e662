//! Data access: every SQL statement of the application lives below this module, written in the
//! portable subset that PostgreSQL also accepts ($n placeholders, RETURNING, integer timestamps).

pub mod admin;
pub mod attachments;
pub mod audit;
pub mod backup;
pub mod dashboard;
pub mod desk;
pub mod kb;
pub mod notifications;
pub mod oncall;
pub mod orgs;
pub mod problems;
pub mod reports;
pub mod second_factors;
pub mod sessions;
pub mod shifts;
pub mod sla;
pub mod teams;
pub mod tickets;
pub mod users;

use sqlx::{QueryBuilder, Sqlite};

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
