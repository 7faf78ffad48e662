//! The in-process bus behind live updates: committed changes are published here, and each SSE
//! subscriber receives only the events its user may see.

use super::policy::{TicketKey, TicketScope};
use crate::model::live::{LiveKind, LiveMessage};
use std::sync::Arc;
use tokio::sync::{broadcast, watch};

/// Events a slow subscriber may fall behind by before it is told to resync.
const CAPACITY: usize = 4096;

/// A committed change to a ticket, with what decides who may hear of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveEvent {
    pub kind: LiveKind,
    pub number: i64,
    pub version: i64,
    pub org_id: i64,
    pub requester_id: i64,
    pub tier: i64,
    pub assignee_id: Option<i64>,
    pub participants: Vec<i64>,
}

impl LiveEvent {
    /// Whether a subscriber with `scope`, signed in as `user_id`, may receive this event.
    pub fn visible_to(&self, scope: &TicketScope, user_id: i64) -> bool {
        let participant = self.assignee_id == Some(user_id) || self.participants.contains(&user_id);
        scope.allows(TicketKey {
            org_id: self.org_id,
            requester_id: self.requester_id,
            tier: self.tier,
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
}

impl Default for LiveBus {
    fn default() -> Self {
        LiveBus {
            tx: broadcast::channel(CAPACITY).0,
            closing: watch::channel(false).0,
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
            tier: 1,
            assignee_id: Some(9),
            participants: vec![7],
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
            tier: None,
            user_id: 7,
        };
        assert!(
            e.visible_to(&other_team, 7),
            "a participant keeps hearing of it"
        );
        assert!(!e.visible_to(
            &TicketScope::Staff {
                orgs: vec![8],
                tier: None,
                user_id: 3
            },
            3
        ));
        assert!(!e.visible_to(&TicketScope::Nothing, 1));
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
