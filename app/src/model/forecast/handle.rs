//! Handle time: how long an analyst works one ticket, per team and priority, from resolved
//! tickets. The desk records no time sheets, so a ticket's handle time is its business time from
//! first response (or creation) to resolution in the client's calendar, capped: time past
//! [`MAX_HANDLE`] is waiting (on the client, a part, a third party), not work, and a ticket
//! resolved within [`MIN_HANDLE`] still took someone's attention. The median of the capped times
//! resists the tickets that sat for days.

use crate::model::time::MINUTE;
use crate::model::Priority;
use std::collections::HashMap;

pub const MIN_HANDLE: i64 = 5 * MINUTE;
pub const MAX_HANDLE: i64 = 120 * MINUTE;
/// Fewer samples than this and the priority's desk-wide figure (or the default) is used.
pub const MIN_SAMPLES: usize = 5;

/// Handle time when nothing has been resolved yet, by priority.
pub fn default_handle(priority: Priority) -> i64 {
    match priority {
        Priority::P1 => 90 * MINUTE,
        Priority::P2 => 45 * MINUTE,
        Priority::P3 => 30 * MINUTE,
        Priority::Ops => 60 * MINUTE,
    }
}

/// One resolved ticket as handle times read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved {
    /// The client, whose calendar counts the business time.
    pub org_id: i64,
    pub team_id: Option<i64>,
    pub priority: Priority,
    /// First response, or creation when it was resolved without one.
    pub started_at: i64,
    pub resolved_at: i64,
}

/// Handle times per team and priority, seconds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HandleTimes {
    by_team: HashMap<(i64, Priority), i64>,
    by_priority: HashMap<Priority, i64>,
}

impl HandleTimes {
    /// The handle time of a team's tickets of a priority: the team's own median when it has
    /// enough, else the desk's, else the default.
    pub fn of(&self, team_id: i64, priority: Priority) -> i64 {
        self.by_team
            .get(&(team_id, priority))
            .or_else(|| self.by_priority.get(&priority))
            .copied()
            .unwrap_or_else(|| default_handle(priority))
    }
}

fn median(mut v: Vec<i64>) -> Option<i64> {
    if v.len() < MIN_SAMPLES {
        return None;
    }
    v.sort_unstable();
    Some(v[v.len() / 2])
}

/// Handle times from resolved tickets; `working` gives a ticket's working seconds between two
/// instants in its client's calendar.
pub fn handle_times(resolved: &[Resolved], working: impl Fn(&Resolved) -> i64) -> HandleTimes {
    let mut by_team: HashMap<(i64, Priority), Vec<i64>> = HashMap::new();
    let mut by_priority: HashMap<Priority, Vec<i64>> = HashMap::new();
    for r in resolved {
        let secs = working(r).clamp(MIN_HANDLE, MAX_HANDLE);
        by_priority.entry(r.priority).or_default().push(secs);
        if let Some(team) = r.team_id {
            by_team.entry((team, r.priority)).or_default().push(secs);
        }
    }
    HandleTimes {
        by_team: by_team
            .into_iter()
            .filter_map(|(k, v)| median(v).map(|m| (k, m)))
            .collect(),
        by_priority: by_priority
            .into_iter()
            .filter_map(|(k, v)| median(v).map(|m| (k, m)))
            .collect(),
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::model::sla::{BusinessCalendar, Calendar, WorkingHours};
    use crate::model::time::HOUR;

    /// Monday 2026-11-30 00:00 UTC.
    const MONDAY: i64 = 1_795_996_800;

    fn office() -> Calendar {
        Calendar::Business(BusinessCalendar {
            tz: chrono_tz::UTC,
            hours: WorkingHours::parse("12345", 9 * 60, 17 * 60).expect("hours"),
            holidays: Default::default(),
        })
    }

    fn ticket(team: i64, priority: Priority, start: i64, mins: i64) -> Resolved {
        Resolved {
            org_id: 1,
            team_id: Some(team),
            priority,
            started_at: start,
            resolved_at: start + mins * MINUTE,
        }
    }

    #[test]
    fn business_time_counts_only_working_hours() {
        let cal = office();
        // five tickets each started at 16:30 and resolved at 9:30 next morning: one hour of work
        let start = MONDAY + 16 * HOUR + 30 * MINUTE;
        let tickets: Vec<Resolved> = (0..5)
            .map(|_| ticket(1, Priority::P2, start, 17 * 60))
            .collect();
        let h = handle_times(&tickets, |r| cal.elapsed(r.started_at, r.resolved_at));
        assert_eq!(h.of(1, Priority::P2), HOUR);
        // around the clock the same tickets took 17 hours, capped
        let wall = handle_times(&tickets, |r| r.resolved_at - r.started_at);
        assert_eq!(wall.of(1, Priority::P2), MAX_HANDLE);
    }

    #[test]
    fn medians_per_team_fall_back_to_the_desk_and_the_default() {
        let mut tickets: Vec<Resolved> = [10, 20, 30, 40, 50]
            .iter()
            .map(|m| ticket(1, Priority::P3, MONDAY, *m))
            .collect();
        // team 2 has too few of its own
        tickets.push(ticket(2, Priority::P3, MONDAY, 90));
        tickets.push(ticket(2, Priority::P3, MONDAY, 1));
        let h = handle_times(&tickets, |r| r.resolved_at - r.started_at);
        assert_eq!(h.of(1, Priority::P3), 30 * MINUTE);
        // the desk's P3s: 5 (1 min, raised to the floor), 10, 20, 30, 40, 50, 90 -> 30
        assert_eq!(h.of(2, Priority::P3), 30 * MINUTE);
        assert_eq!(h.of(1, Priority::P1), default_handle(Priority::P1));
    }
}
