//! The queue's projected path: open tickets and forecast arrivals worked by the staff on shift,
//! a small deterministic discrete-event simulation. Whenever an analyst is free, they take the
//! waiting ticket due first (then the older ticket), as the queue page orders work; staff change
//! only at step boundaries, and an analyst going off shift finishes the ticket in hand. A ticket
//! breaches when it is picked up after a response due time, or finished after a resolution due
//! time. Erlang's steady state cannot say this: it knows nothing of today's backlog.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A ticket to be worked: open now, or forecast to arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    /// The ticket's id; forecast arrivals carry negative ids.
    pub id: i64,
    pub arrives: i64,
    pub due: i64,
    /// Seconds of work.
    pub work: i64,
    /// The due time is a resolution target (met by finishing), not a response (met by pickup).
    pub finish_by: bool,
}

/// What the simulation says happens to one ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub id: i64,
    pub due: i64,
    /// None: not picked up before the simulation's end.
    pub started: Option<i64>,
    pub finished: Option<i64>,
    /// It breaches (at `due`) within the simulated span.
    pub breached: bool,
}

/// Analysts on shift per step: `counts[i]` from `start + i * step`; the last count holds after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staffing {
    pub start: i64,
    pub step: i64,
    pub counts: Vec<u32>,
}

impl Staffing {
    pub fn at(&self, t: i64) -> u32 {
        if self.counts.is_empty() || t < self.start {
            return self.counts.first().copied().unwrap_or(0);
        }
        let i = ((t - self.start) / self.step.max(1)) as usize;
        self.counts[i.min(self.counts.len() - 1)]
    }

    fn next_change(&self, t: i64) -> Option<i64> {
        let step = self.step.max(1);
        let i = if t < self.start {
            0
        } else {
            (t - self.start) / step + 1
        };
        (i < self.counts.len() as i64).then(|| self.start + i * step)
    }
}

/// Simulates from `from` until `until`, with every job: its outcome, in the jobs' order.
pub fn project(jobs: &[Job], staff: &Staffing, from: i64, until: i64) -> Vec<Outcome> {
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| (jobs[i].arrives.max(from), jobs[i].id));
    let mut outcomes: Vec<Outcome> = jobs
        .iter()
        .map(|j| Outcome {
            id: j.id,
            due: j.due,
            started: None,
            finished: None,
            breached: false,
        })
        .collect();
    // waiting: earliest due first, then the earliest arrival
    let mut waiting: BinaryHeap<Reverse<(i64, i64, i64, usize)>> = BinaryHeap::new();
    let mut busy: BinaryHeap<Reverse<i64>> = BinaryHeap::new();
    let mut next_arrival = 0usize;
    let mut t = from;
    while t < until {
        while busy.peek().is_some_and(|Reverse(end)| *end <= t) {
            busy.pop();
        }
        while let Some(&i) = order.get(next_arrival) {
            if jobs[i].arrives.max(from) > t {
                break;
            }
            waiting.push(Reverse((jobs[i].due, jobs[i].arrives, jobs[i].id, i)));
            next_arrival += 1;
        }
        let on_shift = staff.at(t) as usize;
        while busy.len() < on_shift {
            let Some(Reverse((_, _, _, i))) = waiting.pop() else {
                break;
            };
            let end = t + jobs[i].work.max(1);
            outcomes[i].started = Some(t);
            outcomes[i].finished = Some(end);
            busy.push(Reverse(end));
        }
        let next = [
            busy.peek().map(|Reverse(end)| *end),
            order.get(next_arrival).map(|&i| jobs[i].arrives.max(from)),
            staff.next_change(t),
        ]
        .into_iter()
        .flatten()
        .filter(|&n| n > t)
        .min();
        match next {
            Some(n) => t = n,
            None => break,
        }
    }
    for (o, j) in outcomes.iter_mut().zip(jobs) {
        let met_at = if j.finish_by { o.finished } else { o.started };
        // a due time past the span is not known to be missed
        o.breached = j.due < until && met_at.is_none_or(|at| at > j.due);
    }
    outcomes
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: i64 = 60;

    fn job(id: i64, arrives: i64, due: i64, work: i64) -> Job {
        Job {
            id,
            arrives,
            due,
            work,
            finish_by: false,
        }
    }

    fn flat(n: u32) -> Staffing {
        Staffing {
            start: 0,
            step: 15 * M,
            counts: vec![n],
        }
    }

    #[test]
    fn one_analyst_works_the_earliest_due_first() {
        let jobs = [
            job(1, 0, 100 * M, 30 * M),
            job(2, 0, 20 * M, 30 * M),
            job(3, 0, 50 * M, 30 * M),
        ];
        let out = project(&jobs, &flat(1), 0, 8 * 60 * M);
        assert_eq!(out[1].started, Some(0));
        assert_eq!(out[2].started, Some(30 * M));
        assert_eq!(out[0].started, Some(60 * M));
        // job 3 due at 50 min is picked up at 30: met; all met
        assert!(out.iter().all(|o| !o.breached), "{out:?}");
        // with a later fourth ticket due before the others' pickup, it breaches
        let mut more = jobs.to_vec();
        more.push(job(4, 10 * M, 40 * M, 30 * M));
        let out = project(&more, &flat(1), 0, 8 * 60 * M);
        // at 30 min the waiting are 4 (due 40) then 3 (due 50): 3 starts at 60 > 50
        assert_eq!(out[3].started, Some(30 * M));
        assert!(out[2].breached && !out[3].breached);
    }

    #[test]
    fn a_second_analyst_from_a_step_clears_the_queue() {
        let jobs: Vec<Job> = (0..4).map(|i| job(i, 0, 45 * M, 30 * M)).collect();
        let one = project(&jobs, &flat(1), 0, 4 * 60 * M);
        assert_eq!(one.iter().filter(|o| o.breached).count(), 2);
        let from_15 = Staffing {
            start: 0,
            step: 15 * M,
            counts: vec![1, 2],
        };
        let two = project(&jobs, &from_15, 0, 4 * 60 * M);
        // 0: a, 15: b, 30: c, 45: d (picked up at its due: met)
        assert_eq!(
            two.iter().map(|o| o.started).collect::<Vec<_>>(),
            vec![Some(0), Some(15 * M), Some(30 * M), Some(45 * M)]
        );
        assert!(two.iter().all(|o| !o.breached));
    }

    #[test]
    fn nobody_on_shift_breaches_what_falls_due_in_the_span_only() {
        let jobs = [job(1, 0, 60 * M, 10 * M), job(2, 0, 10 * 60 * M, 10 * M)];
        let out = project(&jobs, &flat(0), 0, 2 * 60 * M);
        assert!(out[0].breached);
        assert!(!out[1].breached, "due after the span: not known");
        assert_eq!(out[0].started, None);
    }

    #[test]
    fn resolution_targets_are_met_by_finishing() {
        let mut j = job(1, 0, 20 * M, 30 * M);
        j.finish_by = true;
        let out = project(&[j], &flat(1), 0, 60 * M);
        assert!(out[0].breached);
        j.due = 40 * M;
        assert!(!project(&[j], &flat(1), 0, 60 * M)[0].breached);
    }

    #[test]
    fn staffing_reads_its_steps() {
        let s = Staffing {
            start: 100,
            step: 10,
            counts: vec![1, 3, 2],
        };
        assert_eq!(
            (s.at(0), s.at(105), s.at(110), s.at(125), s.at(999)),
            (1, 1, 3, 2, 2)
        );
        assert_eq!(s.next_change(105), Some(110));
        assert_eq!(s.next_change(125), None);
    }
}
