//! SLA clocks: per-priority targets, calendars (around the clock, or business hours in the
//! client's time zone with working days and holidays), and the arithmetic that turns a target into
//! a due instant and back.
//!
//! All instants are unix seconds. Business time is counted in seconds of working time: adding
//! business time walks forward through the calendar's working intervals, skipping nights,
//! weekends and holidays; time-zone rules (DST in both directions) come from chrono-tz.
//!
//! The calendar code is server-only: the browser counts down to instants the server computed and
//! never needs the time-zone database, which would only weigh down the WASM bundle.

use super::ticket::{PendingReason, Priority, Status};
use serde::{Deserialize, Serialize};

/// How a ticket stands against its next target, as the countdowns show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    /// Running, with time to spare.
    OnTrack { due_at: i64 },
    /// Running, past the warning threshold.
    Warning { due_at: i64 },
    /// Past due.
    Breached { due_at: i64 },
    /// The clock is stopped while the ticket waits on the customer, budget or approval.
    Paused { reason: PendingReason },
    /// Nothing is due any more (resolved or closed).
    Done,
}

impl SlaState {
    /// The state at `now` of a ticket whose next target is `due_at` and warns at `warn_at`.
    pub fn at(
        status: Status,
        pending_reason: Option<PendingReason>,
        due_at: i64,
        warn_at: i64,
        now: i64,
    ) -> SlaState {
        if !status.is_active() {
            return SlaState::Done;
        }
        if let Some(reason) = pending_reason.filter(|r| r.pauses_sla()) {
            return SlaState::Paused { reason };
        }
        if now >= due_at {
            SlaState::Breached { due_at }
        } else if now >= warn_at {
            SlaState::Warning { due_at }
        } else {
            SlaState::OnTrack { due_at }
        }
    }
}

/// An alert the SLA engine raises, each at most once per ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaAlert {
    ResponseWarning,
    ResponseBreach,
    ResolutionWarning,
    ResolutionBreach,
}

impl SlaAlert {
    pub fn is_breach(self) -> bool {
        matches!(self, SlaAlert::ResponseBreach | SlaAlert::ResolutionBreach)
    }

    /// "response" or "resolution".
    pub fn target(self) -> &'static str {
        match self {
            SlaAlert::ResponseWarning | SlaAlert::ResponseBreach => "response",
            SlaAlert::ResolutionWarning | SlaAlert::ResolutionBreach => "resolution",
        }
    }
}

/// What decides a ticket's pending alerts: its instants, which alerts were raised, and its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AlertClock {
    pub active: bool,
    pub responded: bool,
    pub paused: bool,
    pub response_warn_at: i64,
    pub response_due_at: i64,
    pub resolution_warn_at: i64,
    pub resolution_due_at: i64,
    pub response_warned: bool,
    pub response_breached: bool,
    pub resolution_warned: bool,
    pub resolution_breached: bool,
}

impl AlertClock {
    /// Alerts not yet raised that still apply, with the instant each falls due. A met response
    /// target raises nothing more; a paused resolution clock raises nothing until it runs again.
    pub fn pending(&self) -> Vec<(SlaAlert, i64)> {
        if !self.active {
            return Vec::new();
        }
        let mut out = Vec::with_capacity(4);
        if !self.responded {
            if !self.response_warned {
                out.push((SlaAlert::ResponseWarning, self.response_warn_at));
            }
            if !self.response_breached {
                out.push((SlaAlert::ResponseBreach, self.response_due_at));
            }
        }
        if !self.paused {
            if !self.resolution_warned {
                out.push((SlaAlert::ResolutionWarning, self.resolution_warn_at));
            }
            if !self.resolution_breached {
                out.push((SlaAlert::ResolutionBreach, self.resolution_due_at));
            }
        }
        out
    }

    /// When the next alert falls due, if any.
    pub fn next_alert_at(&self) -> Option<i64> {
        self.pending().into_iter().map(|(_, at)| at).min()
    }

    /// The alerts due at `now`, marked as raised. A breach raised without its warning (the
    /// engine was down past both) marks the warning too, so it never fires after the breach.
    pub fn take_due(&mut self, now: i64) -> Vec<SlaAlert> {
        let due: Vec<SlaAlert> = self
            .pending()
            .into_iter()
            .filter(|(_, at)| *at <= now)
            .map(|(a, _)| a)
            .collect();
        for alert in &due {
            match alert {
                SlaAlert::ResponseWarning => self.response_warned = true,
                SlaAlert::ResponseBreach => {
                    self.response_breached = true;
                    self.response_warned = true;
                }
                SlaAlert::ResolutionWarning => self.resolution_warned = true,
                SlaAlert::ResolutionBreach => {
                    self.resolution_breached = true;
                    self.resolution_warned = true;
                }
            }
        }
        due
    }
}

/// What the contract promises for one priority, in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub priority: Priority,
    pub response_mins: i64,
    pub resolution_mins: i64,
    /// Counted around the clock (true) or in business hours (false).
    pub around_the_clock: bool,
}

impl Target {
    pub fn validate(&self) -> Result<(), String> {
        if self.response_mins <= 0 || self.resolution_mins <= 0 {
            return Err(format!(
                "{} targets must be more than zero minutes.",
                self.priority.label()
            ));
        }
        if self.response_mins > self.resolution_mins {
            return Err(format!(
                "The {} response target cannot be longer than its resolution target.",
                self.priority.label()
            ));
        }
        const YEAR_MINS: i64 = 366 * 24 * 60;
        if self.resolution_mins > YEAR_MINS {
            return Err(format!(
                "{} targets must be under a year.",
                self.priority.label()
            ));
        }
        Ok(())
    }
}

/// The warning threshold: percent of a target elapsed.
pub fn validate_warn_percent(p: i64) -> Result<(), String> {
    if (1..=99).contains(&p) {
        Ok(())
    } else {
        Err("The warning threshold must be between 1% and 99% of the target.".into())
    }
}

/// The demo desk's contract (also the default for a new organization).
pub fn standard_targets(business_day_mins: i64) -> [Target; 4] {
    [
        Target {
            priority: Priority::P1,
            response_mins: 15,
            resolution_mins: 4 * 60,
            around_the_clock: true,
        },
        Target {
            priority: Priority::P2,
            response_mins: 60,
            resolution_mins: 8 * 60,
            around_the_clock: false,
        },
        Target {
            priority: Priority::P3,
            response_mins: 4 * 60,
            resolution_mins: 3 * business_day_mins,
            around_the_clock: false,
        },
        Target {
            priority: Priority::Ops,
            response_mins: business_day_mins,
            resolution_mins: 5 * business_day_mins,
            around_the_clock: false,
        },
    ]
}

/// Working hours: which ISO weekdays (Monday first) and which minutes of the local day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingHours {
    pub days: [bool; 7],
    pub start_min: u32,
    pub end_min: u32,
}

impl WorkingHours {
    /// From the stored form: "12345" for Monday to Friday, minutes after midnight.
    pub fn parse(days: &str, start_min: i64, end_min: i64) -> Result<Self, String> {
        let mut set = [false; 7];
        for c in days.chars() {
            match c.to_digit(10) {
                Some(d @ 1..=7) => set[d as usize - 1] = true,
                _ => {
                    return Err(format!(
                        "\"{days}\" is not a set of weekdays (1 = Monday ... 7 = Sunday)."
                    ))
                }
            }
        }
        if !set.iter().any(|d| *d) {
            return Err("Choose at least one working day.".into());
        }
        if !(0..1440).contains(&start_min) || !(1..=1440).contains(&end_min) || start_min >= end_min
        {
            return Err("Working hours must start before they end, within one day.".into());
        }
        Ok(WorkingHours {
            days: set,
            start_min: start_min as u32,
            end_min: end_min as u32,
        })
    }

    pub fn day_mins(&self) -> i64 {
        i64::from(self.end_min - self.start_min)
    }

    pub fn days_string(&self) -> String {
        (0..7)
            .filter(|d| self.days[*d])
            .map(|d| char::from(b'1' + d as u8))
            .collect()
    }

    /// Every day, all day: the same as around the clock.
    pub fn is_continuous(&self) -> bool {
        self.days.iter().all(|d| *d) && self.start_min == 0 && self.end_min == 1440
    }
}

#[cfg(feature = "ssr")]
pub use calendar::{
    parse_time_zone, BusinessCalendar, Calendar, ClockState, Dues, SlaPolicy, WorkingTimeline,
};

#[cfg(feature = "ssr")]
mod calendar {
    use super::{Priority, Target, WorkingHours};
    use chrono::{Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone};
    use chrono_tz::Tz;
    use std::collections::BTreeSet;

    /// No calendar may make us walk further than this looking for working time.
    const MAX_DAYS_SEARCHED: i64 = 3 * 366;

    pub fn parse_time_zone(name: &str) -> Result<Tz, String> {
        name.parse::<Tz>().map_err(|_| {
            format!("\"{name}\" is not a known time zone (use a name like Europe/Paris).")
        })
    }

    /// Business hours in a time zone, with holidays (local dates).
    #[derive(Debug, Clone)]
    pub struct BusinessCalendar {
        pub tz: Tz,
        pub hours: WorkingHours,
        pub holidays: BTreeSet<NaiveDate>,
    }

    /// The calendar a target is counted in.
    #[derive(Debug, Clone)]
    pub enum Calendar {
        AroundTheClock,
        Business(BusinessCalendar),
    }

    impl BusinessCalendar {
        /// The UTC instant of a local date and minute. In a DST gap, the first valid instant after
        /// it; in a DST fold, the earlier of the two.
        fn instant(&self, date: NaiveDate, minute: u32) -> i64 {
            let mut local: NaiveDateTime = date.and_hms_opt(0, 0, 0).unwrap_or_default()
                + Duration::minutes(i64::from(minute));
            for _ in 0..16 {
                match self.tz.from_local_datetime(&local) {
                    LocalResult::Single(t) => return t.timestamp(),
                    LocalResult::Ambiguous(a, _) => return a.timestamp(),
                    LocalResult::None => local += Duration::minutes(15),
                }
            }
            // unreachable with real time-zone rules (gaps are at most a few hours)
            self.tz.from_utc_datetime(&local).timestamp()
        }

        fn is_working_day(&self, date: NaiveDate) -> bool {
            self.hours.days[date.weekday().num_days_from_monday() as usize]
                && !self.holidays.contains(&date)
        }

        /// The working interval [start, end) of a local date, if it is a working day.
        fn interval(&self, date: NaiveDate) -> Option<(i64, i64)> {
            if !self.is_working_day(date) {
                return None;
            }
            let start = self.instant(date, self.hours.start_min);
            let end = if self.hours.end_min >= 1440 {
                self.instant(date.succ_opt()?, 0)
            } else {
                self.instant(date, self.hours.end_min)
            };
            (end > start).then_some((start, end))
        }

        fn local_date(&self, ts: i64) -> NaiveDate {
            self.tz
                .timestamp_opt(ts, 0)
                .single()
                .map(|t| t.date_naive())
                .unwrap_or_default()
        }

        /// Working intervals that end after `from`, in order, starting with the day before
        /// `from`'s local date (an interval may run past local midnight in other zones' terms).
        fn intervals_from(&self, from: i64) -> impl Iterator<Item = (i64, i64)> + '_ {
            let first = self.local_date(from).pred_opt().unwrap_or_default();
            (0..MAX_DAYS_SEARCHED)
                .filter_map(move |i| first.checked_add_signed(Duration::days(i)))
                .filter_map(move |d| self.interval(d))
                .filter(move |(_, end)| *end > from)
        }
    }

    impl Calendar {
        /// The instant `secs` of working time after `start`.
        pub fn add(&self, start: i64, secs: i64) -> i64 {
            match self {
                Calendar::AroundTheClock => start + secs,
                Calendar::Business(cal) => {
                    let mut left = secs.max(0);
                    let mut last = start;
                    for (s, e) in cal.intervals_from(start) {
                        let s = s.max(start);
                        if left <= e - s {
                            // a zero target is met at the start of the next working time
                            return s + left;
                        }
                        left -= e - s;
                        last = e;
                    }
                    last + left
                }
            }
        }

        /// Whether `at` falls in working time.
        pub fn is_working(&self, at: i64) -> bool {
            self.elapsed(at, at + 1) == 1
        }

        /// Working seconds between `a` and `b` (zero if `b` is not after `a`).
        pub fn elapsed(&self, a: i64, b: i64) -> i64 {
            if b <= a {
                return 0;
            }
            match self {
                Calendar::AroundTheClock => b - a,
                Calendar::Business(cal) => {
                    let mut total = 0;
                    for (s, e) in cal.intervals_from(a) {
                        if s >= b {
                            break;
                        }
                        total += e.min(b) - s.max(a);
                    }
                    total
                }
            }
        }
    }

    /// A calendar's working intervals over a span, with running totals, so that the working time
    /// between many pairs of instants (a report's tickets) costs a binary search each rather than
    /// a walk through the calendar.
    #[derive(Debug, Clone)]
    pub struct WorkingTimeline {
        /// `None` around the clock: every second counts.
        intervals: Option<Vec<(i64, i64)>>,
        /// Working seconds before each interval (one more entry than intervals).
        before: Vec<i64>,
    }

    impl WorkingTimeline {
        /// Working seconds from the timeline's start up to `at`.
        fn upto(&self, intervals: &[(i64, i64)], at: i64) -> i64 {
            let done = intervals.partition_point(|(_, end)| *end <= at);
            let partial = intervals
                .get(done)
                .map_or(0, |(start, _)| (at - start).max(0));
            self.before[done] + partial
        }

        /// Working seconds between `a` and `b` (zero if `b` is not after `a`); the same answer as
        /// [`Calendar::elapsed`] for instants within the span the timeline was made for.
        pub fn elapsed(&self, a: i64, b: i64) -> i64 {
            if b <= a {
                return 0;
            }
            match &self.intervals {
                None => b - a,
                Some(intervals) => self.upto(intervals, b) - self.upto(intervals, a),
            }
        }
    }

    impl Calendar {
        /// The working intervals from `from` to `to`, ready for many [`WorkingTimeline::elapsed`].
        pub fn timeline(&self, from: i64, to: i64) -> WorkingTimeline {
            match self {
                Calendar::AroundTheClock => WorkingTimeline {
                    intervals: None,
                    before: vec![0],
                },
                Calendar::Business(cal) => {
                    let intervals: Vec<(i64, i64)> = cal
                        .intervals_from(from)
                        .take_while(|(start, _)| *start < to)
                        .collect();
                    let mut before = Vec::with_capacity(intervals.len() + 1);
                    let mut total = 0;
                    before.push(0);
                    for (start, end) in &intervals {
                        total += end - start;
                        before.push(total);
                    }
                    WorkingTimeline {
                        intervals: Some(intervals),
                        before,
                    }
                }
            }
        }
    }

    /// An organization's SLA policy: a target per priority, its business calendar and the
    /// warning threshold.
    #[derive(Debug, Clone)]
    pub struct SlaPolicy {
        pub targets: Vec<Target>,
        pub business: BusinessCalendar,
        pub warn_percent: i64,
    }

    /// The SLA instants of one ticket.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Dues {
        pub response_due_at: i64,
        pub response_warn_at: i64,
        pub resolution_due_at: i64,
        pub resolution_warn_at: i64,
    }

    /// Where a ticket's clocks stand, as stored on the ticket.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct ClockState {
        pub created_at: i64,
        pub priority: Priority,
        /// Working seconds the resolution clock has been stopped, in total so far.
        pub paused_secs: i64,
    }

    impl SlaPolicy {
        pub fn target(&self, priority: Priority) -> Target {
            self.targets
                .iter()
                .copied()
                .find(|t| t.priority == priority)
                .unwrap_or(Target {
                    priority,
                    response_mins: 24 * 60,
                    resolution_mins: 5 * 24 * 60,
                    around_the_clock: true,
                })
        }

        pub fn calendar(&self, priority: Priority) -> Calendar {
            if self.target(priority).around_the_clock || self.business.hours.is_continuous() {
                Calendar::AroundTheClock
            } else {
                Calendar::Business(self.business.clone())
            }
        }

        /// Due and warning instants, computed from the ticket's creation (so a priority change
        /// recomputes them from the start) and pushed out by the time the clock was paused.
        pub fn dues(&self, clock: &ClockState) -> Dues {
            let target = self.target(clock.priority);
            let cal = self.calendar(clock.priority);
            let warn = |mins: i64| mins * 60 * self.warn_percent / 100;
            let at = |secs: i64| cal.add(clock.created_at, secs);
            Dues {
                response_due_at: at(target.response_mins * 60),
                response_warn_at: at(warn(target.response_mins)),
                resolution_due_at: at(target.resolution_mins * 60 + clock.paused_secs),
                resolution_warn_at: at(warn(target.resolution_mins) + clock.paused_secs),
            }
        }

        /// Working seconds between two instants in the calendar of `priority` (for pauses).
        pub fn working_secs(&self, priority: Priority, from: i64, to: i64) -> i64 {
            self.calendar(priority).elapsed(from, to)
        }
    }

    impl Dues {
        /// The next target still to meet, and its warning instant.
        pub fn next(&self, first_response_met: bool) -> (i64, i64) {
            if first_response_met || self.resolution_due_at <= self.response_due_at {
                (self.resolution_due_at, self.resolution_warn_at)
            } else {
                (self.response_due_at, self.response_warn_at)
            }
        }
    }
}

#[cfg(test)]
mod alert_tests {
    use super::*;

    fn clock() -> AlertClock {
        AlertClock {
            active: true,
            response_warn_at: 75,
            response_due_at: 100,
            resolution_warn_at: 750,
            resolution_due_at: 1000,
            ..Default::default()
        }
    }

    #[test]
    fn alerts_fall_due_in_order_and_each_only_once() {
        let mut c = clock();
        assert_eq!(c.next_alert_at(), Some(75));
        assert!(c.take_due(74).is_empty());
        assert_eq!(c.take_due(75), vec![SlaAlert::ResponseWarning]);
        assert!(c.take_due(80).is_empty(), "never twice");
        assert_eq!(c.next_alert_at(), Some(100));
        assert_eq!(c.take_due(100), vec![SlaAlert::ResponseBreach]);
        assert_eq!(c.next_alert_at(), Some(750));
        assert_eq!(
            c.take_due(5000),
            vec![SlaAlert::ResolutionWarning, SlaAlert::ResolutionBreach]
        );
        assert_eq!(c.next_alert_at(), None);
    }

    #[test]
    fn a_met_response_and_a_paused_clock_raise_nothing() {
        let mut c = clock();
        c.responded = true;
        assert_eq!(c.next_alert_at(), Some(750));
        c.paused = true;
        assert_eq!(c.next_alert_at(), None);
        assert!(c.take_due(10_000).is_empty());
        c.paused = false;
        c.active = false;
        assert_eq!(c.next_alert_at(), None);
    }

    #[test]
    fn a_late_breach_marks_its_warning_too() {
        let mut c = clock();
        c.response_warn_at = 100; // both at once
        let due = c.take_due(100);
        assert_eq!(
            due,
            vec![SlaAlert::ResponseWarning, SlaAlert::ResponseBreach]
        );
        let mut c = clock();
        c.response_warned = false;
        c.take_due(100);
        assert!(c.response_warned && c.response_breached);
        assert!(SlaAlert::ResolutionBreach.is_breach() && !SlaAlert::ResponseWarning.is_breach());
        assert_eq!(SlaAlert::ResponseBreach.target(), "response");
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};
    use chrono_tz::Tz;

    const MIN: i64 = 60;
    const HOUR: i64 = 3600;

    fn ts(tz: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
        tz.with_ymd_and_hms(y, m, d, h, min, 0)
            .earliest()
            .unwrap()
            .timestamp()
    }

    fn business(
        tz: &str,
        days: &str,
        start: i64,
        end: i64,
        holidays: &[(i32, u32, u32)],
    ) -> Calendar {
        Calendar::Business(BusinessCalendar {
            tz: parse_time_zone(tz).unwrap(),
            hours: WorkingHours::parse(days, start, end).unwrap(),
            holidays: holidays
                .iter()
                .map(|(y, m, d)| NaiveDate::from_ymd_opt(*y, *m, *d).unwrap())
                .collect(),
        })
    }

    fn nine_to_five(tz: &str) -> Calendar {
        business(tz, "12345", 9 * 60, 17 * 60, &[])
    }

    #[test]
    fn a_timeline_counts_like_the_calendar() {
        let tz = chrono_tz::Europe::Paris;
        let cal = nine_to_five("Europe/Paris");
        // Friday 2026-11-20 16:00 to Monday 10:00: one hour on Friday, one on Monday
        let friday = ts(tz, 2026, 11, 20, 16, 0);
        let monday = ts(tz, 2026, 11, 23, 10, 0);
        let timeline = cal.timeline(friday - 3 * 24 * HOUR, monday + 24 * HOUR);
        assert_eq!(timeline.elapsed(friday, monday), 2 * HOUR);
        assert_eq!(cal.elapsed(friday, monday), 2 * HOUR);
        // Saturday to Saturday night: nothing; within one working hour: the minutes
        let saturday = ts(tz, 2026, 11, 21, 11, 0);
        assert_eq!(timeline.elapsed(saturday, saturday + 8 * HOUR), 0);
        assert_eq!(
            timeline.elapsed(friday + 10 * MIN, friday + 40 * MIN),
            30 * MIN
        );
        assert_eq!(timeline.elapsed(monday, friday), 0);
        for (a, b) in [
            (friday - 30 * HOUR, monday),
            (friday + 3 * HOUR, monday + 5 * HOUR),
        ] {
            assert_eq!(timeline.elapsed(a, b), cal.elapsed(a, b));
        }
        let clock = Calendar::AroundTheClock.timeline(0, 10);
        assert_eq!(clock.elapsed(friday, monday), monday - friday);
    }

    #[test]
    fn around_the_clock_is_plain_addition() {
        let cal = Calendar::AroundTheClock;
        assert_eq!(cal.add(1000, 900), 1900);
        assert_eq!(cal.elapsed(1000, 1900), 900);
        assert_eq!(cal.elapsed(1900, 1000), 0);
    }

    #[test]
    fn business_time_stays_within_the_day() {
        let tz = chrono_tz::Europe::Paris;
        let cal = nine_to_five("Europe/Paris");
        // Tuesday 2026-11-17 10:00 + 2h = 12:00
        let start = ts(tz, 2026, 11, 17, 10, 0);
        assert_eq!(cal.add(start, 2 * HOUR), ts(tz, 2026, 11, 17, 12, 0));
        // + 8h from 10:00 runs 7h today, 1h tomorrow: Wednesday 10:00
        assert_eq!(cal.add(start, 8 * HOUR), ts(tz, 2026, 11, 18, 10, 0));
    }

    #[test]
    fn a_ticket_raised_at_night_starts_its_clock_next_morning() {
        let tz = chrono_tz::America::New_York;
        let cal = nine_to_five("America/New_York");
        let night = ts(tz, 2026, 11, 17, 22, 30);
        assert_eq!(cal.add(night, 60 * MIN), ts(tz, 2026, 11, 18, 10, 0));
        assert_eq!(cal.add(night, 0), ts(tz, 2026, 11, 18, 9, 0));
    }

    #[test]
    fn working_time_is_known_at_any_instant() {
        let tz = chrono_tz::Europe::Paris;
        let cal = nine_to_five("Europe/Paris");
        assert!(cal.is_working(ts(tz, 2026, 11, 17, 10, 0)));
        assert!(
            !cal.is_working(ts(tz, 2026, 11, 17, 3, 0)),
            "03:00 is outside business hours"
        );
        assert!(!cal.is_working(ts(tz, 2026, 11, 21, 10, 0)), "Saturday");
        assert!(Calendar::AroundTheClock.is_working(0));
    }

    #[test]
    fn weekends_are_skipped() {
        let tz = chrono_tz::Europe::London;
        let cal = nine_to_five("Europe/London");
        // Friday 2026-11-20 16:00 + 2h: 1h Friday, 1h Monday => Monday 10:00
        let friday = ts(tz, 2026, 11, 20, 16, 0);
        assert_eq!(cal.add(friday, 2 * HOUR), ts(tz, 2026, 11, 23, 10, 0));
        // Saturday is not working time
        assert_eq!(
            cal.elapsed(ts(tz, 2026, 11, 21, 9, 0), ts(tz, 2026, 11, 21, 17, 0)),
            0
        );
        // Friday 16:00 to Monday 10:00 holds exactly 2 working hours
        assert_eq!(cal.elapsed(friday, ts(tz, 2026, 11, 23, 10, 0)), 2 * HOUR);
    }

    #[test]
    fn holidays_are_skipped() {
        let tz = chrono_tz::America::Chicago;
        // Thanksgiving 2026-11-26 (Thursday) is a holiday
        let cal = business(
            "America/Chicago",
            "12345",
            8 * 60,
            18 * 60,
            &[(2026, 11, 26)],
        );
        let wed = ts(tz, 2026, 11, 25, 17, 0);
        assert_eq!(cal.add(wed, 2 * HOUR), ts(tz, 2026, 11, 27, 9, 0));
        assert_eq!(cal.elapsed(wed, ts(tz, 2026, 11, 27, 9, 0)), 2 * HOUR);
    }

    #[test]
    fn spring_forward_keeps_working_hours_in_local_time() {
        // Europe/Berlin moves from 02:00 to 03:00 on Sunday 2026-03-29.
        let tz = chrono_tz::Europe::Berlin;
        let cal = business("Europe/Berlin", "1234567", 9 * 60, 17 * 60, &[]);
        // Saturday 16:00 + 2h => Sunday 10:00 local (the night was an hour shorter; irrelevant)
        let sat = ts(tz, 2026, 3, 28, 16, 0);
        let due = cal.add(sat, 2 * HOUR);
        assert_eq!(due, ts(tz, 2026, 3, 29, 10, 0));
        // in UTC the two working days start at 08:00 and 07:00
        assert_eq!(ts(tz, 2026, 3, 28, 9, 0) % 86_400, 8 * HOUR);
        assert_eq!(ts(tz, 2026, 3, 29, 9, 0) % 86_400, 7 * HOUR);
    }

    #[test]
    fn fall_back_keeps_working_hours_in_local_time() {
        // America/New_York moves from 02:00 back to 01:00 on Sunday 2026-11-01.
        let tz = chrono_tz::America::New_York;
        let cal = nine_to_five("America/New_York");
        let fri = ts(tz, 2026, 10, 30, 16, 30);
        assert_eq!(cal.add(fri, 60 * MIN), ts(tz, 2026, 11, 2, 9, 30));
        assert_eq!(ts(tz, 2026, 10, 30, 9, 0) % 86_400, 13 * HOUR); // EDT
        assert_eq!(ts(tz, 2026, 11, 2, 9, 0) % 86_400, 14 * HOUR); // EST
    }

    #[test]
    fn around_the_clock_across_dst_counts_real_time() {
        // 24x7 across the US fall-back night: 4 hours is 4 real hours, whatever the wall clock says
        let tz = chrono_tz::America::New_York;
        let cal = business("America/New_York", "1234567", 0, 1440, &[]);
        let start = ts(tz, 2026, 11, 1, 0, 0);
        assert_eq!(cal.add(start, 4 * HOUR), start + 4 * HOUR);
        assert_eq!(cal.elapsed(start, start + 25 * HOUR), 25 * HOUR);
    }

    #[test]
    fn working_hours_that_cross_a_dst_gap_start_after_it() {
        // Working 02:00-06:00 on the Berlin spring-forward day: 02:00-03:00 does not exist
        let tz = chrono_tz::Europe::Berlin;
        let cal = business("Europe/Berlin", "7", 120, 360, &[]);
        let before = ts(tz, 2026, 3, 29, 0, 0);
        assert_eq!(cal.add(before, 0), ts(tz, 2026, 3, 29, 3, 0));
        assert_eq!(cal.elapsed(before, ts(tz, 2026, 3, 29, 12, 0)), 3 * HOUR);
    }

    #[test]
    fn elapsed_and_add_agree_to_the_minute() {
        let cal = business("Asia/Kolkata", "123456", 570, 1110, &[(2026, 11, 24)]);
        let start = ts(chrono_tz::Asia::Kolkata, 2026, 11, 19, 7, 13);
        for mins in (0..10_000).step_by(37) {
            let due = cal.add(start, mins * MIN);
            assert_eq!(cal.elapsed(start, due), mins * MIN, "{mins} minutes");
        }
    }

    /// Pausing the clock for X working minutes moves the due instant by exactly X working minutes.
    #[test]
    fn pauses_move_the_due_instant_by_exactly_the_paused_working_time() {
        let tz_names = [
            "Europe/Paris",
            "America/Los_Angeles",
            "Australia/Sydney",
            "Asia/Tokyo",
        ];
        let mut seed: u64 = 0x1234_5678;
        let mut rnd = |n: i64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as i64
        };
        for round in 0..400 {
            let tz_name = tz_names[round % tz_names.len()];
            let tz = parse_time_zone(tz_name).unwrap();
            let policy = SlaPolicy {
                targets: standard_targets(8 * 60).to_vec(),
                business: BusinessCalendar {
                    tz,
                    hours: WorkingHours::parse("12345", 8 * 60, 18 * 60).unwrap(),
                    holidays: [NaiveDate::from_ymd_opt(2026, 12, 25).unwrap()]
                        .into_iter()
                        .collect(),
                },
                warn_percent: 75,
            };
            let created = 1_790_000_000 + rnd(40_000_000);
            let priority = [Priority::P2, Priority::P3, Priority::Ops][round % 3];
            let before = policy.dues(&ClockState {
                created_at: created,
                priority,
                paused_secs: 0,
            });
            let pause_from = created + rnd(10 * 86_400);
            let pause_to = pause_from + rnd(6 * 86_400);
            let paused = policy.working_secs(priority, pause_from, pause_to);
            let after = policy.dues(&ClockState {
                created_at: created,
                priority,
                paused_secs: paused,
            });
            let cal = policy.calendar(priority);
            assert_eq!(
                cal.elapsed(before.resolution_due_at, after.resolution_due_at),
                paused,
                "{tz_name} {priority:?} created {created}"
            );
            assert_eq!(
                before.response_due_at, after.response_due_at,
                "the response clock never pauses"
            );
        }
    }

    #[test]
    fn priority_change_recomputes_from_creation() {
        let policy = SlaPolicy {
            targets: standard_targets(8 * 60).to_vec(),
            business: BusinessCalendar {
                tz: chrono_tz::UTC,
                hours: WorkingHours::parse("12345", 9 * 60, 17 * 60).unwrap(),
                holidays: Default::default(),
            },
            warn_percent: 75,
        };
        let created = ts(chrono_tz::UTC, 2026, 11, 17, 10, 0); // Tuesday
        let p3 = policy.dues(&ClockState {
            created_at: created,
            priority: Priority::P3,
            paused_secs: 0,
        });
        let p1 = policy.dues(&ClockState {
            created_at: created,
            priority: Priority::P1,
            paused_secs: 0,
        });
        assert_eq!(p3.response_due_at, created + 4 * HOUR);
        assert_eq!(
            p3.resolution_due_at,
            ts(chrono_tz::UTC, 2026, 11, 20, 10, 0)
        ); // 3 business days
        assert_eq!(p1.response_due_at, created + 15 * MIN); // around the clock
        assert_eq!(p1.resolution_due_at, created + 4 * HOUR);
        assert_eq!(p1.response_warn_at, created + 15 * MIN * 75 / 100);
        assert_eq!(p3.next(false), (p3.response_due_at, p3.response_warn_at));
        assert_eq!(p3.next(true), (p3.resolution_due_at, p3.resolution_warn_at));
    }

    #[test]
    fn states_follow_the_clock() {
        use PendingReason::*;
        let (due, warn) = (1000, 750);
        assert_eq!(
            SlaState::at(Status::Open, None, due, warn, 700),
            SlaState::OnTrack { due_at: due }
        );
        assert_eq!(
            SlaState::at(Status::Open, None, due, warn, 750),
            SlaState::Warning { due_at: due }
        );
        assert_eq!(
            SlaState::at(Status::New, None, due, warn, 1000),
            SlaState::Breached { due_at: due }
        );
        assert_eq!(
            SlaState::at(Status::Pending, Some(Customer), due, warn, 1),
            SlaState::Paused { reason: Customer }
        );
        assert_eq!(
            SlaState::at(Status::Pending, Some(ThirdParty), due, warn, 800),
            SlaState::Warning { due_at: due }
        );
        assert_eq!(
            SlaState::at(Status::Resolved, None, due, warn, 5000),
            SlaState::Done
        );
    }

    #[test]
    fn bad_policies_and_calendars_are_refused() {
        let t = |r, s| Target {
            priority: Priority::P2,
            response_mins: r,
            resolution_mins: s,
            around_the_clock: false,
        };
        assert!(t(0, 10).validate().is_err());
        assert!(t(-5, 10).validate().is_err());
        assert!(t(30, 10).validate().is_err());
        assert!(t(30, 60).validate().is_ok());
        assert!(WorkingHours::parse("", 540, 1020)
            .unwrap_err()
            .contains("at least one"));
        assert!(WorkingHours::parse("12345", 1020, 540).is_err());
        assert!(WorkingHours::parse("12345", 540, 540).is_err());
        assert!(WorkingHours::parse("1238", 540, 1020).is_err());
        assert!(parse_time_zone("Mars/Olympus")
            .unwrap_err()
            .contains("not a known time zone"));
        assert!(validate_warn_percent(0).is_err() && validate_warn_percent(100).is_err());
        assert_eq!(
            WorkingHours::parse("531", 0, 60).unwrap().days_string(),
            "135"
        );
    }
}
