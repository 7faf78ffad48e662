//! The shape of every change to a ticket: one immediate transaction that loads the ticket,
//! checks the viewer may see it and saw its current version, applies the change, recomputes the
//! SLA clocks, writes the row guarded by its version, and appends the timeline events.

use crate::backend::db::WriteTx;
use crate::backend::live::LiveEvent;
use crate::backend::notify::outbox;
use crate::backend::policy::{Actor, TicketFacts, TicketKey, TicketScope};
use crate::backend::repo::tickets::{self, EventRecord, TicketRecord};
use crate::backend::repo::{reports, users};
use crate::backend::sla;
use crate::backend::state::AppState;
use crate::model::live::LiveKind;
use crate::model::ticket_detail::TicketActions;
use crate::model::{AppError, AppResult, EventData, EventKind, TicketNumber};

/// What a committed change touched: enough for live updates to say which ticket and which client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Changed {
    pub ticket_id: i64,
    pub number: TicketNumber,
    pub org_id: i64,
    pub version: i64,
}

pub struct TicketChange {
    pub tx: WriteTx,
    pub ticket: TicketRecord,
    pub actor: Actor,
    pub now: i64,
    pub actions: TicketActions,
    events: Vec<EventRecord>,
    sla_moved: bool,
    /// The change may make this a P1 that must page the person on call.
    page_check: bool,
    state: AppState,
}

/// The ticket a person may see, or 404 (never 403: a ticket outside your scope does not exist
/// for you, and we do not say otherwise).
pub async fn visible_ticket(
    conn: &mut crate::backend::db::Conn,
    scope: &TicketScope,
    actor: &Actor,
    number: i64,
) -> AppResult<TicketRecord> {
    let not_found =
        || AppError::NotFound(format!("Ticket {} was not found.", TicketNumber(number)));
    let ticket = tickets::find_by_number(&mut *conn, number)
        .await?
        .ok_or_else(not_found)?;
    let participant = matches!(scope, TicketScope::Staff { .. })
        && tickets::is_participant(&mut *conn, ticket.id, actor.id).await?;
    let key = TicketKey {
        org_id: ticket.org_id,
        requester_id: ticket.requester_id,
        participant,
    };
    if scope.allows(key) {
        Ok(ticket)
    } else {
        Err(not_found())
    }
}

/// The version of `t` that `actor` sees and changes it from: clients are never told of
/// staff-only steps, so theirs does not move with them (and a note is no conflict for them).
pub fn version_seen_by(actor: &Actor, t: &TicketRecord) -> i64 {
    if actor.is_staff() {
        t.version
    } else {
        t.public_version
    }
}

pub fn facts(t: &TicketRecord) -> TicketFacts {
    TicketFacts {
        status: t.status,
        tier: t.tier,
        assignee_id: t.assignee_id,
        requester_id: t.requester_id,
        org_id: t.org_id,
        resolved_at: t.resolved_at,
        pending_reason: t.pending_reason,
    }
}

impl TicketChange {
    /// Opens the change of ticket `number` that `actor` saw at `version`.
    pub async fn begin(
        state: &AppState,
        actor: &Actor,
        number: i64,
        version: i64,
    ) -> AppResult<TicketChange> {
        Self::open(state, actor, number, Some(version)).await
    }

    /// Opens a change that only adds to the ticket (a file) and so cannot contradict whatever
    /// changed since the person last looked: no version to match.
    pub async fn begin_addition(
        state: &AppState,
        actor: &Actor,
        number: i64,
    ) -> AppResult<TicketChange> {
        Self::open(state, actor, number, None).await
    }

    async fn open(
        state: &AppState,
        actor: &Actor,
        number: i64,
        version: Option<i64>,
    ) -> AppResult<TicketChange> {
        let scope = actor.ticket_scope(&state.pool).await?;
        let tx = crate::backend::db::begin_write(&state.pool).await?;
        Self::load(tx, state, actor, &scope, number, version).await
    }

    /// Continues `tx`, in which the caller already wrote what decided the change (an alert's
    /// row), with a change of ticket `number` that needs no version.
    pub async fn within(
        tx: WriteTx,
        state: &AppState,
        actor: &Actor,
        scope: &TicketScope,
        number: i64,
    ) -> AppResult<TicketChange> {
        Self::load(tx, state, actor, scope, number, None).await
    }

    async fn load(
        mut tx: WriteTx,
        state: &AppState,
        actor: &Actor,
        scope: &TicketScope,
        number: i64,
        version: Option<i64>,
    ) -> AppResult<TicketChange> {
        tickets::lock_by_number(&mut tx, number).await?;
        let ticket = visible_ticket(&mut tx, scope, actor, number).await?;
        if version.is_some_and(|v| v != version_seen_by(actor, &ticket)) {
            let message = stale_message(&mut tx, &ticket).await?;
            return Err(AppError::Conflict(message));
        }
        let now = state.now();
        let actions = actor.ticket_actions(&facts(&ticket), now);
        Ok(TicketChange {
            tx,
            ticket,
            actor: actor.clone(),
            now,
            actions,
            events: Vec::new(),
            sla_moved: false,
            page_check: false,
            state: state.clone(),
        })
    }

    /// Records a timeline step by the actor.
    pub fn event(&mut self, kind: EventKind, public: bool, body: Option<String>, data: EventData) {
        self.events.push(EventRecord {
            ticket_id: self.ticket.id,
            at: self.now,
            actor_id: Some(self.actor.id),
            kind: kind.as_str(),
            public: public && !kind.is_internal_only(),
            body,
            data: data.to_json(),
        });
    }

    /// Marks that the change moves the SLA clocks (priority, pauses, first response).
    pub fn sla_moved(&mut self) {
        self.sla_moved = true;
    }

    /// Marks that the change may call for an on-call page (priority raised, escalated).
    pub fn check_page(&mut self) {
        self.page_check = true;
    }

    /// Whether the change only added steps clients never see, leaving every field they see as
    /// it was (an internal note, a desk-only file).
    fn staff_only(&self) -> bool {
        !self.sla_moved
            && !self.events.is_empty()
            && self.events.iter().all(|e| {
                !e.public
                    && e.kind.parse::<EventKind>().is_ok_and(|kind| {
                        matches!(
                            kind,
                            EventKind::InternalNote
                                | EventKind::FileAttached
                                | EventKind::ArticleLinked
                                | EventKind::ProblemLinked
                        )
                    })
            })
    }

    pub fn number(&self) -> TicketNumber {
        TicketNumber(self.ticket.number)
    }

    pub async fn commit(mut self) -> AppResult<Changed> {
        let t = &mut self.ticket;
        t.updated_at = self.now;
        if self.sla_moved {
            let policy = sla::policy_for(&mut self.tx, t.org_id).await?;
            if t.pending_reason.is_some_and(|r| r.pauses_sla()) {
                sla::pause(t, self.now);
                sla::recompute(&policy, t, self.now);
            } else {
                sla::resume(&policy, t, self.now);
            }
        }
        sla::refresh_next_alert(t);
        let staff_only = self.staff_only();
        // the report days the ticket counted in before the change (a reopening takes back its
        // resolution's day) and after it are counted again
        reports::mark_ticket_days(&mut self.tx, self.ticket.id).await?;
        if !tickets::update(&mut self.tx, &self.ticket, staff_only).await? {
            // cannot happen while the change holds the ticket (`lock_by_number`); refuse rather
            // than overwrite
            return Err(AppError::Conflict(format!(
                "{} changed while you were saving. Please try again.",
                self.number()
            )));
        }
        reports::mark_ticket_days(&mut self.tx, self.ticket.id).await?;
        for e in &self.events {
            tickets::insert_event(&mut self.tx, e).await?;
        }
        tell_people(
            &mut self.tx,
            &self.state,
            &self.ticket,
            &self.actor,
            &self.events,
            self.now,
        )
        .await?;
        // a hand-over is taken up by the desk working the ticket, not by the client writing in
        if self.actor.is_staff() {
            crate::backend::repo::shifts::take_handoffs(
                &mut self.tx,
                self.ticket.id,
                self.actor.id,
                self.now,
            )
            .await?;
        }
        if self.page_check
            && crate::backend::oncall::needs_page(&mut self.tx, &self.ticket, self.now).await?
        {
            crate::backend::oncall::page(&mut self.tx, &self.state, &self.ticket, self.now, None)
                .await?;
        }
        let mut event = live_event(&mut self.tx, LiveKind::Changed, &self.ticket).await?;
        event.version = self.ticket.version + 1;
        event.staff_only = staff_only;
        commit_and_announce(self.tx, &self.state, event).await?;
        Ok(Changed {
            ticket_id: self.ticket.id,
            number: TicketNumber(self.ticket.number),
            org_id: self.ticket.org_id,
            version: self.ticket.version + 1,
        })
    }
}

/// The live event for a change to `t`, read inside the change's transaction.
pub async fn live_event(
    conn: &mut crate::backend::db::Conn,
    kind: LiveKind,
    t: &TicketRecord,
) -> AppResult<LiveEvent> {
    Ok(LiveEvent {
        kind,
        number: t.number,
        version: t.version,
        org_id: t.org_id,
        requester_id: t.requester_id,
        assignee_id: t.assignee_id,
        participants: tickets::participants(conn, t.id).await?,
        staff_only: false,
    })
}

/// Commits a change to a ticket and tells everyone who follows it (see [`announce`]), on every
/// instance of the desk.
pub async fn commit_and_announce(
    mut tx: crate::backend::db::WriteTx,
    state: &AppState,
    event: LiveEvent,
) -> AppResult<()> {
    crate::backend::live::tell_other_instances(&mut tx, &state.live, &event).await?;
    tx.commit().await?;
    announce(state, event);
    Ok(())
}

/// After commit: tell the browsers, let the SLA engine look again at what is due next, and the
/// notification and webhook workers at what is new in the outbox.
fn announce(state: &AppState, event: LiveEvent) {
    state.live.publish(event);
    state.sla_wake.notify_one();
    state.notify_wake.notify_one();
    state.webhook_wake.notify_one();
}

/// Writes the notifications and webhook deliveries of a change's steps, in the change's
/// transaction.
pub async fn tell_people(
    conn: &mut crate::backend::db::Conn,
    state: &AppState,
    t: &TicketRecord,
    actor: &Actor,
    events: &[EventRecord],
    now: i64,
) -> AppResult<()> {
    let parsed: Vec<(EventKind, EventData, &EventRecord)> = events
        .iter()
        .filter_map(|e| {
            Some((
                e.kind.parse::<EventKind>().ok()?,
                EventData::from_json(e.data.as_deref()),
                e,
            ))
        })
        .collect();
    let steps: Vec<outbox::Step<'_>> = parsed
        .iter()
        .map(|(kind, data, e)| outbox::Step {
            kind: *kind,
            public: e.public,
            actor_name: &actor.name,
            body: e.body.as_deref(),
            data,
        })
        .collect();
    let base_url = &state.settings.notify.base_url;
    outbox::enqueue_steps(conn, t, actor.id, &steps, base_url, now).await?;
    crate::backend::webhooks::enqueue_steps(conn, t, &actor.name, events, base_url, now).await?;
    Ok(())
}

/// Says what the ticket is now, for someone whose view was stale.
async fn stale_message(conn: &mut crate::backend::db::Conn, t: &TicketRecord) -> AppResult<String> {
    let owner = match t.assignee_id {
        Some(id) => users::name(&mut *conn, id).await?,
        None => None,
    };
    let now = match owner {
        Some(name) => format!(
            "it is now {} and with {name}",
            t.status.label().to_lowercase()
        ),
        None => format!(
            "it is now {} and unassigned",
            t.status.label().to_lowercase()
        ),
    };
    Ok(format!(
        "{} was changed by someone else since you opened it ({now}). Nothing was saved; the page now shows the latest.",
        TicketNumber(t.number)
    ))
}
