//! Well-formed calls to every server function, and who may make them: the authorization
//! matrix checks the answers; the bad-input suite uses the same arguments as templates to garble.

use super::*;
use app::api::{
    admin, auth, dashboard, forecast, integrations, kb, mail, oncall, portal, problems, profile,
    queue, reports, shift, tickets, webhooks,
};
use app::model::admin::{
    CannedDraft, CategoryDraft, MailboxDraft, OrgDraft, TeamDraft, UserDraft, UserFilter,
    WebhookDraft, WebhookKind,
};
use app::model::api_token::{NewIntegration, TokenScope};
use app::model::kb::{ArticleDraft, Visibility};
use app::model::portal::{Decision, PortalFilter, Whose};
use app::model::problems::NewProblem;
use app::model::queue::QueueFilter;
use app::model::reports::ReportParams;
use app::model::ticket::NewTicket;
use app::model::TicketNumber;
use app::model::{PendingReason, Priority, Role, Urgency};
use serde::Serialize;
use Who::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Who {
    Anon,
    /// Jo, who raises the table's Northwind tickets.
    Client,
    /// Another client of Northwind, who did not raise them (clients see only their own requests).
    Colleague,
    ClientAdmin,
    OtherClient,
    Analyst,
    OtherTeam,
    Senior,
    Lead,
    Manager,
    Admin,
}

pub const EVERYONE: [Who; 11] = [
    Anon,
    Client,
    Colleague,
    ClientAdmin,
    OtherClient,
    Analyst,
    OtherTeam,
    Senior,
    Lead,
    Manager,
    Admin,
];
pub const SIGNED_IN: &[Who] = &[
    Client,
    Colleague,
    ClientAdmin,
    OtherClient,
    Analyst,
    OtherTeam,
    Senior,
    Lead,
    Manager,
    Admin,
];
pub const CLIENTS: &[Who] = &[Client, Colleague, ClientAdmin, OtherClient];
pub const STAFF: &[Who] = &[Analyst, OtherTeam, Senior, Lead, Manager];
/// Staff who see a tier-1 ticket of Northwind: the team serving it, leads and managers.
pub const NWL_STAFF: &[Who] = &[Analyst, Senior, Lead, Manager];
/// Who sees Jo's ticket, at any tier: Jo, Northwind's client admin and the staff above.
pub const JO_TICKET: &[Who] = &[Client, ClientAdmin, Analyst, Senior, Lead, Manager];
/// Staff who see a ticket of Ashford (served by Borealis, the other team): at any tier, the
/// other team's analyst, leads and managers; never Atlas's analyst or senior.
pub const ASH_STAFF: &[Who] = &[OtherTeam, Lead, Manager];
/// Who opens the reports: analysts of every team, seniors, leads and managers.
pub const REPORTERS: &[Who] = &[Analyst, OtherTeam, Senior, Lead, Manager];
pub const SHIFT_WORKERS: &[Who] = &[Analyst, OtherTeam, Senior, Lead];
pub const LEADS: &[Who] = &[Lead, Manager];
/// Who plans maintenance windows (they silence paging).
pub const PLANNERS: &[Who] = &[Lead, Manager, Admin];
pub const ADMINS: &[Who] = &[Admin];
/// Who decides on held mail (the Unprocessed list).
pub const MAIL_DECIDERS: &[Who] = &[Lead, Manager, Admin];
/// Everyone signed in but the administrator (who must keep a second factor, and has one).
pub const SIGNED_IN_BUT_ADMINS: &[Who] = &[
    Client,
    Colleague,
    ClientAdmin,
    OtherClient,
    Analyst,
    OtherTeam,
    Senior,
    Lead,
    Manager,
];

/// The state a ticket must be in for the action under test.
#[derive(Debug, Clone, Copy)]
pub enum TicketState {
    /// Raised by Jo (Northwind), nobody on it.
    New,
    /// Claimed by Ana.
    Claimed,
    /// Ana set it waiting for a budget decision.
    AwaitingBudget,
    /// Ana resolved it.
    Resolved,
    /// Raised by Jo, escalated to tier 2 by Ana (who so took part in it), nobody on it.
    Escalated,
    /// Raised by a client of Ashford (served by Borealis, not by Atlas), nobody on it.
    Foreign,
    /// Ashford's, escalated to tier 2 by the Borealis analyst, nobody on it.
    ForeignEscalated,
}

/// What a call needs before it is made.
#[derive(Debug, Clone, Copy)]
pub enum Setup {
    None,
    Ticket(TicketState),
    /// A fresh one-time password link for a spare user.
    ResetToken,
    /// An on-call shift of Atlas.
    OnCallShift,
    /// A maintenance window of Northwind, still to come.
    MaintenanceWindow,
    /// The caller is on shift (to end it) or off shift (to start one).
    OnShift,
    OffShift,
    /// The caller gets a session of their own for this call (signing in or out ends a session).
    OwnSession,
}

/// What everyone gets.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// These get a 200; the rest are refused.
    Allowed(&'static [Who]),
    /// These get a 200; the second list a 422 (the request makes no sense from them, which is
    /// not a matter of permission); the rest are refused.
    AllowedElseInvalid(&'static [Who], &'static [Who]),
    /// These get a 200; the second list this status (a state check past the permission check,
    /// say a 409: already done); the rest are refused.
    AllowedElse(&'static [Who], &'static [Who], u16),
    /// These pass the permission check and reach the state check, which answers this status
    /// (say, a 409: nothing to acknowledge); the rest are refused.
    Reaches(&'static [Who], u16),
    /// Everyone, signed in or not, gets this status (public links with a bad token).
    Everyone(u16),
}

pub struct Case {
    pub name: &'static str,
    pub path: &'static str,
    pub setup: Setup,
    pub expect: Expect,
    pub body: fn(&Call) -> Body,
}

pub enum Body {
    Form(String),
    Json(String),
}

pub fn qs<T: Serialize>(args: &T) -> Body {
    Body::Form(serde_qs::to_string(args).expect("form encoding"))
}

pub fn json<T: Serialize>(args: &T) -> Body {
    Body::Json(serde_json::to_string(args).expect("json encoding"))
}

/// The ids the table's arguments refer to.
pub struct Fixture {
    pub nwl: i64,
    pub jo: i64,
    pub ana: i64,
    pub atlas: i64,
    /// A client of Ashford (served by Borealis), who raises the table's foreign tickets.
    pub ash_client: i64,
    pub spare_org: i64,
    pub spare_client: i64,
    pub unteamed: i64,
    pub spare_lead: i64,
    pub category: i64,
    pub article_public: i64,
    pub article_internal: i64,
    pub article_contoso: i64,
    /// A resolved Northwind ticket (read-only cases).
    pub resolved: i64,
}

/// One call: the fixture, what the setup made, and a number that keeps names unique.
pub struct Call<'a> {
    pub fx: &'a Fixture,
    pub number: i64,
    pub version: i64,
    pub token: String,
    pub shift: i64,
    pub window: i64,
    pub seq: usize,
}

pub fn t(state: TicketState) -> Setup {
    Setup::Ticket(state)
}

pub fn cases() -> Vec<Case> {
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
                    password: DEMO_PASSWORD.into(),
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
        c(
            // without the cookie of a sign-in whose password was right there is nothing to
            // answer: the second_factor suite signs in with codes
            "sign in with a code",
            "sign_in_code",
            Setup::None,
            Everyone(401),
            |_| {
                qs(&auth::SignInCode {
                    // as apps show it; the digits are text (a code may start with 0)
                    code: "123 456".into(),
                    trust_browser: Some("on".into()),
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
        c(
            "second factor",
            "second_factor",
            Setup::None,
            Allowed(SIGNED_IN),
            |_| qs(&profile::GetSecondFactor {}),
        ),
        c(
            // the administrator has one already
            "start second factor",
            "start_second_factor",
            Setup::None,
            AllowedElse(SIGNED_IN_BUT_ADMINS, ADMINS, 409),
            |_| qs(&profile::StartSecondFactor {}),
        ),
        c(
            // a code that is no code: everyone signed in gets as far as reading it
            "finish second factor",
            "finish_second_factor",
            Setup::None,
            Reaches(SIGNED_IN, 422),
            |_| {
                qs(&profile::FinishSecondFactor {
                    code: "not-a-code".into(),
                })
            },
        ),
        c(
            "renew recovery codes",
            "renew_recovery_codes",
            Setup::None,
            Reaches(SIGNED_IN, 422),
            |_| {
                qs(&profile::RenewRecoveryCodes {
                    code: "not-a-code".into(),
                })
            },
        ),
        c(
            // required for administrators: theirs cannot be turned off
            "turn off second factor",
            "turn_off_second_factor",
            Setup::None,
            Reaches(SIGNED_IN_BUT_ADMINS, 422),
            |_| {
                qs(&profile::TurnOffSecondFactor {
                    code: "not-a-code".into(),
                })
            },
        ),
        c(
            "forget trusted browsers",
            "forget_trusted_browsers",
            Setup::None,
            Allowed(SIGNED_IN),
            |_| qs(&profile::ForgetTrustedBrowsers {}),
        ),
        c(
            "api tokens",
            "api_tokens",
            Setup::None,
            Allowed(SIGNED_IN),
            |_| qs(&profile::GetApiTokens {}),
        ),
        c(
            "create api token",
            "create_api_token",
            Setup::None,
            Allowed(SIGNED_IN),
            |x| {
                qs(&profile::CreateApiToken {
                    name: format!("script {}", x.seq),
                    expires_in_days: Some(30),
                })
            },
        ),
        c(
            "revoke api token",
            "revoke_api_token",
            Setup::None,
            Reaches(SIGNED_IN, 404),
            |_| qs(&profile::RevokeApiToken { id: 999_999 }),
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
            "staffing forecast",
            "forecast",
            Setup::None,
            // leads their team, managers every team
            Allowed(LEADS),
            |_| {
                qs(&forecast::GetForecast {
                    team: None,
                    move_from: None,
                    from: None,
                    until: None,
                })
            },
        ),
        c(
            "dashboard volume",
            "dashboard_volume",
            Setup::None,
            Allowed(LEADS),
            |_| {
                qs(&dashboard::GetVolume {
                    client: Some(cast::CLIENT_ORG.into()),
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
        // --- tickets beyond Northwind's tier 1: scope follows the client, not the tier
        c(
            "ticket at tier 2",
            "ticket",
            t(Escalated),
            Allowed(JO_TICKET),
            |x| qs(&tickets::GetTicket { number: x.number }),
        ),
        c(
            "another team's client's ticket",
            "ticket",
            t(Foreign),
            Allowed(ASH_STAFF),
            |x| qs(&tickets::GetTicket { number: x.number }),
        ),
        c(
            "another team's client's ticket at tier 2",
            "ticket",
            t(ForeignEscalated),
            Allowed(ASH_STAFF),
            |x| qs(&tickets::GetTicket { number: x.number }),
        ),
        c(
            "claim at tier 2",
            "claim_ticket",
            t(Escalated),
            Allowed(&[Senior, Lead, Manager]),
            |x| {
                qs(&tickets::ClaimTicket {
                    number: x.number,
                    version: x.version,
                })
            },
        ),
        c(
            "claim another team's client's ticket",
            "claim_ticket",
            t(Foreign),
            Allowed(ASH_STAFF),
            |x| {
                qs(&tickets::ClaimTicket {
                    number: x.number,
                    version: x.version,
                })
            },
        ),
        c(
            "claim another team's client's ticket at tier 2",
            "claim_ticket",
            t(ForeignEscalated),
            Allowed(&[Lead, Manager]),
            |x| {
                qs(&tickets::ClaimTicket {
                    number: x.number,
                    version: x.version,
                })
            },
        ),
        c(
            "reply at tier 2",
            "reply_ticket",
            t(Escalated),
            Allowed(JO_TICKET),
            |x| {
                qs(&tickets::ReplyTicket {
                    number: x.number,
                    version: x.version,
                    body: "Any news?".into(),
                })
            },
        ),
        c(
            "reply to another team's client",
            "reply_ticket",
            t(Foreign),
            Allowed(ASH_STAFF),
            |x| {
                qs(&tickets::ReplyTicket {
                    number: x.number,
                    version: x.version,
                    body: "We are on it.".into(),
                })
            },
        ),
        c(
            "internal note at tier 2",
            "add_ticket_note",
            t(Escalated),
            Allowed(NWL_STAFF),
            |x| {
                qs(&tickets::AddTicketNote {
                    number: x.number,
                    version: x.version,
                    body: "Needs the domain admin.".into(),
                })
            },
        ),
        c(
            "internal note on another team's client's ticket at tier 2",
            "add_ticket_note",
            t(ForeignEscalated),
            Allowed(ASH_STAFF),
            |x| {
                qs(&tickets::AddTicketNote {
                    number: x.number,
                    version: x.version,
                    body: "Needs the domain admin.".into(),
                })
            },
        ),
        c(
            "escalate another team's client's ticket",
            "change_ticket_tier",
            t(Foreign),
            Allowed(ASH_STAFF),
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
            "priority at tier 2 of another team's client",
            "set_ticket_priority",
            t(ForeignEscalated),
            Allowed(ASH_STAFF),
            |x| {
                qs(&tickets::SetTicketPriority {
                    number: x.number,
                    version: x.version,
                    priority: Priority::P2,
                })
            },
        ),
        c(
            "acknowledge pages of another team's client",
            "ack_ticket_pages",
            t(Foreign),
            Reaches(ASH_STAFF, 409),
            |x| qs(&oncall::AckTicketPages { number: x.number }),
        ),
        c(
            "record a problem with another team's client's ticket",
            "record_problem",
            t(Foreign),
            Allowed(LEADS),
            |x| {
                qs(&problems::RecordProblem {
                    new: NewProblem {
                        title: format!("Ashford printers jam, part {}", x.seq),
                        note: String::new(),
                        tickets: vec![TicketNumber(x.number)],
                    },
                })
            },
        ),
        c(
            "queue of another team's client",
            "queue",
            Setup::None,
            AllowedElseInvalid(ASH_STAFF, &[Analyst, Senior]),
            |_| {
                qs(&queue::GetQueue {
                    filter: QueueFilter {
                        client: Some("ASH".into()),
                        ..Default::default()
                    },
                })
            },
        ),
        c(
            "queue search for Jo's tickets",
            "queue",
            Setup::None,
            Allowed(STAFF),
            |_| {
                qs(&queue::GetQueue {
                    filter: QueueFilter {
                        q: Some("docking".into()),
                        ..Default::default()
                    },
                })
            },
        ),
        c(
            "find Ashford's requesters",
            "find_requesters",
            Setup::None,
            Allowed(STAFF),
            |_| qs(&tickets::FindRequesters { q: "a".into() }),
        ),
        // --- portal
        c("portal", "portal", Setup::None, Allowed(CLIENTS), |_| {
            qs(&portal::GetPortal {
                filter: PortalFilter::default(),
            })
        }),
        c(
            "the organization's requests",
            "portal",
            Setup::None,
            Allowed(&[ClientAdmin]),
            |_| {
                qs(&portal::GetPortal {
                    filter: PortalFilter {
                        whose: Whose::Organization,
                        ..Default::default()
                    },
                })
            },
        ),
        c(
            "desk report of another team's client",
            "desk_report",
            Setup::None,
            AllowedElseInvalid(ASH_STAFF, &[Analyst, Senior]),
            |_| {
                qs(&reports::GetDeskReport {
                    params: ReportParams {
                        client: Some("ASH".into()),
                        ..Default::default()
                    },
                })
            },
        ),
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
            "open an article in the editor",
            "article_to_edit",
            Setup::None,
            Allowed(STAFF),
            |x| {
                qs(&kb::GetArticleToEdit {
                    id: x.fx.article_public,
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
            Allowed(CLIENTS),
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
        c(
            "monitoring",
            "monitoring",
            Setup::None,
            Allowed(STAFF),
            |_| qs(&oncall::GetMonitoring {}),
        ),
        c(
            "plan a maintenance window",
            "plan_maintenance",
            Setup::None,
            Allowed(PLANNERS),
            |x| {
                qs(&oncall::PlanMaintenance {
                    org: cast::CLIENT_ORG.into(),
                    starts: format!("2026-11-19T{:02}:00", x.seq % 24),
                    ends: "2026-11-20T02:00".into(),
                    reason: format!("Patch night {}", x.seq),
                })
            },
        ),
        c(
            "end a maintenance window",
            "end_maintenance",
            Setup::MaintenanceWindow,
            Allowed(PLANNERS),
            |x| {
                qs(&oncall::EndMaintenance {
                    org: cast::CLIENT_ORG.into(),
                    id: x.window,
                })
            },
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
            "user's second factor",
            "admin/user_second_factor",
            Setup::None,
            Allowed(ADMINS),
            |x| qs(&admin::UserSecondFactor { id: x.fx.ana }),
        ),
        c(
            // the spare client never set one up: there is nothing to reset
            "reset second factor",
            "admin/reset_second_factor",
            Setup::None,
            Reaches(ADMINS, 409),
            |x| {
                qs(&admin::ResetSecondFactor {
                    id: x.fx.spare_client,
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
        c(
            "mailboxes",
            "admin/mailboxes",
            Setup::None,
            Allowed(ADMINS),
            |_| qs(&admin::ListMailboxes {}),
        ),
        c(
            // one that is not there: past the permission check, a 404
            "mailbox",
            "admin/mailbox",
            Setup::None,
            Reaches(ADMINS, 404),
            |_| qs(&admin::GetMailbox { id: 999_999 }),
        ),
        c(
            "create mailbox",
            "admin/save_mailbox",
            Setup::None,
            Allowed(ADMINS),
            |x| {
                json(&admin::SaveMailbox {
                    id: None,
                    draft: MailboxDraft {
                        name: format!("Matrix {}", x.seq),
                        address: format!("matrix-{}@msp.example", x.seq),
                        ..Default::default()
                    },
                })
            },
        ),
        c(
            "deactivate mailbox",
            "admin/set_mailbox_active",
            Setup::None,
            Reaches(ADMINS, 404),
            |_| {
                qs(&admin::SetMailboxActive {
                    id: 999_999,
                    active: false,
                })
            },
        ),
        c(
            "mail domains",
            "admin/mail_domains",
            Setup::None,
            Allowed(ADMINS),
            |x| qs(&admin::MailDomains { org_id: x.fx.nwl }),
        ),
        c(
            "add mail domain",
            "admin/add_mail_domain",
            Setup::None,
            Allowed(ADMINS),
            |x| {
                qs(&admin::AddMailDomain {
                    org_id: x.fx.spare_org,
                    domain: format!("matrix-{}.example", x.seq),
                })
            },
        ),
        c(
            // a domain the organization does not have: past the permission check, a 404
            "remove mail domain",
            "admin/remove_mail_domain",
            Setup::None,
            Reaches(ADMINS, 404),
            |x| {
                qs(&admin::RemoveMailDomain {
                    org_id: x.fx.spare_org,
                    domain: "never-added.example".into(),
                })
            },
        ),
        // --- outgoing webhooks (changes of one that is not there: past the permission check,
        // a 404; what they do is tested in app/tests/webhooks.rs and server/tests/webhooks.rs)
        c(
            "webhooks",
            "admin/webhooks",
            Setup::None,
            Allowed(ADMINS),
            |_| qs(&webhooks::ListWebhooks {}),
        ),
        c(
            // a Slack channel (no secret to seal) on an allowed address nothing listens on
            "create webhook",
            "admin/save_webhook",
            Setup::None,
            Allowed(ADMINS),
            |x| {
                json(&webhooks::SaveWebhook {
                    id: None,
                    draft: WebhookDraft {
                        name: format!("Matrix {}", x.seq),
                        url: "http://127.0.0.1:9/matrix".into(),
                        kind: WebhookKind::Slack,
                        events: vec!["sla.breached".into()],
                        ..Default::default()
                    },
                })
            },
        ),
        c(
            "pause webhook",
            "admin/set_webhook_active",
            Setup::None,
            Reaches(ADMINS, 404),
            |_| {
                qs(&webhooks::SetWebhookActive {
                    id: 999_999,
                    active: false,
                })
            },
        ),
        c(
            "delete webhook",
            "admin/delete_webhook",
            Setup::None,
            Reaches(ADMINS, 404),
            |_| qs(&webhooks::DeleteWebhook { id: 999_999 }),
        ),
        c(
            "test webhook",
            "admin/test_webhook",
            Setup::None,
            Reaches(ADMINS, 404),
            |_| qs(&webhooks::SendTestEvent { id: 999_999 }),
        ),
        c(
            "webhook deliveries",
            "admin/webhook_deliveries",
            Setup::None,
            Reaches(ADMINS, 404),
            |_| {
                qs(&webhooks::WebhookDeliveries {
                    id: 999_999,
                    before: None,
                })
            },
        ),
        c(
            "redeliver webhook",
            "admin/redeliver_webhook",
            Setup::None,
            Reaches(ADMINS, 404),
            |_| {
                qs(&webhooks::RedeliverWebhook {
                    id: 999_999,
                    delivery_id: 1,
                })
            },
        ),
        // --- integration tokens
        c(
            "integration tokens",
            "admin/integrations",
            Setup::None,
            Allowed(ADMINS),
            |_| qs(&integrations::ListIntegrations {}),
        ),
        c(
            "create integration token",
            "admin/create_integration",
            Setup::None,
            Allowed(ADMINS),
            |x| {
                json(&integrations::CreateIntegration {
                    integration: NewIntegration {
                        name: format!("monitoring {}", x.seq),
                        role: Role::Analyst,
                        org_id: None,
                        team_id: Some(x.fx.atlas),
                        scope: TokenScope::TicketsCreate,
                        expires_in_days: Some(90),
                    },
                })
            },
        ),
        c(
            "revoke integration token",
            "admin/revoke_integration",
            Setup::None,
            Reaches(ADMINS, 404),
            |_| qs(&integrations::RevokeIntegration { id: 999_999 }),
        ),
        // --- the Unprocessed list (decisions on a message that is not there: past the
        // permission check, a 404; the decisions themselves are tested in app/tests/mail_admin.rs)
        c(
            "held mail",
            "mail/held",
            Setup::None,
            Allowed(MAIL_DECIDERS),
            |_| {
                qs(&mail::HeldMail {
                    kind: None,
                    page: 0,
                })
            },
        ),
        c(
            "retry mail",
            "mail/retry",
            Setup::None,
            Reaches(MAIL_DECIDERS, 404),
            |_| qs(&mail::RetryMail { id: 999_999 }),
        ),
        c(
            "ticket from mail",
            "mail/open_ticket",
            Setup::None,
            Reaches(MAIL_DECIDERS, 404),
            |x| {
                qs(&mail::OpenTicketFromMail {
                    id: 999_999,
                    org_id: x.fx.nwl,
                    remember_domain: false,
                })
            },
        ),
        c(
            "discard mail",
            "mail/discard",
            Setup::None,
            Reaches(MAIL_DECIDERS, 404),
            |_| qs(&mail::DiscardMail { id: 999_999 }),
        ),
    ]
}

/// Reports: every analyst sees their own figures; leads and managers everyone's.
pub const NWL_STAFF_AND_OTHERS: &[Who] = STAFF;

pub fn client_draft(email: &str, org_id: i64) -> UserDraft {
    UserDraft {
        email: email.into(),
        name: "Spare Client".into(),
        role: Role::Client,
        org_id: Some(org_id),
        ..Default::default()
    }
}

/// Server functions that only read: the authorization matrix checks every 200 answer of theirs
/// for tickets and organizations outside the caller's scope, and the canary suite calls each as
/// everyone and looks for staff-only markers.
pub const READS: &[&str] = &[
    "me",
    "reset_info",
    "mute_setting",
    "second_factor",
    "api_tokens",
    "queue",
    "queue_counts",
    "dashboard",
    "dashboard_volume",
    "forecast",
    "find_requesters",
    "ticket",
    "portal",
    "kb",
    "suggest_articles",
    "article",
    "article_to_edit",
    "article_draft_from_ticket",
    "shift",
    "roster",
    "monitoring",
    "desk_report",
    "scorecards",
    "recurring_problems",
    "problems",
    "team/roster",
    "canned_responses",
    "admin/choices",
    "admin/orgs",
    "admin/org",
    "admin/users",
    "admin/user",
    "admin/preview_import",
    "admin/teams",
    "admin/team_choices",
    "admin/categories",
    "admin/canned",
    "admin/audit",
    "admin/user_second_factor",
    "admin/mail_domains",
    "admin/mailboxes",
    "admin/mailbox",
    "admin/webhooks",
    "admin/webhook_deliveries",
    "admin/integrations",
    "mail/held",
];
