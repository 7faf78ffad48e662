//! SLA clocks on tickets: loads an organization's policy and keeps a ticket's due instants in
//! step with its state. Called inside the transaction of every change that moves them.

use super::repo::sla as sla_repo;
use super::repo::tickets::TicketRecord;
use crate::backend::db::Conn;
use crate::model::sla::{
    parse_time_zone, AlertClock, BusinessCalendar, ClockState, SlaPolicy, WorkingHours,
};
use crate::model::{AppError, AppResult};
use chrono::NaiveDate;

/// The policy of an organization, validated.
pub async fn policy_for(conn: &mut Conn, org_id: i64) -> AppResult<SlaPolicy> {
    let stored = sla_repo::load(conn, org_id)
        .await?
        .ok_or_else(|| AppError::not_found("The organization"))?;
    to_policy(stored).map_err(|e| {
        tracing::error!(org_id, error = %e, "stored SLA policy is invalid");
        AppError::Internal
    })
}

pub fn to_policy(stored: sla_repo::StoredPolicy) -> Result<SlaPolicy, String> {
    Ok(SlaPolicy {
        targets: stored.targets,
        business: BusinessCalendar {
            tz: parse_time_zone(&stored.time_zone)?,
            hours: WorkingHours::parse(&stored.working_days, stored.hours_start, stored.hours_end)?,
            holidays: stored
                .holidays
                .iter()
                .filter_map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .collect(),
        },
        warn_percent: stored.warn_percent,
    })
}

/// Recomputes every due instant of `t` from its creation, priority and pauses. Alerts already
/// raised for a target that moved later are cleared, so that they can fire again at the new time.
pub fn recompute(policy: &SlaPolicy, t: &mut TicketRecord, now: i64) {
    let dues = policy.dues(&ClockState {
        created_at: t.created_at,
        priority: t.priority,
        paused_secs: t.sla.paused_secs,
    });
    let s = &mut t.sla;
    s.response_due_at = dues.response_due_at;
    s.response_warn_at = dues.response_warn_at;
    s.resolution_due_at = dues.resolution_due_at;
    s.resolution_warn_at = dues.resolution_warn_at;
    let (next_due, next_warn) = dues.next(t.first_response_at.is_some());
    s.next_due_at = next_due;
    s.next_warn_at = next_warn;
    s.response_warned &= s.response_warn_at <= now;
    s.response_breached &= s.response_due_at <= now;
    s.resolution_warned &= s.resolution_warn_at <= now;
    s.resolution_breached &= s.resolution_due_at <= now;
    refresh_next_alert(t);
}

/// The alert state of a ticket, as the model reasons about it.
pub fn alert_clock(t: &TicketRecord) -> AlertClock {
    let s = &t.sla;
    AlertClock {
        active: t.status.is_active(),
        responded: t.first_response_at.is_some(),
        paused: s.paused_at.is_some(),
        response_warn_at: s.response_warn_at,
        response_due_at: s.response_due_at,
        resolution_warn_at: s.resolution_warn_at,
        resolution_due_at: s.resolution_due_at,
        response_warned: s.response_warned,
        response_breached: s.response_breached,
        resolution_warned: s.resolution_warned,
        resolution_breached: s.resolution_breached,
    }
}

/// Keeps `sla_next_alert_at` in step with the ticket's state (call after any change).
pub fn refresh_next_alert(t: &mut TicketRecord) {
    t.sla.next_alert_at = alert_clock(t).next_alert_at();
}

/// Writes the alert marks of `clock` back onto the ticket.
pub fn apply_alert_clock(t: &mut TicketRecord, clock: &AlertClock) {
    let s = &mut t.sla;
    s.response_warned = clock.response_warned;
    s.response_breached = clock.response_breached;
    s.resolution_warned = clock.resolution_warned;
    s.resolution_breached = clock.resolution_breached;
    s.next_alert_at = clock.next_alert_at();
}

/// Stops the resolution clock (entering a pausing pending state).
pub fn pause(t: &mut TicketRecord, now: i64) {
    if t.sla.paused_at.is_none() {
        t.sla.paused_at = Some(now);
    }
}

/// Restarts the resolution clock: the working time it stood still is added to the pause total
/// and the dues move out by exactly that much.
pub fn resume(policy: &SlaPolicy, t: &mut TicketRecord, now: i64) {
    if let Some(since) = t.sla.paused_at.take() {
        t.sla.paused_secs += policy.working_secs(t.priority, since, now);
    }
    recompute(policy, t, now);
}
