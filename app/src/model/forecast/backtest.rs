//! Measures the arrival forecast on history: from every hour of a span, forecast the next hours
//! and compare with what arrived, beside the two naive forecasts a lead would otherwise use (the
//! same hour last week; the mean of the same hour over the last four weeks).

use super::arrivals::{forecast, four_week_mean, same_hour_last_week, WEEK_HOURS};
use crate::model::dashboard::is_spike;

/// Mean absolute error (tickets per hour) and mean absolute percentage error over the hours
/// that had arrivals (None when none had).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Errors {
    pub mae: f64,
    pub mape: Option<f64>,
}

#[derive(Debug, Clone, Default)]
struct Tally {
    abs: f64,
    n: usize,
    pct: f64,
    pct_n: usize,
}

impl Tally {
    fn add(&mut self, predicted: f64, actual: f64) {
        let e = (predicted - actual).abs();
        self.abs += e;
        self.n += 1;
        if actual > 0.0 {
            self.pct += e / actual;
            self.pct_n += 1;
        }
    }

    fn errors(&self) -> Errors {
        Errors {
            mae: self.abs / self.n.max(1) as f64,
            mape: (self.pct_n > 0).then(|| 100.0 * self.pct / self.pct_n as f64),
        }
    }
}

/// One series' backtest.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Backtest {
    /// Forecast hours compared.
    pub compared: usize,
    pub forecast: Errors,
    pub last_week: Errors,
    pub four_weeks: Errors,
}

/// Weeks the spike detector's "normal" averages, as on the dashboard.
const NORMAL_WEEKS: usize = 8;

/// Whether the dashboard's spike detector fired for the hour ending at `at` (an index).
pub fn spike_at(series: &[f64], at: usize) -> bool {
    let Some(last) = at.checked_sub(1).and_then(|i| series.get(i)) else {
        return false;
    };
    let weeks: Vec<f64> = (1..=NORMAL_WEEKS)
        .filter_map(|w| (at - 1).checked_sub(w * WEEK_HOURS))
        .filter_map(|i| series.get(i).copied())
        .collect();
    // over the weeks there are: a young desk's normal is not diluted by weeks it did not have
    let normal_tenths = (weeks.iter().sum::<f64>() * 10.0 / weeks.len().max(1) as f64) as i64;
    is_spike(*last as i64, normal_tenths)
}

/// From every hour in `from..to` (indices into `series`, tickets per hour), forecast `horizon`
/// hours from the history before it and compare with `series`.
pub fn backtest(series: &[f64], from: usize, to: usize, horizon: usize) -> Backtest {
    let (mut f, mut w, mut m) = (Tally::default(), Tally::default(), Tally::default());
    for origin in from.max(1)..to.min(series.len()) {
        let history = &series[..origin];
        let predicted = forecast(history, horizon, spike_at(series, origin));
        for (k, p) in predicted.hourly.iter().enumerate() {
            let Some(actual) = series.get(origin + k) else {
                break;
            };
            f.add(*p, *actual);
            w.add(same_hour_last_week(history, origin + k), *actual);
            m.add(four_week_mean(history, origin + k), *actual);
        }
    }
    Backtest {
        compared: f.n,
        forecast: f.errors(),
        last_week: w.errors(),
        four_weeks: m.errors(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_perfectly_weekly_series_has_no_error_but_last_weeks_copy_neither() {
        let series: Vec<f64> = (0..6 * WEEK_HOURS).map(|h| (h % 24) as f64).collect();
        let b = backtest(&series, 5 * WEEK_HOURS, 6 * WEEK_HOURS, 8);
        assert!(b.forecast.mae < 1e-9, "{b:?}");
        assert_eq!(b.last_week.mae, 0.0);
        assert_eq!(b.compared, WEEK_HOURS * 8 - 28);
    }

    #[test]
    fn errors_count_absolute_and_percentage() {
        let mut t = Tally::default();
        t.add(3.0, 2.0);
        t.add(1.0, 0.0);
        let e = t.errors();
        assert_eq!(e.mae, 1.0);
        assert_eq!(e.mape, Some(50.0));
    }

    #[test]
    fn the_spike_detector_reads_the_hour_before() {
        let mut series = vec![1.0; 9 * WEEK_HOURS];
        let at = 9 * WEEK_HOURS - 1;
        assert!(!spike_at(&series, at));
        series[at - 1] = 9.0;
        assert!(spike_at(&series, at));
        assert!(!spike_at(&series, 0));
    }
}
