//! The outbox as the notification tests drive it: settings that send through the tests' own SMTP
//! relay, and the worker run until nothing is left to send.

#![allow(dead_code)]

use super::smtp::TestSmtp;
use super::Desk;
use app::backend::notify::mailer::Deliverer;
use app::backend::notify::settings::{NotifySettings, SmtpRelay, SmtpTls};
use app::backend::notify::worker;

/// Mail settings that send through `smtp`, with a short timeout.
pub fn relay_settings(smtp: &TestSmtp) -> NotifySettings {
    NotifySettings {
        relay: Some(SmtpRelay {
            host: "127.0.0.1".into(),
            port: smtp.addr.port(),
            tls: SmtpTls::None,
            username: None,
            password: None,
        }),
        send_timeout_secs: 2,
        ..Default::default()
    }
}

/// Runs the worker's passes until one sends nothing; returns how many messages were sent.
pub async fn deliver_all(d: &Desk, deliverer: &Deliverer) -> usize {
    let mut total = 0;
    loop {
        let sent = worker::deliver_due(&d.state, deliverer).await.unwrap();
        if sent == 0 {
            return total;
        }
        total += sent;
    }
}
