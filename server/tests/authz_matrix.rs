//! The authorization matrix: every server function, called over real HTTP by every kind of person
//! (signed out, the requester, another client of the same organization, its client admin, a
//! client of another organization, analysts of the team that serves it and of another team, a
//! senior, a lead, a manager, an administrator), against the table of `common::calls` of who may
//! do what, on tickets of tier 1 and tier 2, of Northwind (served by Atlas) and of Ashford
//! (served by Borealis). Whoever the table allows gets a 200; everyone else a 401 (signed out)
//! or a 403/404 (signed in; a 404 where even the existence of the thing is private). A server
//! function missing from the table fails the suite.
//!
//! Answers are checked, not only statuses: every ticket number (`number` fields, "HD-1042" in
//! text) and every organization (`org_id`, codes and names in organization fields) in a read's
//! answer must be within the caller's scope, as the database says it is at that moment (see
//! `Scope`). The routes that are not server functions (pages, CSV exports, downloads, uploads,
//! the live stream) have their own table, and their answers the same check on ticket numbers.
//!
//! Each call that changes a ticket gets a fresh ticket in the state the action needs, so the
//! answer depends on who asks and nothing else.

mod common;

use app::api::{kb, portal, queue, tickets};
use app::backend;
use app::model::portal::PortalFilter;
use app::model::queue::QueueFilter;
use app::model::ticket::NewTicket;
use app::model::Urgency;
use common::calls::*;
use common::desk::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use Who::*;

/// Reads of the knowledge base (see `Scope::drop_article_audiences`).
const KB_READS: &[&str] = &["kb", "suggest_articles", "article", "article_to_edit"];

/// Whether `status` is what `expect` says `who` gets.
fn judged(expect: Expect, who: Who, status: u16) -> bool {
    match expect {
        Expect::Everyone(expected) => status == expected,
        Expect::Allowed(allowed) | Expect::AllowedElseInvalid(allowed, _)
            if allowed.contains(&who) =>
        {
            status == 200
        }
        Expect::AllowedElseInvalid(_, invalid) if invalid.contains(&who) => status == 422,
        Expect::AllowedElse(allowed, _, _) if allowed.contains(&who) => status == 200,
        Expect::AllowedElse(_, others, expected) if others.contains(&who) => status == expected,
        Expect::Reaches(allowed, expected) if allowed.contains(&who) => status == expected,
        _ if who == Anon => status == 401,
        _ => status == 403 || status == 404,
    }
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

    cross_links(&desk).await;
    let scope = Scope::new(&desk);
    let mut wrong = Vec::new();
    let mut leaks = Vec::new();
    // per read: how many ticket numbers and organizations its answers named
    let mut seen: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut seq = 0;
    for case in &cases {
        for who in EVERYONE {
            seq += 1;
            let (call, session) = desk.prepare(case, who, seq).await;
            let body = (case.body)(&call);
            let (status, text) = desk
                .send_as_browser(case.path, body, session.as_deref())
                .await;
            if !judged(case.expect, who, status) {
                let text: String = text.chars().take(160).collect();
                wrong.push(format!("{:<28} {who:?}: {status} {text}", case.name));
            }
            // what a read answered, within the caller's scope
            if status == 200 && READS.contains(&case.path) {
                let (status, text) = desk
                    .send(case.path, (case.body)(&call), session.as_deref())
                    .await;
                if status != 200 {
                    wrong.push(format!(
                        "{:<28} {who:?}: 200 in postcard but {status} in JSON",
                        case.name
                    ));
                    continue;
                }
                match serde_json::from_str::<Value>(&text) {
                    Ok(answer) => {
                        let mut found = mentions(&answer, &scope.orgs().await);
                        if KB_READS.contains(&case.path) {
                            scope.drop_article_audiences(who, &mut found).await;
                        }
                        for problem in scope.outside(who, &found).await {
                            leaks.push(format!(
                                "LEAK POST /api/{} ({}) as {who:?}: {problem}",
                                case.path, case.name
                            ));
                        }
                        let tally = seen.entry(case.path).or_default();
                        tally.0 += found.tickets.len();
                        tally.1 += found.orgs.len();
                    }
                    Err(e) => wrong.push(format!(
                        "{:<28} {who:?}: the JSON answer does not parse: {e}",
                        case.name
                    )),
                }
            }
        }
    }
    println!(
        "answers read (tickets, organizations named): {}",
        seen.iter()
            .map(|(path, (t, o))| format!("{path} {t}/{o}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    // the answer checks prove something: these reads name tickets and organizations to someone
    for (path, tickets, orgs) in [
        ("queue", true, true),
        ("ticket", true, true),
        ("portal", true, false),
        ("find_requesters", false, true),
        ("me", false, true),
        ("desk_report", false, true),
        ("article", true, false),
        ("shift", true, false),
        ("recurring_problems", true, true),
    ] {
        let (t, o) = seen.get(path).copied().unwrap_or_default();
        if (tickets && t == 0) || (orgs && o == 0) {
            wrong.push(format!(
                "{path}: the answers named {t} tickets and {o} organizations to everyone: \
                 the answer checks read nothing there"
            ));
        }
    }
    assert!(
        wrong.is_empty() && leaks.is_empty(),
        "{} of {} calls answered against the table, {} answers named what the caller may not see:\n{}",
        wrong.len(),
        seq,
        leaks.len(),
        wrong.iter().chain(&leaks).cloned().collect::<Vec<_>>().join("\n")
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

    let jo = common::CLIENT.split('@').next().unwrap_or_default();
    let requesters = || qs(&tickets::FindRequesters { q: jo.into() });
    assert!(shows(Analyst, "find_requesters", requesters(), jo.into()).await);
    assert!(!shows(OtherTeam, "find_requesters", requesters(), jo.into()).await);
}

/// What lists gather from many clients: the article for all clients linked from a ticket of
/// Jo's and from one of Ashford's, and that Ashford ticket handed to the next shift of Borealis.
async fn cross_links(desk: &Desk) {
    let s = &desk.app.state;
    let link = format!("See [the steps](/kb/{}).", desk.fx.article_public);
    let (jo, v) = desk.ticket(TicketState::Claimed).await;
    let ana = desk.actor(Analyst).await;
    backend::tickets::reply(s, &ana, jo, v, &link, true)
        .await
        .expect("Ana links the article");
    let (ash, v) = desk.ticket(TicketState::Foreign).await;
    let borealis = desk.actor(OtherTeam).await;
    let v = backend::tickets::claim(s, &borealis, ash, v)
        .await
        .expect("Borealis claims")
        .version;
    let v = backend::tickets::reply(s, &borealis, ash, v, &link, true)
        .await
        .expect("Borealis links the article")
        .version;
    backend::tickets::hand_over(s, &borealis, ash, v, None, "Call the warehouse at 9.")
        .await
        .expect("hand over to the next shift");
}

// ---------------------------------------------------------------- what a caller may see

/// What each person of the table may see, asked of the database when an answer is judged (the
/// table's cases raise tickets and make people take part in them as they go). Written from the
/// policy in words, not from the app's code: clients see the tickets they requested in their
/// organization, client admins their organization's; analysts and seniors the organizations
/// their team serves, at every tier, and tickets they took part in; leads and managers every
/// ticket; administrators none (but they administer every organization).
struct Scope<'a> {
    desk: &'a Desk,
}

/// The tickets (by number) and organizations (by id) an answer names.
#[derive(Debug, Default)]
struct Mentions {
    tickets: BTreeSet<i64>,
    orgs: BTreeSet<i64>,
}

/// An organization as answers may name it.
struct Org {
    id: i64,
    code: String,
    name: String,
}

impl Scope<'_> {
    fn new(desk: &Desk) -> Scope<'_> {
        Scope { desk }
    }

    async fn user_id(&self, who: Who) -> Option<i64> {
        let email = self.desk.email(who)?;
        Some(
            app::pool_run!(self.desk.app.state.pool, c => sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
                .bind(email)
                .fetch_one(c).await)
                .expect("user"),
        )
    }

    async fn orgs(&self) -> Vec<Org> {
        let rows: Vec<(i64, String, String)> =
            app::pool_run!(self.desk.app.state.pool, c => sqlx::query_as("SELECT id, code, name FROM organizations ORDER BY id")
                .fetch_all(c).await)
                .expect("organizations");
        rows.into_iter()
            .map(|(id, code, name)| Org { id, code, name })
            .collect()
    }

    async fn may_see_ticket(&self, who: Who, number: i64) -> bool {
        let Some(me) = self.user_id(who).await else {
            return false;
        };
        app::pool_run!(self.desk.app.state.pool, c => sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM tickets t, users u WHERE t.number = $1 AND u.id = $2 AND (
                u.role IN ('lead', 'manager')
                OR (u.role IN ('analyst', 'senior') AND (
                    t.org_id IN (SELECT org_id FROM team_orgs WHERE team_id = u.team_id)
                    OR EXISTS (SELECT 1 FROM ticket_participants p
                               WHERE p.ticket_id = t.id AND p.user_id = u.id)))
                OR (u.role = 'client_admin' AND t.org_id = u.org_id)
                OR (u.role = 'client' AND t.org_id = u.org_id AND t.requester_id = u.id)))",
        )
        .bind(number)
        .bind(me)
        .fetch_one(c).await)
        .expect("ticket scope")
    }

    async fn may_see_org(&self, who: Who, org: i64) -> bool {
        let Some(me) = self.user_id(who).await else {
            return false;
        };
        app::pool_run!(self.desk.app.state.pool, c => sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM users u WHERE u.id = $2 AND (
                u.role IN ('lead', 'manager', 'admin')
                OR (u.role IN ('client', 'client_admin') AND u.org_id = $1)
                OR (u.role IN ('analyst', 'senior') AND (
                    $1 IN (SELECT org_id FROM team_orgs WHERE team_id = u.team_id)
                    OR EXISTS (SELECT 1 FROM tickets t JOIN ticket_participants p ON p.ticket_id = t.id
                               WHERE t.org_id = $1 AND p.user_id = u.id)))))",
        )
        .bind(org)
        .bind(me)
        .fetch_one(c).await)
        .expect("organization scope")
    }

    /// The knowledge base is the whole desk's: every member of staff reads (and edits) the
    /// articles written for one client, which name that client. Those clients are no finding
    /// when staff read the knowledge base.
    async fn drop_article_audiences(&self, who: Who, found: &mut Mentions) {
        if !STAFF.contains(&who) {
            return;
        }
        let audiences: Vec<i64> = app::pool_run!(self.desk.app.state.pool, c => sqlx::query_scalar(
            "SELECT DISTINCT org_id FROM articles WHERE visibility = 'organization' AND org_id IS NOT NULL",
        )
        .fetch_all(c).await)
        .expect("articles");
        found.orgs.retain(|id| !audiences.contains(id));
    }

    /// What of `found` `who` may not see, in words.
    async fn outside(&self, who: Who, found: &Mentions) -> Vec<String> {
        let mut out = Vec::new();
        for &number in &found.tickets {
            if !self.may_see_ticket(who, number).await {
                out.push(format!(
                    "ticket HD-{number} {}",
                    self.describe(number).await
                ));
            }
        }
        let orgs = self.orgs().await;
        for &id in &found.orgs {
            if !self.may_see_org(who, id).await {
                let org = orgs.iter().find(|o| o.id == id).expect("organization");
                out.push(format!("organization {} ({})", org.code, org.name));
            }
        }
        out
    }

    /// Whose a ticket is and at which tier, for a message.
    async fn describe(&self, number: i64) -> String {
        let row: Option<(String, i64, String)> =
            app::pool_run!(self.desk.app.state.pool, c => sqlx::query_as(
            "SELECT o.code, t.tier, u.email FROM tickets t JOIN organizations o ON o.id = t.org_id
             JOIN users u ON u.id = t.requester_id WHERE t.number = $1",
        )
        .bind(number)
        .fetch_optional(c).await)
            .expect("ticket");
        match row {
            Some((org, tier, requester)) => format!("({org}, tier {tier}, raised by {requester})"),
            None => "(no such ticket)".into(),
        }
    }
}

/// Fields that name organizations (codes, names, "Name (CODE)" labels, wherever they nest).
const ORG_FIELDS: &[&str] = &[
    "org_code",
    "org_name",
    "organization_code",
    "organization_name",
    "organization",
    "client",
    "clients",
    "by_client",
    "orgs",
];

/// The tickets and organizations a JSON answer names: ticket numbers in `number` fields (but a
/// problem record's own number, `problems[].number`) and `source_ticket`, "HD-1042" anywhere
/// in text; organizations by `org_id` and by code or name in `ORG_FIELDS`.
fn mentions(answer: &Value, orgs: &[Org]) -> Mentions {
    let mut found = Mentions::default();
    walk(answer, None, false, orgs, &mut found);
    found
}

/// `container` is the key of the field that holds `v` (for an array's items, the array's key).
fn walk(v: &Value, container: Option<&str>, org_field: bool, orgs: &[Org], found: &mut Mentions) {
    match v {
        Value::Object(fields) => {
            for (key, child) in fields {
                let ticket_field =
                    (key == "number" && container != Some("problems")) || key == "source_ticket";
                if ticket_field {
                    if let Some(n) = child.as_i64() {
                        found.tickets.insert(n);
                    }
                }
                if key == "org_id" {
                    if let Some(id) = child.as_i64() {
                        found.orgs.insert(id);
                    }
                }
                let org_field = org_field || ORG_FIELDS.contains(&key.as_str());
                walk(child, Some(key), org_field, orgs, found);
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(item, container, org_field, orgs, found);
            }
        }
        Value::String(text) => {
            found.tickets.extend(ticket_numbers_in(text));
            if org_field {
                found.orgs.extend(orgs_named(text, orgs));
            }
        }
        _ => {}
    }
}

/// The organizations a piece of an organization field names: its code, its name, or both as
/// "Name (CODE)"; several codes separated by spaces (a recurring group's clients).
fn orgs_named(text: &str, orgs: &[Org]) -> Vec<i64> {
    let text = text.trim();
    orgs.iter()
        .filter(|o| {
            text == o.code
                || text == o.name
                || text == format!("{} ({})", o.name, o.code)
                || text.split_whitespace().any(|word| word == o.code)
        })
        .map(|o| o.id)
        .collect()
}

/// Every "HD-1042" in a text.
fn ticket_numbers_in(text: &str) -> Vec<i64> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("HD-") {
        let digits: String = rest[at + 3..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if let Ok(n) = digits.parse() {
            out.push(n);
        }
        rest = &rest[at + 3..];
    }
    out
}

#[test]
fn answers_are_read_for_tickets_and_organizations() {
    let orgs = [
        Org {
            id: 1,
            code: "NWL".into(),
            name: "Northwind Logistics".into(),
        },
        Org {
            id: 2,
            code: "ASH".into(),
            name: "Ashford".into(),
        },
    ];
    let answer: Value = serde_json::from_str(
        r#"{"rows": [{"number": 1042, "org_code": "NWL", "subject": "see HD-7, HD-"}],
            "problems": [{"number": 3, "tickets": [{"number": 1043, "org_code": "ASH"}]}],
            "clients": [{"value": "ASH", "label": "Ashford (ASH)"}], "org_id": 1,
            "id": 2, "count": 1}"#,
    )
    .unwrap();
    let found = mentions(&answer, &orgs);
    assert_eq!(
        found.tickets.into_iter().collect::<Vec<_>>(),
        vec![7, 1042, 1043]
    );
    assert_eq!(found.orgs.into_iter().collect::<Vec<_>>(), vec![1, 2]);
}

// ---------------------------------------------------------------- routes that are not server functions

/// What the suite made for the routes: tickets at both tiers of two clients, files on them.
struct Routes {
    /// Jo's, tier 1.
    jo: i64,
    /// Jo's, escalated to tier 2.
    jo_tier2: i64,
    /// Ashford's, tier 1 and tier 2.
    ash: i64,
    ash_tier2: i64,
    jo_file: i64,
    jo_internal_file: i64,
    ash_file: i64,
    ash_internal_file: i64,
    /// Jo's reply by mail to `jo_tier2`, and a stranger's message held in Unprocessed.
    jo_mail: i64,
    held_mail: i64,
    mailbox: i64,
}

async fn routes_fixture(desk: &Desk) -> Routes {
    let s = &desk.app.state;
    let jo = desk.ticket(TicketState::Claimed).await.0;
    let jo_tier2 = desk.ticket(TicketState::Escalated).await.0;
    let ash = desk.ticket(TicketState::Foreign).await.0;
    let ash_tier2 = desk.ticket(TicketState::ForeignEscalated).await.0;
    let attach = |who: app::backend::policy::Actor, number: i64, internal: bool| async move {
        backend::attachments::attach(
            s,
            &who,
            number,
            "notes.txt",
            b"the serial is 4411",
            internal,
        )
        .await
        .expect("attach")
    };
    let jo_actor = desk.actor(Client).await;
    let ana = desk.actor(Analyst).await;
    let ash_actor = desk.actor_of(desk.fx.ash_client).await;
    let borealis = desk.actor(OtherTeam).await;
    let received = |from: &'static str, subject: String, id: &'static str| async move {
        let raw = format!(
            "From: {from}\r\nTo: desk@msp.example\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\r\nThe serial is 4411.\r\n"
        );
        backend::mail::ingest(s, backend::mail::Arrival::default(), raw.as_bytes())
            .await
            .expect("mail stored");
        app::pool_run!(s.pool, c => sqlx::query_scalar::<_, i64>("SELECT id FROM inbound_mail WHERE message_id = $1")
            .bind(id).fetch_one(c).await)
        .expect("mail recorded")
    };
    let jo_mail = received(
        common::CLIENT,
        format!("Re: [HD-{jo_tier2}] details"),
        "matrix-jo@northwind.example",
    )
    .await;
    let held_mail = received(
        "someone@nowhere.example",
        "Hello".into(),
        "matrix-held@nowhere.example",
    )
    .await;
    let mailbox = app::pool_run!(s.pool, c => sqlx::query_scalar::<_, i64>(
        "INSERT INTO mailboxes (name, address, created_at) VALUES ('Matrix desk', 'matrix@msp.example', 0) RETURNING id")
        .fetch_one(c).await)
    .expect("mailbox");
    Routes {
        jo_mail,
        held_mail,
        mailbox,
        jo,
        jo_tier2,
        ash,
        ash_tier2,
        jo_file: attach(jo_actor, jo_tier2, false).await,
        jo_internal_file: attach(ana, jo_tier2, true).await,
        ash_file: attach(ash_actor, ash_tier2, false).await,
        ash_internal_file: attach(borealis, ash_tier2, true).await,
    }
}

/// Who may open each page (`None`: a page the suite does not know, which fails it), with its
/// parameters filled in. Signed out, a page that is not public answers 401 or sends to /signin.
fn page_cases(path: &str, desk: &Desk, r: &Routes) -> Option<Vec<(String, Expect)>> {
    use Expect::*;
    let one = |expect: Expect| Some(vec![(path.to_string(), expect)]);
    let token = "0".repeat(64);
    match path {
        // (signed in, these two send each to their own landing page: see `landing`)
        "/signin" => one(Everyone(200)),
        "/" => one(Allowed(&[])),
        "/me" | "/kb" => one(Allowed(SIGNED_IN)),
        "/dashboard" => one(Allowed(LEADS)),
        "/oncall" => one(Allowed(STAFF)),
        "/queue" => Some(vec![
            ("/queue".into(), Allowed(STAFF)),
            (
                "/queue?client=ASH".into(),
                AllowedElseInvalid(ASH_STAFF, &[Analyst, Senior]),
            ),
            ("/queue?q=docking".into(), Allowed(STAFF)),
        ]),
        // The article editor is the desk's; started from a ticket, it reads the ticket.
        "/kb/new" => Some(vec![
            ("/kb/new".into(), Allowed(STAFF)),
            (
                format!("/kb/new?from=HD-{}", desk.fx.resolved),
                Allowed(NWL_STAFF),
            ),
        ]),
        "/tickets/new" => one(Allowed(&[
            Client,
            Colleague,
            ClientAdmin,
            OtherClient,
            Analyst,
            OtherTeam,
            Senior,
            Lead,
            Manager,
        ])),
        "/tickets/{number}" => Some(vec![
            (format!("/tickets/HD-{}", r.jo), Allowed(JO_TICKET)),
            (format!("/tickets/HD-{}", r.jo_tier2), Allowed(JO_TICKET)),
            (format!("/tickets/HD-{}", r.ash), Allowed(ASH_STAFF)),
            (format!("/tickets/HD-{}", r.ash_tier2), Allowed(ASH_STAFF)),
        ]),
        "/portal" => Some(vec![
            ("/portal".into(), Allowed(CLIENTS)),
            ("/portal?whose=organization".into(), Allowed(&[ClientAdmin])),
        ]),
        "/kb/{id}" => Some(vec![
            (
                format!("/kb/{}", desk.fx.article_public),
                Allowed(SIGNED_IN),
            ),
            (
                format!("/kb/{}", desk.fx.article_internal),
                Allowed(&[Analyst, OtherTeam, Senior, Lead, Manager, Admin]),
            ),
            (
                format!("/kb/{}", desk.fx.article_contoso),
                Allowed(&[
                    OtherClient,
                    Analyst,
                    OtherTeam,
                    Senior,
                    Lead,
                    Manager,
                    Admin,
                ]),
            ),
        ]),
        "/kb/{id}/edit" => Some(vec![(
            format!("/kb/{}/edit", desk.fx.article_public),
            Allowed(STAFF),
        )]),
        "/reports" => one(Allowed(REPORTERS)),
        "/shift" => one(Allowed(SHIFT_WORKERS)),
        "/team" => one(Allowed(&[Lead])),
        // the acknowledgement page asks before it acknowledges: a GET checks no token
        "/pages/{token}" => Some(vec![(format!("/pages/{token}"), Everyone(200))]),
        "/reset/{token}" => Some(vec![(format!("/reset/{token}"), Everyone(404))]),
        "/admin/orgs/{id}" => Some(vec![(
            format!("/admin/orgs/{}", desk.fx.nwl),
            Allowed(ADMINS),
        )]),
        "/admin/users/{id}" => Some(vec![(
            format!("/admin/users/{}", desk.fx.jo),
            Allowed(ADMINS),
        )]),
        "/admin/teams/{id}" => Some(vec![(
            format!("/admin/teams/{}", desk.fx.atlas),
            Allowed(ADMINS),
        )]),
        "/admin/mail" => one(Allowed(MAIL_DECIDERS)),
        "/admin/mailboxes/{id}" => Some(vec![(
            format!("/admin/mailboxes/{}", r.mailbox),
            Allowed(ADMINS),
        )]),
        p if p.starts_with("/admin") && !p.contains('{') => one(Allowed(ADMINS)),
        _ => None,
    }
}

/// Where "/" and "/signin" send someone signed in: their role's first page.
fn landing(who: Who) -> &'static str {
    match who {
        Anon => "/signin",
        Client | Colleague | ClientAdmin | OtherClient => "/portal",
        Analyst | OtherTeam | Senior => "/queue",
        Lead | Manager => "/dashboard",
        Admin => "/admin",
    }
}

/// The paths `router.rs` routes by hand (`.route("…", …)`), read from its source.
fn router_routes() -> Vec<String> {
    include_str!("../src/router.rs")
        .split(".route(\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

/// One request to a route that is not a server function.
struct RouteCase {
    method: &'static str,
    url: String,
    expect: Expect,
    /// A page: signed out, a redirect to /signin counts as a refusal.
    page: bool,
}

/// Who may use each route of `router.rs` (`None`: a route the suite does not know, which fails it).
fn route_cases(path: &str, r: &Routes) -> Option<Vec<RouteCase>> {
    use Expect::*;
    let get = |url: String, expect: Expect| RouteCase {
        method: "GET",
        url,
        expect,
        page: false,
    };
    let post = |url: String, expect: Expect| RouteCase {
        method: "POST",
        url,
        expect,
        page: false,
    };
    match path {
        "/healthz" => Some(vec![get(path.into(), Everyone(200))]),
        // (status only: the stream is read in http_live.rs and canary_leaks.rs)
        "/api/live" => Some(vec![get(path.into(), Allowed(SIGNED_IN))]),
        "/attachments/{id}" => Some(vec![
            get(format!("/attachments/{}", r.jo_file), Allowed(JO_TICKET)),
            get(
                format!("/attachments/{}", r.jo_internal_file),
                Allowed(NWL_STAFF),
            ),
            get(format!("/attachments/{}", r.ash_file), Allowed(ASH_STAFF)),
            get(
                format!("/attachments/{}", r.ash_internal_file),
                Allowed(ASH_STAFF),
            ),
        ]),
        // a received message's original: staff who see the ticket it became, and those who
        // decide on held mail (who see every message)
        "/mail/{id}" => Some(vec![
            get(
                format!("/mail/{}", r.jo_mail),
                Allowed(&[Analyst, Senior, Lead, Manager, Admin]),
            ),
            get(format!("/mail/{}", r.held_mail), Allowed(MAIL_DECIDERS)),
        ]),
        "/api/attachments" => Some(vec![
            post(
                format!("/api/attachments?ticket={}&name=x.txt", r.jo),
                Allowed(JO_TICKET),
            ),
            post(
                format!("/api/attachments?ticket={}&name=x.txt", r.jo_tier2),
                Allowed(JO_TICKET),
            ),
            post(
                format!("/api/attachments?ticket={}&name=x.txt&internal=true", r.jo),
                Allowed(NWL_STAFF),
            ),
            post(
                format!("/api/attachments?ticket={}&name=x.txt", r.ash),
                Allowed(ASH_STAFF),
            ),
            post(
                format!("/api/attachments?ticket={}&name=x.txt", r.ash_tier2),
                Allowed(ASH_STAFF),
            ),
        ]),
        p if p.starts_with("/reports/") && p.ends_with(".csv") => {
            let mut cases = vec![get(p.into(), Allowed(REPORTERS))];
            if p == "/reports/summary.csv" {
                cases.push(get(
                    format!("{p}?client=ASH"),
                    AllowedElseInvalid(ASH_STAFF, &[Analyst, Senior]),
                ));
                cases.push(get(
                    format!("{p}?client=NWL"),
                    AllowedElseInvalid(NWL_STAFF, &[OtherTeam]),
                ));
            }
            Some(cases)
        }
        _ => None,
    }
}

/// A request with `session`'s cookie: (status, Location, body).
async fn request(
    desk: &Desk,
    method: &str,
    url: &str,
    accept: &str,
    session: Option<&str>,
) -> (u16, String, String) {
    let mut req = match method {
        "GET" => desk.http.get(desk.app.url(url)),
        _ => desk
            .http
            .post(desk.app.url(url))
            .header("Origin", format!("http://{}", desk.app.addr))
            .body("the serial is 4411"),
    }
    .header("Accept", accept);
    if let Some(token) = session {
        req = req.header(
            "Cookie",
            format!("{}={token}", backend::auth::SESSION_COOKIE),
        );
    }
    let mut res = tokio::time::timeout(Duration::from_secs(20), req.send())
        .await
        .unwrap_or_else(|_| panic!("{method} {url} did not answer within 20 s"))
        .expect("request");
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    // a live stream never ends: its status is all it is asked for
    let body = if url == "/api/live" {
        let _ = tokio::time::timeout(Duration::from_millis(100), res.chunk()).await;
        String::new()
    } else {
        res.text().await.unwrap_or_default()
    };
    (status, location, body)
}

/// Organizations a page or a CSV file names by name (pages) or code (CSV client columns).
fn orgs_in_text(text: &str, orgs: &[Org], by_code: bool) -> Vec<i64> {
    orgs.iter()
        .filter(|o| {
            if by_code {
                text.split(|c: char| !c.is_ascii_alphanumeric())
                    .any(|w| w == o.code)
            } else {
                text.contains(&o.name)
            }
        })
        .map(|o| o.id)
        .collect()
}

/// The cells of a CSV file's columns whose header names clients, and of rows labelled "client".
fn client_cells(csv: &str) -> String {
    let rows: Vec<Vec<String>> = csv.lines().map(csv_cells).collect();
    let Some(header) = rows.first() else {
        return String::new();
    };
    let columns: Vec<usize> = (0..header.len())
        .filter(|i| header[*i].contains("client"))
        .collect();
    let mut out = String::new();
    for row in &rows[1..] {
        for i in &columns {
            if let Some(cell) = row.get(*i) {
                out.push_str(cell);
                out.push('\n');
            }
        }
        if row.first().is_some_and(|c| c == "client") {
            out.push_str(&row[1..].join("\n"));
            out.push('\n');
        }
    }
    // a summary file is all label, value rows: its first row is one of them
    if header.first().is_some_and(|c| c == "client") {
        out.push_str(&header[1..].join("\n"));
    }
    out
}

/// One CSV line's cells ("" quotes a quote).
fn csv_cells(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cells.last_mut().expect("a cell").push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => cells.push(String::new()),
            c => cells.last_mut().expect("a cell").push(c),
        }
    }
    cells
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_and_route_answers_only_those_the_policy_allows() {
    let desk = desk().await;
    cross_links(&desk).await;
    let r = routes_fixture(&desk).await;
    let scope = Scope::new(&desk);
    let mut wrong = Vec::new();
    let mut leaks = Vec::new();

    // every page and every route of router.rs is in the tables
    let mut cases: Vec<RouteCase> = Vec::new();
    for path in server::router::page_paths() {
        match page_cases(&path, &desk, &r) {
            Some(found) => cases.extend(found.into_iter().map(|(url, expect)| RouteCase {
                method: "GET",
                url,
                expect,
                page: true,
            })),
            None => wrong.push(format!(
                "page {path} is not in the table of pages (authz_matrix.rs, page_cases)"
            )),
        }
    }
    let routes = router_routes();
    assert!(
        routes.len() >= 5,
        "could not read the routes of router.rs: {routes:?}"
    );
    for path in &routes {
        match route_cases(path, &r) {
            Some(found) => cases.extend(found),
            None => wrong.push(format!(
                "route {path} of router.rs is not in the table of routes (authz_matrix.rs, route_cases)"
            )),
        }
    }

    let mut pages_named = 0;
    for case in &cases {
        for who in EVERYONE {
            let session = desk.session(who);
            let accept = if case.page { "text/html" } else { "*/*" };
            let (status, location, body) =
                request(&desk, case.method, &case.url, accept, session.as_deref()).await;
            let to_sign_in = (300..400).contains(&status) && location.starts_with("/signin");
            let ok = if case.page && who != Anon && (case.url == "/" || case.url == "/signin") {
                (300..400).contains(&status) && location == landing(who)
            } else if case.page && who == Anon && !matches!(case.expect, Expect::Everyone(_)) {
                status == 401 || to_sign_in
            } else {
                judged(case.expect, who, status)
            };
            if !ok {
                let text: String = body.chars().take(160).collect();
                wrong.push(format!(
                    "{} {:<40} {who:?}: {status} {location} {text}",
                    case.method, case.url
                ));
            }
            // files are what their senders wrote, not answers of the desk
            if status != 200
                || case.url.starts_with("/attachments/")
                || case.url.starts_with("/mail/")
            {
                continue;
            }
            // what the page or file says: tickets and organizations within the caller's scope
            let orgs = scope.orgs().await;
            let mut found = Mentions {
                tickets: ticket_numbers_in(&body).into_iter().collect(),
                orgs: BTreeSet::new(),
            };
            if case.url.contains(".csv") {
                found
                    .orgs
                    .extend(orgs_in_text(&client_cells(&body), &orgs, true));
            } else if case.page {
                found.orgs.extend(orgs_in_text(&body, &orgs, false));
                if case.url.starts_with("/kb") {
                    scope.drop_article_audiences(who, &mut found).await;
                }
            }
            pages_named += found.tickets.len();
            for problem in scope.outside(who, &found).await {
                leaks.push(format!(
                    "LEAK {} {} as {who:?}: {problem}",
                    case.method, case.url
                ));
            }
        }
    }
    if pages_named == 0 {
        wrong.push(
            "no page or file named a ticket to anyone: the answer checks read nothing".into(),
        );
    }
    assert!(
        wrong.is_empty() && leaks.is_empty(),
        "{} requests answered against the table, {} answers named what the caller may not see:\n{}",
        wrong.len(),
        leaks.len(),
        wrong
            .iter()
            .chain(&leaks)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// A form's fields as JSON strings, `a[b]=c` as `{"a": {"b": "c"}}`.
fn form_args(form: &str) -> Value {
    fn decode(text: &str) -> String {
        let bytes = text.replace('+', " ").into_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match (bytes[i], hex) {
                (b'%', Some(byte)) => {
                    out.push(byte);
                    i += 3;
                }
                (byte, _) => {
                    out.push(byte);
                    i += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    let mut args = serde_json::Map::new();
    for pair in form.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (key, value) = (decode(key), Value::from(decode(value)));
        match key.split_once('[') {
            Some((outer, inner)) => {
                let inner = inner.trim_end_matches(']').to_string();
                if let Value::Object(nested) = args
                    .entry(outer.to_string())
                    .or_insert_with(|| Value::Object(Default::default()))
                {
                    nested.insert(inner, value);
                }
            }
            None => {
                args.insert(key, value);
            }
        }
    }
    Value::Object(args)
}

/// The `/api/v1` request that does what server function `path` does with arguments `args`, for
/// the server functions the public API offers: (method, path under /api/v1, JSON body).
fn api_equivalent(path: &str, args: &Value) -> Option<(reqwest::Method, String, Value)> {
    use reqwest::Method;
    // form arguments arrive as text, JSON ones as they are
    let text = |v: &Value, k: &str| {
        v.get(k).and_then(|x| {
            x.as_str()
                .map(str::to_string)
                .or_else(|| x.as_i64().map(|n| n.to_string()))
        })
    };
    let int = |v: &Value, k: &str| text(v, k).and_then(|s| s.parse::<i64>().ok());
    let number = int(args, "number").unwrap_or_default();
    let change = |op: &str, mut body: Value| {
        body["version"] = int(args, "version").into();
        Some((Method::POST, format!("/tickets/{number}/{op}"), body))
    };
    let field = |k: &str| Value::from(text(args, k));
    let unix = |k: &str| text(args, k).and_then(|t| app::model::time::parse_datetime_utc(&t).ok());
    match path {
        "ticket" => Some((Method::GET, format!("/tickets/{number}"), Value::Null)),
        "raise_ticket" => {
            let t = &args["ticket"];
            let mut body = serde_json::json!({
                "urgency": text(t, "urgency"),
                "problem": text(t, "problem"),
            });
            if let Some(requester) = int(t, "requester_id") {
                body["requester_id"] = requester.into();
            }
            Some((Method::POST, "/tickets".into(), body))
        }
        "claim_ticket" => change("claim", serde_json::json!({})),
        "assign_ticket" => change(
            "assign",
            serde_json::json!({"assignee_id": int(args, "assignee_id")}),
        ),
        "reply_ticket" => change("replies", serde_json::json!({"body": field("body")})),
        "add_ticket_note" => change("notes", serde_json::json!({"body": field("body")})),
        "set_ticket_priority" => change(
            "priority",
            serde_json::json!({"priority": field("priority")}),
        ),
        "change_ticket_tier" => change(
            "tier",
            serde_json::json!({"tier": int(args, "tier"), "reason": field("reason")}),
        ),
        "set_ticket_pending" => change(
            "pending",
            serde_json::json!({"reason": field("reason"), "note": field("note")}),
        ),
        "resume_ticket" => change("resume", serde_json::json!({})),
        "resolve_ticket" => change(
            "resolve",
            serde_json::json!({"resolution": field("resolution")}),
        ),
        "close_ticket" => change("close", serde_json::json!({})),
        "reopen_ticket" => change("reopen", serde_json::json!({"reason": field("reason")})),
        "article" => Some((
            Method::GET,
            format!("/kb/articles/{}", int(args, "id").unwrap_or_default()),
            Value::Null,
        )),
        "kb" => Some((
            Method::GET,
            format!("/kb/articles?q={}", text(args, "q").unwrap_or_default()),
            Value::Null,
        )),
        "admin/teams" => Some((Method::GET, "/teams".into(), Value::Null)),
        "admin/users" => Some((Method::GET, "/users".into(), Value::Null)),
        "admin/create_user" => {
            let d = &args["draft"];
            Some((
                Method::POST,
                "/users".into(),
                serde_json::json!({
                    "email": text(d, "email"),
                    "name": text(d, "name"),
                    "role": text(d, "role"),
                    "organization_id": int(d, "org_id"),
                }),
            ))
        }
        "admin/webhooks" => Some((Method::GET, "/webhooks".into(), Value::Null)),
        "admin/save_webhook" if args["id"].is_null() => {
            let d = &args["draft"];
            Some((
                Method::POST,
                "/webhooks".into(),
                serde_json::json!({
                    "name": text(d, "name"),
                    "url": text(d, "url"),
                    // the server function's form names the kind as Rust does ("Slack")
                    "kind": text(d, "kind").map(|k| k.to_lowercase()),
                    "events": d["events"],
                }),
            ))
        }
        "admin/delete_webhook" => Some((
            Method::DELETE,
            format!("/webhooks/{}", int(args, "id").unwrap_or_default()),
            Value::Null,
        )),
        "plan_maintenance" => Some((
            Method::POST,
            format!(
                "/organizations/{}/maintenance-windows",
                text(args, "org").unwrap_or_default()
            ),
            serde_json::json!({
                "starts_at": unix("starts"),
                "ends_at": unix("ends"),
                "reason": field("reason"),
            }),
        )),
        "end_maintenance" => Some((
            Method::DELETE,
            format!(
                "/organizations/{}/maintenance-windows/{}",
                text(args, "org").unwrap_or_default(),
                int(args, "id").unwrap_or_default()
            ),
            Value::Null,
        )),
        _ => None,
    }
}

/// The public API through the same table: a personal token of each person does, over
/// `/api/v1`, what the table allows that person through the server functions, and no more; and
/// what its reads answer stays within the person's scope.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_api_operation_answers_only_those_the_table_allows() {
    let desk = desk().await;
    cross_links(&desk).await;
    let scope = Scope::new(&desk);
    let mut tokens = BTreeMap::new();
    for who in EVERYONE {
        if who != Anon {
            let actor = desk.actor(who).await;
            let issued =
                backend::api_tokens::create_personal(&desk.app.state, &actor, "matrix", None)
                    .await
                    .expect("a token");
            tokens.insert(who, issued.token);
        }
    }
    let mut wrong = Vec::new();
    let mut leaks = Vec::new();
    let mut operations = BTreeSet::new();
    let (mut seq, mut named) = (0, 0);
    for case in cases() {
        for who in EVERYONE {
            seq += 1;
            let (call, _) = desk.prepare(&case, who, seq).await;
            let args = match (case.body)(&call) {
                Body::Form(form) => form_args(&form),
                Body::Json(json) => serde_json::from_str(&json).unwrap_or(Value::Null),
            };
            let Some((method, path, body)) = api_equivalent(case.path, &args) else {
                continue;
            };
            operations.insert(case.path);
            let mut request = desk
                .http
                .request(method.clone(), desk.app.url(&format!("/api/v1{path}")));
            if let Some(token) = tokens.get(&who) {
                request = request.bearer_auth(token);
            }
            if !body.is_null() {
                request = request.json(&body);
            }
            let res = request.send().await.expect("request");
            let status = match res.status().as_u16() {
                201 | 204 => 200,
                other => other,
            };
            let answer: Value = res.json().await.unwrap_or(Value::Null);
            if status != 200 && answer["error"]["code"].as_str().is_none() {
                wrong.push(format!(
                    "{method} {path} {who:?}: {status} not in the error shape"
                ));
            }
            if !judged(case.expect, who, status) {
                wrong.push(format!(
                    "{:<28} {method} {path} {who:?}: {status} {answer}",
                    case.name
                ));
                continue;
            }
            if status == 200 && method == reqwest::Method::GET {
                let mut found = mentions(&answer, &scope.orgs().await);
                if KB_READS.contains(&case.path) {
                    scope.drop_article_audiences(who, &mut found).await;
                }
                named += found.tickets.len();
                for problem in scope.outside(who, &found).await {
                    leaks.push(format!("LEAK {method} /api/v1{path} as {who:?}: {problem}"));
                }
            }
        }
    }
    if operations.len() < 22 || named == 0 {
        wrong.push(format!(
            "the table reached {operations:?} of the API, whose answers named {named} tickets"
        ));
    }
    // the ticket list and its search, as each person: only tickets they may see
    for who in EVERYONE.into_iter().filter(|w| *w != Anon) {
        for query in [
            "",
            "?status=closed&limit=100",
            "?q=printer&status=closed",
            "?q=docking",
        ] {
            let res = desk
                .http
                .get(desk.app.url(&format!("/api/v1/tickets{query}")))
                .bearer_auth(&tokens[&who])
                .send()
                .await
                .expect("list");
            let status = res.status().as_u16();
            let answer: Value = res.json().await.unwrap_or(Value::Null);
            let lists = STAFF.contains(&who) || CLIENTS.contains(&who);
            if (status == 200) != lists {
                wrong.push(format!(
                    "GET /api/v1/tickets{query} {who:?}: {status} {answer}"
                ));
            }
            let found = mentions(&answer, &scope.orgs().await);
            for problem in scope.outside(who, &found).await {
                leaks.push(format!(
                    "LEAK GET /api/v1/tickets{query} as {who:?}: {problem}"
                ));
            }
        }
    }
    assert!(
        wrong.is_empty() && leaks.is_empty(),
        "{} API calls answered against the table, {} answers named what the caller may not see:\n{}",
        wrong.len(),
        leaks.len(),
        wrong.iter().chain(&leaks).cloned().collect::<Vec<_>>().join("\n")
    );
}
