//! The IMAP watchers against a real Dovecot the test starts (testimap), with a sink that records
//! what it is handed: mail delivered before and after the start arrives in order, once, within
//! a second or two with IDLE; a failing sink leaves the message unseen and it comes again; a
//! crash between delivery and `\Seen` hands it over again but never skips one; a rebuilt folder
//! (new UIDVALIDITY) is read again; a wrong password or a dead server backs off with its reason
//! while the other mailboxes go on; TLS, STARTTLS, XOAUTH2 and polling without IDLE.

#![cfg(feature = "ssr")]

mod support;

use app::backend::clock::ManualClock;
use app::backend::mail::imap::{
    spawn_watchers, ImapKey, Sink, WatchOptions, WatchState, Watched, Watchers,
};
use app::backend::repo::mailbox_admin;
use app::backend::secrets::{self, SecretKey};
use app::backend::{AppState, Settings};
use app::model::admin::MailboxConnection;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{test_db, TestDb, NOW};
use testimap::{Options, TestImap, PASSWORD};

/// Records what it is handed; fails, or hangs after recording (a crash after the ingest's
/// commit), when told to.
#[derive(Default)]
struct Recorder {
    got: Mutex<Vec<(i64, ImapKey, String)>>,
    fail: AtomicBool,
    hang: AtomicBool,
}

impl Sink for Recorder {
    async fn deliver(&self, mailbox_id: i64, key: ImapKey, raw: Vec<u8>) -> Result<(), String> {
        if self.fail.load(Ordering::SeqCst) {
            return Err("the database is down".into());
        }
        self.got
            .lock()
            .unwrap()
            .push((mailbox_id, key, subject(&raw)));
        if self.hang.load(Ordering::SeqCst) {
            std::future::pending::<()>().await;
        }
        Ok(())
    }
}

impl Recorder {
    fn subjects(&self) -> Vec<String> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .map(|g| g.2.clone())
            .collect()
    }

    fn count(&self) -> usize {
        self.got.lock().unwrap().len()
    }
}

fn subject(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw)
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .unwrap_or_default()
        .to_string()
}

fn message(subject: &str) -> Vec<u8> {
    format!(
        "From: Jo Bauer <jo@northwind.example>\r\nTo: help@desk.example\r\n\
         Message-ID: <{}@northwind.example>\r\nSubject: {subject}\r\n\r\nHello.\r\n",
        subject.replace(' ', "-")
    )
    .into_bytes()
}

struct Env {
    state: AppState,
    key: SecretKey,
    imap: TestImap,
    _db: TestDb,
}

async fn env_with(options: Options, key: Option<SecretKey>) -> Env {
    let db = test_db().await;
    let key_used = key.clone().unwrap_or_else(SecretKey::generate);
    let settings = Settings {
        secret_key: key,
        ..Settings::default()
    };
    let state = AppState::new(
        db.pool.clone(),
        Arc::new(ManualClock::new(NOW)),
        settings,
        leptos::config::LeptosOptions::builder()
            .output_name("frontline")
            .build(),
    );
    Env {
        state,
        key: key_used,
        imap: TestImap::start(options),
        _db: db,
    }
}

async fn env() -> Env {
    env_with(Options::default(), Some(SecretKey::generate())).await
}

/// A mailbox row as the administration page will write it.
struct NewMailbox<'a> {
    name: &'a str,
    port: u16,
    tls: &'a str,
    user: &'a str,
    auth: &'a str,
    secret: &'a str,
    folder: &'a str,
    poll_secs: i64,
}

impl<'a> NewMailbox<'a> {
    fn plain(env: &Env, user: &'a str) -> NewMailbox<'a> {
        NewMailbox {
            name: user,
            port: env.imap.port,
            tls: "none",
            user,
            auth: "password",
            secret: PASSWORD,
            folder: "INBOX",
            poll_secs: 60,
        }
    }
}

impl Env {
    async fn add(&self, m: NewMailbox<'_>) -> i64 {
        let sealed = secrets::seal(&self.key, m.secret);
        app::pool_run!(self.state.pool, c => sqlx::query_scalar(
            "INSERT INTO mailboxes (name, address, imap_host, imap_port, imap_tls, imap_user,
                                    imap_auth, imap_secret, imap_folder, poll_secs, created_at)
             VALUES ($1, $2, 'localhost', $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(m.name)
        .bind(format!("{}@desk.example", m.name))
        .bind(i64::from(m.port))
        .bind(m.tls)
        .bind(m.user)
        .bind(m.auth)
        .bind(sealed)
        .bind(m.folder)
        .bind(m.poll_secs)
        .bind(NOW)
        .fetch_one(c).await)
        .expect("insert mailbox")
    }

    async fn sql(&self, sql: &str, id: i64) {
        app::pool_run!(self.state.pool, c => sqlx::query(sql).bind(id).execute(c).await.map(|_| ()))
            .expect(sql);
    }

    async fn last_uid(&self, id: i64) -> (Option<i64>, i64) {
        app::pool_run!(self.state.pool, c => sqlx::query_as(
            "SELECT imap_uidvalidity, imap_last_uid FROM mailboxes WHERE id = $1",
        )
        .bind(id)
        .fetch_one(c).await)
        .expect("position")
    }

    /// Waits for the position recorded after the last delivery (recorded after the sink's Ok).
    async fn until_position(&self, id: i64, expected: (Option<i64>, i64)) {
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            let position = self.last_uid(id).await;
            if position == expected {
                return;
            }
            assert!(Instant::now() < deadline, "{position:?} != {expected:?}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    fn watch(&self, sink: &Arc<Recorder>) -> Watchers {
        self.watch_with(sink, WatchOptions::default())
    }

    fn watch_with(&self, sink: &Arc<Recorder>, options: WatchOptions) -> Watchers {
        let options = WatchOptions {
            rescan: Duration::from_millis(200),
            ..options
        };
        spawn_watchers(&self.state, sink.clone(), options)
    }

    /// Waits up to `secs` for `done`, failing with the watchers' states and Dovecot's log.
    async fn until(&self, watchers: &Watchers, secs: u64, what: &str, done: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while !done() {
            if Instant::now() > deadline {
                panic!(
                    "{what}: not within {secs} s; watchers: {:#?}\n{}",
                    watchers.status.all(),
                    self.imap.log()
                );
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

fn state_of(watchers: &Watchers, id: i64) -> Option<WatchState> {
    watchers.status.get(id).map(|w: Watched| w.state)
}

/// The Connection column of the administrators' mailbox list, as any instance reads it.
async fn connection(env: &Env, id: i64) -> Option<MailboxConnection> {
    let mut conn = env.state.pool.acquire().await.unwrap();
    mailbox_admin::rows(&mut conn, NOW + 90)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.id == id)
        .expect("listed")
        .connection
}

fn is_watching(watchers: &Watchers, id: i64) -> bool {
    matches!(state_of(watchers, id), Some(WatchState::Watching { .. }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_before_and_after_the_start_arrives_in_order_once_and_promptly() {
    let env = env().await;
    let id = env.add(NewMailbox::plain(&env, "alice")).await;
    for n in 1..=3 {
        env.imap
            .append("alice", "INBOX", &message(&format!("before {n}")))
            .await;
    }
    let sink = Arc::new(Recorder::default());
    let watchers = env.watch(&sink);
    env.until(&watchers, 10, "the first three", || sink.count() == 3)
        .await;
    env.until(&watchers, 5, "watching with IDLE", || {
        state_of(&watchers, id) == Some(WatchState::Watching { idle: true })
    })
    .await;
    for n in 1..=2 {
        let sent = Instant::now();
        env.imap
            .append("alice", "INBOX", &message(&format!("after {n}")))
            .await;
        env.until(&watchers, 3, "a message delivered while idling", || {
            sink.count() == 3 + n
        })
        .await;
        let latency = sent.elapsed();
        println!("IMAP IDLE: delivered {latency:?} after the APPEND");
        assert!(latency < Duration::from_secs(2), "{latency:?}");
    }
    // nothing more comes
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        sink.subjects(),
        ["before 1", "before 2", "before 3", "after 1", "after 2"]
    );
    let got = sink.got.lock().unwrap().clone();
    let uids: Vec<i64> = got.iter().map(|g| g.1.uid).collect();
    assert_eq!(uids, [1, 2, 3, 4, 5]);
    assert!(got.iter().all(|g| g.0 == id));
    let seen = env.imap.seen_uids("alice", "INBOX").await;
    assert_eq!(seen.len(), 5, "every message is \\Seen: {seen:?}");
    let (uidvalidity, last) = env.last_uid(id).await;
    assert_eq!(uidvalidity, Some(got[0].1.uidvalidity));
    assert_eq!(last, 5);
    watchers.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_sink_leaves_the_message_unseen_and_it_comes_again() {
    let env = env().await;
    let id = env.add(NewMailbox::plain(&env, "alice")).await;
    let sink = Arc::new(Recorder::default());
    sink.fail.store(true, Ordering::SeqCst);
    env.imap
        .append("alice", "INBOX", &message("while down"))
        .await;
    let watchers = env.watch(&sink);
    env.until(&watchers, 5, "the sink's failure reported", || {
        matches!(state_of(&watchers, id), Some(WatchState::Failing { reason, .. })
            if reason.contains("could not be stored: the database is down"))
    })
    .await;
    assert!(env.imap.seen_uids("alice", "INBOX").await.is_empty());
    assert_eq!(env.last_uid(id).await.1, 0);
    sink.fail.store(false, Ordering::SeqCst);
    env.until(&watchers, 6, "the message handed over again", || {
        sink.count() == 1
    })
    .await;
    env.until(&watchers, 2, "watching again", || {
        is_watching(&watchers, id)
    })
    .await;
    assert_eq!(sink.subjects(), ["while down"]);
    assert_eq!(env.imap.seen_uids("alice", "INBOX").await.len(), 1);
    assert_eq!(env.last_uid(id).await.1, 1);
    watchers.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_delivery_and_seen_hands_the_message_over_again() {
    let env = env().await;
    let id = env.add(NewMailbox::plain(&env, "alice")).await;
    for n in 1..=2 {
        env.imap
            .append("alice", "INBOX", &message(&format!("burst {n}")))
            .await;
    }
    let sink = Arc::new(Recorder::default());
    sink.hang.store(true, Ordering::SeqCst);
    let watchers = env.watch(&sink);
    env.until(&watchers, 5, "the first message stored", || {
        sink.count() == 1
    })
    .await;
    // the process dies after the ingest committed, before \Seen
    watchers.stop();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(env.imap.seen_uids("alice", "INBOX").await.is_empty());
    assert_eq!(env.last_uid(id).await.1, 0);
    sink.hang.store(false, Ordering::SeqCst);
    let watchers = env.watch(&sink);
    env.until(&watchers, 5, "both messages after the restart", || {
        sink.count() == 3
    })
    .await;
    assert_eq!(sink.subjects(), ["burst 1", "burst 1", "burst 2"]);
    let uidvalidity = sink.got.lock().unwrap()[0].1.uidvalidity;
    env.until_position(id, (Some(uidvalidity), 2)).await;
    watchers.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebuilt_folder_with_a_new_uidvalidity_is_read_again() {
    let env = env().await;
    let id = env
        .add(NewMailbox {
            folder: "Support",
            ..NewMailbox::plain(&env, "alice")
        })
        .await;
    for n in 1..=2 {
        env.imap
            .append("alice", "Support", &message(&format!("old {n}")))
            .await;
    }
    let sink = Arc::new(Recorder::default());
    // Dovecot tells a session nothing when its folder is deleted: the watcher notices the new
    // UIDVALIDITY when it selects the folder again after an IDLE period
    let watchers = env.watch_with(
        &sink,
        WatchOptions {
            idle_renew: Duration::from_millis(500),
            ..WatchOptions::default()
        },
    );
    env.until(&watchers, 5, "the old messages", || sink.count() == 2)
        .await;
    // the position is recorded just after the sink's Ok: wait for it
    let deadline = Instant::now() + Duration::from_secs(3);
    let old = loop {
        let position = env.last_uid(id).await;
        if position.1 == 2 {
            break position;
        }
        assert!(
            Instant::now() < deadline,
            "{position:?}: the second message's UID was not recorded"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    // restored on the server: new UIDVALIDITY, UIDs from 1 again (below the last one taken)
    let uidvalidity = env.imap.recreate_folder("alice", "Support").await;
    env.imap
        .append("alice", "Support", &message("restored 1"))
        .await;
    env.until(&watchers, 10, "the message of the rebuilt folder", || {
        sink.count() == 3
    })
    .await;
    let got = sink.got.lock().unwrap().clone();
    assert_eq!(got[2].2, "restored 1");
    assert_eq!(
        got[2].1,
        ImapKey {
            uidvalidity: i64::from(uidvalidity),
            uid: 1
        }
    );
    assert_ne!(old.0, Some(i64::from(uidvalidity)));
    env.until_position(id, (Some(i64::from(uidvalidity)), 1))
        .await;
    watchers.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_backs_off_with_its_reason_and_a_dead_server_delays_no_other() {
    let env = env().await;
    // on a server of its own: after a failed sign-in Dovecot answers the next one from the
    // same address late (seconds), which says nothing about the watchers
    let other = TestImap::start(Options::default());
    let wrong = env
        .add(NewMailbox {
            name: "wrong",
            secret: "not the password",
            port: other.port,
            ..NewMailbox::plain(&env, "bob")
        })
        .await;
    let dead_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let dead = env
        .add(NewMailbox {
            name: "dead",
            port: dead_port,
            ..NewMailbox::plain(&env, "carol")
        })
        .await;
    let good = env.add(NewMailbox::plain(&env, "alice")).await;
    let sink = Arc::new(Recorder::default());
    let watchers = env.watch(&sink);
    env.until(&watchers, 5, "the good mailbox watched", || {
        is_watching(&watchers, good)
    })
    .await;
    let sent = Instant::now();
    env.imap
        .append("alice", "INBOX", &message("still flowing"))
        .await;
    env.until(&watchers, 3, "the good mailbox's mail", || {
        sink.count() == 1
    })
    .await;
    println!(
        "IMAP IDLE beside two failing mailboxes: {:?}",
        sent.elapsed()
    );
    // after about 3.5 s: tries at 0, 1 and 3 s (doubling waits), not dozens; Dovecot answers a
    // sign-in that follows a failed one only after seconds, so the wrong password tries less
    tokio::time::sleep(Duration::from_millis(3500).saturating_sub(sent.elapsed())).await;
    for (id, why, tries) in [
        (wrong, "refused the sign-in", 1..=3),
        (dead, "cannot connect to localhost", 2..=4),
    ] {
        match state_of(&watchers, id) {
            Some(WatchState::Failing { reason, attempts }) => {
                assert!(reason.contains(why), "{reason}");
                assert!(tries.contains(&attempts), "{attempts} attempts: {reason}");
            }
            other => panic!("mailbox {id}: {other:?}"),
        }
    }
    assert_eq!(sink.subjects(), ["still flowing"]);

    // what administrators see, from the database: the reasons, and how long
    let said = connection(&env, good).await.expect("stored").describe();
    assert_eq!(said, "Watching (IDLE) for 1m");
    let failing = connection(&env, dead).await.expect("stored");
    assert!(failing.in_trouble());
    let said = failing.describe();
    assert!(
        said.starts_with("Failing: signing in: cannot connect"),
        "{said}"
    );
    assert!(
        failing.describe().contains("failures in a row"),
        "{failing:?}"
    );
    watchers.stop();
    drop(other);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_starttls_and_xoauth2() {
    use tokio_rustls::rustls::pki_types::{pem::PemObject, CertificateDer};
    let env = env().await;
    let tls = env
        .add(NewMailbox {
            name: "tls",
            port: env.imap.tls_port,
            tls: "tls",
            ..NewMailbox::plain(&env, "alice")
        })
        .await;
    let starttls = env
        .add(NewMailbox {
            name: "starttls",
            tls: "starttls",
            auth: "xoauth2",
            ..NewMailbox::plain(&env, "bob")
        })
        .await;
    env.imap
        .append("alice", "INBOX", &message("over tls"))
        .await;
    env.imap
        .append("bob", "INBOX", &message("over starttls"))
        .await;
    let mut roots = tokio_rustls::rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(env.imap.ca_pem()).expect("the test CA"))
        .expect("a root");
    let sink = Arc::new(Recorder::default());
    let watchers = env.watch_with(
        &sink,
        WatchOptions {
            tls_roots: Some(Arc::new(roots)),
            ..WatchOptions::default()
        },
    );
    env.until(&watchers, 5, "mail over both", || sink.count() == 2)
        .await;
    let mut got: Vec<(i64, String)> = sink
        .got
        .lock()
        .unwrap()
        .iter()
        .map(|g| (g.0, g.2.clone()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [(tls, "over tls".into()), (starttls, "over starttls".into())]
    );
    watchers.stop();

    // the web's roots do not trust the test CA: a clear reason, no panic
    let watchers = env.watch(&sink);
    env.until(&watchers, 5, "the certificate refused", || {
        matches!(state_of(&watchers, tls), Some(WatchState::Failing { reason, .. })
            if reason.contains("TLS with localhost failed"))
    })
    .await;
    watchers.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_idle_the_mailbox_is_polled() {
    let env = env_with(
        Options {
            idle: false,
            ..Options::default()
        },
        Some(SecretKey::generate()),
    )
    .await;
    let id = env
        .add(NewMailbox {
            poll_secs: 5,
            ..NewMailbox::plain(&env, "alice")
        })
        .await;
    env.imap.append("alice", "INBOX", &message("first")).await;
    let sink = Arc::new(Recorder::default());
    let watchers = env.watch(&sink);
    env.until(&watchers, 5, "the first message, then polling", || {
        sink.count() == 1 && state_of(&watchers, id) == Some(WatchState::Watching { idle: false })
    })
    .await;
    env.imap.append("alice", "INBOX", &message("second")).await;
    env.until(&watchers, 7, "the next poll", || sink.count() == 2)
        .await;
    assert_eq!(sink.subjects(), ["first", "second"]);
    watchers.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mailboxes_added_changed_and_deactivated_are_picked_up() {
    let env = env().await;
    let sink = Arc::new(Recorder::default());
    let watchers = env.watch(&sink);
    let id = env.add(NewMailbox::plain(&env, "alice")).await;
    env.until(&watchers, 5, "a mailbox added later", || {
        is_watching(&watchers, id)
    })
    .await;
    env.imap.append("alice", "INBOX", &message("one")).await;
    env.until(&watchers, 3, "its mail", || sink.count() == 1)
        .await;

    // another folder: the watcher starts again on it
    env.imap.append("alice", "Other", &message("two")).await;
    env.sql(
        "UPDATE mailboxes SET imap_folder = 'Other', imap_uidvalidity = NULL,
                              imap_last_uid = 0 WHERE id = $1",
        id,
    )
    .await;
    env.until(&watchers, 5, "the changed folder's mail", || {
        sink.count() == 2
    })
    .await;

    env.sql("UPDATE mailboxes SET active = FALSE WHERE id = $1", id)
        .await;
    env.until(&watchers, 3, "the watcher stopped", || {
        watchers.status.get(id).is_none()
    })
    .await;
    let stopped = Instant::now();
    while connection(&env, id).await.is_some() {
        assert!(
            stopped.elapsed() < Duration::from_secs(3),
            "a stopped watcher's state is kept"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    env.imap.append("alice", "Other", &message("three")).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(sink.subjects(), ["one", "two"]);
    watchers.stop();
}

#[tokio::test]
async fn without_the_secret_key_no_mailbox_is_watched_and_the_reason_is_told() {
    let env = env_with(Options::default(), None).await;
    let id = env.add(NewMailbox::plain(&env, "alice")).await;
    let sink = Arc::new(Recorder::default());
    let watchers = env.watch(&sink);
    env.until(&watchers, 3, "the mailbox's state", || {
        watchers.status.get(id).is_some()
    })
    .await;
    match state_of(&watchers, id) {
        Some(WatchState::NotStarted(why)) => assert!(why.contains("FRONTLINE_SECRET_KEY"), "{why}"),
        other => panic!("{other:?}"),
    }
    let mut told = connection(&env, id).await;
    let asked = Instant::now();
    while told.is_none() && asked.elapsed() < Duration::from_secs(3) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        told = connection(&env, id).await;
    }
    let told = told.expect("stored");
    assert!(
        told.in_trouble() && told.describe().starts_with("Not watched: "),
        "{told:?}"
    );
    watchers.stop();
}
