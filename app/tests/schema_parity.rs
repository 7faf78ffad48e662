//! SQLite's migrations and PostgreSQL's build the same schema: the same tables, columns (type,
//! NOT NULL, default, generated id), primary and foreign keys, unique constraints, number of
//! CHECK constraints, indexes and full-text search coverage. Each side is migrated from empty,
//! SQLite in a temporary file and PostgreSQL in a fresh database on the tests' server (testpg).

#![cfg(feature = "ssr")]

mod schema;

use app::backend::db;

#[tokio::test]
async fn sqlite_and_postgres_migrations_build_the_same_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite = db::connect(&format!("sqlite://{}/parity.db", dir.path().display()))
        .await
        .expect("sqlite");
    db::migrate(&sqlite).await.expect("sqlite migrations");

    let database = testpg::TestPostgres::shared().database().await;
    let postgres = db::connect(&database.url).await.expect("postgres");
    db::migrate(&postgres).await.expect("postgres migrations");
    let (db::Pool::Sqlite(sqlite), db::Pool::Postgres(postgres)) = (sqlite, postgres) else {
        unreachable!("connect picks the backend by the URL's scheme");
    };

    let (on_sqlite, on_postgres) = (
        schema::sqlite(&sqlite).await,
        schema::postgres(&postgres).await,
    );
    // the comparison sees the schema, not two empty lists
    assert!(on_sqlite.keys().filter(|k| k.ends_with(": table")).count() > 30);
    assert_eq!(
        on_sqlite
            .get("tickets: full-text search")
            .map(String::as_str),
        Some("(problem, subject), indexed")
    );

    let differences = schema::diff(&on_sqlite, &on_postgres);
    assert!(
        differences.is_empty(),
        "app/migrations/sqlite and app/migrations/postgres build different schemas \
         ({} differences):\n{}",
        differences.len(),
        differences.join("\n")
    );

    // and a difference is seen: a column missing on one side
    let mut without = on_postgres.clone();
    without.remove("tickets: column subject");
    assert_eq!(
        schema::diff(&on_sqlite, &without),
        ["tickets: column subject\n    sqlite:   text NOT NULL\n    postgres: (missing)"]
    );
    postgres.close().await;
}
