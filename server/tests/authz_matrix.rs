//! The authorization matrix: every server function, called over real HTTP by every kind of person
//! (signed out, clients of the ticket's organization and of another, analysts of the team that
//! serves it and of another team, a senior, a lead, a manager, an administrator), against the
//! table below of who may do what. Whoever the table allows gets a 200; everyone else a 401
//! (signed out) or a 403/404 (signed in; a 404 where even the existence of the thing is private).
//! A server function missing from the table fails the suite.
//!
//! Each call that changes a ticket gets a fresh ticket in the state the action needs, so the
//! answer depends on who asks and nothing else.

mod common;

use app::api::{
    admin, auth, dashboard, kb, oncall, portal, problems, profile, queue, reports, shift, tickets,
};
use app::backend::policy::Actor;
use app::backend::{self as backend, seed};
use app::model::admin::{CannedDraft, CategoryDraft, OrgDraft, TeamDraft, UserDraft, UserFilter};
use app::model::kb::{ArticleDraft, Visibility};
use app::model::portal::{Decision, PortalFilter};
use app::model::problems::NewProblem;
use app::model::queue::QueueFilter;
use app::model::reports::ReportParams;
use app::model::ticket::NewTicket;
use app::model::TicketNumber;
use app::model::{PendingReason, Priority, Role, Urgency};
use common::*;
use serde::Serialize;
use std::collections::BTreeSet;
use Who::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Anon,
    Client,
    ClientAdmin,
    OtherClient,
    Analyst,
    OtherTeam,
    Senior,
    Lead,
    Manager,
    Admin,
}

const EVERYONE: [Who; 10] = [
    Anon,
    Client,
    ClientAdmin,
    OtherClient,
    Analyst,
    OtherTeam,
    Senior,
    Lead,
    Manager,
    Admin,
];
const SIGNED_IN: &[Who] = &[
    Client,
    ClientAdmin,
    OtherClient,
    Analyst,
    OtherTeam,
    Senior,
    Lead,
    Manager,
    Admin,
];
const CLIENTS: &[Who] = &[Client, ClientAdmin, OtherClient];
const STAFF: &[Who] = &[Analyst, OtherTeam, Senior, Lead, Manager];
/// Staff who see a tier-1 ticket of Northwind: the team serving it, leads and managers.
const NWL_STAFF: &[Who] = &[Analyst, Senior, Lead, Manager];
const SHIFT_WORKERS: &[Who] = &[Analyst, OtherTeam, Senior, Lead];
const LEADS: &[Who] = &[Lead, Manager];
const ADMINS: &[Who] = &[Admin];

/// The state a ticket must be in for the action under test.
#[derive(Debug, Clone, Copy)]
enum TicketState {
    /// Raised by Jo (Northwind), nobody on it.
    New,
    /// Claimed by Ana.
    Claimed,
    /// Ana set it waiting for a budget decision.
    AwaitingBudget,
    /// Ana resolved it.
    Resolved,
}

/// What a call needs before it is made.
#[derive(Debug, Clone, Copy)]
enum Setup {
    None,
    Ticket(TicketState),
    /// A fresh one-time password link for a spare user.
    ResetToken,
    /// An on-call shift of Atlas.
    OnCallShift,
    /// The caller is on shift (to end it) or off shift (to start one).
    OnShift,
    OffShift,
    /// The caller gets a session of their own for this call (signing in or out ends a session).
    OwnSession,
}

/// What everyone gets.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// These get a 200; the rest are refused.
    Allowed(&'static [Who]),
    /// These get a 200; the second list a 422 (the request makes no sense from them, which is
    /// not a matter of permission); the rest are refused.
    AllowedElseInvalid(&'static [Who], &'static [Who]),
    /// These pass the permission check and reach the state check, which answers this status
    /// (say, a 409: nothing to acknowledge); the rest are refused.
    Reaches(&'static [Who], u16),
    /// Everyone, signed in or not, gets this status (public links with a bad token).
    Everyone(u16),
}

struct Case {
    name: &'static str,
    path: &'static str,
    setup: Setup,
    expect: Expect,
    body: fn(&Call) -> Body,
}

enum Body {
    Form(String),
    Json(String),
}

fn qs<T: Serialize>(args: &T) -> Body {
    Body::Form(serde_qs::to_string(args).expect("form encoding"))
}

fn json<T: Serialize>(args: &T) -> Body {
    Body::Json(serde_json::to_string(args).expect("json encoding"))
}

/// The ids the table's arguments refer to.
struct Fixture {
    nwl: i64,
    jo: i64,
    ana: i64,
    atlas: i64,
    spare_org: i64,
    spare_client: i64,
    unteamed: i64,
    spare_lead: i64,
    category: i64,
    article_public: i64,
    article_internal: i64,
    article_contoso: i64,
    /// A resolved Northwind ticket (read-only cases).
    resolved: i64,
}

/// One call: the fixture, what the setup made, and a number that keeps names unique.
struct Call<'a> {
    fx: &'a Fixture,
    number: i64,
    version: i64,
    token: String,
    shift: i64,
    seq: usize,
}

fn t(state: TicketState) -> Setup {
    Setup::Ticket(state)
}

fn cases() -> Vec<Case> {
    use Expect::*;
    use TicketState::*;
    let c = |name, path, setup, expect, body| Case {
        name,
        path,
        setup,
        expect,
        body,
    };
    vec![
        // --- signing in and out, and who is signed in
        c("me", "me", Setup::None, Allowed(&EVERYONE), |_| {
            qs(&auth::GetMe {})
        }),
        c(
            "sign in",
            "sign_in",
            Setup::OwnSession,
            Allowed(&EVERYONE),
            |_| {
                qs(&auth::SignIn {
                    email: CLIENT.into(),
                    password: seed::DEMO_PASSWORD.into(),
                })
            },
        ),
        c(
            "sign out",
            "sign_out",
            Setup::OwnSession,
            Allowed(&EVERYONE),
            |_| qs(&auth::SignOut {}),
        ),
        c(
            "password link info",
            "reset_info",
            Setup::ResetToken,
            Allowed(&EVERYONE),
            |x| {
                qs(&admin::GetResetInfo {
                    token: x.token.clone(),
                })
            },
        ),
        c(
            "set password from link",
            "reset_password",
            Setup::ResetToken,
            Allowed(&EVERYONE),
            |x| {
                qs(&admin::ResetPassword {
                    token: x.token.clone(),
                    password: "a brand new passphrase".into(),
                })
            },
        ),
        c(
            "page ack link",
            "ack_page",
            Setup::None,
            Everyone(404),
            |_| {
                qs(&oncall::AckPage {
                    token: "0".repeat(64),
                })
            },
        ),
        // --- profile
        c(
            "mute setting",
            "mute_setting",
            Setup::None,
            Allowed(SIGNED_IN),
            |_| qs(&profile::GetMute {}),
        ),
        c(
            "set mute",
            "set_mute",
            Setup::None,
            Allowed(SIGNED_IN),
            |_| qs(&profile::SetMute { mute: false }),
        ),
        // --- queue and dashboard
        c("queue", "queue", Setup::None, Allowed(STAFF), |_| {
            qs(&queue::GetQueue {
                filter: QueueFilter::default(),
            })
        }),
        c(
            "queue counts",
            "queue_counts",
            Setup::None,
            Allowed(STAFF),
            |_| {
                qs(&queue::GetQueueCounts {
                    filter: QueueFilter::default(),
                })
            },
        ),
        c(
            "dashboard",
            "dashboard",
            Setup::None,
            Allowed(LEADS),
            |_| qs(&dashboard::GetDashboard {}),
        ),
        c(
            "dashboard volume",
            "dashboard_volume",
            Setup::None,
            Allowed(LEADS),
            |_| {
                qs(&dashboard::GetVolume {
                    client: Some("NWL".into()),
                })
            },
        ),
        c(
            "find requesters",
            "find_requesters",
            Setup::None,
            Allowed(STAFF),
            |_| qs(&tickets::FindRequesters { q: "jo".into() }),
        ),
        // --- tickets: read
        c(
            "ticket",
            "ticket",
            t(New),
            Allowed(&[Client, ClientAdmin, Analyst, Senior, Lead, Manager]),
            |x| qs(&tickets::GetTicket { number: x.number }),
        ),
        c(
            "raise a ticket for oneself",
            "raise_ticket",
            Setup::None,
            AllowedElseInvalid(CLIENTS, &[Analyst, OtherTeam, Senior, Lead, Manager]),
            |_| {
                qs(&tickets::RaiseTicket {
                    ticket: NewTicket {
                        urgency: Some(Urgency::NotUrgent),
                        problem: "The projector in room 4 flickers".into(),
                        ..Default::default()
                    },
                })
            },
        ),
        c(
            "raise a ticket for Jo",
            "raise_ticket",
            Setup::None,
            AllowedElseInvalid(&[Client, Analyst, Senior, Lead, Manager], &[OtherTeam]),
            |x| {
                qs(&tickets::RaiseTicket {
                    ticket: NewTicket {
                        requester_id: Some(x.fx.jo),
                        urgency: Some(Urgency::NotUrgent),
                        problem: "Jo's headset crackles".into(),
                        ..Default::default()
                    },
                })
            },
        ),
        // --- tickets: work
        c("claim", "claim_ticket", t(New), Allowed(NWL_STAFF), |x| {
            qs(&tickets::ClaimTicket {
                number: x.number,
                version: x.version,
            })
        }),
        c("assign", "assign_ticket", t(New), Allowed(LEADS), |x| {
            qs(&tickets::AssignTicket {
                number: x.number,
                version: x.version,
                assignee_id: x.fx.ana,
            })
        }),
        c(
            "hand over",
            "hand_over_ticket",
            t(Claimed),
            Allowed(&[Analyst, Lead, Manager]),
            |x| {
                qs(&tickets::HandOverTicket {
                    number: x.number,
                    version: x.version,
                    to_user_id: None,
                    note: "End of my shift: the user is waiting for a callback.".into(),
                })
            },
        ),
        c(
            "escalate",
            "change_ticket_tier",
            t(New),
            Allowed(NWL_STAFF),
            |x| {
                qs(&tickets::ChangeTicketTier {
                    number: x.number,
                    version: x.version,
                    tier: 2,
                    reason: "Needs a domain admin".into(),
                })
            },
        ),
        c(
            "reply",
            "reply_ticket",
            t(New),
            Allowed(&[Client, ClientAdmin, Analyst, Senior, Lead, Manager]),
            |x| {
                qs(&tickets::ReplyTicket {
                    number: x.number,
                    version: x.version,
                    body: "Any news?".into(),
                })
            },
        ),
        c(
            "internal note",
            "add_ticket_note",
            t(New),
            Allowed(NWL_STAFF),
            |x| {
                qs(&tickets::AddTicketNote {
                    number: x.number,
                    version: x.version,
                    body: "Probably the driver.".into(),
                })
            },
        ),
        c(
            "priority",
            "set_ticket_priority",
            t(New),
            Allowed(NWL_STAFF),
            |x| {
                qs(&tickets::SetTicketPriority {
                    number: x.number,
                    version: x.version,
                    priority: Priority::P2,
                })
            },
        ),
        c(
            "category",
            "set_ticket_category",
            t(New),
            Allowed(NWL_STAFF),
            |x| {
                qs(&tickets::SetTicketCategory {
                    number: x.number,
                    version: x.version,
                    category_id: x.fx.category,
                })
            },
        ),
        c(
            "flags",
            "set_ticket_flags",
            t(New),
            Allowed(NWL_STAFF),
            |x| {
                qs(&tickets::SetTicketFlags {
                    number: x.number,
                    version: x.version,
                    budget: true,
                    approval: false,
                })
            },
        ),
        c(
            "pending",
            "set_ticket_pending",
            t(Claimed),
            Allowed(NWL_STAFF),
            |x| {
                qs(&tickets::SetTicketPending {
                    number: x.number,
                    version: x.version,
                    reason: PendingReason::Customer,
                    note: None,
                })
            },
        ),
        c(
            "resume",
            "resume_ticket",
            t(AwaitingBudget),
            Allowed(NWL_STAFF),
            |x| {
                qs(&tickets::ResumeTicket {
                    number: x.number,
                    version: x.version,
                })
            },
        ),
        c(
            "resolve",
            "resolve_ticket",
            t(Claimed),
            Allowed(NWL_STAFF),
            |x| {
                qs(&tickets::ResolveTicket {
                    number: x.number,
                    version: x.version,
                    resolution: "Replaced the cable.".into(),
                })
            },
        ),
        c(
            "close",
            "close_ticket",
            t(Resolved),
            Allowed(&[Client, ClientAdmin, Analyst, Senior, Lead, Manager]),
            |x| {
                qs(&tickets::CloseTicket {
                    number: x.number,
                    version: x.version,
                })
            },
        ),
        c(
            "reopen",
            "reopen_ticket",
            t(Resolved),
            Allowed(&[Client, ClientAdmin, Analyst, Senior, Lead, Manager]),
            |x| {
                qs(&tickets::ReopenTicket {
                    number: x.number,
                    version: x.version,
                    reason: Some("Still broken".into()),
                })
            },
        ),
        c(
            "approve a budget",
            "decide_approval",
            t(AwaitingBudget),
            Allowed(&[ClientAdmin]),
            |x| {
                qs(&tickets::DecideApproval {
                    number: x.number,
                    version: x.version,
                    decision: Decision::Approve,
                    comment: None,
                })
            },
        ),
        c(
            "rate",
            "rate_ticket",
            t(Resolved),
            Allowed(&[Client]),
            |x| {
                qs(&tickets::RateTicket {
                    number: x.number,
                    version: x.version,
                    stars: 5,
                    comment: None,
                })
            },
        ),
        c(
            "acknowledge pages",
            "ack_ticket_pages",
            t(New),
            Reaches(NWL_STAFF, 409),
            |x| qs(&oncall::AckTicketPages { number: x.number }),
        ),
        // --- portal
        c("portal", "portal", Setup::None, Allowed(CLIENTS), |_| {
            qs(&portal::GetPortal {
                filter: PortalFilter::default(),
            })
        }),
        // --- knowledge base
        c(
            "knowledge base",
            "kb",
            Setup::None,
            Allowed(SIGNED_IN),
            |_| {
                qs(&kb::GetKb {
                    q: Some("vpn".into()),
                })
            },
        ),
        c(
            "suggestions",
            "suggest_articles",
            Setup::None,
            Allowed(SIGNED_IN),
            |_| {
                qs(&kb::SuggestArticles {
                    text: "vpn token expired".into(),
                })
            },
        ),
        c(
            "article for all clients",
            "article",
            Setup::None,
            Allowed(SIGNED_IN),
            |x| {
                qs(&kb::GetArticle {
                    id: x.fx.article_public,
                })
            },
        ),
        c(
            "internal article",
            "article",
            Setup::None,
            Allowed(&[Analyst, OtherTeam, Senior, Lead, Manager, Admin]),
            |x| {
                qs(&kb::GetArticle {
                    id: x.fx.article_internal,
                })
            },
        ),
        c(
            "Contoso's article",
            "article",
            Setup::None,
            Allowed(&[
                OtherClient,
                Analyst,
                OtherTeam,
                Senior,
                Lead,
                Manager,
                Admin,
            ]),
            |x| {
                qs(&kb::GetArticle {
                    id: x.fx.article_contoso,
                })
            },
        ),
        c(
            "write an article",
            "save_article",
            Setup::None,
            Allowed(STAFF),
            |x| {
                qs(&kb::SaveArticle {
                    id: None,
                    version: None,
                    draft: ArticleDraft {
                        title: format!("Reset a VPN token, part {}", x.seq),
                        body: "1. Open the portal\n2. Choose *reset*".into(),
                        tags: "vpn".into(),
                        visibility: Visibility::Internal,
                        org_code: None,
                        source_ticket: None,
                    },
                })
            },
        ),
        c(
            "article from a ticket",
            "article_draft_from_ticket",
            Setup::None,
            Allowed(NWL_STAFF),
            |x| {
                qs(&kb::ArticleDraftFromTicket {
                    number: x.fx.resolved,
                })
            },
        ),
        c(
            "vote",
            "vote_article",
            Setup::None,
            Allowed(SIGNED_IN),
            |x| {
                qs(&kb::VoteArticle {
                    id: x.fx.article_public,
                    helpful: true,
                })
            },
        ),
        c(
            "this solved it",
            "deflect_request",
            Setup::None,
            Allowed(&[Client, ClientAdmin, OtherClient]),
            |x| {
                qs(&kb::DeflectRequest {
                    id: x.fx.article_public,
                })
            },
        ),
        // --- shifts and on call
        c(
            "my shift",
            "shift",
            Setup::None,
            Allowed(SHIFT_WORKERS),
            |_| qs(&shift::GetShift {}),
        ),
        c(
            "start shift",
            "start_shift",
            Setup::OffShift,
            Allowed(SHIFT_WORKERS),
            |_| qs(&shift::StartShift {}),
        ),
        c(
            "end shift",
            "end_shift",
            Setup::OnShift,
            Reaches(SHIFT_WORKERS, 409),
            |_| qs(&shift::EndShift {}),
        ),
        c(
            "on-call roster",
            "roster",
            Setup::None,
            Allowed(STAFF),
            |_| qs(&oncall::GetRoster { from: None }),
        ),
        c(
            "add on-call shift",
            "add_oncall_shift",
            Setup::None,
            Allowed(LEADS),
            |x| {
                qs(&oncall::AddOncallShift {
                    team_id: x.fx.atlas,
                    user_id: x.fx.ana,
                    starts: format!("2026-12-{:02}T08:00", 1 + x.seq % 28),
                    ends: format!("2026-12-{:02}T16:00", 1 + x.seq % 28),
                    repeat_weeks: 0,
                })
            },
        ),
        c(
            "remove on-call shift",
            "remove_oncall_shift",
            Setup::OnCallShift,
            Allowed(LEADS),
            |x| qs(&oncall::RemoveOncallShift { shift_id: x.shift }),
        ),
        // --- reports
        c(
            "desk report",
            "desk_report",
            Setup::None,
            Allowed(NWL_STAFF_AND_OTHERS),
            |_| {
                qs(&reports::GetDeskReport {
                    params: ReportParams::default(),
                })
            },
        ),
        c(
            "scorecards",
            "scorecards",
            Setup::None,
            Allowed(NWL_STAFF_AND_OTHERS),
            |_| {
                qs(&reports::GetScorecards {
                    week: None,
                    analyst: None,
                })
            },
        ),
        c(
            "recurring problems",
            "recurring_problems",
            Setup::None,
            Allowed(NWL_STAFF_AND_OTHERS),
            |_| qs(&reports::GetRecurringProblems {}),
        ),
        c(
            "problem records",
            "problems",
            Setup::None,
            Allowed(STAFF),
            |_| qs(&problems::GetProblems {}),
        ),
        c(
            "record a problem",
            "record_problem",
            t(New),
            Allowed(LEADS),
            |x| {
                qs(&problems::RecordProblem {
                    new: NewProblem {
                        title: format!("Docking stations fail, part {}", x.seq),
                        note: String::new(),
                        tickets: vec![TicketNumber(x.number)],
                    },
                })
            },
        ),
        // --- team roster and canned responses
        c(
            "my team",
            "team/roster",
            Setup::None,
            Allowed(&[Lead]),
            |_| qs(&admin::GetTeamRoster {}),
        ),
        c(
            "add to my team",
            "team/set_member",
            Setup::None,
            Allowed(&[Lead, Admin]),
            |x| {
                qs(&admin::SetTeamMember {
                    team_id: x.fx.atlas,
                    user_id: x.fx.unteamed,
                    member: true,
                })
            },
        ),
        c(
            "canned responses",
            "canned_responses",
            Setup::None,
            Allowed(STAFF),
            |_| qs(&admin::CannedResponses {}),
        ),
        // --- administration
        c(
            "admin choices",
            "admin/choices",
            Setup::None,
            Allowed(ADMINS),
            |_| qs(&admin::GetAdminChoices {}),
        ),
        c(
            "organizations",
            "admin/orgs",
            Setup::None,
            Allowed(ADMINS),
            |_| qs(&admin::ListOrgs {}),
        ),
        c(
            "organization",
            "admin/org",
            Setup::None,
            Allowed(ADMINS),
            |x| qs(&admin::GetOrg { id: x.fx.nwl }),
        ),
        c(
            "create organization",
            "admin/save_org",
            Setup::None,
            Allowed(ADMINS),
            |x| {
                json(&admin::SaveOrg {
                    id: None,
                    draft: OrgDraft {
                        code: format!("M{}", x.seq),
                        name: format!("Matrix {}", x.seq),
                        time_zone: "Europe/Berlin".into(),
                        hours_start: "08:00".into(),
                        hours_end: "17:00".into(),
                        ..Default::default()
                    },
                })
            },
        ),
        c(
            "deactivate organization",
            "admin/set_org_active",
            Setup::None,
            Allowed(ADMINS),
            |x| {
                qs(&admin::SetOrgActive {
                    id: x.fx.spare_org,
                    active: false,
                })
            },
        ),
        c("users", "admin/users", Setup::None, Allowed(ADMINS), |_| {
            json(&admin::ListUsers {
                filter: UserFilter::default(),
            })
        }),
        c("user", "admin/user", Setup::None, Allowed(ADMINS), |x| {
            qs(&admin::GetUser { id: x.fx.jo })
        }),
        c(
            "create user",
            "admin/create_user",
            Setup::None,
            Allowed(ADMINS),
            |x| {
                json(&admin::CreateUser {
                    draft: client_draft(&format!("matrix.{}@spare.example", x.seq), x.fx.spare_org),
                })
            },
        ),
        c(
            "edit user",
            "admin/update_user",
            Setup::None,
            Allowed(ADMINS),
            |x| {
                json(&admin::UpdateUser {
                    id: x.fx.spare_client,
                    draft: client_draft("spare.client@spare.example", x.fx.spare_org),
                })
            },
        ),
        c(
            "deactivate user",
            "admin/set_user_active",
            Setup::None,
            Allowed(ADMINS),
            |x| {
                qs(&admin::SetUserActive {
                    id: x.fx.spare_client,
                    active: false,
                })
            },
        ),
        c(
            "password link",
            "admin/password_link",
            Setup::None,
            Allowed(ADMINS),
            |x| {
                qs(&admin::MakePasswordLink {
                    id: x.fx.spare_client,
                })
            },
        ),
        c(
            "import preview",
            "admin/preview_import",
            Setup::None,
            Allowed(ADMINS),
            |x| {
                json(&admin::PreviewImport {
                    org_id: x.fx.spare_org,
                    csv: format!("email,name\nimport.{}@spare.example,Ima Port", x.seq),
                })
            },
        ),
        c(
            "import",
            "admin/import_users",
            Setup::None,
            Allowed(ADMINS),
            |x| {
                json(&admin::ImportUsers {
                    org_id: x.fx.spare_org,
                    csv: format!("email,name\nimport.{}@spare.example,Ima Port", x.seq),
                })
            },
        ),
        c("teams", "admin/teams", Setup::None, Allowed(ADMINS), |_| {
            qs(&admin::ListTeams {})
        }),
        c(
            "team choices",
            "admin/team_choices",
            Setup::None,
            Allowed(ADMINS),
            |_| qs(&admin::GetTeamChoices {}),
        ),
        c(
            "create team",
            "admin/save_team",
            Setup::None,
            Allowed(ADMINS),
            |x| {
                json(&admin::SaveTeam {
                    id: None,
                    draft: TeamDraft {
                        name: format!("Matrix {}", x.seq),
                        lead_id: Some(x.fx.spare_lead),
                        members: vec![],
                        orgs: vec![x.fx.spare_org],
                    },
                })
            },
        ),
        c(
            "categories",
            "admin/categories",
            Setup::None,
            Allowed(ADMINS),
            |_| qs(&admin::ListCategories {}),
        ),
        c(
            "create category",
            "admin/save_category",
            Setup::None,
            Allowed(ADMINS),
            |x| {
                json(&admin::SaveCategory {
                    id: None,
                    draft: CategoryDraft {
                        name: format!("Matrix {}", x.seq),
                        default_priority: None,
                        active: true,
                    },
                })
            },
        ),
        c(
            "canned responses (admin)",
            "admin/canned",
            Setup::None,
            Allowed(ADMINS),
            |_| qs(&admin::ListCanned {}),
        ),
        c(
            "create canned response",
            "admin/save_canned",
            Setup::None,
            Allowed(ADMINS),
            |x| {
                json(&admin::SaveCanned {
                    id: None,
                    draft: CannedDraft {
                        title: format!("Matrix {}", x.seq),
                        body: "Hello {requester}".into(),
                        active: true,
                    },
                })
            },
        ),
        c(
            "audit log",
            "admin/audit",
            Setup::None,
            Allowed(ADMINS),
            |_| qs(&admin::AuditLog { before: None }),
        ),
    ]
}

/// Reports: every analyst sees their own figures; leads and managers everyone's.
const NWL_STAFF_AND_OTHERS: &[Who] = STAFF;

fn client_draft(email: &str, org_id: i64) -> UserDraft {
    UserDraft {
        email: email.into(),
        name: "Spare Client".into(),
        role: Role::Client,
        org_id: Some(org_id),
        ..Default::default()
    }
}

struct Desk {
    app: TestApp,
    http: reqwest::Client,
    fx: Fixture,
    /// The signed-in people, by who they are.
    cast: Vec<(Who, String)>,
    sessions: Vec<(Who, String)>,
}

impl Desk {
    fn email(&self, who: Who) -> Option<&str> {
        self.cast
            .iter()
            .find(|(w, _)| *w == who)
            .map(|(_, e)| e.as_str())
    }

    async fn actor(&self, who: Who) -> Actor {
        let email = self.email(who).expect("a signed-in role");
        let pool = &self.app.state.pool;
        let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(email)
            .fetch_one(pool)
            .await
            .expect(email);
        let me = backend::repo::users::me(pool, id)
            .await
            .expect("query")
            .expect("user");
        Actor::from(&me)
    }

    async fn new_session(&self, who: Who) -> Option<String> {
        let email = self.email(who)?;
        let signed_in = backend::auth::sign_in(
            &self.app.state,
            email,
            seed::DEMO_PASSWORD,
            &backend::auth::ClientInfo::default(),
        )
        .await
        .expect("sign in");
        Some(signed_in.token)
    }

    fn session(&self, who: Who) -> Option<String> {
        self.sessions
            .iter()
            .find(|(w, _)| *w == who)
            .map(|(_, t)| t.clone())
    }

    /// A fresh Northwind ticket raised by Jo, brought into `state` by Ana; (number, version).
    async fn ticket(&self, state: TicketState) -> (i64, i64) {
        let jo = self.actor(Client).await;
        let ana = self.actor(Analyst).await;
        let s = &self.app.state;
        let new = backend::tickets::raise(
            s,
            &jo,
            &NewTicket {
                urgency: Some(Urgency::NotUrgent),
                problem: "The docking station does not charge the laptop".into(),
                ..Default::default()
            },
        )
        .await
        .expect("raise");
        let n = new.number.0;
        let mut v = new.version;
        if matches!(state, TicketState::New) {
            return (n, v);
        }
        v = backend::tickets::claim(s, &ana, n, v)
            .await
            .expect("claim")
            .version;
        match state {
            TicketState::AwaitingBudget => {
                v = backend::tickets::set_pending(
                    s,
                    &ana,
                    n,
                    v,
                    PendingReason::Budget,
                    Some("A new dock costs 180 EUR"),
                )
                .await
                .expect("pending")
                .version;
            }
            TicketState::Resolved => {
                v = backend::tickets::resolve(s, &ana, n, v, "Replaced the dock.")
                    .await
                    .expect("resolve")
                    .version;
            }
            _ => {}
        }
        (n, v)
    }

    async fn prepare(&self, case: &Case, who: Who, seq: usize) -> (Call<'_>, Option<String>) {
        let mut call = Call {
            fx: &self.fx,
            number: 0,
            version: 0,
            token: String::new(),
            shift: 0,
            seq,
        };
        let mut session = self.session(who);
        let s = &self.app.state;
        match case.setup {
            Setup::None => {}
            Setup::Ticket(state) => (call.number, call.version) = self.ticket(state).await,
            Setup::ResetToken => {
                call.token = backend::admin::password_link(
                    s,
                    &self.actor(Admin).await,
                    self.fx.spare_client,
                )
                .await
                .expect("password link")
                .path
                .trim_start_matches("/reset/")
                .to_string();
            }
            Setup::OnCallShift => {
                backend::oncall::add_oncall_shift(
                    s,
                    &self.actor(Lead).await,
                    self.fx.atlas,
                    self.fx.ana,
                    "2027-01-04T08:00",
                    "2027-01-04T16:00",
                    0,
                )
                .await
                .expect("on-call shift");
                call.shift = sqlx::query_scalar("SELECT MAX(id) FROM oncall_shifts")
                    .fetch_one(&s.pool)
                    .await
                    .expect("shift id");
            }
            Setup::OnShift | Setup::OffShift => {
                if self.email(who).is_some() {
                    let me = self.actor(who).await;
                    let _ = backend::shifts::end_shift(s, &me).await;
                    if matches!(case.setup, Setup::OnShift) {
                        let _ = backend::shifts::start_shift(s, &me).await;
                    }
                }
            }
            Setup::OwnSession => session = self.new_session(who).await,
        }
        (call, session)
    }

    async fn send(&self, path: &str, body: Body, session: Option<&str>) -> (u16, String) {
        let mut req = self
            .http
            .post(self.app.url(&format!("/api/{path}")))
            .header("Origin", format!("http://{}", self.app.addr));
        if let Some(token) = session {
            req = req.header(
                "Cookie",
                format!("{}={token}", backend::auth::SESSION_COOKIE),
            );
        }
        req = match body {
            Body::Form(text) => req
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(text),
            Body::Json(text) => req.header("Content-Type", "application/json").body(text),
        };
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        (status, res.text().await.unwrap_or_default())
    }
}

async fn desk() -> Desk {
    let app = TestApp::seeded(30).await;
    let pool = &app.state.pool;
    let scalar = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(pool)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    };
    let email_of = |sql: &'static str| async move {
        sqlx::query_scalar::<_, String>(sql)
            .fetch_one(pool)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    };
    // the other team's analyst serves neither Northwind nor its tier
    let other_team = email_of(
        "SELECT u.email FROM users u JOIN teams t ON t.id = u.team_id WHERE t.name = 'Borealis'
         AND u.role = 'analyst' AND u.tier = 1 ORDER BY u.id LIMIT 1",
    )
    .await;
    let senior = email_of(
        "SELECT u.email FROM users u JOIN teams t ON t.id = u.team_id WHERE t.name = 'Atlas'
         AND u.role = 'senior' ORDER BY u.id LIMIT 1",
    )
    .await;
    let cast = vec![
        (Client, CLIENT.to_string()),
        (ClientAdmin, CLIENT_ADMIN.to_string()),
        (OtherClient, OTHER_CLIENT.to_string()),
        (Analyst, ANALYST.to_string()),
        (OtherTeam, other_team),
        (Senior, senior),
        (Lead, LEAD.to_string()),
        (Manager, MANAGER.to_string()),
        (Admin, ADMIN.to_string()),
    ];
    let mut desk = Desk {
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        fx: Fixture {
            nwl: scalar("SELECT id FROM organizations WHERE code = 'NWL'").await,
            jo: scalar("SELECT id FROM users WHERE email = 'jo.bauer@northwind.example'").await,
            ana: scalar("SELECT id FROM users WHERE email = 'ana.costa@frontline.example'").await,
            atlas: scalar("SELECT id FROM teams WHERE name = 'Atlas'").await,
            category: scalar("SELECT MIN(id) FROM categories").await,
            spare_org: 0,
            spare_client: 0,
            unteamed: 0,
            spare_lead: 0,
            article_public: 0,
            article_internal: 0,
            article_contoso: 0,
            resolved: 0,
        },
        cast,
        sessions: Vec::new(),
        app,
    };
    let ana_team = desk.actor(Analyst).await.team_id;
    assert_eq!(
        ana_team,
        Some(desk.fx.atlas),
        "Ana is on Atlas, which serves Northwind"
    );

    // spare people and an organization the administrative cases may change freely
    let s = desk.app.state.clone();
    let sam = desk.actor(Admin).await;
    desk.fx.spare_org = backend::admin::create_org(
        &s,
        &sam,
        &OrgDraft {
            code: "SPR".into(),
            name: "Spare Parts".into(),
            time_zone: "Europe/Berlin".into(),
            hours_start: "08:00".into(),
            hours_end: "17:00".into(),
            ..Default::default()
        },
    )
    .await
    .expect("spare org");
    let new_user = |email: &'static str, role: Role, org: Option<i64>| {
        let (s, sam) = (s.clone(), sam.clone());
        async move {
            backend::admin::create_user(
                &s,
                &sam,
                &UserDraft {
                    email: email.into(),
                    name: "Spare Person".into(),
                    role,
                    org_id: org,
                    ..Default::default()
                },
            )
            .await
            .expect("spare user")
            .user_id
        }
    };
    desk.fx.spare_client = new_user(
        "spare.client@spare.example",
        Role::Client,
        Some(desk.fx.spare_org),
    )
    .await;
    desk.fx.unteamed = new_user("spare.analyst@frontline.example", Role::Analyst, None).await;
    desk.fx.spare_lead = new_user("spare.lead@frontline.example", Role::Lead, None).await;

    // articles for everyone, for the desk only, and for Contoso only
    let writer = desk.actor(Lead).await;
    let article = |title: &'static str, visibility: Visibility, org: Option<&'static str>| {
        let (s, writer) = (s.clone(), writer.clone());
        async move {
            backend::kb::save_article(
                &s,
                &writer,
                None,
                None,
                &ArticleDraft {
                    title: title.into(),
                    body: "Steps that work.".into(),
                    tags: "matrix".into(),
                    visibility,
                    org_code: org.map(Into::into),
                    source_ticket: None,
                },
            )
            .await
            .expect("article")
        }
    };
    desk.fx.article_public =
        article("Matrix article for all clients", Visibility::Clients, None).await;
    desk.fx.article_internal =
        article("Matrix article for the desk", Visibility::Internal, None).await;
    desk.fx.article_contoso = article(
        "Matrix article for Contoso",
        Visibility::Organization,
        Some("CHC"),
    )
    .await;
    desk.fx.resolved = desk.ticket(TicketState::Resolved).await.0;

    for (who, _) in desk.cast.clone() {
        let token = desk.new_session(who).await.expect("session");
        desk.sessions.push((who, token));
    }
    desk
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_server_function_answers_only_those_the_table_allows() {
    let desk = desk().await;
    let mut cases = cases();
    // deactivations change what later cases may use, and signing out ends sessions: last
    cases.sort_by_key(|c| match c.path {
        "sign_out" => 2,
        "admin/set_org_active" | "admin/set_user_active" => 1,
        _ => 0,
    });

    // the table covers every server function, and names only real ones
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_string())
        .collect();
    let covered: BTreeSet<String> = cases.iter().map(|c| c.path.to_string()).collect();
    let missing: Vec<_> = registered.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "server functions missing from the authorization table: {missing:?}"
    );
    let unknown: Vec<_> = covered.difference(&registered).collect();
    assert!(
        unknown.is_empty(),
        "the table names endpoints that do not exist: {unknown:?}"
    );

    let mut wrong = Vec::new();
    let mut seq = 0;
    for case in &cases {
        for who in EVERYONE {
            seq += 1;
            let (call, session) = desk.prepare(case, who, seq).await;
            let body = (case.body)(&call);
            let (status, text) = desk.send(case.path, body, session.as_deref()).await;
            let ok = match case.expect {
                Expect::Everyone(expected) => status == expected,
                Expect::Allowed(allowed) | Expect::AllowedElseInvalid(allowed, _)
                    if allowed.contains(&who) =>
                {
                    status == 200
                }
                Expect::AllowedElseInvalid(_, invalid) if invalid.contains(&who) => status == 422,
                Expect::Reaches(allowed, expected) if allowed.contains(&who) => status == expected,
                _ if who == Anon => status == 401,
                _ => status == 403 || status == 404,
            };
            if !ok {
                let text: String = text.chars().take(160).collect();
                wrong.push(format!("{:<28} {who:?}: {status} {text}", case.name));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} calls answered against the table:\n{}",
        wrong.len(),
        seq,
        wrong.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searches_and_lists_never_show_what_the_caller_may_not_see() {
    let desk = desk().await;
    let jo = desk.actor(Client).await;
    let number = backend::tickets::raise(
        &desk.app.state,
        &jo,
        &NewTicket {
            urgency: Some(Urgency::NotUrgent),
            problem: "The zyxwombat scanner jams on every page".into(),
            ..Default::default()
        },
    )
    .await
    .expect("raise")
    .number;
    let shows = |who: Who, path: &'static str, body: Body, needle: String| {
        let desk = &desk;
        async move {
            let (status, text) = desk.send(path, body, desk.session(who).as_deref()).await;
            assert_eq!(status, 200, "{path} as {who:?}: {text}");
            text.contains(&needle)
        }
    };
    let search = || {
        qs(&queue::GetQueue {
            filter: QueueFilter {
                q: Some("zyxwombat".into()),
                ..Default::default()
            },
        })
    };
    let needle = format!("\"number\":{}", number.0);
    assert!(shows(Analyst, "queue", search(), needle.clone()).await);
    assert!(!shows(OtherTeam, "queue", search(), needle.clone()).await);
    let portal = || {
        qs(&portal::GetPortal {
            filter: PortalFilter::default(),
        })
    };
    assert!(shows(Client, "portal", portal(), needle.clone()).await);
    assert!(!shows(OtherClient, "portal", portal(), needle).await);

    // (the page echoes the query: search for less than the title the needle is)
    let kb_search = || {
        qs(&kb::GetKb {
            q: Some("matrix contoso".into()),
        })
    };
    let contoso = "Matrix article for Contoso".to_string();
    assert!(shows(OtherClient, "kb", kb_search(), contoso.clone()).await);
    assert!(!shows(Client, "kb", kb_search(), contoso.clone()).await);
    let suggest = || {
        qs(&kb::SuggestArticles {
            text: "matrix contoso".into(),
        })
    };
    assert!(!shows(Client, "suggest_articles", suggest(), contoso).await);

    let requesters = || {
        qs(&tickets::FindRequesters {
            q: "jo.bauer".into(),
        })
    };
    assert!(shows(Analyst, "find_requesters", requesters(), "jo.bauer".into()).await);
    assert!(
        !shows(
            OtherTeam,
            "find_requesters",
            requesters(),
            "jo.bauer".into()
        )
        .await
    );
}
