//! The one place that decides what a signed-in person may do and see. Every server function asks
//! here; the UI hiding a button is never the control.

use super::db::Pool;
use super::repo::teams;
use crate::model::ticket_detail::TicketActions;
use crate::model::{AppError, AppResult, Me, Page, PendingReason, Role, Status};

/// The signed-in person acting in a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub org_id: Option<i64>,
    pub team_id: Option<i64>,
    pub tier: Option<u8>,
}

impl From<&Me> for Actor {
    fn from(me: &Me) -> Self {
        Actor {
            id: me.id,
            name: me.name.clone(),
            role: me.role,
            org_id: me.org_id,
            team_id: me.team_id,
            tier: me.tier,
        }
    }
}

/// Which tickets a person may see, expressed so that queries can apply it as a filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketScope {
    /// Leads and managers: every client.
    All,
    /// Analysts and seniors: the organizations their team serves, and tickets they took part in
    /// (e.g. escalated onwards). A senior's tier decides what they may work, not which clients
    /// they see: an MSP's teams are its clients' confidentiality boundary, and each team has
    /// the tiers to work its own escalations.
    Staff { orgs: Vec<i64>, user_id: i64 },
    /// A client admin: their whole organization.
    Org(i64),
    /// A client: the tickets they requested, within their organization.
    Requester { user_id: i64, org_id: i64 },
    /// Roles that do not work tickets (administrators).
    Nothing,
}

/// The facts about one ticket that decide who may see it.
#[derive(Debug, Clone, Copy)]
pub struct TicketKey {
    pub org_id: i64,
    pub requester_id: i64,
    /// The viewer took part in this ticket.
    pub participant: bool,
}

impl TicketScope {
    pub fn allows(&self, t: TicketKey) -> bool {
        match self {
            TicketScope::All => true,
            TicketScope::Staff { orgs, .. } => orgs.contains(&t.org_id) || t.participant,
            TicketScope::Org(org) => *org == t.org_id,
            TicketScope::Requester { user_id, org_id } => {
                *user_id == t.requester_id && *org_id == t.org_id
            }
            TicketScope::Nothing => false,
        }
    }

    /// Whether the viewer works tickets and so may read the desk's own notes on them (hand-over
    /// notes). Client scopes never do, whichever list or page asks.
    pub fn sees_staff_notes(&self) -> bool {
        matches!(self, TicketScope::All | TicketScope::Staff { .. })
    }

    /// Organizations this scope is limited to, if it is (for filter choices).
    pub fn orgs(&self) -> Option<Vec<i64>> {
        match self {
            TicketScope::All => None,
            TicketScope::Staff { orgs, .. } => Some(orgs.clone()),
            TicketScope::Org(org) | TicketScope::Requester { org_id: org, .. } => Some(vec![*org]),
            TicketScope::Nothing => Some(Vec::new()),
        }
    }
}

/// Why a message may not go to its recipient now, if it may not. What a message says about a
/// ticket is for people who may see that ticket, and accounts, organizations and scopes change
/// between writing a message and delivering it: so this is asked at delivery.
pub async fn why_not_tell(
    pool: &Pool,
    recipient: &Actor,
    active: bool,
    org_active: bool,
    ticket: Option<TicketKey>,
) -> AppResult<Option<&'static str>> {
    if !active {
        return Ok(Some("the recipient's account is deactivated"));
    }
    if !org_active {
        return Ok(Some("the recipient's organization is deactivated"));
    }
    if let Some(key) = ticket {
        if !recipient.ticket_scope(pool).await?.allows(key) {
            return Ok(Some("the recipient may no longer see the ticket"));
        }
    }
    Ok(None)
}

/// The state of a ticket that decides what may be done with it.
#[derive(Debug, Clone, Copy)]
pub struct TicketFacts {
    pub status: Status,
    pub tier: i64,
    pub assignee_id: Option<i64>,
    pub requester_id: i64,
    pub org_id: i64,
    pub resolved_at: Option<i64>,
    pub pending_reason: Option<PendingReason>,
}

impl Actor {
    pub fn require_page(&self, page: Page) -> AppResult<()> {
        if self.role.may_open(page) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "The {} is not available to your role ({}).",
                page.title().to_lowercase(),
                self.role.label().to_lowercase()
            )))
        }
    }

    /// Administration (organizations, users, teams, categories, the audit log): administrators only.
    pub fn require_admin(&self) -> AppResult<()> {
        self.require_page(Page::Admin)
    }

    pub fn is_staff(&self) -> bool {
        self.role.works_tickets()
    }

    pub fn require_staff(&self) -> AppResult<()> {
        if self.is_staff() {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "Only help desk staff can do this.".into(),
            ))
        }
    }

    pub fn is_lead_or_manager(&self) -> bool {
        self.role.sees_all_clients()
    }

    /// The highest tier this person works (leads and managers: all of them).
    pub fn working_tier(&self) -> i64 {
        if self.is_lead_or_manager() {
            3
        } else {
            i64::from(self.tier.unwrap_or(1))
        }
    }

    /// The tickets this person may see. A staff member's scope reads their team's firms with a
    /// connection of its own: take it before acquiring one, never while holding one (enough
    /// callers holding a connection each would wait on each other until the pool's timeout).
    pub async fn ticket_scope(&self, pool: &Pool) -> AppResult<TicketScope> {
        Ok(match self.role {
            Role::Lead | Role::Manager => TicketScope::All,
            Role::Analyst | Role::Senior => TicketScope::Staff {
                orgs: match self.team_id {
                    Some(team) => teams::served_org_ids(&mut pool.acquire().await?, team).await?,
                    None => Vec::new(),
                },
                user_id: self.id,
            },
            Role::ClientAdmin => self
                .org_id
                .map(TicketScope::Org)
                .unwrap_or(TicketScope::Nothing),
            Role::Client => match self.org_id {
                Some(org_id) => TicketScope::Requester {
                    user_id: self.id,
                    org_id,
                },
                None => TicketScope::Nothing,
            },
            Role::Admin => TicketScope::Nothing,
        })
    }

    /// What this person may do with a ticket they can see, at `now`.
    pub fn ticket_actions(&self, t: &TicketFacts, now: i64) -> TicketActions {
        let staff = self.is_staff();
        let active = t.status.is_active();
        let is_requester = self.id == t.requester_id;
        let client_of_org = self.role.is_client() && self.org_id == Some(t.org_id);
        let owns = t.assignee_id == Some(self.id);
        let may_work_tier = self.working_tier() >= t.tier;
        TicketActions {
            claim: staff && t.status.is_workable() && t.assignee_id.is_none() && may_work_tier,
            assign: self.is_lead_or_manager() && active,
            hand_off: staff && active && (owns || self.is_lead_or_manager()),
            escalate_to: if staff && t.status.is_workable() {
                ((t.tier + 1)..=3).map(|x| x as u8).collect()
            } else {
                Vec::new()
            },
            deescalate_to: if staff && t.status.is_workable() && may_work_tier {
                (1..t.tier).map(|x| x as u8).collect()
            } else {
                Vec::new()
            },
            reply_public: (staff || client_of_org) && t.status != Status::Closed,
            note_internal: staff && t.status != Status::Closed,
            set_priority: staff && active,
            set_category: staff && t.status != Status::Closed,
            set_flags: staff && active,
            set_pending: staff && t.status == Status::Open,
            resume: staff && t.status == Status::Pending,
            resolve: staff && active,
            close: t.status == Status::Resolved
                && (staff || is_requester || self.role == Role::ClientAdmin),
            decide_approval: self.role == Role::ClientAdmin
                && client_of_org
                && t.status == Status::Pending
                && matches!(
                    t.pending_reason,
                    Some(PendingReason::Budget | PendingReason::Approval)
                ),
            rate: is_requester && matches!(t.status, Status::Resolved | Status::Closed),
            reopen: t.status == Status::Resolved
                && (staff
                    || ((is_requester || self.role == Role::ClientAdmin)
                        && t.status.requester_may_reopen(t.resolved_at, now).is_ok())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(org_id: i64, requester_id: i64, participant: bool) -> TicketKey {
        TicketKey {
            org_id,
            requester_id,
            participant,
        }
    }

    #[test]
    fn scopes_allow_only_their_tickets() {
        assert!(TicketScope::All.allows(key(1, 2, false)));
        // analysts and seniors alike: their team's clients, whatever the tier
        let staff = TicketScope::Staff {
            orgs: vec![1, 3],
            user_id: 9,
        };
        assert!(staff.allows(key(3, 9, false)));
        assert!(!staff.allows(key(2, 9, false)));
        assert!(
            staff.allows(key(2, 9, true)),
            "a ticket they escalated stays visible"
        );
        assert!(TicketScope::Org(4).allows(key(4, 9, false)));
        assert!(!TicketScope::Org(4).allows(key(5, 9, false)));
        let own = TicketScope::Requester {
            user_id: 7,
            org_id: 4,
        };
        assert!(own.allows(key(4, 7, false)));
        assert!(!own.allows(key(4, 8, false)));
        assert!(!own.allows(key(5, 7, false)));
        assert!(!TicketScope::Nothing.allows(key(1, 1, true)));
    }

    #[test]
    fn only_staff_scopes_see_staff_notes() {
        assert!(TicketScope::All.sees_staff_notes());
        let analyst = TicketScope::Staff {
            orgs: vec![1],
            user_id: 9,
        };
        assert!(analyst.sees_staff_notes());
        assert!(!TicketScope::Org(4).sees_staff_notes());
        let own = TicketScope::Requester {
            user_id: 7,
            org_id: 4,
        };
        assert!(!own.sees_staff_notes());
        assert!(!TicketScope::Nothing.sees_staff_notes());
    }

    fn actor(role: Role, id: i64, tier: Option<u8>, org_id: Option<i64>) -> Actor {
        Actor {
            id,
            name: "x".into(),
            role,
            org_id,
            team_id: Some(1),
            tier,
        }
    }

    fn facts(status: Status, tier: i64, assignee_id: Option<i64>) -> TicketFacts {
        TicketFacts {
            status,
            tier,
            assignee_id,
            requester_id: 50,
            org_id: 4,
            resolved_at: Some(1000),
            pending_reason: (status == Status::Pending).then_some(PendingReason::Budget),
        }
    }

    #[test]
    fn only_the_organizations_client_admin_decides_approvals() {
        let pending = facts(Status::Pending, 1, Some(7));
        let admin = actor(Role::ClientAdmin, 60, None, Some(4));
        assert!(admin.ticket_actions(&pending, 2000).decide_approval);
        let other_org = actor(Role::ClientAdmin, 61, None, Some(5));
        assert!(!other_org.ticket_actions(&pending, 2000).decide_approval);
        let requester = actor(Role::Client, 50, None, Some(4));
        assert!(!requester.ticket_actions(&pending, 2000).decide_approval);
        let lead = actor(Role::Lead, 2, Some(1), None);
        assert!(!lead.ticket_actions(&pending, 2000).decide_approval);
        let on_customer = TicketFacts {
            pending_reason: Some(PendingReason::Customer),
            ..pending
        };
        assert!(!admin.ticket_actions(&on_customer, 2000).decide_approval);
        assert!(
            !admin
                .ticket_actions(&facts(Status::Open, 1, Some(7)), 2000)
                .decide_approval
        );
    }

    #[test]
    fn only_the_requester_rates_and_only_finished_work() {
        let requester = actor(Role::Client, 50, None, Some(4));
        for (status, may) in [
            (Status::Open, false),
            (Status::Pending, false),
            (Status::Resolved, true),
            (Status::Closed, true),
        ] {
            let f = facts(status, 1, Some(7));
            assert_eq!(requester.ticket_actions(&f, 2000).rate, may, "{status:?}");
        }
        let admin = actor(Role::ClientAdmin, 60, None, Some(4));
        assert!(
            !admin
                .ticket_actions(&facts(Status::Resolved, 1, Some(7)), 2000)
                .rate
        );
    }

    #[test]
    fn analysts_claim_unowned_tickets_of_their_tier() {
        let ana = actor(Role::Analyst, 1, Some(1), None);
        assert!(ana.ticket_actions(&facts(Status::New, 1, None), 0).claim);
        assert!(
            !ana.ticket_actions(&facts(Status::New, 2, None), 0).claim,
            "tier 2 work"
        );
        assert!(
            !ana.ticket_actions(&facts(Status::Open, 1, Some(2)), 0)
                .claim,
            "someone has it"
        );
        let senior = actor(Role::Senior, 3, Some(2), None);
        assert!(senior.ticket_actions(&facts(Status::New, 2, None), 0).claim);
        assert!(!senior.ticket_actions(&facts(Status::New, 3, None), 0).claim);
    }

    #[test]
    fn only_leads_and_managers_assign() {
        let t = facts(Status::New, 1, None);
        assert!(
            actor(Role::Lead, 1, None, None)
                .ticket_actions(&t, 0)
                .assign
        );
        assert!(
            actor(Role::Manager, 1, None, None)
                .ticket_actions(&t, 0)
                .assign
        );
        assert!(
            !actor(Role::Analyst, 1, Some(1), None)
                .ticket_actions(&t, 0)
                .assign
        );
        assert!(
            !actor(Role::Senior, 1, Some(3), None)
                .ticket_actions(&t, 0)
                .assign
        );
    }

    #[test]
    fn escalation_goes_up_and_back_down() {
        let ana = actor(Role::Analyst, 1, Some(1), None);
        assert_eq!(
            ana.ticket_actions(&facts(Status::Open, 1, Some(1)), 0)
                .escalate_to,
            vec![2, 3]
        );
        assert!(ana
            .ticket_actions(&facts(Status::Open, 3, None), 0)
            .escalate_to
            .is_empty());
        let senior = actor(Role::Senior, 2, Some(3), None);
        assert_eq!(
            senior
                .ticket_actions(&facts(Status::Open, 3, Some(2)), 0)
                .deescalate_to,
            vec![1, 2]
        );
        assert!(ana
            .ticket_actions(&facts(Status::Open, 2, None), 0)
            .deescalate_to
            .is_empty());
    }

    #[test]
    fn clients_reply_and_reopen_but_never_work_the_ticket() {
        let client = actor(Role::Client, 50, None, Some(4));
        let open = client.ticket_actions(&facts(Status::Open, 1, Some(1)), 0);
        assert!(open.reply_public);
        assert!(
            !open.note_internal
                && !open.claim
                && !open.resolve
                && !open.set_priority
                && !open.set_pending
        );
        assert!(open.escalate_to.is_empty());
        let resolved = facts(Status::Resolved, 1, Some(1));
        assert!(client.ticket_actions(&resolved, 1000 + 3600).reopen);
        assert!(
            !client.ticket_actions(&resolved, 1000 + 8 * 86_400).reopen,
            "past the 7-day window"
        );
        assert!(
            client.ticket_actions(&resolved, 1000).close,
            "the requester confirms the resolution"
        );
        let colleague = actor(Role::Client, 51, None, Some(4));
        assert!(!colleague.ticket_actions(&resolved, 1000).reopen);
        let closed = client.ticket_actions(&facts(Status::Closed, 1, Some(1)), 0);
        assert!(!closed.reply_public && !closed.reopen);
    }

    #[test]
    fn status_decides_what_is_offered() {
        let ana = actor(Role::Analyst, 1, Some(1), None);
        let pending = ana.ticket_actions(&facts(Status::Pending, 1, Some(1)), 0);
        assert!(pending.resume && !pending.set_pending && pending.resolve);
        let open = ana.ticket_actions(&facts(Status::Open, 1, Some(1)), 0);
        assert!(open.set_pending && !open.resume && open.hand_off);
        let others = ana.ticket_actions(&facts(Status::Open, 1, Some(7)), 0);
        assert!(
            !others.hand_off,
            "only the owner (or a lead) hands a ticket off"
        );
    }
}
