//! One mailbox's watcher: sign in, select the folder, take every message past the last UID taken
//! (in UID order, each handed to the sink, then marked `\Seen` and recorded), then wait for more
//! with IDLE or by polling. Any failure ends the session; the next one starts after a wait that
//! doubles with each failure in a row (1 s up to 5 min by default).

use super::connect::{self, Credentials, ImapSession};
use super::{ImapKey, Sink, WatchOptions, WatchState, WatchStatus};
use crate::backend::db::begin_write;
use crate::backend::repo::mailboxes::{self, ImapMailbox};
use crate::backend::AppState;
use async_imap::extensions::idle::IdleResponse;
use async_imap::types::UnsolicitedResponse;
use futures::TryStreamExt;
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::fmt::Display;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Connecting, TLS and signing in together.
const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(30);
/// One command's answer (a batch of whole messages included).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);
/// Messages fetched per command: bounds what is held in memory at once.
const BATCH: usize = 10;

pub(super) struct Watch<S> {
    pub state: AppState,
    pub sink: Arc<S>,
    pub options: WatchOptions,
    pub tls: Arc<tokio_rustls::rustls::ClientConfig>,
    pub status: WatchStatus,
    pub mailbox: ImapMailbox,
    pub credentials: Credentials,
}

impl<S: Sink> Watch<S> {
    pub async fn run(self) {
        let mut failures = 0u32;
        loop {
            if failures == 0 {
                self.report(WatchState::Connecting).await;
            }
            let Err(reason) = self.session(&mut failures).await;
            failures = failures.saturating_add(1);
            self.report(WatchState::Failing {
                reason,
                attempts: failures,
            })
            .await;
            tokio::time::sleep(self.backoff(failures)).await;
        }
    }

    async fn report(&self, state: WatchState) {
        let id = self.mailbox.id;
        if let Some(changed) = self.status.set(id, &self.mailbox.name, state) {
            super::status::store(&self.state, id, &changed).await;
        }
    }

    /// The wait after the `failures`-th failure in a row.
    fn backoff(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(20);
        (self.options.first_retry * 2u32.pow(doublings)).min(self.options.max_retry)
    }

    /// One session, for as long as it lasts; `failures` is reset once it is up to date.
    async fn session(&self, failures: &mut u32) -> Result<Infallible, String> {
        let signing_in = connect::sign_in(&self.mailbox, &self.credentials, &self.tls);
        let mut session = within(SIGN_IN_TIMEOUT, "signing in", signing_in).await?;
        let capabilities = within(COMMAND_TIMEOUT, "CAPABILITY", session.capabilities()).await?;
        let idle = capabilities.has_str("IDLE");
        loop {
            // selected again after each IDLE period and poll: a folder rebuilt meanwhile on the
            // server shows another UIDVALIDITY
            let uidvalidity = self.select(&mut session).await?;
            let mut last_uid = self.position(uidvalidity).await?;
            loop {
                self.catch_up(&mut session, uidvalidity, &mut last_uid)
                    .await?;
                *failures = 0;
                self.report(WatchState::Watching { idle }).await;
                let select_again;
                (session, select_again) = if idle {
                    self.idle(session).await?
                } else {
                    let every = u64::try_from(self.mailbox.poll_secs).unwrap_or(60).max(1);
                    tokio::time::sleep(Duration::from_secs(every)).await;
                    (session, true)
                };
                if select_again {
                    break;
                }
            }
        }
    }

    /// Selects the mailbox's folder; its UIDVALIDITY.
    async fn select(&self, session: &mut ImapSession) -> Result<i64, String> {
        let folder = &self.mailbox.folder;
        let what = format!("selecting the folder \"{folder}\"");
        let selected = within(COMMAND_TIMEOUT, &what, session.select(folder)).await?;
        selected
            .uid_validity
            .map(i64::from)
            .ok_or_else(|| format!("the server gave the folder \"{folder}\" no UIDVALIDITY"))
    }

    /// The last UID taken from the folder at `uidvalidity`: 0 when the folder is new to us or
    /// was rebuilt on the server (its UIDs mean other messages now; read it all again, the
    /// ingest drops what it already has by Message-ID).
    async fn position(&self, uidvalidity: i64) -> Result<i64, String> {
        let db_failed = |e: sqlx::Error| format!("reading the mailbox's position: {e}");
        let mut conn = self.state.pool.acquire().await.map_err(db_failed)?;
        let position = mailboxes::position(&mut conn, self.mailbox.id)
            .await
            .map_err(db_failed)?;
        drop(conn);
        match position {
            None => Err("the mailbox was removed".into()),
            Some((Some(known), last_uid)) if known == uidvalidity => Ok(last_uid),
            Some((known, _)) => {
                if let Some(known) = known {
                    tracing::warn!(
                        mailbox = %self.mailbox.name,
                        from = known,
                        to = uidvalidity,
                        "the folder's UIDVALIDITY changed: reading it again from the start"
                    );
                }
                let mut tx = begin_write(&self.state.pool).await.map_err(db_failed)?;
                mailboxes::restart_at(&mut tx, self.mailbox.id, uidvalidity)
                    .await
                    .map_err(db_failed)?;
                tx.commit().await.map_err(db_failed)?;
                Ok(0)
            }
        }
    }

    /// Takes every message past `last_uid`, in UID order, until none is left.
    async fn catch_up(
        &self,
        session: &mut ImapSession,
        uidvalidity: i64,
        last_uid: &mut i64,
    ) -> Result<(), String> {
        loop {
            // "n:*" also matches the highest UID when it is below n: filter
            let query = format!("UID {}:*", *last_uid + 1);
            let found = within(COMMAND_TIMEOUT, "UID SEARCH", session.uid_search(&query)).await?;
            let mut uids: Vec<u32> = found
                .into_iter()
                .filter(|uid| i64::from(*uid) > *last_uid)
                .collect();
            if uids.is_empty() {
                return Ok(());
            }
            uids.sort_unstable();
            for batch in uids.chunks(BATCH) {
                let mut bodies = fetch(session, batch).await?;
                for &uid in batch {
                    let Some(raw) = bodies.remove(&uid) else {
                        // expunged between SEARCH and FETCH: nothing left to take
                        tracing::warn!(mailbox = %self.mailbox.name, uid, "message vanished before it was fetched");
                        continue;
                    };
                    self.take(session, uidvalidity, uid, raw).await?;
                    *last_uid = i64::from(uid);
                }
            }
        }
    }

    /// Hands one message to the sink; once it is stored for good, marks it `\Seen` and records
    /// its UID as taken.
    async fn take(
        &self,
        session: &mut ImapSession,
        uidvalidity: i64,
        uid: u32,
        raw: Vec<u8>,
    ) -> Result<(), String> {
        let key = ImapKey {
            uidvalidity,
            uid: i64::from(uid),
        };
        self.sink
            .deliver(self.mailbox.id, key, raw)
            .await
            .map_err(|e| format!("message UID {uid} could not be stored: {e}"))?;
        let seen = async {
            let updates = session
                .uid_store(uid.to_string(), "+FLAGS.SILENT (\\Seen)")
                .await?;
            updates.try_collect::<Vec<_>>().await
        };
        within(COMMAND_TIMEOUT, "marking a message \\Seen", seen).await?;
        let db_failed = |e: sqlx::Error| format!("recording UID {uid} as taken: {e}");
        let mut tx = begin_write(&self.state.pool).await.map_err(db_failed)?;
        mailboxes::advance(&mut tx, self.mailbox.id, uidvalidity, i64::from(uid))
            .await
            .map_err(db_failed)?;
        tx.commit().await.map_err(db_failed)
    }

    /// Waits in IDLE until the server announces a change (or for `idle_renew`), then ends IDLE;
    /// true when it ended because the time was up.
    async fn idle(&self, session: ImapSession) -> Result<(ImapSession, bool), String> {
        // Whether the server announced new messages since this was last asked (what it
        // announced is read and dropped).
        let unsolicited = session.unsolicited_responses.clone();
        let news = || {
            let mut news = false;
            while let Ok(response) = unsolicited.try_recv() {
                news |= matches!(
                    response,
                    UnsolicitedResponse::Exists(_) | UnsolicitedResponse::Recent(_)
                );
            }
            news
        };
        // mail announced while the last messages were taken: no need to wait
        if news() {
            return Ok((session, false));
        }
        let mut idle = session.idle();
        within(COMMAND_TIMEOUT, "starting IDLE", idle.init()).await?;
        // mail that arrived just before IDLE started is announced before its continuation
        let mut timed_out = false;
        if !news() {
            let (wait, _interrupt) = idle.wait_with_timeout(self.options.idle_renew);
            let woke = wait.await.map_err(|e| format!("waiting in IDLE: {e}"))?;
            timed_out = woke == IdleResponse::Timeout;
        }
        let session = within(COMMAND_TIMEOUT, "ending IDLE", idle.done()).await?;
        Ok((session, timed_out))
    }
}

/// The whole messages of `uids`, by UID, without setting `\Seen` (BODY.PEEK).
async fn fetch(session: &mut ImapSession, uids: &[u32]) -> Result<BTreeMap<u32, Vec<u8>>, String> {
    let set = uids
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let fetching = async {
        let fetches = session.uid_fetch(&set, "(UID BODY.PEEK[])").await?;
        fetches.try_collect::<Vec<_>>().await
    };
    let fetched = within(COMMAND_TIMEOUT, "UID FETCH", fetching).await?;
    Ok(fetched
        .iter()
        .filter_map(|f| Some((f.uid?, f.body()?.to_vec())))
        .collect())
}

/// `future`'s result, or a failure naming `what` when it fails or takes longer than `limit`.
async fn within<T, E: Display>(
    limit: Duration,
    what: &str,
    future: impl Future<Output = Result<T, E>>,
) -> Result<T, String> {
    match tokio::time::timeout(limit, future).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(format!("{what}: {e}")),
        Err(_) => Err(format!("{what}: no answer within {} s", limit.as_secs())),
    }
}
