//! The client portal: the requests a client follows, the approvals a client admin decides, and
//! the rating a requester gives once a ticket is resolved.

use super::queue::{Cursor, QueueRow, StatusView};
use super::ticket::named_enum;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Whose requests the portal lists: a client sees their own; a client admin may switch to the
/// whole organization's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Whose {
    #[default]
    Mine,
    Organization,
}
named_enum!(Whose, "list", { Mine => "mine", Organization => "organization" });

/// The tabs of the portal: work in progress, then finished work.
pub const PORTAL_VIEWS: [StatusView; 3] =
    [StatusView::Active, StatusView::Resolved, StatusView::Closed];

pub fn portal_view_label(view: StatusView) -> &'static str {
    match view {
        StatusView::Resolved => "Resolved",
        StatusView::Closed => "Closed",
        _ => "In progress",
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalFilter {
    pub whose: Whose,
    pub view: StatusView,
    pub after: Option<Cursor>,
}

impl PortalFilter {
    /// Reads the portal's URL query; the same plain messages as the queue for bad values.
    pub fn from_query<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, String> {
        let mut f = PortalFilter::default();
        for (key, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match key {
                "whose" => f.whose = value.parse()?,
                "status" => {
                    let view: StatusView = value.parse()?;
                    if !PORTAL_VIEWS.contains(&view) {
                        return Err(format!(
                            "The portal lists active, resolved or closed requests, not \"{value}\"."
                        ));
                    }
                    f.view = view;
                }
                "after" => f.after = Some(value.parse()?),
                _ => {}
            }
        }
        Ok(f)
    }

    pub fn to_query(&self) -> String {
        let mut parts = Vec::new();
        if self.whose != Whose::Mine {
            parts.push(format!("whose={}", self.whose));
        }
        if self.view != StatusView::Active {
            parts.push(format!("status={}", self.view));
        }
        if let Some(after) = self.after {
            parts.push(format!("after={after}"));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalPage {
    pub rows: Vec<QueueRow>,
    pub next: Option<Cursor>,
    /// The organization's name when the viewer may list all of its requests (client admins).
    pub organization: Option<String>,
    /// Requests of the organization waiting for the viewer's decision (client admins only).
    pub approvals: Vec<QueueRow>,
    pub now: i64,
}

/// A client admin's answer to a budget or approval request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Decline,
}
named_enum!(Decision, "decision", { Approve => "approve", Decline => "decline" });

/// How the requester rated the help on a resolved ticket: 1 to 5 stars, an optional comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub stars: u8,
    pub comment: Option<String>,
}

impl Rating {
    pub const MAX_COMMENT: usize = 2000;

    pub fn new(stars: i64, comment: Option<&str>) -> Result<Rating, String> {
        if !(1..=5).contains(&stars) {
            return Err("Rate the help from 1 to 5 stars.".into());
        }
        let comment = comment.map(str::trim).filter(|c| !c.is_empty());
        if comment.is_some_and(|c| c.chars().count() > Self::MAX_COMMENT) {
            return Err(format!(
                "Keep the comment under {} characters.",
                Self::MAX_COMMENT
            ));
        }
        Ok(Rating {
            stars: stars as u8,
            comment: comment.map(str::to_string),
        })
    }

    pub fn label(stars: u8) -> &'static str {
        match stars {
            1 => "Very poor",
            2 => "Poor",
            3 => "Fair",
            4 => "Good",
            _ => "Excellent",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_are_one_to_five_stars_with_an_optional_comment() {
        assert_eq!(Rating::new(5, Some("  ")).unwrap().comment, None);
        assert_eq!(
            Rating::new(3, Some(" quick ")).unwrap().comment.as_deref(),
            Some("quick")
        );
        for bad in [0, 6, -1, 100] {
            assert!(Rating::new(bad, None).is_err(), "{bad}");
        }
        let long = "x".repeat(Rating::MAX_COMMENT + 1);
        assert!(Rating::new(4, Some(&long)).is_err());
    }

    #[test]
    fn portal_filters_round_trip_through_the_url() {
        let f = PortalFilter {
            whose: Whose::Organization,
            view: StatusView::Resolved,
            after: None,
        };
        let q = f.to_query();
        assert_eq!(q, "?whose=organization&status=resolved");
        let pairs: Vec<(&str, &str)> = q[1..]
            .split('&')
            .filter_map(|p| p.split_once('='))
            .collect();
        assert_eq!(PortalFilter::from_query(pairs).unwrap(), f);
        assert_eq!(PortalFilter::default().to_query(), "");
    }

    #[test]
    fn the_portal_refuses_views_it_does_not_offer() {
        assert!(PortalFilter::from_query([("status", "pending")]).is_err());
        assert!(PortalFilter::from_query([("whose", "everyone")]).is_err());
        assert_eq!(
            PortalFilter::from_query([("status", ""), ("x", "y")]).unwrap(),
            PortalFilter::default()
        );
    }
}
