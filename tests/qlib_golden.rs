//! alphasweep's qlib expressions against qlib 0.9.7 itself on the shared bins: Alpha158,
//! Alpha360 and an expression per operator (tests/golden/qlib, made by
//! scripts/golden_qlib.py; its README states qlib's semantics). Every value must agree to
//! `RTOL` of its size plus the column's median size (a correlation near 0 carries the
//! column's float32 noise: numpy's float32 `log` is not correctly rounded), with the same
//! NaN pattern. One documented exception: qlib's `Skew`/`Kurt` (pandas' raw-moment sums)
//! lose their digits where a window's mean is many standard deviations from 0 (a new
//! listing's run of limit-up days); alphasweep's centered moments do not, so those rows are
//! counted, not compared.

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use alphasweep::data::load::{Format, LoadOptions, load, spec};
use alphasweep::data::{Date, Matrix, Panel};
use alphasweep::expr::{self, Plan};

const RTOL: f64 = 1e-4;

/// |mean| / std of a window beyond which raw-moment skew and kurtosis are noise.
const ILL_CONDITIONED: f64 = 30.0;

/// ops.tsv columns not compared, and why: qlib's `Ref(x, 0)` is the first *loaded* day
/// (refused here); the others depend on qlib's query start, so their `_FULL` twins (the
/// whole history, which alphasweep computes) are compared instead.
const SKIP: [&str; 8] = ["REF0", "REF0_FULL", "DELTA5", "SIGN_D", "NAN_DELTA1", "MAX_ABS_D", "EMA10", "NAN_EMA5"];

struct Golden {
    names: Vec<String>,
    rows: Vec<(Date, String, Vec<f64>)>,
}

fn read_gz(path: &Path) -> String {
    let raw = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut text = String::new();
    flate2::read::GzDecoder::new(&raw[..]).read_to_string(&mut text).unwrap();
    text
}

fn golden(file: &str) -> Golden {
    let text = read_gz(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/qlib").join(file));
    let mut lines = text.lines();
    let names: Vec<String> = lines.next().unwrap().split(',').skip(2).map(String::from).collect();
    let rows = lines
        .map(|l| {
            let mut it = l.split(',');
            let date: Date = it.next().unwrap().parse().unwrap();
            let code = it.next().unwrap().to_string();
            let vals = it
                .map(|v| match v {
                    "" => f64::NAN,
                    "inf" => f64::INFINITY,
                    "-inf" => f64::NEG_INFINITY,
                    v => v.parse().unwrap(),
                })
                .collect();
            (date, code, vals)
        })
        .collect();
    Golden { names, rows }
}

/// name → expression from a golden .tsv (name, expression, …).
fn expressions(file: &str) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/qlib").join(file)).unwrap();
    text.lines().skip(1).map(|l| l.split('\t').collect::<Vec<_>>()).map(|c| (c[0].to_string(), c[1].to_string())).collect()
}

fn bins(data: &Path) -> Panel {
    let path = data.join("qlib_csi300/qlib_csi300_subset_bins.tar.gz");
    load(&LoadOptions { sources: vec![spec(&path, Format::Qlib, None)], ..LoadOptions::default() }).unwrap().panel
}

/// Evaluates `names` (expressions from `exprs`) for the golden's stocks only.
fn evaluate(panel: &Panel, g: &Golden, names: &[&String], exprs: &BTreeMap<String, String>) -> (Vec<Matrix>, Vec<usize>) {
    let mut stocks: Vec<&String> = g.rows.iter().map(|r| &r.1).collect();
    stocks.sort();
    stocks.dedup();
    let cols: Vec<usize> = stocks.iter().map(|c| panel.stock_index(c).unwrap_or_else(|| panic!("{c} not in the bins"))).collect();
    let parsed: Vec<expr::Expr> = names
        .iter()
        .map(|n| expr::parse::parse(&exprs[*n]).unwrap_or_else(|e| panic!("{n}: {}", e.render(&exprs[*n]))))
        .collect();
    let plan = Plan::new(&parsed.iter().collect::<Vec<_>>());
    let inputs: Vec<Matrix> = plan
        .fields
        .iter()
        .map(|f| {
            let m = expr::field_values(panel, f).unwrap().unwrap_or_else(|| panic!("${f} missing"));
            let mut sub = Matrix::nan(m.n_dates, cols.len());
            for d in 0..m.n_dates {
                for (k, &s) in cols.iter().enumerate() {
                    sub.set(d, k, m.get(d, s));
                }
            }
            sub
        })
        .collect();
    let mut index = vec![usize::MAX; panel.n_stocks()];
    for (k, &s) in cols.iter().enumerate() {
        index[s] = k;
    }
    (plan.eval(&inputs.iter().collect::<Vec<_>>()), index)
}

/// Compares every golden value; returns failures as text (the worst per column).
fn compare(file: &str, tsv: &str) -> (usize, Vec<String>) {
    let Some(data) = common::shared_data() else { return (0, vec![]) };
    let panel = bins(&data);
    let g = golden(file);
    let exprs = expressions(tsv);
    let mut names: Vec<&String> = g.names.iter().filter(|n| !SKIP.contains(&n.as_str())).collect();
    let n_compared = names.len();
    // For Skew/Kurt columns: the window's mean and standard deviation (same window).
    let mut extra = BTreeMap::new();
    for n in &names[..n_compared] {
        let e = &exprs[*n];
        if e.starts_with("Skew(") || e.starts_with("Kurt(") {
            extra.insert(format!("{n}#mean"), format!("Mean({}", &e[5..]));
            extra.insert(format!("{n}#std"), format!("Std({}", &e[5..]));
        }
    }
    let mut exprs = exprs;
    exprs.extend(extra.clone());
    let extra_names: Vec<String> = extra.keys().cloned().collect();
    names.extend(extra_names.iter());
    let (values, index) = evaluate(&panel, &g, &names, &exprs);
    let at = |name: String, d: usize, s: usize| names.iter().position(|n| **n == name).map(|j| values[j].get(d, s));
    let mut ill = 0;
    let mut checked = 0;
    let mut failures = vec![];
    for (j, name) in names[..n_compared].iter().enumerate() {
        let col = g.names.iter().position(|n| n == *name).unwrap();
        let mut sizes: Vec<f64> = g.rows.iter().map(|r| r.2[col].abs()).filter(|v| v.is_finite()).collect();
        sizes.sort_by(f64::total_cmp);
        let scale = sizes.get(sizes.len() / 2).copied().unwrap_or(0.0);
        let mut worst: Option<(f64, String)> = None;
        for (date, code, vals) in &g.rows {
            let want = vals[col];
            let d = panel.date_index(*date).unwrap();
            let s = index[panel.stock_index(code).unwrap()];
            let got = values[j].get(d, s);
            // The goldens are float32: compare at float32.
            let got32 = got as f32 as f64;
            checked += 1;
            let bad = if want.is_nan() || got32.is_nan() || want.is_infinite() || got32.is_infinite() {
                if want.is_nan() && got32.is_nan() || want == got32 { 0.0 } else { f64::INFINITY }
            } else {
                (got32 - want).abs() / (RTOL * (want.abs() + scale) + 1e-12)
            };
            if bad > 1.0
                && let (Some(m), Some(sd)) = (at(format!("{name}#mean"), d, s), at(format!("{name}#std"), d, s))
                && m.abs() > ILL_CONDITIONED * sd
            {
                ill += 1;
                continue;
            }
            if bad > 1.0 && worst.as_ref().is_none_or(|w| bad > w.0) {
                worst = Some((bad, format!("{name} = {}: {code} {date}: qlib {want:e}, alphasweep {got:e}", exprs[*name])));
            }
        }
        if let Some((_, w)) = worst {
            failures.push(w);
        }
    }
    if ill > 0 {
        eprintln!("{file}: {ill} Skew/Kurt values not compared: window mean > {ILL_CONDITIONED} standard deviations from 0");
    }
    (checked, failures)
}

fn check(file: &str, tsv: &str) {
    let (checked, failures) = compare(file, tsv);
    assert!(failures.is_empty(), "{file}: {} of the columns differ from qlib:\n{}", failures.len(), failures.join("\n"));
    eprintln!("{file}: {checked} values agree with qlib");
}

#[test]
fn alpha158_matches_qlib() {
    check("alpha158.csv.gz", "alpha158.tsv");
}

#[test]
fn alpha360_matches_qlib() {
    check("alpha360.csv.gz", "alpha360.tsv");
}

#[test]
fn every_operator_matches_qlib() {
    check("ops.csv.gz", "ops.tsv");
}

#[test]
fn missing_volumes_match_qlib() {
    check("nanvol_alpha158.csv.gz", "alpha158.tsv");
    check("nanvol_ops.csv.gz", "ops.tsv");
}

/// The built-in sets are qlib's, name for name and expression for expression.
#[test]
fn builtin_sets_are_qlibs_definitions() {
    for (set, tsv) in [("alpha158", "alpha158.tsv"), ("alpha360", "alpha360.tsv")] {
        let ours = expr::sets::builtin(set).unwrap();
        let theirs = expressions(tsv);
        let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/qlib").join(tsv)).unwrap();
        let order: Vec<&str> = text.lines().skip(1).map(|l| l.split('\t').next().unwrap()).collect();
        assert_eq!(ours.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), order, "{set}: names or order differ");
        for (name, e) in &ours {
            let (a, b) = (expr::parse::parse(e).unwrap(), expr::parse::parse(&theirs[name]).unwrap());
            assert_eq!(a.to_string(), b.to_string(), "{set} {name}: {e} vs qlib's {}", theirs[name]);
        }
    }
}

/// Member rows (each stock's member days evaluated in stretches, apart where a gap between
/// membership spells is longer than the plan reads back) hold the `[date, stock]`
/// matrices' values (each stock evaluated from its first to its last member day) on every
/// member stock-day of the bins, Alpha158: the same NaN pattern, values equal up to the
/// rounding of running sums that start on other days.
#[test]
fn member_rows_are_the_matrices_on_every_member_day() {
    let Some(data) = common::shared_data() else { return };
    let panel = bins(&data);
    let feats: Vec<expr::Feature> = expr::sets::alpha158().iter().map(|(n, e)| expr::feature(n, e, false).unwrap()).collect();
    let rows = expr::evaluate_members(&panel, &feats).unwrap();
    let m = expr::evaluate(&panel, &feats).unwrap();
    assert_eq!(rows.names, m.names);
    // Stocks whose spells lie more than Alpha158's 60-day reach apart: evaluated in stretches.
    let spells = panel.universe.as_ref().expect("the bins' csi300 membership");
    let apart = panel
        .stocks
        .iter()
        .filter(|c| {
            let mut s: Vec<_> = spells.iter().filter(|sp| &&sp.code == c).map(|sp| (sp.start, sp.end)).collect();
            s.sort();
            s.windows(2).any(|w| panel.date_index(w[1].0).zip(panel.date_index(w[0].1)).is_some_and(|(a, b)| a > b + 62))
        })
        .count();
    assert!(apart >= 10, "only {apart} stocks with spells far apart: the stretches go untested");
    let mut worst = (0.0f64, String::new());
    for (f, name) in rows.names.iter().enumerate() {
        let col = rows.column(f);
        let mut sizes: Vec<f64> = col.iter().map(|x| f64::from(x.abs())).filter(|x| x.is_finite()).collect();
        sizes.sort_by(f64::total_cmp);
        let scale = sizes.get(sizes.len() / 2).copied().unwrap_or(0.0);
        for (i, &(d, s)) in rows.rows.iter().enumerate() {
            let (x, y) = (f64::from(col[i]), f64::from(m.values[f].get(d as usize, s as usize) as f32));
            assert_eq!(x.is_nan(), y.is_nan(), "{name} at {} {}: {x} vs {y}", panel.dates[d as usize], panel.stocks[s as usize]);
            let off = (x - y).abs() / (y.abs() + scale + 1e-30);
            if off > worst.0 {
                worst = (off, format!("{name} at {} {}: {x:e} vs {y:e}", panel.dates[d as usize], panel.stocks[s as usize]));
            }
        }
    }
    // float32 carries 6e-8 of a value: a few units of its last place.
    assert!(worst.0 <= 1e-6, "{}: {:.1e} of the value and the column's median size", worst.1, worst.0);
    eprintln!("{} member rows x {} features; largest difference {:.1e} ({})", rows.n_rows(), rows.names.len(), worst.0, worst.1);
}
