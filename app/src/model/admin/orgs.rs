//! Organizations as the administrator edits them: details, calendar, holidays, SLA targets and
//! the teams that serve them.

use super::fields::{clean_text, parse_date, parse_hhmm, required_text};
use crate::model::sla::{standard_targets, validate_warn_percent, Target, WorkingHours};
use crate::model::Priority;
use serde::{Deserialize, Serialize};

pub const MAX_ORG_NAME: usize = 120;
pub const MAX_CODE: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayDraft {
    pub day: String,
    pub name: String,
}

/// An organization as the administrator edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgDraft {
    pub code: String,
    pub name: String,
    /// IANA name, e.g. "Europe/Paris" (the server checks that it exists).
    pub time_zone: String,
    /// "09:00"
    pub hours_start: String,
    /// "17:00"
    pub hours_end: String,
    /// Monday first.
    pub working_days: [bool; 7],
    pub warn_percent: i64,
    /// One per priority.
    pub targets: Vec<Target>,
    pub holidays: Vec<HolidayDraft>,
    /// The teams that serve it.
    pub teams: Vec<i64>,
}

impl Default for OrgDraft {
    fn default() -> Self {
        OrgDraft {
            code: String::new(),
            name: String::new(),
            time_zone: "UTC".into(),
            hours_start: "09:00".into(),
            hours_end: "17:00".into(),
            working_days: [true, true, true, true, true, false, false],
            warn_percent: 75,
            targets: standard_targets(8 * 60).to_vec(),
            holidays: Vec::new(),
            teams: Vec::new(),
        }
    }
}

/// An [`OrgDraft`] that passed validation, normalised for storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidOrg {
    pub code: String,
    pub name: String,
    pub time_zone: String,
    pub hours: WorkingHours,
    pub warn_percent: i64,
    /// In priority order.
    pub targets: Vec<Target>,
    /// (day, name), by day.
    pub holidays: Vec<(String, String)>,
    pub teams: Vec<i64>,
}

impl OrgDraft {
    pub fn validate(&self) -> Result<ValidOrg, String> {
        let code = self.code.trim().to_uppercase();
        if code.is_empty() {
            return Err("Enter a short code for the organization (like NWL).".into());
        }
        if code.chars().count() < 2 || code.chars().count() > MAX_CODE {
            return Err(format!("The short code needs 2 to {MAX_CODE} characters."));
        }
        if !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err("Use only letters, digits and - in the short code.".into());
        }
        let name = required_text(&self.name, "organization's name", 2, MAX_ORG_NAME)?;
        let time_zone = self.time_zone.trim().to_string();
        if time_zone.is_empty() {
            return Err("Choose the organization's time zone.".into());
        }
        if time_zone.len() > 64
            || !time_zone
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/_-+".contains(c))
        {
            return Err(format!(
                "\"{time_zone}\" is not a known time zone (use a name like Europe/Paris)."
            ));
        }
        let start = parse_hhmm(&self.hours_start, "start of business hours")?;
        let end = parse_hhmm(&self.hours_end, "end of business hours")?;
        let days: String = (0..7)
            .filter(|d| self.working_days[*d])
            .map(|d| char::from(b'1' + d as u8))
            .collect();
        if days.is_empty() {
            return Err("Choose at least one working day.".into());
        }
        let hours = WorkingHours::parse(&days, start, end)?;
        validate_warn_percent(self.warn_percent)?;
        let mut targets = Vec::new();
        for priority in Priority::ALL {
            let mut matching = self.targets.iter().filter(|t| t.priority == *priority);
            let target = matching
                .next()
                .ok_or_else(|| format!("Set the {} targets.", priority.label()))?;
            if matching.next().is_some() {
                return Err(format!("The {} targets are given twice.", priority.label()));
            }
            target.validate()?;
            targets.push(*target);
        }
        if self.holidays.len() > 200 {
            return Err("An organization may have at most 200 holidays.".into());
        }
        let mut holidays: Vec<(String, String)> = Vec::new();
        for h in &self.holidays {
            let day = parse_date(&h.day)?;
            let name = clean_text(&h.name, "holiday's name", 80)?.unwrap_or("Holiday".into());
            if holidays.iter().any(|(d, _)| *d == day) {
                return Err(format!("The holiday on {day} is listed twice."));
            }
            holidays.push((day, name));
        }
        holidays.sort();
        let mut teams = self.teams.clone();
        teams.sort_unstable();
        teams.dedup();
        Ok(ValidOrg {
            code,
            name,
            time_zone,
            hours,
            warn_percent: self.warn_percent,
            targets,
            holidays,
            teams,
        })
    }
}

/// One organization in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub time_zone: String,
    pub active: bool,
    pub users: i64,
    pub teams: Vec<String>,
}

/// An organization opened for editing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgEdit {
    pub id: i64,
    pub active: bool,
    pub draft: OrgDraft,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org() -> OrgDraft {
        OrgDraft {
            code: " acme ".into(),
            name: "Acme Corp".into(),
            time_zone: "Europe/Paris".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_organization_is_normalised() {
        let mut d = org();
        d.holidays = vec![
            HolidayDraft {
                day: "2026-12-25".into(),
                name: "Christmas".into(),
            },
            HolidayDraft {
                day: "2026-01-01".into(),
                name: "".into(),
            },
        ];
        let v = d.validate().unwrap();
        assert_eq!(v.code, "ACME");
        assert_eq!(v.hours.days_string(), "12345");
        assert_eq!((v.hours.start_min, v.hours.end_min), (540, 1020));
        assert_eq!(v.targets.len(), 4);
        assert_eq!(v.holidays[0], ("2026-01-01".into(), "Holiday".into()));
    }

    #[test]
    fn bad_organizations_are_refused_with_a_reason() {
        type Change = Box<dyn Fn(&mut OrgDraft)>;
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|d| d.code = "".into()), "short code"),
            (Box::new(|d| d.code = "A B".into()), "letters"),
            (Box::new(|d| d.name = " ".into()), "name"),
            (Box::new(|d| d.time_zone = "".into()), "time zone"),
            (Box::new(|d| d.hours_start = "9am".into()), "time like"),
            (Box::new(|d| d.hours_end = "08:00".into()), "start before"),
            (Box::new(|d| d.working_days = [false; 7]), "working day"),
            (Box::new(|d| d.warn_percent = 100), "threshold"),
            (
                Box::new(|d| d.targets.pop().map(|_| ()).unwrap_or(())),
                "Ops",
            ),
            (
                Box::new(|d| d.targets[0].response_mins = 0),
                "more than zero",
            ),
            (
                Box::new(|d| {
                    d.holidays = vec![HolidayDraft {
                        day: "2026-02-30".into(),
                        name: "x".into(),
                    }]
                }),
                "not a date",
            ),
        ];
        for (change, expected) in cases {
            let mut d = org();
            change(&mut d);
            let err = d.validate().unwrap_err();
            assert!(err.contains(expected), "{err:?} lacks {expected:?}");
        }
    }
}
