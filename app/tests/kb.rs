//! The knowledge base against a real SQLite file: who reads which article, search with hostile
//! input, suggestions, writing and versions, articles from resolved tickets, votes and
//! deflections. Refusals change nothing.

#![cfg(feature = "ssr")]

mod support;

use app::backend::{kb, tickets};
use app::model::kb::{ArticleDraft, Visibility};
use app::model::ticket::NewTicket;
use app::model::Urgency;
use support::*;

fn draft(title: &str, visibility: Visibility, org: Option<&str>) -> ArticleDraft {
    ArticleDraft {
        title: title.into(),
        body: format!("How to fix it: {title}. Restart the **dock** first."),
        tags: "test".into(),
        visibility,
        org_code: org.map(str::to_string),
        source_ticket: None,
    }
}

async fn titles(d: &Desk, email: &str, q: &str) -> Vec<String> {
    kb::kb_page(&d.state, &d.actor(email).await, Some(q))
        .await
        .unwrap()
        .articles
        .into_iter()
        .map(|a| a.title)
        .collect()
}

#[tokio::test]
async fn clients_read_only_what_is_meant_for_them() {
    let d = desk(0).await;
    let ana = d.actor(ANALYST).await;
    let internal = kb::save_article(
        &d.state,
        &ana,
        None,
        None,
        &draft("Zebra dock internal runbook", Visibility::Internal, None),
    )
    .await
    .unwrap();
    let everyone = kb::save_article(
        &d.state,
        &ana,
        None,
        None,
        &draft("Zebra dock for everyone", Visibility::Clients, None),
    )
    .await
    .unwrap();
    let northwind = kb::save_article(
        &d.state,
        &ana,
        None,
        None,
        &draft(
            "Zebra dock at Northwind",
            Visibility::Organization,
            Some("nwl"),
        ),
    )
    .await
    .unwrap();

    let mut seen = titles(&d, CLIENT, "zebra").await;
    seen.sort();
    assert_eq!(
        seen,
        vec!["Zebra dock at Northwind", "Zebra dock for everyone"]
    );
    assert_eq!(
        titles(&d, OTHER_CLIENT, "zebra").await,
        vec!["Zebra dock for everyone"]
    );
    assert_eq!(
        titles(&d, SENIOR, "zebra").await.len(),
        3,
        "the desk reads everything"
    );

    let kim = d.actor(OTHER_CLIENT).await;
    for hidden in [internal, northwind] {
        let err = kb::article(&d.state, &kim, hidden).await.unwrap_err();
        assert_eq!(err.status(), 404);
    }
    let read = kb::article(&d.state, &kim, everyone).await.unwrap();
    assert!(read.body.is_empty(), "readers get the rendered text only");
    assert!(read.body_html.contains("<strong>dock</strong>"));
    assert!(read.versions.is_empty() && !read.may_edit);
    // suggestions follow the same rules
    let suggested = kb::suggest(&d.state, &kim, "zebra dock").await.unwrap();
    assert_eq!(suggested.len(), 1);
    assert!(suggested[0].snippet_html.contains("<mark>"));
    assert!(kb::suggest(&d.state, &kim, "ze").await.unwrap().is_empty());
}

#[tokio::test]
async fn any_search_text_is_safe() {
    let d = desk(0).await;
    for hostile in [
        "\"",
        "\"unbalanced",
        "NEAR(a b",
        "title:vpn",
        "a OR b AND NOT c",
        "*",
        "^vpn",
        "vpn)",
        "' OR 1=1 --",
        "ü日本語🙂",
        "\u{0}",
        &"long ".repeat(500),
    ] {
        for who in [CLIENT, ANALYST] {
            let page = kb::kb_page(&d.state, &d.actor(who).await, Some(hostile)).await;
            assert!(page.is_ok(), "{hostile:?}: {page:?}");
        }
    }
    // the demo knowledge base answers a plain question, best match first
    let found = titles(&d, CLIENT, "vpn token").await;
    assert_eq!(
        found.first().map(String::as_str),
        Some("VPN token expired or VPN will not connect")
    );
    // a problem described in a sentence still finds its article
    let suggested = kb::suggest(
        &d.state,
        &d.actor(CLIENT).await,
        "my vpn token expired this morning",
    )
    .await
    .unwrap();
    assert_eq!(
        suggested[0].title,
        "VPN token expired or VPN will not connect"
    );
    let found = titles(&d, CLIENT, "my printer is offline").await;
    assert_eq!(
        found.first().map(String::as_str),
        Some("Printer shows offline or jobs stay in the queue")
    );
    let found = titles(&d, CLIENT, "passw").await;
    assert!(
        found.iter().any(|t| t.contains("password")),
        "prefixes match: {found:?}"
    );
}

#[tokio::test]
async fn writing_keeps_every_version_and_refuses_a_stale_edit() {
    let d = desk(0).await;
    let ana = d.actor(ANALYST).await;
    let id = kb::save_article(
        &d.state,
        &ana,
        None,
        None,
        &draft("Dock firmware", Visibility::Clients, None),
    )
    .await
    .unwrap();
    let mut next = draft("Dock firmware update", Visibility::Clients, None);
    kb::save_article(&d.state, &ana, Some(id), Some(1), &next)
        .await
        .unwrap();
    next.title = "Dock firmware, again".into();
    let err = kb::save_article(&d.state, &d.actor(SENIOR).await, Some(id), Some(1), &next)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 409);
    let view = kb::article(&d.state, &ana, id).await.unwrap();
    assert_eq!(view.title, "Dock firmware update");
    assert_eq!(view.version, 2);
    assert_eq!(
        view.versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        vec![2, 1]
    );

    let before = d.scalar("SELECT COUNT(*) FROM article_versions").await;
    let refusals = [
        (
            CLIENT,
            draft("Client article", Visibility::Clients, None),
            403,
        ),
        (
            ADMIN,
            draft("Admin article", Visibility::Clients, None),
            403,
        ),
        (ANALYST, draft("ab", Visibility::Clients, None), 422),
        (
            ANALYST,
            draft("For one client", Visibility::Organization, None),
            422,
        ),
        (
            ANALYST,
            draft("For nobody", Visibility::Organization, Some("ZZZ")),
            422,
        ),
    ];
    for (who, bad, status) in refusals {
        let err = kb::save_article(&d.state, &d.actor(who).await, None, None, &bad)
            .await
            .unwrap_err();
        assert_eq!(err.status(), status, "{who} {}", bad.title);
    }
    let err = kb::save_article(&d.state, &ana, Some(999_999), Some(1), &next)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 404);
    assert_eq!(
        d.scalar("SELECT COUNT(*) FROM article_versions").await,
        before
    );
}

#[tokio::test]
async fn a_resolved_ticket_becomes_an_article_linked_to_it() {
    let d = desk(0).await;
    let jo = d.actor(CLIENT).await;
    let ana = d.actor(ANALYST).await;
    let request = NewTicket {
        urgency: Some(Urgency::NotUrgent),
        problem: "Teams camera is black\nOnly in meetings.".into(),
        ..Default::default()
    };
    let number = tickets::raise(&d.state, &jo, &request)
        .await
        .unwrap()
        .number
        .0;
    let err = kb::draft_from_resolved(&d.state, &ana, number)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 409, "not resolved yet");
    tickets::claim(&d.state, &ana, number, 1).await.unwrap();
    tickets::resolve(
        &d.state,
        &ana,
        number,
        2,
        "Allowed camera access in privacy settings",
    )
    .await
    .unwrap();
    assert_eq!(
        kb::draft_from_resolved(&d.state, &jo, number)
            .await
            .unwrap_err()
            .status(),
        403
    );
    let draft = kb::draft_from_resolved(&d.state, &ana, number)
        .await
        .unwrap();
    assert_eq!(draft.title, "Teams camera is black");
    assert!(draft.body.contains("Allowed camera access"));
    assert_eq!(draft.source_ticket, Some(number));
    let id = kb::save_article(&d.state, &ana, None, None, &draft)
        .await
        .unwrap();
    let view = kb::article(&d.state, &ana, id).await.unwrap();
    assert_eq!(view.tickets.len(), 1);
    assert_eq!(view.tickets[0].number.0, number);
    // another team's analyst cannot publish from a ticket they cannot see
    let other = d.actor(OTHER_ANALYST).await;
    let foreign = ArticleDraft {
        source_ticket: Some(number),
        ..draft
    };
    let seen_by_ben = tickets::ticket_view(&d.state, &other, number).await.is_ok();
    if !seen_by_ben {
        let err = kb::save_article(&d.state, &other, None, None, &foreign)
            .await
            .unwrap_err();
        assert_eq!(err.status(), 404);
    }
}

/// Drafts from a resolved ticket, many at once (more than the pool's connections): each call
/// takes the analyst's scope (a read of its own) before its connection, so none holds one while
/// waiting for another and no call waits for the pool's acquire timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_drafts_at_once_never_wait_on_each_other_for_connections() {
    let d = desk(0).await;
    let jo = d.actor(CLIENT).await;
    let ana = d.actor(ANALYST).await;
    let request = NewTicket {
        urgency: Some(Urgency::NotUrgent),
        problem: "Outlook asks for the password\nAfter every restart.".into(),
        ..Default::default()
    };
    let number = tickets::raise(&d.state, &jo, &request)
        .await
        .unwrap()
        .number
        .0;
    tickets::claim(&d.state, &ana, number, 1).await.unwrap();
    tickets::resolve(&d.state, &ana, number, 2, "Cleared the cached credentials")
        .await
        .unwrap();
    let drafts =
        futures::future::join_all((0..24).map(|_| kb::draft_from_resolved(&d.state, &ana, number)))
            .await;
    for draft in drafts {
        assert_eq!(draft.expect("a draft").source_ticket, Some(number));
    }
}

#[tokio::test]
async fn votes_count_once_per_person_and_deflections_are_recorded() {
    let d = desk(0).await;
    let jo = d.actor(CLIENT).await;
    let id = kb::kb_page(&d.state, &jo, Some("printer offline"))
        .await
        .unwrap()
        .articles[0]
        .id;
    kb::vote(&d.state, &jo, id, true).await.unwrap();
    kb::vote(&d.state, &jo, id, true).await.unwrap();
    kb::vote(&d.state, &d.actor(CLIENT_ADMIN).await, id, false)
        .await
        .unwrap();
    let view = kb::article(&d.state, &jo, id).await.unwrap();
    assert_eq!(
        (view.helpful, view.not_helpful, view.my_vote),
        (1, 1, Some(true))
    );
    kb::vote(&d.state, &jo, id, false).await.unwrap();
    let view = kb::article(&d.state, &jo, id).await.unwrap();
    assert_eq!(
        (view.helpful, view.not_helpful),
        (0, 2),
        "a person may change their mind"
    );

    let tickets_before = d.scalar("SELECT COUNT(*) FROM tickets").await;
    kb::deflect(&d.state, &jo, id).await.unwrap();
    assert_eq!(d.scalar("SELECT COUNT(*) FROM deflections").await, 1);
    assert_eq!(
        d.scalar("SELECT COUNT(*) FROM tickets").await,
        tickets_before
    );
    let internal: i64 = d
        .scalar("SELECT MIN(id) FROM articles WHERE visibility = 'internal'")
        .await;
    assert_eq!(
        kb::vote(&d.state, &jo, internal, true)
            .await
            .unwrap_err()
            .status(),
        404
    );
    assert_eq!(
        kb::deflect(&d.state, &jo, internal)
            .await
            .unwrap_err()
            .status(),
        404
    );
    assert_eq!(
        kb::deflect(&d.state, &d.actor(ANALYST).await, id)
            .await
            .unwrap_err()
            .status(),
        403
    );
    assert_eq!(d.scalar("SELECT COUNT(*) FROM deflections").await, 1);
}

#[tokio::test]
async fn an_article_linked_in_a_reply_lists_the_ticket() {
    let d = desk(0).await;
    let jo = d.actor(CLIENT).await;
    let ana = d.actor(ANALYST).await;
    let request = NewTicket {
        urgency: Some(Urgency::Urgent),
        problem: "VPN says my token is invalid".into(),
        ..Default::default()
    };
    let number = tickets::raise(&d.state, &jo, &request)
        .await
        .unwrap()
        .number
        .0;
    let id = kb::kb_page(&d.state, &ana, Some("vpn token"))
        .await
        .unwrap()
        .articles[0]
        .id;
    tickets::claim(&d.state, &ana, number, 1).await.unwrap();
    let reply = format!("Please follow [the VPN steps](/kb/{id}); also /kb/999999 is not real.");
    tickets::reply(&d.state, &ana, number, 2, &reply, true)
        .await
        .unwrap();
    let article = kb::article(&d.state, &ana, id).await.unwrap();
    assert_eq!(
        article
            .tickets
            .iter()
            .map(|t| t.number.0)
            .collect::<Vec<_>>(),
        vec![number]
    );
    let staff_view = tickets::ticket_view(&d.state, &ana, number).await.unwrap();
    assert!(staff_view
        .timeline
        .iter()
        .any(|e| e.summary == "linked the article “VPN token expired or VPN will not connect”"));
    let client_view = tickets::ticket_view(&d.state, &jo, number).await.unwrap();
    assert!(client_view
        .timeline
        .iter()
        .all(|e| !e.summary.contains("linked")));
    assert!(client_view.timeline.iter().any(|e| e
        .body_html
        .as_deref()
        .is_some_and(|h| h.contains(&format!("href=\"/kb/{id}\"")))));
}

#[tokio::test]
async fn readers_count_as_views_and_the_editor_does_not() {
    let d = desk(0).await;
    let ana = d.actor(ANALYST).await;
    let id = kb::save_article(
        &d.state,
        &ana,
        None,
        None,
        &draft("Printer queue stuck", Visibility::Clients, None),
    )
    .await
    .unwrap();
    let jo = d.actor(CLIENT).await;
    assert_eq!(kb::article(&d.state, &jo, id).await.unwrap().views, 1);
    assert_eq!(
        kb::article_to_edit(&d.state, &ana, id).await.unwrap().views,
        1
    );
    assert_eq!(kb::article(&d.state, &ana, id).await.unwrap().views, 2);
    assert_eq!(
        kb::article_to_edit(&d.state, &jo, id)
            .await
            .unwrap_err()
            .status(),
        403,
        "clients do not open the editor"
    );
}

#[tokio::test]
async fn an_article_lists_only_the_linked_tickets_the_reader_may_open() {
    let d = desk(0).await;
    let jo = d.actor(CLIENT).await;
    let ana = d.actor(ANALYST).await;
    let request = NewTicket {
        urgency: Some(Urgency::Urgent),
        problem: "CANARY-KB-3d9e VPN token rejected for the finance director".into(),
        ..Default::default()
    };
    let number = tickets::raise(&d.state, &jo, &request)
        .await
        .unwrap()
        .number
        .0;
    let id = kb::kb_page(&d.state, &ana, Some("vpn token"))
        .await
        .unwrap()
        .articles[0]
        .id;
    tickets::claim(&d.state, &ana, number, 1).await.unwrap();
    tickets::reply(
        &d.state,
        &ana,
        number,
        2,
        &format!("Please follow [the VPN steps](/kb/{id})."),
        true,
    )
    .await
    .unwrap();
    let listed =
        |view: &app::model::kb::ArticleView| view.tickets.iter().any(|t| t.number.0 == number);
    assert!(listed(&kb::article(&d.state, &ana, id).await.unwrap()));
    assert!(listed(
        &kb::article_to_edit(&d.state, &d.actor(LEAD).await, id)
            .await
            .unwrap()
    ));

    // Ben (Borealis) cannot open the ticket, so the article does not list it to him
    let ben = d.actor(OTHER_ANALYST).await;
    assert_eq!(
        tickets::ticket_view(&d.state, &ben, number)
            .await
            .unwrap_err()
            .status(),
        404
    );
    for view in [
        kb::article(&d.state, &ben, id).await.unwrap(),
        kb::article_to_edit(&d.state, &ben, id).await.unwrap(),
    ] {
        let text = serde_json::to_string(&view).unwrap();
        assert!(!listed(&view), "{text}");
        assert!(!text.contains("CANARY"), "{text}");
    }
    // nor to a client of another organization
    let kim = kb::article(&d.state, &d.actor(OTHER_CLIENT).await, id)
        .await
        .unwrap();
    assert!(!serde_json::to_string(&kim).unwrap().contains("CANARY"));
}
