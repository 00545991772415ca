//! `alphasweep backtest`: top-N portfolios from a predictions file under the A-share rules
//! and the paper's costs, against the CSI 300; tables, positions, trades and plots.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::source::SourceArgs;
use alphasweep::backtest::costs::StampTaxChange;
use alphasweep::backtest::{BacktestConfig, DateRange, Rebalance, Summary};
use alphasweep::data::Date;
use alphasweep::study::backtest::{BacktestOptions, BacktestOutcome, run_backtest};

#[derive(Debug, Args)]
pub struct BacktestArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Predictions table: date, code, score, model[, in_sample] (.csv or .csv.gz).
    #[arg(long)]
    pub predictions: PathBuf,
    /// Use this model's rows (required when the file holds several).
    #[arg(long)]
    pub model: Option<String>,
    /// Output folder.
    #[arg(long)]
    pub out: PathBuf,
    /// Portfolio sizes, one backtest each (default: the config's [backtest] top, else
    /// 20,30,50,100).
    #[arg(long, value_delimiter = ',')]
    pub top: Vec<usize>,
    /// How often to rebalance (default: the config's, else daily).
    #[arg(long, value_enum)]
    pub rebalance: Option<Rebalance>,
    /// Replace at most K holdings per rebalance (qlib's top-k dropout); default: no limit.
    #[arg(long, value_name = "K")]
    pub dropout_n: Option<usize>,
    /// Starting capital, CNY (default: the config's, else 10,000,000).
    #[arg(long)]
    pub capital: Option<f64>,
    /// Commission rate on buys and sells (fraction; default 0.001).
    #[arg(long)]
    pub commission: Option<f64>,
    /// Minimum commission per trade, CNY (default 5).
    #[arg(long)]
    pub commission_min: Option<f64>,
    /// One stamp-tax rate on sells for the whole period (fraction), replacing the default
    /// schedule (0.001, then 0.0005 from 2023-08-28).
    #[arg(long)]
    pub stamp_tax: Option<f64>,
    /// Minimum stamp tax per sell, CNY (default 1).
    #[arg(long)]
    pub stamp_tax_min: Option<f64>,
    /// No commission and no stamp tax (returns before costs).
    #[arg(long)]
    pub no_costs: bool,
    /// Annual risk-free rate for the Sharpe ratio (default: the config's, else 0).
    #[arg(long)]
    pub risk_free: Option<f64>,
    /// An in-sample period START..END (inclusive, YYYY-MM-DD); repeatable. Trading on it is
    /// flagged in the report.
    #[arg(long, value_name = "START..END")]
    pub in_sample: Vec<String>,
}

impl BacktestArgs {
    /// Arguments with no flag but the data, the predictions and the output folder.
    #[cfg(test)]
    fn bare(source: SourceArgs, predictions: PathBuf, out: PathBuf) -> BacktestArgs {
        BacktestArgs {
            source,
            predictions,
            model: None,
            out,
            top: vec![],
            rebalance: None,
            dropout_n: None,
            capital: None,
            commission: None,
            commission_min: None,
            stamp_tax: None,
            stamp_tax_min: None,
            no_costs: false,
            risk_free: None,
            in_sample: vec![],
        }
    }
}

fn parse_range(s: &str) -> anyhow::Result<DateRange> {
    let (a, b) = s.split_once("..").with_context(|| format!("--in-sample `{s}`: expected START..END"))?;
    let d = |x: &str| x.trim().parse::<Date>().map_err(|e| anyhow::anyhow!("--in-sample `{s}`: {e}"));
    Ok(DateRange { start: d(a)?, end: d(b)? })
}

/// The resolved settings: the `--config` file's `[backtest]` table (or the defaults), with
/// every flag given on the command line on top.
pub fn config(a: &BacktestArgs) -> anyhow::Result<BacktestConfig> {
    let mut c = a.source.config()?.backtest;
    if !a.top.is_empty() {
        c.top = a.top.clone();
    }
    if let Some(r) = a.rebalance {
        c.rebalance = r;
    }
    if a.dropout_n.is_some() {
        c.dropout_n = a.dropout_n;
    }
    if let Some(v) = a.capital {
        c.capital = v;
    }
    if let Some(v) = a.risk_free {
        c.risk_free = v;
    }
    c.start = a.source.start.or(c.start);
    c.end = a.source.end.or(c.end);
    for r in &a.in_sample {
        c.in_sample.push(parse_range(r)?);
    }
    if a.no_costs {
        c.costs = alphasweep::backtest::CostModel::free();
    }
    if let Some(v) = a.commission {
        c.costs.commission_rate = v;
    }
    if let Some(v) = a.commission_min {
        c.costs.commission_min = v;
    }
    if let Some(v) = a.stamp_tax {
        c.costs.stamp_tax_rate = v;
        c.costs.stamp_tax_schedule = Vec::<StampTaxChange>::new();
    }
    if let Some(v) = a.stamp_tax_min {
        c.costs.stamp_tax_min = v;
    }
    c.validate()?;
    Ok(c)
}

pub fn run(a: BacktestArgs) -> anyhow::Result<()> {
    let config = config(&a)?;
    let load = a.source.load_options(&a.source.config()?)?;
    let o = BacktestOptions { load, predictions: a.predictions, model: a.model, out: a.out, config };
    print_outcome(&run_backtest(&o)?, &o.config, &o.out);
    Ok(())
}

/// Notes, the comparison table (stdout), the period and costs, and the in-sample warning.
pub fn print_outcome(o: &BacktestOutcome, cfg: &BacktestConfig, out: &std::path::Path) {
    if o.skipped_rows > 0 {
        eprintln!("note: {} prediction rows have a date or code the market data lacks; skipped", o.skipped_rows);
    }
    if !o.has_benchmark {
        eprintln!("note: the market data has no index series: no benchmark, excess return and IR are empty");
    }
    print_table(&o.rows);
    let r0 = &o.rows[0];
    println!(
        "period {} .. {} ({} trading days), {:?} rebalance, costs {}",
        r0.start,
        r0.end,
        r0.days,
        cfg.rebalance,
        costs_line(cfg)
    );
    if let Some(s) = &o.signal {
        println!(
            "scores vs the raw next-day return they trade on, {} signal dates: IC {:.4} (ICIR {:.3}), rank IC {:.4} (ICIR {:.3})",
            s.dates, s.ic, s.ic_ir, s.rank_ic, s.rank_ic_ir
        );
    }
    if o.in_sample_days > 0 {
        let w = format!(
            "WARNING: IN-SAMPLE: {} of {} traded days use predictions made in-sample; these figures are NOT out-of-sample.",
            o.in_sample_days, r0.days
        );
        println!("{w}");
        eprintln!("{w}");
    }
    eprintln!("backtest: {} portfolios in {:.3} s; written to {}", o.portfolios, o.seconds, out.display());
}

fn costs_line(c: &BacktestConfig) -> String {
    let k = &c.costs;
    let sched: Vec<String> = k.stamp_tax_schedule.iter().map(|s| format!(", {}% from {}", 100.0 * s.rate, s.from)).collect();
    format!(
        "commission {}% (min {} CNY), stamp tax on sells {}%{} (min {} CNY)",
        100.0 * k.commission_rate,
        k.commission_min,
        100.0 * k.stamp_tax_rate,
        sched.concat(),
        k.stamp_tax_min
    )
}

/// The paper's section 4.2 comparison: one row per portfolio, then the benchmark.
fn print_table(rows: &[Summary]) {
    println!(
        "{:<10} {:>9} {:>8} {:>8} {:>9} {:>9} {:>7} {:>9} {:>14} {:>8} {:>8}",
        "portfolio", "ann.ret", "ann.vol", "sharpe", "max.dd", "excess", "IR", "turnover", "costs CNY", "trades", "blocked"
    );
    let pct = |v: f64| if v.is_finite() { format!("{:.2}%", 100.0 * v) } else { "-".into() };
    let f = |v: f64| if v.is_finite() { format!("{v:.3}") } else { "-".into() };
    for r in rows {
        println!(
            "{:<10} {:>9} {:>8} {:>8} {:>9} {:>9} {:>7} {:>9} {:>14.0} {:>8} {:>8}",
            r.portfolio,
            pct(r.ann_return),
            pct(r.ann_volatility),
            f(r.sharpe),
            pct(r.max_drawdown),
            pct(r.excess_ann_return),
            f(r.information_ratio),
            pct(r.mean_turnover),
            r.total_costs,
            r.trades,
            r.blocked_buys + r.blocked_sells
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alphasweep::data::load::Format;

    #[test]
    fn the_config_table_is_read_and_flags_override_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "[backtest]\ntop = [7, 9]\nrebalance = \"weekly\"\ncapital = 1000000.0\n").unwrap();
        let source = SourceArgs {
            data: vec![],
            format: vec![Format::Auto],
            market: None,
            config: Some(path),
            prefer: vec![],
            industry: None,
            start: None,
            end: None,
        };
        let mut a = BacktestArgs::bare(source, "p.csv".into(), "out".into());
        let c = config(&a).unwrap();
        assert_eq!((c.top.clone(), c.rebalance, c.capital), (vec![7, 9], Rebalance::Weekly, 1_000_000.0));
        a.top = vec![20];
        a.rebalance = Some(Rebalance::Daily);
        let c = config(&a).unwrap();
        assert_eq!((c.top, c.rebalance, c.capital), (vec![20], Rebalance::Daily, 1_000_000.0));
    }
}
