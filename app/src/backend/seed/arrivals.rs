//! When the demo desk's tickets arrive: the rhythm of offices in each client's own time zone (a
//! peak as people start work, another after lunch, quiet nights and weekends) and one client's
//! outage last week. Ticket i of n arrives at the i/n quantile of the whole desk's arrivals, so
//! ticket numbers grow with time whatever the count; its client is drawn among the clients in
//! proportion to how busy each is in that hour.

use super::desk::OrgInfo;
use super::rng::Rng;
use crate::model::time::{DAY, HOUR, MINUTE};
use chrono::{Datelike, TimeZone, Timelike, Weekday};

/// Requests per working hour, relative, by the hour of a weekday in the client's time zone.
const WEEKDAY: [f64; 24] = [
    0.04, 0.03, 0.03, 0.03, 0.04, 0.08, 0.2, 0.6, 1.3, 1.7, 1.4, 1.2, 0.8, 1.1, 1.35, 1.2, 1.0,
    0.7, 0.4, 0.25, 0.18, 0.12, 0.08, 0.05,
];
/// Saturdays and Sundays: a few people working, nobody raising much.
const WEEKEND: f64 = 0.12;
/// The client whose network went down last week (an index into the organizations).
const OUTAGE_ORG: usize = 2;
/// What the outage added per hour for its four hours, as a multiple of that client's busiest
/// normal hour.
const OUTAGE: f64 = 6.0;
/// The last few tickets arrive within this long before now.
const FRESH: i64 = 30 * MINUTE;

/// How busy a client is in the hour starting at `at`, in its own time zone.
fn rhythm(org: &OrgInfo, at: i64) -> f64 {
    let Some(local) = org.policy.business.tz.timestamp_opt(at, 0).single() else {
        return WEEKDAY[0];
    };
    let hour = WEEKDAY[local.hour() as usize];
    match local.weekday() {
        Weekday::Sat | Weekday::Sun => hour * WEEKEND,
        _ => hour,
    }
}

/// The hours of the history, each with the desk's arrivals so far and each client's share.
pub(super) struct Arrivals {
    start: i64,
    /// The desk's relative arrivals up to the end of each hour.
    cumulative: Vec<f64>,
    /// Each hour's clients' arrivals, cumulative over the organizations.
    orgs: Vec<Vec<f64>>,
}

impl Arrivals {
    /// The `days` before `now`, with the outage a week before `now` from 10:00 to 14:00 of the
    /// outage client's time.
    pub(super) fn new(orgs: &[OrgInfo], now: i64, days: i64) -> Arrivals {
        let start = now - days * DAY;
        let outage = orgs
            .get(OUTAGE_ORG)
            .map(|org| outage_start(org, now - 7 * DAY));
        let (mut total, mut cumulative, mut per_hour) = (0.0, Vec::new(), Vec::new());
        for h in 0..days * 24 {
            let at = start + h * HOUR;
            let mut running = 0.0;
            let shares = orgs
                .iter()
                .enumerate()
                .map(|(i, org)| {
                    let mut busy = rhythm(org, at);
                    if i == OUTAGE_ORG && outage.is_some_and(|o| (o..o + 4 * HOUR).contains(&at)) {
                        busy += OUTAGE * WEEKDAY[9];
                    }
                    running += busy * f64::from(org.weight);
                    running
                })
                .collect();
            total += running;
            cumulative.push(total);
            per_hour.push(shares);
        }
        Arrivals {
            start,
            cumulative,
            orgs: per_hour,
        }
    }

    /// When ticket `i` of `n` arrives, and the index of its client. The last few arrived in the
    /// last half hour, whatever the hour: a desk always has requests nobody has picked up yet.
    pub(super) fn ticket(&self, rng: &mut Rng, i: usize, n: usize) -> (i64, usize) {
        let (at, h) = self.quantile(i, n);
        let fresh = (n / 400).clamp(1, 50).min(n / 10);
        let end = self.start + self.cumulative.len() as i64 * HOUR;
        let at = match n - i {
            left if left <= fresh => at.max(end - left as i64 * FRESH / (fresh as i64 + 1)),
            _ => at,
        };
        let shares = &self.orgs[h];
        let pick = unit(rng) * shares.last().copied().unwrap_or(0.0);
        let org = shares
            .partition_point(|c| *c <= pick)
            .min(shares.len().saturating_sub(1));
        (at, org)
    }

    /// The instant at the `i`/`n` quantile of the arrivals, and its hour.
    fn quantile(&self, i: usize, n: usize) -> (i64, usize) {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let target = (i as f64 + 0.5) / n.max(1) as f64 * total;
        let h = self
            .cumulative
            .partition_point(|c| *c < target)
            .min(self.cumulative.len().saturating_sub(1));
        let before = if h == 0 { 0.0 } else { self.cumulative[h - 1] };
        let within = ((target - before) / (self.cumulative[h] - before).max(f64::MIN_POSITIVE))
            .clamp(0.0, 1.0);
        let at = self.start + h as i64 * HOUR + (within * (HOUR - 1) as f64) as i64;
        (at, h)
    }
}

/// 10:00 in `org`'s time zone on the day of `day`.
fn outage_start(org: &OrgInfo, day: i64) -> i64 {
    let tz = org.policy.business.tz;
    tz.timestamp_opt(day, 0)
        .single()
        .and_then(|local| local.date_naive().and_hms_opt(10, 0, 0))
        .and_then(|ten| tz.from_local_datetime(&ten).earliest())
        .map_or(day, |ten| ten.timestamp())
}

/// Uniform in `[0, 1)`.
fn unit(rng: &mut Rng) -> f64 {
    (rng.next() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::sla::{standard_targets, BusinessCalendar, SlaPolicy, WorkingHours};

    fn org(tz: &str, weight: u32) -> OrgInfo {
        OrgInfo {
            id: 1,
            clients: Vec::new(),
            teams: vec![0],
            weight,
            policy: SlaPolicy {
                targets: standard_targets(480).to_vec(),
                business: BusinessCalendar {
                    tz: crate::model::sla::parse_time_zone(tz).unwrap(),
                    hours: WorkingHours::parse("12345", 540, 1020).unwrap(),
                    holidays: Default::default(),
                },
                warn_percent: 75,
            },
        }
    }

    #[test]
    fn tickets_arrive_in_order_with_office_peaks_and_quiet_weekends() {
        // Monday 2026-11-30 00:00 UTC, 28 days back
        let now = 1_796_601_600 + 7 * DAY;
        let orgs = [org("UTC", 1), org("UTC", 1), org("UTC", 1)];
        let arrivals = Arrivals::new(&orgs, now, 28);
        let mut rng = Rng(1);
        let n = 20_000;
        let mut by_hour = [0u32; 24];
        let (mut weekend, mut last) = (0u32, i64::MIN);
        for i in 0..n {
            let (at, _) = arrivals.ticket(&mut rng, i, n);
            assert!(at >= last && at < now, "in order, within the history");
            last = at;
            let local = chrono::Utc.timestamp_opt(at, 0).unwrap();
            by_hour[local.hour() as usize] += 1;
            weekend += u32::from(matches!(local.weekday(), Weekday::Sat | Weekday::Sun));
        }
        assert!(
            by_hour[9] > 20 * by_hour[3],
            "a morning peak, quiet nights: {by_hour:?}"
        );
        assert!(
            by_hour[14] > by_hour[12],
            "busier after lunch than at lunch"
        );
        assert!(weekend < n as u32 / 15, "quiet weekends: {weekend} of {n}");
    }

    #[test]
    fn a_clients_outage_shows_as_a_spike_last_week() {
        let now = 1_796_601_600 + 7 * DAY + 20 * HOUR;
        let orgs = [org("UTC", 5), org("UTC", 5), org("Europe/Berlin", 5)];
        let arrivals = Arrivals::new(&orgs, now, 28);
        let mut rng = Rng(3);
        let n = 28_000;
        let outage = outage_start(&orgs[2], now - 7 * DAY);
        let (mut during, mut same_hours_other_days) = (0, 0);
        for i in 0..n {
            let (at, o) = arrivals.ticket(&mut rng, i, n);
            let into_day = (at - outage).rem_euclid(DAY);
            if o == 2 && into_day < 4 * HOUR {
                if (outage..outage + 4 * HOUR).contains(&at) {
                    during += 1;
                } else {
                    same_hours_other_days += 1;
                }
            }
        }
        // 27 other days, 19 of them weekdays: the outage's four hours hold several normal days
        assert!(
            during * 19 > 4 * same_hours_other_days,
            "{during} during, {same_hours_other_days} on the other days"
        );
    }
}
