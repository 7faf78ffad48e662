//! The on-call roster and pages.

use super::wire::FormArgs;
use crate::model::alert::Monitoring;
use crate::model::shift::RosterView;
use crate::model::{AppError, TicketNumber};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::{oncall, request, tickets};

#[server(prefix = "/api", endpoint = "roster", protocol = FormArgs)]
pub async fn get_roster(from: Option<i64>) -> Result<RosterView, AppError> {
    let actor = request::actor()?;
    oncall::roster(&request::state()?, &actor, from).await
}

/// Adds a shift (UTC date-times like 2026-11-23T18:00), repeated weekly `repeat_weeks` times more.
#[server(prefix = "/api", endpoint = "add_oncall_shift", protocol = FormArgs)]
pub async fn add_oncall_shift(
    team_id: i64,
    user_id: i64,
    starts: String,
    ends: String,
    repeat_weeks: u8,
) -> Result<usize, AppError> {
    let actor = request::actor()?;
    oncall::add_oncall_shift(
        &request::state()?,
        &actor,
        team_id,
        user_id,
        &starts,
        &ends,
        repeat_weeks,
    )
    .await
}

#[server(prefix = "/api", endpoint = "remove_oncall_shift", protocol = FormArgs)]
pub async fn remove_oncall_shift(shift_id: i64) -> Result<(), AppError> {
    let actor = request::actor()?;
    oncall::remove_oncall_shift(&request::state()?, &actor, shift_id).await
}

/// Acknowledges a page through the token of its link (no sign-in needed: the token is the key).
#[server(prefix = "/api", endpoint = "ack_page", protocol = FormArgs)]
pub async fn ack_page(token: String) -> Result<TicketNumber, AppError> {
    oncall::acknowledge_by_token(&request::state()?, &token).await
}

/// Acknowledges a ticket's pages from the app.
#[server(prefix = "/api", endpoint = "ack_ticket_pages", protocol = FormArgs)]
pub async fn ack_ticket_pages(number: i64) -> Result<(), AppError> {
    let actor = request::actor()?;
    oncall::acknowledge(&request::state()?, &actor, number).await
}

/// The latest monitoring alerts, the maintenance windows running or to come, and the
/// organizations the viewer may plan a window for.
#[server(prefix = "/api", endpoint = "monitoring", protocol = FormArgs)]
pub async fn get_monitoring() -> Result<Monitoring, AppError> {
    tickets::monitoring(&request::state()?, &request::actor()?).await
}

/// Plans a maintenance window for organization `org` (its code), UTC date-times like
/// 2026-11-23T18:00.
#[server(prefix = "/api", endpoint = "plan_maintenance", protocol = FormArgs)]
pub async fn plan_maintenance(
    org: String,
    starts: String,
    ends: String,
    reason: String,
) -> Result<(), AppError> {
    let actor = request::actor()?;
    tickets::plan_maintenance_from_form(&request::state()?, &actor, &org, &starts, &ends, &reason)
        .await
}

/// Ends a running window now, or cancels one still to come.
#[server(prefix = "/api", endpoint = "end_maintenance", protocol = FormArgs)]
pub async fn end_maintenance(org: String, id: i64) -> Result<(), AppError> {
    tickets::end_maintenance(&request::state()?, &request::actor()?, &org, id).await
}
