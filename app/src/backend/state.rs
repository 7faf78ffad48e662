//! What every request handler and worker shares: the pool, the clock and the settings.

use super::clock::SharedClock;
use super::db::Pool;
use super::live::LiveBus;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Settings the server is started with (see the server's command line).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Mark the session cookie `Secure` (set when served over TLS).
    pub secure_cookies: bool,
    /// Sessions end this long after sign-in or the last activity.
    pub session_ttl_secs: i64,
    /// Failed sign-ins allowed per account, and per address, within `login_window_secs`.
    pub login_max_failures_per_account: i64,
    pub login_max_failures_per_address: i64,
    pub login_window_secs: i64,
    /// Mail, pages and links in messages.
    pub notify: super::notify::NotifySettings,
    /// Where attached files are kept (outside the web root), and the largest accepted.
    pub attachment_dir: std::path::PathBuf,
    pub max_attachment_bytes: u64,
    /// What one person may attach in 24 hours.
    pub upload_quota_bytes: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            secure_cookies: false,
            session_ttl_secs: 12 * 3600,
            login_max_failures_per_account: 5,
            login_max_failures_per_address: 20,
            login_window_secs: 15 * 60,
            notify: super::notify::NotifySettings::default(),
            attachment_dir: std::path::PathBuf::from("data/attachments"),
            max_attachment_bytes: crate::model::attachment::DEFAULT_MAX_BYTES,
            upload_quota_bytes: crate::model::attachment::DEFAULT_DAILY_QUOTA_BYTES,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub clock: SharedClock,
    pub settings: Arc<Settings>,
    pub leptos_options: LeptosOptions,
    /// Live updates for browsers (SSE).
    pub live: LiveBus,
    /// Wakes the SLA engine when a change may have brought an alert forward.
    pub sla_wake: Arc<tokio::sync::Notify>,
    /// Wakes the notification worker when the outbox has something new.
    pub notify_wake: Arc<tokio::sync::Notify>,
}

impl AppState {
    pub fn new(
        pool: Pool,
        clock: SharedClock,
        settings: Settings,
        leptos_options: LeptosOptions,
    ) -> Self {
        AppState {
            pool,
            clock,
            settings: Arc::new(settings),
            leptos_options,
            live: LiveBus::default(),
            sla_wake: Arc::new(tokio::sync::Notify::new()),
            notify_wake: Arc::new(tokio::sync::Notify::new()),
        }
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
