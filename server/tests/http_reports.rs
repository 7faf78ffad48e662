//! The reports' CSV downloads and problem records over real HTTP: every section's CSV within the
//! viewer's scope, and a problem record refused with a clear 4xx (and nothing written) on bad input.

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_report_section_downloads_as_csv() {
    let app = TestApp::seeded(300).await;
    let lead = app.browser();
    app.sign_in(&lead, LEAD).await;
    let period = "from=2026-11-13&to=2026-11-19";
    let cases = [
        ("backlog", "date,open at end of day", 1 + 7),
        ("heatmap", "weekday (UTC),00:00,01:00", 1 + 7),
        ("priority", "priority,raised,share %", 2),
        ("channel", "channel,raised,share %", 2),
        ("category", "category,raised,share %", 2),
        (
            "recurring",
            "group,category,clients,ticket,subject,client,raised",
            1,
        ),
    ];
    for (name, header, at_least) in cases {
        let path = format!("/reports/{name}.csv?{period}");
        let res = lead.get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
        assert_eq!(
            res.headers()["content-disposition"],
            format!("attachment; filename=\"frontline-{name}.csv\"").as_str()
        );
        let body = res.text().await.unwrap();
        let lines: Vec<&str> = body.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert!(lines[0].starts_with(header), "{path}: {body}");
        assert!(lines.len() >= at_least, "{path}: {body}");
    }

    // the backlog CSV is the page's backlog, one row per day of the period
    let res = lead
        .get(app.url(&format!("/reports/backlog.csv?{period}")))
        .send()
        .await
        .unwrap();
    let body = res.text().await.unwrap();
    let rows: Vec<&str> = body
        .split("\r\n")
        .skip(1)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(rows.len(), 7);
    assert!(rows[0].starts_with("2026-11-13,"), "{body}");
    assert!(
        rows.iter().any(|r| !r.ends_with(",0")),
        "a seeded desk has a backlog: {body}"
    );
    // the heat map has a row per weekday and a column per hour
    let res = lead
        .get(app.url(&format!("/reports/heatmap.csv?{period}")))
        .send()
        .await
        .unwrap();
    let body = res.text().await.unwrap();
    let mon = body.split("\r\n").nth(1).unwrap();
    assert!(mon.starts_with("Mon,"));
    assert_eq!(mon.split(',').count(), 25);
    // the summary has the business-hours figures beside the wall-clock ones
    let res = lead
        .get(app.url(&format!("/reports/summary.csv?{period}")))
        .send()
        .await
        .unwrap();
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("resolution median (business hours),"));

    let res = lead
        .get(app.url("/reports/backlog.csv?from=2026-11-19&to=2026-11-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let jo = app.browser();
    app.sign_in(&jo, CLIENT).await;
    for name in [
        "backlog",
        "heatmap",
        "priority",
        "channel",
        "category",
        "recurring",
    ] {
        let res = jo
            .get(app.url(&format!("/reports/{name}.csv")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_problem_record_is_refused_with_a_4xx_and_nothing_written() {
    let app = TestApp::seeded(50).await;
    let first: i64 =
        app::pool_run!(app.state.pool, c => sqlx::query_scalar("SELECT MIN(number) FROM tickets")
        .fetch_one(c).await)
        .unwrap();
    let (a, b) = (first.to_string(), (first + 1).to_string());
    let count = || async {
        let problems: i64 =
            app::pool_run!(app.state.pool, c => sqlx::query_scalar("SELECT COUNT(*) FROM problems")
            .fetch_one(c).await)
            .unwrap();
        let links: i64 =
            app::pool_run!(app.state.pool, c => sqlx::query_scalar("SELECT COUNT(*) FROM ticket_events WHERE kind = 'problem_linked'")
                .fetch_one(c).await)
                .unwrap();
        (problems, links)
    };
    let lead = app.browser();
    app.sign_in(&lead, LEAD).await;
    let ana = app.browser();
    app.sign_in(&ana, ANALYST).await;
    type Case<'a> = (&'a reqwest::Client, Vec<(&'a str, &'a str)>, u16);
    let cases: [Case; 5] = [
        (
            &ana,
            vec![("new[title]", "Printers"), ("new[tickets][0]", &a)],
            403,
        ),
        (
            &lead,
            vec![("new[title]", " "), ("new[tickets][0]", &a)],
            422,
        ),
        (&lead, vec![("new[title]", "Printers")], 422),
        (
            &lead,
            vec![
                ("new[title]", "Printers"),
                ("new[tickets][0]", &a),
                ("new[tickets][1]", "99999999"),
            ],
            404,
        ),
        (
            &lead,
            vec![("new[title]", "Printers"), ("new[tickets][0]", "many")],
            400,
        ),
    ];
    for (who, form, status) in &cases {
        let res = app.call(who, "record_problem", form).await;
        assert_eq!(res.status(), *status, "{form:?}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert!(
            !body["message"].as_str().unwrap_or_default().is_empty(),
            "{body}"
        );
    }
    assert_eq!(count().await, (0, 0));

    let res = app
        .call(
            &lead,
            "record_problem",
            &[
                ("new[title]", "Printers"),
                ("new[note]", "Driver update on Monday"),
                ("new[tickets][0]", &a),
                ("new[tickets][1]", &b),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(count().await, (1, 2));
    let res = app.call(&ana, "problems", &[]).await;
    assert_eq!(res.status(), 200);
    // the desk report as scripts/bench.mjs asks for it (every client, the default period)
    let res = app
        .call(&lead, "desk_report", &[("params[client]", "")])
        .await;
    assert_eq!(res.status(), 200);
}
