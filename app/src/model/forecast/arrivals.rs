//! Arrival forecast for one series (a client and priority): tickets per hour for the next hours.
//!
//! Method: a seasonal profile times a smoothed level. The profile of an hour is estimated from
//! the same hour of the week over the previous weeks, the nearer weeks weighing more (help desk
//! arrivals repeat by hour of the week: Monday 9:00 is busy, Sunday 3:00 is not), shrunk toward a
//! pooled profile (see [`profile`]). The level is the ratio of what arrived to what the profile
//! expected over the last hours, exponentially smoothed (recent hours weigh more) and shrunk
//! toward 1 by as much as the history's day totals say the level stays put (see [`level`]), then
//! damped toward 1 the further ahead an hour is: a busy morning says more about the next hour than
//! about the evening. This is Holt-Winters' multiplicative seasonality without its trend term; a
//! trend fitted hour by hour on counts of a few tickets chases noise, while the level ratio follows
//! a busier or quieter day. While the dashboard's spike detector fires, the forecast is raised to
//! at least the current rate decaying hour by hour, and flagged.

/// Hours in a week: the seasonal period.
pub const WEEK_HOURS: usize = 168;
/// Weeks of history the profile averages (fewer when the history is shorter).
pub const PROFILE_WEEKS: usize = 6;
/// Each earlier week weighs this much of the one after it.
const WEEK_DECAY: f64 = 0.8;
/// Free parameters of the pooled profile: 7 day levels and 24 hours, less one shared scale.
const POOLED_PARAMETERS: f64 = 7.0 + 24.0 - 1.0;
/// Most rounds of iterative proportional fitting for the pooled profile (two settle it when no
/// cell is missing).
const FIT_ROUNDS: usize = 12;
/// Each earlier hour weighs this much of the one after it in the level (half-life ~ 6.6 h).
const LEVEL_DECAY: f64 = 0.9;
/// Hours the level looks back over.
const LEVEL_HOURS: usize = 48;
/// Bounds of the level's prior, in tickets of belief that the level is 1: at least this much, as
/// a day total inflated by a past outage is no reason for a jumpy level (live spikes have their
/// own rule), and at most this much, as six weeks of steady days do not prove the level cannot
/// move.
const LEVEL_PRIOR_MIN: f64 = 10.0;
const LEVEL_PRIOR_MAX: f64 = 100.0;
/// Per hour ahead, the share of the level's deviation from 1 that remains.
const LEVEL_DAMPING: f64 = 0.97;
/// Per hour ahead, the share of a spike's rate assumed to remain.
const SPIKE_DECAY: f64 = 0.7;

/// The same hour of the week in earlier weeks: (weight, value) for the hour `at` (an index into
/// `history`, possibly past its end), nearest week first.
fn earlier_weeks(history: &[f64], at: usize) -> impl Iterator<Item = (f64, f64)> + '_ {
    (1..=PROFILE_WEEKS)
        .map_while(move |week| at.checked_sub(week * WEEK_HOURS))
        .zip(std::iter::successors(Some(1.0), |w| Some(w * WEEK_DECAY)))
        .filter_map(|(i, weight)| history.get(i).map(|v| (weight, *v)))
}

/// One hour of the week's samples: the weighted sum, the sum of the weights and of their squares
/// (the cell mean's variance is the hour's variance times `weights_sq / weights²`).
#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    sum: f64,
    weights: f64,
    weights_sq: f64,
}

impl Cell {
    fn mean(&self) -> Option<f64> {
        (self.weights > 0.0).then(|| self.sum / self.weights)
    }

    /// Effective number of weeks behind the mean.
    fn samples(&self) -> f64 {
        self.weights * self.weights / self.weights_sq
    }
}

fn cells(history: &[f64], anchor: usize) -> Vec<Cell> {
    (0..WEEK_HOURS)
        .map(|j| {
            earlier_weeks(history, anchor + j).fold(Cell::default(), |c, (w, v)| Cell {
                sum: c.sum + w * v,
                weights: c.weights + w,
                weights_sq: c.weights_sq + w * w,
            })
        })
        .collect()
}

/// The profile without pooling: each hour of the week's weighted mean over the earlier weeks.
pub fn cell_means(history: &[f64], anchor: usize) -> Vec<Option<f64>> {
    cells(history, anchor).iter().map(Cell::mean).collect()
}

/// The pooled profile: a day level times an hour-of-day shape, `day[d] * hour[h]`, fitted to the
/// cells by iterative proportional fitting (the Poisson maximum-likelihood fit of that product,
/// which also copes with cells without data). Days are cut at the quietest hour of the day, where
/// the switch from one day's level to the next (a Friday evening into a quiet Saturday) matters
/// least; the history's own hour 0 is no midnight in any client's time zone.
fn pooled(cells: &[Cell]) -> Vec<f64> {
    let quiet = |h: usize| -> f64 { (0..7).filter_map(|d| cells[h + 24 * d].mean()).sum() };
    let start = (0..24)
        .min_by(|a, b| quiet(*a).total_cmp(&quiet(*b)))
        .unwrap_or(0);
    let day_of = |j: usize| ((j + WEEK_HOURS - start) % WEEK_HOURS) / 24;
    let (mut day, mut hour) = ([1.0f64; 7], [1.0f64; 24]);
    let ratio = |sum: f64, expected: f64| if expected > 0.0 { sum / expected } else { 0.0 };
    for _ in 0..FIT_ROUNDS {
        for (h, factor) in hour.iter_mut().enumerate() {
            let js = (0..7).map(|d| h + 24 * d);
            let sum = js.clone().map(|j| cells[j].sum).sum();
            let expected = js.map(|j| cells[j].weights * day[day_of(j)]).sum();
            *factor = ratio(sum, expected);
        }
        let mut moved = 0.0f64;
        for (d, factor) in day.iter_mut().enumerate() {
            let js = (0..24).map(|h| (start + 24 * d + h) % WEEK_HOURS);
            let sum = js.clone().map(|j| cells[j].sum).sum();
            let expected = js.map(|j| cells[j].weights * hour[j % 24]).sum();
            let next = ratio(sum, expected);
            moved = moved.max((next - *factor).abs());
            *factor = next;
        }
        if moved < 1e-9 {
            break;
        }
    }
    (0..WEEK_HOURS)
        .map(|j| day[day_of(j)] * hour[j % 24])
        .collect()
}

/// The profile of the 168 hours from `anchor` (an index into `history`, at most its length), None
/// for an hour without an earlier week.
///
/// Each hour of the week has only the few earlier weeks behind it (about five weeks' worth with
/// the nearer weighing more), and at a few tickets an hour their mean carries Poisson noise about
/// as large as the differences between hours. Most of a desk's weekly rhythm is shared: the same
/// office hours every working day at a day's own level, so the [`pooled`] product of a day level
/// and an hour-of-day shape rests on far more tickets. Each hour's own mean is shrunk toward it
/// by empirical Bayes, the shrinkage chosen from the counts rather than fixed: the hour's true
/// rate is taken to depart from the pooled one by a relative spread `rho` (estimated by moments:
/// what the cells scatter around the pooled profile beyond their Poisson noise, corrected for
/// the pooled fit's parameters), and each hour keeps its own mean in proportion to how much of
/// its deviation is signal, `rho² p² / (rho² p² + p / n)`. A busy hour that really differs (a
/// Monday-morning peak the other days lack) keeps it; a quiet hour's noise is smoothed away; a
/// desk whose days differ in shape gets a large `rho` and little shrinkage. Counts more
/// dispersed than Poisson make `rho` larger, which errs toward the hour's own mean.
pub fn profile(history: &[f64], anchor: usize) -> Vec<Option<f64>> {
    let cells = cells(history, anchor);
    let pooled = pooled(&cells);
    let (mut scatter, mut noise, mut squares, mut n) = (0.0, 0.0, 0.0, 0.0);
    for (c, p) in cells.iter().zip(&pooled) {
        if let Some(m) = c.mean() {
            scatter += (m - p).powi(2);
            noise += p / c.samples();
            squares += p * p;
            n += 1.0;
        }
    }
    let freedom = ((n - POOLED_PARAMETERS) / n).max(0.0);
    let rho_sq = if squares > 0.0 {
        ((scatter - freedom * noise) / squares).max(0.0)
    } else {
        0.0
    };
    cells
        .iter()
        .zip(&pooled)
        .map(|(c, p)| {
            let m = c.mean()?;
            let (signal, noise) = (rho_sq * p * p, p / c.samples());
            let keep = if signal + noise > 0.0 {
                signal / (signal + noise)
            } else {
                1.0
            };
            Some(p + keep * (m - p))
        })
        .collect()
}

/// The level's prior, in tickets of belief that the level is 1: the level is taken as Gamma
/// distributed around 1 with the variance `psi` by which the history's day totals (24 hours from
/// `anchor` and its multiples of a day, in earlier weeks) scatter between weeks beyond Poisson
/// noise; the prior is `1 / psi`, bounded. A desk whose days drift gets a level that follows
/// them; one that repeats its weeks keeps the level near 1, where it would only add noise.
pub fn level_prior(history: &[f64], anchor: usize) -> f64 {
    let (mut excess, mut squares) = (0.0, 0.0);
    for d in 0..7 {
        let totals: Vec<(f64, f64)> = (1..=PROFILE_WEEKS)
            .map_while(|week| (anchor + 24 * d).checked_sub(week * WEEK_HOURS))
            .zip(std::iter::successors(Some(1.0), |w| Some(w * WEEK_DECAY)))
            .map_while(|(i, w)| history.get(i..i + 24).map(|day| (w, day.iter().sum())))
            .collect();
        let weights: f64 = totals.iter().map(|(w, _)| w).sum();
        let weights_sq: f64 = totals.iter().map(|(w, _)| w * w).sum();
        if totals.len() < 2 {
            continue;
        }
        let mean = totals.iter().map(|(w, t)| w * t).sum::<f64>() / weights;
        let spread = totals
            .iter()
            .map(|(w, t)| w * (t - mean).powi(2))
            .sum::<f64>()
            / weights;
        // the unbiased weighted variance of one week's total
        let variance = spread / (1.0 - weights_sq / (weights * weights));
        excess += variance - mean;
        squares += mean * mean;
    }
    let psi = if squares > 0.0 { excess / squares } else { 0.0 };
    if psi > 0.0 {
        (1.0 / psi).clamp(LEVEL_PRIOR_MIN, LEVEL_PRIOR_MAX)
    } else {
        LEVEL_PRIOR_MAX
    }
}

/// The smoothed ratio of arrivals to the profile over the last hours of `history`, shrunk toward
/// 1 by the [`level_prior`].
pub fn level(history: &[f64]) -> f64 {
    let n = history.len();
    let anchor = n - LEVEL_HOURS.min(n);
    let profile = profile(history, anchor);
    let (mut actual, mut expected, mut weight) = (0.0, 0.0, 1.0);
    for at in (anchor..n).rev() {
        if let Some(e) = profile[at - anchor] {
            actual += weight * history[at];
            expected += weight * e;
        }
        weight *= LEVEL_DECAY;
    }
    let prior = level_prior(history, anchor);
    (actual + prior) / (expected + prior)
}

/// Forecast tickets per hour for the hours after the history, and whether it was raised for a
/// spike.
#[derive(Debug, Clone, PartialEq)]
pub struct ArrivalForecast {
    pub hourly: Vec<f64>,
    pub raised: bool,
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
    let profile = profile(history, n);
    let mut deviation = level - 1.0;
    let mut spike_rate = last;
    let hourly = (0..horizon)
        .map(|k| {
            deviation *= LEVEL_DAMPING;
            spike_rate *= SPIKE_DECAY;
            let base = match profile[k % WEEK_HOURS] {
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

    /// Three weeks at about 4 tickets an hour: a busy week, a quiet one and a normal one, or
    /// every week alike.
    fn days_at(drifting: bool) -> Vec<f64> {
        let weeks = if drifting { [1.4, 0.6, 1.0] } else { [1.0; 3] };
        (0..3 * WEEK_HOURS)
            .map(|h| 4.0 * weeks[h / WEEK_HOURS])
            .collect()
    }

    /// Whether the hourly forecast never rises.
    fn falls(hourly: &[f64]) -> bool {
        hourly.windows(2).all(|w| w[1] <= w[0] + 1e-9)
    }

    #[test]
    fn a_busier_day_raises_the_next_hours_and_fades_with_the_horizon() {
        let mut history = days_at(true);
        // the last day ran at double
        let n = history.len();
        for v in &mut history[n - 24..] {
            *v = 8.0;
        }
        let f = forecast(&history, 8, false);
        assert!(f.hourly[0] > 6.5 && f.hourly[0] < 8.0, "{:?}", f.hourly);
        assert!(falls(&f.hourly), "{:?}", f.hourly);
        assert!(f.hourly[7] > 4.0);
    }

    #[test]
    fn a_desk_whose_days_never_drift_keeps_its_level_nearer_one() {
        let (mut drifting, mut steady) = (days_at(true), days_at(false));
        let n = steady.len();
        for v in drifting[n - 24..].iter_mut().chain(&mut steady[n - 24..]) {
            *v = 8.0;
        }
        assert!(level_prior(&drifting, n - 48) < 2.0 * LEVEL_PRIOR_MIN);
        assert_eq!(level_prior(&steady, n - 48), LEVEL_PRIOR_MAX);
        let (moved, kept) = (level(&drifting), level(&steady));
        assert!(kept > 1.1 && kept < moved - 0.3, "{kept} vs {moved}");
        let f = forecast(&steady, 8, false);
        assert!(f.hourly[0] > 4.0 && f.hourly[0] < 6.0, "{:?}", f.hourly);
        assert!(falls(&f.hourly), "{:?}", f.hourly);
    }

    /// splitmix64 and Knuth's Poisson draw: deterministic noise without a dependency.
    fn poisson_draws(mean: impl Fn(usize) -> f64, hours: usize) -> Vec<f64> {
        let mut state = 0x27u64;
        let mut unit = move || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
        };
        (0..hours)
            .map(|h| {
                let (limit, mut k, mut p) = ((-mean(h)).exp(), 0.0, 1.0);
                loop {
                    p *= unit();
                    if p <= limit {
                        return k;
                    }
                    k += 1.0;
                }
            })
            .collect()
    }

    /// Root mean square error of a profile against the true rates of the hours from `anchor`.
    fn rms(profile: &[Option<f64>], truth: impl Fn(usize) -> f64, anchor: usize) -> f64 {
        let sq: f64 = (0..WEEK_HOURS)
            .map(|j| (profile[j].expect("a full history") - truth(anchor + j)).powi(2))
            .sum();
        (sq / WEEK_HOURS as f64).sqrt()
    }

    #[test]
    fn pooling_hours_estimates_a_noisy_profile_closer_than_each_hours_mean() {
        // flat at 2 tickets an hour: every hour's mean of six weeks is Poisson noise around 2
        let flat = |_: usize| 2.0;
        let history = poisson_draws(flat, 6 * WEEK_HOURS);
        let n = history.len();
        let (pooled, own) = (profile(&history, n), cell_means(&history, n));
        let (pooled_err, own_err) = (rms(&pooled, flat, n), rms(&own, flat, n));
        assert!(own_err > 0.4, "{own_err}");
        assert!(pooled_err < 0.6 * own_err, "{pooled_err} vs {own_err}");
        // office hours on working days at their own level, quiet weekends: the shared shape
        let office = |h: usize| {
            let (day, hour) = ((h % WEEK_HOURS) / 24, h % 24);
            let shape = if (9..17).contains(&hour) { 3.0 } else { 0.3 };
            shape * [1.0, 0.9, 1.0, 1.1, 0.8, 0.15, 0.1][day]
        };
        let history = poisson_draws(office, 6 * WEEK_HOURS);
        let (pooled, own) = (profile(&history, n), cell_means(&history, n));
        let (pooled_err, own_err) = (rms(&pooled, office, n), rms(&own, office, n));
        assert!(pooled_err < 0.7 * own_err, "{pooled_err} vs {own_err}");
    }

    #[test]
    fn an_hour_that_really_differs_from_the_shared_shape_keeps_its_own_mean() {
        // every day alike but Monday 9:00, a weekly meeting that brings 20 tickets more
        let rate = |h: usize| if h % WEEK_HOURS == 9 { 25.0 } else { 5.0 };
        let history = poisson_draws(rate, 6 * WEEK_HOURS);
        let n = history.len();
        let (pooled, own) = (profile(&history, n), cell_means(&history, n));
        let (monday, own_monday) = (pooled[9].unwrap(), own[9].unwrap());
        assert!(
            monday > 22.0 && own_monday > 22.0,
            "{monday} vs {own_monday}"
        );
        assert!(
            (monday - 25.0).abs() <= (own_monday - 25.0).abs(),
            "{monday}"
        );
        assert!(rms(&pooled, rate, n) < rms(&own, rate, n));
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
