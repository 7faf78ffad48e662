//! The ops dashboard's figures on a real desk.

#![cfg(feature = "ssr")]

mod support;

use app::backend::{dashboard, tickets};
use app::model::ticket::NewTicket;
use app::model::Urgency;
use support::*;

#[tokio::test]
async fn a_new_ticket_shows_in_its_clients_row_and_only_leads_and_managers_see_it() {
    let d = desk(500).await;
    let manager = d.actor(MANAGER).await;
    let before = dashboard::dashboard(&d.state, &manager).await.unwrap();
    let nwl = |dash: &app::model::dashboard::Dashboard| {
        dash.clients
            .iter()
            .find(|c| c.org_code == cast::CLIENT_ORG)
            .unwrap()
            .clone()
    };
    let jo = d.actor(CLIENT).await;
    let ticket = NewTicket {
        urgency: Some(Urgency::Urgent),
        problem: "Router lights are red".into(),
        ..Default::default()
    };
    tickets::raise(&d.state, &jo, &ticket).await.unwrap();
    let after = dashboard::dashboard(&d.state, &manager).await.unwrap();
    assert_eq!(nwl(&after).open, nwl(&before).open + 1);
    assert_eq!(nwl(&after).unassigned, nwl(&before).unassigned + 1);
    assert_eq!(
        nwl(&after).arrivals_last_hour,
        nwl(&before).arrivals_last_hour + 1
    );
    assert_eq!(after.clients.len(), 22);
    let tier_total: i64 = after.workload.tiers.iter().sum();
    let open_total: i64 = after.clients.iter().map(|c| c.open).sum();
    assert_eq!(tier_total, open_total, "tier counts cover all open work");
    assert_eq!(after.volume.hourly.len(), 24);
    assert_eq!(after.volume.daily.len(), 7);
    assert!(
        after.volume.hourly[23] >= 1,
        "this hour's arrival is counted"
    );

    assert!(dashboard::dashboard(&d.state, &d.actor(LEAD).await)
        .await
        .is_ok());
    for email in [ANALYST, SENIOR, CLIENT, CLIENT_ADMIN, ADMIN] {
        let err = dashboard::dashboard(&d.state, &d.actor(email).await)
            .await
            .unwrap_err();
        assert_eq!(err.status(), 403, "{email}");
    }
    let err = dashboard::volume(&d.state, &manager, Some("NOPE"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), 422);
    let v = dashboard::volume(&d.state, &manager, Some(cast::CLIENT_ORG))
        .await
        .unwrap();
    assert_eq!(v.label, cast::CLIENT_ORG_NAME);
}

/// The dashboard's aggregates (each shaped to stream in index order) agree with a plain reading
/// of every ticket, at several instants so that warnings, breaches and windows all move.
#[tokio::test]
async fn the_aggregates_match_a_plain_reading_of_the_tickets() {
    use app::backend::repo::dashboard as q;
    use app::model::time::{DAY, HOUR};
    use std::collections::BTreeMap;

    let d = desk(3000).await;
    let mut conn = d.state.pool.acquire().await.unwrap();
    type Row = (i64, i64, Option<i64>, i64, i64, Option<i64>, i64, i64, i64);
    type Resolved = (i64, i64, bool);
    type Groups = BTreeMap<(i64, Option<i64>, i64), (i64, i64, i64, i64)>;
    let (tickets, resolved, orgs): (Vec<Row>, Vec<Resolved>, Vec<i64>) = app::db_run!(&mut conn, c => {
        let tickets = sqlx::query_as(
            "SELECT id, org_id, assignee_id, tier, status_rank, sla_paused_at, next_warn_at,
                    next_due_at, created_at FROM tickets",
        )
        .fetch_all(&mut *c)
        .await
        .unwrap();
        let resolved = sqlx::query_as(
            "SELECT org_id, resolved_at, response_breached OR resolution_breached FROM tickets
             WHERE resolved_at IS NOT NULL",
        )
        .fetch_all(&mut *c)
        .await
        .unwrap();
        let orgs = sqlx::query_scalar("SELECT id FROM organizations")
            .fetch_all(&mut *c)
            .await
            .unwrap();
        (tickets, resolved, orgs)
    });
    assert!(
        tickets.iter().any(|t| t.4 == 1 && t.5.is_some()),
        "some paused"
    );
    assert!(
        tickets.iter().any(|t| t.4 == 0 && t.2.is_none()),
        "some unassigned"
    );

    for now in [NOW, NOW - 5 * HOUR, NOW + 3 * HOUR, NOW + 2 * DAY] {
        // open work per (client, assignee, tier)
        let mut want = Groups::new();
        for &(_, org, assignee, tier, rank, paused, warn, due, created) in &tickets {
            if rank > 1 {
                continue;
            }
            let g = want
                .entry((org, assignee, tier))
                .or_insert((0, 0, 0, i64::MAX));
            g.0 += 1;
            let running = paused.is_none();
            g.1 += i64::from(running && due > now && warn <= now);
            g.2 += i64::from(running && due <= now);
            g.3 = g.3.min(created);
        }
        let got: BTreeMap<_, _> = q::open_groups(&mut conn, now)
            .await
            .unwrap()
            .into_iter()
            .map(|g| {
                (
                    (g.org_id, g.assignee_id, g.tier),
                    (g.open, g.at_risk, g.breached, g.oldest),
                )
            })
            .collect();
        assert_eq!(got, want, "open groups at {now}");

        // the next running target per client: the earliest due after now (lowest id on a tie)
        let mut want: BTreeMap<i64, (i64, i64, i64)> = BTreeMap::new();
        for &(id, org, _, _, rank, paused, warn, due, _) in &tickets {
            if rank <= 1 && paused.is_none() && due > now {
                let best = want.entry(org).or_insert((due, id, warn));
                if (due, id) < (best.0, best.1) {
                    *best = (due, id, warn);
                }
            }
        }
        let want: BTreeMap<i64, (i64, i64)> = want
            .into_iter()
            .map(|(o, (due, _, warn))| (o, (due, warn)))
            .collect();
        let got: BTreeMap<i64, (i64, i64)> = q::next_dues(&mut conn, now)
            .await
            .unwrap()
            .into_iter()
            .map(|(o, due, warn)| (o, (due, warn)))
            .collect();
        assert_eq!(got, want, "next dues at {now}");
        assert!(!got.is_empty());

        // resolutions and attainment over a day and a week
        for since in [now - DAY, now - 7 * DAY] {
            let mut want: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
            for &(org, at, breached) in &resolved {
                if at > since {
                    let r = want.entry(org).or_default();
                    r.0 += 1;
                    r.1 += i64::from(!breached);
                }
            }
            let got: BTreeMap<i64, (i64, i64)> = q::resolutions(&mut conn, since)
                .await
                .unwrap()
                .into_iter()
                .map(|(o, r, m)| (o, (r, m)))
                .collect();
            assert_eq!(got, want, "resolutions since {since}");
        }

        // arrivals in hourly and daily buckets, for the desk and for each client
        for (from, width, buckets) in [(now - 23 * HOUR, HOUR, 24), (now - 6 * DAY, DAY, 7)] {
            for org in std::iter::once(None).chain(orgs.iter().copied().map(Some)) {
                let mut want = vec![0i64; buckets];
                for &(_, o, .., created) in &tickets {
                    if created >= from && org.is_none_or(|org| org == o) {
                        if let Some(n) = want.get_mut(((created - from) / width) as usize) {
                            *n += 1;
                        }
                    }
                }
                let got = q::volume(&mut conn, from, width, buckets as i64, org)
                    .await
                    .unwrap();
                assert_eq!(got, want, "volume from {from} by {width} for {org:?}");
            }
        }
    }
}
