//! Mail administration: the Unprocessed list (received mail held for a person to decide on) and
//! the mail domains that tell which client a stranger's mail is for.

use super::Choice;
use serde::{Deserialize, Serialize};

/// Held messages shown per page of the Unprocessed list.
pub const HELD_PAGE: i64 = 50;
/// The last page number asked for that is not refused (pages count from 0).
pub const MAX_HELD_PAGE: i64 = 100_000;

/// Why a received message is held, as `inbound_mail.hold_kind` stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldKind {
    Unparseable,
    AutoReply,
    UnknownSender,
    RateLimited,
    NotAllowed,
    Failed,
}

impl HoldKind {
    pub const ALL: [HoldKind; 6] = [
        HoldKind::UnknownSender,
        HoldKind::AutoReply,
        HoldKind::RateLimited,
        HoldKind::NotAllowed,
        HoldKind::Unparseable,
        HoldKind::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HoldKind::Unparseable => "unparseable",
            HoldKind::AutoReply => "auto_reply",
            HoldKind::UnknownSender => "unknown_sender",
            HoldKind::RateLimited => "rate_limited",
            HoldKind::NotAllowed => "not_allowed",
            HoldKind::Failed => "failed",
        }
    }

    /// The filter's name for it.
    pub fn label(self) -> &'static str {
        match self {
            HoldKind::Unparseable => "Could not be read",
            HoldKind::AutoReply => "Automatic replies and loops",
            HoldKind::UnknownSender => "Unknown senders",
            HoldKind::RateLimited => "Too many from one sender",
            HoldKind::NotAllowed => "Sender not allowed",
            HoldKind::Failed => "Could not be placed",
        }
    }

    pub fn parse(raw: &str) -> Option<HoldKind> {
        HoldKind::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// One held message in the Unprocessed list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldMail {
    pub id: i64,
    pub received_at: i64,
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    pub subject: Option<String>,
    pub kind: Option<HoldKind>,
    /// Why it is held, in words.
    pub reason: Option<String>,
    pub size_bytes: i64,
}

/// One page of the Unprocessed list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldPage {
    /// Newest first.
    pub rows: Vec<HeldMail>,
    /// Held messages of each kind (kinds with none left out), whatever the filter.
    pub counts: Vec<(HoldKind, i64)>,
    /// Held messages matching the filter.
    pub total: i64,
    /// From 0.
    pub page: i64,
    pub now: i64,
    /// The active organizations a ticket can be created for.
    pub orgs: Vec<Choice>,
}

impl HeldPage {
    pub fn pages(&self) -> i64 {
        ((self.total + HELD_PAGE - 1) / HELD_PAGE).max(1)
    }
}

/// What a decision on a held message did, in words for the list ("Opened HD-1042.").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailDecided {
    pub message: String,
    /// Still held (a retry that was held again): the list keeps the row.
    pub held: bool,
}

pub const MAX_DOMAIN: usize = 253;

/// A mail domain as typed ("@Contoso.com ") made what `org_mail_domains` stores ("contoso.com"),
/// or why it is not one.
pub fn clean_domain(raw: &str) -> Result<String, String> {
    let domain = raw.trim().trim_start_matches('@').trim_end_matches('.');
    let domain = domain.to_ascii_lowercase();
    if domain.is_empty() {
        return Err("Enter a mail domain, like contoso.com.".into());
    }
    let bad = || format!("\"{domain}\" is not a mail domain (use a name like contoso.com).");
    if domain.len() > MAX_DOMAIN || !domain.contains('.') {
        return Err(bad());
    }
    for label in domain.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !ok {
            return Err(bad());
        }
    }
    if domain
        .rsplit('.')
        .next()
        .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(bad());
    }
    Ok(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_cleaned_and_checked() {
        assert_eq!(clean_domain(" @Contoso.COM. "), Ok("contoso.com".into()));
        assert_eq!(
            clean_domain("mail.xn--bcher-kva.de"),
            Ok("mail.xn--bcher-kva.de".into())
        );
        for bad in [
            "",
            "contoso",
            "a..b",
            "-a.com",
            "a_b.com",
            "ana@contoso.com",
            "10.0.0.1",
            "a b.com",
        ] {
            assert!(clean_domain(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hold_kinds_keep_their_stored_names() {
        for kind in HoldKind::ALL {
            assert_eq!(HoldKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(HoldKind::parse("x"), None);
    }
}
