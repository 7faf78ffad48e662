//! Domain types and pure logic shared by the server and the browser. No I/O lives here.

pub mod admin;
pub mod alert;
pub mod api_token;
pub mod attachment;
pub mod dashboard;
pub mod error;
pub mod forecast;
pub mod kb;
pub mod live;
pub mod mail;
pub mod portal;
pub mod problems;
pub mod queue;
pub mod reports;
pub mod role;
pub mod rollup;
pub mod second_factor;
pub mod shift;
pub mod sla;
pub mod stats;
pub mod ticket;
pub mod ticket_detail;
pub mod time;
pub mod timeline;
pub mod user;

pub use error::{AppError, AppResult};
pub use role::{Page, Role, SplitModule};
pub use ticket::{Channel, PendingReason, Priority, Status, TicketNumber, Urgency};
pub use time::Timestamp;
pub use timeline::{EventData, EventKind, TimelineEntry};
pub use user::{Email, Me, UserRef};
