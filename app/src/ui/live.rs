//! Live updates and the ticking clock, as every page sees them: one EventSource per tab, shared
//! by every page (opened in `browser::connect_live`), and one timer that moves "now" each second.

use crate::model::live::{LiveKind, LiveMessage};
use leptos::prelude::*;

/// What the live stream has delivered.
#[derive(Clone, Copy)]
pub struct LiveUpdates {
    /// Bumped (at most a few times a second) whenever anything arrived or the stream reconnected.
    pub version: RwSignal<u64>,
    /// The latest ticket event, for pages that care about one ticket.
    pub last: RwSignal<Option<LiveMessage>>,
}

/// "Now" in unix seconds, kept on the server's clock: pages tell it the server's time when their
/// data arrives, and the browser's timer moves it on each second.
#[derive(Clone, Copy)]
pub struct Clock {
    pub now: RwSignal<i64>,
    /// Server time minus browser time, in seconds.
    pub offset: RwSignal<i64>,
}

pub fn provide_live() {
    provide_context(LiveUpdates {
        version: RwSignal::new(0),
        last: RwSignal::new(None),
    });
    provide_context(Clock {
        now: RwSignal::new(0),
        offset: RwSignal::new(0),
    });
}

pub fn use_live() -> LiveUpdates {
    expect_context::<LiveUpdates>()
}

pub fn use_clock() -> Clock {
    expect_context::<Clock>()
}

impl Clock {
    /// Aligns the clock with the server's `now` (from a page's data). On the server this simply
    /// sets the instant the page is rendered at.
    pub fn sync(&self, server_now: i64) {
        let browser_now = super::browser::unix_now().unwrap_or(server_now);
        self.offset.set(server_now - browser_now);
        self.now.set(server_now);
    }
}

impl LiveUpdates {
    /// A counter that moves when ticket `number` changed beyond the version on screen (or had an
    /// SLA alert, or a step that leaves it as it was), or the stream resynced (which clears `last`). Effects run only in the
    /// browser, so on the server it stays at zero.
    pub fn for_ticket(
        &self,
        number: Signal<Option<i64>>,
        shown_version: Signal<i64>,
    ) -> RwSignal<u64> {
        let hits = RwSignal::new(0u64);
        let last = self.last;
        let version = self.version;
        Effect::new(move |seen: Option<()>| {
            version.track();
            let latest = last.get();
            // the first run is the page arriving with the ticket it just loaded, not a change
            if seen.is_none() {
                return;
            }
            let relevant = match latest {
                Some(m) => {
                    Some(m.number) == number.get_untracked()
                        && (m.version > shown_version.get_untracked()
                            || matches!(m.kind, LiveKind::SlaAlert | LiveKind::Noted))
                }
                None => true,
            };
            if relevant {
                hits.update(|h| *h += 1);
            }
        });
        hits
    }
}
