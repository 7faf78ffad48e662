//! Received mail: what was received (`inbound_mail`), the mailboxes it came through, and the
//! lookups threading needs (which ticket a Message-ID belongs to, which client owns a domain).

use crate::backend::repo::statement::statement;
use crate::backend::repo::{db_run, push_ids, Conn};

/// A received message as first recorded, before or instead of becoming a ticket step.
pub struct NewInbound<'a> {
    pub mailbox_id: Option<i64>,
    pub message_id: &'a str,
    pub sha256: &'a str,
    pub size_bytes: i64,
    pub imap: Option<(i64, i64)>,
    pub received_at: i64,
    pub from_address: Option<&'a str>,
    pub from_name: Option<&'a str>,
    pub subject: Option<&'a str>,
    /// "placed" or "held".
    pub status: &'a str,
    pub hold_kind: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub automatic: bool,
}

pub async fn insert(conn: &mut Conn, m: &NewInbound<'_>) -> sqlx::Result<i64> {
    statement(
        "INSERT INTO inbound_mail (mailbox_id, message_id, sha256, size_bytes, imap_uidvalidity,
                                   imap_uid, received_at, from_address, from_name, subject, status,
                                   hold_kind, reason, automatic)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(m.mailbox_id)
    .bind(m.message_id)
    .bind(m.sha256)
    .bind(m.size_bytes)
    .bind(m.imap.map(|(validity, _)| validity))
    .bind(m.imap.map(|(_, uid)| uid))
    .bind(m.received_at)
    .bind(m.from_address)
    .bind(m.from_name)
    .bind(m.subject)
    .bind(m.status)
    .bind(m.hold_kind)
    .bind(m.reason)
    .bind(m.automatic)
    .scalar(conn)
    .await
}

/// The message already received under this Message-ID, or through this mailbox at this IMAP
/// position: receiving it again changes nothing.
pub async fn already_received(
    conn: &mut Conn,
    message_id: &str,
    mailbox_id: Option<i64>,
    imap: Option<(i64, i64)>,
) -> sqlx::Result<Option<i64>> {
    statement(
        "SELECT id FROM inbound_mail
         WHERE message_id = $1 OR (mailbox_id = $2 AND imap_uidvalidity = $3 AND imap_uid = $4)
         ORDER BY id LIMIT 1",
    )
    .bind(message_id)
    .bind(mailbox_id)
    .bind(imap.map(|(validity, _)| validity))
    .bind(imap.map(|(_, uid)| uid))
    .scalar_optional(conn)
    .await
}

/// Records what a placed message became.
pub async fn set_ticket(conn: &mut Conn, id: i64, ticket_id: i64) -> sqlx::Result<()> {
    statement("UPDATE inbound_mail SET ticket_id = $1 WHERE id = $2")
        .bind(ticket_id)
        .bind(id)
        .run(conn)
        .await
}

/// The tickets (by number) that received messages with these Message-IDs belong to.
pub async fn tickets_of_received(conn: &mut Conn, ids: &[String]) -> sqlx::Result<Vec<i64>> {
    db_run!(conn, conn => {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT DISTINCT t.number FROM inbound_mail m JOIN tickets t ON t.id = m.ticket_id
             WHERE m.message_id IN (",
        );
        let mut list = qb.separated(", ");
        for id in ids {
            list.push_bind(id.clone());
        }
        qb.push(")");
        qb.build_query_scalar::<i64>().fetch_all(conn).await
    })
}

/// The tickets (by number) of the notifications with these ids.
pub async fn tickets_of_notifications(conn: &mut Conn, ids: &[i64]) -> sqlx::Result<Vec<i64>> {
    db_run!(conn, conn => {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT DISTINCT t.number FROM notifications n JOIN tickets t ON t.id = n.ticket_id
             WHERE n.id IN ",
        );
        push_ids(&mut qb, ids);
        qb.build_query_scalar::<i64>().fetch_all(conn).await
    })
}

/// How many messages arrived from `address` since `since`.
pub async fn received_from_since(conn: &mut Conn, address: &str, since: i64) -> sqlx::Result<i64> {
    statement("SELECT COUNT(*) FROM inbound_mail WHERE from_address = $1 AND received_at >= $2")
        .bind(address)
        .bind(since)
        .scalar(conn)
        .await
}

/// Whether a message from `address` was already held for its rate since `since` (so the
/// administrators are told once per burst).
pub async fn rate_held_since(conn: &mut Conn, address: &str, since: i64) -> sqlx::Result<bool> {
    let held: i64 = statement(
        "SELECT COUNT(*) FROM inbound_mail
         WHERE from_address = $1 AND received_at >= $2 AND hold_kind = 'rate_limited'",
    )
    .bind(address)
    .bind(since)
    .scalar(conn)
    .await?;
    Ok(held > 0)
}

/// A mailbox as the ingest path needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MailboxRoute {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub org_id: Option<i64>,
    pub team_id: Option<i64>,
    pub priority: Option<String>,
}

const ROUTE: &str = "SELECT id, name, address, org_id, team_id, priority FROM mailboxes";

pub async fn route_by_name(conn: &mut Conn, name: &str) -> sqlx::Result<Option<MailboxRoute>> {
    statement(&format!("{ROUTE} WHERE name = $1 AND active"))
        .bind(name)
        .fetch_optional(conn)
        .await
}

pub async fn route(conn: &mut Conn, id: i64) -> sqlx::Result<Option<MailboxRoute>> {
    statement(&format!("{ROUTE} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Every address the desk receives mail at (lower case): mail from them is our own.
pub async fn own_addresses(conn: &mut Conn) -> sqlx::Result<Vec<String>> {
    statement("SELECT address FROM mailboxes")
        .scalars(conn)
        .await
}

/// The organization that owns a mail domain, and whether it is active.
pub async fn org_of_domain(conn: &mut Conn, domain: &str) -> sqlx::Result<Option<(i64, bool)>> {
    statement(
        "SELECT o.id, o.active FROM org_mail_domains d JOIN organizations o ON o.id = d.org_id
         WHERE d.domain = $1",
    )
    .bind(domain)
    .fetch_optional(conn)
    .await
}

/// Marks the ticket as belonging to a mailbox: its mail goes out with that Reply-To.
pub async fn set_ticket_mailbox(
    conn: &mut Conn,
    ticket_id: i64,
    mailbox_id: i64,
) -> sqlx::Result<()> {
    statement("UPDATE tickets SET mailbox_id = $1 WHERE id = $2 AND mailbox_id IS NULL")
        .bind(mailbox_id)
        .bind(ticket_id)
        .run(conn)
        .await
}

/// A sender known to the desk.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Sender {
    pub id: i64,
    pub active: bool,
    pub org_active: bool,
}

pub async fn sender(conn: &mut Conn, email: &str) -> sqlx::Result<Option<Sender>> {
    statement(
        "SELECT u.id, u.active, COALESCE(o.active, TRUE) AS org_active
         FROM users u LEFT JOIN organizations o ON o.id = u.org_id WHERE u.email = $1",
    )
    .bind(email)
    .fetch_optional(conn)
    .await
}

/// Gives a mail domain to an organization.
pub async fn add_domain(conn: &mut Conn, domain: &str, org_id: i64, now: i64) -> sqlx::Result<()> {
    statement("INSERT INTO org_mail_domains (domain, org_id, created_at) VALUES ($1, $2, $3)")
        .bind(domain)
        .bind(org_id)
        .bind(now)
        .run(conn)
        .await
}

/// A mailbox read only through `ingest-mail` (no IMAP).
pub async fn add_piped_mailbox(
    conn: &mut Conn,
    name: &str,
    address: &str,
    now: i64,
) -> sqlx::Result<i64> {
    statement("INSERT INTO mailboxes (name, address, created_at) VALUES ($1, $2, $3) RETURNING id")
        .bind(name)
        .bind(address)
        .bind(now)
        .scalar(conn)
        .await
}

/// The newest received message's id (0 when none).
pub async fn latest_id(conn: &mut Conn) -> sqlx::Result<i64> {
    statement("SELECT COALESCE(MAX(id), 0) FROM inbound_mail")
        .scalar(conn)
        .await
}

/// (message id, ticket id) of messages placed after `after` that did not come from IMAP (the
/// watchers run in the server, which announced them already), oldest first.
pub async fn placed_after(
    conn: &mut Conn,
    after: i64,
    limit: i64,
) -> sqlx::Result<Vec<(i64, i64)>> {
    statement(
        "SELECT id, ticket_id FROM inbound_mail
         WHERE id > $1 AND ticket_id IS NOT NULL AND imap_uid IS NULL ORDER BY id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(conn)
    .await
}
