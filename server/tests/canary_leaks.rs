//! The canary leak suite: a unique marker in every staff-only field (internal notes, hand-over
//! notes to a person and to the next shift, tier-change reasons, problem records, internal
//! articles, internal attachments, canned responses, audit entries) and in records only some
//! people may see (a requester's ticket, one client's article). Then, over real HTTP against the
//! real app, as the requester, a colleague of the same organization, the client admin, a client
//! of another organization, an analyst of another team and a signed-out visitor: every server
//! function that reads, every page's server-rendered HTML, every CSV export, the attachment
//! downloads, the live stream, and the outbox rows addressed to each. No marker may appear
//! where that person may not see it; each marker is seen by someone who may (a manager, the
//! administrator), so a marker that never landed cannot make the suite pass.
//!
//! The authorization matrix checks status codes; this suite checks what answers contain. A
//! server function, page or route the suite does not know fails it, as the matrix does.

mod common;

use app::api::{kb, portal, profile, queue};
use app::backend::second_factor::code_at;
use app::backend::{self as backend, seed};
use app::model::admin::CannedDraft;
use app::model::kb::{ArticleDraft, Visibility};
use app::model::portal::{PortalFilter, Whose};
use app::model::problems::NewProblem;
use app::model::queue::QueueFilter;
use app::model::second_factor::{group_secret, EnrolmentOffer};
use app::model::ticket::NewTicket;
use app::model::{PendingReason, TicketNumber, Urgency};
use common::calls::{self, qs, Body, Call, Fixture, Setup, READS};
use common::cast;
use common::desk::{desk, Desk};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use Persona::*;

/// Who looks. The first six must never see a staff-only marker; the manager and the
/// administrator are the controls that show each marker did land where it belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Persona {
    /// Jo, who raised the canary tickets.
    Requester,
    /// Another client of Northwind, who did not raise them.
    Colleague,
    /// Ines, Northwind's client admin (sees the organization's requests).
    ClientAdmin,
    /// Kim, of Contoso.
    OtherClient,
    /// An analyst of Borealis, which does not serve Northwind.
    OtherTeam,
    Anon,
    Manager,
    Admin,
}

const WATCHED: [Persona; 6] = [
    Requester,
    Colleague,
    ClientAdmin,
    OtherClient,
    OtherTeam,
    Anon,
];
const EVERYONE: [Persona; 8] = [
    Requester,
    Colleague,
    ClientAdmin,
    OtherClient,
    OtherTeam,
    Anon,
    Manager,
    Admin,
];

/// One planted string: the field it stands for, and who may see it.
struct Marker {
    field: &'static str,
    text: &'static str,
    seen_by: &'static [Persona],
}

/// Staff of the ticket only (of the personas: the manager).
const TICKET_STAFF: &[Persona] = &[Manager];

const MARKERS: &[Marker] = &[
    Marker {
        field: "internal note",
        text: "CANARY-NOTE-Q7X2",
        seen_by: TICKET_STAFF,
    },
    Marker {
        field: "hand-over note to a person",
        text: "CANARY-HANDOFF-PERSON-K3M9",
        seen_by: TICKET_STAFF,
    },
    Marker {
        field: "hand-over note to the next shift",
        text: "CANARY-HANDOFF-SHIFT-P8W4",
        seen_by: TICKET_STAFF,
    },
    Marker {
        field: "tier-change reason",
        text: "CANARY-TIER-R5T1",
        seen_by: TICKET_STAFF,
    },
    Marker {
        field: "problem record",
        text: "CANARY-PROBLEM-J2V6",
        seen_by: TICKET_STAFF,
    },
    Marker {
        field: "internal attachment (name and content)",
        text: "CANARY-FILE-B9D3",
        seen_by: TICKET_STAFF,
    },
    Marker {
        field: "internal note written while the live streams listened",
        text: "CANARY-LIVE-H4N8",
        seen_by: TICKET_STAFF,
    },
    Marker {
        field: "audit entry (a canned response's old title)",
        text: "CANARY-AUDIT-Z6C5",
        seen_by: &[Admin],
    },
    Marker {
        field: "canned response",
        text: "CANARY-CANNED-L1F7",
        seen_by: &[OtherTeam, Manager, Admin],
    },
    Marker {
        field: "internal knowledge article",
        text: "CANARY-ARTICLE-S3G2",
        seen_by: &[OtherTeam, Manager, Admin],
    },
    Marker {
        field: "a received message's original (a header nobody's page shows)",
        text: "CANARY-MAIL-T4K8",
        seen_by: &[Manager, Admin],
    },
    Marker {
        field: "Jo's tickets (subject and problem)",
        text: "CANARY-TICKET-W8E5",
        seen_by: &[Requester, ClientAdmin, Manager],
    },
    Marker {
        field: "article for Contoso only",
        text: "CANARY-ORGART-N2Y9",
        seen_by: &[OtherClient, OtherTeam, Manager, Admin],
    },
];

fn marker(field_prefix: &str) -> &'static str {
    MARKERS
        .iter()
        .find(|m| m.text.starts_with(field_prefix))
        .map(|m| m.text)
        .expect("a marker")
}

/// Server functions that change something: not called here (the matrix and the bad-input suite
/// do), listed so that a new server function has to be placed on one side or the other.
const WRITES: &[&str] = &[
    "sign_in",
    "sign_in_code",
    "sign_out",
    "reset_password",
    "ack_page",
    "set_mute",
    "start_second_factor",
    "finish_second_factor",
    "renew_recovery_codes",
    "turn_off_second_factor",
    "forget_trusted_browsers",
    "create_api_token",
    "revoke_api_token",
    "raise_ticket",
    "claim_ticket",
    "assign_ticket",
    "hand_over_ticket",
    "change_ticket_tier",
    "reply_ticket",
    "add_ticket_note",
    "set_ticket_priority",
    "set_ticket_category",
    "set_ticket_flags",
    "set_ticket_pending",
    "resume_ticket",
    "resolve_ticket",
    "close_ticket",
    "reopen_ticket",
    "decide_approval",
    "rate_ticket",
    "ack_ticket_pages",
    "save_article",
    "vote_article",
    "deflect_request",
    "start_shift",
    "end_shift",
    "add_oncall_shift",
    "remove_oncall_shift",
    "plan_maintenance",
    "end_maintenance",
    "record_problem",
    "team/set_member",
    "admin/save_org",
    "admin/set_org_active",
    "admin/create_user",
    "admin/update_user",
    "admin/set_user_active",
    "admin/password_link",
    "admin/import_users",
    "admin/save_team",
    "admin/save_category",
    "admin/save_canned",
    "admin/reset_second_factor",
    "admin/save_mailbox",
    "admin/set_mailbox_active",
    "admin/add_mail_domain",
    "admin/remove_mail_domain",
    "admin/save_webhook",
    "admin/set_webhook_active",
    "admin/delete_webhook",
    "admin/test_webhook",
    "admin/redeliver_webhook",
    "admin/create_integration",
    "admin/revoke_integration",
    "mail/retry",
    "mail/open_ticket",
    "mail/discard",
];

/// Routes of `server/src/router.rs` that are neither pages nor server functions, and how the
/// suite covers each: `Get` is fetched by everyone, the others are covered by their own step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Other {
    Get,
    Export,
    Download,
    Live,
    /// A write (the upload), not read here.
    Write,
}

fn other_route(path: &str) -> Option<Other> {
    match path {
        "/healthz" => Some(Other::Get),
        "/api/live" => Some(Other::Live),
        "/attachments/{id}" | "/mail/{id}" => Some(Other::Download),
        "/api/attachments" => Some(Other::Write),
        p if p.starts_with("/reports/") && p.ends_with(".csv") => Some(Other::Export),
        _ => None,
    }
}

/// The paths `router.rs` routes by hand (`.route("…", …)`), read from its source.
fn router_routes() -> Vec<String> {
    let source = include_str!("../src/router.rs");
    source
        .split(".route(\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

/// What the seeding made.
struct Canary {
    /// Jo's ticket with the note, the file, the tier change, the next-shift hand-over and the
    /// problem record; escalated to tier 2 and waiting for the next shift.
    t: i64,
    /// Jo's second ticket, handed by Ana to a colleague on her team.
    t2: i64,
    internal_file: i64,
    public_file: i64,
    /// Jo's request by mail (a new ticket): its `inbound_mail` row.
    mail: i64,
    mailbox: i64,
    /// A webhook's signing secret, as shown once, and as sealed at rest.
    webhook_secrets: Vec<(String, String)>,
    article_internal: i64,
    article_contoso: i64,
    article_public: i64,
    colleague_email: String,
}

async fn plant(desk: &Desk) -> Canary {
    use calls::Who;
    let s = &desk.app.state;
    let pool = &s.pool;
    let jo = desk.actor(Who::Client).await;
    let ana = desk.actor(Who::Analyst).await;
    let lee = desk.actor(Who::Senior).await;
    let priya = desk.actor(Who::Lead).await;
    let sam = desk.actor(Who::Admin).await;
    let ticket_marker = marker("CANARY-TICKET");

    // articles: one for the desk only, one for Contoso only
    let article = |title: String, visibility: Visibility, org: Option<&'static str>| ArticleDraft {
        title,
        body: "Steps that work.".into(),
        tags: "canary".into(),
        visibility,
        org_code: org.map(Into::into),
        source_ticket: None,
    };
    let mut internal = article(
        format!("{} VPN token resync for the desk", marker("CANARY-ARTICLE")),
        Visibility::Internal,
        None,
    );
    internal.body = format!(
        "{} Resync the token in the admin console.",
        marker("CANARY-ARTICLE")
    );
    let article_internal = backend::kb::save_article(s, &priya, None, None, &internal)
        .await
        .expect("internal article");
    let mut contoso = article(
        format!("{} Payslip printer for Contoso", marker("CANARY-ORGART")),
        Visibility::Organization,
        Some(cast::OTHER_CLIENT_ORG),
    );
    contoso.body = format!("{} Use tray 2.", marker("CANARY-ORGART"));
    let article_contoso = backend::kb::save_article(s, &priya, None, None, &contoso)
        .await
        .expect("Contoso article");
    let article_public = desk.fx.article_public;

    let raise = |problem: String| {
        let jo = jo.clone();
        async move {
            backend::tickets::raise(
                s,
                &jo,
                &NewTicket {
                    urgency: Some(Urgency::NotUrgent),
                    problem,
                    ..Default::default()
                },
            )
            .await
            .expect("raise")
        }
    };

    // T: note, files, a public reply linking an article, a budget question, escalation, then
    // handed to the next shift (the last change: any later change would take the hand-over)
    let new = raise(format!(
        "{ticket_marker} docking station does not charge the laptop\nSince Monday."
    ))
    .await;
    let t = new.number.0;
    let mut v = backend::tickets::claim(s, &ana, t, new.version)
        .await
        .expect("claim")
        .version;
    v = backend::tickets::reply(
        s,
        &ana,
        t,
        v,
        &format!(
            "{} the dock firmware is 2.1; see /kb/{article_internal}",
            marker("CANARY-NOTE")
        ),
        false,
    )
    .await
    .expect("internal note")
    .version;
    backend::tickets::reply(
        s,
        &ana,
        t,
        v,
        &format!("Please try the steps in [this article](/kb/{article_public})."),
        true,
    )
    .await
    .expect("public reply");
    // (attaching moves the version too: read it back after the files)
    let file = marker("CANARY-FILE");
    let internal_file = backend::attachments::attach(
        s,
        &ana,
        t,
        &format!("{file}-dock-config.txt"),
        format!("{file} admin password of the dock: hunter2").as_bytes(),
        true,
    )
    .await
    .expect("internal attachment");
    let public_file = backend::attachments::attach(
        s,
        &ana,
        t,
        "dock-manual.txt",
        b"Press the reset button for 10 seconds.",
        false,
    )
    .await
    .expect("public attachment");
    v = app::pool_run!(pool, c => sqlx::query_scalar("SELECT version FROM tickets WHERE number = $1")
        .bind(t)
        .fetch_one(c).await)
        .expect("version");
    v = backend::tickets::set_pending(
        s,
        &ana,
        t,
        v,
        PendingReason::Budget,
        Some("A new dock costs 180 EUR"),
    )
    .await
    .expect("pending")
    .version;
    v = backend::tickets::resume(s, &ana, t, v)
        .await
        .expect("resume")
        .version;
    v = backend::tickets::change_tier(
        s,
        &ana,
        t,
        v,
        2,
        &format!("{} needs a domain admin", marker("CANARY-TIER")),
    )
    .await
    .expect("escalate")
    .version;
    v = backend::tickets::claim(s, &lee, t, v)
        .await
        .expect("Lee claims")
        .version;
    backend::tickets::hand_over(
        s,
        &lee,
        t,
        v,
        None,
        &format!(
            "{} the user waits for a callback after 14:00",
            marker("CANARY-HANDOFF-SHIFT")
        ),
    )
    .await
    .expect("hand over to the next shift");
    backend::problems::record(
        s,
        &priya,
        &NewProblem {
            title: format!("{} docks lose power", marker("CANARY-PROBLEM")),
            note: format!("{} firmware 2.1 suspected", marker("CANARY-PROBLEM")),
            tickets: vec![TicketNumber(t)],
        },
    )
    .await
    .expect("problem record");

    // T2: handed by Ana to a colleague of hers
    let new = raise(format!("{ticket_marker} second screen flickers")).await;
    let t2 = new.number.0;
    let v2 = backend::tickets::claim(s, &ana, t2, new.version)
        .await
        .expect("claim")
        .version;
    let colleague_of_ana: i64 = app::pool_run!(pool, c => sqlx::query_scalar(
        "SELECT id FROM users WHERE team_id = $1 AND role = 'analyst' AND tier = 1 AND id <> $2
         AND active ORDER BY id LIMIT 1",
    )
    .bind(desk.fx.atlas)
    .bind(desk.fx.ana)
    .fetch_one(c).await)
    .expect("another Atlas analyst");
    backend::tickets::hand_over(
        s,
        &ana,
        t2,
        v2,
        Some(colleague_of_ana),
        &format!(
            "{} call the user before noon",
            marker("CANARY-HANDOFF-PERSON")
        ),
    )
    .await
    .expect("hand over to a person");

    // an administrator's change: the old title lives on only in the audit log
    let canned = backend::admin::save_canned(
        s,
        &sam,
        None,
        &CannedDraft {
            title: format!("{} dock reset", marker("CANARY-AUDIT")),
            body: format!("{} Hello {{requester}}", marker("CANARY-AUDIT")),
            active: true,
        },
    )
    .await
    .expect("canned response");
    backend::admin::save_canned(
        s,
        &sam,
        Some(canned),
        &CannedDraft {
            title: "Dock reset steps".into(),
            body: format!(
                "{} Hello {{requester}}, hold the reset button.",
                marker("CANARY-CANNED")
            ),
            active: true,
        },
    )
    .await
    .expect("canned response renamed");

    let nwl_clients: Vec<String> = app::pool_run!(pool, c => sqlx::query_scalar(
        "SELECT email FROM users WHERE org_id = $1 AND role = 'client' AND active ORDER BY id",
    )
    .bind(desk.fx.nwl)
    .fetch_all(c).await)
    .expect("Northwind's clients");
    let colleague_email = nwl_clients
        .into_iter()
        .find(|e| e != common::CLIENT)
        .expect("a colleague of Jo at Northwind");

    // a request by mail from Jo, whose original carries a header no page shows
    let raw = format!(
        "From: Jo Bauer <{}>\r\nTo: desk@msp.example\r\nSubject: Keyboard misses keys\r\n\
         Message-ID: <canary-mail@northwind.example>\r\nX-Mailer-Route: {}\r\n\r\n\
         The E key is gone.\r\n",
        common::CLIENT,
        marker("CANARY-MAIL")
    );
    let outcome = backend::mail::ingest(s, backend::mail::Arrival::default(), raw.as_bytes())
        .await
        .expect("mail stored");
    assert!(
        matches!(outcome, backend::mail::Outcome::Opened(_)),
        "{outcome:?}"
    );
    let mail: i64 = app::pool_run!(pool, c => sqlx::query_scalar(
        "SELECT id FROM inbound_mail WHERE message_id = 'canary-mail@northwind.example'")
        .fetch_one(c).await)
    .expect("the mail's row");

    let mailbox = backend::admin::save_mailbox(
        s,
        &sam,
        None,
        &app::model::admin::MailboxDraft {
            name: "Canary desk".into(),
            address: "canary@msp.example".into(),
            ..Default::default()
        },
    )
    .await
    .expect("mailbox");

    // a signed webhook to this machine, listening to the canary tickets' organization
    let hook = backend::admin::save_webhook(
        s,
        &sam,
        None,
        &app::model::admin::WebhookDraft {
            name: "Canary hook".into(),
            url: "http://127.0.0.1:9/canary".into(),
            events: vec!["ticket.created".into()],
            ..Default::default()
        },
    )
    .await
    .expect("webhook");
    let shown = hook.secret.expect("a signed webhook's secret");
    let sealed: String = app::pool_run!(pool, c => sqlx::query_scalar(
        "SELECT secret FROM webhook_subscriptions WHERE id = $1").bind(hook.id)
        .fetch_one(c).await)
    .expect("the sealed secret");
    let webhook_secrets = vec![
        ("a webhook's signing secret".to_string(), shown),
        ("a webhook's sealed secret".to_string(), sealed),
    ];

    Canary {
        t,
        t2,
        internal_file,
        public_file,
        mail,
        mailbox,
        webhook_secrets,
        article_internal,
        article_contoso,
        article_public,
        colleague_email,
    }
}

/// One answer someone got: where, its status, and everything it said (headers and body).
struct Seen {
    who: Persona,
    surface: String,
    status: u16,
    text: String,
}

fn session_of(sessions: &BTreeMap<Persona, String>, who: Persona) -> Option<&str> {
    sessions.get(&who).map(String::as_str)
}

/// A GET as a browser makes it, with `who`'s session cookie.
async fn get(desk: &Desk, path: &str, session: Option<&str>, accept: &str) -> (u16, String) {
    let mut req = desk.http.get(desk.app.url(path)).header("Accept", accept);
    if let Some(token) = session {
        req = req.header(
            "Cookie",
            format!("{}={token}", backend::auth::SESSION_COOKIE),
        );
    }
    let res = tokio::time::timeout(Duration::from_secs(20), req.send())
        .await
        .unwrap_or_else(|_| panic!("{path} did not answer within 20 s"))
        .expect("request");
    let status = res.status().as_u16();
    let mut text: String = res
        .headers()
        .iter()
        .map(|(k, v)| format!("{k}: {}\n", String::from_utf8_lossy(v.as_bytes())))
        .collect();
    text.push_str(&res.text().await.unwrap_or_default());
    (status, text)
}

/// What a page carries for the browser besides its markup, decoded: each resource's value is
/// written into the page in postcard, in URL-safe base64 behind a one-letter tag (see
/// `app/src/ui/resource.rs`), where a marker would not show as text. Every run of base64
/// letters is decoded at each of the four alignments; postcard keeps strings as their bytes.
fn embedded_data(html: &str) -> String {
    let mut out = String::new();
    let runs = html.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    for run in runs.filter(|run| run.len() >= 16) {
        for skip in 0..4 {
            out.push_str(&String::from_utf8_lossy(&base64_url_decode(&run[skip..])));
            out.push('\n');
        }
    }
    out
}

/// URL-safe base64 without padding; trailing bits that make no whole byte are dropped.
fn base64_url_decode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut bits, mut held) = (0u32, 0u32);
    for c in text.bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => break,
        };
        bits = (bits << 6) | u32::from(value);
        held += 6;
        if held >= 8 {
            held -= 8;
            out.push((bits >> held) as u8);
            bits &= (1 << held) - 1;
        }
    }
    out
}

/// Every read server function's bodies: the matrix's (with the canary's ticket and articles)
/// and the searches and views that would surface a marker.
fn read_calls(desk: &Desk, c: &Canary) -> Vec<(String, Body)> {
    let d = &desk.fx;
    let fx = Fixture {
        nwl: d.nwl,
        jo: d.jo,
        ana: d.ana,
        atlas: d.atlas,
        ash_client: d.ash_client,
        spare_org: d.spare_org,
        spare_client: d.spare_client,
        unteamed: d.unteamed,
        spare_lead: d.spare_lead,
        category: d.category,
        article_public: c.article_public,
        article_internal: c.article_internal,
        article_contoso: c.article_contoso,
        resolved: c.t,
    };
    let mut out = Vec::new();
    for (seq, case) in calls::cases().iter().enumerate() {
        if !READS.contains(&case.path) {
            continue;
        }
        let numbers = match case.setup {
            Setup::Ticket(_) => vec![c.t, c.t2],
            _ => vec![0],
        };
        for number in numbers {
            let call = Call {
                fx: &fx,
                number,
                version: 0,
                token: "0".repeat(64),
                shift: 0,
                window: 0,
                seq,
            };
            out.push((format!("{} ({})", case.path, case.name), (case.body)(&call)));
        }
    }
    let search = |q: &str| QueueFilter {
        q: Some(q.into()),
        ..Default::default()
    };
    // searches send "canary", never a marker: a page that echoes its query must not count
    out.push((
        "queue (search canary)".into(),
        qs(&queue::GetQueue {
            filter: search("canary"),
        }),
    ));
    out.push((
        "queue_counts (search canary)".into(),
        qs(&queue::GetQueueCounts {
            filter: search("canary"),
        }),
    ));
    out.push((
        "portal (the organization's)".into(),
        qs(&portal::GetPortal {
            filter: PortalFilter {
                whose: Whose::Organization,
                ..Default::default()
            },
        }),
    ));
    out.push((
        "kb (search canary)".into(),
        qs(&kb::GetKb {
            q: Some("canary".into()),
        }),
    ));
    out.push(("kb (latest)".into(), qs(&kb::GetKb { q: None })));
    out.push((
        "suggest_articles (canary)".into(),
        qs(&kb::SuggestArticles {
            text: "canary docking station".into(),
        }),
    ));
    for id in [c.article_internal, c.article_contoso] {
        out.push((
            format!("article_to_edit ({id})"),
            qs(&kb::GetArticleToEdit { id }),
        ));
    }
    out.push((
        "article_draft_from_ticket (T2)".into(),
        qs(&kb::ArticleDraftFromTicket { number: c.t2 }),
    ));
    out
}

/// The manager sets up a second factor over HTTP; the strings that must not be shown again:
/// its secret and recovery codes (each as shown and as typed), and the demo administrator's
/// secret.
async fn enrol_the_manager(desk: &Desk, session: Option<&str>) -> Vec<(String, String)> {
    let (status, text) = desk
        .send(
            "start_second_factor",
            qs(&profile::StartSecondFactor {}),
            session,
        )
        .await;
    assert_eq!(status, 200, "the manager starts setting up: {text}");
    let offer: EnrolmentOffer = serde_json::from_str(&text).expect("an offer");
    let secret = offer.secret.replace(' ', "");
    let code = code_at(&secret, desk.app.state.now()).expect("a code");
    let (status, text) = desk
        .send(
            "finish_second_factor",
            qs(&profile::FinishSecondFactor { code }),
            session,
        )
        .await;
    assert_eq!(status, 200, "the manager's first code: {text}");
    let codes: Vec<String> = serde_json::from_str(&text).expect("recovery codes");
    assert_eq!(codes.len(), 10, "{codes:?}");
    let mut secrets = vec![
        ("the manager's secret".to_string(), secret),
        ("the manager's secret (grouped)".to_string(), offer.secret),
        (
            "the administrator's secret".to_string(),
            seed::DEMO_SECOND_FACTOR.to_string(),
        ),
        (
            "the administrator's secret (grouped)".to_string(),
            group_secret(seed::DEMO_SECOND_FACTOR),
        ),
    ];
    for code in codes {
        secrets.push((
            format!("a recovery code of the manager ({code})"),
            code.replace('-', ""),
        ));
        secrets.push((format!("a recovery code of the manager ({code})"), code));
    }
    secrets
}

/// Every page, with its parameters filled in; the patterns the suite cannot fill in.
fn page_urls(desk: &Desk, c: &Canary, colleague_id: i64) -> (Vec<String>, Vec<String>) {
    let mut urls = Vec::new();
    let mut unknown = Vec::new();
    let token = "0".repeat(64);
    for path in server::router::page_paths() {
        let fill = |param: &str, values: Vec<String>| -> Vec<String> {
            values.iter().map(|v| path.replace(param, v)).collect()
        };
        let filled = match path.as_str() {
            "/tickets/{number}" => fill(
                "{number}",
                vec![format!("HD-{}", c.t), format!("HD-{}", c.t2)],
            ),
            "/kb/{id}" | "/kb/{id}/edit" => fill(
                "{id}",
                [c.article_internal, c.article_contoso, c.article_public]
                    .iter()
                    .map(i64::to_string)
                    .collect(),
            ),
            "/admin/orgs/{id}" => fill("{id}", vec![desk.fx.nwl.to_string()]),
            "/admin/users/{id}" => fill(
                "{id}",
                vec![desk.fx.jo.to_string(), colleague_id.to_string()],
            ),
            "/admin/teams/{id}" => fill("{id}", vec![desk.fx.atlas.to_string()]),
            "/admin/mailboxes/{id}" => fill("{id}", vec![c.mailbox.to_string()]),
            "/pages/{token}" | "/reset/{token}" => fill("{token}", vec![token.clone()]),
            p if p.contains('{') || p.contains('*') => {
                unknown.push(p.to_string());
                Vec::new()
            }
            p => vec![p.to_string()],
        };
        urls.extend(filled);
    }
    // views the pages reach through their URL
    urls.extend(
        [
            "/queue?q=canary",
            "/queue?status=new",
            "/portal?whose=organization",
            "/kb?q=canary",
        ]
        .map(String::from),
    );
    (urls, unknown)
}

/// Everything the sweep reads, but the live stream and the outbox.
struct Targets {
    reads: Vec<(String, Body)>,
    pages: Vec<String>,
    exports: Vec<String>,
    /// URLs of attachments and received mail.
    downloads: Vec<String>,
    plain_gets: Vec<String>,
}

/// What one persona reads everywhere but the live stream and the outbox.
async fn sweep(desk: &Desk, who: Persona, session: Option<&str>, targets: &Targets) -> Vec<Seen> {
    let mut seen = Vec::new();
    for (name, body) in &targets.reads {
        let path = name.split(' ').next().unwrap_or(name);
        let body = match body {
            Body::Form(text) => Body::Form(text.clone()),
            Body::Json(text) => Body::Json(text.clone()),
        };
        let (status, text) = desk.send(path, body, session).await;
        seen.push(Seen {
            who,
            surface: format!("POST /api/{name}"),
            status,
            text,
        });
    }
    for url in &targets.pages {
        let (status, text) = get(desk, url, session, "text/html").await;
        seen.push(Seen {
            who,
            surface: format!("page {url}, its data"),
            status,
            text: embedded_data(&text),
        });
        seen.push(Seen {
            who,
            surface: format!("page {url}"),
            status,
            text,
        });
    }
    for url in targets.exports.iter().chain(&targets.plain_gets) {
        let (status, text) = get(desk, url, session, "*/*").await;
        seen.push(Seen {
            who,
            surface: format!("GET {url}"),
            status,
            text,
        });
    }
    for url in &targets.downloads {
        let (status, text) = get(desk, url, session, "*/*").await;
        seen.push(Seen {
            who,
            surface: format!("GET {url}"),
            status,
            text,
        });
    }
    seen
}

/// An open live stream and everything read from it.
struct Stream {
    res: Option<reqwest::Response>,
    status: u16,
    text: String,
}

impl Stream {
    async fn open(desk: &Desk, session: Option<&str>) -> Stream {
        let mut req = desk.http.get(desk.app.url("/api/live"));
        if let Some(token) = session {
            req = req.header(
                "Cookie",
                format!("{}={token}", backend::auth::SESSION_COOKIE),
            );
        }
        let res = req.send().await.expect("live stream");
        let status = res.status().as_u16();
        if status == 200 {
            Stream {
                res: Some(res),
                status,
                text: String::new(),
            }
        } else {
            let text = res.text().await.unwrap_or_default();
            Stream {
                res: None,
                status,
                text,
            }
        }
    }

    /// Reads for `wait`; the ticket numbers announced meanwhile.
    async fn read_for(&mut self, wait: Duration) -> Vec<i64> {
        let Some(res) = self.res.as_mut() else {
            return Vec::new();
        };
        let from = self.text.len();
        let deadline = tokio::time::Instant::now() + wait;
        while let Ok(Ok(Some(chunk))) = tokio::time::timeout_at(deadline, res.chunk()).await {
            self.text.push_str(&String::from_utf8_lossy(&chunk));
        }
        tickets_in(&self.text[from..])
    }
}

/// Ticket numbers an SSE text announces.
fn tickets_in(text: &str) -> Vec<i64> {
    text.split("\n\n")
        .filter(|block| block.contains("event: ticket"))
        .filter_map(|block| block.lines().find_map(|l| l.strip_prefix("data: ")))
        .filter_map(|data| serde_json::from_str::<serde_json::Value>(data).ok())
        .filter_map(|v| v["number"].as_i64())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_staff_only_marker_reaches_anyone_who_may_not_see_it() {
    let desk = desk().await;
    let mut problems: Vec<String> = Vec::new();

    // --- coverage: every server function is a read or a write, every route is known
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_string())
        .collect();
    let reads: BTreeSet<String> = READS.iter().map(|p| p.to_string()).collect();
    let writes: BTreeSet<String> = WRITES.iter().map(|p| p.to_string()).collect();
    for path in registered.difference(&reads.union(&writes).cloned().collect()) {
        problems.push(format!(
            "UNCOVERED server function /api/{path}: add it to READS (and a body to calls::cases()) or to WRITES"
        ));
    }
    for path in reads.union(&writes) {
        if !registered.contains(path) {
            problems.push(format!(
                "the suite names a server function that does not exist: {path}"
            ));
        }
    }
    for path in reads.intersection(&writes) {
        problems.push(format!("{path} is listed both as a read and as a write"));
    }
    let routes = router_routes();
    assert!(
        routes.len() >= 5,
        "could not read the routes of router.rs: {routes:?}"
    );
    for path in &routes {
        if other_route(path).is_none() {
            problems.push(format!(
                "UNCOVERED route {path} in server/src/router.rs: teach canary_leaks.rs to read it"
            ));
        }
    }

    // --- plant the markers
    let c = plant(&desk).await;
    let pool = &desk.app.state.pool;
    let colleague_id = desk.app.user_id(&c.colleague_email).await;
    let colleague_session = desk.app.session_token(&c.colleague_email).await;
    let mut sessions: BTreeMap<Persona, String> = BTreeMap::new();
    for (persona, who) in [
        (Requester, calls::Who::Client),
        (ClientAdmin, calls::Who::ClientAdmin),
        (OtherClient, calls::Who::OtherClient),
        (OtherTeam, calls::Who::OtherTeam),
        (Manager, calls::Who::Manager),
        (Admin, calls::Who::Admin),
    ] {
        sessions.insert(persona, desk.session(who).expect("a session"));
    }
    sessions.insert(Colleague, colleague_session);
    let emails: BTreeMap<Persona, String> = [
        (Requester, common::CLIENT.to_string()),
        (Colleague, c.colleague_email.clone()),
        (ClientAdmin, common::CLIENT_ADMIN.to_string()),
        (OtherClient, common::OTHER_CLIENT.to_string()),
        (
            OtherTeam,
            desk.email(calls::Who::OtherTeam)
                .expect("other team")
                .into(),
        ),
        (Manager, common::MANAGER.to_string()),
        (Admin, common::ADMIN.to_string()),
    ]
    .into_iter()
    .collect();

    let mut secrets = enrol_the_manager(&desk, session_of(&sessions, Manager)).await;
    secrets.extend(c.webhook_secrets.iter().cloned());

    let mut seen: Vec<Seen> = Vec::new();

    // --- the live stream, while staff make staff-only changes to T2, one at a time
    let mut streams = Vec::new();
    for who in EVERYONE {
        streams.push((who, Stream::open(&desk, session_of(&sessions, who)).await));
    }
    for (who, stream) in &streams {
        let expected = if *who == Anon { 401 } else { 200 };
        if stream.status != expected {
            problems.push(format!(
                "live stream of {who:?} answered {} (expected {expected})",
                stream.status
            ));
        }
    }
    let priya = desk.actor(calls::Who::Lead).await;
    let ana = desk.actor(calls::Who::Analyst).await;
    for change in [
        "an internal note",
        "an internal attachment",
        "a problem record",
    ] {
        let s = &desk.app.state;
        match change {
            "an internal note" => {
                let v2: i64 = app::pool_run!(pool, conn => sqlx::query_scalar("SELECT version FROM tickets WHERE number = $1")
                    .bind(c.t2)
                    .fetch_one(conn).await)
                    .expect("version");
                backend::tickets::reply(
                    s,
                    &priya,
                    c.t2,
                    v2,
                    &format!(
                        "{} the user's second screen is on loan",
                        marker("CANARY-LIVE")
                    ),
                    false,
                )
                .await
                .expect("internal note while the streams listen");
            }
            "an internal attachment" => {
                backend::attachments::attach(
                    s,
                    &ana,
                    c.t2,
                    "screen-serials.txt",
                    b"S/N 4411-2231",
                    true,
                )
                .await
                .expect("internal attachment while the streams listen");
            }
            _ => {
                backend::problems::record(
                    s,
                    &priya,
                    &NewProblem {
                        title: "Second screens flicker".into(),
                        note: String::new(),
                        tickets: vec![TicketNumber(c.t2)],
                    },
                )
                .await
                .expect("problem record while the streams listen");
            }
        }
        let heard = futures::future::join_all(
            streams
                .iter_mut()
                .map(|(_, stream)| stream.read_for(Duration::from_millis(1200))),
        )
        .await;
        for ((who, _), heard) in streams.iter().zip(heard) {
            let told = heard.contains(&c.t2);
            match who {
                // staff-only work is none of the clients' business (issue 21, item 8)
                Requester | ClientAdmin if told => problems.push(format!(
                    "LEAK GET /api/live as {who:?}: told of HD-{} after {change} (staff-only)",
                    c.t2
                )),
                Colleague | OtherClient | OtherTeam | Anon if told => problems.push(format!(
                    "LEAK GET /api/live as {who:?}: told of HD-{} after {change}, a ticket they may not see",
                    c.t2
                )),
                Manager if !told => problems.push(format!(
                    "the manager's live stream did not hear of {change} on HD-{} within 1.2 s: the live checks prove nothing",
                    c.t2
                )),
                _ => {}
            }
        }
    }
    for (who, stream) in &streams {
        seen.push(Seen {
            who: *who,
            surface: "GET /api/live".into(),
            status: stream.status,
            text: stream.text.clone(),
        });
    }
    drop(streams);

    // --- every read server function, page, export and download, as everyone
    let read_calls = read_calls(&desk, &c);
    let covered_reads: BTreeSet<&str> = read_calls
        .iter()
        .map(|(name, _)| name.split(' ').next().unwrap_or(name))
        .collect();
    for path in READS {
        if !covered_reads.contains(path) {
            problems.push(format!(
                "UNCOVERED read /api/{path}: no body for it (calls::cases() has none)"
            ));
        }
    }
    let (pages, unknown_pages) = page_urls(&desk, &c, colleague_id);
    for p in unknown_pages {
        problems.push(format!(
            "UNCOVERED page {p}: teach canary_leaks.rs what to fill its parameters with"
        ));
    }
    let exports: Vec<String> = routes
        .iter()
        .filter(|p| other_route(p) == Some(Other::Export))
        .cloned()
        .collect();
    let plain_gets: Vec<String> = routes
        .iter()
        .filter(|p| other_route(p) == Some(Other::Get))
        .cloned()
        .collect();
    let targets = Targets {
        reads: read_calls,
        pages,
        exports,
        downloads: vec![
            format!("/attachments/{}", c.internal_file),
            format!("/attachments/{}", c.public_file),
            format!("/mail/{}", c.mail),
        ],
        plain_gets,
    };
    let sweeps = EVERYONE.map(|who| sweep(&desk, who, session_of(&sessions, who), &targets));
    for found in futures::future::join_all(sweeps).await {
        seen.extend(found);
    }

    // --- the outbox: every message addressed to each
    for (who, email) in &emails {
        let rows: Vec<(i64, String, String, Option<String>, String)> =
            app::pool_run!(pool, c => sqlx::query_as(
            "SELECT n.id, n.subject, n.body, n.payload, n.kind FROM notifications n
             JOIN users u ON u.id = n.recipient_id WHERE u.email = $1 ORDER BY n.id",
        )
        .bind(email)
        .fetch_all(c).await)
            .expect("outbox");
        for (id, subject, body, payload, kind) in rows {
            seen.push(Seen {
                who: *who,
                surface: format!("outbox message {id} ({kind})"),
                status: 0,
                text: format!("{subject}\n{body}\n{}", payload.unwrap_or_default()),
            });
        }
    }
    let jo_mail = seen
        .iter()
        .filter(|s| s.who == Requester && s.surface.starts_with("outbox"))
        .count();
    if jo_mail == 0 {
        problems.push("Jo has no mail about her tickets: the outbox checks prove nothing".into());
    }

    // --- judge: a second factor's secret and recovery codes, once handed over, and a webhook's
    // signing secret, once shown, are in no answer to anyone, their owner included
    for s in &seen {
        for (what, text) in &secrets {
            if s.text.contains(text.as_str()) {
                problems.push(format!(
                    "LEAK {} ({}) as {:?}: {what}",
                    s.surface, s.status, s.who
                ));
            }
        }
    }

    // --- judge: no marker where its reader may not see it; each marker seen where it may be
    let mut leaks: BTreeMap<(Persona, String), Vec<&str>> = BTreeMap::new();
    let mut landed: BTreeSet<&str> = BTreeSet::new();
    for s in &seen {
        for m in MARKERS {
            if !s.text.contains(m.text) {
                continue;
            }
            if m.seen_by.contains(&s.who) {
                landed.insert(m.text);
            } else if WATCHED.contains(&s.who) {
                leaks
                    .entry((s.who, format!("{} ({})", s.surface, s.status)))
                    .or_default()
                    .push(m.field);
            }
        }
    }
    for ((who, surface), fields) in &leaks {
        problems.push(format!(
            "LEAK {surface} as {who:?}: {}",
            fields
                .iter()
                .map(|f| {
                    let m = MARKERS.iter().find(|m| m.field == *f).expect("marker");
                    format!("{} [{}]", f, m.text)
                })
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for m in MARKERS {
        if !landed.contains(m.text) {
            problems.push(format!(
                "marker of the {} ({}) was seen by none of {:?}: it did not land, so its checks prove nothing",
                m.field, m.text, m.seen_by
            ));
        }
    }

    let data_decoded = seen.iter().any(|s| {
        s.surface.ends_with(", its data")
            && MARKERS
                .iter()
                .any(|m| m.seen_by.contains(&s.who) && s.text.contains(m.text))
    });
    if !data_decoded {
        problems.push(
            "no page's embedded data decoded to a marker, even for those who may see them: \
             the pages' data checks prove nothing"
                .into(),
        );
    }

    let per_persona = seen.len() / EVERYONE.len().max(1);
    println!(
        "canary leak suite: {} server functions ({} reads in {} calls, {} writes not called), {} page URLs \
         ({} page routes), {} CSV exports, {} downloads, the live stream and the outbox, as {} people \
         ({} watched); {} answers read (about {per_persona} each), {} markers",
        registered.len(),
        READS.len(),
        targets.reads.len(),
        WRITES.len(),
        targets.pages.len(),
        server::router::page_paths().len(),
        targets.exports.len(),
        targets.downloads.len(),
        EVERYONE.len(),
        WATCHED.len(),
        seen.len(),
        MARKERS.len()
    );
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn embedded_page_data_is_decoded_at_any_alignment() {
    // "o" and URL-safe base64 of "hello world", as `in_page` writes a value
    assert!(embedded_data("<script>x=\"oaGVsbG8gd29ybGQ\"</script>").contains("hello world"));
    assert_eq!(base64_url_decode("aGVsbG8_-w"), b"hello?\xfb");
}
