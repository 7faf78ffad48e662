//! The real `frontline` binary (the one cargo builds for these tests), run as a separate process
//! over a database file in a temporary directory: `migrate`, `seed-demo`, then `serve` on a free
//! port. For the suites that must see what a deployment sees: other processes, SIGKILL, restarts.

#![allow(dead_code)]

use app::backend::second_factor::code_at;
use app::model::second_factor::{SignInStep, STEP_SECS};
use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_frontline");
// The demo cast, as the seed creates it; each test binary uses a part of it.
#[allow(unused_imports)]
pub use app::backend::seed::cast::{self, ADMIN, ANALYST, CLIENT, DEMO_PASSWORD, LEAD, MANAGER};

/// The trusted browsers' tokens, by the desk's database and the person.
static TRUSTED: LazyLock<Mutex<HashMap<(String, String), String>>> =
    LazyLock::new(Default::default);

/// `frontline` with its database, mail sink and attachment directory inside `dir`.
pub fn frontline(dir: &Path, url: &str) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env("DATABASE_URL", url)
        .env("FRONTLINE_MAIL_DIR", dir.join("mail"))
        .env("FRONTLINE_ATTACHMENT_DIR", dir.join("files"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// The database URL of a desk in `dir`, migrated and seeded with the demo cast and `tickets`
/// tickets.
pub fn seeded_desk(dir: &Path, tickets: usize) -> String {
    let url = format!("sqlite://{}/frontline.db", dir.display());
    seed(dir, &url, tickets);
    url
}

/// Migrates the desk at `url` (SQLite or PostgreSQL) and seeds it with the demo cast and
/// `tickets` tickets, as an operator does with the binary.
pub fn seed(dir: &Path, url: &str, tickets: usize) {
    let tickets = tickets.to_string();
    for args in [vec!["migrate"], vec!["seed-demo", "--tickets", &tickets]] {
        let status = frontline(dir, url)
            .args(&args)
            .status()
            .expect("run frontline");
        assert!(status.success(), "frontline {args:?}");
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A running `frontline serve`. Dropping it kills the process. Derefs to its [`Api`].
pub struct Server {
    child: Child,
    api: Api,
}

impl std::ops::Deref for Server {
    type Target = Api;

    fn deref(&self) -> &Api {
        &self.api
    }
}

/// Where a server answers, for the tasks that call it (cheap to clone).
#[derive(Clone, Debug)]
pub struct Api {
    pub base: String,
    /// The desk's database, which the servers started over it share (trusted browsers).
    pub desk: String,
}

impl Server {
    /// Starts the server over the desk at `url` and waits until `/healthz` answers.
    pub async fn start(dir: &Path, url: &str) -> Server {
        Server::start_with(dir, url, &[]).await
    }

    /// [`Server::start`] with more environment variables (mail settings, say).
    pub async fn start_with(dir: &Path, url: &str, env: &[(&str, &str)]) -> Server {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let child = frontline(dir, url)
            .envs(env.iter().copied())
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .spawn()
            .expect("start the server");
        let mut server = Server {
            child,
            api: Api {
                base,
                desk: url.to_string(),
            },
        };
        server.wait_healthy().await;
        server
    }

    async fn wait_healthy(&mut self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "the server at {} exited while starting: {status}",
                    self.base
                );
            }
            if let Ok(res) = client.get(format!("{}/healthz", self.base)).send().await {
                if res.status().is_success() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server at {} did not become healthy", self.base);
    }

    /// SIGKILL: no shutdown code runs, whatever was in flight is cut off.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL");
        let _ = self.child.wait();
    }
}

impl Api {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A write to server function `endpoint`, form-encoded, from this server's own origin.
    pub fn post(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> reqwest::RequestBuilder {
        client
            .post(self.url(&format!("/api/{endpoint}")))
            .header("Origin", &self.base)
            .form(form)
    }

    /// A write to a `JsonArgs` server function (the administration forms).
    pub fn post_json(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        args: &serde_json::Value,
    ) -> reqwest::RequestBuilder {
        client
            .post(self.url(&format!("/api/{endpoint}")))
            .header("Origin", &self.base)
            .json(args)
    }

    /// Signs `email` in with the demo password on `client`, as a person does; panics unless it
    /// works. An account with a second factor answers the code of the wall clock (the step
    /// before, this one or the one after: each is accepted once) and has the browser trusted;
    /// later sign-ins of that person to this desk, from any server over it, present that
    /// browser's token instead of waiting up to 30 s for a code not spent yet.
    pub async fn sign_in(&self, client: &reqwest::Client, email: &str) {
        let trusted = TRUSTED
            .lock()
            .expect("lock")
            .get(&(self.desk.clone(), email.to_string()))
            .cloned();
        let mut req = self.post(
            client,
            "sign_in",
            &[("email", email), ("password", DEMO_PASSWORD)],
        );
        if let Some(token) = &trusted {
            req = req.header("Cookie", format!("frontline_trusted={token}"));
        }
        let res = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("sign-in of {email}: {e}"));
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        assert_eq!(status, 200, "sign-in of {email} failed: {text}");
        match serde_json::from_str::<SignInStep>(&text) {
            Ok(SignInStep::Landed { .. }) => return,
            Ok(SignInStep::CodeNeeded) => {}
            other => panic!("sign-in of {email}: {other:?} from {text}"),
        }
        let secret: String = {
            let pool = app::backend::db::connect(&self.desk).await.expect("open");
            let secret = app::pool_run!(pool, c => sqlx::query_scalar(
                "SELECT f.secret FROM second_factors f JOIN users u ON u.id = f.user_id
                 WHERE u.email = $1 AND f.confirmed_at IS NOT NULL",
            )
            .bind(email)
            .fetch_one(c).await)
            .unwrap_or_else(|e| panic!("the second factor of {email}: {e}"));
            pool.close().await;
            secret
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs() as i64;
        let mut refused = Vec::new();
        for at in [now - STEP_SECS, now, now + STEP_SECS] {
            let code = code_at(&secret, at).expect("a code");
            let res = self
                .post(
                    client,
                    "sign_in_code",
                    &[("code", code.as_str()), ("trust_browser", "on")],
                )
                .send()
                .await
                .unwrap_or_else(|e| panic!("the code of {email}: {e}"));
            let status = res.status();
            let token = res
                .cookies()
                .find(|c| c.name() == "frontline_trusted")
                .map(|c| c.value().to_string());
            let text = res.text().await.unwrap_or_default();
            match status.as_u16() {
                200 => {
                    let token = token.expect("a trusted browser's cookie");
                    TRUSTED
                        .lock()
                        .expect("lock")
                        .insert((self.desk.clone(), email.to_string()), token);
                    return;
                }
                422 => refused.push(text),
                _ => panic!("the code of {email} got {status}: {text}"),
            }
        }
        panic!("every code of {email} around the wall clock's time was refused: {refused:?}");
    }

    /// A fresh browser-like client (its own cookies and connections), signed in as `email`.
    pub async fn session(&self, email: &str) -> reqwest::Client {
        let client = browser();
        self.sign_in(&client, email).await;
        client
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill();
        }
    }
}

/// A client that keeps cookies like a browser tab, follows no redirects, and fails a request
/// that gets no answer instead of hanging.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client")
}

/// Forwards the ticket events of a live stream, each with the instant it arrived.
pub async fn forward_live(
    api: &Api,
    client: &reqwest::Client,
) -> tokio::sync::mpsc::UnboundedReceiver<(Instant, serde_json::Value)> {
    let mut res = client
        .get(api.url("/api/live"))
        .send()
        .await
        .expect("open the live stream");
    assert_eq!(res.status(), 200);
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut buffer = String::new();
        while let Ok(Some(chunk)) = res.chunk().await {
            let at = Instant::now();
            buffer.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buffer.find("\n\n") {
                let block: String = buffer.drain(..end + 2).collect();
                if !block.lines().any(|l| l == "event: ticket") {
                    continue;
                }
                let data = block.lines().find_map(|l| l.strip_prefix("data: "));
                if let Some(event) = data.and_then(|d| serde_json::from_str(d).ok()) {
                    if tx.send((at, event)).is_err() {
                        return;
                    }
                }
            }
        }
    });
    rx
}
