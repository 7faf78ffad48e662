//! Watching the desk's IMAP mailboxes: one task per active mailbox with an IMAP server (a slow
//! or broken one never delays the others), started, restarted and stopped by a supervisor that
//! reads the mailbox list again every minute, all on the instance that leads the background
//! work.
//!
//! Each message is handed to a [`Sink`] (the ingest) in UID order; only once the sink has stored
//! it for good is it marked `\Seen` and its UID recorded as taken. A crash between the two hands
//! it over again after the restart, which the ingest absorbs (it is keyed on Message-ID and on
//! the mailbox's UIDVALIDITY and UID); a message is never skipped.

pub mod connect;
mod status;
mod watch;

pub use status::{WatchState, WatchStatus, Watched};

use crate::backend::db::begin_write;
use crate::backend::repo::mailboxes::{self, ImapMailbox};
use crate::backend::AppState;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_rustls::rustls::RootCertStore;

/// Where a message sits in its folder: UIDs are unique within one UIDVALIDITY.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImapKey {
    pub uidvalidity: i64,
    pub uid: i64,
}

/// What the watcher hands each fetched message to. `Ok`: stored for good (a ticket, a step, or
/// held for an administrator), so the watcher marks it `\Seen` and moves past its UID. `Err`: a
/// temporary failure (the database is down); the message stays and is handed over again later.
/// Must be idempotent: the same message handed over twice (a crash between the sink's commit and
/// `\Seen`) is a no-op the second time.
pub trait Sink: Send + Sync + 'static {
    fn deliver(
        &self,
        mailbox_id: i64,
        key: ImapKey,
        raw: Vec<u8>,
    ) -> impl Future<Output = Result<(), String>> + Send;
}

/// How the watchers behave; the defaults are what the server runs with, tests shorten them.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// How often the mailbox list is read again (added, changed, deactivated mailboxes).
    pub rescan: Duration,
    /// The first wait after a failure; it doubles with each failure in a row...
    pub first_retry: Duration,
    /// ...up to this.
    pub max_retry: Duration,
    /// IDLE is ended and issued again this often (RFC 2177: servers may drop it after 30 min).
    pub idle_renew: Duration,
    /// Trust anchors for TLS instead of the web's roots (tests with a CA of their own).
    pub tls_roots: Option<Arc<RootCertStore>>,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            rescan: Duration::from_secs(60),
            first_retry: Duration::from_secs(1),
            max_retry: Duration::from_secs(300),
            idle_renew: Duration::from_secs(25 * 60),
            tls_roots: None,
        }
    }
}

/// The running watchers: the supervisor's task (stopping it stops every watcher) and what each
/// mailbox's watcher is doing.
pub struct Watchers {
    pub task: JoinHandle<()>,
    pub status: WatchStatus,
}

impl Watchers {
    /// Stops the supervisor and with it every watcher.
    pub fn stop(&self) {
        self.task.abort();
    }
}

/// Starts the supervisor of the mailbox watchers.
pub fn spawn_watchers<S: Sink>(state: &AppState, sink: Arc<S>, options: WatchOptions) -> Watchers {
    let status = WatchStatus::new(state.clock.clone());
    let supervisor = Supervisor {
        state: state.clone(),
        sink,
        tls: connect::tls_config(options.tls_roots.clone()),
        options,
        status: status.clone(),
        running: HashMap::new(),
        tidied: false,
    };
    Watchers {
        task: tokio::spawn(supervisor.run()),
        status,
    }
}

/// How often a supervisor whose instance may have lost the lead checks.
const LEAD_CHECK: Duration = crate::backend::leader::RETRY;

struct Supervisor<S> {
    state: AppState,
    sink: Arc<S>,
    options: WatchOptions,
    tls: Arc<tokio_rustls::rustls::ClientConfig>,
    status: WatchStatus,
    running: HashMap<i64, Running>,
    /// The stored states of unwatched mailboxes were removed since this instance took the lead.
    tidied: bool,
}

/// A mailbox as its watcher was started with it; the watcher stops when this is dropped.
struct Running {
    mailbox: ImapMailbox,
    /// None: not started (the status says why).
    _task: Option<AbortOnDrop>,
}

struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl<S: Sink> Supervisor<S> {
    async fn run(mut self) {
        let mut list_failed = false;
        loop {
            if !self.state.leader.is_leading() {
                self.running.clear();
                self.status.clear();
                self.tidied = false;
                self.state.leader.until_leading().await;
            }
            match self.list().await {
                Ok(list) => {
                    if list_failed {
                        tracing::info!("the mailbox list can be read again");
                    }
                    list_failed = false;
                    self.reconcile(list).await;
                }
                Err(err) => {
                    if !list_failed {
                        tracing::warn!(error = %err, "could not read the mailbox list; retrying");
                    }
                    list_failed = true;
                }
            }
            let next = tokio::time::Instant::now() + self.options.rescan;
            while tokio::time::Instant::now() < next && self.state.leader.is_leading() {
                tokio::time::sleep_until(next.min(tokio::time::Instant::now() + LEAD_CHECK)).await;
            }
        }
    }

    async fn list(&self) -> sqlx::Result<Vec<ImapMailbox>> {
        let mut conn = self.state.pool.acquire().await?;
        mailboxes::watched(&mut conn).await
    }

    /// Starts watchers of new and changed mailboxes, stops those of changed and gone ones.
    async fn reconcile(&mut self, list: Vec<ImapMailbox>) {
        let listed: HashMap<i64, ImapMailbox> = list.into_iter().map(|m| (m.id, m)).collect();
        let running_before = self.running.len();
        self.running.retain(|id, running| {
            let keep = listed.get(id) == Some(&running.mailbox);
            if !keep {
                tracing::info!(mailbox = %running.mailbox.name, "mailbox changed or removed: its watcher stops");
            }
            keep
        });
        self.status.retain(|id| listed.contains_key(&id));
        // the stored states of mailboxes unwatched since: at the first scan (a deactivation
        // while no instance watched) and whenever a watcher stopped
        if !self.tidied || self.running.len() < running_before {
            self.forget_unwatched().await;
        }
        for (id, mailbox) in listed {
            if self.running.contains_key(&id) {
                continue;
            }
            let task = self.start(&mailbox).await;
            self.running.insert(
                id,
                Running {
                    mailbox,
                    _task: task,
                },
            );
        }
    }

    /// Removes the stored states of mailboxes no longer watched (logged only if it fails: the
    /// next scan tries again).
    async fn forget_unwatched(&mut self) {
        let forgotten = async {
            let mut tx = begin_write(&self.state.pool).await?;
            mailboxes::forget_unwatched(&mut tx).await?;
            tx.commit().await
        };
        match forgotten.await {
            Ok(()) => self.tidied = true,
            Err(err) => {
                tracing::warn!(error = %err, "could not forget the states of unwatched mailboxes")
            }
        }
    }

    async fn start(&self, mailbox: &ImapMailbox) -> Option<AbortOnDrop> {
        let key = self.state.settings.secret_key.as_ref();
        match connect::Credentials::of(mailbox, key) {
            Err(why) => {
                let state = WatchState::NotStarted(why);
                if let Some(changed) = self.status.set(mailbox.id, &mailbox.name, state) {
                    status::store(&self.state, mailbox.id, &changed).await;
                }
                None
            }
            Ok(credentials) => {
                let watch = watch::Watch {
                    state: self.state.clone(),
                    sink: self.sink.clone(),
                    options: self.options.clone(),
                    tls: self.tls.clone(),
                    status: self.status.clone(),
                    mailbox: mailbox.clone(),
                    credentials,
                };
                Some(AbortOnDrop(tokio::spawn(watch.run())))
            }
        }
    }
}
