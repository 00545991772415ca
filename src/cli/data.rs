//! `alphasweep data`: load one or more sources and print a summary.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Args;

use crate::config::Config;
use crate::data::Date;
use crate::data::load::{Format, LoadOptions, load, spec};
use crate::data::summary::DataSummary;

#[derive(Debug, Args)]
pub struct DataArgs {
    /// A data folder or .tar.gz archive; give it several times to merge sources.
    #[arg(long = "data", value_name = "PATH")]
    pub data: Vec<PathBuf>,
    /// Format of each --data (one for all, or one per --data, in order).
    #[arg(long, value_enum, default_value = "auto")]
    pub format: Vec<Format>,
    /// qlib: which instruments/<market>.txt gives membership (default csi300 when present).
    #[arg(long)]
    pub market: Option<String>,
    /// Read sources, preferences and the date range from a TOML config's [data] section.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Where sources overlap, whose values win: FIELD=SOURCE (e.g. close=qlib); repeatable.
    #[arg(long, value_name = "FIELD=SOURCE")]
    pub prefer: Vec<String>,
    /// An industry CSV (`code, industry`), e.g. ../shared/data/industry/fuzicao_stock_industry_ZXF.csv.gz.
    #[arg(long)]
    pub industry: Option<PathBuf>,
    #[arg(long)]
    pub start: Option<Date>,
    #[arg(long)]
    pub end: Option<Date>,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: DataArgs) -> anyhow::Result<()> {
    let opts = options(&a)?;
    let t = Instant::now();
    let loaded = load(&opts).context("loading market data")?;
    let secs = t.elapsed().as_secs_f64();
    let summary = DataSummary::new(&loaded.panel, loaded.disagreements);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print!("{summary}");
    }
    eprintln!("loaded {} sources in {secs:.3} s", loaded.names.len());
    Ok(())
}

/// Builds load options from the config (if any) and the command line (which adds to it).
fn options(a: &DataArgs) -> anyhow::Result<LoadOptions> {
    let mut opts = match &a.config {
        Some(path) => {
            let cfg = Config::from_file(path)?;
            let base = path.parent().map(PathBuf::from).unwrap_or_default();
            cfg.load_options(&base)?
        }
        None => LoadOptions::default(),
    };
    let formats = &a.format;
    if formats.len() > 1 && formats.len() != a.data.len().max(1) {
        bail!("give one --format for all sources or one per --data ({} --data, {} --format)", a.data.len(), formats.len());
    }
    for (i, path) in a.data.iter().enumerate() {
        let f = if formats.len() > 1 { formats[i] } else { formats[0] };
        opts.sources.push(spec(path, f, a.market.clone()));
    }
    if a.data.is_empty() && formats.len() == 1 && formats[0] == Format::Synth {
        opts.sources.push(crate::data::load::SourceSpec { path: None, format: Format::Synth, market: None });
    }
    if opts.sources.is_empty() {
        bail!("no data: give --data PATH (a folder or .tar.gz), --format synth, or --config FILE");
    }
    for p in &a.prefer {
        let (f, s) = p.split_once('=').with_context(|| format!("--prefer `{p}`: expected FIELD=SOURCE"))?;
        opts.prefer.insert(f.trim().to_string(), s.trim().to_string());
    }
    if a.industry.is_some() {
        opts.industry = a.industry.clone();
    }
    opts.start = a.start.or(opts.start);
    opts.end = a.end.or(opts.end);
    Ok(opts)
}
