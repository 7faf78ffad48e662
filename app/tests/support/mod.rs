//! A real SQLite file in a temporary directory, migrated, for each test.

#![allow(dead_code)]

pub mod smtp;

use app::backend::db::{self, Pool};

pub const NOW: i64 = 1_795_000_000;

pub struct TestDb {
    pub pool: Pool,
    pub dir: tempfile::TempDir,
}

pub async fn test_db() -> TestDb {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}/test.db", dir.path().display());
    let pool = db::connect(&url).await.expect("connect");
    db::migrate(&pool).await.expect("migrate");
    TestDb { pool, dir }
}

pub async fn scalar(pool: &Pool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql)
}

use app::backend::clock::ManualClock;
use app::backend::policy::Actor;
use app::backend::repo::users;
use app::backend::{seed, AppState, Settings};
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
        let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(email)
            .fetch_one(&self.state.pool)
            .await
            .expect(email);
        Actor::from(&users::me(&self.state.pool, id).await.unwrap().unwrap())
    }

    pub async fn user_id(&self, email: &str) -> i64 {
        self.actor(email).await.id
    }

    pub async fn scalar(&self, sql: &str) -> i64 {
        scalar(&self.state.pool, sql).await
    }
}

pub const MANAGER: &str = "morgan.reyes@frontline.example";
pub const LEAD: &str = "priya.nair@frontline.example";
pub const ANALYST: &str = "ana.costa@frontline.example";
pub const SENIOR: &str = "lee.chen@frontline.example";
pub const OTHER_ANALYST: &str = "ben.adler@frontline.example";
pub const ADMIN: &str = "sam.okafor@frontline.example";
pub const CLIENT_ADMIN: &str = "ines.moreau@northwind.example";
pub const CLIENT: &str = "jo.bauer@northwind.example";
pub const OTHER_CLIENT: &str = "kim.tanaka@contoso.example";
