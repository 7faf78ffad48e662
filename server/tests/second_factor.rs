//! Two-step sign-in over real HTTP: the password, then a code from an authenticator app (or a
//! recovery code); setting one up at sign-in or from one's preferences; browsers trusted for 30
//! days; an administrator's reset; and how the second factor meets the sign-in limits.

mod common;

use app::backend::second_factor::code_at;
use app::backend::seed;
use app::model::second_factor::{EnrolmentOffer, SecondFactorPolicy, SignInStep, STEP_SECS};
use common::*;
use serde_json::Value;

/// What a sign-in step answered: the status, the step (on a 200) and the body.
struct Answer {
    status: u16,
    step: Option<SignInStep>,
    text: String,
    set_cookies: Vec<String>,
}

async fn answer(res: reqwest::Response) -> Answer {
    let status = res.status().as_u16();
    let set_cookies = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap_or_default().to_string())
        .collect();
    let text = res.text().await.expect("body");
    Answer {
        status,
        step: serde_json::from_str(&text).ok(),
        text,
        set_cookies,
    }
}

/// The first step, with the demo password (or `password`), from `from` behind the proxy.
async fn password_from(
    app: &TestApp,
    client: &reqwest::Client,
    email: &str,
    password: &str,
    from: Option<&str>,
) -> Answer {
    let mut req = app.call_request(
        client,
        "sign_in",
        &[("email", email), ("password", password)],
    );
    if let Some(ip) = from {
        req = req.header("X-Forwarded-For", ip);
    }
    answer(req.send().await.expect("sign-in")).await
}

async fn password(app: &TestApp, client: &reqwest::Client, email: &str) -> Answer {
    password_from(app, client, email, seed::DEMO_PASSWORD, None).await
}

/// The second step.
async fn code(app: &TestApp, client: &reqwest::Client, code: &str, trust: bool) -> Answer {
    let mut form = vec![("code", code)];
    if trust {
        form.push(("trust_browser", "on"));
    }
    answer(app.call(client, "sign_in_code", &form).await).await
}

/// Who this browser is signed in as.
async fn signed_in_as(app: &TestApp, client: &reqwest::Client) -> Option<String> {
    let me: Value = app.call(client, "me", &[]).await.json().await.expect("me");
    me["email"].as_str().map(str::to_string)
}

/// The code `secret` gives at the desk's time.
fn code_now(app: &TestApp, secret: &str) -> String {
    code_at(secret, app.state.now()).expect("a code")
}

fn admin_code(app: &TestApp) -> String {
    code_now(app, seed::DEMO_SECOND_FACTOR)
}

/// Six digits that are none of the codes the app would take now.
fn a_wrong_code(app: &TestApp, secret: &str) -> String {
    let now = app.state.now();
    let taken: Vec<String> = [now - STEP_SECS, now, now + STEP_SECS]
        .iter()
        .map(|at| code_at(secret, *at).expect("a code"))
        .collect();
    (0..)
        .map(|n| format!("{:06}", (123_456 + n) % 1_000_000))
        .find(|c| !taken.contains(c))
        .expect("a wrong code")
}

fn landed(a: &Answer) -> bool {
    a.status == 200 && matches!(a.step, Some(SignInStep::Landed { .. }))
}

fn code_needed(a: &Answer) -> bool {
    a.status == 200 && a.step == Some(SignInStep::CodeNeeded)
}

/// `email` sets up a second factor from their preferences (signed in on `client`); its secret
/// and recovery codes.
async fn opt_in(app: &TestApp, client: &reqwest::Client) -> (String, Vec<String>) {
    let res = app.call(client, "start_second_factor", &[]).await;
    assert_eq!(res.status(), 200);
    let offer: EnrolmentOffer = res.json().await.expect("an offer");
    let secret = offer.secret.replace(' ', "");
    let res = app
        .call(
            client,
            "finish_second_factor",
            &[("code", &code_now(app, &secret))],
        )
        .await;
    assert_eq!(res.status(), 200);
    let codes: Vec<String> = res.json().await.expect("recovery codes");
    (secret, codes)
}

async fn status(app: &TestApp, client: &reqwest::Client) -> Value {
    let res = app.call(client, "second_factor", &[]).await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("status")
}

async fn user_id(app: &TestApp, email: &str) -> i64 {
    app.scalar(&format!("SELECT id FROM users WHERE email = '{email}'"))
        .await
}

/// Behind a trusted proxy, so that each test may speak from several addresses.
async fn behind_a_proxy() -> TestApp {
    let app = TestApp::empty_with(|s| s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    seed::seed_demo(&app.state.pool, NOW, 0)
        .await
        .expect("seed");
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_gets_a_session_only_after_a_right_code() {
    let app = TestApp::seeded(0).await;
    let browser = app.browser();
    let first = password(&app, &browser, ADMIN).await;
    assert!(code_needed(&first), "{}", first.text);
    assert!(
        first
            .set_cookies
            .iter()
            .all(|c| !c.starts_with("frontline_session=")),
        "no session for the password alone: {:?}",
        first.set_cookies
    );
    assert_eq!(signed_in_as(&app, &browser).await, None);

    let second = code(&app, &browser, &admin_code(&app), false).await;
    assert_eq!(
        second.step,
        Some(SignInStep::Landed {
            path: "/admin".into()
        }),
        "{}",
        second.text
    );
    assert_eq!(signed_in_as(&app, &browser).await.as_deref(), Some(ADMIN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_codes_end_the_sign_in_and_the_password_is_asked_again() {
    let app = TestApp::seeded(0).await;
    let browser = app.browser();
    assert!(code_needed(&password(&app, &browser, ADMIN).await));
    let wrong = a_wrong_code(&app, seed::DEMO_SECOND_FACTOR);
    for _ in 0..5 {
        let a = code(&app, &browser, &wrong, false).await;
        assert_eq!(a.status, 422, "{}", a.text);
    }
    // even the right code: this sign-in is over
    let over = code(&app, &browser, &admin_code(&app), false).await;
    assert_eq!(over.status, 429, "{}", over.text);
    let gone = code(&app, &browser, &admin_code(&app), false).await;
    assert_eq!(gone.status, 401, "{}", gone.text);
    assert_eq!(signed_in_as(&app, &browser).await, None);

    assert!(code_needed(&password(&app, &browser, ADMIN).await));
    assert!(landed(
        &code(&app, &browser, &admin_code(&app), false).await
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_is_not_accepted_twice() {
    let app = TestApp::seeded(0).await;
    let (first, second) = (app.browser(), app.browser());
    let code_now = admin_code(&app);
    assert!(code_needed(&password(&app, &first, ADMIN).await));
    assert!(landed(&code(&app, &first, &code_now, false).await));

    assert!(code_needed(&password(&app, &second, ADMIN).await));
    let replayed = code(&app, &second, &code_now, false).await;
    assert_eq!(replayed.status, 422, "{}", replayed.text);
    assert_eq!(signed_in_as(&app, &second).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recovery_code_signs_in_once_and_is_audited() {
    let app = TestApp::seeded(0).await;
    let admin = app.browser();
    app.sign_in(&admin, ADMIN).await; // spends the code of the step before
    let res = app
        .call(
            &admin,
            "renew_recovery_codes",
            &[("code", &admin_code(&app))],
        )
        .await;
    assert_eq!(res.status(), 200);
    let codes: Vec<String> = res.json().await.expect("recovery codes");
    assert_eq!(codes.len(), 10);

    let lost_phone = app.browser();
    assert!(code_needed(&password(&app, &lost_phone, ADMIN).await));
    assert!(landed(&code(&app, &lost_phone, &codes[0], false).await));
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'second_factor.recovery_code'
             AND entity_id = {}",
            user_id(&app, ADMIN).await
        ))
        .await,
        1
    );
    assert_eq!(status(&app, &lost_phone).await["recovery_codes_left"], 9);

    let again = app.browser();
    assert!(code_needed(&password(&app, &again, ADMIN).await));
    let spent = code(&app, &again, &codes[0], false).await;
    assert_eq!(spent.status, 422, "{}", spent.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trusted_browser_skips_the_code_for_30_days() {
    let app = TestApp::seeded(0).await;
    let browser = app.browser();
    assert!(code_needed(&password(&app, &browser, ADMIN).await));
    let trusted = code(&app, &browser, &admin_code(&app), true).await;
    assert!(landed(&trusted), "{}", trusted.text);
    assert!(
        trusted
            .set_cookies
            .iter()
            .any(|c| c.starts_with("frontline_trusted=") && c.contains("Max-Age=2592000")),
        "{:?}",
        trusted.set_cookies
    );
    app.call(&browser, "sign_out", &[]).await;
    assert!(landed(&password(&app, &browser, ADMIN).await));
    // another browser is asked
    assert!(code_needed(&password(&app, &app.browser(), ADMIN).await));

    app.clock.advance(30 * 86_400 - 1);
    app.call(&browser, "sign_out", &[]).await;
    assert!(landed(&password(&app, &browser, ADMIN).await));
    app.clock.advance(1);
    app.call(&browser, "sign_out", &[]).await;
    assert!(code_needed(&password(&app, &browser, ADMIN).await));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trusted_browser_skips_no_code_for_a_locked_account() {
    let app = behind_a_proxy().await;
    let browser = app.browser();
    assert!(code_needed(&password(&app, &browser, ADMIN).await));
    assert!(landed(&code(&app, &browser, &admin_code(&app), true).await));
    app.call(&browser, "sign_out", &[]).await;

    let limit = app.state.settings.login_max_failures_per_account;
    for i in 0..limit {
        let ip = format!("198.51.100.{}", i + 1);
        let guess = password_from(&app, &app.browser(), ADMIN, "a guess", Some(&ip)).await;
        assert_eq!(guess.status, 401, "{}", guess.text);
    }
    let locked = password(&app, &browser, ADMIN).await;
    assert!(code_needed(&locked), "{}", locked.text);
    let next = code_at(seed::DEMO_SECOND_FACTOR, app.state.now() + STEP_SECS).expect("a code");
    assert!(landed(&code(&app, &browser, &next, false).await));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_the_staff_policy_an_analyst_sets_up_a_factor_at_sign_in() {
    let app = TestApp::empty_with(|s| s.second_factor = SecondFactorPolicy::Staff).await;
    seed::seed_demo(&app.state.pool, NOW, 0)
        .await
        .expect("seed");
    let browser = app.browser();
    let first = password(&app, &browser, ANALYST).await;
    let Some(SignInStep::EnrolNeeded(offer)) = first.step else {
        panic!("the analyst must set one up: {}", first.text);
    };
    assert!(offer.qr_svg.starts_with("<svg"), "{}", offer.qr_svg);
    assert!(offer.otpauth_uri.starts_with("otpauth://totp/Frontline:"));
    assert_eq!(signed_in_as(&app, &browser).await, None);

    let secret = offer.secret.replace(' ', "");
    let wrong = code(&app, &browser, &a_wrong_code(&app, &secret), false).await;
    assert_eq!(wrong.status, 422, "{}", wrong.text);
    let set_up = code(&app, &browser, &code_now(&app, &secret), false).await;
    let Some(SignInStep::Enrolled {
        path,
        recovery_codes,
    }) = set_up.step
    else {
        panic!("set up and signed in: {}", set_up.text);
    };
    assert_eq!(path, "/queue");
    assert_eq!(recovery_codes.len(), 10);
    assert_eq!(signed_in_as(&app, &browser).await.as_deref(), Some(ANALYST));
    assert_eq!(status(&app, &browser).await["enrolled"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_analyst_opts_in_signs_in_with_a_code_renews_codes_and_turns_it_off() {
    let app = TestApp::seeded(0).await;
    let ana = app.browser();
    app.sign_in(&ana, ANALYST).await;
    let before = status(&app, &ana).await;
    assert_eq!(before["enrolled"], false);
    assert_eq!(before["required"], false);
    let (secret, codes) = opt_in(&app, &ana).await;
    assert_eq!(codes.len(), 10);
    assert_eq!(status(&app, &ana).await["recovery_codes_left"], 10);

    let elsewhere = app.browser();
    assert!(code_needed(&password(&app, &elsewhere, ANALYST).await));
    app.clock.advance(2 * STEP_SECS);
    assert!(landed(
        &code(&app, &elsewhere, &code_now(&app, &secret), false).await
    ));

    app.clock.advance(2 * STEP_SECS);
    let res = app
        .call(
            &ana,
            "renew_recovery_codes",
            &[("code", &code_now(&app, &secret))],
        )
        .await;
    assert_eq!(res.status(), 200);
    let renewed: Vec<String> = res.json().await.expect("recovery codes");
    assert!(renewed.iter().all(|c| !codes.contains(c)));

    app.clock.advance(2 * STEP_SECS);
    let res = app
        .call(
            &ana,
            "turn_off_second_factor",
            &[("code", &code_now(&app, &secret))],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(status(&app, &ana).await["enrolled"], false);
    assert!(landed(&password(&app, &app.browser(), ANALYST).await));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_cannot_turn_their_factor_off() {
    let app = TestApp::seeded(0).await;
    let sam = app.browser();
    app.sign_in(&sam, ADMIN).await;
    let res = app
        .call(
            &sam,
            "turn_off_second_factor",
            &[("code", &admin_code(&app))],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(status(&app, &sam).await["enrolled"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_may_opt_in() {
    let app = TestApp::seeded(0).await;
    let jo = app.browser();
    app.sign_in(&jo, CLIENT).await;
    let (secret, _) = opt_in(&app, &jo).await;
    let next = app.browser();
    assert!(code_needed(&password(&app, &next, CLIENT).await));
    app.clock.advance(2 * STEP_SECS);
    assert!(landed(
        &code(&app, &next, &code_now(&app, &secret), false).await
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrators_reset_ends_the_sessions_and_trust_and_is_audited() {
    let app = TestApp::seeded(0).await;
    let ana = app.browser();
    app.sign_in(&ana, ANALYST).await;
    let (secret, _) = opt_in(&app, &ana).await;
    let trusted = app.browser();
    assert!(code_needed(&password(&app, &trusted, ANALYST).await));
    app.clock.advance(2 * STEP_SECS);
    assert!(landed(
        &code(&app, &trusted, &code_now(&app, &secret), true).await
    ));
    let ana_id = user_id(&app, ANALYST).await;
    let rows = |table: &str| format!("SELECT COUNT(*) FROM {table} WHERE user_id = {ana_id}");
    assert_eq!(app.scalar(&rows("trusted_devices")).await, 1);

    let sam = app.browser();
    app.sign_in(&sam, ADMIN).await;
    let id = ana_id.to_string();
    let res = app
        .call(&sam, "admin/reset_second_factor", &[("id", &id)])
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(signed_in_as(&app, &ana).await, None);
    assert_eq!(signed_in_as(&app, &trusted).await, None);
    assert_eq!(app.scalar(&rows("trusted_devices")).await, 0);
    assert_eq!(app.scalar(&rows("sessions")).await, 0);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'second_factor.reset'
             AND entity_id = {ana_id} AND actor_id = {}",
            user_id(&app, ADMIN).await
        ))
        .await,
        1
    );
    // no factor now: the password alone (policy Admins)
    assert!(landed(&password(&app, &app.browser(), ANALYST).await));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_resets_their_own_factor_and_only_administrators_reset_one() {
    let app = TestApp::seeded(0).await;
    let sam = app.browser();
    app.sign_in(&sam, ADMIN).await;
    let own = user_id(&app, ADMIN).await.to_string();
    let res = app
        .call(&sam, "admin/reset_second_factor", &[("id", &own)])
        .await;
    assert_eq!(res.status(), 409);

    let ana = app.browser();
    app.sign_in(&ana, ANALYST).await;
    let res = app
        .call(&ana, "admin/reset_second_factor", &[("id", &own)])
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(status(&app, &sam).await["enrolled"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_account_limit_only_a_password_with_a_code_gets_in() {
    let app = behind_a_proxy().await;
    let limit = app.state.settings.login_max_failures_per_account;
    for email in [ADMIN, ANALYST] {
        for i in 0..limit {
            let ip = format!("198.51.100.{}", i + 1);
            let guess = password_from(&app, &app.browser(), email, "a guess", Some(&ip)).await;
            assert_eq!(guess.status, 401, "{email}: {}", guess.text);
        }
    }
    let from = Some("203.0.113.7");
    let ana = app.browser();
    let refused = password_from(&app, &ana, ANALYST, seed::DEMO_PASSWORD, from).await;
    assert_eq!(refused.status, 429, "{}", refused.text);

    let sam = app.browser();
    let asked = password_from(&app, &sam, ADMIN, seed::DEMO_PASSWORD, from).await;
    assert!(code_needed(&asked), "{}", asked.text);
    assert!(landed(&code(&app, &sam, &admin_code(&app), false).await));
    assert_eq!(signed_in_as(&app, &sam).await.as_deref(), Some(ADMIN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_five_failures_an_address_waits_a_minute_and_others_do_not() {
    let app = behind_a_proxy().await;
    let guesser = Some("198.51.100.1");
    for _ in 0..5 {
        let guess = password_from(&app, &app.browser(), ANALYST, "a guess", guesser).await;
        assert_eq!(guess.status, 401, "{}", guess.text);
    }
    async fn right(app: &TestApp, from: Option<&str>) -> Answer {
        password_from(app, &app.browser(), ANALYST, seed::DEMO_PASSWORD, from).await
    }
    let slowed = right(&app, guesser).await;
    assert_eq!(slowed.status, 429, "{}", slowed.text);
    assert!(slowed.text.contains("1 minute"), "{}", slowed.text);
    app.clock.advance(59);
    assert_eq!(right(&app, guesser).await.status, 429);

    assert!(landed(&right(&app, Some("203.0.113.9")).await));
    app.clock.advance(1);
    assert!(landed(&right(&app, guesser).await));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_waits_ten_minutes_for_its_code() {
    let app = TestApp::seeded(0).await;
    let (prompt, slow) = (app.browser(), app.browser());
    let first = password(&app, &prompt, ADMIN).await;
    assert!(
        first
            .set_cookies
            .iter()
            .any(|c| c.starts_with("frontline_sign_in=") && c.contains("Max-Age=600")),
        "{:?}",
        first.set_cookies
    );
    assert!(code_needed(&password(&app, &slow, ADMIN).await));
    app.clock.advance(599);
    assert!(landed(&code(&app, &prompt, &admin_code(&app), false).await));
    app.clock.advance(1);
    let next = code_at(seed::DEMO_SECOND_FACTOR, app.state.now() + STEP_SECS).expect("a code");
    let expired = code(&app, &slow, &next, false).await;
    assert_eq!(expired.status, 401, "{}", expired.text);
}
