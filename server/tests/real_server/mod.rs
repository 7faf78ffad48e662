//! The real `frontline` binary (the one cargo builds for these tests), run as a separate process
//! over a database file in a temporary directory: `migrate`, `seed-demo`, then `serve` on a free
//! port. For the suites that must see what a deployment sees: other processes, SIGKILL, restarts.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_frontline");
// The demo cast, as the seed creates it; each test binary uses a part of it.
#[allow(unused_imports)]
pub use app::backend::seed::cast::{self, ADMIN, ANALYST, CLIENT, DEMO_PASSWORD, LEAD, MANAGER};

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
    let tickets = tickets.to_string();
    for args in [vec!["migrate"], vec!["seed-demo", "--tickets", &tickets]] {
        let status = frontline(dir, &url)
            .args(&args)
            .status()
            .expect("run frontline");
        assert!(status.success(), "frontline {args:?}");
    }
    url
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
}

impl Server {
    /// Starts the server over the desk at `url` and waits until `/healthz` answers.
    pub async fn start(dir: &Path, url: &str) -> Server {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let child = frontline(dir, url)
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .spawn()
            .expect("start the server");
        let mut server = Server {
            child,
            api: Api { base },
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

    /// Signs `email` in with the demo password on `client`; panics unless it works.
    pub async fn sign_in(&self, client: &reqwest::Client, email: &str) {
        let res = self
            .post(
                client,
                "sign_in",
                &[("email", email), ("password", DEMO_PASSWORD)],
            )
            .send()
            .await
            .unwrap_or_else(|e| panic!("sign-in of {email}: {e}"));
        let status = res.status();
        assert_eq!(
            status,
            200,
            "sign-in of {email} failed: {}",
            res.text().await.unwrap_or_default()
        );
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
