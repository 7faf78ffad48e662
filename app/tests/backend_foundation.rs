//! The data layer against real SQLite files: schema rules, the demo desk, and who may see what.

#![cfg(feature = "ssr")]

mod support;

use app::backend::db::Dialect;
use app::backend::policy::{Actor, TicketKey, TicketScope};
use app::backend::repo::{desk, users};
use app::backend::seed::{self, SeedError};
use app::model::time::DAY;
use app::model::{AppError, Role};
use support::*;

#[tokio::test]
async fn migrations_set_wal_and_foreign_keys() {
    let db = test_db().await;
    if db.pool.dialect() == Dialect::Sqlite {
        let mode: String = app::pool_run!(db.pool, c => sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(c).await)
        .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(scalar(&db.pool, "PRAGMA foreign_keys").await, 1);
    }
    let err = app::pool_run!(db.pool, c => sqlx::query("INSERT INTO team_orgs (team_id, org_id) VALUES (999, 999)")
        .execute(c).await.map(|_| ()))
        .unwrap_err();
    assert!(
        err.to_string().to_lowercase().contains("foreign key"),
        "{err}"
    );
}

/// Writers of the process queue for their turn to write instead of racing in SQLite's busy
/// handler (unordered retries): a burst of writers that together hold the write lock longer than
/// the busy timeout (5 s), more of them than the pool has connections, all commit.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_writers_longer_than_the_busy_timeout_all_commit() {
    const WRITERS: i64 = 14;
    let db = test_db().await;
    app::pool_run!(db.pool, c => sqlx::query("CREATE TABLE burst (n INTEGER NOT NULL)")
        .execute(c).await.map(|_| ()))
    .unwrap();
    let writers: Vec<_> = (0..WRITERS)
        .map(|n| {
            let pool = db.pool.clone();
            tokio::spawn(async move {
                let mut tx = app::backend::db::begin_write(&pool).await?;
                app::db_run!(&mut tx, c => sqlx::query("INSERT INTO burst (n) VALUES ($1)")
                    .bind(n)
                    .execute(c)
                    .await
                    .map(|_| ()))?;
                tokio::time::sleep(std::time::Duration::from_millis(450)).await;
                tx.commit().await
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap().expect("every writer commits");
    }
    assert_eq!(
        scalar(&db.pool, "SELECT COUNT(*) FROM burst").await,
        WRITERS
    );
}

/// Single writes outside a ticket change wait their turn like changes do: behind a writer that
/// holds the write lock longer than SQLite's busy timeout (5 s), signing in (failed and not),
/// a session's extension, signing out, an article's view count and a deflection all succeed
/// instead of failing with "database is locked".
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn single_writes_wait_their_turn_behind_a_long_change() {
    use app::backend::auth::{self, ClientInfo};
    use app::backend::{db, kb};
    let desk = desk(0).await;
    let state = &desk.state;
    let nobody = ClientInfo {
        ip: Some("203.0.113.9".into()),
        ..Default::default()
    };
    let leaving = session_token(state, CLIENT, DEMO_PASSWORD, &nobody)
        .await
        .unwrap();
    let staying = session_token(state, CLIENT, DEMO_PASSWORD, &nobody)
        .await
        .unwrap();
    desk.clock.advance(3600); // the sessions are due an extension
    let client = desk.actor(CLIENT).await;
    let article = desk
        .scalar("SELECT MIN(id) FROM articles WHERE visibility = 'clients'")
        .await;
    let views_before = desk
        .scalar(&format!("SELECT views FROM articles WHERE id = {article}"))
        .await;

    let long_change = db::begin_write(&state.pool).await.unwrap();
    let holder = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(6_000)).await;
        long_change.commit().await
    });
    let (failed, signed_in, extended, signed_out, viewed, deflected) = tokio::join!(
        session_token(state, CLIENT, "not the password", &nobody),
        session_token(state, ANALYST, DEMO_PASSWORD, &nobody),
        auth::resolve_session(state, &staying),
        auth::sign_out(state, &leaving),
        kb::article(state, &client, article),
        kb::deflect(state, &client, article),
    );
    holder.await.unwrap().unwrap();

    assert!(
        matches!(failed, Err(AppError::Unauthenticated(_))),
        "{:?}",
        failed.err()
    );
    signed_in.expect("sign-in");
    assert!(extended.expect("extension").is_some());
    signed_out.expect("sign-out");
    viewed.expect("article view");
    deflected.expect("deflection");
    assert_eq!(
        desk.scalar(
            "SELECT COUNT(*) FROM login_failures
             WHERE scope_key IN ('account:jo.bauer@northwind.example', 'ip:203.0.113.9',
                                 'pair:jo.bauer@northwind.example|203.0.113.9')"
        )
        .await,
        3,
        "the failure counts for the account, the address and the two together"
    );
    assert_eq!(
        desk.scalar("SELECT COUNT(*) FROM login_failures").await,
        3,
        "and the sign-ins that succeeded left none"
    );
    assert_eq!(
        desk.scalar(&format!("SELECT views FROM articles WHERE id = {article}"))
            .await,
        views_before + 1
    );
    assert_eq!(desk.scalar("SELECT COUNT(*) FROM deflections").await, 1);
}

#[tokio::test]
async fn the_demo_desk_has_the_documented_shape() {
    let db = test_db().await;
    let report = seed::seed_demo(&db.pool, NOW, 2000).await.unwrap();
    assert!(report.seeded);
    let p = &db.pool;
    assert_eq!(scalar(p, "SELECT COUNT(*) FROM organizations").await, 22);
    assert_eq!(
        scalar(p, "SELECT COUNT(*) FROM teams WHERE lead_id IS NOT NULL").await,
        4
    );
    assert_eq!(
        scalar(
            p,
            "SELECT COUNT(*) FROM users WHERE role IN ('analyst', 'senior')"
        )
        .await,
        24
    );
    assert_eq!(
        scalar(
            p,
            "SELECT COUNT(DISTINCT tier) FROM users WHERE role IN ('analyst', 'senior')"
        )
        .await,
        3
    );
    assert_eq!(
        scalar(p, "SELECT COUNT(*) FROM users WHERE role = 'manager'").await,
        1
    );
    assert_eq!(
        scalar(p, "SELECT COUNT(*) FROM users WHERE role = 'admin'").await,
        1
    );
    assert_eq!(
        scalar(p, "SELECT COUNT(*) FROM users WHERE role = 'client_admin'").await,
        22
    );
    assert_eq!(
        scalar(p, "SELECT COUNT(*) FROM (SELECT org_id FROM users WHERE org_id IS NOT NULL GROUP BY org_id HAVING COUNT(*) BETWEEN 3 AND 10) AS firms").await,
        22
    );
    assert_eq!(scalar(p, "SELECT COUNT(*) FROM organizations o WHERE NOT EXISTS (SELECT 1 FROM team_orgs t WHERE t.org_id = o.id)").await, 0);
    assert_eq!(scalar(p, "SELECT COUNT(*) FROM tickets").await, 2000);
    assert_eq!(scalar(p, "SELECT COUNT(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id)").await, 0);
    // every status, channel and priority appears in a realistic mix
    assert_eq!(
        scalar(p, "SELECT COUNT(DISTINCT status) FROM tickets").await,
        5
    );
    assert_eq!(
        scalar(p, "SELECT COUNT(DISTINCT channel) FROM tickets").await,
        4
    );
    assert_eq!(
        scalar(p, "SELECT COUNT(DISTINCT priority) FROM tickets").await,
        4
    );
    // a healthy, busy desk: the open work is the last days', few open tickets are late, most
    // resolutions met their SLA, some were reopened, many rated
    let open = "status IN ('new', 'open', 'pending')";
    let open_count = scalar(p, &format!("SELECT COUNT(*) FROM tickets WHERE {open}")).await;
    assert!((10..=200).contains(&open_count), "{open_count} open");
    let late = scalar(
        p,
        &format!("SELECT COUNT(*) FROM tickets WHERE {open} AND resolution_breached"),
    )
    .await;
    assert!(
        late * 4 < open_count,
        "{late} of {open_count} open tickets breached"
    );
    let oldest = scalar(
        p,
        &format!("SELECT MIN(created_at) FROM tickets WHERE {open}"),
    )
    .await;
    assert!(
        NOW - oldest < 30 * DAY,
        "open for {} days",
        (NOW - oldest) / DAY
    );
    let resolved = scalar(
        p,
        "SELECT COUNT(*) FROM tickets WHERE resolved_at IS NOT NULL",
    )
    .await;
    let met = scalar(
        p,
        "SELECT COUNT(*) FROM tickets WHERE resolved_at IS NOT NULL AND NOT resolution_breached",
    )
    .await;
    assert!(
        (85..=97).contains(&(met * 100 / resolved)),
        "{met} of {resolved} met"
    );
    let reopened = scalar(
        p,
        "SELECT COUNT(DISTINCT ticket_id) FROM ticket_events WHERE kind = 'reopened'",
    )
    .await;
    assert!(
        reopened > 0 && reopened * 10 < resolved,
        "{reopened} reopened"
    );
    let rated = scalar(
        p,
        &format!(
            "SELECT COUNT(*) FROM ticket_ratings WHERE rated_at > {}",
            NOW - 28 * DAY
        ),
    )
    .await;
    assert!(rated > 20, "{rated} rated in the last 28 days");
    // tickets only go to teams that serve the client, and numbers continue after the seed
    assert_eq!(scalar(p, "SELECT COUNT(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM team_orgs s WHERE s.team_id = t.team_id AND s.org_id = t.org_id)").await, 0);
    assert_eq!(
        desk::counter(&mut p.acquire().await.unwrap(), "ticket_number")
            .await
            .unwrap(),
        scalar(p, "SELECT MAX(number) FROM tickets").await
    );
    assert_eq!(
        desk::setting(&mut p.acquire().await.unwrap(), "demo")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );
}

#[tokio::test]
async fn seeding_is_deterministic() {
    let (a, b) = (test_db().await, test_db().await);
    seed::seed_demo(&a.pool, NOW, 200).await.unwrap();
    seed::seed_demo(&b.pool, NOW, 200).await.unwrap();
    type Digest = Vec<(i64, String, String, Option<i64>, String)>;
    let digest =
        "SELECT number, status, priority, assignee_id, subject FROM tickets ORDER BY number";
    let x: Digest = app::pool_run!(a.pool, c => sqlx::query_as(digest).fetch_all(c).await).unwrap();
    let y: Digest = app::pool_run!(b.pool, c => sqlx::query_as(digest).fetch_all(c).await).unwrap();
    assert_eq!(x.len(), 200);
    assert_eq!(x, y);
}

#[tokio::test]
async fn seeding_twice_changes_nothing_and_a_real_desk_is_never_seeded() {
    let db = test_db().await;
    seed::seed_demo(&db.pool, NOW, 50).await.unwrap();
    let again = seed::seed_demo(&db.pool, NOW, 50).await.unwrap();
    assert!(!again.seeded);
    assert_eq!(scalar(&db.pool, "SELECT COUNT(*) FROM tickets").await, 50);

    let real = test_db().await;
    users::insert(
        &mut real.pool.acquire().await.unwrap(),
        &users::NewUser {
            email: "admin@acme.example",
            name: "Acme Admin",
            role: Role::Admin,
            org_id: None,
            team_id: None,
            tier: None,
            department: None,
            location: None,
            job_title: None,
            phone: None,
            password_hash: "x",
            created_at: NOW,
        },
    )
    .await
    .unwrap();
    assert!(matches!(
        seed::seed_demo(&real.pool, NOW, 10).await,
        Err(SeedError::NotADemoDesk)
    ));
    assert_eq!(scalar(&real.pool, "SELECT COUNT(*) FROM users").await, 1);
}

#[tokio::test]
async fn emails_are_unique_and_clients_need_an_organization() {
    let db = test_db().await;
    seed::seed_demo(&db.pool, NOW, 0).await.unwrap();
    let mut new = users::NewUser {
        email: ANALYST,
        name: "Another Ana",
        role: Role::Analyst,
        org_id: None,
        team_id: None,
        tier: Some(1),
        department: None,
        location: None,
        job_title: None,
        phone: None,
        password_hash: "x",
        created_at: NOW,
    };
    let err = users::insert(&mut db.pool.acquire().await.unwrap(), &new)
        .await
        .unwrap_err();
    assert!(app::backend::db::is_unique_violation(&err));
    new.email = "someone@client.example";
    new.role = Role::Client;
    assert!(
        users::insert(&mut db.pool.acquire().await.unwrap(), &new)
            .await
            .is_err(),
        "a client without an organization"
    );
}

#[tokio::test]
async fn timeline_events_cannot_be_changed_or_deleted() {
    let db = test_db().await;
    seed::seed_demo(&db.pool, NOW, 5).await.unwrap();
    let update = app::pool_run!(db.pool, c => sqlx::query("UPDATE ticket_events SET body = 'rewritten'")
        .execute(c).await.map(|_| ()));
    assert!(update.unwrap_err().to_string().contains("immutable"));
    let delete = app::pool_run!(db.pool, c => sqlx::query("DELETE FROM ticket_events")
        .execute(c).await.map(|_| ()));
    assert!(delete.unwrap_err().to_string().contains("immutable"));
}

fn key(org_id: i64, requester_id: i64) -> TicketKey {
    TicketKey {
        org_id,
        requester_id,
        participant: false,
    }
}

async fn actor(pool: &app::backend::db::Pool, email: &str) -> Actor {
    let id: i64 =
        app::pool_run!(pool, c => sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(c).await)
        .unwrap();
    Actor::from(
        &users::me(&mut pool.acquire().await.unwrap(), id)
            .await
            .unwrap()
            .unwrap(),
    )
}

#[tokio::test]
async fn ticket_scope_follows_role_team_and_organization() {
    let db = test_db().await;
    seed::seed_demo(&db.pool, NOW, 0).await.unwrap();
    let p = &db.pool;
    let org = |code: &'static str| async move {
        app::pool_run!(p, c => sqlx::query_scalar::<_, i64>("SELECT id FROM organizations WHERE code = $1")
            .bind(code)
            .fetch_one(c).await)
            .unwrap()
    };
    let (nwl, ash, wgb) = (
        org(cast::CLIENT_ORG).await,
        org("ASH").await,
        org("WGB").await,
    );

    assert_eq!(
        actor(p, MANAGER).await.ticket_scope(p).await.unwrap(),
        TicketScope::All
    );
    assert_eq!(
        actor(p, LEAD).await.ticket_scope(p).await.unwrap(),
        TicketScope::All
    );

    let atlas = actor(p, ANALYST).await.ticket_scope(p).await.unwrap();
    assert!(atlas.allows(key(nwl, 0)) && !atlas.allows(key(ash, 0)) && !atlas.allows(key(wgb, 0)));
    let borealis = actor(p, OTHER_ANALYST).await.ticket_scope(p).await.unwrap();
    assert!(borealis.allows(key(ash, 0)) && !borealis.allows(key(nwl, 0)));

    let client_admin = actor(p, CLIENT_ADMIN).await;
    assert_eq!(
        client_admin.ticket_scope(p).await.unwrap(),
        TicketScope::Org(nwl)
    );
    let client = actor(p, CLIENT).await;
    let scope = client.ticket_scope(p).await.unwrap();
    assert!(scope.allows(key(nwl, client.id)));
    assert!(
        !scope.allows(key(nwl, client_admin.id)),
        "a client sees only their own requests"
    );

    assert_eq!(
        actor(p, ADMIN).await.ticket_scope(p).await.unwrap(),
        TicketScope::Nothing
    );
}
