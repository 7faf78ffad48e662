//! The analysts' queue: a page of tickets in queue order, the counts beside its filters, and
//! every open ticket an analyst holds (for the shift page).

use crate::backend::policy::{Actor, TicketScope};
use crate::backend::repo::{orgs, teams, tickets, users};
use crate::backend::state::AppState;
use crate::model::queue::{
    AssigneeFilter, Choice, QueueCounts, QueueFilter, QueuePage, QueueRow, RequesterChoice,
    StatusView, PAGE_SIZE,
};
use crate::model::{AppError, AppResult, Page};

/// The organization a client filter names, if the viewer may see it; unknown and out-of-scope
/// codes read the same.
async fn client_filter(
    state: &AppState,
    scope: &TicketScope,
    filter: &QueueFilter,
) -> AppResult<Option<i64>> {
    let Some(code) = &filter.client else {
        return Ok(None);
    };
    let id = orgs::find_id_by_code(&mut state.pool.acquire().await?, code).await?;
    match id {
        Some(id) if scope.orgs().is_none_or(|orgs| orgs.contains(&id)) => Ok(Some(id)),
        _ => Err(AppError::invalid(format!(
            "No client you serve has the code {code}."
        ))),
    }
}

/// (id, code, name) of the active client organizations `scope` may see, by name: the client
/// choices of the queue and the reports.
pub async fn visible_clients(
    conn: &mut crate::backend::db::Conn,
    scope: &TicketScope,
) -> AppResult<Vec<(i64, String, String)>> {
    let visible = scope.orgs();
    Ok(orgs::list(&mut *conn)
        .await?
        .into_iter()
        .filter(|(id, ..)| visible.as_ref().is_none_or(|v| v.contains(id)))
        .collect())
}

/// (id, code, name) of the client organizations `actor` serves or belongs to.
pub async fn visible_orgs(
    state: &AppState,
    actor: &Actor,
) -> AppResult<Vec<(i64, String, String)>> {
    let scope = actor.ticket_scope(&state.pool).await?;
    visible_clients(&mut state.pool.acquire().await?, &scope).await
}

async fn checked(
    state: &AppState,
    actor: &Actor,
    filter: &QueueFilter,
) -> AppResult<(TicketScope, Option<i64>)> {
    actor.require_page(Page::Queue)?;
    filter.validate().map_err(AppError::BadRequest)?;
    if let Some(team) = filter.team {
        teams::name(&mut state.pool.acquire().await?, team)
            .await?
            .ok_or_else(|| AppError::invalid("That team does not exist."))?;
    }
    let scope = actor.ticket_scope(&state.pool).await?;
    let org = client_filter(state, &scope, filter).await?;
    Ok((scope, org))
}

/// The most tickets one page of [`list_page`] holds.
pub const MAX_LIST_PAGE: usize = 100;

/// A page of up to `limit` tickets `actor` may see, in queue order, under the queue's filters
/// and search, with the cursor of the next page (keyed on the sort key and id, so tickets raised
/// meanwhile neither repeat nor push rows off a page): what the queue shows staff, and what the
/// portal shows a client (their own requests; a client admin's, their organization's).
pub async fn list_page(
    state: &AppState,
    actor: &Actor,
    filter: &QueueFilter,
    limit: usize,
) -> AppResult<(Vec<QueueRow>, Option<crate::model::queue::Cursor>)> {
    if !(1..=MAX_LIST_PAGE).contains(&limit) {
        return Err(AppError::invalid(format!(
            "limit must be 1 to {MAX_LIST_PAGE}."
        )));
    }
    let (scope, org) = if actor.role.is_client() {
        filter.validate().map_err(AppError::BadRequest)?;
        let scope = actor.ticket_scope(&state.pool).await?;
        let org = client_filter(state, &scope, filter).await?;
        (scope, org)
    } else {
        checked(state, actor, filter).await?
    };
    let mut conn = state.pool.acquire().await?;
    Ok(tickets::queue_page(&mut conn, &scope, filter, org, actor.id, limit).await?)
}

/// Every open ticket `actor` holds, in queue order (the shift page: what to hand over). Reads
/// them in pages of HELD_PAGE on one connection.
pub async fn held_by(state: &AppState, actor: &Actor) -> AppResult<Vec<QueueRow>> {
    const HELD_PAGE: usize = 500;
    let mut filter = QueueFilter {
        assignee: AssigneeFilter::Me,
        ..Default::default()
    };
    let (scope, org) = checked(state, actor, &filter).await?;
    let mut conn = state.pool.acquire().await?;
    let mut held = Vec::new();
    loop {
        let (mut rows, next) =
            tickets::queue_page(&mut conn, &scope, &filter, org, actor.id, HELD_PAGE).await?;
        held.append(&mut rows);
        match next {
            Some(after) => filter.after = Some(after),
            None => return Ok(held),
        }
    }
}

pub async fn queue_page(
    state: &AppState,
    actor: &Actor,
    filter: &QueueFilter,
) -> AppResult<QueuePage> {
    let (scope, org) = checked(state, actor, filter).await?;
    let mut conn = state.pool.acquire().await?;
    let (rows, next) =
        tickets::queue_page(&mut conn, &scope, filter, org, actor.id, PAGE_SIZE).await?;
    let clients = visible_clients(&mut conn, &scope)
        .await?
        .into_iter()
        .map(|(_, code, name)| Choice {
            value: code,
            label: name,
        })
        .collect();
    let teams = teams::list(&mut conn)
        .await?
        .into_iter()
        .map(|(id, name)| Choice {
            value: id.to_string(),
            label: name,
        })
        .collect();
    Ok(QueuePage {
        rows,
        next,
        counts: QueueCounts::default(),
        clients,
        teams,
        now: state.now(),
    })
}

/// Matches of a search whose tickets are counted one by one; beyond it the counts are
/// estimated from an even sample of about this many (a common word matches 62,000 tickets at
/// 1M, and reading each took 200 ms).
const SEARCH_SAMPLE: i64 = 2_000;

/// How many tickets each status view, and "mine" and "unassigned" in the current view, hold
/// under the other filters. Each count stops at COUNT_CAP. A search counts them all in one pass
/// over its matches (over a sample of them for a common word, estimated); otherwise each is a
/// capped walk of an index.
pub async fn queue_counts(
    state: &AppState,
    actor: &Actor,
    filter: &QueueFilter,
) -> AppResult<QueueCounts> {
    let (scope, org) = checked(state, actor, filter).await?;
    let mut conn = state.pool.acquire().await?;
    if tickets::searches(filter) {
        // a common word's counts are estimated from an even sample of its matches
        let matches = tickets::search_matches(&mut conn, filter).await?;
        let sample = matches.map_or(1, |n| ((n + SEARCH_SAMPLE - 1) / SEARCH_SAMPLE).max(1));
        let (counts, mine, unassigned) = tickets::queue_counts_of_search(
            &mut conn,
            &scope,
            filter,
            org,
            actor.id,
            StatusView::ALL,
            sample,
        )
        .await?;
        return Ok(QueueCounts {
            by_view: StatusView::ALL.iter().copied().zip(counts).collect(),
            mine,
            unassigned,
            estimated: sample > 1,
        });
    }
    let mut by_view = Vec::new();
    for view in StatusView::ALL {
        let f = QueueFilter {
            view: *view,
            after: None,
            ..filter.clone()
        };
        by_view.push((
            *view,
            tickets::queue_count(&mut conn, &scope, &f, org, actor.id).await?,
        ));
    }
    let mine = QueueFilter {
        assignee: AssigneeFilter::Me,
        after: None,
        ..filter.clone()
    };
    let unassigned = QueueFilter {
        assignee: AssigneeFilter::Unassigned,
        after: None,
        ..filter.clone()
    };
    Ok(QueueCounts {
        by_view,
        mine: tickets::queue_count(&mut conn, &scope, &mine, org, actor.id).await?,
        unassigned: tickets::queue_count(&mut conn, &scope, &unassigned, org, actor.id).await?,
        estimated: false,
    })
}

/// Clients the signed-in staff member may raise a ticket for, matching `q` (name or e-mail).
pub async fn find_requesters(
    state: &AppState,
    actor: &Actor,
    q: &str,
) -> AppResult<Vec<RequesterChoice>> {
    actor.require_staff()?;
    let q = q.trim();
    if q.chars().count() > 100 {
        return Err(AppError::invalid("Search for at most 100 characters."));
    }
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let scope = actor.ticket_scope(&state.pool).await?;
    let orgs = scope.orgs();
    let mut conn = state.pool.acquire().await?;
    Ok(users::search_requesters(&mut conn, q, orgs.as_deref(), 10)
        .await?
        .into_iter()
        .map(|m| RequesterChoice {
            id: m.id,
            name: m.name,
            email: m.email,
            org_name: m.org_name,
        })
        .collect())
}
