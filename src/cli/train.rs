//! `alphasweep train`: train one LSTM from a config, keep the best epoch's checkpoint, and
//! report its test-set metrics.

use std::path::{Path, PathBuf};

use clap::Args;

use alphasweep::config::Config;
use alphasweep::engine::DeviceKind;
use alphasweep::study::train::{TrainOptions, run_train};

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// The run's TOML config: [data], [factors], [dataset] (factors, mem_day, label,
    /// split), [model] and [train] (see configs/train-quick.toml).
    #[arg(long)]
    pub config: PathBuf,
    #[arg(long, value_enum, default_value = "auto")]
    pub device: DeviceKind,
    /// Checkpoint folder (weights, config.json, metrics.csv, test.json).
    #[arg(long)]
    pub out: PathBuf,
    /// Override [train] epochs.
    #[arg(long, value_parser = super::count)]
    pub epochs: Option<usize>,
    /// Threads of the CPU engine (`--device cpu`): each batch is split across them
    /// (default: the available cores).
    #[arg(long, value_parser = super::count)]
    pub threads: Option<usize>,
    /// Override [train] precision: the CPU engine's matrix products in fp32, bf16 (f32
    /// sums; AVX-512 BF16 where the CPU has it, else emulated and slower) or auto (bf16 only
    /// where the CPU has it). Recorded in the checkpoint's config.
    #[arg(long, value_enum)]
    pub precision: Option<alphasweep::engine::Precision>,
}

pub fn run(a: TrainArgs) -> anyhow::Result<()> {
    let mut config = Config::from_file(&a.config)?;
    if let Some(e) = a.epochs {
        config.train.epochs = e;
    }
    if let Some(p) = a.precision {
        config.train.precision = p;
    }
    let o = TrainOptions {
        config,
        config_dir: a.config.parent().map(Path::to_path_buf).unwrap_or_default(),
        out: a.out.clone(),
        device: a.device,
        threads: a.threads,
    };
    let t = run_train(&o)?;
    let m = &t.test;
    println!(
        "best epoch {} ({:?}); test{}: loss {:.4}  MAPE {:.3}  IC {:.4}  rank IC {:.4}  direction {:.3}",
        t.best_epoch,
        t.status,
        if t.look_ahead { " (LOOK-AHEAD)" } else { "" },
        m.loss,
        m.mape,
        m.ic,
        m.rank_ic,
        m.direction
    );
    eprintln!("checkpoint written to {}", a.out.display());
    Ok(())
}
