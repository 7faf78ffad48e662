//! Every update reaches the requester, threaded: the acknowledgement of each request raised, who
//! took it, a question waiting on them, the resolution; the analyst hears of what the requester
//! does; and every mail carries what lets an answer come back onto its ticket (a stable
//! Message-ID, In-Reply-To and References, the `[HD-…]` tag, Reply-To the ticket's mailbox) and
//! says it was sent automatically. Delivered over real SMTP to a relay the test starts, and read
//! back with a real MIME parser.

#![cfg(feature = "ssr")]

mod support;

use app::backend::notify::mailer::{self, Deliverer};
use app::backend::notify::outbox::{self, Step};
use app::backend::notify::settings::NotifySettings;
use app::backend::notify::ticket_mail;
use app::backend::repo::tickets as ticket_repo;
use app::backend::tickets;
use app::model::ticket::NewTicket;
use app::model::{Channel, EventData, EventKind, PendingReason, Urgency};
use support::outbox::{deliver_all, relay_settings};
use support::smtp::{Received, TestSmtp, DROP_BEFORE_ANSWER, UP};
use support::*;

async fn version_of(d: &Desk, number: i64) -> i64 {
    d.scalar(&format!(
        "SELECT version FROM tickets WHERE number = {number}"
    ))
    .await
}

/// Jo raises a request on the portal; its number.
async fn jo_raises(d: &Desk, problem: &str) -> i64 {
    let jo = d.actor(CLIENT).await;
    let ticket = NewTicket {
        urgency: Some(Urgency::NotUrgent),
        problem: problem.into(),
        ..Default::default()
    };
    tickets::raise(&d.state, &jo, &ticket)
        .await
        .unwrap()
        .number
        .0
}

/// Ana logs Jo's call, resolving it on the spot when `resolution` is given; its number.
async fn ana_logs_a_call(d: &Desk, resolution: Option<&str>) -> i64 {
    let ticket = NewTicket {
        requester_id: Some(d.user_id(CLIENT).await),
        urgency: Some(Urgency::NotUrgent),
        problem: "Outlook asks for the password again and again".into(),
        channel: Some(Channel::Phone),
        resolution: resolution.map(str::to_string),
        ..Default::default()
    };
    tickets::raise(&d.state, &d.actor(ANALYST).await, &ticket)
        .await
        .unwrap()
        .number
        .0
}

struct Mail {
    to: String,
    subject: String,
    text: String,
    raw: Received,
}

fn mail_to(smtp: &TestSmtp, who: &str) -> Vec<Mail> {
    smtp.messages()
        .into_iter()
        .filter(|m| m.to.contains(who))
        .map(|m| Mail {
            to: m.to.clone(),
            subject: m.subject.clone(),
            text: m.part("text/plain").unwrap_or_default(),
            raw: m,
        })
        .collect()
}

/// Starts a relay and a deliverer sending through it.
async fn relay() -> (TestSmtp, Deliverer) {
    let smtp = TestSmtp::start().await;
    let deliverer = Deliverer::new(&relay_settings(&smtp)).unwrap();
    (smtp, deliverer)
}

#[tokio::test]
async fn a_request_raised_on_the_portal_is_acknowledged_with_the_desks_commitment() {
    let d = desk(0).await;
    let (smtp, deliverer) = relay().await;
    let number = jo_raises(&d, "Printer out of toner").await;
    deliver_all(&d, &deliverer).await;
    let jo = mail_to(&smtp, CLIENT);
    assert_eq!(jo.len(), 1, "one acknowledgement");
    let ack = &jo[0];
    assert!(
        ack.subject
            .starts_with(&format!("[HD-{number}] We received your request")),
        "{}",
        ack.subject
    );
    assert!(
        ack.text
            .contains(&format!("HD-{number} \"Printer out of toner\"")),
        "{}",
        ack.text
    );
    assert!(
        ack.text.contains("An analyst"),
        "what happens next: {}",
        ack.text
    );
    // the first response due, said in Northwind's time zone and business hours
    let (due, tz): (i64, String) = app::pool_run!(d.state.pool, c => sqlx::query_as(
        "SELECT t.response_due_at, o.time_zone FROM tickets t JOIN organizations o ON o.id = t.org_id
         WHERE t.number = $1",
    )
    .bind(number)
    .fetch_one(c).await)
    .unwrap();
    let when = ticket_mail::local_time(tz.parse().unwrap(), due);
    assert!(when.contains(&format!("({tz})")), "{when}");
    assert!(ack.text.contains(&when), "{when} in: {}", ack.text);
    assert!(
        ack.text.contains("P3 requests") && ack.text.contains("business hours"),
        "{}",
        ack.text
    );
    assert!(
        ack.text.contains(&format!("[HD-{number}]")),
        "how to answer"
    );
    assert!(
        mail_to(&smtp, ANALYST).is_empty(),
        "nobody else hears of a new request"
    );
}

#[tokio::test]
async fn a_call_logged_by_staff_is_acknowledged_once_naming_who_works_it() {
    let d = desk(0).await;
    let (smtp, deliverer) = relay().await;
    let number = ana_logs_a_call(&d, None).await;
    deliver_all(&d, &deliverer).await;
    let jo = mail_to(&smtp, CLIENT);
    assert_eq!(
        jo.len(),
        1,
        "the acknowledgement says who took it: {:?}",
        jo.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    assert!(jo[0]
        .subject
        .starts_with(&format!("[HD-{number}] We received")));
    assert!(
        jo[0].text.contains(&format!(
            "{} logged your call as HD-{number}",
            cast::ANALYST_NAME
        )),
        "{}",
        jo[0].text
    );
    assert!(mail_to(&smtp, ANALYST).is_empty(), "Ana acted herself");
}

#[tokio::test]
async fn a_call_resolved_on_the_spot_is_one_mail_saying_so() {
    let d = desk(0).await;
    let (smtp, deliverer) = relay().await;
    let number = ana_logs_a_call(&d, Some("Cleared the stored credentials.")).await;
    deliver_all(&d, &deliverer).await;
    let jo = mail_to(&smtp, CLIENT);
    assert_eq!(
        jo.len(),
        1,
        "{:?}",
        jo.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    assert!(jo[0]
        .subject
        .starts_with(&format!("[HD-{number}] Resolved:")));
    assert!(
        jo[0].text.contains("resolved it on the call"),
        "{}",
        jo[0].text
    );
    assert!(jo[0].text.contains("Cleared the stored credentials."));
    assert!(jo[0].text.contains("reply to this mail"), "{}", jo[0].text);
}

/// A ticket made from machine-sent mail (an alert, a notice) is never answered automatically.
#[tokio::test]
async fn a_request_from_machine_sent_mail_is_not_acknowledged() {
    let d = desk(0).await;
    let number = jo_raises(&d, "Disk full alert from NAS01").await;
    let mut tx = app::backend::db::begin_write(&d.state.pool).await.unwrap();
    let t = ticket_repo::find_by_number(&mut tx, number)
        .await
        .unwrap()
        .unwrap();
    let jo = d.user_id(CLIENT).await;
    let raised = |automatic: Option<bool>| EventData {
        channel: Some("email".into()),
        automatic,
        ..Default::default()
    };
    let (machine, person) = (raised(Some(true)), raised(None));
    let step = |data| Step {
        kind: EventKind::Created,
        public: true,
        actor_name: cast::CLIENT_NAME,
        body: None,
        data,
    };
    let base = &d.state.settings.notify.base_url;
    let written = outbox::enqueue_steps(&mut tx, &t, jo, &[step(&machine)], base, NOW)
        .await
        .unwrap();
    assert_eq!(written, 0, "no acknowledgement to machine-sent mail");
    let written = outbox::enqueue_steps(&mut tx, &t, jo, &[step(&person)], base, NOW)
        .await
        .unwrap();
    assert_eq!(written, 1, "a person's mail is acknowledged");
    drop(tx); // rolled back: nothing of this is kept
}

#[tokio::test]
async fn the_requester_hears_who_took_the_request_and_of_a_question_waiting_on_them() {
    let d = desk(0).await;
    let (smtp, deliverer) = relay().await;
    let number = jo_raises(&d, "Scanner jams on every page").await;
    deliver_all(&d, &deliverer).await;
    let ana = d.actor(ANALYST).await;
    tickets::claim(&d.state, &ana, number, version_of(&d, number).await)
        .await
        .unwrap();
    deliver_all(&d, &deliverer).await;
    let taken: Vec<Mail> = mail_to(&smtp, CLIENT)
        .into_iter()
        .filter(|m| m.subject.contains("is working on your request"))
        .collect();
    assert_eq!(taken.len(), 1);
    assert!(taken[0].text.contains(&format!(
        "{} is working on your request HD-{number}",
        cast::ANALYST_NAME
    )));
    // Jo mutes what is not essential: a question waiting on her still reaches her
    app::pool_run!(d.state.pool, c => sqlx::query("UPDATE users SET mute_non_essential = TRUE WHERE email = $1")
        .bind(CLIENT)
        .execute(c).await.map(|_| ()))
    .unwrap();
    tickets::set_pending(
        &d.state,
        &ana,
        number,
        version_of(&d, number).await,
        PendingReason::Customer,
        Some("Which model is the scanner?"),
    )
    .await
    .unwrap();
    deliver_all(&d, &deliverer).await;
    let asked: Vec<Mail> = mail_to(&smtp, CLIENT)
        .into_iter()
        .filter(|m| m.subject.contains("We need your answer"))
        .collect();
    assert_eq!(asked.len(), 1);
    assert!(asked[0].subject.starts_with(&format!("[HD-{number}]")));
    assert!(
        asked[0].text.contains("Which model is the scanner?"),
        "{}",
        asked[0].text
    );
    assert!(
        asked[0].text.contains("Reply to this mail"),
        "{}",
        asked[0].text
    );

    // a lead gives the ticket to Lee: Lee and Jo hear of it
    let lead = d.actor(LEAD).await;
    tickets::resume(&d.state, &lead, number, version_of(&d, number).await)
        .await
        .unwrap();
    tickets::change_tier(
        &d.state,
        &lead,
        number,
        version_of(&d, number).await,
        2,
        "Driver",
    )
    .await
    .unwrap();
    tickets::assign(
        &d.state,
        &lead,
        number,
        version_of(&d, number).await,
        d.user_id(SENIOR).await,
    )
    .await
    .unwrap();
    deliver_all(&d, &deliverer).await;
    let lee_works_it = format!("{} is working on your request", cast::SENIOR_NAME);
    assert_eq!(
        mail_to(&smtp, CLIENT)
            .iter()
            .filter(|m| m.subject.contains(&lee_works_it))
            .count(),
        1
    );
    assert!(!mail_to(&smtp, SENIOR).is_empty(), "Lee hears he has it");
}

#[tokio::test]
async fn the_resolution_says_how_to_reopen_and_the_analyst_hears_what_the_requester_does() {
    let d = desk(0).await;
    let (smtp, deliverer) = relay().await;
    let number = jo_raises(&d, "VPN drops every hour").await;
    let ana = d.actor(ANALYST).await;
    tickets::claim(&d.state, &ana, number, version_of(&d, number).await)
        .await
        .unwrap();
    let jo = d.actor(CLIENT).await;
    tickets::reply(
        &d.state,
        &jo,
        number,
        version_of(&d, number).await,
        "It dropped again at 10:00.",
        true,
    )
    .await
    .unwrap();
    tickets::resolve(
        &d.state,
        &ana,
        number,
        version_of(&d, number).await,
        "Replaced the VPN profile.",
    )
    .await
    .unwrap();
    tickets::close(&d.state, &jo, number, version_of(&d, number).await)
        .await
        .unwrap();
    deliver_all(&d, &deliverer).await;
    let resolved: Vec<Mail> = mail_to(&smtp, CLIENT)
        .into_iter()
        .filter(|m| m.subject.contains("Resolved"))
        .collect();
    assert_eq!(resolved.len(), 1);
    let text = &resolved[0].text;
    assert!(text.contains("Replaced the VPN profile."), "{text}");
    assert!(
        text.contains("reply to this mail within 7 days and the request reopens"),
        "{text}"
    );
    let to_ana: Vec<String> = mail_to(&smtp, ANALYST)
        .into_iter()
        .map(|m| m.subject)
        .collect();
    for what in ["replied", "closed the ticket"] {
        assert!(
            to_ana
                .iter()
                .any(|s| s.contains(what) && s.contains(cast::CLIENT_NAME)),
            "Ana hears Jo {what}: {to_ana:?}"
        );
    }
    assert!(
        !to_ana.iter().any(|s| s.contains("resolved")),
        "nobody hears of their own action: {to_ana:?}"
    );
}

fn parse(m: &Received) -> mail_parser::Message<'_> {
    mail_parser::MessageParser::default()
        .parse(m.data.as_bytes())
        .expect("a message a mail client reads")
}

fn ids(value: &mail_parser::HeaderValue<'_>) -> Vec<String> {
    value
        .as_text_list()
        .map(|l| l.iter().map(|s| s.to_string()).collect())
        .unwrap_or_default()
}

/// The three mails to Jo about one ticket (acknowledgement, claim, reply) and a message Jo sent
/// in between form one thread: each answers the one before, References carry them all, oldest
/// first; every one has the ticket's tag, Reply-To the ticket's mailbox, and the marks of
/// automatic mail.
#[tokio::test]
async fn mail_about_a_ticket_is_threaded_and_answers_come_back_to_its_mailbox() {
    let d = desk(0).await;
    let (smtp, deliverer) = relay().await;
    let number = jo_raises(&d, "Printer out of toner").await;
    app::pool_run!(d.state.pool, c => sqlx::query(
        "INSERT INTO mailboxes (name, address, created_at) VALUES ('Support', 'support@desk.example', $1)",
    )
    .bind(NOW)
    .execute(c).await.map(|_| ()))
    .unwrap();
    app::pool_run!(d.state.pool, c => sqlx::query(
        "UPDATE tickets SET mailbox_id = (SELECT id FROM mailboxes WHERE name = 'Support') WHERE number = $1",
    )
    .bind(number)
    .execute(c).await.map(|_| ()))
    .unwrap();
    deliver_all(&d, &deliverer).await;
    d.clock.advance(60);
    let ana = d.actor(ANALYST).await;
    tickets::claim(&d.state, &ana, number, version_of(&d, number).await)
        .await
        .unwrap();
    deliver_all(&d, &deliverer).await;
    // Jo answers the claim from her mail client (the inbound side stores it on the ticket)
    d.clock.advance(60);
    app::pool_run!(d.state.pool, c => sqlx::query(
        "INSERT INTO inbound_mail (message_id, sha256, size_bytes, received_at, from_address, status, ticket_id)
         VALUES ('CAJo1@mail.northwind.example', 'x', 1, $1, $2, 'placed', (SELECT id FROM tickets WHERE number = $3))",
    )
    .bind(d.state.now())
    .bind(CLIENT)
    .bind(number)
    .execute(c).await.map(|_| ()))
    .unwrap();
    d.clock.advance(60);
    tickets::reply(
        &d.state,
        &ana,
        number,
        version_of(&d, number).await,
        "A new cartridge is on its way.",
        true,
    )
    .await
    .unwrap();
    deliver_all(&d, &deliverer).await;

    let mut jo = mail_to(&smtp, CLIENT);
    jo.sort_by_key(|m| mailer::notification_of_message_id(&m.raw.message_id));
    assert_eq!(jo.len(), 3);
    let parsed: Vec<_> = jo.iter().map(|m| parse(&m.raw)).collect();
    let id = |i: usize| parsed[i].message_id().unwrap().to_string();
    for (i, m) in parsed.iter().enumerate() {
        assert!(
            m.subject().unwrap().starts_with(&format!("[HD-{number}] ")),
            "{:?}",
            m.subject()
        );
        assert!(
            id(i).ends_with("@frontline.example"),
            "our own domain: {}",
            id(i)
        );
        let reply_to = m
            .reply_to()
            .and_then(|a| a.first())
            .and_then(|a| a.address());
        assert_eq!(
            reply_to,
            Some("support@desk.example"),
            "the ticket's mailbox"
        );
        assert_eq!(
            m.header_raw("Auto-Submitted").map(str::trim),
            Some("auto-replied")
        );
        assert_eq!(
            m.header_raw("X-Auto-Response-Suppress").map(str::trim),
            Some("All")
        );
    }
    assert!(
        parsed[0].in_reply_to().is_empty(),
        "the first starts the thread"
    );
    assert!(parsed[0].references().is_empty());
    assert_eq!(ids(parsed[1].in_reply_to()), vec![id(0)]);
    assert_eq!(ids(parsed[1].references()), vec![id(0)]);
    assert_eq!(
        ids(parsed[2].in_reply_to()),
        vec!["CAJo1@mail.northwind.example".to_string()],
        "the reply answers Jo's message"
    );
    assert_eq!(
        ids(parsed[2].references()),
        vec![id(0), id(1), "CAJo1@mail.northwind.example".to_string()]
    );
    assert!(jo.iter().all(|m| m.to.contains(CLIENT)), "each to Jo alone");
}

#[tokio::test]
async fn without_a_mailbox_replies_go_to_the_configured_address() {
    let d = desk(0).await;
    let dir = tempfile::tempdir().unwrap();
    let deliverer = Deliverer::new(&NotifySettings {
        sink_dir: dir.path().to_path_buf(),
        reply_to: Some("Help Desk <help@desk.example>".into()),
        ..Default::default()
    })
    .unwrap();
    jo_raises(&d, "Printer out of toner").await;
    assert_eq!(deliver_all(&d, &deliverer).await, 1);
    let file = std::fs::read_dir(dir.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    let raw = std::fs::read(file.path()).unwrap();
    let m = mail_parser::MessageParser::default().parse(&raw).unwrap();
    let reply_to = m
        .reply_to()
        .and_then(|a| a.first())
        .and_then(|a| a.address());
    assert_eq!(reply_to, Some("help@desk.example"));
    assert_eq!(
        file.file_name().to_string_lossy(),
        format!("{}.eml", m.message_id().unwrap()),
        "the sink keeps each message under its Message-ID"
    );
}

/// A message the relay took without the worker hearing so is sent again: same Message-ID, same
/// thread headers, so the recipient's mail client shows it once.
#[tokio::test]
async fn a_retried_message_keeps_its_message_id_and_thread() {
    let d = desk(0).await;
    let (smtp, deliverer) = relay().await;
    let number = jo_raises(&d, "Printer out of toner").await;
    deliver_all(&d, &deliverer).await;
    smtp.set_mode(DROP_BEFORE_ANSWER);
    let ana = d.actor(ANALYST).await;
    tickets::claim(&d.state, &ana, number, version_of(&d, number).await)
        .await
        .unwrap();
    assert_eq!(deliver_all(&d, &deliverer).await, 0, "not known to be sent");
    smtp.set_mode(UP);
    d.clock.advance(31);
    assert_eq!(deliver_all(&d, &deliverer).await, 1);
    let copies: Vec<Mail> = mail_to(&smtp, CLIENT)
        .into_iter()
        .filter(|m| m.subject.contains("is working on"))
        .collect();
    assert_eq!(copies.len(), 2, "taken twice by the relay");
    let (a, b) = (parse(&copies[0].raw), parse(&copies[1].raw));
    assert_eq!(a.message_id(), b.message_id());
    assert!(a.message_id().is_some());
    assert_eq!(ids(a.in_reply_to()), ids(b.in_reply_to()));
    assert_eq!(ids(a.references()), ids(b.references()));
    assert_eq!(ids(a.references()).len(), 1, "answers the acknowledgement");
}

/// Mail to one of the desk's own mailboxes would come back in as a new message: it is never sent,
/// and the outbox says why.
#[tokio::test]
async fn mail_to_one_of_our_own_mailboxes_is_skipped_with_the_reason() {
    let d = desk(0).await;
    let (smtp, deliverer) = relay().await;
    app::pool_run!(d.state.pool, c => sqlx::query(
        "INSERT INTO mailboxes (name, address, created_at) VALUES ('Loop', $1, $2)",
    )
    .bind(CLIENT)
    .bind(NOW)
    .execute(c).await.map(|_| ()))
    .unwrap();
    let number = jo_raises(&d, "Printer out of toner").await;
    let ana = d.actor(ANALYST).await;
    tickets::claim(&d.state, &ana, number, version_of(&d, number).await)
        .await
        .unwrap();
    deliver_all(&d, &deliverer).await;
    assert!(mail_to(&smtp, CLIENT).is_empty());
    let rows: Vec<(String, Option<String>)> = app::pool_run!(d.state.pool, c => sqlx::query_as(
        "SELECT status, last_error FROM notifications WHERE recipient_id = (SELECT id FROM users WHERE email = $1)",
    )
    .bind(CLIENT)
    .fetch_all(c).await)
    .unwrap();
    assert_eq!(rows.len(), 2, "the acknowledgement and the claim: {rows:?}");
    for (status, why) in rows {
        assert_eq!(status, "skipped");
        assert!(
            why.unwrap_or_default().contains("the desk's own mailboxes"),
            "the reason is kept"
        );
    }
    d.clock.advance(86_400);
    assert_eq!(deliver_all(&d, &deliverer).await, 0, "never retried");
}

/// Mail to the desk, through the real ingest path: a person's new message is acknowledged as a
/// reply in its own thread, with answers going back to the mailbox it came to; a monitoring alert
/// opens a ticket that nobody answers.
#[tokio::test]
async fn mail_to_the_desk_is_acknowledged_in_its_thread_and_alerts_are_not() {
    use app::backend::mail::{ingest, Arrival, Outcome};
    let files = tempfile::tempdir().unwrap();
    let path = files.path().to_path_buf();
    let d = desk_with(|s| s.attachment_dir = path).await;
    let (smtp, deliverer) = relay().await;
    let mailbox: i64 = app::pool_run!(d.state.pool, c => sqlx::query_scalar(
        "INSERT INTO mailboxes (name, address, created_at) VALUES ('Help', 'help@msp.example', $1) RETURNING id",
    )
    .bind(NOW)
    .fetch_one(c).await)
    .unwrap();
    let arrival = || Arrival {
        mailbox_id: Some(mailbox),
        ..Default::default()
    };
    let message = |id: &str, subject: &str, extra: &str| {
        format!(
            "From: Jo Bauer <{CLIENT}>\r\nTo: help@msp.example\r\nSubject: {subject}\r\n\
             Message-ID: <{id}>\r\n{extra}MIME-Version: 1.0\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\nThe label printer prints blank labels.\r\n"
        )
    };
    let raw = message("CAFjo-1@mail.gmail.com", "Label printer blank", "");
    let Outcome::Opened(number) = ingest(&d.state, arrival(), raw.as_bytes()).await.unwrap() else {
        panic!("a new ticket");
    };
    let alert = message(
        "zabbix-7@nwl.example",
        "PROBLEM: NWL-FS01 disk 95% full",
        "Auto-Submitted: auto-generated\r\n",
    );
    let Outcome::Opened(alerted) = ingest(&d.state, arrival(), alert.as_bytes()).await.unwrap()
    else {
        panic!("an alert is real work");
    };
    deliver_all(&d, &deliverer).await;
    let jo = mail_to(&smtp, CLIENT);
    assert_eq!(
        jo.len(),
        1,
        "one acknowledgement, none to the alert: {:?}",
        jo.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    assert!(jo[0]
        .subject
        .starts_with(&format!("[{number}] We received")));
    assert!(!jo[0].subject.contains(&format!("[{alerted}]")));
    let ack = parse(&jo[0].raw);
    assert_eq!(
        ids(ack.in_reply_to()),
        vec!["CAFjo-1@mail.gmail.com".to_string()]
    );
    assert_eq!(
        ids(ack.references()),
        vec!["CAFjo-1@mail.gmail.com".to_string()]
    );
    let reply_to = ack
        .reply_to()
        .and_then(|a| a.first())
        .and_then(|a| a.address());
    assert_eq!(reply_to, Some("help@msp.example"));
    assert_eq!(
        d.scalar(&format!(
            "SELECT COUNT(*) FROM notifications WHERE ticket_id = (SELECT id FROM tickets WHERE number = {})",
            alerted.0
        ))
        .await,
        0,
        "nothing at all is written to answer machine-sent mail"
    );
}
