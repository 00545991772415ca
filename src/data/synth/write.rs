//! The synthetic market written to a folder in the standard format, with its planted signal
//! beside it (`synth_truth.csv.gz`, which the loaders ignore).

use std::path::Path;
use std::time::Instant;

use crate::data::standard::write::write_matrices;
use crate::data::standard::write_standard;
use crate::data::synth::{SynthConfig, generate};
use crate::error::{Result, ResultExt};

/// What [`write_market`] wrote; its `Display` is the one-line note `synth` and `run` print.
pub struct Written {
    pub stocks: usize,
    pub days: usize,
    pub null: bool,
    pub out: std::path::PathBuf,
    pub seconds: f64,
}

impl std::fmt::Display for Written {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "synth: {} stocks x {} trading days{} written to {} in {:.2} s",
            self.stocks,
            self.days,
            if self.null { " (null: no planted signal)" } else { "" },
            self.out.display(),
            self.seconds
        )
    }
}

/// Generates the market of `cfg` and writes it into `out`.
pub fn write_market(cfg: &SynthConfig, out: &Path) -> Result<Written> {
    let t = Instant::now();
    let market = generate(cfg).context("generating the synthetic market")?;
    write_standard(&market.panel, out).with_context(|| format!("writing the synthetic market to {}", out.display()))?;
    if !market.truth.is_empty() {
        write_matrices(&market.panel, &out.join("synth_truth.csv.gz"), &market.truth)?;
    }
    Ok(Written {
        stocks: market.panel.n_stocks(),
        days: market.panel.n_dates(),
        null: cfg.null,
        out: out.to_path_buf(),
        seconds: t.elapsed().as_secs_f64(),
    })
}
