//! Periodic clean-up: expired sessions, old failed sign-in records and API idempotency keys; report days left stale
//! by ticket changes (the first run after an upgrade builds them all).

use app::backend::db::begin_write;
use app::backend::repo::{second_factors, sessions};
use app::backend::reports;
use app::backend::AppState;
use std::time::Duration;

const EVERY: Duration = Duration::from_secs(600);

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            state.leader.until_leading().await;
            run_once(&state).await;
        }
    })
}

pub async fn run_once(state: &AppState) {
    if let Err(err) = prune_sessions(state).await {
        tracing::warn!(error = %err, "could not delete expired sessions and old failed sign-ins");
    }
    if let Err(err) = app::backend::api_tokens::prune_idempotency(state).await {
        tracing::warn!(error = %err, "could not forget old answers to idempotent API creates");
    }
    match reports::refresh_rollups_in_background(&state.pool).await {
        Ok(0) => {}
        Ok(days) => tracing::info!(days, "report days recomputed"),
        Err(err) => tracing::warn!(error = %err, "could not recompute report days"),
    }
}

async fn prune_sessions(state: &AppState) -> sqlx::Result<()> {
    let now = state.now();
    let mut tx = begin_write(&state.pool).await?;
    sessions::delete_expired(&mut tx, now).await?;
    sessions::prune_failures(&mut tx, now - state.settings.login_window_secs).await?;
    second_factors::delete_expired(&mut tx, now).await?;
    tx.commit().await
}
