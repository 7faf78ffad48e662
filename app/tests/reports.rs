//! Reports against a real SQLite file: figures on a small desk worked through the real lifecycle
//! with a controlled clock, scope per role, and bad periods refused.

#![cfg(feature = "ssr")]

mod support;

use app::backend::policy::Actor;
use app::backend::{reports, tickets};
use app::model::reports::{format_day, ReportParams};
use app::model::ticket::NewTicket;
use app::model::time::DAY;
use app::model::Urgency;
use support::*;

fn today(d: &Desk) -> String {
    format_day(d.state.now().div_euclid(DAY))
}

/// Raises a request as `requester` and has `analyst` claim it; returns its number.
async fn raise_claimed(
    d: &Desk,
    requester: &Actor,
    analyst: &Actor,
    urgency: Urgency,
    problem: &str,
) -> i64 {
    let request = NewTicket {
        urgency: Some(urgency),
        problem: problem.into(),
        ..Default::default()
    };
    let n = tickets::raise(&d.state, requester, &request)
        .await
        .unwrap()
        .number
        .0;
    tickets::claim(&d.state, analyst, n, 1).await.unwrap();
    n
}

fn day_params(day: &str) -> ReportParams {
    ReportParams {
        from: Some(day.into()),
        to: Some(day.into()),
        client: None,
    }
}

#[tokio::test]
async fn the_desk_report_and_scorecards_follow_the_work_done() {
    let d = desk(0).await;
    // start at a whole hour so the clock stays inside one UTC day
    let start = (NOW / DAY) * DAY + 9 * 3600;
    d.clock.set(start);
    let jo = d.actor(CLIENT).await;
    let ana = d.actor(ANALYST).await;
    let raise = |problem: &'static str| NewTicket {
        urgency: Some(Urgency::NotUrgent),
        problem: problem.into(),
        ..Default::default()
    };
    app::backend::shifts::start_shift(&d.state, &ana)
        .await
        .unwrap();
    let a = tickets::raise(&d.state, &jo, &raise("Laptop fan is loud"))
        .await
        .unwrap()
        .number
        .0;
    let b = tickets::raise(&d.state, &jo, &raise("Mouse double-clicks"))
        .await
        .unwrap()
        .number
        .0;
    tickets::claim(&d.state, &ana, a, 1).await.unwrap();
    tickets::claim(&d.state, &ana, b, 1).await.unwrap();
    d.clock.advance(600);
    tickets::reply(&d.state, &ana, a, 2, "Looking at it", true)
        .await
        .unwrap();
    d.clock.advance(1200);
    tickets::reply(&d.state, &ana, b, 2, "New mouse on its way", true)
        .await
        .unwrap();
    d.clock.advance(1800);
    tickets::resolve(&d.state, &ana, a, 3, "Cleaned the fan")
        .await
        .unwrap();
    tickets::rate(&d.state, &jo, a, 4, 4, None).await.unwrap();

    let day = today(&d);
    let r = reports::desk(&d.state, &d.actor(MANAGER).await, &day_params(&day))
        .await
        .unwrap();
    assert_eq!((r.raised, r.resolved), (2, 1));
    assert_eq!(r.per_day.len(), 1);
    assert_eq!(r.per_day[0].count, 2);
    assert_eq!(
        r.first_response.median,
        Some(600),
        "10 and 30 minutes: nearest-rank median"
    );
    assert_eq!(r.first_response.p90, Some(1800));
    assert_eq!(r.resolution.median, Some(3600));
    assert_eq!(r.response_attainment, Some(100.0));
    assert_eq!((r.csat, r.ratings), (Some(4.0), 1));
    assert_eq!(r.heat_map[app::model::reports::weekday(start)][9], 2);

    // Ana's card for the week, with her team's median beside it
    let page = reports::scorecards(&d.state, &ana, Some(&day), None)
        .await
        .unwrap();
    assert_eq!(page.cards.len(), 1, "an analyst sees only her own card");
    let card = &page.cards[0];
    assert_eq!(card.name, cast::ANALYST_NAME);
    assert_eq!((card.handled, card.resolved), (2, 1));
    assert_eq!(card.median_resolution, Some(3600));
    assert_eq!(card.csat, Some(4.0));
    assert_eq!(
        (card.shifts, card.shift_secs),
        (1, 3600),
        "her running shift, so far"
    );
    assert!(page.team_medians.iter().any(|m| m.team == cast::TEAM));
}

#[tokio::test]
async fn scorecards_and_reports_stay_within_what_the_viewer_may_see() {
    let d = desk(300).await;
    let lead = reports::scorecards(&d.state, &d.actor(LEAD).await, None, None)
        .await
        .unwrap();
    assert!(lead.cards.len() > 1);
    assert!(
        lead.cards
            .iter()
            .all(|c| c.team.as_deref() == Some(cast::TEAM)),
        "a lead sees her team"
    );
    let manager = reports::scorecards(&d.state, &d.actor(MANAGER).await, None, None)
        .await
        .unwrap();
    assert!(manager.cards.len() > lead.cards.len());

    let ben = d.user_id(OTHER_ANALYST).await;
    for who in [ANALYST, LEAD] {
        let err = reports::scorecards(&d.state, &d.actor(who).await, None, Some(ben))
            .await
            .unwrap_err();
        assert_eq!(err.status(), 403, "{who} asking for another team's card");
    }
    assert!(
        reports::scorecards(&d.state, &d.actor(MANAGER).await, None, Some(ben))
            .await
            .is_ok()
    );
    for who in [CLIENT, CLIENT_ADMIN, ADMIN] {
        let err = reports::desk(&d.state, &d.actor(who).await, &ReportParams::default())
            .await
            .unwrap_err();
        assert_eq!(err.status(), 403, "{who}");
    }

    // an analyst's report covers only the clients her team serves
    let ana = d.actor(ANALYST).await;
    let mine = reports::desk(&d.state, &ana, &ReportParams::default())
        .await
        .unwrap();
    let all = reports::desk(&d.state, &d.actor(MANAGER).await, &ReportParams::default())
        .await
        .unwrap();
    assert!(mine.raised < all.raised);
    assert!(mine.clients.len() < all.clients.len());
    let not_served = all
        .clients
        .iter()
        .find(|c| !mine.clients.contains(c))
        .map(|(code, _)| code.clone());
    let foreign = ReportParams {
        client: not_served,
        ..Default::default()
    };
    assert_eq!(
        reports::desk(&d.state, &ana, &foreign)
            .await
            .unwrap_err()
            .status(),
        422
    );
}

#[tokio::test]
async fn bad_periods_get_a_clear_4xx() {
    let d = desk(0).await;
    let lead = d.actor(LEAD).await;
    let cases = [
        (Some("2026-11-20"), Some("2026-11-01"), 422, "swap"),
        (Some("2020-01-01"), Some("2026-01-01"), 422, "at most"),
        (Some("yesterday"), None, 400, "not a date"),
        (Some("2026-02-30"), None, 400, "not a date"),
    ];
    for (from, to, status, words) in cases {
        let params = ReportParams {
            from: from.map(str::to_string),
            to: to.map(str::to_string),
            client: None,
        };
        let err = reports::desk(&d.state, &lead, &params).await.unwrap_err();
        assert_eq!(err.status(), status, "{from:?} {to:?}");
        assert!(err.to_string().contains(words), "{err}");
    }
    let err = reports::scorecards(&d.state, &lead, Some("next week"), None)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 400);
    let err = reports::scorecards(&d.state, &lead, Some("2099-01-01"), None)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 422);
}

#[tokio::test]
async fn recurring_problems_group_alike_tickets_within_scope() {
    let d = desk(0).await;
    let jo = d.actor(CLIENT).await;
    let kim = d.actor(OTHER_CLIENT).await;
    for (who, problem) in [
        (&jo, "Badge reader at the side door is dead"),
        (&jo, "Badge reader rejects my card"),
        (&kim, "Badge reader beeps twice and stays locked"),
        (&kim, "Teams camera is black"),
    ] {
        let request = NewTicket {
            urgency: Some(Urgency::NotUrgent),
            problem: problem.into(),
            ..Default::default()
        };
        tickets::raise(&d.state, who, &request).await.unwrap();
    }
    let groups = reports::recurring_problems(&d.state, &d.actor(MANAGER).await)
        .await
        .unwrap();
    let badge = groups
        .iter()
        .find(|g| g.tickets.len() == 3 && (g.term == "badge" || g.term == "reader"))
        .expect("the three badge reader tickets are one problem");
    assert_eq!(badge.clients.len(), 2, "seen across clients");
    for who in [CLIENT, ADMIN] {
        let err = reports::recurring_problems(&d.state, &d.actor(who).await)
            .await
            .unwrap_err();
        assert_eq!(err.status(), 403);
    }
}

#[tokio::test]
async fn the_backlog_and_business_hours_on_a_hand_made_week() {
    let d = desk(0).await;
    let jo = d.actor(CLIENT).await;
    let ana = d.actor(ANALYST).await;
    let h = 3600;
    // Friday 2026-11-20 00:00 UTC; Northwind works 8:00-18:00 Chicago time (UTC-6), Mon-Fri
    let friday = app::model::reports::parse_day("2026-11-20").unwrap() * DAY;
    let raise_at = async |at: i64, problem: &'static str| {
        d.clock.set(at);
        raise_claimed(&d, &jo, &ana, Urgency::NotUrgent, problem).await
    };
    // open since the day before the period, never resolved
    raise_at(friday - 10 * h, "Scanner on floor 3 is offline").await;
    // raised Friday 16:00 Chicago
    let a = raise_at(friday + 22 * h, "Shared drive asks for a password").await;
    let b = raise_at(friday + 22 * h, "Calendar invites arrive twice").await;
    // B resolved Saturday: 2 business hours (Friday 16:00-18:00), 17 hours of wall clock
    d.clock.set(friday + DAY + 15 * h);
    tickets::resolve(&d.state, &ana, b, 2, "Removed the duplicate rule")
        .await
        .unwrap();
    // A resolved Monday 10:00 Chicago: 4 business hours, 66 of wall clock
    d.clock.set(friday + 3 * DAY + 16 * h);
    tickets::resolve(&d.state, &ana, a, 2, "Reset the mapping")
        .await
        .unwrap();
    raise_at(friday + 3 * DAY + 17 * h, "Projector in room 2 flickers").await;

    let params = ReportParams {
        from: Some("2026-11-20".into()),
        to: Some("2026-11-23".into()),
        client: None,
    };
    let r = reports::desk(&d.state, &d.actor(MANAGER).await, &params)
        .await
        .unwrap();
    assert_eq!((r.raised, r.resolved), (3, 2));
    assert_eq!(
        r.backlog
            .iter()
            .map(|c| (c.label.as_str(), c.count))
            .collect::<Vec<_>>(),
        vec![
            ("2026-11-20", 3),
            ("2026-11-21", 2),
            ("2026-11-22", 2),
            ("2026-11-23", 2)
        ]
    );
    assert_eq!(
        (r.resolution.median, r.resolution.p90),
        (Some(17 * h), Some(66 * h))
    );
    assert_eq!(
        (r.resolution_business.median, r.resolution_business.p90),
        (Some(2 * h), Some(4 * h))
    );
    // a client filter narrows the backlog too
    let other = ReportParams {
        client: Some(cast::OTHER_CLIENT_ORG.into()),
        ..params
    };
    let r = reports::desk(&d.state, &d.actor(MANAGER).await, &other)
        .await
        .unwrap();
    assert!(r.backlog.iter().all(|c| c.count == 0));
}

#[tokio::test]
async fn a_recurring_group_becomes_a_problem_record_on_each_tickets_timeline() {
    use app::backend::problems;
    use app::model::problems::NewProblem;
    use app::model::TicketNumber;
    let d = desk(0).await;
    let jo = d.actor(CLIENT).await;
    let kim = d.actor(OTHER_CLIENT).await;
    let mut numbers = Vec::new();
    for (who, problem) in [
        (&jo, "Badge reader at the side door is dead"),
        (&jo, "Badge reader rejects my card"),
        (&kim, "Badge reader beeps twice and stays locked"),
    ] {
        let request = NewTicket {
            urgency: Some(Urgency::NotUrgent),
            problem: problem.into(),
            ..Default::default()
        };
        numbers.push(
            tickets::raise(&d.state, who, &request)
                .await
                .unwrap()
                .number,
        );
    }
    let new = |title: &str, tickets: &[TicketNumber]| NewProblem {
        title: title.into(),
        note: "Reader firmware 2.1 on every site".into(),
        tickets: tickets.to_vec(),
    };
    let events = || d.scalar("SELECT COUNT(*) FROM ticket_events WHERE kind = 'problem_linked'");
    let records = || d.scalar("SELECT COUNT(*) FROM problems");

    // refused, and nothing written: wrong role, bad input, unknown ticket
    let lead = d.actor(LEAD).await;
    for who in [ANALYST, SENIOR, CLIENT, ADMIN] {
        let err = problems::record(
            &d.state,
            &d.actor(who).await,
            &new("Badge readers", &numbers),
        )
        .await
        .unwrap_err();
        assert_eq!(err.status(), 403, "{who}");
    }
    let err = problems::record(&d.state, &lead, &new("  ", &numbers))
        .await
        .unwrap_err();
    assert_eq!(err.status(), 422);
    let err = problems::record(&d.state, &lead, &new("Badge readers", &[]))
        .await
        .unwrap_err();
    assert_eq!(err.status(), 422);
    let mut unknown = numbers.clone();
    unknown.push(TicketNumber(999_999));
    let err = problems::record(&d.state, &lead, &new("Badge readers", &unknown))
        .await
        .unwrap_err();
    assert_eq!(err.status(), 404);
    assert!(err.to_string().contains("HD-999999"), "{err}");
    assert_eq!((records().await, events().await), (0, 0));

    let mut live = d.state.live.subscribe().events;
    let pr = problems::record(&d.state, &lead, &new(" Badge readers ", &numbers))
        .await
        .unwrap();
    assert_eq!((records().await, events().await), (1, 3));
    // open pages of the three tickets hear of the new step
    let mut heard = Vec::new();
    while let Ok(event) = live.try_recv() {
        assert_eq!(event.kind, app::model::live::LiveKind::Noted);
        heard.push(event.number);
    }
    heard.sort();
    assert_eq!(heard, numbers.iter().map(|n| n.0).collect::<Vec<_>>());

    // the record lists its tickets; each ticket's timeline says it belongs to the problem
    let list = problems::list(&d.state, &d.actor(MANAGER).await)
        .await
        .unwrap();
    assert!(list.may_record);
    assert_eq!(list.problems.len(), 1);
    let p = &list.problems[0];
    assert_eq!((p.number, p.title.as_str()), (pr, "Badge readers"));
    assert_eq!(p.created_by, lead.name);
    assert_eq!(p.tickets.len(), 3);
    let ana = d.actor(ANALYST).await;
    let view = tickets::ticket_view(&d.state, &ana, numbers[0].0)
        .await
        .unwrap();
    let line = format!("linked the ticket to problem {pr} “Badge readers”");
    assert!(
        view.timeline.iter().any(|e| e.summary == line && !e.public),
        "{:?}",
        view.timeline
    );
    // the requester does not see the internal step
    let view = tickets::ticket_view(&d.state, &jo, numbers[0].0)
        .await
        .unwrap();
    assert!(view.timeline.iter().all(|e| e.summary != line));

    // analysts read records, but may not record; one whose team serves none of the problem's
    // clients does not see it at all
    let mine = problems::list(&d.state, &ana).await.unwrap();
    assert!(!mine.may_record);
    assert_eq!(
        mine.problems[0].tickets.len(),
        3,
        "Atlas serves NWL and CHC"
    );
    let ben = problems::list(&d.state, &d.actor(OTHER_ANALYST).await)
        .await
        .unwrap();
    assert!(ben.problems.is_empty());
    let err = problems::list(&d.state, &jo).await.unwrap_err();
    assert_eq!(err.status(), 403);
}

/// Rollups kept up to date change by change read the same as rollups rebuilt from every ticket:
/// over several days of raising, answering, resolving, reopening (which moves a resolution's
/// day), rating, recategorizing, reprioritizing and SLA breaches, with reports read in between.
#[tokio::test]
async fn rollups_kept_change_by_change_match_a_rebuild_from_every_ticket() {
    use app::backend::sla_engine;
    use app::model::Priority;
    let d = desk(200).await;
    let jo = d.actor(CLIENT).await;
    let ana = d.actor(ANALYST).await;
    let manager = d.actor(MANAGER).await;
    let first_day = today(&d);
    let read = async || {
        let all = reports::desk(&d.state, &manager, &ReportParams::default())
            .await
            .unwrap();
        let one = ReportParams {
            client: Some(cast::CLIENT_ORG.into()),
            ..Default::default()
        };
        let one = reports::desk(&d.state, &manager, &one).await.unwrap();
        // the scorecards of this week and of the first day's, from the analysts' rollups
        let cards = reports::scorecards(&d.state, &manager, None, None)
            .await
            .unwrap();
        let first_week = reports::scorecards(&d.state, &manager, Some(&first_day), None)
            .await
            .unwrap();
        (all, one, cards, first_week)
    };
    let mut numbers = Vec::new();
    for problem in [
        "VPN drops hourly",
        "Printer jams",
        "Outlook asks for a password",
    ] {
        numbers.push(raise_claimed(&d, &jo, &ana, Urgency::Urgent, problem).await);
    }
    let [a, b, c] = numbers[..] else {
        unreachable!()
    };
    d.clock.advance(1800);
    tickets::reply(&d.state, &ana, a, 2, "On it", true)
        .await
        .unwrap();
    let a_resolved = tickets::resolve(&d.state, &ana, a, 3, "Replaced the token")
        .await
        .unwrap();
    read().await;

    // the next day: A is reopened, B recategorized, reprioritized and resolved, C left to breach
    d.clock.advance(DAY);
    let reopened = tickets::reopen(&d.state, &jo, a, a_resolved.version, Some("Still drops"))
        .await
        .unwrap();
    let category: i64 = d.scalar("SELECT MIN(id) FROM categories").await;
    let v = tickets::set_category(&d.state, &ana, b, 2, category)
        .await
        .unwrap()
        .version;
    let v = tickets::set_priority(&d.state, &ana, b, v, Priority::P1)
        .await
        .unwrap()
        .version;
    let b_resolved = tickets::resolve(&d.state, &ana, b, v, "Cleared the tray")
        .await
        .unwrap();
    sla_engine::raise_due(&d.state).await.unwrap();
    read().await;

    // the day after, B is reopened: the day it was resolved no longer closes it
    d.clock.advance(DAY);
    tickets::reopen(&d.state, &jo, b, b_resolved.version, Some("Jams again"))
        .await
        .unwrap();
    read().await;

    // a day on: A resolved again and rated, and an old seeded ticket resolved
    d.clock.advance(DAY);
    let v = tickets::resolve(&d.state, &ana, a, reopened.version, "New VPN profile")
        .await
        .unwrap()
        .version;
    tickets::rate(&d.state, &jo, a, v, 5, None).await.unwrap();
    let old: i64 = d
        .scalar(&format!(
            "SELECT MIN(number) FROM tickets WHERE resolved_at IS NULL AND number NOT IN ({a}, {b}, {c})"
        ))
        .await;
    let old_version: i64 = d
        .scalar(&format!("SELECT version FROM tickets WHERE number = {old}"))
        .await;
    tickets::resolve(&d.state, &manager, old, old_version, "Fixed long ago")
        .await
        .unwrap();
    let kept = read().await;

    app::pool_run!(d.state.pool, c => sqlx::query("DELETE FROM report_days")
        .execute(c).await.map(|_| ()))
    .unwrap();
    app::pool_run!(d.state.pool, c => sqlx::query(
        "INSERT INTO report_days_stale (org_id, day)
         SELECT org_id, created_at / 86400 FROM tickets
         UNION SELECT org_id, resolved_at / 86400 FROM tickets WHERE resolved_at IS NOT NULL
         ON CONFLICT (org_id, day) DO NOTHING",
    )
    .execute(c).await.map(|_| ()))
    .unwrap();
    app::pool_run!(d.state.pool, c => sqlx::query("DELETE FROM analyst_days")
        .execute(c).await.map(|_| ()))
    .unwrap();
    app::pool_run!(d.state.pool, c => sqlx::query(
        "INSERT INTO analyst_days_stale (assignee_id, day)
         SELECT assignee_id, created_at / 86400 FROM tickets WHERE assignee_id IS NOT NULL
         UNION SELECT assignee_id, resolved_at / 86400 FROM tickets
             WHERE assignee_id IS NOT NULL AND resolved_at IS NOT NULL
         UNION SELECT assignee_id, first_response_at / 86400 FROM tickets
             WHERE assignee_id IS NOT NULL AND first_response_at IS NOT NULL
         ON CONFLICT (assignee_id, day) DO NOTHING",
    )
    .execute(c).await.map(|_| ()))
    .unwrap();
    let rebuilt = read().await;
    assert_eq!(kept, rebuilt);

    let (all, _, cards, _) = kept;
    let ana_card = cards
        .cards
        .iter()
        .find(|c| c.analyst_id == ana.id)
        .expect("Ana's card");
    assert!(
        ana_card.resolved >= 1 && ana_card.handled >= ana_card.resolved,
        "A was resolved again this week: {ana_card:?}"
    );
    assert_eq!(all.raised as i64, {
        let from = all.query.start();
        d.scalar(&format!(
            "SELECT COUNT(*) FROM tickets WHERE created_at >= {from}"
        ))
        .await
    });
    let open_now = d
        .scalar("SELECT COUNT(*) FROM tickets WHERE resolved_at IS NULL")
        .await;
    assert_eq!(all.backlog.last().map(|c| c.count as i64), Some(open_now));
    // the demo history's ratings and the one given above, each counted on the day its ticket
    // was raised
    let rated = d
        .scalar(&format!(
            "SELECT COUNT(*) FROM ticket_ratings r JOIN tickets t ON t.id = r.ticket_id
             WHERE t.created_at >= {}",
            all.query.start()
        ))
        .await;
    assert!(rated > 1);
    assert_eq!((all.ratings as i64, all.csat.is_some()), (rated, true));
}
