//! What each change tells whom, written to the outbox in the change's own transaction.
//!
//! The requester hears of every public update: their request acknowledged (even when they raised
//! it themselves), who took it, a question waiting on them, approvals, every public reply, the
//! resolution. The assigned analyst hears of every public update and change, the requester's
//! included, and alone of internal notes. Apart from the acknowledgement nobody hears of their
//! own action. Essential mail (new ticket, claim, reply, a question waiting on the requester,
//! resolution, approvals, breaches, pages) is always sent; the rest is skipped for people who
//! muted it.

use super::template::MailBody;
use super::ticket_mail::{self, Change, TicketMail};
use crate::backend::db::Conn;
use crate::backend::repo::notifications::{self as repo, NewNotification, Recipient};
use crate::backend::repo::tickets::TicketRecord;
use crate::model::{AppResult, EventData, EventKind};

/// Who hears of a step, and whether it is essential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    RequesterAndAssignee,
    Assignee,
    /// The requester, the assignee and the organization's client admins (who approve).
    WithApprovers,
}

pub fn audience(kind: EventKind) -> Option<(Audience, bool)> {
    use EventKind::*;
    Some(match kind {
        Created | PublicReply | Resolved => (Audience::RequesterAndAssignee, true),
        Claimed | Assigned => (Audience::RequesterAndAssignee, true),
        ApprovalGranted | ApprovalDenied => (Audience::RequesterAndAssignee, true),
        ApprovalRequested => (Audience::WithApprovers, true),
        StatusChanged | Reopened | PriorityChanged => (Audience::RequesterAndAssignee, false),
        HandedOff => (Audience::Assignee, true),
        // what the requester does (or a colleague adds) that the analyst working it should know
        InternalNote | Closed | Rated | FileAttached => (Audience::Assignee, false),
        _ => return None,
    })
}

/// One step of a change, as the outbox needs it.
pub struct Step<'a> {
    pub kind: EventKind,
    pub public: bool,
    pub actor_name: &'a str,
    pub body: Option<&'a str>,
    pub data: &'a EventData,
}

/// Writes the notifications of `steps` on ticket `t`, made by `actor_id`.
pub async fn enqueue_steps(
    conn: &mut Conn,
    t: &TicketRecord,
    actor_id: i64,
    steps: &[Step<'_>],
    base_url: &str,
    now: i64,
) -> AppResult<usize> {
    let has = |kind: EventKind| steps.iter().find(|s| s.kind == kind);
    let change = Change {
        raised: has(EventKind::Created).is_some(),
        resolved_at_once: has(EventKind::Created).is_some() && has(EventKind::Resolved).is_some(),
        claimed_by: has(EventKind::Claimed).map(|s| s.actor_name),
    };
    let mut written = 0;
    for step in steps {
        let Some((audience, essential)) = audience(step.kind) else {
            continue;
        };
        // an internal step never reaches the requester, whatever its audience says
        let to_requester = step.public && audience != Audience::Assignee;
        let mut ids: Vec<i64> = Vec::new();
        if let Some(a) = t.assignee_id {
            ids.push(a);
        }
        if audience == Audience::WithApprovers && step.public {
            ids.extend(repo::client_admins(conn, t.org_id).await?);
        }
        ids.retain(|id| *id != actor_id && *id != t.requester_id);
        ids.sort_unstable();
        ids.dedup();
        let mail = || {
            ticket_mail::step_mail(
                t,
                step.kind,
                step.data,
                step.actor_name,
                step.body,
                base_url,
            )
        };
        if !ids.is_empty() {
            written +=
                enqueue_ticket_mail(conn, t, &ids, step.kind, &mail(), essential, now).await?;
        }
        if !to_requester {
            continue;
        }
        match ticket_mail::to_requester(step.kind, step.data, step.actor_name, &change) {
            Some(note) => {
                let commitment = match note {
                    ticket_mail::ToRequester::Acknowledgement { .. } => {
                        let policy = crate::backend::sla::policy_for(conn, t.org_id).await?;
                        Some(ticket_mail::commitment(&policy, t))
                    }
                    _ => None,
                };
                let mail = note.mail(
                    t,
                    step.actor_name,
                    step.body,
                    commitment.as_deref(),
                    base_url,
                );
                // the acknowledgement goes to the requester who raised the ticket themselves too
                let ack = matches!(note, ticket_mail::ToRequester::Acknowledgement { .. });
                if ack || t.requester_id != actor_id {
                    let requester = [t.requester_id];
                    written +=
                        enqueue_ticket_mail(conn, t, &requester, step.kind, &mail, true, now)
                            .await?;
                }
            }
            // a raised ticket that says nothing to the requester (machine-sent mail, or
            // resolved at once) and a claim told in the acknowledgement stay unsaid
            None if matches!(step.kind, EventKind::Created | EventKind::Claimed) => {}
            None if t.requester_id != actor_id => {
                let requester = [t.requester_id];
                written +=
                    enqueue_ticket_mail(conn, t, &requester, step.kind, &mail(), essential, now)
                        .await?;
            }
            None => {}
        }
    }
    Ok(written)
}

async fn enqueue_ticket_mail(
    conn: &mut Conn,
    t: &TicketRecord,
    recipients: &[i64],
    kind: EventKind,
    mail: &TicketMail,
    essential: bool,
    now: i64,
) -> AppResult<usize> {
    enqueue_mail(
        conn,
        Some(t.id),
        recipients,
        kind.as_str(),
        &mail.subject,
        &mail.body,
        essential,
        now,
    )
    .await
}

/// Writes one message of plain text, without links, to each recipient (see [`enqueue_mail`]).
#[allow(clippy::too_many_arguments)]
pub async fn enqueue(
    conn: &mut Conn,
    ticket_id: Option<i64>,
    recipients: &[i64],
    kind: &str,
    subject: &str,
    body: &str,
    essential: bool,
    now: i64,
) -> AppResult<usize> {
    let mail = MailBody::from(body);
    enqueue_mail(
        conn, ticket_id, recipients, kind, subject, &mail, essential, now,
    )
    .await
}

/// Writes one message to each recipient, its plain text and HTML made from the template's parts;
/// muted, non-essential ones are recorded as muted.
#[allow(clippy::too_many_arguments)]
pub async fn enqueue_mail(
    conn: &mut Conn,
    ticket_id: Option<i64>,
    recipients: &[i64],
    kind: &str,
    subject: &str,
    mail: &MailBody,
    essential: bool,
    now: i64,
) -> AppResult<usize> {
    let (body, html) = (mail.plain(), mail.html());
    let people: Vec<Recipient> = repo::recipients(conn, recipients).await?;
    for person in &people {
        repo::insert(
            conn,
            &NewNotification {
                ticket_id,
                recipient_id: person.id,
                channel: "email",
                kind,
                subject,
                body: &body,
                html: Some(&html),
                payload: None,
                essential,
                muted: !essential && person.mute_non_essential,
                created_at: now,
            },
        )
        .await?;
    }
    Ok(people.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_right_people_hear_of_each_step() {
        assert_eq!(
            audience(EventKind::PublicReply),
            Some((Audience::RequesterAndAssignee, true))
        );
        assert_eq!(
            audience(EventKind::InternalNote),
            Some((Audience::Assignee, false))
        );
        assert_eq!(
            audience(EventKind::ApprovalRequested),
            Some((Audience::WithApprovers, true))
        );
        assert_eq!(
            audience(EventKind::StatusChanged).map(|a| a.1),
            Some(false),
            "status changes may be muted"
        );
        assert_eq!(
            audience(EventKind::Claimed),
            Some((Audience::RequesterAndAssignee, true)),
            "the requester hears who took their request"
        );
        assert_eq!(audience(EventKind::Escalated), None);
        assert_eq!(
            audience(EventKind::NotificationSent),
            None,
            "no mail about mail"
        );
    }
}
