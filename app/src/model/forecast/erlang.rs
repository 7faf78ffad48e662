//! Erlang C, the contact centre's staffing model: calls (tickets) arrive at random (Poisson), wait
//! in one queue, and are worked by `agents` interchangeable people with exponential handle times.
//! Chosen over a simulation for the "analysts needed" figure because it answers in closed form,
//! has published tables to test against, and is what the leads who read the figure know; the
//! queue's path with today's backlog (which Erlang's steady state does not model) is simulated
//! in [`super::projection`].
//!
//! `load` is the offered traffic in Erlangs: arrivals per second times the average handle time.
//! Probabilities go through the Erlang B recursion, which stays within [0, 1] at every step
//! (the textbook formula's factorials and powers overflow beyond a few dozen agents).

/// Erlang B: the probability that all `agents` are busy in a loss system offered `load`.
pub fn erlang_b(agents: u32, load: f64) -> f64 {
    let mut b = 1.0;
    for n in 1..=agents {
        b = load * b / (f64::from(n) + load * b);
    }
    b
}

/// Erlang C: the probability that a ticket has to wait. 1 when the agents cannot keep up.
pub fn wait_probability(agents: u32, load: f64) -> f64 {
    if load <= 0.0 {
        return 0.0;
    }
    let n = f64::from(agents);
    if n <= load {
        return 1.0;
    }
    let b = erlang_b(agents, load);
    (n * b / (n - load * (1.0 - b))).clamp(0.0, 1.0)
}

/// The service level: the share of tickets picked up within `wait_secs`.
pub fn service_level(agents: u32, load: f64, handle_secs: f64, wait_secs: f64) -> f64 {
    if load <= 0.0 {
        return 1.0;
    }
    let n = f64::from(agents);
    if n <= load || handle_secs <= 0.0 {
        return 0.0;
    }
    let c = wait_probability(agents, load);
    (1.0 - c * (-(n - load) * wait_secs / handle_secs).exp()).clamp(0.0, 1.0)
}

/// The average wait before pickup, in seconds (infinite when the agents cannot keep up).
pub fn average_wait(agents: u32, load: f64, handle_secs: f64) -> f64 {
    let n = f64::from(agents);
    if load <= 0.0 {
        return 0.0;
    }
    if n <= load {
        return f64::INFINITY;
    }
    wait_probability(agents, load) * handle_secs / (n - load)
}

/// Most agents [`agents_needed`] looks at: beyond this the input is not a help desk's.
pub const MAX_AGENTS: u32 = 10_000;

/// The fewest agents that pick up at least `goal` (0 to 1) of tickets within `wait_secs`.
pub fn agents_needed(load: f64, handle_secs: f64, wait_secs: f64, goal: f64) -> u32 {
    if load <= 0.0 || !load.is_finite() {
        return 0;
    }
    // fewer than the load can never keep up
    let mut n = (load.floor() as u32).saturating_add(1).max(1);
    while n < MAX_AGENTS && service_level(n, load, handle_secs, wait_secs) < goal {
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn wait_probability_matches_the_published_table_for_ten_erlangs() {
        // Erlang C tables (e.g. Cleveland & Mayben, "Call Center Management on Fast Forward"):
        // 10 Erlangs on 11, 12, 13, 14 agents wait with probability 68.2%, 44.9%, 28.5%, 17.4%
        for (agents, want) in [(11, 0.6821), (12, 0.4494), (13, 0.2853), (14, 0.1741)] {
            let got = wait_probability(agents, 10.0);
            assert!(close(got, want, 0.0001), "{agents} agents: {got}");
        }
    }

    #[test]
    fn hand_computed_small_cases() {
        // one agent: the wait probability is the utilisation
        assert!(close(wait_probability(1, 0.5), 0.5, 1e-12));
        // two agents, one Erlang: C = 1/3 (B = 1/5, C = 2B / (2 - (1 - B)))
        assert!(close(erlang_b(2, 1.0), 0.2, 1e-12));
        assert!(close(wait_probability(2, 1.0), 1.0 / 3.0, 1e-12));
        // M/M/1 with rho 0.5 and a 10 minute handle time waits 10 minutes on average
        assert!(close(average_wait(1, 0.5, 600.0), 600.0, 1e-9));
    }

    #[test]
    fn the_classic_staffing_example_needs_fourteen_agents() {
        // 100 calls in 30 minutes, 3 minute handle time (10 Erlangs), 80% answered in 20 s:
        // 13 agents reach 79.6%, 14 reach 88.8%
        let (aht, wait) = (180.0, 20.0);
        assert!(close(service_level(13, 10.0, aht, wait), 0.7956, 0.0001));
        assert!(close(service_level(14, 10.0, aht, wait), 0.8884, 0.0001));
        assert_eq!(agents_needed(10.0, aht, wait, 0.8), 14);
    }

    #[test]
    fn overloaded_idle_and_large_cases_stay_in_range() {
        assert_eq!(wait_probability(10, 10.0), 1.0);
        assert_eq!(service_level(9, 10.0, 60.0, 20.0), 0.0);
        assert_eq!(agents_needed(0.0, 60.0, 20.0, 0.8), 0);
        assert_eq!(service_level(0, 0.0, 60.0, 20.0), 1.0);
        // a thousand Erlangs: the recursion stays finite where factorials overflow
        let c = wait_probability(1050, 1000.0);
        assert!(c.is_finite() && c > 0.0 && c < 1.0, "{c}");
        let n = agents_needed(1000.0, 300.0, 60.0, 0.9);
        assert!((1001..1100).contains(&n), "{n}");
        // more agents never serve worse
        let levels: Vec<f64> = (11..30)
            .map(|n| service_level(n, 10.0, 180.0, 20.0))
            .collect();
        assert!(levels.windows(2).all(|w| w[1] >= w[0]));
    }
}
