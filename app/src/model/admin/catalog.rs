//! Ticket categories and canned responses.

use super::fields::{required_text, MAX_FIELD};
use crate::model::Priority;
use serde::{Deserialize, Serialize};

pub const MAX_CANNED_BODY: usize = 5_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryDraft {
    pub name: String,
    pub default_priority: Option<Priority>,
    pub active: bool,
}

impl CategoryDraft {
    pub fn validate(&self) -> Result<CategoryDraft, String> {
        Ok(CategoryDraft {
            name: required_text(&self.name, "category's name", 2, 60)?,
            default_priority: self.default_priority,
            active: self.active,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryRow {
    pub id: i64,
    pub name: String,
    pub default_priority: Option<Priority>,
    pub active: bool,
    pub tickets: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedDraft {
    pub title: String,
    pub body: String,
    pub active: bool,
}

impl CannedDraft {
    pub fn validate(&self) -> Result<CannedDraft, String> {
        let title = required_text(&self.title, "title", 2, MAX_FIELD)?;
        let body = self.body.trim();
        if body.is_empty() {
            return Err("Write the text of the response.".into());
        }
        if body.chars().count() > MAX_CANNED_BODY {
            return Err(format!(
                "Use at most {MAX_CANNED_BODY} characters for the response."
            ));
        }
        Ok(CannedDraft {
            title,
            body: body.to_string(),
            active: self.active,
        })
    }
}

/// The placeholders a canned response may hold, filled in when an analyst inserts it.
pub const CANNED_PLACEHOLDERS: &str =
    "{requester} (first name), {ticket} (number), {client} (organization)";

/// A canned response's text for one ticket: `{requester}` becomes the requester's first name,
/// `{ticket}` the ticket number and `{client}` the organization's name. Anything else in braces is
/// left as written, so a typo shows rather than vanishing.
pub fn fill_canned(body: &str, requester: &str, ticket: &str, client: &str) -> String {
    let first_name = requester.split_whitespace().next().unwrap_or(requester);
    body.replace("{requester}", first_name)
        .replace("{ticket}", ticket)
        .replace("{client}", client)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedResponse {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub active: bool,
    pub updated_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canned_responses_fill_their_placeholders_and_keep_unknown_ones() {
        assert_eq!(
            fill_canned(
                "Hi {requester}, about {ticket} at {client}: {unknown}",
                "Jo Bloggs",
                "T-42",
                "Northwind"
            ),
            "Hi Jo, about T-42 at Northwind: {unknown}"
        );
        assert_eq!(fill_canned("Hello {requester}", "", "T-1", "X"), "Hello ");
    }
}
