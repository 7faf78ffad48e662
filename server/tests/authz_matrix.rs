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

use app::api::{kb, portal, queue, tickets};
use app::backend;
use app::model::portal::PortalFilter;
use app::model::queue::QueueFilter;
use app::model::ticket::NewTicket;
use app::model::Urgency;
use common::calls::*;
use common::desk::*;
use std::collections::BTreeSet;
use Who::*;

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
            let (status, text) = desk
                .send_as_browser(case.path, body, session.as_deref())
                .await;
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
