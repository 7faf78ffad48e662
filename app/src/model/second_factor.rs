//! A second factor at sign-in: a time-based one-time code (TOTP, RFC 6238) from an
//! authenticator app, with single-use recovery codes for a lost phone.

use super::{AppError, Role};
use serde::{Deserialize, Serialize};

/// A browser trusted after a sign-in with a code is not asked again for this long.
pub const TRUSTED_DEVICE_DAYS: i64 = 30;
/// Recovery codes handed out at once; each works one time.
pub const RECOVERY_CODES: usize = 10;
/// Wrong codes one half-finished sign-in may try before the password is asked again.
pub const MAX_CODE_ATTEMPTS: i64 = 5;
/// How long a verified password waits for its code.
pub const CHALLENGE_SECS: i64 = 10 * 60;
/// Codes move on every this many seconds (RFC 6238's default, what every app uses).
pub const STEP_SECS: i64 = 30;
/// The secret's length in bytes (RFC 4226 recommends 160 bits).
pub const SECRET_BYTES: usize = 20;

/// Who must have a second factor to sign in (`--second-factor`); anyone else may opt in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecondFactorPolicy {
    /// Administrators only: they can change everything.
    #[default]
    Admins,
    /// Every member of the desk's staff.
    Staff,
}

impl SecondFactorPolicy {
    pub fn requires(self, role: Role) -> bool {
        match self {
            SecondFactorPolicy::Admins => role == Role::Admin,
            SecondFactorPolicy::Staff => !role.is_client(),
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "admins" => Ok(SecondFactorPolicy::Admins),
            "staff" => Ok(SecondFactorPolicy::Staff),
            other => Err(format!(
                "unknown second-factor policy {other:?}: use \"admins\" or \"staff\""
            )),
        }
    }
}

/// Where a sign-in stands after each step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignInStep {
    /// Signed in: go to this page.
    Landed { path: String },
    /// The password was right; now the code from the authenticator app (or a recovery code).
    CodeNeeded,
    /// The password was right and this account must have a second factor it has not set up
    /// yet: set it up now.
    EnrolNeeded(EnrolmentOffer),
    /// Set up and signed in: these recovery codes are shown this once.
    Enrolled {
        path: String,
        recovery_codes: Vec<String>,
    },
}

/// A new secret for an authenticator app: as a QR code, as a link, and as text to type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentOffer {
    /// Base32, in groups of four for typing.
    pub secret: String,
    pub otpauth_uri: String,
    /// An SVG picture of `otpauth_uri`, made by the server from nothing the user wrote.
    pub qr_svg: String,
}

/// The signed-in person's second factor, for their security page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactorStatus {
    pub enrolled: bool,
    /// This account may not turn it off (the desk's policy).
    pub required: bool,
    pub recovery_codes_left: i64,
    pub trusted_devices: Vec<TrustedDevice>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedDevice {
    pub id: i64,
    /// The browser, as it named itself.
    pub label: String,
    pub trusted_at: i64,
    pub expires_at: i64,
}

/// What someone typed into the code field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Code {
    /// Six digits from the app.
    OneTime(String),
    /// A recovery code, normalized (lower case, no spaces or dashes).
    Recovery(String),
}

impl Code {
    /// Spaces and dashes are ignored: apps show "123 456", codes are printed "abcd-efgh".
    pub fn parse(input: &str) -> Result<Code, AppError> {
        let cleaned: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .flat_map(char::to_lowercase)
            .collect();
        if cleaned.len() == 6 && cleaned.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Code::OneTime(cleaned))
        } else if cleaned.len() == 10 && cleaned.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(Code::Recovery(cleaned))
        } else {
            Err(AppError::invalid(
                "Enter the 6-digit code from your authenticator app, or one of your recovery codes.",
            ))
        }
    }
}

/// A recovery code as it is shown: two groups of five.
pub fn format_recovery_code(code: &str) -> String {
    if code.len() == 10 {
        format!("{}-{}", &code[..5], &code[5..])
    } else {
        code.to_string()
    }
}

/// A base32 secret in groups of four, easier to type from the screen.
pub fn group_secret(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_as_people_type_them() {
        assert_eq!(
            Code::parse(" 123 456 ").unwrap(),
            Code::OneTime("123456".into())
        );
        assert_eq!(
            Code::parse("ABCDE-fgh12").unwrap(),
            Code::Recovery("abcdefgh12".into())
        );
        assert!(Code::parse("12345").is_err());
        assert!(Code::parse("").is_err());
        assert!(Code::parse("abcde-fgh1!").is_err());
    }

    #[test]
    fn policy_says_who_must_have_one() {
        assert!(SecondFactorPolicy::Admins.requires(Role::Admin));
        assert!(!SecondFactorPolicy::Admins.requires(Role::Manager));
        assert!(SecondFactorPolicy::Staff.requires(Role::Analyst));
        assert!(!SecondFactorPolicy::Staff.requires(Role::ClientAdmin));
        assert_eq!(
            SecondFactorPolicy::parse("staff"),
            Ok(SecondFactorPolicy::Staff)
        );
        assert!(SecondFactorPolicy::parse("everyone").is_err());
    }

    #[test]
    fn secrets_and_recovery_codes_are_shown_in_groups() {
        assert_eq!(group_secret("ABCDEFGHIJ"), "ABCD EFGH IJ");
        assert_eq!(format_recovery_code("abcdefgh12"), "abcde-fgh12");
    }
}
