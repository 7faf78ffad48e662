//! On-call paging with a test clock, the roster's permissions, and shift hand-overs.

#![cfg(feature = "ssr")]

mod support;

use app::backend::{oncall, shifts, tickets};
use app::model::queue::{AssigneeFilter, QueueFilter};
use app::model::ticket::NewTicket;
use app::model::time::{days_from_civil, format_rfc3339, DAY, HOUR};
use app::model::{Priority, Urgency};
use support::*;

/// 2026-11-20 (Friday) at `hour`:00 in Chicago (UTC-6 in November), Northwind's time zone.
fn chicago(hour: i64) -> i64 {
    days_from_civil(2026, 11, 20) * DAY + (hour + 6) * HOUR
}

fn datetime(ts: i64) -> String {
    format_rfc3339(ts)[..16].to_string()
}

async fn raise_p1(d: &Desk) -> (i64, i64) {
    let ana = d.actor(ANALYST).await;
    let ticket = NewTicket {
        requester_id: Some(d.user_id(CLIENT).await),
        urgency: Some(Urgency::Urgent),
        problem: "Warehouse network down".into(),
        priority: Some(Priority::P1),
        ..Default::default()
    };
    let c = tickets::raise(&d.state, &ana, &ticket).await.unwrap();
    (c.number.0, c.ticket_id)
}

async fn pages_of(d: &Desk, ticket_id: i64) -> Vec<(String, Option<i64>)> {
    app::pool_run!(d.state.pool, c => sqlx::query_as("SELECT u.email, p.acked_at FROM pages p JOIN users u ON u.id = p.user_id WHERE p.ticket_id = $1 ORDER BY p.id")
        .bind(ticket_id)
        .fetch_all(c).await)
        .unwrap()
}

/// Puts Ana (Atlas) on call for the whole night around `at`.
async fn ana_on_call(d: &Desk, at: i64) {
    let lead = d.actor(LEAD).await;
    let team = d.team_id(cast::TEAM).await;
    let ana = d.user_id(ANALYST).await;
    oncall::add_oncall_shift(
        &d.state,
        &lead,
        team,
        ana,
        &datetime(at - 6 * HOUR),
        &datetime(at + 6 * HOUR),
        0,
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn a_p1_at_three_in_the_morning_pages_the_person_on_call_and_then_the_lead() {
    let d = desk(0).await;
    let night = chicago(3);
    ana_on_call(&d, night).await;
    d.clock.set(night);
    let (number, id) = raise_p1(&d).await;
    assert_eq!(pages_of(&d, id).await, vec![(ANALYST.to_string(), None)]);
    let kinds: Vec<String> =
        app::pool_run!(d.state.pool, c => sqlx::query_scalar("SELECT kind FROM ticket_events WHERE ticket_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(c).await)
            .unwrap();
    assert!(kinds.contains(&"page_sent".to_string()), "{kinds:?}");
    let mails: i64 = app::pool_run!(d.state.pool, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE ticket_id = $1 AND kind = 'page_sent'",
    )
    .bind(id)
    .fetch_one(c).await)
    .unwrap();
    assert_eq!(mails, 1);

    // nobody answers: after the acknowledgement time the lead is paged, once
    d.clock.advance(d.state.settings.notify.page_ack_secs - 1);
    assert_eq!(oncall::escalate_due(&d.state).await.unwrap(), 0);
    d.clock.advance(1);
    assert_eq!(oncall::escalate_due(&d.state).await.unwrap(), 1);
    assert_eq!(
        oncall::escalate_due(&d.state).await.unwrap(),
        0,
        "never twice"
    );
    let pages = pages_of(&d, id).await;
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[1].0, LEAD);

    // the lead acknowledges from the app: every open page of the ticket is answered
    oncall::acknowledge(&d.state, &d.actor(LEAD).await, number)
        .await
        .unwrap();
    assert!(pages_of(&d, id)
        .await
        .iter()
        .all(|(_, acked)| acked.is_some()));
    assert_eq!(
        oncall::acknowledge(&d.state, &d.actor(LEAD).await, number)
            .await
            .unwrap_err()
            .status(),
        409
    );
}

#[tokio::test]
async fn a_p1_in_business_hours_pages_nobody_and_an_acknowledged_page_is_not_escalated() {
    let d = desk(0).await;
    d.clock.set(chicago(10));
    let (_, id) = raise_p1(&d).await;
    assert!(
        pages_of(&d, id).await.is_empty(),
        "the desk is staffed: no page"
    );

    let night = chicago(23);
    ana_on_call(&d, night).await;
    d.clock.set(night);
    let (_, id) = raise_p1(&d).await;
    let token_page: (i64,) = app::pool_run!(d.state.pool, c => sqlx::query_as("SELECT id FROM pages WHERE ticket_id = $1")
        .bind(id)
        .fetch_one(c).await)
        .unwrap();
    // the link's token is only in the mail; read it from there as the on-call person would
    let body: String = app::pool_run!(d.state.pool, c => sqlx::query_scalar(
        "SELECT body FROM notifications WHERE ticket_id = $1 AND kind = 'page_sent'",
    )
    .bind(id)
    .fetch_one(c).await)
    .unwrap();
    let token = body
        .split("/pages/")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    assert_eq!(token.len(), 64, "{body}");
    oncall::acknowledge_by_token(&d.state, &token)
        .await
        .unwrap();
    oncall::acknowledge_by_token(&d.state, &token)
        .await
        .unwrap(); // idempotent
    assert_eq!(
        oncall::acknowledge_by_token(&d.state, &"0".repeat(64))
            .await
            .unwrap_err()
            .status(),
        404
    );
    assert_eq!(
        oncall::acknowledge_by_token(&d.state, "short")
            .await
            .unwrap_err()
            .status(),
        404
    );
    d.clock.advance(DAY);
    assert_eq!(oncall::escalate_due(&d.state).await.unwrap(), 0);
    let _ = token_page;
}

#[tokio::test]
async fn escalating_a_ticket_to_p1_at_night_pages_too() {
    let d = desk(0).await;
    let night = chicago(2);
    ana_on_call(&d, night).await;
    d.clock.set(night);
    let jo = d.actor(CLIENT).await;
    let ticket = NewTicket {
        urgency: Some(Urgency::Urgent),
        problem: "Payroll run failing".into(),
        ..Default::default()
    };
    let c = tickets::raise(&d.state, &jo, &ticket).await.unwrap();
    assert!(pages_of(&d, c.ticket_id).await.is_empty(), "P2: no page");
    tickets::set_priority(&d.state, &d.actor(LEAD).await, c.number.0, 1, Priority::P1)
        .await
        .unwrap();
    assert_eq!(pages_of(&d, c.ticket_id).await.len(), 1);
}

#[tokio::test]
async fn only_the_teams_lead_or_a_manager_edit_its_roster_and_bad_shifts_are_refused() {
    let d = desk(0).await;
    let atlas = d.team_id(cast::TEAM).await;
    let ana = d.user_id(ANALYST).await;
    let (from, to) = ("2026-11-20T18:00", "2026-11-21T06:00");
    for who in [ANALYST, SENIOR, OTHER_ANALYST] {
        let err = oncall::add_oncall_shift(&d.state, &d.actor(who).await, atlas, ana, from, to, 0)
            .await
            .unwrap_err();
        assert_eq!(err.status(), 403, "{who}");
    }
    for who in [CLIENT, ADMIN] {
        let err = oncall::add_oncall_shift(&d.state, &d.actor(who).await, atlas, ana, from, to, 0)
            .await
            .unwrap_err();
        assert_eq!(err.status(), 403, "{who}");
    }
    let manager = d.actor(MANAGER).await;
    assert_eq!(
        oncall::add_oncall_shift(&d.state, &manager, atlas, ana, from, to, 3)
            .await
            .unwrap(),
        4,
        "a rotation"
    );
    for (f, t, repeat, status) in [
        ("2026-11-21T06:00", "2026-11-20T18:00", 0, 422),
        ("tomorrow", to, 0, 422),
        (from, "2026-12-20T18:00", 0, 422),
        (from, to, 13, 422),
    ] {
        assert_eq!(
            oncall::add_oncall_shift(&d.state, &manager, atlas, ana, f, t, repeat)
                .await
                .unwrap_err()
                .status(),
            status
        );
    }
    let ben = d.user_id(OTHER_ANALYST).await;
    assert_eq!(
        oncall::add_oncall_shift(&d.state, &manager, atlas, ben, from, to, 0)
            .await
            .unwrap_err()
            .status(),
        422,
        "not on the team"
    );
    let roster = oncall::roster(
        &d.state,
        &d.actor(ANALYST).await,
        Some(days_from_civil(2026, 11, 20) * DAY),
    )
    .await
    .unwrap();
    let atlas_roster = roster.teams.iter().find(|t| t.name == cast::TEAM).unwrap();
    assert!(!atlas_roster.editable);
    // the demo rota's day-long turns aside
    let added = atlas_roster
        .shifts
        .iter()
        .filter(|s| s.ends_at - s.starts_at == 12 * HOUR)
        .count();
    assert_eq!(
        added, 1,
        "this week holds the first shift; the repeats follow weekly"
    );
}

#[tokio::test]
async fn a_shift_ends_only_when_every_open_ticket_is_disposed_of() {
    let d = desk(0).await;
    let ana = d.actor(ANALYST).await;
    shifts::start_shift(&d.state, &ana).await.unwrap();
    assert_eq!(
        shifts::start_shift(&d.state, &ana)
            .await
            .unwrap_err()
            .status(),
        409
    );
    let jo = d.actor(CLIENT).await;
    let mut numbers = Vec::new();
    for problem in ["Monitor dead", "VPN slow", "Printer jam"] {
        let c = tickets::raise(
            &d.state,
            &jo,
            &NewTicket {
                urgency: Some(Urgency::NotUrgent),
                problem: problem.into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        tickets::claim(&d.state, &ana, c.number.0, 1).await.unwrap();
        numbers.push(c.number.0);
    }
    let err = shifts::end_shift(&d.state, &ana).await.unwrap_err();
    assert_eq!(err.status(), 409);
    assert!(err.to_string().contains("3 open tickets"), "{err}");
    assert_eq!(
        shifts::shift_view(&d.state, &ana).await.unwrap().open.len(),
        3
    );

    tickets::resolve(&d.state, &ana, numbers[0], 2, "Swapped the monitor")
        .await
        .unwrap();
    tickets::change_tier(&d.state, &ana, numbers[1], 2, 2, "Needs network team")
        .await
        .unwrap();
    tickets::hand_over(
        &d.state,
        &ana,
        numbers[2],
        2,
        None,
        "Waiting for the toner delivery, due 10:00",
    )
    .await
    .unwrap();

    // the next analyst sees the hand-over highlighted with its note
    let senior = d.actor(SENIOR).await;
    let waiting = shifts::shift_view(&d.state, &senior)
        .await
        .unwrap()
        .handed_to_me;
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].note, "Waiting for the toner delivery, due 10:00");
    let queue = tickets::queue_page(
        &d.state,
        &senior,
        &QueueFilter {
            assignee: AssigneeFilter::Unassigned,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let row = queue
        .rows
        .iter()
        .find(|r| r.number.0 == numbers[2])
        .unwrap();
    assert_eq!(
        row.handoff_note.as_deref(),
        Some("Waiting for the toner delivery, due 10:00")
    );

    let summary = shifts::end_shift(&d.state, &ana).await.unwrap();
    assert_eq!(summary.handed_over.len(), 1);
    let lead_mail: String = app::pool_run!(d.state.pool, c => sqlx::query_scalar(
        "SELECT body FROM notifications WHERE kind = 'shift_summary' AND recipient_id = (SELECT id FROM users WHERE email = $1)",
    )
    .bind(LEAD)
    .fetch_one(c).await)
    .unwrap();
    assert!(
        lead_mail.contains(&format!("HD-{}", numbers[2])) && lead_mail.contains("toner delivery"),
        "{lead_mail}"
    );
    assert_eq!(
        shifts::end_shift(&d.state, &ana)
            .await
            .unwrap_err()
            .status(),
        409,
        "no shift running"
    );

    // taking the ticket clears the highlight
    tickets::claim(&d.state, &senior, numbers[2], 3)
        .await
        .unwrap();
    assert!(shifts::shift_view(&d.state, &senior)
        .await
        .unwrap()
        .handed_to_me
        .is_empty());
}

#[tokio::test]
async fn clients_and_admins_have_no_shift() {
    let d = desk(0).await;
    for who in [CLIENT, ADMIN, MANAGER] {
        assert_eq!(
            shifts::shift_view(&d.state, &d.actor(who).await)
                .await
                .unwrap_err()
                .status(),
            403,
            "{who}"
        );
    }
}

/// The shift page lists every open ticket the analyst holds, in queue order, however many pages
/// of the queue they fill.
#[tokio::test]
async fn the_shift_lists_every_open_ticket_held_across_many_pages() {
    let d = desk(25_000).await;
    d.fall_behind(8).await;
    let ana = d.actor(ANALYST).await;
    // hand Ana every open ticket of the clients her team serves
    let scope = ana.ticket_scope(&d.state.pool).await.unwrap();
    let orgs = scope.orgs().expect("an analyst serves some clients");
    let list = orgs
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    app::pool_run!(d.state.pool, c => sqlx::query(&format!(
        "UPDATE tickets SET assignee_id = $1 WHERE status_rank <= 1 AND org_id IN ({list})"
    ))
    .bind(ana.id)
    .execute(c).await.map(|_| ()))
    .unwrap();
    let held = d
        .scalar(&format!(
            "SELECT COUNT(*) FROM tickets WHERE assignee_id = {} AND status_rank <= 1",
            ana.id
        ))
        .await;
    assert!(held > 500, "more than one page of 500: {held}");

    let open = shifts::shift_view(&d.state, &ana).await.unwrap().open;
    assert_eq!(open.len() as i64, held);
    let order: Vec<_> = open
        .iter()
        .map(|t| (t.status.queue_rank(), t.next_due_at, t.id))
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "in queue order");
}

/// A request of Jo's (Northwind, served by Atlas) that Ana claimed and handed to the next shift
/// with `note`.
async fn handed_to_next_shift(d: &Desk, problem: &str, note: &str) -> i64 {
    let jo = d.actor(CLIENT).await;
    let ana = d.actor(ANALYST).await;
    let c = tickets::raise(
        &d.state,
        &jo,
        &NewTicket {
            urgency: Some(Urgency::NotUrgent),
            problem: problem.into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    tickets::claim(&d.state, &ana, c.number.0, 1).await.unwrap();
    tickets::hand_over(&d.state, &ana, c.number.0, 2, None, note)
        .await
        .unwrap();
    c.number.0
}

#[tokio::test]
async fn the_next_shift_sees_only_hand_overs_of_tickets_it_may_open() {
    const NOTE: &str = "CANARY-SHIFT-5e21 the CFO's laptop is in the safe";
    let d = desk(0).await;
    let number = handed_to_next_shift(&d, "CANARY-SUBJECT-5e21 Laptop will not boot", NOTE).await;

    // Ben (Borealis) does not serve Northwind: he cannot open the ticket
    let ben = d.actor(OTHER_ANALYST).await;
    assert_eq!(
        tickets::ticket_view(&d.state, &ben, number)
            .await
            .unwrap_err()
            .status(),
        404
    );
    let view = shifts::shift_view(&d.state, &ben).await.unwrap();
    let text = serde_json::to_string(&view).unwrap();
    assert!(
        view.handed_to_me.iter().all(|h| h.number != number),
        "{text}"
    );
    assert!(!text.contains("CANARY"), "{text}");

    // Atlas's senior serves Northwind and sees it
    let lee = d.actor(SENIOR).await;
    let waiting = shifts::shift_view(&d.state, &lee)
        .await
        .unwrap()
        .handed_to_me;
    assert_eq!(
        waiting
            .iter()
            .map(|h| (h.number, h.note.as_str()))
            .collect::<Vec<_>>(),
        vec![(number, NOTE)]
    );
}

#[tokio::test]
async fn a_clients_reply_does_not_take_up_a_hand_over() {
    const NOTE: &str = "Waiting for the replacement dock";
    let d = desk(0).await;
    let number = handed_to_next_shift(&d, "The dock does not charge", NOTE).await;
    let jo = d.actor(CLIENT).await;
    tickets::reply(&d.state, &jo, number, 3, "Any news on the dock?", true)
        .await
        .unwrap();
    assert_eq!(
        d.scalar("SELECT COUNT(*) FROM handoffs WHERE taken_at IS NULL")
            .await,
        1,
        "the hand-over still waits for the desk"
    );
    let lee = d.actor(SENIOR).await;
    let waiting = shifts::shift_view(&d.state, &lee)
        .await
        .unwrap()
        .handed_to_me;
    assert_eq!(
        waiting.iter().map(|h| h.number).collect::<Vec<_>>(),
        vec![number]
    );
    let queue = tickets::queue_page(
        &d.state,
        &lee,
        &QueueFilter {
            assignee: AssigneeFilter::Unassigned,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let row = queue.rows.iter().find(|r| r.number.0 == number).unwrap();
    assert_eq!(row.handoff_note.as_deref(), Some(NOTE));

    // staff work on it does take it up
    tickets::reply(&d.state, &lee, number, 4, "It ships today.", true)
        .await
        .unwrap();
    assert_eq!(
        d.scalar("SELECT COUNT(*) FROM handoffs WHERE taken_at IS NULL")
            .await,
        0
    );
}
