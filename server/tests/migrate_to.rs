//! `frontline migrate-to postgres://…` with the real binary: a seeded SQLite desk moves to a
//! fresh PostgreSQL database table by table, with its content, its full-text search and ids that
//! go on from where the desk was; a target that holds a desk, and any pair of databases but
//! SQLite to PostgreSQL, are refused without a write; and the moved desk serves.

mod real_server;

use app::backend::db::{self, Pool};
use real_server::{browser, frontline, seeded_desk, Server, ADMIN, CLIENT, MANAGER};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

/// `frontline migrate-to target` over the desk at `url`, its output captured.
fn migrate_to(dir: &Path, url: &str, target: &str) -> Output {
    frontline(dir, url)
        .args(["migrate-to", target])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("run frontline migrate-to")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every table of the desk (not sqlx's, not SQLite's full-text index) and its rows.
async fn counts(url: &str) -> BTreeMap<String, i64> {
    let pool = db::connect(url).await.expect("open");
    let tables: Vec<String> = match &pool {
        Pool::Sqlite(p) => sqlx::query_scalar(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%'
             AND name NOT LIKE '%\\_fts%' ESCAPE '\\' AND name <> '_sqlx_migrations'",
        )
        .fetch_all(p)
        .await
        .expect("sqlite tables"),
        Pool::Postgres(p) => sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
               AND table_name <> '_sqlx_migrations'",
        )
        .fetch_all(p)
        .await
        .expect("postgres tables"),
    };
    let mut counts = BTreeMap::new();
    for table in tables {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let n: i64 =
            app::pool_run!(pool, c => sqlx::query_scalar(&sql).fetch_one(c).await).expect("count");
        counts.insert(table, n);
    }
    pool.close().await;
    counts
}

type TicketRow = (
    i64,
    i64,
    String,
    String,
    bool,
    bool,
    Option<i64>,
    Option<i64>,
);

/// What the desk holds of its tickets and the links written after every table (a team's lead).
async fn content(url: &str) -> (Vec<TicketRow>, Vec<(i64, Option<i64>)>) {
    let pool = db::connect(url).await.expect("open");
    let tickets = app::pool_run!(pool, c => sqlx::query_as(
        "SELECT id, number, subject, problem, first_contact_resolution, response_breached,
                assignee_id, first_response_at
         FROM tickets ORDER BY id",
    )
    .fetch_all(c).await)
    .expect("tickets");
    let leads = app::pool_run!(pool, c => sqlx::query_as(
        "SELECT id, lead_id FROM teams ORDER BY id"
    )
    .fetch_all(c).await)
    .expect("teams");
    pool.close().await;
    (tickets, leads)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_moves_to_postgres_verified_and_only_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let desk = seeded_desk(dir.path(), 300);
    let database = testpg::TestPostgres::shared().database().await;

    let out = migrate_to(dir.path(), &desk, &database.url);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(
        out.status.success(),
        "migrate-to failed: {stderr}\n{stdout}"
    );
    assert!(
        stdout.contains("verified: row counts and checksums match"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["tickets", "303", "rows"]),
        "{stdout}"
    );

    // table by table, the same rows
    let (on_sqlite, on_postgres) = (counts(&desk).await, counts(&database.url).await);
    assert!(on_sqlite.len() > 30, "{on_sqlite:?}");
    // the 300 generated and the demo mail's three
    assert_eq!(on_sqlite["tickets"], 303);
    assert!(on_sqlite["ticket_events"] > 300, "{on_sqlite:?}");
    assert_eq!(on_sqlite, on_postgres);
    let (tickets, leads) = content(&desk).await;
    assert!(leads.iter().any(|(_, lead)| lead.is_some()), "{leads:?}");
    assert!(tickets.iter().any(|t| t.4) && tickets.iter().any(|t| !t.4));
    assert_eq!((tickets, leads), content(&database.url).await);

    // the full-text search finds a ticket by a word of its subject
    let pool = db::connect(&database.url).await.expect("open postgres");
    let Pool::Postgres(pg) = &pool else {
        unreachable!("a postgres:// URL")
    };
    let (id, subject): (i64, String) =
        sqlx::query_as("SELECT id, subject FROM tickets ORDER BY id DESC LIMIT 1")
            .fetch_one(pg)
            .await
            .expect("a ticket");
    let word = subject
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| w.len() >= 4)
        .expect("a word in the subject")
        .to_lowercase();
    let found: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM tickets WHERE fts @@ to_tsquery('frontline', $1 || ':*')",
    )
    .bind(&word)
    .fetch_all(pg)
    .await
    .expect("search");
    assert!(found.contains(&id), "{word}: {found:?}");

    // new rows take new ids: the sequences moved past the copied ones
    let max_user: i64 = sqlx::query_scalar("SELECT MAX(id) FROM users")
        .fetch_one(pg)
        .await
        .expect("max");
    let mut create = frontline(dir.path(), &database.url);
    create
        .args([
            "create-user",
            "--email",
            "new.analyst@frontline.example",
            "--name",
            "New Analyst",
            "--role",
            "analyst",
        ])
        .stdin(Stdio::piped());
    let mut child = create.spawn().expect("create-user");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"a-long-enough-password-1\n")
        .expect("password");
    assert!(child.wait().expect("create-user").success());
    let new_user: i64 =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'new.analyst@frontline.example'")
            .fetch_one(pg)
            .await
            .expect("the new user");
    assert_eq!(new_user, max_user + 1);
    let max_event: i64 = sqlx::query_scalar("SELECT MAX(id) FROM ticket_events")
        .fetch_one(pg)
        .await
        .expect("max");
    let inserted: i64 = sqlx::query_scalar(
        "INSERT INTO ticket_events (ticket_id, at, actor_id, kind, public, body)
         VALUES ($1, 0, $2, 'note', FALSE, 'after the move') RETURNING id",
    )
    .bind(id)
    .bind(new_user)
    .fetch_one(pg)
    .await
    .expect("a new timeline step");
    assert_eq!(inserted, max_event + 1);
    pool.close().await;

    // a second run finds a desk there: refused, nothing changes
    let before = counts(&database.url).await;
    let again = migrate_to(dir.path(), &desk, &database.url);
    assert!(!again.status.success());
    let stderr = text(&again.stderr);
    assert!(stderr.contains("already holds a desk"), "{stderr}");
    assert_eq!(counts(&database.url).await, before);
}

#[tokio::test]
async fn only_sqlite_to_postgres_is_accepted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let desk = seeded_desk(dir.path(), 10);
    let database = testpg::TestPostgres::shared().database().await;
    let other = dir.path().join("other.db");
    let other_url = format!("sqlite://{}", other.display());

    // SQLite to SQLite
    let out = migrate_to(dir.path(), &desk, &other_url);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("the target must be a postgres:// URL"),
        "{}",
        text(&out.stderr)
    );
    assert!(!other.exists(), "nothing is created");

    // PostgreSQL to SQLite, and to PostgreSQL
    for target in [&other_url, &database.url] {
        let out = migrate_to(dir.path(), &database.url, target);
        assert!(!out.status.success());
        assert!(
            text(&out.stderr).contains("migrate-to moves a SQLite desk"),
            "{}",
            text(&out.stderr)
        );
    }
    assert!(!other.exists(), "nothing is created");
    let pool = db::connect(&database.url).await.expect("open postgres");
    let Pool::Postgres(pg) = &pool else {
        unreachable!("a postgres:// URL")
    };
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .fetch_one(pg)
    .await
    .expect("tables");
    assert_eq!(tables, 0, "the refused target is not even migrated");
    pool.close().await;
}

#[tokio::test]
async fn a_value_that_does_not_fit_rolls_the_whole_copy_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let desk = seeded_desk(dir.path(), 10);
    let database = testpg::TestPostgres::shared().database().await;
    // SQLite keeps what it is given: text in an integer column
    let pool = db::connect(&desk).await.expect("open the desk");
    app::pool_run!(pool, c => sqlx::query("UPDATE articles SET views = 'many' WHERE id = 3")
        .execute(c).await.map(|_| ()))
    .expect("spoil a value");
    pool.close().await;

    let out = migrate_to(dir.path(), &desk, &database.url);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("articles.views"), "{stderr}");
    let after = counts(&database.url).await;
    let held: Vec<_> = after
        .iter()
        .filter(|(table, rows)| **rows > 0 && *table != "counters")
        .collect();
    assert!(
        held.is_empty(),
        "rolled back, yet the target holds {held:?}"
    );
    assert!(after["users"] == 0 && after.len() > 30, "{after:?}");

    // mended, the same target takes the desk
    let pool = db::connect(&desk).await.expect("open the desk");
    app::pool_run!(pool, c => sqlx::query("UPDATE articles SET views = 7 WHERE id = 3")
        .execute(c).await.map(|_| ()))
    .expect("mend the value");
    pool.close().await;
    let out = migrate_to(dir.path(), &desk, &database.url);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_moved_desk_serves() {
    let dir = tempfile::tempdir().expect("tempdir");
    let desk = seeded_desk(dir.path(), 40);
    let database = testpg::TestPostgres::shared().database().await;
    let out = migrate_to(dir.path(), &desk, &database.url);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let server = Server::start(dir.path(), &database.url).await;
    let health = browser()
        .get(server.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
    // demo sign-ins, the administrator's with the second factor that moved with the desk
    for who in [MANAGER, ADMIN] {
        server.session(who).await;
    }
    let jo = server.session(CLIENT).await;
    let res = server
        .post(
            &jo,
            "raise_ticket",
            &[
                ("ticket[urgency]", "not_urgent"),
                ("ticket[problem]", "The meeting room screen shows no signal"),
            ],
        )
        .send()
        .await
        .expect("raise");
    assert_eq!(res.status(), 200, "raise: {}", res.text().await.unwrap());
    let number: i64 = res.json().await.expect("the new ticket's number");

    let pool = db::connect(&desk).await.expect("open the old desk");
    let last: i64 = app::pool_run!(pool, c => sqlx::query_scalar("SELECT MAX(number) FROM tickets")
        .fetch_one(c).await)
    .expect("the last number");
    pool.close().await;
    assert_eq!(number, last + 1, "numbers go on from the desk's");
}
