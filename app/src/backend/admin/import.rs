//! The CSV import of a client's users: a preview with row-level errors, then all rows or none.

use super::change::{AdminChange, Audit};
use super::invalid;
use super::users::insert_user;
use crate::backend::db::Conn;
use crate::backend::policy::Actor;
use crate::backend::repo;
use crate::backend::state::AppState;
use crate::model::admin::{
    read_import, AuditAction, ImportPreview, ImportRow, ValidUser, MAX_IMPORT_BYTES,
};
use crate::model::{AppError, AppResult};

async fn read_import_rows(
    conn: &mut Conn,
    org_id: i64,
    csv: &str,
) -> AppResult<Vec<(ImportRow, Option<ValidUser>)>> {
    if csv.len() > MAX_IMPORT_BYTES {
        return Err(AppError::PayloadTooLarge(
            "The file is larger than 1 MB. Split it into smaller files.".into(),
        ));
    }
    match repo::orgs::active(&mut *conn, org_id).await? {
        None => return Err(invalid("That organization does not exist.".into())),
        Some(false) => {
            return Err(invalid(
                "That organization is deactivated; reactivate it first.".into(),
            ))
        }
        Some(true) => {}
    }
    let mut rows = read_import(csv, org_id).map_err(invalid)?;
    for (row, valid) in rows.iter_mut() {
        if let Some(v) = valid {
            if repo::users::email_taken(&mut *conn, v.email.as_str(), None).await? {
                row.error = Some(format!(
                    "An account with the address {} already exists.",
                    v.email
                ));
                *valid = None;
            }
        }
    }
    Ok(rows)
}

/// What an import would do, row by row; nothing is written.
pub async fn preview_import(
    state: &AppState,
    actor: &Actor,
    org_id: i64,
    csv: &str,
) -> AppResult<ImportPreview> {
    actor.require_admin()?;
    let mut conn = state.pool.acquire().await?;
    let rows = read_import_rows(&mut conn, org_id, csv).await?;
    let ready = rows.iter().all(|(_, v)| v.is_some());
    Ok(ImportPreview {
        rows: rows.into_iter().map(|(r, _)| r).collect(),
        ready,
    })
}

/// Creates every user of the file in one transaction, or none when any row has a problem.
/// They set their passwords through links an administrator makes from the user list.
pub async fn import_users(
    state: &AppState,
    actor: &Actor,
    org_id: i64,
    csv: &str,
) -> AppResult<usize> {
    let mut c = AdminChange::begin(state, actor).await?;
    let rows = read_import_rows(&mut c.tx, org_id, csv).await?;
    let bad = rows.iter().filter(|(_, v)| v.is_none()).count();
    if bad > 0 {
        return Err(invalid(format!(
            "Nothing was imported: {bad} of {} rows have a problem. Fix them and try again.",
            rows.len()
        )));
    }
    let mut emails = Vec::new();
    for (_, v) in &rows {
        if let Some(v) = v {
            insert_user(&mut c.tx, v, c.now).await?;
            emails.push(v.email.to_string());
        }
    }
    let (code, name) = repo::orgs::code_and_name(&mut c.tx, org_id)
        .await?
        .ok_or(AppError::Internal)?;
    let summary = format!("Imported {} users into {name} ({code})", emails.len());
    c.commit(Audit::new(AuditAction::UserImport, org_id, summary).after(&emails))
        .await?;
    Ok(emails.len())
}
