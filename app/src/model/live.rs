//! Live updates: what the server pushes to browsers. Invalidation signals, not state: a browser
//! that receives one refetches what it shows; one that missed some refetches on reconnect.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LiveKind {
    /// A ticket was raised.
    Created,
    /// A ticket changed (claimed, replied to, resolved ...).
    Changed,
    /// The SLA engine raised a warning or a breach.
    SlaAlert,
    /// A step was added to its timeline that leaves the ticket as it was (linked to a problem
    /// record): its version does not move, so pages showing it refetch all the same.
    Noted,
}

/// One pushed event: which ticket, and what happened to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveMessage {
    pub kind: LiveKind,
    pub number: i64,
    /// The ticket's version after the change: a page already showing it need not refetch.
    pub version: i64,
}

/// The SSE event names the server sends.
pub const EVENT_TICKET: &str = "ticket";
/// Sent when the server dropped events for a slow subscriber: refetch everything.
pub const EVENT_RESYNC: &str = "resync";
