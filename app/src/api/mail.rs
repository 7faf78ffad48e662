//! Received mail held for a person (the Unprocessed list) and the decisions on it; for
//! administrators, leads and managers (the backend checks). The originals are downloaded from
//! `/mail/{id}` (server/src/files.rs).

use super::wire::FormArgs;
use crate::model::admin::{HeldPage, MailDecided};
use crate::model::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::{admin, request};

/// One page of held messages, newest first; `kind` filters ("unknown_sender"…), empty for all.
#[server(prefix = "/api", endpoint = "mail/held", protocol = FormArgs)]
pub async fn held_mail(kind: Option<String>, page: i64) -> Result<HeldPage, AppError> {
    let actor = request::actor()?;
    admin::held_page(&request::state()?, &actor, kind, page).await
}

#[server(prefix = "/api", endpoint = "mail/retry", protocol = FormArgs)]
pub async fn retry_mail(id: i64) -> Result<MailDecided, AppError> {
    let actor = request::actor()?;
    admin::retry_mail(&request::state()?, &actor, id).await
}

/// Opens a ticket of organization `org_id` from a held message ("Create ticket for…").
#[server(prefix = "/api", endpoint = "mail/open_ticket", protocol = FormArgs)]
pub async fn open_ticket_from_mail(
    id: i64,
    org_id: i64,
    remember_domain: bool,
) -> Result<MailDecided, AppError> {
    let actor = request::actor()?;
    admin::open_from_mail(&request::state()?, &actor, id, org_id, remember_domain).await
}

#[server(prefix = "/api", endpoint = "mail/discard", protocol = FormArgs)]
pub async fn discard_mail(id: i64) -> Result<(), AppError> {
    let actor = request::actor()?;
    admin::discard_mail(&request::state()?, &actor, id).await
}
