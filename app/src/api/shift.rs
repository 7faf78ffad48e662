//! Shifts and hand-overs (analysts, seniors, leads).

use super::wire::FormArgs;
use crate::model::shift::{ShiftSummary, ShiftView};
use crate::model::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::{request, shifts};

#[server(prefix = "/api", endpoint = "shift", protocol = FormArgs)]
pub async fn get_shift() -> Result<ShiftView, AppError> {
    let actor = request::actor()?;
    shifts::shift_view(&request::state()?, &actor).await
}

#[server(prefix = "/api", endpoint = "start_shift", protocol = FormArgs)]
pub async fn start_shift() -> Result<(), AppError> {
    let actor = request::actor()?;
    shifts::start_shift(&request::state()?, &actor).await
}

/// Ends the shift; refused (409) while the analyst still holds open tickets.
#[server(prefix = "/api", endpoint = "end_shift", protocol = FormArgs)]
pub async fn end_shift() -> Result<ShiftSummary, AppError> {
    let actor = request::actor()?;
    shifts::end_shift(&request::state()?, &actor).await
}
