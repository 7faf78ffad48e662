//! API tokens: what a person or an integration authenticates `/api/v1` with. A token is
//! `fl_<prefix>_<secret>`; only the SHA-256 of the whole token is stored, the prefix is kept to
//! tell tokens apart in lists.

use super::time::DAY;
use super::Role;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Whose token: a person's own, or an integration's (acting as a service user).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    Personal,
    Integration,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Personal => "personal",
            TokenKind::Integration => "integration",
        }
    }
}

impl FromStr for TokenKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "personal" => Ok(TokenKind::Personal),
            "integration" => Ok(TokenKind::Integration),
            _ => Err(format!("Unknown token kind \"{s}\".")),
        }
    }
}

/// What an integration token may do, on top of what its service user's role allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenScope {
    /// Raise tickets (for any organization the service user serves), by hand or from
    /// monitoring alerts, and read nothing else.
    #[serde(rename = "tickets:create")]
    TicketsCreate,
    /// Read what the service user may see.
    #[serde(rename = "read")]
    Read,
    /// Everything the service user's role may do.
    #[serde(rename = "write")]
    Write,
}

impl TokenScope {
    pub const ALL: [TokenScope; 3] = [
        TokenScope::TicketsCreate,
        TokenScope::Read,
        TokenScope::Write,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::TicketsCreate => "tickets:create",
            TokenScope::Read => "read",
            TokenScope::Write => "write",
        }
    }
}

impl fmt::Display for TokenScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TokenScope {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        TokenScope::ALL
            .into_iter()
            .find(|scope| scope.as_str() == s.trim())
            .ok_or_else(|| format!("Unknown scope \"{s}\": tickets:create, read or write."))
    }
}

/// One token as its owner (or, for integrations, an administrator) sees it in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenRow {
    pub id: i64,
    pub name: String,
    pub kind: TokenKind,
    pub scope: Option<TokenScope>,
    /// `fl_<prefix>_…`: enough to recognise the token, never enough to use it.
    pub prefix: String,
    /// Who the token acts as.
    pub user_name: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// A token just made: the only time its secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedToken {
    pub id: i64,
    pub token: String,
    pub prefix: String,
}

/// What an administrator asks for in an integration token: the service user it acts as (its
/// role, and the organization of a client role or the team of a staff one), its scope, and how
/// many days it lives (never without).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewIntegration {
    pub name: String,
    pub role: Role,
    pub org_id: Option<i64>,
    pub team_id: Option<i64>,
    pub scope: TokenScope,
    pub expires_in_days: Option<i64>,
}

/// The longest a token made in the browser may live (ten years).
pub const MAX_DAYS: i64 = 3650;

/// When a token made at `now` to live `days` days expires (`None`: never), or why it cannot.
pub fn expiry(now: i64, days: Option<i64>) -> Result<Option<i64>, String> {
    match days {
        None => Ok(None),
        Some(days) if (1..=MAX_DAYS).contains(&days) => Ok(Some(now + days * DAY)),
        Some(_) => Err(format!(
            "A token expires after 1 to {MAX_DAYS} days, or never."
        )),
    }
}

/// The longest name of a token.
pub const MAX_NAME_CHARS: usize = 100;

/// A token's name, trimmed; empty or overlong names are refused.
pub fn valid_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Give the token a name, so you can tell it apart later.".into());
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!(
            "A token's name is at most {MAX_NAME_CHARS} characters."
        ));
    }
    Ok(name.to_string())
}

/// The prefix of a token as presented (`fl_<prefix>_<secret>`), if it has that shape.
pub fn prefix_of(token: &str) -> Option<&str> {
    let rest = token.strip_prefix("fl_")?;
    let (prefix, secret) = rest.split_once('_')?;
    let hex = |s: &str| s.bytes().all(|b| b.is_ascii_hexdigit());
    (prefix.len() == 8 && secret.len() == 64 && hex(prefix) && hex(secret)).then_some(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_read_back_as_written() {
        for scope in TokenScope::ALL {
            assert_eq!(scope.as_str().parse::<TokenScope>(), Ok(scope));
        }
        assert!("admin".parse::<TokenScope>().is_err());
    }

    #[test]
    fn only_well_formed_tokens_have_a_prefix() {
        let secret = "a".repeat(64);
        assert_eq!(
            prefix_of(&format!("fl_0123abcd_{secret}")),
            Some("0123abcd")
        );
        assert_eq!(prefix_of(&format!("fl_0123abc_{secret}")), None);
        assert_eq!(prefix_of(&format!("xx_0123abcd_{secret}")), None);
        assert_eq!(prefix_of("fl_0123abcd_short"), None);
        assert_eq!(prefix_of(&format!("fl_0123abcg_{secret}")), None);
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(valid_name("  CI  ").as_deref(), Ok("CI"));
        assert!(valid_name("   ").is_err());
        assert!(valid_name(&"x".repeat(MAX_NAME_CHARS + 1)).is_err());
    }
}
