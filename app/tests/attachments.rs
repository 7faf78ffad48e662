//! Attached files against a real SQLite file and a real directory: stored once under their
//! hash, listed on the ticket, handed out only to those who may see the ticket, and bad uploads
//! refused with nothing written.

#![cfg(feature = "ssr")]

mod support;

use app::backend::{attachments, tickets};
use app::model::ticket::NewTicket;
use app::model::Urgency;
use support::*;

async fn raise(d: &Desk) -> i64 {
    let request = NewTicket {
        urgency: Some(Urgency::Urgent),
        problem: "The scanner shows error E42".into(),
        ..Default::default()
    };
    tickets::raise(&d.state, &d.actor(CLIENT).await, &request)
        .await
        .unwrap()
        .number
        .0
}

fn files_in(dir: &std::path::Path) -> usize {
    walk(dir)
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        walk(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

#[tokio::test]
async fn files_are_stored_once_and_shown_only_to_those_who_see_the_ticket() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let d = desk_seeded_with(100, |s| s.attachment_dir = path).await;
    let number = raise(&d).await;
    let jo = d.actor(CLIENT).await;
    let ana = d.actor(ANALYST).await;
    let page = b"<html><script>alert(1)</script></html>";
    let first = attachments::attach(
        &d.state,
        &jo,
        number,
        "C:\\temp\\error page.html",
        page,
        false,
    )
    .await
    .unwrap();
    let second = attachments::attach(&d.state, &ana, number, "same.html", page, false)
        .await
        .unwrap();
    assert_ne!(first, second);
    assert_eq!(files_in(dir.path()), 1, "identical bytes are stored once");

    let view = tickets::ticket_view(&d.state, &jo, number).await.unwrap();
    let names: Vec<_> = view
        .attachments
        .iter()
        .map(|a| a.file_name.as_str())
        .collect();
    assert_eq!(names, vec!["error page.html", "same.html"]);
    assert!(view
        .timeline
        .iter()
        .any(|e| e.summary == "attached error page.html" && e.public));

    let (name, bytes) = attachments::download(&d.state, &ana, first).await.unwrap();
    assert_eq!(
        (name.as_str(), bytes.as_slice()),
        ("error page.html", &page[..])
    );
    for outsider in [OTHER_CLIENT, OTHER_ANALYST, ADMIN] {
        let err = attachments::download(&d.state, &d.actor(outsider).await, first)
            .await
            .unwrap_err();
        assert_eq!(err.status(), 404, "{outsider}");
        let err = attachments::attach(
            &d.state,
            &d.actor(outsider).await,
            number,
            "x.txt",
            b"x",
            false,
        )
        .await
        .unwrap_err();
        assert_eq!(err.status(), 404, "{outsider}");
    }
    let err = attachments::download(&d.state, &jo, 999_999)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 404);
}

#[tokio::test]
async fn bad_uploads_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let d = desk_seeded_with(0, |s| {
        s.attachment_dir = path;
        s.max_attachment_bytes = 1024;
    })
    .await;
    let number = raise(&d).await;
    let jo = d.actor(CLIENT).await;
    let version_before = d.scalar("SELECT MAX(version) FROM tickets").await;
    let cases: [(&str, Vec<u8>, u16); 4] = [
        ("empty.txt", Vec::new(), 422),
        ("big.bin", vec![7; 1025], 413),
        ("", b"hello".to_vec(), 422),
        ("../", b"hello".to_vec(), 422),
    ];
    for (name, bytes, status) in cases {
        let err = attachments::attach(&d.state, &jo, number, name, &bytes, false)
            .await
            .unwrap_err();
        assert_eq!(err.status(), status, "{name:?}");
    }
    let err = attachments::attach(&d.state, &jo, 999_999, "x.txt", b"x", false)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 404);
    assert_eq!(d.scalar("SELECT COUNT(*) FROM attachments").await, 0);
    assert_eq!(
        d.scalar("SELECT MAX(version) FROM tickets").await,
        version_before
    );
    assert_eq!(files_in(dir.path()), 0);

    // a closed ticket takes no more files
    let ana = d.actor(ANALYST).await;
    tickets::claim(&d.state, &ana, number, 1).await.unwrap();
    tickets::resolve(&d.state, &ana, number, 2, "Replaced it")
        .await
        .unwrap();
    tickets::close(&d.state, &jo, number, 3).await.unwrap();
    let err = attachments::attach(&d.state, &jo, number, "late.txt", b"late", false)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 409);
}

#[tokio::test]
async fn files_for_the_desk_only_never_reach_clients() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let d = desk_seeded_with(0, |s| s.attachment_dir = path).await;
    let number = raise(&d).await;
    let ana = d.actor(ANALYST).await;
    let marker = "firewall-config-CANARY-7781.png";
    let internal = attachments::attach(&d.state, &ana, number, marker, b"secret", true)
        .await
        .unwrap();
    let public = attachments::attach(&d.state, &ana, number, "steps.txt", b"do this", false)
        .await
        .unwrap();

    for client in [CLIENT, CLIENT_ADMIN] {
        let who = d.actor(client).await;
        let view = tickets::ticket_view(&d.state, &who, number).await.unwrap();
        let ids: Vec<i64> = view.attachments.iter().map(|a| a.id).collect();
        assert_eq!(ids, vec![public], "{client}");
        let everything = serde_json::to_string(&view).unwrap();
        assert!(!everything.contains("CANARY"), "{client} sees {everything}");
        let err = attachments::download(&d.state, &who, internal)
            .await
            .unwrap_err();
        assert_eq!(err.status(), 404, "{client}");
    }
    let staff_view = tickets::ticket_view(&d.state, &ana, number).await.unwrap();
    assert!(staff_view
        .attachments
        .iter()
        .any(|a| a.id == internal && a.internal && a.file_name == marker));
    assert!(
        attachments::download(&d.state, &d.actor(LEAD).await, internal)
            .await
            .is_ok()
    );

    // a client cannot keep a file from the desk's other clients by calling it internal
    let jo = d.actor(CLIENT).await;
    let before = d.scalar("SELECT COUNT(*) FROM attachments").await;
    let err = attachments::attach(&d.state, &jo, number, "mine.txt", b"x", true)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 403);
    assert_eq!(d.scalar("SELECT COUNT(*) FROM attachments").await, before);
}

#[tokio::test]
async fn each_person_attaches_at_most_their_daily_quota() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let d = desk_seeded_with(0, |s| {
        s.attachment_dir = path;
        s.upload_quota_bytes = 100;
    })
    .await;
    let number = raise(&d).await;
    let jo = d.actor(CLIENT).await;
    attachments::attach(&d.state, &jo, number, "a.bin", &[1; 60], false)
        .await
        .unwrap();
    let err = attachments::attach(&d.state, &jo, number, "b.bin", &[2; 60], false)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 429);
    assert!(err.to_string().contains("in the last 24 hours"), "{err}");
    assert_eq!(d.scalar("SELECT COUNT(*) FROM attachments").await, 1);
    assert_eq!(files_in(dir.path()), 1, "the refused file was not written");
    // someone else's quota is their own, and a day later Jo's is free again
    let ana = d.actor(ANALYST).await;
    attachments::attach(&d.state, &ana, number, "c.bin", &[3; 60], false)
        .await
        .unwrap();
    d.clock.advance(24 * 3600 + 1);
    attachments::attach(&d.state, &jo, number, "b.bin", &[2; 60], false)
        .await
        .unwrap();
}
