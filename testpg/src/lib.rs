//! A PostgreSQL server for Frontline's tests, and a fresh database per test.
//!
//! `FRONTLINE_TEST_POSTGRES`, the URL of an admin connection, names a server to use (`make test`
//! starts one for the whole run); without it the first test of a test binary that asks starts a
//! throwaway server of its own (initdb, about 1-2 s) that the binary's other tests share and that
//! is stopped and removed when the binary exits. Each test then gets its own database:
//!
//! ```no_run
//! # async fn t() {
//! let db = testpg::TestPostgres::shared().database().await;
//! let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
//! # }
//! ```

mod cluster;

use cluster::Cluster;
use sqlx::{Connection, Executor, PgConnection};
use std::hash::{BuildHasher, RandomState};
use std::sync::OnceLock;

/// The variable naming a running server to use instead of starting one.
pub const SERVER_VAR: &str = "FRONTLINE_TEST_POSTGRES";

/// A PostgreSQL server the tests may create databases on.
pub struct TestPostgres {
    admin_url: String,
    /// The server we started, stopped and removed on drop; `None` for one named by
    /// `FRONTLINE_TEST_POSTGRES`.
    cluster: Option<Cluster>,
}

impl TestPostgres {
    /// Starts a throwaway server of its own, stopped and removed when this is dropped.
    pub fn start() -> Result<TestPostgres, String> {
        let cluster = Cluster::start()?;
        Ok(TestPostgres {
            admin_url: format!("postgres://postgres@127.0.0.1:{}/postgres", cluster.port),
            cluster: Some(cluster),
        })
    }

    /// The server of this test binary: the one `FRONTLINE_TEST_POSTGRES` names, or one started
    /// on first use. Panics, saying what to install, when there is neither.
    pub fn shared() -> &'static TestPostgres {
        static SHARED: OnceLock<Result<TestPostgres, String>> = OnceLock::new();
        let server = SHARED.get_or_init(|| match std::env::var(SERVER_VAR) {
            Ok(url) if !url.is_empty() => Ok(TestPostgres {
                admin_url: url,
                cluster: None,
            }),
            _ => {
                let server = TestPostgres::start();
                // Statics are never dropped: stop the server when the process exits.
                extern "C" fn stop_shared() {
                    if let Some(Ok(TestPostgres {
                        cluster: Some(cluster),
                        ..
                    })) = SHARED.get()
                    {
                        cluster.stop();
                    }
                }
                // SAFETY: registers a plain function; it only runs commands and removes files.
                unsafe { libc::atexit(stop_shared) };
                server
            }
        });
        match server {
            Ok(server) => server,
            Err(e) => panic!("no PostgreSQL server for the tests: {e}"),
        }
    }

    /// The URL of a superuser connection to the server's `postgres` database.
    pub fn admin_url(&self) -> &str {
        &self.admin_url
    }

    /// A new, empty database of its own (`t_` and 16 random hex digits). On a server named by
    /// `FRONTLINE_TEST_POSTGRES` it is dropped again with the returned value; ours goes with the
    /// server.
    pub async fn database(&self) -> TestDatabase {
        let name = format!("t_{:016x}", RandomState::new().hash_one(std::process::id()));
        let mut admin = PgConnection::connect(&self.admin_url)
            .await
            .unwrap_or_else(|e| panic!("connecting to {}: {e}", self.admin_url));
        // template0: template1 may be in use by another test's connection.
        admin
            .execute(format!("CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'").as_str())
            .await
            .unwrap_or_else(|e| panic!("creating database {name}: {e}"));
        let _ = admin.close().await;
        TestDatabase {
            url: with_database(&self.admin_url, &name),
            drop_with: self
                .cluster
                .is_none()
                .then(|| (self.admin_url.clone(), name.clone())),
            name,
        }
    }
}

/// A database of a test's own on the test server.
pub struct TestDatabase {
    /// The URL to connect to it with (as the server's superuser).
    pub url: String,
    pub name: String,
    /// The admin URL to drop it through, on a server that outlives the tests.
    drop_with: Option<(String, String)>,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.drop_with.take() else {
            return;
        };
        // Drop runs outside any runtime (or inside one that may not block): a thread with its
        // own. FORCE ends the test's connections that are still open.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime
                .block_on(async {
                    let mut admin = PgConnection::connect(&admin_url).await?;
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    admin.execute(sql.as_str()).await?;
                    admin.close().await
                })
                .map_err(|e| format!("{name}: {e}"))
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("testpg: could not drop the test database {e}");
        }
    }
}

/// `url` with its database (the path) replaced by `name`, the query kept.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_database_of_a_url() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t_1"),
            "postgres://postgres@127.0.0.1:5432/t_1"
        );
        assert_eq!(
            with_database("postgres://u:p@h/admin?sslmode=disable", "t_1"),
            "postgres://u:p@h/t_1?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h:1", "t_1"), "postgres://h:1/t_1");
    }

    #[tokio::test]
    async fn each_test_gets_an_empty_database_of_its_own() {
        let server = TestPostgres::shared();
        let (a, b) = (server.database().await, server.database().await);
        assert_ne!(a.name, b.name);
        let mut conn = PgConnection::connect(&a.url).await.expect("connect");
        conn.execute("CREATE TABLE only_in_a (x BIGINT)")
            .await
            .expect("create");
        let mut other = PgConnection::connect(&b.url).await.expect("connect");
        let tables: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
        )
        .fetch_one(&mut other)
        .await
        .expect("count");
        assert_eq!(tables, 0);
    }

    #[test]
    fn a_server_of_its_own_is_gone_after_drop() {
        let server = TestPostgres::start().expect("start");
        let port = server.admin_url().rsplit(':').next().unwrap_or_default();
        let port: u16 = port
            .split('/')
            .next()
            .unwrap_or_default()
            .parse()
            .expect("port");
        assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
        drop(server);
        assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
    }
}
