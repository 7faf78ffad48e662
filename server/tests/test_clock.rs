//! The test clock of the end-to-end suite (`--test-clock-offset`): the real binary seeds and serves
//! at a chosen instant, and refuses to serve on it anywhere but on this machine.

use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_frontline");
const TEN_DAYS: i64 = 10 * 86_400;

fn wall_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

#[tokio::test]
async fn seed_demo_on_a_test_clock_dates_the_desk_at_that_instant() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}/frontline.db", dir.path().display());
    let before = wall_now();
    let status = Command::new(BIN)
        .args(["seed-demo", "--tickets", "30", "--test-clock-offset"])
        .arg((-TEN_DAYS).to_string())
        .env("DATABASE_URL", &url)
        .stdout(Stdio::null())
        .status()
        .expect("run frontline");
    assert!(status.success());
    let after = wall_now();

    let pool = app::backend::db::connect(&url).await.expect("open");
    let newest: i64 =
        app::pool_run!(pool, c => sqlx::query_scalar("SELECT MAX(created_at) FROM tickets")
        .fetch_one(c).await)
        .expect("newest ticket");
    // the seed writes its canned responses at "now"
    let seeded_at: i64 = app::pool_run!(pool, c => sqlx::query_scalar("SELECT MAX(created_at) FROM canned_responses")
        .fetch_one(c).await)
        .expect("canned responses");
    pool.close().await;
    assert!(
        newest <= after - TEN_DAYS,
        "a ticket after the test instant"
    );
    assert!(
        seeded_at >= before - TEN_DAYS && seeded_at <= after - TEN_DAYS,
        "seeded at the test instant, not at {seeded_at}"
    );
}

#[test]
fn serve_refuses_a_test_clock_on_an_address_other_machines_reach() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(BIN)
        .args(["serve", "--addr", "0.0.0.0:0", "--test-clock-offset", "60"])
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/frontline.db", dir.path().display()),
        )
        .output()
        .expect("run frontline");
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("loopback"), "{said}");
}
