//! The outbox of notifications: written in the transaction of the change that causes them.

use crate::backend::policy::TicketKey;
use crate::backend::repo::statement::statement;
use crate::backend::repo::{db_run, Columns, Conn};
use crate::model::Me;

pub struct NewNotification<'a> {
    pub ticket_id: Option<i64>,
    pub recipient_id: i64,
    /// "email" or "webhook".
    pub channel: &'a str,
    pub kind: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// The HTML part of a mail, as its template wrote it.
    pub html: Option<&'a str>,
    /// The JSON body of a webhook.
    pub payload: Option<&'a str>,
    pub essential: bool,
    /// Recorded, not sent: the recipient muted non-essential mail.
    pub muted: bool,
    pub created_at: i64,
}

pub async fn insert(conn: &mut Conn, n: &NewNotification<'_>) -> sqlx::Result<i64> {
    statement("INSERT INTO notifications (ticket_id, recipient_id, channel, kind, subject, body, payload, essential,
                                    status, created_at, next_attempt_at, html)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11) RETURNING id").bind(n.ticket_id).bind(n.recipient_id).bind(n.channel).bind(n.kind).bind(n.subject).bind(n.body).bind(n.payload).bind(n.essential).bind(if n.muted { "muted" } else { "pending" }).bind(n.created_at).bind(n.html).scalar(conn).await
}

/// A person a message goes to.
pub struct Recipient {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub mute_non_essential: bool,
}

/// The active people among `ids`.
pub async fn recipients(conn: &mut Conn, ids: &[i64]) -> sqlx::Result<Vec<Recipient>> {
    db_run!(conn, conn => {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT id, name, email, mute_non_essential FROM users WHERE active AND id IN ",
        );
        super::push_ids(&mut qb, ids);
        qb.push(" ORDER BY id");
        qb.build()
            .fetch_all(conn)
            .await?
            .iter()
            .map(|r| {
                            Ok(Recipient {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    email: r.try_get("email")?,
                    mute_non_essential: r.try_get("mute_non_essential")?,
                })
            })
            .collect()
    })
}

/// The client admins of an organization (who approve budget and approval requests).
pub async fn client_admins(conn: &mut Conn, org_id: i64) -> sqlx::Result<Vec<i64>> {
    statement("SELECT id FROM users WHERE active AND role = 'client_admin' AND org_id = $1")
        .bind(org_id)
        .scalars(conn)
        .await
}

/// A message waiting for delivery, with its recipient.
pub struct Outgoing {
    pub id: i64,
    pub ticket_id: Option<i64>,
    pub channel: String,
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub html: Option<String>,
    pub payload: Option<String>,
    pub attempts: i64,
    pub created_at: i64,
    pub recipient_id: i64,
    pub to_name: String,
    pub to_email: String,
    /// The address of the mailbox the ticket came through: replies go back to it.
    pub reply_to: Option<String>,
    /// The recipient's address is one of the desk's own mailboxes: sending would loop.
    pub to_own_mailbox: bool,
}

/// Messages due for an attempt: pending ones whose time has come, and ones whose sender's lease
/// ran out (it died mid-send).
pub async fn due(conn: &mut Conn, now: i64, limit: i64) -> sqlx::Result<Vec<i64>> {
    statement("SELECT id FROM notifications
         WHERE (status = 'pending' AND next_attempt_at <= $1) OR (status = 'sending' AND lease_until < $1)
         ORDER BY next_attempt_at, id LIMIT $2").bind(now).bind(limit).scalars(conn).await
}

/// Takes a message for sending until `lease_until`; false if another worker has it.
pub async fn claim(conn: &mut Conn, id: i64, now: i64, lease_until: i64) -> sqlx::Result<bool> {
    db_run!(conn, conn => {
        let done = sqlx::query(
            "UPDATE notifications SET status = 'sending', lease_until = $1, attempts = attempts + 1
             WHERE id = $2 AND ((status = 'pending' AND next_attempt_at <= $3) OR (status = 'sending' AND lease_until < $3))",
        )
        .bind(lease_until)
        .bind(id)
        .bind(now)
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

pub async fn outgoing(conn: &mut Conn, id: i64) -> sqlx::Result<Option<Outgoing>> {
    db_run!(conn, conn => {
        sqlx::query(
            "SELECT n.id, n.ticket_id, n.channel, n.kind, n.subject, n.body, n.html, n.payload, n.attempts, n.created_at,
                n.recipient_id, u.name AS to_name, u.email AS to_email, mb.address AS reply_to,
                EXISTS (SELECT 1 FROM mailboxes own WHERE own.address = LOWER(u.email)) AS to_own_mailbox
         FROM notifications n JOIN users u ON u.id = n.recipient_id
         LEFT JOIN tickets k ON k.id = n.ticket_id
         LEFT JOIN mailboxes mb ON mb.id = k.mailbox_id
         WHERE n.id = $1",
        )
        .bind(id)
        .fetch_optional(conn)
        .await?
        .map(|r| {
                    Ok(Outgoing {
                id: r.try_get("id")?,
                ticket_id: r.try_get("ticket_id")?,
                channel: r.try_get("channel")?,
                kind: r.try_get("kind")?,
                subject: r.try_get("subject")?,
                body: r.try_get("body")?,
                html: r.try_get("html")?,
                payload: r.try_get("payload")?,
                attempts: r.try_get("attempts")?,
                created_at: r.try_get("created_at")?,
                recipient_id: r.try_get("recipient_id")?,
                to_name: r.try_get("to_name")?,
                to_email: r.try_get("to_email")?,
                reply_to: r.try_get("reply_to")?,
                to_own_mailbox: r.try_get("to_own_mailbox")?,
            })
        })
        .transpose()
    })
}

/// One message of a ticket's mail thread, as its recipient's mail client knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThreadMessage {
    /// A message the desk received for the ticket, by its Message-ID (without angle brackets).
    Received(String),
    /// A notification sent earlier: its Message-ID is made from these (see `notify::mailer`).
    Sent { id: i64, created_at: i64 },
}

/// The ticket's thread as `message`'s recipient has seen it, oldest first: every message the desk
/// received for the ticket, and the mail sent to the same recipient about it before this one
/// (muted, skipped and failed messages never reached them).
pub async fn thread(conn: &mut Conn, message: &Outgoing) -> sqlx::Result<Vec<ThreadMessage>> {
    let Some(ticket_id) = message.ticket_id else {
        return Ok(Vec::new());
    };
    let received: Vec<(String, i64, i64)> =
        statement("SELECT message_id, received_at, id FROM inbound_mail WHERE ticket_id = $1")
            .bind(ticket_id)
            .fetch_all(conn)
            .await?;
    let sent: Vec<(i64, i64)> = statement(
        "SELECT id, created_at FROM notifications
         WHERE ticket_id = $1 AND recipient_id = $2 AND channel = 'email' AND id < $3
           AND status IN ('pending', 'sending', 'sent')",
    )
    .bind(ticket_id)
    .bind(message.recipient_id)
    .bind(message.id)
    .fetch_all(conn)
    .await?;
    // by time; at the same instant a received message comes before the answer it caused
    let mut all: Vec<((i64, u8, i64), ThreadMessage)> =
        received
            .into_iter()
            .map(|(mid, at, id)| ((at, 0, id), ThreadMessage::Received(mid)))
            .chain(sent.into_iter().map(|(id, created_at)| {
                ((created_at, 1, id), ThreadMessage::Sent { id, created_at })
            }))
            .collect();
    all.sort_by_key(|(key, _)| *key);
    Ok(all.into_iter().map(|(_, m)| m).collect())
}

pub async fn mark_sent(conn: &mut Conn, id: i64, now: i64) -> sqlx::Result<()> {
    statement("UPDATE notifications SET status = 'sent', sent_at = $1, lease_until = NULL, last_error = NULL WHERE id = $2").bind(now).bind(id).run(conn).await
}

/// Gives a message up without sending it, for `reason` (its recipient may no longer be told).
pub async fn mark_skipped(conn: &mut Conn, id: i64, reason: &str) -> sqlx::Result<()> {
    statement("UPDATE notifications SET status = 'skipped', lease_until = NULL, last_error = $1 WHERE id = $2").bind(reason).bind(id).run(conn).await
}

/// A message's recipient as they are now, and the facts of its ticket that decide whether they
/// may see it.
pub struct Standing {
    pub me: Me,
    pub active: bool,
    pub org_active: bool,
    pub ticket: Option<TicketKey>,
}

pub async fn standing(conn: &mut Conn, id: i64) -> sqlx::Result<Option<Standing>> {
    db_run!(conn, conn => {
        let sql = format!(
            "SELECT {ME_COLUMNS}, u.active AS user_active, COALESCE(o.active, TRUE) AS org_active,
                k.id AS ticket_id, k.org_id AS ticket_org, k.requester_id,
                EXISTS (SELECT 1 FROM ticket_participants p WHERE p.ticket_id = k.id AND p.user_id = u.id)
                    AS participant
         FROM notifications n
         JOIN users u ON u.id = n.recipient_id
         LEFT JOIN organizations o ON o.id = u.org_id
         LEFT JOIN teams t ON t.id = u.team_id
         LEFT JOIN tickets k ON k.id = n.ticket_id
         WHERE n.id = $1",
            ME_COLUMNS = super::users::ME_COLUMNS
        );
        let Some(r) = sqlx::query(&sql).bind(id).fetch_optional(conn).await? else {
            return Ok(None);
        };
            let ticket = match r.try_get::<Option<i64>>("ticket_id")? {
            Some(_) => Some(TicketKey {
                org_id: r.try_get("ticket_org")?,
                requester_id: r.try_get("requester_id")?,
                participant: r.try_get("participant")?,
            }),
            None => None,
        };
        Ok(Some(Standing {
            me: super::users::me_from_row(&r)?,
            active: r.try_get("user_active")?,
            org_active: r.try_get("org_active")?,
            ticket,
        }))
    })
}

/// Records a failed attempt: tried again at `retry_at`, or given up when that is None.
pub async fn mark_failed(
    conn: &mut Conn,
    id: i64,
    error: &str,
    retry_at: Option<i64>,
) -> sqlx::Result<()> {
    statement(
        "UPDATE notifications SET status = $1, next_attempt_at = COALESCE($2, next_attempt_at),
            lease_until = NULL, last_error = $3
         WHERE id = $4",
    )
    .bind(if retry_at.is_some() {
        "pending"
    } else {
        "failed"
    })
    .bind(retry_at)
    .bind(error)
    .bind(id)
    .run(conn)
    .await
}

/// How many messages of each status a ticket has (for tests and the timeline).
pub async fn statuses(conn: &mut Conn, ticket_id: i64) -> sqlx::Result<Vec<(String, i64)>> {
    statement("SELECT status, COUNT(*) FROM notifications WHERE ticket_id = $1 GROUP BY status ORDER BY status").bind(ticket_id).fetch_all(conn).await
}

/// The lead of a ticket's team and every active ops manager: who hears of SLA trouble.
pub async fn sla_watchers(conn: &mut Conn, team_id: Option<i64>) -> sqlx::Result<Vec<i64>> {
    statement(
        "SELECT id FROM users WHERE active AND (role = 'manager'
            OR id = (SELECT lead_id FROM teams WHERE id = $1))
         ORDER BY id",
    )
    .bind(team_id)
    .scalars(conn)
    .await
}

pub async fn count_for_ticket(conn: &mut Conn, ticket_id: i64, kind: &str) -> sqlx::Result<i64> {
    statement("SELECT COUNT(*) FROM notifications WHERE ticket_id = $1 AND kind = $2")
        .bind(ticket_id)
        .bind(kind)
        .scalar(conn)
        .await
}

/// The outbox's backlog per channel: messages not yet sent (waiting, being sent, or waiting for a
/// retry) and when the oldest of them was written. Channels with none are left out.
pub async fn backlog(conn: &mut Conn) -> sqlx::Result<Vec<(String, i64, i64)>> {
    statement(
        "SELECT channel, COUNT(*), MIN(created_at) FROM notifications
             WHERE status IN ('pending', 'sending') GROUP BY channel ORDER BY channel",
    )
    .fetch_all(conn)
    .await
}
