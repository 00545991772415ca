//! Parser and operator checks against hand-computed (pandas) values; qlib itself is the
//! oracle in tests/qlib_golden.rs.

use super::ast::{BinOp, Expr, Op};
use super::parse::parse;
use super::plan::Plan;
use super::*;

fn eval1(text: &str, x: &[f64]) -> Vec<f64> {
    let e = parse(text).unwrap();
    Plan::new(&[&e]).eval_series(&[x]).remove(0)
}

fn close(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x.is_nan() && y.is_nan()) || (x - y).abs() < 1e-9)
}

#[test]
fn precedence_follows_python() {
    // `&` binds tighter than comparisons, `*` tighter than `+`, unary minus tightest.
    let e = parse("$a + $b * -2 > 1").unwrap();
    assert_eq!(e.to_string(), "(($a+($b*-2.0))>1.0)");
    let e = parse("($a > 1) & ($b < 2) | $c").unwrap();
    assert!(matches!(e, Expr::Bin(BinOp::Or, ..)), "{e}");
    assert_eq!(parse("-$x").unwrap().to_string(), "(-$x)");
    assert_eq!(parse("Mean($close, 5)/$close").unwrap(), parse("Mean( $close,5 ) / $close").unwrap());
    assert_eq!(parse("1e-12").unwrap(), Expr::Num(1e-12));
    assert_eq!(parse("-$a**2").unwrap().to_string(), "(-Power($a,2.0))");
    assert!(matches!(parse("Quantile($c, 5, 0.8)").unwrap(), Expr::Call(Op::Quantile, _)));
}

#[test]
fn parse_errors_point_at_the_column() {
    let cases = [
        ("Mean($close, 5", 15, "expected `,` or `)`"),
        ("Mean($close)", 12, "takes 2 arguments"),
        ("mean($close, 5)", 1, "did you mean Mean?"),
        ("Mean($close, $open)", 14, "must be a number"),
        ("Std($close, -3)", 13, "must be ≥ 0"),
        ("Mean($close, 2.5)", 14, "whole number"),
        ("Std($close, 0.5)", 13, "smoothing factor"),
        ("Quantile($close, 5, 1.5)", 21, "[0, 1]"),
        ("$close +", 9, "expected a number"),
        ("$close $open", 8, "unexpected `$open`"),
        ("$a < $b < $c", 9, "chained comparisons"),
        ("$close # 2", 8, "unexpected character"),
        ("Ref($close, 0)", 13, "first loaded day"),
    ];
    for (text, col, msg) in cases {
        let e = parse(text).expect_err(text);
        assert_eq!(e.column, col, "{text}: {e:?}");
        assert!(e.message.contains(msg), "{text}: {}", e.message);
    }
    let shown = parse("Mean($close, 5").unwrap_err().render("Mean($close, 5");
    assert!(shown.ends_with("\n  Mean($close, 5\n                ^"), "{shown}");
}

#[test]
fn the_future_is_refused_outside_labels() {
    let err = feature("F", "Ref($close, -1)/$close", false).unwrap_err().to_string();
    assert!(err.contains("1 trading day(s) ahead"), "{err}");
    assert_eq!(feature("L", sets::QLIB_LABEL, true).unwrap().expr.lookahead(), 2);
    assert_eq!(feature("F", "Mean(Ref($close, 1), 5)", false).unwrap().expr.lookahead(), 0);
}

#[test]
fn rolling_statistics_match_pandas_with_min_periods_one() {
    let n = f64::NAN;
    let x = [n, 1.0, 2.0, n, 4.0, 10.0];
    // pandas: s.rolling(3, min_periods=1).mean() etc. on [nan, 1, 2, nan, 4, 10].
    assert!(close(&eval1("Mean($x, 3)", &x), &[n, 1.0, 1.5, 1.5, 3.0, 7.0]));
    assert!(close(&eval1("Sum($x, 3)", &x), &[n, 1.0, 3.0, 3.0, 6.0, 14.0]));
    assert!(close(&eval1("Count($x, 3)", &x), &[n, 1.0, 2.0, 2.0, 2.0, 2.0]));
    let s = 0.5f64.sqrt();
    assert!(close(&eval1("Std($x, 3)", &x), &[n, n, s, s, 2f64.sqrt(), 18f64.sqrt()]));
    assert!(close(&eval1("Max($x, 3)", &x), &[n, 1.0, 2.0, 2.0, 4.0, 10.0]));
    assert!(close(&eval1("Ref($x, 2)", &x), &[n, n, n, 1.0, 2.0, n]));
    assert!(close(&eval1("Ref($x, -1)", &x), &[1.0, 2.0, n, 4.0, 10.0, n]));
    assert!(close(&eval1("Delta($x, 1)", &x), &[n, n, 1.0, n, n, 6.0]));
    // Rank of the last value among the window's finite values, ties averaged.
    assert!(close(&eval1("Rank($x, 3)", &[3.0, 1.0, 3.0, 2.0]), &[1.0, 0.5, 2.5 / 3.0, 2.0 / 3.0]));
    // Quantile: numpy's linear interpolation; window [2, 4, 10] at 0.8 -> 4 + 0.6 * 6.
    assert!(close(&eval1("Quantile($x, 4, 0.8)", &x)[5..], &[7.6]));
    assert!(close(&eval1("Med($x, 4)", &x)[5..], &[4.0]));
    // Mad: mean |x - mean| of [2, 4, 10] = (10/3 + 4/3 + 14/3) / 3.
    assert!(close(&eval1("Mad($x, 4)", &x)[5..], &[28.0 / 9.0]));
}

#[test]
fn positional_and_regression_operators() {
    let n = f64::NAN;
    let x = [n, n, 3.0, 1.0, 5.0, 5.0, 2.0];
    // Days count from the first value: windows [3], [3,1], [3,1,5], [1,5,5], [5,5,2].
    assert!(close(&eval1("IdxMax($x, 3)", &x), &[n, n, 1.0, 1.0, 3.0, 2.0, 1.0]));
    assert!(close(&eval1("IdxMin($x, 3)", &x), &[n, n, 1.0, 2.0, 2.0, 1.0, 3.0]));
    // WMA of [3, 1]: weights 1/3, 2/3 -> nanmean([1, 2/3]) = 5/6 (qlib's definition).
    assert!(close(&eval1("WMA($x, 3)", &x)[2..4], &[3.0, 5.0 / 6.0]));
    // A straight line: slope 2, R^2 1, residual 0.
    let line = [1.0, 3.0, 5.0, 7.0];
    assert!(close(&eval1("Slope($x, 3)", &line), &[n, 2.0, 2.0, 2.0]));
    assert!(close(&eval1("Rsquare($x, 3)", &line)[2..], &[1.0, 1.0]));
    assert!(close(&eval1("Resi($x, 3)", &line)[2..], &[0.0, 0.0]));
    // [1, 2, 4]: slope 1.5, fitted last 2.333 + 1.5 = 3.8333, residual 0.1667.
    let y = [1.0, 2.0, 4.0];
    assert!(close(&eval1("Resi($x, 3)", &y)[2..], &[4.0 - (7.0 / 3.0 + 1.5)]));
    // pandas ewm(span=3).mean() of [1, 2, 3]: 1, 1.6667, 2.4286.
    assert!(close(&eval1("EMA($x, 3)", &[1.0, 2.0, 3.0]), &[1.0, 5.0 / 3.0, 17.0 / 7.0]));
}

#[test]
fn elementwise_nan_rules_follow_numpy() {
    let n = f64::NAN;
    let x = [n, -2.0, 0.0, 3.0];
    assert!(close(&eval1("$x > 0", &x), &[0.0, 0.0, 0.0, 1.0]));
    assert!(close(&eval1("$x != 0", &x), &[1.0, 1.0, 0.0, 1.0]));
    assert!(close(&eval1("Greater($x, 0)", &x), &[n, 0.0, 0.0, 3.0]));
    assert!(close(&eval1("Sign($x)", &x), &[n, -1.0, 0.0, 1.0]));
    assert!(close(&eval1("If($x > 0, $x, 0 - $x)", &x), &[n, 2.0, 0.0, 3.0]));
    assert!(close(&eval1("Power($x, 2)", &x), &[n, 4.0, 0.0, 9.0]));
    assert!(close(&eval1("($x > -5) & ($x < 1)", &x), &[0.0, 1.0, 1.0, 0.0]));
}

#[test]
fn shared_subexpressions_are_computed_once() {
    let sets = sets::alpha158();
    let exprs: Vec<Expr> = sets.iter().map(|(_, t)| parse(t).unwrap()).collect();
    let plan = Plan::new(&exprs.iter().collect::<Vec<_>>());
    // 158 features, far fewer distinct nodes than their total size.
    assert_eq!(sets.len(), 158);
    assert!(plan.len() < 500, "{}", plan.len());
    assert_eq!(sets::alpha360().len(), 360);
}

#[test]
fn reach_adds_up_the_windows_under_a_day() {
    let reach = |texts: &[&str]| {
        let exprs: Vec<Expr> = texts.iter().map(|t| parse(t).unwrap()).collect();
        Plan::new(&exprs.iter().collect::<Vec<_>>()).reach
    };
    assert_eq!(reach(&["$close"]), Some(0));
    assert_eq!(reach(&["Mean(Ref($close, 5), 10)"]), Some(14));
    assert_eq!(reach(&["Corr($close, Log($volume + 1), 20) + Delta($open, 3)", "Max($high, 30)"]), Some(29));
    assert_eq!(reach(&["Max($high, 30)", "EMA($close, 5)"]), None);
    assert_eq!(reach(&["Mean($close, 0.5)"]), None);
    assert_eq!(reach(&["Sum($close, 0)"]), None);
    assert_eq!(reach(&["Ref($close, -2)"]), None);
}

/// Alpha158 and a few whole-history expressions evaluated on each stock's span only equal
/// the whole-history values on the span's days (NaN where they are NaN), and are NaN off
/// it: spans that start too early for the reach, cuts that land in a suspension, a stock
/// listed late, a stock never a member.
#[test]
fn span_evaluation_equals_whole_history_on_the_span() {
    let (nd, ns) = (400, 5);
    let mut rng = crate::rng::Rng::new(3);
    let mut field = |lo: f64| {
        let mut m = Matrix::nan(nd, ns);
        for s in 0..ns {
            let mut p = lo * (1.0 + s as f64);
            for d in 0..nd {
                p *= 1.0 + 0.02 * rng.normal();
                let listed = s != 3 || d >= 90;
                let suspended = (s == 1 && (150..170).contains(&d)) || (s == 2 && d % 37 == 0);
                if listed && !suspended {
                    m.set(d, s, p);
                }
            }
        }
        m
    };
    let (close, volume) = (field(10.0), field(1e6));
    let open = close.map(|v| v * 1.001);
    let (high, low) = (close.map(|v| v * 1.02), close.map(|v| v * 0.98));
    let mut texts: Vec<String> = sets::alpha158().into_iter().map(|(_, t)| t).filter(|t| !t.contains("$vwap")).collect();
    let by_field = ["$open", "$high", "$low", "$close", "$volume"];
    let fields = [&open, &high, &low, &close, &volume];
    for t in ["EMA($close, 10) / $close", "Sum($volume, 0)"] {
        texts.push(t.into());
    }
    for bounded in [true, false] {
        let list: Vec<&String> = texts.iter().filter(|t| bounded != (t.contains("EMA") || t.contains(", 0)"))).collect();
        let exprs: Vec<Expr> = list.iter().map(|t| parse(t).unwrap()).collect();
        let plan = Plan::new(&exprs.iter().collect::<Vec<_>>());
        assert_eq!(plan.reach.is_some(), bounded);
        let inputs: Vec<&Matrix> =
            plan.fields.iter().map(|f| fields[by_field.iter().position(|g| &g[1..] == f).unwrap()]).collect();
        let spans = [Some((10, 399)), Some((160, 300)), Some((200, 250)), Some((95, 399)), None];
        let (whole, part) = (plan.eval(&inputs), plan.eval_spans(&inputs, &spans));
        for (e, (w, p)) in whole.iter().zip(&part).enumerate() {
            for (s, span) in spans.iter().enumerate() {
                for d in 0..nd {
                    let (a, b) = (w.get(d, s), p.get(d, s));
                    let on = span.is_some_and(|(x, y)| (x..=y).contains(&d));
                    let same =
                        if on { (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9 * a.abs().max(1.0) } else { b.is_nan() };
                    assert!(same, "{} at stock {s}, day {d}: whole {a}, span {b}", list[e]);
                }
            }
        }
    }
}

/// One pass over a family (moments, order statistics, pairs) gives each operator's own
/// values on series with gaps, infinities, zeros and repeated runs, for every window length
/// and start: bit for bit when the windows are of one length, to rounding when a pass
/// serves several lengths; and a plan groups Alpha158's window operators into such passes.
#[test]
fn family_passes_equal_each_operator_alone() {
    use super::rolling::{family, rolling, rolling_many};
    let mut rng = crate::rng::Rng::new(11);
    let mut series = |shift: f64| -> Vec<f64> {
        (0..300)
            .map(|i| match i % 41 {
                7 => f64::NAN,
                13 if i > 100 => f64::INFINITY,
                20..=24 => 0.0,
                30..=33 => 5.0,
                _ => shift + rng.normal(),
            })
            .collect()
    };
    let (x, y) = (series(10.0), series(-3.0));
    let nan = f64::NAN;
    let moments = [Op::Mean, Op::Std, Op::Slope, Op::Sum, Op::Rsquare, Op::Var, Op::Resi].map(|op| (op, nan));
    let groups: [&[(Op, f64)]; 3] = [
        &moments,
        &[(Op::Quantile, 0.8), (Op::Rank, nan), (Op::Quantile, 0.2), (Op::Med, nan)],
        &[(Op::Corr, nan), (Op::Cov, nan)],
    ];
    let alone = |op: Op, q: f64, start: usize, n: usize| match op {
        Op::Corr | Op::Cov => super::rolling::pairs(&[(op, n)], &x, &y, start).remove(0),
        _ => rolling(op, &x, start, n as i64, q),
    };
    let close = |a: f64, b: f64| a == b || (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9 * a.abs().max(1.0);
    for ops in groups {
        for n in [0usize, 1, 2, 5, 20, 60, 200] {
            assert!(ops.iter().all(|(op, _)| family(*op, n as f64).is_some()));
            for start in [0, 9] {
                let with_n: Vec<(Op, f64, usize)> = ops.iter().map(|&(op, q)| (op, q, n)).collect();
                let together = rolling_many(&with_n, &[&x, &y], start);
                for ((op, q), got) in ops.iter().zip(&together) {
                    let one = alone(*op, *q, start, n);
                    let same = one.iter().zip(got).all(|(a, b)| a.to_bits() == b.to_bits());
                    assert!(same, "{op:?} n={n} start={start}");
                }
            }
        }
        // One pass over windows of five lengths (moments and pairs).
        if family(ops[0].0, 5.0).is_some_and(|f| f.any_length()) {
            let with_n: Vec<(Op, f64, usize)> =
                [5, 10, 20, 30, 60].iter().flat_map(|&n| ops.iter().map(move |&(op, q)| (op, q, n))).collect();
            for start in [0, 9] {
                let together = rolling_many(&with_n, &[&x, &y], start);
                for (&(op, q, n), got) in with_n.iter().zip(&together) {
                    let one = alone(op, q, start, n);
                    let bad = one.iter().zip(got).position(|(a, b)| !close(*a, *b));
                    assert!(
                        bad.is_none(),
                        "{op:?} n={n} start={start} day {bad:?}: {:?} vs {:?}",
                        bad.map(|d| one[d]),
                        bad.map(|d| got[d])
                    );
                }
            }
        }
    }
    assert_eq!(family(Op::Mean, 0.5), None);
    let exprs: Vec<Expr> = sets::alpha158().iter().map(|(_, t)| parse(t).unwrap()).collect();
    let plan = Plan::new(&exprs.iter().collect::<Vec<_>>());
    // Moments of $close (Mean/Std/Slope/Rsquare/Resi), of $volume (Mean/Std), of the
    // volume-weighted move (Std/Mean), the two counts (CNTP, CNTN), the six Sums (SUMP/N
    // and VSUMP/N's numerators and denominators) and the two Corr pairs (CORR, CORD), each
    // one pass over all five lengths; Max/IdxMax of $high and Min/IdxMin of $low, one pass
    // each; Quantile x2/Rank of $close, one per length.
    assert_eq!(plan.passes(), 1 + 1 + 1 + 2 + 6 + 2 + 2 + 5, "{}", plan.passes());
}

/// Windows with gaps (a suspension's missing days, lone infinities, runs of one value and
/// of zeros across a gap) equal the windows' finite values summed naively: `Mean Sum Std
/// Var`, and `Corr Cov` where both sides miss the same days and where one side misses more
/// (the price ratio stays through a suspension, the volume ratio does not).
#[test]
fn windows_with_gaps_equal_direct_sums() {
    use super::moments::var;
    use super::rolling::{pairs, rolling};
    let mut rng = crate::rng::Rng::new(5);
    let x: Vec<f64> = (0..400)
        .map(|i| match i % 97 {
            10..=17 => f64::NAN,
            30 => f64::INFINITY,
            40..=45 | 47..=49 => 7.25,
            46 => f64::NAN,
            60..=62 | 64 => 0.0,
            63 => f64::NAN,
            _ => 50.0 + 3.0 * rng.normal(),
        })
        .collect();
    // y misses x's days, and some of its own from day 200.
    let y: Vec<f64> = x
        .iter()
        .enumerate()
        .map(|(i, v)| if !v.is_finite() || (i > 200 && i % 23 == 0) { f64::NAN } else { 2.0 - rng.normal() })
        .collect();
    let near = |a: f64, b: f64| a == b || (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9 * a.abs().max(1.0);
    for n in [5usize, 20, 60] {
        for t in 0..x.len() {
            let a = (t + 1).saturating_sub(n);
            let fv: Vec<f64> = x[a..=t].iter().copied().filter(|v| v.is_finite()).collect();
            let m = fv.len();
            let sum: f64 = fv.iter().sum();
            let want = [
                (Op::Mean, if m > 0 { sum / m as f64 } else { f64::NAN }),
                (Op::Sum, if m > 0 { sum } else { f64::NAN }),
                (Op::Var, var(&fv)),
                (Op::Std, var(&fv).sqrt()),
            ];
            for (op, w) in want {
                let got = rolling(op, &x, 0, n as i64, f64::NAN)[t];
                assert!(near(w, got), "{op:?} n={n} t={t}: direct {w}, sums {got}");
            }
            let both: Vec<(f64, f64)> =
                x[a..=t].iter().zip(&y[a..=t]).filter(|(u, v)| u.is_finite() && v.is_finite()).map(|(u, v)| (*u, *v)).collect();
            let c = both.len() as f64;
            let (mx, my) = (both.iter().map(|p| p.0).sum::<f64>() / c, both.iter().map(|p| p.1).sum::<f64>() / c);
            let cxy: f64 = both.iter().map(|(u, v)| (u - mx) * (v - my)).sum();
            let vx: f64 = both.iter().map(|(u, _)| (u - mx) * (u - mx)).sum();
            let vy: f64 = both.iter().map(|(_, v)| (v - my) * (v - my)).sum();
            let fy: Vec<f64> = y[a..=t].iter().copied().filter(|v| v.is_finite()).collect();
            let flat = var(&fv).sqrt() <= 2e-5 || var(&fy).sqrt() <= 2e-5;
            let cov = if c < 2.0 { f64::NAN } else { cxy / (c - 1.0) };
            let corr = if c < 2.0 || flat { f64::NAN } else { cxy / (vx * vy).sqrt() };
            let got = pairs(&[(Op::Cov, n), (Op::Corr, n)], &x, &y, 0);
            assert!(near(cov, got[0][t]), "Cov n={n} t={t}: direct {cov}, sums {}", got[0][t]);
            assert!(near(corr, got[1][t]), "Corr n={n} t={t}: direct {corr}, sums {}", got[1][t]);
        }
    }
}
