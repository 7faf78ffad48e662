//! Mailboxes as administration lists and edits them (what the IMAP watcher reads is in
//! mailboxes.rs). The sealed secret is written here and never read back: only whether there is one.

use crate::backend::repo::statement::{statement, Statement};
use crate::backend::repo::Conn;
use crate::model::admin::{MailboxConnection, MailboxDraft, MailboxEdit, MailboxRow, ValidMailbox};
use crate::model::Priority;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    address: String,
    imap_host: Option<String>,
    org: Option<String>,
    active: bool,
    watch_state: Option<String>,
    watch_detail: Option<String>,
    watch_attempts: Option<i64>,
    watch_since: Option<i64>,
}

/// Every mailbox, with what its watcher is doing at `now`.
pub async fn rows(conn: &mut Conn, now: i64) -> sqlx::Result<Vec<MailboxRow>> {
    let rows: Vec<Row> = statement(
        "SELECT m.id, m.name, m.address, m.imap_host, o.name AS org, m.active,
                w.state AS watch_state, w.detail AS watch_detail,
                w.attempts AS watch_attempts, w.since AS watch_since
         FROM mailboxes m LEFT JOIN organizations o ON o.id = m.org_id
         LEFT JOIN mailbox_watch w ON w.mailbox_id = m.id
         ORDER BY m.name",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| MailboxRow {
            id: r.id,
            name: r.name,
            address: r.address,
            imap_host: r.imap_host,
            org: r.org,
            active: r.active,
            connection: r.watch_state.map(|state| MailboxConnection {
                state,
                detail: r.watch_detail,
                attempts: r.watch_attempts.unwrap_or(0),
                for_secs: now - r.watch_since.unwrap_or(now),
            }),
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct Stored {
    id: i64,
    active: bool,
    has_secret: bool,
    name: String,
    address: String,
    imap_host: Option<String>,
    imap_port: i64,
    imap_tls: String,
    imap_user: Option<String>,
    imap_auth: String,
    imap_folder: String,
    poll_secs: i64,
    org_id: Option<i64>,
    team_id: Option<i64>,
    priority: Option<String>,
}

/// A mailbox for its form, without its secret.
pub async fn load(conn: &mut Conn, id: i64) -> sqlx::Result<Option<MailboxEdit>> {
    let stored: Option<Stored> = statement(
        "SELECT id, active, imap_secret IS NOT NULL AS has_secret, name, address, imap_host,
                imap_port, imap_tls, imap_user, imap_auth, imap_folder, poll_secs, org_id,
                team_id, priority
         FROM mailboxes WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(stored.map(|m| MailboxEdit {
        id: m.id,
        active: m.active,
        has_secret: m.has_secret,
        draft: MailboxDraft {
            name: m.name,
            address: m.address,
            imap_host: m.imap_host.unwrap_or_default(),
            imap_port: m.imap_port,
            imap_tls: m.imap_tls,
            imap_user: m.imap_user.unwrap_or_default(),
            imap_auth: m.imap_auth,
            secret: String::new(),
            imap_folder: m.imap_folder,
            poll_secs: m.poll_secs,
            org_id: m.org_id,
            team_id: m.team_id,
            priority: m.priority.and_then(|p| p.parse::<Priority>().ok()),
        },
    }))
}

/// The mailbox's settings, as the form sends them (the secret apart).
pub struct Settings<'a> {
    pub v: &'a ValidMailbox,
    pub org_id: Option<i64>,
    pub team_id: Option<i64>,
    pub priority: Option<Priority>,
}

/// Binds the settings to `$1` … `$12`, in the column order of `insert` and `update`.
fn with_settings<'s>(statement: Statement<'s>, s: &Settings<'_>) -> Statement<'s> {
    statement
        .bind(s.v.name.as_str())
        .bind(s.v.address.as_str())
        .bind(s.v.imap_host.as_deref())
        .bind(s.v.imap_port)
        .bind(s.v.imap_tls.as_str())
        .bind(s.v.imap_user.as_deref())
        .bind(s.v.imap_auth.as_str())
        .bind(s.v.imap_folder.as_str())
        .bind(s.v.poll_secs)
        .bind(s.org_id)
        .bind(s.team_id)
        .bind(s.priority.map(|p| p.as_str()))
}

pub async fn insert(conn: &mut Conn, s: &Settings<'_>, at: i64) -> sqlx::Result<i64> {
    let sql = "INSERT INTO mailboxes (name, address, imap_host, imap_port, imap_tls, imap_user,
                                imap_auth, imap_folder, poll_secs, org_id, team_id, priority,
                                created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id";
    with_settings(statement(sql), s).bind(at).scalar(conn).await
}

pub async fn update(conn: &mut Conn, id: i64, s: &Settings<'_>) -> sqlx::Result<()> {
    let sql = "UPDATE mailboxes SET name = $1, address = $2, imap_host = $3, imap_port = $4,
                imap_tls = $5, imap_user = $6, imap_auth = $7, imap_folder = $8, poll_secs = $9,
                org_id = $10, team_id = $11, priority = $12
         WHERE id = $13";
    with_settings(statement(sql), s).bind(id).run(conn).await
}

/// Stores a sealed secret (see `secrets::seal`).
pub async fn set_secret(conn: &mut Conn, id: i64, sealed: &str) -> sqlx::Result<()> {
    statement("UPDATE mailboxes SET imap_secret = $2 WHERE id = $1")
        .bind(id)
        .bind(sealed)
        .run(conn)
        .await
}

pub async fn set_active(conn: &mut Conn, id: i64, active: bool) -> sqlx::Result<()> {
    statement("UPDATE mailboxes SET active = $2 WHERE id = $1")
        .bind(id)
        .bind(active)
        .run(conn)
        .await
}

/// Whether another mailbox has this name or address.
pub async fn taken(
    conn: &mut Conn,
    name: &str,
    address: &str,
    except: Option<i64>,
) -> sqlx::Result<Option<String>> {
    statement("SELECT name FROM mailboxes WHERE (name = $1 OR address = $2) AND id <> $3 LIMIT 1")
        .bind(name)
        .bind(address)
        .bind(except.unwrap_or(0))
        .scalar_optional(conn)
        .await
}
