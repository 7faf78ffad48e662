//! Crash safety: the real server binary takes concurrent writes and is killed with SIGKILL at
//! arbitrary moments, several times over one database. After every restart each write the server
//! acknowledged is present, and SQLite's integrity check passes.

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_frontline");
const CLIENT: &str = "jo.bauer@northwind.example";
const ROUNDS: u64 = 4;
const WRITERS: usize = 4;

fn frontline(dir: &std::path::Path, url: &str) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env("DATABASE_URL", url)
        .env("FRONTLINE_MAIL_DIR", dir.join("mail"))
        .env("FRONTLINE_ATTACHMENT_DIR", dir.join("files"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn wait_healthy(base: &str) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(res) = client.get(format!("{base}/healthz")).send().await {
            if res.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server at {base} did not become healthy");
}

/// Raises tickets as fast as it can; records the numbers the server acknowledged.
async fn writer(base: String, cookie_client: reqwest::Client, acked: Arc<Mutex<Vec<i64>>>) {
    for i in 0.. {
        let res = cookie_client
            .post(format!("{base}/api/raise_ticket"))
            .form(&[
                ("ticket[urgency]", "not_urgent"),
                ("ticket[problem]", &format!("Crash test request {i}")),
            ])
            .send()
            .await;
        let Ok(res) = res else { return };
        if res.status() != 200 {
            return;
        }
        match res.json::<i64>().await {
            Ok(number) => acked.lock().expect("lock").push(number),
            Err(_) => return,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}/frontline.db", dir.path().display());
    for args in [vec!["migrate"], vec!["seed-demo", "--tickets", "20"]] {
        let status = frontline(dir.path(), &url)
            .args(&args)
            .status()
            .expect("run");
        assert!(status.success(), "frontline {args:?}");
    }
    let acked = Arc::new(Mutex::new(Vec::new()));
    for round in 0..ROUNDS {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let mut server: Child = frontline(dir.path(), &url)
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .spawn()
            .expect("start the server");
        wait_healthy(&base).await;
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .expect("client");
        let res = client
            .post(format!("{base}/api/sign_in"))
            .form(&[("email", CLIENT), ("password", "frontline-demo")])
            .send()
            .await
            .expect("sign in");
        assert_eq!(res.status(), 200);
        let writers: Vec<_> = (0..WRITERS)
            .map(|_| tokio::spawn(writer(base.clone(), client.clone(), acked.clone())))
            .collect();
        // a different moment each round, the same on every run
        tokio::time::sleep(Duration::from_millis(400 + (round * 373) % 900)).await;
        server.kill().expect("SIGKILL");
        let _ = server.wait();
        for w in writers {
            let _ = w.await;
        }
    }

    let acked = acked.lock().expect("lock").clone();
    assert!(
        acked.len() > 10,
        "the writers got acknowledgements: {}",
        acked.len()
    );
    let pool = app::backend::db::connect(&url).await.expect("reopen");
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .expect("integrity check");
    assert_eq!(integrity, "ok");
    let stored: Vec<i64> = sqlx::query_scalar("SELECT number FROM tickets")
        .fetch_all(&pool)
        .await
        .expect("tickets");
    let missing: Vec<i64> = acked
        .iter()
        .copied()
        .filter(|n| !stored.contains(n))
        .collect();
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    let events: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id)",
    )
    .fetch_one(&pool)
    .await
    .expect("events");
    assert_eq!(events, 0, "every ticket has its timeline: no partial write");
}
