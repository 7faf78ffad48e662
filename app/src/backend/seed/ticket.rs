//! One demo ticket and its timeline: what it turns out to be is drawn first, then each phase of
//! its life (raised, first response, work, resolution, closure) is written as steps, and the
//! SLA marks it would have collected are set last.

use super::data;
use super::desk::{ClientUser, OrgInfo, TeamInfo};
use super::rng::Rng;
use crate::backend::repo::tickets::{EventRecord, SlaColumns, TicketRecord};
use crate::model::sla::{ClockState, SlaPolicy};
use crate::model::time::{DAY, HOUR, MINUTE};
use crate::model::{Channel, EventKind, PendingReason, Priority, Status, Urgency};

/// One ticket and its timeline, consistent with each other and with `now`. The random draws
/// happen in a fixed order (the plan, then each phase in turn), so a seed gives the same desk.
#[allow(clippy::too_many_arguments)]
pub(super) fn generate_ticket(
    rng: &mut Rng,
    id: i64,
    number: i64,
    created: i64,
    now: i64,
    org: &OrgInfo,
    team: &TeamInfo,
    category_ids: &[i64],
) -> (TicketRecord, Vec<EventRecord>) {
    let plan = Plan::draw(rng, created, now, org, team);
    let mut life = Life::raise(&plan, id, number, now, category_ids);
    if plan.status != Status::New {
        let replied = life.first_response(rng, &plan);
        if !plan.first_contact {
            let at = life.work(rng, &plan, replied);
            life.resolve(rng, &plan, at);
        }
    }
    let paused_at = life.paused_at(&plan);
    life.close(rng, &plan);
    let Life {
        mut ticket,
        mut events,
        ..
    } = life;
    apply_sla(&mut ticket, &mut events, &org.policy, paused_at, now);
    (ticket, events)
}

/// What a ticket turns out to be, drawn before its timeline is written.
struct Plan<'a> {
    requester: &'a ClientUser,
    category: usize,
    first_line: &'static str,
    detail: &'static str,
    resolution: &'static str,
    urgency: Urgency,
    priority: Priority,
    channel: Channel,
    org_id: i64,
    team_id: i64,
    tier: usize,
    created: i64,
    age: i64,
    pending_reason: PendingReason,
    /// Where the ticket stands at `now` (a closure due after `now` leaves it resolved).
    status: Status,
    /// A phone call the analyst who logged it resolved on the spot.
    first_contact: bool,
    /// Who owns it at its tier.
    assignee: i64,
    /// The first-line analyst who logs a call.
    logger: i64,
    created_by: i64,
}

impl<'a> Plan<'a> {
    fn draw(rng: &mut Rng, created: i64, now: i64, org: &'a OrgInfo, team: &TeamInfo) -> Self {
        let age = now - created;
        let requester = &org.clients[rng.below(org.clients.len() as u64) as usize];
        let (category, first_line, detail, resolution) = *rng.pick(&data::PROBLEMS);
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
        let pending_reason = *rng.pick(PendingReason::ALL);
        let mut status = status_by_age(age, rng.below(100));
        let first_contact = channel == Channel::Phone && status != Status::New && rng.chance(40);
        if first_contact && status != Status::Closed {
            status = Status::Resolved;
        }
        let assignee = *rng.pick(&team.tiers[tier - 1]);
        let logger = *rng.pick(&team.tiers[0]);
        let created_by = if channel == Channel::Phone {
            logger
        } else {
            requester.id
        };
        Plan {
            requester,
            category,
            first_line,
            detail,
            resolution,
            urgency,
            priority,
            channel,
            org_id: org.id,
            team_id: team.id,
            tier,
            created,
            age,
            pending_reason,
            status,
            first_contact,
            assignee,
            logger,
            created_by,
        }
    }
}

/// The status a ticket of this age has reached, for a roll in `0..100`: young tickets are still
/// being worked, old ones mostly closed.
fn status_by_age(age: i64, roll: u64) -> Status {
    match (age, roll) {
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
    }
}

/// A ticket being written together with its timeline: each step moves the ticket along.
struct Life {
    ticket: TicketRecord,
    events: Vec<EventRecord>,
    now: i64,
}

impl Life {
    /// The ticket as raised, with its "created" step.
    fn raise(plan: &Plan, id: i64, number: i64, now: i64, category_ids: &[i64]) -> Self {
        let created = plan.created;
        let requester = plan.requester;
        let ticket = TicketRecord {
            id,
            number,
            org_id: plan.org_id,
            requester_id: requester.id,
            created_by: plan.created_by,
            channel: plan.channel,
            subject: plan.first_line.to_string(),
            problem: format!("{}\n\n{}", plan.first_line, plan.detail),
            urgency: plan.urgency,
            priority: plan.priority,
            category_id: Some(category_ids[plan.category]),
            status: plan.status,
            pending_reason: None,
            requires_budget: false,
            requires_approval: false,
            tier: plan.tier as i64,
            team_id: Some(plan.team_id),
            assignee_id: None,
            ctx_department: Some(requester.department.to_string()),
            ctx_location: Some(requester.location.to_string()),
            ctx_job_title: Some(requester.title.to_string()),
            first_contact_resolution: plan.first_contact,
            created_at: created,
            updated_at: created,
            first_response_at: None,
            resolved_at: None,
            closed_at: None,
            sla: SlaColumns::default(),
            // each step counts one version
            version: 0,
            public_version: 1,
        };
        let mut life = Life {
            ticket,
            events: Vec::with_capacity(9),
            now,
        };
        let data = format!(r#"{{"channel":"{}"}}"#, plan.channel.as_str());
        life.step(
            created,
            Some(plan.created_by),
            EventKind::Created,
            true,
            None,
            Some(data),
        );
        life
    }

    /// Claimed (or, for a logged call, owned from the start), then answered, or for a first-contact
    /// call resolved. Returns when the answer went out.
    fn first_response(&mut self, rng: &mut Rng, plan: &Plan) -> i64 {
        let created = self.ticket.created_at;
        let owner = if plan.tier == 1 {
            plan.assignee
        } else {
            plan.logger
        };
        let claimed = if plan.first_contact {
            created
        } else {
            created + rng.range(2 * MINUTE, 3 * HOUR)
        };
        self.step(claimed, Some(owner), EventKind::Claimed, true, None, None);
        self.ticket.assignee_id = Some(owner);
        // drawn for first-contact calls too, which keeps the random stream and so the demo desk
        let replied = claimed + rng.range(MINUTE, 40 * MINUTE);
        if plan.first_contact {
            let at = created + 10 * MINUTE;
            let body = Some(plan.resolution.to_string());
            let data = Some(r#"{"first_contact":true}"#.into());
            self.step(at, Some(plan.logger), EventKind::Resolved, true, body, data);
            self.ticket.first_response_at = Some(at);
            self.ticket.resolved_at = Some(at);
        } else {
            let body = Some(rng.pick(&data::REPLIES).to_string());
            self.step(
                replied,
                Some(owner),
                EventKind::PublicReply,
                true,
                body,
                None,
            );
            self.ticket.first_response_at = Some(replied.min(self.now));
        }
        replied
    }

    /// After the first answer: maybe a note, an escalation to the ticket's tier, a wait on the
    /// client. Returns when the last of these happened.
    fn work(&mut self, rng: &mut Rng, plan: &Plan, replied: i64) -> i64 {
        let first_owner = self.ticket.assignee_id;
        let mut at = replied;
        if rng.chance(35) {
            at += rng.range(5 * MINUTE, 2 * HOUR);
            let body = Some(rng.pick(&data::NOTES).to_string());
            self.step(at, first_owner, EventKind::InternalNote, false, body, None);
        }
        if plan.tier > 1 {
            at += rng.range(10 * MINUTE, 6 * HOUR);
            let body = Some("Needs specialist attention beyond first-line checks.".into());
            let data = Some(format!(r#"{{"from_tier":1,"to_tier":{}}}"#, plan.tier));
            self.step(at, first_owner, EventKind::Escalated, false, body, data);
            self.ticket.assignee_id = Some(plan.assignee);
            let claimed = at + rng.range(5 * MINUTE, 2 * HOUR);
            self.step(
                claimed,
                Some(plan.assignee),
                EventKind::Claimed,
                true,
                None,
                None,
            );
        }
        if plan.status == Status::Pending {
            at += rng.range(30 * MINUTE, 8 * HOUR);
            let reason = plan.pending_reason;
            self.ticket.pending_reason = Some(reason);
            self.ticket.requires_budget = reason == PendingReason::Budget;
            self.ticket.requires_approval = reason == PendingReason::Approval;
            let data = format!(
                r#"{{"from":"open","to":"pending","reason":"{}"}}"#,
                reason.as_str()
            );
            let owner = self.ticket.assignee_id;
            self.step(at, owner, EventKind::StatusChanged, true, None, Some(data));
        }
        at
    }

    /// Resolved some time after the work, for tickets that got that far.
    fn resolve(&mut self, rng: &mut Rng, plan: &Plan, after: i64) {
        if !matches!(plan.status, Status::Resolved | Status::Closed) {
            return;
        }
        let took = rng.range(HOUR, (plan.age / 3).max(2 * HOUR));
        let resolved = (after + took).min(self.now - MINUTE);
        let owner = self.ticket.assignee_id;
        let body = Some(plan.resolution.to_string());
        self.step(resolved, owner, EventKind::Resolved, true, body, None);
        self.ticket.resolved_at = Some(resolved.min(self.now));
    }

    /// Since when the SLA clock stands still: a wait that pauses it.
    fn paused_at(&self, plan: &Plan) -> Option<i64> {
        let pauses = self.ticket.status == Status::Pending && plan.pending_reason.pauses_sla();
        pauses.then_some(self.ticket.updated_at)
    }

    /// Closed automatically a few days after resolution; one whose closing day is still to come
    /// stays resolved.
    fn close(&mut self, rng: &mut Rng, plan: &Plan) {
        if plan.status != Status::Closed {
            return;
        }
        let resolved = self.ticket.resolved_at.unwrap_or(self.ticket.created_at);
        let closed = resolved + rng.range(3 * DAY, 7 * DAY);
        if closed < self.now {
            let data = Some(r#"{"auto":true}"#.into());
            self.step(closed, None, EventKind::Closed, true, None, data);
            self.ticket.closed_at = Some(closed);
        } else {
            self.ticket.status = Status::Resolved;
        }
    }

    /// One step of the timeline, never after `now`; it touches the ticket and counts a version.
    fn step(
        &mut self,
        at: i64,
        actor: Option<i64>,
        kind: EventKind,
        public: bool,
        body: Option<String>,
        data: Option<String>,
    ) {
        let at = at.min(self.now);
        self.ticket.updated_at = self.ticket.updated_at.max(at);
        self.ticket.version += 1;
        self.events.push(EventRecord {
            ticket_id: self.ticket.id,
            at,
            actor_id: actor,
            kind: kind.as_str(),
            public,
            body,
            data,
        });
    }
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

#[cfg(test)]
mod tests {
    use super::*;
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
