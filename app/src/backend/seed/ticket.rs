//! One demo ticket and its timeline. What it turns out to be and when each phase of its life
//! happens are drawn first, against the client's SLA due times (most tickets answered and
//! resolved well within them, a few late); the timeline is then written up to `now`, so where a
//! ticket stands (new, being worked, waiting, resolved, closed) follows from its age, as on a
//! working desk. A few tickets get stuck waiting, a few are reopened, a third of the resolved
//! ones are rated. The SLA marks it would have collected are set last.

use super::data;
use super::desk::{ClientUser, OrgInfo, TeamInfo};
use super::rng::Rng;
use crate::backend::repo::tickets::{EventRecord, NewRating, SlaColumns, TicketRecord};
use crate::model::sla::{ClockState, SlaPolicy};
use crate::model::time::{DAY, HOUR, MINUTE};
use crate::model::{Channel, EventKind, PendingReason, Priority, Status, Urgency};

/// A demo ticket with its timeline and its requester's rating, if they gave one.
pub(super) struct Generated {
    pub(super) ticket: TicketRecord,
    pub(super) events: Vec<EventRecord>,
    pub(super) rating: Option<NewRating>,
}

/// One ticket and its timeline, consistent with each other and with `now`. The random draws
/// happen in a fixed order, so a seed gives the same desk.
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
) -> Generated {
    let plan = Plan::draw(rng, created, now, org, team);
    let mut life = Life::raise(&plan, id, number, now, category_ids);
    life.first_response(rng, &plan);
    life.work(rng, &plan);
    life.resolve(&plan, plan.resolved, None);
    life.reopen(rng, &plan);
    let rating = life.rate(rng, &plan);
    life.close(rng);
    let paused_at = life.paused_at();
    let Life {
        mut ticket,
        mut events,
        ..
    } = life;
    apply_sla(&mut ticket, &mut events, &org.policy, paused_at, now);
    Generated {
        ticket,
        events,
        rating,
    }
}

/// What a ticket turns out to be and when each phase happens, drawn before its timeline is
/// written.
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
    /// A phone call the analyst who logged it resolved on the spot.
    first_contact: bool,
    /// Who owns it at its tier.
    assignee: i64,
    /// The first-line analyst who logs a call, or claims a ticket that needs a higher tier.
    logger: i64,
    created_by: i64,
    claimed: i64,
    replied: i64,
    note: Option<i64>,
    /// Escalated to the ticket's tier, and claimed there.
    escalated: Option<(i64, i64)>,
    /// Waited on someone from the first instant, until the second (None: still waiting).
    waited: Option<(i64, Option<i64>, PendingReason)>,
    /// None for a ticket that got stuck.
    resolved: Option<i64>,
}

/// Between `from` and `to`, `lo`..`hi` percent of the way.
fn between(rng: &mut Rng, from: i64, to: i64, lo: i64, hi: i64) -> i64 {
    from + (to - from).max(0) * rng.range(lo, hi) / 100
}

impl<'a> Plan<'a> {
    fn draw(rng: &mut Rng, created: i64, now: i64, org: &'a OrgInfo, team: &TeamInfo) -> Self {
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
        let first_contact = channel == Channel::Phone && rng.chance(40);
        let tier = match rng.below(100) {
            _ if first_contact => 1,
            0..=79 => 1,
            80..=94 => 2,
            _ => 3,
        };
        let assignee = *rng.pick(&team.tiers[tier - 1]);
        let logger = *rng.pick(&team.tiers[0]);
        let created_by = if channel == Channel::Phone {
            logger
        } else {
            requester.id
        };
        let dues = org.policy.dues(&ClockState {
            created_at: created,
            priority,
            paused_secs: 0,
        });
        // most answers well within the target, one in twenty late
        let (lo, hi) = if rng.chance(5) { (105, 170) } else { (5, 85) };
        let replied = between(rng, created, dues.response_due_at, lo, hi).max(created + 3 * MINUTE);
        let claimed = if first_contact {
            created
        } else {
            between(rng, created, replied, 20, 80)
        };
        let (lo, hi) = if rng.chance(6) { (105, 220) } else { (20, 90) };
        let resolved = if first_contact {
            created + 10 * MINUTE
        } else {
            between(rng, created, dues.resolution_due_at, lo, hi).max(replied + 20 * MINUTE)
        };
        let note = rng
            .chance(35)
            .then(|| between(rng, replied, resolved, 10, 40));
        let escalated = (tier > 1).then(|| {
            let at = between(rng, replied, resolved, 42, 55);
            (at, between(rng, at, resolved, 5, 15))
        });
        let wait = rng.chance(15).then(|| {
            let reason = *rng.pick(PendingReason::ALL);
            let from = between(rng, replied, resolved, 60, 75);
            let until = (resolved - rng.range(MINUTE, 10 * MINUTE)).max(from + MINUTE);
            (from, until, reason)
        });
        // of the last weeks' tickets, one in a hundred is stuck waiting on the client and a few
        // are forgotten; older ones were chased and closed long since
        let stuck = rng.below(1000);
        let age = now - created;
        let (waited, resolved) = match stuck {
            _ if first_contact => (None, Some(resolved)),
            0..=9 if age < 21 * DAY => {
                let reason = *rng.pick(&[
                    PendingReason::Customer,
                    PendingReason::Budget,
                    PendingReason::Approval,
                ]);
                (
                    Some((between(rng, replied, resolved, 62, 80), None, reason)),
                    None,
                )
            }
            10..=12 if age < 10 * DAY => (None, None),
            _ => (
                wait.map(|(from, to, reason)| (from, Some(to), reason)),
                Some(resolved),
            ),
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
            first_contact,
            assignee,
            logger,
            created_by,
            claimed,
            replied,
            note: note.filter(|_| !first_contact),
            escalated: escalated.filter(|_| !first_contact),
            waited,
            resolved,
        }
    }
}

/// A ticket being written together with its timeline, up to `now`: each step moves the ticket
/// along; the first step still to come ends the timeline.
struct Life {
    ticket: TicketRecord,
    events: Vec<EventRecord>,
    now: i64,
    /// Whether the timeline reached `now`.
    ended: bool,
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
            status: Status::New,
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
            ended: false,
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
    /// call resolved on the spot.
    fn first_response(&mut self, rng: &mut Rng, plan: &Plan) {
        let owner = if plan.tier == 1 {
            plan.assignee
        } else {
            plan.logger
        };
        let owner = if plan.first_contact {
            plan.logger
        } else {
            owner
        };
        if !self.step(
            plan.claimed,
            Some(owner),
            EventKind::Claimed,
            true,
            None,
            None,
        ) {
            return;
        }
        self.ticket.assignee_id = Some(owner);
        self.ticket.status = Status::Open;
        if plan.first_contact {
            return;
        }
        let body = Some(rng.pick(&data::REPLIES).to_string());
        let kind = EventKind::PublicReply;
        if self.step(plan.replied, Some(owner), kind, true, body, None) {
            self.ticket.first_response_at = Some(plan.replied);
        }
    }

    /// After the first answer: maybe a note, an escalation to the ticket's tier, a wait on the
    /// client or a third party.
    fn work(&mut self, rng: &mut Rng, plan: &Plan) {
        if let Some(at) = plan.note {
            let body = Some(rng.pick(&data::NOTES).to_string());
            let owner = self.ticket.assignee_id;
            self.step(at, owner, EventKind::InternalNote, false, body, None);
        }
        if let Some((at, claimed)) = plan.escalated {
            let body = Some("Needs specialist attention beyond first-line checks.".into());
            let data = Some(format!(r#"{{"from_tier":1,"to_tier":{}}}"#, plan.tier));
            let owner = self.ticket.assignee_id;
            if self.step(at, owner, EventKind::Escalated, false, body, data) {
                // the tier's analyst owns it from the escalation, and claims it soon after
                self.ticket.assignee_id = Some(plan.assignee);
                let who = Some(plan.assignee);
                self.step(claimed, who, EventKind::Claimed, true, None, None);
            }
        }
        if let Some((from, until, reason)) = plan.waited {
            let data = format!(
                r#"{{"from":"open","to":"pending","reason":"{}"}}"#,
                reason.as_str()
            );
            let owner = self.ticket.assignee_id.or(Some(plan.assignee));
            if !self.step(
                from,
                owner,
                EventKind::StatusChanged,
                true,
                None,
                Some(data),
            ) {
                return;
            }
            self.ticket.status = Status::Pending;
            self.ticket.pending_reason = Some(reason);
            self.ticket.requires_budget = reason == PendingReason::Budget;
            self.ticket.requires_approval = reason == PendingReason::Approval;
            let resumed = Some(r#"{"from":"pending","to":"open"}"#.to_string());
            if let Some(until) = until {
                if self.step(until, owner, EventKind::StatusChanged, true, None, resumed) {
                    self.ticket.status = Status::Open;
                    self.ticket.pending_reason = None;
                }
            }
        }
    }

    /// Resolved at `at` (None: never, so far), with the plan's resolution or `body`.
    fn resolve(&mut self, plan: &Plan, at: Option<i64>, body: Option<&str>) {
        let Some(at) = at else {
            self.ended = true;
            return;
        };
        let owner = self.ticket.assignee_id;
        let (body, data) = if plan.first_contact {
            (plan.resolution, Some(r#"{"first_contact":true}"#.into()))
        } else {
            (body.unwrap_or(plan.resolution), None)
        };
        let kind = EventKind::Resolved;
        if self.step(at, owner, kind, true, Some(body.to_string()), data) {
            self.ticket.status = Status::Resolved;
            self.ticket.resolved_at = Some(at);
            self.ticket.first_response_at.get_or_insert(at);
        }
    }

    /// One resolved ticket in twenty comes back a while later ("it is happening again") and is
    /// resolved again.
    fn reopen(&mut self, rng: &mut Rng, plan: &Plan) {
        let Some(resolved) = self.ticket.resolved_at else {
            return;
        };
        if plan.first_contact || !rng.chance(5) {
            return;
        }
        let at = resolved + rng.range(2 * HOUR, 4 * DAY);
        let said = Some("It is happening again since this morning.".to_string());
        let who = Some(plan.requester.id);
        if !self.step(at, who, EventKind::Reopened, true, said, None) {
            return;
        }
        self.ticket.status = Status::Open;
        self.ticket.resolved_at = None;
        let again = at + rng.range(HOUR, 2 * DAY);
        let body = "Found the cause this time: a scheduled task undid the fix. Removed it.";
        self.resolve(plan, Some(again), Some(body));
    }

    /// A third of the requesters rate their resolved ticket within a couple of days, mostly well.
    fn rate(&mut self, rng: &mut Rng, plan: &Plan) -> Option<NewRating> {
        let resolved = self.ticket.resolved_at?;
        if !rng.chance(35) {
            return None;
        }
        let stars = match rng.below(100) {
            0..=59 => 5,
            60..=84 => 4,
            85..=92 => 3,
            93..=96 => 2,
            _ => 1,
        };
        let comment = match stars {
            5 if rng.chance(30) => Some("Quick and friendly, thank you!"),
            1 | 2 => Some("Took too long and I had to chase it."),
            _ => None,
        };
        let at = resolved + rng.range(10 * MINUTE, 2 * DAY);
        let data = Some(format!(r#"{{"stars":{stars}}}"#));
        let who = Some(plan.requester.id);
        let body = comment.map(str::to_string);
        self.step(at, who, EventKind::Rated, true, body, data)
            .then(|| NewRating {
                ticket_id: self.ticket.id,
                stars,
                comment: comment.map(str::to_string),
                rated_by: plan.requester.id,
                rated_at: at,
            })
    }

    /// Closed automatically a few days after resolution.
    fn close(&mut self, rng: &mut Rng) {
        let Some(resolved) = self.ticket.resolved_at else {
            return;
        };
        let closed = resolved + rng.range(3 * DAY, 7 * DAY);
        let data = Some(r#"{"auto":true}"#.into());
        if self.step(closed, None, EventKind::Closed, true, None, data) {
            self.ticket.status = Status::Closed;
            self.ticket.closed_at = Some(closed);
        }
    }

    /// Since when the SLA clock stands still: a wait that pauses it.
    fn paused_at(&self) -> Option<i64> {
        self.ticket.pending_reason.filter(|r| r.pauses_sla())?;
        (self.ticket.status == Status::Pending).then_some(self.ticket.updated_at)
    }

    /// One step of the timeline, if it happened by `now` and nothing before it is still to come;
    /// it touches the ticket and counts a version. Says whether it happened.
    fn step(
        &mut self,
        at: i64,
        actor: Option<i64>,
        kind: EventKind,
        public: bool,
        body: Option<String>,
        data: Option<String>,
    ) -> bool {
        if self.ended || at > self.now {
            self.ended = true;
            return false;
        }
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
        true
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
        let n = 4000;
        let (mut resolved, mut met, mut rated, mut reopened, mut stale) = (0, 0, 0, 0, 0);
        for i in 0..n {
            let created = now - 90 * DAY + i * (90 * DAY / n) + 600;
            let Generated {
                ticket: t,
                events,
                rating,
            } = generate_ticket(
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
            assert!(
                rating.is_none() || t.resolved_at.is_some(),
                "rated unresolved"
            );
            if t.resolved_at.is_some() {
                resolved += 1;
                met += i64::from(!t.sla.resolution_breached);
            }
            rated += i64::from(rating.is_some());
            reopened += i64::from(events.iter().any(|e| e.kind == "reopened"));
            let open = matches!(t.status, Status::New | Status::Open);
            stale += i64::from(open && now - created > 14 * DAY);
        }
        // what an ops manager expects of a healthy desk
        let attainment = met * 100 / resolved;
        assert!(
            (88..=97).contains(&attainment),
            "SLA attainment {attainment}%"
        );
        assert!(
            (25..=45).contains(&(rated * 100 / resolved)),
            "{rated} rated"
        );
        assert!(
            (2..=8).contains(&(reopened * 100 / resolved)),
            "{reopened} reopened"
        );
        assert!(stale * 100 < n, "{stale} open for more than two weeks");
    }
}
