//! "Now" is an input: everything that depends on the time asks a clock, and tests bring their own.

use crate::model::Timestamp;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    }
}

/// The wall clock moved by a fixed number of seconds, so that the real server can run at a chosen
/// instant (a Saturday night, the hour of a daylight-saving change) while time still flows. Only
/// the end-to-end suite asks for it (`frontline --test-clock-offset`).
#[derive(Debug, Clone, Copy)]
pub struct OffsetClock {
    pub offset_secs: i64,
}

impl Clock for OffsetClock {
    fn now(&self) -> Timestamp {
        SystemClock.now() + self.offset_secs
    }
}

/// A clock that only moves when told to.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn new(now: Timestamp) -> Self {
        ManualClock(Arc::new(AtomicI64::new(now)))
    }

    pub fn set(&self, now: Timestamp) {
        self.0.store(now, Ordering::SeqCst);
    }

    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        self.0.load(Ordering::SeqCst)
    }
}

pub type SharedClock = Arc<dyn Clock>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offset_clock_is_the_wall_clock_moved_and_still_flowing() {
        let wall = SystemClock.now();
        let moved = OffsetClock {
            offset_secs: -86_400,
        }
        .now();
        // the two readings are taken a moment apart
        assert!((moved + 86_400 - wall).abs() <= 1, "{moved} vs {wall}");
    }
}
