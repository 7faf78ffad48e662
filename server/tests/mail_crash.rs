//! Mail read from a real IMAP server (Dovecot) by the real binary survives kill -9: a burst of
//! messages is in the mailbox, the server is killed while it takes them in, and after a restart
//! every message is a ticket exactly once and marked read in the mailbox.

mod real_server;

use app::backend::secrets::{self, SecretKey};
use real_server::*;
use std::time::{Duration, Instant};
use testimap::{Options, TestImap, PASSWORD};

const BURST: usize = 200;

async fn count(url: &str, sql: &str) -> i64 {
    let pool = app::backend::db::connect(url).await.expect("open the desk");
    let n =
        app::pool_run!(pool, c => sqlx::query_scalar::<_, i64>(sql).fetch_one(c).await).expect(sql);
    pool.close().await;
    n
}

/// A seeded SQLite desk with a mailbox that reads alice's INBOX on a Dovecot of its own, and the
/// key its secret is sealed with (the server must be started with it).
async fn desk_reading_imap() -> (tempfile::TempDir, String, TestImap, SecretKey) {
    let dir = tempfile::tempdir().unwrap();
    let url = seeded_desk(dir.path(), 0);
    let imap = TestImap::start(Options::default());
    let key = SecretKey::generate();
    {
        let pool = app::backend::db::connect(&url).await.unwrap();
        app::pool_run!(pool, c => sqlx::query(
            "INSERT INTO mailboxes (name, address, imap_host, imap_port, imap_tls, imap_user,
                                    imap_secret, poll_secs, created_at)
             VALUES ('Support', 'support@msp.example', '127.0.0.1', $1, 'none', 'alice', $2, 5, 0)",
        )
        .bind(i64::from(imap.port))
        .bind(secrets::seal(&key, PASSWORD))
        .execute(c).await.map(|_| ()))
        .unwrap();
        pool.close().await;
    }
    (dir, url, imap, key)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_read_from_imap_survives_kill_9_and_each_message_is_one_ticket() {
    let (dir, url, imap, key) = desk_reading_imap().await;
    // each from its own address of a client's domain (one sender's flood would be held)
    for i in 0..BURST {
        let raw = format!(
            "From: Burst {i} <burst-{i}@northwind.example>\r\nTo: support@msp.example\r\n\
             Subject: Burst {i}: monitor flickers\r\nMessage-ID: <burst-{i}@northwind.example>\r\n\r\n\
             Monitor {i} flickers.\r\n"
        );
        imap.append("alice", "INBOX", raw.as_bytes()).await;
    }
    let env = [("FRONTLINE_SECRET_KEY", key.to_base64())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let placed = "SELECT COUNT(*) FROM inbound_mail WHERE message_id LIKE 'burst-%'";

    let mut server = Server::start_with(dir.path(), &url, &env).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let n = count(&url, placed).await;
        if n >= (BURST / 4) as i64 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {n} messages taken in after 60 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill();
    let at_kill = count(&url, placed).await;
    println!("killed after {at_kill} of {BURST} messages");

    let started = Instant::now();
    let _server = Server::start_with(dir.path(), &url, &env).await;
    let deadline = Instant::now() + Duration::from_secs(90);
    while count(&url, placed).await < BURST as i64 {
        assert!(
            Instant::now() < deadline,
            "not every message was taken in after the restart"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!("the rest in {:?} after the restart", started.elapsed());
    assert_eq!(
        count(&url, placed).await,
        BURST as i64,
        "one record per message"
    );
    assert_eq!(
        count(
            &url,
            "SELECT COUNT(*) FROM tickets WHERE subject LIKE 'Burst %: monitor flickers'"
        )
        .await,
        BURST as i64,
        "one ticket per message"
    );
    assert_eq!(
        count(
            &url,
            "SELECT COUNT(DISTINCT ticket_id) FROM inbound_mail WHERE message_id LIKE 'burst-%'"
        )
        .await,
        BURST as i64
    );
    // the mailbox is told last: every message is read once its ticket exists
    let deadline = Instant::now() + Duration::from_secs(30);
    while imap.seen_uids("alice", "INBOX").await.len() < BURST {
        assert!(
            Instant::now() < deadline,
            "not every message was marked read"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `make bench` (ignored by `make test`): how fast mail read from IMAP reaches the live queue
/// (each message appended alone, IDLE waking the watcher) and how many messages a second a burst
/// is taken in at. Prints one JSON line that scripts/bench.sh reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: make bench runs it"]
async fn bench_imap_delivery_to_live_queue() {
    let (dir, url, imap, key) = desk_reading_imap().await;
    let secret = key.to_base64();
    let server = Server::start_with(dir.path(), &url, &[("FRONTLINE_SECRET_KEY", &secret)]).await;
    let morgan = server.session(MANAGER).await;
    let mut heard = forward_live(&server, &morgan).await;
    let message = |i: usize, what: &str| {
        format!(
            "From: <{what}-{i}@northwind.example>\r\nSubject: {what} {i}\r\n\
             Message-ID: <{what}-{i}@northwind.example>\r\n\r\nText {i}.\r\n"
        )
    };
    // let the watcher connect and go idle
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rounds = 20;
    let mut latencies = Vec::new();
    for i in 0..rounds {
        let sent = Instant::now();
        imap.append("alice", "INBOX", message(i, "latency").as_bytes())
            .await;
        let (at, _) = tokio::time::timeout(Duration::from_secs(30), heard.recv())
            .await
            .expect("a live event within 30 s")
            .expect("the stream stays open");
        latencies.push((at - sent).as_secs_f64() * 1000.0);
    }
    latencies.sort_by(|a, b| a.total_cmp(b));
    let p = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q).round() as usize];
    let burst = 200;
    let started = Instant::now();
    for i in 0..burst {
        imap.append("alice", "INBOX", message(i, "rate").as_bytes())
            .await;
    }
    let placed = "SELECT COUNT(*) FROM inbound_mail WHERE message_id LIKE 'rate-%'";
    while count(&url, placed).await < burst as i64 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the burst was not taken in"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{{\"imap_live_p50_ms\": {:.1}, \"imap_live_p99_ms\": {:.1}, \"imap_burst\": {burst}, \"imap_seconds\": {seconds:.2}, \"imap_per_s\": {:.1}}}",
        p(0.5),
        p(0.99),
        burst as f64 / seconds
    );
}
