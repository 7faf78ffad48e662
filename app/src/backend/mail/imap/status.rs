//! What each mailbox's watcher is doing, for the administrators' page and the tests; each change
//! of state is logged once (a failure repeating with the same reason is not logged again).

use crate::backend::clock::SharedClock;
use crate::backend::db::begin_write;
use crate::backend::repo::mailboxes::{self, WatchRow};
use crate::backend::AppState;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchState {
    /// Not watched, and why (no key to open its password, no password stored).
    NotStarted(String),
    Connecting,
    /// Signed in, up to date, waiting for mail: with IDLE, or polling.
    Watching {
        idle: bool,
    },
    /// Failed `attempts` times in a row, the last time for `reason`; tried again after a wait.
    Failing {
        reason: String,
        attempts: u32,
    },
}

/// One mailbox's watcher: its state and since when (the desk's clock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watched {
    pub name: String,
    pub state: WatchState,
    pub since: i64,
}

/// The states of every mailbox's watcher, by mailbox id.
#[derive(Clone)]
pub struct WatchStatus {
    clock: SharedClock,
    map: Arc<Mutex<BTreeMap<i64, Watched>>>,
}

impl WatchStatus {
    pub fn new(clock: SharedClock) -> WatchStatus {
        WatchStatus {
            clock,
            map: Arc::default(),
        }
    }

    pub fn get(&self, mailbox_id: i64) -> Option<Watched> {
        self.lock().get(&mailbox_id).cloned()
    }

    pub fn all(&self) -> BTreeMap<i64, Watched> {
        self.lock().clone()
    }

    /// Records `state`; the watcher as it is to be stored when that changed what administrators
    /// see (another state or reason, one more failure in a row).
    pub(super) fn set(&self, mailbox_id: i64, name: &str, state: WatchState) -> Option<Watched> {
        let mut map = self.lock();
        let previous = map.get(&mailbox_id);
        let same = previous.is_some_and(|p| same_kind(&p.state, &state));
        if !same {
            log(name, &state);
        }
        let changed = previous.is_none_or(|p| p.state != state);
        let since = match previous {
            Some(p) if same => p.since,
            _ => self.clock.now(),
        };
        let watched = Watched {
            name: name.to_string(),
            state,
            since,
        };
        map.insert(mailbox_id, watched.clone());
        changed.then_some(watched)
    }

    pub(super) fn retain(&self, keep: impl Fn(i64) -> bool) {
        self.lock().retain(|id, _| keep(*id));
    }

    pub(super) fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<i64, Watched>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Stores what administrators see of mailbox `mailbox_id`'s watcher, for every instance to show.
/// A database that cannot be written now is only logged: the watcher goes on, and its next
/// change is stored.
pub(super) async fn store(state: &AppState, mailbox_id: i64, watched: &Watched) {
    let (kind, detail, attempts) = match &watched.state {
        WatchState::NotStarted(why) => ("not_started", Some(why.as_str()), 0),
        WatchState::Connecting => ("connecting", None, 0),
        WatchState::Watching { idle } => {
            ("watching", Some(if *idle { "idle" } else { "polling" }), 0)
        }
        WatchState::Failing { reason, attempts } => {
            ("failing", Some(reason.as_str()), i64::from(*attempts))
        }
    };
    let row = WatchRow {
        mailbox_id,
        state: kind,
        detail,
        attempts,
        since: watched.since,
    };
    let stored = async {
        let mut tx = begin_write(&state.pool).await?;
        mailboxes::set_watch(&mut tx, &row, state.now()).await?;
        tx.commit().await
    };
    if let Err(err) = stored.await {
        tracing::warn!(mailbox = %watched.name, error = %err, "could not store the watcher's state");
    }
}

/// The same state for the log: a failure counts as the same while its reason is.
fn same_kind(a: &WatchState, b: &WatchState) -> bool {
    match (a, b) {
        (WatchState::Failing { reason: x, .. }, WatchState::Failing { reason: y, .. }) => x == y,
        _ => a == b,
    }
}

fn log(mailbox: &str, state: &WatchState) {
    match state {
        WatchState::NotStarted(why) => {
            tracing::warn!(mailbox, reason = %why, "mailbox not watched")
        }
        WatchState::Connecting => tracing::debug!(mailbox, "connecting to the mailbox"),
        WatchState::Watching { idle: true } => {
            tracing::info!(mailbox, "watching the mailbox (IDLE)")
        }
        WatchState::Watching { idle: false } => {
            tracing::info!(
                mailbox,
                "watching the mailbox (polling: the server has no IDLE)"
            )
        }
        WatchState::Failing { reason, .. } => {
            tracing::warn!(mailbox, reason = %reason, "mailbox watcher failed; retrying with backoff")
        }
    }
}
