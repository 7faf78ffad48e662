//! The bus behind live updates: committed changes are published here, and each SSE subscriber
//! receives only the events its user may see.
//!
//! On PostgreSQL several instances serve one desk: a change also goes to the others through
//! `NOTIFY` (sent by its transaction, so only when it commits), and each instance's listener
//! ([`spawn_listener`]) publishes what the others sent on its own bus. NOTIFY keeps nothing for
//! a listener that is away: after the listener reconnects, every subscriber is told to resync.

use super::db::{Conn, Pool};
use super::policy::{TicketKey, TicketScope};
use super::repo;
use super::state::AppState;
use crate::model::live::{LiveKind, LiveMessage};
use crate::model::AppResult;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// Events a slow subscriber may fall behind by before it is told to resync.
const CAPACITY: usize = 4096;
/// Live streams one person may hold open at once by default: a tab each, and a lead keeps many
/// tabs.
pub const MAX_STREAMS_PER_USER: usize = 20;

/// A committed change to a ticket, with what decides who may hear of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Bumped when subscribers may have missed events (the listener was away).
    resync: watch::Sender<u64>,
    /// Open streams per user.
    open: Arc<Mutex<HashMap<i64, usize>>>,
    /// Tells this instance's own events from the others' on the shared channel.
    instance: u64,
    /// Whether the listener hears the other instances (always, with one instance).
    listening: Arc<AtomicBool>,
}

impl Default for LiveBus {
    fn default() -> Self {
        LiveBus {
            tx: broadcast::channel(CAPACITY).0,
            closing: watch::channel(false).0,
            resync: watch::channel(0).0,
            open: Arc::default(),
            instance: rand_u64(),
            listening: Arc::new(AtomicBool::new(true)),
        }
    }
}

fn rand_u64() -> u64 {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    OsRng.next_u64()
}

/// What one subscriber receives: events, the end of the server, and calls to resync.
pub struct Subscription {
    pub events: broadcast::Receiver<Arc<LiveEvent>>,
    pub closing: watch::Receiver<bool>,
    pub resync: watch::Receiver<u64>,
}

/// An event as it travels between instances.
#[derive(Serialize, Deserialize)]
struct Fanned {
    from: u64,
    event: LiveEvent,
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

    pub fn subscribe(&self) -> Subscription {
        Subscription {
            events: self.tx.subscribe(),
            closing: self.closing.subscribe(),
            resync: self.resync.subscribe(),
        }
    }

    /// Tells every subscriber to refetch what it shows: events may have been missed.
    pub fn resync_all(&self) {
        self.resync.send_modify(|generation| *generation += 1);
    }

    /// Whether events of the other instances reach this one (for `/healthz`).
    pub fn hears_others(&self) -> bool {
        self.listening.load(Ordering::Relaxed)
    }

    /// A slot for one more stream of `user_id`, or None when they hold `most` already: a
    /// script opening streams in a loop cannot take the server's memory.
    pub fn take_slot(&self, user_id: i64, most: usize) -> Option<StreamSlot> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(user_id).or_insert(0);
        if *n >= most {
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

/// Sends `event` to the other instances of the desk, inside the transaction that makes the
/// change: PostgreSQL delivers it when (and only if) that commits. Nothing to do on SQLite.
pub async fn tell_other_instances(
    conn: &mut Conn,
    bus: &LiveBus,
    event: &LiveEvent,
) -> AppResult<()> {
    if conn.dialect() == super::db::Dialect::Sqlite {
        return Ok(());
    }
    let fanned = Fanned {
        from: bus.instance,
        event: event.clone(),
    };
    let payload = serde_json::to_string(&fanned).map_err(|err| {
        tracing::error!(error = %err, "could not encode a live event");
        crate::model::AppError::Internal
    })?;
    Ok(repo::live::notify(conn, &payload).await?)
}

/// How long the listener waits before connecting again after it lost its connection.
const RECONNECT: Duration = Duration::from_secs(1);

/// Listens for the other instances' events and publishes them on this instance's bus, for as
/// long as the task runs. None on SQLite (one instance).
///
/// Each event also wakes this instance's SLA engine and outbox worker, as a change made here
/// does: a ticket raised on another instance may bring the next alert forward or put mail in
/// the outbox, and only the leading instance's workers act on it.
pub fn spawn_listener(state: &AppState) -> Option<tokio::task::JoinHandle<()>> {
    let Pool::Postgres(pg) = &state.pool else {
        return None;
    };
    let pg = pg.clone();
    let bus = state.live.clone();
    let wake = [state.sla_wake.clone(), state.notify_wake.clone()];
    let wake_all = move || wake.iter().for_each(|w| w.notify_one());
    bus.listening.store(false, Ordering::Relaxed);
    Some(tokio::spawn(async move {
        loop {
            match repo::live::listen(&pg).await {
                Ok(mut listener) => {
                    bus.listening.store(true, Ordering::Relaxed);
                    // whatever was sent while no one listened is lost
                    bus.resync_all();
                    wake_all();
                    loop {
                        match listener.try_recv().await {
                            Ok(Some(notification)) => {
                                if bus.receive(notification.payload()) {
                                    wake_all();
                                }
                            }
                            Ok(None) => {
                                tracing::warn!("live events: the listener lost its connection");
                                break;
                            }
                            Err(err) => {
                                tracing::warn!(error = %err, "live events: the listener failed");
                                break;
                            }
                        }
                    }
                }
                Err(err) => tracing::warn!(error = %err, "live events: cannot listen"),
            }
            bus.listening.store(false, Ordering::Relaxed);
            tokio::time::sleep(RECONNECT).await;
        }
    }))
}

impl LiveBus {
    /// An event from the shared channel: published here unless this instance sent it (it was
    /// published here when it committed). Whether it was another instance's.
    fn receive(&self, payload: &str) -> bool {
        match serde_json::from_str::<Fanned>(payload) {
            Ok(fanned) if fanned.from != self.instance => {
                self.publish(fanned.event);
                true
            }
            Ok(_) => false,
            Err(err) => {
                tracing::warn!(error = %err, "live events: an unreadable event");
                false
            }
        }
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
            .map(|_| bus.take_slot(7, MAX_STREAMS_PER_USER).expect("a slot"))
            .collect();
        assert!(
            bus.take_slot(7, MAX_STREAMS_PER_USER).is_none(),
            "one more than allowed"
        );
        assert!(
            bus.take_slot(8, MAX_STREAMS_PER_USER).is_some(),
            "another user is not affected"
        );
        slots.pop();
        let again = bus.take_slot(7, MAX_STREAMS_PER_USER);
        assert!(again.is_some(), "a closed stream frees its slot");
        assert!(
            bus.take_slot(7, MAX_STREAMS_PER_USER).is_none(),
            "and only that one"
        );
    }

    #[tokio::test]
    async fn subscribers_receive_published_events_and_closing_ends_them() {
        let bus = LiveBus::default();
        let mut sub = bus.subscribe();
        bus.publish(event());
        assert_eq!(sub.events.recv().await.unwrap().number, 1042);
        bus.resync_all();
        sub.resync.changed().await.unwrap();
        bus.close();
        sub.closing.changed().await.unwrap();
        assert!(*sub.closing.borrow());
    }

    #[tokio::test]
    async fn events_from_other_instances_are_published_and_our_own_are_not_twice() {
        let (here, there) = (LiveBus::default(), LiveBus::default());
        let mut sub = here.subscribe();
        let from = |bus: &LiveBus| {
            serde_json::to_string(&Fanned {
                from: bus.instance,
                event: event(),
            })
            .unwrap()
        };
        assert!(!here.receive(&from(&here)));
        assert!(!here.receive("not an event"));
        assert!(here.receive(&from(&there)));
        assert_eq!(sub.events.recv().await.unwrap().number, 1042);
        assert!(sub.events.try_recv().is_err(), "exactly one event arrived");
    }
}
