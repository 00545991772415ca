//! The data-source options shared by every command that reads market data.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;

use alphasweep::config::Config;
use alphasweep::data::Date;
use alphasweep::data::load::{Format, LoadOptions, SourceSpec, spec};

#[derive(Debug, Args)]
pub struct SourceArgs {
    /// A data folder, an archive (.tar, .tar.gz, .tar.xz), or a CSV file for baostock_accounts
    /// and index_changes; give it several times to merge sources.
    #[arg(long = "data", value_name = "PATH")]
    pub data: Vec<PathBuf>,
    /// Format of each --data (one for all, or one per --data, in order).
    #[arg(long, value_enum, default_value = "auto")]
    pub format: Vec<Format>,
    /// qlib: which instruments/<market>.txt gives membership (default csi300 when present).
    #[arg(long)]
    pub market: Option<String>,
    /// A TOML config (see configs/); command-line options add to or override it.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Where sources overlap, whose values win: FIELD=SOURCE (e.g. close=qlib); repeatable.
    #[arg(long, value_name = "FIELD=SOURCE")]
    pub prefer: Vec<String>,
    /// An industry CSV (`code, industry`), e.g. ../shared/data/industry/fuzicao_stock_industry_ZXF.csv.gz.
    #[arg(long)]
    pub industry: Option<PathBuf>,
    /// First date (YYYY-MM-DD) of the period.
    #[arg(long)]
    pub start: Option<Date>,
    /// Last date of the period.
    #[arg(long)]
    pub end: Option<Date>,
}

impl SourceArgs {
    /// The parsed config file, or the defaults.
    pub fn config(&self) -> anyhow::Result<Config> {
        match &self.config {
            Some(path) => Ok(Config::from_file(path)?),
            None => Ok(Config::default()),
        }
    }

    /// Load options from the config (if any) and the command line, which adds sources and
    /// overrides the rest. `--start`/`--end` slice the loaded dates.
    pub fn load_options(&self, cfg: &Config) -> anyhow::Result<LoadOptions> {
        let mut opts = match &self.config {
            Some(path) => cfg.load_options(&path.parent().map(PathBuf::from).unwrap_or_default())?,
            None => LoadOptions { synth: cfg.synth.clone(), ..LoadOptions::default() },
        };
        let formats = &self.format;
        if formats.len() > 1 && formats.len() != self.data.len().max(1) {
            bail!("give one --format for all sources or one per --data ({} --data, {} --format)", self.data.len(), formats.len());
        }
        for (i, path) in self.data.iter().enumerate() {
            let f = if formats.len() > 1 { formats[i] } else { formats[0] };
            opts.sources.push(spec(path, f, self.market.clone()));
        }
        if self.data.is_empty() && formats.len() == 1 && formats[0] == Format::Synth {
            opts.sources.push(SourceSpec { path: None, format: Format::Synth, market: None });
        }
        if opts.sources.is_empty() {
            bail!("no data: give --data PATH (a folder or .tar.gz), --format synth, or --config FILE");
        }
        for p in &self.prefer {
            let (f, s) = p.split_once('=').with_context(|| format!("--prefer `{p}`: expected FIELD=SOURCE"))?;
            opts.prefer.insert(f.trim().to_string(), s.trim().to_string());
        }
        if self.industry.is_some() {
            opts.industry = self.industry.clone();
        }
        opts.start = self.start.or(opts.start);
        opts.end = self.end.or(opts.end);
        Ok(opts)
    }
}
