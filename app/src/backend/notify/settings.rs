//! How the desk sends mail and pages, from the environment. Bad settings stop the server at
//! start-up with a plain message, instead of failing later message by message.

use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain SMTP (a relay on the same host or network).
    None,
    /// Upgrade with STARTTLS (usually port 587).
    StartTls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpRelay {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifySettings {
    /// None: mail goes to `sink_dir` as .eml files (a local file sink).
    pub relay: Option<SmtpRelay>,
    pub from: String,
    /// Where answers go for tickets that came through no mailbox of the desk (those go back to
    /// their mailbox); None: to the From address.
    pub reply_to: Option<String>,
    pub sink_dir: PathBuf,
    /// Where links in messages point (the address people open the desk at).
    pub base_url: String,
    /// JSON POST target for on-call pages (PagerDuty/Opsgenie/ntfy-style receivers).
    pub webhook_url: Option<String>,
    /// A page not acknowledged within this goes to the team lead.
    pub page_ack_secs: i64,
    /// Attempts before a message is given up as failed.
    pub max_attempts: i64,
    /// A relay or receiver that takes longer than this is treated as down for that attempt.
    pub send_timeout_secs: u64,
}

impl Default for NotifySettings {
    fn default() -> Self {
        NotifySettings {
            relay: None,
            from: "Frontline Help Desk <helpdesk@frontline.example>".into(),
            reply_to: None,
            sink_dir: PathBuf::from("data/mail"),
            base_url: "http://127.0.0.1:3000".into(),
            webhook_url: None,
            page_ack_secs: 15 * 60,
            max_attempts: 12,
            send_timeout_secs: 10,
        }
    }
}

fn is_http_url(s: &str) -> bool {
    let Some(rest) = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
    else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty() && !host.contains(char::is_whitespace) && !host.starts_with(':')
}

impl NotifySettings {
    /// The domain of the From address, lower case: the right-hand side of the Message-IDs the
    /// desk makes.
    pub fn message_domain(&self) -> String {
        let address = self.from.rsplit('<').next().unwrap_or_default();
        let domain = address.rsplit('@').next().unwrap_or_default();
        domain
            .trim()
            .trim_end_matches('>')
            .trim()
            .to_ascii_lowercase()
    }

    /// Reads FRONTLINE_SMTP_HOST, _PORT, _TLS (none, starttls, tls), _USER, _PASSWORD,
    /// FRONTLINE_MAIL_FROM, FRONTLINE_MAIL_REPLY_TO, FRONTLINE_MAIL_DIR, FRONTLINE_BASE_URL, FRONTLINE_PAGE_WEBHOOK and
    /// FRONTLINE_PAGE_ACK_MINUTES through `var`.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<NotifySettings, String> {
        let mut s = NotifySettings::default();
        let get = |name: &str| {
            var(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        if let Some(host) = get("FRONTLINE_SMTP_HOST") {
            if host.contains(|c: char| c.is_whitespace() || c == '/') {
                return Err(format!(
                    "FRONTLINE_SMTP_HOST \"{host}\" is not a host name."
                ));
            }
            let tls = match get("FRONTLINE_SMTP_TLS").as_deref().unwrap_or("starttls") {
                "none" => SmtpTls::None,
                "starttls" => SmtpTls::StartTls,
                "tls" => SmtpTls::Tls,
                other => {
                    return Err(format!(
                        "FRONTLINE_SMTP_TLS must be none, starttls or tls, not \"{other}\"."
                    ))
                }
            };
            let default_port = match tls {
                SmtpTls::None => 25,
                SmtpTls::StartTls => 587,
                SmtpTls::Tls => 465,
            };
            let port =
                match get("FRONTLINE_SMTP_PORT") {
                    Some(p) => p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
                        format!("FRONTLINE_SMTP_PORT \"{p}\" is not a port number.")
                    })?,
                    None => default_port,
                };
            let (username, password) = (get("FRONTLINE_SMTP_USER"), get("FRONTLINE_SMTP_PASSWORD"));
            if username.is_some() != password.is_some() {
                return Err(
                    "Set both FRONTLINE_SMTP_USER and FRONTLINE_SMTP_PASSWORD, or neither.".into(),
                );
            }
            s.relay = Some(SmtpRelay {
                host,
                port,
                tls,
                username,
                password,
            });
        } else if get("FRONTLINE_SMTP_PORT").is_some() || get("FRONTLINE_SMTP_TLS").is_some() {
            return Err(
                "FRONTLINE_SMTP_PORT and FRONTLINE_SMTP_TLS need FRONTLINE_SMTP_HOST.".into(),
            );
        }
        if let Some(from) = get("FRONTLINE_MAIL_FROM") {
            if !from.contains('@') {
                return Err(format!(
                    "FRONTLINE_MAIL_FROM \"{from}\" is not an e-mail address."
                ));
            }
            s.from = from;
        }
        if let Some(reply_to) = get("FRONTLINE_MAIL_REPLY_TO") {
            if !reply_to.contains('@') {
                return Err(format!(
                    "FRONTLINE_MAIL_REPLY_TO \"{reply_to}\" is not an e-mail address."
                ));
            }
            s.reply_to = Some(reply_to);
        }
        if let Some(dir) = get("FRONTLINE_MAIL_DIR") {
            s.sink_dir = PathBuf::from(dir);
        }
        if let Some(url) = get("FRONTLINE_BASE_URL") {
            if !is_http_url(&url) {
                return Err(format!(
                    "FRONTLINE_BASE_URL \"{url}\" is not an http(s) address."
                ));
            }
            s.base_url = url.trim_end_matches('/').to_string();
        }
        if let Some(url) = get("FRONTLINE_PAGE_WEBHOOK") {
            if !is_http_url(&url) {
                return Err(format!(
                    "FRONTLINE_PAGE_WEBHOOK \"{url}\" is not an http(s) address."
                ));
            }
            s.webhook_url = Some(url);
        }
        if let Some(mins) = get("FRONTLINE_PAGE_ACK_MINUTES") {
            s.page_ack_secs = mins
                .parse::<i64>()
                .ok()
                .filter(|m| (1..=24 * 60).contains(m))
                .ok_or_else(|| {
                    format!("FRONTLINE_PAGE_ACK_MINUTES \"{mins}\" must be 1 to 1440.")
                })?
                * 60;
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn nothing_set_means_the_file_sink() {
        let s = NotifySettings::from_env(env(&[])).unwrap();
        assert_eq!(s.relay, None);
        assert_eq!(s.sink_dir, PathBuf::from("data/mail"));
        assert_eq!(s.webhook_url, None);
        assert_eq!(s.reply_to, None);
        assert_eq!(s.message_domain(), "frontline.example");
    }

    #[test]
    fn replies_may_go_to_a_default_address() {
        let s = NotifySettings::from_env(env(&[
            ("FRONTLINE_MAIL_FROM", "Desk <noreply@Desk.Example.com>"),
            (
                "FRONTLINE_MAIL_REPLY_TO",
                "Support <support@desk.example.com>",
            ),
        ]))
        .unwrap();
        assert_eq!(
            s.reply_to.as_deref(),
            Some("Support <support@desk.example.com>")
        );
        assert_eq!(s.message_domain(), "desk.example.com");
        let bare = NotifySettings::from_env(env(&[("FRONTLINE_MAIL_FROM", "desk@x.example")]));
        assert_eq!(bare.unwrap().message_domain(), "x.example");
    }

    #[test]
    fn a_relay_is_read_with_sensible_defaults() {
        let s =
            NotifySettings::from_env(env(&[("FRONTLINE_SMTP_HOST", "smtp.example.com")])).unwrap();
        assert_eq!(
            s.relay,
            Some(SmtpRelay {
                host: "smtp.example.com".into(),
                port: 587,
                tls: SmtpTls::StartTls,
                username: None,
                password: None
            })
        );
        let s = NotifySettings::from_env(env(&[
            ("FRONTLINE_SMTP_HOST", "localhost"),
            ("FRONTLINE_SMTP_TLS", "none"),
            ("FRONTLINE_SMTP_PORT", "2525"),
            ("FRONTLINE_BASE_URL", "https://desk.example.com/"),
            (
                "FRONTLINE_PAGE_WEBHOOK",
                "https://ntfy.example.com/frontline",
            ),
            ("FRONTLINE_PAGE_ACK_MINUTES", "5"),
        ]))
        .unwrap();
        assert_eq!(s.relay.unwrap().port, 2525);
        assert_eq!(s.base_url, "https://desk.example.com");
        assert_eq!(s.page_ack_secs, 300);
    }

    #[test]
    fn malformed_settings_are_refused_plainly() {
        for (pairs, needle) in [
            (
                vec![
                    ("FRONTLINE_SMTP_HOST", "smtp.example.com"),
                    ("FRONTLINE_SMTP_TLS", "ssl"),
                ],
                "none, starttls or tls",
            ),
            (
                vec![
                    ("FRONTLINE_SMTP_HOST", "smtp.example.com"),
                    ("FRONTLINE_SMTP_PORT", "99999"),
                ],
                "not a port",
            ),
            (vec![("FRONTLINE_SMTP_HOST", "smtp example")], "not a host"),
            (
                vec![("FRONTLINE_SMTP_PORT", "25")],
                "need FRONTLINE_SMTP_HOST",
            ),
            (
                vec![("FRONTLINE_SMTP_HOST", "h"), ("FRONTLINE_SMTP_USER", "u")],
                "both",
            ),
            (vec![("FRONTLINE_PAGE_WEBHOOK", "ftp://x")], "not an http"),
            (vec![("FRONTLINE_PAGE_WEBHOOK", "https://")], "not an http"),
            (vec![("FRONTLINE_MAIL_FROM", "nobody")], "not an e-mail"),
            (vec![("FRONTLINE_MAIL_REPLY_TO", "nobody")], "not an e-mail"),
            (vec![("FRONTLINE_PAGE_ACK_MINUTES", "0")], "1 to 1440"),
        ] {
            let err = NotifySettings::from_env(env(&pairs)).unwrap_err();
            assert!(err.contains(needle), "{pairs:?}: {err}");
        }
    }
}
