//! The request log never holds a one-time token: password links and page acknowledgement links
//! are credentials, and a log is read by more people than the mail they came in.

mod common;

use app::backend::policy::Actor;
use app::backend::repo::users;
use common::*;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Everything the log writes, kept for the test to read.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_time_tokens_never_reach_the_request_log() {
    let log = Captured::default();
    let writer = log.clone();
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish(),
    )
    .unwrap();

    let app = TestApp::seeded(0).await;
    let admin_id = app
        .scalar(&format!("SELECT id FROM users WHERE email = '{ADMIN}'"))
        .await;
    let jo_id = app
        .scalar(&format!("SELECT id FROM users WHERE email = '{CLIENT}'"))
        .await;
    let sam = Actor::from(
        &users::me(&mut app.state.pool.acquire().await.unwrap(), admin_id)
            .await
            .unwrap()
            .unwrap(),
    );
    let link = app::backend::admin::password_link(&app.state, &sam, jo_id)
        .await
        .unwrap();
    let reset_token = link.path.trim_start_matches("/reset/").to_string();
    assert_eq!(reset_token.len(), 64, "{}", link.path);
    let page_token = app::backend::auth::new_token();

    let client = app.browser();
    for path in [
        link.path.clone(),
        format!("/pages/{page_token}"),
        format!("/reset/{reset_token}/"),
    ] {
        let res = app.page(&client, &path).await;
        assert!(res.status().as_u16() < 500, "{path}: {}", res.status());
        let _ = res.text().await;
    }
    // a refused cross-site write to a token's path logs its path too
    let _ = client
        .post(app.url(&format!("/pages/{page_token}")))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    app.page(&client, "/signin").await.text().await.unwrap();

    let text = log.text();
    assert!(
        text.contains("/signin"),
        "requests are logged with their path: {text}"
    );
    assert!(text.contains("/reset/[redacted]"), "{text}");
    assert!(text.contains("/pages/[redacted]"), "{text}");
    for token in [&reset_token, &page_token] {
        assert!(!text.contains(token.as_str()), "a token in the log: {text}");
        assert!(
            !text.contains(&token[..16]),
            "part of a token in the log: {text}"
        );
    }
}
