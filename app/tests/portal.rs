//! The client portal against a real SQLite file: what a client and a client admin list, budget
//! and approval decisions (only by the right organization's client admin), and ratings (once,
//! by the requester, after resolution). Refusals change nothing.

#![cfg(feature = "ssr")]

mod support;

use app::backend::tickets;
use app::model::portal::{Decision, PortalFilter, Whose};
use app::model::queue::StatusView;
use app::model::ticket::NewTicket;
use app::model::{EventKind, PendingReason, Status, Urgency};
use support::*;

async fn raise(d: &Desk, email: &str, problem: &str) -> i64 {
    let who = d.actor(email).await;
    let request = NewTicket {
        urgency: Some(Urgency::NotUrgent),
        problem: problem.into(),
        ..Default::default()
    };
    tickets::raise(&d.state, &who, &request)
        .await
        .unwrap()
        .number
        .0
}

async fn version(d: &Desk, number: i64) -> i64 {
    app::pool_run!(d.state.pool, c => sqlx::query_scalar("SELECT version FROM tickets WHERE number = $1")
        .bind(number)
        .fetch_one(c).await)
        .unwrap()
}

/// A ticket of Jo's that Ana claimed and set pending on `reason`.
async fn pending_on(d: &Desk, reason: PendingReason) -> i64 {
    let number = raise(d, CLIENT, "A new laptop for the new starter").await;
    let ana = d.actor(ANALYST).await;
    tickets::claim(&d.state, &ana, number, 1).await.unwrap();
    tickets::set_pending(&d.state, &ana, number, 2, reason, Some("Quote: 1,200 EUR"))
        .await
        .unwrap();
    number
}

async fn fingerprint(d: &Desk, number: i64) -> (i64, String, i64) {
    app::pool_run!(d.state.pool, c => sqlx::query_as(
        "SELECT t.version, t.status, (SELECT COUNT(*) FROM ticket_events e WHERE e.ticket_id = t.id)
         FROM tickets t WHERE t.number = $1",
    )
    .bind(number)
    .fetch_one(c).await)
    .unwrap()
}

#[tokio::test]
async fn a_client_lists_their_own_requests_and_a_client_admin_the_organizations() {
    let d = desk(200).await;
    let mine = raise(&d, CLIENT, "Printer on floor 2 jams").await;
    let colleague = raise(&d, CLIENT_ADMIN, "VPN token expired").await;
    let jo = d.actor(CLIENT).await;
    let page = tickets::portal_page(&d.state, &jo, &PortalFilter::default())
        .await
        .unwrap();
    let jo_id = jo.id;
    assert!(page.rows.iter().any(|r| r.number.0 == mine));
    assert!(page.rows.iter().all(|r| r.number.0 != colleague));
    assert!(
        page.organization.is_none(),
        "a client has no organization view"
    );
    for r in &page.rows {
        let requester: i64 =
            app::pool_run!(d.state.pool, c => sqlx::query_scalar("SELECT requester_id FROM tickets WHERE number = $1")
                .bind(r.number.0)
                .fetch_one(c).await)
                .unwrap();
        assert_eq!(requester, jo_id);
        assert!(r.status.is_active());
    }
    let all = PortalFilter {
        whose: Whose::Organization,
        ..Default::default()
    };
    let err = tickets::portal_page(&d.state, &jo, &all).await.unwrap_err();
    assert_eq!(err.status(), 403);

    let ines = d.actor(CLIENT_ADMIN).await;
    let org = tickets::portal_page(&d.state, &ines, &all).await.unwrap();
    assert_eq!(org.organization.as_deref(), Some(cast::CLIENT_ORG_NAME));
    assert!(org.rows.iter().any(|r| r.number.0 == mine));
    assert!(org.rows.iter().any(|r| r.number.0 == colleague));
    assert!(org.rows.iter().all(|r| r.org_code == cast::CLIENT_ORG));

    let done = PortalFilter {
        view: StatusView::Closed,
        ..Default::default()
    };
    let closed = tickets::portal_page(&d.state, &jo, &done).await.unwrap();
    assert!(closed.rows.iter().all(|r| r.status == Status::Closed));

    for staff in [ANALYST, LEAD, ADMIN] {
        let err = tickets::portal_page(&d.state, &d.actor(staff).await, &PortalFilter::default())
            .await
            .unwrap_err();
        assert_eq!(err.status(), 403, "{staff}");
    }
}

#[tokio::test]
async fn the_client_admin_approves_a_budget_and_the_ticket_goes_back_to_open_work() {
    let d = desk(0).await;
    let number = pending_on(&d, PendingReason::Budget).await;
    let ines = d.actor(CLIENT_ADMIN).await;
    let page = tickets::portal_page(&d.state, &ines, &PortalFilter::default())
        .await
        .unwrap();
    assert_eq!(
        page.approvals
            .iter()
            .map(|r| r.number.0)
            .collect::<Vec<_>>(),
        vec![number]
    );
    let ana_id = d.user_id(ANALYST).await;
    let mails_before = d
        .scalar("SELECT COUNT(*) FROM notifications WHERE kind = 'approval_granted'")
        .await;
    assert_eq!(mails_before, 0);
    let v = version(&d, number).await;
    tickets::decide_approval(
        &d.state,
        &ines,
        number,
        v,
        Decision::Approve,
        Some("Go ahead"),
    )
    .await
    .unwrap();
    let view = tickets::ticket_view(&d.state, &d.actor(ANALYST).await, number)
        .await
        .unwrap();
    assert_eq!(view.ticket.status, Status::Open);
    assert!(
        !view.ticket.requires_budget,
        "the budget is no longer awaited"
    );
    let decided = view
        .timeline
        .iter()
        .find(|e| e.kind == EventKind::ApprovalGranted)
        .expect("the decision is on the timeline");
    assert_eq!(decided.actor.as_deref(), Some(cast::CLIENT_ADMIN_NAME));
    assert_eq!(decided.summary, "approved the budget");
    assert!(decided.public);
    let to_assignee: i64 = app::pool_run!(d.state.pool, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE kind = 'approval_granted' AND recipient_id = $1",
    )
    .bind(ana_id)
    .fetch_one(c).await)
    .unwrap();
    assert_eq!(to_assignee, 1, "the assignee is told");
    let page = tickets::portal_page(&d.state, &ines, &PortalFilter::default())
        .await
        .unwrap();
    assert!(page.approvals.is_empty());
}

#[tokio::test]
async fn declining_needs_a_reason_and_only_the_right_client_admin_decides() {
    let d = desk(50).await;
    let number = pending_on(&d, PendingReason::Approval).await;
    let before = fingerprint(&d, number).await;
    let v = version(&d, number).await;
    let contoso_admin = d.client_admin_of(cast::OTHER_CLIENT_ORG).await;
    let cases = [
        (CLIENT, 403),
        (ANALYST, 403),
        (LEAD, 403),
        (contoso_admin.as_str(), 404),
    ];
    for (who, status) in cases {
        let err = tickets::decide_approval(
            &d.state,
            &d.actor(who).await,
            number,
            v,
            Decision::Approve,
            None,
        )
        .await
        .unwrap_err();
        assert_eq!(err.status(), status, "{who}");
    }
    let ines = d.actor(CLIENT_ADMIN).await;
    let err = tickets::decide_approval(&d.state, &ines, number, v, Decision::Decline, Some("  "))
        .await
        .unwrap_err();
    assert_eq!(err.status(), 422);
    assert!(err.to_string().contains("Say why"), "{err}");
    assert_eq!(
        fingerprint(&d, number).await,
        before,
        "refusals change nothing"
    );

    tickets::decide_approval(
        &d.state,
        &ines,
        number,
        v,
        Decision::Decline,
        Some("Not this quarter"),
    )
    .await
    .unwrap();
    let view = tickets::ticket_view(&d.state, &d.actor(CLIENT).await, number)
        .await
        .unwrap();
    assert_eq!(view.ticket.status, Status::Open);
    assert!(view
        .timeline
        .iter()
        .any(|e| e.kind == EventKind::ApprovalDenied && e.summary == "declined the request"));
    // deciding twice: the ticket no longer waits for a decision
    let v = version(&d, number).await;
    let err = tickets::decide_approval(&d.state, &ines, number, v, Decision::Approve, None)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 409);
}

#[tokio::test]
async fn a_pending_on_the_customer_is_not_an_approval() {
    let d = desk(0).await;
    let number = pending_on(&d, PendingReason::Customer).await;
    let ines = d.actor(CLIENT_ADMIN).await;
    let page = tickets::portal_page(&d.state, &ines, &PortalFilter::default())
        .await
        .unwrap();
    assert!(page.approvals.is_empty());
    let v = version(&d, number).await;
    let err = tickets::decide_approval(&d.state, &ines, number, v, Decision::Approve, None)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 409);
}

#[tokio::test]
async fn the_requester_rates_a_resolved_ticket_once() {
    let d = desk(0).await;
    let number = raise(&d, CLIENT, "Outlook keeps asking for my password").await;
    let ana = d.actor(ANALYST).await;
    let jo = d.actor(CLIENT).await;
    tickets::claim(&d.state, &ana, number, 1).await.unwrap();
    let err = tickets::rate(&d.state, &jo, number, 2, 5, None)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 409, "not resolved yet");
    tickets::resolve(&d.state, &ana, number, 2, "Reset the credential cache")
        .await
        .unwrap();
    let before = fingerprint(&d, number).await;
    for (who, stars, status) in [
        (CLIENT, 0, 422),
        (CLIENT, 6, 422),
        (CLIENT_ADMIN, 4, 403),
        (ANALYST, 5, 403),
    ] {
        let err = tickets::rate(&d.state, &d.actor(who).await, number, 3, stars, None)
            .await
            .unwrap_err();
        assert_eq!(err.status(), status, "{who} {stars}");
    }
    assert_eq!(fingerprint(&d, number).await, before);
    assert_eq!(d.scalar("SELECT COUNT(*) FROM ticket_ratings").await, 0);

    tickets::rate(&d.state, &jo, number, 3, 4, Some("Quick, thanks"))
        .await
        .unwrap();
    let view = tickets::ticket_view(&d.state, &jo, number).await.unwrap();
    let rating = view.rating.expect("the rating is shown");
    assert_eq!(
        (rating.stars, rating.comment.as_deref()),
        (4, Some("Quick, thanks"))
    );
    assert!(!view.actions.rate, "no second rating is offered");
    assert!(view
        .timeline
        .iter()
        .any(|e| e.kind == EventKind::Rated && e.summary == "rated the help 4 of 5 (good)"));
    let err = tickets::rate(&d.state, &jo, number, 4, 1, None)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 409);
    assert_eq!(d.scalar("SELECT COUNT(*) FROM ticket_ratings").await, 1);
}

/// Serializes what a portal answer carries, as the browser and the page's embedded data get it.
fn portal_text(page: &app::model::portal::PortalPage) -> String {
    serde_json::to_string(page).unwrap()
}

#[tokio::test]
async fn hand_over_notes_never_reach_the_portal() {
    const TO_NEXT_SHIFT: &str = "CANARY-HANDOVER-7f3a next shift: call the CFO back";
    const TO_A_PERSON: &str = "CANARY-HANDOVER-91bc for Lee: their budget is in dispute";
    let d = desk(0).await;
    let ana = d.actor(ANALYST).await;
    let lee = d.user_id(SENIOR).await;
    // an open request handed to the next shift, and one pending on budget handed to a colleague
    let open = raise(&d, CLIENT, "The shared drive is read-only").await;
    tickets::claim(&d.state, &ana, open, 1).await.unwrap();
    tickets::hand_over(&d.state, &ana, open, 2, None, TO_NEXT_SHIFT)
        .await
        .unwrap();
    let budget = pending_on(&d, PendingReason::Budget).await;
    tickets::hand_over(&d.state, &ana, budget, 3, Some(lee), TO_A_PERSON)
        .await
        .unwrap();
    let budget_next = pending_on(&d, PendingReason::Budget).await;
    tickets::hand_over(&d.state, &ana, budget_next, 3, None, TO_NEXT_SHIFT)
        .await
        .unwrap();

    let colleague: String = app::pool_run!(d.state.pool, c => sqlx::query_scalar(
        "SELECT email FROM users WHERE role = 'client' AND email <> $1
           AND org_id = (SELECT org_id FROM users WHERE email = $1) ORDER BY id LIMIT 1",
    )
    .bind(CLIENT)
    .fetch_one(c).await)
    .unwrap();
    let mine = PortalFilter::default();
    let organization = PortalFilter {
        whose: Whose::Organization,
        ..Default::default()
    };
    let mut asked = Vec::new();
    for (who, filter) in [
        (CLIENT, &mine),
        (colleague.as_str(), &mine),
        (CLIENT_ADMIN, &mine),
        (CLIENT_ADMIN, &organization),
    ] {
        let page = tickets::portal_page(&d.state, &d.actor(who).await, filter)
            .await
            .unwrap();
        let text = portal_text(&page);
        assert!(
            !text.contains("CANARY-HANDOVER"),
            "{who} {filter:?}: {text}"
        );
        assert!(
            page.rows
                .iter()
                .chain(&page.approvals)
                .all(|r| r.handoff_note.is_none()),
            "{who} {filter:?}"
        );
        asked.push((who, page));
    }
    // the requester and the organization view do list the handed-over requests
    let listed = |page: &app::model::portal::PortalPage, n: i64| {
        page.rows
            .iter()
            .chain(&page.approvals)
            .any(|r| r.number.0 == n)
    };
    assert!(listed(&asked[0].1, open));
    assert!([open, budget, budget_next]
        .iter()
        .all(|n| listed(&asked[3].1, *n)));
    assert!(asked[3].1.approvals.iter().any(|r| r.number.0 == budget));

    // the desk still sees its notes
    let queue = tickets::queue_page(
        &d.state,
        &d.actor(SENIOR).await,
        &app::model::queue::QueueFilter::default(),
    )
    .await
    .unwrap();
    let note_of = |n: i64| {
        queue
            .rows
            .iter()
            .find(|r| r.number.0 == n)
            .and_then(|r| r.handoff_note.clone())
    };
    assert_eq!(note_of(open).as_deref(), Some(TO_NEXT_SHIFT));
    assert_eq!(note_of(budget).as_deref(), Some(TO_A_PERSON));
}

/// A client says up front that the request needs budget or someone's approval (seed idea 001);
/// staff can still clear or set either, and a client cannot.
#[tokio::test]
async fn a_client_flags_budget_and_approval_when_raising_and_staff_may_change_them() {
    let d = desk(0).await;
    let jo = d.actor(CLIENT).await;
    let request = NewTicket {
        urgency: Some(Urgency::NotUrgent),
        problem: "A second screen for the new starter".into(),
        requires_budget: true,
        requires_approval: true,
        ..Default::default()
    };
    let number = tickets::raise(&d.state, &jo, &request)
        .await
        .unwrap()
        .number
        .0;
    let flags = |number: i64| {
        let pool = d.state.pool.clone();
        async move {
            app::pool_run!(pool, c => sqlx::query_as::<_, (bool, bool)>(
                "SELECT requires_budget, requires_approval FROM tickets WHERE number = $1",
            )
            .bind(number)
            .fetch_one(c).await)
            .unwrap()
        }
    };
    assert_eq!(flags(number).await, (true, true));
    let plain = raise(&d, CLIENT, "Mouse wheel sticks").await;
    assert_eq!(flags(plain).await, (false, false), "unflagged unless said");

    assert!(
        tickets::set_flags(
            &d.state,
            &jo,
            number,
            version(&d, number).await,
            false,
            false
        )
        .await
        .is_err(),
        "only staff change them afterwards"
    );
    let ana = d.actor(ANALYST).await;
    tickets::claim(&d.state, &ana, number, version(&d, number).await)
        .await
        .unwrap();
    tickets::set_flags(
        &d.state,
        &ana,
        number,
        version(&d, number).await,
        false,
        true,
    )
    .await
    .unwrap();
    assert_eq!(flags(number).await, (false, true));
}
