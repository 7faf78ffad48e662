//! Sending one message: mail over SMTP (lettre) or into the local file sink, and pages as a JSON
//! webhook. Every send has a timeout, so a hanging relay or receiver never blocks the others.

use super::settings::{NotifySettings, SmtpTls};
use super::template::MailBody;
use crate::backend::repo::notifications::Outgoing;
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::time::Duration;

pub enum MailTransport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// No relay configured: each message becomes `<sink>/<message id>.eml`.
    Sink(PathBuf),
}

pub struct Deliverer {
    mail: MailTransport,
    from: Mailbox,
    webhook_url: Option<String>,
    http: reqwest::Client,
    timeout: Duration,
}

/// The stable Message-ID of a notification: retries of the same message carry the same id, so
/// a receiver can always tell a retry from a new message.
pub fn message_id(id: i64, created_at: i64) -> String {
    format!("notification-{id}.{created_at}@frontline")
}

/// The notification a Message-ID of ours names (as [`message_id`] made it), whatever its domain.
pub fn notification_of_message_id(id: &str) -> Option<i64> {
    let local = id.split('@').next()?;
    let (number, _) = local.strip_prefix("notification-")?.split_once('.')?;
    number.parse().ok()
}

/// The HTML part as the message's template wrote it; a message without one (written before
/// templates kept their HTML) gets its text, escaped, with no links.
fn html_part(m: &Outgoing) -> String {
    m.html
        .clone()
        .unwrap_or_else(|| MailBody::from(m.body.as_str()).html())
}

impl Deliverer {
    pub fn new(settings: &NotifySettings) -> Result<Deliverer, String> {
        let timeout = Duration::from_secs(settings.send_timeout_secs);
        let mail = match &settings.relay {
            None => MailTransport::Sink(settings.sink_dir.clone()),
            Some(relay) => {
                let builder = match relay.tls {
                    SmtpTls::None => {
                        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&relay.host)
                    }
                    SmtpTls::StartTls => {
                        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&relay.host)
                            .map_err(|e| format!("SMTP relay {}: {e}", relay.host))?
                    }
                    SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&relay.host)
                        .map_err(|e| format!("SMTP relay {}: {e}", relay.host))?,
                };
                let mut builder = builder.port(relay.port).timeout(Some(timeout));
                if let (Some(user), Some(password)) = (&relay.username, &relay.password) {
                    builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
                }
                MailTransport::Smtp(builder.build())
            }
        };
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| format!("FRONTLINE_MAIL_FROM: {e}"))?;
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Deliverer {
            mail,
            from,
            webhook_url: settings.webhook_url.clone(),
            http,
            timeout,
        })
    }

    /// Sends one message; Err says why, in words fit for the log and the timeline.
    pub async fn send(&self, m: &Outgoing) -> Result<(), String> {
        match m.channel.as_str() {
            "webhook" => self.post_webhook(m).await,
            _ => self.send_mail(m).await,
        }
    }

    async fn send_mail(&self, m: &Outgoing) -> Result<(), String> {
        let to: Mailbox = format!(
            "{} <{}>",
            m.to_name.replace(['<', '>', '"'], ""),
            m.to_email
        )
        .parse()
        .map_err(|e| format!("bad recipient address: {e}"))?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&m.subject)
            .message_id(Some(format!("<{}>", message_id(m.id, m.created_at))))
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(m.body.clone()),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(html_part(m)),
                    ),
            )
            .map_err(|e| format!("could not build the message: {e}"))?;
        match &self.mail {
            MailTransport::Smtp(smtp) => {
                match tokio::time::timeout(self.timeout, smtp.send(email)).await {
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err(e)) => Err(format!("the mail relay refused or failed: {e}")),
                    Err(_) => Err("the mail relay did not answer in time".into()),
                }
            }
            MailTransport::Sink(dir) => {
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| format!("mail sink {}: {e}", dir.display()))?;
                // same message, same file: a retry overwrites rather than duplicates
                let path = dir.join(format!("{}.eml", message_id(m.id, m.created_at)));
                tokio::fs::write(&path, email.formatted())
                    .await
                    .map_err(|e| format!("mail sink {}: {e}", path.display()))
            }
        }
    }

    async fn post_webhook(&self, m: &Outgoing) -> Result<(), String> {
        let Some(url) = &self.webhook_url else {
            return Err("no page webhook is configured (FRONTLINE_PAGE_WEBHOOK)".into());
        };
        let body = m.payload.clone().unwrap_or_else(|| "{}".into());
        let response = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .header("idempotency-key", message_id(m.id, m.created_at))
            .body(body)
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    "the page receiver did not answer in time".to_string()
                } else {
                    format!("the page receiver could not be reached: {e}")
                }
            })?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("the page receiver answered {}", response.status()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_stable_per_message() {
        assert_eq!(message_id(7, 100), message_id(7, 100));
        assert_ne!(message_id(7, 100), message_id(8, 100));
        assert_eq!(notification_of_message_id(&message_id(7, 100)), Some(7));
        assert_eq!(notification_of_message_id("notification-x.1@a"), None);
        assert_eq!(notification_of_message_id("abc@contoso.com"), None);
    }
}
