//! The staffing forecast's strip (team leads and managers), and its what-ifs (nothing saved).

use super::wire::FormArgs;
use crate::model::forecast::Strip;
use crate::model::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    backend::{forecast, request},
    model::forecast::WhatIf,
};

/// The next 8 hours per team. A what-if: `move_from` and `team` move one analyst from the first
/// team to the second from `from`; `team` alone adds one analyst on it from `from` to `until`.
#[server(prefix = "/api", endpoint = "forecast", protocol = FormArgs)]
pub async fn get_forecast(
    team: Option<i64>,
    move_from: Option<i64>,
    from: Option<i64>,
    until: Option<i64>,
) -> Result<Strip, AppError> {
    let actor = request::actor()?;
    let what_if = match (team, move_from, from, until) {
        (None, None, None, None) => None,
        (Some(to_team), Some(from_team), Some(at), None) => Some(WhatIf::Move {
            from_team,
            to_team,
            at,
        }),
        (Some(team), None, Some(from), Some(until)) if until > from => {
            Some(WhatIf::Add { team, from, until })
        }
        _ => {
            return Err(AppError::invalid(
                "A what-if moves one analyst from a team from a time, or adds one between two \
                 times.",
            ))
        }
    };
    forecast::strip(&request::state()?, &actor, what_if).await
}
