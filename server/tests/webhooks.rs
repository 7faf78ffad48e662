//! Outgoing webhooks over real HTTP end to end: the administrator subscribes through the server
//! functions, clients raise tickets through them, and a receiver the test starts on 127.0.0.1
//! (the only allowed host) gets each event, signed so that Python's hmac module (or openssl)
//! verifies it; through a receiver outage and through kill -9 of the real binary mid-delivery,
//! every event arrives, once after de-duplication by `webhook-id`. The delivery latency bench
//! (`make bench`) is here too.

mod common;
mod real_server;
#[path = "../../app/tests/support/receiver.rs"]
mod receiver;

use common::{TestApp, ADMIN, CLIENT};
use receiver::{verified_independently, Mode, Receiver};
use serde_json::json;
use std::time::{Duration, Instant};

/// Subscribes `url` to new tickets as the administrator, over HTTP; returns the secret.
async fn subscribe(app: &TestApp, admin: &reqwest::Client, url: &str) -> String {
    let res = admin
        .post(app.url("/api/admin/save_webhook"))
        .header("Origin", format!("http://{}", app.addr))
        .json(&json!({ "id": null, "draft": {
            "name": "PSA", "url": url, "kind": "Standard", "events": ["ticket.created"],
            "org_id": null, "team_id": null, "min_priority": null } }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let made: serde_json::Value = res.json().await.unwrap();
    made["secret"]
        .as_str()
        .expect("the secret, once")
        .to_string()
}

async fn raise(app: &TestApp, client: &reqwest::Client, problem: &str) -> i64 {
    let res = app
        .call(
            client,
            "raise_ticket",
            &[
                ("ticket[urgency]", "not_urgent"),
                ("ticket[problem]", problem),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn signed_in(app: &TestApp, email: &str) -> reqwest::Client {
    let client = app.browser();
    app.sign_in(&client, email).await;
    client
}

/// Waits up to `secs` until `n` deliveries are recorded with `status`: the worker records an
/// attempt's outcome a moment after the receiver's answer arrives.
async fn until_recorded(app: &TestApp, status: &str, n: i64, secs: u64) {
    let sql = format!("SELECT COUNT(*) FROM webhook_deliveries WHERE status = '{status}'");
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let recorded = app.scalar(&sql).await;
        if recorded >= n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{recorded} of {n} deliveries recorded as {status}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_arrive_signed_and_once_each_through_an_outage() {
    let app = TestApp::seeded(0).await;
    let rx = Receiver::start().await;
    let admin = signed_in(&app, ADMIN).await;
    let jo = signed_in(&app, CLIENT).await;
    let secret = subscribe(&app, &admin, &rx.url("/hooks")).await;

    let number = raise(&app, &jo, "Printer out of toner").await;
    let got = rx.wait_taken(1, 20).await;
    assert_eq!(got.len(), 1, "the event arrived");
    let r = &got[0];
    assert_eq!(
        r.json()["data"]["ticket"]["number"],
        app::model::TicketNumber(number).to_string()
    );
    assert!(verified_independently(
        &secret,
        r.header("webhook-id").unwrap(),
        r.header("webhook-timestamp").unwrap(),
        &r.body,
        r.header("webhook-signature").unwrap(),
    ));

    // the receiver goes down: three events fail, then arrive once it is back
    rx.set(Mode::Failing(503));
    for i in 0..3 {
        raise(&app, &jo, &format!("During the outage {i}")).await;
    }
    until_recorded(&app, "failed", 3, 20).await;
    rx.set(Mode::Up);
    app.clock.advance(30);
    let got = rx.wait_taken(4, 20).await;
    assert_eq!(got.len(), 4, "every event arrived after the outage");
    let raw_taken = rx.received().iter().filter(|r| r.taken).count();
    assert_eq!(raw_taken, 4, "and none twice");
    until_recorded(&app, "delivered", 4, 10).await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'delivered'")
            .await,
        4
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_delivery_loses_no_event() {
    const EVENTS: usize = 24;
    let dir = tempfile::tempdir().unwrap();
    let url = real_server::seeded_desk(dir.path(), 0);
    let key = app::backend::secrets::SecretKey::generate().to_base64();
    let env = [
        ("FRONTLINE_SECRET_KEY", key.as_str()),
        ("FRONTLINE_WEBHOOK_ALLOW_HOSTS", "127.0.0.1"),
        ("FRONTLINE_WEBHOOK_RETRY_SECS", "1"),
    ];
    let rx = Receiver::start().await;
    let mut server = real_server::Server::start_with(dir.path(), &url, &env).await;
    let client = || {
        reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap()
    };
    let (admin, jo) = (client(), client());
    server.sign_in(&admin, real_server::ADMIN).await;
    server.sign_in(&jo, real_server::CLIENT).await;
    let res = server
        .post_json(
            &admin,
            "admin/save_webhook",
            &json!({ "id": null, "draft": {
                "name": "PSA", "url": rx.url("/"), "kind": "Standard",
                "events": ["ticket.created"], "org_id": null, "team_id": null,
                "min_priority": null } }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // a slow receiver: deliveries are in flight when the server dies
    rx.set(Mode::Slow(Duration::from_millis(400)));
    let mut raised = Vec::new();
    for i in 0..EVENTS {
        let res = server
            .post(
                &jo,
                "raise_ticket",
                &[
                    ("ticket[urgency]", "not_urgent"),
                    ("ticket[problem]", &format!("Crash ticket {i}")),
                ],
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        raised.push(res.json::<i64>().await.unwrap());
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while rx.received().len() < 3 {
        assert!(Instant::now() < deadline, "nothing was delivered");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.kill();
    let at_kill = rx.taken_once().len();
    println!("killed with {at_kill} of {EVENTS} events taken");
    assert!(at_kill < EVENTS, "the kill came too late to prove anything");

    rx.set(Mode::Up);
    let _server = real_server::Server::start_with(dir.path(), &url, &env).await;
    let got = rx.wait_taken(EVENTS, 60).await;
    let mut numbers: Vec<i64> = got
        .iter()
        .map(|r| {
            r.json()["data"]["ticket"]["number"]
                .as_str()
                .unwrap()
                .parse::<app::model::TicketNumber>()
                .unwrap()
                .0
        })
        .collect();
    numbers.sort_unstable();
    raised.sort_unstable();
    assert_eq!(
        numbers, raised,
        "every event arrived, once after de-duplication"
    );
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// `make bench`: how long from a change (a client raising a ticket over HTTP) until the receiver
/// has its webhook, p50 and p99, one change at a time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: make bench"]
async fn bench_webhook_delivery_latency() {
    let rounds: usize = std::env::var("WEBHOOK_BENCH_EVENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let app = TestApp::seeded(0).await;
    let rx = Receiver::start().await;
    let admin = signed_in(&app, ADMIN).await;
    let jo = signed_in(&app, CLIENT).await;
    subscribe(&app, &admin, &rx.url("/bench")).await;
    let mut latencies = Vec::with_capacity(rounds);
    for i in 0..rounds {
        let started = Instant::now();
        raise(&app, &jo, &format!("Bench ticket {i}")).await;
        let got = rx.wait_taken(i + 1, 10).await;
        assert_eq!(got.len(), i + 1, "event {i} did not arrive");
        latencies.push(got[i].at - started);
    }
    latencies.sort_unstable();
    let ms = |p| percentile(&latencies, p).as_secs_f64() * 1000.0;
    println!(
        "webhook delivery latency from change to receiver over {rounds} events: p50 {:.1} ms, p99 {:.1} ms",
        ms(0.5),
        ms(0.99)
    );
    // the line scripts/bench.sh keeps
    println!(
        "{{\"webhook_p50_ms\": {:.1}, \"webhook_p99_ms\": {:.1}, \"webhook_events\": {rounds}}}",
        ms(0.5),
        ms(0.99)
    );
}
