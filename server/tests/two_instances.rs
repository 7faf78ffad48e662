//! Two instances of the real binary on one PostgreSQL database, each on its own port, as two
//! `frontline serve` processes behind a load balancer: a ticket raised through A reaches a live
//! stream on B; fifty claims spread over both have one winner; the SLA engine raises each warning
//! once; SIGKILL of A under writes loses no acknowledged ticket and B carries on (and takes over
//! the background work); the outbox sends each mail once. The PostgreSQL server is the tests'
//! own (testpg: `FRONTLINE_TEST_POSTGRES`, or one this binary starts), a database per test.

mod real_server;
#[path = "../../app/tests/support/smtp.rs"]
mod smtp;

use real_server::{forward_live, seed, Api, Server, CLIENT, LEAD, MANAGER};
use sqlx::PgPool;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a ticket raised on A may take to reach a stream on B.
const LIVE_DEADLINE: Duration = Duration::from_secs(5);
/// How long background work (an alert, a mail) may take to happen once it is due.
const WORK_DEADLINE: Duration = Duration::from_secs(20);
/// Seconds after a Northwind ticket is raised that its response warning falls due, on a desk
/// set up with [`Options::fast_sla`]: 5% of a one-minute target.
const WARN_AFTER_SECS: i64 = 3;

#[derive(Default)]
struct Options<'a> {
    /// Northwind's tickets warn [`WARN_AFTER_SECS`] after they are raised (and breach after a
    /// minute, past the end of a test).
    fast_sla: bool,
    /// More environment for both servers.
    env: &'a [(&'a str, &'a str)],
}

/// Two servers over one desk; A was started first and leads its background work.
struct Desk {
    a: Server,
    b: Server,
    pool: PgPool,
    /// The backend process of A holding the lead when B started.
    a_leader_pid: i32,
    _dir: tempfile::TempDir,
    _db: testpg::TestDatabase,
}

impl Desk {
    async fn start(options: Options<'_>) -> Desk {
        let db = testpg::TestPostgres::shared().database().await;
        let dir = tempfile::tempdir().expect("tempdir");
        let (path, url) = (dir.path().to_path_buf(), db.url.clone());
        tokio::task::spawn_blocking(move || seed(&path, &url, 0))
            .await
            .expect("seed the desk");
        let pool = PgPool::connect(&db.url).await.expect("open the desk");
        if options.fast_sla {
            sqlx::query("UPDATE organizations SET warn_percent = $1 WHERE code = $2")
                .bind(WARN_AFTER_SECS * 100 / 60)
                .bind(real_server::cast::CLIENT_ORG)
                .execute(&pool)
                .await
                .expect("warn early");
            sqlx::query(
                "INSERT INTO sla_targets (org_id, priority, response_mins, resolution_mins, around_the_clock)
                 SELECT o.id, p, 1, 600, TRUE FROM organizations o, unnest(ARRAY['p1', 'p2', 'p3', 'ops']) p
                 WHERE o.code = $1
                 ON CONFLICT (org_id, priority) DO UPDATE
                 SET response_mins = 1, resolution_mins = 600, around_the_clock = TRUE",
            )
            .bind(real_server::cast::CLIENT_ORG)
            .execute(&pool)
            .await
            .expect("one-minute targets");
        }
        let a = Server::start_with(dir.path(), &db.url, options.env).await;
        let a_leader_pid = leader_other_than(&pool, None, WORK_DEADLINE)
            .await
            .expect("A takes the lead");
        let b = Server::start_with(dir.path(), &db.url, options.env).await;
        Desk {
            a,
            b,
            pool,
            a_leader_pid,
            _dir: dir,
            _db: db,
        }
    }

    async fn user_id(&self, email: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(email)
            .fetch_one(&self.pool)
            .await
            .expect("a user")
    }

    /// Timeline events of kind `kind` per ticket number, for the tickets `numbers`.
    async fn events(&self, kind: &str, numbers: &[i64]) -> BTreeMap<i64, i64> {
        let counts: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT t.number, COUNT(e.id) FROM tickets t
             LEFT JOIN ticket_events e ON e.ticket_id = t.id AND e.kind = $1
             WHERE t.number = ANY($2) GROUP BY t.number",
        )
        .bind(kind)
        .bind(numbers)
        .fetch_all(&self.pool)
        .await
        .expect("events");
        counts.into_iter().collect()
    }

    /// Waits until each of `numbers` has an SLA warning on its timeline.
    async fn until_warned(&self, numbers: &[i64]) {
        let deadline = Instant::now() + WORK_DEADLINE;
        loop {
            let warned = self.events("sla_warning", numbers).await;
            let missing: Vec<_> = numbers
                .iter()
                .filter(|n| warned.get(n).copied().unwrap_or(0) == 0)
                .collect();
            if missing.is_empty() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no SLA warning within {WORK_DEADLINE:?} of its instant for {missing:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// The backend process holding the desk's lead, once it is not `not` (within `wait`).
async fn leader_other_than(pool: &PgPool, not: Option<i32>, wait: Duration) -> Option<i32> {
    let deadline = Instant::now() + wait;
    while Instant::now() < deadline {
        // the lock's key, 0x4652_4f4e_544c_494e ("FRONTLIN"), as pg_locks splits it
        let pid: Option<i32> = sqlx::query_scalar(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
             AND classid = 1179799374 AND objid = 1414285646 AND objsubid = 1
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        )
        .fetch_optional(pool)
        .await
        .expect("pg_locks");
        if pid.is_some() && pid != not {
            return pid;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

/// Raises a ticket through `api` as `client`; its number, or the refusal.
async fn try_raise(
    api: &Api,
    client: &reqwest::Client,
    problem: &str,
    requester: Option<i64>,
) -> Result<i64, String> {
    let requester = requester.map(|id| id.to_string());
    let mut form = vec![
        ("ticket[urgency]", "not_urgent"),
        ("ticket[problem]", problem),
    ];
    if let Some(id) = &requester {
        form.push(("ticket[requester_id]", id));
    }
    let res = api
        .post(client, "raise_ticket", &form)
        .send()
        .await
        .map_err(|e| format!("no answer: {e}"))?;
    let status = res.status();
    let body = res.text().await.map_err(|e| format!("cut off: {e}"))?;
    if status != 200 {
        return Err(format!("{status}: {body}"));
    }
    serde_json::from_str(&body).map_err(|e| format!("{body}: {e}"))
}

async fn raise(api: &Api, client: &reqwest::Client, problem: &str) -> i64 {
    try_raise(api, client, problem, None)
        .await
        .unwrap_or_else(|e| panic!("raise on {}: {e}", api.base))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_ticket_raised_on_a_reaches_a_live_stream_on_b() {
    let desk = Desk::start(Options::default()).await;
    let morgan = desk.b.session(MANAGER).await;
    let mut heard = forward_live(&desk.b, &morgan).await;
    let jo = desk.a.session(CLIENT).await;

    let (mut raised, mut seen, mut delays) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..5 {
        let sent = Instant::now();
        let number = raise(
            &desk.a,
            &jo,
            &format!("Scanner {i} on the loading bay is offline"),
        )
        .await;
        raised.push(number);
        loop {
            let event = tokio::time::timeout_at((sent + LIVE_DEADLINE).into(), heard.recv()).await;
            let Ok(Some((at, event))) = event else {
                panic!("{number}, raised on A, did not reach B's stream within {LIVE_DEADLINE:?} (heard {seen:?})");
            };
            seen.push(event["number"].as_i64().unwrap_or_default());
            if event["number"] == number {
                assert_eq!(event["kind"], "created", "{event}");
                delays.push(at - sent);
                break;
            }
        }
    }
    // raised one after another, so heard in that order: each once, and nothing else
    assert_eq!(seen, raised, "what B's stream heard");
    delays.sort();
    println!(
        "a ticket raised on A reached B's live stream after {:?} (median of {}, slowest {:?}, \
         counted from sending the raise)",
        delays[delays.len() / 2],
        delays.len(),
        delays[delays.len() - 1]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_claims_spread_over_two_instances_have_one_winner() {
    const SESSIONS: usize = 50;
    let desk = Desk::start(Options::default()).await;
    let servers = [&desk.a, &desk.b];
    let jo = desk.a.session(CLIENT).await;
    let number = raise(&desk.a, &jo, "The meeting room screen shows no signal").await;

    // the lead and the manager may claim any Northwind ticket; several sessions each, signed
    // in alternately on A and B
    let mut claimers = Vec::new();
    for (email, name) in [
        (LEAD, real_server::cast::LEAD_NAME),
        (MANAGER, real_server::cast::MANAGER_NAME),
    ] {
        claimers.push((email, desk.user_id(email).await, name));
    }
    let mut sessions = Vec::with_capacity(SESSIONS);
    for i in 0..SESSIONS {
        let (email, id, name) = claimers[i % claimers.len()];
        let server = servers[(i / claimers.len()) % 2];
        sessions.push((server.session(email).await, server, email, id, name));
    }
    let res = desk
        .b
        .post(&sessions[0].0, "ticket", &[("number", &number.to_string())])
        .send()
        .await
        .expect("read the ticket");
    assert_eq!(res.status(), 200);
    let view: serde_json::Value = res.json().await.expect("ticket view");
    let version = view["ticket"]["version"].as_i64().expect("ticket.version");

    let start = Arc::new(tokio::sync::Barrier::new(SESSIONS));
    let claims: Vec<_> = sessions
        .iter()
        .map(|(client, server, email, id, _)| {
            let request = server.post(
                client,
                "claim_ticket",
                &[
                    ("number", &number.to_string()),
                    ("version", &version.to_string()),
                ],
            );
            let (start, email, id, base) = (start.clone(), *email, *id, server.base.clone());
            tokio::spawn(async move {
                start.wait().await;
                let res = request.send().await.expect("claim");
                let status = res.status().as_u16();
                (
                    email,
                    id,
                    base,
                    status,
                    res.text().await.unwrap_or_default(),
                )
            })
        })
        .collect();
    let mut answers = Vec::with_capacity(SESSIONS);
    for claim in claims {
        answers.push(claim.await.expect("claim task"));
    }

    let winners: Vec<_> = answers.iter().filter(|a| a.3 == 200).collect();
    assert_eq!(
        winners.len(),
        1,
        "exactly one claim wins: {:?}",
        answers
            .iter()
            .map(|(email, _, base, status, body)| format!("{email} on {base}: {status} {body}"))
            .collect::<Vec<_>>()
    );
    let (winner_email, winner_id, _, _, _) = winners[0];
    let winner_name = claimers
        .iter()
        .find(|c| c.0 == *winner_email)
        .expect("the winner is a claimer")
        .2;
    for (email, _, base, status, body) in answers.iter().filter(|a| a.3 != 200) {
        assert_eq!(*status, 409, "{email} on {base} lost the race: {body}");
        let error: serde_json::Value = serde_json::from_str(body).expect("a JSON error");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(
            error["kind"] == "conflict"
                && message.contains(winner_name)
                && !message.contains('<')
                && !message.contains('{'),
            "the refusal to {email} on {base} names who has the ticket ({winner_name}) in plain \
             words: {body}"
        );
    }
    let claimed: Vec<Option<i64>> = sqlx::query_scalar(
        "SELECT e.actor_id FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
         WHERE t.number = $1 AND e.kind = 'claimed'",
    )
    .bind(number)
    .fetch_all(&desk.pool)
    .await
    .expect("claim events");
    assert_eq!(claimed, vec![Some(*winner_id)], "one Claimed event");
    let (assignee, now_version): (Option<i64>, i64) =
        sqlx::query_as("SELECT assignee_id, version FROM tickets WHERE number = $1")
            .bind(number)
            .fetch_one(&desk.pool)
            .await
            .expect("the ticket");
    assert_eq!(assignee, Some(*winner_id), "the winner has the ticket");
    assert_eq!(now_version, version + 1, "one change was saved");
}

/// Checks that each of `numbers` has exactly one SLA warning on its timeline and one warning
/// notification for each person who watches its team's SLAs.
async fn assert_warned_once(desk: &Desk, numbers: &[i64]) {
    let warned = desk.events("sla_warning", numbers).await;
    let expected: BTreeMap<i64, i64> = numbers.iter().map(|n| (*n, 1)).collect();
    assert_eq!(warned, expected, "SLA warnings per ticket");
    let (lead, manager) = (desk.user_id(LEAD).await, desk.user_id(MANAGER).await);
    // per ticket and recipient: the notifications written, and whether they should be
    let rows: Vec<(i64, i64, i64, bool)> = sqlx::query_as(
        "SELECT t.number, u.id, COUNT(n.id),
                COALESCE(u.role = 'manager' OR u.id = (SELECT lead_id FROM teams WHERE id = t.team_id), FALSE)
         FROM tickets t CROSS JOIN users u
         LEFT JOIN notifications n ON n.ticket_id = t.id AND n.recipient_id = u.id
              AND n.kind = 'sla_warning'
         WHERE t.number = ANY($1) AND u.active GROUP BY t.number, t.team_id, u.id",
    )
    .bind(numbers)
    .fetch_all(&desk.pool)
    .await
    .expect("notifications");
    for (number, user, count, watches) in rows {
        assert_eq!(
            count,
            i64::from(watches),
            "SLA warning notifications of {number} to user {user}"
        );
        assert!(
            !(user == lead || user == manager) || watches,
            "the lead and the manager watch"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_sla_engine_raises_each_warning_once_with_two_instances() {
    let desk = Desk::start(Options {
        fast_sla: true,
        ..Default::default()
    })
    .await;
    let jo_a = desk.a.session(CLIENT).await;
    let jo_b = desk.b.session(CLIENT).await;
    // raised on B while A leads: A's engine learns of them only from B
    let mut on_b = Vec::new();
    for i in 0..3 {
        on_b.push(raise(&desk.b, &jo_b, &format!("Forklift terminal {i} froze")).await);
    }
    desk.until_warned(&on_b).await;
    let mut on_a = Vec::new();
    for i in 0..3 {
        on_a.push(raise(&desk.a, &jo_a, &format!("Dock printer {i} jams")).await);
    }
    desk.until_warned(&on_a).await;
    // a warning raised after all the others: the engine has looked at them again since
    let last = raise(&desk.b, &jo_b, "The yard camera is dark").await;
    desk.until_warned(&[last]).await;
    let all: Vec<i64> = on_b.iter().chain(&on_a).copied().chain([last]).collect();
    assert_warned_once(&desk, &all).await;
}

/// Tickets acknowledged by the server they were raised on: number and problem.
type Acked = Arc<Mutex<Vec<(i64, String)>>>;

/// Raises tickets through `api` until `stop`; each acknowledged one goes into `acked`. Returns
/// the refusals and failures (after which it stops).
async fn keep_raising(
    api: Api,
    client: reqwest::Client,
    writer: String,
    acked: Acked,
    stop: Arc<AtomicBool>,
) -> Option<String> {
    for i in 0.. {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let problem = format!("Writer {writer} request {i}: the barcode gun stopped pairing");
        match try_raise(&api, &client, &problem, None).await {
            Ok(number) => acked.lock().expect("lock").push((number, problem)),
            Err(e) => return Some(format!("{writer}: {e}")),
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killing_a_under_writes_loses_nothing_and_b_carries_on() {
    let mut desk = Desk::start(Options {
        fast_sla: true,
        ..Default::default()
    })
    .await;
    let (on_a, on_b): (Acked, Acked) = Default::default();
    let (stop_a, stop_b) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
    );
    let mut writers = Vec::new();
    for w in 0..2 {
        for (name, api, acked, stop) in [
            ("A", &desk.a, &on_a, &stop_a),
            ("B", &desk.b, &on_b, &stop_b),
        ] {
            let client = api.session(CLIENT).await;
            writers.push((
                name,
                tokio::spawn(keep_raising(
                    (**api).clone(),
                    client,
                    format!("{name}{w}"),
                    acked.clone(),
                    stop.clone(),
                )),
            ));
        }
    }
    let count = |acked: &Acked| acked.lock().expect("lock").len();
    let deadline = Instant::now() + WORK_DEADLINE;
    while count(&on_a) < 20 || count(&on_b) < 20 {
        assert!(Instant::now() < deadline, "the writers are too slow");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    desk.a.kill();
    let killed = Instant::now();
    stop_a.store(true, Ordering::SeqCst);
    let before_kill = count(&on_b);
    while count(&on_b) < before_kill + 20 {
        assert!(
            killed.elapsed() < WORK_DEADLINE,
            "B took too few tickets after A was killed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop_b.store(true, Ordering::SeqCst);
    for (name, writer) in writers {
        let failure = writer.await.expect("writer");
        if name == "B" {
            assert_eq!(failure, None, "B answers every raise while A dies");
        }
    }

    // every acknowledged ticket is there, with its problem
    let acked: Vec<(i64, String)> = [&on_a, &on_b]
        .iter()
        .flat_map(|a| a.lock().expect("lock").clone())
        .collect();
    let numbers: Vec<i64> = acked.iter().map(|a| a.0).collect();
    let stored: HashMap<i64, String> =
        sqlx::query_as("SELECT number, problem FROM tickets WHERE number = ANY($1)")
            .bind(&numbers)
            .fetch_all(&desk.pool)
            .await
            .expect("tickets")
            .into_iter()
            .collect();
    for (number, problem) in &acked {
        assert_eq!(
            stored.get(number),
            Some(problem),
            "acknowledged ticket {number}"
        );
    }
    println!(
        "{} tickets acknowledged by A before SIGKILL, {} by B; all stored",
        count(&on_a),
        count(&on_b)
    );

    // B answers, and takes over the background work A led
    let health = reqwest::get(desk.b.url("/healthz")).await.expect("healthz");
    assert_eq!(health.status(), 200, "{:?}", health.text().await);
    let jo = desk.b.session(CLIENT).await;
    let last = raise(&desk.b, &jo, "The wrapping machine shows E42").await;
    let b_leader = leader_other_than(&desk.pool, Some(desk.a_leader_pid), Duration::from_secs(10))
        .await
        .expect("B takes the lead within seconds of A's death");
    println!(
        "B leads the background work {:?} after A was killed (pid {} after {})",
        killed.elapsed(),
        b_leader,
        desk.a_leader_pid
    );
    // warnings of tickets A raised fell due after its death: B raises them, and none twice
    desk.until_warned(&numbers).await;
    desk.until_warned(&[last]).await;
    let all: Vec<i64> = numbers.into_iter().chain([last]).collect();
    assert_warned_once(&desk, &all).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_outbox_sends_each_mail_once_with_two_instances() {
    let relay = smtp::TestSmtp::start().await;
    let port = relay.addr.port().to_string();
    let desk = Desk::start(Options {
        env: &[
            ("FRONTLINE_SMTP_HOST", "127.0.0.1"),
            ("FRONTLINE_SMTP_PORT", &port),
            ("FRONTLINE_SMTP_TLS", "none"),
        ],
        ..Default::default()
    })
    .await;
    let jo = desk.user_id(CLIENT).await;
    let before: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM notifications")
        .fetch_one(&desk.pool)
        .await
        .expect("outbox");
    // the analyst raises tickets for Jo on both instances at once: each tells Jo by mail
    let mut writers = Vec::new();
    for (name, api) in [("A", &desk.a), ("B", &desk.b)] {
        let client = api.session(real_server::ANALYST).await;
        let api = (**api).clone();
        writers.push(tokio::spawn(async move {
            let mut raised = Vec::new();
            for i in 0..8 {
                let problem = format!("Pallet label {name}{i} is blank");
                raised.push(
                    try_raise(&api, &client, &problem, Some(jo))
                        .await
                        .expect("raise"),
                );
            }
            raised
        }));
    }
    for writer in writers {
        writer.await.expect("writer");
    }
    let sent = until_delivered(&desk, &relay, before).await;
    // one more after all the others were sent: the outbox has been looked at again since
    let ana = desk.b.session(real_server::ANALYST).await;
    try_raise(&desk.b, &ana, "Pallet label last is blank", Some(jo))
        .await
        .expect("raise");
    let sent_at_last = until_delivered(&desk, &relay, before).await;
    assert_eq!(sent_at_last.len(), sent.len() + 1, "the last ticket's mail");
    assert!(sent.len() >= 16, "a mail per ticket: {sent:?}");

    // the demo desk's own mail (acknowledgements of its mail-born tickets) is not this test's
    let mut received: BTreeMap<(String, String), usize> = BTreeMap::new();
    for m in relay
        .messages()
        .into_iter()
        .filter(|m| m.subject.contains("Pallet label"))
    {
        let to = m.to.trim_matches(|c| c == '<' || c == '>').to_string();
        *received.entry((to, m.subject)).or_default() += 1;
    }
    let expected: BTreeMap<(String, String), usize> =
        sent_at_last.into_iter().map(|k| (k, 1)).collect();
    assert!(
        expected
            .keys()
            .all(|(_, subject)| subject.contains("Pallet label")),
        "{expected:?}"
    );
    assert_eq!(
        received, expected,
        "each mail exactly once, per recipient and subject"
    );
}

/// Waits until the outbox (its messages after id `after`) has nothing left to send and the relay
/// received as many messages as the outbox marked sent; returns the recipients and subjects of
/// those sent.
async fn until_delivered(desk: &Desk, relay: &smtp::TestSmtp, after: i64) -> Vec<(String, String)> {
    let deadline = Instant::now() + WORK_DEADLINE;
    loop {
        // the whole outbox: the demo desk's own mail (acknowledgements of its mail-born
        // tickets) goes out during the test too
        let (waiting, sent_in_all): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*) FILTER (WHERE status IN ('pending', 'sending')),
                    COUNT(*) FILTER (WHERE status = 'sent') FROM notifications",
        )
        .fetch_one(&desk.pool)
        .await
        .expect("outbox");
        let sent: Vec<(String, String)> = sqlx::query_as(
            "SELECT u.email, n.subject FROM notifications n JOIN users u ON u.id = n.recipient_id
             WHERE n.id > $1 AND n.status = 'sent' ORDER BY n.id",
        )
        .bind(after)
        .fetch_all(&desk.pool)
        .await
        .expect("outbox");
        if waiting == 0 && relay.messages().len() as i64 == sent_in_all {
            return sent;
        }
        assert!(
            Instant::now() < deadline,
            "the outbox did not drain within {WORK_DEADLINE:?}: {waiting} waiting, {} sent, {} \
             received",
            sent.len(),
            relay.messages().len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
