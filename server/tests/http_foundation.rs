//! The HTTP surface of the foundation: health, sign-in and sessions, the cross-site check,
//! security headers, and bad input.

mod common;

use app::backend::repo::sessions;
use common::*;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_check_answers_when_the_database_does() {
    let app = TestApp::empty().await;
    let res = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_sets_a_safe_session_cookie_and_me_knows_the_user() {
    let app = TestApp::seeded(0).await;
    let client = app.browser();
    // e-mails are matched trimmed and case-insensitively
    let typed = format!("{} ", ANALYST.to_uppercase());
    let res = app
        .call(
            &client,
            "sign_in",
            &[("email", &typed), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 200);
    let cookie = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("frontline_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "not served over TLS here");
    assert_eq!(
        res.json::<app::model::second_factor::SignInStep>()
            .await
            .unwrap(),
        app::model::second_factor::SignInStep::Landed {
            path: "/queue".into()
        }
    );

    let me: Value = app.call(&client, "me", &[]).await.json().await.unwrap();
    assert_eq!(me["email"], ANALYST);
    assert_eq!(me["role"], "analyst");
    assert_eq!(me["team_name"], cast::TEAM);

    // the database holds only a hash of the token
    let token = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("frontline_session=");
    let raw: Option<String> = app::pool_run!(app.state.pool, c => sqlx::query_scalar("SELECT id FROM sessions WHERE id = $1")
        .bind(token)
        .fetch_optional(c).await)
        .unwrap();
    assert!(raw.is_none(), "the raw token must not be stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_refused_with_401_and_no_session() {
    let app = TestApp::seeded(0).await;
    let client = app.browser();
    let res = app
        .call(
            &client,
            "sign_in",
            &[("email", ANALYST), ("password", "wrong password")],
        )
        .await;
    assert_eq!(res.status(), 401);
    assert!(res.headers().get("set-cookie").is_none());
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["kind"], "unauthenticated");
    assert!(body["message"].as_str().unwrap().contains("do not match"));
    // an unknown account reads exactly the same
    let res = app
        .call(
            &client,
            "sign_in",
            &[("email", "nobody@frontline.example"), ("password", "x")],
        )
        .await;
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap(), body);
    let me: Value = app.call(&client, "me", &[]).await.json().await.unwrap();
    assert!(me.is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failures_lock_the_account_for_a_while() {
    let app = TestApp::seeded(0).await;
    let client = app.browser();
    for _ in 0..5 {
        let res = app
            .call(
                &client,
                "sign_in",
                &[("email", LEAD), ("password", "guess")],
            )
            .await;
        assert_eq!(res.status(), 401);
    }
    // now even the right password waits
    let res = app
        .call(
            &client,
            "sign_in",
            &[("email", LEAD), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 429);
    let body: Value = res.json().await.unwrap();
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("Too many failed sign-ins"));
    // other accounts are not affected
    app.sign_in(&client, MANAGER).await;
    // after the window, the account opens again
    app.clock.advance(15 * 60 + 1);
    app.sign_in(&app.browser(), LEAD).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_sign_in_gets_a_fresh_session_id_and_sign_out_deletes_it() {
    let app = TestApp::seeded(0).await;
    let client = app.browser();
    let first = app
        .call(
            &client,
            "sign_in",
            &[("email", CLIENT), ("password", DEMO_PASSWORD)],
        )
        .await;
    let first_cookie = first
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let second = app
        .call(
            &client,
            "sign_in",
            &[("email", CLIENT), ("password", DEMO_PASSWORD)],
        )
        .await;
    let second_cookie = second
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_ne!(first_cookie, second_cookie);
    let user_id: i64 = app::pool_run!(app.state.pool, c => sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(CLIENT)
        .fetch_one(c).await)
        .unwrap();
    // the old session was ended when the new one began
    assert_eq!(
        sessions::count_for_user(&mut app.state.pool.acquire().await.unwrap(), user_id)
            .await
            .unwrap(),
        1
    );

    let res = app.call(&client, "sign_out", &[]).await;
    assert_eq!(res.status(), 200);
    assert!(res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(
        sessions::count_for_user(&mut app.state.pool.acquire().await.unwrap(), user_id)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_expire_and_deactivation_takes_effect_on_the_next_request() {
    let app = TestApp::seeded(0).await;
    let client = app.browser();
    app.sign_in(&client, CLIENT).await;
    app.clock.advance(11 * 3600);
    // still signed in, and the activity extended the session
    assert!(!app
        .call(&client, "me", &[])
        .await
        .json::<Value>()
        .await
        .unwrap()
        .is_null());
    app.clock.advance(11 * 3600);
    assert!(!app
        .call(&client, "me", &[])
        .await
        .json::<Value>()
        .await
        .unwrap()
        .is_null());
    // idle past the lifetime: gone
    app.clock.advance(13 * 3600);
    assert!(app
        .call(&client, "me", &[])
        .await
        .json::<Value>()
        .await
        .unwrap()
        .is_null());

    app.sign_in(&client, CLIENT_ADMIN).await;
    app::pool_run!(app.state.pool, c => sqlx::query("UPDATE organizations SET active = FALSE WHERE code = $1")
        .bind(cast::CLIENT_ORG)
        .execute(c).await.map(|_| ()))
        .unwrap();
    assert!(app
        .call(&client, "me", &[])
        .await
        .json::<Value>()
        .await
        .unwrap()
        .is_null());
    let res = app
        .call(
            &client,
            "sign_in",
            &[("email", CLIENT_ADMIN), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("deactivated"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_writes_are_refused_and_same_site_ones_pass() {
    let app = TestApp::seeded(0).await;
    let client = app.browser();
    let form = [("email", MANAGER), ("password", DEMO_PASSWORD)];
    let res = client
        .post(app.url("/api/sign_in"))
        .header("Origin", "https://evil.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.headers().get("set-cookie").is_none());
    let res = client
        .post(app.url("/api/sign_in"))
        .header("Sec-Fetch-Site", "cross-site")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = client
        .post(app.url("/api/sign_in"))
        .header("Sec-Fetch-Site", "same-origin")
        .header("Origin", format!("http://{}", app.addr))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_functions_answer_only_post() {
    let app = TestApp::seeded(0).await;
    let res = app
        .browser()
        .get(app.url("/api/sign_out"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_clear_4xx_and_the_server_keeps_serving() {
    let app = TestApp::seeded(0).await;
    let client = app.browser();
    // missing field
    let res = app.call(&client, "sign_in", &[("email", ANALYST)]).await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["kind"], "bad_request");
    // malformed body
    let res = client
        .post(app.url("/api/sign_in"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("%%%=&&==")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error(), "{}", res.status());
    // oversized body
    let huge = "x".repeat(2 * 1024 * 1024);
    let res = app
        .call(
            &client,
            "sign_in",
            &[("email", ANALYST), ("password", &huge)],
        )
        .await;
    assert_eq!(res.status(), 413);
    assert!(
        res.headers()[reqwest::header::CONNECTION] == "close",
        "{:?}",
        res.headers()
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["kind"], "payload_too_large", "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("too large"),
        "{body}"
    );
    // the server closes the connection after refusing a body: go on with a fresh one
    let client = app.browser();
    // unknown routes and unknown server functions
    assert_eq!(
        client
            .get(app.url("/no/such/page"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        app.call(&client, "no_such_function", &[])
            .await
            .status()
            .as_u16()
            / 100,
        4
    );
    // and it still serves
    app.sign_in(&client, ANALYST).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_and_answers_carry_security_headers() {
    let app = TestApp::seeded(0).await;
    let res = reqwest::get(app.url("/signin")).await.unwrap();
    assert_eq!(res.status(), 200);
    let headers = res.headers().clone();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'nonce-"), "{csp}");
    assert!(
        csp.contains("'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["referrer-policy"], "same-origin");
    let body = res.text().await.unwrap();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(
        body.contains(&format!("nonce=\"{nonce}\"")),
        "hydration scripts carry the nonce"
    );

    let res = app.call(&app.browser(), "me", &[]).await;
    assert_eq!(
        res.headers()["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_send_visitors_to_sign_in_and_other_roles_a_403() {
    let app = TestApp::seeded(0).await;
    let visitor = app.browser();
    let res = app.page(&visitor, "/queue?status=open").await;
    assert_eq!(res.status(), 302);
    assert_eq!(
        res.headers()["location"],
        "/signin?next=/queue%3Fstatus%3Dopen"
    );

    let client = app.browser();
    app.sign_in(&client, CLIENT).await;
    let res = app.page(&client, "/queue").await;
    assert_eq!(res.status(), 403);
    let body = res.text().await.unwrap();
    assert!(body.contains("You do not have access to this page"));
    let res = app.page(&client, "/portal").await;
    assert_eq!(res.status(), 200);
    // signed in, the sign-in page sends you on
    let res = app.page(&client, "/signin").await;
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/portal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browser_gets_answers_in_postcard_and_everyone_else_json() {
    use app::model::sla::SlaState;
    use app::model::ticket_detail::TicketView;
    let app = TestApp::seeded(20).await;
    let sam = app.browser();
    app.sign_in(&sam, MANAGER).await;
    // a ticket with a timeline and a running SLA clock: one raised now
    let jo = app.browser();
    app.sign_in(&jo, CLIENT).await;
    let raised = app
        .call(
            &jo,
            "raise_ticket",
            &[
                ("ticket[urgency]", "urgent"),
                ("ticket[problem]", "Dock port dead"),
            ],
        )
        .await;
    assert_eq!(raised.status(), 200);
    let number = raised.json::<i64>().await.unwrap();
    let ask = |accept: &'static str, number: i64| {
        app.call_request(&sam, "ticket", &[("number", &number.to_string())])
            .header("Accept", accept)
            .send()
    };
    // the acknowledgement's outbox worker adds a timeline step of its own: compare after it
    let mut from_json: Option<TicketView> = None;
    for _ in 0..100 {
        let json = ask("application/json", number).await.unwrap();
        assert_eq!(json.status(), 200);
        assert_eq!(json.headers()["content-type"], "application/json");
        let view: TicketView = json.json().await.unwrap();
        let sent = view
            .timeline
            .iter()
            .any(|step| step.kind == app::model::timeline::EventKind::NotificationSent);
        from_json = Some(view);
        if sent {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let from_json = from_json.unwrap();
    let compact = ask(app::api::wire::COMPACT, number).await.unwrap();
    assert_eq!(compact.status(), 200);
    assert_eq!(compact.headers()["content-type"], app::api::wire::COMPACT);
    let bytes = compact.bytes().await.unwrap();
    let from_compact: TicketView = app::api::wire::read_answer(true, &bytes).unwrap();
    assert_eq!(from_compact, from_json);
    assert!(!from_json.timeline.is_empty());
    assert!(!matches!(from_json.ticket.sla, SlaState::Done));
    // errors are JSON either way, so every caller can read why
    let refused = ask(app::api::wire::COMPACT, 999_999).await.unwrap();
    assert_eq!(refused.status(), 404);
    let why: Value = refused.json().await.unwrap();
    assert_eq!(why["kind"], "not_found", "{why}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_https_the_session_cookie_is_host_prefixed_and_secure() {
    let app = TestApp::empty_with(|s| s.secure_cookies = true).await;
    app::backend::seed::seed_demo(&app.state.pool, NOW, 0)
        .await
        .expect("seed");
    let client = app.browser();
    let res = app
        .call(
            &client,
            "sign_in",
            &[("email", CLIENT), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 200);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("__Host-frontline_session="), "{cookie}");
    assert!(
        cookie.contains("; Secure") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(!cookie.contains("Domain"), "{cookie}");
    // a plain-named cookie with a real token is not a session over https
    let token = cookie
        .split(';')
        .next()
        .and_then(|kv| kv.split_once('='))
        .map(|(_, v)| v.to_string())
        .unwrap();
    let res = client_builder()
        .build()
        .unwrap()
        .post(app.url("/api/me"))
        .header("Origin", format!("http://{}", app.addr))
        .header("Cookie", format!("frontline_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "null");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ends_a_day_after_sign_in_however_active() {
    let app = TestApp::seeded(0).await;
    let client = app.browser();
    app.sign_in(&client, ANALYST).await;
    let me = || async {
        app.call(&client, "me", &[])
            .await
            .text()
            .await
            .unwrap()
            .contains(ANALYST)
    };
    // busy all day: the idle limit is never reached
    for _ in 0..23 {
        app.clock.advance(3600);
        assert!(me().await);
    }
    app.clock.advance(3600 + 1);
    assert!(!me().await, "24 hours after sign-in the session is over");
}
