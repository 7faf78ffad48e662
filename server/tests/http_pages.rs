//! Every page renders on the server for the roles that may open it, within a time limit (a hung
//! render would hang the whole server), with the data it promises and nothing it must not show.

mod common;

use common::*;
use std::time::Duration;

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let res = tokio::time::timeout(Duration::from_secs(10), app.page(client, path))
        .await
        .unwrap_or_else(|_| panic!("{path} did not render within 10 s"));
    let status = res.status().as_u16();
    let body = res
        .text()
        .await
        .unwrap_or_else(|e| panic!("{path}: the body did not arrive: {e}"));
    (status, body)
}

async fn first_ticket_of(app: &TestApp, org_code: &str) -> i64 {
    app::pool_run!(app.state.pool, c => sqlx::query_scalar(
        "SELECT MIN(number) FROM tickets WHERE org_id = (SELECT id FROM organizations WHERE code = $1)",
    )
    .bind(org_code)
    .fetch_one(c).await)
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_pages_render_with_their_data() {
    let app = TestApp::seeded(400).await;
    let ana = app.browser();
    app.sign_in(&ana, ANALYST).await;
    let (status, html) = page(&app, &ana, "/queue").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<table class=\"queue\""),
        "the queue lists tickets"
    );
    let (status, _) = page(&app, &ana, "/queue?status=closed&priority=p3&assignee=me").await;
    assert_eq!(status, 200);
    let number = first_ticket_of(&app, cast::CLIENT_ORG).await;
    let (status, html) = page(&app, &ana, &format!("/tickets/HD-{number}")).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("HD-{number}")));
    let (status, html) = page(&app, &ana, "/tickets/new").await;
    assert_eq!(status, 200);
    assert!(html.contains("Requester"));
    // a ticket of a client Ana's team does not serve does not exist for her
    let foreign = first_ticket_of(&app, "ASH").await;
    let (status, html) = page(&app, &ana, &format!("/tickets/HD-{foreign}")).await;
    assert_eq!(status, 404);
    assert!(!html.contains("ticket-header"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_queue_filters_in_the_url_get_a_400_page() {
    let app = TestApp::seeded(50).await;
    let ana = app.browser();
    app.sign_in(&ana, ANALYST).await;
    for bad in [
        "/queue?status=done",
        "/queue?tier=9",
        "/queue?priority=urgent",
        "/queue?after=x",
    ] {
        let (status, html) = page(&app, &ana, bad).await;
        assert_eq!(status, 400, "{bad}");
        assert!(
            html.contains("These filters do not work"),
            "{bad}: {}",
            html.split("<main").nth(1).unwrap_or(&html)
        );
    }
    let (status, _) = page(&app, &ana, "/queue?client=ZZZ").await;
    assert_eq!(status, 422);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_edit_pages_open_their_record_and_say_when_there_is_none() {
    let app = TestApp::seeded(20).await;
    let sam = app.browser();
    app.sign_in(&sam, ADMIN).await;
    let org = app.org_id(cast::CLIENT_ORG).await;
    let team = app.team_id(cast::TEAM).await;
    let user = app.user_id(CLIENT).await;
    for (path, shows) in [
        (
            format!("/admin/orgs/{org}"),
            format!("<h1>{}", cast::CLIENT_ORG_NAME),
        ),
        (
            format!("/admin/teams/{team}"),
            format!("<h1>{} team", cast::TEAM),
        ),
        (
            format!("/admin/users/{user}"),
            format!("<h1>{}", cast::CLIENT_NAME),
        ),
        ("/admin/orgs/new".into(), "Time zone".into()),
        ("/admin/teams/new".into(), "Team lead".into()),
        ("/admin/users/new".into(), "E-mail address".into()),
    ] {
        let (status, html) = page(&app, &sam, &path).await;
        assert_eq!(status, 200, "{path}");
        assert!(html.contains(&shows), "{path} lacks {shows:?}");
    }
    // (area, what a missing id says, what an id that is not a number says, the way back)
    for (area, missing, not_a_number, back) in [
        (
            "orgs",
            "There is no organization 99999",
            "There is no such organization",
            "Back to organizations",
        ),
        (
            "teams",
            "There is no team 99999",
            "There is no such team",
            "Back to teams",
        ),
        (
            "users",
            "There is no user 99999",
            "There is no such user",
            "Back to users",
        ),
    ] {
        for (id, says) in [("99999", missing), ("x1", not_a_number)] {
            let path = format!("/admin/{area}/{id}");
            let (status, html) = page(&app, &sam, &path).await;
            assert_eq!(status, 404, "{path}");
            assert!(html.contains(says), "{path} does not say {says:?}");
            assert!(html.contains(back), "{path} has no way back");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_see_their_own_ticket_page_and_nothing_else() {
    let app = TestApp::seeded(400).await;
    let jo = app.browser();
    app.sign_in(&jo, CLIENT).await;
    let own: i64 = app::pool_run!(app.state.pool, c => sqlx::query_scalar(
        "SELECT MIN(number) FROM tickets WHERE requester_id = (SELECT id FROM users WHERE email = $1)",
    )
    .bind(CLIENT)
    .fetch_one(c).await)
    .unwrap();
    let (status, html) = page(&app, &jo, &format!("/tickets/HD-{own}")).await;
    assert_eq!(status, 200);
    assert!(
        !html.contains("Internal"),
        "clients never see internal steps"
    );
    let foreign = first_ticket_of(&app, cast::OTHER_CLIENT_ORG).await;
    let (status, _) = page(&app, &jo, &format!("/tickets/HD-{foreign}")).await;
    assert_eq!(status, 404);
    let (status, _) = page(&app, &jo, "/tickets/not-a-number").await;
    assert_eq!(status, 404);
    let (status, _) = page(&app, &jo, "/queue").await;
    assert_eq!(status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_pages_at_once_do_not_stall_the_server() {
    let app = TestApp::seeded(300).await;
    let lead = app.browser();
    app.sign_in(&lead, LEAD).await;
    let mut handles = Vec::new();
    for i in 0..24 {
        let client = lead.clone();
        let url = app.url(if i % 2 == 0 {
            "/queue"
        } else {
            "/queue?status=pending"
        });
        handles.push(tokio::spawn(async move {
            client
                .get(url)
                .header("Accept", "text/html")
                .send()
                .await
                .map(|r| r.status().as_u16())
        }));
    }
    for h in handles {
        let status = tokio::time::timeout(Duration::from_secs(20), h)
            .await
            .expect("stalled")
            .unwrap()
            .unwrap();
        assert_eq!(status, 200);
    }
    let health = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
}

/// A page loads its data once per request: an article rendered on the server counts one view,
/// not one for each time the server re-checks a Suspense for resources (see `layout::Gate`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_loads_its_data_once() {
    let app = TestApp::seeded(0).await;
    let jo = app.browser();
    app.sign_in(&jo, CLIENT).await;
    let pool = &app.state.pool;
    let id: i64 = app::pool_run!(pool, c => sqlx::query_scalar("SELECT MIN(id) FROM articles WHERE visibility = 'clients'")
        .fetch_one(c).await)
        .unwrap();
    let views = || async {
        app::pool_run!(pool, c => sqlx::query_scalar::<_, i64>("SELECT views FROM articles WHERE id = $1")
            .bind(id)
            .fetch_one(c).await)
            .unwrap()
    };
    let before = views().await;
    let (status, _) = page(&app, &jo, &format!("/kb/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(views().await, before + 1, "one page, one view");
}
