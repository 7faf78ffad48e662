//! The ops dashboard: queue health per client, team workload, and volume. Types shared with the
//! browser, and the judgements (spike, overload, attainment, worst first) as pure functions.

use serde::{Deserialize, Serialize};
use std::cmp::Reverse;

/// One client's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientHealth {
    pub org_code: String,
    pub org_name: String,
    pub open: i64,
    pub unassigned: i64,
    /// Running clocks past their warning threshold, not yet due.
    pub at_risk: i64,
    /// Running clocks past due.
    pub breached: i64,
    pub oldest_open_at: Option<i64>,
    /// The next target to fall due among open work: (due, warn).
    pub next_due: Option<(i64, i64)>,
    pub arrivals_last_hour: i64,
    /// Usual arrivals in this hour of this weekday, in tenths (averaged over past weeks).
    pub normal_tenths: i64,
    pub spike: bool,
    /// Percent of tickets resolved in the period that met every target (None: none resolved).
    pub attainment_24h: Option<u8>,
    pub attainment_7d: Option<u8>,
}

/// Open tickets of one analyst, per client code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalystLoad {
    pub id: i64,
    pub name: String,
    pub tier: Option<u8>,
    pub by_client: Vec<(String, i64)>,
    pub total: i64,
    pub overloaded: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamLoad {
    pub team: String,
    pub analysts: Vec<AnalystLoad>,
    /// The team's median open tickets per analyst.
    pub median: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workload {
    /// Client codes with open assigned work: the matrix's columns.
    pub clients: Vec<String>,
    pub teams: Vec<TeamLoad>,
    /// Open tickets per tier (1, 2, 3).
    pub tiers: [i64; 3],
    /// Open tickets per tier still unassigned.
    pub tiers_unassigned: [i64; 3],
}

/// Arrivals over the last 24 hours (hourly, oldest first) and 7 days (daily, oldest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Volume {
    pub label: String,
    pub hourly: Vec<i64>,
    pub daily: Vec<i64>,
    /// Start of the first hourly and daily bucket.
    pub hourly_from: i64,
    pub daily_from: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub now: i64,
    pub clients: Vec<ClientHealth>,
    pub workload: Workload,
    pub volume: Volume,
}

/// Arrivals "well above normal": at least three, and at least double the usual plus two.
pub fn is_spike(arrivals: i64, normal_tenths: i64) -> bool {
    arrivals >= 3 && arrivals * 10 >= 2 * normal_tenths + 20
}

/// Percent met, rounded down; None when nothing was resolved.
pub fn attainment(resolved: i64, met: i64) -> Option<u8> {
    (resolved > 0).then(|| ((met.clamp(0, resolved) * 100) / resolved) as u8)
}

pub fn median(values: &mut [i64]) -> i64 {
    if values.is_empty() {
        return 0;
    }
    values.sort_unstable();
    values[values.len() / 2]
}

/// Overloaded: half again the peers' median, at least three more than it, and at least five.
pub fn is_overloaded(total: i64, peer_median: i64) -> bool {
    // below five open tickets nobody is overloaded, whatever the quiet colleagues hold
    total >= 5 && total >= peer_median + 3 && total * 2 >= peer_median * 3
}

/// How the client table can be sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum HealthSort {
    /// Breached, then at risk, then unassigned, then open: the default.
    #[default]
    Worst,
    Name,
    Open,
    Unassigned,
    AtRisk,
    Breached,
    Oldest,
    NextDue,
    Arrivals,
}

pub fn sort_clients(rows: &mut [ClientHealth], by: HealthSort) {
    match by {
        HealthSort::Worst => rows.sort_by_key(|c| {
            (
                Reverse(c.breached),
                Reverse(c.at_risk),
                Reverse(c.spike),
                Reverse(c.unassigned),
                Reverse(c.open),
            )
        }),
        HealthSort::Name => rows.sort_by(|a, b| a.org_name.cmp(&b.org_name)),
        HealthSort::Open => rows.sort_by_key(|c| Reverse(c.open)),
        HealthSort::Unassigned => rows.sort_by_key(|c| Reverse(c.unassigned)),
        HealthSort::AtRisk => rows.sort_by_key(|c| Reverse(c.at_risk)),
        HealthSort::Breached => rows.sort_by_key(|c| Reverse(c.breached)),
        HealthSort::Oldest => rows.sort_by_key(|c| c.oldest_open_at.unwrap_or(i64::MAX)),
        HealthSort::NextDue => rows.sort_by_key(|c| c.next_due.map(|d| d.0).unwrap_or(i64::MAX)),
        HealthSort::Arrivals => rows.sort_by_key(|c| Reverse(c.arrivals_last_hour)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(code: &str, open: i64, breached: i64, at_risk: i64) -> ClientHealth {
        ClientHealth {
            org_code: code.into(),
            org_name: code.into(),
            open,
            unassigned: 0,
            at_risk,
            breached,
            oldest_open_at: None,
            next_due: None,
            arrivals_last_hour: 0,
            normal_tenths: 0,
            spike: false,
            attainment_24h: None,
            attainment_7d: None,
        }
    }

    #[test]
    fn spikes_are_well_above_normal_only() {
        assert!(!is_spike(2, 0), "two tickets are never a spike");
        assert!(is_spike(3, 0));
        assert!(is_spike(6, 20), "six against a usual two");
        assert!(!is_spike(5, 20));
        assert!(
            !is_spike(12, 60),
            "twelve against a usual six is busy, not a spike"
        );
        assert!(is_spike(14, 60));
    }

    #[test]
    fn attainment_is_a_rounded_down_percentage() {
        assert_eq!(attainment(0, 0), None);
        assert_eq!(attainment(3, 2), Some(66));
        assert_eq!(attainment(4, 4), Some(100));
        assert_eq!(attainment(4, 9), Some(100));
    }

    #[test]
    fn overload_is_relative_to_the_team() {
        let mut v = vec![4, 2, 9, 3, 5];
        assert_eq!(median(&mut v), 4);
        assert_eq!(median(&mut []), 0);
        assert!(is_overloaded(9, 4));
        assert!(!is_overloaded(6, 4));
        assert!(
            !is_overloaded(3, 0),
            "three tickets on a quiet team is not overload"
        );
        assert!(!is_overloaded(4, 1));
        assert!(is_overloaded(5, 1));
    }

    #[test]
    fn worst_clients_come_first() {
        let mut rows = vec![
            client("A", 10, 0, 0),
            client("B", 2, 1, 0),
            client("C", 5, 0, 3),
            client("D", 1, 1, 2),
        ];
        sort_clients(&mut rows, HealthSort::Worst);
        let order: Vec<_> = rows.iter().map(|c| c.org_code.as_str()).collect();
        assert_eq!(order, ["D", "B", "C", "A"]);
        sort_clients(&mut rows, HealthSort::Open);
        assert_eq!(rows[0].org_code, "A");
        sort_clients(&mut rows, HealthSort::Name);
        assert_eq!(rows[0].org_code, "A");
    }
}
