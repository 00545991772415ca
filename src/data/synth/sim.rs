//! The day loop: returns from the factor model plus the planted drift, bars, volume,
//! corporate actions, quarterly reports, and the signal for the next day.
//!
//! Order on day `d`: for each listed stock, apply a due ex-date, then either carry a
//! suspended day or draw the return `close[d-1] -> close[d]` with drift `truth[d-1]`;
//! then write the quarter's reports if `d` is a quarter's last trading day; then compute
//! `truth[d+1]` from everything up to `d`.

use std::collections::BTreeMap;

use crate::data::{Date, Matrix, Report, field};

use super::accounts::{Book, Ledger, Profile, col, industry_tilts, quarter};
use super::bar::{Bar, limit, lots, make_bar, round2};
use super::calendar::{first_on_or_after, last_on_or_before, quarter_ends, quarter_ends_before};
use super::market::Factors;
use super::rng::{Rng, kind};
use super::signal::{COMPONENTS, Inputs, PREMIA, Scorer};
use super::stocks::{Stock, float_fraction};

/// Degrees of freedom of the idiosyncratic Student-t shocks, and their GARCH(1,1) (α, β).
pub const IDIO_NU: u32 = 4;
pub const IDIO_GARCH: (f64, f64) = (0.06, 0.90);
/// Log-turnover AR(1): persistence and shock size; elasticities to volatility and |return|.
pub const TURNOVER_AR: (f64, f64) = (0.85, 0.18);
pub const TURNOVER_VOL_ELASTICITY: f64 = 0.7;
pub const TURNOVER_ABS_RETURN: f64 = 0.35;
/// The face-value delisting rule: 20 consecutive closes below 1 CNY.
pub const DELIST_PRICE: f64 = 1.0;
pub const DELIST_DAYS: usize = 20;

/// The daily fields the loop writes, in the order of `Live::step`'s output.
pub const FIELDS: [&str; 11] = [
    field::OPEN,
    field::HIGH,
    field::LOW,
    field::CLOSE,
    field::VOLUME,
    field::AMOUNT,
    field::ADJ_FACTOR,
    field::TURNOVER,
    field::TOTAL_SHARES,
    field::FLOAT_SHARES,
    field::IS_ST,
];

/// What the loop produces.
pub struct Simulated {
    /// Daily fields by name, `[date, stock]`.
    pub fields: BTreeMap<String, Matrix>,
    /// `alpha` and the components, `[date, stock]`: row `t` is the drift of `close[t] -> close[t+1]`.
    pub truth: BTreeMap<String, Matrix>,
    pub reports: Vec<Report>,
}

/// A stock's evolving state.
struct Live {
    rng: Rng,
    actions_rng: Rng,
    accounts_rng: Rng,
    var: f64,
    turn_dev: f64,
    prev_close: f64,
    adj: f64,
    total: f64,
    profile: Profile,
    ledger: Ledger,
    /// Pending ex-date: (first trading day index, cash dividend per share, CNY).
    ex: Option<(usize, f64)>,
    /// Consecutive closes below `DELIST_PRICE`.
    cheap_days: usize,
}

/// Runs the loop. A stock whose raw close stays below [`DELIST_PRICE`] for
/// [`DELIST_DAYS`] trading days in a row is delisted after that day (`stocks[i].last`).
pub fn run(seed: u64, null: bool, end: Date, dates: &[Date], stocks: &mut [Stock], factors: &Factors) -> Simulated {
    let (nd, ns) = (dates.len(), stocks.len());
    let mut m: Vec<Matrix> = FIELDS.iter().map(|_| Matrix::nan(nd, ns)).collect();
    let mut comp: Vec<Matrix> = COMPONENTS.iter().map(|_| Matrix::nan(nd, ns)).collect();
    let mut alpha = Matrix::nan(nd, ns);
    let mut books = vec![Book::default(); ns];
    let mut reports = Vec::new();
    let tilts = industry_tilts(seed);

    let mut lives: Vec<Live> = stocks
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut accounts_rng = Rng::stream(seed, kind::ACCOUNTS, i as u64);
            let profile = Profile::draw(&mut accounts_rng, s.industry, tilts[s.industry], s.troubled);
            let ledger = Ledger::new(&profile, s.price0 * s.shares0, &mut accounts_rng);
            Live {
                rng: Rng::stream(seed, kind::DAILY, i as u64),
                actions_rng: Rng::stream(seed, kind::ACTIONS, i as u64),
                accounts_rng,
                var: s.idio_vol * s.idio_vol,
                turn_dev: 0.0,
                prev_close: s.price0,
                adj: 1.0,
                total: s.shares0,
                profile,
                ledger,
                ex: None,
                cheap_days: 0,
            }
        })
        .collect();

    // Reports of the five quarters before the start, for stocks already listed.
    for (i, s) in stocks.iter().enumerate().filter(|(_, s)| !s.ipo) {
        for q in quarter_ends_before(dates[0], 5) {
            let live = &mut lives[i];
            let (announce, values) =
                live.ledger.report(&live.profile, &mut live.accounts_rng, q, s.price0 * s.shares0, s.shares0);
            file_report(live, &mut books[i], &mut reports, s, q, announce, values, dates);
        }
    }
    let mut quarter_day = vec![None; nd];
    for q in quarter_ends(dates[0], end) {
        if let Some(d) = last_on_or_before(dates, q) {
            quarter_day[d] = Some(q);
        }
    }

    let mut scorer = Scorer::default();
    for d in 0..nd {
        for (i, s) in stocks.iter().enumerate() {
            if !s.listed(d) {
                continue;
            }
            let drift = if d > 0 { alpha.get(d - 1, i) } else { 0.0 };
            let row = lives[i].step(s, d, dates[d], factors, if drift.is_finite() { drift } else { 0.0 });
            for (mat, v) in m.iter_mut().zip(row) {
                mat.set(d, i, v);
            }
        }
        for (s, live) in stocks.iter_mut().zip(&lives) {
            if s.listed(d) && live.cheap_days >= DELIST_DAYS && d + 1 < nd {
                s.last = d;
            }
        }

        if let Some(q) = quarter_day[d] {
            for (i, s) in stocks.iter().enumerate().filter(|(_, s)| s.listed(d)) {
                let live = &mut lives[i];
                let cap = m[3].get(d, i) * live.total;
                let (announce, values) = live.ledger.report(&live.profile, &mut live.accounts_rng, q, cap, live.total);
                file_report(live, &mut books[i], &mut reports, s, q, announce, values, dates);
            }
        }

        if d + 1 < nd {
            let inputs = Inputs {
                dates,
                open: &m[0],
                high: &m[1],
                low: &m[2],
                close: &m[3],
                volume: &m[4],
                adj_factor: &m[6],
                turnover: &m[7],
                total_shares: &m[8],
                float_shares: &m[9],
                books: &books,
            };
            let sc = scorer.scores(&inputs, d);
            write_truth(&mut comp, &mut alpha, &sc, d + 1, stocks, null);
        }
    }
    write_truth(&mut comp, &mut alpha, &std::array::from_fn(|_| vec![0.0; ns]), 0, stocks, true);

    let mut fields = BTreeMap::new();
    for (name, mat) in FIELDS.iter().zip(m) {
        fields.insert(name.to_string(), mat);
    }
    let mut truth = BTreeMap::new();
    truth.insert("alpha".to_string(), alpha);
    for (name, mat) in COMPONENTS.iter().zip(comp) {
        truth.insert(name.to_string(), mat);
    }
    Simulated { fields, truth, reports }
}

impl Live {
    /// Stock `s` on day `d` (listed): a due ex-date, then a suspended day or a drawn return
    /// with the planted `drift`. Returns the day's values in `FIELDS` order.
    fn step(&mut self, s: &Stock, d: usize, date: Date, factors: &Factors, drift: f64) -> [f64; 11] {
        let suspended = s.is_suspended(d);
        let mut reference = self.prev_close;
        if let Some((ex_day, dps)) = self.ex
            && ex_day <= d
            && !suspended
        {
            self.ex = None;
            let split = if self.prev_close > 30.0 { 0.4 } else { 0.04 };
            let ratio =
                if self.actions_rng.chance(split) { [0.2, 0.3, 0.5, 1.0][self.actions_rng.below(4) as usize] } else { 0.0 };
            let dps = dps.min(round2(0.2 * reference));
            let ex_ref = round2((reference - dps) / (1.0 + ratio)).max(0.01);
            self.adj *= reference / ex_ref;
            self.total = (self.total * (1.0 + ratio)).round();
            reference = ex_ref;
        }
        let float = (self.total * float_fraction(s, d) / 100.0).round() * 100.0;
        let st = s.is_st(d);
        let (bar, volume) = if suspended {
            let p = reference;
            (Bar { open: p, high: p, low: p, close: p, one_word: false }, 0.0)
        } else {
            let sigma = self.var.sqrt();
            let shock = sigma * self.rng.student_t(IDIO_NU);
            let ret = (s.beta * factors.market[d] + s.gamma * factors.industry[d][s.industry] + drift + shock).max(-0.9);
            let (ga, gb) = IDIO_GARCH;
            let capped = shock.clamp(-6.0 * sigma, 6.0 * sigma);
            self.var = s.idio_vol * s.idio_vol * (1.0 - ga - gb) + ga * capped * capped + gb * self.var;
            let bar = make_bar(&mut self.rng, reference, ret, sigma, limit(s.board, date, st));
            let (ar, az) = TURNOVER_AR;
            self.turn_dev = ar * self.turn_dev + az * self.rng.normal();
            let realized = bar.close / reference - 1.0;
            let mut turnover = s.base_turnover
                * self.turn_dev.exp()
                * (sigma / s.idio_vol).powf(TURNOVER_VOL_ELASTICITY)
                * (TURNOVER_ABS_RETURN * (realized.abs() / (s.idio_vol + 0.01) - 0.8)).exp();
            if s.ipo {
                turnover *= 1.0 + 8.0 * (-((d - s.first) as f64) / 5.0).exp();
            }
            if bar.one_word {
                turnover *= 0.25;
            }
            (bar, lots(turnover.min(60.0), float))
        };
        let vwap = bar.low + (bar.high - bar.low) * self.rng.range(0.3, 0.7);
        self.prev_close = bar.close;
        self.cheap_days = if bar.close < DELIST_PRICE { self.cheap_days + 1 } else { 0 };
        [
            bar.open,
            bar.high,
            bar.low,
            bar.close,
            volume,
            (volume * vwap).round(),
            self.adj,
            volume / float * 100.0,
            self.total,
            float,
            if st { 1.0 } else { 0.0 },
        ]
    }
}

/// Writes truth row `t` for the stocks listed on day `t`: each component is
/// `premium × score` (exactly 0 under `null`), `alpha` their sum in component order.
fn write_truth(comp: &mut [Matrix], alpha: &mut Matrix, sc: &[Vec<f64>; 6], t: usize, stocks: &[Stock], null: bool) {
    for i in (0..stocks.len()).filter(|&i| stocks[i].listed(t)) {
        let mut total = 0.0;
        for c in 0..COMPONENTS.len() {
            let v = if null { 0.0 } else { PREMIA[c] * sc[c][i] + 0.0 };
            comp[c].set(t, i, v);
            total += v;
        }
        alpha.set(t, i, total);
    }
}

/// Records a report and, for an annual one with positive parent profit, schedules the
/// cash dividend (`payout × annual parent net profit / shares`) 30–75 days after it is
/// announced (ex-dates on or before the stock's first day, or after its last, are dropped).
#[allow(clippy::too_many_arguments)]
fn file_report(
    live: &mut Live,
    book: &mut Book,
    reports: &mut Vec<Report>,
    s: &Stock,
    q: Date,
    announce: Date,
    values: Vec<f64>,
    dates: &[Date],
) {
    book.push(announce, &values);
    if quarter(q) == 3 && live.ledger.recent_npp.len() == 4 {
        let annual: f64 = live.ledger.recent_npp.iter().sum();
        let dps = (live.profile.payout * annual / values[col::TOTAL_SHARES]).max(0.0);
        let ex_date = announce.add_days(live.actions_rng.between(30, 75) as i32);
        if let Some(day) = first_on_or_after(dates, ex_date)
            && day > s.first
            && day <= s.last
            && dps > 0.0
        {
            live.ex = Some((day, (dps * 100.0).round() / 100.0));
        }
    }
    reports.push(Report { code: s.code.clone(), period_end: q, announce, values });
}
