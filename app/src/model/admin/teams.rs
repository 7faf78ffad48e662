//! Teams as the administrator edits them, and a lead's own team.

use super::fields::required_text;
use super::Choice;
use crate::model::user::UserRef;
use serde::{Deserialize, Serialize};

pub const MAX_TEAM_NAME: usize = 60;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamDraft {
    pub name: String,
    pub lead_id: Option<i64>,
    /// Analysts and seniors.
    pub members: Vec<i64>,
    /// Organizations served.
    pub orgs: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidTeam {
    pub name: String,
    pub lead_id: i64,
    pub members: Vec<i64>,
    pub orgs: Vec<i64>,
}

impl TeamDraft {
    pub fn validate(&self) -> Result<ValidTeam, String> {
        let name = required_text(&self.name, "team's name", 2, MAX_TEAM_NAME)?;
        let lead_id = self
            .lead_id
            .ok_or("Choose the team lead: every team needs one.")?;
        let mut members = self.members.clone();
        members.sort_unstable();
        members.dedup();
        members.retain(|m| *m != lead_id);
        let mut orgs = self.orgs.clone();
        orgs.sort_unstable();
        orgs.dedup();
        Ok(ValidTeam {
            name,
            lead_id,
            members,
            orgs,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamRow {
    pub id: i64,
    pub name: String,
    pub lead: Option<UserRef>,
    pub members: Vec<UserRef>,
    pub orgs: Vec<Choice>,
}

/// A team lead's own team: who is on it, and the analysts without a team who could join.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyTeam {
    pub team: TeamRow,
    pub candidates: Vec<Choice>,
}

/// What the team form offers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamChoices {
    /// Active team leads.
    pub leads: Vec<Choice>,
    /// Active analysts and seniors, labelled with their tier and current team.
    pub analysts: Vec<Choice>,
    pub orgs: Vec<Choice>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_team_needs_a_lead() {
        let t = TeamDraft {
            name: "Echo".into(),
            ..Default::default()
        };
        assert!(t.validate().unwrap_err().contains("lead"));
    }
}
