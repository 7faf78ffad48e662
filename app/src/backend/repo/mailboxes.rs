//! The mailboxes the desk reads: what the IMAP watcher needs of them, and how far it has read.

use crate::backend::repo::statement::statement;
use crate::backend::repo::Conn;

/// An active mailbox read over IMAP, as its watcher connects to it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ImapMailbox {
    pub id: i64,
    pub name: String,
    pub host: String,
    pub port: i64,
    /// `tls`, `starttls` or `none`.
    pub tls: String,
    pub user: Option<String>,
    /// `password` or `xoauth2`.
    pub auth: String,
    /// The password or bearer token, sealed (see `secrets`).
    pub secret: Option<String>,
    pub folder: String,
    pub poll_secs: i64,
}

/// Every active mailbox with an IMAP server, by id.
pub async fn watched(db: &mut Conn) -> sqlx::Result<Vec<ImapMailbox>> {
    statement(
        "SELECT id, name, imap_host AS host, imap_port AS port, imap_tls AS tls,
                imap_user AS user, imap_auth AS auth, imap_secret AS secret,
                imap_folder AS folder, poll_secs
         FROM mailboxes WHERE active AND imap_host IS NOT NULL ORDER BY id",
    )
    .fetch_all(db)
    .await
}

/// The folder's UIDVALIDITY last seen (None before the first connection) and the highest UID
/// taken from it; None when the mailbox is gone.
pub async fn position(db: &mut Conn, id: i64) -> sqlx::Result<Option<(Option<i64>, i64)>> {
    statement("SELECT imap_uidvalidity, imap_last_uid FROM mailboxes WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// A folder with another UIDVALIDITY (new, or rebuilt on the server): read again from UID 1.
pub async fn restart_at(db: &mut Conn, id: i64, uidvalidity: i64) -> sqlx::Result<()> {
    statement("UPDATE mailboxes SET imap_uidvalidity = $2, imap_last_uid = 0 WHERE id = $1")
        .bind(id)
        .bind(uidvalidity)
        .run(db)
        .await
}

/// Records that every message up to `uid` was taken. Only forward and only within the same
/// UIDVALIDITY: a watcher of an instance that just lost the lead never moves it back.
pub async fn advance(db: &mut Conn, id: i64, uidvalidity: i64, uid: i64) -> sqlx::Result<()> {
    statement(
        "UPDATE mailboxes SET imap_last_uid = $3
         WHERE id = $1 AND imap_uidvalidity = $2 AND imap_last_uid < $3",
    )
    .bind(id)
    .bind(uidvalidity)
    .bind(uid)
    .run(db)
    .await
}

/// What a mailbox's watcher is doing now (`state` as the `mailbox_watch` table names it).
pub struct WatchRow<'a> {
    pub mailbox_id: i64,
    pub state: &'a str,
    pub detail: Option<&'a str>,
    pub attempts: i64,
    pub since: i64,
}

pub async fn set_watch(db: &mut Conn, row: &WatchRow<'_>, now: i64) -> sqlx::Result<()> {
    statement(
        "INSERT INTO mailbox_watch (mailbox_id, state, detail, attempts, since, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (mailbox_id) DO UPDATE SET state = excluded.state,
             detail = excluded.detail, attempts = excluded.attempts, since = excluded.since,
             updated_at = excluded.updated_at",
    )
    .bind(row.mailbox_id)
    .bind(row.state)
    .bind(row.detail)
    .bind(row.attempts)
    .bind(row.since)
    .bind(now)
    .run(db)
    .await
}

/// Forgets the watchers of mailboxes no longer watched (deactivated, or without IMAP now).
pub async fn forget_unwatched(db: &mut Conn) -> sqlx::Result<()> {
    statement(
        "DELETE FROM mailbox_watch WHERE mailbox_id NOT IN
             (SELECT id FROM mailboxes WHERE active AND imap_host IS NOT NULL)",
    )
    .run(db)
    .await
}
