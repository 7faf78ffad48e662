//! Shifts, hand-overs and the on-call roster, as pages show them.

use super::queue::QueueRow;
use super::user::UserRef;
use serde::{Deserialize, Serialize};

/// A ticket handed over, with the note left for whoever takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoffNote {
    pub number: i64,
    pub subject: String,
    pub from: String,
    /// None: handed to the next shift.
    pub to: Option<String>,
    pub note: String,
    pub at: i64,
}

/// The analyst's shift page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftView {
    pub now: i64,
    pub started_at: Option<i64>,
    /// Open tickets the analyst holds: each must be disposed of before the shift can end.
    pub open: Vec<QueueRow>,
    /// Tickets handed over to this analyst or to the next shift, not yet taken up.
    pub handed_to_me: Vec<HandoffNote>,
    pub colleagues: Vec<UserRef>,
}

/// What ending a shift produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftSummary {
    pub started_at: i64,
    pub ended_at: i64,
    pub handed_over: Vec<HandoffNote>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterShift {
    pub id: i64,
    pub user: UserRef,
    pub starts_at: i64,
    pub ends_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamRoster {
    pub id: i64,
    pub name: String,
    /// The viewer may add and remove shifts (the team's lead, managers).
    pub editable: bool,
    pub members: Vec<UserRef>,
    pub shifts: Vec<RosterShift>,
    pub on_call_now: Option<String>,
}

/// Seven days of the roster from `from` (a UTC midnight).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterView {
    pub now: i64,
    pub from: i64,
    pub teams: Vec<TeamRoster>,
}

/// The longest on-call shift accepted, and how many weeks a shift may repeat.
pub const MAX_ONCALL_SHIFT_SECS: i64 = 7 * 86_400;
pub const MAX_REPEAT_WEEKS: u8 = 12;

/// Checks an on-call shift before it is saved.
pub fn validate_oncall_shift(starts_at: i64, ends_at: i64, repeat_weeks: u8) -> Result<(), String> {
    if ends_at <= starts_at {
        return Err("The shift must end after it starts.".into());
    }
    if ends_at - starts_at > MAX_ONCALL_SHIFT_SECS {
        return Err("An on-call shift can last at most 7 days.".into());
    }
    if repeat_weeks > MAX_REPEAT_WEEKS {
        return Err(format!(
            "Repeat a shift for at most {MAX_REPEAT_WEEKS} weeks."
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oncall_shifts_must_be_sane() {
        assert!(validate_oncall_shift(100, 200, 0).is_ok());
        assert!(validate_oncall_shift(200, 200, 0)
            .unwrap_err()
            .contains("end after"));
        assert!(validate_oncall_shift(0, 8 * 86_400, 0)
            .unwrap_err()
            .contains("7 days"));
        assert!(validate_oncall_shift(0, 100, 13)
            .unwrap_err()
            .contains("12 weeks"));
    }
}
