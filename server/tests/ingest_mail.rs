//! `frontline ingest-mail`, as a mail server's pipe transport runs it: the message on standard
//! input, and an exit code the mail server acts on (0 only once stored, 75 to retry later).

mod real_server;

use real_server::*;
use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

fn pipe(dir: &Path, url: &str, args: &[&str], message: &[u8]) -> Output {
    let mut child = frontline(dir, url)
        .arg("ingest-mail")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run frontline ingest-mail");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(message)
        .expect("write the message");
    child.wait_with_output().expect("wait")
}

fn said(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn count(url: &str, sql: &str) -> i64 {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let pool = app::backend::db::connect(url).await.expect("open the desk");
        app::pool_run!(pool, c => sqlx::query_scalar::<_, i64>(sql).fetch_one(c).await).expect(sql)
    })
}

#[test]
fn a_piped_message_is_stored_once_and_the_exit_code_tells_the_mail_server() {
    let dir = tempfile::tempdir().unwrap();
    let url = seeded_desk(dir.path(), 0);
    // the demo desk's own mail is there already
    let received_before = count(&url, "SELECT COUNT(*) FROM inbound_mail");
    let message = format!(
        "From: Jo Bauer <{}>\r\nTo: desk@msp.example\r\nSubject: Scanner offline\r\nMessage-ID: <pipe-1@northwind.example>\r\n\r\nThe scanner on floor 3 is offline.\r\n",
        cast::CLIENT
    );
    let first = pipe(dir.path(), &url, &[], message.as_bytes());
    assert_eq!(first.status.code(), Some(0), "{}", said(&first));
    assert!(said(&first).contains("Opened HD-"), "{}", said(&first));
    let again = pipe(dir.path(), &url, &[], message.as_bytes());
    assert_eq!(again.status.code(), Some(0), "{}", said(&again));
    assert!(
        said(&again).contains("Already received"),
        "{}",
        said(&again)
    );
    assert_eq!(
        count(
            &url,
            "SELECT COUNT(*) FROM tickets WHERE subject = 'Scanner offline'"
        ),
        1
    );

    // a mailbox the desk does not know: kept by the mail server for later, nothing stored
    let unknown = pipe(
        dir.path(),
        &url,
        &["--mailbox", "nope"],
        b"From: a@b.c\r\n\r\nx",
    );
    assert_eq!(unknown.status.code(), Some(75), "{}", said(&unknown));
    assert!(
        said(&unknown).contains("no active mailbox named"),
        "{}",
        said(&unknown)
    );

    // mail that can never be a ticket is still taken (held), so the mail server does not bounce it
    let garbage = pipe(dir.path(), &url, &[], b"\x00\x01 not mail");
    assert_eq!(garbage.status.code(), Some(0), "{}", said(&garbage));
    assert!(said(&garbage).contains("Held"), "{}", said(&garbage));
    assert_eq!(
        count(&url, "SELECT COUNT(*) FROM inbound_mail"),
        received_before + 2
    );

    // a database that cannot be reached: retry later, never 0
    let gone = pipe(
        dir.path(),
        "postgres://nobody@127.0.0.1:1/none",
        &[],
        message.as_bytes(),
    );
    assert_eq!(gone.status.code(), Some(75), "{}", said(&gone));
}

/// On SQLite the piping process cannot reach the server's live streams; the server finds the
/// piped mail itself and tells the queue within seconds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn piped_mail_reaches_the_live_queue_of_a_running_sqlite_desk() {
    let dir = tempfile::tempdir().unwrap();
    let url = seeded_desk(dir.path(), 0);
    let server = Server::start(dir.path(), &url).await;
    let morgan = server.session(MANAGER).await;
    let mut heard = forward_live(&server, &morgan).await;
    let message = format!(
        "From: <{}>\r\nSubject: Projector in room 4 is dead\r\nMessage-ID: <live-pipe@northwind.example>\r\n\r\nNo picture.\r\n",
        cast::CLIENT
    );
    let sent = std::time::Instant::now();
    let piped = {
        let (dir, url) = (dir.path().to_path_buf(), url.clone());
        tokio::task::spawn_blocking(move || pipe(&dir, &url, &[], message.as_bytes()))
            .await
            .unwrap()
    };
    assert_eq!(piped.status.code(), Some(0), "{}", said(&piped));
    let number: i64 = said(&piped)
        .split("Opened HD-")
        .nth(1)
        .and_then(|rest| rest.trim().trim_end_matches('.').parse().ok())
        .unwrap_or_else(|| panic!("{}", said(&piped)));
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let event = tokio::time::timeout_at(deadline, heard.recv())
            .await
            .expect("the piped ticket reached the live stream within 10 s")
            .expect("the stream stayed open");
        if event.1["number"] == number {
            println!("piped mail to live event: {:?}", event.0 - sent);
            break;
        }
    }
}
