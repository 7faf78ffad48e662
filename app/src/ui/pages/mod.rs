//! One module per page.

mod admin;
mod dashboard;
mod errors;
mod home;
mod kb;
mod new_ticket;
mod oncall;
mod portal;
mod profile;
mod queue;
mod reports;
mod shift;
mod signin;
mod ticket;

pub use admin::AdminPage;
pub use dashboard::DashboardPage;
pub use errors::{ForbiddenPage, NotFoundPage};
pub use home::HomePage;
pub use kb::{ArticleEditorPage, ArticlePage, KnowledgePage};
pub use new_ticket::NewTicketPage;
pub use oncall::{OnCallPage, PageAckPage};
pub use portal::PortalPage;
pub use profile::ProfilePage;
pub use queue::QueuePage;
pub use reports::ReportsPage;
pub use shift::ShiftPage;
pub use signin::SignInPage;
pub use ticket::TicketPage;
