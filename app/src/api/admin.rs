//! Administration: organizations, users, teams, categories, canned responses, the audit log and
//! the CSV import. Administrators only (the backend checks); the password-link endpoints are for
//! the person who received the link and need no session.

use super::wire::{FormArgs, JsonArgs};
use crate::model::admin::{
    AdminChoices, AuditPage, CannedDraft, CannedResponse, CategoryDraft, CategoryRow,
    ImportPreview, MailboxDraft, MailboxEdit, MailboxRow, MyTeam, OrgDraft, OrgEdit, OrgRow,
    PasswordLink, ResetInfo, TeamChoices, TeamDraft, TeamRow, UserDraft, UserEdit, UserFilter,
    UserRow,
};
use crate::model::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::{admin, request};

#[server(prefix = "/api", endpoint = "admin/choices", protocol = FormArgs)]
pub async fn get_admin_choices() -> Result<AdminChoices, AppError> {
    let actor = request::actor()?;
    admin::choices(&request::state()?, &actor).await
}

#[server(prefix = "/api", endpoint = "admin/orgs", protocol = FormArgs)]
pub async fn list_orgs() -> Result<Vec<OrgRow>, AppError> {
    let actor = request::actor()?;
    admin::list_orgs(&request::state()?, &actor).await
}

#[server(prefix = "/api", endpoint = "admin/org", protocol = FormArgs)]
pub async fn get_org(id: i64) -> Result<OrgEdit, AppError> {
    let actor = request::actor()?;
    admin::org(&request::state()?, &actor, id).await
}

/// Creates an organization (no `id`) or changes one; returns its id.
#[server(prefix = "/api", endpoint = "admin/save_org", protocol = JsonArgs)]
pub async fn save_org(id: Option<i64>, draft: OrgDraft) -> Result<i64, AppError> {
    let actor = request::actor()?;
    let state = request::state()?;
    match id {
        Some(id) => admin::update_org(&state, &actor, id, &draft)
            .await
            .map(|_| id),
        None => admin::create_org(&state, &actor, &draft).await,
    }
}

#[server(prefix = "/api", endpoint = "admin/set_org_active", protocol = FormArgs)]
pub async fn set_org_active(id: i64, active: bool) -> Result<(), AppError> {
    let actor = request::actor()?;
    admin::set_org_active(&request::state()?, &actor, id, active).await
}

#[server(prefix = "/api", endpoint = "admin/mailboxes", protocol = FormArgs)]
pub async fn list_mailboxes() -> Result<Vec<MailboxRow>, AppError> {
    let actor = request::actor()?;
    admin::list_mailboxes(&request::state()?, &actor).await
}

/// A mailbox for its form; its secret is never sent, only whether it has one.
#[server(prefix = "/api", endpoint = "admin/mailbox", protocol = FormArgs)]
pub async fn get_mailbox(id: i64) -> Result<MailboxEdit, AppError> {
    let actor = request::actor()?;
    admin::mailbox(&request::state()?, &actor, id).await
}

/// Creates a mailbox (no `id`) or changes one; an empty secret keeps the current one.
#[server(prefix = "/api", endpoint = "admin/save_mailbox", protocol = JsonArgs)]
pub async fn save_mailbox(id: Option<i64>, draft: MailboxDraft) -> Result<i64, AppError> {
    let actor = request::actor()?;
    admin::save_mailbox(&request::state()?, &actor, id, &draft).await
}

#[server(prefix = "/api", endpoint = "admin/set_mailbox_active", protocol = FormArgs)]
pub async fn set_mailbox_active(id: i64, active: bool) -> Result<(), AppError> {
    let actor = request::actor()?;
    admin::set_mailbox_active(&request::state()?, &actor, id, active).await
}

/// The organization's mail domains: a stranger's mail from one opens a ticket for it.
#[server(prefix = "/api", endpoint = "admin/mail_domains", protocol = FormArgs)]
pub async fn mail_domains(org_id: i64) -> Result<Vec<String>, AppError> {
    let actor = request::actor()?;
    admin::mail_domains(&request::state()?, &actor, org_id).await
}

/// Adds a mail domain to an organization; returns it as stored ("contoso.com").
#[server(prefix = "/api", endpoint = "admin/add_mail_domain", protocol = FormArgs)]
pub async fn add_mail_domain(org_id: i64, domain: String) -> Result<String, AppError> {
    let actor = request::actor()?;
    admin::add_mail_domain(&request::state()?, &actor, org_id, &domain).await
}

#[server(prefix = "/api", endpoint = "admin/remove_mail_domain", protocol = FormArgs)]
pub async fn remove_mail_domain(org_id: i64, domain: String) -> Result<(), AppError> {
    let actor = request::actor()?;
    admin::remove_mail_domain(&request::state()?, &actor, org_id, &domain).await
}

#[server(prefix = "/api", endpoint = "admin/users", protocol = JsonArgs)]
pub async fn list_users(filter: UserFilter) -> Result<Vec<UserRow>, AppError> {
    let actor = request::actor()?;
    admin::list_users(&request::state()?, &actor, &filter).await
}

#[server(prefix = "/api", endpoint = "admin/user", protocol = FormArgs)]
pub async fn get_user(id: i64) -> Result<UserEdit, AppError> {
    let actor = request::actor()?;
    admin::user(&request::state()?, &actor, id).await
}

/// Creates an account and returns the one-time link with which its owner sets a password.
#[server(prefix = "/api", endpoint = "admin/create_user", protocol = JsonArgs)]
pub async fn create_user(draft: UserDraft) -> Result<PasswordLink, AppError> {
    let actor = request::actor()?;
    admin::create_user(&request::state()?, &actor, &draft).await
}

#[server(prefix = "/api", endpoint = "admin/update_user", protocol = JsonArgs)]
pub async fn update_user(id: i64, draft: UserDraft) -> Result<(), AppError> {
    let actor = request::actor()?;
    admin::update_user(&request::state()?, &actor, id, &draft).await
}

#[server(prefix = "/api", endpoint = "admin/set_user_active", protocol = FormArgs)]
pub async fn set_user_active(id: i64, active: bool) -> Result<(), AppError> {
    let actor = request::actor()?;
    admin::set_user_active(&request::state()?, &actor, id, active).await
}

#[server(prefix = "/api", endpoint = "admin/password_link", protocol = FormArgs)]
pub async fn make_password_link(id: i64) -> Result<PasswordLink, AppError> {
    let actor = request::actor()?;
    admin::password_link(&request::state()?, &actor, id).await
}

#[server(prefix = "/api", endpoint = "admin/preview_import", protocol = JsonArgs)]
pub async fn preview_import(org_id: i64, csv: String) -> Result<ImportPreview, AppError> {
    let actor = request::actor()?;
    admin::preview_import(&request::state()?, &actor, org_id, &csv).await
}

#[server(prefix = "/api", endpoint = "admin/import_users", protocol = JsonArgs)]
pub async fn import_users(org_id: i64, csv: String) -> Result<usize, AppError> {
    let actor = request::actor()?;
    admin::import_users(&request::state()?, &actor, org_id, &csv).await
}

#[server(prefix = "/api", endpoint = "admin/teams", protocol = FormArgs)]
pub async fn list_teams() -> Result<Vec<TeamRow>, AppError> {
    let actor = request::actor()?;
    admin::list_teams(&request::state()?, &actor).await
}

#[server(prefix = "/api", endpoint = "admin/team_choices", protocol = FormArgs)]
pub async fn get_team_choices() -> Result<TeamChoices, AppError> {
    let actor = request::actor()?;
    admin::team_choices(&request::state()?, &actor).await
}

#[server(prefix = "/api", endpoint = "admin/save_team", protocol = JsonArgs)]
pub async fn save_team(id: Option<i64>, draft: TeamDraft) -> Result<i64, AppError> {
    let actor = request::actor()?;
    admin::save_team(&request::state()?, &actor, id, &draft).await
}

/// The team the signed-in lead leads, and who could join it.
#[server(prefix = "/api", endpoint = "team/roster", protocol = FormArgs)]
pub async fn get_team_roster() -> Result<MyTeam, AppError> {
    let actor = request::actor()?;
    admin::roster(&request::state()?, &actor).await
}

/// Puts an analyst on a team (`member`) or takes them off it: the team's lead or an administrator.
#[server(prefix = "/api", endpoint = "team/set_member", protocol = FormArgs)]
pub async fn set_team_member(team_id: i64, user_id: i64, member: bool) -> Result<(), AppError> {
    let actor = request::actor()?;
    admin::set_roster_member(&request::state()?, &actor, team_id, user_id, member).await
}

#[server(prefix = "/api", endpoint = "admin/categories", protocol = FormArgs)]
pub async fn list_categories() -> Result<Vec<CategoryRow>, AppError> {
    let actor = request::actor()?;
    admin::list_categories(&request::state()?, &actor).await
}

#[server(prefix = "/api", endpoint = "admin/save_category", protocol = JsonArgs)]
pub async fn save_category(id: Option<i64>, draft: CategoryDraft) -> Result<i64, AppError> {
    let actor = request::actor()?;
    admin::save_category(&request::state()?, &actor, id, &draft).await
}

#[server(prefix = "/api", endpoint = "admin/canned", protocol = FormArgs)]
pub async fn list_canned() -> Result<Vec<CannedResponse>, AppError> {
    let actor = request::actor()?;
    admin::list_canned(&request::state()?, &actor).await
}

#[server(prefix = "/api", endpoint = "admin/save_canned", protocol = JsonArgs)]
pub async fn save_canned(id: Option<i64>, draft: CannedDraft) -> Result<i64, AppError> {
    let actor = request::actor()?;
    admin::save_canned(&request::state()?, &actor, id, &draft).await
}

/// The active canned responses, for staff writing replies.
#[server(prefix = "/api", endpoint = "canned_responses", protocol = FormArgs)]
pub async fn canned_responses() -> Result<Vec<CannedResponse>, AppError> {
    let actor = request::actor()?;
    admin::canned_for_staff(&request::state()?, &actor).await
}

#[server(prefix = "/api", endpoint = "admin/audit", protocol = FormArgs)]
pub async fn audit_log(before: Option<i64>) -> Result<AuditPage, AppError> {
    let actor = request::actor()?;
    admin::audit_page(&request::state()?, &actor, before).await
}

/// Who a password link is for.
#[server(prefix = "/api", endpoint = "reset_info", protocol = FormArgs)]
pub async fn get_reset_info(token: String) -> Result<ResetInfo, AppError> {
    crate::backend::admin::reset_info(&request::state()?, &token).await
}

#[server(prefix = "/api", endpoint = "reset_password", protocol = FormArgs)]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    crate::backend::admin::reset_password(&request::state()?, &token, &password).await
}

/// Whether a user has set up two-step sign-in (their edit page offers the reset).
#[server(prefix = "/api", endpoint = "admin/user_second_factor", protocol = FormArgs)]
pub async fn user_second_factor(id: i64) -> Result<bool, AppError> {
    let actor = request::actor()?;
    crate::backend::second_factor::is_enrolled(&request::state()?, &actor, id).await
}

/// Resets a user's two-step sign-in (a lost phone); their sessions end.
#[server(prefix = "/api", endpoint = "admin/reset_second_factor", protocol = FormArgs)]
pub async fn reset_second_factor(id: i64) -> Result<(), AppError> {
    let actor = request::actor()?;
    crate::backend::second_factor::reset(&request::state()?, &actor, id).await
}
