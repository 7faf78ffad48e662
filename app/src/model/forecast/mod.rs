//! Staffing forecast: the next 8 hours of each team, in 15-minute steps. Arrivals per client and
//! priority ([`arrivals`]), handle times ([`handle`]), analysts needed ([`needed`], with
//! [`erlang`]), the queue's path with the staff on shift ([`projection`]), put together per team
//! by [`strip`]; [`backtest`] measures the arrival forecast on history.

pub mod arrivals;
pub mod backtest;
pub mod erlang;
pub mod handle;
pub mod needed;
pub mod projection;
pub mod strip;

use crate::model::time::{HOUR, MINUTE};
use serde::{Deserialize, Serialize};

/// One step of the strip.
pub const STEP: i64 = 15 * MINUTE;
/// How far ahead the strip looks.
pub const HORIZON_HOURS: usize = 8;
pub const STEPS: usize = HORIZON_HOURS * (HOUR / STEP) as usize;

/// A change to the staffing tried on the strip, never saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WhatIf {
    /// One analyst moves from one team to another from an instant on.
    Move {
        from_team: i64,
        to_team: i64,
        at: i64,
    },
    /// One more analyst on a team between two instants.
    Add { team: i64, from: i64, until: i64 },
}

/// One hour of a team's strip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HourCell {
    pub start: i64,
    /// Forecast tickets arriving, in tenths.
    pub arrivals_tenths: i64,
    /// Fewest analysts on shift during the hour.
    pub staff: u32,
    /// Most analysts needed during the hour.
    pub needed: u32,
}

/// A ticket the projection says will breach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PredictedBreach {
    pub ticket_id: i64,
    pub number: i64,
    pub client: String,
    pub priority: String,
    pub at: i64,
}

/// One team's next hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamStrip {
    pub team_id: i64,
    pub team: String,
    pub hours: Vec<HourCell>,
    /// Analysts on shift and needed per step.
    pub staff: Vec<u32>,
    pub needed: Vec<u32>,
    /// Open tickets predicted to breach within the horizon, earliest first.
    pub breaches: Vec<PredictedBreach>,
    /// Forecast arrivals predicted to breach within the horizon, by client code.
    pub arrivals_breaching: Vec<(String, u32)>,
    /// Clients whose forecast was raised for a live spike.
    pub spiking: Vec<String>,
    /// One more analyst from this instant is the suggested action.
    pub more_from: Option<i64>,
}

/// The whole desk's (or a lead's teams') next hours.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Strip {
    pub now: i64,
    /// The first step's start (now, rounded down to the step).
    pub start: i64,
    pub teams: Vec<TeamStrip>,
}

impl TeamStrip {
    /// The suggested action in the lead's words, e.g. "one more analyst on Atlas from 12:30"
    /// UTC, as the rest of the desk shows times.
    pub fn suggestion(&self) -> Option<String> {
        self.more_from.map(|at| {
            format!(
                "one more analyst on {} from {} UTC",
                self.team,
                crate::model::time::format_hm_utc(at)
            )
        })
    }
}
