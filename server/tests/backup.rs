//! `frontline backup`: a copy taken while clients keep raising tickets over HTTP is a sound
//! database holding one instant of the desk, and an existing file is never overwritten.

mod common;

use common::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn database_url(app: &TestApp) -> String {
    let file = app.state.pool.sqlite_file().expect("a SQLite desk");
    format!("sqlite://{}", file.display())
}

/// A client raising tickets over HTTP until `stop`; counts what the server acknowledged.
async fn raise_until(app: Arc<TestApp>, stop: Arc<AtomicBool>, raised: Arc<AtomicUsize>) {
    let client = app.browser();
    app.sign_in(&client, CLIENT).await;
    let mut i = 0;
    while !stop.load(Ordering::Relaxed) {
        i += 1;
        let problem = format!("Zqxload {i}: the docking station drops the screen");
        let res = app
            .call(
                &client,
                "raise_ticket",
                &[
                    ("ticket[urgency]", "not_urgent"),
                    ("ticket[problem]", &problem),
                ],
            )
            .await;
        assert_eq!(
            res.status(),
            200,
            "{}",
            res.text().await.unwrap_or_default()
        );
        raised.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_copy_taken_under_writes_is_sound_and_one_instant_of_the_desk() {
    let app = Arc::new(TestApp::seeded(300).await);
    let stop = Arc::new(AtomicBool::new(false));
    let raised = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..2)
        .map(|_| tokio::spawn(raise_until(app.clone(), stop.clone(), raised.clone())))
        .collect();
    while raised.load(Ordering::Relaxed) < 10 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let before = app.scalar("SELECT COUNT(*) FROM tickets").await;

    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("desk-backup.db");
    let backup = server::backup::run(&database_url(&app), &to)
        .await
        .expect("backup");
    let during = raised.load(Ordering::Relaxed);
    while raised.load(Ordering::Relaxed) < during + 10 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }
    let after = app.scalar("SELECT COUNT(*) FROM tickets").await;

    // opened afresh, the copy is sound and holds what the backup said it holds
    let copy = sqlx::SqlitePool::connect(&format!("sqlite://{}", to.display()))
        .await
        .unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&copy)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    let count = |table: &str| {
        backup
            .tables
            .iter()
            .find(|(t, _)| t == table)
            .map(|(_, n)| *n)
            .unwrap_or_else(|| panic!("{table} is not in the backup's counts"))
    };
    for table in [
        "tickets",
        "ticket_events",
        "users",
        "notifications",
        "sessions",
    ] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&copy)
            .await
            .unwrap();
        assert_eq!(n, count(table), "{table}");
    }
    let tickets = count("tickets");
    assert!(
        (before..=after).contains(&tickets),
        "the copy is an instant between {before} and {after} tickets, not {tickets}"
    );
    assert!(tickets < after, "the writes went on after the copy");
    // one instant: every ticket raised by then is there with the timeline step of its creation
    let torn: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM tickets t
         WHERE NOT EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id)",
    )
    .fetch_one(&copy)
    .await
    .unwrap();
    assert_eq!(torn, 0, "tickets without their timeline");
    // the search index is part of the copy too, at the same instant
    let raised_in_copy: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE problem LIKE 'Zqxload %'")
            .fetch_one(&copy)
            .await
            .unwrap();
    let found: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM tickets_fts WHERE tickets_fts MATCH 'zqxload'")
            .fetch_one(&copy)
            .await
            .unwrap();
    assert!(raised_in_copy >= 10);
    assert_eq!(
        found, raised_in_copy,
        "every raised ticket in the copy is searchable"
    );
    copy.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_file_is_never_overwritten_and_a_failed_copy_leaves_nothing() {
    let app = TestApp::seeded(0).await;
    let dir = tempfile::tempdir().unwrap();
    let existing = dir.path().join("precious.db");
    std::fs::write(&existing, b"precious").unwrap();
    let err = server::backup::run(&database_url(&app), &existing)
        .await
        .expect_err("an existing file");
    assert!(err.to_string().contains("already exists"), "{err:#}");
    assert_eq!(std::fs::read(&existing).unwrap(), b"precious");

    // a desk that is not there: an error, and no half-made file
    let to = dir.path().join("copy.db");
    let missing = format!("sqlite://{}/nothing-here.db", dir.path().display());
    assert!(server::backup::run(&missing, &to).await.is_err());
    assert!(!to.exists());
    assert!(
        !dir.path().join("nothing-here.db").exists(),
        "never created"
    );
}
