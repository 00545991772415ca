//! `alphasweep eval`: reload a checkpoint, rebuild its data from the stored config, report
//! the test-set metrics and plot predicted against actual labels for one stock (the paper's
//! 3.2.3).

use std::path::PathBuf;

use clap::Args;

use alphasweep::study::eval::{EvalOptions, EvalOutcome, run_eval};

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// A checkpoint folder written by `alphasweep train` (or a sweep's checkpoints/<id>).
    #[arg(long)]
    pub model: PathBuf,
    /// Stock to plot (default: the one with the most test samples).
    #[arg(long)]
    pub stock: Option<String>,
}

pub fn run(a: EvalArgs) -> anyhow::Result<()> {
    print_outcome(&run_eval(&EvalOptions { model: a.model, stock: a.stock })?);
    Ok(())
}

/// The test metrics (stdout) and the plot written (stderr).
pub fn print_outcome(o: &EvalOutcome) {
    let m = &o.test;
    println!(
        "test{}: {} samples; loss {:.4}  MAPE {:.3}  IC {:.4} (ICIR {:.3})  rank IC {:.4} (ICIR {:.3})  direction {:.3}",
        if o.look_ahead { " (LOOK-AHEAD: not out-of-sample)" } else { "" },
        o.samples,
        m.loss,
        m.mape,
        m.ic,
        m.ic_ir,
        m.rank_ic,
        m.rank_ic_ir,
        m.direction
    );
    eprintln!("wrote {} and eval.json", o.plot.display());
}
