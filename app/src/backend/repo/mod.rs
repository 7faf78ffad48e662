//! Data access: every SQL statement of the application lives below this module, written in the
//! portable subset that PostgreSQL also accepts ($n placeholders, RETURNING, integer timestamps).

pub mod admin;
pub mod attachments;
pub mod audit;
pub mod dashboard;
pub mod desk;
pub mod kb;
pub mod notifications;
pub mod oncall;
pub mod orgs;
pub mod problems;
pub mod reports;
pub mod sessions;
pub mod shifts;
pub mod sla;
pub mod teams;
pub mod tickets;
pub mod users;
