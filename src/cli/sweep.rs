//! `alphasweep sweep`: a hyperparameter sweep over the `[sweep]` grid of a config, with
//! parallel trials, early stopping or ASHA, an append-only ledger, the best-K checkpoints,
//! `--resume` and `--shard I/N`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::{Context, bail};
use clap::Args;

use crate::config::{Config, set};
use crate::model::device::DeviceKind;
use crate::model::prepare::prepare;
use crate::sweep::asha::Asha;
use crate::sweep::engine::{Engine, OnEngine, with_engine};
use crate::sweep::grid::{self, Shard};
use crate::sweep::ledger::{self, CurveRow, LedgerRow, header_of};
use crate::sweep::meta::SweepMeta;
use crate::sweep::run::{Plan, run};
use crate::sweep::{Scheduler, summary};

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The sweep's TOML config: [data], [factors], [dataset], [model], [train] as for
    /// `train`, plus [sweep] with the lists to search (see configs/sweep-quick.toml,
    /// configs/paper.toml).
    #[arg(long)]
    pub config: PathBuf,
    /// Override a config value, e.g. `--set sweep.epochs=2` (repeatable; TOML values).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    #[arg(long, value_enum, default_value = "auto")]
    pub device: DeviceKind,
    /// The sweep folder: ledger.csv, curves.csv, checkpoints/, summary.json, plots.
    #[arg(long, default_value = "models/sweep")]
    pub out: PathBuf,
    /// Continue the sweep in --out: finished trials are skipped, unfinished ones rerun.
    #[arg(long)]
    pub resume: bool,
    /// Run only the shard I of N (0-based) of the grid; join shard folders with `merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,
    /// Trials at once (default: one per core on the CPU; on the GPU engine 2 packs; with
    /// burn's GPU backends 8, 4 or 2 trials by the largest model's size).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Rows of the final table.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// GPU engine: trials trained together in one pack (trials with the same layer counts,
    /// batch size and clipping; units and mem_day are padded to the pack's largest).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub pack: u16,
}

pub fn run_cli(a: SweepArgs) -> anyhow::Result<()> {
    let (cfg, text) = Config::from_file_with(&a.config, &a.sets)?;
    let base = a.config.parent().map(Path::to_path_buf).unwrap_or_default();
    let full = grid::expand(&cfg)?;
    let window = full.iter().map(|t| t.mem_day).max().context("the sweep's grid is empty")?;
    let trials = grid::shard(full.clone(), a.shard);
    let epochs = cfg.sweep.epochs.unwrap_or(cfg.train.epochs);
    let mut tcfg = cfg.train.clone();
    tcfg.epochs = epochs;
    tcfg.patience = cfg.sweep.patience.or(tcfg.patience);
    std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    let _lock = lock_folder(&a.out)?;
    // Reading skips a last line cut short by a kill; opening the ledger for appending cuts it off.
    let rows: Vec<LedgerRow> = ledger::read_rows(&a.out.join("ledger.csv"))?;
    if !rows.is_empty() && !a.resume {
        bail!(
            "{} already holds {} finished trials: pass --resume to continue that sweep, or choose another --out",
            a.out.display(),
            rows.len()
        );
    }
    if a.resume
        && let Some(old) = SweepMeta::read(&a.out)?
        && (old.epochs != epochs || old.grid_trials != full.len() || old.selection != tcfg.selection)
    {
        bail!(
            "--resume: {} was a different sweep (grid {}, epochs {}, {:?}); this config gives grid {}, epochs {}, {:?}",
            a.out.display(),
            old.grid_trials,
            old.epochs,
            old.selection,
            full.len(),
            epochs,
            tcfg.selection
        );
    }
    let finished: std::collections::HashSet<String> = rows.iter().map(|r| r.trial.clone()).collect();
    ledger::prune_curves(&a.out.join("curves.csv"), &finished, &header_of::<CurveRow>()?)?;
    let earlier_best: Vec<(f64, String)> = rows.iter().filter(|r| r.has_model()).map(|r| (r.score, r.trial.clone())).collect();
    eprintln!(
        "sweep: {} configurations{}{}; {} epochs each; {} finished already",
        full.len(),
        if cfg.sweep.sample > 0 { " (sampled)" } else { "" },
        a.shard.map(|s| format!(", shard {s}: {} of them", trials.len())).unwrap_or_default(),
        epochs,
        trials.iter().filter(|t| finished.contains(&t.id())).count()
    );
    // One data set at the longest window; each trial reads a view of it.
    let data_text = set::apply(&text, "config", &[format!("dataset.mem_day={window}")])?;
    let data_cfg = Config::from_str(&data_text, "config")?;
    let data = prepare(&data_cfg, &base).context("preparing the data set")?.data;
    eprintln!(
        "data: {} train / {} valid / {} test samples, {} factors, windows up to {window} days",
        data.train.len(),
        data.valid.len(),
        data.test.len(),
        data.n_features
    );
    if data.look_ahead {
        eprintln!("WARNING: this data set contains LOOK-AHEAD (paper_random split or paper_backfill accounts).");
    }
    std::fs::write(a.out.join("split.json"), serde_json::to_string_pretty(&split_json(&data))?)?;
    let plan = Plan {
        out: a.out.clone(),
        config_text: text.clone(),
        config_dir: std::fs::canonicalize(&base).unwrap_or(base).display().to_string(),
        command: std::env::args().collect::<Vec<_>>().join(" "),
        trials,
        finished,
        data,
        train: tcfg.clone(),
        keep: cfg.sweep.keep,
        asha: (cfg.sweep.scheduler == Scheduler::Asha).then(|| Asha::new(&cfg.sweep.asha)),
        jobs: 1,
        threads_per_trial: 1,
        earlier_best,
    };
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register_conditional_shutdown(sig, 130, Arc::clone(&stop))?;
        signal_hook::flag::register(sig, Arc::clone(&stop))?;
    }
    let meta = SweepMeta {
        alphasweep: env!("CARGO_PKG_VERSION").into(),
        config_toml: text,
        config_dir: plan.config_dir.clone(),
        command: plan.command.clone(),
        grid_trials: full.len(),
        shard: a.shard.map(|s| s.to_string()),
        shard_trials: plan.trials.len(),
        epochs,
        selection: tcfg.selection,
        keep: cfg.sweep.keep,
        device: format!("{:?}", a.device).to_lowercase(),
    };
    meta.write(&a.out)?;
    let task = SweepTask { plan, jobs: a.jobs, stop: &stop };
    let (ran, interrupted) = with_engine(a.device, a.pack as usize, task)??;
    let kept = kept_checkpoints(&a.out);
    let (s, table) = summary::finish(&a.out, &kept, epochs, tcfg.selection, a.top)?;
    println!("{table}");
    let saved = 1.0 - s.epochs_run as f64 / s.epochs_full.max(1) as f64;
    println!(
        "{} trials in the ledger ({}); {} epochs run of {} for the full grid ({:.0}% saved by early stopping/ASHA); {} checkpoints kept",
        s.trials,
        s.by_status.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", "),
        s.epochs_run,
        s.epochs_full,
        saved * 100.0,
        s.kept.len()
    );
    eprintln!("sweep folder: {} (ran {ran} trials now)", a.out.display());
    if interrupted {
        eprintln!("interrupted: rerun with --resume to finish the remaining trials");
        std::process::exit(130);
    }
    Ok(())
}

/// The split's periods (first and last date, samples) and whether it looks ahead.
fn split_json(data: &crate::model::dataset::WindowData) -> serde_json::Value {
    let span = |s: &[crate::model::dataset::Sample]| match (s.first(), s.last()) {
        (Some(f), Some(l)) => serde_json::json!({
            "first": data.dates[f.date as usize].to_string(),
            "last": data.dates[l.date as usize].to_string(),
            "samples": s.len(),
        }),
        _ => serde_json::Value::Null,
    };
    serde_json::json!({
        "train": span(&data.train),
        "valid": span(&data.valid),
        "test": span(&data.test),
        "look_ahead": data.look_ahead,
        "stocks": data.n_stocks,
        "factors": data.n_features,
    })
}

/// Holds `.lock` in the sweep folder for the process's lifetime, so two sweeps never write
/// the same ledger (the OS releases it when the process ends, even when killed).
fn lock_folder(dir: &Path) -> anyhow::Result<std::fs::File> {
    let path = dir.join(".lock");
    let f = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path)?;
    match f.try_lock() {
        Ok(()) => Ok(f),
        Err(std::fs::TryLockError::WouldBlock) => {
            bail!(
                "{} is in use by another running sweep (it holds {}); wait for it or choose another --out",
                dir.display(),
                path.display()
            )
        }
        Err(std::fs::TryLockError::Error(e)) => Err(e).with_context(|| format!("locking {}", path.display())),
    }
}

/// Checkpoint folders present in the sweep folder.
pub fn kept_checkpoints(dir: &Path) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(dir.join("checkpoints"))
        .map(|it| {
            it.flatten()
                .filter(|e| e.path().join("config.json").is_file() && !e.file_name().to_string_lossy().starts_with('.'))
                .map(|e| e.file_name().to_string_lossy().to_string())
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

struct SweepTask<'a> {
    plan: Plan,
    jobs: Option<usize>,
    stop: &'a AtomicBool,
}

impl OnEngine for SweepTask<'_> {
    type Output = crate::error::Result<(usize, bool)>;

    fn run<E: Engine>(mut self, mut engine: E) -> Self::Output {
        let gpu = engine.is_gpu();
        let name = engine.device_name().to_string();
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        let todo = self.plan.trials.iter().filter(|t| !self.plan.finished.contains(&t.id())).count().max(1);
        // On a GPU, small models leave the card idle: run more of them at once.
        let largest = self.plan.trials.iter().map(|t| t.cost(self.plan.data.n_features)).max().unwrap_or(0);
        let gpu_jobs = match largest {
            // Packs: two in flight, so one's host work overlaps the other's kernels.
            _ if engine.pack_capacity() > 1 => 2,
            0..=50_000 => 8,
            50_001..=500_000 => 4,
            _ => 2,
        };
        let jobs = self.jobs.unwrap_or(if gpu { gpu_jobs } else { cores }).clamp(1, todo);
        self.plan.jobs = jobs;
        self.plan.threads_per_trial = if gpu { 1 } else { (cores / jobs).max(1) };
        engine.set_threads(self.plan.threads_per_trial);
        let unit = if engine.pack_capacity() > 1 {
            format!("packs of up to {} trials", engine.pack_capacity())
        } else {
            "trials".into()
        };
        eprintln!(
            "device: {name}; {jobs} {unit} at once{}",
            if gpu { String::new() } else { format!(", {} thread(s) each", self.plan.threads_per_trial) }
        );
        run(&self.plan, &engine, self.stop)
    }
}
