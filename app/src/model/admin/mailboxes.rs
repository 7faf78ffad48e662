//! Mailboxes as the administrator edits them: where the desk reads mail (IMAP, or only what a
//! mail server pipes in), and where a stranger's new ticket goes. The secret (password or bearer
//! token) is write-only: it goes to the server, never back.

use super::fields::{clean_text, required_text};
use crate::model::time::format_duration;
use crate::model::Priority;
use serde::{Deserialize, Serialize};

pub const MAX_MAILBOX_NAME: usize = 60;
pub const MAX_SECRET: usize = 8192;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxDraft {
    pub name: String,
    pub address: String,
    /// Empty: no IMAP; mail arrives only through `frontline ingest-mail --mailbox NAME`.
    pub imap_host: String,
    pub imap_port: i64,
    /// "tls", "starttls" or "none".
    pub imap_tls: String,
    pub imap_user: String,
    /// "password" or "xoauth2".
    pub imap_auth: String,
    /// The new password or token; empty keeps the current one. Never filled in by the server.
    pub secret: String,
    pub imap_folder: String,
    pub poll_secs: i64,
    /// None: the organization is found by the sender's mail domain.
    pub org_id: Option<i64>,
    pub team_id: Option<i64>,
    /// None: the priority follows the urgency read from the mail.
    pub priority: Option<Priority>,
}

impl Default for MailboxDraft {
    fn default() -> Self {
        MailboxDraft {
            name: String::new(),
            address: String::new(),
            imap_host: String::new(),
            imap_port: 993,
            imap_tls: "tls".into(),
            imap_user: String::new(),
            imap_auth: "password".into(),
            secret: String::new(),
            imap_folder: "INBOX".into(),
            poll_secs: 60,
            org_id: None,
            team_id: None,
            priority: None,
        }
    }
}

/// A [`MailboxDraft`] that passed validation, normalised for storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidMailbox {
    pub name: String,
    /// Lower case.
    pub address: String,
    pub imap_host: Option<String>,
    pub imap_port: i64,
    pub imap_tls: String,
    pub imap_user: Option<String>,
    pub imap_auth: String,
    /// A new secret to seal, if one was typed.
    pub secret: Option<String>,
    pub imap_folder: String,
    pub poll_secs: i64,
}

impl MailboxDraft {
    pub fn validate(&self) -> Result<ValidMailbox, String> {
        let name = required_text(&self.name, "mailbox's name", 2, MAX_MAILBOX_NAME)?;
        let address = self.address.trim().to_ascii_lowercase();
        let valid_address = address.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !address.chars().any(|c| c.is_whitespace() || c.is_control())
                && address.matches('@').count() == 1
        });
        if !valid_address || address.len() > 254 {
            return Err("Enter the mailbox's address, like support@your-desk.example.".into());
        }
        let imap_host = clean_text(&self.imap_host, "IMAP server", 253)?;
        if imap_host
            .as_deref()
            .is_some_and(|h| h.contains(|c: char| c.is_whitespace() || c == '/' || c == ':'))
        {
            return Err("Enter the IMAP server as a host name, like imap.example.com.".into());
        }
        if !(1..=65535).contains(&self.imap_port) {
            return Err("The IMAP port must be between 1 and 65535.".into());
        }
        if !["tls", "starttls", "none"].contains(&self.imap_tls.as_str()) {
            return Err("Choose how the IMAP connection is secured.".into());
        }
        if !["password", "xoauth2"].contains(&self.imap_auth.as_str()) {
            return Err("Choose how the desk signs in to the IMAP server.".into());
        }
        let imap_user = clean_text(&self.imap_user, "IMAP user name", 254)?;
        if imap_host.is_some() && imap_user.is_none() {
            return Err("Enter the user name the desk signs in to the IMAP server with.".into());
        }
        let secret = Some(self.secret.trim().to_string()).filter(|s| !s.is_empty());
        if secret.as_ref().is_some_and(|s| s.len() > MAX_SECRET) {
            return Err(format!(
                "The password or token may be at most {MAX_SECRET} characters."
            ));
        }
        let imap_folder =
            clean_text(&self.imap_folder, "IMAP folder", 200)?.unwrap_or_else(|| "INBOX".into());
        if !(5..=3600).contains(&self.poll_secs) {
            return Err("Check for mail every 5 to 3600 seconds.".into());
        }
        Ok(ValidMailbox {
            name,
            address,
            imap_host,
            imap_port: self.imap_port,
            imap_tls: self.imap_tls.clone(),
            imap_user,
            imap_auth: self.imap_auth.clone(),
            secret,
            imap_folder,
            poll_secs: self.poll_secs,
        })
    }
}

/// One mailbox in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxRow {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub imap_host: Option<String>,
    /// The organization new tickets go to; None: by the sender's domain.
    pub org: Option<String>,
    pub active: bool,
    /// What the desk's watcher of it is doing; None: not watched (no IMAP, deactivated, or no
    /// instance has started its watcher yet).
    pub connection: Option<MailboxConnection>,
}

/// What the desk's watcher of an IMAP mailbox is doing, as the instance watching it last said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxConnection {
    /// "not_started", "connecting", "watching" or "failing".
    pub state: String,
    /// Why it is not started or failing; "idle" or "polling" while watching.
    pub detail: Option<String>,
    /// Failures in a row, while failing.
    pub attempts: i64,
    /// Seconds in this state.
    pub for_secs: i64,
}

impl MailboxConnection {
    /// In words, for the mailbox list: "Watching (IDLE) for 2h 05m", "Failing: …".
    pub fn describe(&self) -> String {
        let detail = self.detail.as_deref().unwrap_or("no reason given");
        let how_long = format_duration(self.for_secs.max(0));
        match self.state.as_str() {
            "watching" if self.detail.as_deref() == Some("polling") => {
                format!("Watching (polling: the server has no IDLE) for {how_long}")
            }
            "watching" => format!("Watching (IDLE) for {how_long}"),
            "connecting" => "Connecting…".to_string(),
            "failing" => format!(
                "Failing: {detail}. {} in a row, for {how_long}; trying again.",
                match self.attempts {
                    1 => "1 failure".to_string(),
                    n => format!("{n} failures"),
                }
            ),
            _ => format!("Not watched: {detail}"),
        }
    }

    /// Whether it needs someone: mail is not being read.
    pub fn in_trouble(&self) -> bool {
        matches!(self.state.as_str(), "failing" | "not_started")
    }
}

/// A mailbox opened for editing: the draft without its secret, and whether it has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxEdit {
    pub id: i64,
    pub active: bool,
    pub has_secret: bool,
    pub draft: MailboxDraft,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mailbox() -> MailboxDraft {
        MailboxDraft {
            name: "Support".into(),
            address: " Support@Desk.example ".into(),
            imap_host: "imap.desk.example".into(),
            imap_user: "support".into(),
            secret: " s3cret ".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_mailbox_is_normalised() {
        let v = mailbox().validate().unwrap();
        assert_eq!(v.address, "support@desk.example");
        assert_eq!(v.secret.as_deref(), Some("s3cret"));
        assert_eq!(v.imap_folder, "INBOX");
        let piped = MailboxDraft {
            imap_host: " ".into(),
            imap_user: String::new(),
            secret: String::new(),
            ..mailbox()
        };
        let v = piped.validate().unwrap();
        assert_eq!((v.imap_host, v.secret), (None, None));
    }

    #[test]
    fn bad_mailboxes_are_refused_with_a_reason() {
        type Change = Box<dyn Fn(&mut MailboxDraft)>;
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|d| d.name = " ".into()), "name"),
            (Box::new(|d| d.address = "support".into()), "address"),
            (Box::new(|d| d.address = "a@b@c.example".into()), "address"),
            (Box::new(|d| d.imap_host = "imap.x:993".into()), "host name"),
            (Box::new(|d| d.imap_port = 0), "port"),
            (Box::new(|d| d.imap_tls = "ssl3".into()), "secured"),
            (Box::new(|d| d.imap_auth = "kerberos".into()), "signs in"),
            (Box::new(|d| d.imap_user = "".into()), "user name"),
            (Box::new(|d| d.poll_secs = 1), "seconds"),
        ];
        for (change, expected) in cases {
            let mut d = mailbox();
            change(&mut d);
            let err = d.validate().unwrap_err();
            assert!(err.contains(expected), "{err:?} lacks {expected:?}");
        }
    }
}
