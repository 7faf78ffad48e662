//! A webhook receiver for the tests: a real HTTP server on 127.0.0.1 that records every request
//! and answers as the test says (taking them, failing, hanging, or redirecting), and a check of
//! a Standard Webhooks signature by an implementation other than the desk's own (Python's hmac
//! module, or the openssl command line where Python is missing). server/tests include it too.

#![allow(dead_code)]

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the receiver answers.
#[derive(Debug, Clone)]
pub enum Mode {
    Up,
    /// Answers this status (an outage).
    Failing(u16),
    /// Takes each request after this long.
    Slow(Duration),
    /// Answers 302 to this location.
    Redirect(String),
}

/// One request as it arrived, and whether it was taken (answered 2xx).
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HashMap<String, String>,
    pub body: String,
    pub taken: bool,
    /// When it arrived (for latencies).
    pub at: std::time::Instant,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("the body is JSON")
    }
}

#[derive(Default)]
struct Inner {
    mode: Option<Mode>,
    received: Vec<Received>,
}

#[derive(Clone)]
pub struct Receiver {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
}

async fn take(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let at = std::time::Instant::now();
    let mode = inner.lock().unwrap().mode.clone().unwrap_or(Mode::Up);
    if let Mode::Slow(wait) = &mode {
        tokio::time::sleep(*wait).await;
    }
    let (taken, response) = match mode {
        Mode::Up | Mode::Slow(_) => (true, StatusCode::NO_CONTENT.into_response()),
        Mode::Failing(code) => (
            false,
            StatusCode::from_u16(code)
                .unwrap_or(StatusCode::SERVICE_UNAVAILABLE)
                .into_response(),
        ),
        Mode::Redirect(to) => (
            false,
            (StatusCode::FOUND, [("location", to)]).into_response(),
        ),
    };
    let headers = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
        .collect();
    inner.lock().unwrap().received.push(Received {
        headers,
        body,
        taken,
        at,
    });
    response
}

impl Receiver {
    pub async fn start() -> Receiver {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = axum::Router::new()
            .fallback(axum::routing::post(take))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { addr, inner }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn set(&self, mode: Mode) {
        self.inner.lock().unwrap().mode = Some(mode);
    }

    /// Every request so far, in the order they arrived.
    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }

    /// The requests taken, each event once: de-duplicated by `webhook-id` as a receiver does.
    pub fn taken_once(&self) -> Vec<Received> {
        let mut seen = std::collections::HashSet::new();
        self.received()
            .into_iter()
            .filter(|r| r.taken)
            .filter(|r| seen.insert(r.header("webhook-id").unwrap_or_default().to_string()))
            .collect()
    }

    /// Waits up to `secs` for `n` requests to have been taken (de-duplicated).
    pub async fn wait_taken(&self, n: usize, secs: u64) -> Vec<Received> {
        let deadline = std::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let taken = self.taken_once();
            if taken.len() >= n || std::time::Instant::now() > deadline {
                return taken;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Whether `signature` (`v1,<base64>`) signs `{id}.{timestamp}.{body}` under `secret`
/// (`whsec_<base64>`), as checked by Python's hmac module or, without Python, `openssl dgst`.
pub fn verified_independently(
    secret: &str,
    id: &str,
    timestamp: &str,
    body: &str,
    signature: &str,
) -> bool {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let key = secret.strip_prefix("whsec_").expect("a whsec_ secret");
    let message = format!("{id}.{timestamp}.{body}");
    let has = |tool: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let mut cmd = if has("python3") {
        let mut cmd = Command::new("python3");
        cmd.args([
            "-c",
            "import sys, hmac, hashlib, base64; \
             k = base64.b64decode(sys.argv[1]); \
             print(base64.b64encode(hmac.new(k, sys.stdin.buffer.read(), hashlib.sha256).digest()).decode())",
            key,
        ]);
        cmd
    } else {
        // openssl takes the key in hex; it prints the MAC in binary for base64 to encode
        let hex: String = base64_decode(key)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let mut cmd = Command::new("sh");
        cmd.args([
            "-c",
            &format!("openssl dgst -sha256 -mac HMAC -macopt hexkey:{hex} -binary | base64"),
        ]);
        cmd
    };
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 or openssl");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(message.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the independent check failed to run");
    let expected = String::from_utf8(out.stdout).unwrap();
    signature
        .split(' ')
        .any(|s| s == format!("v1,{}", expected.trim()))
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("base64")
}
