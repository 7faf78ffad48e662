//! Months of ticket history: each ticket generated with a timeline consistent with it and with
//! the SLA clocks, written in batches of multi-row inserts; and the plain insert loop the
//! ticket-creation benchmark compares against.

use super::data;
use super::desk::{OrgInfo, TeamInfo};
use super::rng::Rng;
use super::SeedError;
use crate::backend::db::Pool;
use crate::backend::repo::tickets::{EventRecord, SlaColumns, TicketRecord};
use crate::backend::repo::{desk, reports, tickets};
use crate::model::sla::{ClockState, SlaPolicy};
use crate::model::time::{DAY, HOUR, MINUTE};
use crate::model::{Channel, EventKind, PendingReason, Priority, Status, Urgency};

/// How far back the demo desk's tickets go.
pub(super) const HISTORY_DAYS: i64 = 90;
const BATCH: usize = 20_000;

/// Writes `ticket_count` tickets raised over the last HISTORY_DAYS, spread over the clients by
/// their size, one transaction per batch.
pub(super) async fn write_history(
    pool: &Pool,
    rng: &mut Rng,
    now: i64,
    ticket_count: usize,
    org_infos: &[OrgInfo],
    team_infos: &[TeamInfo],
    category_ids: &[i64],
) -> Result<(), SeedError> {
    let total_weight: u32 = org_infos.iter().map(|o| o.weight).sum();
    let first_number = {
        let mut conn = pool.acquire().await?;
        desk::counter(&mut conn, "ticket_number").await?
    };
    let mut written = 0usize;
    while written < ticket_count {
        let n = BATCH.min(ticket_count - written);
        let mut batch = Vec::with_capacity(n);
        let mut events = Vec::with_capacity(n * 6);
        for i in written..written + n {
            // spread creation times evenly over the history, newest last, with jitter
            let span = HISTORY_DAYS * DAY;
            let base = now - span + (span as i128 * i as i128 / ticket_count.max(1) as i128) as i64;
            let created = (base + rng.range(0, 2 * HOUR)).min(now - MINUTE);
            let mut pick = rng.below(u64::from(total_weight)) as u32;
            let org = org_infos
                .iter()
                .find(|o| {
                    if pick < o.weight {
                        true
                    } else {
                        pick -= o.weight;
                        false
                    }
                })
                .unwrap_or(&org_infos[0]);
            let team = &team_infos[*rng.pick(&org.teams)];
            let (ticket, mut timeline) = generate_ticket(
                rng,
                (i + 1) as i64,
                first_number + 1 + i as i64,
                created,
                now,
                org,
                team,
                category_ids,
            );
            batch.push(ticket);
            events.append(&mut timeline);
        }
        let mut tx = pool.begin().await?;
        tickets::bulk_insert(&mut tx, &batch).await?;
        reports::mark_days(&mut tx, &report_days(&batch)).await?;
        tickets::bulk_insert_events(&mut tx, &events).await?;
        tx.commit().await?;
        written += n;
    }
    let mut conn = pool.acquire().await?;
    desk::raise_counter(
        &mut conn,
        "ticket_number",
        first_number + ticket_count as i64,
    )
    .await?;
    Ok(())
}

/// One ticket and its timeline, consistent with each other and with `now`.
#[allow(clippy::too_many_arguments)]
fn generate_ticket(
    rng: &mut Rng,
    id: i64,
    number: i64,
    created: i64,
    now: i64,
    org: &OrgInfo,
    team: &TeamInfo,
    category_ids: &[i64],
) -> (TicketRecord, Vec<EventRecord>) {
    let requester = &org.clients[rng.below(org.clients.len() as u64) as usize];
    let (cat, first_line, detail, resolution) = *rng.pick(&data::PROBLEMS);
    let urgency = if rng.chance(25) {
        Urgency::Urgent
    } else {
        Urgency::NotUrgent
    };
    let priority = match rng.below(100) {
        0..=2 => Priority::P1,
        3..=7 => Priority::Ops,
        _ => Priority::default_for(urgency),
    };
    let channel = match rng.below(100) {
        0..=54 => Channel::Web,
        55..=79 => Channel::Email,
        80..=96 => Channel::Phone,
        _ => Channel::Api,
    };
    let tier = match rng.below(100) {
        0..=79 => 1,
        80..=94 => 2,
        _ => 3,
    };
    let age = now - created;
    let pending_reason = *rng.pick(PendingReason::ALL);
    let mut status = match (age, rng.below(100)) {
        (a, r) if a < 2 * DAY => match r {
            0..=29 => Status::New,
            30..=69 => Status::Open,
            70..=89 => Status::Pending,
            _ => Status::Resolved,
        },
        (a, r) if a < 14 * DAY => match r {
            0..=14 => Status::Open,
            15..=29 => Status::Pending,
            30..=59 => Status::Resolved,
            _ => Status::Closed,
        },
        (_, r) => match r {
            0 => Status::Open,
            1..=2 => Status::Pending,
            _ => Status::Closed,
        },
    };
    let fcr = channel == Channel::Phone && status != Status::New && rng.chance(40);
    if fcr && !matches!(status, Status::Closed) {
        status = Status::Resolved;
    }
    let assignee = *rng.pick(&team.tiers[tier - 1]);
    let logger = *rng.pick(&team.tiers[0]);
    let created_by = if channel == Channel::Phone {
        logger
    } else {
        requester.id
    };

    let mut t = TicketRecord {
        id,
        number,
        org_id: org.id,
        requester_id: requester.id,
        created_by,
        channel,
        subject: first_line.to_string(),
        problem: format!("{first_line}\n\n{detail}"),
        urgency,
        priority,
        category_id: Some(category_ids[cat]),
        status,
        pending_reason: None,
        requires_budget: false,
        requires_approval: false,
        tier: tier as i64,
        team_id: Some(team.id),
        assignee_id: None,
        ctx_department: Some(requester.department.to_string()),
        ctx_location: Some(requester.location.to_string()),
        ctx_job_title: Some(requester.title.to_string()),
        first_contact_resolution: fcr,
        created_at: created,
        updated_at: created,
        first_response_at: None,
        resolved_at: None,
        closed_at: None,
        sla: SlaColumns::default(),
        version: 1,
        public_version: 1,
    };
    let mut events = Vec::with_capacity(9);
    let mut push = |t: &mut TicketRecord,
                    at: i64,
                    actor: Option<i64>,
                    kind: EventKind,
                    public: bool,
                    body: Option<String>,
                    data: Option<String>| {
        let at = at.min(now);
        t.updated_at = t.updated_at.max(at);
        t.version += 1;
        events.push(EventRecord {
            ticket_id: t.id,
            at,
            actor_id: actor,
            kind: kind.as_str(),
            public,
            body,
            data,
        });
    };
    t.version = 0;
    push(
        &mut t,
        created,
        Some(created_by),
        EventKind::Created,
        true,
        None,
        Some(format!(r#"{{"channel":"{}"}}"#, channel.as_str())),
    );
    if status == Status::New {
        apply_sla(&mut t, &mut events, &org.policy, None, now);
        return (t, events);
    }

    // claimed (or, for a logged call, owned from the start) and answered
    let tier1_owner = if tier == 1 { assignee } else { logger };
    let claimed = if fcr {
        created
    } else {
        created + rng.range(2 * MINUTE, 3 * HOUR)
    };
    push(
        &mut t,
        claimed,
        Some(tier1_owner),
        EventKind::Claimed,
        true,
        None,
        None,
    );
    t.assignee_id = Some(tier1_owner);
    let replied = claimed + rng.range(MINUTE, 40 * MINUTE);
    if fcr {
        let body = resolution.to_string();
        push(
            &mut t,
            created + 10 * MINUTE,
            Some(logger),
            EventKind::Resolved,
            true,
            Some(body),
            Some(r#"{"first_contact":true}"#.into()),
        );
        t.first_response_at = Some(created + 10 * MINUTE);
        t.resolved_at = Some(created + 10 * MINUTE);
    } else {
        push(
            &mut t,
            replied,
            Some(tier1_owner),
            EventKind::PublicReply,
            true,
            Some(rng.pick(&data::REPLIES).to_string()),
            None,
        );
        t.first_response_at = Some(replied.min(now));
        let mut at = replied;
        if rng.chance(35) {
            at += rng.range(5 * MINUTE, 2 * HOUR);
            push(
                &mut t,
                at,
                Some(tier1_owner),
                EventKind::InternalNote,
                false,
                Some(rng.pick(&data::NOTES).to_string()),
                None,
            );
        }
        if tier > 1 {
            at += rng.range(10 * MINUTE, 6 * HOUR);
            push(
                &mut t,
                at,
                Some(tier1_owner),
                EventKind::Escalated,
                false,
                Some("Needs specialist attention beyond first-line checks.".into()),
                Some(format!(r#"{{"from_tier":1,"to_tier":{tier}}}"#)),
            );
            t.assignee_id = Some(assignee);
            push(
                &mut t,
                at + rng.range(5 * MINUTE, 2 * HOUR),
                Some(assignee),
                EventKind::Claimed,
                true,
                None,
                None,
            );
        }
        if status == Status::Pending {
            at += rng.range(30 * MINUTE, 8 * HOUR);
            t.pending_reason = Some(pending_reason);
            t.requires_budget = pending_reason == PendingReason::Budget;
            t.requires_approval = pending_reason == PendingReason::Approval;
            let owner = t.assignee_id;
            push(
                &mut t,
                at,
                owner,
                EventKind::StatusChanged,
                true,
                None,
                Some(format!(
                    r#"{{"from":"open","to":"pending","reason":"{}"}}"#,
                    pending_reason.as_str()
                )),
            );
        }
        if matches!(status, Status::Resolved | Status::Closed) {
            let resolved = (at + rng.range(HOUR, (age / 3).max(2 * HOUR))).min(now - MINUTE);
            let owner = t.assignee_id;
            push(
                &mut t,
                resolved,
                owner,
                EventKind::Resolved,
                true,
                Some(resolution.to_string()),
                None,
            );
            t.resolved_at = Some(resolved.min(now));
        }
    }
    let paused_at =
        (t.status == Status::Pending && pending_reason.pauses_sla()).then_some(t.updated_at);
    if status == Status::Closed {
        let resolved = t.resolved_at.unwrap_or(created);
        let closed = resolved + rng.range(3 * DAY, 7 * DAY);
        if closed < now {
            push(
                &mut t,
                closed,
                None,
                EventKind::Closed,
                true,
                None,
                Some(r#"{"auto":true}"#.into()),
            );
            t.closed_at = Some(closed);
        } else {
            t.status = Status::Resolved;
        }
    }
    apply_sla(&mut t, &mut events, &org.policy, paused_at, now);
    (t, events)
}

/// Sets the ticket's SLA instants and records the warnings and breaches the SLA engine would have
/// raised by `now`, so that a fresh server does not raise a flood of old alerts.
fn apply_sla(
    t: &mut TicketRecord,
    events: &mut Vec<EventRecord>,
    policy: &SlaPolicy,
    paused_at: Option<i64>,
    now: i64,
) {
    let dues = policy.dues(&ClockState {
        created_at: t.created_at,
        priority: t.priority,
        paused_secs: 0,
    });
    let (next_due, next_warn) = dues.next(t.first_response_at.is_some());
    let responded = t.first_response_at.unwrap_or(now);
    let resolution_stopped = t.resolved_at.or(paused_at).unwrap_or(now);
    t.sla = SlaColumns {
        response_due_at: dues.response_due_at,
        response_warn_at: dues.response_warn_at,
        resolution_due_at: dues.resolution_due_at,
        resolution_warn_at: dues.resolution_warn_at,
        next_due_at: next_due,
        next_warn_at: next_warn,
        paused_at,
        paused_secs: 0,
        response_warned: dues.response_warn_at <= responded,
        response_breached: dues.response_due_at <= responded,
        resolution_warned: dues.resolution_warn_at <= resolution_stopped,
        resolution_breached: dues.resolution_due_at <= resolution_stopped,
        next_alert_at: None,
    };
    crate::backend::sla::refresh_next_alert(t);
    let alerts = [
        (
            t.sla.response_warned,
            dues.response_warn_at,
            EventKind::SlaWarning,
            "response",
        ),
        (
            t.sla.response_breached,
            dues.response_due_at,
            EventKind::SlaBreach,
            "response",
        ),
        (
            t.sla.resolution_warned,
            dues.resolution_warn_at,
            EventKind::SlaWarning,
            "resolution",
        ),
        (
            t.sla.resolution_breached,
            dues.resolution_due_at,
            EventKind::SlaBreach,
            "resolution",
        ),
    ];
    for (raised, at, kind, target) in alerts {
        if raised {
            events.push(EventRecord {
                ticket_id: t.id,
                at,
                actor_id: None,
                kind: kind.as_str(),
                public: false,
                body: None,
                data: Some(format!(r#"{{"target":"{target}"}}"#)),
            });
        }
    }
    events.sort_by_key(|e| e.at);
}

/// The (organization, day) pairs a batch of tickets counts in for reports: the day each was
/// raised and the day it was resolved.
fn report_days(batch: &[TicketRecord]) -> std::collections::BTreeSet<(i64, i64)> {
    batch
        .iter()
        .flat_map(|t| {
            let raised = Some((t.org_id, t.created_at.div_euclid(DAY)));
            let resolved = t.resolved_at.map(|at| (t.org_id, at.div_euclid(DAY)));
            raised.into_iter().chain(resolved)
        })
        .collect()
}

/// The baseline of the ticket-creation benchmark: `count` tickets written by a plain loop, one
/// transaction each holding the ticket row and its "created" step, copied from the newest
/// ticket. None of the product's checks, SLA work, notifications or live events run. Returns
/// how long the loop took.
pub async fn raw_insert_loop(pool: &Pool, count: usize) -> sqlx::Result<std::time::Duration> {
    let mut conn = pool.acquire().await?;
    let newest = tickets::max_id(&mut conn).await?;
    let Some(template) = tickets::find_by_id(&mut conn, newest).await? else {
        return Err(sqlx::Error::RowNotFound);
    };
    let first = desk::counter(&mut conn, "ticket_number").await? + 1_000_000;
    let started = std::time::Instant::now();
    for i in 0..count {
        let row = TicketRecord {
            number: first + i as i64,
            ..template.clone()
        };
        let mut tx = pool.begin().await?;
        let id = tickets::insert(&mut tx, &row).await?;
        reports::mark_ticket_days(&mut tx, id).await?;
        let created = EventRecord {
            ticket_id: id,
            at: row.created_at,
            actor_id: Some(row.created_by),
            kind: EventKind::Created.as_str(),
            public: true,
            body: None,
            data: None,
        };
        tickets::insert_event(&mut tx, &created).await?;
        tx.commit().await?;
    }
    Ok(started.elapsed())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::seed::desk::ClientUser;
    use crate::model::sla::{standard_targets, BusinessCalendar, WorkingHours};

    #[test]
    fn generated_tickets_are_consistent_with_their_timelines() {
        let org = OrgInfo {
            id: 1,
            clients: vec![ClientUser {
                id: 10,
                department: "HR",
                location: "Remote",
                title: "Analyst",
            }],
            teams: vec![0],
            weight: 1,
            policy: SlaPolicy {
                targets: standard_targets(480).to_vec(),
                business: BusinessCalendar {
                    tz: chrono_tz::UTC,
                    hours: WorkingHours::parse("12345", 540, 1020).unwrap(),
                    holidays: Default::default(),
                },
                warn_percent: 75,
            },
        };
        let team = TeamInfo {
            id: 1,
            tiers: [vec![20, 21], vec![30], vec![40]],
        };
        let mut rng = Rng(7);
        let now = 1_800_000_000;
        for i in 0..2000 {
            let created = now - (i % 90) * DAY - 600;
            let (t, events) = generate_ticket(
                &mut rng,
                i + 1,
                1001 + i,
                created,
                now,
                &org,
                &team,
                &[1; 10],
            );
            assert_eq!(events.first().map(|e| e.kind), Some("created"));
            assert!(
                events.iter().all(|e| e.at >= created && e.at <= now),
                "event outside ticket life"
            );
            assert_eq!(t.pending_reason.is_some(), t.status == Status::Pending);
            assert_eq!(t.status == Status::New, t.assignee_id.is_none());
            assert_eq!(
                t.resolved_at.is_some(),
                matches!(t.status, Status::Resolved | Status::Closed)
            );
            assert_eq!(t.closed_at.is_some(), t.status == Status::Closed);
            assert!(t.version as usize <= events.len());
            assert!(t.updated_at <= now);
            if t.first_contact_resolution {
                assert_eq!(t.channel, Channel::Phone);
            }
        }
    }
}
