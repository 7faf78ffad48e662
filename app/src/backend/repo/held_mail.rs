//! Received mail held for a person (the Unprocessed list), the decisions on it, and the
//! organizations' mail domains.

use crate::backend::repo::mail::NewInbound;
use crate::backend::repo::statement::statement;
use crate::backend::repo::Conn;
use crate::model::admin::{HeldMail, HoldKind};

#[derive(sqlx::FromRow)]
struct HeldRow {
    id: i64,
    received_at: i64,
    from_address: Option<String>,
    from_name: Option<String>,
    subject: Option<String>,
    hold_kind: Option<String>,
    reason: Option<String>,
    size_bytes: i64,
}

impl From<HeldRow> for HeldMail {
    fn from(r: HeldRow) -> Self {
        HeldMail {
            id: r.id,
            received_at: r.received_at,
            from_address: r.from_address,
            from_name: r.from_name,
            subject: r.subject,
            kind: r.hold_kind.as_deref().and_then(HoldKind::parse),
            reason: r.reason,
            size_bytes: r.size_bytes,
        }
    }
}

/// Held messages (of one kind, or all), newest first.
pub async fn held(
    conn: &mut Conn,
    kind: Option<HoldKind>,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<HeldMail>> {
    let rows: Vec<HeldRow> = statement(
        "SELECT id, received_at, from_address, from_name, subject, hold_kind, reason, size_bytes
         FROM inbound_mail
         WHERE status = 'held' AND ($1 IS NULL OR hold_kind = $1)
         ORDER BY received_at DESC, id DESC LIMIT $2 OFFSET $3",
    )
    .bind(kind.map(HoldKind::as_str))
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(HeldMail::from).collect())
}

/// How many messages are held, per kind.
pub async fn held_counts(conn: &mut Conn) -> sqlx::Result<Vec<(HoldKind, i64)>> {
    let rows: Vec<(Option<String>, i64)> = statement(
        "SELECT hold_kind, COUNT(*) FROM inbound_mail WHERE status = 'held' GROUP BY hold_kind",
    )
    .fetch_all(conn)
    .await?;
    let mut counts: Vec<(HoldKind, i64)> = HoldKind::ALL
        .into_iter()
        .filter_map(|kind| {
            let n: i64 = rows
                .iter()
                .filter(|(k, _)| k.as_deref() == Some(kind.as_str()))
                .map(|(_, n)| *n)
                .sum();
            (n > 0).then_some((kind, n))
        })
        .collect();
    counts.shrink_to_fit();
    Ok(counts)
}

/// A received message as a decision on it needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Stored {
    pub id: i64,
    pub mailbox_id: Option<i64>,
    pub message_id: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub imap_uidvalidity: Option<i64>,
    pub imap_uid: Option<i64>,
    pub status: String,
    pub ticket_id: Option<i64>,
    pub from_address: Option<String>,
    pub subject: Option<String>,
    pub hold_kind: Option<String>,
    pub reason: Option<String>,
}

pub async fn find(conn: &mut Conn, id: i64) -> sqlx::Result<Option<Stored>> {
    statement(
        "SELECT id, mailbox_id, message_id, sha256, size_bytes, imap_uidvalidity, imap_uid, status,
                ticket_id, from_address, subject, hold_kind, reason
         FROM inbound_mail WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Turns held message `id` into a placed one, with what was read from it now and who decided;
/// false if it is no longer held (someone else decided first).
pub async fn place(
    conn: &mut Conn,
    id: i64,
    row: &NewInbound<'_>,
    decided_by: i64,
) -> sqlx::Result<bool> {
    let changed = statement(
        "UPDATE inbound_mail
         SET status = 'placed', hold_kind = NULL, reason = NULL, from_address = $2,
             from_name = $3, subject = $4, automatic = $5, decided_by = $6, decided_at = $7
         WHERE id = $1 AND status = 'held'",
    )
    .bind(id)
    .bind(row.from_address)
    .bind(row.from_name)
    .bind(row.subject)
    .bind(row.automatic)
    .bind(decided_by)
    .bind(row.received_at)
    .execute(conn)
    .await?;
    Ok(changed == 1)
}

/// Keeps message `id` held, for a new reason; false if it is no longer held.
pub async fn hold_again(conn: &mut Conn, id: i64, kind: &str, reason: &str) -> sqlx::Result<bool> {
    let changed = statement(
        "UPDATE inbound_mail SET hold_kind = $2, reason = $3 WHERE id = $1 AND status = 'held'",
    )
    .bind(id)
    .bind(kind)
    .bind(reason)
    .execute(conn)
    .await?;
    Ok(changed == 1)
}

/// Throws held message `id` away (it stays stored); false if it is no longer held.
pub async fn discard(conn: &mut Conn, id: i64, by: i64, at: i64) -> sqlx::Result<bool> {
    let changed = statement(
        "UPDATE inbound_mail SET status = 'discarded', decided_by = $2, decided_at = $3
         WHERE id = $1 AND status = 'held'",
    )
    .bind(id)
    .bind(by)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(changed == 1)
}

/// The held messages matching the filter.
pub async fn held_total(conn: &mut Conn, kind: Option<HoldKind>) -> sqlx::Result<i64> {
    statement(
        "SELECT COUNT(*) FROM inbound_mail WHERE status = 'held' AND ($1 IS NULL OR hold_kind = $1)",
    )
    .bind(kind.map(HoldKind::as_str))
    .scalar(conn)
    .await
}

// ---------------------------------------------------------------------------------------------
// Organizations' mail domains

pub async fn domains_of(conn: &mut Conn, org_id: i64) -> sqlx::Result<Vec<String>> {
    statement("SELECT domain FROM org_mail_domains WHERE org_id = $1 ORDER BY domain")
        .bind(org_id)
        .scalars(conn)
        .await
}

/// The organization a domain belongs to.
pub async fn owner_of(conn: &mut Conn, domain: &str) -> sqlx::Result<Option<i64>> {
    statement("SELECT org_id FROM org_mail_domains WHERE domain = $1")
        .bind(domain)
        .scalar_optional(conn)
        .await
}

pub async fn add_domain(conn: &mut Conn, domain: &str, org_id: i64, at: i64) -> sqlx::Result<()> {
    statement("INSERT INTO org_mail_domains (domain, org_id, created_at) VALUES ($1, $2, $3)")
        .bind(domain)
        .bind(org_id)
        .bind(at)
        .run(conn)
        .await
}

/// False if the organization had no such domain.
pub async fn remove_domain(conn: &mut Conn, domain: &str, org_id: i64) -> sqlx::Result<bool> {
    let changed = statement("DELETE FROM org_mail_domains WHERE domain = $1 AND org_id = $2")
        .bind(domain)
        .bind(org_id)
        .execute(conn)
        .await?;
    Ok(changed == 1)
}
