//! Administration: the drafts an administrator edits (organizations, users, teams, categories,
//! canned responses) with the validating constructors that the form and the server share, the
//! rows the lists show, the audit log, and the CSV import of a client's users.

use super::role::Role;
use super::sla::{standard_targets, validate_warn_percent, Target, WorkingHours};
use super::time::{civil_from_days, days_from_civil};
use super::user::{validate_display_name, Email, UserRef};
use super::Priority;
use serde::{Deserialize, Serialize};

pub const MAX_ORG_NAME: usize = 120;
pub const MAX_CODE: usize = 12;
pub const MAX_TEAM_NAME: usize = 60;
pub const MAX_FIELD: usize = 120;
pub const MAX_CANNED_BODY: usize = 5_000;
/// The largest CSV file an import accepts.
pub const MAX_IMPORT_BYTES: usize = 1024 * 1024;
pub const MAX_IMPORT_ROWS: usize = 2_000;
/// How long a password link stays valid.
pub const RESET_LINK_HOURS: i64 = 72;

/// Something to pick in a form: an id and what the person reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: i64,
    pub label: String,
}

fn clean_text(raw: &str, what: &str, max: usize) -> Result<Option<String>, String> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > max {
        return Err(format!("Use at most {max} characters for the {what}."));
    }
    if text.chars().any(char::is_control) {
        return Err(format!(
            "The {what} contains characters that cannot be shown."
        ));
    }
    Ok(Some(text.to_string()))
}

fn required_text(raw: &str, what: &str, min: usize, max: usize) -> Result<String, String> {
    let text = clean_text(raw, what, max)?.ok_or_else(|| format!("Enter the {what}."))?;
    if text.chars().count() < min {
        return Err(format!("Use at least {min} characters for the {what}."));
    }
    Ok(text)
}

/// "09:30" as minutes after midnight; "24:00" is the end of the day.
pub fn parse_hhmm(raw: &str, what: &str) -> Result<i64, String> {
    let bad = || format!("The {what} must be a time like 09:00.");
    let (h, m) = raw.trim().split_once(':').ok_or_else(bad)?;
    let (h, m) = (
        h.parse::<i64>().map_err(|_| bad())?,
        m.parse::<i64>().map_err(|_| bad())?,
    );
    if !(0..=24).contains(&h) || !(0..60).contains(&m) || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

pub fn format_hhmm(mins: i64) -> String {
    format!("{:02}:{:02}", mins / 60, mins % 60)
}

/// A calendar date "YYYY-MM-DD" that exists.
pub fn parse_date(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let bad = || format!("\"{raw}\" is not a date like 2026-12-25.");
    let mut parts = raw.split('-');
    let (y, m, d) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(m), Some(d), None) if y.len() == 4 && m.len() == 2 && d.len() == 2 => (
            y.parse::<i64>().map_err(|_| bad())?,
            m.parse::<u32>().map_err(|_| bad())?,
            d.parse::<u32>().map_err(|_| bad())?,
        ),
        _ => return Err(bad()),
    };
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(1970..=2200).contains(&y) {
        return Err(bad());
    }
    if civil_from_days(days_from_civil(y, m, d)) != (y, m, d) {
        return Err(bad());
    }
    Ok(format!("{y:04}-{m:02}-{d:02}"))
}

pub const WEEKDAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

// ---------------------------------------------------------------------------------------------
// Organizations

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayDraft {
    pub day: String,
    pub name: String,
}

/// An organization as the administrator edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgDraft {
    pub code: String,
    pub name: String,
    /// IANA name, e.g. "Europe/Paris" (the server checks that it exists).
    pub time_zone: String,
    /// "09:00"
    pub hours_start: String,
    /// "17:00"
    pub hours_end: String,
    /// Monday first.
    pub working_days: [bool; 7],
    pub warn_percent: i64,
    /// One per priority.
    pub targets: Vec<Target>,
    pub holidays: Vec<HolidayDraft>,
    /// The teams that serve it.
    pub teams: Vec<i64>,
}

impl Default for OrgDraft {
    fn default() -> Self {
        OrgDraft {
            code: String::new(),
            name: String::new(),
            time_zone: "UTC".into(),
            hours_start: "09:00".into(),
            hours_end: "17:00".into(),
            working_days: [true, true, true, true, true, false, false],
            warn_percent: 75,
            targets: standard_targets(8 * 60).to_vec(),
            holidays: Vec::new(),
            teams: Vec::new(),
        }
    }
}

/// An [`OrgDraft`] that passed validation, normalised for storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidOrg {
    pub code: String,
    pub name: String,
    pub time_zone: String,
    pub hours: WorkingHours,
    pub warn_percent: i64,
    /// In priority order.
    pub targets: Vec<Target>,
    /// (day, name), by day.
    pub holidays: Vec<(String, String)>,
    pub teams: Vec<i64>,
}

impl OrgDraft {
    pub fn validate(&self) -> Result<ValidOrg, String> {
        let code = self.code.trim().to_uppercase();
        if code.is_empty() {
            return Err("Enter a short code for the organization (like NWL).".into());
        }
        if code.chars().count() < 2 || code.chars().count() > MAX_CODE {
            return Err(format!("The short code needs 2 to {MAX_CODE} characters."));
        }
        if !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err("Use only letters, digits and - in the short code.".into());
        }
        let name = required_text(&self.name, "organization's name", 2, MAX_ORG_NAME)?;
        let time_zone = self.time_zone.trim().to_string();
        if time_zone.is_empty() {
            return Err("Choose the organization's time zone.".into());
        }
        if time_zone.len() > 64
            || !time_zone
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/_-+".contains(c))
        {
            return Err(format!(
                "\"{time_zone}\" is not a known time zone (use a name like Europe/Paris)."
            ));
        }
        let start = parse_hhmm(&self.hours_start, "start of business hours")?;
        let end = parse_hhmm(&self.hours_end, "end of business hours")?;
        let days: String = (0..7)
            .filter(|d| self.working_days[*d])
            .map(|d| char::from(b'1' + d as u8))
            .collect();
        if days.is_empty() {
            return Err("Choose at least one working day.".into());
        }
        let hours = WorkingHours::parse(&days, start, end)?;
        validate_warn_percent(self.warn_percent)?;
        let mut targets = Vec::new();
        for priority in Priority::ALL {
            let mut matching = self.targets.iter().filter(|t| t.priority == *priority);
            let target = matching
                .next()
                .ok_or_else(|| format!("Set the {} targets.", priority.label()))?;
            if matching.next().is_some() {
                return Err(format!("The {} targets are given twice.", priority.label()));
            }
            target.validate()?;
            targets.push(*target);
        }
        if self.holidays.len() > 200 {
            return Err("An organization may have at most 200 holidays.".into());
        }
        let mut holidays: Vec<(String, String)> = Vec::new();
        for h in &self.holidays {
            let day = parse_date(&h.day)?;
            let name = clean_text(&h.name, "holiday's name", 80)?.unwrap_or("Holiday".into());
            if holidays.iter().any(|(d, _)| *d == day) {
                return Err(format!("The holiday on {day} is listed twice."));
            }
            holidays.push((day, name));
        }
        holidays.sort();
        let mut teams = self.teams.clone();
        teams.sort_unstable();
        teams.dedup();
        Ok(ValidOrg {
            code,
            name,
            time_zone,
            hours,
            warn_percent: self.warn_percent,
            targets,
            holidays,
            teams,
        })
    }
}

/// One organization in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub time_zone: String,
    pub active: bool,
    pub users: i64,
    pub teams: Vec<String>,
}

/// An organization opened for editing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgEdit {
    pub id: i64,
    pub active: bool,
    pub draft: OrgDraft,
}

// ---------------------------------------------------------------------------------------------
// Users

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

// ---------------------------------------------------------------------------------------------
// Teams

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamDraft {
    pub name: String,
    pub lead_id: Option<i64>,
    /// Analysts and seniors.
    pub members: Vec<i64>,
    /// Organizations served.
    pub orgs: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidTeam {
    pub name: String,
    pub lead_id: i64,
    pub members: Vec<i64>,
    pub orgs: Vec<i64>,
}

impl TeamDraft {
    pub fn validate(&self) -> Result<ValidTeam, String> {
        let name = required_text(&self.name, "team's name", 2, MAX_TEAM_NAME)?;
        let lead_id = self
            .lead_id
            .ok_or("Choose the team lead: every team needs one.")?;
        let mut members = self.members.clone();
        members.sort_unstable();
        members.dedup();
        members.retain(|m| *m != lead_id);
        let mut orgs = self.orgs.clone();
        orgs.sort_unstable();
        orgs.dedup();
        Ok(ValidTeam {
            name,
            lead_id,
            members,
            orgs,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamRow {
    pub id: i64,
    pub name: String,
    pub lead: Option<UserRef>,
    pub members: Vec<UserRef>,
    pub orgs: Vec<Choice>,
}

/// A team lead's own team: who is on it, and the analysts without a team who could join.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyTeam {
    pub team: TeamRow,
    pub candidates: Vec<Choice>,
}

/// What the team form offers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamChoices {
    /// Active team leads.
    pub leads: Vec<Choice>,
    /// Active analysts and seniors, labelled with their tier and current team.
    pub analysts: Vec<Choice>,
    pub orgs: Vec<Choice>,
}

/// What the organization and user forms offer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminChoices {
    pub teams: Vec<Choice>,
    /// Active organizations, "Name (CODE)".
    pub orgs: Vec<Choice>,
    pub time_zones: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Categories and canned responses

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryDraft {
    pub name: String,
    pub default_priority: Option<Priority>,
    pub active: bool,
}

impl CategoryDraft {
    pub fn validate(&self) -> Result<CategoryDraft, String> {
        Ok(CategoryDraft {
            name: required_text(&self.name, "category's name", 2, 60)?,
            default_priority: self.default_priority,
            active: self.active,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryRow {
    pub id: i64,
    pub name: String,
    pub default_priority: Option<Priority>,
    pub active: bool,
    pub tickets: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedDraft {
    pub title: String,
    pub body: String,
    pub active: bool,
}

impl CannedDraft {
    pub fn validate(&self) -> Result<CannedDraft, String> {
        let title = required_text(&self.title, "title", 2, MAX_FIELD)?;
        let body = self.body.trim();
        if body.is_empty() {
            return Err("Write the text of the response.".into());
        }
        if body.chars().count() > MAX_CANNED_BODY {
            return Err(format!(
                "Use at most {MAX_CANNED_BODY} characters for the response."
            ));
        }
        Ok(CannedDraft {
            title,
            body: body.to_string(),
            active: self.active,
        })
    }
}

/// The placeholders a canned response may hold, filled in when an analyst inserts it.
pub const CANNED_PLACEHOLDERS: &str =
    "{requester} (first name), {ticket} (number), {client} (organization)";

/// A canned response's text for one ticket: `{requester}` becomes the requester's first name,
/// `{ticket}` the ticket number and `{client}` the organization's name. Anything else in braces is
/// left as written, so a typo shows rather than vanishing.
pub fn fill_canned(body: &str, requester: &str, ticket: &str, client: &str) -> String {
    let first_name = requester.split_whitespace().next().unwrap_or(requester);
    body.replace("{requester}", first_name)
        .replace("{ticket}", ticket)
        .replace("{client}", client)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedResponse {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub active: bool,
    pub updated_at: i64,
}

// ---------------------------------------------------------------------------------------------
// Audit log

/// What an administration change did, as its audit row names it. The names are stored, so they
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
}

impl AuditAction {
    pub const ALL: [AuditAction; 24] = [
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
        }
    }

    /// The kind of record the entry's `entity_id` names. An import is recorded against the
    /// organization the users joined.
    pub fn entity(self) -> &'static str {
        use AuditAction::*;
        match self {
            OrgCreate | OrgUpdate | OrgDeactivate | OrgReactivate | UserImport => "organization",
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

// ---------------------------------------------------------------------------------------------
// CSV import of a client's users

/// The columns an import file may have; `email` and `name` are required.
pub const IMPORT_COLUMNS: [&str; 7] = [
    "email",
    "name",
    "role",
    "department",
    "location",
    "job_title",
    "phone",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    /// Line in the file (the header is line 1).
    pub line: usize,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    pub rows: Vec<ImportRow>,
    /// Every row is fine: importing would create `rows.len()` users.
    pub ready: bool,
}

/// Splits CSV text (RFC 4180: quoted fields, doubled quotes, CRLF or LF) into records.
pub fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => record.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                line += 1;
            }
            _ => field.push(c),
        }
    }
    if quoted {
        return Err(format!(
            "A quoted field that starts before line {line} is never closed."
        ));
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records.retain(|r| !(r.len() == 1 && r[0].trim().is_empty()));
    Ok(records)
}

/// Checks an import file: its size, encoding and columns (a plain message when the file as a
/// whole is unusable), then each row (an error per row). `org_id` is the organization they join.
pub fn read_import(text: &str, org_id: i64) -> Result<Vec<(ImportRow, Option<ValidUser>)>, String> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err("The file is larger than 1 MB. Split it into smaller files.".into());
    }
    if text.contains('\u{fffd}') || text.contains('\0') {
        return Err(
            "The file is not UTF-8 text. Save it as \"CSV UTF-8\" and choose it again.".into(),
        );
    }
    let records = parse_csv(text)?;
    let Some((header, rows)) = records.split_first() else {
        return Err("The file is empty.".into());
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    for h in &header {
        if !IMPORT_COLUMNS.contains(&h.as_str()) {
            return Err(format!(
                "The column \"{h}\" is not one we know. Use these columns: {}.",
                IMPORT_COLUMNS.join(", ")
            ));
        }
        if header.iter().filter(|x| *x == h).count() > 1 {
            return Err(format!("The column \"{h}\" appears twice."));
        }
    }
    for required in ["email", "name"] {
        if !header.iter().any(|h| h == required) {
            return Err(format!(
                "The first line must name the columns, including \"{required}\"."
            ));
        }
    }
    if rows.is_empty() {
        return Err("The file has no people in it, only the header.".into());
    }
    if rows.len() > MAX_IMPORT_ROWS {
        return Err(format!(
            "The file has {} rows; import at most {MAX_IMPORT_ROWS} at a time.",
            rows.len()
        ));
    }
    let col = |row: &Vec<String>, name: &str| -> String {
        header
            .iter()
            .position(|h| h == name)
            .and_then(|i| row.get(i))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let line = i + 2;
        let role_text = col(row, "role");
        let role = match role_text.to_lowercase().replace([' ', '-'], "_").as_str() {
            "" | "client" => Ok(Role::Client),
            "client_admin" => Ok(Role::ClientAdmin),
            other => Err(format!(
                "The role \"{other}\" is not one a client can have (client or client_admin)."
            )),
        };
        let mut import = ImportRow {
            line,
            email: col(row, "email"),
            name: col(row, "name"),
            role: role.clone().unwrap_or(Role::Client),
            error: None,
        };
        let valid = if row.len() != header.len() {
            Err(format!(
                "This line has {} fields; the header has {}.",
                row.len(),
                header.len()
            ))
        } else {
            role.and_then(|role| {
                UserDraft {
                    email: import.email.clone(),
                    name: import.name.clone(),
                    role,
                    org_id: Some(org_id),
                    team_id: None,
                    tier: None,
                    department: col(row, "department"),
                    location: col(row, "location"),
                    job_title: col(row, "job_title"),
                    phone: col(row, "phone"),
                }
                .validate()
            })
        };
        match valid {
            Ok(v) => {
                if out.iter().any(|(_, o): &(ImportRow, Option<ValidUser>)| {
                    o.as_ref().is_some_and(|o| o.email == v.email)
                }) {
                    import.error = Some(format!("{} appears twice in the file.", v.email));
                    out.push((import, None));
                } else {
                    out.push((import, Some(v)));
                }
            }
            Err(e) => {
                import.error = Some(e);
                out.push((import, None));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn canned_responses_fill_their_placeholders_and_keep_unknown_ones() {
        assert_eq!(
            fill_canned(
                "Hi {requester}, about {ticket} at {client}: {unknown}",
                "Jo Bloggs",
                "T-42",
                "Northwind"
            ),
            "Hi Jo, about T-42 at Northwind: {unknown}"
        );
        assert_eq!(fill_canned("Hello {requester}", "", "T-1", "X"), "Hello ");
    }

    use super::*;

    fn org() -> OrgDraft {
        OrgDraft {
            code: " acme ".into(),
            name: "Acme Corp".into(),
            time_zone: "Europe/Paris".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_organization_is_normalised() {
        let mut d = org();
        d.holidays = vec![
            HolidayDraft {
                day: "2026-12-25".into(),
                name: "Christmas".into(),
            },
            HolidayDraft {
                day: "2026-01-01".into(),
                name: "".into(),
            },
        ];
        let v = d.validate().unwrap();
        assert_eq!(v.code, "ACME");
        assert_eq!(v.hours.days_string(), "12345");
        assert_eq!((v.hours.start_min, v.hours.end_min), (540, 1020));
        assert_eq!(v.targets.len(), 4);
        assert_eq!(v.holidays[0], ("2026-01-01".into(), "Holiday".into()));
    }

    #[test]
    fn bad_organizations_are_refused_with_a_reason() {
        type Change = Box<dyn Fn(&mut OrgDraft)>;
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|d| d.code = "".into()), "short code"),
            (Box::new(|d| d.code = "A B".into()), "letters"),
            (Box::new(|d| d.name = " ".into()), "name"),
            (Box::new(|d| d.time_zone = "".into()), "time zone"),
            (Box::new(|d| d.hours_start = "9am".into()), "time like"),
            (Box::new(|d| d.hours_end = "08:00".into()), "start before"),
            (Box::new(|d| d.working_days = [false; 7]), "working day"),
            (Box::new(|d| d.warn_percent = 100), "threshold"),
            (
                Box::new(|d| d.targets.pop().map(|_| ()).unwrap_or(())),
                "Ops",
            ),
            (
                Box::new(|d| d.targets[0].response_mins = 0),
                "more than zero",
            ),
            (
                Box::new(|d| {
                    d.holidays = vec![HolidayDraft {
                        day: "2026-02-30".into(),
                        name: "x".into(),
                    }]
                }),
                "not a date",
            ),
        ];
        for (change, expected) in cases {
            let mut d = org();
            change(&mut d);
            let err = d.validate().unwrap_err();
            assert!(err.contains(expected), "{err:?} lacks {expected:?}");
        }
    }

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

    #[test]
    fn a_team_needs_a_lead() {
        let t = TeamDraft {
            name: "Echo".into(),
            ..Default::default()
        };
        assert!(t.validate().unwrap_err().contains("lead"));
    }

    #[test]
    fn csv_reads_quotes_and_line_endings() {
        let rows = parse_csv("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\nlast,\n").unwrap();
        assert_eq!(
            rows,
            vec![
                vec!["a".to_string(), "b".into()],
                vec!["x, y".into(), "say \"hi\"".into()],
                vec!["last".into(), "".into()],
            ]
        );
        assert!(parse_csv("a,\"open\n").is_err());
    }

    #[test]
    fn imports_refuse_unusable_files_and_flag_bad_rows() {
        assert!(read_import("email,name,shoe_size\nx@y.example,X,42\n", 1)
            .unwrap_err()
            .contains("shoe_size"));
        assert!(read_import("name\nX\n", 1).unwrap_err().contains("email"));
        assert!(read_import("email,name\nx@y.example,Bad \u{fffd}\n", 1)
            .unwrap_err()
            .contains("UTF-8"));
        let big = format!("email,name\n{}", "a".repeat(MAX_IMPORT_BYTES));
        assert!(read_import(&big, 1).unwrap_err().contains("1 MB"));
        let rows = read_import(
            "Email,Name,Role\nann@acme.example,Ann,client_admin\nnot-an-email,Bob,\nANN@acme.example,Ann 2,client\nx@acme.example,X,admin\n",
            1,
        )
        .unwrap();
        let errors: Vec<_> = rows.iter().map(|(r, _)| r.error.is_some()).collect();
        assert_eq!(errors, vec![false, true, true, true]);
        assert_eq!(rows[0].0.role, Role::ClientAdmin);
        assert!(rows[2].0.error.as_deref().unwrap().contains("twice"));
    }

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
            ]
        );
        for a in AuditAction::ALL {
            assert_eq!(a.as_str().parse::<AuditAction>(), Ok(a));
        }
        assert_eq!(AuditAction::UserImport.entity(), "organization");
        assert_eq!(AuditAction::CannedUpdate.entity(), "canned_response");
    }

    #[test]
    fn dates_and_times_are_checked() {
        assert_eq!(parse_hhmm("24:00", "x"), Ok(1440));
        assert!(parse_hhmm("24:30", "x").is_err());
        assert_eq!(format_hhmm(570), "09:30");
        assert!(parse_date("2028-02-29").is_ok());
        assert!(parse_date("2027-02-29").is_err());
        assert!(parse_date("2027-2-1").is_err());
    }
}
