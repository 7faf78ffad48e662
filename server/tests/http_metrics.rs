//! `GET /metrics` over real HTTP: served to the allowed addresses only (the client's address as
//! the trusted proxies decide it), counters that move with requests, labels that name route
//! templates and never a ticket number or a token, and the outbox and workers as they stand.

mod common;

use common::*;
use std::time::Duration;

async fn metrics(app: &TestApp, forwarded_for: Option<&str>) -> (u16, String) {
    let mut req = client_builder().build().unwrap().get(app.url("/metrics"));
    if let Some(addr) = forwarded_for {
        req = req.header("X-Forwarded-For", addr);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    (status, res.text().await.expect("body"))
}

/// The value of the sample `series` (name and labels, exactly as written), if there is one.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|value| value.parse().expect("a number"))
}

/// Every `route` label in the text.
fn route_labels(text: &str) -> Vec<String> {
    text.split("route=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_reads_counters_that_move_and_labels_that_name_templates() {
    let app = TestApp::seeded(30).await;
    let (status, before) = metrics(&app, None).await;
    assert_eq!(status, 200, "{before}");
    let healthz = "frontline_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"2xx\"}";
    let healthz_before = sample(&before, healthz).unwrap_or(0.0);
    for _ in 0..3 {
        let res = app.browser().get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(res.status(), 200);
    }

    let ana = app.browser();
    app.sign_in(&ana, ANALYST).await;
    let number: i64 = app
        .scalar("SELECT MAX(number) FROM tickets WHERE org_id = (SELECT id FROM organizations WHERE code = 'NWL')")
        .await;
    let res = app.page(&ana, &format!("/tickets/HD-{number}")).await;
    assert_eq!(res.status(), 200);
    let res = app
        .call(&ana, "ticket", &[("number", &number.to_string())])
        .await;
    assert_eq!(res.status(), 200);
    let token = app::backend::auth::new_token();
    let _ = app
        .page(&app.browser(), &format!("/reset/{token}"))
        .await
        .text()
        .await;
    let _ = app.page(&ana, "/no/such/page/4711").await.text().await;
    // a live stream stays open while the metrics are read
    let live = ana.get(app.url("/api/live")).send().await.unwrap();
    assert_eq!(live.status(), 200);

    let (status, after) = metrics(&app, None).await;
    assert_eq!(status, 200);
    assert_eq!(
        sample(&after, healthz),
        Some(healthz_before + 3.0),
        "{after}"
    );
    for series in [
        "frontline_http_requests_total{route=\"/tickets/{number}\",method=\"GET\",status=\"2xx\"}",
        "frontline_http_requests_total{route=\"/api/ticket\",method=\"POST\",status=\"2xx\"}",
        "frontline_http_requests_total{route=\"/api/sign_in\",method=\"POST\",status=\"2xx\"}",
        "frontline_http_request_duration_seconds_count{route=\"/api/ticket\",method=\"POST\"}",
        "frontline_http_request_duration_seconds_bucket{route=\"/tickets/{number}\",method=\"GET\",le=\"+Inf\"}",
    ] {
        assert_eq!(sample(&after, series), Some(1.0), "{series} in\n{after}");
    }
    assert_eq!(sample(&after, "frontline_live_streams"), Some(1.0));
    assert_eq!(sample(&after, "frontline_database_up"), Some(1.0));
    assert_eq!(sample(&after, "frontline_db_pool_max"), Some(8.0));
    assert!(sample(&after, "frontline_db_pool_connections").unwrap() >= 1.0);
    assert!(sample(&after, "frontline_db_pool_idle").is_some());
    assert_eq!(
        sample(
            &after,
            "frontline_delivery_failures_total{channel=\"email\"}"
        ),
        Some(0.0)
    );

    // the sign-in wrote its session: SQLite's write lock was waited for and held
    let writers = sample(&after, "frontline_db_write_wait_seconds_count");
    let held = sample(&after, "frontline_db_write_held_seconds_total");
    let commits = sample(&after, "frontline_db_commits_total");
    let written = sample(&after, "frontline_db_committed_writes_total");
    if app.state.pool.dialect() == app::backend::db::Dialect::Sqlite {
        assert!(writers.unwrap() >= 1.0, "{after}");
        assert!(held.unwrap() > 0.0, "{after}");
        // a commit carries one writer or more
        assert!(commits.unwrap() >= 1.0, "{after}");
        assert!(written.unwrap() >= commits.unwrap(), "{after}");
    } else {
        assert_eq!((writers, held), (None, None), "no write lock on PostgreSQL");
        assert_eq!(
            (commits, written),
            (None, None),
            "no group commit on PostgreSQL"
        );
    }

    let routes = route_labels(&after);
    assert!(routes.iter().any(|r| r == "/reset/{token}"), "{routes:?}");
    assert!(routes.iter().any(|r| r == "fallback"), "{routes:?}");
    for route in &routes {
        assert!(
            !route.contains(&number.to_string()) && !route.contains("HD-"),
            "a ticket number in a label: {route}"
        );
        assert!(!route.contains(&token), "a token in a label: {route}");
        assert!(
            !route.chars().any(|c| c.is_ascii_digit()),
            "a route label is a template, not a path: {route}"
        );
    }
    drop(live);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_addresses_get_404() {
    // behind a trusted proxy on loopback, the client is whoever it forwarded for
    let app = TestApp::empty_with(|s| s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    let (status, body) = metrics(&app, Some("198.51.100.7")).await;
    assert_eq!(status, 404);
    assert!(!body.contains("frontline_"), "{body}");
    let (status, _) = metrics(&app, Some("127.0.0.1")).await;
    assert_eq!(status, 200, "forwarded for this machine");
    let (status, _) = metrics(&app, None).await;
    assert_eq!(status, 200, "the proxy's own request");

    // an allow-list without loopback
    let app = TestApp::empty_with(|s| {
        s.metrics_from = vec!["10.0.0.0/8".parse().unwrap()];
    })
    .await;
    let (status, _) = metrics(&app, None).await;
    assert_eq!(status, 404, "loopback is not on the list");
    let (status, _) = metrics(&app, Some("10.1.2.3")).await;
    assert_eq!(
        status, 404,
        "X-Forwarded-For from a peer that is no trusted proxy is the client's own claim"
    );

    let app = TestApp::empty_with(|s| {
        s.metrics_from = vec!["10.0.0.0/8".parse().unwrap()];
        s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let (status, body) = metrics(&app, Some("10.1.2.3")).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = metrics(&app, Some("10.1.2.3, 192.0.2.1")).await;
    assert_eq!(status, 404, "the right-most hop is the client");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_and_the_sla_engine_show_as_they_stand() {
    let app = TestApp::seeded(0).await;
    let (_, before) = metrics(&app, None).await;
    let depth = "frontline_outbox_messages{channel=\"email\"}";
    let queued_before = sample(&before, depth).expect("the email backlog, even when empty");
    // two mails waiting to be retried in an hour, written ten minutes ago
    let recipient = app.scalar("SELECT MIN(id) FROM users").await;
    for _ in 0..2 {
        app::pool_run!(app.state.pool, c => sqlx::query(
            "INSERT INTO notifications (recipient_id, channel, kind, subject, body, status, attempts,
                                        created_at, next_attempt_at, essential)
             VALUES ($1, 'email', 'created', 'Subject', 'Body', 'pending', 1, $2, $3, TRUE)",
        )
        .bind(recipient)
        .bind(NOW - 600)
        .bind(NOW + 3600)
        .execute(c).await.map(|_| ()))
        .unwrap();
    }
    let (_, after) = metrics(&app, None).await;
    assert_eq!(sample(&after, depth), Some(queued_before + 2.0), "{after}");
    let age = sample(
        &after,
        "frontline_outbox_oldest_age_seconds{channel=\"email\"}",
    )
    .unwrap();
    assert!(age >= 600.0, "{after}");
    assert_eq!(
        sample(&after, "frontline_outbox_messages{channel=\"webhook\"}"),
        Some(0.0)
    );
    assert_eq!(
        sample(&after, "frontline_sla_alerts_overdue_seconds"),
        Some(0.0)
    );

    // the engine sweeps when the server starts
    let last_sweep = "frontline_sla_engine_last_sweep_timestamp_seconds";
    let mut seen = None;
    for _ in 0..50 {
        let (_, text) = metrics(&app, None).await;
        seen = sample(&text, last_sweep);
        if seen.is_some() {
            assert_eq!(
                sample(&text, "frontline_sla_engine_seconds_since_sweep"),
                Some(0.0)
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seen, Some(NOW as f64));
}
