//! The audit log: what each administration change did, as stored and as the log page reads it.

use serde::{Deserialize, Serialize};

/// never change; rows written before an action was renamed or dropped still read as their text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    OrgCreate,
    OrgUpdate,
    OrgDeactivate,
    OrgReactivate,
    UserCreate,
    UserUpdate,
    UserDeactivate,
    UserReactivate,
    UserPasswordLink,
    UserPasswordSet,
    UserImport,
    TeamCreate,
    TeamUpdate,
    TeamRoster,
    CategoryCreate,
    CategoryUpdate,
    CannedCreate,
    CannedUpdate,
    SecondFactorEnrol,
    SecondFactorRecoveryCode,
    SecondFactorRecoveryCodes,
    SecondFactorTurnOff,
    SecondFactorForgetBrowsers,
    SecondFactorReset,
    MailRetry,
    MailCreateTicket,
    MailDiscard,
    OrgMailDomainAdd,
    OrgMailDomainRemove,
    MailboxCreate,
    MailboxUpdate,
    MailboxDeactivate,
    MailboxReactivate,
    WebhookCreate,
    WebhookUpdate,
    WebhookPause,
    WebhookEnable,
    WebhookDelete,
    WebhookTest,
    WebhookRedeliver,
    ApiTokenCreate,
    ApiTokenRevoke,
}

impl AuditAction {
    pub const ALL: [AuditAction; 42] = [
        AuditAction::OrgCreate,
        AuditAction::OrgUpdate,
        AuditAction::OrgDeactivate,
        AuditAction::OrgReactivate,
        AuditAction::UserCreate,
        AuditAction::UserUpdate,
        AuditAction::UserDeactivate,
        AuditAction::UserReactivate,
        AuditAction::UserPasswordLink,
        AuditAction::UserPasswordSet,
        AuditAction::UserImport,
        AuditAction::TeamCreate,
        AuditAction::TeamUpdate,
        AuditAction::TeamRoster,
        AuditAction::CategoryCreate,
        AuditAction::CategoryUpdate,
        AuditAction::CannedCreate,
        AuditAction::CannedUpdate,
        AuditAction::SecondFactorEnrol,
        AuditAction::SecondFactorRecoveryCode,
        AuditAction::SecondFactorRecoveryCodes,
        AuditAction::SecondFactorTurnOff,
        AuditAction::SecondFactorForgetBrowsers,
        AuditAction::SecondFactorReset,
        AuditAction::MailRetry,
        AuditAction::MailCreateTicket,
        AuditAction::MailDiscard,
        AuditAction::OrgMailDomainAdd,
        AuditAction::OrgMailDomainRemove,
        AuditAction::MailboxCreate,
        AuditAction::MailboxUpdate,
        AuditAction::MailboxDeactivate,
        AuditAction::MailboxReactivate,
        AuditAction::WebhookCreate,
        AuditAction::WebhookUpdate,
        AuditAction::WebhookPause,
        AuditAction::WebhookEnable,
        AuditAction::WebhookDelete,
        AuditAction::WebhookTest,
        AuditAction::WebhookRedeliver,
        AuditAction::ApiTokenCreate,
        AuditAction::ApiTokenRevoke,
    ];

    /// The stored name, e.g. "user.update".
    pub fn as_str(self) -> &'static str {
        use AuditAction::*;
        match self {
            OrgCreate => "organization.create",
            OrgUpdate => "organization.update",
            OrgDeactivate => "organization.deactivate",
            OrgReactivate => "organization.reactivate",
            UserCreate => "user.create",
            UserUpdate => "user.update",
            UserDeactivate => "user.deactivate",
            UserReactivate => "user.reactivate",
            UserPasswordLink => "user.password_link",
            UserPasswordSet => "user.password_set",
            UserImport => "user.import",
            TeamCreate => "team.create",
            TeamUpdate => "team.update",
            TeamRoster => "team.roster",
            CategoryCreate => "category.create",
            CategoryUpdate => "category.update",
            CannedCreate => "canned.create",
            CannedUpdate => "canned.update",
            SecondFactorEnrol => "second_factor.enrol",
            SecondFactorRecoveryCode => "second_factor.recovery_code",
            SecondFactorRecoveryCodes => "second_factor.recovery_codes",
            SecondFactorTurnOff => "second_factor.turn_off",
            SecondFactorForgetBrowsers => "second_factor.forget_browsers",
            SecondFactorReset => "second_factor.reset",
            MailRetry => "mail.retry",
            MailCreateTicket => "mail.create_ticket",
            MailDiscard => "mail.discard",
            OrgMailDomainAdd => "organization.mail_domain_add",
            OrgMailDomainRemove => "organization.mail_domain_remove",
            MailboxCreate => "mailbox.create",
            MailboxUpdate => "mailbox.update",
            MailboxDeactivate => "mailbox.deactivate",
            MailboxReactivate => "mailbox.reactivate",
            WebhookCreate => "webhook.create",
            WebhookUpdate => "webhook.update",
            WebhookPause => "webhook.pause",
            WebhookEnable => "webhook.enable",
            WebhookDelete => "webhook.delete",
            WebhookTest => "webhook.test",
            WebhookRedeliver => "webhook.redeliver",
            ApiTokenCreate => "api_token.create",
            ApiTokenRevoke => "api_token.revoke",
        }
    }

    /// The kind of record the entry's `entity_id` names. An import is recorded against the
    /// organization the users joined.
    pub fn entity(self) -> &'static str {
        use AuditAction::*;
        match self {
            OrgCreate | OrgUpdate | OrgDeactivate | OrgReactivate | UserImport
            | OrgMailDomainAdd | OrgMailDomainRemove => "organization",
            UserCreate
            | UserUpdate
            | UserDeactivate
            | UserReactivate
            | UserPasswordLink
            | UserPasswordSet
            | SecondFactorEnrol
            | SecondFactorRecoveryCode
            | SecondFactorRecoveryCodes
            | SecondFactorTurnOff
            | SecondFactorForgetBrowsers
            | SecondFactorReset => "user",
            TeamCreate | TeamUpdate | TeamRoster => "team",
            CategoryCreate | CategoryUpdate => "category",
            CannedCreate | CannedUpdate => "canned_response",
            MailRetry | MailCreateTicket | MailDiscard => "inbound_mail",
            MailboxCreate | MailboxUpdate | MailboxDeactivate | MailboxReactivate => "mailbox",
            WebhookCreate | WebhookUpdate | WebhookPause | WebhookEnable | WebhookDelete
            | WebhookTest | WebhookRedeliver => "webhook",
            ApiTokenCreate | ApiTokenRevoke => "api_token",
        }
    }

    /// Deactivating or reactivating an organization.
    pub fn org_active(active: bool) -> Self {
        if active {
            AuditAction::OrgReactivate
        } else {
            AuditAction::OrgDeactivate
        }
    }

    /// Deactivating or reactivating a mailbox.
    pub fn mailbox_active(active: bool) -> Self {
        if active {
            AuditAction::MailboxReactivate
        } else {
            AuditAction::MailboxDeactivate
        }
    }

    /// Pausing or enabling a webhook subscription.
    pub fn webhook_active(active: bool) -> Self {
        if active {
            AuditAction::WebhookEnable
        } else {
            AuditAction::WebhookPause
        }
    }

    /// Deactivating or reactivating a user.
    pub fn user_active(active: bool) -> Self {
        if active {
            AuditAction::UserReactivate
        } else {
            AuditAction::UserDeactivate
        }
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for AuditAction {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        AuditAction::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| format!("unknown audit action {s:?}"))
    }
}

/// One row of the audit log as stored: `action` and `entity` are the text written then (see
/// [`AuditAction`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub summary: String,
    /// JSON, as recorded.
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` for the next (older) page.
    pub older: Option<i64>,
    pub now: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_actions_keep_their_stored_names() {
        let names: Vec<_> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(
            names,
            [
                "organization.create",
                "organization.update",
                "organization.deactivate",
                "organization.reactivate",
                "user.create",
                "user.update",
                "user.deactivate",
                "user.reactivate",
                "user.password_link",
                "user.password_set",
                "user.import",
                "team.create",
                "team.update",
                "team.roster",
                "category.create",
                "category.update",
                "canned.create",
                "canned.update",
                "second_factor.enrol",
                "second_factor.recovery_code",
                "second_factor.recovery_codes",
                "second_factor.turn_off",
                "second_factor.forget_browsers",
                "second_factor.reset",
                "mail.retry",
                "mail.create_ticket",
                "mail.discard",
                "organization.mail_domain_add",
                "organization.mail_domain_remove",
                "mailbox.create",
                "mailbox.update",
                "mailbox.deactivate",
                "mailbox.reactivate",
                "webhook.create",
                "webhook.update",
                "webhook.pause",
                "webhook.enable",
                "webhook.delete",
                "webhook.test",
                "webhook.redeliver",
                "api_token.create",
                "api_token.revoke",
            ]
        );
        for a in AuditAction::ALL {
            assert_eq!(a.as_str().parse::<AuditAction>(), Ok(a));
        }
        assert_eq!(AuditAction::UserImport.entity(), "organization");
        assert_eq!(AuditAction::CannedUpdate.entity(), "canned_response");
    }
}
