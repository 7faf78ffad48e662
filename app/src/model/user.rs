//! People: validated e-mail addresses and passwords, and the signed-in user as the UI sees them.

use super::role::Role;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Longest e-mail address accepted (RFC 5321 path limit).
const MAX_EMAIL_LEN: usize = 254;
pub const MIN_PASSWORD_LEN: usize = 10;
/// Argon2 takes any length; this stops a megabyte "password" from costing a megabyte of hashing.
pub const MAX_PASSWORD_LEN: usize = 256;
pub const MAX_NAME_LEN: usize = 120;

/// An e-mail address, trimmed and lower-cased: addresses are unique case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err("Enter an e-mail address.".into());
        }
        if email.len() > MAX_EMAIL_LEN {
            return Err("That e-mail address is too long.".into());
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err(format!(
                "\"{email}\" is not an e-mail address (it has no @)."
            ));
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
        let local_ok = !local.is_empty()
            && !local.contains(char::is_whitespace)
            && !local.contains(['@', '<', '>', '"', ',', ';']);
        if !domain_ok || !local_ok {
            return Err(format!("\"{email}\" is not a valid e-mail address."));
        }
        Ok(Email(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks a new password against the desk's rules (sign-in itself accepts whatever was set).
pub fn validate_new_password(password: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_LEN {
        return Err(format!(
            "Use at least {MIN_PASSWORD_LEN} characters for the password."
        ));
    }
    if chars > MAX_PASSWORD_LEN {
        return Err(format!(
            "Use at most {MAX_PASSWORD_LEN} characters for the password."
        ));
    }
    Ok(())
}

/// A person's display name: trimmed, not empty, no control characters.
pub fn validate_display_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err("Enter a name.".into());
    }
    if name.chars().count() > MAX_NAME_LEN {
        return Err(format!(
            "Use at most {MAX_NAME_LEN} characters for the name."
        ));
    }
    if name.chars().any(char::is_control) {
        return Err("The name contains characters that cannot be shown.".into());
    }
    Ok(name.to_string())
}

/// The signed-in user, as every page knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub org_id: Option<i64>,
    pub org_name: Option<String>,
    pub team_id: Option<i64>,
    pub team_name: Option<String>,
    pub tier: Option<u8>,
}

/// Who is signed in, as the server tells the pages it renders (in context: pages know no
/// sessions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn(pub Option<Me>);

/// A person as lists and pickers show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRef {
    pub id: i64,
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        let email = Email::parse("  Ana.Costa@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "ana.costa@example.com");
    }

    #[test]
    fn malformed_emails_are_refused_with_a_reason() {
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "ana@@example.com",
            "ana costa@example.com",
            "ana@exa mple.com",
            "ana@.example.com",
            "ana@example..com",
            "<script>@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} was accepted");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(Email::parse(&long).unwrap_err().contains("too long"));
    }

    #[test]
    fn passwords_need_ten_to_256_characters() {
        assert!(validate_new_password("short").is_err());
        assert!(validate_new_password("long enough").is_ok());
        assert!(validate_new_password(&"x".repeat(257)).is_err());
        // counted in characters, not bytes
        assert!(validate_new_password("ééééééééé").is_err());
    }

    #[test]
    fn names_are_trimmed_and_must_be_printable() {
        assert_eq!(validate_display_name("  Ana Costa ").unwrap(), "Ana Costa");
        assert!(validate_display_name("   ").is_err());
        assert!(validate_display_name("Ana\u{0}").is_err());
        assert!(validate_display_name(&"a".repeat(121)).is_err());
    }
}
