//! `GET /metrics` in the Prometheus text format, for the operators of this instance: requests and
//! their latency per route, open live streams, the outbox, the SLA engine, the database pool and
//! failed deliveries. Only addresses in `FRONTLINE_METRICS_FROM` may read it (others get 404).
//!
//! Labels are bounded and carry no tenant data: a request is labelled by the route template it
//! matched (`/tickets/{number}`, `/api/queue`), never its path, so no ticket number, token or
//! organization reaches a label; its method from a fixed list, its status by class.
//!
//! Hand-written (atomics under a map of the routes seen) rather than a metrics crate: a few
//! counters and histograms do not need a registry, and the text format is short.

use app::backend::db;
use app::backend::repo::{notifications, tickets};
use app::backend::request::{client_address, AddressRange};
use app::backend::vitals::CHANNELS;
use app::backend::AppState;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use std::collections::HashMap;
use std::fmt::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];
const STATUS_CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];
const METHODS: [Method; 7] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
];

/// The requests of one route template and method.
#[derive(Default)]
struct Series {
    by_class: [AtomicU64; 5],
    /// Observations per bucket (not cumulative; the last one is +Inf).
    buckets: [AtomicU64; BUCKETS.len() + 1],
    sum_micros: AtomicU64,
}

/// The request counters and latency histograms of one router.
#[derive(Default)]
pub struct HttpMetrics {
    series: RwLock<HashMap<(String, &'static str), Arc<Series>>>,
}

impl HttpMetrics {
    fn observe(&self, route: &str, method: &'static str, status: StatusCode, took: Duration) {
        let series = self.series(route, method);
        let class = usize::from(status.as_u16() / 100).clamp(1, 5) - 1;
        series.by_class[class].fetch_add(1, Relaxed);
        let secs = took.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|le| secs <= *le)
            .unwrap_or(BUCKETS.len());
        series.buckets[bucket].fetch_add(1, Relaxed);
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        series.sum_micros.fetch_add(micros, Relaxed);
    }

    fn series(&self, route: &str, method: &'static str) -> Arc<Series> {
        let key = (route.to_string(), method);
        if let Some(s) = read(&self.series).get(&key) {
            return s.clone();
        }
        let mut map = self.series.write().unwrap_or_else(|e| e.into_inner());
        map.entry(key).or_default().clone()
    }

    fn render(&self, out: &mut String) {
        let map = read(&self.series);
        let mut keys: Vec<_> = map.keys().collect();
        keys.sort();
        help(
            out,
            "frontline_http_requests_total",
            "counter",
            "HTTP requests answered, by route template, method and status class.",
        );
        for key @ (route, method) in &keys {
            for (class, n) in STATUS_CLASSES.iter().zip(&map[*key].by_class) {
                let n = n.load(Relaxed);
                if n > 0 {
                    let labels = format!(
                        "route=\"{}\",method=\"{method}\",status=\"{class}\"",
                        escape(route)
                    );
                    let _ = writeln!(out, "frontline_http_requests_total{{{labels}}} {n}");
                }
            }
        }
        help(
            out,
            "frontline_http_request_duration_seconds",
            "histogram",
            "Time from a request's arrival to its response's headers, by route template and method.",
        );
        for key @ (route, method) in &keys {
            let s = &map[*key];
            let labels = format!("route=\"{}\",method=\"{method}\"", escape(route));
            let mut cumulative = 0;
            for (i, n) in s.buckets.iter().enumerate() {
                cumulative += n.load(Relaxed);
                let le = BUCKETS.get(i).map_or("+Inf".to_string(), f64::to_string);
                let _ = writeln!(
                    out,
                    "frontline_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {cumulative}"
                );
            }
            let sum = s.sum_micros.load(Relaxed) as f64 / 1e6;
            let _ = writeln!(
                out,
                "frontline_http_request_duration_seconds_sum{{{labels}}} {sum}"
            );
            let _ = writeln!(
                out,
                "frontline_http_request_duration_seconds_count{{{labels}}} {cumulative}"
            );
        }
    }
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|e| e.into_inner())
}

/// Counts every request (a layer around the whole router): by the route it matched, or, for
/// what no route matched, `/pkg/{file}` (the app's own files) or `fallback` (public files and
/// not-found answers).
pub async fn track(State(metrics): State<Arc<HttpMetrics>>, req: Request, next: Next) -> Response {
    let route = match req.extensions().get::<MatchedPath>() {
        Some(matched) => matched.as_str().to_string(),
        None if req.uri().path().starts_with("/pkg/") => "/pkg/{file}".to_string(),
        None => "fallback".to_string(),
    };
    let method = METHODS
        .iter()
        .find(|m| *m == req.method())
        .map_or("other", Method::as_str);
    let started = Instant::now();
    let res = next.run(req).await;
    metrics.observe(&route, method, res.status(), started.elapsed());
    res
}

/// `GET /metrics`, for the addresses allowed to read it; 404 for everyone else, as if there were
/// nothing here.
pub async fn endpoint(
    State(state): State<AppState>,
    Extension(http): Extension<Arc<HttpMetrics>>,
    req: Request,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip());
    let forwarded_for = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok());
    let allowed = peer.is_some_and(|peer| {
        let client = client_address(peer, forwarded_for, &state.settings.trusted_proxies);
        allowed(&state.settings.metrics_from, client)
    });
    if !allowed {
        return (StatusCode::NOT_FOUND, "Not found").into_response();
    }
    let mut out = String::with_capacity(16 * 1024);
    http.render(&mut out);
    render_instance(&state, &mut out).await;
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}

pub fn allowed(from: &[AddressRange], client: std::net::IpAddr) -> bool {
    from.iter().any(|range| range.contains(client))
}

/// The allow-list from `FRONTLINE_METRICS_FROM` (comma-separated addresses or networks), or
/// loopback only when it is not set.
pub fn allowed_from_env() -> anyhow::Result<Vec<AddressRange>> {
    match std::env::var("FRONTLINE_METRICS_FROM") {
        Ok(list) => list
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| {
                a.parse()
                    .map_err(|e| anyhow::anyhow!("FRONTLINE_METRICS_FROM: {e}"))
            })
            .collect(),
        Err(_) => Ok(AddressRange::loopback().to_vec()),
    }
}

/// What the instance and its database say: live streams, pool, workers, outbox.
async fn render_instance(state: &AppState, out: &mut String) {
    let now = state.now();
    gauge(
        out,
        "frontline_live_streams",
        "Live update streams (SSE) open on this instance.",
        state.live.subscribers(),
    );
    let pool = &state.pool;
    gauge(
        out,
        "frontline_db_pool_connections",
        "Database connections open in the pool.",
        pool.stats().size,
    );
    gauge(
        out,
        "frontline_db_pool_idle",
        "Open database connections not in use.",
        pool.stats().idle,
    );
    gauge(
        out,
        "frontline_db_pool_max",
        "The most connections the pool opens.",
        pool.stats().max,
    );
    write_lock(pool, out);
    help(
        out,
        "frontline_delivery_failures_total",
        "counter",
        "Failed delivery attempts of mail (email) and pages (webhook), retried or given up.",
    );
    for (channel, n) in state.vitals.delivery_failures() {
        let _ = writeln!(
            out,
            "frontline_delivery_failures_total{{channel=\"{channel}\"}} {n}"
        );
    }
    if let Some(at) = state.vitals.sla_last_sweep() {
        gauge(
            out,
            "frontline_sla_engine_last_sweep_timestamp_seconds",
            "When the SLA engine last finished a sweep (Unix time).",
            at,
        );
        gauge(
            out,
            "frontline_sla_engine_seconds_since_sweep",
            "Seconds since the SLA engine last finished a sweep; it sleeps until the next alert \
             is due, at most 300 s.",
            (now - at).max(0),
        );
    }
    match database_figures(state).await {
        Ok((backlog, next_alert)) => {
            gauge(
                out,
                "frontline_database_up",
                "Whether the database answered.",
                1,
            );
            help(
                out,
                "frontline_outbox_messages",
                "gauge",
                "Messages in the outbox not yet sent (waiting, being sent, or waiting to retry).",
            );
            for channel in CHANNELS {
                let n = backlog.iter().find(|b| b.0 == channel).map_or(0, |b| b.1);
                let _ = writeln!(
                    out,
                    "frontline_outbox_messages{{channel=\"{channel}\"}} {n}"
                );
            }
            help(
                out,
                "frontline_outbox_oldest_age_seconds",
                "gauge",
                "Age of the oldest message not yet sent (0 when there is none).",
            );
            for channel in CHANNELS {
                let age = backlog
                    .iter()
                    .find(|b| b.0 == channel)
                    .map_or(0, |b| (now - b.2).max(0));
                let _ = writeln!(
                    out,
                    "frontline_outbox_oldest_age_seconds{{channel=\"{channel}\"}} {age}"
                );
            }
            gauge(
                out,
                "frontline_sla_alerts_overdue_seconds",
                "How long the most overdue SLA warning or breach has been due without being \
                 raised (0 when the engine is keeping up).",
                next_alert.map_or(0, |at| (now - at).max(0)),
            );
        }
        Err(err) => {
            tracing::warn!(error = %err, "metrics: the database did not answer");
            gauge(
                out,
                "frontline_database_up",
                "Whether the database answered.",
                0,
            );
        }
    }
}

/// SQLite's write lock: the wait of each writer as a histogram, and the time it was held.
/// (PostgreSQL has no such lock: nothing is written for it.)
fn write_lock(pool: &db::Pool, out: &mut String) {
    if pool.dialect() != db::Dialect::Sqlite {
        return;
    }
    let stats = db::write_lock_stats();
    let name = "frontline_db_write_wait_seconds";
    help(
        out,
        name,
        "histogram",
        "Time a writer waited for SQLite's write lock: its turn among this process's writers, \
         then BEGIN IMMEDIATE (other processes' writers) when it opens a batch.",
    );
    let mut cumulative = 0;
    for (i, n) in stats.waits.iter().enumerate() {
        cumulative += n;
        let le = db::WRITE_WAIT_BUCKETS
            .get(i)
            .map_or("+Inf".to_string(), f64::to_string);
        let _ = writeln!(out, "{name}_bucket{{le=\"{le}\"}} {cumulative}");
    }
    let _ = writeln!(out, "{name}_sum {}", stats.wait_seconds);
    let _ = writeln!(out, "{name}_count {cumulative}");
    help(
        out,
        "frontline_db_write_held_seconds_total",
        "counter",
        "Time writers held SQLite's write lock; per second of wall time, how busy the write path is.",
    );
    let _ = writeln!(
        out,
        "frontline_db_write_held_seconds_total {}",
        stats.held_seconds
    );
    help(
        out,
        "frontline_db_commits_total",
        "counter",
        "Commits of SQLite's writers (group commit: one commit carries every writer in line).",
    );
    let _ = writeln!(out, "frontline_db_commits_total {}", stats.commits);
    help(
        out,
        "frontline_db_committed_writes_total",
        "counter",
        "Writers whose changes those commits carried.",
    );
    let _ = writeln!(
        out,
        "frontline_db_committed_writes_total {}",
        stats.committed_writers
    );
}

type Backlog = Vec<(String, i64, i64)>;

async fn database_figures(state: &AppState) -> sqlx::Result<(Backlog, Option<i64>)> {
    let mut conn = state.pool.acquire().await?;
    let backlog = notifications::backlog(&mut conn).await?;
    let next_alert = tickets::next_alert_at(&mut conn).await?;
    Ok((backlog, next_alert))
}

fn help(out: &mut String, name: &str, kind: &str, text: &str) {
    let _ = writeln!(out, "# HELP {name} {text}\n# TYPE {name} {kind}");
}

fn gauge(out: &mut String, name: &str, text: &str, value: impl std::fmt::Display) {
    help(out, name, "gauge", text);
    let _ = writeln!(out, "{name} {value}");
}

/// A label value as the text format wants it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative_and_counts_go_by_status_class() {
        let m = HttpMetrics::default();
        let ms = Duration::from_millis;
        m.observe("/tickets/{number}", "GET", StatusCode::OK, ms(3));
        m.observe("/tickets/{number}", "GET", StatusCode::NOT_FOUND, ms(30));
        m.observe("/tickets/{number}", "GET", StatusCode::OK, ms(20_000));
        let mut out = String::new();
        m.render(&mut out);
        let series = "route=\"/tickets/{number}\",method=\"GET\"";
        for line in [
            format!("frontline_http_requests_total{{{series},status=\"2xx\"}} 2"),
            format!("frontline_http_requests_total{{{series},status=\"4xx\"}} 1"),
            format!("frontline_http_request_duration_seconds_bucket{{{series},le=\"0.001\"}} 0"),
            format!("frontline_http_request_duration_seconds_bucket{{{series},le=\"0.005\"}} 1"),
            format!("frontline_http_request_duration_seconds_bucket{{{series},le=\"0.05\"}} 2"),
            format!("frontline_http_request_duration_seconds_bucket{{{series},le=\"10\"}} 2"),
            format!("frontline_http_request_duration_seconds_bucket{{{series},le=\"+Inf\"}} 3"),
            format!("frontline_http_request_duration_seconds_sum{{{series}}} 20.033"),
            format!("frontline_http_request_duration_seconds_count{{{series}}} 3"),
        ] {
            assert!(out.lines().any(|l| l == line), "{line} missing in\n{out}");
        }
        assert!(!out.contains("5xx"), "classes never seen are left out");
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape(r#"a"b\c"#), r#"a\"b\\c"#);
    }
}
