//! Instants are integer unix seconds everywhere (portable SQL, cheap to ship to the browser).
//! These helpers turn them into words a person reads at a glance.

/// Seconds since the unix epoch, UTC.
pub type Timestamp = i64;

pub const MINUTE: i64 = 60;
pub const HOUR: i64 = 3600;
pub const DAY: i64 = 86_400;

/// (year, month, day) of a day number counted from 1970-01-01 (Howard Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Day number (from 1970-01-01) of a civil date; the inverse of [`civil_from_days`].
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// "2026-11-23 10:32 UTC"
pub fn format_utc(ts: Timestamp) -> String {
    let (y, m, d) = civil_from_days(ts.div_euclid(DAY));
    let secs = ts.rem_euclid(DAY);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        secs / HOUR,
        (secs % HOUR) / MINUTE
    )
}

/// The time of day in UTC, "13:30".
pub fn format_hm_utc(ts: Timestamp) -> String {
    let secs = ts.rem_euclid(DAY);
    format!("{:02}:{:02}", secs / HOUR, (secs % HOUR) / MINUTE)
}

/// RFC 3339 form for `<time datetime=…>`.
pub fn format_rfc3339(ts: Timestamp) -> String {
    let (y, m, d) = civil_from_days(ts.div_euclid(DAY));
    let secs = ts.rem_euclid(DAY);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / HOUR,
        (secs % HOUR) / MINUTE,
        secs % MINUTE
    )
}

/// Parses "2026-11-23T18:00" (what a datetime-local field sends) as UTC.
pub fn parse_datetime_utc(s: &str) -> Result<Timestamp, String> {
    let bad = || format!("\"{s}\" is not a date and time (like 2026-11-23T18:00).");
    let (date, time) = s.trim().split_once('T').ok_or_else(bad)?;
    let mut d = date.split('-').map(|p| p.parse::<i64>());
    let (y, m, day) = match (d.next(), d.next(), d.next(), d.next()) {
        (Some(Ok(y)), Some(Ok(m)), Some(Ok(day)), None) => (y, m, day),
        _ => return Err(bad()),
    };
    let mut t = time.split(':').map(|p| p.parse::<i64>());
    let (h, min) = match (t.next(), t.next()) {
        (Some(Ok(h)), Some(Ok(min))) => (h, min),
        _ => return Err(bad()),
    };
    if !(1..=12).contains(&m)
        || !(1..=31).contains(&day)
        || !(0..24).contains(&h)
        || !(0..60).contains(&min)
    {
        return Err(bad());
    }
    let days = days_from_civil(y, m as u32, day as u32);
    // reject dates like 31 February, which the day count would silently roll over
    if civil_from_days(days) != (y, m as u32, day as u32) {
        return Err(bad());
    }
    Ok(days * DAY + h * HOUR + min * MINUTE)
}

/// A duration in the two largest units: "45s", "12m", "3h 05m", "2d 4h".
pub fn format_duration(secs: i64) -> String {
    let s = secs.abs();
    if s < MINUTE {
        format!("{s}s")
    } else if s < HOUR {
        format!("{}m", s / MINUTE)
    } else if s < DAY {
        format!("{}h {:02}m", s / HOUR, (s % HOUR) / MINUTE)
    } else {
        format!("{}d {}h", s / DAY, (s % DAY) / HOUR)
    }
}

/// A countdown that visibly moves every second: "45s", "12m 05s", "3h 05m 12s", "2d 4h 05m".
pub fn format_countdown(secs: i64) -> String {
    let s = secs.abs();
    if s < MINUTE {
        format!("{s}s")
    } else if s < HOUR {
        format!("{}m {:02}s", s / MINUTE, s % MINUTE)
    } else if s < DAY {
        format!(
            "{}h {:02}m {:02}s",
            s / HOUR,
            (s % HOUR) / MINUTE,
            s % MINUTE
        )
    } else {
        format!(
            "{}d {}h {:02}m",
            s / DAY,
            (s % DAY) / HOUR,
            (s % HOUR) / MINUTE
        )
    }
}

/// "just now", "12m ago", "3h 05m ago", or "in 5m" for the future.
pub fn format_ago(now: Timestamp, then: Timestamp) -> String {
    let delta = now - then;
    if delta.abs() < 30 {
        "just now".into()
    } else if delta > 0 {
        format!("{} ago", format_duration(delta))
    } else {
        format!("in {}", format_duration(delta))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip_across_leap_years_and_eras() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(
            days_from_civil(2024, 2, 29) + 1,
            days_from_civil(2024, 3, 1)
        );
        assert_eq!(
            days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28),
            2
        );
    }

    #[test]
    fn formats_instants_in_utc() {
        assert_eq!(format_utc(0), "1970-01-01 00:00 UTC");
        // 2026-11-23T10:32:05Z
        let ts = days_from_civil(2026, 11, 23) * DAY + 10 * HOUR + 32 * MINUTE + 5;
        assert_eq!(format_utc(ts), "2026-11-23 10:32 UTC");
        assert_eq!(format_rfc3339(ts), "2026-11-23T10:32:05Z");
        assert_eq!(format_utc(-1), "1969-12-31 23:59 UTC");
    }

    #[test]
    fn durations_use_the_two_largest_units() {
        assert_eq!(format_duration(45), "45s");
        assert_eq!(format_duration(12 * MINUTE + 30), "12m");
        assert_eq!(format_duration(3 * HOUR + 5 * MINUTE), "3h 05m");
        assert_eq!(format_duration(2 * DAY + 4 * HOUR + 59), "2d 4h");
        assert_eq!(format_duration(-90), "1m");
    }

    #[test]
    fn datetime_fields_parse_as_utc() {
        assert_eq!(
            parse_datetime_utc("1970-01-02T01:30"),
            Ok(DAY + HOUR + 30 * MINUTE)
        );
        assert_eq!(
            parse_datetime_utc("2026-11-23T10:32"),
            Ok(days_from_civil(2026, 11, 23) * DAY + 10 * HOUR + 32 * MINUTE)
        );
        for bad in [
            "",
            "2026-11-23",
            "2026-02-30T10:00",
            "2026-13-01T10:00",
            "2026-11-23T24:00",
            "x-y-zT1:2",
        ] {
            assert!(parse_datetime_utc(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn countdowns_show_seconds_under_a_day() {
        assert_eq!(format_countdown(45), "45s");
        assert_eq!(format_countdown(12 * MINUTE + 5), "12m 05s");
        assert_eq!(format_countdown(3 * HOUR + 5 * MINUTE + 12), "3h 05m 12s");
        assert_eq!(
            format_countdown(2 * DAY + 4 * HOUR + 5 * MINUTE),
            "2d 4h 05m"
        );
        assert_eq!(format_countdown(-61), "1m 01s");
    }

    #[test]
    fn relative_times_read_naturally() {
        assert_eq!(format_ago(1000, 990), "just now");
        assert_eq!(format_ago(10_000, 10_000 - 12 * MINUTE), "12m ago");
        assert_eq!(format_ago(10_000, 10_000 + 5 * MINUTE), "in 5m");
    }
}
