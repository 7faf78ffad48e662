//! The in-process bus behind live updates: committed changes are published here, and each SSE
//! subscriber receives only the events its user may see.

use super::policy::{TicketKey, TicketScope};
use crate::model::live::{LiveKind, LiveMessage};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, watch};

/// Events a slow subscriber may fall behind by before it is told to resync.
const CAPACITY: usize = 4096;
/// Live streams one person may hold open at once: a tab each, and a lead keeps many tabs.
pub const MAX_STREAMS_PER_USER: usize = 20;

/// A committed change to a ticket, with what decides who may hear of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveEvent {
    pub kind: LiveKind,
    pub number: i64,
    pub version: i64,
    pub org_id: i64,
    pub requester_id: i64,
    pub assignee_id: Option<i64>,
    pub participants: Vec<i64>,
    /// The change is one clients never see (an internal note, a desk-only file, an SLA alert):
    /// even that it happened is staff activity, so clients are not told.
    pub staff_only: bool,
}

impl LiveEvent {
    /// Whether a subscriber with `scope`, signed in as `user_id`, may receive this event.
    pub fn visible_to(&self, scope: &TicketScope, user_id: i64) -> bool {
        if self.staff_only && !scope.sees_staff_notes() {
            return false;
        }
        let participant = self.assignee_id == Some(user_id) || self.participants.contains(&user_id);
        scope.allows(TicketKey {
            org_id: self.org_id,
            requester_id: self.requester_id,
            participant,
        })
    }

    pub fn message(&self) -> LiveMessage {
        LiveMessage {
            kind: self.kind,
            number: self.number,
            version: self.version,
        }
    }
}

#[derive(Clone)]
pub struct LiveBus {
    tx: broadcast::Sender<Arc<LiveEvent>>,
    closing: watch::Sender<bool>,
    /// Open streams per user.
    open: Arc<Mutex<HashMap<i64, usize>>>,
}

impl Default for LiveBus {
    fn default() -> Self {
        LiveBus {
            tx: broadcast::channel(CAPACITY).0,
            closing: watch::channel(false).0,
            open: Arc::default(),
        }
    }
}

/// One open stream of a user, counted until it is dropped.
pub struct StreamSlot {
    open: Arc<Mutex<HashMap<i64, usize>>>,
    user_id: i64,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.user_id) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.user_id);
            }
        }
    }
}

impl LiveBus {
    /// Publishes after commit. Nobody listening is not an error.
    pub fn publish(&self, event: LiveEvent) {
        let _ = self.tx.send(Arc::new(event));
    }

    pub fn subscribe(&self) -> (broadcast::Receiver<Arc<LiveEvent>>, watch::Receiver<bool>) {
        (self.tx.subscribe(), self.closing.subscribe())
    }

    /// A slot for one more stream of `user_id`, or None when they hold the most allowed: a
    /// script opening streams in a loop cannot take the server's memory.
    pub fn take_slot(&self, user_id: i64) -> Option<StreamSlot> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(user_id).or_insert(0);
        if *n >= MAX_STREAMS_PER_USER {
            return None;
        }
        *n += 1;
        Some(StreamSlot {
            open: self.open.clone(),
            user_id,
        })
    }

    /// Ends every subscription (server shutdown), so open streams do not hold it up.
    pub fn close(&self) {
        let _ = self.closing.send(true);
    }

    pub fn subscribers(&self) -> usize {
        self.tx.receiver_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> LiveEvent {
        LiveEvent {
            kind: LiveKind::Changed,
            number: 1042,
            version: 3,
            org_id: 4,
            requester_id: 50,
            assignee_id: Some(9),
            participants: vec![7],
            staff_only: false,
        }
    }

    #[test]
    fn events_reach_only_those_who_may_see_the_ticket() {
        let e = event();
        assert!(e.visible_to(&TicketScope::All, 1));
        assert!(e.visible_to(&TicketScope::Org(4), 1));
        assert!(
            !e.visible_to(&TicketScope::Org(5), 1),
            "another organization never hears of it"
        );
        assert!(e.visible_to(
            &TicketScope::Requester {
                user_id: 50,
                org_id: 4
            },
            50
        ));
        assert!(!e.visible_to(
            &TicketScope::Requester {
                user_id: 51,
                org_id: 4
            },
            51
        ));
        let other_team = TicketScope::Staff {
            orgs: vec![8],
            user_id: 7,
        };
        assert!(
            e.visible_to(&other_team, 7),
            "a participant keeps hearing of it"
        );
        assert!(!e.visible_to(
            &TicketScope::Staff {
                orgs: vec![8],
                user_id: 3
            },
            3
        ));
        assert!(!e.visible_to(&TicketScope::Nothing, 1));

        let note = LiveEvent {
            staff_only: true,
            ..event()
        };
        assert!(note.visible_to(&TicketScope::All, 1));
        assert!(note.visible_to(&other_team, 7));
        assert!(
            !note.visible_to(&TicketScope::Org(4), 1),
            "clients never hear of it"
        );
        assert!(!note.visible_to(
            &TicketScope::Requester {
                user_id: 50,
                org_id: 4
            },
            50
        ));
    }

    #[test]
    fn a_user_holds_at_most_the_allowed_streams_and_dropping_one_frees_it() {
        let bus = LiveBus::default();
        let mut slots: Vec<_> = (0..MAX_STREAMS_PER_USER)
            .map(|_| bus.take_slot(7).expect("a slot"))
            .collect();
        assert!(bus.take_slot(7).is_none(), "one more than allowed");
        assert!(bus.take_slot(8).is_some(), "another user is not affected");
        slots.pop();
        let again = bus.take_slot(7);
        assert!(again.is_some(), "a closed stream frees its slot");
        assert!(bus.take_slot(7).is_none(), "and only that one");
    }

    #[tokio::test]
    async fn subscribers_receive_published_events_and_closing_ends_them() {
        let bus = LiveBus::default();
        let (mut rx, mut closing) = bus.subscribe();
        bus.publish(event());
        assert_eq!(rx.recv().await.unwrap().number, 1042);
        bus.close();
        closing.changed().await.unwrap();
        assert!(*closing.borrow());
    }
}
