//! Crash safety: the real server binary takes concurrent writes of every kind and is killed with
//! SIGKILL at arbitrary moments, round after round over one database. After every kill the
//! database is opened again as a restarted server opens it, and:
//!
//! - every write the server acknowledged is there, found by its own data: each raised ticket
//!   with its problem, each claim, public reply, resolution and rating, each attached file (its
//!   record and its bytes on disk), each canned response and organization change an
//!   administrator made (with its audit entry);
//! - SQLite's integrity and foreign-key checks pass;
//! - the outbox agrees with the tickets: every message about a ticket belongs to an existing
//!   ticket and to the step that wrote it, and every reply and resolution the requester must be
//!   told of (since the test began: the seeded history sent no mail) has its message;
//! - the report rollups, brought up to date from their stale marks, equal rollups rebuilt from
//!   every ticket (the check `app/tests/reports.rs` makes in process);
//!
//! and the server starts again on the file. Rounds: 5 (`make test`); set `CRASH_ROUNDS` to run
//! more, as `make bench` or a nightly job may (`CRASH_ROUNDS=20`).

mod real_server;

use real_server::{cast, seeded_desk, Api, Server, ADMIN, ANALYST, CLIENT};
use std::collections::VecDeque;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const DEFAULT_ROUNDS: u64 = 5;
/// Writers that only raise tickets, beside one writer of each other kind.
const RAISERS: usize = 2;

fn rounds() -> u64 {
    match std::env::var("CRASH_ROUNDS") {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("CRASH_ROUNDS is a number of rounds, not {v:?}")),
        Err(_) => DEFAULT_ROUNDS,
    }
}

/// What the server acknowledged (answered 200 to), by the data that identifies each write.
#[derive(Default, Debug, Clone)]
struct Acked {
    /// Ticket number and its problem text.
    raised: Vec<(i64, String)>,
    /// Tickets the analyst claimed.
    claimed: Vec<i64>,
    /// Ticket number and the reply's text.
    replies: Vec<(i64, String)>,
    /// Ticket number and the resolution note.
    resolutions: Vec<(i64, String)>,
    /// Ticket number and the rating's comment.
    ratings: Vec<(i64, String)>,
    /// Attachment id, ticket number, file name and bytes.
    files: Vec<(i64, i64, String, Vec<u8>)>,
    /// Canned response id and title.
    canned: Vec<(i64, String)>,
    /// End of Northwind's business hours (minutes after midnight) of each acknowledged change.
    org_hours: Vec<i64>,
    /// The last organization change sent, acknowledged or not.
    org_hours_sent: Option<i64>,
}

impl Acked {
    fn counts(&self) -> [(&'static str, usize); 8] {
        [
            ("raise", self.raised.len()),
            ("claim", self.claimed.len()),
            ("public reply", self.replies.len()),
            ("resolve", self.resolutions.len()),
            ("rating", self.ratings.len()),
            ("attachment", self.files.len()),
            ("canned response", self.canned.len()),
            ("organization change", self.org_hours.len()),
        ]
    }
}

/// Work passed from one writer to the next within a round.
#[derive(Default)]
struct Handover {
    /// Raised, for the analyst to claim, answer and resolve.
    to_work: VecDeque<i64>,
    /// Resolved, for the client to rate.
    to_rate: VecDeque<i64>,
    /// The latest raised, for the client to attach files to.
    latest: Option<i64>,
}

struct Round {
    api: Api,
    round: u64,
    acked: Arc<Mutex<Acked>>,
    hand: Mutex<Handover>,
    /// Set once the server is killed: writers waiting for work stop.
    over: AtomicBool,
}

/// The server is gone (or the answer was cut off): the writer stops.
struct Down;

impl Round {
    fn ack(&self, record: impl FnOnce(&mut Acked)) {
        record(&mut self.acked.lock().expect("lock"));
    }

    fn hand(&self) -> std::sync::MutexGuard<'_, Handover> {
        self.hand.lock().expect("lock")
    }

    /// Sends a write: its answer's body on a 200, `None` when it was refused.
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Option<String>, Down> {
        let res = request.send().await.map_err(|_| Down)?;
        let ok = res.status() == 200;
        let body = res.text().await.map_err(|_| Down)?;
        Ok(ok.then_some(body))
    }

    /// The version of ticket `number` as `client` sees it.
    async fn version(&self, client: &reqwest::Client, number: i64) -> Result<Option<i64>, Down> {
        let n = number.to_string();
        let body = self
            .send(self.api.post(client, "ticket", &[("number", &n)]))
            .await?;
        Ok(body.and_then(|b| {
            serde_json::from_str::<serde_json::Value>(&b).ok()?["ticket"]["version"].as_i64()
        }))
    }

    /// A change of ticket `number` from the version `client` sees now; read again and retried
    /// when someone else changed the ticket in between (a file attached meanwhile).
    async fn change(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        number: i64,
        args: &[(&str, &str)],
    ) -> Result<bool, Down> {
        for _ in 0..3 {
            let Some(version) = self.version(client, number).await? else {
                return Ok(false);
            };
            let (n, v) = (number.to_string(), version.to_string());
            let mut form = vec![("number", n.as_str()), ("version", v.as_str())];
            form.extend_from_slice(args);
            if self
                .send(self.api.post(client, endpoint, &form))
                .await?
                .is_some()
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    async fn idle(&self) -> Result<(), Down> {
        if self.over.load(Ordering::SeqCst) {
            return Err(Down);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        Ok(())
    }
}

/// The client raises tickets as fast as the server takes them.
async fn raiser(r: Arc<Round>, client: reqwest::Client, w: usize) -> Result<(), Down> {
    for i in 0.. {
        let problem = format!(
            "Crash round {} writer {w} request {i}: the docking station drops the screen",
            r.round
        );
        let request = r.api.post(
            &client,
            "raise_ticket",
            &[
                ("ticket[urgency]", "not_urgent"),
                ("ticket[problem]", &problem),
            ],
        );
        match r.send(request).await? {
            Some(body) => {
                let number: i64 = serde_json::from_str(&body).map_err(|_| Down)?;
                r.ack(|a| a.raised.push((number, problem)));
                let mut hand = r.hand();
                hand.to_work.push_back(number);
                hand.latest = Some(number);
            }
            None => r.idle().await?,
        }
    }
    Ok(())
}

/// The analyst claims each raised ticket, answers it publicly and resolves it.
async fn analyst(r: Arc<Round>, client: reqwest::Client) -> Result<(), Down> {
    loop {
        let next = r.hand().to_work.pop_front();
        let Some(number) = next else {
            r.idle().await?;
            continue;
        };
        if !r.change(&client, "claim_ticket", number, &[]).await? {
            continue;
        }
        r.ack(|a| a.claimed.push(number));
        let reply = format!("Crash round {}: a public answer on {number}", r.round);
        if !r
            .change(&client, "reply_ticket", number, &[("body", &reply)])
            .await?
        {
            continue;
        }
        r.ack(|a| a.replies.push((number, reply)));
        let note = format!("Crash round {}: resolved {number}", r.round);
        if !r
            .change(&client, "resolve_ticket", number, &[("resolution", &note)])
            .await?
        {
            continue;
        }
        r.ack(|a| a.resolutions.push((number, note)));
        r.hand().to_rate.push_back(number);
    }
}

/// The client rates each resolved ticket.
async fn rater(r: Arc<Round>, client: reqwest::Client) -> Result<(), Down> {
    loop {
        let next = r.hand().to_rate.pop_front();
        let Some(number) = next else {
            r.idle().await?;
            continue;
        };
        let comment = format!("Crash round {}: rating of {number}", r.round);
        let stars = (1 + number % 5).to_string();
        let args = [("stars", stars.as_str()), ("comment", comment.as_str())];
        if r.change(&client, "rate_ticket", number, &args).await? {
            r.ack(|a| a.ratings.push((number, comment)));
        }
    }
}

/// The client attaches files to the latest ticket raised.
async fn uploader(r: Arc<Round>, client: reqwest::Client) -> Result<(), Down> {
    for i in 0.. {
        let latest = r.hand().latest;
        let Some(number) = latest else {
            r.idle().await?;
            continue;
        };
        let name = format!("crash-r{}-{i}.txt", r.round);
        let bytes = format!("Crash round {} file {i} on ticket {number}\n", r.round)
            .repeat(40)
            .into_bytes();
        let request = client
            .post(r.api.url("/api/attachments"))
            .query(&[("ticket", number.to_string()), ("name", name.clone())])
            .header("Origin", &r.api.base)
            .body(bytes.clone());
        match r.send(request).await? {
            Some(body) => {
                let answer: serde_json::Value = serde_json::from_str(&body).map_err(|_| Down)?;
                let id = answer["id"].as_i64().ok_or(Down)?;
                r.ack(|a| a.files.push((id, number, name, bytes)));
            }
            None => r.idle().await?,
        }
    }
    Ok(())
}

/// The administrator adds canned responses and moves the end of Northwind's business hours
/// (a calendar change: every report day of the client is to be counted again).
async fn administrator(r: Arc<Round>, client: reqwest::Client, nwl: i64) -> Result<(), Down> {
    for i in 0u64.. {
        if i % 2 == 0 {
            let title = format!("Crash round {} canned {i}", r.round);
            let args = serde_json::json!({
                "id": null,
                "draft": {
                    "title": title,
                    "body": "Hello {requester}, we are on {ticket}.",
                    "active": true,
                },
            });
            let answer = r
                .send(r.api.post_json(&client, "admin/save_canned", &args))
                .await?;
            match answer.and_then(|b| serde_json::from_str::<i64>(&b).ok()) {
                Some(id) => r.ack(|a| a.canned.push((id, title))),
                None => r.idle().await?,
            }
        } else {
            let n = nwl.to_string();
            let Some(edit) = r
                .send(r.api.post(&client, "admin/org", &[("id", &n)]))
                .await?
            else {
                r.idle().await?;
                continue;
            };
            let mut edit: serde_json::Value = serde_json::from_str(&edit).map_err(|_| Down)?;
            // 18:01 to 18:58, never the same twice in a row
            let minute = 1 + (r.round * 1000 + i) % 58;
            let end = 18 * 60 + minute as i64;
            edit["draft"]["hours_end"] = format!("18:{minute:02}").into();
            let args = serde_json::json!({ "id": nwl, "draft": edit["draft"] });
            r.ack(|a| a.org_hours_sent = Some(end));
            if r.send(r.api.post_json(&client, "admin/save_org", &args))
                .await?
                .is_some()
            {
                r.ack(|a| a.org_hours.push(end));
            } else {
                r.idle().await?;
            }
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_of_every_kind_survive_sigkill() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    let url = seeded_desk(dir.path(), 20);
    let since = unix_now();
    let nwl: i64 = {
        let pool = sqlx::SqlitePool::connect(&url).await.expect("open");
        let id = sqlx::query_scalar("SELECT id FROM organizations WHERE code = $1")
            .bind(cast::CLIENT_ORG)
            .fetch_one(&pool)
            .await
            .expect("Northwind");
        pool.close().await;
        id
    };
    let acked = Arc::new(Mutex::new(Acked::default()));
    let rounds = rounds();
    for round in 0..rounds {
        // the server starts on whatever the previous kill left
        let mut server = Server::start(dir.path(), &url).await;
        let r = Arc::new(Round {
            api: (*server).clone(),
            round,
            acked: acked.clone(),
            hand: Mutex::new(Handover::default()),
            over: AtomicBool::new(false),
        });
        let mut writers = Vec::new();
        for w in 0..RAISERS {
            let client = server.session(CLIENT).await;
            writers.push(tokio::spawn(raiser(r.clone(), client, w)));
        }
        let analyst_session = server.session(ANALYST).await;
        let rater_session = server.session(CLIENT).await;
        let uploader_session = server.session(CLIENT).await;
        let admin_session = server.session(ADMIN).await;
        writers.push(tokio::spawn(analyst(r.clone(), analyst_session)));
        writers.push(tokio::spawn(rater(r.clone(), rater_session)));
        writers.push(tokio::spawn(uploader(r.clone(), uploader_session)));
        writers.push(tokio::spawn(administrator(r.clone(), admin_session, nwl)));
        // a different moment each round, the same on every run
        tokio::time::sleep(Duration::from_millis(500 + (round * 373) % 900)).await;
        server.kill();
        r.over.store(true, Ordering::SeqCst);
        for w in writers {
            let _ = w.await.expect("writer task");
        }
        let acked = acked.lock().expect("lock").clone();
        check_after_crash(dir.path(), &url, &acked, since, round).await;
    }

    // every kind of write was acknowledged at least once over the rounds, so each was tested
    let acked = acked.lock().expect("lock").clone();
    let counts = acked.counts();
    assert!(
        counts.iter().all(|(_, n)| *n > 0),
        "every kind of write got acknowledgements: {counts:?}"
    );

    // and the server serves the desk the last kill left
    let server = Server::start(dir.path(), &url).await;
    let jo = server.session(CLIENT).await;
    let (last, problem) = acked.raised.last().expect("a raised ticket").clone();
    let res = server
        .post(&jo, "ticket", &[("number", &last.to_string())])
        .send()
        .await
        .expect("read the ticket");
    assert_eq!(res.status(), 200);
    let view: serde_json::Value = res.json().await.expect("ticket view");
    assert_eq!(view["ticket"]["problem"].as_str(), Some(problem.as_str()));
    drop(server);
    eprintln!(
        "crash safety: {rounds} rounds in {:.1} s; acknowledged {counts:?}",
        started.elapsed().as_secs_f64()
    );
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

async fn count(pool: &sqlx::SqlitePool, sql: &str, args: &[&str]) -> i64 {
    let mut query = sqlx::query_scalar(sql);
    for a in args {
        query = query.bind(*a);
    }
    query
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The whole check after one kill, on the file as a restarted server opens it.
async fn check_after_crash(dir: &Path, url: &str, acked: &Acked, since: i64, round: u64) {
    let pool = sqlx::SqlitePool::connect(url).await.expect("reopen");
    let desk = app::backend::db::Pool::Sqlite(pool.clone());
    let at = format!("after the kill of round {round}");

    // the file is sound
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .expect("integrity check");
    assert_eq!(integrity, "ok", "{at}");
    let broken_keys = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&pool)
        .await
        .expect("foreign key check");
    assert!(broken_keys.is_empty(), "{at}: rows point at nothing");

    // every acknowledged write, by its own data
    for (number, problem) in &acked.raised {
        let n = number.to_string();
        let found = count(
            &pool,
            "SELECT COUNT(*) FROM tickets t WHERE t.number = ? AND t.problem = ?
             AND EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'created')",
            &[&n, problem],
        )
        .await;
        assert_eq!(
            found, 1,
            "{at}: ticket {number} ({problem}) was acknowledged"
        );
    }
    for number in &acked.claimed {
        let found = count(
            &pool,
            "SELECT COUNT(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
             WHERE t.number = ? AND e.kind = 'claimed'
               AND e.actor_id = (SELECT id FROM users WHERE email = ?)",
            &[&number.to_string(), ANALYST],
        )
        .await;
        assert_eq!(found, 1, "{at}: the claim of {number} was acknowledged");
    }
    for (kind, list) in [
        ("public_reply", &acked.replies),
        ("resolved", &acked.resolutions),
        ("rated", &acked.ratings),
    ] {
        for (number, text) in list {
            let found = count(
                &pool,
                "SELECT COUNT(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
                 WHERE t.number = ? AND e.kind = ? AND e.body = ?",
                &[&number.to_string(), kind, text],
            )
            .await;
            assert_eq!(
                found, 1,
                "{at}: the {kind} step \"{text}\" was acknowledged"
            );
        }
    }
    for (number, comment) in &acked.ratings {
        let found = count(
            &pool,
            "SELECT COUNT(*) FROM ticket_ratings r JOIN tickets t ON t.id = r.ticket_id
             WHERE t.number = ? AND r.comment = ?",
            &[&number.to_string(), comment],
        )
        .await;
        assert_eq!(found, 1, "{at}: the rating of {number} was acknowledged");
    }
    for (id, number, name, bytes) in &acked.files {
        let row: Option<(String, String, i64)> = sqlx::query_as(
            "SELECT a.file_name, a.sha256, a.size_bytes FROM attachments a
             JOIN tickets t ON t.id = a.ticket_id WHERE a.id = ? AND t.number = ?",
        )
        .bind(id)
        .bind(number)
        .fetch_optional(&pool)
        .await
        .expect("attachment");
        let Some((file_name, sha, size)) = row else {
            panic!("{at}: attachment {id} ({name} on {number}) was acknowledged");
        };
        assert_eq!((&file_name, size), (name, bytes.len() as i64), "{at}");
        let stored = std::fs::read(dir.join("files").join(&sha[..2]).join(&sha))
            .unwrap_or_else(|e| panic!("{at}: the bytes of attachment {id}: {e}"));
        assert!(stored == *bytes, "{at}: the bytes of attachment {id}");
        let step = count(
            &pool,
            "SELECT COUNT(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
             WHERE t.number = ? AND e.kind = 'file_attached' AND e.data LIKE '%' || ? || '%'",
            &[&number.to_string(), name],
        )
        .await;
        assert_eq!(step, 1, "{at}: attachment {name} has its timeline step");
    }
    for (id, title) in &acked.canned {
        let found = count(
            &pool,
            "SELECT COUNT(*) FROM canned_responses c WHERE c.id = ? AND c.title = ?
             AND EXISTS (SELECT 1 FROM audit_log l WHERE l.action = 'canned.create' AND l.entity_id = c.id)",
            &[&id.to_string(), title],
        )
        .await;
        assert_eq!(
            found, 1,
            "{at}: canned response {title} (and its audit entry)"
        );
    }
    for end in &acked.org_hours {
        let audited = count(
            &pool,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'organization.update'
             AND entity_id = (SELECT id FROM organizations WHERE code = ?)
             AND after LIKE '%\"hours_end\":\"' || ? || '\"%'",
            &[cast::CLIENT_ORG, &format!("{}:{:02}", end / 60, end % 60)],
        )
        .await;
        assert!(
            audited >= 1,
            "{at}: Northwind's hours to {end} were acknowledged"
        );
    }
    if let Some(last) = acked.org_hours.last() {
        let stored = count(
            &pool,
            "SELECT hours_end FROM organizations WHERE code = ?",
            &[cast::CLIENT_ORG],
        )
        .await;
        let in_flight = acked.org_hours_sent.unwrap_or(*last);
        assert!(
            stored == *last || stored == in_flight,
            "{at}: Northwind's hours end at {stored}, acknowledged {last} (then sent {in_flight})"
        );
    }

    // the outbox agrees with the tickets
    let orphans = count(
        &pool,
        "SELECT COUNT(*) FROM notifications n WHERE n.ticket_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.id = n.ticket_id)",
        &[],
    )
    .await;
    assert_eq!(orphans, 0, "{at}: messages about tickets that do not exist");
    let since = since.to_string();
    let stepless = count(
        &pool,
        "SELECT COUNT(*) FROM notifications n WHERE n.ticket_id IS NOT NULL
         AND n.kind IN (SELECT DISTINCT kind FROM ticket_events)
         AND NOT EXISTS (SELECT 1 FROM ticket_events e
                         WHERE e.ticket_id = n.ticket_id AND e.kind = n.kind
                           AND (e.at = n.created_at
                                -- an SLA alert's step is dated when the target fell due,
                                -- its messages when the engine raised it
                                OR (e.kind IN ('sla_warning', 'sla_breach')
                                    AND e.at <= n.created_at)))",
        &[],
    )
    .await;
    assert_eq!(
        stepless, 0,
        "{at}: messages without the step that wrote them"
    );
    let untold = count(
        &pool,
        "SELECT COUNT(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
         WHERE e.at >= ? AND e.public AND e.kind IN ('public_reply', 'resolved')
           AND e.actor_id IS NOT NULL AND e.actor_id <> t.requester_id
           AND NOT EXISTS (SELECT 1 FROM notifications n
                           WHERE n.ticket_id = e.ticket_id AND n.recipient_id = t.requester_id
                             AND n.kind = e.kind AND n.created_at = e.at)",
        &[&since],
    )
    .await;
    assert_eq!(
        untold, 0,
        "{at}: answers and resolutions the requester was not told of"
    );
    let unstepped = count(
        &pool,
        "SELECT (SELECT COUNT(*) FROM ticket_ratings r WHERE NOT EXISTS
                    (SELECT 1 FROM ticket_events e WHERE e.ticket_id = r.ticket_id AND e.kind = 'rated'))
              + (SELECT COUNT(*) FROM attachments a WHERE NOT EXISTS
                    (SELECT 1 FROM ticket_events e WHERE e.ticket_id = a.ticket_id
                     AND e.kind = 'file_attached' AND e.at = a.uploaded_at))",
        &[],
    )
    .await;
    assert_eq!(
        unstepped, 0,
        "{at}: ratings or files without their timeline step"
    );

    // the report rollups kept change by change equal a rebuild from every ticket
    app::backend::reports::refresh_rollups(&desk, None)
        .await
        .expect("bring the rollups up to date");
    let kept = rollups(&pool).await;
    sqlx::query("DELETE FROM report_days")
        .execute(&pool)
        .await
        .expect("drop the rollups");
    sqlx::query(
        "INSERT INTO report_days_stale (org_id, day)
         SELECT org_id, created_at / 86400 FROM tickets
         UNION SELECT org_id, resolved_at / 86400 FROM tickets WHERE resolved_at IS NOT NULL
         ON CONFLICT (org_id, day) DO NOTHING",
    )
    .execute(&pool)
    .await
    .expect("mark every day stale");
    app::backend::reports::refresh_rollups(&desk, None)
        .await
        .expect("rebuild the rollups");
    let rebuilt = rollups(&pool).await;
    assert!(!rebuilt.is_empty(), "{at}: the desk has report days");
    let differing: Vec<_> = kept
        .iter()
        .zip(&rebuilt)
        .filter(|(k, r)| k != r)
        .take(3)
        .collect();
    assert!(
        kept == rebuilt,
        "{at}: the rollups differ from a rebuild ({} days kept, {} rebuilt): {differing:?}",
        kept.len(),
        rebuilt.len()
    );
    pool.close().await;
}

/// Every stored report day: organization, day, raised, closed and its facts.
async fn rollups(pool: &sqlx::SqlitePool) -> Vec<(i64, i64, i64, i64, serde_json::Value)> {
    let rows: Vec<(i64, i64, i64, i64, String)> = sqlx::query_as(
        "SELECT org_id, day, raised, closed, facts FROM report_days ORDER BY org_id, day",
    )
    .fetch_all(pool)
    .await
    .expect("report days");
    rows.into_iter()
        .map(|(org, day, raised, closed, facts)| {
            let facts = serde_json::from_str(&facts).expect("facts are JSON");
            (org, day, raised, closed, facts)
        })
        .collect()
}
