//! `GET /api/live`: the one Server-Sent Events stream of a browser tab. Each subscriber gets only
//! the events of tickets its user may see, heartbeats keep proxies from closing it, and a
//! subscriber that fell behind is told to resync (refetch what it shows).

use app::backend::live::LiveEvent;
use app::backend::policy::Actor;
use app::backend::request::SessionUser;
use app::backend::AppState;
use app::model::live::{EVENT_RESYNC, EVENT_TICKET};
use app::model::AppError;
use axum::extract::{Request, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

pub const HEARTBEAT: Duration = Duration::from_secs(15);

pub async fn stream(State(state): State<AppState>, req: Request) -> Response {
    let Some(SessionUser(me)) = req.extensions().get::<SessionUser>().cloned() else {
        return crate::security::error_response(&AppError::sign_in_required());
    };
    let actor = Actor::from(&me);
    let scope = match actor.ticket_scope(&state.pool).await {
        Ok(scope) => scope,
        Err(err) => return crate::security::error_response(&err),
    };
    let (rx, closing) = state.live.subscribe();
    let events = futures::stream::unfold(
        (rx, closing, scope, actor.id),
        |(mut rx, mut closing, scope, me)| async move {
            loop {
                let received = tokio::select! {
                    r = rx.recv() => r,
                    _ = closing.changed() => return None,
                };
                let event = match received {
                    Ok(e) if e.visible_to(&scope, me) => ticket_event(&e),
                    Ok(_) => continue,
                    // fell behind: whatever was missed, refetching what is on screen catches up
                    Err(RecvError::Lagged(_)) => Event::default().event(EVENT_RESYNC).data("{}"),
                    Err(RecvError::Closed) => return None,
                };
                return Some((Ok::<Event, Infallible>(event), (rx, closing, scope, me)));
            }
        },
    );
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(HEARTBEAT).text("heartbeat"))
        .into_response()
}

fn ticket_event(e: &Arc<LiveEvent>) -> Event {
    let data = serde_json::to_string(&e.message()).unwrap_or_else(|_| "{}".into());
    Event::default().event(EVENT_TICKET).data(data)
}
