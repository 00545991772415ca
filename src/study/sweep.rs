//! The sweep stage: the config's `[sweep]` grid (optionally one shard of it) trained on one
//! shared data set by the chosen engine, with early stopping or ASHA, the ledger, the best-K
//! checkpoints, `resume`, and the summary. An interrupted sweep (the `stop` flag, set by the
//! caller's Ctrl-C handler) is an outcome, not an exit: finished trials are in the ledger
//! and a resume runs the rest.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use crate::artifacts::SplitRecord;
use crate::config::Config;
use crate::engine::{DeviceKind, Engine, OnEngine, with_engine};
use crate::error::{Error, Result, ResultExt};
use crate::sweep::Scheduler;
use crate::sweep::asha::Asha;
use crate::sweep::fingerprint::{self, Fingerprint};
use crate::sweep::folder;
use crate::sweep::grid::{self, Shard};
use crate::sweep::ledger::{self, CurveRow, header_of};
use crate::sweep::meta::SweepMeta;
use crate::sweep::run::{Plan, run};
use crate::sweep::summary::{self, SweepSummary};

/// Rows of the final table, unless told otherwise.
pub const DEFAULT_TOP: usize = 10;
/// Trials per pack on the GPU engine, unless told otherwise.
pub const DEFAULT_PACK: u16 = 8;

/// What the sweep stage needs.
pub struct SweepOptions<'a> {
    pub config: Config,
    /// The folder the config's relative paths resolve against.
    pub config_dir: PathBuf,
    /// The sweep folder: ledger.csv, curves.csv, checkpoints/, summary.json, plots.
    pub out: PathBuf,
    pub device: DeviceKind,
    /// Continue the sweep in `out` (finished trials are skipped).
    pub resume: bool,
    /// On `resume`, accept a different build of alphasweep (config, grid and data must
    /// still match the folder's fingerprint).
    pub allow_code_change: bool,
    /// Only this shard of the grid.
    pub shard: Option<Shard>,
    /// Trials (or packs) at once; None: one per core on the CPU, 2 packs on the GPU engine,
    /// 8/4/2 by model size on burn's GPU backends.
    pub jobs: Option<usize>,
    /// Rows of the final table.
    pub top: usize,
    /// GPU engine: trials per pack.
    pub pack: usize,
    /// Set (by a signal handler) to stop starting new trials.
    pub stop: &'a AtomicBool,
}

/// What it did.
pub struct SweepOutcome {
    /// Trials trained by this call.
    pub ran: usize,
    /// It stopped early on `stop`: rerun with `resume` to finish.
    pub interrupted: bool,
    pub summary: SweepSummary,
    /// The top trials as a text table.
    pub table: String,
}

/// Runs the stage.
pub fn run_sweep(o: &SweepOptions) -> Result<SweepOutcome> {
    let config = crate::study::settle_precision(&o.config, o.device)?;
    let cfg = &config;
    let full = cfg.grid()?;
    let window = full.iter().map(|t| t.mem_day).max().ok_or_else(|| Error::Config("the sweep's grid is empty".into()))?;
    let trials = grid::shard(full.clone(), o.shard);
    let epochs = cfg.sweep.epochs.unwrap_or(cfg.train.epochs);
    let mut tcfg = cfg.train.clone();
    tcfg.epochs = epochs;
    tcfg.patience = cfg.sweep.patience.or(tcfg.patience);
    std::fs::create_dir_all(&o.out).map_err(|e| Error::io(&o.out, e))?;
    let _lock = folder::lock(&o.out, "sweep")?;
    // Reading skips a last line cut short by a kill; opening the ledger for appending cuts it off.
    let (rows, repeated) = ledger::dedupe(ledger::read_rows(&o.out.join("ledger.csv"))?);
    if !repeated.is_empty() {
        eprintln!("warning: trials with more than one ledger row (the first counts): {}", repeated.join(", "));
    }
    if !rows.is_empty() && !o.resume {
        return Err(Error::Invalid(format!(
            "{} already holds {} finished trials: pass --resume to continue that sweep, or choose another --out",
            o.out.display(),
            rows.len()
        )));
    }
    if o.resume
        && let Some(old) = SweepMeta::read(&o.out)?
        && (old.epochs != epochs || old.grid_trials != full.len() || old.selection != tcfg.selection)
    {
        return Err(Error::Invalid(format!(
            "--resume: {} was a different sweep (grid {}, epochs {}, {:?}); this config gives grid {}, epochs {}, {:?}",
            o.out.display(),
            old.grid_trials,
            old.epochs,
            old.selection,
            full.len(),
            epochs,
            tcfg.selection
        )));
    }
    let finished: HashSet<String> = rows.iter().map(|r| r.trial.clone()).collect();
    ledger::prune_curves(&o.out.join("curves.csv"), &finished, &header_of::<CurveRow>()?)?;
    let earlier_best: Vec<(f64, String)> = rows.iter().filter(|r| r.has_model()).map(|r| (r.score, r.trial.clone())).collect();
    eprintln!(
        "sweep: {} configurations{}{}{}; {} epochs each; {} finished already",
        full.len(),
        if cfg.sweep.sample > 0 { " (sampled)" } else { "" },
        match cfg.sweep.seeds.len() {
            n if n > 0 && cfg.sweep.sample == 0 => {
                let nets = full.len() / n;
                format!(" ({nets} network{} x {n} seeds)", if nets == 1 { "" } else { "s" })
            }
            _ => String::new(),
        },
        o.shard.map(|s| format!(", shard {s}: {} of them", trials.len())).unwrap_or_default(),
        epochs,
        trials.iter().filter(|t| finished.contains(&t.id())).count()
    );
    // One data set at the longest window; each trial reads a view of it.
    let crate::study::prepare::Prepared { data, factors, .. } =
        crate::study::prepare::prepare(&cfg.with_window(window), &o.config_dir).context("preparing the data set")?;
    let config = crate::study::prepare::with_resolved_factors(cfg, factors);
    let cfg = &config;
    eprintln!(
        "data: {} train / {} valid / {} test samples, {} factors, windows up to {window} days{}",
        data.train.len(),
        data.valid.len(),
        data.test.len(),
        data.n_features,
        match data.steps_per_day {
            1 => String::new(),
            k => format!(
                " of {k} steps (feature_steps: {} columns read as {k} steps x {} inputs)",
                data.row_len(),
                data.n_features
            ),
        }
    );
    if data.look_ahead {
        eprintln!("WARNING: this data set contains LOOK-AHEAD (paper_random split or paper_backfill accounts).");
    }
    let fingerprint = Fingerprint {
        code: fingerprint::code_version(),
        config: trial_config_toml(cfg)?,
        grid: fingerprint::grid_crc(&full.iter().map(|t| t.id()).collect::<Vec<_>>()),
        data: fingerprint::data_crc(&data),
        sources: cfg.data.sources.iter().map(|s| s.path.clone().unwrap_or_else(|| s.format.name().into())).collect(),
    };
    if o.resume && !rows.is_empty() {
        check_resume(&o.out, &fingerprint, o.allow_code_change)?;
    }
    crate::artifacts::write_json(&o.out.join("split.json"), &SplitRecord::of(&data))?;
    let config_dir = std::fs::canonicalize(&o.config_dir).unwrap_or_else(|_| o.config_dir.clone()).display().to_string();
    let command = crate::study::command_line();
    let meta = SweepMeta {
        alphasweep: env!("CARGO_PKG_VERSION").into(),
        config_toml: cfg.to_toml()?,
        config_dir: config_dir.clone(),
        command: command.clone(),
        grid_trials: full.len(),
        grid_ids: full.iter().map(|t| t.id()).collect(),
        shard: o.shard.map(|s| s.to_string()),
        shard_trials: trials.len(),
        epochs,
        selection: tcfg.selection,
        keep: cfg.sweep.keep,
        device: format!("{:?}", o.device).to_lowercase(),
        fingerprint: Some(fingerprint),
    };
    let plan = Plan {
        out: o.out.clone(),
        config: Box::new(cfg.clone()),
        config_dir,
        command,
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
    meta.write(&o.out)?;
    let (ran, interrupted) = with_engine(o.device, o.pack, SweepTask { plan, jobs: o.jobs, stop: o.stop })??;
    let kept = folder::kept_checkpoints(&o.out);
    let (summary, table) = summary::finish(&o.out, &kept, epochs, tcfg.selection, o.top)?;
    Ok(SweepOutcome { ran, interrupted, summary, table })
}

/// The config as it bears on the trials' numbers: without data paths (the data set's content
/// is fingerprinted instead), `[backtest]`, `sweep.keep` and `sweep.choose_k`.
pub fn trial_config_toml(cfg: &Config) -> Result<String> {
    let mut c = cfg.clone();
    c.backtest = Default::default();
    c.sweep.keep = 0;
    c.sweep.choose_k = false;
    for s in &mut c.data.sources {
        s.path = None;
    }
    c.data.industry = None;
    c.factors.table = None;
    c.to_toml()
}

/// Refuses a resume whose inputs differ from the folder's fingerprint, naming each change;
/// prints the changes that do not matter.
fn check_resume(out: &std::path::Path, now: &Fingerprint, allow_code: bool) -> Result<()> {
    let Some(old) = SweepMeta::read(out)?.and_then(|m| m.fingerprint) else {
        eprintln!(
            "warning: {} predates input fingerprints: the resume cannot check that data and config are unchanged",
            out.display()
        );
        return Ok(());
    };
    let changes = now.changes_from(&old, allow_code);
    for n in &changes.notes {
        eprintln!("note: resuming although {n}");
    }
    if changes.refused.is_empty() {
        return Ok(());
    }
    Err(Error::Invalid(format!(
        "--resume: {} was swept on other inputs; its finished trials would be ranked with trials trained on \
         different ones. Changed: {}. Restore them, or start a new sweep in another --out",
        out.display(),
        changes.refused.join("; ")
    )))
}

/// The sweep on whichever engine the device choice gives: sizes the jobs and threads, then
/// runs the plan.
struct SweepTask<'a> {
    plan: Plan,
    jobs: Option<usize>,
    stop: &'a AtomicBool,
}

impl OnEngine for SweepTask<'_> {
    type Output = Result<(usize, bool)>;

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
