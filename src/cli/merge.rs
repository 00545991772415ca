//! `alphasweep merge`: join the folders of a sharded sweep into one ledger, one best-K set
//! of checkpoints, one summary.

use std::path::PathBuf;

use clap::Args;

use alphasweep::sweep::{merge, summary};

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The merged sweep folder (new or empty).
    #[arg(long)]
    pub out: PathBuf,
    /// Shard folders written by `alphasweep sweep --shard I/N`.
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Merge even if shards lack trials (a task still running, preempted, or never run):
    /// the missing trials are listed as a warning. Without it such a merge is refused.
    #[arg(long)]
    pub allow_incomplete: bool,
    /// Rows of the final table.
    #[arg(long, default_value_t = alphasweep::study::sweep::DEFAULT_TOP, value_parser = super::count)]
    pub top: usize,
}

pub fn run(a: MergeArgs) -> anyhow::Result<()> {
    let m = merge::merge(&a.out, &a.shards, a.allow_incomplete)?;
    for g in &m.gaps {
        eprintln!("warning: incomplete (--allow-incomplete): {g}");
    }
    if !m.duplicates.is_empty() {
        eprintln!(
            "warning: {} trials appear in more than one shard (first kept): {}",
            m.duplicates.len(),
            m.duplicates.join(", ")
        );
    }
    if m.trials < m.meta.grid_trials {
        eprintln!(
            "note: {} of the grid's {} trials are in the shards (some shards unfinished or missing)",
            m.trials, m.meta.grid_trials
        );
    }
    let (s, table) = summary::finish(&a.out, &m.kept, m.meta.epochs, m.meta.selection, a.top)?;
    println!("{table}");
    println!(
        "merged {} shard folders: {} trials, {} checkpoints kept in {}",
        a.shards.len(),
        s.trials,
        s.kept.len(),
        a.out.display()
    );
    Ok(())
}
