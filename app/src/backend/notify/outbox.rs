//! What each change tells whom, written to the outbox in the change's own transaction.
//!
//! The requester and the assigned analyst hear of every public update (new ticket, public reply,
//! status change, approval request and decision, resolution); the assignee alone of internal
//! notes; nobody hears of their own action. Essential mail (new ticket, reply, resolution,
//! approvals, breaches, pages) is always sent; the rest is skipped for people who muted it.

use super::template::MailBody;
use crate::backend::db::Conn;
use crate::backend::repo::notifications::{self as repo, NewNotification, Recipient};
use crate::backend::repo::tickets::TicketRecord;
use crate::model::timeline::describe;
use crate::model::{AppResult, EventData, EventKind, TicketNumber};

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
        ApprovalGranted | ApprovalDenied => (Audience::RequesterAndAssignee, true),
        ApprovalRequested => (Audience::WithApprovers, true),
        StatusChanged | Reopened | PriorityChanged => (Audience::RequesterAndAssignee, false),
        Assigned | HandedOff => (Audience::Assignee, true),
        InternalNote => (Audience::Assignee, false),
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
    let mut written = 0;
    for step in steps {
        let Some((audience, essential)) = audience(step.kind) else {
            continue;
        };
        // an internal step never reaches the requester, whatever its audience says
        let mut ids: Vec<i64> = Vec::new();
        if matches!(
            audience,
            Audience::RequesterAndAssignee | Audience::WithApprovers
        ) && step.public
        {
            ids.push(t.requester_id);
        }
        if let Some(a) = t.assignee_id {
            ids.push(a);
        }
        if audience == Audience::WithApprovers && step.public {
            ids.extend(repo::client_admins(conn, t.org_id).await?);
        }
        ids.retain(|id| *id != actor_id);
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            continue;
        }
        let number = TicketNumber(t.number);
        let what = describe(step.kind, step.data);
        let subject = format!("[{number}] {}: {} {what}", t.subject, step.actor_name);
        let mut mail = MailBody::new().text(format!(
            "{} {what} on {number} \"{}\".",
            step.actor_name, t.subject
        ));
        if let Some(body) = step.body {
            mail = mail.text(body);
        }
        let mail = mail.link("Open the ticket", format!("{base_url}/tickets/{number}"));
        written += enqueue_mail(
            conn,
            Some(t.id),
            &ids,
            step.kind.as_str(),
            &subject,
            &mail,
            essential,
            now,
        )
        .await?;
    }
    Ok(written)
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
        assert_eq!(audience(EventKind::Claimed), None);
        assert_eq!(audience(EventKind::Escalated), None);
        assert_eq!(
            audience(EventKind::NotificationSent),
            None,
            "no mail about mail"
        );
    }
}
