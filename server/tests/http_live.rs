//! The live stream over real HTTP: each subscriber hears only of tickets its user may see.

mod common;

use common::*;
use std::time::Duration;

/// An open SSE stream and what has been read from it.
struct Stream {
    res: reqwest::Response,
    buffer: String,
}

impl Stream {
    async fn open(app: &TestApp, client: &reqwest::Client) -> Stream {
        let res = client.get(app.url("/api/live")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        Stream {
            res,
            buffer: String::new(),
        }
    }

    /// Ticket numbers announced within `wait`.
    async fn tickets_within(&mut self, wait: Duration) -> Vec<i64> {
        let deadline = tokio::time::Instant::now() + wait;
        while let Ok(Ok(Some(chunk))) = tokio::time::timeout_at(deadline, self.res.chunk()).await {
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
        let mut numbers = Vec::new();
        for block in self.buffer.split("\n\n") {
            if block.contains("event: ticket") {
                if let Some(data) = block.lines().find_map(|l| l.strip_prefix("data: ")) {
                    let v: serde_json::Value = serde_json::from_str(data).unwrap();
                    numbers.push(v["number"].as_i64().unwrap());
                }
            }
        }
        self.buffer.clear();
        numbers
    }

    /// Whether the server ends the stream within `wait` (heartbeats and events are read past).
    async fn ends_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.res.chunk()).await {
                Ok(Ok(Some(chunk))) => self.buffer.push_str(&String::from_utf8_lossy(&chunk)),
                Ok(Ok(None)) | Ok(Err(_)) => return true,
                Err(_) => return false,
            }
        }
    }
}

/// Long enough for an open stream to check its session and scope again.
const RECHECKED: Duration = Duration::from_secs(server::live::RECHECK.as_secs() + 3);

async fn raise(app: &TestApp, client: &reqwest::Client, problem: &str) -> i64 {
    let res = app
        .call(
            client,
            "raise_ticket",
            &[("ticket[urgency]", "urgent"), ("ticket[problem]", problem)],
        )
        .await;
    assert_eq!(res.status(), 200);
    res.json::<i64>().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_subscriber_hears_only_of_tickets_it_may_see() {
    let app = TestApp::seeded(0).await;
    let mut people = Vec::new();
    for email in [CLIENT, OTHER_CLIENT, ANALYST, OTHER_ANALYST, MANAGER] {
        let client = app.browser();
        app.sign_in(&client, email).await;
        let stream = Stream::open(&app, &client).await;
        people.push((email, client, stream));
    }
    // Jo (Northwind) raises a ticket
    let northwind = raise(
        &app,
        &people[0].1,
        "Badge reader at the warehouse door is dead",
    )
    .await;
    let mut heard = Vec::new();
    for (email, _, stream) in &mut people {
        heard.push((
            *email,
            stream.tickets_within(Duration::from_millis(700)).await,
        ));
    }
    assert_eq!(heard[0], (CLIENT, vec![northwind]), "the requester");
    assert_eq!(
        heard[1],
        (OTHER_CLIENT, vec![]),
        "a client of another organization never learns of it"
    );
    assert_eq!(
        heard[2],
        (ANALYST, vec![northwind]),
        "Atlas serves Northwind"
    );
    assert_eq!(heard[3], (OTHER_ANALYST, vec![]), "Borealis does not");
    assert_eq!(heard[4], (MANAGER, vec![northwind]));

    // Kim (Contoso, also served by Atlas) raises one: the streams that stayed quiet do work
    let contoso = raise(&app, &people[1].1, "Cannot print payslips").await;
    assert_eq!(
        people[1].2.tickets_within(Duration::from_millis(700)).await,
        vec![contoso]
    );
    assert_eq!(
        people[0].2.tickets_within(Duration::from_millis(300)).await,
        Vec::<i64>::new()
    );
    assert_eq!(
        people[2].2.tickets_within(Duration::from_millis(300)).await,
        vec![contoso]
    );
    assert_eq!(
        people[3].2.tickets_within(Duration::from_millis(300)).await,
        Vec::<i64>::new()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stream_needs_a_session_and_costs_nothing_once_dropped() {
    let app = TestApp::seeded(0).await;
    let res = reqwest::get(app.url("/api/live")).await.unwrap();
    assert_eq!(res.status(), 401);

    let client = app.browser();
    app.sign_in(&client, MANAGER).await;
    let before = app.state.live.subscribers();
    let streams: Vec<Stream> = futures_collect(&app, &client, 20).await;
    assert_eq!(app.state.live.subscribers(), before + 20);
    drop(streams);
    // the server notices the dropped connections on its next write (a heartbeat or an event)
    let jo = app.browser();
    app.sign_in(&jo, CLIENT).await;
    for _ in 0..50 {
        raise(&app, &jo, "ping").await;
        if app.state.live.subscribers() == before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        app.state.live.subscribers(),
        before,
        "no subscription outlives its connection"
    );
}

async fn futures_collect(app: &TestApp, client: &reqwest::Client, n: usize) -> Vec<Stream> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(Stream::open(app, client).await);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_ends_within_seconds_of_its_session_ending() {
    let app = TestApp::seeded(0).await;
    let signed_out = app.browser();
    app.sign_in(&signed_out, ANALYST).await;
    let mut stream = Stream::open(&app, &signed_out).await;
    let res = app.call(&signed_out, "sign_out", &[]).await;
    assert_eq!(res.status(), 200);
    assert!(stream.ends_within(RECHECKED).await, "sign-out ends it");

    let deactivated = app.browser();
    app.sign_in(&deactivated, OTHER_ANALYST).await;
    let mut stream = Stream::open(&app, &deactivated).await;
    app::pool_run!(app.state.pool, c => sqlx::query("UPDATE users SET active = FALSE WHERE email = $1")
        .bind(OTHER_ANALYST)
        .execute(c).await.map(|_| ()))
        .unwrap();
    assert!(stream.ends_within(RECHECKED).await, "deactivation ends it");

    // a stream whose session stands stays open
    let manager = app.browser();
    app.sign_in(&manager, MANAGER).await;
    let mut stream = Stream::open(&app, &manager).await;
    assert!(!stream.ends_within(RECHECKED).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_move_narrows_an_open_stream() {
    let app = TestApp::seeded(0).await;
    let ana = app.browser();
    app.sign_in(&ana, ANALYST).await;
    let mut stream = Stream::open(&app, &ana).await;
    // Ana moves from Atlas (Northwind's team) to Borealis
    app::pool_run!(app.state.pool, c => sqlx::query(
        "UPDATE users SET team_id = (SELECT id FROM teams WHERE name = $1) WHERE email = $2",
    )
    .bind(cast::OTHER_TEAM)
    .bind(ANALYST)
    .execute(c).await.map(|_| ()))
    .unwrap();
    tokio::time::sleep(RECHECKED).await;
    let jo = app.browser();
    app.sign_in(&jo, CLIENT).await;
    raise(&app, &jo, "Label printer prints blank labels").await;
    assert_eq!(
        stream.tickets_within(Duration::from_millis(700)).await,
        Vec::<i64>::new(),
        "Ana no longer serves Northwind"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_account_holds_a_bounded_number_of_streams() {
    let app = TestApp::seeded(0).await;
    let client = app.browser();
    app.sign_in(&client, MANAGER).await;
    let streams = futures_collect(&app, &client, app::backend::live::MAX_STREAMS_PER_USER).await;
    let res = client.get(app.url("/api/live")).send().await.unwrap();
    assert_eq!(res.status(), 429);
    let said = res.text().await.unwrap();
    assert!(said.contains("Too many open live connections"), "{said}");
    // another person is not affected
    let jo = app.browser();
    app.sign_in(&jo, CLIENT).await;
    Stream::open(&app, &jo).await;
    drop(streams);
}
