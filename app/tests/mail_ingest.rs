//! The e-mail channel's ingest path against a real database and a real attachment directory:
//! what each kind of received mail becomes (the threading matrix, with the header shapes of
//! Gmail, Outlook and Apple Mail), that receiving twice changes nothing, that mail never gets
//! round tenant isolation, and that bad mail ends as a ticket or held with a reason.

#![cfg(feature = "ssr")]

mod support;

use app::backend::mail::{ingest, Arrival, Outcome};
use app::backend::notify::mailer::message_id;
use app::backend::tickets;
use app::model::{EventData, TicketNumber};
use support::*;

/// A message with these headers (in order) and a text body.
fn mail(headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut raw = String::new();
    for (name, value) in headers {
        raw.push_str(&format!("{name}: {value}\r\n"));
    }
    raw.push_str("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
    raw.push_str(&body.replace('\n', "\r\n"));
    raw.into_bytes()
}

async fn desk_for_mail() -> (Desk, tempfile::TempDir) {
    let files = tempfile::tempdir().unwrap();
    let path = files.path().to_path_buf();
    let d = desk_with(|s| s.attachment_dir = path).await;
    (d, files)
}

async fn take(d: &Desk, raw: &[u8]) -> Outcome {
    ingest(&d.state, Arrival::default(), raw)
        .await
        .expect("stored")
}

fn opened(outcome: Outcome) -> i64 {
    match outcome {
        Outcome::Opened(TicketNumber(n)) => n,
        other => panic!("expected a new ticket, got {other:?}"),
    }
}

/// (kind, public, body, data) of the steps of ticket `number`, oldest first.
async fn steps(d: &Desk, number: i64) -> Vec<(String, bool, Option<String>, EventData)> {
    let rows: Vec<(String, bool, Option<String>, Option<String>)> =
        app::pool_run!(d.state.pool, c =>
        sqlx::query_as(
            "SELECT e.kind, e.public, e.body, e.data FROM ticket_events e
             JOIN tickets t ON t.id = e.ticket_id WHERE t.number = $1 ORDER BY e.id",
        )
        .bind(number)
        .fetch_all(c)
        .await)
        .unwrap();
    rows.into_iter()
        .map(|(k, p, b, data)| (k, p, b, EventData::from_json(data.as_deref())))
        .collect()
}

async fn version_of(d: &Desk, number: i64) -> i64 {
    app::pool_run!(d.state.pool, c => sqlx::query_scalar::<_, i64>("SELECT version FROM tickets WHERE number = $1").bind(number).fetch_one(c).await)
        .unwrap()
}

async fn tickets_count(d: &Desk) -> i64 {
    d.scalar("SELECT COUNT(*) FROM tickets").await
}

async fn field(d: &Desk, sql: &str, number: i64) -> String {
    app::pool_run!(d.state.pool, c => sqlx::query_scalar::<_, String>(sql).bind(number).fetch_one(c).await)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn gmail_new(from: &str, id: &str, subject: &str, body: &str) -> Vec<u8> {
    mail(
        &[
            ("Return-Path", &format!("<{from}>")),
            ("From", &format!("Jo Bauer <{from}>")),
            ("To", "IT Help Desk <desk@msp.example>"),
            ("Subject", subject),
            ("Date", "Wed, 18 Nov 2026 09:12:44 +0100"),
            ("Message-ID", &format!("<{id}>")),
        ],
        body,
    )
}

#[tokio::test]
async fn a_new_mail_becomes_a_ticket_once_and_its_original_is_kept() {
    let (d, files) = desk_for_mail().await;
    let raw = gmail_new(
        CLIENT,
        "CAF=first@mail.gmail.com",
        "URGENT: VPN drops every 10 minutes",
        "Hi,\nthe VPN drops every ten minutes since this morning.\nJo",
    );
    let number = opened(take(&d, &raw).await);
    assert_eq!(
        field(&d, "SELECT channel FROM tickets WHERE number = $1", number).await,
        "email"
    );
    assert_eq!(
        field(&d, "SELECT subject FROM tickets WHERE number = $1", number).await,
        "URGENT: VPN drops every 10 minutes"
    );
    assert_eq!(
        field(&d, "SELECT urgency FROM tickets WHERE number = $1", number).await,
        "urgent"
    );
    assert_eq!(
        field(
            &d,
            "SELECT u.email FROM tickets t JOIN users u ON u.id = t.requester_id WHERE t.number = $1",
            number
        )
        .await,
        CLIENT
    );
    let created = &steps(&d, number).await[0];
    assert_eq!(created.0, "created");
    let mail_id = created.3.mail_id.expect("the step names its mail");
    // the original is on disk under its hash, and the row says what it became
    let sha: String = d
        .one(
            "SELECT sha256 FROM inbound_mail WHERE message_id = $1",
            "CAF=first@mail.gmail.com",
        )
        .await;
    let stored = files.path().join(&sha[..2]).join(&sha);
    assert_eq!(std::fs::read(stored).unwrap(), raw);
    assert_eq!(
        d.scalar(&format!(
            "SELECT COUNT(*) FROM inbound_mail m JOIN tickets t ON t.id = m.ticket_id
             WHERE m.id = {mail_id} AND m.status = 'placed' AND t.number = {number}"
        ))
        .await,
        1
    );
    // the same message again (a crash before the mailbox was told, a second MX) changes nothing
    let before = tickets_count(&d).await;
    assert_eq!(take(&d, &raw).await, Outcome::Duplicate);
    assert_eq!(tickets_count(&d).await, before);
    assert_eq!(d.scalar("SELECT COUNT(*) FROM inbound_mail").await, 1);
}

#[tokio::test]
async fn replies_thread_by_reference_and_by_tag_with_the_quote_cut_off() {
    let (d, _files) = desk_for_mail().await;
    let first = gmail_new(
        CLIENT,
        "first@mail.gmail.com",
        "Printer jam",
        "The printer on floor 2 jams.",
    );
    let number = opened(take(&d, &first).await);
    let tag = format!("[{}]", TicketNumber(number));

    // Gmail: In-Reply-To and References, quote under "On ... wrote:"
    let gmail = mail(
        &[
            ("From", &format!("Jo Bauer <{CLIENT}>")),
            ("Subject", "Re: Printer jam"),
            ("Message-ID", "<second@mail.gmail.com>"),
            ("In-Reply-To", "<first@mail.gmail.com>"),
            ("References", "<first@mail.gmail.com>"),
        ],
        "It jams on A3 only.\n\nOn Wed, 18 Nov 2026 at 09:12, Jo Bauer <jo.bauer@northwind.example> wrote:\n> The printer on floor 2 jams.",
    );
    assert_eq!(
        take(&d, &gmail).await,
        Outcome::Continued(TicketNumber(number))
    );

    // Outlook: no In-Reply-To to anything of ours, only the tag; quote under "From: / Sent:"
    let outlook = mail(
        &[
            ("From", &format!("\"Bauer, Jo\" <{CLIENT}>")),
            ("Subject", &format!("RE: {tag} Printer jam")),
            ("Message-ID", "<AM0PR01MB1234@eurprd01.prod.outlook.com>"),
            ("Thread-Topic", "Printer jam"),
            ("X-MS-Exchange-Organization-SCL", "1"),
        ],
        "Also on A4 now.\n\nFrom: IT Help Desk <desk@msp.example>\nSent: Wednesday, November 18, 2026 10:02 AM\nTo: Bauer, Jo\nSubject: {tag} Printer jam\n\nWe are looking into it.",
    );
    assert_eq!(
        take(&d, &outlook).await,
        Outcome::Continued(TicketNumber(number))
    );

    // Apple Mail answering a notification of ours: References names our Message-ID
    let ana = d.actor(ANALYST).await;
    let version = version_of(&d, number).await;
    tickets::reply(&d.state, &ana, number, version, "Which tray?", true)
        .await
        .unwrap();
    let (id, created_at): (i64, i64) = app::pool_run!(d.state.pool, c => sqlx::query_as(
        "SELECT n.id, n.created_at FROM notifications n JOIN users u ON u.id = n.recipient_id
         WHERE u.email = $1 ORDER BY n.id DESC LIMIT 1").bind(CLIENT).fetch_one(c).await)
    .unwrap();
    let ours = message_id(id, created_at, &d.state.settings.notify.message_domain());
    let apple = mail(
        &[
            ("From", &format!("Jo Bauer <{CLIENT}>")),
            ("Subject", "Re: Your request"),
            ("Message-Id", "<9F1C2D3E-AAAA-BBBB-CCCC-1234567890AB@northwind.example>"),
            ("In-Reply-To", &format!("<{ours}>")),
            ("References", &format!("<first@mail.gmail.com> <{ours}>")),
            ("X-Mailer", "Apple Mail (2.3774.200.91.1.1)"),
        ],
        "Tray 2.\n\n> On 18 Nov 2026, at 10:15, IT Help Desk <desk@msp.example> wrote:\n> \n> Which tray?",
    );
    assert_eq!(
        take(&d, &apple).await,
        Outcome::Continued(TicketNumber(number))
    );

    let replies: Vec<_> = steps(&d, number)
        .await
        .into_iter()
        .filter(|s| s.0 == "public_reply")
        .collect();
    let bodies: Vec<_> = replies.iter().map(|s| s.2.clone().unwrap()).collect();
    assert_eq!(
        bodies,
        [
            "It jams on A3 only.",
            "Also on A4 now.",
            "Which tray?",
            "Tray 2."
        ]
    );
    assert!(replies[0]
        .3
        .quoted
        .as_deref()
        .unwrap()
        .contains("floor 2 jams"));
    assert!(replies[0].3.mail_id.is_some());
    assert_eq!(tickets_count(&d).await, 1);
}

#[tokio::test]
async fn forged_tags_and_references_from_another_client_open_a_new_ticket() {
    let (d, _files) = desk_for_mail().await;
    let number = opened(
        take(
            &d,
            &gmail_new(
                CLIENT,
                "secret@northwind.example",
                "Payroll export",
                "Confidential.",
            ),
        )
        .await,
    );
    let before = steps(&d, number).await.len();
    let tag = format!("[{}]", TicketNumber(number));
    let forged_tag = mail(
        &[
            ("From", &format!("Kim Tanaka <{OTHER_CLIENT}>")),
            ("Subject", &format!("Re: {tag} Payroll export")),
            ("Message-ID", "<forged-1@contoso.example>"),
        ],
        "Let me in.",
    );
    let forged_reference = mail(
        &[
            ("From", &format!("Kim Tanaka <{OTHER_CLIENT}>")),
            ("Subject", "Re: Payroll export"),
            ("Message-ID", "<forged-2@contoso.example>"),
            ("In-Reply-To", "<secret@northwind.example>"),
            ("References", "<secret@northwind.example>"),
        ],
        "Let me in too.",
    );
    for raw in [forged_tag, forged_reference] {
        let other = opened(take(&d, &raw).await);
        assert_ne!(other, number);
        assert_eq!(
            field(
                &d,
                "SELECT o.code FROM tickets t JOIN organizations o ON o.id = t.org_id WHERE t.number = $1",
                other
            )
            .await,
            cast::OTHER_CLIENT_ORG
        );
    }
    assert_eq!(
        steps(&d, number).await.len(),
        before,
        "nothing reached the ticket"
    );
    // a colleague of the same firm who is not its client admin may not see it either
    let admin = d.client_admin_of(cast::CLIENT_ORG).await;
    let by_admin = mail(
        &[
            ("From", &format!("<{admin}>")),
            ("Subject", &format!("Re: {tag} Payroll export")),
            ("Message-ID", "<admin-1@northwind.example>"),
        ],
        "Approved from my side.",
    );
    assert_eq!(
        take(&d, &by_admin).await,
        Outcome::Continued(TicketNumber(number))
    );
}

#[tokio::test]
async fn machines_answers_are_notes_or_held_and_alerts_open_tickets_nobody_answers() {
    let (d, _files) = desk_for_mail().await;
    let number = opened(take(&d, &gmail_new(CLIENT, "m1@x", "Laptop slow", "Very slow.")).await);
    let tag = format!("[{}]", TicketNumber(number));
    let out_of_office = mail(
        &[
            ("From", &format!("Jo Bauer <{CLIENT}>")),
            ("Subject", &format!("Automatic reply: {tag} Laptop slow")),
            ("Auto-Submitted", "auto-replied"),
            ("X-Auto-Response-Suppress", "All"),
            ("Message-ID", "<ooo-1@northwind.example>"),
            ("In-Reply-To", "<m1@x>"),
        ],
        "I am out of the office until Monday.",
    );
    assert_eq!(
        take(&d, &out_of_office).await,
        Outcome::Continued(TicketNumber(number))
    );
    let last = steps(&d, number).await.pop().unwrap();
    assert_eq!((last.0.as_str(), last.1), ("internal_note", false));
    assert!(last.2.unwrap().contains("out of the office"));

    // an out-of-office on no thread never opens a ticket
    let stray = mail(
        &[
            ("From", &format!("<{CLIENT}>")),
            ("Subject", "Out of Office"),
            ("Message-ID", "<ooo-2@northwind.example>"),
        ],
        "Away.",
    );
    assert!(matches!(take(&d, &stray).await, Outcome::Held(_)));

    // a bounce of our notification lands on its ticket as a note
    let bounce = format!(
        "From: MAILER-DAEMON@mx.northwind.example\r\nReturn-Path: <>\r\nSubject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce-1@mx>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"R\"\r\n\r\n--R\r\nContent-Type: text/plain\r\n\r\nThe mail system could not deliver your message.\r\n--R\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--R\r\nContent-Type: message/rfc822\r\n\r\nFrom: desk@msp.example\r\nMessage-ID: <m1@x>\r\nSubject: {tag}\r\n\r\nbody\r\n--R--\r\n"
    );
    assert_eq!(
        take(&d, bounce.as_bytes()).await,
        Outcome::Continued(TicketNumber(number))
    );
    assert_eq!(tickets_count(&d).await, 1);

    // a monitoring alert is real work: a ticket, marked so that nobody answers it
    let alert = mail(
        &[
            ("From", &format!("<{CLIENT}>")),
            ("Subject", "PROBLEM: Disk C: 95% full on NWL-FS01"),
            ("Auto-Submitted", "auto-generated"),
            ("Message-ID", "<zabbix-1@northwind.example>"),
        ],
        "Trigger: disk space low",
    );
    let alert_ticket = opened(take(&d, &alert).await);
    assert_eq!(steps(&d, alert_ticket).await[0].3.automatic, Some(true));
    // mailing-list mail from a client: a ticket nobody answers either
    let list = mail(
        &[
            ("From", &format!("<{CLIENT}>")),
            ("Subject", "[nwl-it] New printer policy"),
            ("List-Id", "<nwl-it.lists.northwind.example>"),
            ("Precedence", "list"),
            ("Message-ID", "<list-1@northwind.example>"),
        ],
        "Policy text",
    );
    let list_ticket = opened(take(&d, &list).await);
    assert_eq!(steps(&d, list_ticket).await[0].3.automatic, Some(true));
}

#[tokio::test]
async fn strangers_of_a_known_domain_become_clients_and_others_are_held() {
    let (d, _files) = desk_for_mail().await;
    let org = d.org_id(cast::CLIENT_ORG).await;
    app::pool_run!(d.state.pool, c => sqlx::query(
        "INSERT INTO org_mail_domains (domain, org_id, created_at) VALUES ('northwind.example', $1, 0)")
        .bind(org).execute(c).await.map(|_| ()))
    .unwrap();
    let newcomer = gmail_new(
        "Max.Weber@Northwind.example",
        "new-1@northwind.example",
        "Need access to the shared drive",
        "Please.",
    );
    let number = opened(take(&d, &newcomer).await);
    assert_eq!(
        field(
            &d,
            "SELECT u.email || ' ' || u.role || ' ' || u.password_hash FROM tickets t
             JOIN users u ON u.id = t.requester_id WHERE t.number = $1",
            number
        )
        .await,
        "max.weber@northwind.example client !no-password-set"
    );
    let stranger = gmail_new(
        "someone@unknown.example",
        "u-1@unknown.example",
        "Hello",
        "Hi",
    );
    match take(&d, &stranger).await {
        Outcome::Held(reason) => assert!(reason.contains("unknown.example"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        d.scalar("SELECT COUNT(*) FROM inbound_mail WHERE status = 'held' AND hold_kind = 'unknown_sender'")
            .await,
        1
    );
    // our own mailbox writing to us is a loop, held
    app::pool_run!(d.state.pool, c => sqlx::query(
        "INSERT INTO mailboxes (name, address, created_at) VALUES ('Support', 'desk@msp.example', 0)")
        .execute(c).await.map(|_| ()))
    .unwrap();
    let looped = gmail_new("desk@msp.example", "loop-1@msp.example", "Re: [HD-1]", "x");
    assert!(matches!(take(&d, &looped).await, Outcome::Held(_)));
}

#[tokio::test]
async fn a_flood_from_one_address_is_held_and_the_administrators_told_once() {
    let (d, _files) = desk_for_mail().await;
    let mut held = 0;
    for i in 0..25 {
        let raw = gmail_new(
            CLIENT,
            &format!("flood-{i}@x"),
            &format!("Ticket {i}"),
            "spam",
        );
        if matches!(take(&d, &raw).await, Outcome::Held(_)) {
            held += 1;
        }
    }
    assert_eq!(held, 5);
    assert_eq!(tickets_count(&d).await, 20);
    assert_eq!(
        d.scalar("SELECT COUNT(*) FROM notifications WHERE kind = 'mail_held'")
            .await,
        1,
        "one notice to the one administrator"
    );
    // ten minutes later the sender is heard again
    d.clock.advance(11 * 60);
    opened(take(&d, &gmail_new(CLIENT, "flood-late@x", "Later", "ok")).await);
}

#[tokio::test]
async fn staff_reply_by_mail_and_a_requester_reply_reopens_a_resolved_ticket() {
    let (d, _files) = desk_for_mail().await;
    let number = opened(
        take(
            &d,
            &gmail_new(CLIENT, "s1@x", "Outlook crashes", "On start."),
        )
        .await,
    );
    let tag = format!("[{}]", TicketNumber(number));
    let from_staff = mail(
        &[
            ("From", &format!("Ana Costa <{ANALYST}>")),
            ("Subject", &format!("Re: {tag} Outlook crashes")),
            ("Message-ID", "<staff-1@frontline.example>"),
        ],
        "Please start it in safe mode.\n\nOn Wed, 18 Nov 2026 at 10:00, Frontline <desk@msp.example> wrote:\n> Internal note: the licence server is ours to fix",
    );
    assert_eq!(
        take(&d, &from_staff).await,
        Outcome::Continued(TicketNumber(number))
    );
    let reply = steps(&d, number).await.pop().unwrap();
    assert_eq!((reply.0.as_str(), reply.1), ("public_reply", true));
    assert_eq!(reply.2.as_deref(), Some("Please start it in safe mode."));
    assert_eq!(
        reply.3.quoted, None,
        "what staff quote never reaches the client"
    );
    assert!(
        d.scalar(&format!("SELECT COUNT(*) FROM tickets WHERE number = {number} AND first_response_at IS NOT NULL"))
            .await
            == 1
    );
    // resolved by the analyst, then the requester answers the resolution mail
    let ana = d.actor(ANALYST).await;
    let version = version_of(&d, number).await;
    tickets::claim(&d.state, &ana, number, version)
        .await
        .unwrap();
    tickets::resolve(&d.state, &ana, number, version + 1, "Safe mode fixed it.")
        .await
        .unwrap();
    let answer = mail(
        &[
            ("From", &format!("<{CLIENT}>")),
            ("Subject", &format!("Re: {tag} resolved")),
            ("Message-ID", "<s2@x>"),
            ("In-Reply-To", "<s1@x>"),
        ],
        "It is back.",
    );
    assert_eq!(
        take(&d, &answer).await,
        Outcome::Continued(TicketNumber(number))
    );
    assert_eq!(
        field(&d, "SELECT status FROM tickets WHERE number = $1", number).await,
        "open"
    );
    let kinds: Vec<String> = steps(&d, number).await.into_iter().map(|s| s.0).collect();
    assert!(
        kinds.ends_with(&["reopened".to_string(), "public_reply".to_string()]),
        "{kinds:?}"
    );
}

/// Mail that is broken, huge or hostile: each ends as a ticket or held with a reason, and
/// nothing is half written.
#[tokio::test]
async fn bad_mail_ends_as_a_ticket_or_held_never_as_an_error() {
    let (d, _files) = desk_for_mail().await;
    let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
    cases.push(("empty", Vec::new()));
    cases.push(("not mail", b"\x00\x01\x02 binary garbage \xff\xfe".to_vec()));
    cases.push((
        "truncated MIME",
        format!("From: <{CLIENT}>\r\nSubject: cut\r\nMessage-ID: <t1@x>\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nhalf a mess").into_bytes(),
    ));
    cases.push((
        "wrong charset",
        [
            format!("From: <{CLIENT}>\r\nSubject: =?x-unknown?Q?caf=E9?=\r\nMessage-ID: <t2@x>\r\nContent-Type: text/plain; charset=x-made-up\r\n\r\ncaf").into_bytes(),
            vec![0xe9, b' ', 0xff, b'\r', b'\n'],
        ]
        .concat(),
    ));
    cases.push((
        "header injection",
        format!("From: <{CLIENT}>\r\nSubject: =?UTF-8?Q?hi=0D=0ABcc:_victim@evil.example?=\r\nMessage-ID: <t3@x>\r\n\r\nbody\r\n").into_bytes(),
    ));
    let mut nested = format!("From: <{CLIENT}>\r\nSubject: nested\r\nMessage-ID: <t4@x>\r\n");
    for depth in 0..300 {
        nested.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{depth}\"\r\n\r\n--b{depth}\r\n"
        ));
    }
    nested.push_str("Content-Type: text/plain\r\n\r\ndeep\r\n");
    cases.push(("deeply nested", nested.into_bytes()));
    let mut many = format!("From: <{CLIENT}>\r\nSubject: many files\r\nMessage-ID: <t5@x>\r\nContent-Type: multipart/mixed; boundary=\"M\"\r\n\r\n--M\r\nContent-Type: text/plain\r\n\r\nsee files\r\n");
    for i in 0..10_000 {
        many.push_str(&format!("--M\r\nContent-Type: text/plain; name=\"f{i}.txt\"\r\nContent-Disposition: attachment; filename=\"f{i}.txt\"\r\n\r\n{i}\r\n"));
    }
    many.push_str("--M--\r\n");
    cases.push(("10,000 attachments", many.into_bytes()));
    let big = "A".repeat(76);
    let mut huge = format!("From: <{CLIENT}>\r\nSubject: huge\r\nMessage-ID: <t6@x>\r\nContent-Type: multipart/mixed; boundary=\"H\"\r\n\r\n--H\r\nContent-Type: text/plain\r\n\r\nlarge scan attached\r\n--H\r\nContent-Type: application/octet-stream; name=\"scan.tif\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"scan.tif\"\r\n\r\n");
    while huge.len() < 25 * 1024 * 1024 {
        huge.push_str(&big);
        huge.push_str("\r\n");
    }
    huge.push_str("--H--\r\n");
    cases.push(("25 MB", huge.into_bytes()));
    cases.push((
        "no sender",
        b"Subject: who?\r\nMessage-ID: <t7@x>\r\n\r\nbody".to_vec(),
    ));

    for (name, raw) in &cases {
        let events_before = d.scalar("SELECT COUNT(*) FROM ticket_events").await;
        let outcome = ingest(&d.state, Arrival::default(), raw)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mails = d.scalar("SELECT COUNT(*) FROM inbound_mail").await;
        match &outcome {
            Outcome::Opened(_) => {
                assert!(
                    d.scalar("SELECT COUNT(*) FROM ticket_events").await > events_before,
                    "{name}"
                )
            }
            Outcome::Held(reason) => assert!(!reason.is_empty(), "{name}"),
            other => panic!("{name}: {other:?}"),
        }
        assert!(mails >= 1, "{name}: every message is recorded");
    }
    assert_eq!(
        d.scalar("SELECT COUNT(*) FROM inbound_mail").await,
        cases.len() as i64,
        "one row per message"
    );
    // the subject of the injection attempt is one line
    let subject: String = d
        .one("SELECT subject FROM tickets WHERE id = (SELECT ticket_id FROM inbound_mail WHERE message_id = $1)", "t3@x")
        .await;
    assert!(
        !subject.contains('\n') && !subject.contains('\r'),
        "{subject:?}"
    );
    // the 10,000 files: the first 100 attached, the rest noted
    let files: i64 = d
        .one::<i64>("SELECT COUNT(*) FROM attachments WHERE ticket_id = (SELECT ticket_id FROM inbound_mail WHERE message_id = $1)", "t5@x")
        .await;
    assert_eq!(files, 100);
}

#[tokio::test]
async fn the_urgent_words_are_the_desks_own() {
    let files = tempfile::tempdir().unwrap();
    let path = files.path().to_path_buf();
    let d = desk_with(|s| {
        s.attachment_dir = path;
        s.mail_urgent_words = vec!["blocked".into(), "cannot work".into()];
    })
    .await;
    let blocked = opened(take(&d, &gmail_new(CLIENT, "u1@x", "I am blocked", "Since 9.")).await);
    let down = opened(take(&d, &gmail_new(CLIENT, "u2@x", "Server down", "Again.")).await);
    let urgency = |n| field(&d, "SELECT urgency FROM tickets WHERE number = $1", n);
    assert_eq!(urgency(blocked).await, "urgent");
    // not one of this desk's words
    assert_eq!(urgency(down).await, "not_urgent");
}
