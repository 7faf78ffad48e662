//! Mail outages with the real worker loop running (`worker::spawn`), over real SMTP to a relay the
//! test starts, with "now" moved by the test's clock: a relay that is down for ten minutes loses
//! nothing and, once back, gets every message exactly once; a relay that takes a message but hangs
//! up before answering it gets at most one duplicate, with the same Message-ID.

#![cfg(feature = "ssr")]

mod support;

use app::backend::notify::mailer::{self, Deliverer};
use app::backend::notify::worker;
use app::backend::tickets;
use app::model::ticket::NewTicket;
use app::model::Urgency;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::outbox::relay_settings;
use support::smtp::{TestSmtp, DROP_BEFORE_ANSWER, UP};
use support::*;

/// The worker loop as the server runs it; stopped when dropped.
struct Worker(tokio::task::JoinHandle<()>);

impl Worker {
    fn start(d: &Desk, smtp: &TestSmtp) -> Worker {
        let deliverer = Deliverer::new(&relay_settings(smtp)).unwrap();
        Worker(worker::spawn(d.state.clone(), Arc::new(deliverer)))
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Jo raises a ticket, Ana claims it and replies in public, the lead adds a note: three mails to
/// Jo (her request acknowledged, Ana working on it, Ana's reply) and one to Ana.
async fn four_mails(d: &Desk, problem: &str) {
    let jo = d.actor(CLIENT).await;
    let raised = tickets::raise(
        &d.state,
        &jo,
        &NewTicket {
            urgency: Some(Urgency::NotUrgent),
            problem: problem.into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let number = raised.number.0;
    let ana = d.actor(ANALYST).await;
    tickets::claim(&d.state, &ana, number, 1).await.unwrap();
    tickets::reply(&d.state, &ana, number, 2, "On it.", true)
        .await
        .unwrap();
    let lead = d.actor(LEAD).await;
    tickets::reply(&d.state, &lead, number, 3, "Check the spares shelf", false)
        .await
        .unwrap();
}

/// Waits (in real time, briefly) until the worker has done everything due at the test clock's
/// "now": no message due and none being sent.
async fn settled(d: &Desk) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let busy: i64 = app::pool_run!(d.state.pool, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM notifications
             WHERE (status = 'pending' AND next_attempt_at <= $1) OR status = 'sending'",
        )
        .bind(d.state.now())
        .fetch_one(c).await)
        .unwrap();
        if busy == 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the worker did not finish its pass"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Moves the test clock by `secs`, wakes the worker and waits for its pass.
async fn tick(d: &Desk, secs: i64) {
    d.clock.advance(secs);
    d.state.notify_wake.notify_one();
    settled(d).await;
}

/// One outbox row: (id, status, attempts, last error, Message-ID header it must be sent with).
type Row = (i64, String, i64, Option<String>, String);

async fn outbox(d: &Desk) -> Vec<Row> {
    let domain = d.state.settings.notify.message_domain();
    let rows: Vec<(i64, String, i64, Option<String>, i64)> =
        app::pool_run!(d.state.pool, c => sqlx::query_as(
        "SELECT id, status, attempts, last_error, created_at FROM notifications
         WHERE channel = 'email' AND status <> 'muted' ORDER BY id",
    )
    .fetch_all(c).await)
        .unwrap();
    rows.into_iter()
        .map(|(id, status, attempts, error, created)| {
            let header = format!("<{}>", mailer::message_id(id, created, &domain));
            (id, status, attempts, error, header)
        })
        .collect()
}

fn copies_per_message_id(smtp: &TestSmtp) -> BTreeMap<String, usize> {
    let mut copies = BTreeMap::new();
    for m in smtp.messages() {
        *copies.entry(m.message_id).or_insert(0) += 1;
    }
    copies
}

async fn timeline_outcomes(d: &Desk, like: &str) -> i64 {
    app::pool_run!(d.state.pool, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM ticket_events WHERE kind = 'notification_sent' AND body LIKE $1",
    )
    .bind(like)
    .fetch_one(c).await)
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_down_for_ten_minutes_loses_nothing_and_then_delivers_each_message_once() {
    let started = Instant::now();
    let d = desk(0).await;
    let smtp = TestSmtp::start().await;
    smtp.stop_listening().await;
    let _worker = Worker::start(&d, &smtp);

    four_mails(&d, "Printer out of toner").await;
    four_mails(&d, "VPN drops every hour").await;
    settled(&d).await;

    // ten minutes of the test clock with the relay refusing connections, the worker retrying on
    // its back-off; halfway through, more mail is written
    let outage_ends = NOW + 600;
    while d.state.now() < outage_ends {
        if d.state.now() == NOW + 300 {
            four_mails(&d, "Shared drive is read-only").await;
        }
        tick(&d, 30).await;
    }
    assert!(smtp.messages().is_empty());
    let during = outbox(&d).await;
    assert_eq!(during.len(), 12, "four mails per ticket: {during:?}");
    for (id, status, attempts, error, _) in &during {
        assert_eq!(status, "pending", "message {id} waits for the relay");
        let error = error.as_deref().unwrap_or_default();
        assert!(
            error.contains("relay"),
            "message {id} keeps the reason: {error}"
        );
        assert!(*attempts >= 2, "message {id} was retried: {attempts}");
        assert!(
            *attempts < d.state.settings.notify.max_attempts,
            "message {id} is not near giving up after ten minutes: {attempts}"
        );
    }
    assert!(
        during.iter().any(|r| r.2 >= 4),
        "the first messages were tried on their back-off all along: {during:?}"
    );
    assert_eq!(
        timeline_outcomes(&d, "%could not be delivered%").await,
        0,
        "nothing was given up"
    );

    // the relay is back: within the longest back-off reached so far, everything arrives once
    smtp.listen_again().await;
    let back = d.state.now();
    while outbox(&d).await.iter().any(|r| r.1 != "sent") {
        assert!(
            d.state.now() - back <= 600,
            "still not delivered ten minutes after the relay came back: {:?}",
            outbox(&d).await
        );
        tick(&d, 30).await;
    }
    let after = outbox(&d).await;
    let expected: BTreeSet<String> = after.iter().map(|r| r.4.clone()).collect();
    let copies = copies_per_message_id(&smtp);
    assert_eq!(
        copies.keys().cloned().collect::<BTreeSet<_>>(),
        expected,
        "every message arrived, under its own Message-ID"
    );
    assert!(
        copies.values().all(|n| *n == 1),
        "each message arrived exactly once: {copies:?}"
    );
    for (id, _, _, error, _) in &after {
        assert!(error.is_none(), "message {id} keeps no stale error");
    }
    assert_eq!(
        timeline_outcomes(&d, "%sent to%").await,
        after.len() as i64,
        "one delivery on the timeline per message"
    );
    // and nothing more goes out later
    for _ in 0..4 {
        tick(&d, 600).await;
    }
    assert_eq!(smtp.messages().len(), after.len());
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?} of real time",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_that_hangs_up_before_answering_gets_at_most_one_duplicate_with_the_same_message_id(
) {
    let started = Instant::now();
    let d = desk(0).await;
    let smtp = TestSmtp::start().await;
    smtp.set_mode(DROP_BEFORE_ANSWER);
    let _worker = Worker::start(&d, &smtp);

    four_mails(&d, "Printer out of toner").await;
    four_mails(&d, "VPN drops every hour").await;
    settled(&d).await;

    // the relay took each message, but the worker never heard so: it must try again
    let rows = outbox(&d).await;
    assert_eq!(rows.len(), 8, "four mails per ticket: {rows:?}");
    assert_eq!(smtp.messages().len(), rows.len(), "each taken once so far");
    for (id, status, attempts, error, _) in &rows {
        assert_eq!(
            status, "pending",
            "message {id} is not known to be delivered"
        );
        assert_eq!(*attempts, 1);
        assert!(
            error.as_deref().unwrap_or_default().contains("relay"),
            "message {id}: {error:?}"
        );
    }

    smtp.set_mode(UP);
    let back = d.state.now();
    while outbox(&d).await.iter().any(|r| r.1 != "sent") {
        assert!(
            d.state.now() - back <= 300,
            "not delivered five minutes after the relay answered again: {:?}",
            outbox(&d).await
        );
        tick(&d, 30).await;
    }
    for _ in 0..4 {
        tick(&d, 600).await;
    }

    // the copies of one message (same recipient and subject) all carry that message's id
    let rows = outbox(&d).await;
    let mut copies: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for m in smtp.messages() {
        copies
            .entry((m.to.clone(), m.subject.clone()))
            .or_default()
            .push(m.message_id.clone());
    }
    assert_eq!(
        copies.len(),
        rows.len(),
        "every message arrived: {copies:?}"
    );
    let expected: BTreeSet<String> = rows.iter().map(|r| r.4.clone()).collect();
    for ((to, subject), ids) in &copies {
        assert!(
            (1..=2).contains(&ids.len()),
            "{subject} to {to}: at most one duplicate, got {}",
            ids.len()
        );
        assert!(
            ids.iter().all(|id| id == &ids[0]),
            "{subject} to {to}: every copy carries the same Message-ID: {ids:?}"
        );
        assert!(
            expected.contains(&ids[0]),
            "{subject} to {to}: the outbox's Message-ID {ids:?}"
        );
    }
    assert!(
        smtp.messages().len() > rows.len(),
        "the scenario did make the worker send taken messages again"
    );
    assert!(
        copies_per_message_id(&smtp).values().all(|n| *n <= 2),
        "{:?}",
        copies_per_message_id(&smtp)
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?} of real time",
        started.elapsed()
    );
}
