//! Mail piped in by `frontline ingest-mail` is placed by another process. On PostgreSQL that
//! process's NOTIFY reaches every instance's live streams; a SQLite desk has no such channel, so
//! the server looks every two seconds for mail placed since it last looked and announces the
//! tickets it touched (announcing one twice only makes a page fetch it again).

use crate::backend::db::Dialect;
use crate::backend::repo::{mail as repo, tickets as ticket_rows};
use crate::backend::state::AppState;
use crate::backend::tickets;
use crate::model::live::LiveKind;
use crate::model::AppResult;
use std::time::Duration;

const EVERY: Duration = Duration::from_secs(2);
const BATCH: i64 = 200;

/// The watch, on SQLite desks only.
pub fn spawn_watch(state: &AppState) -> Option<tokio::task::JoinHandle<()>> {
    if state.pool.dialect() != Dialect::Sqlite {
        return None;
    }
    let state = state.clone();
    Some(tokio::spawn(async move {
        // what was placed before the server started is no news
        let mut seen: Option<i64> = None;
        loop {
            let result = match seen {
                None => latest(&state).await,
                Some(after) => announce_after(&state, after).await,
            };
            match result {
                Ok(last) => seen = Some(last),
                Err(err) => tracing::warn!(error = %err, "could not look for piped mail"),
            }
            tokio::time::sleep(EVERY).await;
        }
    }))
}

async fn latest(state: &AppState) -> AppResult<i64> {
    // an empty desk starts from 1 so that its first message is announced
    Ok(repo::latest_id(&mut state.pool.acquire().await?)
        .await?
        .max(1))
}

/// Announces the tickets of mail placed after message `after`; returns the last message seen.
pub async fn announce_after(state: &AppState, after: i64) -> AppResult<i64> {
    let mut conn = state.pool.acquire().await?;
    let placed = repo::placed_after(&mut conn, after, BATCH).await?;
    let mut last = after;
    for (id, ticket_id) in placed {
        last = id;
        let Some(t) = ticket_rows::find_by_id(&mut conn, ticket_id).await? else {
            continue;
        };
        let kind = if t.version == 1 {
            LiveKind::Created
        } else {
            LiveKind::Changed
        };
        let event = tickets::live_event(&mut conn, kind, &t).await?;
        state.live.publish(event);
    }
    if last != after {
        state.sla_wake.notify_one();
        state.notify_wake.notify_one();
    }
    Ok(last)
}
