//! Spawns the real application on a random port, over a fresh SQLite file, with a clock the test
//! controls.

#![allow(dead_code)]

pub mod calls;
pub mod desk;

use app::backend::clock::ManualClock;
use app::backend::{seed, AppState, Settings};
use std::net::SocketAddr;
use std::sync::Arc;

// The demo cast, as the seed creates it; names, firms and teams through `cast::`. Each test
// binary uses a part of it.
#[allow(unused_imports)]
pub use app::backend::seed::cast::{
    self, ADMIN, ANALYST, CLIENT, CLIENT_ADMIN, DEMO_PASSWORD, LEAD, MANAGER, NOW, OTHER_ANALYST,
    OTHER_CLIENT, SENIOR,
};

pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    pub clock: ManualClock,
    _dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

/// Default settings, with mail going to a sink inside the test's directory.
pub fn test_settings(dir: &std::path::Path) -> Settings {
    let notify = app::backend::notify::NotifySettings {
        sink_dir: dir.join("mail"),
        ..Default::default()
    };
    Settings {
        notify,
        attachment_dir: dir.join("attachments"),
        ..Settings::default()
    }
}

impl TestApp {
    /// A desk seeded with the demo cast and `tickets` tickets.
    pub async fn seeded(tickets: usize) -> TestApp {
        let app = TestApp::empty().await;
        seed::seed_demo(&app.state.pool, NOW, tickets)
            .await
            .expect("seed");
        app
    }

    pub async fn empty() -> TestApp {
        TestApp::empty_with(|_| {}).await
    }

    /// An empty desk whose settings the test adjusts.
    pub async fn empty_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut settings = test_settings(dir.path());
        adjust(&mut settings);
        let url = format!("sqlite://{}/frontline.db", dir.path().display());
        let clock = ManualClock::new(NOW);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let options = server::leptos_options(Some(addr)).expect("leptos options");
        let state = server::build_state(&url, Arc::new(clock.clone()), settings, options)
            .await
            .expect("state");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let serve_state = state.clone();
        tokio::spawn(async move {
            let _ = server::serve(serve_state, listener, async {
                let _ = rx.await;
            })
            .await;
        });
        TestApp {
            addr,
            state,
            clock,
            _dir: dir,
            shutdown: Some(tx),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A client that keeps cookies, like a browser tab.
    pub fn browser(&self) -> reqwest::Client {
        client_builder().cookie_store(true).build().expect("client")
    }

    /// Calls a server function with form-encoded arguments, as the app's forms do.
    pub async fn call(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        self.call_request(client, endpoint, form)
            .send()
            .await
            .expect("request")
    }

    /// The request `call` sends, for a test that adds to it (headers) before sending.
    pub fn call_request(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> reqwest::RequestBuilder {
        client
            .post(self.url(&format!("/api/{endpoint}")))
            .header("Origin", format!("http://{}", self.addr))
            .form(form)
    }

    /// A whole number the test's SQL selects from the app's database (an id, a count).
    pub async fn scalar(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.state.pool)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// The one value `sql` selects with `value` bound to its `$1`.
    pub async fn one<T>(&self, sql: &str, value: &str) -> T
    where
        T: Send + Unpin + for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
    {
        sqlx::query_scalar(sql)
            .bind(value)
            .fetch_one(&self.state.pool)
            .await
            .unwrap_or_else(|e| panic!("{sql} ({value}): {e}"))
    }

    /// The id of the organization with short code `code` (e.g. `cast::CLIENT_ORG`).
    pub async fn org_id(&self, code: &str) -> i64 {
        self.one("SELECT id FROM organizations WHERE code = $1", code)
            .await
    }

    /// The id of the team called `name` (e.g. `cast::TEAM`).
    pub async fn team_id(&self, name: &str) -> i64 {
        self.one("SELECT id FROM teams WHERE name = $1", name).await
    }

    /// The id of the user with e-mail `email`.
    pub async fn user_id(&self, email: &str) -> i64 {
        self.one("SELECT id FROM users WHERE email = $1", email)
            .await
    }

    /// Loads a page as a browser navigation does (browsers ask for HTML).
    pub async fn page(&self, client: &reqwest::Client, path: &str) -> reqwest::Response {
        client
            .get(self.url(path))
            .header("Accept", "text/html")
            .send()
            .await
            .expect("request")
    }

    /// Signs `email` in with the demo password; panics unless it works.
    pub async fn sign_in(&self, client: &reqwest::Client, email: &str) {
        let res = self
            .call(
                client,
                "sign_in",
                &[("email", email), ("password", DEMO_PASSWORD)],
            )
            .await;
        assert_eq!(
            res.status(),
            200,
            "sign-in of {email} failed: {}",
            res.text().await.unwrap_or_default()
        );
    }
}

/// Every test's HTTP client: no redirects followed, and a request that gets no answer fails the
/// test naming it instead of hanging until CI's limit. The read timeout restarts with every read,
/// so live streams (a heartbeat every few seconds) stay open as long as a test reads them.
pub fn client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(std::time::Duration::from_secs(10))
        .read_timeout(std::time::Duration::from_secs(30))
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
