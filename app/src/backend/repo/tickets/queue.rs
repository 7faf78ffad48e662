//! The queue: one page of the tickets a person may see under a filter, in the queue's order,
//! and the counts of the filter bar.

use super::decode;
use crate::backend::policy::TicketScope;
use crate::backend::repo::scope::push_scope;
use crate::backend::repo::text::Terms;
use crate::backend::repo::{db_run, push_ids, Builder, Columns, Conn, Dialect};
use crate::model::queue::{
    AssigneeFilter, Cursor, FlagFilter, QueueFilter, QueueRow, StatusView, COUNT_CAP,
};
use crate::model::{TicketNumber, UserRef};
use sqlx::QueryBuilder;

/// How a text search takes part in a query.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Search {
    /// The matches drive the query: one table row per match.
    Drives,
    /// The matches only filter the walk of a queue index (`+t.id` keeps SQLite from looking up
    /// every match instead), which stops after a page: for views of open work, whose range is
    /// bounded by open work, while a common word matches 62,000 tickets at 1M.
    Filters,
    /// One match in `k` drives the query (those whose id is a multiple of `k`): a sample spread
    /// evenly over the years of matches, which a common word's counts are estimated from.
    Sampled(i64),
}

/// The filters of `filter` other than its status view and cursor, for `me`.
fn push_filters<'q>(
    qb: &mut impl Builder<'q>,
    filter: &QueueFilter,
    org_id: Option<i64>,
    me: i64,
    search: Search,
) {
    if let Some(org) = org_id {
        qb.push(" AND t.org_id = ").push_bind(org);
    }
    if let Some(p) = filter.priority {
        qb.push(" AND t.priority = ").push_bind(p.as_str());
    }
    if let Some(team) = filter.team {
        // a page of open work walks the queue index in its order; the team's counts index
        // (whose range of open work SQLite would otherwise sort whole, 20,000 rows at 1M)
        // serves the counts
        let walks_queue = search == Search::Filters;
        qb.push(match qb.dialect() {
            Dialect::Sqlite if walks_queue => " AND +t.team_id = ",
            _ => " AND t.team_id = ",
        })
        .push_bind(team);
    }
    if let Some(tier) = filter.tier {
        qb.push(" AND t.tier = ").push_bind(i64::from(tier));
    }
    push_assignee(qb, filter.assignee, me);
    match filter.flag {
        Some(FlagFilter::Budget) => qb.push(" AND t.requires_budget"),
        Some(FlagFilter::Approval) => qb.push(" AND t.requires_approval"),
        None => qb,
    };
    if let Some(q) = filter.q.as_deref() {
        if let Ok(number) = q.parse::<TicketNumber>() {
            qb.push(" AND t.number = ").push_bind(number.0);
        } else if let Some(terms) = Terms::all(q) {
            let expr = terms.query(qb.dialect());
            // FTS5 reads the ids of its matches without their rows, so a sample costs a row
            // only for each match it keeps
            let sampled = match search {
                Search::Sampled(k) => Some(k),
                _ => None,
            };
            match qb.dialect() {
                Dialect::Sqlite => {
                    qb.push(match search {
                        Search::Filters => " AND +t.id",
                        Search::Drives | Search::Sampled(_) => " AND t.id",
                    })
                    .push(" IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ")
                    .push_bind(expr);
                    if let Some(k) = sampled {
                        qb.push(" AND rowid % ").push_bind(k).push(" = 0");
                    }
                    qb.push(")");
                }
                // the planner weighs the GIN index against the queue's own
                Dialect::Postgres => {
                    qb.push(" AND t.fts @@ to_tsquery('frontline', ")
                        .push_bind(expr)
                        .push(")");
                    if let Some(k) = sampled {
                        qb.push(" AND t.id % ").push_bind(k).push(" = 0");
                    }
                }
            }
        }
    }
}

fn push_assignee<'q>(qb: &mut impl Builder<'q>, assignee: AssigneeFilter, me: i64) {
    match assignee {
        AssigneeFilter::Anyone => {}
        AssigneeFilter::Me => {
            qb.push(" AND t.assignee_id = ").push_bind(me);
        }
        AssigneeFilter::Unassigned => {
            qb.push(" AND t.assignee_id IS NULL");
        }
        AssigneeFilter::User(id) => {
            qb.push(" AND t.assignee_id = ").push_bind(id);
        }
    }
}

fn push_view<'q>(qb: &mut impl Builder<'q>, view: StatusView) {
    match view {
        StatusView::Active => qb.push(" AND t.status_rank <= 1"),
        StatusView::New => qb.push(" AND t.status_rank = 0 AND t.status = 'new'"),
        StatusView::Open => qb.push(" AND t.status_rank = 0 AND t.status = 'open'"),
        StatusView::Pending => qb.push(" AND t.status_rank = 1"),
        StatusView::Resolved => qb.push(" AND t.status_rank = 2"),
        StatusView::Closed => qb.push(" AND t.status_rank = 3"),
    };
}

/// One page of the queue in the queue's order, and the cursor of the next page if there is one.
///
/// Cost: the page walks the queue index (`tickets_queue`, or `tickets_queue_by_org` with a client
/// filter; `tickets_recent*` for finished views) from the cursor and stops after PAGE_SIZE + 1
/// visible rows, so it does not grow with the number of tickets, only with how selective the
/// other filters are among open work. A text search first collects the matching ids from FTS5;
/// in views of open work they only filter that walk, in finished views (where the walk could
/// cover every closed ticket for a rare word) the matches drive the query, one row each.
pub async fn queue_page(
    conn: &mut Conn,
    scope: &TicketScope,
    filter: &QueueFilter,
    org_id: Option<i64>,
    me: i64,
    page_size: usize,
) -> sqlx::Result<(Vec<QueueRow>, Option<Cursor>)> {
    db_run!(conn, conn => {
        let by_due = filter.view.orders_by_due();
        let mut qb = QueryBuilder::new(
            "SELECT t.id, t.number, o.code AS org_code, o.name AS org_name, t.subject, r.name AS requester, t.status,
                t.status_rank, t.pending_reason, t.priority, t.requires_budget, t.requires_approval, t.tier,
                tm.name AS team, t.assignee_id, a.name AS assignee_name, t.created_at, t.updated_at,
                t.next_due_at, t.next_warn_at, ",
        );
        // clients know the version their changes are checked against
        qb.push(if scope.sees_staff_notes() {
            "t.version, "
        } else {
            "t.public_version AS version, "
        });
        if scope.sees_staff_notes() {
            qb.push(
                "(SELECT h.note FROM handoffs h
                  WHERE h.ticket_id = t.id AND h.taken_at IS NULL AND h.from_user <> ",
            )
            .push_bind(me)
            .push(" AND (h.to_user = ")
            .push_bind(me)
            .push(" OR h.to_user IS NULL) ORDER BY h.id DESC LIMIT 1)");
        } else {
            // hand-over notes are the desk's own: a client's list never carries them
            qb.push("NULL");
        }
        qb.push(
            " AS handoff_note
         FROM tickets t
         JOIN organizations o ON o.id = t.org_id
         JOIN users r ON r.id = t.requester_id
         LEFT JOIN teams tm ON tm.id = t.team_id
         LEFT JOIN users a ON a.id = t.assignee_id
         WHERE ",
        );
        push_scope(&mut qb, scope);
        push_view(&mut qb, filter.view);
        let search = if by_due {
            Search::Filters
        } else {
            Search::Drives
        };
        push_filters(&mut qb, filter, org_id, me, search);
        if let Some(c) = filter.after {
            if by_due {
                qb.push(" AND (t.status_rank, t.next_due_at, t.id) > (")
                    .push_bind(c.rank)
                    .push(", ")
                    .push_bind(c.key)
                    .push(", ")
                    .push_bind(c.id)
                    .push(")");
            } else {
                qb.push(" AND (t.updated_at, t.id) < (")
                    .push_bind(c.key)
                    .push(", ")
                    .push_bind(c.id)
                    .push(")");
            }
        }
        qb.push(if by_due {
            " ORDER BY t.status_rank, t.next_due_at, t.id"
        } else {
            " ORDER BY t.updated_at DESC, t.id DESC"
        });
        qb.push(" LIMIT ").push_bind(page_size as i64 + 1);
        let rows = qb.build().fetch_all(conn).await?;
        let mut out = Vec::with_capacity(rows.len());
        let mut keys = Vec::with_capacity(rows.len());
        for r in &rows {
            let assignee_id: Option<i64> = r.try_get("assignee_id")?;
            let assignee_name: Option<String> = r.try_get("assignee_name")?;
            let pending: Option<String> = r.try_get("pending_reason")?;
            let row = QueueRow {
                id: r.try_get("id")?,
                number: TicketNumber(r.try_get("number")?),
                org_code: r.try_get("org_code")?,
                org_name: r.try_get("org_name")?,
                subject: r.try_get("subject")?,
                requester: r.try_get("requester")?,
                status: decode(r, "status")?,
                pending_reason: pending.and_then(|p| p.parse().ok()),
                priority: decode(r, "priority")?,
                requires_budget: r.try_get("requires_budget")?,
                requires_approval: r.try_get("requires_approval")?,
                tier: r.try_get::<i64>("tier")? as u8,
                team: r.try_get("team")?,
                assignee: assignee_id
                    .zip(assignee_name)
                    .map(|(id, name)| UserRef { id, name }),
                created_at: r.try_get("created_at")?,
                updated_at: r.try_get("updated_at")?,
                next_due_at: r.try_get("next_due_at")?,
                next_warn_at: r.try_get("next_warn_at")?,
                version: r.try_get("version")?,
                handoff_note: r.try_get("handoff_note")?,
            };
            let rank: i64 = r.try_get("status_rank")?;
            keys.push(if by_due {
                Cursor {
                    rank,
                    key: row.next_due_at,
                    id: row.id,
                }
            } else {
                Cursor {
                    rank,
                    key: row.updated_at,
                    id: row.id,
                }
            });
            out.push(row);
        }
        let next = if out.len() > page_size {
            out.truncate(page_size);
            keys.get(page_size - 1).copied()
        } else {
            None
        };
        Ok((out, next))
    })
}

/// How many tickets a view holds under the filters, counting at most COUNT_CAP.
pub async fn queue_count(
    conn: &mut Conn,
    scope: &TicketScope,
    filter: &QueueFilter,
    org_id: Option<i64>,
    me: i64,
) -> sqlx::Result<i64> {
    db_run!(conn, conn => {
        let mut qb = QueryBuilder::new("SELECT COUNT(*) FROM (");
        match scope {
            // "their firms' tickets, or one they take part in" as one condition has the count
            // walk the view's whole range testing each ticket (a closed view at 1M: 141 ms);
            // as two disjoint parts each reads its own index range (2 ms). CROSS JOIN keeps
            // SQLite starting from the person's few participations.
            TicketScope::Staff { orgs, user_id } => {
                qb.push("SELECT 1 FROM tickets t WHERE t.org_id IN ");
                push_ids(&mut qb, orgs);
                push_view(&mut qb, filter.view);
                push_filters(&mut qb, filter, org_id, me, Search::Drives);
                qb.push(
                    " UNION ALL SELECT 1 FROM ticket_participants p CROSS JOIN tickets t \
                     WHERE t.id = p.ticket_id AND p.user_id = ",
                )
                .push_bind(*user_id);
                if !orgs.is_empty() {
                    qb.push(" AND t.org_id NOT IN ");
                    push_ids(&mut qb, orgs);
                }
            }
            _ => {
                qb.push("SELECT 1 FROM tickets t WHERE ");
                push_scope(&mut qb, scope);
            }
        }
        push_view(&mut qb, filter.view);
        push_filters(&mut qb, filter, org_id, me, Search::Drives);
        qb.push(" LIMIT ").push_bind(COUNT_CAP).push(") capped");
        qb.build_query_scalar().fetch_one(conn).await
    })
}

/// Whether `filter` searches (by text or ticket number): then its matches, not a range of a
/// queue index, are what counting reads.
pub fn searches(filter: &QueueFilter) -> bool {
    filter
        .q
        .as_deref()
        .is_some_and(|q| q.parse::<TicketNumber>().is_ok() || Terms::all(q).is_some())
}

/// How many tickets a text search matches, before any other filter: `None` for a search by
/// ticket number (one match at most) or without words.
///
/// Cost: the ids of the matches in the full-text index (FTS5's doclists, a GIN bitmap), no
/// ticket rows.
pub async fn search_matches(conn: &mut Conn, filter: &QueueFilter) -> sqlx::Result<Option<i64>> {
    let Some(q) = filter.q.as_deref() else {
        return Ok(None);
    };
    if q.parse::<TicketNumber>().is_ok() {
        return Ok(None);
    }
    let Some(terms) = Terms::all(q) else {
        return Ok(None);
    };
    db_run!(conn, conn => {
        let mut qb = QueryBuilder::new("SELECT COUNT(*) FROM ");
        let expr = terms.query(qb.dialect());
        match qb.dialect() {
            Dialect::Sqlite => qb
                .push("tickets_fts WHERE tickets_fts MATCH ")
                .push_bind(expr),
            Dialect::Postgres => qb
                .push("tickets WHERE fts @@ to_tsquery('frontline', ")
                .push_bind(expr)
                .push(")"),
        };
        qb.build_query_scalar().fetch_one(conn).await.map(Some)
    })
}

/// For a search, every count of the queue's filter bar in one pass over the matches, or over
/// one match in `sample` of them: the count of each of `views` (under the assignee filter),
/// then "mine" and "unassigned" in the filter's own view; each at most COUNT_CAP, as
/// [`queue_count`] gives them. Sampled counts are estimates: each kept match stands for
/// `sample`.
///
/// Cost: one table row per match read (every match, or one in `sample`), once, where a capped
/// count per view would run the search again and walk its view's index for each of the eight.
pub async fn queue_counts_of_search(
    conn: &mut Conn,
    scope: &TicketScope,
    filter: &QueueFilter,
    org_id: Option<i64>,
    me: i64,
    views: &[StatusView],
    sample: i64,
) -> sqlx::Result<(Vec<i64>, i64, i64)> {
    let search = if sample > 1 {
        Search::Sampled(sample)
    } else {
        Search::Drives
    };
    db_run!(conn, conn => {
        let mut qb = QueryBuilder::new("SELECT ");
        let columns = views.iter().map(|v| (*v, filter.assignee)).chain([
            (filter.view, AssigneeFilter::Me),
            (filter.view, AssigneeFilter::Unassigned),
        ]);
        for (i, (view, assignee)) in columns.enumerate() {
            if i > 0 {
                qb.push(", ");
            }
            qb.push("COALESCE(SUM(CASE WHEN TRUE");
            push_view(&mut qb, view);
            push_assignee(&mut qb, assignee, me);
            qb.push(" THEN 1 ELSE 0 END), 0)");
        }
        qb.push(" FROM tickets t WHERE ");
        push_scope(&mut qb, scope);
        // the assignee filter is applied per column above
        let base = QueueFilter {
            assignee: AssigneeFilter::Anyone,
            ..filter.clone()
        };
        push_filters(&mut qb, &base, org_id, me, search);
        let row = qb.build().fetch_one(conn).await?;
        let capped = |i: usize| {
            row.try_get::<i64>(i)
                .map(|n| n.saturating_mul(sample.max(1)).min(COUNT_CAP))
        };
        let by_view = (0..views.len()).map(capped).collect::<sqlx::Result<_>>()?;
        Ok((by_view, capped(views.len())?, capped(views.len() + 1)?))
    })
}
