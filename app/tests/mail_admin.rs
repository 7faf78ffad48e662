//! Mail administration against a real database and a real attachment directory: the
//! Unprocessed list and its decisions (retry, a ticket for a chosen organization, discard), each
//! audited and never writing a second `inbound_mail` row; organizations' mail domains; and who
//! may download a received message's original.

#![cfg(feature = "ssr")]

mod support;

use app::backend::admin;
use app::backend::mail::{ingest, Arrival, Outcome};
use app::model::{AppError, EventData};
use support::*;

fn stranger_mail(from: &str, id: &str, subject: &str) -> Vec<u8> {
    format!(
        "From: Max Weber <{from}>\r\nTo: desk@msp.example\r\nSubject: {subject}\r\n\
         Message-ID: <{id}>\r\nDate: Wed, 18 Nov 2026 09:12:44 +0100\r\n\r\nThe printer on floor 2 is jammed.\r\n"
    )
    .into_bytes()
}

async fn desk_for_mail() -> (Desk, tempfile::TempDir) {
    let files = tempfile::tempdir().unwrap();
    let path = files.path().to_path_buf();
    let d = desk_with(|s| s.attachment_dir = path).await;
    (d, files)
}

/// Receives `raw`, which must be held; the id of its row.
async fn held(d: &Desk, raw: &[u8], message_id: &str) -> i64 {
    let outcome = ingest(&d.state, Arrival::default(), raw).await.unwrap();
    assert!(matches!(outcome, Outcome::Held(_)), "{outcome:?}");
    d.one(
        "SELECT id FROM inbound_mail WHERE message_id = $1",
        message_id,
    )
    .await
}

async fn audited(d: &Desk, action: &str) -> i64 {
    d.one::<i64>("SELECT COUNT(*) FROM audit_log WHERE action = $1", action)
        .await
}

async fn row_status(d: &Desk, id: i64) -> String {
    d.one(
        "SELECT status FROM inbound_mail WHERE id = CAST($1 AS BIGINT)",
        &id.to_string(),
    )
    .await
}

#[tokio::test]
async fn an_unknown_sender_gets_a_ticket_for_the_chosen_client_and_its_domain_is_remembered() {
    let (d, _files) = desk_for_mail().await;
    let lead = d.actor(LEAD).await;
    let nwl = d.org_id(cast::CLIENT_ORG).await;
    let id = held(
        &d,
        &stranger_mail(
            "max@newcomer.example",
            "n-1@newcomer.example",
            "Printer jammed",
        ),
        "n-1@newcomer.example",
    )
    .await;

    // the list: leads, managers and administrators; nobody else
    let page = admin::held_page(&d.state, &lead, None, 0).await.unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.rows[0].id, id);
    assert_eq!(
        page.rows[0].from_address.as_deref(),
        Some("max@newcomer.example")
    );
    assert!(page.rows[0]
        .reason
        .as_deref()
        .unwrap()
        .contains("newcomer.example"));
    assert_eq!(
        page.counts,
        vec![(app::model::admin::HoldKind::UnknownSender, 1)]
    );
    assert!(page.orgs.iter().any(|o| o.id == nwl));
    let filtered = admin::held_page(&d.state, &lead, Some("auto_reply".into()), 0)
        .await
        .unwrap();
    assert_eq!((filtered.total, filtered.rows.len()), (0, 0));
    for who in [MANAGER, ADMIN] {
        admin::held_page(&d.state, &d.actor(who).await, None, 0)
            .await
            .unwrap();
    }
    for who in [ANALYST, SENIOR, CLIENT, CLIENT_ADMIN] {
        let actor = d.actor(who).await;
        assert!(matches!(
            admin::held_page(&d.state, &actor, None, 0).await,
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            admin::open_from_mail(&d.state, &actor, id, nwl, true).await,
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            admin::discard_mail(&d.state, &actor, id).await,
            Err(AppError::Forbidden(_))
        ));
    }

    let done = admin::open_from_mail(&d.state, &lead, id, nwl, true)
        .await
        .unwrap();
    assert!(!done.held, "{done:?}");
    assert!(done.message.starts_with("Opened HD-"), "{}", done.message);
    assert!(
        done.message.contains("newcomer.example"),
        "{}",
        done.message
    );
    // the held row became the placed one: no second row
    assert_eq!(d.scalar("SELECT COUNT(*) FROM inbound_mail").await, 1);
    assert_eq!(row_status(&d, id).await, "placed");
    let lead_id = d.user_id(LEAD).await;
    assert_eq!(
        d.one::<i64>(
            "SELECT decided_by FROM inbound_mail WHERE id = CAST($1 AS BIGINT)",
            &id.to_string()
        )
        .await,
        lead_id
    );
    let (role, org): (String, i64) = app::pool_run!(d.state.pool, c => sqlx::query_as(
        "SELECT u.role, t.org_id FROM inbound_mail m JOIN tickets t ON t.id = m.ticket_id
         JOIN users u ON u.id = t.requester_id WHERE m.id = $1")
        .bind(id).fetch_one(c).await)
    .unwrap();
    assert_eq!((role.as_str(), org), ("client", nwl));
    let data: Option<String> = app::pool_run!(d.state.pool, c => sqlx::query_scalar(
        "SELECT e.data FROM ticket_events e JOIN inbound_mail m ON m.ticket_id = e.ticket_id
         WHERE m.id = $1 AND e.kind = 'created'")
        .bind(id).fetch_one(c).await)
    .unwrap();
    assert_eq!(EventData::from_json(data.as_deref()).mail_id, Some(id));
    assert_eq!(audited(&d, "mail.create_ticket").await, 1);
    // written with the ticket, in its transaction: it can name the ticket
    let summary: String = d
        .one(
            "SELECT summary FROM audit_log WHERE action = $1",
            "mail.create_ticket",
        )
        .await;
    assert!(summary.contains(": Opened HD-"), "{summary}");
    assert_eq!(audited(&d, "organization.mail_domain_add").await, 1);

    // decided once: a second decision is refused in words
    assert!(matches!(
        admin::open_from_mail(&d.state, &lead, id, nwl, false).await,
        Err(AppError::Conflict(_))
    ));
    assert!(matches!(
        admin::retry_mail(&d.state, &lead, id).await,
        Err(AppError::Conflict(_))
    ));
    // the next stranger of that domain is placed without anyone
    let next = stranger_mail("eva@newcomer.example", "n-2@newcomer.example", "Me too");
    assert!(matches!(
        ingest(&d.state, Arrival::default(), &next).await.unwrap(),
        Outcome::Opened(_)
    ));
}

#[tokio::test]
async fn creating_a_ticket_checks_the_organization_and_the_sender() {
    let (d, _files) = desk_for_mail().await;
    let admin_actor = d.actor(ADMIN).await;
    let nwl = d.org_id(cast::CLIENT_ORG).await;
    let contoso = d.org_id(cast::OTHER_CLIENT_ORG).await;
    // a known client's automatic reply, held: its ticket can only be for the client's own org
    let ooo = format!(
        "From: {OTHER_CLIENT}\r\nAuto-Submitted: auto-replied\r\nSubject: Out of office\r\nMessage-ID: <ooo-1@contoso.example>\r\n\r\nAway\r\n"
    );
    let id = held(&d, ooo.as_bytes(), "ooo-1@contoso.example").await;
    let err = admin::open_from_mail(&d.state, &admin_actor, id, nwl, false)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Invalid(m) if m.contains("choose that organization")),
        "{err:?}"
    );
    // remembering a domain that another client owns is refused before anything is made
    app::pool_run!(d.state.pool, c => sqlx::query(
        "INSERT INTO org_mail_domains (domain, org_id, created_at) VALUES ('contoso.example', $1, 0)")
        .bind(contoso).execute(c).await.map(|_| ()))
    .unwrap();
    let err = admin::open_from_mail(&d.state, &admin_actor, id, nwl, true)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Conflict(m) if m.contains("contoso.example")),
        "{err:?}"
    );
    assert_eq!(row_status(&d, id).await, "held");
    let done = admin::open_from_mail(&d.state, &admin_actor, id, contoso, false)
        .await
        .unwrap();
    assert!(done.message.starts_with("Opened HD-"), "{done:?}");
    // mail that could not be read (or names no sender) makes no ticket, and says why
    let outcome = ingest(&d.state, Arrival::default(), b"\x00\x01 not mail")
        .await
        .unwrap();
    assert!(matches!(outcome, Outcome::Held(_)), "{outcome:?}");
    let unreadable: i64 = d
        .one(
            "SELECT id FROM inbound_mail WHERE message_id LIKE $1",
            "sha256-%",
        )
        .await;
    let err = admin::open_from_mail(&d.state, &admin_actor, unreadable, nwl, false)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Invalid(m) if m.contains("No ticket can be made") || m.contains("no sender")),
        "{err:?}"
    );
}

#[tokio::test]
async fn retry_places_a_message_once_its_sender_is_known_and_discard_throws_it_away() {
    let (d, _files) = desk_for_mail().await;
    let admin_actor = d.actor(ADMIN).await;
    let manager = d.actor(MANAGER).await;
    let nwl = d.org_id(cast::CLIENT_ORG).await;
    let id = held(
        &d,
        &stranger_mail("max@later.example", "l-1@later.example", "VPN"),
        "l-1@later.example",
    )
    .await;
    // still unknown: held again, with the reason
    let again = admin::retry_mail(&d.state, &manager, id).await.unwrap();
    assert!(
        again.held && again.message.contains("later.example"),
        "{again:?}"
    );
    assert_eq!(row_status(&d, id).await, "held");

    // an administrator gives the domain to Northwind; the retry places it on the same row
    assert_eq!(
        admin::add_mail_domain(&d.state, &admin_actor, nwl, " @Later.EXAMPLE ")
            .await
            .unwrap(),
        "later.example"
    );
    let placed = admin::retry_mail(&d.state, &manager, id).await.unwrap();
    assert!(
        !placed.held && placed.message.starts_with("Opened HD-"),
        "{placed:?}"
    );
    assert_eq!(d.scalar("SELECT COUNT(*) FROM inbound_mail").await, 1);
    assert_eq!(row_status(&d, id).await, "placed");
    assert_eq!(audited(&d, "mail.retry").await, 2);

    // discard
    let other = held(
        &d,
        &stranger_mail("spam@nowhere.example", "s-1@nowhere.example", "Offer"),
        "s-1@nowhere.example",
    )
    .await;
    admin::discard_mail(&d.state, &manager, other)
        .await
        .unwrap();
    assert_eq!(row_status(&d, other).await, "discarded");
    assert_eq!(audited(&d, "mail.discard").await, 1);
    assert!(matches!(
        admin::discard_mail(&d.state, &manager, other).await,
        Err(AppError::Conflict(_))
    ));
    assert!(matches!(
        admin::retry_mail(&d.state, &manager, other).await,
        Err(AppError::Conflict(_))
    ));
    assert_eq!(
        admin::held_page(&d.state, &manager, None, 0)
            .await
            .unwrap()
            .total,
        0
    );
}

#[tokio::test]
async fn mail_domains_are_checked_owned_once_and_audited() {
    let (d, _files) = desk_for_mail().await;
    let admin_actor = d.actor(ADMIN).await;
    let nwl = d.org_id(cast::CLIENT_ORG).await;
    let contoso = d.org_id(cast::OTHER_CLIENT_ORG).await;
    admin::add_mail_domain(&d.state, &admin_actor, nwl, "northwind.example")
        .await
        .unwrap();
    // adding it again to the same organization changes nothing
    admin::add_mail_domain(&d.state, &admin_actor, nwl, "NORTHWIND.example")
        .await
        .unwrap();
    assert_eq!(
        admin::mail_domains(&d.state, &admin_actor, nwl)
            .await
            .unwrap(),
        vec!["northwind.example".to_string()]
    );
    let taken = admin::add_mail_domain(&d.state, &admin_actor, contoso, "northwind.example")
        .await
        .unwrap_err();
    assert!(
        matches!(&taken, AppError::Conflict(m) if m.contains("already belongs to")),
        "{taken:?}"
    );
    assert!(matches!(
        admin::add_mail_domain(&d.state, &admin_actor, nwl, "not a domain").await,
        Err(AppError::Invalid(_))
    ));
    let lead = d.actor(LEAD).await;
    assert!(matches!(
        admin::add_mail_domain(&d.state, &lead, nwl, "x.example").await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        admin::mail_domains(&d.state, &lead, nwl).await,
        Err(AppError::Forbidden(_))
    ));
    admin::remove_mail_domain(&d.state, &admin_actor, nwl, "northwind.example")
        .await
        .unwrap();
    assert!(matches!(
        admin::remove_mail_domain(&d.state, &admin_actor, nwl, "northwind.example").await,
        Err(AppError::NotFound(_))
    ));
    assert_eq!(audited(&d, "organization.mail_domain_add").await, 1);
    assert_eq!(audited(&d, "organization.mail_domain_remove").await, 1);
}

#[tokio::test]
async fn the_original_is_for_staff_of_its_ticket_and_those_who_decide_on_mail() {
    let (d, _files) = desk_for_mail().await;
    let raw = stranger_mail(CLIENT, "o-1@northwind.example", "Laptop slow");
    let outcome = ingest(&d.state, Arrival::default(), &raw).await.unwrap();
    assert!(matches!(outcome, Outcome::Opened(_)), "{outcome:?}");
    let placed: i64 = d
        .one(
            "SELECT id FROM inbound_mail WHERE message_id = $1",
            "o-1@northwind.example",
        )
        .await;
    let held_id = held(
        &d,
        &stranger_mail("who@nowhere.example", "o-2@nowhere.example", "?"),
        "o-2@nowhere.example",
    )
    .await;
    let get = |who: &'static str, id: i64| {
        let d = &d;
        async move { admin::original(&d.state, &d.actor(who).await, id).await }
    };
    for who in [ANALYST, LEAD, MANAGER, ADMIN] {
        let (name, bytes) = get(who, placed).await.unwrap();
        assert_eq!(
            (name.as_str(), bytes.as_slice()),
            (format!("message-{placed}.eml").as_str(), raw.as_slice())
        );
    }
    for who in [OTHER_ANALYST, CLIENT, CLIENT_ADMIN, OTHER_CLIENT] {
        assert!(
            matches!(get(who, placed).await, Err(AppError::NotFound(_))),
            "{who}"
        );
    }
    for who in [LEAD, MANAGER, ADMIN] {
        get(who, held_id).await.unwrap();
    }
    for who in [ANALYST, SENIOR, CLIENT] {
        assert!(
            matches!(get(who, held_id).await, Err(AppError::NotFound(_))),
            "{who}"
        );
    }
    assert!(matches!(
        get(ADMIN, 999_999).await,
        Err(AppError::NotFound(_))
    ));
}

#[tokio::test]
async fn a_mailboxs_secret_is_sealed_never_shown_and_never_audited() {
    use app::backend::secrets::{open, SecretKey};
    use app::model::admin::MailboxDraft;
    let key = SecretKey::generate();
    let sealing = key.clone();
    let d = desk_with(move |s| s.secret_key = Some(sealing)).await;
    let admin_actor = d.actor(ADMIN).await;
    let nwl = d.org_id(cast::CLIENT_ORG).await;
    let draft = MailboxDraft {
        name: "Support".into(),
        address: "Support@Desk.example".into(),
        imap_host: "imap.desk.example".into(),
        imap_user: "support".into(),
        secret: "hunter2-imap".into(),
        org_id: Some(nwl),
        priority: Some(app::model::Priority::P2),
        ..Default::default()
    };
    let id = admin::save_mailbox(&d.state, &admin_actor, None, &draft)
        .await
        .unwrap();
    let sealed: String = d
        .one(
            "SELECT imap_secret FROM mailboxes WHERE address = $1",
            "support@desk.example",
        )
        .await;
    assert!(!sealed.contains("hunter2"));
    assert_eq!(open(&key, &sealed).unwrap(), "hunter2-imap");
    let edit = admin::mailbox(&d.state, &admin_actor, id).await.unwrap();
    assert!(edit.has_secret && edit.draft.secret.is_empty());
    assert_eq!(edit.draft.org_id, Some(nwl));
    assert_eq!(edit.draft.priority, Some(app::model::Priority::P2));

    // saved again without a secret: the stored one stays
    let mut again = edit.draft.clone();
    again.poll_secs = 120;
    admin::save_mailbox(&d.state, &admin_actor, Some(id), &again)
        .await
        .unwrap();
    let still: String = d
        .one(
            "SELECT imap_secret FROM mailboxes WHERE address = $1",
            "support@desk.example",
        )
        .await;
    assert_eq!(still, sealed);
    let audit: Vec<String> = app::pool_run!(d.state.pool, c => sqlx::query_scalar(
        "SELECT COALESCE(before, '') || COALESCE(after, '') || summary FROM audit_log WHERE entity = 'mailbox'")
        .fetch_all(c).await)
    .unwrap();
    assert_eq!(audit.len(), 2);
    assert!(
        audit
            .iter()
            .all(|a| !a.contains("hunter2") && !a.contains(&sealed)),
        "{audit:?}"
    );

    // the same name or address again is refused in words; so is anyone but an administrator
    let err = admin::save_mailbox(&d.state, &admin_actor, None, &draft)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Conflict(m) if m.contains("Support")),
        "{err:?}"
    );
    let lead = d.actor(LEAD).await;
    assert!(matches!(
        admin::save_mailbox(&d.state, &lead, Some(id), &again).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        admin::list_mailboxes(&d.state, &lead).await,
        Err(AppError::Forbidden(_))
    ));
    admin::set_mailbox_active(&d.state, &admin_actor, id, false)
        .await
        .unwrap();
    let rows = admin::list_mailboxes(&d.state, &admin_actor).await.unwrap();
    assert!(!rows[0].active);
    assert_eq!(audited(&d, "mailbox.deactivate").await, 1);
}

#[tokio::test]
async fn without_a_secret_key_no_secret_is_taken() {
    let d = desk_with(|_| {}).await;
    let draft = app::model::admin::MailboxDraft {
        name: "Support".into(),
        address: "support@desk.example".into(),
        imap_host: "imap.desk.example".into(),
        imap_user: "support".into(),
        secret: "hunter2".into(),
        ..Default::default()
    };
    let err = admin::save_mailbox(&d.state, &d.actor(ADMIN).await, None, &draft)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Invalid(m) if m.contains("FRONTLINE_SECRET_KEY")),
        "{err:?}"
    );
    assert_eq!(d.scalar("SELECT COUNT(*) FROM mailboxes").await, 0);
}
