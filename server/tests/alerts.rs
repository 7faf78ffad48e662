//! The monitoring-alert intake over real HTTP: one ticket per alert however often and however
//! concurrently it fires, clearing resolves what nobody touched, a critical alert pages, a
//! flapping alert keeps one open ticket, maintenance windows silence alerts, and the intake
//! stays within the caller's scope. `FRONTLINE_TEST_DATABASE=postgres` runs it on PostgreSQL.

mod common;

use app::backend::{admin, tickets};
use app::model::api_token::{NewIntegration, TokenScope};
use app::model::Role;
use common::api::{answer, error_code};
use common::cast::{CLIENT_ORG, OTHER_CLIENT_ORG};
use common::{TestApp, ADMIN, ANALYST, CLIENT, LEAD, OTHER_ANALYST};
use futures::StreamExt;
use reqwest::Method;
use serde_json::{json, Value};

/// An integration token for a monitoring tool, acting as a service user of `role`.
async fn monitoring_token(app: &TestApp, role: Role) -> String {
    let admin_actor = app.actor_for(ADMIN).await;
    admin::create_integration(
        &app.state,
        &admin_actor,
        &NewIntegration {
            name: "PRTG".into(),
            role,
            org_id: None,
            team_id: None,
            scope: TokenScope::TicketsCreate,
            expires_in_days: None,
        },
    )
    .await
    .expect("integration")
    .token
}

fn alert(org: &str, key: &str, severity: &str, status: &str) -> Value {
    json!({
        "source": "PRTG", "key": key, "organization": org, "severity": severity,
        "title": format!("{key} is down"), "details": "Ping timeout after 3 tries",
        "status": status, "device": "srv-01",
    })
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.scalar(sql).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_firing_reports_of_ten_alerts_make_ten_tickets_and_clearing_resolves_them() {
    let app = TestApp::seeded_with(0, |s| s.api_rate_per_min = 100_000).await;
    let http = app.browser();
    let token = monitoring_token(&app, Role::Manager).await;
    let tickets_before = count(&app, "SELECT COUNT(*) FROM tickets").await;
    let keys: Vec<String> = (0..10).map(|k| format!("host-{k}/ping")).collect();
    // keys 0-1 critical (P1), the rest minor; half of them for each of two clients
    let report = |n: usize, status: &'static str| {
        let k = n % 10;
        let org = if k.is_multiple_of(2) {
            CLIENT_ORG
        } else {
            OTHER_CLIENT_ORG
        };
        let severity = if k < 2 { "critical" } else { "minor" };
        alert(org, &keys[k], severity, status)
    };
    let outcomes: Vec<(u16, Value)> = futures::stream::iter(0..1000)
        .map(|n| {
            let body = report(n, "firing");
            let (app, http, token) = (&app, &http, &token);
            async move { app.api_post(http, "/alerts", token, &body).await }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let opened = outcomes
        .iter()
        .filter(|(status, body)| *status == 201 && body["outcome"] == "opened")
        .count();
    let repeated = outcomes
        .iter()
        .filter(|(status, body)| *status == 200 && body["outcome"] == "repeated")
        .count();
    assert_eq!((opened, repeated), (10, 990), "{:?}", &outcomes[..3]);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM tickets").await - tickets_before,
        10
    );
    assert_eq!(
        count(&app, "SELECT COUNT(DISTINCT ticket_id) FROM alerts").await,
        10
    );
    assert_eq!(
        count(&app, "SELECT MIN(fired_count) FROM alerts").await,
        100
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM ticket_events WHERE kind = 'alert_fired' AND NOT public"
        )
        .await,
        990,
        "each repeat is a staff-only step on its ticket"
    );
    // critical is P1 and paged (the report came outside business hours); minor pages nobody
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM tickets WHERE priority = 'p1'").await,
        2
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(DISTINCT p.ticket_id) FROM pages p JOIN tickets t ON t.id = p.ticket_id
             WHERE t.priority = 'p1'"
        )
        .await,
        2
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM pages").await, 2);

    // a person works one of them: its clearing leaves it with them
    let touched: i64 = app
        .one::<String>(
            "SELECT CAST(t.number AS TEXT) FROM alerts a JOIN tickets t ON t.id = a.ticket_id
             WHERE a.alert_key = $1",
            &keys[3],
        )
        .await
        .parse()
        .expect("number");
    let lead = app.actor_for(LEAD).await;
    let version = count(
        &app,
        &format!("SELECT version FROM tickets WHERE number = {touched}"),
    )
    .await;
    tickets::reply(
        &app.state,
        &lead,
        touched,
        version,
        "Looking at the switch.",
        false,
    )
    .await
    .expect("note");
    for n in 0..10 {
        let (status, body) = app
            .api_post(&http, "/alerts", &token, &report(n, "resolved"))
            .await;
        assert_eq!(status, 200, "{body}");
        let expected = if n == 3 { "cleared" } else { "resolved" };
        assert_eq!(body["outcome"], expected, "{n}: {body}");
    }
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM tickets t JOIN alerts a ON a.ticket_id = t.id
             WHERE t.status = 'resolved' AND t.assignee_id IS NULL"
        )
        .await,
        9
    );
    let status: String = app
        .one(
            "SELECT status FROM tickets WHERE CAST(number AS TEXT) = $1",
            &touched.to_string(),
        )
        .await;
    assert_eq!(status, "new", "the worked ticket stays open");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flapping_alert_keeps_one_ticket_open_instead_of_reopening_it_again_and_again() {
    let app = TestApp::seeded(0).await;
    let http = app.browser();
    let token = monitoring_token(&app, Role::Manager).await;
    let post = |status: &'static str| {
        let body = alert(CLIENT_ORG, "fw-01/wan", "major", status);
        let (app, http, token) = (&app, &http, &token);
        async move {
            app.clock.advance(60);
            let (code, answer) = app.api_post(http, "/alerts", token, &body).await;
            assert!(code == 200 || code == 201, "{code} {answer}");
            answer
        }
    };
    let first = post("firing").await;
    assert_eq!(first["outcome"], "opened");
    let number = first["ticket"]["number"].clone();
    // it grows worse: the ticket becomes a P1 (and a later, milder report does not lower it)
    let worse = alert(CLIENT_ORG, "fw-01/wan", "critical", "firing");
    let (_, body) = app.api_post(&http, "/alerts", &token, &worse).await;
    assert_eq!(body["outcome"], "repeated", "{body}");
    let priority: String = app
        .one(
            "SELECT priority FROM tickets WHERE CAST(number AS TEXT) = $1",
            &number.to_string(),
        )
        .await;
    assert_eq!(priority, "p1");
    assert_eq!(post("resolved").await["outcome"], "resolved");
    let mut outcomes = Vec::new();
    for _ in 0..6 {
        let fired = post("firing").await;
        assert_eq!(fired["ticket"]["number"], number, "one ticket: {fired}");
        outcomes.push(fired["outcome"].as_str().unwrap_or_default().to_string());
        let cleared = post("resolved").await;
        outcomes.push(cleared["outcome"].as_str().unwrap_or_default().to_string());
    }
    // three returns within the hour are a flap: from then on the ticket stays open
    assert_eq!(
        outcomes,
        [
            "reopened", "resolved", "reopened", "resolved", "reopened", "cleared", "repeated",
            "cleared", "repeated", "cleared", "repeated", "cleared"
        ]
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tickets").await, 1);
    let status: String = app
        .one(
            "SELECT status FROM tickets WHERE CAST(number AS TEXT) = $1",
            &number.to_string(),
        )
        .await;
    assert_eq!(status, "open");
    // the steps say what happened, in words, to staff only
    let cleared: String = app
        .one(
            "SELECT data FROM ticket_events WHERE kind = 'alert_cleared' AND data LIKE $1
             ORDER BY id DESC LIMIT 1",
            "%flapping%",
        )
        .await;
    assert!(cleared.contains("PRTG fw-01/wan"), "{cleared}");

    // long after its last return, a cleared-then-fired alert is a new incident
    assert_eq!(post("firing").await["outcome"], "repeated");
    let lead = app.actor_for(LEAD).await;
    let n = number.as_i64().expect("number");
    let version = count(
        &app,
        &format!("SELECT version FROM tickets WHERE number = {n}"),
    )
    .await;
    tickets::resolve(&app.state, &lead, n, version, "Replaced the WAN cable.")
        .await
        .expect("resolve");
    app.clock.advance(3 * 3600);
    let again = post("firing").await;
    assert_eq!(again["outcome"], "opened", "{again}");
    assert_ne!(again["ticket"]["number"], number);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inside_a_maintenance_window_alerts_are_recorded_but_open_nothing_and_page_nobody() {
    let app = TestApp::seeded(0).await;
    let http = app.browser();
    let token = monitoring_token(&app, Role::Manager).await;
    let lead = app.api_token(LEAD).await;
    let now = app.state.now();
    let path = format!("/organizations/{OTHER_CLIENT_ORG}/maintenance-windows");
    let (status, window) = app
        .api_post(
            &http,
            &path,
            &lead,
            &json!({"starts_at": now - 60, "ends_at": now + 3600, "reason": "Patch night"}),
        )
        .await;
    assert_eq!(status, 201, "{window}");
    let (status, listed) = app.api_get(&http, &path, &lead).await;
    assert_eq!(status, 200);
    assert_eq!(listed[0]["reason"], "Patch night");

    let critical = alert(OTHER_CLIENT_ORG, "db-01/down", "critical", "firing");
    for _ in 0..3 {
        let (status, body) = app.api_post(&http, "/alerts", &token, &critical).await;
        assert_eq!(
            (status, &body["outcome"]),
            (200, &json!("suppressed")),
            "{body}"
        );
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tickets").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM pages").await, 0);
    assert_eq!(
        count(&app, "SELECT suppressed_count FROM alerts").await,
        3,
        "recorded"
    );
    // another client's alerts are not silenced by it
    let (status, body) = app
        .api_post(
            &http,
            "/alerts",
            &token,
            &alert(CLIENT_ORG, "db-01/down", "minor", "firing"),
        )
        .await;
    assert_eq!((status, &body["outcome"]), (201, &json!("opened")));

    // ending the window early brings the alerts back
    let id = window["id"].as_i64().expect("id");
    let (status, _) =
        answer(app.api(&http, Method::DELETE, &format!("{path}/{id}"), Some(&lead))).await;
    assert_eq!(status, 204);
    app.clock.advance(1);
    let (status, body) = app.api_post(&http, "/alerts", &token, &critical).await;
    assert_eq!(
        (status, &body["outcome"]),
        (201, &json!("opened")),
        "{body}"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM pages").await, 1);

    // a window must end after it starts, within a week, and say why
    for bad in [
        json!({"starts_at": now, "ends_at": now - 1, "reason": "x"}),
        json!({"starts_at": now, "ends_at": now + 8 * 86_400, "reason": "x"}),
        json!({"starts_at": now, "ends_at": now + 60, "reason": " "}),
        json!({"starts_at": "tonight", "ends_at": now + 60, "reason": "x"}),
    ] {
        let (status, body) = app.api_post(&http, &path, &lead, &bad).await;
        assert!((400..500).contains(&status), "{bad}: {status} {body}");
        error_code(&body);
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM maintenance_windows").await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_intake_stays_within_the_callers_scope_and_refuses_bad_reports_whole() {
    let app = TestApp::seeded(0).await;
    let http = app.browser();
    // an analyst-role integration of no team serves no client
    let narrow = monitoring_token(&app, Role::Analyst).await;
    let (status, body) = app
        .api_post(
            &http,
            "/alerts",
            &narrow,
            &alert(CLIENT_ORG, "a/b", "minor", "firing"),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let unknown = app
        .api_post(
            &http,
            "/alerts",
            &narrow,
            &alert("NOPE", "a/b", "minor", "firing"),
        )
        .await
        .1;
    assert_eq!(
        body["error"]["message"]
            .as_str()
            .map(|m| m.replace(CLIENT_ORG, "?")),
        unknown["error"]["message"]
            .as_str()
            .map(|m| m.replace("NOPE", "?")),
        "the same answer as for an organization that does not exist"
    );

    // clients do not report alerts nor plan maintenance
    let client = app.api_token(CLIENT).await;
    let (status, _) = app
        .api_post(
            &http,
            "/alerts",
            &client,
            &alert(CLIENT_ORG, "a/b", "minor", "firing"),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .api_get(
            &http,
            &format!("/organizations/{CLIENT_ORG}/maintenance-windows"),
            &client,
        )
        .await;
    assert_eq!(status, 403);

    // analysts see windows but do not plan them: a window silences paging
    let analyst = app.api_token(ANALYST).await;
    let path = format!("/organizations/{CLIENT_ORG}/maintenance-windows");
    assert_eq!(app.api_get(&http, &path, &analyst).await.0, 200);
    let now = app.state.now();
    let window = json!({"starts_at": now, "ends_at": now + 60, "reason": "Mine"});
    assert_eq!(app.api_post(&http, &path, &analyst, &window).await.0, 403);

    let token = monitoring_token(&app, Role::Manager).await;
    for (field, bad) in [
        ("severity", json!({"severity": "apocalyptic"})),
        ("status", json!({"status": "maybe"})),
        ("key", json!({"key": ""})),
        ("title", json!({"title": "x".repeat(300)})),
    ] {
        let mut body = alert(CLIENT_ORG, "a/b", "minor", "firing");
        for (k, v) in bad.as_object().expect("object") {
            body[k] = v.clone();
        }
        let (status, answer) = app.api_post(&http, "/alerts", &token, &body).await;
        assert_eq!(status, 422, "{field}: {answer}");
        assert_eq!(answer["error"]["field"], field, "{answer}");
    }
    let mut extra = alert(CLIENT_ORG, "a/b", "minor", "firing");
    extra["colour"] = json!("red");
    let (status, answer) = app.api_post(&http, "/alerts", &token, &extra).await;
    assert!((400..500).contains(&status), "{answer}");
    let mut nobody = alert(CLIENT_ORG, "a/b", "minor", "firing");
    nobody["requester"] = json!("nobody@northwind.example");
    let (status, answer) = app.api_post(&http, "/alerts", &token, &nobody).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM alerts").await,
        0,
        "nothing written"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tickets").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_on_call_page_lists_only_the_alerts_and_windows_of_clients_one_serves() {
    let app = TestApp::seeded(0).await;
    let http = app.browser();
    let token = monitoring_token(&app, Role::Manager).await;
    let lead = app.actor_for(LEAD).await;
    let now = app.state.now();
    for org in [CLIENT_ORG, OTHER_CLIENT_ORG] {
        let body = alert(org, "ups-01/battery", "warning", "firing");
        assert_eq!(app.api_post(&http, "/alerts", &token, &body).await.0, 201);
        tickets::plan_maintenance(&app.state, &lead, org, now + 3600, now + 7200, "UPS swap")
            .await
            .expect("window");
    }
    let mut hidden = 0;
    for who in [LEAD, ANALYST, OTHER_ANALYST] {
        let actor = app.actor_for(who).await;
        let served: Vec<String> = tickets::visible_orgs(&app.state, &actor)
            .await
            .expect("orgs")
            .into_iter()
            .map(|(_, _, name)| name)
            .collect();
        let view = tickets::monitoring(&app.state, &actor)
            .await
            .expect("monitoring");
        for a in &view.alerts {
            assert!(
                served.contains(&a.org_name),
                "{who} sees {}'s alert",
                a.org_name
            );
        }
        for w in &view.windows {
            assert!(
                served.contains(&w.org_name),
                "{who} sees {}'s window",
                w.org_name
            );
        }
        assert_eq!(view.alerts.len(), view.windows.len());
        hidden += 2 - view.alerts.len();
        // only leads (and managers, administrators) may plan
        assert_eq!(view.orgs.is_empty(), who != LEAD, "{who}");
    }
    assert!(hidden > 0, "someone serves only one of the two clients");
    let client = app.actor_for(CLIENT).await;
    assert!(tickets::monitoring(&app.state, &client).await.is_err());
}
