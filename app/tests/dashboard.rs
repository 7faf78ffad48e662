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
            .find(|c| c.org_code == "NWL")
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
    let v = dashboard::volume(&d.state, &manager, Some("NWL"))
        .await
        .unwrap();
    assert_eq!(v.label, "Northwind Logistics");
}
