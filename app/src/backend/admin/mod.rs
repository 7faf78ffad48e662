//! Administration: organizations with their calendar and SLA policy, users, teams, categories and
//! canned responses, one-time password links, the CSV import of a client's users, organizations'
//! mail domains, the mailboxes, outgoing webhooks, the Unprocessed list of received mail, and the audit log that records every
//! change. Each change is one transaction that also writes its audit row;
//! every function asks the policy first and refuses before touching anything.
//! Changes read before they write, so they open their transaction with `db::begin_write`.

use super::db::is_unique_violation;
use super::policy::Actor;
use super::repo;
use super::state::AppState;
use crate::model::admin::{AdminChoices, Choice};
use crate::model::{AppError, AppResult};

mod audit;
mod catalog;
mod change;
mod import;
mod integrations;
mod mail_domains;
mod mailboxes;
mod orgs;
mod teams;
mod toggle;
mod unprocessed;
mod users;
mod webhooks;

pub use audit::audit_page;
pub use catalog::{canned_for_staff, list_canned, list_categories, save_canned, save_category};
pub use import::{import_users, preview_import};
pub use integrations::{create_integration, list_integrations, revoke_integration};
pub use mail_domains::{add_mail_domain, mail_domains, remove_mail_domain};
pub use mailboxes::{list_mailboxes, mailbox, save_mailbox, set_mailbox_active};
pub use orgs::{create_org, list_orgs, org, set_org_active, update_org};
pub use teams::{list_teams, roster, save_team, set_roster_member, team_choices};
pub use unprocessed::{discard_mail, held_page, open_from_mail, original, retry_mail};
pub use users::{
    create_user, list_users, password_link, reset_info, reset_password, set_user_active,
    update_user, user,
};
pub use webhooks::{
    delete_webhook, deliveries, list_webhooks, redeliver, save_webhook, send_test_event,
    set_webhook_active,
};

fn invalid(message: String) -> AppError {
    AppError::Invalid(message)
}

/// A unique index caught what the checks before it missed (two administrators at once).
fn unique_or(err: sqlx::Error, message: impl FnOnce() -> String) -> AppError {
    if is_unique_violation(&err) {
        AppError::Conflict(message())
    } else {
        err.into()
    }
}

// ---------------------------------------------------------------------------------------------
// Choices

pub async fn choices(state: &AppState, actor: &Actor) -> AppResult<AdminChoices> {
    actor.require_admin()?;
    let mut conn = state.pool.acquire().await?;
    let teams = repo::teams::list(&mut conn)
        .await?
        .into_iter()
        .map(|(id, label)| Choice { id, label })
        .collect();
    Ok(AdminChoices {
        teams,
        orgs: repo::orgs::choices(&mut conn).await?,
        time_zones: chrono_tz::TZ_VARIANTS
            .iter()
            .map(|tz| tz.name().to_string())
            .collect(),
    })
}
