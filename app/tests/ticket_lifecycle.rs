//! The ticket lifecycle against a real SQLite file: raising, claiming (also fifty at once),
//! working, the status machine, stale versions, tenant and team scope, and bad input.

#![cfg(feature = "ssr")]

mod support;

use app::backend::db::Dialect;
use app::backend::tickets;
use app::model::queue::{AssigneeFilter, QueueFilter, StatusView, COUNT_CAP};
use app::model::sla::SlaState;
use app::model::ticket::{NewTicket, MAX_TEXT_BYTES};
use app::model::{AppError, Channel, EventKind, PendingReason, Priority, Status, Urgency};
use support::*;

fn request(problem: &str, urgency: Urgency) -> NewTicket {
    NewTicket {
        urgency: Some(urgency),
        problem: problem.into(),
        ..Default::default()
    }
}

/// A client of Northwind raises a ticket; returns its number.
async fn raise_as_client(d: &Desk, problem: &str) -> i64 {
    let client = d.actor(CLIENT).await;
    tickets::raise(&d.state, &client, &request(problem, Urgency::Urgent))
        .await
        .unwrap()
        .number
        .0
}

async fn view(
    d: &Desk,
    email: &str,
    number: i64,
) -> Result<app::model::ticket_detail::TicketView, AppError> {
    tickets::ticket_view(&d.state, &d.actor(email).await, number).await
}

#[tokio::test]
async fn a_client_raises_a_ticket_with_three_fields_and_the_rest_is_captured() {
    let d = desk(20).await;
    let before = d
        .scalar("SELECT value FROM counters WHERE name = 'ticket_number'")
        .await;
    let number = raise_as_client(
        &d,
        "Outlook keeps asking for my password\nSince this morning.",
    )
    .await;
    assert_eq!(number, before + 1);
    let v = view(&d, CLIENT, number).await.unwrap();
    let t = &v.ticket;
    assert_eq!(t.number.to_string(), format!("HD-{number}"));
    assert_eq!(t.subject, "Outlook keeps asking for my password");
    assert_eq!(t.status, Status::New);
    assert_eq!(t.priority, Priority::P2, "urgent means P2 by default");
    assert_eq!(t.channel, Channel::Web);
    assert_eq!(t.org_code, cast::CLIENT_ORG);
    assert_eq!(t.requester.name, cast::CLIENT_NAME);
    assert!(
        t.requester.department.is_some()
            && t.requester.location.is_some()
            && t.requester.job_title.is_some()
    );
    assert_eq!(t.created_at, NOW);
    assert!(t.response_due_at > NOW && t.resolution_due_at > t.response_due_at);
    assert!(matches!(t.sla, SlaState::OnTrack { .. }));
    assert_eq!(v.timeline.len(), 1);
    assert_eq!(v.timeline[0].kind, EventKind::Created);
    // numbers never repeat
    let next = raise_as_client(&d, "Second problem").await;
    assert_eq!(next, number + 1);
}

#[tokio::test]
async fn only_staff_set_priority_and_clients_raise_only_for_themselves() {
    let d = desk(0).await;
    let client = d.actor(CLIENT).await;
    let other = d.user_id(CLIENT_ADMIN).await;
    let mut r = request("Printer", Urgency::NotUrgent);
    r.priority = Some(Priority::P1);
    assert!(matches!(
        tickets::raise(&d.state, &client, &r).await,
        Err(AppError::Forbidden(_))
    ));
    let mut r = request("Printer", Urgency::NotUrgent);
    r.requester_id = Some(other);
    assert!(matches!(
        tickets::raise(&d.state, &client, &r).await,
        Err(AppError::Forbidden(_))
    ));
    let admin = d.actor(ADMIN).await;
    assert!(matches!(
        tickets::raise(&d.state, &admin, &request("x", Urgency::Urgent)).await,
        Err(AppError::Forbidden(_))
    ));
    assert_eq!(
        d.scalar("SELECT COUNT(*) FROM tickets").await,
        0,
        "nothing was written"
    );
}

#[tokio::test]
async fn bad_input_is_refused_and_nothing_is_written() {
    let d = desk(0).await;
    let client = d.actor(CLIENT).await;
    let cases = [
        request("   ", Urgency::Urgent),
        request(&"a".repeat(MAX_TEXT_BYTES + 1), Urgency::Urgent),
        NewTicket {
            urgency: None,
            problem: "no urgency".into(),
            ..Default::default()
        },
    ];
    for case in &cases {
        let err = tickets::raise(&d.state, &client, case).await.unwrap_err();
        assert_eq!(err.status(), 422, "{err}");
    }
    let analyst = d.actor(ANALYST).await;
    let mut unknown = request("for nobody", Urgency::Urgent);
    unknown.requester_id = Some(999_999);
    assert_eq!(
        tickets::raise(&d.state, &analyst, &unknown)
            .await
            .unwrap_err()
            .status(),
        422
    );
    // a requester of a client the analyst's team does not serve reads the same as unknown
    let mut foreign = request("for someone else's client", Urgency::Urgent);
    foreign.requester_id = Some(
        d.scalar("SELECT id FROM users WHERE email LIKE '%@alpineskihouse.example' LIMIT 1")
            .await,
    );
    assert_eq!(
        tickets::raise(&d.state, &analyst, &foreign)
            .await
            .unwrap_err()
            .status(),
        422
    );
    assert_eq!(d.scalar("SELECT COUNT(*) FROM tickets").await, 0);
    assert_eq!(d.scalar("SELECT COUNT(*) FROM ticket_events").await, 0);
    let counter = d
        .scalar("SELECT value FROM counters WHERE name = 'ticket_number'")
        .await;
    assert_eq!(counter, 1000, "refused requests take no number");
}

#[tokio::test]
async fn fifty_analysts_claiming_at_once_leaves_exactly_one_owner() {
    let d = desk(0).await;
    let number = raise_as_client(&d, "VPN is down for the whole office").await;
    // everyone who may claim it: Atlas analysts, seniors, lead, manager; fifty attempts in all
    let emails: Vec<String> = app::pool_run!(d.state.pool, c => sqlx::query_scalar(
        "SELECT email FROM users WHERE role IN ('lead', 'manager') OR (team_id = (SELECT id FROM teams WHERE name = $1) AND role IN ('analyst', 'senior'))",
    )
    .bind(cast::TEAM)
    .fetch_all(c).await)
    .unwrap();
    let mut actors = Vec::new();
    for i in 0..50 {
        actors.push(d.actor(&emails[i % emails.len()]).await);
    }
    let mut handles = Vec::new();
    for actor in actors {
        let state = d.state.clone();
        handles.push(tokio::spawn(async move {
            tickets::claim(&state, &actor, number, 1).await
        }));
    }
    let mut won = 0;
    for h in handles {
        match h.await.unwrap() {
            Ok(_) => won += 1,
            Err(AppError::Conflict(message)) => assert!(
                message.contains("changed by someone else") || message.contains("already"),
                "{message}"
            ),
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(won, 1);
    assert_eq!(d.scalar(&format!("SELECT COUNT(*) FROM ticket_events WHERE kind = 'claimed' AND ticket_id = (SELECT id FROM tickets WHERE number = {number})")).await, 1);
    let v = view(&d, MANAGER, number).await.unwrap();
    assert_eq!(v.ticket.status, Status::Open);
    assert_eq!(v.ticket.version, 2);
}

#[tokio::test]
async fn a_stale_version_gets_409_and_changes_nothing() {
    let d = desk(0).await;
    let number = raise_as_client(&d, "Laptop will not boot").await;
    let ana = d.actor(ANALYST).await;
    tickets::claim(&d.state, &ana, number, 1).await.unwrap();
    let lead = d.actor(LEAD).await;
    // the lead still looks at version 1
    let err = tickets::set_priority(&d.state, &lead, number, 1, Priority::P1)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 409);
    assert!(err.to_string().contains(cast::ANALYST_NAME), "{err}");
    let v = view(&d, LEAD, number).await.unwrap();
    assert_eq!(v.ticket.priority, Priority::P2);
    assert_eq!(v.ticket.version, 2);
    // and a second claim is told who has it
    let ben_atlas = d.actor(SENIOR).await;
    let err = tickets::claim(&d.state, &ben_atlas, number, 2)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        AppError::Conflict(format!(
            "HD-{number} is already being worked by {}.",
            cast::ANALYST_NAME
        ))
    );
}

#[tokio::test]
async fn working_a_ticket_writes_its_timeline_and_clients_see_only_public_steps() {
    let d = desk(0).await;
    let number = raise_as_client(&d, "Shared drive missing").await;
    let ana = d.actor(ANALYST).await;
    tickets::claim(&d.state, &ana, number, 1).await.unwrap();
    d.clock.advance(600);
    tickets::reply(
        &d.state,
        &ana,
        number,
        2,
        "I'm **on it**. <script>alert(1)</script>",
        true,
    )
    .await
    .unwrap();
    tickets::reply(
        &d.state,
        &ana,
        number,
        3,
        "Looks like the DFS namespace again",
        false,
    )
    .await
    .unwrap();
    tickets::change_tier(&d.state, &ana, number, 4, 2, "Needs storage admin")
        .await
        .unwrap();

    let staff_view = view(&d, ANALYST, number).await.unwrap();
    let kinds: Vec<EventKind> = staff_view.timeline.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::Created,
            EventKind::Claimed,
            EventKind::PublicReply,
            EventKind::InternalNote,
            EventKind::Escalated
        ]
    );
    assert_eq!(
        staff_view.ticket.first_response_at,
        Some(NOW + 600),
        "the first public staff reply is the first response"
    );
    assert_eq!(staff_view.ticket.tier, 2);
    assert!(
        staff_view.ticket.assignee.is_none(),
        "escalated tickets wait in the tier's queue"
    );
    assert_eq!(staff_view.ticket.status, Status::New);
    let reply = &staff_view.timeline[2];
    let html = reply.body_html.as_deref().unwrap();
    assert!(
        html.contains("<strong>on it</strong>") && !html.contains("<script"),
        "{html}"
    );

    let client_view = view(&d, CLIENT, number).await.unwrap();
    let kinds: Vec<EventKind> = client_view.timeline.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::Created,
            EventKind::Claimed,
            EventKind::PublicReply
        ]
    );
    assert!(client_view.timeline.iter().all(|e| e.public));
    assert!(!client_view.actions.note_internal && !client_view.actions.claim);

    // the escalating analyst still sees it; a tier 2 senior can claim it
    assert!(view(&d, ANALYST, number).await.is_ok());
    let lee = d.actor(SENIOR).await;
    tickets::claim(&d.state, &lee, number, 5).await.unwrap();
}

#[tokio::test]
async fn the_status_machine_guards_every_move() {
    let d = desk(0).await;
    let number = raise_as_client(&d, "Monitor flickers").await;
    let ana = d.actor(ANALYST).await;
    // pending needs a claimed ticket
    assert_eq!(
        tickets::set_pending(&d.state, &ana, number, 1, PendingReason::Customer, None)
            .await
            .unwrap_err()
            .status(),
        409
    );
    assert_eq!(
        tickets::close(&d.state, &ana, number, 1)
            .await
            .unwrap_err()
            .status(),
        409
    );
    assert_eq!(
        tickets::resolve(&d.state, &ana, number, 1, "  ")
            .await
            .unwrap_err()
            .status(),
        422,
        "a resolution note is required"
    );
    tickets::claim(&d.state, &ana, number, 1).await.unwrap();
    tickets::resolve(&d.state, &ana, number, 2, "Replaced the cable")
        .await
        .unwrap();
    assert_eq!(
        tickets::resolve(&d.state, &ana, number, 3, "again")
            .await
            .unwrap_err()
            .status(),
        409
    );
    tickets::close(&d.state, &ana, number, 3).await.unwrap();
    let err = tickets::reopen(&d.state, &d.actor(CLIENT).await, number, 4, None)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 409);
    assert_eq!(
        view(&d, ANALYST, number).await.unwrap().ticket.status,
        Status::Closed
    );
}

#[tokio::test]
async fn the_requester_may_reopen_within_seven_days() {
    let d = desk(0).await;
    let number = raise_as_client(&d, "Wi-Fi drops").await;
    let ana = d.actor(ANALYST).await;
    tickets::claim(&d.state, &ana, number, 1).await.unwrap();
    tickets::resolve(&d.state, &ana, number, 2, "New access point")
        .await
        .unwrap();
    d.clock.advance(6 * 86_400);
    let jo = d.actor(CLIENT).await;
    tickets::reopen(&d.state, &jo, number, 3, Some("Still dropping"))
        .await
        .unwrap();
    let v = view(&d, CLIENT, number).await.unwrap();
    assert_eq!(v.ticket.status, Status::Open);
    tickets::resolve(&d.state, &ana, number, 4, "Firmware updated")
        .await
        .unwrap();
    d.clock.advance(7 * 86_400 + 1);
    let err = tickets::reopen(&d.state, &jo, number, 5, None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("more than 7 days"), "{err}");
}

#[tokio::test]
async fn waiting_on_the_customer_stops_the_resolution_clock() {
    let d = desk(0).await;
    let number = raise_as_client(&d, "Need new keyboard").await;
    let ana = d.actor(ANALYST).await;
    tickets::claim(&d.state, &ana, number, 1).await.unwrap();
    tickets::reply(&d.state, &ana, number, 2, "Which layout?", true)
        .await
        .unwrap();
    let before = view(&d, ANALYST, number)
        .await
        .unwrap()
        .ticket
        .resolution_due_at;
    tickets::set_pending(
        &d.state,
        &ana,
        number,
        3,
        PendingReason::Customer,
        Some("Asked for layout"),
    )
    .await
    .unwrap();
    let v = view(&d, CLIENT, number).await.unwrap();
    assert!(matches!(
        v.ticket.sla,
        SlaState::Paused {
            reason: PendingReason::Customer
        }
    ));
    // the client answers three days later: the ticket resumes and the due instant moves out
    d.clock.advance(3 * 86_400);
    let jo = d.actor(CLIENT).await;
    tickets::reply(&d.state, &jo, number, 4, "UK layout please", true)
        .await
        .unwrap();
    let v = view(&d, ANALYST, number).await.unwrap();
    assert_eq!(v.ticket.status, Status::Open);
    assert!(
        v.ticket.resolution_due_at > before,
        "paused time is added back"
    );
}

#[tokio::test]
async fn a_phone_call_resolved_on_the_spot_is_a_first_contact_resolution() {
    let d = desk(0).await;
    let ana = d.actor(ANALYST).await;
    let mut call = request("Caller locked out of the ERP", Urgency::Urgent);
    call.requester_id = Some(d.user_id(CLIENT).await);
    call.channel = Some(Channel::Phone);
    call.resolution = Some("Unlocked the account while on the phone".into());
    let number = tickets::raise(&d.state, &ana, &call)
        .await
        .unwrap()
        .number
        .0;
    let v = view(&d, ANALYST, number).await.unwrap();
    assert_eq!(v.ticket.status, Status::Resolved);
    assert!(v.ticket.first_contact_resolution);
    assert_eq!(v.ticket.channel, Channel::Phone);
    assert_eq!(v.ticket.created_by.name, cast::ANALYST_NAME);
    assert_eq!(
        v.ticket.assignee.as_ref().map(|a| a.name.as_str()),
        Some(cast::ANALYST_NAME)
    );
    let kinds: Vec<EventKind> = v.timeline.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [EventKind::Created, EventKind::Claimed, EventKind::Resolved]
    );
    assert_eq!(v.timeline[0].summary, "logged a phone call");
}

#[tokio::test]
async fn clients_and_other_teams_see_nothing_of_a_ticket_not_theirs() {
    let d = desk(300).await;
    let number = raise_as_client(&d, "Confidential: payroll export fails").await;
    let contoso_admin = d.client_admin_of(cast::OTHER_CLIENT_ORG).await;
    for outsider in [OTHER_CLIENT, OTHER_ANALYST, ADMIN, contoso_admin.as_str()] {
        let err = tickets::ticket_view(&d.state, &d.actor(outsider).await, number)
            .await
            .unwrap_err();
        assert_eq!(err.status(), 404, "{outsider}");
    }
    let other = d.actor(OTHER_CLIENT).await;
    assert_eq!(
        tickets::claim(&d.state, &d.actor(OTHER_ANALYST).await, number, 1)
            .await
            .unwrap_err()
            .status(),
        404
    );
    assert_eq!(
        tickets::reply(&d.state, &other, number, 1, "hi", true)
            .await
            .unwrap_err()
            .status(),
        404
    );
    // the client admin of Northwind does see it
    assert!(view(&d, CLIENT_ADMIN, number).await.is_ok());
}

/// Lists, counts and search respect scope: Ben (team Borealis) never finds Northwind tickets.
#[tokio::test]
async fn queue_lists_counts_and_search_stay_within_scope() {
    let d = desk(600).await;
    let secret = raise_as_client(&d, "Zanzibarian gateway misconfigured").await;
    let ben = d.actor(OTHER_ANALYST).await;
    let ana = d.actor(ANALYST).await;
    let search = QueueFilter {
        q: Some("zanzibarian".into()),
        ..Default::default()
    };
    let found = tickets::queue_page(&d.state, &ana, &search).await.unwrap();
    assert_eq!(
        found.rows.iter().map(|r| r.number.0).collect::<Vec<_>>(),
        vec![secret]
    );
    let hidden = tickets::queue_page(&d.state, &ben, &search).await.unwrap();
    assert!(hidden.rows.is_empty());
    let counts = tickets::queue_counts(&d.state, &ben, &search)
        .await
        .unwrap();
    assert!(counts.by_view.iter().all(|(_, n)| *n == 0), "{counts:?}");
    let by_number = QueueFilter {
        q: Some(format!("HD-{secret}")),
        ..Default::default()
    };
    assert!(tickets::queue_page(&d.state, &ben, &by_number)
        .await
        .unwrap()
        .rows
        .is_empty());
    // a client filter for a client Ben does not serve is refused like an unknown one
    let nwl = QueueFilter {
        client: Some(cast::CLIENT_ORG.into()),
        ..Default::default()
    };
    assert_eq!(
        tickets::queue_page(&d.state, &ben, &nwl)
            .await
            .unwrap_err()
            .status(),
        422
    );
    // every row Ben sees belongs to a client his team serves
    let served: Vec<String> = app::pool_run!(d.state.pool, c => sqlx::query_scalar(
        "SELECT o.code FROM team_orgs s JOIN organizations o ON o.id = s.org_id JOIN teams t ON t.id = s.team_id WHERE t.name = $1",
    )
    .bind(cast::OTHER_TEAM)
    .fetch_all(c).await)
    .unwrap();
    let all = QueueFilter {
        view: StatusView::Closed,
        ..Default::default()
    };
    let page = tickets::queue_page(&d.state, &ben, &all).await.unwrap();
    assert!(!page.rows.is_empty());
    assert!(page.rows.iter().all(|r| served.contains(&r.org_code)));
    // clients never reach the queue at all
    assert_eq!(
        tickets::queue_page(&d.state, &d.actor(CLIENT).await, &QueueFilter::default())
            .await
            .unwrap_err()
            .status(),
        403
    );
}

#[tokio::test]
async fn queue_pages_follow_each_other_without_gaps_or_repeats() {
    let d = desk(2000).await;
    let manager = d.actor(MANAGER).await;
    for view in [StatusView::Active, StatusView::Closed] {
        let mut filter = QueueFilter {
            view,
            ..Default::default()
        };
        let mut seen = Vec::new();
        let mut keys = Vec::new();
        loop {
            let page = tickets::queue_page(&d.state, &manager, &filter)
                .await
                .unwrap();
            for r in &page.rows {
                keys.push(if view.orders_by_due() {
                    (r.status.queue_rank(), r.next_due_at, r.id)
                } else {
                    (0, -r.updated_at, -r.id)
                });
                seen.push(r.id);
            }
            match page.next {
                Some(c) => filter.after = Some(c),
                None => break,
            }
        }
        let total = tickets::queue_counts(
            &d.state,
            &manager,
            &QueueFilter {
                view,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let counted = total.by_view.iter().find(|(v, _)| *v == view).unwrap().1;
        let expected = d
            .scalar(if view == StatusView::Active {
                "SELECT COUNT(*) FROM tickets WHERE status_rank <= 1"
            } else {
                "SELECT COUNT(*) FROM tickets WHERE status_rank = 3"
            })
            .await;
        assert_eq!(
            seen.len() as i64,
            expected,
            "{view:?}: every ticket, page by page"
        );
        assert_eq!(
            counted,
            expected.min(COUNT_CAP),
            "{view:?}: the count stops at the cap"
        );
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "{view:?} pages are in queue order");
        seen.sort();
        seen.dedup();
        assert_eq!(
            seen.len() as i64,
            expected,
            "{view:?} no ticket appears twice"
        );
    }
}

#[tokio::test]
async fn the_queue_puts_open_work_first_and_filters_combine() {
    let d = desk(1000).await;
    let ana = d.actor(ANALYST).await;
    let page = tickets::queue_page(&d.state, &ana, &QueueFilter::default())
        .await
        .unwrap();
    assert!(page.rows.iter().all(|r| r.status.is_active()));
    let ranks: Vec<i64> = page.rows.iter().map(|r| r.status.queue_rank()).collect();
    assert!(
        ranks.windows(2).all(|w| w[0] <= w[1]),
        "new and open before pending"
    );
    let mine = QueueFilter {
        assignee: AssigneeFilter::Me,
        priority: Some(Priority::P3),
        ..Default::default()
    };
    let page = tickets::queue_page(&d.state, &ana, &mine).await.unwrap();
    assert!(page
        .rows
        .iter()
        .all(|r| r.assignee.as_ref().map(|a| a.id) == Some(ana.id) && r.priority == Priority::P3));
    let unassigned = QueueFilter {
        assignee: AssigneeFilter::Unassigned,
        ..Default::default()
    };
    let page = tickets::queue_page(&d.state, &ana, &unassigned)
        .await
        .unwrap();
    assert!(page.rows.iter().all(|r| r.assignee.is_none()));
    // hostile search text never errors
    for q in [
        "\"",
        "OR",
        "NEAR(",
        "*",
        "a AND",
        "ünïcödé ✓",
        "'; DROP TABLE tickets; --",
    ] {
        let f = QueueFilter {
            q: Some(q.into()),
            ..Default::default()
        };
        tickets::queue_page(&d.state, &ana, &f).await.unwrap();
        tickets::queue_counts(&d.state, &ana, &f).await.unwrap();
    }
}

/// A search counts every view, "mine" and "unassigned" in one pass over its matches; the figures
/// are those of one capped count per view, under every other filter and scope.
#[tokio::test]
async fn search_counts_in_one_pass_equal_the_capped_count_of_each_view() {
    use app::backend::repo::tickets as repo;
    let d = desk(3000).await;
    let nwl = d.org_id(cast::CLIENT_ORG).await;
    let number: i64 = d.scalar("SELECT MAX(number) FROM tickets").await;
    let mut capped = false;
    for email in [LEAD, ANALYST, SENIOR] {
        let actor = d.actor(email).await;
        let scope = actor.ticket_scope(&d.state.pool).await.unwrap();
        for q in ["printer", "the", "a e", "zzqx", &format!("HD-{number}")] {
            for (view, assignee, client, tier) in [
                (StatusView::Active, AssigneeFilter::Anyone, None, None),
                (StatusView::Closed, AssigneeFilter::Anyone, None, None),
                (StatusView::Open, AssigneeFilter::Me, None, None),
                (
                    StatusView::Active,
                    AssigneeFilter::Unassigned,
                    None,
                    Some(1),
                ),
                (
                    StatusView::Pending,
                    AssigneeFilter::Anyone,
                    Some(cast::CLIENT_ORG),
                    None,
                ),
            ] {
                let filter = QueueFilter {
                    view,
                    assignee,
                    client: client.map(String::from),
                    tier,
                    q: Some(q.into()),
                    ..Default::default()
                };
                let Ok(got) = tickets::queue_counts(&d.state, &actor, &filter).await else {
                    // a client the analyst does not serve
                    assert!(client.is_some() && email != LEAD, "{email} {filter:?}");
                    continue;
                };
                let org = client.map(|_| nwl);
                let mut conn = d.state.pool.acquire().await.unwrap();
                let mut count = async |f: QueueFilter| {
                    repo::queue_count(&mut conn, &scope, &f, org, actor.id)
                        .await
                        .unwrap()
                };
                let mut want = Vec::new();
                for v in StatusView::ALL {
                    let f = QueueFilter {
                        view: *v,
                        ..filter.clone()
                    };
                    want.push((*v, count(f).await));
                }
                let mine = count(QueueFilter {
                    assignee: AssigneeFilter::Me,
                    ..filter.clone()
                })
                .await;
                let unassigned = count(QueueFilter {
                    assignee: AssigneeFilter::Unassigned,
                    ..filter.clone()
                })
                .await;
                assert_eq!(got.by_view, want, "{email} {filter:?}");
                assert_eq!(
                    (got.mine, got.unassigned),
                    (mine, unassigned),
                    "{email} {filter:?}"
                );
                capped |= want.iter().any(|(_, n)| *n == COUNT_CAP);
            }
        }
    }
    assert!(capped, "some view reached the cap");
}

/// A common word's counts come from one match in k (ids a multiple of k), each standing for k,
/// capped as every count is; the matches are counted in the full-text index alone.
#[tokio::test]
async fn sampled_search_counts_scale_the_matches_whose_id_is_a_multiple_of_k() {
    use app::backend::policy::TicketScope;
    use app::backend::repo::tickets as repo;
    let d = desk(3000).await;
    let lead = d.actor(LEAD).await;
    let matches = match d.state.pool.dialect() {
        Dialect::Sqlite => {
            "id IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH '\"the\"*')"
        }
        Dialect::Postgres => "fts @@ to_tsquery('frontline', 'the:*')",
    };
    let filter = QueueFilter {
        q: Some("The".into()),
        ..Default::default()
    };
    let mut conn = d.state.pool.acquire().await.unwrap();
    let total = repo::search_matches(&mut conn, &filter).await.unwrap();
    let want_total = d
        .scalar(&format!("SELECT COUNT(*) FROM tickets WHERE {matches}"))
        .await;
    assert_eq!(total, Some(want_total));
    assert!(want_total > 100, "a common word ({want_total})");
    let k = 3;
    let (by_view, mine, unassigned) = repo::queue_counts_of_search(
        &mut conn,
        &TicketScope::All,
        &filter,
        None,
        lead.id,
        StatusView::ALL,
        k,
    )
    .await
    .unwrap();
    drop(conn);
    let sampled = async |condition: String| {
        let n = d
            .scalar(&format!(
                "SELECT COUNT(*) FROM tickets WHERE {condition} AND {matches} AND id % {k} = 0"
            ))
            .await;
        (n * k).min(COUNT_CAP)
    };
    let mut want = Vec::new();
    for condition in [
        "status_rank <= 1",
        "status_rank = 0 AND status = 'new'",
        "status_rank = 0 AND status = 'open'",
        "status_rank = 1",
        "status_rank = 2",
        "status_rank = 3",
    ] {
        want.push(sampled(condition.into()).await);
    }
    assert_eq!(by_view, want);
    assert!(want.iter().any(|n| *n > 0));
    assert_eq!(
        (mine, unassigned),
        (
            sampled(format!("status_rank <= 1 AND assignee_id = {}", lead.id)).await,
            sampled("status_rank <= 1 AND assignee_id IS NULL".into()).await
        )
    );
}

/// A search pages through exactly its matches in queue order, in views of open work (where the
/// matches filter the walk of the queue index) and finished ones (where they drive the query).
#[tokio::test]
async fn a_search_pages_through_exactly_its_matches_in_queue_order() {
    let d = desk(3000).await;
    d.fall_behind(12).await;
    let lead = d.actor(LEAD).await;
    for (view, rank) in [
        (StatusView::Active, "status_rank <= 1"),
        (StatusView::Pending, "status_rank = 1"),
        (StatusView::Resolved, "status_rank = 2"),
    ] {
        let order = if view.orders_by_due() {
            "status_rank, next_due_at, id"
        } else {
            "updated_at DESC, id DESC"
        };
        let matches = match d.state.pool.dialect() {
            Dialect::Sqlite => {
                "id IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH '\"the\"*')"
            }
            Dialect::Postgres => "fts @@ to_tsquery('frontline', 'the:*')",
        };
        let want: Vec<i64> = app::pool_run!(d.state.pool, c => sqlx::query_scalar(&format!(
            "SELECT id FROM tickets WHERE {rank} AND {matches} ORDER BY {order}"
        ))
        .fetch_all(c).await)
        .unwrap();
        assert!(
            want.len() > 50,
            "{view:?}: more than a page ({})",
            want.len()
        );
        let mut filter = QueueFilter {
            view,
            q: Some("The".into()),
            ..Default::default()
        };
        let mut seen = Vec::new();
        loop {
            let page = tickets::queue_page(&d.state, &lead, &filter).await.unwrap();
            seen.extend(page.rows.iter().map(|r| r.id));
            match page.next {
                Some(c) => filter.after = Some(c),
                None => break,
            }
        }
        assert_eq!(seen, want, "{view:?}");
    }
}

#[tokio::test]
async fn a_senior_sees_their_teams_clients_at_every_tier_and_no_other_teams() {
    let d = desk(0).await;
    // a request of a Borealis client and one of Northwind (Atlas), both escalated to tier 2
    let ticket_at_tier_2 = |code: &'static str| {
        let d = &d;
        async move {
            let client: String = app::pool_run!(d.state.pool, c => sqlx::query_scalar(
                "SELECT u.email FROM users u JOIN organizations o ON o.id = u.org_id
                 WHERE o.code = $1 AND u.role = 'client' ORDER BY u.id LIMIT 1",
            )
            .bind(code)
            .fetch_one(c).await)
            .unwrap();
            let request = request("The VPN drops every hour", Urgency::Urgent);
            let number = tickets::raise(&d.state, &d.actor(&client).await, &request)
                .await
                .unwrap()
                .number
                .0;
            app::pool_run!(d.state.pool, c => sqlx::query("UPDATE tickets SET tier = 2 WHERE number = $1")
                .bind(number)
                .execute(c).await.map(|_| ()))
                .unwrap();
            number
        }
    };
    let alpine = ticket_at_tier_2("ASH").await;
    let northwind = ticket_at_tier_2(cast::CLIENT_ORG).await;
    let borealis_senior: String = app::pool_run!(d.state.pool, c => sqlx::query_scalar(
        "SELECT u.email FROM users u JOIN teams t ON t.id = u.team_id
         WHERE t.name = $1 AND u.role = 'senior' ORDER BY u.id LIMIT 1",
    )
    .bind(cast::OTHER_TEAM)
    .fetch_one(c).await)
    .unwrap();

    // Lee is Atlas's senior: Northwind's escalation is his, Alpine Ski House's is not
    assert!(view(&d, SENIOR, northwind).await.is_ok());
    assert_eq!(
        view(&d, SENIOR, alpine).await.unwrap_err().status(),
        404,
        "another team's client, even at his tier"
    );
    let lee = d.actor(SENIOR).await;
    let everything = tickets::queue_page(
        &d.state,
        &lee,
        &QueueFilter {
            q: Some(format!("HD-{alpine}")),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(everything.rows.is_empty());
    assert!(view(&d, &borealis_senior, alpine).await.is_ok());
}

#[tokio::test]
async fn an_internal_note_moves_only_the_staff_version_and_is_no_conflict_for_the_client() {
    let d = desk(0).await;
    let number = raise_as_client(&d, "Docking station drops the network").await;
    let ana = d.actor(ANALYST).await;
    let jo = d.actor(CLIENT).await;
    tickets::claim(&d.state, &ana, number, 1).await.unwrap();
    let seen_by_jo = view(&d, CLIENT, number).await.unwrap().ticket.version;
    assert_eq!(seen_by_jo, 2);
    tickets::reply(&d.state, &ana, number, 2, "Probably the firmware", false)
        .await
        .unwrap();
    assert_eq!(view(&d, ANALYST, number).await.unwrap().ticket.version, 3);
    assert_eq!(
        view(&d, CLIENT, number).await.unwrap().ticket.version,
        seen_by_jo,
        "nothing Jo can see changed"
    );
    // Jo answers from the page she had open: no conflict, and no hint of the note
    tickets::reply(
        &d.state,
        &jo,
        number,
        seen_by_jo,
        "It happens after lunch",
        true,
    )
    .await
    .unwrap();
    assert_eq!(view(&d, CLIENT, number).await.unwrap().ticket.version, 3);
    assert_eq!(view(&d, ANALYST, number).await.unwrap().ticket.version, 4);
    // a change Jo can see still guards her version
    tickets::set_priority(&d.state, &ana, number, 4, Priority::P3)
        .await
        .unwrap();
    let err = tickets::reply(&d.state, &jo, number, 3, "Still there", true)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 409);
}

/// A staff member's counts are what their lists hold: their team's clients' tickets, and those
/// of another client they take part in (claimed before their team stopped serving it), once.
#[tokio::test]
async fn counts_hold_the_tickets_a_person_takes_part_in_outside_their_clients() {
    let d = desk(60).await;
    let mine = raise_as_client(&d, "Docking station drops the second screen").await;
    let ana = d.actor(ANALYST).await;
    tickets::claim(&d.state, &ana, mine, 1).await.unwrap();
    let listed_and_counted = |who: app::backend::policy::Actor| {
        let d = &d;
        async move {
            let filter = QueueFilter::default();
            let mut numbers = Vec::new();
            let mut page = tickets::queue_page(&d.state, &who, &filter).await.unwrap();
            loop {
                numbers.extend(page.rows.iter().map(|r| r.number.0));
                let Some(after) = page.next else { break };
                let next = QueueFilter {
                    after: Some(after),
                    ..QueueFilter::default()
                };
                page = tickets::queue_page(&d.state, &who, &next).await.unwrap();
            }
            let counts = tickets::queue_counts(&d.state, &who, &filter)
                .await
                .unwrap();
            let active = counts
                .by_view
                .iter()
                .find(|(v, _)| *v == StatusView::Active)
                .unwrap()
                .1;
            (numbers, active)
        }
    };
    let (before, counted) = listed_and_counted(ana.clone()).await;
    assert!(before.contains(&mine));
    assert_eq!(counted, before.len() as i64);

    // her team no longer serves the client: of its tickets she keeps the one she took part in
    let other_team = d.team_id("Borealis").await;
    let ana_id = d.user_id(ANALYST).await;
    app::pool_run!(d.state.pool, c => sqlx::query("UPDATE users SET team_id = $1 WHERE id = $2")
        .bind(other_team)
        .bind(ana_id)
        .execute(c)
        .await
        .map(|_| ()))
    .unwrap();
    let moved = d.actor(ANALYST).await;
    let (after, counted) = listed_and_counted(moved).await;
    assert!(after.contains(&mine), "taken part in: still hers");
    assert_eq!(counted, after.len() as i64, "counted once, as listed");
    assert_ne!(after, before, "another team's clients");
}
