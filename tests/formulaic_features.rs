//! `[factors.expr]` and `[factors] table` through the factor stage on the synthetic market:
//! an expression equals its hand computation, a user's table arrives unchanged (before
//! cleaning), bad names and columns are errors that say where.

use std::io::Write;

use alphasweep::data::synth::{SynthConfig, generate};
use alphasweep::data::{Panel, field};
use alphasweep::factors::{FactorConfig, build_factors};

fn panel() -> Panel {
    let cfg = SynthConfig {
        stocks: 30,
        start: "2019-01-01".parse().unwrap(),
        end: "2019-12-31".parse().unwrap(),
        seed: 3,
        null: false,
    };
    generate(&cfg).unwrap().panel
}

fn cfg(expr: &[(&str, &str)], table: Option<String>) -> FactorConfig {
    FactorConfig {
        set: vec![],
        expr: expr.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect(),
        table,
        ..FactorConfig::default()
    }
}

/// MOM5 = adjusted close 5 days ago / today − 1, by hand from the panel, on every day from a
/// stock's first to its last day as an index member (only those are computed; others NaN).
#[test]
fn an_expression_equals_its_hand_computation() {
    let p = panel();
    let t = build_factors(&p, &cfg(&[("MOM5", "Ref($close, 5)/$close - 1")], None)).unwrap();
    assert_eq!(t.names, ["MOM5"]);
    assert_eq!(t.coverage[0].category, "expr");
    let adj = p.adjusted(field::CLOSE).unwrap();
    let spans = alphasweep::expr::member_spans(&p);
    assert!(spans.iter().any(|s| s.is_none()), "some stock is never a member: {spans:?}");
    let mut checked = 0;
    for d in 5..p.n_dates() {
        for (s, span) in spans.iter().enumerate() {
            let want = adj.get(d - 5, s) / adj.get(d, s) - 1.0;
            let got = t.raw[0].get(d, s);
            if !span.is_some_and(|(a, b)| (a..=b).contains(&d)) {
                assert!(got.is_nan(), "{d} {s}: {got} off the membership span");
            } else if want.is_finite() {
                // Fields and element-wise arithmetic are float32, as in qlib.
                assert!((got - want).abs() <= 1e-6 * want.abs().max(1.0), "{d} {s}: {got} vs {want}");
                checked += 1;
            }
        }
    }
    assert!(checked > 5000, "{checked}");
}

/// A division by zero arrives as `NaN` on the membership span (never ±inf), and no cell of
/// the outputs is left unwritten (they are allocated zeroed, then filled).
#[test]
fn divisions_by_zero_are_nan_and_every_cell_is_written() {
    let p = panel();
    let exprs = [("INF", "$close/($close-$close)"), ("ZERO", "$close-$close")];
    let feats: Vec<_> = exprs.iter().map(|(n, e)| alphasweep::expr::feature(n, e, false).unwrap()).collect();
    let ev = alphasweep::expr::evaluate(&p, &feats).unwrap();
    let spans = alphasweep::expr::member_spans(&p);
    let (mut on, mut zeros) = (0, 0);
    for d in 0..p.n_dates() {
        for (s, span) in spans.iter().enumerate() {
            let (inf, zero) = (ev.values[0].get(d, s), ev.values[1].get(d, s));
            assert!(inf.is_nan(), "{d} {s}: {inf}");
            if span.is_some_and(|(a, b)| (a..=b).contains(&d)) {
                on += 1;
                zeros += usize::from(zero == 0.0);
            } else {
                assert!(zero.is_nan(), "{d} {s}: {zero} off the membership span");
            }
        }
    }
    assert!(on > 1000 && zeros + 50 > on, "{zeros} zeros of {on} member days");
}

#[test]
fn a_feature_table_arrives_as_written() {
    let p = panel();
    let dir = std::env::temp_dir().join(format!("alphasweep-table-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("features.csv");
    let mut f = std::fs::File::create(&path).unwrap();
    writeln!(f, "date,code,MINE").unwrap();
    for (d, date) in p.dates.iter().enumerate() {
        for (s, code) in p.stocks.iter().enumerate() {
            writeln!(f, "{date},{code},{}", (d * 31 + s) as f64 / 7.0).unwrap();
        }
    }
    drop(f);
    let t = build_factors(&p, &cfg(&[], Some(path.display().to_string()))).unwrap();
    assert_eq!(t.names, ["MINE"]);
    assert_eq!(t.coverage[0].category, "table");
    assert_eq!(t.raw[0].get(7, 3), (7 * 31 + 3) as f64 / 7.0);

    // A column named like a feature, and a bad number, say where.
    let err = build_factors(&p, &cfg(&[("MINE", "$close")], Some(path.display().to_string()))).err().unwrap().to_string();
    assert!(err.contains("column `MINE` has the name of a computed feature"), "{err}");
    std::fs::write(&path, format!("date,code,MINE\n{},{},abc\n", p.dates[3], p.stocks[0])).unwrap();
    let err = format!("{:#}", anyhow::Error::new(build_factors(&p, &cfg(&[], Some(path.display().to_string()))).err().unwrap()));
    assert!(err.contains("features.csv:2") && err.contains("MINE"), "{err}");
    // A table none of whose rows is on the data's dates and codes is an error, not a blank.
    std::fs::write(&path, "date,code,MINE\n1990-01-02,SH600000,1.5\n").unwrap();
    let err = build_factors(&p, &cfg(&[], Some(path.display().to_string()))).err().unwrap().to_string();
    assert!(err.contains("no row"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
