//! `alphasweep sweep`: a hyperparameter sweep over the `[sweep]` grid of a config, with
//! parallel trials, early stopping or ASHA, an append-only ledger, the best-K checkpoints,
//! `--resume` and `--shard I/N`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Args;

use alphasweep::config::Config;
use alphasweep::engine::DeviceKind;
use alphasweep::study::sweep::{SweepOptions, SweepOutcome, run_sweep};
use alphasweep::sweep::grid::Shard;

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
    /// With --resume: accept a different build of alphasweep than the one that started the
    /// sweep (the config, grid and data set must still match; you vouch that the code change
    /// does not change trial results).
    #[arg(long, requires = "resume")]
    pub allow_code_change: bool,
    /// Run only the shard I of N (0-based) of the grid; join shard folders with `merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,
    /// Trials at once (default: one per core on the CPU; on the GPU engine 2 packs; with
    /// burn's GPU backends 8, 4 or 2 trials by the largest model's size).
    #[arg(long, value_parser = super::count)]
    pub jobs: Option<usize>,
    /// Rows of the final table.
    #[arg(long, default_value_t = alphasweep::study::sweep::DEFAULT_TOP, value_parser = super::count)]
    pub top: usize,
    /// GPU engine: trials trained together in one pack (trials with the same layer counts,
    /// batch size and clipping; units and mem_day are padded to the pack's largest).
    #[arg(long, default_value_t = alphasweep::study::sweep::DEFAULT_PACK, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub pack: u16,
    /// Override [train] precision: the CPU engine's matrix products in fp32, bf16 (f32
    /// sums; AVX-512 BF16 where the CPU has it, else emulated and slower) or auto (bf16 only
    /// where the CPU has it). Part of the sweep's fingerprint when not fp32.
    #[arg(long, value_enum)]
    pub precision: Option<alphasweep::engine::Precision>,
}

pub fn run(a: SweepArgs) -> anyhow::Result<ExitCode> {
    let mut config = Config::from_file_with(&a.config, &a.sets)?;
    if let Some(p) = a.precision {
        config.train.precision = p;
    }
    let stop = stop_on_signals()?;
    let o = SweepOptions {
        config,
        config_dir: a.config.parent().map(Path::to_path_buf).unwrap_or_default(),
        out: a.out.clone(),
        device: a.device,
        resume: a.resume,
        allow_code_change: a.allow_code_change,
        shard: a.shard,
        jobs: a.jobs,
        top: a.top,
        pack: a.pack as usize,
        stop: &stop,
    };
    let outcome = run_sweep(&o)?;
    print_outcome(&outcome, &a.out);
    Ok(if outcome.interrupted { interrupted() } else { ExitCode::SUCCESS })
}

/// What Ctrl-C and SIGTERM do, through the flag returned. While a sweep's trials run, the
/// first one sets the flag (no new trial starts, those running finish into the ledger) and
/// says so; a second one ends the process at once. At any other time (loading data,
/// computing factors, screening, building the data set, predicting) the process ends at
/// once: each stage writes its files whole, and `--resume` starts again from the last one
/// finished. Exit status 130 either way.
pub fn stop_on_signals() -> anyhow::Result<Arc<AtomicBool>> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let stop = Arc::new(AtomicBool::new(false));
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    let flag = Arc::clone(&stop);
    std::thread::spawn(move || {
        for _ in signals.forever() {
            if flag.load(Ordering::SeqCst) || !alphasweep::sweep::run::trials_running() {
                eprintln!("\ninterrupted: stopped at once; rerun with --resume to keep what finished");
                std::process::exit(130);
            }
            flag.store(true, Ordering::SeqCst);
            eprintln!(
                "\nstopping: no new trial starts and the running ones finish into the ledger \
                 (Ctrl-C again to quit now; --resume reruns what did not finish)"
            );
        }
    });
    Ok(stop)
}

/// The note and exit status (130) of a sweep stopped by a signal.
pub fn interrupted() -> ExitCode {
    eprintln!("interrupted: rerun with --resume to finish the remaining trials");
    ExitCode::from(130)
}

/// The top trials (stdout), the counts, and the folder.
pub fn print_outcome(o: &SweepOutcome, out: &Path) {
    let s = &o.summary;
    println!("{}", o.table);
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
    eprintln!("sweep folder: {} (ran {} trials now)", out.display(), o.ran);
}
