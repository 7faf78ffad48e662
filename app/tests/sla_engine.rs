//! The SLA engine with a test clock: alerts fire once, at their instant; pauses and priority
//! changes move them; a restart loses and repeats nothing.

#![cfg(feature = "ssr")]

mod support;

use app::backend::live::LiveEvent;
use app::backend::repo::notifications;
use app::backend::{sla_engine, tickets, AppState};
use app::model::live::LiveKind;
use app::model::ticket::NewTicket;
use app::model::{PendingReason, Priority, Urgency};
use support::*;

/// Raises a ticket for Northwind's Jo through Ana, on the phone, at a chosen priority.
async fn raise(d: &Desk, priority: Priority) -> (i64, i64) {
    let ana = d.actor(ANALYST).await;
    let ticket = NewTicket {
        requester_id: Some(d.user_id(CLIENT).await),
        urgency: Some(Urgency::Urgent),
        problem: "Core switch down".into(),
        priority: Some(priority),
        ..Default::default()
    };
    let changed = tickets::raise(&d.state, &ana, &ticket).await.unwrap();
    (changed.number.0, changed.ticket_id)
}

async fn events_of(state: &AppState, ticket_id: i64, kind: &str) -> Vec<(i64, String)> {
    app::pool_run!(state.pool, c => sqlx::query_as("SELECT at, COALESCE(data, '') FROM ticket_events WHERE ticket_id = $1 AND kind = $2 ORDER BY id")
        .bind(ticket_id)
        .bind(kind)
        .fetch_all(c).await)
        .unwrap()
}

async fn dues(state: &AppState, ticket_id: i64) -> (i64, i64, i64, i64, Option<i64>) {
    app::pool_run!(state.pool, c => sqlx::query_as(
        "SELECT response_warn_at, response_due_at, resolution_warn_at, resolution_due_at, sla_next_alert_at FROM tickets WHERE id = $1",
    )
    .bind(ticket_id)
    .fetch_one(c).await)
    .unwrap()
}

#[tokio::test]
async fn warning_and_breach_fire_exactly_once_at_their_instant() {
    let d = desk(0).await;
    let (_, id) = raise(&d, Priority::P1).await; // P1: 15 min response around the clock, warn at 75%
    let (warn, due, ..) = dues(&d.state, id).await;
    assert_eq!(warn, NOW + 15 * 60 * 75 / 100);
    assert_eq!(due, NOW + 15 * 60);
    let mut live = d.state.live.subscribe().events;

    d.clock.set(warn - 1);
    assert_eq!(
        sla_engine::raise_due(&d.state).await.unwrap(),
        0,
        "one second early: nothing"
    );
    d.clock.set(warn);
    assert_eq!(sla_engine::raise_due(&d.state).await.unwrap(), 1);
    assert_eq!(
        sla_engine::raise_due(&d.state).await.unwrap(),
        0,
        "never twice"
    );
    let warnings = events_of(&d.state, id, "sla_warning").await;
    assert_eq!(
        warnings,
        vec![(warn, r#"{"target":"response"}"#.to_string())]
    );
    let alert: std::sync::Arc<LiveEvent> = live.recv().await.unwrap();
    assert_eq!(alert.kind, LiveKind::SlaAlert);

    d.clock.set(due);
    assert_eq!(sla_engine::raise_due(&d.state).await.unwrap(), 1);
    assert_eq!(events_of(&d.state, id, "sla_breach").await.len(), 1);
    // the lead of Atlas and the ops manager are told of both
    let mut conn = d.state.pool.acquire().await.unwrap();
    assert_eq!(
        notifications::count_for_ticket(&mut conn, id, "sla_warning")
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        notifications::count_for_ticket(&mut conn, id, "sla_breach")
            .await
            .unwrap(),
        2
    );
    // the engine sleeps until the next alert: the resolution warning
    let (.., res_warn, _, next) = dues(&d.state, id).await;
    assert_eq!(next, Some(res_warn));
    assert_eq!(
        sla_engine::secs_until_next(&d.state).await.unwrap(),
        (res_warn - due).min(300)
    );
}

#[tokio::test]
async fn a_first_response_in_time_cancels_the_response_alerts() {
    let d = desk(0).await;
    let (number, id) = raise(&d, Priority::P1).await;
    let ana = d.actor(ANALYST).await;
    d.clock.advance(60);
    tickets::reply(&d.state, &ana, number, 1, "On it", true)
        .await
        .unwrap();
    d.clock.advance(3600);
    sla_engine::raise_due(&d.state).await.unwrap();
    assert!(events_of(&d.state, id, "sla_warning")
        .await
        .iter()
        .all(|(_, data)| data.contains("resolution")));
    assert!(events_of(&d.state, id, "sla_breach").await.is_empty());
}

#[tokio::test]
async fn pausing_moves_the_resolution_alerts_and_a_priority_change_recomputes_them() {
    let d = desk(0).await;
    let (number, id) = raise(&d, Priority::P1).await; // resolution 4 h around the clock
    let ana = d.actor(ANALYST).await;
    tickets::reply(&d.state, &ana, number, 1, "Looking", true)
        .await
        .unwrap();
    let (.., res_due_before, _) = dues(&d.state, id).await;
    assert_eq!(res_due_before, NOW + 4 * 3600);
    d.clock.advance(3600);
    tickets::set_pending(&d.state, &ana, number, 2, PendingReason::Customer, None)
        .await
        .unwrap();
    let (.., next) = dues(&d.state, id).await;
    assert_eq!(next, None, "a paused clock raises nothing");
    d.clock.advance(10 * 3600);
    assert_eq!(
        sla_engine::raise_due(&d.state).await.unwrap(),
        0,
        "paused past the old due: still nothing"
    );
    tickets::resume(&d.state, &ana, number, 3).await.unwrap();
    let (.., res_due_after, next) = dues(&d.state, id).await;
    assert_eq!(
        res_due_after,
        res_due_before + 10 * 3600,
        "moved by exactly the paused time"
    );
    assert!(next.is_some());

    // down to P3: targets recomputed from creation in business hours
    tickets::set_priority(&d.state, &ana, number, 4, Priority::P3)
        .await
        .unwrap();
    let (.., res_due_p3, _) = dues(&d.state, id).await;
    assert!(
        res_due_p3 > res_due_after,
        "three business days is longer than four hours"
    );
}

#[tokio::test]
async fn a_restart_mid_way_loses_and_repeats_nothing() {
    let d = desk(0).await;
    let (_, id) = raise(&d, Priority::P1).await;
    let (warn, due, ..) = dues(&d.state, id).await;
    d.clock.set(warn + 5);
    sla_engine::raise_due(&d.state).await.unwrap();

    // "restart": a new state (new pool, bus and engine) over the same file; the server was down
    // while the breach fell due
    let pool = app::backend::db::connect(&d._db.url).await.unwrap();
    let clock = app::backend::clock::ManualClock::new(due + 600);
    let restarted = AppState::new(
        pool,
        std::sync::Arc::new(clock),
        app::backend::Settings::default(),
        leptos::config::LeptosOptions::builder()
            .output_name("frontline")
            .build(),
    );
    assert_eq!(
        sla_engine::raise_due(&restarted).await.unwrap(),
        1,
        "the breach missed while down"
    );
    assert_eq!(sla_engine::raise_due(&restarted).await.unwrap(), 0);
    assert_eq!(
        sla_engine::raise_due(&d.state).await.unwrap(),
        0,
        "the old engine repeats nothing either"
    );
    assert_eq!(events_of(&restarted, id, "sla_warning").await.len(), 1);
    let breaches = events_of(&restarted, id, "sla_breach").await;
    assert_eq!(breaches.len(), 1);
    assert_eq!(
        breaches[0].0, due,
        "recorded at the instant the target fell due"
    );
}

#[tokio::test]
async fn the_seeded_desk_has_no_backlog_of_old_alerts() {
    let d = desk(800).await;
    assert_eq!(
        sla_engine::raise_due(&d.state).await.unwrap(),
        0,
        "the seed marks what was already due"
    );
}
