//! Runs a sweep's trials: `jobs` worker threads take trials (or packs of trials, on the GPU
//! engine) in order from a shared queue; each trains on a view of the one shared data set,
//! is evaluated on the test split, enters the best-K checkpoints if it ranks there, and is
//! appended to the ledger. A trial that
//! fails (an error, a panic, a non-finite loss) is recorded with its reason and the sweep
//! goes on. After Ctrl-C no new trial starts; a second Ctrl-C quits at once (the ledger is
//! always whole, and unfinished trials rerun on `--resume`).

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use crate::artifacts::SplitRecord;
use crate::artifacts::checkpoint::{self, CheckpointMeta};
use crate::engine::{BatchFn, Engine, EpochFn, PackKey, TrialJob, pack_key};
use crate::error::{Error, Result};
use crate::model::dataset::{DatasetConfig, WindowData};
use crate::model::metrics::evaluate;
use crate::model::network::NetworkConfig;
use crate::model::train::{EpochRow, Flow, Status, TrainConfig, Trained, eval_batch};
use crate::sweep::asha::Asha;
use crate::sweep::best::BestSet;
use crate::sweep::grid::TrialParams;
use crate::sweep::ledger::{AppendCsv, CurveRow, LedgerRow, header_of};
use crate::sweep::progress::SweepProgress;

/// Everything a sweep needs, resolved by the command line.
pub struct Plan {
    pub out: PathBuf,
    /// The study's config: each trial's checkpoint records it with the trial's values.
    pub config: Box<dyn TrialConfig>,
    pub config_dir: String,
    pub command: String,
    /// This process's trials, in order; finished ones are skipped.
    pub trials: Vec<TrialParams>,
    /// Trial ids already in the ledger.
    pub finished: HashSet<String>,
    /// The data set at the longest `mem_day` of the grid (trials read views of it).
    pub data: WindowData,
    /// `[train]` with the sweep's epochs and patience (lr and batch come per trial).
    pub train: TrainConfig,
    pub keep: usize,
    pub asha: Option<Asha>,
    pub jobs: usize,
    pub threads_per_trial: usize,
    /// Earlier trials `(score, id)` with a checkpoint, from the ledger.
    pub earlier_best: Vec<(f64, String)>,
}

/// What a trial's checkpoint records so that `eval` and `predict` rebuild exactly its data
/// and network: the study's config with the trial's values, as TOML, and its `[dataset]`.
/// (The study's `Config` implements it; the sweep sees only this.)
pub trait TrialConfig: Send + Sync {
    fn for_trial(&self, p: &TrialParams, sample_window: usize) -> Result<(String, DatasetConfig)>;
}

/// Ledger and curve files plus the best-K set, behind one lock.
struct Books {
    ledger: AppendCsv,
    curves: AppendCsv,
    best: BestSet,
    best_score: f64,
}

/// Sweeps of this process whose trials are running (see [`trials_running`]).
static RUNNING: AtomicUsize = AtomicUsize::new(0);

/// Whether some sweep of this process is running trials now: a signal handler stops a sweep
/// between trials then, and may end the process at once at any other time (every stage
/// writes its files whole; `--resume` starts again from the last one finished).
pub fn trials_running() -> bool {
    RUNNING.load(Ordering::SeqCst) > 0
}

/// Counts one sweep in [`RUNNING`] for its life.
struct SweepGauge;
impl SweepGauge {
    fn start() -> SweepGauge {
        RUNNING.fetch_add(1, Ordering::SeqCst);
        SweepGauge
    }
}
impl Drop for SweepGauge {
    fn drop(&mut self) {
        RUNNING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Runs the plan's unfinished trials; returns how many ran (and whether it was interrupted).
/// Engines that train packs get trials of one [`pack_key`] together, up to their capacity.
pub fn run<E: Engine>(plan: &Plan, engine: &E, stop: &AtomicBool) -> Result<(usize, bool)> {
    let _gauge = SweepGauge::start();
    let todo: Vec<&TrialParams> = plan.trials.iter().filter(|t| !plan.finished.contains(&t.id())).collect();
    let packs = make_packs(plan, &todo, engine.pack_capacity());
    let books = Mutex::new(Books {
        ledger: AppendCsv::open(&plan.out.join("ledger.csv"), &header_of::<LedgerRow>()?)?,
        curves: AppendCsv::open(&plan.out.join("curves.csv"), &header_of::<CurveRow>()?)?,
        best: BestSet::open(&plan.out, plan.keep, &plan.earlier_best)?,
        best_score: plan.earlier_best.iter().map(|b| b.0).fold(f64::NEG_INFINITY, f64::max),
    });
    let progress = SweepProgress::new(plan.trials.len(), plan.trials.len() - todo.len());
    let next = AtomicUsize::new(0);
    let ran = AtomicUsize::new(0);
    let first_error: Mutex<Option<Error>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..plan.jobs.max(1) {
            scope.spawn(|| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(plan.threads_per_trial.max(1)).build();
                let work = || loop {
                    if stop.load(Ordering::SeqCst) || first_error.lock().map(|e| e.is_some()).unwrap_or(true) {
                        return;
                    }
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(pack) = packs.get(i) else { return };
                    if let Err(e) = run_pack(plan, engine, pack, &books, &progress) {
                        *first_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                        return;
                    }
                    ran.fetch_add(pack.len(), Ordering::SeqCst);
                };
                match pool {
                    Ok(pool) => pool.install(work),
                    Err(_) => work(),
                }
            });
        }
    });
    progress.finish();
    if let Some(e) = first_error.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(e);
    }
    let n = ran.load(Ordering::SeqCst);
    Ok((n, n < todo.len()))
}

/// Groups trials by [`pack_key`] (in grid order of each key's first trial) into packs of at
/// most `capacity`; with capacity 1, every trial alone, in grid order.
fn make_packs<'a>(plan: &Plan, todo: &[&'a TrialParams], capacity: usize) -> Vec<Vec<&'a TrialParams>> {
    if capacity <= 1 {
        return todo.iter().map(|p| vec![*p]).collect();
    }
    let mut groups: Vec<(PackKey, Vec<&'a TrialParams>)> = vec![];
    for p in todo {
        let (cfg, net) = trial_setup(plan, p);
        let key = pack_key(&net, &cfg);
        match groups.iter_mut().find(|g| g.0 == key) {
            Some(g) => g.1.push(p),
            None => groups.push((key, vec![p])),
        }
    }
    groups.into_iter().flat_map(|(_, g)| g.chunks(capacity).map(<[_]>::to_vec).collect::<Vec<_>>()).collect()
}

/// A trial's training settings and network.
fn trial_setup(plan: &Plan, p: &TrialParams) -> (TrainConfig, NetworkConfig) {
    let mut cfg = plan.train.clone();
    (cfg.lr, cfg.batch_size) = (p.lr, p.batch_size);
    cfg.seed = p.seed.unwrap_or(cfg.seed);
    let net = NetworkConfig {
        n_features: plan.data.n_features,
        lstm_layers: p.lstm_layers,
        dense_layers: p.dense_layers,
        units: p.units,
        dropout: p.dropout,
        attention: p.attention,
        cell: p.cell,
    };
    (cfg, net)
}

/// A trial of a pack being trained: its settings, data view and progress line.
struct Running {
    id: String,
    cfg: TrainConfig,
    net: NetworkConfig,
    data: WindowData,
    line: indicatif::ProgressBar,
    last_valid: std::cell::RefCell<String>,
}

/// Trains a pack (one trial or several the engine trains together), then evaluates,
/// checkpoints and records each trial. Errors here are the sweep's own (the ledger or
/// checkpoint folder cannot be written); a trial's failure is a ledger row.
fn run_pack<E: Engine>(
    plan: &Plan,
    engine: &E,
    pack: &[&TrialParams],
    books: &Mutex<Books>,
    progress: &SweepProgress,
) -> Result<()> {
    let t0 = Instant::now();
    let running = pack
        .iter()
        .map(|p| {
            let (cfg, net) = trial_setup(plan, p);
            let id = p.id();
            Ok(Running {
                line: progress.trial(&id),
                id,
                cfg,
                net,
                data: plan.data.with_mem_day(p.mem_day)?,
                last_valid: "-".to_string().into(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut on_batch: Vec<BatchFn> = running
        .iter()
        .map(|r| {
            let epochs = r.cfg.epochs;
            Box::new(move |epoch: usize, b: usize, nb: usize, loss: f64| {
                if b.is_multiple_of(8) || b == nb {
                    r.line.set_message(format!(
                        "epoch {epoch}/{epochs} batch {b}/{nb} loss {loss:.4} | valid {}",
                        r.last_valid.borrow()
                    ));
                }
            }) as BatchFn
        })
        .collect();
    let curve_error: Mutex<Option<Error>> = Mutex::new(None);
    let curve_error = &curve_error;
    let mut on_epoch: Vec<EpochFn> = running
        .iter()
        .map(|r| {
            Box::new(move |row: &EpochRow| -> Flow {
                *r.last_valid.borrow_mut() = format!("IC {:.4} loss {:.4}", row.valid.ic, row.valid.loss);
                // Each epoch is in curves.csv as soon as it ends, so `status` sees trials in flight.
                let appended = books.lock().unwrap_or_else(|e| e.into_inner()).curves.append(&[CurveRow::new(&r.id, row)]);
                if let Err(e) = appended {
                    curve_error.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(e);
                }
                let go = plan.asha.as_ref().is_none_or(|a| a.report(row.epoch, r.cfg.selection.score(&row.valid)));
                if go { Flow::Continue(()) } else { Flow::Break(()) }
            }) as EpochFn
        })
        .collect();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let mut jobs: Vec<TrialJob> = running
            .iter()
            .zip(on_batch.iter_mut().zip(on_epoch.iter_mut()))
            .map(|(r, (b, e))| TrialJob {
                data: &r.data,
                net: r.net.clone(),
                cfg: r.cfg.clone(),
                on_batch: b.as_mut(),
                on_epoch: e.as_mut(),
            })
            .collect();
        engine.train_pack(&mut jobs)
    }));
    let outcomes: Vec<std::result::Result<Trained<E::Inference>, String>> = match outcome {
        Ok(trained) => trained.into_iter().map(Ok).collect(),
        Err(panic) => {
            let msg = panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
            let msg = format!("panic: {}", msg.unwrap_or_else(|| "unknown".into())).replace(['\n', '\r'], " ");
            running.iter().map(|_| Err(msg.clone())).collect()
        }
    };
    if let Some(e) = curve_error.lock().unwrap_or_else(|e| e.into_inner()).take() {
        return Err(e);
    }
    for ((p, r), outcome) in pack.iter().zip(&running).zip(outcomes) {
        r.line.finish_and_clear();
        record(plan, engine, p, r, outcome, t0, books, progress)?;
    }
    Ok(())
}

/// Evaluates, checkpoints and records one trained (or failed) trial.
#[allow(clippy::too_many_arguments)]
fn record<E: Engine>(
    plan: &Plan,
    engine: &E,
    p: &TrialParams,
    r: &Running,
    outcome: std::result::Result<Trained<E::Inference>, String>,
    t0: Instant,
    books: &Mutex<Books>,
    progress: &SweepProgress,
) -> Result<()> {
    let (id, cfg, net, data) = (&r.id, &r.cfg, &r.net, &r.data);
    let mut row = LedgerRow::new(p, "done", "");
    row.params = net.n_params();
    row.device = engine.device_name().to_string();
    let mut epoch_rows = vec![];
    let mut model = None;
    let mut status = Status::Done;
    match outcome {
        Err(reason) => {
            row.status = "failed".into();
            row.reason = reason;
        }
        Ok(trained) => {
            row.epochs_run = trained.rows.len();
            row.best_epoch = trained.best_epoch;
            epoch_rows = trained.rows.clone();
            if let Some(best) = trained.rows.get(trained.best_epoch.wrapping_sub(1)) {
                row.set_valid(&best.valid);
                row.score = cfg.selection.score(&best.valid);
            }
            status = trained.status.clone();
            match trained.status {
                Status::Done => {}
                Status::StoppedEarly { epoch } => {
                    row.status = "stopped_early".into();
                    row.reason =
                        format!("no better {:?} for {} epochs (stopped at {epoch})", cfg.selection, cfg.patience.unwrap_or(0));
                }
                Status::Pruned { epoch } => {
                    row.status = "pruned".into();
                    row.reason = format!("asha: not in the top at epoch {epoch}");
                }
                Status::Diverged { epoch } => {
                    row.status = "diverged".into();
                    row.reason = format!("loss not finite in epoch {epoch}");
                }
            }
            if row.has_model() {
                model = trained.model;
            }
        }
    }
    if let Some(m) = &model {
        let preds = engine.predict(m, data, &data.test, eval_batch(cfg.batch_size));
        row.set_test(&evaluate(&preds, &data.test, data));
    }
    row.seconds = t0.elapsed().as_secs_f64();
    let mut b = books.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(m) = &model {
        let meta = trial_meta(plan, p, net, cfg, row.best_epoch, status, data.look_ahead)?;
        let admitted = b.best.admit(id, row.score, |dir| checkpoint::save(dir, m, &meta, &epoch_rows))?;
        if let Some(a) = admitted {
            row.checkpoint = a.checkpoint;
        }
    }
    b.ledger.append(std::slice::from_ref(&row))?;
    let improved = row.score.is_finite() && row.score > b.best_score;
    if improved {
        b.best_score = row.score;
    }
    let best = improved.then(|| format!("{:.4} ({id})", row.score));
    let summary = match row.status.as_str() {
        "failed" | "diverged" => format!("{id}: {} ({})", row.status, row.reason),
        s => format!(
            "{id}: {s}, best epoch {}/{}, valid IC {:.4}, test IC {:.4}, {:.1} s{}",
            row.best_epoch,
            row.epochs_run,
            row.valid_ic,
            row.test_ic,
            row.seconds,
            if row.checkpoint.is_empty() { "" } else { " [kept]" }
        ),
    };
    drop(b);
    progress.finished(&summary, best);
    Ok(())
}

/// A trial checkpoint's metadata: the sweep's config with the trial's values set, so
/// `eval` and `predict` rebuild exactly its data and network.
fn trial_meta(
    plan: &Plan,
    p: &TrialParams,
    net: &NetworkConfig,
    cfg: &TrainConfig,
    best_epoch: usize,
    status: Status,
    look_ahead: bool,
) -> Result<CheckpointMeta> {
    let (text, dataset) = plan.config.for_trial(p, plan.data.window)?;
    Ok(CheckpointMeta {
        alphasweep: env!("CARGO_PKG_VERSION").into(),
        network: net.clone(),
        dataset,
        train: cfg.clone(),
        best_epoch,
        status,
        config_toml: text,
        config_dir: plan.config_dir.clone(),
        command: plan.command.clone(),
        look_ahead,
        split: SplitRecord::of(&plan.data).fitted(),
        weights_crc32: None,
        weights_bytes: None,
    })
}
