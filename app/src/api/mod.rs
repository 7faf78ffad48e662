//! The thin API: `#[server]` functions grouped by area. Each one authorizes through the backend's
//! policy, calls the backend, and returns the app's one error type. Endpoints are stable names
//! under /api so that tests and tools can call them. Each names its protocol from [`wire`]:
//! arguments as a form (most) or as JSON (nested records), the answer in JSON.

pub mod admin;
pub mod auth;
pub mod dashboard;
pub mod forecast;
pub mod integrations;
pub mod kb;
pub mod mail;
pub mod oncall;
pub mod portal;
pub mod problems;
pub mod profile;
pub mod queue;
pub mod reports;
pub mod shift;
pub mod tickets;
pub mod transport;
pub mod webhooks;
pub mod wire;
