//! Sending one message: mail over SMTP (lettre) or into the local file sink, and pages as a JSON
//! webhook. Every send has a timeout, so a hanging relay or receiver never blocks the others.
//!
//! Mail carries what lets an answer come back threaded: a stable Message-ID, In-Reply-To and
//! References chaining the ticket's thread, and Reply-To the ticket's mailbox. Everything sent
//! is marked automatic (RFC 3834), so that vacation responders leave it unanswered.

use super::settings::{NotifySettings, SmtpTls};
use super::template::MailBody;
use crate::backend::repo::notifications::{Outgoing, ThreadMessage};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
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
    /// Where answers go when the ticket came through no mailbox of ours.
    reply_to: Option<Mailbox>,
    /// The domain part of every Message-ID: the From address's, so ids are the desk's own.
    domain: String,
    webhook_url: Option<String>,
    http: reqwest::Client,
    timeout: Duration,
}

/// The stable Message-ID of a notification (without angle brackets): retries of the same
/// message carry the same id, so a receiver can always tell a retry from a new message.
pub fn message_id(id: i64, created_at: i64, domain: &str) -> String {
    format!("notification-{id}.{created_at}@{domain}")
}

/// The notification a Message-ID of ours names (as [`message_id`] made it, angle brackets
/// allowed), whatever its domain: how an answer that quotes it in In-Reply-To or References finds
/// its ticket.
pub fn notification_of_message_id(message_id: &str) -> Option<i64> {
    let id = message_id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>');
    let (local, _domain) = id.split_once('@')?;
    let (id, created_at) = local.strip_prefix("notification-")?.split_once('.')?;
    created_at.parse::<i64>().ok()?;
    id.parse().ok()
}

/// References keep the first message of a thread and the latest ones: enough for any mail
/// client to thread, without a header that grows with every message.
const REFERENCES_KEPT: usize = 11;

/// The In-Reply-To and References header values for a message in `thread` (oldest first), or
/// None for the first message of a thread.
pub fn thread_headers(thread: &[String]) -> Option<(String, String)> {
    let newest = thread.last()?;
    let kept: Vec<&String> = if thread.len() > REFERENCES_KEPT {
        std::iter::once(&thread[0])
            .chain(&thread[thread.len() - (REFERENCES_KEPT - 1)..])
            .collect()
    } else {
        thread.iter().collect()
    };
    let references: Vec<String> = kept.iter().map(|id| format!("<{id}>")).collect();
    Some((format!("<{newest}>"), references.join(" ")))
}

fn header(name: &'static str, value: &str) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value.to_string())
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
        let reply_to = settings
            .reply_to
            .as_deref()
            .map(|r| r.parse::<Mailbox>())
            .transpose()
            .map_err(|e| format!("FRONTLINE_MAIL_REPLY_TO: {e}"))?;
        let domain = settings.message_domain();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Deliverer {
            mail,
            from,
            reply_to,
            domain,
            webhook_url: settings.webhook_url.clone(),
            http,
            timeout,
        })
    }

    /// The Message-ID `m` is sent with, without angle brackets.
    pub fn message_id_of(&self, m: &Outgoing) -> String {
        message_id(m.id, m.created_at, &self.domain)
    }

    /// Sends one message, a reply in `thread` (the ticket's earlier mail, oldest first); Err says
    /// why, in words fit for the log and the timeline.
    pub async fn send(&self, m: &Outgoing, thread: &[ThreadMessage]) -> Result<(), String> {
        match m.channel.as_str() {
            "webhook" => self.post_webhook(m).await,
            _ => self.send_mail(m, thread).await,
        }
    }

    async fn send_mail(&self, m: &Outgoing, thread: &[ThreadMessage]) -> Result<(), String> {
        let to: Mailbox = format!(
            "{} <{}>",
            m.to_name.replace(['<', '>', '"'], ""),
            m.to_email
        )
        .parse()
        .map_err(|e| format!("bad recipient address: {e}"))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&m.subject)
            .message_id(Some(format!("<{}>", self.message_id_of(m))))
            .raw_header(header("Auto-Submitted", "auto-replied"))
            .raw_header(header("X-Auto-Response-Suppress", "All"));
        let mailbox = m
            .reply_to
            .as_deref()
            .and_then(|a| a.parse::<Mailbox>().ok());
        if let Some(reply_to) = mailbox.or_else(|| self.reply_to.clone()) {
            builder = builder.reply_to(reply_to);
        }
        let thread: Vec<String> = thread
            .iter()
            .map(|t| match t {
                ThreadMessage::Received(id) => id.clone(),
                ThreadMessage::Sent { id, created_at } => {
                    message_id(*id, *created_at, &self.domain)
                }
            })
            .collect();
        if let Some((in_reply_to, references)) = thread_headers(&thread) {
            builder = builder.in_reply_to(in_reply_to).references(references);
        }
        let email = builder
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
                let path = dir.join(format!("{}.eml", self.message_id_of(m)));
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
            .header("idempotency-key", self.message_id_of(m))
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
        assert_eq!(
            message_id(7, 100, "d.example"),
            message_id(7, 100, "d.example")
        );
        assert_ne!(
            message_id(7, 100, "d.example"),
            message_id(8, 100, "d.example")
        );
        assert_eq!(
            message_id(7, 100, "d.example"),
            "notification-7.100@d.example"
        );
    }

    #[test]
    fn our_message_ids_name_their_notification() {
        assert_eq!(
            notification_of_message_id("<notification-7.100@d.example>"),
            Some(7)
        );
        assert_eq!(
            notification_of_message_id("notification-42.1700000000@frontline"),
            Some(42)
        );
        assert_eq!(
            notification_of_message_id(&message_id(7, 100, "d.example")),
            Some(7)
        );
        for other in [
            "<abc@mail.gmail.com>",
            "abc@contoso.com",
            "notification-x.1@d",
            "notification-7@d",
            "",
        ] {
            assert_eq!(notification_of_message_id(other), None, "{other}");
        }
    }

    #[test]
    fn references_keep_the_first_and_the_latest_messages() {
        assert_eq!(thread_headers(&[]), None);
        let one = thread_headers(&["a@x".into()]).unwrap();
        assert_eq!(one, ("<a@x>".to_string(), "<a@x>".to_string()));
        let ids: Vec<String> = (1..=30).map(|i| format!("m{i}@x")).collect();
        let (in_reply_to, references) = thread_headers(&ids).unwrap();
        assert_eq!(in_reply_to, "<m30@x>");
        let kept: Vec<&str> = references.split(' ').collect();
        assert_eq!(kept.len(), REFERENCES_KEPT);
        assert_eq!(kept[0], "<m1@x>");
        assert_eq!(kept[1], "<m21@x>");
        assert_eq!(kept.last(), Some(&"<m30@x>"));
    }
}
