//! Outgoing webhooks, delivered over real HTTP to a receiver the test starts on 127.0.0.1 (named
//! in the allow-list): written with the change that caused them, signed so that an independent
//! implementation verifies them, filtered, retried through an outage and delivered once per
//! event id, refused for private targets, turned off after a day of failures.

#![cfg(feature = "ssr")]

mod support;

use app::backend::repo::webhooks as rows;
use app::backend::secrets::SecretKey;
use app::backend::webhooks::worker::{self, LEASE_SECS};
use app::backend::{admin, sla_engine, tickets};
use app::model::admin::{WebhookDraft, WebhookKind};
use app::model::ticket::NewTicket;
use app::model::{AppError, Priority, Urgency};
use support::receiver::{verified_independently, Mode, Receiver};
use support::*;

const ALL_EVENTS: [&str; 7] = [
    "ticket.created",
    "ticket.replied",
    "ticket.status_changed",
    "ticket.assigned",
    "ticket.resolved",
    "sla.warning",
    "sla.breached",
];

async fn hooks_desk() -> Desk {
    desk_with(|s| {
        s.secret_key = Some(SecretKey::generate());
        s.webhooks.allow_hosts = vec!["127.0.0.1".into()];
    })
    .await
}

fn draft(name: &str, url: String, events: &[&str]) -> WebhookDraft {
    WebhookDraft {
        name: name.into(),
        url,
        events: events.iter().map(|e| e.to_string()).collect(),
        ..Default::default()
    }
}

/// Subscribes `draft` as the administrator; returns its id and secret.
async fn subscribe(d: &Desk, draft: &WebhookDraft) -> (i64, Option<String>) {
    let admin = d.actor(ADMIN).await;
    let made = admin::save_webhook(&d.state, &admin, None, draft)
        .await
        .expect("subscribe");
    (made.id, made.secret)
}

async fn raise(d: &Desk, problem: &str) -> (i64, i64) {
    let jo = d.actor(CLIENT).await;
    let ticket = NewTicket {
        urgency: Some(Urgency::NotUrgent),
        problem: problem.into(),
        ..Default::default()
    };
    let changed = tickets::raise(&d.state, &jo, &ticket).await.unwrap();
    (changed.number.0, changed.version)
}

/// Runs worker passes until one delivers nothing.
async fn deliver_all(d: &Desk) -> usize {
    let mut total = 0;
    loop {
        let n = worker::deliver_due(&d.state).await.unwrap();
        if n == 0 {
            return total;
        }
        total += n;
    }
}

async fn statuses(d: &Desk) -> Vec<(String, i64)> {
    let sql = "SELECT status || ':' || attempts FROM webhook_deliveries ORDER BY id";
    app::pool_run!(d.state.pool, c => sqlx::query_scalar::<_, String>(sql).fetch_all(c).await)
        .unwrap()
        .into_iter()
        .map(|s| {
            let (status, attempts) = s.split_once(':').unwrap();
            (status.to_string(), attempts.parse().unwrap())
        })
        .collect()
}

#[tokio::test]
async fn a_tickets_life_is_delivered_signed_and_verified_independently() {
    let d = hooks_desk().await;
    let rx = Receiver::start().await;
    let (_, secret) = subscribe(&d, &draft("PSA", rx.url("/hooks"), &ALL_EVENTS)).await;
    let secret = secret.expect("a standard subscription has a secret, shown once");
    assert!(secret.starts_with("whsec_"));
    assert_eq!(
        d.scalar("SELECT COUNT(*) FROM webhook_subscriptions WHERE secret LIKE 'whsec_%'")
            .await,
        0,
        "the secret is sealed at rest"
    );

    let (number, _) = raise(&d, "Printer out of toner").await;
    let ana = d.actor(ANALYST).await;
    tickets::claim(&d.state, &ana, number, 1).await.unwrap();
    tickets::reply(
        &d.state,
        &ana,
        number,
        2,
        "A new cartridge is on its way.",
        true,
    )
    .await
    .unwrap();
    tickets::reply(&d.state, &ana, number, 3, "SECRET-NOTE cupboard B", false)
        .await
        .unwrap();
    tickets::resolve(&d.state, &ana, number, 4, "Cartridge replaced.")
        .await
        .unwrap();
    assert_eq!(deliver_all(&d).await, 4);

    let got = rx.received();
    let types: Vec<String> = got
        .iter()
        .map(|r| r.json()["type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        types,
        [
            "ticket.created",
            "ticket.assigned",
            "ticket.replied",
            "ticket.resolved"
        ]
    );
    for r in &got {
        let (id, ts, sig) = (
            r.header("webhook-id").unwrap(),
            r.header("webhook-timestamp").unwrap(),
            r.header("webhook-signature").unwrap(),
        );
        assert!(id.starts_with("evt_"));
        assert_eq!(r.json()["id"], id, "the payload's id is the webhook-id");
        assert!(
            verified_independently(&secret, id, ts, &r.body, sig),
            "{sig} does not verify"
        );
        assert!(!verified_independently(
            &secret,
            id,
            ts,
            &format!("{} ", r.body),
            sig
        ));
        assert!(!r.body.contains("SECRET-NOTE"), "an internal note went out");
        assert_eq!(
            r.json()["data"]["ticket"]["organization"],
            cast::CLIENT_ORG_NAME
        );
    }
    let reply = got[2].json();
    assert_eq!(
        reply["data"]["reply"]["text"],
        "A new cartridge is on its way."
    );
    assert_eq!(
        got[1].json()["data"]["ticket"]["assignee"],
        cast::ANALYST_NAME
    );
    assert_eq!(got[3].json()["data"]["ticket"]["status"], "resolved");
    assert_eq!(statuses(&d).await, vec![("delivered".to_string(), 1); 4]);
}

#[tokio::test]
async fn deliveries_are_written_in_the_changes_transaction() {
    let d = hooks_desk().await;
    let rx = Receiver::start().await;
    subscribe(&d, &draft("PSA", rx.url("/"), &["ticket.created"])).await;
    // a change that fails writes nothing, a change that commits writes its delivery with it
    let jo = d.actor(CLIENT).await;
    let bad = NewTicket {
        problem: " ".into(),
        ..Default::default()
    };
    assert!(tickets::raise(&d.state, &jo, &bad).await.is_err());
    assert_eq!(d.scalar("SELECT COUNT(*) FROM webhook_deliveries").await, 0);
    let (number, _) = raise(&d, "VPN drops").await;
    let ticket_of_delivery = d
        .scalar("SELECT k.number FROM webhook_deliveries w JOIN tickets k ON k.id = w.ticket_id")
        .await;
    assert_eq!(ticket_of_delivery, number);
}

#[tokio::test]
async fn filters_by_organization_team_and_priority_are_respected() {
    let d = hooks_desk().await;
    let rx = Receiver::start().await;
    let other_org = d.org_id(cast::OTHER_CLIENT_ORG).await;
    let own_org = d.org_id(cast::CLIENT_ORG).await;
    let other_team = d.team_id(cast::OTHER_TEAM).await;
    let only = |name: &str, path: &str| {
        draft(
            name,
            rx.url(path),
            &["ticket.created", "ticket.status_changed"],
        )
    };
    subscribe(
        &d,
        &WebhookDraft {
            org_id: Some(other_org),
            ..only("Contoso only", "/contoso")
        },
    )
    .await;
    subscribe(
        &d,
        &WebhookDraft {
            org_id: Some(own_org),
            ..only("Northwind only", "/northwind")
        },
    )
    .await;
    subscribe(
        &d,
        &WebhookDraft {
            min_priority: Some(Priority::P1),
            ..only("P1 only", "/p1")
        },
    )
    .await;
    subscribe(
        &d,
        &WebhookDraft {
            team_id: Some(other_team),
            ..only("Borealis only", "/borealis")
        },
    )
    .await;
    subscribe(
        &d,
        &WebhookDraft {
            min_priority: Some(Priority::P3),
            ..only("P3 and up", "/p3")
        },
    )
    .await;

    let (number, version) = raise(&d, "Printer out of toner").await;
    let ana = d.actor(ANALYST).await;
    tickets::set_priority(&d.state, &ana, number, version, Priority::P1)
        .await
        .unwrap();
    deliver_all(&d).await;
    let mut heard: Vec<(String, String)> = rx
        .received()
        .iter()
        .map(|r| {
            let v = r.json();
            (
                v["data"]["ticket"]["priority"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                v["type"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    heard.sort();
    // Northwind's and "P3 and up" hear of the P3 ticket's creation; nobody of the priority change
    // (no status change); the Contoso and Borealis ones hear nothing
    assert_eq!(
        heard,
        [
            ("p3".to_string(), "ticket.created".to_string()),
            ("p3".to_string(), "ticket.created".to_string())
        ]
    );
    let created_p1 = d.actor(ANALYST).await;
    let ticket = NewTicket {
        requester_id: Some(d.user_id(CLIENT).await),
        problem: "Whole site offline".into(),
        urgency: Some(Urgency::Urgent),
        priority: Some(Priority::P1),
        ..Default::default()
    };
    tickets::raise(&d.state, &created_p1, &ticket)
        .await
        .unwrap();
    deliver_all(&d).await;
    let p1_heard = rx
        .received()
        .iter()
        .filter(|r| r.json()["data"]["ticket"]["priority"] == "p1")
        .count();
    assert_eq!(
        p1_heard, 3,
        "Northwind's, P1 only and P3 and up hear of the P1"
    );
}

#[tokio::test]
async fn an_outage_is_retried_and_each_event_arrives_once() {
    let d = hooks_desk().await;
    let rx = Receiver::start().await;
    subscribe(&d, &draft("PSA", rx.url("/"), &["ticket.created"])).await;
    rx.set(Mode::Failing(503));
    for i in 0..3 {
        raise(&d, &format!("Outage ticket {i}")).await;
    }
    assert_eq!(deliver_all(&d).await, 0);
    assert_eq!(statuses(&d).await, vec![("failed".to_string(), 1); 3]);
    let code = d
        .scalar("SELECT MIN(last_status_code) FROM webhook_deliveries")
        .await;
    assert_eq!(code, 503);
    // not due before the backoff
    assert_eq!(deliver_all(&d).await, 0);
    assert_eq!(rx.received().len(), 3);

    d.clock.advance(30);
    assert_eq!(deliver_all(&d).await, 0, "still down");
    rx.set(Mode::Up);
    d.clock.advance(59);
    assert_eq!(deliver_all(&d).await, 0, "the second retry waits a minute");
    d.clock.advance(1);
    assert_eq!(deliver_all(&d).await, 3);
    assert_eq!(statuses(&d).await, vec![("delivered".to_string(), 3); 3]);

    // a worker that died mid-send: its lease runs out and the delivery goes again, same id
    raise(&d, "Crash ticket").await;
    let id = d.scalar("SELECT MAX(id) FROM webhook_deliveries").await;
    let now = d.state.now();
    let mut conn = d.state.pool.acquire().await.unwrap();
    assert!(rows::claim(&mut conn, id, now, now + LEASE_SECS)
        .await
        .unwrap());
    drop(conn);
    assert_eq!(deliver_all(&d).await, 0, "held by the dead worker");
    d.clock.advance(LEASE_SECS + 1);
    assert_eq!(deliver_all(&d).await, 1);
    let taken = rx.taken_once();
    assert_eq!(taken.len(), 4, "each event once after de-duplication");
    let all_taken = rx.received().iter().filter(|r| r.taken).count();
    assert_eq!(all_taken, 4);
}

#[tokio::test]
async fn private_targets_are_refused_when_saved_and_when_delivered() {
    let d = desk_with(|s| s.secret_key = Some(SecretKey::generate())).await;
    let admin = d.actor(ADMIN).await;
    let rx = Receiver::start().await;
    for url in [
        rx.url("/not-allow-listed"),
        "http://10.0.0.7/hook".to_string(),
        "http://169.254.169.254/latest/meta-data".to_string(),
        format!("http://[::1]:{}/", rx.addr.port()),
        "http://[::ffff:192.168.0.1]/".to_string(),
    ] {
        let err = admin::save_webhook(
            &d.state,
            &admin,
            None,
            &draft("Bad", url.clone(), &["ticket.created"]),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&err, AppError::Invalid(m) if m.contains("private or local")),
            "{url}: {err:?}"
        );
    }
    assert!(rx.received().is_empty());

    // one that got past the form (the address changed since): refused at delivery, never sent
    let mut conn = d.state.pool.acquire().await.unwrap();
    let d1 = draft(
        "Rebound",
        "http://10.0.0.7/hook".into(),
        &["ticket.created"],
    );
    let v = d1.validate().unwrap();
    let admin_id = d.user_id(ADMIN).await;
    rows::insert(
        &mut conn,
        &v,
        &WebhookDraft {
            kind: WebhookKind::Slack,
            ..d1
        },
        None,
        admin_id,
        NOW,
    )
    .await
    .unwrap();
    drop(conn);
    raise(&d, "Anything").await;
    assert_eq!(deliver_all(&d).await, 0);
    let error: String = d
        .one(
            "SELECT last_error FROM webhook_deliveries WHERE event_type = $1",
            "ticket.created",
        )
        .await;
    assert!(error.contains("private or local"), "{error}");
    assert_eq!(
        d.scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE last_status_code IS NOT NULL")
            .await,
        0,
        "nothing was connected to"
    );
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let d = hooks_desk().await;
    let rx = Receiver::start().await;
    let inner = Receiver::start().await;
    subscribe(&d, &draft("PSA", rx.url("/"), &["ticket.created"])).await;
    // to an allowed address even: a redirect is never followed
    rx.set(Mode::Redirect(inner.url("/elsewhere")));
    raise(&d, "Redirected").await;
    assert_eq!(deliver_all(&d).await, 0);
    assert_eq!(rx.received().len(), 1);
    assert!(inner.received().is_empty(), "the redirect was followed");
    let error: String = d
        .one(
            "SELECT last_error FROM webhook_deliveries WHERE event_type = $1",
            "ticket.created",
        )
        .await;
    assert!(
        error.contains("302") && error.contains("not followed"),
        "{error}"
    );
}

#[tokio::test]
async fn a_day_of_failures_turns_the_subscription_off_and_tells_the_administrators() {
    let d = hooks_desk().await;
    let rx = Receiver::start().await;
    let (id, _) = subscribe(&d, &draft("Flaky", rx.url("/"), &["ticket.created"])).await;
    rx.set(Mode::Failing(500));
    raise(&d, "Never arrives").await;
    let mut passes = 0;
    while d
        .scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'dead'")
        .await
        == 0
    {
        deliver_all(&d).await;
        d.clock.advance(3600);
        passes += 1;
        assert!(passes < 40, "never given up");
    }
    let attempts = d.scalar("SELECT attempts FROM webhook_deliveries").await;
    assert!(
        (10..=25).contains(&attempts),
        "{attempts} attempts in a day"
    );
    let row = rows::load(&mut d.state.pool.acquire().await.unwrap(), id)
        .await
        .unwrap()
        .unwrap();
    assert!(!row.active);
    assert!(row.disabled_reason.unwrap().contains("500"));
    let admins = d
        .scalar("SELECT COUNT(*) FROM users WHERE active AND role = 'admin'")
        .await;
    let told = d
        .scalar("SELECT COUNT(*) FROM notifications WHERE kind = 'webhook_disabled' AND essential")
        .await;
    assert_eq!(told, admins);
    // nothing is written for it while it is off; enabling it starts again
    raise(&d, "While off").await;
    assert_eq!(d.scalar("SELECT COUNT(*) FROM webhook_deliveries").await, 1);
    let admin = d.actor(ADMIN).await;
    admin::set_webhook_active(&d.state, &admin, id, true)
        .await
        .unwrap();
    let row = rows::load(&mut d.state.pool.acquire().await.unwrap(), id)
        .await
        .unwrap()
        .unwrap();
    assert!(row.active && row.disabled_reason.is_none());
}

#[tokio::test]
async fn chat_channels_hear_of_breaches_in_their_own_format() {
    let d = hooks_desk().await;
    let rx = Receiver::start().await;
    let slack = WebhookDraft {
        kind: WebhookKind::Slack,
        ..draft("Slack #support", rx.url("/slack"), &["sla.breached"])
    };
    let (_, secret) = subscribe(&d, &slack).await;
    assert_eq!(secret, None, "chat channels are not signed");
    let teams = WebhookDraft {
        kind: WebhookKind::Teams,
        ..draft("Teams", rx.url("/teams"), &["sla.breached", "sla.warning"])
    };
    subscribe(&d, &teams).await;
    raise(&d, "Mailbox full").await;
    d.clock.advance(30 * 86_400);
    assert!(sla_engine::raise_due(&d.state).await.unwrap() > 0);
    deliver_all(&d).await;
    let got = rx.received();
    assert!(!got.is_empty());
    for r in &got {
        assert_eq!(r.header("webhook-signature"), None);
        let text = r.json()["text"].as_str().unwrap().to_string();
        assert!(
            text.contains("Mailbox full") && text.contains("SLA"),
            "{text}"
        );
    }
    let breaches = got
        .iter()
        .filter(|r| r.json()["text"].as_str().unwrap().contains("breached"))
        .count();
    assert_eq!(
        breaches, 4,
        "response and resolution breaches, to both channels"
    );
}

#[tokio::test]
async fn test_events_the_log_and_redelivery() {
    let d = hooks_desk().await;
    let rx = Receiver::start().await;
    let (id, _) = subscribe(&d, &draft("PSA", rx.url("/"), &["ticket.created"])).await;
    let admin = d.actor(ADMIN).await;
    admin::set_webhook_active(&d.state, &admin, id, false)
        .await
        .unwrap();
    let event = admin::send_test_event(&d.state, &admin, id).await.unwrap();
    assert_eq!(
        deliver_all(&d).await,
        1,
        "a test event goes to a paused subscription too"
    );
    let log = admin::deliveries(&d.state, &admin, id, None).await.unwrap();
    assert_eq!(log.deliveries.len(), 1);
    let first = &log.deliveries[0];
    assert_eq!(
        (
            first.event_id.as_str(),
            first.status.as_str(),
            first.status_code,
            first.attempts
        ),
        (event.as_str(), "delivered", Some(204), 1)
    );
    assert!(first.response_ms.is_some());
    admin::redeliver(&d.state, &admin, id, first.id)
        .await
        .unwrap();
    assert_eq!(deliver_all(&d).await, 1);
    let ids: Vec<String> = rx
        .received()
        .iter()
        .map(|r| r.header("webhook-id").unwrap().to_string())
        .collect();
    assert_eq!(ids, [event.clone(), event], "redelivered under the same id");
    let audit = d
        .scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'webhook.%'")
        .await;
    assert_eq!(audit, 4, "created, paused, tested, redelivered");
    let recorded: String = d
        .one(
            "SELECT COALESCE(after, '') FROM audit_log WHERE action = $1",
            "webhook.create",
        )
        .await;
    assert!(
        !recorded.contains("whsec_") && !recorded.contains("v1."),
        "{recorded}"
    );
    admin::delete_webhook(&d.state, &admin, id).await.unwrap();
    assert_eq!(d.scalar("SELECT COUNT(*) FROM webhook_deliveries").await, 0);
}

#[tokio::test]
async fn only_administrators_manage_webhooks() {
    let d = hooks_desk().await;
    let rx = Receiver::start().await;
    let hook = draft("PSA", rx.url("/"), &["ticket.created"]);
    for who in [MANAGER, LEAD, ANALYST, CLIENT_ADMIN, CLIENT] {
        let actor = d.actor(who).await;
        let refused = |r: Result<(), AppError>| {
            assert!(matches!(r, Err(AppError::Forbidden(_))), "{who}: {r:?}")
        };
        refused(
            admin::save_webhook(&d.state, &actor, None, &hook)
                .await
                .map(|_| ()),
        );
        refused(admin::list_webhooks(&d.state, &actor).await.map(|_| ()));
        refused(
            admin::deliveries(&d.state, &actor, 1, None)
                .await
                .map(|_| ()),
        );
    }
    assert_eq!(
        d.scalar("SELECT COUNT(*) FROM webhook_subscriptions").await,
        0
    );
    // a standard subscription needs the key that seals its secret
    let keyless = desk_with(|s| s.webhooks.allow_hosts = vec!["127.0.0.1".into()]).await;
    let admin = keyless.actor(ADMIN).await;
    let err = admin::save_webhook(&keyless.state, &admin, None, &hook)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Invalid(m) if m.contains("FRONTLINE_SECRET_KEY")),
        "{err:?}"
    );
}
