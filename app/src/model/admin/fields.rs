//! Checks of the text and times typed into the administration forms.

use crate::model::time::{civil_from_days, days_from_civil};

pub const MAX_FIELD: usize = 120;

pub(super) fn clean_text(raw: &str, what: &str, max: usize) -> Result<Option<String>, String> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > max {
        return Err(format!("Use at most {max} characters for the {what}."));
    }
    if text.chars().any(char::is_control) {
        return Err(format!(
            "The {what} contains characters that cannot be shown."
        ));
    }
    Ok(Some(text.to_string()))
}

pub(super) fn required_text(
    raw: &str,
    what: &str,
    min: usize,
    max: usize,
) -> Result<String, String> {
    let text = clean_text(raw, what, max)?.ok_or_else(|| format!("Enter the {what}."))?;
    if text.chars().count() < min {
        return Err(format!("Use at least {min} characters for the {what}."));
    }
    Ok(text)
}

/// "09:30" as minutes after midnight; "24:00" is the end of the day.
pub fn parse_hhmm(raw: &str, what: &str) -> Result<i64, String> {
    let bad = || format!("The {what} must be a time like 09:00.");
    let (h, m) = raw.trim().split_once(':').ok_or_else(bad)?;
    let (h, m) = (
        h.parse::<i64>().map_err(|_| bad())?,
        m.parse::<i64>().map_err(|_| bad())?,
    );
    if !(0..=24).contains(&h) || !(0..60).contains(&m) || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

pub fn format_hhmm(mins: i64) -> String {
    format!("{:02}:{:02}", mins / 60, mins % 60)
}

/// A calendar date "YYYY-MM-DD" that exists.
pub fn parse_date(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let bad = || format!("\"{raw}\" is not a date like 2026-12-25.");
    let mut parts = raw.split('-');
    let (y, m, d) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(m), Some(d), None) if y.len() == 4 && m.len() == 2 && d.len() == 2 => (
            y.parse::<i64>().map_err(|_| bad())?,
            m.parse::<u32>().map_err(|_| bad())?,
            d.parse::<u32>().map_err(|_| bad())?,
        ),
        _ => return Err(bad()),
    };
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(1970..=2200).contains(&y) {
        return Err(bad());
    }
    if civil_from_days(days_from_civil(y, m, d)) != (y, m, d) {
        return Err(bad());
    }
    Ok(format!("{y:04}-{m:02}-{d:02}"))
}

pub const WEEKDAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_are_checked() {
        assert_eq!(parse_hhmm("24:00", "x"), Ok(1440));
        assert!(parse_hhmm("24:30", "x").is_err());
        assert_eq!(format_hhmm(570), "09:30");
        assert!(parse_date("2028-02-29").is_ok());
        assert!(parse_date("2027-02-29").is_err());
        assert!(parse_date("2027-2-1").is_err());
    }
}
