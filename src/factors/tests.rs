//! Every factor against values worked out by hand on a scripted two-stock panel.
//!
//! The panel: 25 weekdays from 2020-01-02. Stock A (SH600000): raw close starts at 10 and
//! its adjusted return alternates +1%, −1% (a 2:1 split on day 10 halves the raw price and
//! doubles `adj_factor`, so raw returns would be wrong there); open = 0.98·close, high =
//! 1.02·close, low = 0.98·close; volume = 100·(t+1) shares, amount = 1000·(t+1) CNY,
//! turnover = (t+1) %, total shares 1000, float shares 600. Stock B (SZ000001): constant
//! price 5, no accounts.
//!
//! A's accounts: 2019Q1..Q4, each item's quarters are k, 2k, 3k, 4k, so the latest quarter
//! is 4k and TTM is 10k; Q4 is announced 2020-01-15, so on that day the latest visible
//! quarter is still Q3 (3k) and TTM is not yet available (2018Q4 is missing). k: revenue
//! 100, net_profit_parent 10, net_profit 14, total_oper_cost 90, oper_net_income 8,
//! total_profit 12, oper_profit 11, selling_exp 1, ebit 13, ebitda 15, oper_cash_flow 9,
//! fcff 0.5, cur_assets 750, total_assets 2000, fixed_assets 625, inventory 150, cur_liab
//! 375, total_liab 1000, equity 1000; total_shares 1000 in every report.

use crate::data::{Date, Financials, Matrix, Panel, Report, field};
use crate::factors::compute_factors;
use crate::factors::pit::Upsample;

const ITEMS: [(&str, f64); 19] = [
    ("revenue", 100.0),
    ("net_profit_parent", 10.0),
    ("net_profit", 14.0),
    ("total_oper_cost", 90.0),
    ("oper_net_income", 8.0),
    ("total_profit", 12.0),
    ("oper_profit", 11.0),
    ("selling_exp", 1.0),
    ("ebit", 13.0),
    ("ebitda", 15.0),
    ("oper_cash_flow", 9.0),
    ("fcff", 0.5),
    ("cur_assets", 750.0),
    ("total_assets", 2000.0),
    ("fixed_assets", 625.0),
    ("inventory", 150.0),
    ("cur_liab", 375.0),
    ("total_liab", 1000.0),
    ("equity", 1000.0),
];

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

pub(crate) fn panel() -> Panel {
    let mut dates = Vec::new();
    let mut day = d("2020-01-02");
    while dates.len() < 25 {
        if day.weekday() < 5 {
            dates.push(day);
        }
        day = day.add_days(1);
    }
    let n = dates.len();
    let f = |name: &str, a: &dyn Fn(usize) -> f64, b: f64| {
        let mut m = Matrix::nan(n, 2);
        for t in 0..n {
            m.set(t, 0, a(t));
            m.set(t, 1, b);
        }
        (name.to_string(), m)
    };
    // Adjusted close of A: 10·Π(1 ± 1%); raw = adjusted / adj_factor (2 from day 10).
    let adj_close: Vec<f64> = (0..n)
        .scan(10.0, |p, t| {
            if t > 0 {
                *p *= if t % 2 == 1 { 1.01 } else { 0.99 };
            }
            Some(*p)
        })
        .collect();
    let factor = |t: usize| if t >= 10 { 2.0 } else { 1.0 };
    let close = |t: usize| adj_close[t] / factor(t);
    let fields = [
        f(field::CLOSE, &close, 5.0),
        f(field::OPEN, &|t| 0.98 * close(t), 5.0),
        f(field::HIGH, &|t| 1.02 * close(t), 5.0),
        f(field::LOW, &|t| 0.98 * close(t), 5.0),
        f(field::ADJ_FACTOR, &factor, 1.0),
        f(field::VOLUME, &|t| 100.0 * (t + 1) as f64, 50.0),
        f(field::AMOUNT, &|t| 1000.0 * (t + 1) as f64, 250.0),
        f(field::TURNOVER, &|t| (t + 1) as f64, 0.1),
        f(field::TOTAL_SHARES, &|_| 1000.0, 800.0),
        f(field::FLOAT_SHARES, &|_| 600.0, 500.0),
    ];
    let quarters =
        [("2019-03-31", "2019-04-20"), ("2019-06-30", "2019-08-20"), ("2019-09-30", "2019-10-20"), ("2019-12-31", "2020-01-15")];
    let mut fields_fin: Vec<String> = ITEMS.iter().map(|x| x.0.to_string()).collect();
    fields_fin.push("total_shares".into());
    let reports = quarters
        .iter()
        .enumerate()
        .map(|(q, (end, ann))| {
            let mut values: Vec<f64> = ITEMS.iter().map(|(_, k)| k * (q + 1) as f64).collect();
            values.push(1000.0);
            Report { code: "SH600000".into(), period_end: d(end), announce: d(ann), values }
        })
        .collect();
    Panel {
        dates,
        stocks: vec!["SH600000".into(), "SZ000001".into()],
        fields: fields.into_iter().collect(),
        financials: Some(Financials { fields: fields_fin, reports, ..Financials::default() }),
        ..Panel::default()
    }
}

/// Value of factor `code` for stock `s` on the date `date`.
fn value(p: &Panel, code: &str, date: &str, s: usize) -> f64 {
    let v = compute_factors(p, &[code.to_string()], Upsample::PointInTime, 0.04).unwrap();
    assert_eq!(v.names, vec![code.to_string()], "{code} unavailable: {:?}", v.unavailable);
    v.values[0].get(p.date_index(d(date)).unwrap(), s)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

const LAST: &str = "2020-02-05";

/// PE = 10.x·1000 / NPP TTM 100; PB = cap / equity 4000; PS = cap / revenue TTM 1000;
/// S_DQ_TURN = 25 % on the last day; S_DQ_MV = raw close × 600; NET_ASSETS_TODAY = 4000.
#[test]
fn value_factors() {
    let p = panel();
    let t = p.date_index(d(LAST)).unwrap();
    let cap = p.fields[field::CLOSE].get(t, 0) * 1000.0;
    assert!(close(value(&p, "S_VAL_PE", LAST, 0), cap / 100.0));
    assert!(close(value(&p, "S_VAL_PB_NEW", LAST, 0), cap / 4000.0));
    assert!(close(value(&p, "S_VAL_PS", LAST, 0), cap / 1000.0));
    assert!(close(value(&p, "S_DQ_TURN", LAST, 0), 25.0));
    assert!(close(value(&p, "S_DQ_MV", LAST, 0), p.fields[field::CLOSE].get(t, 0) * 600.0));
    assert!(close(value(&p, "NET_ASSETS_TODAY", LAST, 0), 4000.0));
    // On Q4's announcement day, Q3 is the latest visible: equity 3000, no TTM yet.
    assert!(close(value(&p, "NET_ASSETS_TODAY", "2020-01-15", 0), 3000.0));
    assert!(value(&p, "S_VAL_PE", "2020-01-15", 0).is_nan());
    // Stock B has no accounts: NaN, not zero.
    assert!(value(&p, "S_VAL_PE", LAST, 1).is_nan());
}

/// Published ratios win when there are no accounts; turnover derives from volume / float.
#[test]
fn value_alternatives() {
    let mut p = panel();
    p.financials = None;
    p.fields.insert(field::PE_TTM.into(), p.fields[field::CLOSE].map(|_| 12.5));
    assert_eq!(value(&p, "S_VAL_PE", LAST, 1), 12.5);
    p.fields.remove(field::TURNOVER);
    // B: volume 50 / float 500 × 100 = 10 %.
    let v = compute_factors(&p, &["S_DQ_TURN".into()], Upsample::PointInTime, 0.04).unwrap();
    assert_eq!(v.derived[0], Some("volume / float_shares x 100"));
    assert!(close(v.values[0].get(24, 1), 10.0));
}

/// Latest single quarter = 4k, TTM = 10k (k from the module docs).
#[test]
fn basic_factors() {
    let p = panel();
    let want = [
        ("OPER_REV", 400.0),
        ("OPER_PROFIT", 44.0),
        ("TOT_PROFIT", 48.0),
        ("LESS_SELLING_DISTRIBUT_EXP", 4.0),
        ("EBIT", 52.0),
        ("EBITDA", 60.0),
        ("TOT_CUR_ASSETS", 3000.0),
        ("TOT_CUR_LIAB", 1500.0),
        ("TOT_ASSETS", 8000.0),
        ("FIX_ASSETS", 2500.0),
        ("NET_PROFIT_PARENT_COMP_TTM", 100.0),
        ("NET_CASH_FLOWS_OPER_ACT_TTM", 90.0),
        ("OPER_REV_TTM", 1000.0),
    ];
    for (code, v) in want {
        assert!(close(value(&p, code, LAST, 0), v), "{code}: {} != {v}", value(&p, code, LAST, 0));
    }
}

/// The last 20 adjusted returns alternate ±1% (pandas on [0.01, −0.01]×10): variance
/// 20·1e-4/19 × 250 = 0.0263158; skewness 0; excess kurtosis −2.2352941; Sharpe
/// (0 − 0.04/250) / 0.0102598 × √250 = −0.2465766. Raw returns would show the split.
/// Stock B's constant price: variance 0, the other three undefined (NaN).
#[test]
fn risk_factors() {
    let p = panel();
    assert!(close(value(&p, "Variance20", LAST, 0), 0.026_315_789_473_684_213));
    assert!(value(&p, "Skewness20", LAST, 0).abs() < 1e-9);
    assert!((value(&p, "Kurtosis20", LAST, 0) + 2.235_294_117_647_06).abs() < 1e-9);
    assert!((value(&p, "SharpeRatio20", LAST, 0) + 0.246_576_560_118_759).abs() < 1e-9);
    assert_eq!(value(&p, "Variance20", LAST, 1), 0.0);
    assert!(value(&p, "Skewness20", LAST, 1).is_nan());
    // Day 19 has only 19 returns: no value yet.
    assert!(value(&p, "Variance20", "2020-01-28", 0).is_nan());
}

/// VOL20 = mean(6..25) = 15.5 %; VSTD20 = 100 × √35 (sample variance of 20 consecutive
/// integers is 20·21/12 = 35) = 591.608; TVMA20 = 1000 × 15.5; WVAD: (c − o)/(h − l) =
/// 0.02c / 0.04c = 0.5, so 0.5 × 100 × (20+…+25) = 6750.
#[test]
fn trade_factors() {
    let p = panel();
    assert!(close(value(&p, "VOL20", LAST, 0), 15.5));
    assert!(close(value(&p, "VSTD20", LAST, 0), 100.0 * 35f64.sqrt()));
    assert!(close(value(&p, "TVMA20", LAST, 0), 15_500.0));
    assert!(close(value(&p, "WVAD", LAST, 0), 6750.0));
    // B: high = low every day → WVAD 0; no amount column → TVMA20 derived from volume × price.
    assert_eq!(value(&p, "WVAD", LAST, 1), 0.0);
    let mut q = panel();
    q.fields.remove(field::AMOUNT);
    let v = compute_factors(&q, &["TVMA20".into()], Upsample::PointInTime, 0.04).unwrap();
    assert!(v.derived[0].is_some());
    assert!(close(v.values[0].get(24, 1), 50.0 * 5.0));
}

/// ROE 140/4000; EPS 100/1000; BPS 4000/1000; ORPS 1000/1000; net margin 140/1000; cost
/// ratio 900/1000; operating income / EBT 80/120; current assets / assets 3000/8000;
/// current ratio 3000/1500; quick (3000 − 600)/1500; fixed-asset turnover 1000/2500;
/// operating profit / current liabilities 110/1500; profit / revenue 120/1000; FCFF TTM 5.
#[test]
fn quality_factors() {
    let p = panel();
    let want = [
        ("S_FA_ROE", 0.035),
        ("S_FA_EPS_BASIC", 0.1),
        ("S_FA_BPS", 4.0),
        ("S_FA_ORPS", 1.0),
        ("S_FA_NETPROFITMARGIN", 0.14),
        ("S_FA_GCTOGR", 0.9),
        ("S_FA_OPERATEINCOMETOEBT", 80.0 / 120.0),
        ("S_FA_CATOASSETS", 0.375),
        ("S_FA_CURRENT", 2.0),
        ("S_FA_QUICK", 1.6),
        ("S_FA_FATURN", 0.4),
        ("S_FA_OPTOLIQDEBT", 110.0 / 1500.0),
        ("S_FA_PROFITTOOP", 0.12),
        ("S_FA_FCFF", 5.0),
    ];
    for (code, v) in want {
        assert!(close(value(&p, code, LAST, 0), v), "{code}: {} != {v}", value(&p, code, LAST, 0));
    }
}

/// Asking for a factor the data cannot feed lists it with its missing inputs.
#[test]
fn missing_inputs_are_reported() {
    let mut p = panel();
    p.financials = None;
    let v = compute_factors(&p, &["S_FA_ROE".into(), "WVAD".into()], Upsample::PointInTime, 0.04).unwrap();
    assert_eq!(v.names, vec!["WVAD"]);
    assert_eq!(v.unavailable[0].code, "S_FA_ROE");
    assert_eq!(v.unavailable[0].missing, vec!["financials.net_profit", "financials.equity"]);
    assert!(compute_factors(&p, &["NOPE".into()], Upsample::PointInTime, 0.04).is_err());
}
