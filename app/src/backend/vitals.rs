//! What the background workers tell operators about themselves (the server's `/metrics`): plain
//! counters and instants of this process, never anything about a ticket, a client or a person.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// The channels of the outbox, as `notifications.channel` names them.
pub const CHANNELS: [&str; 2] = ["email", "webhook"];

#[derive(Debug, Default)]
pub struct Vitals {
    /// When the SLA engine last finished a sweep, in the app clock's seconds (0: not yet).
    sla_swept_at: AtomicI64,
    /// Failed delivery attempts per channel (in the order of `CHANNELS`), retried or given up.
    delivery_failures: [AtomicU64; 2],
}

impl Vitals {
    pub fn sla_swept(&self, at: i64) {
        self.sla_swept_at.store(at, Ordering::Relaxed);
    }

    /// When the SLA engine last finished a sweep, if it has since this process started.
    pub fn sla_last_sweep(&self) -> Option<i64> {
        Some(self.sla_swept_at.load(Ordering::Relaxed)).filter(|at| *at != 0)
    }

    pub fn delivery_failed(&self, channel: &str) {
        if let Some(i) = CHANNELS.iter().position(|c| *c == channel) {
            self.delivery_failures[i].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Failed delivery attempts so far, per channel.
    pub fn delivery_failures(&self) -> [(&'static str, u64); 2] {
        [0, 1].map(|i| {
            (
                CHANNELS[i],
                self.delivery_failures[i].load(Ordering::Relaxed),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_failures_per_known_channel_and_keeps_the_last_sweep() {
        let v = Vitals::default();
        assert_eq!(v.sla_last_sweep(), None);
        v.sla_swept(1_795_000_000);
        assert_eq!(v.sla_last_sweep(), Some(1_795_000_000));
        v.delivery_failed("email");
        v.delivery_failed("email");
        v.delivery_failed("webhook");
        v.delivery_failed("carrier pigeon");
        assert_eq!(v.delivery_failures(), [("email", 2), ("webhook", 1)]);
    }
}
