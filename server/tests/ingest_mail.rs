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
        count(&url, "SELECT COUNT(*) FROM tickets WHERE channel = 'email'"),
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
    assert_eq!(count(&url, "SELECT COUNT(*) FROM inbound_mail"), 2);

    // a database that cannot be reached: retry later, never 0
    let gone = pipe(
        dir.path(),
        "postgres://nobody@127.0.0.1:1/none",
        &[],
        message.as_bytes(),
    );
    assert_eq!(gone.status.code(), Some(75), "{}", said(&gone));
}
