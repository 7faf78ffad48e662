//! The claim race over HTTP against the real server binary: fifty signed-in staff sessions claim
//! one new ticket at the same instant. Exactly one claim wins; every other one is refused with a
//! 409 that names who has the ticket, and the database holds one claim by the winner.

mod real_server;

use real_server::{seeded_desk, Server, CLIENT, LEAD, MANAGER};
use std::sync::Arc;

const SESSIONS: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_claims_one_winner() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = seeded_desk(dir.path(), 20);
    let server = Server::start(dir.path(), &url).await;
    let pool = app::backend::db::connect(&url)
        .await
        .expect("open the desk");

    // Jo raises a ticket; nobody is on it yet
    let jo = server.session(CLIENT).await;
    let res = server
        .post(
            &jo,
            "raise_ticket",
            &[
                ("ticket[urgency]", "not_urgent"),
                ("ticket[problem]", "The meeting room screen shows no signal"),
            ],
        )
        .send()
        .await
        .expect("raise");
    assert_eq!(res.status(), 200, "raise: {}", res.text().await.unwrap());
    let number: i64 = res.json().await.expect("the new ticket's number");
    let (tier, org_id): (i64, i64) =
        app::pool_run!(pool, c => sqlx::query_as("SELECT tier, org_id FROM tickets WHERE number = ?")
            .bind(number)
            .fetch_one(c).await)
            .expect("the ticket");

    // staff who may claim it: the analysts and seniors of the team serving the client who work
    // its tier, the team's lead and the ops manager
    let mut claimers: Vec<(String, i64, String)> = app::pool_run!(pool, c => sqlx::query_as(
        "SELECT u.email, u.id, u.name FROM users u
         WHERE u.active AND (
             u.email IN (?, ?)
             OR (u.role IN ('analyst', 'senior') AND COALESCE(u.tier, 1) >= ?
                 AND u.team_id IN (SELECT team_id FROM team_orgs WHERE org_id = ?)
                 AND u.team_id = (SELECT team_id FROM users WHERE email = ?)))
         ORDER BY u.email",
    )
    .bind(LEAD)
    .bind(MANAGER)
    .bind(tier)
    .bind(org_id)
    .bind(LEAD)
    .fetch_all(c).await)
    .expect("the staff");
    assert!(
        claimers.len() >= 5,
        "Atlas analysts, seniors, its lead and the manager: {claimers:?}"
    );
    claimers.sort();

    // fifty sessions, several per person, each with its own cookie and connections; signed in
    // one after another (a burst of sign-ins from one address is what the sign-in limit stops)
    let mut sessions = Vec::with_capacity(SESSIONS);
    for i in 0..SESSIONS {
        let (email, id, name) = claimers[i % claimers.len()].clone();
        sessions.push((server.session(&email).await, email, id, name));
    }

    // the version every claimer saw, read as staff see it
    let res = server
        .post(&sessions[0].0, "ticket", &[("number", &number.to_string())])
        .send()
        .await
        .expect("read the ticket");
    assert_eq!(res.status(), 200);
    let view: serde_json::Value = res.json().await.expect("ticket view");
    let version = view["ticket"]["version"].as_i64().expect("ticket.version");
    let stored: i64 = app::pool_run!(pool, c => sqlx::query_scalar("SELECT version FROM tickets WHERE number = ?")
        .bind(number)
        .fetch_one(c).await)
        .expect("version");
    assert_eq!(version, stored);

    // every request is built and its connection open; they all go at once
    let start = Arc::new(tokio::sync::Barrier::new(SESSIONS));
    let claims: Vec<_> = sessions
        .iter()
        .map(|(client, email, id, _)| {
            let request = server.post(
                client,
                "claim_ticket",
                &[
                    ("number", &number.to_string()),
                    ("version", &version.to_string()),
                ],
            );
            let start = start.clone();
            let (email, id) = (email.clone(), *id);
            tokio::spawn(async move {
                start.wait().await;
                let res = request.send().await.expect("claim");
                let status = res.status().as_u16();
                (email, id, status, res.text().await.unwrap_or_default())
            })
        })
        .collect();
    let mut answers = Vec::with_capacity(SESSIONS);
    for claim in claims {
        answers.push(claim.await.expect("claim task"));
    }

    let winners: Vec<_> = answers.iter().filter(|a| a.2 == 200).collect();
    assert_eq!(
        winners.len(),
        1,
        "exactly one claim wins: {:?}",
        answers
            .iter()
            .map(|(email, _, status, body)| format!("{email}: {status} {body}"))
            .collect::<Vec<_>>()
    );
    let (winner_email, winner_id, _, _) = winners[0].clone();
    let winner_name = &claimers
        .iter()
        .find(|c| c.0 == winner_email)
        .expect("the winner is a claimer")
        .2;
    for (email, _, status, body) in answers.iter().filter(|a| a.2 != 200) {
        assert_eq!(*status, 409, "{email} lost the race: {body}");
        let error: serde_json::Value = serde_json::from_str(body).expect("a JSON error");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(
            error["kind"] == "conflict" && message.contains(winner_name.as_str()),
            "the refusal to {email} names who has the ticket ({winner_name}): {body}"
        );
    }

    // one Claimed step, by the winner, who is the assignee; the ticket moved on by one version
    let claims: Vec<(Option<i64>,)> = app::pool_run!(pool, c => sqlx::query_as(
        "SELECT e.actor_id FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
         WHERE t.number = ? AND e.kind = 'claimed'",
    )
    .bind(number)
    .fetch_all(c).await)
    .expect("claim events");
    assert_eq!(claims, vec![(Some(winner_id),)], "one Claimed event");
    let (assignee, status, now_version): (Option<i64>, String, i64) =
        app::pool_run!(pool, c => sqlx::query_as("SELECT assignee_id, status, version FROM tickets WHERE number = ?")
            .bind(number)
            .fetch_one(c).await)
            .expect("the ticket");
    assert_eq!(assignee, Some(winner_id), "the winner has the ticket");
    assert_eq!(status, "open");
    assert_eq!(now_version, version + 1, "one change was saved");
    let staff_on_it: Vec<i64> = app::pool_run!(pool, c => sqlx::query_scalar(
        "SELECT p.user_id FROM ticket_participants p JOIN tickets t ON t.id = p.ticket_id
         WHERE t.number = ? AND p.user_id <> t.requester_id",
    )
    .bind(number)
    .fetch_all(c).await)
    .expect("participants");
    assert_eq!(
        staff_on_it,
        vec![winner_id],
        "only the winner joined the ticket"
    );
    pool.close().await;
}
