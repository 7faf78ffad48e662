//! Analysts needed per team and 15-minute step to meet each client's response targets, from the
//! forecast arrivals and handle times, with Erlang C ([`super::erlang`]).
//!
//! A team serves several priorities whose targets differ by hours (P1 in 15 minutes, P3 in 4).
//! Urgent work is taken first, so a priority waits only behind its own and more urgent tickets:
//! for each priority, the analysts needed to give it and everything more urgent its own target
//! (pooled traffic, the pool's mean handle time); the team needs the most of these. Pooling
//! everything under the strictest target would staff the night for P3s as if they were P1s.

use super::erlang::agents_needed;
use crate::model::Priority;

/// Share of tickets to pick up within their response target: the contact-centre convention.
pub const SERVICE_GOAL: f64 = 0.8;

/// One priority's demand on a team in one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Demand {
    pub priority: Priority,
    /// Forecast tickets per hour.
    pub per_hour: f64,
    /// Seconds of work per ticket.
    pub handle_secs: f64,
    /// The response target, seconds.
    pub target_secs: f64,
}

/// Analysts needed for a step's demand (any order; priorities may repeat, e.g. one per client,
/// the strictest target of a priority counting).
pub fn analysts_needed(demand: &[Demand]) -> u32 {
    let mut sorted: Vec<&Demand> = demand.iter().filter(|d| d.per_hour > 0.0).collect();
    sorted.sort_by_key(|d| d.priority.rank());
    let mut needed = 0;
    let (mut rate, mut work) = (0.0, 0.0);
    let mut i = 0;
    while i < sorted.len() {
        let rank = sorted[i].priority.rank();
        let mut target = f64::INFINITY;
        while i < sorted.len() && sorted[i].priority.rank() == rank {
            let d = sorted[i];
            rate += d.per_hour / 3600.0;
            work += d.per_hour / 3600.0 * d.handle_secs;
            target = target.min(d.target_secs);
            i += 1;
        }
        if rate > 0.0 {
            let handle = work / rate;
            needed = needed.max(agents_needed(work, handle, target, SERVICE_GOAL));
        }
    }
    needed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demand(priority: Priority, per_hour: f64, handle_mins: f64, target_mins: f64) -> Demand {
        Demand {
            priority,
            per_hour,
            handle_secs: handle_mins * 60.0,
            target_secs: target_mins * 60.0,
        }
    }

    #[test]
    fn one_priority_is_plain_erlang_c() {
        // 200 an hour at 3 minutes = 10 Erlangs; 80% within 20 s needs 14
        assert_eq!(
            analysts_needed(&[demand(Priority::P2, 200.0, 3.0, 20.0 / 60.0)]),
            14
        );
        assert_eq!(analysts_needed(&[]), 0);
        assert_eq!(analysts_needed(&[demand(Priority::P1, 0.0, 30.0, 15.0)]), 0);
    }

    #[test]
    fn lenient_work_does_not_inherit_the_strictest_target() {
        // 2 P1 an hour (1 Erlang at 30 min) within 15 min; 8 P3 an hour (4 Erlangs) within 4 h
        let p1 = demand(Priority::P1, 2.0, 30.0, 15.0);
        let p3 = demand(Priority::P3, 8.0, 30.0, 240.0);
        let alone = analysts_needed(&[p1]);
        let both = analysts_needed(&[p3, p1]);
        // the P3s need little more than their load (5 Erlangs in all), not P1's 15 minutes
        let strict = agents_needed(5.0, 1800.0, 900.0, SERVICE_GOAL);
        assert_eq!((alone, both, strict), (3, 6, 7));
    }

    #[test]
    fn the_strictest_target_of_a_priority_counts() {
        let lax = demand(Priority::P2, 20.0, 6.0, 60.0);
        let strict = demand(Priority::P2, 20.0, 6.0, 0.5);
        let pooled = analysts_needed(&[lax, strict]);
        // 40 an hour at 6 min = 4 Erlangs, within 30 s
        assert_eq!(pooled, agents_needed(4.0, 360.0, 30.0, SERVICE_GOAL));
        assert!(pooled > analysts_needed(&[lax, lax]));
    }
}
