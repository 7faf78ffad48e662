//! A real database for each test, migrated: a SQLite file in a temporary directory, or, with
//! `FRONTLINE_TEST_DATABASE=postgres`, a database of its own on the tests' PostgreSQL server
//! (testpg). `make test` runs these tests once on each.

#![allow(dead_code)]

pub mod outbox;
pub mod receiver;
pub mod smtp;

use app::backend::db::{self, Pool};

// The demo cast, as the seed creates it; names, firms and teams through `cast::`. Each test
// binary uses a part of it.
#[allow(unused_imports)]
pub use app::backend::seed::cast::{
    self, ADMIN, ANALYST, CLIENT, CLIENT_ADMIN, DEMO_PASSWORD, LEAD, MANAGER, NOW, OTHER_ANALYST,
    OTHER_CLIENT, SENIOR,
};

pub struct TestDb {
    pub pool: Pool,
    /// What the pool was opened with, to open the same database again.
    pub url: String,
    pub dir: tempfile::TempDir,
    _postgres: Option<testpg::TestDatabase>,
}

/// Set to `postgres` to run the tests on PostgreSQL.
pub const DATABASE_VAR: &str = "FRONTLINE_TEST_DATABASE";

pub fn on_postgres() -> bool {
    std::env::var(DATABASE_VAR).is_ok_and(|v| v == "postgres")
}

pub async fn test_db() -> TestDb {
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::WARN)
        .with_test_writer()
        .try_init();
    let dir = tempfile::tempdir().expect("tempdir");
    let postgres = if on_postgres() {
        Some(testpg::TestPostgres::shared().database().await)
    } else {
        None
    };
    let url = match &postgres {
        Some(database) => database.url.clone(),
        None => format!("sqlite://{}/test.db", dir.path().display()),
    };
    let pool = db::connect(&url).await.expect("connect");
    db::migrate(&pool).await.expect("migrate");
    TestDb {
        pool,
        url,
        dir,
        _postgres: postgres,
    }
}

pub async fn scalar(pool: &Pool, sql: &str) -> i64 {
    app::pool_run!(pool, c => sqlx::query_scalar(sql).fetch_one(c).await).expect(sql)
}

use app::backend::clock::ManualClock;
use app::backend::policy::Actor;
use app::backend::repo::users;
use app::backend::{auth, second_factor, seed, AppState, Settings};
use app::model::second_factor::{SignInStep, STEP_SECS};
use app::model::{AppError, AppResult};
use std::sync::Arc;

/// A seeded desk with a clock the test moves.
pub struct Desk {
    pub state: AppState,
    pub clock: ManualClock,
    pub _db: TestDb,
}

pub async fn desk(tickets: usize) -> Desk {
    desk_seeded_with(tickets, |_| {}).await
}

/// A desk without tickets, with adjusted settings.
pub async fn desk_with(adjust: impl FnOnce(&mut Settings)) -> Desk {
    desk_seeded_with(0, adjust).await
}

pub async fn desk_seeded_with(tickets: usize, adjust: impl FnOnce(&mut Settings)) -> Desk {
    let mut settings = Settings::default();
    adjust(&mut settings);
    let db = test_db().await;
    seed::seed_demo(&db.pool, NOW, tickets).await.expect("seed");
    let clock = ManualClock::new(NOW);
    let state = AppState::new(
        db.pool.clone(),
        Arc::new(clock.clone()),
        settings,
        leptos::config::LeptosOptions::builder()
            .output_name("frontline")
            .build(),
    );
    Desk {
        state,
        clock,
        _db: db,
    }
}

impl Desk {
    pub async fn actor(&self, email: &str) -> Actor {
        let id = self.user_id(email).await;
        Actor::from(
            &users::me(&mut self.state.pool.acquire().await.unwrap(), id)
                .await
                .unwrap()
                .unwrap(),
        )
    }

    /// The id of the user with e-mail `email`.
    pub async fn user_id(&self, email: &str) -> i64 {
        self.one("SELECT id FROM users WHERE email = $1", email)
            .await
    }

    pub async fn scalar(&self, sql: &str) -> i64 {
        scalar(&self.state.pool, sql).await
    }

    /// The one value `sql` selects with `value` bound to its `$1`.
    pub async fn one<T>(&self, sql: &str, value: &str) -> T
    where
        T: Send + Unpin + for<'r> app::backend::repo::Decodes<'r>,
    {
        app::pool_run!(self.state.pool, c => sqlx::query_scalar(sql)
            .bind(value)
            .fetch_one(c).await)
        .unwrap_or_else(|e| panic!("{sql} ({value}): {e}"))
    }

    /// The id of the organization with short code `code` (e.g. `cast::CLIENT_ORG`).
    pub async fn org_id(&self, code: &str) -> i64 {
        self.one("SELECT id FROM organizations WHERE code = $1", code)
            .await
    }

    /// The id of the team called `name` (e.g. `cast::TEAM`).
    pub async fn team_id(&self, name: &str) -> i64 {
        self.one("SELECT id FROM teams WHERE name = $1", name).await
    }

    /// Turns every `n`th closed ticket back into work still to do, every other one of them
    /// waiting on its client: the backlog of a desk that fell behind, for tests that page through
    /// much open work (the demo desk keeps only its last days' tickets open).
    pub async fn fall_behind(&self, n: i64) {
        app::pool_run!(self.state.pool, c => sqlx::query(&format!(
            "UPDATE tickets SET
                 status = CASE WHEN (id / {n}) % 2 = 0 THEN 'open' ELSE 'pending' END,
                 status_rank = CASE WHEN (id / {n}) % 2 = 0 THEN 0 ELSE 1 END,
                 pending_reason = CASE WHEN (id / {n}) % 2 = 0 THEN NULL ELSE 'customer' END,
                 resolved_at = NULL, closed_at = NULL, next_due_at = resolution_due_at
             WHERE status = 'closed' AND id % {n} = 0"
        ))
        .execute(c).await.map(|_| ()))
        .unwrap();
    }

    /// The e-mail of the client admin of the organization with short code `code`.
    pub async fn client_admin_of(&self, code: &str) -> String {
        self.one(
            "SELECT email FROM users WHERE role = 'client_admin'
             AND org_id = (SELECT id FROM organizations WHERE code = $1)",
            code,
        )
        .await
    }
}

/// Signs `email` in the way a person does: the password, then, for an account with a second
/// factor, the code its app shows at the desk's time. The clock of a test stands still, so a
/// test that signs the same person in again would repeat a spent code: the codes of the step
/// before, this one and the one after are tried in turn (each is accepted once).
pub async fn session_token(
    state: &AppState,
    email: &str,
    password: &str,
    client: &auth::ClientInfo,
) -> AppResult<String> {
    let token = match auth::sign_in(state, email, password, client).await? {
        auth::SignInOutcome::SignedIn(signed_in) => return Ok(signed_in.token),
        auth::SignInOutcome::Challenged {
            token,
            step: SignInStep::CodeNeeded,
        } => token,
        auth::SignInOutcome::Challenged { step, .. } => {
            panic!("{email} was asked to {step:?}; this helper only answers codes")
        }
    };
    let secret: String = app::pool_run!(state.pool, c => sqlx::query_scalar(
        "SELECT f.secret FROM second_factors f JOIN users u ON u.id = f.user_id WHERE u.email = $1",
    )
    .bind(email)
    .fetch_one(c).await)
    .expect("the second factor asked for");
    let now = state.now();
    let mut refused = None;
    for at in [now - STEP_SECS, now, now + STEP_SECS] {
        let code = second_factor::code_at(&secret, at)?;
        match auth::answer_challenge(state, &token, &code, false, client).await {
            Ok(answered) => return Ok(answered.signed_in.token),
            Err(AppError::Invalid(why)) => refused = Some(why),
            Err(e) => return Err(e),
        }
    }
    panic!(
        "every code around the clock's time was spent signing {email} in ({refused:?}): \
         advance the clock"
    )
}
