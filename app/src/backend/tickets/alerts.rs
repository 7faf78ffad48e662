//! Monitoring alerts become tickets: one ticket per alert however often it fires, resolved when
//! it clears if no person touched it, reopened when it comes back soon, left open when it flaps,
//! and silent inside an organization's maintenance window. Each report is one transaction that
//! holds the alert's row, so concurrent reports of one alert take turns.

use super::change::{Changed, TicketChange};
use super::raise::{commit_opened, open_ticket, Opening};
use super::work::{move_priority, move_status};
use crate::backend::db::{Conn, WriteTx};
use crate::backend::policy::{Actor, TicketScope};
use crate::backend::repo::alerts::{self, AlertRow};
use crate::backend::repo::{orgs, tickets, users};
use crate::backend::state::AppState;
use crate::model::alert::{decide, AlertStatus, Outcome, Returns, Standing, ValidAlert};
use crate::model::{AppError, AppResult, Channel, EventData, EventKind, Status};

/// What the desk did with a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertAnswer {
    pub outcome: Outcome,
    /// The alert's ticket, when it has one.
    pub ticket: Option<Changed>,
    pub fired_count: i64,
    pub suppressed_count: i64,
    pub flapping: bool,
}

/// An organization the actor serves, by its code; the same answer for one that does not exist
/// and one outside their scope.
pub(super) async fn served_org(conn: &mut Conn, scope: &TicketScope, code: &str) -> AppResult<i64> {
    let unknown = || AppError::invalid(format!("No organization has the code \"{code}\"."));
    let org_id = orgs::find_id_by_code(&mut *conn, code)
        .await?
        .filter(|id| scope.orgs().is_none_or(|orgs| orgs.contains(id)))
        .ok_or_else(unknown)?;
    match orgs::active(conn, org_id).await? {
        Some(true) => Ok(org_id),
        _ => Err(AppError::invalid(format!(
            "The organization \"{code}\" is deactivated."
        ))),
    }
}

/// Takes in one report of a monitoring alert as `actor` (the integration's service user).
pub async fn report_alert(
    state: &AppState,
    actor: &Actor,
    alert: &ValidAlert,
) -> AppResult<AlertAnswer> {
    if !actor.is_staff() {
        return Err(AppError::Forbidden(
            "Alerts come from monitoring integrations that act for the desk.".into(),
        ));
    }
    let scope = actor.ticket_scope(&state.pool).await?;
    let now = state.now();
    let rule = state.settings.alert_flapping;
    let mut tx = crate::backend::db::begin_write(&state.pool).await?;
    let org_id = served_org(&mut tx, &scope, &alert.organization).await?;
    let mut row = alerts::record(&mut tx, org_id, alert, now).await?;
    let ticket = match row.ticket_id {
        Some(id) => tickets::find_by_id(&mut tx, id).await?,
        None => None,
    };
    let standing = match &ticket {
        Some(t) if t.status.is_active() => Standing::Active {
            untouched: t.assignee_id.is_none()
                && !alerts::touched_by_others(&mut tx, t.id, actor.id).await?,
        },
        Some(t) if t.status == Status::Resolved => Standing::Resolved {
            by_alert_at: row.auto_resolved_at,
        },
        _ => Standing::NoTicket,
    };
    let in_maintenance = alerts::window_at(&mut tx, org_id, now).await?.is_some();
    let returns = returns_of(&row);
    let outcome = decide(alert.status, standing, in_maintenance, returns, rule, now);
    if alert.status == AlertStatus::Firing {
        if outcome == Outcome::Suppressed {
            row.suppressed_count += 1;
        } else {
            row.fired_count += 1;
        }
    }
    let named = EventData {
        alert: Some(alert.name()),
        ..Default::default()
    };
    let number = ticket.as_ref().map(|t| t.number);
    let changed = match (outcome, number) {
        (Outcome::Opened, _) => {
            row.fired_count = 1;
            row.auto_resolved_at = None;
            row.returns_count = 0;
            row.returns_since = None;
            Some(open(tx, state, actor, alert, org_id, &mut row, named).await?)
        }
        (Outcome::Suppressed | Outcome::Recorded, _) | (_, None) => {
            alerts::save(&mut tx, &row).await?;
            tx.commit().await?;
            None
        }
        (Outcome::Repeated, Some(number)) => {
            alerts::save(&mut tx, &row).await?;
            let mut c = TicketChange::within(tx, state, actor, &scope, number).await?;
            let data = EventData {
                count: Some(row.fired_count),
                ..named
            };
            c.event(EventKind::AlertFired, false, None, data);
            // an alert that grew worse makes its ticket more urgent, never less
            let priority = alert.severity.priority();
            if priority.rank() < c.ticket.priority.rank() && c.ticket.status.is_active() {
                move_priority(&mut c, priority);
            }
            Some(c.commit().await?)
        }
        (Outcome::Reopened, Some(number)) => {
            let returned = returns.after_return(rule, now);
            row.returns_count = i64::from(returned.count);
            row.returns_since = returned.since;
            row.auto_resolved_at = None;
            alerts::save(&mut tx, &row).await?;
            let mut c = TicketChange::within(tx, state, actor, &scope, number).await?;
            move_status(&mut c, Status::Open)?;
            c.ticket.resolved_at = None;
            c.sla_moved();
            c.check_page();
            c.event(EventKind::Reopened, true, None, named);
            Some(c.commit().await?)
        }
        (Outcome::Resolved, Some(number)) => {
            row.auto_resolved_at = Some(now);
            alerts::save(&mut tx, &row).await?;
            let mut c = TicketChange::within(tx, state, actor, &scope, number).await?;
            move_status(&mut c, Status::Resolved)?;
            c.ticket.resolved_at = Some(now);
            c.ticket.first_response_at.get_or_insert(now);
            c.sla_moved();
            let note = format!("The monitoring alert {} cleared.", alert.name());
            c.event(EventKind::Resolved, true, Some(note), named);
            Some(c.commit().await?)
        }
        (Outcome::Cleared, Some(number)) => {
            alerts::save(&mut tx, &row).await?;
            let mut c = TicketChange::within(tx, state, actor, &scope, number).await?;
            let data = EventData {
                reason: returns.flapping(rule, now).then(|| "flapping".to_string()),
                ..named
            };
            c.event(EventKind::AlertCleared, false, None, data);
            Some(c.commit().await?)
        }
    };
    Ok(AlertAnswer {
        outcome,
        ticket: changed,
        fired_count: row.fired_count,
        suppressed_count: row.suppressed_count,
        flapping: returns_of(&row).flapping(rule, now),
    })
}

fn returns_of(row: &AlertRow) -> Returns {
    Returns {
        count: u32::try_from(row.returns_count).unwrap_or(u32::MAX),
        since: row.returns_since,
    }
}

/// Opens the alert's ticket for the organization's contact, with the team that serves it;
/// a critical alert is a P1 and pages the person on call.
async fn open(
    mut tx: WriteTx,
    state: &AppState,
    actor: &Actor,
    alert: &ValidAlert,
    org_id: i64,
    row: &mut AlertRow,
    named: EventData,
) -> AppResult<Changed> {
    let requester_id = alerts::contact(&mut tx, org_id, alert.requester.as_deref())
        .await?
        .ok_or_else(|| match alert.requester {
            Some(_) => AppError::invalid(format!(
                "No active client user of \"{}\" has that e-mail address.",
                alert.organization
            )),
            None => AppError::invalid(format!(
                "\"{}\" has no active client user to raise the alert for; add one or name the \
                 requester.",
                alert.organization
            )),
        })?;
    let requester = users::profile(&mut tx, requester_id)
        .await?
        .ok_or(AppError::Internal)?;
    let opening = Opening {
        requester,
        requester_id,
        org_id,
        channel: Channel::Api,
        subject: alert.title.clone(),
        problem: alert.problem(),
        urgency: alert.severity.urgency(),
        priority: alert.severity.priority(),
        category_id: None,
        team_id: orgs::default_team(&mut tx, org_id).await?,
        taken_by_actor: false,
        resolution: None,
        created: named,
        requires_budget: false,
        requires_approval: false,
    };
    let t = open_ticket(&mut tx, state, actor, opening).await?;
    row.ticket_id = Some(t.id);
    alerts::save(&mut tx, row).await?;
    commit_opened(tx, state, &t).await
}
