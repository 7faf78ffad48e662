//! Logging: one line per request with its status and latency; `RUST_LOG` to change the level.

use std::borrow::Cow;
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn,leptos_axum=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::stdout().is_terminal())
        .try_init();
}

/// Pages whose path carries a one-time token that works without signing in: a password link
/// (`/reset/<token>`) and a page's acknowledgement link (`/pages/<token>`).
const TOKEN_PATHS: [&str; 2] = ["/reset/", "/pages/"];

/// A request path as it may be logged: the token of a one-time link replaced, since whoever
/// reads the log could otherwise use it.
pub fn loggable_path(path: &str) -> Cow<'_, str> {
    for prefix in TOKEN_PATHS {
        if let Some(rest) = path.strip_prefix(prefix) {
            if !rest.is_empty() {
                return Cow::Owned(format!("{prefix}[redacted]"));
            }
        }
    }
    Cow::Borrowed(path)
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn one_time_tokens_are_redacted_and_other_paths_kept() {
        let token = "13e533032aeda6aaffa7b1d18fd9a3d6e60829bb90886cf31dc77116bf17d6dc";
        assert_eq!(
            loggable_path(&format!("/reset/{token}")),
            "/reset/[redacted]"
        );
        assert_eq!(
            loggable_path(&format!("/pages/{token}")),
            "/pages/[redacted]"
        );
        assert_eq!(
            loggable_path(&format!("/reset/{token}/extra")),
            "/reset/[redacted]"
        );
        assert_eq!(loggable_path("/reset/not-a-token"), "/reset/[redacted]");
        for kept in [
            "/queue",
            "/tickets/HD-1042",
            "/reset/",
            "/pkg/app.wasm",
            "/",
        ] {
            assert_eq!(loggable_path(kept), kept);
        }
    }
}
