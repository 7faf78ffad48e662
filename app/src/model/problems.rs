//! Problem records: one recurring problem behind many tickets, made from a group of alike tickets
//! the reports surface, so that it is worked once instead of ticket by ticket.

use super::reports::SimilarTicket;
use super::TicketNumber;
use serde::{Deserialize, Serialize};
use std::fmt;

pub const TITLE_MAX: usize = 120;
pub const NOTE_MAX: usize = 2000;
/// Most tickets one record links at once.
pub const TICKETS_MAX: usize = 200;

/// A problem's number as people say it: PR-7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemNumber(pub i64);

impl fmt::Display for ProblemNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PR-{}", self.0)
    }
}

/// What a lead fills in to record a problem.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewProblem {
    pub title: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub tickets: Vec<TicketNumber>,
}

impl NewProblem {
    /// The record as it will be stored: text trimmed, each ticket once, in the order given.
    pub fn validate(&self) -> Result<NewProblem, String> {
        let title = self.title.trim();
        if title.is_empty() {
            return Err("Give the problem a title.".into());
        }
        if title.chars().count() > TITLE_MAX {
            return Err(format!("Keep the title to {TITLE_MAX} characters."));
        }
        let note = self.note.trim();
        if note.chars().count() > NOTE_MAX {
            return Err(format!("Keep the note to {NOTE_MAX} characters."));
        }
        let mut tickets: Vec<TicketNumber> = Vec::new();
        for t in &self.tickets {
            if t.0 <= 0 {
                return Err(format!("{t} is not a ticket number."));
            }
            if !tickets.contains(t) {
                tickets.push(*t);
            }
        }
        if tickets.is_empty() {
            return Err("Link at least one ticket to the problem.".into());
        }
        if tickets.len() > TICKETS_MAX {
            return Err(format!("Link at most {TICKETS_MAX} tickets at once."));
        }
        Ok(NewProblem {
            title: title.to_string(),
            note: note.to_string(),
            tickets,
        })
    }

    /// The timeline line each linked ticket gets.
    pub fn timeline_label(&self, number: ProblemNumber) -> String {
        format!("{number} “{}”", self.title)
    }
}

/// A ticket as found by its number: (id, number, organization).
pub type FoundTicket = (i64, i64, i64);

/// The ids of the `wanted` tickets, in order, when each was found and belongs to one of the
/// `visible` organizations; otherwise the first that was not (which the person is told was not
/// found: a ticket outside their clients does not exist for them).
pub fn linkable(
    wanted: &[TicketNumber],
    found: &[FoundTicket],
    visible: &[i64],
) -> Result<Vec<i64>, TicketNumber> {
    wanted
        .iter()
        .map(|number| {
            found
                .iter()
                .find(|(_, n, org)| *n == number.0 && visible.contains(org))
                .map(|(id, ..)| *id)
                .ok_or(*number)
        })
        .collect()
}

/// A recorded problem with the tickets of it the viewer may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub number: ProblemNumber,
    pub title: String,
    pub note: String,
    pub created_by: String,
    pub created_at: i64,
    pub tickets: Vec<SimilarTicket>,
}

/// The problem records a viewer may read, and whether they may record new ones.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemList {
    pub may_record: bool,
    pub problems: Vec<Problem>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(title: &str, tickets: &[i64]) -> NewProblem {
        NewProblem {
            title: title.into(),
            note: "  seen on three floors ".into(),
            tickets: tickets.iter().map(|n| TicketNumber(*n)).collect(),
        }
    }

    #[test]
    fn a_new_problem_is_checked_and_tidied() {
        let ok = new("  VPN drops  ", &[1002, 1001, 1002])
            .validate()
            .unwrap();
        assert_eq!(ok.title, "VPN drops");
        assert_eq!(ok.note, "seen on three floors");
        assert_eq!(ok.tickets, vec![TicketNumber(1002), TicketNumber(1001)]);
        assert_eq!(ok.timeline_label(ProblemNumber(7)), "PR-7 “VPN drops”");
        assert!(new(" ", &[1]).validate().unwrap_err().contains("title"));
        assert!(new("VPN", &[])
            .validate()
            .unwrap_err()
            .contains("at least one"));
        assert!(new("VPN", &[0]).validate().is_err());
        assert!(new(&"x".repeat(TITLE_MAX + 1), &[1]).validate().is_err());
        let many: Vec<i64> = (1..=TICKETS_MAX as i64 + 1).collect();
        assert!(new("VPN", &many).validate().is_err());
    }

    #[test]
    fn only_found_tickets_of_visible_clients_are_linked() {
        let found = [(11, 1001, 1), (12, 1002, 2), (13, 1003, 1)];
        let n = |v: &[i64]| v.iter().map(|n| TicketNumber(*n)).collect::<Vec<_>>();
        assert_eq!(linkable(&n(&[1003, 1001]), &found, &[1]), Ok(vec![13, 11]));
        assert_eq!(
            linkable(&n(&[1001, 1002]), &found, &[1]),
            Err(TicketNumber(1002)),
            "another client's ticket"
        );
        assert_eq!(
            linkable(&n(&[1001, 1009]), &found, &[1, 2]),
            Err(TicketNumber(1009)),
            "no such ticket"
        );
    }
}
