//! `GET /api/live`: the one Server-Sent Events stream of a browser tab. Each subscriber gets only
//! the events of tickets its user may see, heartbeats keep proxies from closing it, and a
//! subscriber that fell behind is told to resync (refetch what it shows).
//!
//! A stream outlives the request that opened it, so it checks again every few seconds that its
//! session still stands (sign-out, expiry, deactivation end it) and what its user may see now (a
//! team move or a role change narrows it).

use app::backend::auth::{token_from_cookie_header, token_hash};
use app::backend::live::{LiveEvent, StreamSlot, Subscription};
use app::backend::policy::{Actor, TicketScope};
use app::backend::repo::sessions;
use app::backend::request::SessionUser;
use app::backend::AppState;
use app::model::live::{EVENT_RESYNC, EVENT_TICKET};
use app::model::AppError;
use axum::extract::{Request, State};
use axum::http::header::COOKIE;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::watch;

pub const HEARTBEAT: Duration = Duration::from_secs(15);
/// How often an open stream checks its session and its user's scope again.
pub const RECHECK: Duration = Duration::from_secs(5);

pub async fn stream(State(state): State<AppState>, req: Request) -> Response {
    let Some(SessionUser(me)) = req.extensions().get::<SessionUser>().cloned() else {
        return crate::security::error_response(&AppError::sign_in_required());
    };
    // the session layer found the user by this cookie
    let Some(session) = req
        .headers()
        .get(COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|header| token_from_cookie_header(header, &state.settings))
        .map(token_hash)
    else {
        return crate::security::error_response(&AppError::sign_in_required());
    };
    let actor = Actor::from(&me);
    let scope = match actor.ticket_scope(&state.pool).await {
        Ok(scope) => scope,
        Err(err) => return crate::security::error_response(&err),
    };
    let Some(slot) = state
        .live
        .take_slot(actor.id, state.settings.live_streams_per_user)
    else {
        return crate::security::error_response(&AppError::TooManyRequests(
            "Too many open live connections for this account. Close a few tabs and reload.".into(),
        ));
    };
    let Subscription {
        events: rx,
        closing,
        resync,
    } = state.live.subscribe();
    let mut recheck = tokio::time::interval(RECHECK);
    recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let open = Open {
        state,
        session,
        rx,
        closing,
        resync,
        recheck,
        scope,
        me: actor.id,
        _slot: slot,
    };
    let events = futures::stream::unfold(open, |mut open| async move {
        let event = open.next().await?;
        Some((Ok::<Event, Infallible>(event), open))
    });
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(HEARTBEAT).text("heartbeat"))
        .into_response()
}

/// Tells the browser to refetch what it shows.
fn resync() -> Event {
    Event::default().event(EVENT_RESYNC).data("{}")
}

/// What an open stream holds.
struct Open {
    state: AppState,
    /// The hash of the session cookie's token.
    session: String,
    rx: broadcast::Receiver<Arc<LiveEvent>>,
    closing: watch::Receiver<bool>,
    resync: watch::Receiver<u64>,
    recheck: tokio::time::Interval,
    scope: TicketScope,
    me: i64,
    _slot: StreamSlot,
}

impl Open {
    /// The next event to send, or None when the stream ends.
    async fn next(&mut self) -> Option<Event> {
        loop {
            let received = tokio::select! {
                r = self.rx.recv() => r,
                _ = self.closing.changed() => return None,
                // events may have been missed (another instance's were not heard for a while)
                changed = self.resync.changed() => {
                    changed.ok()?;
                    return Some(resync());
                }
                _ = self.recheck.tick() => {
                    self.recheck().await?;
                    continue;
                }
            };
            return match received {
                Ok(e) if e.visible_to(&self.scope, self.me) => Some(ticket_event(&e)),
                Ok(_) => continue,
                // fell behind: whatever was missed, refetching what is on screen catches up
                Err(RecvError::Lagged(_)) => Some(resync()),
                Err(RecvError::Closed) => None,
            };
        }
    }

    /// Keeps the stream only while its session stands, with what its user may see now.
    async fn recheck(&mut self) -> Option<()> {
        let now = self.state.now();
        // The connection goes back before `ticket_scope` takes one: held while waiting for a
        // second, a burst of rechecks could hold every connection of the pool and wait on each
        // other until the acquire timeout, stalling every request.
        let found = {
            let mut conn = self.state.pool.acquire().await.ok()?;
            sessions::find_user(&mut conn, &self.session, now).await
        };
        let Ok(Some((me, _))) = found else {
            return None;
        };
        let actor = Actor::from(&me);
        // a database hiccup ends the stream; the browser reconnects and is checked afresh
        self.scope = actor.ticket_scope(&self.state.pool).await.ok()?;
        self.me = actor.id;
        Some(())
    }
}

fn ticket_event(e: &Arc<LiveEvent>) -> Event {
    let data = serde_json::to_string(&e.message()).unwrap_or_else(|_| "{}".into());
    Event::default().event(EVENT_TICKET).data(data)
}
