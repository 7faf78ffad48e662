//! Sign-in under attack, over real HTTP: parallel bursts never get more password checks than
//! the limits allow, malformed attempts are counted too, the client's address is taken from
//! trusted proxies only, and a flood leaves the server responsive.

mod common;

use app::backend::seed;
use common::*;
use std::time::{Duration, Instant};

/// Sends `n` sign-ins at once; returns their statuses.
async fn burst(
    app: &TestApp,
    n: usize,
    attempt: impl Fn(usize) -> (String, Option<String>),
) -> Vec<u16> {
    let mut sent = Vec::new();
    for i in 0..n {
        let (email, forwarded_for) = attempt(i);
        let client = app.browser();
        let mut req = app.call_request(
            &client,
            "sign_in",
            &[("email", email.as_str()), ("password", "not-the-password")],
        );
        if let Some(addr) = forwarded_for {
            req = req.header("X-Forwarded-For", addr);
        }
        sent.push(tokio::spawn(async move {
            req.send().await.expect("answer").status().as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for s in sent {
        statuses.push(s.await.expect("task"));
    }
    statuses
}

fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parallel_burst_on_one_account_gets_no_more_guesses_than_the_limit() {
    // behind a trusted proxy, each attempt from an address of its own: the account's limit binds
    let app = TestApp::empty_with(|s| s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    seed::seed_demo(&app.state.pool, NOW, 0)
        .await
        .expect("seed");
    let statuses = burst(&app, 30, |i| {
        (ANALYST.to_string(), Some(format!("198.51.100.{}", i + 1)))
    })
    .await;
    let limit = app.state.settings.login_max_failures_per_account as usize;
    assert!(limit < 30, "the burst goes past the limit");
    assert_eq!(count(&statuses, 401), limit, "{statuses:?}");
    assert_eq!(count(&statuses, 429), 30 - limit, "{statuses:?}");
    // and the right password is refused too until the window passes
    let res = app
        .call(
            &app.browser(),
            "sign_in",
            &[("email", ANALYST), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 429);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parallel_burst_from_one_address_gets_no_more_guesses_than_its_limit() {
    let app = TestApp::seeded(0).await;
    // every account of the cast, twice over, and malformed addresses too: all from one address
    let people = [
        MANAGER,
        LEAD,
        ANALYST,
        SENIOR,
        OTHER_ANALYST,
        ADMIN,
        CLIENT,
        CLIENT_ADMIN,
        OTHER_CLIENT,
    ];
    let statuses = burst(&app, 40, |i| {
        let email = if i % 4 == 3 {
            format!("not an address {i}")
        } else {
            people[i % people.len()].to_string()
        };
        (email, None)
    })
    .await;
    assert_eq!(count(&statuses, 401), 20, "{statuses:?}");
    assert_eq!(count(&statuses, 429), 20, "{statuses:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_addresses_count_only_from_trusted_proxies() {
    // not trusted: X-Forwarded-For is the client's own words, and one address is one address
    let app = TestApp::seeded(0).await;
    let statuses = burst(&app, 25, |i| {
        (
            format!("nobody{i}@frontline.example"),
            Some(format!("203.0.113.{}", i + 1)),
        )
    })
    .await;
    assert_eq!(count(&statuses, 429), 5, "{statuses:?}");

    // trusted: each forwarded address has a limit of its own
    let app = TestApp::empty_with(|s| s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    seed::seed_demo(&app.state.pool, NOW, 0)
        .await
        .expect("seed");
    let statuses = burst(&app, 25, |i| {
        (
            format!("nobody{i}@frontline.example"),
            Some(format!("203.0.113.{}", i + 1)),
        )
    })
    .await;
    assert_eq!(count(&statuses, 401), 25, "{statuses:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_flood_leaves_the_server_responsive() {
    let app = TestApp::empty_with(|s| {
        s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        // no limit gets in the way: every attempt is checked
        s.login_max_failures_per_address = 1_000;
    })
    .await;
    seed::seed_demo(&app.state.pool, NOW, 0)
        .await
        .expect("seed");
    let flood = {
        let app_url = app.url("/api/sign_in");
        let origin = format!("http://{}", app.addr);
        tokio::spawn(async move {
            let client = client_builder().build().expect("client");
            let mut sent = Vec::new();
            for i in 0..120 {
                let email = if i % 2 == 0 {
                    format!("nobody{i}@frontline.example")
                } else {
                    format!("malformed {i}")
                };
                sent.push(
                    client
                        .post(&app_url)
                        .header("Origin", &origin)
                        .header("X-Forwarded-For", format!("198.51.100.{}", i % 250 + 1))
                        .form(&[("email", email.as_str()), ("password", "guess")])
                        .send(),
                );
            }
            futures::future::join_all(sent).await
        })
    };
    let client = client_builder().build().expect("client");
    let mut took = Vec::new();
    let until = Instant::now() + Duration::from_secs(3);
    while Instant::now() < until {
        let start = Instant::now();
        let res = client
            .get(app.url("/healthz"))
            .send()
            .await
            .expect("healthz");
        assert_eq!(res.status(), 200);
        took.push(start.elapsed());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let answers = flood.await.expect("flood");
    assert!(answers
        .iter()
        .all(|a| a.as_ref().is_ok_and(|r| r.status() == 401)));
    took.sort();
    let p99 = took[(took.len() * 99 / 100).min(took.len() - 1)];
    assert!(
        p99 < Duration::from_millis(100),
        "/healthz p99 {p99:?} under a sign-in flood ({} samples)",
        took.len()
    );
}
