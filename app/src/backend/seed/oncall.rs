//! The demo desk's on-call rota: in each team, one analyst of the first two tiers on call for a
//! day at a time (09:00 to 09:00 UTC), in turn, from two weeks back to two weeks ahead, set up by
//! the team's lead, so that a P1 raised at any hour pages someone.

use super::desk::TeamInfo;
use super::SeedError;
use crate::backend::db::Conn;
use crate::backend::repo::oncall;
use crate::model::time::{DAY, HOUR};

const DAYS_BACK: i64 = 14;
const DAYS_AHEAD: i64 = 14;

pub(super) async fn rota(conn: &mut Conn, teams: &[TeamInfo], now: i64) -> Result<(), SeedError> {
    let first_day = now.div_euclid(DAY) - DAYS_BACK;
    for team in teams {
        let Some(lead) = oncall::team_lead(&mut *conn, team.id).await? else {
            continue;
        };
        let rotation: Vec<i64> = team.tiers[0]
            .iter()
            .chain(&team.tiers[1])
            .copied()
            .collect();
        if rotation.is_empty() {
            continue;
        }
        for (turn, day) in (first_day..first_day + DAYS_BACK + DAYS_AHEAD).enumerate() {
            let starts = day * DAY + 9 * HOUR;
            let who = rotation[turn % rotation.len()];
            oncall::add_shift(&mut *conn, team.id, who, starts, starts + DAY, lead).await?;
        }
    }
    Ok(())
}
