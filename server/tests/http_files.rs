//! Attachments and CSV exports over real HTTP: an uploaded HTML file only ever downloads, with a
//! content type no browser renders; oversized and cross-site uploads are refused; exports are
//! CSV downloads within the viewer's scope.

mod common;

use common::*;

async fn raise(app: &TestApp, client: &reqwest::Client) -> i64 {
    let res = app
        .call(
            client,
            "raise_ticket",
            &[
                ("ticket[urgency]", "urgent"),
                ("ticket[problem]", "The intranet page is blank"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    res.json::<i64>().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uploaded_html_file_downloads_and_never_renders() {
    let app = TestApp::seeded(50).await;
    let jo = app.browser();
    app.sign_in(&jo, CLIENT).await;
    let number = raise(&app, &jo).await;
    let evil = "<html><body><script>alert(document.cookie)</script></body></html>";
    let res = jo
        .post(app.url(&format!(
            "/api/attachments?ticket={number}&name=invoice.html"
        )))
        .header("Origin", format!("http://{}", app.addr))
        .body(evil)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        200,
        "{}",
        res.text().await.unwrap_or_default()
    );
    let id = res.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();

    let res = jo
        .get(app.url(&format!("/attachments/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let headers = res.headers().clone();
    assert_eq!(headers["content-type"], "application/octet-stream");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\"invoice.html\""));
    assert!(headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("sandbox"));
    assert_eq!(res.text().await.unwrap(), evil);

    // someone who may not see the ticket does not learn the file exists
    let kim = app.browser();
    app.sign_in(&kim, OTHER_CLIENT).await;
    let res = kim
        .get(app.url(&format!("/attachments/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let anonymous = app.browser();
    let res = anonymous
        .get(app.url(&format!("/attachments/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_and_cross_site_uploads_are_refused() {
    let app = TestApp::seeded(20).await;
    let jo = app.browser();
    app.sign_in(&jo, CLIENT).await;
    let number = raise(&app, &jo).await;
    let big = vec![b'x'; 11 * 1024 * 1024];
    let res = jo
        .post(app.url(&format!("/api/attachments?ticket={number}&name=big.bin")))
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("up to 10.0 MB"),
        "{body}"
    );

    let res = jo
        .post(app.url(&format!("/api/attachments?ticket={number}&name=a.txt")))
        .header("Origin", "https://evil.example")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = jo
        .post(app.url("/api/attachments?ticket=abc&name=a.txt"))
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let count: i64 =
        app::pool_run!(app.state.pool, c => sqlx::query_scalar("SELECT COUNT(*) FROM attachments")
        .fetch_one(c).await)
        .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_exports_are_csv_downloads_within_scope() {
    let app = TestApp::seeded(300).await;
    let lead = app.browser();
    app.sign_in(&lead, LEAD).await;
    for path in [
        "/reports/summary.csv",
        "/reports/volume.csv?from=2026-11-01&to=2026-11-19",
        "/reports/scorecards.csv",
    ] {
        let res = lead.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
        assert!(res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment"));
        let body = res.text().await.unwrap();
        assert!(body.lines().count() > 1, "{path}: {body}");
    }
    let res = lead
        .get(app.url("/reports/volume.csv?from=2026-11-19&to=2026-11-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let jo = app.browser();
    app.sign_in(&jo, CLIENT).await;
    let res = jo
        .get(app.url("/reports/summary.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_born_steps_show_their_original_to_staff_only_and_their_quote_to_all() {
    use app::backend::mail::{ingest, Arrival, Outcome};
    let app = TestApp::seeded(50).await;
    let new = format!(
        "From: Jo Bauer <{CLIENT}>\r\nTo: desk@msp.example\r\nSubject: Scanner offline\r\n\
         Message-ID: <scan-1@northwind.example>\r\n\r\nThe scanner is offline.\r\n"
    );
    let number = match ingest(&app.state, Arrival::default(), new.as_bytes()).await {
        Ok(Outcome::Opened(number)) => number,
        other => panic!("{other:?}"),
    };
    let reply = format!(
        "From: Jo Bauer <{CLIENT}>\r\nTo: desk@msp.example\r\nSubject: Re: [{number}] Scanner offline\r\n\
         Message-ID: <scan-2@northwind.example>\r\n\r\nStill offline after the restart.\r\n\r\n\
         On Tue, 8 Dec 2026 at 10:02, IT Help Desk <desk@msp.example> wrote:\r\n> Please restart it.\r\n"
    );
    let continued = ingest(&app.state, Arrival::default(), reply.as_bytes()).await;
    assert!(
        matches!(continued, Ok(Outcome::Continued(_))),
        "{continued:?}"
    );
    let mail: i64 = app
        .one(
            "SELECT id FROM inbound_mail WHERE message_id = $1",
            "scan-2@northwind.example",
        )
        .await;
    let page = format!("/tickets/{number}");

    let jo = app.browser();
    app.sign_in(&jo, CLIENT).await;
    let html = app.page(&jo, &page).await.text().await.unwrap();
    assert!(html.contains("Show quoted text") && html.contains("Please restart it."));
    assert!(!html.contains("Original message") && !html.contains("/mail/"));
    let res = jo
        .get(app.url(&format!("/mail/{mail}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);

    let ana = app.browser();
    app.sign_in(&ana, ANALYST).await;
    let html = app.page(&ana, &page).await.text().await.unwrap();
    assert!(html.contains("by e-mail") && html.contains(&format!("href=\"/mail/{mail}\"")));
    assert!(html.contains("Show quoted text"));
    let res = ana
        .get(app.url(&format!("/mail/{mail}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/octet-stream");
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains(&format!("message-{mail}.eml")));
    assert_eq!(res.bytes().await.unwrap().as_ref(), reply.as_bytes());
}
