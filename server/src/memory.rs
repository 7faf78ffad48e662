//! Keeps the server's resident memory near what it actually uses (glibc malloc only).
//!
//! glibc keeps what the program frees. Measured on the 1M-ticket desk: every sign-in's argon2
//! hash (19 MiB) stayed resident in the blocking thread's own arena (4 sign-ins: +58 MB), queue
//! searches left ~80 MB of freed rows in sqlx's per-connection worker threads' arenas, and a desk
//! report over 28 days left ~570 MB per pool connection that ran it. All of it was free memory
//! that `malloc_trim` hands back. Hence: few arenas, a fixed mmap threshold so that big buffers
//! go back to the OS on free, and a trim whenever resident anonymous memory has grown.

use std::time::Duration;

/// How often the resident size is looked at (one read of /proc/self/statm).
pub const CHECK_EVERY: Duration = Duration::from_secs(1);
/// Growth of resident anonymous memory since the last trim that triggers the next one.
pub const TRIM_AFTER_GROWTH_BYTES: u64 = 32 * 1024 * 1024;

/// Sets the allocator up; call first thing in `main`, before any thread starts.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; called before other threads exist.
    unsafe {
        // glibc's default is 8 arenas per core, each keeping its own peak; two still spread the
        // tokio workers and sqlx's connection threads without measurable contention.
        libc::mallopt(libc::M_ARENA_MAX, 2);
        // A fixed threshold (glibc's initial 128 KiB) stops glibc from raising it after the first
        // big free: argon2's 19 MiB and other large buffers stay mmap'ed and are unmapped on free
        // instead of lingering in an arena. Fixing it also keeps the trim threshold at 128 KiB.
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

/// Resident anonymous memory in bytes (resident minus file-backed pages), if the OS tells.
pub fn anon_resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let mut fields = statm.split_whitespace().skip(1);
    let resident: u64 = fields.next()?.parse().ok()?;
    let shared: u64 = fields.next()?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let page = u64::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).ok()?;
    Some(resident.saturating_sub(shared) * page)
}

/// Returns freed memory to the OS: whenever resident anonymous memory has grown by
/// `TRIM_AFTER_GROWTH_BYTES` since the last trim, `malloc_trim(0)` releases the free pages of
/// every arena. Quiet servers never trim; a burst (a big report, a wave of sign-ins) is given
/// back within about a second of ending.
pub fn spawn_trimmer() -> Option<tokio::task::JoinHandle<()>> {
    if !cfg!(all(target_os = "linux", target_env = "gnu")) {
        return None;
    }
    anon_resident_bytes()?;
    Some(tokio::spawn(async move {
        let mut baseline = anon_resident_bytes().unwrap_or(0);
        let mut tick = tokio::time::interval(CHECK_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(now) = anon_resident_bytes() else {
                continue;
            };
            if now < baseline {
                baseline = now;
                continue;
            }
            if now - baseline < TRIM_AFTER_GROWTH_BYTES {
                continue;
            }
            // it walks every arena and madvises free pages: off the async workers
            let took = tokio::task::spawn_blocking(trim).await.ok().flatten();
            let after = anon_resident_bytes().unwrap_or(now);
            tracing::debug!(
                before_mb = now >> 20,
                after_mb = after >> 20,
                took_ms = took.map(|d| d.as_secs_f64() * 1000.0),
                "returned free memory to the OS"
            );
            baseline = after;
        }
    }))
}

fn trim() -> Option<Duration> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let started = std::time::Instant::now();
        // SAFETY: malloc_trim is thread-safe (it locks each arena in turn).
        unsafe { libc::malloc_trim(0) };
        Some(started.elapsed())
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn reads_the_resident_size() {
        let bytes = anon_resident_bytes().expect("/proc/self/statm");
        assert!(bytes > 0);
    }
}
