//! `seed-demo`: builds, deterministically, the desk of a managed service provider: 22 client firms,
//! 4 teams with leads, 24 analysts across three tiers, an ops manager, an administrator, client
//! users with their departments, and months of tickets with realistic timelines.
//!
//! Ticket volume scales (`--tickets N`) for benchmarks: tickets and timelines are generated in
//! batches and written with multi-row inserts, one transaction per batch.

mod arrivals;
mod articles;
pub mod cast;
mod data;
mod desk;
mod history;
pub mod mail;
mod oncall;
mod rng;
mod ticket;

use super::db::Pool;
use super::password;
use super::repo::{canned, categories, desk as desk_repo, kb, orgs, tickets, users};
use crate::model::time::DAY;
use crate::model::Role;
pub use cast::{DEMO_PASSWORD, DEMO_SECOND_FACTOR};
pub use history::raw_insert_loop;
use rng::Rng;

pub const DEFAULT_TICKETS: usize = 20_000;

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error(
        "this database already has users and is not a demo desk; refusing to add demo accounts \
         with a published password"
    )]
    NotADemoDesk,
    #[error("could not hash the demo password: {0}")]
    Hash(String),
    #[error("the demo data is inconsistent: {0}")]
    Data(String),
    #[error("could not build the report rollups: {0}")]
    Rollups(String),
}

/// A demo login printed after seeding and listed in the README.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub role: Role,
    pub name: String,
    pub email: String,
    pub note: String,
}

#[derive(Debug)]
pub struct SeedReport {
    /// False when the database already held the demo desk and nothing was written.
    pub seeded: bool,
    pub tickets: usize,
    pub logins: Vec<DemoLogin>,
}

/// The named demo logins: one per role, plus a colleague on another team and a client of another firm.
pub fn demo_logins() -> Vec<DemoLogin> {
    let login = |role, name: &str, email: &str, note: &str| DemoLogin {
        role,
        name: name.into(),
        email: email.into(),
        note: note.into(),
    };
    vec![
        login(
            Role::Manager,
            cast::MANAGER_NAME,
            cast::MANAGER,
            "ops manager, all clients",
        ),
        login(
            Role::Lead,
            cast::LEAD_NAME,
            cast::LEAD,
            "lead of team Atlas",
        ),
        login(
            Role::Analyst,
            cast::ANALYST_NAME,
            cast::ANALYST,
            "tier 1, team Atlas",
        ),
        login(
            Role::Senior,
            cast::SENIOR_NAME,
            cast::SENIOR,
            "tier 2, team Atlas",
        ),
        login(
            Role::Analyst,
            cast::OTHER_ANALYST_NAME,
            cast::OTHER_ANALYST,
            "tier 1, team Borealis",
        ),
        login(
            Role::Admin,
            cast::ADMIN_NAME,
            cast::ADMIN,
            "desk configuration and users; two-step sign-in",
        ),
        login(
            Role::ClientAdmin,
            cast::CLIENT_ADMIN_NAME,
            cast::CLIENT_ADMIN,
            "client admin, Northwind Logistics",
        ),
        login(
            Role::Client,
            cast::CLIENT_NAME,
            cast::CLIENT,
            "client, Northwind Logistics",
        ),
        login(
            Role::Client,
            cast::OTHER_CLIENT_NAME,
            cast::OTHER_CLIENT,
            "client, Contoso Health",
        ),
    ]
}

pub async fn seed_demo(
    pool: &Pool,
    now: i64,
    ticket_count: usize,
) -> Result<SeedReport, SeedError> {
    if users::count(&mut pool.acquire().await?).await? > 0 {
        return if desk_repo::setting(&mut pool.acquire().await?, "demo")
            .await?
            .as_deref()
            == Some("true")
        {
            let mut conn = pool.acquire().await?;
            Ok(SeedReport {
                seeded: false,
                tickets: tickets::count(&mut conn).await? as usize,
                logins: demo_logins(),
            })
        } else {
            Err(SeedError::NotADemoDesk)
        };
    }
    let hash = tokio::task::spawn_blocking(|| password::hash(DEMO_PASSWORD))
        .await
        .map_err(|e| SeedError::Hash(e.to_string()))?
        .map_err(|e| SeedError::Hash(e.to_string()))?;

    let mut rng = Rng(0x5EED_F00D);
    let mut tx = pool.begin().await?;
    desk_repo::set_setting(&mut tx, "demo", "true").await?;
    let mut category_ids = Vec::new();
    for (name, priority) in data::CATEGORIES {
        category_ids.push(categories::insert(&mut tx, name, priority).await?);
    }
    for (title, body) in data::CANNED {
        canned::insert(&mut tx, title, body, true, now).await?;
    }
    // everyone joined a month before the oldest ticket
    let joined = now - (history::HISTORY_DAYS + 30) * DAY;
    let mut people = desk::People::new(demo_logins(), hash, joined);
    let mut org_infos = desk::organizations(&mut tx, joined).await?;
    let team_infos = desk::teams(&mut tx, &mut rng, &mut people, &mut org_infos).await?;
    desk::managers(&mut tx, &people).await?;
    desk::clients(&mut tx, &mut rng, &mut people, &mut org_infos).await?;
    seed_articles(&mut tx, joined).await?;
    enrol_demo_admin(&mut tx, joined).await?;
    oncall::rota(&mut tx, &team_infos, now).await?;
    tx.commit().await?;

    history::write_history(
        pool,
        &mut rng,
        now,
        ticket_count,
        &org_infos,
        &team_infos,
        &category_ids,
    )
    .await?;
    // so that the first report on a fresh demo desk reads ready rollups
    crate::backend::repo::reports::mark_all_analyst_days(&mut pool.acquire().await?).await?;
    crate::backend::reports::refresh_rollups(pool, None)
        .await
        .map_err(|e| SeedError::Rollups(e.to_string()))?;
    Ok(SeedReport {
        seeded: true,
        tickets: ticket_count,
        logins: demo_logins(),
    })
}

/// The demo administrator signs in with a code (administrators must): from an authenticator
/// app given [`DEMO_SECOND_FACTOR`], printed with the demo logins.
async fn enrol_demo_admin(conn: &mut crate::backend::db::Conn, now: i64) -> Result<(), SeedError> {
    let admin = users::find_login(&mut *conn, cast::ADMIN)
        .await?
        .ok_or(SeedError::Data("the demo administrator is missing".into()))?;
    super::repo::second_factors::confirm(&mut *conn, admin.id, DEMO_SECOND_FACTOR, 0, now).await?;
    Ok(())
}

/// The demo knowledge base, written by Ana a while ago.
async fn seed_articles(conn: &mut crate::backend::db::Conn, at: i64) -> Result<(), SeedError> {
    let author = users::find_login(&mut *conn, cast::ANALYST)
        .await?
        .map(|a| a.id)
        .ok_or(sqlx::Error::RowNotFound)?;
    for (i, draft) in articles::drafts().enumerate() {
        let Ok(valid) = draft.validate() else {
            continue;
        };
        let org_id = match &valid.org_code {
            Some(code) => orgs::find_id_by_code(&mut *conn, code).await?,
            None => None,
        };
        kb::insert(conn, &valid, org_id, author, at + i as i64 * DAY, None).await?;
    }
    Ok(())
}
