//! Reports: the figures a lead reads on Monday, computed from per-ticket facts by pure functions
//! (medians, percentiles, rates, the weekday-by-hour heat map, weekly scorecards).

use super::rollup::{analyst_day, AnalystDay, DayRollup, Histogram, ReportDay, TicketFacts};
use super::stats::{rate, spread, Spread};
use super::time::{civil_from_days, DAY};
use serde::{Deserialize, Serialize};

/// Longest period a report covers.
pub const MAX_PERIOD_DAYS: i64 = 366;

/// The period and client a report covers: whole UTC days from `from` to `to`, both included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportQuery {
    /// Days since 1970-01-01 (UTC).
    pub from_day: i64,
    pub to_day: i64,
    /// Organization short code; all clients the viewer may see when `None`.
    pub client: Option<String>,
}

impl ReportQuery {
    /// The last `days` days up to and including the day of `now`.
    pub fn last_days(now: i64, days: i64) -> ReportQuery {
        let today = now.div_euclid(DAY);
        ReportQuery {
            from_day: today - days + 1,
            to_day: today,
            client: None,
        }
    }

    pub fn validate(&self) -> Result<(), String> {
        if self.to_day < self.from_day {
            return Err("The period ends before it starts; swap the dates.".into());
        }
        if self.to_day - self.from_day + 1 > MAX_PERIOD_DAYS {
            return Err(format!(
                "Choose a period of at most {MAX_PERIOD_DAYS} days."
            ));
        }
        Ok(())
    }

    pub fn start(&self) -> i64 {
        self.from_day * DAY
    }

    /// The first instant after the period.
    pub fn end(&self) -> i64 {
        (self.to_day + 1) * DAY
    }

    pub fn days(&self) -> i64 {
        self.to_day - self.from_day + 1
    }
}

/// A report's period and client as the URL or a form gives them: dates as "2026-11-23", any of
/// them left out (the last 28 days, all clients).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportParams {
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub client: Option<String>,
}

/// The period a report covers when none is chosen.
pub const DEFAULT_DAYS: i64 = 28;

impl ReportParams {
    pub fn resolve(&self, now: i64) -> Result<ReportQuery, String> {
        fn given(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|v| !v.is_empty())
        }
        let default = ReportQuery::last_days(now, DEFAULT_DAYS);
        let to_day = given(&self.to)
            .map(parse_day)
            .transpose()?
            .unwrap_or(default.to_day);
        let from_day = given(&self.from)
            .map(parse_day)
            .transpose()?
            .unwrap_or(to_day - DEFAULT_DAYS + 1);
        Ok(ReportQuery {
            from_day,
            to_day,
            client: given(&self.client).map(str::to_uppercase),
        })
    }

    pub fn to_query(&self) -> String {
        let pairs: Vec<String> = [
            ("from", &self.from),
            ("to", &self.to),
            ("client", &self.client),
        ]
        .into_iter()
        .filter_map(|(k, v)| {
            v.as_deref()
                .filter(|v| !v.is_empty())
                .map(|v| format!("{k}={v}"))
        })
        .collect();
        pairs.join("&")
    }
}

/// "2026-11-23" for a day number.
pub fn format_day(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A day number from "2026-11-23".
pub fn parse_day(text: &str) -> Result<i64, String> {
    let bad = || format!("\"{text}\" is not a date; use the form 2026-11-23.");
    let mut parts = text.trim().splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let (y, m, d): (i64, u32, u32) = (
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    );
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&m) || d == 0 {
        return Err(bad());
    }
    let day = super::time::days_from_civil(y, m, d);
    if civil_from_days(day) != (y, m, d) {
        return Err(bad());
    }
    Ok(day)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Count {
    pub label: String,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeskReport {
    pub query: ReportQuery,
    pub raised: usize,
    pub resolved: usize,
    /// Tickets raised per day of the period, oldest first.
    pub per_day: Vec<Count>,
    /// Tickets raised by weekday (Monday first) and hour of day (UTC).
    pub heat_map: [[usize; 24]; 7],
    pub by_priority: Vec<Count>,
    pub by_channel: Vec<Count>,
    pub by_category: Vec<Count>,
    pub first_response: Spread,
    pub resolution: Spread,
    /// The same times counted in business hours of each client's calendar.
    pub first_response_business: Spread,
    pub resolution_business: Spread,
    /// Tickets open at the end of each day of the period, oldest first.
    pub backlog: Vec<Count>,
    /// Tickets whose first response met its target, in percent of those with a response due.
    pub response_attainment: Option<f64>,
    pub resolution_attainment: Option<f64>,
    pub first_contact_rate: Option<f64>,
    pub reopen_rate: Option<f64>,
    /// Average stars of the ratings given.
    pub csat: Option<f64>,
    pub ratings: usize,
    /// Organizations the viewer may pick.
    pub clients: Vec<(String, String)>,
}

/// The average of some 1-5 ratings with one decimal, or `None` without any.
pub fn average_stars(stars: &[u8]) -> Option<f64> {
    average(stars.iter().map(|s| usize::from(*s)).sum(), stars.len())
}

/// `sum / n` with one decimal, or `None` when `n` is zero.
fn average(sum: usize, n: usize) -> Option<f64> {
    (n > 0).then(|| (sum as f64 * 10.0 / n as f64).round() / 10.0)
}

/// Heat map rows, Monday first (see [`weekday`]).
pub const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Monday = 0 for a unix instant (1970-01-01 was a Thursday).
pub fn weekday(at: i64) -> usize {
    (at.div_euclid(DAY) + 3).rem_euclid(7) as usize
}

/// (label, count) pairs added up per label, largest first.
fn counts(labelled: impl Iterator<Item = (String, u32)>) -> Vec<Count> {
    let mut out: Vec<Count> = Vec::new();
    for (label, n) in labelled {
        match out.iter_mut().find(|c| c.label == label) {
            Some(c) => c.count += n as usize,
            None => out.push(Count {
                label,
                count: n as usize,
            }),
        }
    }
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
    out
}

fn zero_days(query: &ReportQuery) -> Vec<Count> {
    (query.from_day..=query.to_day)
        .map(|d| Count {
            label: format_day(d),
            count: 0,
        })
        .collect()
}

/// Every figure of the desk report from the daily rollups of the period's days (any clients, any
/// order; days outside the period are ignored), `open_before`: the tickets open at the start of
/// the period, and `category_name`: a category's name by id.
pub fn desk_report(
    query: ReportQuery,
    days: &[ReportDay],
    open_before: i64,
    category_name: impl Fn(i64) -> Option<String>,
) -> DeskReport {
    let mut per_day = zero_days(&query);
    let days: Vec<(usize, &ReportDay)> = days
        .iter()
        .filter_map(|d| {
            let index = usize::try_from(d.day - query.from_day).ok()?;
            (index < per_day.len()).then_some((index, d))
        })
        .collect();
    let mut heat_map = [[0usize; 24]; 7];
    // each day's tickets raised less those resolved: the backlog's change over the day
    let mut change = vec![0i64; per_day.len()];
    for (index, d) in &days {
        per_day[*index].count += d.rollup.raised as usize;
        change[*index] += i64::from(d.rollup.raised) - i64::from(d.closed);
        for (cell, n) in heat_map[weekday(d.day * DAY)]
            .iter_mut()
            .zip(d.rollup.hours)
        {
            *cell += n as usize;
        }
    }
    let mut open = open_before;
    let mut backlog = zero_days(&query);
    for (day, delta) in backlog.iter_mut().zip(change) {
        open += delta;
        day.count = open.max(0) as usize;
    }
    let rollups = || days.iter().map(|(_, d)| &d.rollup);
    let sum = |figure: fn(&DayRollup) -> u32| rollups().map(|r| figure(r) as usize).sum::<usize>();
    let resolved = sum(|r| r.resolved);
    let ratings = sum(|r| r.ratings);
    let labels = |of: fn(&DayRollup) -> &[(String, u32)]| {
        counts(rollups().flat_map(|r| of(r).iter().map(|(l, n)| (l.clone(), *n))))
    };
    let spread_of = |of: fn(&DayRollup) -> &Histogram| Histogram::sum(rollups().map(of)).spread();
    DeskReport {
        raised: sum(|r| r.raised),
        resolved,
        per_day,
        heat_map,
        by_priority: labels(|r| &r.priorities),
        by_channel: labels(|r| &r.channels),
        by_category: counts(rollups().flat_map(|r| {
            r.categories.iter().map(|(id, n)| {
                let name = id.and_then(&category_name);
                (name.unwrap_or_else(|| "Uncategorized".into()), *n)
            })
        })),
        first_response: spread_of(|r| &r.first_response),
        resolution: spread_of(|r| &r.resolution),
        first_response_business: spread_of(|r| &r.first_response_business),
        resolution_business: spread_of(|r| &r.resolution_business),
        backlog,
        response_attainment: rate(sum(|r| r.response_met), sum(|r| r.responded)),
        resolution_attainment: rate(sum(|r| r.resolution_met), resolved),
        first_contact_rate: rate(sum(|r| r.first_contact), resolved),
        reopen_rate: rate(sum(|r| r.reopened), resolved),
        csat: average(sum(|r| r.stars), ratings),
        ratings,
        query,
        clients: Vec::new(),
    }
}

/// One analyst's week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    pub analyst_id: i64,
    pub name: String,
    pub team: Option<String>,
    /// Tickets assigned to the analyst that were raised or resolved in the week.
    pub handled: usize,
    pub resolved: usize,
    pub first_contact: usize,
    pub median_response: Option<i64>,
    pub median_resolution: Option<i64>,
    pub sla_attainment: Option<f64>,
    pub reopen_rate: Option<f64>,
    pub csat: Option<f64>,
    pub articles: usize,
    /// Time on shift within the week, in seconds, and the shifts that touched it.
    pub shift_secs: i64,
    pub shifts: usize,
    /// The same analyst's resolved count in each of the previous weeks, oldest first.
    pub trend: Vec<usize>,
}

/// The tickets an analyst owns that mattered in a week, and the articles they wrote or linked.
#[derive(Debug, Clone, Default)]
pub struct AnalystWeek {
    pub tickets: Vec<TicketFacts>,
    pub articles: usize,
    /// (started, ended) of the shifts that touched the week; a running shift has no end yet.
    pub shifts: Vec<(i64, Option<i64>)>,
    /// The instant a running shift is counted up to.
    pub now: i64,
}

/// Seconds of the shifts that fall within [start, end); a running shift counts up to `now`.
pub fn time_on_shift(shifts: &[(i64, Option<i64>)], start: i64, end: i64, now: i64) -> i64 {
    shifts
        .iter()
        .map(|(from, to)| {
            let to = to.unwrap_or(now).min(end);
            (to - (*from).max(start)).max(0)
        })
        .sum()
}

/// The card of one analyst's week from the tickets they hold that were raised or resolved in it,
/// through the same day rollups the desk keeps (see [`scorecard_of`]).
pub fn scorecard(
    analyst_id: i64,
    name: String,
    team: Option<String>,
    week: &AnalystWeek,
    week_start: i64,
    trend: Vec<usize>,
) -> Scorecard {
    let first = week_start.div_euclid(DAY);
    let days: Vec<AnalystDay> = (first..first + 7)
        .map(|day| analyst_day(&week.tickets, day))
        .collect();
    let rollup = AnalystDay::sum(&days);
    scorecard_of(analyst_id, name, team, &rollup, week, week_start, trend)
}

/// The card of one analyst's week from `rollup`, the sum of its seven days; the articles and
/// shifts come from `week` (its tickets are not read).
pub fn scorecard_of(
    analyst_id: i64,
    name: String,
    team: Option<String>,
    rollup: &AnalystDay,
    week: &AnalystWeek,
    week_start: i64,
    trend: Vec<usize>,
) -> Scorecard {
    let week_end = week_start + 7 * DAY;
    let resolved = rollup.resolved as usize;
    Scorecard {
        analyst_id,
        name,
        team,
        handled: rollup.handled() as usize,
        resolved,
        first_contact: rollup.first_contact as usize,
        median_response: rollup.first_response.percentile(50),
        median_resolution: rollup.resolution.percentile(50),
        sla_attainment: rate(rollup.resolution_met as usize, resolved),
        reopen_rate: rate(rollup.reopened as usize, resolved),
        csat: average(rollup.stars as usize, rollup.ratings as usize),
        articles: week.articles,
        shift_secs: time_on_shift(&week.shifts, week_start, week_end, week.now),
        shifts: week
            .shifts
            .iter()
            .filter(|(from, to)| *from < week_end && to.is_none_or(|t| t > week_start))
            .count(),
        trend,
    }
}

/// The team's median of one figure across its analysts' cards (those that have the figure).
pub fn team_median(values: impl Iterator<Item = Option<i64>>) -> Option<i64> {
    spread(values.flatten().collect()).median
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScorecardPage {
    /// Monday of the week, as a day number.
    pub week_day: i64,
    pub cards: Vec<Scorecard>,
    /// Team name -> medians of handled, resolved, first contact, response, resolution.
    pub team_medians: Vec<TeamMedians>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamMedians {
    pub team: String,
    pub handled: Option<i64>,
    pub resolved: Option<i64>,
    pub first_contact: Option<i64>,
    pub median_response: Option<i64>,
    pub median_resolution: Option<i64>,
}

/// The Monday (day number) of the week holding `day`.
pub fn monday_of(day: i64) -> i64 {
    day - (day + 3).rem_euclid(7)
}

/// How far back recurring problems are looked for.
pub const RECURRING_WINDOW_DAYS: i64 = 14;
/// Tickets that make a group.
pub const RECURRING_MIN: usize = 3;

/// Words too common in help desk subjects to say two tickets are alike.
const STOPWORDS: &[&str] = &[
    "about", "after", "again", "also", "because", "been", "before", "cannot", "could", "does",
    "doesnt", "dont", "error", "from", "have", "help", "issue", "just", "keeps", "need", "needs",
    "please", "problem", "since", "still", "that", "their", "there", "this", "today", "when",
    "will", "with", "work", "working", "would", "your", "urgent", "request", "anymore", "all",
    "and", "any", "are", "but", "can", "cant", "did", "for", "get", "got", "has", "how", "its",
    "new", "not", "now", "off", "one", "our", "out", "see", "set", "the", "too", "was", "who",
    "why", "won", "you", "via",
];

/// The words of a subject that can tie tickets together: lower case, three letters or more (VPN,
/// SSO), not a number or a stop word, each once.
pub fn key_terms(subject: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for word in subject.split(|c: char| !c.is_alphanumeric()) {
        let word = word.to_lowercase();
        if word.chars().count() >= 3
            && !word.chars().all(|c| c.is_ascii_digit())
            && !STOPWORDS.contains(&word.as_str())
            && !terms.contains(&word)
        {
            terms.push(word);
        }
    }
    terms
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimilarTicket {
    pub number: super::TicketNumber,
    pub subject: String,
    pub org_code: String,
    pub category: Option<String>,
    pub created_at: i64,
}

/// Tickets that look alike: the same category and a shared key term in their subjects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemGroup {
    pub term: String,
    pub category: Option<String>,
    pub tickets: Vec<SimilarTicket>,
    /// The clients the tickets came from (one client or many: a systemic problem).
    pub clients: Vec<String>,
}

/// Groups tickets that look alike, largest group first. A ticket joins at most one group (its
/// largest), and a group needs `min` tickets.
pub fn recurring(tickets: &[SimilarTicket], min: usize) -> Vec<ProblemGroup> {
    use std::collections::HashMap;
    let mut by_key: HashMap<(Option<&str>, String), Vec<usize>> = HashMap::new();
    for (i, t) in tickets.iter().enumerate() {
        for term in key_terms(&t.subject) {
            by_key
                .entry((t.category.as_deref(), term))
                .or_default()
                .push(i);
        }
    }
    let mut candidates: Vec<_> = by_key.into_iter().filter(|(_, v)| v.len() >= min).collect();
    // largest first; ties broken by name so the result is the same on every run
    candidates.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
    let mut taken = vec![false; tickets.len()];
    let mut groups = Vec::new();
    for ((category, term), members) in candidates {
        let free: Vec<usize> = members.into_iter().filter(|i| !taken[*i]).collect();
        if free.len() < min {
            continue;
        }
        let mut clients: Vec<String> = free.iter().map(|i| tickets[*i].org_code.clone()).collect();
        clients.sort();
        clients.dedup();
        for i in &free {
            taken[*i] = true;
        }
        groups.push(ProblemGroup {
            term,
            category: category.map(str::to_string),
            tickets: free.into_iter().map(|i| tickets[i].clone()).collect(),
            clients,
        });
    }
    groups.sort_by(|a, b| {
        b.tickets
            .len()
            .cmp(&a.tickets.len())
            .then_with(|| a.term.cmp(&b.term))
    });
    groups
}

/// A CSV field, quoted when it must be (commas, quotes, line breaks) and defused when a
/// spreadsheet would run it as a formula.
pub fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

pub fn csv_line<S: AsRef<str>>(fields: &[S]) -> String {
    let mut line = fields
        .iter()
        .map(|f| csv_field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rollup::roll_up;
    use crate::model::{Channel, Priority};

    fn ticket(created_at: i64) -> TicketFacts {
        TicketFacts {
            org_id: 1,
            created_at,
            priority: Priority::P3,
            channel: Channel::Web,
            category_id: None,
            assignee_id: Some(1),
            first_response_at: None,
            resolved_at: None,
            response_breached: false,
            resolution_breached: false,
            first_contact: false,
            reopened: false,
            stars: None,
        }
    }

    /// The report of some tickets, rolled up per day the way the backend stores them.
    fn report_of(
        q: ReportQuery,
        tickets: &[TicketFacts],
        working: impl Fn(i64, i64) -> i64 + Copy,
    ) -> DeskReport {
        let mut by_day: std::collections::BTreeMap<i64, Vec<TicketFacts>> = Default::default();
        for t in tickets {
            by_day
                .entry(t.created_at.div_euclid(DAY))
                .or_default()
                .push(t.clone());
        }
        let days: Vec<ReportDay> = by_day
            .into_iter()
            .map(|(day, tickets)| ReportDay {
                day,
                closed: 0,
                rollup: roll_up(&tickets, working),
            })
            .collect();
        desk_report(q, &days, 0, |id| (id == 7).then(|| "Network".to_string()))
    }

    #[test]
    fn dates_parse_strictly() {
        assert_eq!(parse_day("1970-01-02"), Ok(1));
        assert_eq!(format_day(parse_day("2024-02-29").unwrap()), "2024-02-29");
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "2026-1",
            "yesterday",
            "",
            "1969-12-31",
        ] {
            assert!(parse_day(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn params_default_to_the_last_four_weeks() {
        let now = parse_day("2026-11-23").unwrap() * DAY + 3600;
        let q = ReportParams::default().resolve(now).unwrap();
        assert_eq!(
            (format_day(q.from_day), format_day(q.to_day)),
            ("2026-10-27".into(), "2026-11-23".into())
        );
        let p = ReportParams {
            from: Some("2026-11-01".into()),
            to: Some(" ".into()),
            client: Some("nwl".into()),
        };
        let q = p.resolve(now).unwrap();
        assert_eq!(
            (q.from_day, q.client.as_deref()),
            (parse_day("2026-11-01").unwrap(), Some("NWL"))
        );
        assert_eq!(p.to_query(), "from=2026-11-01&to= &client=nwl");
        let bad = ReportParams {
            from: Some("01/11/2026".into()),
            ..Default::default()
        };
        assert!(bad.resolve(now).is_err());
    }

    #[test]
    fn periods_are_checked() {
        let q = ReportQuery {
            from_day: 10,
            to_day: 9,
            client: None,
        };
        assert!(q.validate().unwrap_err().contains("swap"));
        let q = ReportQuery {
            from_day: 0,
            to_day: MAX_PERIOD_DAYS,
            client: None,
        };
        assert!(q.validate().is_err());
        let q = ReportQuery::last_days(40 * DAY + 5, 28);
        assert_eq!((q.from_day, q.to_day, q.days()), (13, 40, 28));
        assert!(q.validate().is_ok());
    }

    #[test]
    fn the_desk_report_on_a_hand_made_week() {
        // Monday 2026-11-16 00:00 UTC
        let monday = parse_day("2026-11-16").unwrap() * DAY;
        assert_eq!(weekday(monday), 0);
        let h = 3600;
        let mut tickets = vec![
            // answered in 10 min, resolved in 2 h on first contact, rated 5
            TicketFacts {
                first_response_at: Some(monday + 9 * h + 600),
                resolved_at: Some(monday + 11 * h),
                first_contact: true,
                stars: Some(5),
                category_id: Some(7),
                ..ticket(monday + 9 * h)
            },
            // answered in 30 min (breached), resolved in 4 h, reopened, rated 2
            TicketFacts {
                first_response_at: Some(monday + 9 * h + 1800),
                resolved_at: Some(monday + 13 * h),
                response_breached: true,
                reopened: true,
                stars: Some(2),
                priority: Priority::P2,
                ..ticket(monday + 9 * h)
            },
            // Tuesday, answered in 1 h, still open
            TicketFacts {
                first_response_at: Some(monday + DAY + 15 * h),
                channel: Channel::Phone,
                ..ticket(monday + DAY + 14 * h)
            },
        ];
        tickets.push(ticket(monday + 6 * DAY + 23 * h));
        let q = ReportQuery {
            from_day: monday / DAY,
            to_day: monday / DAY + 6,
            client: None,
        };
        let r = report_of(q, &tickets, |a, b| b - a);
        assert_eq!((r.raised, r.resolved), (4, 2));
        assert_eq!(
            r.per_day.iter().map(|d| d.count).collect::<Vec<_>>(),
            vec![2, 1, 0, 0, 0, 0, 1]
        );
        assert_eq!(r.per_day[0].label, "2026-11-16");
        assert_eq!(r.heat_map[0][9], 2);
        assert_eq!(r.heat_map[1][14], 1);
        assert_eq!(r.heat_map[6][23], 1);
        assert_eq!(r.first_response.median, Some(1800));
        assert_eq!(r.first_response.p90, Some(3600));
        assert_eq!(r.resolution.median, Some(2 * h));
        assert_eq!(r.resolution.p90, Some(4 * h));
        assert_eq!(
            r.first_response_business, r.first_response,
            "around the clock"
        );
        assert_eq!(r.resolution_business, r.resolution);
        assert_eq!(r.response_attainment, Some(66.7));
        assert_eq!(r.resolution_attainment, Some(100.0));
        assert_eq!(r.first_contact_rate, Some(50.0));
        assert_eq!(r.reopen_rate, Some(50.0));
        assert_eq!((r.csat, r.ratings), (Some(3.5), 2));
        assert_eq!(
            r.by_priority[0],
            Count {
                label: "P3".into(),
                count: 3
            }
        );
        assert_eq!(r.by_category[0].label, "Uncategorized");
        assert_eq!(r.by_category[1].label, "Network");
    }

    #[test]
    fn the_backlog_is_what_is_open_at_the_end_of_each_day() {
        let d = parse_day("2026-11-16").unwrap();
        let q = ReportQuery {
            from_day: d,
            to_day: d + 3,
            client: None,
        };
        let day = |offset: i64, raised: u32, closed: u32| ReportDay {
            day: d + offset,
            closed,
            rollup: DayRollup {
                raised,
                ..Default::default()
            },
        };
        // Open at the start: one raised five days before, resolved on the second day; one raised
        // the day before, resolved at midnight starting the second day. The first day: one raised
        // and resolved (never open at a day's end), one raised and still open. The third day: one
        // raised, resolved after the period. Days outside the period change nothing.
        let days = [
            day(-5, 9, 9),
            day(0, 2, 1),
            day(1, 0, 2),
            day(2, 1, 0),
            day(9, 0, 1),
        ];
        let r = desk_report(q.clone(), &days, 2, |_| None);
        assert_eq!(
            r.backlog.iter().map(|c| c.count).collect::<Vec<_>>(),
            vec![3, 1, 2, 2]
        );
        assert_eq!(r.backlog[0].label, "2026-11-16");
        assert_eq!(r.raised, 3);
        assert_eq!(desk_report(q, &[], 0, |_| None).backlog.len(), 4);
    }

    /// Business hours of a hand-made 9-17 Monday-to-Friday calendar, through the SLA arithmetic.
    #[cfg(feature = "ssr")]
    #[test]
    fn times_are_also_counted_in_business_hours() {
        use crate::model::sla::{BusinessCalendar, Calendar, WorkingHours};
        let cal = Calendar::Business(BusinessCalendar {
            tz: chrono_tz::UTC,
            hours: WorkingHours::parse("12345", 9 * 60, 17 * 60).unwrap(),
            holidays: Default::default(),
        });
        let friday = parse_day("2026-11-20").unwrap() * DAY;
        let h = 3600;
        let tickets = vec![
            // raised Friday 16:00, answered 16:30, resolved Monday 10:00
            TicketFacts {
                first_response_at: Some(friday + 16 * h + 1800),
                resolved_at: Some(friday + 3 * DAY + 10 * h),
                ..ticket(friday + 16 * h)
            },
            // raised Saturday 10:00, answered Monday 9:15
            TicketFacts {
                first_response_at: Some(friday + 3 * DAY + 9 * h + 900),
                ..ticket(friday + DAY + 10 * h)
            },
        ];
        let timeline = cal.timeline(friday, friday + 7 * DAY);
        let q = ReportQuery {
            from_day: friday / DAY,
            to_day: friday / DAY + 1,
            client: None,
        };
        let r = report_of(q, &tickets, |a, b| timeline.elapsed(a, b));
        assert_eq!(r.resolution.median, Some(66 * h), "wall clock");
        assert_eq!(r.resolution_business.median, Some(2 * h));
        assert_eq!(r.first_response_business.count, 2);
        assert_eq!(r.first_response_business.median, Some(900));
        assert_eq!(r.first_response_business.p90, Some(1800));
        assert_eq!(
            r.first_response.p90,
            Some(47 * h),
            "47 h 15 min: shown as 1d 23h, so kept to the hour"
        );
    }

    #[test]
    fn a_scorecard_counts_only_the_week() {
        let monday = parse_day("2026-11-16").unwrap() * DAY;
        let h = 3600;
        let week = AnalystWeek {
            tickets: vec![
                TicketFacts {
                    first_response_at: Some(monday + h),
                    resolved_at: Some(monday + 3 * h),
                    first_contact: true,
                    stars: Some(4),
                    ..ticket(monday)
                },
                // resolved the week after: handled, not resolved this week
                TicketFacts {
                    first_response_at: Some(monday + 2 * h),
                    resolved_at: Some(monday + 8 * DAY),
                    ..ticket(monday + h)
                },
            ],
            articles: 2,
            shifts: vec![(monday - 2 * h, Some(monday + 6 * h)), (monday + DAY, None)],
            now: monday + DAY + 3 * h,
        };
        let card = scorecard(
            7,
            "Ana".into(),
            Some("Atlas".into()),
            &week,
            monday,
            vec![3, 4],
        );
        assert_eq!((card.handled, card.resolved, card.first_contact), (2, 1, 1));
        assert_eq!(card.median_response, Some(h));
        assert_eq!(card.median_resolution, Some(3 * h));
        assert_eq!(
            (card.sla_attainment, card.csat, card.articles),
            (Some(100.0), Some(4.0), 2)
        );
        assert_eq!(
            (card.shifts, card.shift_secs),
            (2, 9 * h),
            "6 h of the first, 3 h so far"
        );
        assert_eq!(
            time_on_shift(
                &[(monday + 8 * DAY, None)],
                monday,
                monday + 7 * DAY,
                monday + 9 * DAY
            ),
            0
        );
        assert_eq!(
            team_median([Some(5), None, Some(1), Some(3)].into_iter()),
            Some(3)
        );
        assert_eq!(monday_of(monday / DAY + 6), monday / DAY);
        assert_eq!(monday_of(monday / DAY), monday / DAY);
    }

    #[test]
    fn alike_tickets_are_grouped_once_each() {
        use crate::model::TicketNumber;
        let t = |n: i64, subject: &str, org: &str, category: Option<&str>| SimilarTicket {
            number: TicketNumber(n),
            subject: subject.into(),
            org_code: org.into(),
            category: category.map(str::to_string),
            created_at: n,
        };
        let tickets = vec![
            t(1, "VPN token expired", "NWL", Some("Access")),
            t(2, "vpn disconnects every hour", "CHC", Some("Access")),
            t(3, "Cannot connect to VPN", "NWL", Some("Access")),
            t(4, "VPN slow", "FAB", Some("Network")),
            t(5, "Printer jams on floor 2", "NWL", Some("Printing")),
            t(6, "Printer offline", "NWL", Some("Printing")),
            t(7, "Please help: printer error", "NWL", Some("Printing")),
            t(8, "Outlook crashes", "CHC", Some("Email")),
        ];
        let groups = recurring(&tickets, 3);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].term, "printer");
        assert_eq!(groups[0].clients, vec!["NWL"]);
        assert_eq!(groups[1].term, "vpn");
        assert_eq!(groups[1].category.as_deref(), Some("Access"));
        assert_eq!(groups[1].clients, vec!["CHC", "NWL"], "across clients");
        assert_eq!(
            groups[1]
                .tickets
                .iter()
                .map(|t| t.number.0)
                .collect::<Vec<_>>(),
            vec![1, 2, 3],
            "the Network ticket is another category"
        );
        assert!(recurring(&tickets, 4).is_empty());
        assert_eq!(
            key_terms("Please help: Wi-Fi wifi 2024 Printer printer! The VPN"),
            vec!["wifi", "printer", "vpn"]
        );
    }

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(
            csv_line(&["a", "b,c", "say \"hi\""]),
            "a,\"b,c\",\"say \"\"hi\"\"\"\r\n"
        );
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_field("-5"), "'-5");
    }
}
