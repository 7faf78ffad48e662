//! Plain statistics the reports show: nearest-rank percentiles and shares.

use serde::{Deserialize, Serialize};

/// The median and 90th percentile of a set of durations (seconds), nearest rank.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spread {
    pub count: usize,
    pub median: Option<i64>,
    pub p90: Option<i64>,
}

/// The nearest-rank percentile `p` (0 to 100) of sorted values.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (u64::from(p) * sorted.len() as u64).div_ceil(100).max(1) as usize;
    sorted.get(rank.min(sorted.len()) - 1).copied()
}

pub fn spread(mut values: Vec<i64>) -> Spread {
    values.sort_unstable();
    Spread {
        count: values.len(),
        median: percentile(&values, 50),
        p90: percentile(&values, 90),
    }
}

/// A share in percent with one decimal, or `None` when there is nothing to divide by.
pub fn rate(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&v, 50), Some(5));
        assert_eq!(percentile(&v, 90), Some(9));
        assert_eq!(percentile(&v, 100), Some(10));
        assert_eq!(percentile(&[7], 90), Some(7));
        assert_eq!(percentile(&[], 50), None);
        let s = spread(vec![300, 100, 200, 900]);
        assert_eq!((s.count, s.median, s.p90), (4, Some(200), Some(900)));
    }

    #[test]
    fn rates_are_percent_with_one_decimal() {
        assert_eq!(rate(1, 3), Some(33.3));
        assert_eq!(rate(2, 3), Some(66.7));
        assert_eq!(rate(0, 0), None);
    }
}
