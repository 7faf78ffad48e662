//! The desk the HTTP suites run against: a seeded app, the cast signed in, spare records the
//! administrative calls may change, and the set-up each call of the table needs.

use super::calls::*;
use super::*;
use app::backend;
use app::backend::policy::Actor;
use app::model::admin::{OrgDraft, UserDraft};
use app::model::kb::{ArticleDraft, Visibility};
use app::model::ticket::NewTicket;
use app::model::{PendingReason, Role, Urgency};
use Who::*;

pub struct Desk {
    pub app: TestApp,
    pub http: reqwest::Client,
    pub fx: Fixture,
    /// The signed-in people, by who they are.
    pub cast: Vec<(Who, String)>,
    pub sessions: Vec<(Who, String)>,
}

impl Desk {
    pub fn email(&self, who: Who) -> Option<&str> {
        self.cast
            .iter()
            .find(|(w, _)| *w == who)
            .map(|(_, e)| e.as_str())
    }

    pub async fn actor(&self, who: Who) -> Actor {
        let email = self.email(who).expect("a signed-in role");
        let id = self.app.user_id(email).await;
        self.actor_of(id).await
    }

    pub async fn new_session(&self, who: Who) -> Option<String> {
        let email = self.email(who)?;
        Some(self.app.session_token(email).await)
    }

    pub fn session(&self, who: Who) -> Option<String> {
        self.sessions
            .iter()
            .find(|(w, _)| *w == who)
            .map(|(_, t)| t.clone())
    }

    /// The actor of user `id`.
    pub async fn actor_of(&self, id: i64) -> Actor {
        let me = backend::repo::users::me(&mut self.app.state.pool.acquire().await.unwrap(), id)
            .await
            .expect("query")
            .expect("user");
        Actor::from(&me)
    }

    /// A fresh ticket in `state`: Northwind's raised by Jo and worked by Ana, Ashford's raised by
    /// one of its clients and escalated by the Borealis analyst; (number, version).
    pub async fn ticket(&self, state: TicketState) -> (i64, i64) {
        let s = &self.app.state;
        if matches!(state, TicketState::Foreign | TicketState::ForeignEscalated) {
            let requester = self.actor_of(self.fx.ash_client).await;
            let new = backend::tickets::raise(
                s,
                &requester,
                &NewTicket {
                    urgency: Some(Urgency::NotUrgent),
                    problem: "The label printer in the warehouse prints blank labels".into(),
                    ..Default::default()
                },
            )
            .await
            .expect("raise for Ashford");
            if matches!(state, TicketState::Foreign) {
                return (new.number.0, new.version);
            }
            let borealis = self.actor(OtherTeam).await;
            let v = backend::tickets::change_tier(
                s,
                &borealis,
                new.number.0,
                new.version,
                2,
                "Needs the print server's admin",
            )
            .await
            .expect("escalate Ashford's")
            .version;
            return (new.number.0, v);
        }
        let jo = self.actor(Client).await;
        let ana = self.actor(Analyst).await;
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
        if matches!(state, TicketState::Escalated) {
            v = backend::tickets::change_tier(s, &ana, n, v, 2, "Needs a domain admin")
                .await
                .expect("escalate")
                .version;
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

    pub async fn prepare(&self, case: &Case, who: Who, seq: usize) -> (Call<'_>, Option<String>) {
        let mut call = Call {
            fx: &self.fx,
            number: 0,
            version: 0,
            token: String::new(),
            shift: 0,
            window: 0,
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
                call.shift = app::pool_run!(s.pool, c => sqlx::query_scalar("SELECT MAX(id) FROM oncall_shifts")
                    .fetch_one(c).await)
                    .expect("shift id");
            }
            Setup::MaintenanceWindow => {
                let now = s.now();
                call.window = backend::tickets::plan_maintenance(
                    s,
                    &self.actor(Lead).await,
                    cast::CLIENT_ORG,
                    now + 86_400,
                    now + 90_000,
                    "Firewall upgrade",
                )
                .await
                .expect("maintenance window")
                .id;
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

    /// Calls a server function and reads its answer as JSON.
    pub async fn send(&self, path: &str, body: Body, session: Option<&str>) -> (u16, String) {
        self.send_accepting(path, body, session, "application/json")
            .await
    }

    /// Calls a server function as the browser does, asking for its answer in postcard. In the
    /// debug build the tests run, an answer postcard cannot carry is refused with a 500.
    pub async fn send_as_browser(
        &self,
        path: &str,
        body: Body,
        session: Option<&str>,
    ) -> (u16, String) {
        self.send_accepting(path, body, session, app::api::wire::COMPACT)
            .await
    }

    async fn send_accepting(
        &self,
        path: &str,
        body: Body,
        session: Option<&str>,
        accept: &str,
    ) -> (u16, String) {
        let mut req = self
            .http
            .post(self.app.url(&format!("/api/{path}")))
            .header("Origin", format!("http://{}", self.app.addr))
            .header("Accept", accept);
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

pub async fn desk() -> Desk {
    let app = TestApp::seeded(30).await;
    let pool = &app.state.pool;
    // the other team's analyst serves neither Northwind nor its tier
    let other_team: String = app
        .one(
            "SELECT u.email FROM users u JOIN teams t ON t.id = u.team_id WHERE t.name = $1
             AND u.role = 'analyst' AND u.tier = 1 ORDER BY u.id LIMIT 1",
            cast::OTHER_TEAM,
        )
        .await;
    // a client of Northwind who is not Jo: sees none of Jo's requests
    let colleague: String = app::pool_run!(pool, c => sqlx::query_scalar(
        "SELECT u.email FROM users u JOIN organizations o ON o.id = u.org_id WHERE o.code = $1
         AND u.role = 'client' AND u.active AND u.email <> $2 ORDER BY u.id LIMIT 1",
    )
    .bind(cast::CLIENT_ORG)
    .bind(CLIENT)
    .fetch_one(c).await)
    .expect("a colleague of the client");
    let senior: String = app
        .one(
            "SELECT u.email FROM users u JOIN teams t ON t.id = u.team_id WHERE t.name = $1
             AND u.role = 'senior' ORDER BY u.id LIMIT 1",
            cast::TEAM,
        )
        .await;
    let cast = vec![
        (Client, CLIENT.to_string()),
        (Colleague, colleague),
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
        http: super::client_builder().build().expect("client"),
        fx: Fixture {
            nwl: app.org_id(cast::CLIENT_ORG).await,
            jo: app.user_id(CLIENT).await,
            ana: app.user_id(ANALYST).await,
            atlas: app.team_id(cast::TEAM).await,
            ash_client: app
                .scalar(
                    "SELECT u.id FROM users u JOIN organizations o ON o.id = u.org_id
                     WHERE o.code = 'ASH' AND u.role = 'client' AND u.active ORDER BY u.id LIMIT 1",
                )
                .await,
            category: app.scalar("SELECT MIN(id) FROM categories").await,
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
        Some(cast::OTHER_CLIENT_ORG),
    )
    .await;
    desk.fx.resolved = desk.ticket(TicketState::Resolved).await.0;

    for (who, _) in desk.cast.clone() {
        let token = desk.new_session(who).await.expect("session");
        desk.sessions.push((who, token));
    }
    desk
}
