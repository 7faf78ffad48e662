//! One module per page.

mod admin;
mod api_tokens;
mod dashboard;
mod errors;
mod forecast;
mod home;
mod kb;
mod new_ticket;
mod oncall;
mod portal;
mod problems;
mod profile;
mod queue;
mod reports;
mod reset;
mod shift;
mod signin;
mod team;
mod ticket;

pub use admin::{
    AdminAuditPage, AdminCannedPage, AdminCategoriesPage, AdminImportPage, AdminIntegrationsPage,
    AdminMailPage, AdminMailboxEditPage, AdminMailboxesPage, AdminOrgEditPage, AdminOrgsPage,
    AdminPage, AdminTeamEditPage, AdminTeamsPage, AdminUserEditPage, AdminUsersPage,
    AdminWebhooksPage,
};
pub use dashboard::DashboardPage;
pub use errors::{unavailable, ForbiddenPage, NotFoundPage};
pub use home::HomePage;
pub use kb::{ArticleEditorPage, ArticlePage, KnowledgePage};
pub use new_ticket::NewTicketPage;
pub use oncall::{OnCallPage, PageAckPage};
pub use portal::PortalPage;
pub use profile::ProfilePage;
pub use queue::QueuePage;
pub use reports::ReportsPage;
pub use reset::ResetPasswordPage;
pub use shift::ShiftPage;
pub use signin::SignInPage;
pub use team::TeamPage;
pub use ticket::TicketPage;
