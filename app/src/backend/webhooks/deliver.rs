//! One HTTP attempt of a delivery: to the address the guard vetted and no other, with a 10 s
//! timeout and no redirect followed (a redirect could lead anywhere, past the guard). Any answer
//! but 2xx is a failure, recorded with its status code and how long the receiver took.

use super::guard::Target;
use std::time::{Duration, Instant};

pub const TIMEOUT: Duration = Duration::from_secs(10);

/// How an attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status_code: Option<u16>,
    pub response_ms: i64,
    /// Why it failed; None when the receiver took it.
    pub error: Option<String>,
}

impl Outcome {
    pub fn refused(error: String) -> Outcome {
        Outcome {
            status_code: None,
            response_ms: 0,
            error: Some(error),
        }
    }

    pub fn delivered(&self) -> bool {
        self.error.is_none()
    }
}

/// Posts `body` with `headers` to the vetted `target`.
pub async fn post(target: &Target, headers: &[(&str, String)], body: String) -> Outcome {
    let client = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        // connect to the vetted address whatever the name resolves to by now
        .resolve(&target.host, target.addr)
        .user_agent("Frontline-Webhooks/1")
        .build()
    {
        Ok(client) => client,
        Err(e) => return Outcome::refused(format!("the HTTP client could not be set up: {e}")),
    };
    let mut request = client
        .post(target.url.clone())
        .header("content-type", "application/json")
        .body(body);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let started = Instant::now();
    let result = request.send().await;
    let response_ms = started.elapsed().as_millis() as i64;
    match result {
        Ok(response) => {
            let status = response.status();
            let error = if status.is_success() {
                None
            } else if status.is_redirection() {
                Some(format!(
                    "the receiver answered {status} (redirects are not followed)"
                ))
            } else {
                Some(format!("the receiver answered {status}"))
            };
            Outcome {
                status_code: Some(status.as_u16()),
                response_ms,
                error,
            }
        }
        Err(e) => Outcome {
            status_code: None,
            response_ms,
            error: Some(if e.is_timeout() {
                "the receiver did not answer within 10 seconds".to_string()
            } else {
                format!("the receiver could not be reached: {e}")
            }),
        },
    }
}
