//! Roles and the pages each may open. The backend's policy module builds on this for data scope;
//! the UI uses it to decide what to show in the navigation.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// End user at a client company: sees their own tickets.
    Client,
    /// Client-side administrator: sees all of their organization's tickets, approves requests.
    ClientAdmin,
    /// Tier 1 analyst.
    Analyst,
    /// Tier 2 or 3 staff.
    Senior,
    /// Team leader.
    Lead,
    /// Ops manager: everything operational.
    Manager,
    /// Configuration and users.
    Admin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Client,
        Role::ClientAdmin,
        Role::Analyst,
        Role::Senior,
        Role::Lead,
        Role::Manager,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Client => "client",
            Role::ClientAdmin => "client_admin",
            Role::Analyst => "analyst",
            Role::Senior => "senior",
            Role::Lead => "lead",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Client => "Client",
            Role::ClientAdmin => "Client admin",
            Role::Analyst => "Analyst",
            Role::Senior => "Senior analyst",
            Role::Lead => "Team lead",
            Role::Manager => "Ops manager",
            Role::Admin => "Administrator",
        }
    }

    /// People at a client company (they belong to an organization).
    pub fn is_client(self) -> bool {
        matches!(self, Role::Client | Role::ClientAdmin)
    }

    /// People of the provider who work tickets.
    pub fn works_tickets(self) -> bool {
        matches!(
            self,
            Role::Analyst | Role::Senior | Role::Lead | Role::Manager
        )
    }

    /// Leads and managers see every client's queue.
    pub fn sees_all_clients(self) -> bool {
        matches!(self, Role::Lead | Role::Manager)
    }

    /// Leads and managers turn a recurring group of tickets into a problem record.
    pub fn records_problems(self) -> bool {
        matches!(self, Role::Lead | Role::Manager)
    }

    /// Where this role starts its day after signing in.
    pub fn landing(self) -> Page {
        match self {
            Role::Client | Role::ClientAdmin => Page::Portal,
            Role::Analyst | Role::Senior => Page::Queue,
            Role::Lead | Role::Manager => Page::Dashboard,
            Role::Admin => Page::Admin,
        }
    }

    pub fn may_open(self, page: Page) -> bool {
        use Page::*;
        match page {
            Dashboard => matches!(self, Role::Lead | Role::Manager),
            Queue => self.works_tickets(),
            Ticket => self.works_tickets() || self.is_client(),
            Portal => self.is_client(),
            Knowledge => true,
            ArticleEditor => self.works_tickets(),
            Reports => matches!(
                self,
                Role::Analyst | Role::Senior | Role::Lead | Role::Manager
            ),
            Admin => self == Role::Admin,
            // received mail nobody could place: the people who assign work and configure the desk
            Mail => matches!(self, Role::Lead | Role::Manager | Role::Admin),
            Team => self == Role::Lead,
            Shift => matches!(self, Role::Analyst | Role::Senior | Role::Lead),
            OnCall => self.works_tickets(),
            Profile => true,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "Unknown role \"{s}\". Use one of: client, client_admin, analyst, senior, lead, manager, admin."
                )
            })
    }
}

/// The top-level areas of the app, as the navigation shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Page {
    Dashboard,
    Queue,
    Ticket,
    Portal,
    Knowledge,
    /// Writing and editing articles (desk staff).
    ArticleEditor,
    Reports,
    Admin,
    /// Start and end a shift, hand work over.
    Shift,
    /// Who is on call when.
    OnCall,
    /// The signed-in person's own preferences.
    Profile,
    /// A team lead's own team roster.
    Team,
    /// Received mail held for a person to decide on (the Unprocessed list).
    Mail,
}

impl Page {
    /// Pages listed in the navigation, in order (a ticket page is reached from a list).
    pub const NAV: [Page; 10] = [
        Page::Dashboard,
        Page::Queue,
        Page::Team,
        Page::Shift,
        Page::OnCall,
        Page::Portal,
        Page::Knowledge,
        Page::Reports,
        Page::Mail,
        Page::Admin,
    ];

    pub fn path(self) -> &'static str {
        match self {
            Page::Dashboard => "/dashboard",
            Page::Queue => "/queue",
            Page::Ticket => "/tickets",
            Page::Portal => "/portal",
            Page::Knowledge => "/kb",
            Page::ArticleEditor => "/kb/new",
            Page::Reports => "/reports",
            Page::Admin => "/admin",
            Page::Shift => "/shift",
            Page::OnCall => "/oncall",
            Page::Profile => "/me",
            Page::Team => "/team",
            Page::Mail => "/admin/mail",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Page::Dashboard => "Dashboard",
            Page::Queue => "Queue",
            Page::Ticket => "Ticket",
            Page::Portal => "My requests",
            Page::Knowledge => "Knowledge base",
            Page::ArticleEditor => "Article editor",
            Page::Reports => "Reports",
            Page::Admin => "Administration",
            Page::Shift => "My shift",
            Page::OnCall => "On call",
            Page::Profile => "My preferences",
            Page::Team => "My team",
            Page::Mail => "Unprocessed mail",
        }
    }
}

/// The WebAssembly modules split out of the main one: pages few people open, loaded on first use
/// (ui/lazy.rs), whose preload links the server writes into a page that needs one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SplitModule {
    Admin,
    /// The ops dashboard with its forecast: team leads and managers.
    Dashboard,
    Reports,
    /// "My preferences" and two-step sign-in: opened now and then.
    Profile,
    /// The knowledge-base article editor: staff writing up a solution.
    Editor,
    /// The on-call rota.
    OnCall,
    /// A lead's team roster.
    Team,
}

impl SplitModule {
    /// The module's name in the build's manifest: the first argument of its `wasm_split` (ui/lazy.rs).
    pub fn name(self) -> &'static str {
        match self {
            SplitModule::Admin => "admin",
            SplitModule::Dashboard => "dashboard",
            SplitModule::Reports => "reports",
            SplitModule::Profile => "profile",
            SplitModule::Editor => "editor",
            SplitModule::OnCall => "oncall",
            SplitModule::Team => "team",
        }
    }

    /// The page that gates every route in the module.
    pub fn page(self) -> Page {
        match self {
            SplitModule::Admin => Page::Admin,
            SplitModule::Dashboard => Page::Dashboard,
            SplitModule::Reports => Page::Reports,
            SplitModule::Profile => Page::Profile,
            SplitModule::Editor => Page::ArticleEditor,
            SplitModule::OnCall => Page::OnCall,
            SplitModule::Team => Page::Team,
        }
    }

    /// The module whose routes serve `path` (the app routes `/admin…` and `/reports` to them).
    pub fn serving(path: &str) -> Option<SplitModule> {
        match path.trim_end_matches('/') {
            "/dashboard" => Some(SplitModule::Dashboard),
            "/reports" => Some(SplitModule::Reports),
            "/me" => Some(SplitModule::Profile),
            "/oncall" => Some(SplitModule::OnCall),
            "/team" => Some(SplitModule::Team),
            "/kb/new" => Some(SplitModule::Editor),
            p if p.starts_with("/kb/") && p.ends_with("/edit") => Some(SplitModule::Editor),
            p if p == "/admin" || p.starts_with("/admin/") => Some(SplitModule::Admin),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().unwrap_err().contains("Unknown role"));
    }

    #[test]
    fn every_role_may_open_its_landing_page() {
        for role in Role::ALL {
            assert!(
                role.may_open(role.landing()),
                "{role} cannot open its landing page"
            );
        }
    }

    #[test]
    fn clients_never_reach_staff_pages() {
        for role in [Role::Client, Role::ClientAdmin] {
            for page in [Page::Dashboard, Page::Queue, Page::Reports, Page::Admin] {
                assert!(!role.may_open(page), "{role} may open {page:?}");
            }
            assert!(role.may_open(Page::Portal));
        }
    }

    #[test]
    fn only_admins_reach_administration_and_only_leads_and_managers_the_dashboard() {
        let admins: Vec<_> = Role::ALL
            .into_iter()
            .filter(|r| r.may_open(Page::Admin))
            .collect();
        assert_eq!(admins, vec![Role::Admin]);
        let dash: Vec<_> = Role::ALL
            .into_iter()
            .filter(|r| r.may_open(Page::Dashboard))
            .collect();
        assert_eq!(dash, vec![Role::Lead, Role::Manager]);
        let rosters: Vec<_> = Role::ALL
            .into_iter()
            .filter(|r| r.may_open(Page::Team))
            .collect();
        assert_eq!(rosters, vec![Role::Lead]);
        let mail: Vec<_> = Role::ALL
            .into_iter()
            .filter(|r| r.may_open(Page::Mail))
            .collect();
        assert_eq!(mail, vec![Role::Lead, Role::Manager, Role::Admin]);
    }

    #[test]
    fn the_split_modules_serve_the_administration_and_reports_paths_only() {
        for path in ["/admin", "/admin/", "/admin/users/7", "/admin/orgs/new"] {
            assert_eq!(
                SplitModule::serving(path),
                Some(SplitModule::Admin),
                "{path}"
            );
        }
        assert_eq!(SplitModule::serving("/reports"), Some(SplitModule::Reports));
        for path in [
            "/",
            "/queue",
            "/administration",
            "/reports.csv",
            "/reports/summary.csv",
        ] {
            assert_eq!(SplitModule::serving(path), None, "{path}");
        }
    }
}
