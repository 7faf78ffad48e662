//! A ticket's page: the record, the timeline the viewer may see, and what they may do.

use super::change::{facts, visible_ticket};
use crate::backend::markdown::to_safe_html;
use crate::backend::policy::Actor;
use crate::backend::repo::{categories, tickets, users};
use crate::backend::state::AppState;
use crate::model::sla::SlaState;
use crate::model::ticket_detail::{Category, Requester, TicketDetail, TicketView};
use crate::model::timeline::describe;
use crate::model::{AppResult, EventData, EventKind, TicketNumber, TimelineEntry, UserRef};

pub async fn ticket_view(state: &AppState, actor: &Actor, number: i64) -> AppResult<TicketView> {
    let scope = actor.ticket_scope(&state.pool).await?;
    let mut conn = state.pool.acquire().await?;
    let t = visible_ticket(&mut conn, &scope, actor, number).await?;
    let now = state.now();
    let labels = tickets::labels(&mut conn, t.id).await?;
    let staff = actor.is_staff();

    let timeline = tickets::events(&mut conn, t.id, !staff)
        .await?
        .into_iter()
        .filter_map(|e| {
            let kind = e.kind.parse::<EventKind>().ok()?;
            // clients see public steps only, and never the desk's internal ones
            if !staff && (!e.public || kind.is_internal_only()) {
                return None;
            }
            let data = EventData::from_json(e.data.as_deref());
            Some(TimelineEntry {
                id: e.id,
                at: e.at,
                actor: e.actor,
                kind,
                public: e.public,
                summary: describe(kind, &data),
                body_html: e.body.as_deref().map(to_safe_html),
                mail_id: data.mail_id.filter(|_| staff),
                quoted: data.quoted,
            })
        })
        .collect();

    let rating = tickets::rating(&mut conn, t.id).await?;
    let attachments = crate::backend::repo::attachments::for_ticket(&mut conn, t.id, staff).await?;
    let mut actions = actor.ticket_actions(&facts(&t), now);
    actions.rate &= rating.is_none();
    let colleagues = if actions.assign || actions.hand_off {
        users::eligible_assignees(&mut conn, t.org_id, t.tier).await?
    } else {
        Vec::new()
    };
    let categories = if actions.set_category {
        categories::active(&mut conn)
            .await?
            .into_iter()
            .map(|(id, name)| Category { id, name })
            .collect()
    } else {
        Vec::new()
    };
    let page_waiting = staff && crate::backend::oncall::has_open_pages(&mut conn, t.id).await?;
    let sla = SlaState::at(
        t.status,
        t.pending_reason,
        t.sla.next_due_at,
        t.sla.next_warn_at,
        now,
    );

    Ok(TicketView {
        ticket: TicketDetail {
            id: t.id,
            number: TicketNumber(t.number),
            version: super::change::version_seen_by(actor, &t),
            org_code: labels.org_code,
            org_name: labels.org_name,
            requester: Requester {
                id: t.requester_id,
                name: labels.requester_name,
                email: labels.requester_email,
                phone: labels.requester_phone,
                department: t.ctx_department,
                location: t.ctx_location,
                job_title: t.ctx_job_title,
            },
            created_by: UserRef {
                id: t.created_by,
                name: labels.created_by_name,
            },
            channel: t.channel,
            subject: t.subject,
            problem: t.problem,
            urgency: t.urgency,
            priority: t.priority,
            category: t
                .category_id
                .zip(labels.category_name)
                .map(|(id, name)| Category { id, name }),
            status: t.status,
            pending_reason: t.pending_reason,
            requires_budget: t.requires_budget,
            requires_approval: t.requires_approval,
            tier: t.tier as u8,
            team: labels.team_name,
            assignee: t
                .assignee_id
                .zip(labels.assignee_name)
                .map(|(id, name)| UserRef { id, name }),
            first_contact_resolution: t.first_contact_resolution,
            created_at: t.created_at,
            updated_at: t.updated_at,
            first_response_at: t.first_response_at,
            resolved_at: t.resolved_at,
            closed_at: t.closed_at,
            sla,
            response_due_at: t.sla.response_due_at,
            resolution_due_at: t.sla.resolution_due_at,
            next_due_at: t.sla.next_due_at,
            next_warn_at: t.sla.next_warn_at,
        },
        timeline,
        actions,
        colleagues,
        categories,
        page_waiting,
        attachments,
        rating,
        now,
    })
}
