//! Server-only code (feature `ssr`): data access, sessions, authorization, seeding.

pub mod admin;
pub mod api_tokens;
pub mod attachments;
pub mod auth;
pub mod clock;
pub mod csp;
pub mod dashboard;
pub mod db;
pub mod forecast;
pub mod forecast_alert;
pub mod kb;
pub mod leader;
pub mod live;
pub mod mail;
pub mod markdown;
pub mod notify;
pub mod oncall;
pub mod password;
pub mod policy;
pub mod problems;
pub mod repo;
pub mod reports;
pub mod request;
pub mod second_factor;
pub mod secrets;
pub mod seed;
pub mod shifts;
pub mod sign_in;
pub mod sla;
pub mod sla_engine;
pub mod split_modules;
pub mod state;
pub mod tickets;
pub mod vitals;
pub mod webhooks;

pub use state::{AppState, Settings};
