//! `alphasweep bench`: repeatable timings that docs/PERFORMANCE.md quotes. Each prints one
//! line per run and, last, `median_s=<seconds>`.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, Subcommand};

use alphasweep::data::load::{Format, LoadOptions, load, spec};
use alphasweep::factors::{FactorConfig, build_factors};

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub what: BenchCommand,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Time loading a data source into a panel (read, parse, validate, scatter).
    Load {
        /// Data folder or archive.
        #[arg(long)]
        data: PathBuf,
        #[arg(long, value_enum, default_value = "auto")]
        format: Format,
        /// Timed runs (after one warm-up).
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..))]
        runs: u16,
    },
    /// Time computing and cleaning factors (all 41 by default) on a loaded panel.
    Factors {
        #[arg(long)]
        data: PathBuf,
        #[arg(long, value_enum, default_value = "auto")]
        format: Format,
        /// Comma-separated paper codes (default all 41).
        #[arg(long, value_delimiter = ',')]
        list: Vec<String>,
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..))]
        runs: u16,
    },
    /// Time evaluating a config's formulaic features (`[factors] set`, `[factors.expr]`,
    /// e.g. Alpha158) on its data, load excluded: into the `[date, stock]` matrices the
    /// pipeline reads, or with --members into member rows, the frame qlib's `D.features` returns.
    Features {
        /// A config with `[factors] set = "alpha158"` (e.g. configs/qlib-alpha158.toml).
        #[arg(long)]
        config: PathBuf,
        /// Member rows (index members' stock-days, float32) instead of `[date, stock]` matrices.
        #[arg(long)]
        members: bool,
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..))]
        runs: u16,
    },
    /// Time screening a factor table (all its factors, 1/5/10-day periods) plus the
    /// correlation matrix.
    Screen {
        #[arg(long)]
        data: PathBuf,
        /// Factor table from `alphasweep factors`.
        #[arg(long)]
        factors: PathBuf,
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..))]
        runs: u16,
    },
    /// Training throughput of one LSTM on the full-size synthetic panel (300 stocks, 2017-01
    /// to 2022-07, the paper's 7 factors); prints `samples_per_s=` last.
    Train {
        #[arg(long, default_value_t = 32)]
        units: usize,
        #[arg(long, default_value_t = 1)]
        lstm_layers: usize,
        #[arg(long, default_value_t = 1)]
        dense_layers: usize,
        #[arg(long, default_value_t = 10)]
        mem_day: usize,
        #[arg(long, default_value_t = 32)]
        batch: usize,
        #[arg(long, value_enum, default_value = "cpu")]
        device: alphasweep::engine::device::DeviceKind,
        /// Timed batches (after 5 warm-up batches).
        #[arg(long, default_value_t = 100)]
        batches: usize,
        /// Threads of the CPU engine (`--device cpu`; default: the available cores).
        #[arg(long)]
        threads: Option<usize>,
        /// The CPU engine's matrix products: fp32, bf16 (AVX-512 BF16 where the CPU has
        /// it, else emulated and slower), auto (bf16 only where the CPU has it).
        #[arg(long, value_enum, default_value = "fp32")]
        precision: alphasweep::engine::Precision,
        /// With attention pooling over the steps (`[model] attention`).
        #[arg(long)]
        attention: bool,
        /// The recurrent cell (`[model] cell`).
        #[arg(long, value_enum, default_value = "lstm")]
        cell: alphasweep::model::network::Cell,
    },
    /// GPU engine throughput (single trials and the paper's grid, packed); JSON for
    /// scripts/gpu_bench.sh. Needs a build with `--features cuda` or `wgpu`.
    Gpu(super::bench_gpu::BenchGpuArgs),
    /// Time the backtests of several top-N portfolios (in parallel) on one predictions file:
    /// the A-share rule flags once, then every portfolio's day loop.
    Backtest {
        #[arg(long)]
        data: PathBuf,
        /// Predictions table (date, code, score[, model]).
        #[arg(long)]
        predictions: PathBuf,
        #[arg(long, value_delimiter = ',', default_value = "20,30,50,100")]
        top: Vec<usize>,
        #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u16).range(1..))]
        runs: u16,
    },
    /// Time decompressing a .gz file alone (the floor under loading a .csv.gz).
    Gunzip {
        #[arg(long)]
        file: PathBuf,
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..))]
        runs: u16,
    },
}

/// The training benchmarks' data: windows of `mem_day` days over the full-size synthetic
/// panel (300 stocks, 2017-01 to 2022-07, the paper's 7 factors).
pub(super) fn full_panel(mem_day: usize) -> anyhow::Result<alphasweep::model::dataset::WindowData> {
    let text = format!(
        "[[data.sources]]\nformat = \"synth\"\n[synth]\nstart = \"2017-01-01\"\nend = \"2022-07-01\"\n\
         [dataset]\nfactors = [\"S_VAL_PS\", \"NET_ASSETS_TODAY\", \"TOT_CUR_LIAB\", \"Kurtosis20\", \"Skewness20\", \"WVAD\", \"S_FA_ROE\"]\nmem_day = {mem_day}\n"
    );
    let cfg = alphasweep::config::Config::from_str(&text, "bench config")?;
    Ok(alphasweep::study::prepare::prepare(&cfg, std::path::Path::new("."))?.data)
}

pub fn run(a: BenchArgs) -> anyhow::Result<()> {
    match a.what {
        BenchCommand::Gunzip { file, runs } => {
            let raw = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            time_runs(runs, || {
                let mut out = Vec::new();
                std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&raw[..]), &mut out)
                    .with_context(|| format!("decompressing {}", file.display()))?;
                Ok(format!("{} bytes out", out.len()))
            })
        }
        BenchCommand::Factors { data, format, list, runs } => {
            let opts = LoadOptions { sources: vec![spec(&data, format, None)], ..LoadOptions::default() };
            let panel = load(&opts).with_context(|| format!("loading {}", data.display()))?.panel;
            let cfg = FactorConfig { list, ..FactorConfig::default() };
            println!("compute only:");
            time_runs(runs, || {
                let v = alphasweep::factors::compute_factors(&panel, &cfg.list, cfg.upsample, cfg.risk_free)?;
                Ok(format!("{} factors", v.names.len()))
            })?;
            println!("compute and clean:");
            time_runs(runs, || {
                let t = build_factors(&panel, &cfg)?;
                Ok(format!("{} factors, {} dates x {} stocks", t.names.len(), panel.n_dates(), panel.n_stocks()))
            })
        }
        BenchCommand::Features { config, members, runs } => {
            let cfg = alphasweep::config::Config::from_file(&config)?;
            let opts = cfg.load_options(&config.parent().map(PathBuf::from).unwrap_or_default())?;
            let t = Instant::now();
            let panel = load(&opts).context("loading market data")?.panel;
            println!("load_s={:.4}", t.elapsed().as_secs_f64());
            let feats: Vec<_> = alphasweep::factors::formulaic::features(&cfg.factors)?.into_iter().map(|(f, _)| f).collect();
            anyhow::ensure!(!feats.is_empty(), "{}: [factors] has no formulaic features to time", config.display());
            if members {
                let mut last = None;
                time_runs(runs, || {
                    let ev = alphasweep::expr::evaluate_members(&panel, &feats)?;
                    let what = format!("{} features ({} missing), {} member rows", ev.names.len(), ev.missing.len(), ev.n_rows());
                    last = Some(ev);
                    Ok(what)
                })?;
                // Untimed: a digest of the last run's values, equal between builds that
                // compute the same bits (FNV-1a over each value's float32 bits).
                // Row by row, the features of a row in order.
                let digest = last.map_or(0, |ev| {
                    let cells = (0..ev.n_rows()).flat_map(|i| (0..ev.names.len()).map(move |f| (i, f)));
                    cells.fold(0xcbf2_9ce4_8422_2325u64, |h, (i, f)| {
                        (h ^ u64::from(ev.get(i, f).to_bits())).wrapping_mul(0x100_0000_01b3)
                    })
                });
                println!("digest={digest:016x}");
                return Ok(());
            }
            time_runs(runs, || {
                let ev = alphasweep::expr::evaluate(&panel, &feats)?;
                Ok(format!(
                    "{} features ({} shared nodes, {} missing), {} dates x {} stocks",
                    ev.names.len(),
                    ev.nodes,
                    ev.missing.len(),
                    panel.n_dates(),
                    panel.n_stocks()
                ))
            })
        }
        BenchCommand::Screen { data, factors, runs } => {
            let opts = LoadOptions { sources: vec![spec(&data, Format::Auto, None)], ..LoadOptions::default() };
            let panel = load(&opts).with_context(|| format!("loading {}", data.display()))?.panel;
            let cols = alphasweep::screen::input::read_factor_table(&factors, &panel, false)?;
            let prices = panel.adjusted(alphasweep::data::field::CLOSE).context("no close prices")?;
            let cfg = alphasweep::screen::ScreenConfig::default();
            let refs: Vec<&alphasweep::data::Matrix> = cols.values.iter().collect();
            let members = alphasweep::screen::coverage(&refs);
            println!("correlation matrix only:");
            time_runs(runs, || {
                let c = alphasweep::screen::correlation::mean_spearman(&refs, Some(&members));
                Ok(format!("{}x{}", c.len(), c.len()))
            })?;
            println!("screen and correlation matrix:");
            time_runs(runs, || {
                let r = alphasweep::screen::screen_all(&cols.names, &cols.values, &prices, &cfg, &|| {})?;
                let c = alphasweep::screen::correlation::mean_spearman(&refs, Some(&members));
                Ok(format!("{} factors x {} periods, {}x{} correlation", r.len(), cfg.periods.len(), c.len(), c.len()))
            })
        }
        BenchCommand::Train {
            units,
            lstm_layers,
            dense_layers,
            mem_day,
            batch,
            device,
            batches,
            threads,
            precision,
            attention,
            cell,
        } => {
            let precision = alphasweep::engine::precision::for_device(precision, device)?;
            let data = full_panel(mem_day)?;
            let net = alphasweep::model::network::NetworkConfig {
                n_features: data.n_features,
                lstm_layers,
                dense_layers,
                units,
                dropout: 0.1,
                attention,
                cell,
            };
            println!(
                "panel: {} stocks x {} dates x {} factors; {} training windows; model ({units},{lstm_layers},{dense_layers},{mem_day},{batch}), {} parameters",
                data.n_stocks,
                data.dates.len(),
                data.n_features,
                data.train.len(),
                net.n_params()
            );
            let (n, secs) = if alphasweep::engine::device::uses_cpu_engine(device) {
                let threads = threads.unwrap_or_else(alphasweep::engine::device::default_threads).max(1);
                println!("device: cpu (fused engine, {threads} threads); precision: {}", precision.describe());
                alphasweep::engine::cpu::time_steps(&data, &net, batch, 5, batches, threads, precision)
            } else {
                alphasweep::engine::device::run_on(device, ThroughputTask { data: &data, net: &net, batch, batches })?
            };
            println!("{n} samples in {secs:.3} s");
            println!("samples_per_s={:.0}", n as f64 / secs);
            Ok(())
        }
        BenchCommand::Gpu(a) => super::bench_gpu::run(a),
        BenchCommand::Backtest { data, predictions, top, runs } => {
            let opts = LoadOptions { sources: vec![spec(&data, Format::Auto, None)], ..LoadOptions::default() };
            let panel = load(&opts).with_context(|| format!("loading {}", data.display()))?.panel;
            let preds = alphasweep::backtest::predictions::read_predictions(&predictions, &panel, None)?;
            let cfg = alphasweep::backtest::BacktestConfig { top, ..Default::default() };
            println!("rule flags only:");
            time_runs(runs, || {
                let m = alphasweep::backtest::Market::from_panel(&panel, cfg.limit_tolerance)?;
                Ok(format!("{} stock-days", m.flags.len()))
            })?;
            println!("rule flags and the backtests:");
            time_runs(runs, || {
                let m = alphasweep::backtest::Market::from_panel(&panel, cfg.limit_tolerance)?;
                let r = alphasweep::backtest::backtest_all(&m, &preds.signals, &cfg)?;
                let trades: usize = r.iter().map(|x| x.trades.len()).sum();
                Ok(format!("{} portfolios x {} days x {} stocks, {trades} trades", r.len(), r[0].days.len(), panel.n_stocks()))
            })
        }
        BenchCommand::Load { data, format, runs } => {
            let opts = LoadOptions { sources: vec![spec(&data, format, None)], ..LoadOptions::default() };
            time_runs(runs, || {
                let l = load(&opts).with_context(|| format!("loading {}", data.display()))?;
                let cells: usize = l.panel.fields.values().map(|m| m.count_finite()).sum();
                Ok(format!("{} dates x {} stocks, {cells} values", l.panel.n_dates(), l.panel.n_stocks()))
            })
        }
    }
}

/// Runs `f` once to warm up (printing what it returns), then `runs` timed times; prints each
/// time and, last, `median_s=`.
fn time_runs(runs: u16, mut f: impl FnMut() -> anyhow::Result<String>) -> anyhow::Result<()> {
    let mut times = Vec::new();
    for i in 0..=runs as usize {
        let t = Instant::now();
        let what = f()?;
        let s = t.elapsed().as_secs_f64();
        if i == 0 {
            println!("warm-up {s:.3} s ({what})");
        } else {
            println!("run {i} {s:.3} s");
            times.push(s);
        }
    }
    times.sort_by(f64::total_cmp);
    println!("median_s={:.4}", times[times.len() / 2]);
    Ok(())
}

/// Timed training steps on whichever backend the device choice picks.
struct ThroughputTask<'a> {
    data: &'a alphasweep::model::dataset::WindowData,
    net: &'a alphasweep::model::network::NetworkConfig,
    batch: usize,
    batches: usize,
}

impl alphasweep::engine::device::OnBackend for ThroughputTask<'_> {
    type Output = (usize, f64);
    fn run<B: burn::tensor::backend::AutodiffBackend>(self, device: B::Device, name: &str) -> Self::Output {
        println!("device: {name}");
        alphasweep::model::train::time_steps::<B>(self.data, self.net, self.batch, 5, self.batches, &device)
    }
}
