//! Notifications through the outbox, delivered over real SMTP to a relay the test starts: who is
//! told what, exactly once, whatever happens to the relay or the worker.

#![cfg(feature = "ssr")]

mod support;

use app::backend::notify::mailer::Deliverer;
use app::backend::notify::settings::NotifySettings;
use app::backend::notify::worker::{self, LEASE_SECS};
use app::backend::policy::Actor;
use app::backend::repo::notifications as repo;
use app::backend::tickets;
use app::model::ticket::NewTicket;
use app::model::Urgency;
use std::collections::HashSet;
use support::outbox::{deliver_all, relay_settings};
use support::smtp::{TestSmtp, DOWN, HANGING, UP};
use support::*;

async fn raise_and_reply(d: &Desk) -> (i64, i64) {
    let jo = d.actor(CLIENT).await;
    let ticket = NewTicket {
        urgency: Some(Urgency::NotUrgent),
        problem: "Printer out of toner".into(),
        ..Default::default()
    };
    let changed = tickets::raise(&d.state, &jo, &ticket).await.unwrap();
    let ana = d.actor(ANALYST).await;
    tickets::claim(&d.state, &ana, changed.number.0, 1)
        .await
        .unwrap();
    tickets::reply(
        &d.state,
        &ana,
        changed.number.0,
        2,
        "A new cartridge is on its way.",
        true,
    )
    .await
    .unwrap();
    tickets::reply(
        &d.state,
        &ana,
        changed.number.0,
        3,
        "Toner is in cupboard B",
        false,
    )
    .await
    .unwrap();
    (changed.number.0, changed.ticket_id)
}

fn assert_each_once(smtp: &TestSmtp) {
    let ids: Vec<String> = smtp
        .messages()
        .iter()
        .map(|m| m.message_id.clone())
        .collect();
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(ids.len(), unique.len(), "a message arrived twice: {ids:?}");
}

#[tokio::test]
async fn the_requester_and_the_assignee_are_told_of_public_updates_and_only_the_assignee_of_notes()
{
    let d = desk(0).await;
    let smtp = TestSmtp::start().await;
    let deliverer = Deliverer::new(&relay_settings(&smtp)).unwrap();
    let (number, _) = raise_and_reply(&d).await;
    let sent = deliver_all(&d, &deliverer).await;
    let messages = smtp.messages();
    assert_eq!(sent, messages.len());
    let to = |who: &str| {
        messages
            .iter()
            .filter(|m| m.to.contains(who))
            .map(|m| m.subject.clone())
            .collect::<Vec<_>>()
    };
    // Jo: her request acknowledged (the one mail about her own action), Ana working on it, and
    // Ana's public reply
    let jo = to(CLIENT);
    assert_eq!(jo.len(), 3, "{jo:?}");
    let tag = format!("[HD-{number}]");
    assert!(jo.iter().all(|s| s.contains(&tag)), "{jo:?}");
    for what in [
        "We received your request",
        &format!("{} is working on your request", cast::ANALYST_NAME),
        "replied",
    ] {
        assert_eq!(
            jo.iter().filter(|s| s.contains(what)).count(),
            1,
            "{what}: {jo:?}"
        );
    }
    // Ana acted herself each time: nothing to her
    assert!(to(ANALYST).is_empty());
    let link = format!("{}/tickets/HD-{number}", d.state.settings.notify.base_url);
    for body in messages
        .iter()
        .filter(|m| m.to.contains(CLIENT))
        .map(|m| &m.data)
    {
        assert!(body.contains(&link), "the mail links to the ticket: {body}");
        assert!(
            body.contains("text/html") && body.contains("text/plain"),
            "plain text and HTML"
        );
        assert!(
            !body.contains("cupboard B"),
            "the internal note never reaches the requester"
        );
    }
    assert_each_once(&smtp);
}

#[tokio::test]
async fn a_colleagues_note_reaches_the_assignee_and_muted_mail_is_recorded_not_sent() {
    let d = desk(0).await;
    let smtp = TestSmtp::start().await;
    let deliverer = Deliverer::new(&relay_settings(&smtp)).unwrap();
    let (number, ticket_id) = raise_and_reply(&d).await;
    deliver_all(&d, &deliverer).await;
    app::pool_run!(d.state.pool, c => sqlx::query("UPDATE users SET mute_non_essential = TRUE WHERE email = $1")
        .bind(CLIENT)
        .execute(c).await.map(|_| ()))
        .unwrap();
    let lead = d.actor(LEAD).await;
    tickets::reply(
        &d.state,
        &lead,
        number,
        4,
        "Check the toner order status",
        false,
    )
    .await
    .unwrap();
    tickets::set_priority(&d.state, &lead, number, 5, app::model::Priority::P2)
        .await
        .unwrap();
    deliver_all(&d, &deliverer).await;
    let to_ana: Vec<String> = smtp
        .messages()
        .iter()
        .filter(|m| m.to.contains(ANALYST))
        .map(|m| m.subject.clone())
        .collect();
    assert_eq!(
        to_ana.len(),
        2,
        "the note and the priority change: {to_ana:?}"
    );
    let mut conn = d.state.pool.acquire().await.unwrap();
    let statuses = repo::statuses(&mut conn, ticket_id).await.unwrap();
    assert!(
        statuses.contains(&("muted".to_string(), 1)),
        "Jo muted non-essential mail: {statuses:?}"
    );
    let outcomes: i64 = app::pool_run!(d.state.pool, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM ticket_events WHERE ticket_id = $1 AND kind = 'notification_sent'",
    )
    .bind(ticket_id)
    .fetch_one(c).await)
    .unwrap();
    assert_eq!(
        outcomes as usize,
        smtp.messages().len(),
        "every delivery is on the timeline"
    );
}

#[tokio::test]
async fn a_relay_outage_loses_nothing_and_sends_nothing_twice() {
    let d = desk(0).await;
    let smtp = TestSmtp::start().await;
    let deliverer = Deliverer::new(&relay_settings(&smtp)).unwrap();
    smtp.set_mode(DOWN);
    raise_and_reply(&d).await;
    assert_eq!(worker::deliver_due(&d.state, &deliverer).await.unwrap(), 0);
    assert!(smtp.messages().is_empty());
    // retried with back-off: not before it is due
    assert_eq!(worker::deliver_due(&d.state, &deliverer).await.unwrap(), 0);
    smtp.set_mode(UP);
    assert_eq!(
        worker::deliver_due(&d.state, &deliverer).await.unwrap(),
        0,
        "waits for its retry time"
    );
    d.clock.advance(31);
    let sent = deliver_all(&d, &deliverer).await;
    assert!(sent > 0);
    let pending: i64 = app::pool_run!(d.state.pool, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE status <> 'sent' AND status <> 'muted'",
    )
    .fetch_one(c).await)
    .unwrap();
    assert_eq!(pending, 0, "everything arrived once the relay came back");
    assert_each_once(&smtp);
}

#[tokio::test]
async fn a_crash_between_commit_and_delivery_is_made_good_by_the_next_worker() {
    let d = desk(0).await;
    let smtp = TestSmtp::start().await;
    raise_and_reply(&d).await;
    // a worker claimed a message and died before sending (its lease is still running)
    let first: i64 =
        app::pool_run!(d.state.pool, c => sqlx::query_scalar("SELECT MIN(id) FROM notifications")
        .fetch_one(c).await)
        .unwrap();
    let mut conn = d.state.pool.acquire().await.unwrap();
    assert!(repo::claim(&mut conn, first, NOW, NOW + LEASE_SECS)
        .await
        .unwrap());
    drop(conn);
    // the server restarts with a new worker
    let deliverer = Deliverer::new(&relay_settings(&smtp)).unwrap();
    let sent_now = deliver_all(&d, &deliverer).await;
    let total: i64 =
        app::pool_run!(d.state.pool, c => sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE status <> 'muted'")
            .fetch_one(c).await)
            .unwrap();
    assert_eq!(
        sent_now as i64,
        total - 1,
        "the leased message waits for its lease"
    );
    d.clock.advance(LEASE_SECS + 1);
    assert_eq!(deliver_all(&d, &deliverer).await, 1);
    assert_eq!(smtp.messages().len() as i64, total);
    assert_each_once(&smtp);
}

#[tokio::test]
async fn two_workers_at_once_send_each_message_once() {
    let d = desk(0).await;
    let smtp = TestSmtp::start().await;
    for _ in 0..3 {
        raise_and_reply(&d).await;
    }
    let (a, b) = (
        Deliverer::new(&relay_settings(&smtp)).unwrap(),
        Deliverer::new(&relay_settings(&smtp)).unwrap(),
    );
    let (x, y) = tokio::join!(
        worker::deliver_due(&d.state, &a),
        worker::deliver_due(&d.state, &b)
    );
    let total: i64 =
        app::pool_run!(d.state.pool, c => sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE status <> 'muted'")
            .fetch_one(c).await)
            .unwrap();
    assert_eq!((x.unwrap() + y.unwrap()) as i64, total);
    assert_eq!(smtp.messages().len() as i64, total);
    assert_each_once(&smtp);
}

#[tokio::test]
async fn a_hanging_relay_times_out_and_the_message_is_retried() {
    let d = desk(0).await;
    let smtp = TestSmtp::start().await;
    let deliverer = Deliverer::new(&relay_settings(&smtp)).unwrap();
    smtp.set_mode(HANGING);
    raise_and_reply(&d).await;
    let started = std::time::Instant::now();
    assert_eq!(worker::deliver_due(&d.state, &deliverer).await.unwrap(), 0);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "the timeout bounds the wait"
    );
    let error: Option<String> =
        app::pool_run!(d.state.pool, c => sqlx::query_scalar("SELECT last_error FROM notifications WHERE status = 'pending' LIMIT 1")
            .fetch_one(c).await)
            .unwrap();
    assert!(
        error.unwrap_or_default().contains("relay"),
        "the reason is recorded"
    );
    smtp.set_mode(UP);
    d.clock.advance(60);
    assert!(deliver_all(&d, &deliverer).await > 0);
    assert_each_once(&smtp);
}

#[tokio::test]
async fn without_a_relay_mail_goes_to_the_file_sink() {
    let d = desk(0).await;
    let dir = tempfile::tempdir().unwrap();
    let deliverer = Deliverer::new(&NotifySettings {
        sink_dir: dir.path().to_path_buf(),
        ..Default::default()
    })
    .unwrap();
    raise_and_reply(&d).await;
    let sent = deliver_all(&d, &deliverer).await;
    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(files.len(), sent);
    let text = std::fs::read_to_string(files[0].as_ref().unwrap().path()).unwrap();
    assert!(text.contains("Subject: [HD-"), "{text}");
}

/// A page receiver the test runs: answers 500 `failures` times, then 200, or hangs.
async fn receiver(
    failures: usize,
    hang: bool,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use axum::{routing::post, Router};
    use std::sync::{Arc, Mutex};
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (seen2, calls2) = (seen.clone(), calls.clone());
    let app = Router::new().route(
        "/hook",
        post(move |body: String| {
            let (seen, calls) = (seen2.clone(), calls2.clone());
            async move {
                if hang {
                    tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                }
                let n = calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if n < failures {
                    return axum::http::StatusCode::INTERNAL_SERVER_ERROR;
                }
                seen.lock().unwrap().push(body);
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

/// A night-time P1 for Northwind with Ana on call, so that a page goes out by mail and webhook.
async fn night_p1(d: &Desk) -> i64 {
    use app::model::time::{days_from_civil, format_rfc3339, DAY, HOUR};
    let night = days_from_civil(2026, 11, 20) * DAY + 9 * HOUR; // 03:00 in Chicago
    let team = d.team_id(cast::TEAM).await;
    let at = |ts: i64| format_rfc3339(ts)[..16].to_string();
    app::backend::oncall::add_oncall_shift(
        &d.state,
        &d.actor(LEAD).await,
        team,
        d.user_id(ANALYST).await,
        &at(night - HOUR),
        &at(night + HOUR),
        0,
    )
    .await
    .unwrap();
    d.clock.set(night);
    let ticket = NewTicket {
        requester_id: Some(d.user_id(CLIENT).await),
        urgency: Some(Urgency::Urgent),
        problem: "All tills offline".into(),
        priority: Some(app::model::Priority::P1),
        ..Default::default()
    };
    tickets::raise(&d.state, &d.actor(ANALYST).await, &ticket)
        .await
        .unwrap()
        .ticket_id
}

#[tokio::test]
async fn a_page_webhook_that_fails_is_retried_until_it_is_accepted_once() {
    let (url, seen) = receiver(2, false).await;
    let d = desk_with(|s| s.notify.webhook_url = Some(url.clone())).await;
    let dir = tempfile::tempdir().unwrap();
    let deliverer = Deliverer::new(&NotifySettings {
        sink_dir: dir.path().into(),
        webhook_url: Some(url),
        send_timeout_secs: 2,
        ..Default::default()
    })
    .unwrap();
    night_p1(&d).await;
    for _ in 0..3 {
        worker::deliver_due(&d.state, &deliverer).await.unwrap();
        d.clock.advance(120);
    }
    let bodies = seen.lock().unwrap().clone();
    assert_eq!(bodies.len(), 1, "accepted once after two 500s");
    let page: serde_json::Value = serde_json::from_str(&bodies[0]).unwrap();
    assert_eq!(page["priority"], "P1");
    assert!(page["ack_url"].as_str().unwrap().contains("/pages/"));
}

#[tokio::test]
async fn a_hanging_page_receiver_never_holds_up_the_mail() {
    let (url, _) = receiver(0, true).await;
    let d = desk_with(|s| s.notify.webhook_url = Some(url.clone())).await;
    let dir = tempfile::tempdir().unwrap();
    let deliverer = Deliverer::new(&NotifySettings {
        sink_dir: dir.path().into(),
        webhook_url: Some(url),
        send_timeout_secs: 2,
        ..Default::default()
    })
    .unwrap();
    let ticket_id = night_p1(&d).await;
    let started = std::time::Instant::now();
    worker::deliver_due(&d.state, &deliverer).await.unwrap();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(8),
        "bounded by the timeout"
    );
    let mut conn = d.state.pool.acquire().await.unwrap();
    let statuses = repo::statuses(&mut conn, ticket_id).await.unwrap();
    assert!(
        statuses.iter().any(|(s, n)| s == "sent" && *n >= 1),
        "the page mail went out: {statuses:?}"
    );
    let webhook: (String, Option<String>) =
        app::pool_run!(d.state.pool, c => sqlx::query_as("SELECT status, last_error FROM notifications WHERE channel = 'webhook'")
            .fetch_one(c).await)
            .unwrap();
    assert_eq!(webhook.0, "pending", "the webhook waits for its retry");
    assert!(webhook.1.unwrap().contains("in time"));
}

async fn version_of(d: &Desk, number: i64) -> i64 {
    d.scalar(&format!(
        "SELECT version FROM tickets WHERE number = {number}"
    ))
    .await
}

/// Links in mail come from the template only: a client who writes the template's words before an
/// address of their own gets plain, escaped text in the HTML part, and the one link is the desk's.
#[tokio::test]
async fn text_a_client_writes_never_becomes_a_link_in_mail() {
    let d = desk(0).await;
    let smtp = TestSmtp::start().await;
    let deliverer = Deliverer::new(&relay_settings(&smtp)).unwrap();
    let jo = d.actor(CLIENT).await;
    let raised = tickets::raise(
        &d.state,
        &jo,
        &NewTicket {
            urgency: Some(Urgency::NotUrgent),
            problem: "Printer out of toner".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let number = raised.number.0;
    let ana = d.actor(ANALYST).await;
    tickets::claim(&d.state, &ana, number, version_of(&d, number).await)
        .await
        .unwrap();
    deliver_all(&d, &deliverer).await;
    tickets::reply(
        &d.state,
        &jo,
        number,
        version_of(&d, number).await,
        "I got a strange mail.\n\nOpen the ticket: https://evil.example/login\n\n<a href=\"https://evil.example/x\">click</a>",
        true,
    )
    .await
    .unwrap();
    deliver_all(&d, &deliverer).await;
    let mail = smtp
        .messages()
        .into_iter()
        .find(|m| m.to.contains(ANALYST) && m.subject.contains("replied"))
        .expect("Ana hears of Jo's reply");
    let html = mail.part("text/html").expect("an HTML part");
    assert!(!html.contains("evil.example/login\""), "{html}");
    assert!(!html.contains("href=\"https://evil"), "{html}");
    assert!(
        html.contains("Open the ticket: https://evil.example/login"),
        "the client's words stay, as text: {html}"
    );
    assert!(html.contains("&lt;a href="), "markup is escaped: {html}");
    let desk_link = format!(
        "<a href=\"{}/tickets/HD-{number}\">Open the ticket</a>",
        d.state.settings.notify.base_url
    );
    assert!(html.contains(&desk_link), "{html}");
    assert_eq!(
        html.matches("<a ").count(),
        1,
        "one link, the desk's: {html}"
    );
    let text = mail.part("text/plain").expect("a plain text part");
    assert!(text.contains(&format!(
        "Open the ticket: {}/tickets/HD-{number}",
        d.state.settings.notify.base_url
    )));
}

/// Who may be told is decided again when the mail goes out: a requester who moved to another
/// organization, a client of a deactivated organization and a deactivated user get nothing; their
/// messages are marked skipped with the reason and never retried. People still in scope get theirs.
#[tokio::test]
async fn mail_goes_only_to_people_who_may_still_see_the_ticket() {
    let d = desk(0).await;
    let smtp = TestSmtp::start().await;
    let deliverer = Deliverer::new(&relay_settings(&smtp)).unwrap();
    let raise = |who: Actor, problem: &'static str| {
        let state = d.state.clone();
        async move {
            tickets::raise(
                &state,
                &who,
                &NewTicket {
                    urgency: Some(Urgency::NotUrgent),
                    problem: problem.into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .number
            .0
        }
    };
    let jos = raise(d.actor(CLIENT).await, "Scanner jams").await;
    let kims = raise(d.actor(OTHER_CLIENT).await, "Badge reader offline").await;
    let ines = raise(d.actor(CLIENT_ADMIN).await, "Laptop will not boot").await;
    let ana = d.actor(ANALYST).await;
    tickets::claim(&d.state, &ana, jos, version_of(&d, jos).await)
        .await
        .unwrap();
    deliver_all(&d, &deliverer).await;
    let before = smtp.messages().len();
    let lead = d.actor(LEAD).await;
    for number in [jos, kims, ines] {
        tickets::reply(
            &d.state,
            &lead,
            number,
            version_of(&d, number).await,
            "We are on it.",
            true,
        )
        .await
        .unwrap();
    }
    // after the mail was written: Jo moves to another client, Contoso leaves, Ines is deactivated
    let jo_id = d.user_id(CLIENT).await;
    let kim = d.actor(OTHER_CLIENT).await;
    let sam = d.actor(ADMIN).await;
    app::pool_run!(d.state.pool, c => sqlx::query(
        "UPDATE users SET org_id = (SELECT MIN(id) FROM organizations WHERE id NOT IN
            (SELECT org_id FROM users WHERE id = $1) AND id <> $2) WHERE id = $1",
    )
    .bind(jo_id)
    .bind(kim.org_id)
    .execute(c).await.map(|_| ()))
    .unwrap();
    app::backend::admin::set_org_active(&d.state, &sam, kim.org_id.unwrap(), false)
        .await
        .unwrap();
    let ines_id = d.user_id(CLIENT_ADMIN).await;
    app::backend::admin::set_user_active(&d.state, &sam, ines_id, false)
        .await
        .unwrap();
    deliver_all(&d, &deliverer).await;
    let after: Vec<_> = smtp.messages()[before..].to_vec();
    for who in [CLIENT, OTHER_CLIENT, CLIENT_ADMIN] {
        assert!(
            !after.iter().any(|m| m.to.contains(who)),
            "{who} may no longer see the ticket: {:?}",
            after.iter().map(|m| &m.to).collect::<Vec<_>>()
        );
    }
    assert!(
        after
            .iter()
            .any(|m| m.to.contains(ANALYST) && m.subject.contains(&format!("HD-{jos}"))),
        "the assignee still hears of the reply"
    );
    let row = |id: i64| {
        let pool = d.state.pool.clone();
        async move {
            app::pool_run!(pool, c => sqlx::query_as::<_, (String, Option<String>)>(
                "SELECT status, last_error FROM notifications WHERE recipient_id = $1 AND kind = 'public_reply'",
            )
            .bind(id)
            .fetch_one(c).await)
            .unwrap()
        }
    };
    for (id, reason) in [
        (jo_id, "no longer"),
        (kim.id, "organization"),
        (ines_id, "account"),
    ] {
        let (status, why) = row(id).await;
        assert_eq!(status, "skipped", "user {id}");
        let why = why.unwrap_or_default();
        assert!(why.contains(reason), "user {id}: {why}");
    }
    // never retried
    d.clock.advance(86_400);
    assert_eq!(deliver_all(&d, &deliverer).await, 0);
    assert_eq!(
        d.scalar("SELECT COUNT(*) FROM notifications WHERE status IN ('pending', 'sending')")
            .await,
        0
    );
}
