//! `Inputs`: what factor functions read: the panel's daily fields, quarterly items made
//! daily (point-in-time by default), and derived series (returns, market cap).

use crate::data::{Matrix, Panel, field};
use crate::factors::pit::{Basis, Quarterly, Upsample};

/// Read-only inputs shared by every factor of one computation.
pub struct Inputs<'a> {
    pub panel: &'a Panel,
    pub quarterly: Option<Quarterly>,
    /// Annual risk-free rate for the Sharpe ratio (e.g. 0.04).
    pub risk_free: f64,
}

/// Trading days per year used to annualize.
pub const DAYS_PER_YEAR: f64 = 250.0;

impl<'a> Inputs<'a> {
    pub fn new(panel: &'a Panel, upsample: Upsample, risk_free: f64) -> Inputs<'a> {
        Inputs { panel, quarterly: Quarterly::new(panel, upsample), risk_free }
    }

    /// A daily field with at least one finite value.
    pub fn daily(&self, name: &str) -> Option<&Matrix> {
        self.panel.fields.get(name).filter(|m| m.count_finite() > 0)
    }

    /// A quarterly item on the daily calendar.
    pub fn fin(&self, item: &str, basis: Basis) -> Option<Matrix> {
        self.quarterly.as_ref()?.daily(item, basis)
    }

    /// Daily simple returns `[date, stock]` of the adjusted close (raw × adj_factor), or
    /// `pct_change / 100` when there is no adjustment factor. The first date is `NaN`.
    pub fn returns(&self) -> Option<Matrix> {
        if let (Some(_), Some(_)) = (self.daily(field::CLOSE), self.daily(field::ADJ_FACTOR)) {
            let adj = self.panel.adjusted(field::CLOSE)?;
            let ns = adj.n_stocks;
            let mut r = Matrix::nan(adj.n_dates, ns);
            for t in 1..adj.n_dates {
                for s in 0..ns {
                    r.data[t * ns + s] = adj.data[t * ns + s] / adj.data[(t - 1) * ns + s] - 1.0;
                }
            }
            return Some(r);
        }
        let pct = self.daily(field::PCT_CHANGE)?;
        let mut r = pct.clone();
        r.data.iter_mut().for_each(|v| *v /= 100.0);
        Some(r)
    }

    /// Float shares: given, or derived as volume / (turnover / 100).
    pub fn float_shares(&self) -> Option<Matrix> {
        if let Some(f) = self.daily(field::FLOAT_SHARES) {
            return Some(f.clone());
        }
        let (vol, turn) = (self.daily(field::VOLUME)?, self.daily(field::TURNOVER)?);
        Some(vol.zip_with(turn, |v, t| if t > 0.0 { v / (t / 100.0) } else { f64::NAN }))
    }

    /// Total shares: the daily field, or the latest reported `total_shares` point-in-time.
    pub fn total_shares(&self) -> Option<Matrix> {
        match self.daily(field::TOTAL_SHARES) {
            Some(m) => Some(m.clone()),
            None => self.fin("total_shares", Basis::Latest),
        }
    }

    /// Total market cap, CNY: raw close × total shares.
    pub fn total_market_cap(&self) -> Option<Matrix> {
        Some(self.daily(field::CLOSE)?.zip_with(&self.total_shares()?, |p, n| p * n))
    }

    /// Net assets (book equity), CNY, from the published P/B: total market cap / `pb_mrq`.
    pub fn equity_from_pb(&self) -> Option<Matrix> {
        Some(ratio(&self.total_market_cap()?, self.daily(field::PB_MRQ)?))
    }

    /// Market cap for neutralization: total if shares are known, else float (derived).
    pub fn market_cap(&self) -> Option<(Matrix, &'static str)> {
        if let Some(m) = self.total_market_cap() {
            return Some((m, "total market cap (close x total_shares)"));
        }
        let close = self.daily(field::CLOSE)?;
        Some((close.zip_with(&self.float_shares()?, |p, n| p * n), "float market cap (close x volume / turnover)"))
    }
}

/// Elementwise `a / b`, `NaN` where `b` is 0 or either is missing.
pub fn ratio(a: &Matrix, b: &Matrix) -> Matrix {
    a.zip_with(b, |x, y| if y != 0.0 { x / y } else { f64::NAN })
}
