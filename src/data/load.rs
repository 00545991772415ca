//! Loading market data from one or more sources, detecting each one's format, merging
//! them, and slicing to a date range.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::data::assemble::{self as sources, accounts_panel};
use crate::data::date::{Date, range_positions};
use crate::data::merge::{Disagreement, merge};
use crate::data::panel::Panel;
use crate::data::source::Source;
use crate::data::synth::{SynthConfig, generate};
use crate::data::{accounts, baostock, qlib, standard};
use crate::error::{Error, Result};

/// An input format. `Auto` detects it from the folder's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Auto,
    Standard,
    Qlib,
    Baostock,
    /// baostock's quarterly tables (`profit_data.csv`, `growth_data.csv`, …): a folder or one file.
    #[serde(rename = "baostock_accounts")]
    #[value(name = "baostock_accounts")]
    BaostockAccounts,
    /// qlib's point-in-time financial layout (`date, period, value, field, symbol` per stock).
    #[serde(rename = "qlib_pit")]
    #[value(name = "qlib_pit")]
    QlibPit,
    /// an index membership change history (`announce_date, change_date, code, name, change`).
    #[serde(rename = "index_changes")]
    #[value(name = "index_changes")]
    IndexChanges,
    /// The built-in synthetic market (no path needed).
    Synth,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Standard => "standard",
            Format::Qlib => "qlib",
            Format::Baostock => "baostock",
            Format::BaostockAccounts => "baostock_accounts",
            Format::QlibPit => "qlib_pit",
            Format::IndexChanges => "index_changes",
            Format::Synth => "synth",
        }
    }
}

/// One source to load.
#[derive(Clone, Debug)]
pub struct SourceSpec {
    /// A folder or archive; `None` only for `Format::Synth`.
    pub path: Option<PathBuf>,
    pub format: Format,
    /// qlib: which `instruments/<market>.txt` gives membership.
    pub market: Option<String>,
}

/// What to load and how to combine it.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    pub sources: Vec<SourceSpec>,
    /// Field → source name (its format, e.g. `qlib`) whose values win where sources overlap.
    pub prefer: BTreeMap<String, String>,
    /// Keep only dates in `[start, end]`.
    pub start: Option<Date>,
    pub end: Option<Date>,
    /// An industry file (`code, industry` CSV, e.g. the shared ZXF snapshot) to attach.
    pub industry: Option<PathBuf>,
    /// The synthetic market's settings, for `Format::Synth` sources.
    pub synth: SynthConfig,
}

/// A loaded market and what loading found out.
pub struct Loaded {
    pub panel: Panel,
    /// Source names, in order (`qlib`, `baostock`, `standard#2`, …).
    pub names: Vec<String>,
    pub disagreements: Vec<Disagreement>,
    /// Membership sources compared where several are given.
    pub membership: Vec<crate::data::membership::Comparison>,
}

/// Detects a source's format from its shape.
pub fn detect(src: &Source) -> Result<Format> {
    if qlib::detect(src) {
        Ok(Format::Qlib)
    } else if standard::detect(src) {
        Ok(Format::Standard)
    } else if baostock::detect(src) {
        Ok(Format::Baostock)
    } else if accounts::baostock_tables::detect(src) {
        Ok(Format::BaostockAccounts)
    } else {
        Err(Error::format(
            src.root().display(),
            "unrecognised data folder: expected daily.csv[.gz] (standard), calendars/day.txt (qlib), \
             files like sh.600519.csv (baostock) or profit_data.csv (baostock_accounts); qlib_pit and \
             index_changes sources need their format named; see docs/DATA.md",
        ))
    }
}

/// Loads one source.
/// `range` (`[start, end]`): the days a reader may keep alone (the qlib reader: its matrices
/// over those days only); the caller still slices the merged panel.
pub fn load_one(spec: &SourceSpec, synth: &SynthConfig, range: (Option<Date>, Option<Date>)) -> Result<(Format, Panel)> {
    if spec.format == Format::Synth {
        return Ok((Format::Synth, generate(synth)?.panel));
    }
    let path = spec.path.as_deref().ok_or_else(|| Error::Config(format!("format {} needs a path", spec.format.name())))?;
    match spec.format {
        Format::BaostockAccounts => return Ok((spec.format, sources::read_accounts(path)?)),
        Format::QlibPit => return Ok((spec.format, sources::read_qlib_pit(path)?)),
        Format::IndexChanges => return Ok((spec.format, sources::read_index_changes(path)?)),
        _ => {}
    }
    let src = Source::open(path)?;
    let format = match spec.format {
        Format::Auto => detect(&src)?,
        f => f,
    };
    let panel = match format {
        Format::Standard => standard::read_standard(&src)?,
        Format::Qlib => qlib::read_qlib(&src, spec.market.as_deref(), range)?,
        Format::Baostock => baostock::read_baostock(&src)?,
        Format::BaostockAccounts => accounts_panel(&src, None)?,
        Format::Auto | Format::Synth | Format::QlibPit | Format::IndexChanges => unreachable!("resolved above"),
    };
    Ok((format, panel))
}

/// Loads, merges and slices every source of `opts`.
pub fn load(opts: &LoadOptions) -> Result<Loaded> {
    if opts.sources.is_empty() {
        return Err(Error::Config("no data source given".into()));
    }
    let mut parts = Vec::new();
    for spec in &opts.sources {
        // A lone source may keep only the days asked for (merging several compares their
        // whole spans first).
        let range = if opts.sources.len() == 1 { (opts.start, opts.end) } else { (None, None) };
        let (format, panel) = load_one(spec, &opts.synth, range)?;
        let base = format.name().to_string();
        let n = parts.iter().filter(|(n, _): &&(String, Panel)| n.split('#').next() == Some(&base)).count();
        let name = if n == 0 { base } else { format!("{base}#{}", n + 1) };
        parts.push((name, panel));
    }
    let names = parts.iter().map(|p| p.0.clone()).collect();
    let ends = sources::end_dates_warning(&parts);
    let (universe, membership) = sources::take_universes(&mut parts);
    let (mut panel, disagreements) = merge(parts, &opts.prefer)?;
    panel.warnings.extend(ends);
    sources::finish_merged(&mut panel, universe);
    let membership = membership
        .into_iter()
        .filter_map(|(a, b, from, to)| crate::data::membership::compare(&panel.dates, (&a.0, &a.1), (&b.0, &b.1), from, to));
    let membership = membership.collect();
    if let Some(path) = &opts.industry {
        panel.industry = read_industry_file(path)?;
    }
    if opts.start.is_some() || opts.end.is_some() {
        panel = slice_dates(panel, opts.start, opts.end)?;
    }
    check_universe(&panel)?;
    Ok(Loaded { panel, names, disagreements, membership })
}

/// [`load`] for the stages: the warnings go to stderr, each text once per process (`run`
/// loads the market in several stages), and the panel is returned.
pub fn load_panel(opts: &LoadOptions) -> Result<Panel> {
    let loaded = load(opts)?;
    for w in &loaded.panel.warnings {
        if first_time(w) {
            eprintln!("warning: {w}");
        }
    }
    Ok(loaded.panel)
}

/// True the first time this process asks about `text`.
fn first_time(text: &str) -> bool {
    static SEEN: std::sync::Mutex<std::collections::BTreeSet<String>> = std::sync::Mutex::new(std::collections::BTreeSet::new());
    SEEN.lock().map(|mut s| s.insert(text.to_string())).unwrap_or(true)
}

/// Reads an industry CSV (`code, industry`; plain or `.gz`).
pub fn read_industry_file(path: &Path) -> Result<BTreeMap<String, String>> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| Error::format(path.display(), "not a file name"))?;
    let src = Source::Dir(dir.to_path_buf());
    standard::read_industry(crate::data::table::Table::new(src.display(name), src.stream(name)?)?)
}

/// Keeps the dates in `[start, end]` (either bound optional).
pub fn slice_dates(mut p: Panel, start: Option<Date>, end: Option<Date>) -> Result<Panel> {
    let (a, b) = range_positions(&p.dates, start, end);
    if a >= b {
        return Err(Error::Config(format!(
            "no trading days in the range {}..{} (data covers {}..{})",
            start.map_or("start".into(), |d| d.to_string()),
            end.map_or("end".into(), |d| d.to_string()),
            p.dates.first().map_or("-".into(), |d| d.to_string()),
            p.dates.last().map_or("-".into(), |d| d.to_string()),
        )));
    }
    let ns = p.stocks.len();
    // In place: no fresh pages (the panel's matrices are its largest part), and the
    // shrink of a large allocation is a remap, not a copy.
    for m in p.fields.values_mut() {
        m.data.copy_within(a * ns..b * ns, 0);
        m.data.truncate((b - a) * ns);
        m.data.shrink_to_fit();
        m.n_dates = b - a;
    }
    for s in p.indices.values_mut() {
        for v in s.fields.values_mut() {
            *v = v[a..b].to_vec();
        }
    }
    p.dates = p.dates[a..b].to_vec();
    Ok(p)
}

/// An error when the panel has prices but no stock is a member with a price on any day:
/// every later stage would write header-only tables and NaN statistics.
fn check_universe(p: &Panel) -> Result<()> {
    let Some(close) = p.fields.get(crate::data::field::CLOSE) else { return Ok(()) };
    let mask = p.universe_mask();
    if mask.iter().zip(&close.data).any(|(m, c)| *m && c.is_finite()) {
        return Ok(());
    }
    let (first, last) =
        (p.dates.first().map_or("-".into(), |d| d.to_string()), p.dates.last().map_or("-".into(), |d| d.to_string()));
    let why = match &p.universe {
        Some(spells) => format!(
            "no member of the membership list has a price on these days ({} spells kept; spells of stocks \
             without any bar are dropped)",
            spells.len()
        ),
        None => "no stock has a price".to_string(),
    };
    Err(Error::Config(format!(
        "the universe is empty over {first}..{last} ({} stocks, {} days): {why}; check the market, \
         the membership file and the date range",
        p.n_stocks(),
        p.n_dates()
    )))
}

/// A source spec from a CLI path and format.
pub fn spec(path: &Path, format: Format, market: Option<String>) -> SourceSpec {
    SourceSpec { path: Some(path.to_path_buf()), format, market }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_warning_text_is_printed_once_per_process() {
        let text = "a warning only this test gives";
        assert!(super::first_time(text));
        assert!(!super::first_time(text));
        assert!(super::first_time("another text"));
    }
}
