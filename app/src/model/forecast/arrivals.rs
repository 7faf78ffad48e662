//! Arrival forecast for one series (a client and priority): tickets per hour for the next hours.
//!
//! Method: a seasonal profile times a smoothed level. The profile of an hour is the average of
//! the same hour of the week over the previous weeks, the nearer weeks weighing more (help desk
//! arrivals repeat by hour of the week: Monday 9:00 is busy, Sunday 3:00 is not). The level is the
//! ratio of what arrived to what the profile expected over the last hours, exponentially
//! smoothed (recent hours weigh more) and shrunk toward 1 when few tickets back it, then damped
//! toward 1 the further ahead an hour is: a busy morning says more about the next hour than about
//! the evening. This is Holt-Winters' multiplicative seasonality without its trend term; a trend
//! fitted hour by hour on counts of a few tickets chases noise, while the level ratio follows a
//! busier or quieter day. While the dashboard's spike detector fires, the forecast is raised to
//! at least the current rate decaying hour by hour, and flagged.

/// Hours in a week: the seasonal period.
pub const WEEK_HOURS: usize = 168;
/// Weeks of history the profile averages (fewer when the history is shorter).
pub const PROFILE_WEEKS: usize = 6;
/// Each earlier week weighs this much of the one after it.
const WEEK_DECAY: f64 = 0.8;
/// Each earlier hour weighs this much of the one after it in the level (half-life ~ 6.6 h).
const LEVEL_DECAY: f64 = 0.9;
/// Hours the level looks back over.
const LEVEL_HOURS: usize = 48;
/// Tickets of prior belief that the level is 1: a quiet client's two tickets move it little.
const LEVEL_PRIOR: f64 = 10.0;
/// Per hour ahead, the share of the level's deviation from 1 that remains.
const LEVEL_DAMPING: f64 = 0.97;
/// Per hour ahead, the share of a spike's rate assumed to remain.
const SPIKE_DECAY: f64 = 0.7;

/// Forecast tickets per hour for the hours after the history, and whether it was raised for a
/// spike.
#[derive(Debug, Clone, PartialEq)]
pub struct ArrivalForecast {
    pub hourly: Vec<f64>,
    pub raised: bool,
}

/// The profile's expectation for hour `at` (an index into `history`, possibly past its end),
/// from the same hour of earlier weeks; None without any earlier week.
pub fn seasonal(history: &[f64], at: usize) -> Option<f64> {
    let mut sum = 0.0;
    let mut weights = 0.0;
    let mut weight = 1.0;
    for week in 1..=PROFILE_WEEKS {
        let Some(i) = at.checked_sub(week * WEEK_HOURS) else {
            break;
        };
        if let Some(v) = history.get(i) {
            sum += weight * v;
            weights += weight;
        }
        weight *= WEEK_DECAY;
    }
    (weights > 0.0).then(|| sum / weights)
}

/// The smoothed ratio of arrivals to the profile over the last hours of `history`.
pub fn level(history: &[f64]) -> f64 {
    let n = history.len();
    let (mut actual, mut expected, mut weight) = (0.0, 0.0, 1.0);
    for back in 1..=LEVEL_HOURS.min(n) {
        let at = n - back;
        if let Some(e) = seasonal(history, at) {
            actual += weight * history[at];
            expected += weight * e;
        }
        weight *= LEVEL_DECAY;
    }
    (actual + LEVEL_PRIOR) / (expected + LEVEL_PRIOR)
}

/// Forecasts `horizon` hours after `history` (tickets per hour, oldest first, its last entry the
/// last complete hour). `spike`: the spike detector fires for this client now.
pub fn forecast(history: &[f64], horizon: usize, spike: bool) -> ArrivalForecast {
    let n = history.len();
    let level = level(history);
    let last = history.last().copied().unwrap_or(0.0);
    // without a week of history, the recent average stands in for the profile
    let recent = {
        let k = n.clamp(1, 24);
        history[n.saturating_sub(k)..].iter().sum::<f64>() / k as f64
    };
    let mut deviation = level - 1.0;
    let mut spike_rate = last;
    let hourly = (0..horizon)
        .map(|k| {
            deviation *= LEVEL_DAMPING;
            spike_rate *= SPIKE_DECAY;
            let base = match seasonal(history, n + k) {
                Some(s) => s * (1.0 + deviation),
                None => recent,
            };
            let base = base.max(0.0);
            if spike {
                base.max(spike_rate)
            } else {
                base
            }
        })
        .collect();
    ArrivalForecast {
        hourly,
        raised: spike,
    }
}

/// Naive baseline: the same hour last week.
pub fn same_hour_last_week(history: &[f64], at: usize) -> f64 {
    at.checked_sub(WEEK_HOURS)
        .and_then(|i| history.get(i))
        .copied()
        .unwrap_or(0.0)
}

/// Naive baseline: the mean of the same hour over the last four weeks.
pub fn four_week_mean(history: &[f64], at: usize) -> f64 {
    let values: Vec<f64> = (1..=4)
        .filter_map(|w| at.checked_sub(w * WEEK_HOURS))
        .filter_map(|i| history.get(i).copied())
        .collect();
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weeks_of(profile: impl Fn(usize) -> f64, weeks: usize) -> Vec<f64> {
        (0..weeks * WEEK_HOURS)
            .map(|h| profile(h % WEEK_HOURS))
            .collect()
    }

    #[test]
    fn a_steady_weekly_pattern_is_forecast_exactly() {
        let profile = |h: usize| if h % 24 >= 9 && h % 24 < 17 { 6.0 } else { 1.0 };
        let history = weeks_of(profile, 4);
        let f = forecast(&history, 12, false);
        // the history ends at Monday 0:00 of its fifth week: night hours, then 9:00 to 11:00
        let want: Vec<f64> = (0..12).map(profile).collect();
        for (got, want) in f.hourly.iter().zip(&want) {
            assert!((got - want).abs() < 1e-9, "{got} vs {want}");
        }
        assert!(!f.raised);
        assert!((level(&history) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_busier_day_raises_the_next_hours_and_fades_with_the_horizon() {
        let mut history = weeks_of(|_| 4.0, 3);
        // the last day ran at double
        let n = history.len();
        for v in &mut history[n - 24..] {
            *v = 8.0;
        }
        let f = forecast(&history, 8, false);
        assert!(f.hourly[0] > 6.5 && f.hourly[0] < 8.0, "{:?}", f.hourly);
        assert!(f.hourly.windows(2).all(|w| w[1] <= w[0]), "{:?}", f.hourly);
        assert!(f.hourly[7] > 4.0);
    }

    #[test]
    fn the_level_is_shrunk_when_few_tickets_back_it() {
        // one ticket where half a ticket was expected is no reason to double
        let mut history = weeks_of(|h| if h == WEEK_HOURS - 1 { 0.5 } else { 0.0 }, 2);
        let n = history.len();
        history[n - 1] = 1.0;
        let l = level(&history);
        assert!(l > 1.0 && l < 1.2, "{l}");
    }

    #[test]
    fn a_spike_raises_the_forecast_and_flags_it() {
        let mut history = weeks_of(|_| 2.0, 2);
        let n = history.len();
        history[n - 1] = 20.0;
        let calm = forecast(&history, 4, false);
        let spiking = forecast(&history, 4, true);
        assert!(spiking.raised);
        assert!(
            (spiking.hourly[0] - 14.0).abs() < 1e-9,
            "{:?}",
            spiking.hourly
        );
        assert!(spiking.hourly[0] > calm.hourly[0]);
        assert!(spiking.hourly.iter().zip(&calm.hourly).all(|(s, c)| s >= c));
    }

    #[test]
    fn short_histories_fall_back_to_the_recent_average() {
        let f = forecast(&[2.0, 4.0], 3, false);
        assert_eq!(f.hourly, vec![3.0, 3.0, 3.0]);
        assert_eq!(forecast(&[], 2, false).hourly, vec![0.0, 0.0]);
    }

    #[test]
    fn baselines_read_the_weeks_before() {
        let history: Vec<f64> = (0..4 * WEEK_HOURS)
            .map(|h| (h / WEEK_HOURS) as f64)
            .collect();
        let at = 4 * WEEK_HOURS;
        assert_eq!(same_hour_last_week(&history, at), 3.0);
        assert_eq!(four_week_mean(&history, at), 1.5);
        assert_eq!(same_hour_last_week(&history, 10), 0.0);
    }
}
