//! Logging: one line per request with its method, path, status and latency; `RUST_LOG` to change
//! the level. Plain text for people, or JSON lines for a log pipeline when
//! `FRONTLINE_LOG_FORMAT=json`.

use axum::http::{Request, Response};
use std::borrow::Cow;
use std::io::IsTerminal;
use std::time::Duration;
use tracing::{Span, Subscriber};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    /// One JSON object per line: the event's fields at the top level (`message`, `status`,
    /// `latency`...) and its span's under `span` (`method`, `path`).
    Json,
}

impl LogFormat {
    /// `FRONTLINE_LOG_FORMAT`: `json`, or `text` (the default).
    pub fn from_env() -> Result<LogFormat, String> {
        match std::env::var("FRONTLINE_LOG_FORMAT") {
            Err(_) => Ok(LogFormat::Text),
            Ok(v) if v.trim().eq_ignore_ascii_case("text") || v.trim().is_empty() => {
                Ok(LogFormat::Text)
            }
            Ok(v) if v.trim().eq_ignore_ascii_case("json") => Ok(LogFormat::Json),
            Ok(v) => Err(format!(
                "FRONTLINE_LOG_FORMAT is json or text, not \"{v}\"; logging as text"
            )),
        }
    }
}

pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn,leptos_axum=warn"));
    let (format, complaint) = match LogFormat::from_env() {
        Ok(format) => (format, None),
        Err(complaint) => (LogFormat::Text, Some(complaint)),
    };
    let ansi = std::io::stdout().is_terminal();
    let _ = subscriber(format, filter, std::io::stdout, ansi).try_init();
    if let Some(complaint) = complaint {
        tracing::warn!("{complaint}");
    }
}

/// The log in `format`, written to `writer`.
pub fn subscriber<W>(
    format: LogFormat,
    filter: EnvFilter,
    writer: W,
    ansi: bool,
) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(writer);
    match format {
        LogFormat::Text => Box::new(builder.with_ansi(ansi).finish()),
        LogFormat::Json => Box::new(
            builder
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .finish(),
        ),
    }
}

/// The span of a request, whose fields every line logged while serving it carries.
pub fn request_span<B>(req: &Request<B>) -> Span {
    tracing::info_span!(
        "http",
        method = %req.method(),
        path = %loggable_path(req.uri().path())
    )
}

/// The request's line, once its response is ready.
pub fn log_response<B>(res: &Response<B>, latency: Duration, _span: &Span) {
    tracing::info!(
        status = res.status().as_u16(),
        latency = %format_args!("{:.1}ms", latency.as_secs_f64() * 1000.0),
        "served"
    );
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
    use super::*;
    use std::sync::{Arc, Mutex};

    /// What a log writes, kept for the test to read.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// What the request log writes in `format` for one request to a password link.
    fn request_line(format: LogFormat) -> String {
        let log = Captured::default();
        let writer = log.clone();
        let subscriber = subscriber(
            format,
            EnvFilter::new("info"),
            move || writer.clone(),
            false,
        );
        tracing::subscriber::with_default(subscriber, || {
            let req = Request::get("/reset/13e533032aeda6aaffa7b1d18fd9a3d6")
                .body(())
                .unwrap();
            let span = request_span(&req);
            let _entered = span.enter();
            let res = Response::builder().status(404).body(()).unwrap();
            log_response(&res, Duration::from_micros(2345), &span);
        });
        let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
        text
    }

    #[test]
    fn the_request_line_in_json_is_one_object_with_the_request_fields() {
        let text = request_line(LogFormat::Json);
        assert_eq!(text.lines().count(), 1, "{text}");
        let line: serde_json::Value = serde_json::from_str(text.trim_end()).expect("valid JSON");
        assert_eq!(line["level"], "INFO", "{line}");
        assert_eq!(line["message"], "served", "{line}");
        assert_eq!(line["status"], 404, "{line}");
        assert_eq!(line["latency"], "2.3ms", "{line}");
        assert_eq!(line["span"]["method"], "GET", "{line}");
        assert_eq!(line["span"]["path"], "/reset/[redacted]", "{line}");
        assert!(line["timestamp"].is_string(), "{line}");
    }

    #[test]
    fn the_request_line_in_text_keeps_its_fields() {
        let text = request_line(LogFormat::Text);
        assert_eq!(text.lines().count(), 1, "{text}");
        for field in [
            "method=GET",
            "path=/reset/[redacted]",
            "status=404",
            "latency=2.3ms",
            "served",
        ] {
            assert!(text.contains(field), "{field} missing in {text}");
        }
        assert!(!text.contains("13e533"), "{text}");
    }

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
