//! `DataSummary`: what a user should know about a data set before spending GPU hours on it.

use std::fmt;

use crate::data::membership::Comparison;
use crate::data::merge::Disagreement;
use crate::data::panel::{Panel, field};

/// Minimum, median and maximum of a count over dates.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct Spread {
    pub min: usize,
    pub median: usize,
    pub max: usize,
}

impl Spread {
    fn of(mut v: Vec<usize>) -> Spread {
        if v.is_empty() {
            return Spread::default();
        }
        v.sort_unstable();
        Spread { min: v[0], median: v[v.len() / 2], max: v[v.len() - 1] }
    }
}

/// One field's coverage.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FieldCoverage {
    pub field: String,
    /// Share of member stock-days (or listed stock-days without membership data) that are NaN.
    pub missing_share: f64,
}

/// One paper category's factor support (computed by the factor library, `factors::support_table`).
#[derive(Clone, Debug, serde::Serialize)]
pub struct CategorySupport {
    pub category: String,
    pub direct: Vec<String>,
    pub derived: Vec<String>,
    /// Factor code → missing inputs.
    pub unavailable: Vec<(String, Vec<String>)>,
}

/// The summary `alphasweep data` prints.
#[derive(Clone, Debug, serde::Serialize)]
pub struct DataSummary {
    pub sources: Vec<String>,
    pub first_date: String,
    pub last_date: String,
    pub trading_days: usize,
    pub stocks: usize,
    pub has_membership: bool,
    /// Members per day, and members that have a price that day.
    pub members_per_day: Spread,
    pub members_with_price_per_day: Spread,
    pub fields: Vec<FieldCoverage>,
    pub suspended_stock_days: usize,
    pub suspended_member_days: usize,
    pub indices: Vec<String>,
    pub financial_reports: usize,
    pub financial_fields: Vec<String>,
    pub industries: usize,
    pub stocks_with_industry: usize,
    pub factor_support: Vec<CategorySupport>,
    /// The config's formulaic feature sets (set by the caller, `factors::formulaic::support`).
    pub feature_support: Vec<CategorySupport>,
    pub disagreements: Vec<Disagreement>,
    /// Membership sources compared (set by the caller from `Loaded::membership`).
    pub membership: Vec<Comparison>,
    /// Accounts items made by an approximation: item → how.
    pub derived_items: Vec<(String, String)>,
    pub warnings: Vec<String>,
}

impl DataSummary {
    /// The summary of `panel`; `factor_support` comes from the factor library
    /// (`factors::support_table`), which sits above the data floor.
    pub fn new(panel: &Panel, disagreements: Vec<Disagreement>, factor_support: Vec<CategorySupport>) -> DataSummary {
        let (nd, ns) = (panel.n_dates(), panel.n_stocks());
        let mask = panel.universe_mask();
        let close = panel.field(field::CLOSE);
        let priced = |i: usize| close.is_some_and(|c| c.data[i].is_finite());
        // Members per day counts every spell, including members the data has no prices for.
        let members = match &panel.universe {
            Some(spells) => Spread::of(
                panel.dates.iter().map(|d| spells.iter().filter(|sp| sp.start <= *d && *d <= sp.end).count()).collect(),
            ),
            None => Spread::of((0..nd).map(|d| (0..ns).filter(|&s| mask[d * ns + s]).count()).collect()),
        };
        let with_price =
            Spread::of((0..nd).map(|d| (0..ns).filter(|&s| mask[d * ns + s] && priced(d * ns + s)).count()).collect());
        let base: Vec<usize> = (0..nd * ns).filter(|&i| mask[i]).collect();
        let fields = panel
            .fields
            .iter()
            .map(|(name, m)| FieldCoverage {
                field: name.clone(),
                missing_share: if base.is_empty() {
                    f64::NAN
                } else {
                    base.iter().filter(|&&i| m.data[i].is_nan()).count() as f64 / base.len() as f64
                },
            })
            .collect();
        let suspended = panel.suspended_mask().unwrap_or_default();
        let industries: std::collections::BTreeSet<&String> = panel.industry.values().collect();
        DataSummary {
            sources: panel.provenance.clone(),
            first_date: panel.dates.first().map(|d| d.to_string()).unwrap_or_default(),
            last_date: panel.dates.last().map(|d| d.to_string()).unwrap_or_default(),
            trading_days: nd,
            stocks: ns,
            has_membership: panel.universe.is_some(),
            members_per_day: members,
            members_with_price_per_day: with_price,
            fields,
            suspended_stock_days: suspended.iter().filter(|s| **s).count(),
            suspended_member_days: suspended.iter().zip(&mask).filter(|(s, m)| **s && **m).count(),
            indices: panel.indices.keys().cloned().collect(),
            financial_reports: panel.financials.as_ref().map_or(0, |f| f.reports.len()),
            financial_fields: panel.financials.as_ref().map_or(vec![], |f| f.fields.clone()),
            industries: industries.len(),
            stocks_with_industry: panel.industry.keys().filter(|c| panel.stock_index(c).is_some()).count(),
            factor_support,
            feature_support: vec![],
            disagreements,
            membership: Vec::new(),
            derived_items: panel
                .financials
                .as_ref()
                .map_or(vec![], |f| f.derived.iter().map(|(k, v)| (k.clone(), v.to_string())).collect()),
            warnings: panel.warnings.clone(),
        }
    }
}

impl fmt::Display for DataSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for s in &self.sources {
            writeln!(f, "source        {s}")?;
        }
        writeln!(f, "dates         {} .. {}  ({} trading days)", self.first_date, self.last_date, self.trading_days)?;
        writeln!(f, "stocks        {}", self.stocks)?;
        let m = self.members_per_day;
        let p = self.members_with_price_per_day;
        if self.has_membership {
            writeln!(
                f,
                "members/day   min {}  median {}  max {}   (with a price: min {}  median {}  max {})",
                m.min, m.median, m.max, p.min, p.median, p.max
            )?;
        } else {
            writeln!(
                f,
                "members/day   no membership data: every stock with a price counts (min {}  median {}  max {})",
                m.min, m.median, m.max
            )?;
        }
        writeln!(f, "suspended     {} stock-days ({} while a member)", self.suspended_stock_days, self.suspended_member_days)?;
        writeln!(f, "indices       {}", if self.indices.is_empty() { "none".into() } else { self.indices.join(", ") })?;
        if self.financial_reports > 0 {
            writeln!(f, "financials    {} reports; items: {}", self.financial_reports, self.financial_fields.join(", "))?;
        } else {
            writeln!(f, "financials    none")?;
        }
        writeln!(f, "industry      {} stocks labelled, {} industries", self.stocks_with_industry, self.industries)?;
        writeln!(f, "\nfield           missing (of member stock-days)")?;
        for c in &self.fields {
            writeln!(f, "  {:<14} {:>6.2}%", c.field, 100.0 * c.missing_share)?;
        }
        if !self.disagreements.is_empty() {
            writeln!(f, "\nwhere sources overlap (winner vs other: stock-days, median / max relative difference, count > 1e-4)")?;
            for d in &self.disagreements {
                writeln!(
                    f,
                    "  {:<12} {} vs {}: {} overlap, median {:.2e}, max {:.2e}, {} above 1e-4",
                    d.field, d.winner, d.other, d.overlap, d.median_rel, d.max_rel, d.over_1e4
                )?;
            }
        }
        for c in &self.membership {
            writeln!(f, "\nmembership    {} vs {}, {} .. {}", c.a, c.b, c.first, c.last)?;
            let (a, b) = (c.per_day_a, c.per_day_b);
            writeln!(
                f,
                "  members/day  {}: min {} median {} max {};  {}: min {} median {} max {}",
                c.a, a[0], a[1], a[2], c.b, b[0], b[1], b[2]
            )?;
            writeln!(f, "  days that differ: {}", c.days_differ)?;
            writeln!(f, "  only in {} ({}): {}", c.a, c.only_a.len(), c.only_a.join(" "))?;
            writeln!(f, "  only in {} ({}): {}", c.b, c.only_b.len(), c.only_b.join(" "))?;
        }
        if !self.derived_items.is_empty() {
            writeln!(f, "\naccounts items made by approximation")?;
            for (item, how) in &self.derived_items {
                writeln!(f, "  {item:<22} {how}")?;
            }
        }
        let count = |g: fn(&CategorySupport) -> usize| self.factor_support.iter().map(g).sum::<usize>();
        let (direct, derived) = (count(|c| c.direct.len()), count(|c| c.derived.len()));
        let total = direct + derived + count(|c| c.unavailable.len());
        writeln!(f, "\npaper factors this data supports: {} of {total} ({direct} direct, {derived} derived)", direct + derived)?;
        for c in &self.factor_support {
            let n = c.direct.len() + c.derived.len() + c.unavailable.len();
            write!(f, "  {:<13} {:>2}/{:<2} direct", c.category, c.direct.len(), n)?;
            if !c.derived.is_empty() {
                write!(f, ", {} derived ({})", c.derived.len(), c.derived.join(", "))?;
            }
            writeln!(f)?;
            for (code, missing) in &c.unavailable {
                writeln!(f, "      missing {code:<28} needs {}", missing.join(", "))?;
            }
        }
        if !self.feature_support.is_empty() {
            writeln!(f, "\nformulaic features of the config")?;
        }
        for c in &self.feature_support {
            let n = c.direct.len() + c.unavailable.len();
            writeln!(f, "  {:<13} {:>3}/{:<3} computable", c.category, c.direct.len(), n)?;
            for (code, missing) in &c.unavailable {
                writeln!(f, "      missing {code:<28} needs {}", missing.join(", "))?;
            }
        }
        for w in &self.warnings {
            writeln!(f, "\nwarning: {w}")?;
        }
        Ok(())
    }
}
