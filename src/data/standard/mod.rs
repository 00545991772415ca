//! The standard format: a folder of CSV files (plain or `.gz`), documented column by column
//! in docs/DATA.md.
//!
//! | file | required | holds |
//! |---|---|---|
//! | `daily.csv` | yes | one row per (date, code): bars, volume, optional valuation fields |
//! | `index.csv` | no | benchmark index bars |
//! | `universe.csv` | no | index membership spells |
//! | `industry.csv` | no | industry label per code |
//! | `financials.csv` | no | quarterly reports with announcement dates |

pub mod daily;
mod extras;
pub mod write;

use crate::data::fast_csv::FastCsv;
use crate::data::panel::Panel;
use crate::data::rows::DailyRows;
use crate::data::source::Source;
use crate::data::table::Table;
use crate::error::{Error, Result};

pub use extras::read_industry;
pub use write::write_standard;

/// True if the source looks like a standard-format folder.
pub fn detect(src: &Source) -> bool {
    !matches!(src.find_csv("daily"), Ok(None))
}

/// Reads a standard-format folder into a panel.
pub fn read_standard(src: &Source) -> Result<Panel> {
    let daily = src
        .find_csv("daily")?
        .ok_or_else(|| Error::format(src.root().display(), "no daily.csv or daily.csv.gz: not a standard-format folder"))?;
    let mut rows: Option<DailyRows> = None;
    let info = daily::read_daily(FastCsv::open(src.display(&daily), src.stream(&daily)?)?, &mut rows)?;
    let rows = rows.expect("read_daily fills rows");
    if info.adjust_flags & 0b110 != 0 {
        return Err(Error::format(
            src.display(&daily),
            "adjustflag 1 or 2: the prices are adjusted; the standard format wants unadjusted bars \
             (adjustflag=3), or read the files as a `baostock` source beside a raw-price source",
        ));
    }

    let index = match src.find_csv("index")? {
        Some(f) => Some(extras::read_index(Table::new(src.display(&f), src.stream(&f)?)?)?),
        None => None,
    };
    let extra_dates: Vec<_> = index.as_ref().map(|i| i.dates()).unwrap_or_default();
    let mut panel = rows.into_panel(&extra_dates);
    if let Some(index) = index {
        index.attach(&mut panel);
    }
    if let Some(f) = src.find_csv("universe")? {
        panel.universe = Some(extras::read_universe(Table::new(src.display(&f), src.stream(&f)?)?)?);
    }
    if let Some(f) = src.find_csv("industry")? {
        panel.industry = extras::read_industry(Table::new(src.display(&f), src.stream(&f)?)?)?;
    }
    if let Some(f) = src.find_csv("financials")? {
        panel.financials = Some(extras::read_financials(Table::new(src.display(&f), src.stream(&f)?)?)?);
    }
    let mut line = format!("standard: {}", src.root().display());
    if info.adjusted_input {
        line.push_str(" (prices given adjusted with qlib `factor`; stored raw = price / factor)");
    }
    if !info.ignored.is_empty() {
        line.push_str(&format!("; ignored columns: {}", info.ignored.join(", ")));
    }
    panel.provenance.push(line);
    Ok(panel)
}
