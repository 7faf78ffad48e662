//! What every request handler and worker shares: the pool, the clock and the settings.

use super::clock::SharedClock;
use super::db::Pool;
use super::live::LiveBus;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Requests per minute one API token may make unless configured otherwise.
pub const DEFAULT_API_RATE_PER_MIN: u32 = 600;

/// Settings the server is started with (see the server's command line).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Served over https (`--secure-cookies`, or a base URL that says so): the session cookie
    /// is `__Host-` prefixed and `Secure`.
    pub secure_cookies: bool,
    /// Sessions end this long after sign-in or the last activity...
    pub session_ttl_secs: i64,
    /// ...and this long after sign-in, however active.
    pub session_absolute_secs: i64,
    /// Failed sign-ins allowed per account (from all addresses together) within
    /// `login_window_secs`; past it a correct password is not enough without a second factor.
    pub login_max_failures_per_account: i64,
    /// Failed sign-ins allowed per address.
    pub login_max_failures_per_address: i64,
    pub login_window_secs: i64,
    /// Mail, pages and links in messages.
    pub notify: super::notify::NotifySettings,
    /// Where attached files are kept (outside the web root), and the largest accepted.
    pub attachment_dir: std::path::PathBuf,
    pub max_attachment_bytes: u64,
    /// What one person may attach in 24 hours.
    pub upload_quota_bytes: u64,
    /// Live streams one person may hold open at once (`FRONTLINE_LIVE_STREAMS_PER_USER`).
    pub live_streams_per_user: usize,
    /// Reverse proxies whose `X-Forwarded-For` names the client (sign-in limits per address).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Who must sign in with a second factor (`--second-factor`).
    pub second_factor: crate::model::second_factor::SecondFactorPolicy,
    /// Who may read `/metrics` (the client's address as `trusted_proxies` decide it).
    pub metrics_from: Vec<super::request::AddressRange>,
    /// Words that make received mail urgent (`FRONTLINE_MAIL_URGENT_WORDS`).
    pub mail_urgent_words: Vec<String>,
    /// Seals mailbox secrets at rest (`FRONTLINE_SECRET_KEY`); without it no mailbox that
    /// needs a password or token is watched.
    pub secret_key: Option<super::secrets::SecretKey>,
    /// Outgoing webhooks: hosts that may be private, the first retry's wait.
    pub webhooks: super::webhooks::WebhookSettings,
    /// Requests one API token may make per minute (`FRONTLINE_API_RATE_PER_MIN`).
    pub api_rate_per_min: u32,
    /// When a monitoring alert flaps (`FRONTLINE_ALERT_FLAP_REOPENS` within
    /// `FRONTLINE_ALERT_FLAP_WINDOW_MINS`).
    pub alert_flapping: crate::model::alert::Flapping,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            secure_cookies: false,
            session_ttl_secs: 12 * 3600,
            session_absolute_secs: 24 * 3600,
            login_max_failures_per_account: 10,
            login_max_failures_per_address: 20,
            login_window_secs: 15 * 60,
            notify: super::notify::NotifySettings::default(),
            attachment_dir: std::path::PathBuf::from("data/attachments"),
            max_attachment_bytes: crate::model::attachment::DEFAULT_MAX_BYTES,
            upload_quota_bytes: crate::model::attachment::DEFAULT_DAILY_QUOTA_BYTES,
            live_streams_per_user: super::live::MAX_STREAMS_PER_USER,
            trusted_proxies: Vec::new(),
            second_factor: Default::default(),
            metrics_from: super::request::AddressRange::loopback().to_vec(),
            mail_urgent_words: crate::model::mail::URGENT_WORDS
                .iter()
                .map(|w| w.to_string())
                .collect(),
            secret_key: None,
            webhooks: Default::default(),
            api_rate_per_min: DEFAULT_API_RATE_PER_MIN,
            alert_flapping: Default::default(),
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
    /// Wakes the webhook worker when a change wrote deliveries.
    pub webhook_wake: Arc<tokio::sync::Notify>,
    /// Password checks running at once (see `auth::sign_in`).
    pub hashing: Arc<tokio::sync::Semaphore>,
    /// What the workers report for `/metrics`.
    pub vitals: Arc<super::vitals::Vitals>,
    /// Whether this instance does the desk's background work (see `leader`).
    pub leader: super::leader::Leader,
    /// How this instance's IMAP watchers fare, for the mailbox administration page.
    pub mail_watch: super::mail::imap::WatchStatus,
    /// The forecast's expected arrivals, fitted once an hour (see `forecast::ArrivalForecasts`).
    pub arrival_forecasts: super::forecast::ArrivalForecasts,
    /// The forecast's handle times, worked out once an hour (see `forecast::HandleHistory`).
    pub handle_history: super::forecast::HandleHistory,
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
            clock: clock.clone(),
            settings: Arc::new(settings),
            leptos_options,
            live: LiveBus::default(),
            sla_wake: Arc::new(tokio::sync::Notify::new()),
            notify_wake: Arc::new(tokio::sync::Notify::new()),
            webhook_wake: Arc::new(tokio::sync::Notify::new()),
            hashing: Arc::new(tokio::sync::Semaphore::new(hashing_permits())),
            vitals: Arc::default(),
            leader: super::leader::Leader::alone(),
            mail_watch: super::mail::imap::WatchStatus::new(clock.clone()),
            arrival_forecasts: Default::default(),
            handle_history: Default::default(),
        }
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }
}

/// One core less than the machine has (at least one): a sign-in flood leaves a core for pages.
fn hashing_permits() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get().saturating_sub(1))
        .unwrap_or(1)
        .max(1)
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
