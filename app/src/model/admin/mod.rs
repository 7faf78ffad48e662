//! Administration: the drafts an administrator edits (organizations, users, teams, categories,
//! canned responses) with the validating constructors that the form and the server share, the
//! rows the lists show, the audit log, the CSV import of a client's users, and received mail
//! held for a decision.

mod audit;
mod catalog;
mod fields;
mod import;
mod mail;
mod mailboxes;
mod orgs;
mod teams;
mod users;
mod webhooks;

pub use audit::{AuditAction, AuditEntry, AuditPage};
pub use catalog::{
    fill_canned, CannedDraft, CannedResponse, CategoryDraft, CategoryRow, CANNED_PLACEHOLDERS,
    MAX_CANNED_BODY,
};
pub use fields::{format_hhmm, parse_date, parse_hhmm, MAX_FIELD, WEEKDAY_NAMES};
pub use import::{
    parse_csv, read_import, ImportPreview, ImportRow, IMPORT_COLUMNS, MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
};
pub use mail::{
    clean_domain, HeldMail, HeldPage, HoldKind, MailDecided, HELD_PAGE, MAX_DOMAIN, MAX_HELD_PAGE,
};
pub use mailboxes::{
    MailboxConnection, MailboxDraft, MailboxEdit, MailboxRow, ValidMailbox, MAX_MAILBOX_NAME,
};
pub use orgs::{HolidayDraft, OrgDraft, OrgEdit, OrgRow, ValidOrg, MAX_CODE, MAX_ORG_NAME};
pub use teams::{MyTeam, TeamChoices, TeamDraft, TeamRow, ValidTeam, MAX_TEAM_NAME};
pub use users::{
    role_has_team, PasswordLink, ResetInfo, UserDraft, UserEdit, UserFilter, UserRow, ValidUser,
    RESET_LINK_HOURS,
};
pub use webhooks::{
    DeliveryPage, DeliveryRow, ValidWebhook, WebhookCreated, WebhookDraft, WebhookKind, WebhookRow,
    DELIVERY_PAGE, MAX_WEBHOOK_NAME, MAX_WEBHOOK_URL, TEST_EVENT, WEBHOOK_EVENTS,
};

use serde::{Deserialize, Serialize};

/// Something to pick in a form: an id and what the person reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: i64,
    pub label: String,
}

/// What the organization and user forms offer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminChoices {
    pub teams: Vec<Choice>,
    /// Active organizations, "Name (CODE)".
    pub orgs: Vec<Choice>,
    pub time_zones: Vec<String>,
}
