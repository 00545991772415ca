//! How well the traded scores rank what they earn, the figure qlib's `SigAnaRecord` reports
//! for a prediction: per signal date `t` of the backtest, the Pearson (IC) and Spearman (rank
//! IC) correlation across that day's index members between the scores and the raw return
//! the trade on them earns, adjusted close `t+1` → `t+2` (qlib's label `Ref($close, -2) / Ref($close, -1) − 1`);
//! means over dates and their ratio to the standard deviation (ICIR). Unlike a sweep's IC,
//! which is against the label the model trains on (ranked or z-scored per date), this one is
//! comparable with qlib's published IC.

use serde::{Deserialize, Serialize};

use crate::backtest::day_loop::Signals;
use crate::data::{Panel, field};
use crate::stats;

/// Dates with fewer scored stocks that have a return are left out.
pub const MIN_STOCKS: usize = 10;

/// The scores' IC against the raw next-day return (`summary.json`'s `signal`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignalQuality {
    /// Signal dates measured (first and last, and how many).
    pub first: String,
    pub last: String,
    pub dates: usize,
    pub ic: f64,
    pub ic_ir: f64,
    pub rank_ic: f64,
    pub rank_ic_ir: f64,
    /// What was measured, in words.
    pub against: String,
}

/// The IC of `sig`'s scores of members on the signal dates `days` (panel indices) whose
/// return, close `t+1` → `t+2`, is in the panel; `None` without such a date or without
/// adjusted closes.
pub fn signal_quality(panel: &Panel, sig: &Signals, days: &[usize]) -> Option<SignalQuality> {
    let adj = panel.adjusted(field::CLOSE)?;
    let (nd, ns) = (panel.n_dates(), panel.n_stocks());
    let member = panel.universe_mask();
    let (mut ic, mut rank_ic, mut used) = (vec![], vec![], vec![]);
    for &t in days.iter().filter(|&&t| t + 2 < nd) {
        let (mut s, mut r) = (vec![], vec![]);
        for k in 0..ns {
            let (score, ret) = (sig.score[t * ns + k], adj.get(t + 2, k) / adj.get(t + 1, k) - 1.0);
            if member[t * ns + k] && score.is_finite() && ret.is_finite() {
                s.push(score);
                r.push(ret);
            }
        }
        let (a, b) = (stats::pearson(&s, &r), stats::spearman(&s, &r));
        if s.len() >= MIN_STOCKS && a.is_finite() && b.is_finite() {
            ic.push(a);
            rank_ic.push(b);
            used.push(t);
        }
    }
    let ir = |x: &[f64]| stats::mean(x) / stats::std(x);
    Some(SignalQuality {
        first: panel.dates[*used.first()?].to_string(),
        last: panel.dates[*used.last()?].to_string(),
        dates: used.len(),
        ic: stats::mean(&ic),
        ic_ir: ir(&ic),
        rank_ic: stats::mean(&rank_ic),
        rank_ic_ir: ir(&rank_ic),
        against:
            "the raw return close t+1 -> t+2 (adjusted) of t's index members, per signal date t; mean over dates, IR = mean / std"
                .into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Date, Matrix, Spell};

    /// 12 stocks over 5 dates, the last never an index member; adjusted close = raw ×
    /// adj_factor. Members' scores on date 0 equal the return close 1 → 2 (IC 1; the
    /// non-member's contrary score is not counted), on date 1 its negative (IC −1), on date 2
    /// only 9 stocks have one (left out); dates 3 and 4 have no return two days on.
    #[test]
    fn ic_is_against_the_raw_return_the_trade_earns() {
        let (nd, ns) = (5, 12);
        let mut p = Panel {
            dates: ["2020-01-02", "2020-01-03", "2020-01-06", "2020-01-07", "2020-01-08"]
                .iter()
                .map(|s| s.parse::<Date>().unwrap())
                .collect(),
            stocks: (0..ns).map(|s| format!("SH6000{s:02}")).collect(),
            ..Panel::default()
        };
        let close: Vec<f64> = (0..nd * ns).map(|i| 10.0 + ((i * 7919) % 13) as f64 + (i / ns) as f64).collect();
        let factor: Vec<f64> = (0..nd * ns).map(|i| 1.0 + (i % ns) as f64 / 10.0 + (i / ns) as f64 / 100.0).collect();
        let (first, last) = (p.dates[0], p.dates[nd - 1]);
        p.universe = Some(p.stocks[..ns - 1].iter().map(|c| Spell { code: c.clone(), start: first, end: last }).collect());
        p.fields.insert(field::CLOSE.into(), Matrix { n_dates: nd, n_stocks: ns, data: close });
        p.fields.insert(field::ADJ_FACTOR.into(), Matrix { n_dates: nd, n_stocks: ns, data: factor });
        let adj = p.adjusted(field::CLOSE).unwrap();
        let ret = |t: usize, k: usize| adj.get(t + 2, k) / adj.get(t + 1, k) - 1.0;
        let mut score = vec![f64::NAN; nd * ns];
        for k in 0..ns {
            score[k] = if k == ns - 1 { -100.0 * ret(0, k) } else { ret(0, k) };
            score[ns + k] = -ret(1, k);
            if k < 9 {
                score[2 * ns + k] = ret(2, k);
            }
            score[3 * ns + k] = 1.0 + k as f64;
        }
        let sig = Signals { score, in_sample: vec![false; nd] };
        let q = signal_quality(&p, &sig, &[0, 1, 2, 3, 4]).unwrap();
        assert_eq!((q.dates, q.first.as_str(), q.last.as_str()), (2, "2020-01-02", "2020-01-03"));
        assert!(q.ic.abs() < 1e-12 && q.rank_ic.abs() < 1e-12, "{q:?}");
        // Date 0 alone: IC and rank IC 1.
        let q = signal_quality(&p, &sig, &[0]).unwrap();
        assert!((q.ic - 1.0).abs() < 1e-12 && (q.rank_ic - 1.0).abs() < 1e-12, "{q:?}");
        assert!(signal_quality(&p, &sig, &[3, 4]).is_none());
    }
}
