//! The public API over real HTTP: tokens (shown once, stored hashed, expiring, revocable, never
//! a way into the pages), cookies refused, what a token sees, idempotent creates, cursor pages
//! under concurrent inserts, stale versions, bad input, the rate limit and the OpenAPI document.
//! `FRONTLINE_TEST_DATABASE=postgres` runs it on PostgreSQL.

mod common;

use app::backend::{admin, api_tokens};
use app::model::api_token::{NewIntegration, TokenScope};
use app::model::Role;
use common::api::{answer, error_code};
use common::{TestApp, ADMIN, ANALYST, CLIENT, CLIENT_ADMIN, MANAGER};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.scalar(sql).await
}

fn numbers(page: &Value) -> Vec<i64> {
    page["tickets"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {page}"))
        .iter()
        .map(|t| t["number"].as_i64().expect("number"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_is_shown_once_stored_hashed_and_works_until_it_expires_or_is_revoked() {
    let app = TestApp::seeded(20).await;
    let http = app.browser();
    let jo = app.actor_for(CLIENT).await;
    let now = app.state.now();
    let issued = api_tokens::create_personal(&app.state, &jo, "laptop script", Some(1))
        .await
        .expect("token");
    assert!(issued.token.starts_with(&format!("fl_{}_", issued.prefix)));
    let hash = hex::encode(Sha256::digest(issued.token.as_bytes()));
    let stored: String = app
        .one(
            "SELECT token_hash || prefix || name FROM api_tokens WHERE token_hash = $1",
            &hash,
        )
        .await;
    let secret = issued.token.rsplit('_').next().expect("secret");
    assert!(!stored.contains(secret), "the secret is not stored");
    let listed = api_tokens::list_personal(&app.state, &jo)
        .await
        .expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].last_used_at, None);

    let (status, page) = app.api_get(&http, "/tickets", &issued.token).await;
    assert_eq!(status, 200, "{page}");
    let listed = api_tokens::list_personal(&app.state, &jo)
        .await
        .expect("list");
    assert_eq!(listed[0].last_used_at, Some(now), "last use recorded");

    // a malformed or unknown token, or none at all, is a 401 in the error shape
    for token in [
        None,
        Some("nonsense"),
        Some(&format!("fl_{}_{}", issued.prefix, "0".repeat(64))[..]),
    ] {
        let (status, body) = answer(app.api(&http, Method::GET, "/tickets", token)).await;
        assert_eq!(status, 401, "{token:?}: {body}");
        assert_eq!(error_code(&body), "unauthenticated");
    }

    // expired
    app.clock.advance(86_400);
    let (status, _) = app.api_get(&http, "/tickets", &issued.token).await;
    assert_eq!(status, 401, "expired");

    // revoked
    let other = app.api_token(CLIENT).await;
    assert_eq!(app.api_get(&http, "/tickets", &other).await.0, 200);
    let id = api_tokens::list_personal(&app.state, &jo)
        .await
        .expect("list")[0]
        .id;
    api_tokens::revoke_personal(&app.state, &jo, id)
        .await
        .expect("revoke");
    assert_eq!(app.api_get(&http, "/tickets", &other).await.0, 401);
    // someone else's token cannot be revoked by id
    let ana = app.actor_for(ANALYST).await;
    let anas = api_tokens::create_personal(&app.state, &ana, "x", None)
        .await
        .expect("token");
    assert!(api_tokens::revoke_personal(&app.state, &jo, anas.id)
        .await
        .is_err());
    assert_eq!(app.api_get(&http, "/tickets", &anas.token).await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_makes_a_token_in_the_browser_uses_it_and_revokes_it() {
    let app = TestApp::seeded(5).await;
    let ana = app.browser();
    app.sign_in(&ana, ANALYST).await;
    // what cannot be a token is refused, in words, and nothing is written
    for (name, days) in [
        ("", "30"),
        ("scripts", "0"),
        ("scripts", "3651"),
        ("scripts", "soon"),
    ] {
        let refused = app
            .call(
                &ana,
                "create_api_token",
                &[("name", name), ("expires_in_days", days)],
            )
            .await;
        let status = refused.status().as_u16();
        let text = refused.text().await.unwrap_or_default();
        assert!(
            (400..500).contains(&status),
            "{name}/{days}: {status} {text}"
        );
        assert!(text.contains("message"), "{text}");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM api_tokens").await, 0);

    let made = app
        .call(
            &ana,
            "create_api_token",
            &[("name", "monitoring"), ("expires_in_days", "30")],
        )
        .await;
    assert_eq!(made.status(), 200);
    let issued: Value = made.json().await.expect("issued");
    let token = issued["token"].as_str().expect("token").to_string();
    let (status, _) = app.api_get(&ana, "/tickets", &token).await;
    assert_eq!(status, 200);

    let listed: Value = app
        .call(&ana, "api_tokens", &[])
        .await
        .json()
        .await
        .expect("list");
    let row = &listed[0];
    assert_eq!(row["name"], "monitoring");
    assert_eq!(row["prefix"], issued["prefix"]);
    assert!(row["expires_at"].as_i64().is_some());
    assert!(
        !listed.to_string().contains(&token[12..]),
        "the secret is never listed again"
    );
    // another person neither sees nor revokes it
    let jo = app.browser();
    app.sign_in(&jo, CLIENT).await;
    let theirs: Value = app
        .call(&jo, "api_tokens", &[])
        .await
        .json()
        .await
        .expect("list");
    assert_eq!(theirs, json!([]));
    let id = row["id"].as_i64().expect("id").to_string();
    let refused = app.call(&jo, "revoke_api_token", &[("id", &id)]).await;
    assert_eq!(refused.status(), 404);
    assert_eq!(app.api_get(&ana, "/tickets", &token).await.0, 200);

    let revoked = app.call(&ana, "revoke_api_token", &[("id", &id)]).await;
    assert_eq!(revoked.status(), 200);
    assert_eq!(app.api_get(&ana, "/tickets", &token).await.0, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookies_never_open_the_api_and_tokens_never_open_the_pages() {
    let app = TestApp::seeded(5).await;
    let browser = app.browser();
    app.sign_in(&browser, ANALYST).await;
    // the browser's session cookie is sent, and ignored
    let (status, body) = answer(app.api(&browser, Method::GET, "/tickets", None)).await;
    assert_eq!(status, 401, "{body}");
    let (status, _) = answer(
        app.api(&browser, Method::POST, "/tickets", None)
            .json(&json!({"urgency": "urgent", "problem": "x"})),
    )
    .await;
    assert_eq!(status, 401);

    let token = app.api_token(ANALYST).await;
    let plain = common::client_builder().build().expect("client");
    let page = plain
        .get(app.url("/queue"))
        .header("Accept", "text/html")
        .bearer_auth(&token)
        .send()
        .await
        .expect("page");
    let location = page
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        page.status().is_redirection() && location.starts_with("/signin"),
        "a token opens no page: {} {location}",
        page.status()
    );
    let server_fn = plain
        .post(app.url("/api/claim_ticket"))
        .bearer_auth(&token)
        .form(&[("number", "1"), ("version", "1")])
        .send()
        .await
        .expect("server function");
    assert_eq!(server_fn.status(), 401, "nor a server function");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_token_sees_only_what_the_client_sees() {
    let app = TestApp::seeded(300).await;
    let http = app.browser();
    let jo_id = app.user_id(CLIENT).await;
    let nwl = app.org_id(common::cast::CLIENT_ORG).await;
    let jo = app.api_token(CLIENT).await;
    for n in 0..3 {
        let problem = format!("Printer {n} is out of toner");
        assert_eq!(raise(&app, &http, &jo, &problem, &problem).await.0, 201);
    }
    for (who, status_view) in [(CLIENT, "active"), (CLIENT_ADMIN, "closed")] {
        let token = app.api_token(who).await;
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/tickets?status={status_view}&limit=50&cursor={c}"),
                None => format!("/tickets?status={status_view}&limit=50"),
            };
            let (status, page) = app.api_get(&http, &path, &token).await;
            assert_eq!(status, 200, "{page}");
            seen.extend(numbers(&page));
            match page["next"].as_str() {
                Some(next) => cursor = Some(next.to_string()),
                None => break,
            }
        }
        assert!(!seen.is_empty(), "{who} sees some tickets");
        for number in &seen {
            let (org, requester): (i64, i64) = app::pool_run!(app.state.pool, c => sqlx::query_as(
                "SELECT org_id, requester_id FROM tickets WHERE number = $1")
                .bind(number).fetch_one(c).await)
            .expect("ticket");
            assert_eq!(org, nwl, "{who} sees only Northwind's");
            if who == CLIENT {
                assert_eq!(requester, jo_id, "Jo sees only her own");
            }
        }
    }
    // searches and reads of other organizations' tickets are refused or empty
    let token = app.api_token(CLIENT).await;
    let (status, page) = app
        .api_get(&http, "/tickets?q=printer&status=closed", &token)
        .await;
    assert_eq!(status, 200, "{page}");
    for t in page["tickets"].as_array().expect("tickets") {
        assert_eq!(t["organization_code"], common::cast::CLIENT_ORG);
    }
    let foreign: i64 = app::pool_run!(app.state.pool, c => sqlx::query_scalar(
        "SELECT MIN(number) FROM tickets WHERE org_id <> $1").bind(nwl).fetch_one(c).await)
    .expect("a foreign ticket");
    let (status, body) = app
        .api_get(&http, &format!("/tickets/{foreign}"), &token)
        .await;
    assert!(status == 403 || status == 404, "{status} {body}");
    let (status, _) = app
        .api_get(&http, &format!("/tickets/{foreign}/sla"), &token)
        .await;
    assert!(status == 403 || status == 404);
    let (status, body) = app.api_get(&http, "/tickets?client=CHC", &token).await;
    assert!(status == 422 || status == 400, "{status} {body}");
}

async fn raise(
    app: &TestApp,
    http: &reqwest::Client,
    token: &str,
    key: &str,
    problem: &str,
) -> (u16, Value) {
    answer(
        app.api(http, Method::POST, "/tickets", Some(token))
            .header("Idempotency-Key", key)
            .json(&json!({"urgency": "not_urgent", "problem": problem})),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_create_returns_the_first_ticket_and_never_a_second() {
    let app = TestApp::seeded(5).await;
    let http = app.browser();
    let token = app.api_token(CLIENT).await;
    let (status, first) = raise(&app, &http, &token, "k-1", "The VPN drops hourly").await;
    assert_eq!(status, 201, "{first}");
    let (status, again) = raise(&app, &http, &token, "k-1", "The VPN drops hourly").await;
    assert_eq!(status, 201);
    assert_eq!(again, first, "the same answer");
    let (status, other) = raise(&app, &http, &token, "k-1", "Something else").await;
    assert_eq!(status, 422, "{other}");
    assert_eq!(other["error"]["field"], "Idempotency-Key");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM tickets WHERE problem = 'The VPN drops hourly'"
        )
        .await,
        1
    );

    // ten retries at once make one ticket, and all get its number
    let tries = (0..10).map(|_| raise(&app, &http, &token, "k-2", "The printer is on fire"));
    let answers = futures::future::join_all(tries).await;
    let made: BTreeSet<_> = answers
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, 201, "{body}");
            body["number"].as_i64().expect("number")
        })
        .collect();
    assert_eq!(made.len(), 1, "{answers:?}");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM tickets WHERE problem = 'The printer is on fire'"
        )
        .await,
        1
    );
    // a failed create keeps no answer: the retry runs afresh
    let (status, _) = answer(
        app.api(&http, Method::POST, "/tickets", Some(&token))
            .header("Idempotency-Key", "k-3")
            .json(&json!({"urgency": "not_urgent", "problem": "   "})),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(raise(&app, &http, &token, "k-3", "Fixed text").await.0, 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_neither_repeat_nor_skip_tickets_while_others_are_raised() {
    let app = TestApp::seeded(150).await;
    let http = app.browser();
    let token = app.api_token(MANAGER).await;
    let walk = |limit: usize| {
        let (app, http, token) = (&app, &http, &token);
        async move {
            let mut seen = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let path = match &cursor {
                    Some(c) => format!("/tickets?limit={limit}&cursor={c}"),
                    None => format!("/tickets?limit={limit}"),
                };
                let (status, page) = app.api_get(http, &path, token).await;
                assert_eq!(status, 200, "{page}");
                let got = numbers(&page);
                assert!(got.len() <= limit);
                seen.extend(got);
                match page["next"].as_str() {
                    Some(next) => cursor = Some(next.to_string()),
                    None => return seen,
                }
            }
        }
    };
    let client = app.api_token(CLIENT).await;
    for n in 0..40 {
        let problem = format!("Earlier ticket {n}");
        assert_eq!(raise(&app, &http, &client, &problem, &problem).await.0, 201);
    }
    let before = walk(100).await;
    assert!(before.len() >= 40, "{} open tickets", before.len());
    let inserts = async {
        for n in 0..30 {
            let (status, body) = answer(
                app.api(&http, Method::POST, "/tickets", Some(&client))
                    .json(
                        &json!({"urgency": if n % 2 == 0 { "urgent" } else { "not_urgent" },
                                  "problem": format!("Concurrent ticket {n}")}),
                    ),
            )
            .await;
            assert_eq!(status, 201, "{body}");
        }
    };
    let (during, ()) = tokio::join!(walk(7), inserts);
    let unique: BTreeSet<_> = during.iter().collect();
    assert_eq!(unique.len(), during.len(), "no ticket twice");
    let missing: Vec<_> = before.iter().filter(|n| !unique.contains(n)).collect();
    assert!(missing.is_empty(), "skipped: {missing:?}");
    let (status, body) = app.api_get(&http, "/tickets?limit=101", &token).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["field"], "limit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_take_the_version_and_a_stale_one_gets_409() {
    let app = TestApp::seeded(5).await;
    let http = app.browser();
    let jo = app.api_token(CLIENT).await;
    let ana = app.api_token(ANALYST).await;
    let (_, made) = raise(&app, &http, &jo, "v-1", "Outlook asks for the password").await;
    let number = made["number"].as_i64().expect("number");
    let (status, ticket) = app
        .api_get(&http, &format!("/tickets/{number}"), &ana)
        .await;
    assert_eq!(status, 200, "{ticket}");
    let v1 = ticket["version"].as_i64().expect("version");
    assert_eq!(ticket["timeline"][0]["kind"], "created");

    let path = format!("/tickets/HD-{number}/claim");
    let (status, claimed) = app
        .api_post(&http, &path, &ana, &json!({"version": v1}))
        .await;
    assert_eq!(status, 200, "{claimed}");
    let v2 = claimed["version"].as_i64().expect("version");
    assert!(v2 > v1);
    // the old version again: somebody changed it first
    let note = format!("/tickets/{number}/notes");
    let (status, stale) = app
        .api_post(&http, &note, &ana, &json!({"version": v1, "body": "late"}))
        .await;
    assert_eq!(status, 409, "{stale}");
    assert_eq!(error_code(&stale), "conflict");
    // If-Match instead of a version in the body
    let (status, noted) = answer(
        app.api(&http, Method::POST, &note, Some(&ana))
            .header("If-Match", format!("\"{v2}\""))
            .json(&json!({"body": "Reset the profile"})),
    )
    .await;
    assert_eq!(status, 200, "{noted}");
    let (status, missing) = app
        .api_post(&http, &note, &ana, &json!({"body": "no version"}))
        .await;
    assert_eq!(status, 422, "{missing}");
    assert_eq!(missing["error"]["field"], "version");
    // the client sees the ticket, not the internal note
    let (_, seen) = app.api_get(&http, &format!("/tickets/{number}"), &jo).await;
    let kinds: Vec<_> = seen["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .map(|s| s["kind"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(!kinds.contains(&"internal_note".to_string()), "{kinds:?}");
    let v3 = noted["version"].as_i64().expect("version");
    let (status, resolved) = app
        .api_post(
            &http,
            &format!("/tickets/{number}/resolve"),
            &ana,
            &json!({"version": v3, "resolution": "Profile rebuilt"}),
        )
        .await;
    assert_eq!(status, 200, "{resolved}");
    let (_, sla) = app
        .api_get(&http, &format!("/tickets/{number}/sla"), &jo)
        .await;
    assert_eq!(sla["state"], "done", "{sla}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_4xx_in_the_error_shape_and_writes_nothing() {
    let app = TestApp::seeded(5).await;
    let http = app.browser();
    let ana = app.api_token(ANALYST).await;
    let jo = app.api_token(CLIENT).await;
    let (_, made) = raise(&app, &http, &jo, "b-1", "The scanner is slow").await;
    let number = made["number"].as_i64().expect("number");
    let huge = "x".repeat(300 * 1024);
    let raw = |path: &str, body: &str| {
        app.api(&http, Method::POST, path, Some(&ana))
            .header("Content-Type", "application/json")
            .body(body.to_string())
    };
    // what a request could write (the outbox records its mail as steps meanwhile: not counted)
    let written = || async {
        (
            count(&app, "SELECT COUNT(*) FROM tickets").await,
            count(
                &app,
                "SELECT COUNT(*) FROM ticket_events WHERE kind <> 'notification_sent'",
            )
            .await,
        )
    };
    let before = written().await;
    let note = format!("/tickets/{number}/notes");
    let cases: Vec<(&str, reqwest::RequestBuilder, u16)> = vec![
        ("malformed JSON", raw("/tickets", "{\"urgency\": "), 400),
        ("not JSON at all", raw(&note, "version=1&body=x"), 400),
        (
            "no content type",
            app.api(&http, Method::POST, &note, Some(&ana)).body("{}"),
            400,
        ),
        (
            "wrong type",
            raw(&note, "{\"version\": \"one\", \"body\": \"x\"}"),
            422,
        ),
        (
            "unknown field",
            raw(&note, "{\"version\": 1, \"body\": \"x\", \"colour\": 1}"),
            422,
        ),
        ("missing field", raw(&note, "{\"version\": 1}"), 422),
        (
            "huge body",
            raw(&note, &format!("{{\"version\": 1, \"body\": \"{huge}\"}}")),
            413,
        ),
        (
            "unknown ticket",
            raw(
                "/tickets/99999999/notes",
                "{\"version\": 1, \"body\": \"x\"}",
            ),
            404,
        ),
        (
            "not a ticket number",
            raw("/tickets/abc/notes", "{\"version\": 1, \"body\": \"x\"}"),
            400,
        ),
        (
            "unknown urgency",
            raw("/tickets", "{\"urgency\": \"meh\", \"problem\": \"x\"}"),
            422,
        ),
        (
            "unknown requester",
            raw(
                "/tickets",
                "{\"urgency\": \"urgent\", \"problem\": \"x\", \"requester_id\": 99999999}",
            ),
            422,
        ),
        ("unknown operation", raw("/tickets/1/explode", "{}"), 404),
        (
            "unknown query parameter",
            app.api(&http, Method::GET, "/tickets?colour=red", Some(&ana)),
            400,
        ),
        (
            "bad filter",
            app.api(&http, Method::GET, "/tickets?priority=p9", Some(&ana)),
            400,
        ),
    ];
    let mut wrong = Vec::new();
    for (what, request, expected) in cases {
        let (status, body) = answer(request).await;
        let shaped = body["error"]["code"].is_string() && body["error"]["message"].is_string();
        if status != expected || !shaped {
            wrong.push(format!("{what}: {status} {body}"));
        }
        let after = written().await;
        if after != before {
            wrong.push(format!("{what} wrote: {after:?}, not {before:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_past_its_rate_gets_429_with_the_headers_until_the_minute_turns() {
    let app = TestApp::empty_with(|s| s.api_rate_per_min = 5).await;
    app::backend::seed::seed_demo(&app.state.pool, common::NOW, 0)
        .await
        .expect("seed");
    let http = app.browser();
    let token = app.api_token(ANALYST).await;
    let other = app.api_token(MANAGER).await;
    for n in 0..5 {
        let res = app
            .api(&http, Method::GET, "/tickets", Some(&token))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["ratelimit-limit"], "5");
        assert_eq!(
            res.headers()["ratelimit-remaining"],
            (4 - n).to_string().as_str()
        );
    }
    let res = app
        .api(&http, Method::GET, "/tickets", Some(&token))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 429);
    let headers = res.headers().clone();
    let retry: i64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(headers["ratelimit-remaining"], "0");
    assert_eq!(
        headers["ratelimit-reset"].to_str().unwrap(),
        retry.to_string()
    );
    let body: Value = res.json().await.expect("json");
    assert_eq!(error_code(&body), "too_many_requests");
    assert_eq!(
        app.api_get(&http, "/tickets", &other).await.0,
        200,
        "per token"
    );
    app.clock.advance(retry);
    assert_eq!(app.api_get(&http, "/tickets", &token).await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_integration_token_acts_as_its_service_user_within_its_scope() {
    let app = TestApp::seeded(5).await;
    let http = app.browser();
    let admin_actor = app.actor_for(ADMIN).await;
    let issued = admin::create_integration(
        &app.state,
        &admin_actor,
        &NewIntegration {
            name: "Monitoring".into(),
            role: Role::Manager,
            org_id: None,
            team_id: None,
            scope: TokenScope::TicketsCreate,
            expires_in_days: None,
        },
    )
    .await
    .expect("integration");
    let jo = app.user_id(CLIENT).await;
    let (status, made) = app
        .api_post(
            &http,
            "/tickets",
            &issued.token,
            &json!({"requester_id": jo, "urgency": "urgent", "problem": "Disk full on FS01",
                    "priority": "p2"}),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let channel: String = app
        .one(
            "SELECT channel FROM tickets WHERE CAST(number AS TEXT) = $1",
            &made["number"].to_string(),
        )
        .await;
    assert_eq!(channel, "api");
    for path in [
        "/tickets",
        &format!("/tickets/{}", made["number"]),
        "/organizations",
    ] {
        let (status, body) = app.api_get(&http, path, &issued.token).await;
        assert_eq!(status, 403, "{path}: reads nothing else: {body}");
    }
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'api_token.create'"
        )
        .await,
        1
    );
    // only administrators make them
    let manager = app.actor_for(MANAGER).await;
    let refused = admin::create_integration(
        &app.state,
        &manager,
        &NewIntegration {
            name: "Sneaky".into(),
            role: Role::Manager,
            org_id: None,
            team_id: None,
            scope: TokenScope::Write,
            expires_in_days: None,
        },
    )
    .await;
    assert!(refused.is_err());
    admin::revoke_integration(&app.state, &admin_actor, issued.id)
        .await
        .expect("revoke");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'api_token.revoke'"
        )
        .await,
        1
    );
    let (status, _) = app
        .api_post(&http, "/tickets", &issued.token, &json!({}))
        .await;
    assert_eq!(status, 401);
}

/// The operations `#[utoipa::path]` annotates in the API's sources.
fn annotated_operations() -> usize {
    [
        include_str!("../src/api_v1/tickets.rs"),
        include_str!("../src/api_v1/directory.rs"),
        include_str!("../src/api_v1/alerts.rs"),
        include_str!("../src/api_v1/webhooks.rs"),
    ]
    .iter()
    .map(|source| source.matches("#[utoipa::path(").count())
    .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_is_documented_and_every_documented_route_exists() {
    let app = TestApp::seeded(5).await;
    let http = app.browser();
    let (status, doc) = answer(app.api(&http, Method::GET, "/openapi.json", None)).await;
    assert_eq!(status, 200);
    assert!(
        doc["openapi"]
            .as_str()
            .unwrap_or_default()
            .starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let token = app.api_token(MANAGER).await;
    let mut operations = 0;
    let mut wrong = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        assert!(path.starts_with("/api/v1/"), "{path}");
        for (method, _) in item.as_object().expect("operations") {
            operations += 1;
            let url = path
                .trim_start_matches("/api/v1")
                .replace("{number}", "1")
                .replace("{code}", "NWL")
                .replace("{id}", "1");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let (status, body) = answer(app.api(&http, method.clone(), &url, Some(&token))).await;
            let unrouted = status == 405
                || body["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("No such API operation"));
            if unrouted {
                wrong.push(format!("{method} {path}: {status} {body}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "documented but not routed:\n{}",
        wrong.join("\n")
    );
    // every operation registered (through utoipa-axum, which documents what it routes) is in it
    assert_eq!(operations, annotated_operations());
    assert!(operations >= 20, "{operations}");
    let (status, body) = answer(app.api(&http, Method::GET, "/nothing/here", Some(&token))).await;
    assert_eq!(status, 404);
    assert_eq!(error_code(&body), "not_found");
    // the reference page lists them, no token needed
    let page = http
        .get(app.url("/api/v1/docs"))
        .send()
        .await
        .expect("docs");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    for path in doc["paths"].as_object().expect("paths").keys() {
        assert!(html.contains(path.as_str()), "{path} on the reference page");
    }
    assert!(!html.contains("<script"), "no scripts");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organizations_answer_each_person_with_those_they_serve_or_belong_to() {
    let app = TestApp::seeded(0).await;
    let http = app.browser();
    let codes_where = |sql: &'static str, email: &'static str| {
        let app = &app;
        async move {
            app::pool_run!(app.state.pool, c => sqlx::query_scalar::<_, String>(sql)
                .bind(email)
                .fetch_all(c).await)
            .expect("codes")
            .into_iter()
            .collect::<BTreeSet<String>>()
        }
    };
    let own =
        "SELECT o.code FROM organizations o JOIN users u ON u.org_id = o.id WHERE u.email = $1";
    let served = "SELECT o.code FROM organizations o JOIN team_orgs t ON t.org_id = o.id
                  JOIN users u ON u.team_id = t.team_id WHERE u.email = $1";
    let every = "SELECT o.code FROM organizations o
                 WHERE o.active AND EXISTS (SELECT 1 FROM users u WHERE u.email = $1)";
    for (who, sql) in [
        (CLIENT, own),
        (CLIENT_ADMIN, own),
        (common::OTHER_CLIENT, own),
        (ANALYST, served),
        (common::OTHER_ANALYST, served),
        (MANAGER, every),
        (ADMIN, every),
    ] {
        let expected = codes_where(sql, who).await;
        assert!(!expected.is_empty(), "{who}");
        let token = app.api_token(who).await;
        let (status, body) = app.api_get(&http, "/organizations", &token).await;
        assert_eq!(status, 200, "{who}: {body}");
        let got: BTreeSet<String> = body
            .as_array()
            .expect("a list")
            .iter()
            .map(|o| o["code"].as_str().expect("code").to_string())
            .collect();
        assert_eq!(got, expected, "{who}");
    }
}

/// Every operation the document lists, with a body that is not JSON, JSON of the wrong shape, a
/// body over the limit, and ids that do not exist: a 4xx in the error shape each time, as a
/// manager and as an administrator (who between them may do every operation), and nothing
/// written. New operations are covered from the start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_refuses_bad_bodies_and_unknown_ids_whole() {
    let app = TestApp::seeded(5).await;
    let http = app.browser();
    let (_, doc) = answer(app.api(&http, Method::GET, "/openapi.json", None)).await;
    let tokens = [app.api_token(MANAGER).await, app.api_token(ADMIN).await];
    let tables = [
        "tickets",
        "ticket_events",
        "users",
        "alerts",
        "maintenance_windows",
        "api_idempotency",
    ];
    let written = || async {
        let mut counts = Vec::new();
        for table in tables {
            counts.push(count(&app, &format!("SELECT COUNT(*) FROM {table}")).await);
        }
        counts
    };
    let before = written().await;
    let huge = format!("{{\"body\": \"{}\"}}", "x".repeat(300 * 1024));
    let mut wrong = Vec::new();
    let mut tried = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let url = path
            .trim_start_matches("/api/v1")
            .replace("{number}", "99999999")
            .replace("{id}", "99999999")
            .replace("{code}", "NOPE");
        for (method, operation) in item.as_object().expect("operations") {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let queried = operation["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
            // a read's input is its ids and its query; one with neither has none to get wrong
            let url = match (method == Method::GET, queried) {
                (true, true) => format!("{url}?colour=red"),
                (true, false) if url == path.trim_start_matches("/api/v1") => continue,
                _ => url.clone(),
            };
            let bodies: Vec<Option<&str>> = if method == Method::GET {
                vec![None]
            } else {
                vec![
                    Some("{\"version\": "),
                    Some("[1, 2, 3]"),
                    Some("{\"version\": \"one\", \"colour\": {}}"),
                    Some(&huge),
                    Some("{}"),
                ]
            };
            for token in &tokens {
                for body in &bodies {
                    tried += 1;
                    let mut request = app.api(&http, method.clone(), &url, Some(token));
                    if let Some(body) = body {
                        request = request
                            .header("Content-Type", "application/json")
                            .body(body.to_string());
                    }
                    let (status, body_back) = answer(request).await;
                    let shaped = body_back["error"]["code"].is_string()
                        && body_back["error"]["message"].is_string();
                    if !(400..500).contains(&status) || !shaped {
                        let shown: String = body.unwrap_or("").chars().take(40).collect();
                        let said: String = body_back.to_string().chars().take(200).collect();
                        wrong.push(format!("{method} {url} {shown}: {status} {said}"));
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(tried > 100, "{tried}");
    assert_eq!(written().await, before, "nothing written");
}

/// An answer given before the body is needed (no token, no such organization, an operation that
/// takes no body) still arrives on a connection the client keeps using, and one over the limit
/// is a 413, never a dropped connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn early_refusals_arrive_whatever_the_body() {
    let app = TestApp::seeded(0).await;
    let http = app.browser();
    let token = app.api_token(ADMIN).await;
    let near = format!("{{\"body\": \"{}\"}}", "x".repeat(200 * 1024));
    let over = "x".repeat(700 * 1024);
    for round in 0..20 {
        for (token, body, expected) in [
            (None, &near, 401),
            (Some(token.as_str()), &near, 422), // no such organization
            (Some(token.as_str()), &over, 413),
            (None, &over, 413),
        ] {
            let request = app
                .api(
                    &http,
                    Method::DELETE,
                    "/organizations/NOPE/maintenance-windows/1",
                    token,
                )
                .header("Content-Type", "application/json")
                .body(body.clone());
            let sent = request.send().await;
            let res = sent.unwrap_or_else(|e| panic!("round {round}, {expected}: {e:?}"));
            assert_eq!(res.status().as_u16(), expected, "round {round}");
            let back: Value = res.json().await.expect("the error shape");
            assert!(back["error"]["code"].is_string(), "{back}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_subscribes_a_webhook_from_a_script() {
    let app = TestApp::seeded(0).await;
    let http = app.browser();
    let sam = app.api_token(ADMIN).await;
    let hook = json!({"name": "PSA sync", "url": "http://127.0.0.1:9/hooks",
                      "events": ["ticket.created", "sla.breached"]});
    let (status, made) = app.api_post(&http, "/webhooks", &sam, &hook).await;
    assert_eq!(status, 201, "{made}");
    assert!(made["secret"]
        .as_str()
        .is_some_and(|s| s.starts_with("whsec_")));
    let (status, listed) = app.api_get(&http, "/webhooks", &sam).await;
    assert_eq!(status, 200);
    assert_eq!(listed[0]["name"], "PSA sync");
    assert_eq!(listed[0]["kind"], "standard");
    assert!(listed[0].get("secret").is_none(), "never shown again");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'webhook.create'"
        )
        .await,
        1,
        "audited as the page's are"
    );

    // the page's rules hold: administrators only, no private targets, known events and kinds
    let morgan = app.api_token(MANAGER).await;
    assert_eq!(
        app.api_post(&http, "/webhooks", &morgan, &hook).await.0,
        403
    );
    assert_eq!(app.api_get(&http, "/webhooks", &morgan).await.0, 403);
    for (field, bad) in [
        (None, json!({"url": "http://10.0.0.7/hooks"})),
        (None, json!({"events": ["ticket.exploded"]})),
        (Some("kind"), json!({"kind": "carrier-pigeon"})),
        (Some("min_priority"), json!({"min_priority": "p9"})),
    ] {
        let mut body = hook.clone();
        for (k, v) in bad.as_object().expect("object") {
            body[k] = v.clone();
        }
        let (status, answer) = app.api_post(&http, "/webhooks", &sam, &body).await;
        assert_eq!(status, 422, "{bad}: {answer}");
        if let Some(field) = field {
            assert_eq!(answer["error"]["field"], field);
        }
    }
    let id = made["id"].as_i64().expect("id");
    let (status, _) = answer(app.api(
        &http,
        Method::DELETE,
        &format!("/webhooks/{id}"),
        Some(&sam),
    ))
    .await;
    assert_eq!(status, 204);
    assert_eq!(app.api_get(&http, "/webhooks", &sam).await.1, json!([]));
}
