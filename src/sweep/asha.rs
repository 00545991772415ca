//! Asynchronous successive halving (ASHA, Li et al. 2020), in its stopping form: when a
//! trial reaches a rung epoch its score is recorded there, and it goes on only if fewer than
//! ⌈n / reduction⌉ of the n scores recorded at that rung beat it. The first trials to reach
//! a rung always go on; later ones must beat the record. Decisions depend on the order
//! trials report, so with several trials at once they can differ between runs.

use std::sync::Mutex;

use crate::sweep::config::AshaConfig;

/// Scores recorded per rung.
pub struct Asha {
    rungs: Vec<usize>,
    reduction: usize,
    scores: Mutex<Vec<Vec<f64>>>,
}

impl Asha {
    pub fn new(cfg: &AshaConfig) -> Asha {
        Asha { rungs: cfg.rungs.clone(), reduction: cfg.reduction.max(2), scores: Mutex::new(vec![vec![]; cfg.rungs.len()]) }
    }

    /// Records `score` (higher is better; NaN ranks last) if `epoch` is a rung, and says
    /// whether the trial goes on.
    pub fn report(&self, epoch: usize, score: f64) -> bool {
        let Some(r) = self.rungs.iter().position(|&e| e == epoch) else { return true };
        let score = if score.is_nan() { f64::NEG_INFINITY } else { score };
        let mut all = self.scores.lock().unwrap_or_else(|e| e.into_inner());
        all[r].push(score);
        let n = all[r].len();
        let better = all[r].iter().filter(|&&s| s > score).count();
        better < n.div_ceil(self.reduction)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_top_third_as_scores_arrive() {
        let a = Asha::new(&AshaConfig { rungs: vec![2, 4], reduction: 3 });
        assert!(a.report(1, 0.0), "not a rung");
        assert!(a.report(2, 0.5), "first at the rung goes on");
        assert!(!a.report(2, 0.1), "1 of 2 beat it, only ceil(2/3)=1 may");
        assert!(!a.report(2, 0.2));
        assert!(a.report(2, 0.9), "best so far goes on");
        assert!(!a.report(2, f64::NAN));
        assert!(a.report(4, 0.1), "rungs are independent");
    }
}
