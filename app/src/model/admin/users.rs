//! People as the administrator edits them, the user list, and one-time password links.

use super::fields::{clean_text, MAX_FIELD};
use crate::model::role::Role;
use crate::model::user::{validate_display_name, Email};
use serde::{Deserialize, Serialize};

/// How long a password link stays valid.
pub const RESET_LINK_HOURS: i64 = 72;

/// A person as the administrator edits them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDraft {
    pub email: String,
    pub name: String,
    pub role: Role,
    /// Clients only.
    pub org_id: Option<i64>,
    /// Analysts, seniors and leads.
    pub team_id: Option<i64>,
    /// Analysts (1) and seniors (2 or 3).
    pub tier: Option<u8>,
    pub department: String,
    pub location: String,
    pub job_title: String,
    pub phone: String,
}

impl Default for UserDraft {
    fn default() -> Self {
        UserDraft {
            email: String::new(),
            name: String::new(),
            role: Role::Client,
            org_id: None,
            team_id: None,
            tier: None,
            department: String::new(),
            location: String::new(),
            job_title: String::new(),
            phone: String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidUser {
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub org_id: Option<i64>,
    pub team_id: Option<i64>,
    pub tier: Option<u8>,
    pub department: Option<String>,
    pub location: Option<String>,
    pub job_title: Option<String>,
    pub phone: Option<String>,
}

/// Roles that belong to a team.
pub fn role_has_team(role: Role) -> bool {
    matches!(role, Role::Analyst | Role::Senior | Role::Lead)
}

impl UserDraft {
    pub fn validate(&self) -> Result<ValidUser, String> {
        let email = Email::parse(&self.email)?;
        let name = validate_display_name(&self.name)?;
        let role = self.role;
        let org_id = if role.is_client() {
            Some(
                self.org_id
                    .ok_or("Choose the client organization this person belongs to.")?,
            )
        } else if self.org_id.is_some() {
            return Err(
                "Only client users belong to an organization; staff belong to the service desk."
                    .into(),
            );
        } else {
            None
        };
        let team_id = if role_has_team(role) {
            self.team_id
        } else if self.team_id.is_some() {
            return Err(format!(
                "A {} does not belong to a team.",
                role.label().to_lowercase()
            ));
        } else {
            None
        };
        let tier = match (role, self.tier) {
            (Role::Analyst, None | Some(1)) => Some(1),
            (Role::Analyst, Some(_)) => return Err("Analysts work tier 1.".into()),
            (Role::Senior, Some(t @ (2 | 3))) => Some(t),
            (Role::Senior, _) => return Err("Choose tier 2 or 3 for a senior analyst.".into()),
            (_, None) => None,
            (_, Some(_)) => {
                return Err(format!(
                    "Only analysts and senior analysts have a tier, not a {}.",
                    role.label().to_lowercase()
                ))
            }
        };
        Ok(ValidUser {
            email,
            name,
            role,
            org_id,
            team_id,
            tier,
            department: clean_text(&self.department, "department", MAX_FIELD)?,
            location: clean_text(&self.location, "location", MAX_FIELD)?,
            job_title: clean_text(&self.job_title, "job title", MAX_FIELD)?,
            phone: clean_text(&self.phone, "phone number", 40)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub org_name: Option<String>,
    pub team_name: Option<String>,
    pub tier: Option<u8>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserEdit {
    pub id: i64,
    pub active: bool,
    pub draft: UserDraft,
}

/// What the user list is narrowed to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserFilter {
    /// Part of a name or e-mail address.
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub role: Option<Role>,
    #[serde(default)]
    pub org_id: Option<i64>,
    #[serde(default)]
    pub include_inactive: bool,
}

/// A one-time link that lets a person set their password (shown once, to the administrator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordLink {
    pub user_id: i64,
    pub user_name: String,
    /// "/reset/<token>"
    pub path: String,
    pub expires_at: i64,
}

/// What the /reset page shows before the new password is chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetInfo {
    pub name: String,
    pub email: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_roles_decide_organization_team_and_tier() {
        let client = UserDraft {
            email: "Pat@Acme.example".into(),
            name: "Pat".into(),
            org_id: Some(3),
            ..Default::default()
        };
        let v = client.validate().unwrap();
        assert_eq!(v.email.as_str(), "pat@acme.example");
        let no_org = UserDraft {
            org_id: None,
            ..client.clone()
        };
        assert!(no_org.validate().unwrap_err().contains("organization"));
        let staff_with_org = UserDraft {
            role: Role::Analyst,
            ..client.clone()
        };
        assert!(staff_with_org.validate().is_err());
        let senior = UserDraft {
            role: Role::Senior,
            org_id: None,
            tier: Some(1),
            ..client.clone()
        };
        assert!(senior.validate().unwrap_err().contains("tier 2 or 3"));
        let analyst = UserDraft {
            role: Role::Analyst,
            org_id: None,
            team_id: Some(1),
            ..client.clone()
        };
        assert_eq!(analyst.validate().unwrap().tier, Some(1));
        let admin_in_team = UserDraft {
            role: Role::Admin,
            org_id: None,
            team_id: Some(1),
            ..client
        };
        assert!(admin_in_team.validate().is_err());
    }
}
