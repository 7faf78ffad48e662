//! Which tickets a person may see, as a condition of a query: shared by every query that lists
//! or counts tickets.

use super::{push_ids, Builder};
use crate::backend::policy::TicketScope;

/// Restricts `qb` (positioned inside a WHERE clause) to the tickets `scope` may see.
pub fn push_scope<'q>(qb: &mut impl Builder<'q>, scope: &TicketScope) {
    match scope {
        TicketScope::All => qb.push("TRUE"),
        TicketScope::Nothing => qb.push("FALSE"),
        TicketScope::Org(org) => qb.push("t.org_id = ").push_bind(*org),
        TicketScope::Requester { user_id, org_id } => qb
            .push("(t.requester_id = ")
            .push_bind(*user_id)
            .push(" AND t.org_id = ")
            .push_bind(*org_id)
            .push(")"),
        TicketScope::Staff { orgs, user_id } => {
            qb.push("(t.org_id IN ");
            push_ids(qb, orgs);
            qb.push(" OR EXISTS (SELECT 1 FROM ticket_participants p WHERE p.ticket_id = t.id AND p.user_id = ")
                .push_bind(*user_id)
                .push("))")
        }
    };
}
