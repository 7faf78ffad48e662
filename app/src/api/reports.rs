//! Reports: the desk report over a period, and the weekly scorecards. CSV downloads of both are
//! plain GET routes of the server (`/reports/*.csv`) over the same backend functions.

use super::wire::FormArgs;
use crate::model::reports::{DeskReport, ProblemGroup, ReportParams, ScorecardPage};
use crate::model::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::{reports, request};

#[server(prefix = "/api", endpoint = "desk_report", protocol = FormArgs)]
pub async fn get_desk_report(
    // A period and client all left empty encode as nothing at all: that means "the defaults".
    #[server(default)] params: ReportParams,
) -> Result<DeskReport, AppError> {
    let actor = request::actor()?;
    reports::desk(&request::state()?, &actor, &params).await
}

/// The scorecards of the week holding the day `week` ("2026-11-23"; this week when empty).
#[server(prefix = "/api", endpoint = "scorecards", protocol = FormArgs)]
pub async fn get_scorecards(
    week: Option<String>,
    analyst: Option<i64>,
) -> Result<ScorecardPage, AppError> {
    let actor = request::actor()?;
    reports::scorecards(&request::state()?, &actor, week.as_deref(), analyst).await
}

/// Groups of alike tickets of the last two weeks: one problem seen as one.
#[server(prefix = "/api", endpoint = "recurring_problems", protocol = FormArgs)]
pub async fn get_recurring_problems() -> Result<Vec<ProblemGroup>, AppError> {
    let actor = request::actor()?;
    reports::recurring_problems(&request::state()?, &actor).await
}
