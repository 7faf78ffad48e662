//! Spawns the real application on a random port, over a fresh SQLite file, with a clock the test
//! controls.

#![allow(dead_code)]

pub mod api;
pub mod calls;
pub mod desk;

use app::backend::clock::ManualClock;
use app::backend::{auth, second_factor, seed, AppState, Settings};
use app::model::second_factor::{SignInStep, STEP_SECS};
use app::model::AppError;
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
    _postgres: Option<testpg::TestDatabase>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

/// Set to `postgres` to run a suite on PostgreSQL (a database of its own per test, on the
/// tests' server: testpg) instead of a SQLite file.
pub const DATABASE_VAR: &str = "FRONTLINE_TEST_DATABASE";

/// Default settings, with mail going to a sink inside the test's directory.
pub fn test_settings(dir: &std::path::Path) -> Settings {
    let notify = app::backend::notify::NotifySettings {
        sink_dir: dir.join("mail"),
        ..Default::default()
    };
    let mut settings = Settings {
        notify,
        attachment_dir: dir.join("attachments"),
        ..Settings::default()
    };
    // webhooks the suites subscribe go to this machine only, their secrets sealed
    settings.webhooks.allow_hosts = vec!["127.0.0.1".into()];
    settings.secret_key = Some(app::backend::secrets::SecretKey::generate());
    settings
}

impl TestApp {
    /// A desk seeded with the demo cast and `tickets` tickets.
    pub async fn seeded(tickets: usize) -> TestApp {
        TestApp::seeded_with(tickets, |_| {}).await
    }

    /// A seeded desk whose settings the test adjusts.
    pub async fn seeded_with(tickets: usize, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let app = TestApp::empty_with(adjust).await;
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
        let postgres = if std::env::var(DATABASE_VAR).is_ok_and(|v| v == "postgres") {
            Some(testpg::TestPostgres::shared().database().await)
        } else {
            None
        };
        let url = match &postgres {
            Some(database) => database.url.clone(),
            None => format!("sqlite://{}/frontline.db", dir.path().display()),
        };
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
            _postgres: postgres,
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
        app::pool_run!(self.state.pool, c => sqlx::query_scalar(sql)
            .fetch_one(c).await)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// The one value `sql` selects with `value` bound to its `$1`.
    pub async fn one<T>(&self, sql: &str, value: &str) -> T
    where
        T: Send + Unpin + for<'r> app::backend::repo::Decodes<'r>,
    {
        app::pool_run!(self.state.pool, c => sqlx::query_scalar(sql)
            .bind(value)
            .fetch_one(c).await)
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

    /// Signs `email` in with the demo password as a browser does; panics unless it works. An
    /// account with a second factor answers the code its app shows (see [`TestApp::codes`]).
    pub async fn sign_in(&self, client: &reqwest::Client, email: &str) {
        let res = self
            .call(
                client,
                "sign_in",
                &[("email", email), ("password", DEMO_PASSWORD)],
            )
            .await;
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        assert_eq!(status, 200, "sign-in of {email} failed: {text}");
        match serde_json::from_str::<SignInStep>(&text) {
            Ok(SignInStep::Landed { .. }) => return,
            Ok(SignInStep::CodeNeeded) => {}
            other => panic!("sign-in of {email}: {other:?} from {text}"),
        }
        let mut refused = Vec::new();
        for code in self.codes(email).await {
            let res = self.call(client, "sign_in_code", &[("code", &code)]).await;
            let status = res.status();
            let text = res.text().await.unwrap_or_default();
            match status.as_u16() {
                200 => return,
                422 => refused.push(text),
                _ => panic!("the code of {email} got {status}: {text}"),
            }
        }
        panic!("every code of {email} around the clock's time was refused: {refused:?}");
    }

    /// A session token for `email` (the demo password, and the code where one is asked for),
    /// signed in without HTTP, for a test that sends its own `Cookie` header.
    pub async fn session_token(&self, email: &str) -> String {
        let client = auth::ClientInfo::default();
        let outcome = auth::sign_in(&self.state, email, seed::DEMO_PASSWORD, &client)
            .await
            .unwrap_or_else(|e| panic!("sign-in of {email}: {e}"));
        let challenge = match outcome {
            auth::SignInOutcome::SignedIn(signed_in) => return signed_in.token,
            auth::SignInOutcome::Challenged {
                token,
                step: SignInStep::CodeNeeded,
            } => token,
            auth::SignInOutcome::Challenged { step, .. } => {
                panic!("sign-in of {email}: {step:?}")
            }
        };
        let mut refused = Vec::new();
        for code in self.codes(email).await {
            match auth::answer_challenge(&self.state, &challenge, &code, false, &client).await {
                Ok(answered) => return answered.signed_in.token,
                Err(e @ AppError::Invalid(_)) => refused.push(e.to_string()),
                Err(e) => panic!("the code of {email}: {e}"),
            }
        }
        panic!("every code of {email} around the clock's time was refused: {refused:?}");
    }

    /// The codes `email`'s authenticator app shows for the step before the test clock's time,
    /// its step and the one after, in that order: the test clock stands still while a code is
    /// accepted only once, so a test that signs the same person in a second and third time
    /// takes the next one. (A fourth sign-in needs the clock moved on.)
    pub async fn codes(&self, email: &str) -> Vec<String> {
        let secret: String = app::pool_run!(self.state.pool, c => sqlx::query_scalar(
            "SELECT f.secret FROM second_factors f JOIN users u ON u.id = f.user_id
             WHERE u.email = $1 AND f.confirmed_at IS NOT NULL",
        )
        .bind(email)
        .fetch_one(c).await)
        .unwrap_or_else(|e| panic!("the second factor of {email}: {e}"));
        let now = self.state.now();
        [now - STEP_SECS, now, now + STEP_SECS]
            .into_iter()
            .map(|at| second_factor::code_at(&secret, at).expect("a code"))
            .collect()
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
