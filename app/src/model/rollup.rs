//! Daily report rollups: what one client's tickets raised on one day add to a desk report, so
//! that a report over a period reads one small row per client and day instead of every ticket.
//!
//! Counts add up exactly. Durations are kept as histograms at the precision the reports show them
//! (see [`bucket`]), so a median or 90th percentile from merged days reads the same on the page
//! as one computed from every ticket.

use super::reports::monday_of;
use super::stats::Spread;
use super::time::{DAY, HOUR, MINUTE};
use super::{Channel, Priority};
use serde::{Deserialize, Serialize};

/// What the reports need to know about one ticket raised in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketFacts {
    pub org_id: i64,
    pub created_at: i64,
    pub priority: Priority,
    pub channel: Channel,
    pub category_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub response_breached: bool,
    pub resolution_breached: bool,
    pub first_contact: bool,
    pub reopened: bool,
    pub stars: Option<u8>,
}

/// A duration rounded down to the precision [`super::time::format_duration`] shows: seconds
/// below a minute, minutes below a day, hours beyond.
pub fn bucket(secs: i64) -> i64 {
    let s = secs.max(0);
    if s < MINUTE {
        s
    } else if s < DAY {
        s - s % MINUTE
    } else {
        s - s % HOUR
    }
}

/// How many durations fell in each bucket, by bucket, ascending.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Histogram(Vec<(i64, u32)>);

impl Histogram {
    pub fn of(durations: impl IntoIterator<Item = i64>) -> Histogram {
        Histogram::merged(durations.into_iter().map(|d| (bucket(d), 1)))
    }

    /// The sum of several histograms.
    pub fn sum<'a>(parts: impl IntoIterator<Item = &'a Histogram>) -> Histogram {
        Histogram::merged(parts.into_iter().flat_map(|h| h.0.iter().copied()))
    }

    fn merged(counts: impl Iterator<Item = (i64, u32)>) -> Histogram {
        let mut all: Vec<(i64, u32)> = counts.collect();
        all.sort_unstable_by_key(|(b, _)| *b);
        let mut out: Vec<(i64, u32)> = Vec::with_capacity(all.len());
        for (b, n) in all {
            match out.last_mut() {
                Some((last, total)) if *last == b => *total += n,
                _ => out.push((b, n)),
            }
        }
        Histogram(out)
    }

    pub fn count(&self) -> usize {
        self.0.iter().map(|(_, n)| *n as usize).sum()
    }

    /// The nearest-rank percentile `p` (0 to 100), like [`super::stats::percentile`].
    pub fn percentile(&self, p: u32) -> Option<i64> {
        let total = self.count();
        if total == 0 {
            return None;
        }
        let rank = (p as usize * total).div_ceil(100).clamp(1, total);
        let mut seen = 0;
        self.0.iter().find_map(|(b, n)| {
            seen += *n as usize;
            (seen >= rank).then_some(*b)
        })
    }

    pub fn spread(&self) -> Spread {
        Spread {
            count: self.count(),
            median: self.percentile(50),
            p90: self.percentile(90),
        }
    }
}

/// One client's tickets raised on one day, as the desk report counts them. Rates count among the
/// resolved (first contact, reopened, resolution met) or the answered (response met).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayRollup {
    pub raised: u32,
    pub resolved: u32,
    pub responded: u32,
    pub response_met: u32,
    pub resolution_met: u32,
    pub first_contact: u32,
    pub reopened: u32,
    pub ratings: u32,
    /// The sum of the stars given.
    pub stars: u32,
    /// Tickets raised in each hour of the day (UTC).
    pub hours: [u32; 24],
    /// (label, tickets) by priority and channel; (category id, tickets) by category.
    pub priorities: Vec<(String, u32)>,
    pub channels: Vec<(String, u32)>,
    pub categories: Vec<(Option<i64>, u32)>,
    pub first_response: Histogram,
    pub resolution: Histogram,
    /// The same times in business hours of the client's calendar.
    pub first_response_business: Histogram,
    pub resolution_business: Histogram,
}

fn tally<K: PartialEq + Ord>(keys: impl Iterator<Item = K>) -> Vec<(K, u32)> {
    let mut out: Vec<(K, u32)> = Vec::new();
    for key in keys {
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => out.push((key, 1)),
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The rollup of the tickets one client raised on one day. `working` gives the working seconds
/// between two instants in that client's calendar.
pub fn roll_up(tickets: &[TicketFacts], working: impl Fn(i64, i64) -> i64) -> DayRollup {
    let resolved: Vec<&TicketFacts> = tickets.iter().filter(|t| t.resolved_at.is_some()).collect();
    let count =
        |keep: &dyn Fn(&TicketFacts) -> bool| resolved.iter().filter(|t| keep(t)).count() as u32;
    let mut hours = [0u32; 24];
    for t in tickets {
        hours[((t.created_at.rem_euclid(DAY) / HOUR) as usize).min(23)] += 1;
    }
    let response = || {
        tickets
            .iter()
            .filter_map(|t| t.first_response_at.map(|at| (t.created_at, at)))
    };
    let resolution = || {
        tickets
            .iter()
            .filter_map(|t| t.resolved_at.map(|at| (t.created_at, at)))
    };
    let stars: Vec<u32> = tickets
        .iter()
        .filter_map(|t| t.stars)
        .map(u32::from)
        .collect();
    DayRollup {
        raised: tickets.len() as u32,
        resolved: resolved.len() as u32,
        responded: response().count() as u32,
        response_met: tickets
            .iter()
            .filter(|t| t.first_response_at.is_some() && !t.response_breached)
            .count() as u32,
        resolution_met: count(&|t| !t.resolution_breached),
        first_contact: count(&|t| t.first_contact),
        reopened: count(&|t| t.reopened),
        ratings: stars.len() as u32,
        stars: stars.iter().sum(),
        hours,
        priorities: tally(tickets.iter().map(|t| t.priority.label().to_string())),
        channels: tally(tickets.iter().map(|t| t.channel.label().to_string())),
        categories: tally(tickets.iter().map(|t| t.category_id)),
        first_response: Histogram::of(response().map(|(from, to)| to - from)),
        resolution: Histogram::of(resolution().map(|(from, to)| to - from)),
        first_response_business: Histogram::of(response().map(|(from, to)| working(from, to))),
        resolution_business: Histogram::of(resolution().map(|(from, to)| working(from, to))),
    }
}

/// One client's day as a report reads it: the tickets raised that day (`rollup`) and `closed`,
/// the tickets of any day whose latest resolution fell on it (for the backlog).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportDay {
    /// Days since 1970-01-01 (UTC).
    pub day: i64,
    pub closed: u32,
    pub rollup: DayRollup,
}

/// What the tickets one analyst holds add to their weekly scorecard on one day (UTC): those
/// raised that day, those whose latest resolution fell on it, and the first answers given on it.
/// A week's card is the sum of its seven days, each ticket counted once (see
/// [`AnalystDay::resolved_same_week`]); durations are histograms as in [`DayRollup`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalystDay {
    pub raised: u32,
    pub resolved: u32,
    /// Of the resolved, those raised in the same week: a week's card handles them once.
    pub resolved_same_week: u32,
    pub first_contact: u32,
    pub resolution_met: u32,
    pub reopened: u32,
    pub ratings: u32,
    /// The sum of the stars given to the resolved.
    pub stars: u32,
    /// Times to the first answers given this day, of the tickets the week's card handles (raised
    /// or resolved in the week of this day).
    pub first_response: Histogram,
    pub resolution: Histogram,
}

impl AnalystDay {
    /// The days of one analyst's week (or weeks) added up.
    pub fn sum<'a>(days: impl IntoIterator<Item = &'a AnalystDay>) -> AnalystDay {
        let days: Vec<&AnalystDay> = days.into_iter().collect();
        let add = |of: fn(&AnalystDay) -> u32| days.iter().map(|d| of(d)).sum();
        AnalystDay {
            raised: add(|d| d.raised),
            resolved: add(|d| d.resolved),
            resolved_same_week: add(|d| d.resolved_same_week),
            first_contact: add(|d| d.first_contact),
            resolution_met: add(|d| d.resolution_met),
            reopened: add(|d| d.reopened),
            ratings: add(|d| d.ratings),
            stars: add(|d| d.stars),
            first_response: Histogram::sum(days.iter().map(|d| &d.first_response)),
            resolution: Histogram::sum(days.iter().map(|d| &d.resolution)),
        }
    }

    /// Tickets raised or resolved in the week: each once.
    pub fn handled(&self) -> u32 {
        self.raised + self.resolved - self.resolved_same_week
    }

    pub fn is_empty(&self) -> bool {
        self.raised == 0 && self.resolved == 0 && self.first_response.count() == 0
    }
}

/// The rollup of one analyst's `day` from their tickets (any that were raised, resolved or first
/// answered on it; others are left out).
pub fn analyst_day(tickets: &[TicketFacts], day: i64) -> AnalystDay {
    let week_start = monday_of(day) * DAY;
    let in_week = |at: i64| at >= week_start && at < week_start + 7 * DAY;
    let on_day = |at: Option<i64>| at.is_some_and(|at| at.div_euclid(DAY) == day);
    let resolved: Vec<&TicketFacts> = tickets.iter().filter(|t| on_day(t.resolved_at)).collect();
    let count =
        |keep: &dyn Fn(&TicketFacts) -> bool| resolved.iter().filter(|t| keep(t)).count() as u32;
    let stars: Vec<u32> = resolved
        .iter()
        .filter_map(|t| t.stars)
        .map(u32::from)
        .collect();
    let answered = tickets.iter().filter(|t| {
        on_day(t.first_response_at) && (in_week(t.created_at) || t.resolved_at.is_some_and(in_week))
    });
    AnalystDay {
        raised: tickets
            .iter()
            .filter(|t| on_day(Some(t.created_at)))
            .count() as u32,
        resolved: resolved.len() as u32,
        resolved_same_week: count(&|t| in_week(t.created_at)),
        first_contact: count(&|t| t.first_contact),
        resolution_met: count(&|t| !t.resolution_breached),
        reopened: count(&|t| t.reopened),
        ratings: stars.len() as u32,
        stars: stars.iter().sum(),
        first_response: Histogram::of(
            answered.filter_map(|t| t.first_response_at.map(|at| at - t.created_at)),
        ),
        resolution: Histogram::of(
            resolved
                .iter()
                .filter_map(|t| t.resolved_at.map(|at| at - t.created_at)),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::stats::{percentile, spread};

    #[test]
    fn buckets_keep_the_precision_reports_show() {
        assert_eq!(bucket(42), 42);
        assert_eq!(bucket(10 * MINUTE + 59), 10 * MINUTE);
        assert_eq!(bucket(3 * HOUR + 5 * MINUTE + 30), 3 * HOUR + 5 * MINUTE);
        assert_eq!(bucket(2 * DAY + 4 * HOUR + 59 * MINUTE), 2 * DAY + 4 * HOUR);
        assert_eq!(
            bucket(-5),
            0,
            "a clock set back never makes a negative time"
        );
    }

    #[test]
    fn merged_histograms_give_the_percentiles_of_every_value() {
        let values: Vec<i64> = (0..500).map(|i| (i * 7919) % 200_000).collect();
        let (a, b) = values.split_at(173);
        let merged = Histogram::sum([&Histogram::of(a.to_vec()), &Histogram::of(b.to_vec())]);
        let mut sorted: Vec<i64> = values.iter().copied().map(bucket).collect();
        sorted.sort_unstable();
        for p in [1, 10, 50, 90, 99, 100] {
            assert_eq!(merged.percentile(p), percentile(&sorted, p), "p{p}");
        }
        assert_eq!(merged.count(), 500);
        let exact = spread(values.clone());
        assert_eq!(merged.spread().median, exact.median.map(bucket));
        assert_eq!(Histogram::default().spread(), spread(Vec::new()));
    }
}
