//! `alphasweep run`: the whole study from one config: data → factors → screen (on the
//! training period only) → sweep → predict → backtest → `report.html`. Each stage writes
//! the files the next reads, under `--out`, so any stage can be rerun alone; `run.json`
//! records the resolved config, the version and the command line.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use super::source::SourceArgs;
use crate::config::{Config, resolve, set};
use crate::data::Date;
use crate::data::load::{Format, load};
use crate::data::summary::DataSummary;
use crate::model::dataset::SplitKind;
use crate::model::device::DeviceKind;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The study's TOML config: [data], [factors], [screen], [dataset], [model], [train],
    /// [sweep], [backtest] (see configs/demo.toml, configs/paper.toml).
    #[arg(long)]
    pub config: PathBuf,
    /// Override a config value, e.g. `--set sweep.epochs=2` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// The run folder.
    #[arg(long, default_value = "out/run")]
    pub out: PathBuf,
    #[arg(long, value_enum, default_value = "auto")]
    pub device: DeviceKind,
    /// Continue a run whose sweep was interrupted (finished trials are kept).
    #[arg(long)]
    pub resume: bool,
    /// Sweep trials at once (default: one per core, or 4 on a GPU).
    #[arg(long)]
    pub jobs: Option<usize>,
}

pub fn run(a: RunArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&a.config).with_context(|| format!("reading {}", a.config.display()))?;
    let base = a.config.parent().map(Path::to_path_buf).unwrap_or_default();
    let text = set::apply(&text, &a.config.display().to_string(), &a.sets)?;
    pipeline(&text, &base, &a.out, a.device, a.resume, a.jobs)
}

/// Runs every stage on config `text` (relative paths against `base`) into `out`.
pub fn pipeline(
    text: &str,
    base: &Path,
    out: &Path,
    device: DeviceKind,
    resume: bool,
    jobs: Option<usize>,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let base = &std::fs::canonicalize(if base.as_os_str().is_empty() { Path::new(".") } else { base })
        .with_context(|| format!("config folder {}", base.display()))?;
    let mut text = absolute_paths(text, base)?;
    let cfg = Config::from_str(&text, "config")?;
    let run_meta = serde_json::json!({
        "alphasweep": env!("CARGO_PKG_VERSION"),
        "command": std::env::args().collect::<Vec<_>>().join(" "),
        "config_toml": text,
    });
    std::fs::write(out.join("run.json"), serde_json::to_string_pretty(&run_meta)?)?;

    eprintln!("== 1/7 data");
    let mut opts = cfg.load_options(base)?;
    if opts.sources.iter().any(|s| s.format == Format::Synth) {
        super::synth::write_synth(&cfg.synth.to_config(), &out.join("market"))?;
    }
    (opts.start, opts.end) = (None, None);
    let loaded = load(&opts).context("loading market data")?;
    let summary = DataSummary::new(&loaded.panel, loaded.disagreements).to_string();
    std::fs::write(out.join("data_summary.txt"), &summary)?;
    print!("{summary}");
    let (start, end) = period(&cfg, &loaded.panel.dates);
    let screen_end =
        if cfg.dataset.split == SplitKind::Time { train_end(&loaded.panel.dates, start, end, cfg.dataset.train) } else { end };

    eprintln!("\n== 2/7 factors ({start} .. {end})");
    let config_path = out.join("config.toml");
    std::fs::write(&config_path, &text)?;
    let source = |end: Option<Date>| SourceArgs {
        data: vec![],
        format: vec![Format::Auto],
        market: None,
        config: Some(config_path.clone()),
        prefer: vec![],
        industry: None,
        start: Some(start),
        end,
    };
    let factors = |end: Date, file: PathBuf| {
        super::factors::run(super::factors::FactorsArgs {
            source: source(Some(end)),
            out: file,
            values: super::factors::Values::Clean,
            list: vec![],
            upsample: None,
        })
    };
    factors(end, out.join("factors.csv.gz"))?;

    eprintln!("\n== 3/7 screen ({start} .. {screen_end}: the training period only)");
    let screen = out.join("screen");
    std::fs::create_dir_all(&screen)?;
    factors(screen_end, screen.join("factors_train.csv.gz"))?;
    super::screen::run(super::screen::ScreenArgs {
        source: source(None),
        factors: screen.join("factors_train.csv.gz"),
        out: screen.clone(),
        raw: false,
        periods: vec![],
        criterion: None,
    })?;
    if cfg.dataset.factors.is_empty() {
        let selected: Vec<String> =
            std::fs::read_to_string(screen.join("selected.txt"))?.lines().filter(|l| !l.is_empty()).map(String::from).collect();
        anyhow::ensure!(!selected.is_empty(), "the screen selected no factor; name [dataset] factors in the config");
        let list = selected.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>().join(", ");
        text = set::apply(&text, "config", &[format!("dataset.factors=[{list}]")])?;
        std::fs::write(&config_path, &text)?;
    }

    eprintln!("\n== 4/7 sweep");
    let sweep_dir = out.join("sweep");
    super::sweep::run_cli(super::sweep::SweepArgs {
        config: config_path.clone(),
        sets: vec![],
        device,
        out: sweep_dir.clone(),
        resume,
        shard: None,
        jobs,
        top: 10,
        pack: 8,
    })?;
    let kept = super::sweep::kept_checkpoints(&sweep_dir);
    let best = crate::predict::checkpoint_dirs(None, Some(&sweep_dir), 1)?.remove(0);
    eprintln!("\n== 5/7 best model: {}", best.display());
    super::eval::run(super::eval::EvalArgs { model: best.clone(), stock: None })?;

    eprintln!("\n== 6/7 predict (mean of the best {})", kept.len());
    let preds = out.join("predictions.csv.gz");
    super::predict::run(super::predict::PredictArgs {
        model: None,
        sweep: Some(sweep_dir.clone()),
        top_k: kept.len().max(1),
        data: None,
        out: preds.clone(),
        device,
        batch: 8192,
        walk_forward: false,
        from: None,
        step_months: 12,
        rolling_years: None,
        valid_share: 0.2,
    })?;

    let split: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(sweep_dir.join("split.json"))?)?;
    let mut bt = cfg.backtest.clone();
    let test_start: Option<Date> = split["test"]["first"].as_str().and_then(|d| d.parse().ok());
    // Out-of-sample by default: from the first test date (a look-ahead split has none).
    if bt.start.is_none() && !split["look_ahead"].as_bool().unwrap_or(false) {
        bt.start = test_start;
    }
    eprintln!(
        "\n== 7/7 backtest ({} .. {}) and report",
        bt.start.map(|d| d.to_string()).unwrap_or_else(|| "first prediction".into()),
        bt.end.map(|d| d.to_string()).unwrap_or_else(|| "last prediction".into())
    );
    super::backtest::run_with(super::backtest::BacktestArgs::for_run(source(None), preds.clone(), out.join("backtest")), bt)?;
    crate::report::html::write_report(out, &best)?;
    eprintln!("report: {}", out.join("report.html").display());
    Ok(())
}

/// The study period: `[data]` start/end (or `[factors]` start), clamped to the data.
fn period(cfg: &Config, dates: &[Date]) -> (Date, Date) {
    let first = dates.first().copied().unwrap_or(cfg.synth.start);
    let last = dates.last().copied().unwrap_or(cfg.synth.end);
    // Without a start, leave two months of history for 20-day windows and first accounts.
    let start = cfg.factors.start.or(cfg.data.start).unwrap_or_else(|| dates.get(40).copied().unwrap_or(first));
    (start.max(first), cfg.data.end.or(cfg.factors.end).unwrap_or(last).min(last))
}

/// The last date of the training share of `start..=end` (time split).
fn train_end(dates: &[Date], start: Date, end: Date, share: f64) -> Date {
    let inside: Vec<Date> = dates.iter().copied().filter(|d| *d >= start && *d <= end).collect();
    let k = ((inside.len() as f64 * share) as usize).clamp(1, inside.len().max(1));
    inside.get(k - 1).copied().unwrap_or(end)
}

/// The config with `[[data.sources]] path` and `[data] industry` made absolute (against
/// `base`), so the copy written into the run folder reads the same data.
fn absolute_paths(text: &str, base: &Path) -> anyhow::Result<String> {
    let mut doc: toml::Table = toml::from_str(text).context("parsing the config")?;
    if let Some(data) = doc.get_mut("data").and_then(|d| d.as_table_mut()) {
        if let Some(p) = data.get("industry").and_then(|v| v.as_str()) {
            let abs = resolve(base, p)?;
            data.insert("industry".into(), toml::Value::String(abs.display().to_string()));
        }
        if let Some(sources) = data.get_mut("sources").and_then(|s| s.as_array_mut()) {
            for s in sources.iter_mut().filter_map(|s| s.as_table_mut()) {
                if let Some(p) = s.get("path").and_then(|v| v.as_str()) {
                    let abs = resolve(base, p)?;
                    s.insert("path".into(), toml::Value::String(abs.display().to_string()));
                }
            }
        }
    }
    Ok(toml::to_string(&doc)?)
}
