//! Factor selection (the paper's 3.1.3): drop weak factors, keep the best of each category by
//! a criterion with correlated ones removed (at most `per_category`), then prune the
//! survivors across categories by correlation. Every dropped factor gets its reason.

use serde::{Deserialize, Serialize};

/// What "best" means. Signs are ignored: a factor that predicts returns negatively is as
/// useful to a model as one that predicts them positively.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    /// Information ratio of the long-short portfolio over the first period (default).
    #[default]
    InformationRatio,
    /// Mean rank IC over the first period.
    Ic,
    /// Mean rank IC / its std (ICIR).
    Icir,
    /// alphalens' annualized alpha of the long-short portfolio.
    Alpha,
    /// Annualized return of the long-short portfolio.
    AnnReturn,
}

impl Criterion {
    /// The name outputs use (`information_ratio`, …).
    pub fn name(self) -> &'static str {
        match self {
            Criterion::InformationRatio => "information_ratio",
            Criterion::Ic => "ic",
            Criterion::Icir => "icir",
            Criterion::Alpha => "alpha",
            Criterion::AnnReturn => "ann_return",
        }
    }
}

/// One factor as selection sees it.
pub struct Candidate {
    pub code: String,
    pub category: String,
    /// The criterion's value (sign kept for reporting).
    pub score: f64,
    /// p-value of the mean rank IC (first period).
    pub p_value: f64,
    /// Mean rank IC (first period): its sign must agree with the score's.
    pub rank_ic: f64,
}

/// The outcome for one factor.
#[derive(Clone, Debug, Serialize)]
pub struct Decision {
    pub code: String,
    pub category: String,
    pub score: f64,
    pub selected: bool,
    pub reason: String,
    /// The statistic the factor was ranked by (the criterion).
    pub decided_by: String,
}

/// Selection settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SelectConfig {
    pub criterion: Criterion,
    /// |Spearman| above this makes a pair near-duplicates.
    pub corr_threshold: f64,
    /// At most this many factors per category.
    pub per_category: usize,
    /// A factor whose mean rank IC has a larger p-value is weak.
    pub max_p_value: f64,
}

impl Default for SelectConfig {
    fn default() -> Self {
        SelectConfig { criterion: Criterion::InformationRatio, corr_threshold: 0.7, per_category: 2, max_p_value: 0.05 }
    }
}

/// Decides for every candidate; `corr[i][j]` is the mean Spearman of candidates i and j.
/// One greedy pass, strongest |score| first: a factor is kept unless it is weak, correlated
/// above the threshold with a factor already kept (in its category or another), or its
/// category already holds `per_category` kept factors.
pub fn select(c: &[Candidate], corr: &[Vec<f64>], cfg: &SelectConfig) -> Vec<Decision> {
    let mut order: Vec<usize> = (0..c.len()).collect();
    order.sort_by(|&a, &b| c[b].score.abs().total_cmp(&c[a].score.abs()).then(a.cmp(&b)));
    let mut reason: Vec<Option<String>> = vec![None; c.len()];
    let mut kept: Vec<usize> = Vec::new();
    for &i in &order {
        let x = &c[i];
        reason[i] = if !(x.p_value <= cfg.max_p_value) || !x.score.is_finite() {
            Some(format!("weak: mean rank IC p-value {:.3} > {}", x.p_value, cfg.max_p_value))
        } else if x.score * x.rank_ic < 0.0 && cfg.criterion != Criterion::Ic {
            // Ranking by the statistic that flatters it would hide that the other disagrees.
            Some(format!(
                "inconsistent: {} {:+.4} and mean rank IC {:+.4} disagree in sign",
                cfg.criterion.name(),
                x.score,
                x.rank_ic
            ))
        } else if let Some(&k) = kept.iter().find(|&&k| corr[i][k].abs() > cfg.corr_threshold) {
            let place = if c[k].category == x.category { "in its category" } else { "across categories" };
            Some(format!("correlated with {} ({:.2}) {place}", c[k].code, corr[i][k]))
        } else if kept.iter().filter(|&&k| c[k].category == x.category).count() >= cfg.per_category {
            Some(format!("{} already has {} stronger factors", x.category, cfg.per_category))
        } else {
            kept.push(i);
            None
        };
    }
    c.iter()
        .enumerate()
        .map(|(i, x)| Decision {
            code: x.code.clone(),
            category: x.category.clone(),
            score: x.score,
            selected: reason[i].is_none(),
            reason: reason[i].clone().unwrap_or_else(|| format!("selected by {} {:+.4}", cfg.criterion.name(), x.score)),
            decided_by: cfg.criterion.name().into(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(code: &str, cat: &str, score: f64, p: f64) -> Candidate {
        Candidate { code: code.into(), category: cat.into(), score, p_value: p, rank_ic: score }
    }

    /// PE, PB, PS are near-duplicates (0.9): only the strongest, PS, survives in value;
    /// NOISE is weak; ROE is kept; SKEW correlates 0.8 with PS across categories and is
    /// weaker, so it goes. With one factor per category, a second value factor that is
    /// not correlated with PS is refused for lack of room.
    #[test]
    fn keeps_the_best_of_near_duplicates_and_explains_the_rest() {
        let c = [
            cand("PE", "value", 0.5, 0.01),
            cand("PB", "value", -0.6, 0.01),
            cand("PS", "value", 0.9, 0.001),
            cand("NOISE", "value", 0.1, 0.6),
            cand("ROE", "quality", 0.7, 0.001),
            cand("SKEW", "risk", -0.4, 0.01),
        ];
        let mut corr = vec![vec![0.0; 6]; 6];
        for (i, j, v) in [(0, 1, 0.9), (0, 2, 0.9), (1, 2, 0.9), (2, 5, 0.8)] {
            corr[i][j] = v;
            corr[j][i] = v;
        }
        let d = select(&c, &corr, &SelectConfig::default());
        let kept: Vec<&str> = d.iter().filter(|x| x.selected).map(|x| x.code.as_str()).collect();
        assert_eq!(kept, vec!["PS", "ROE"]);
        assert!(d[0].reason.contains("correlated with PS (0.90) in its category"), "{}", d[0].reason);
        assert!(d[3].reason.starts_with("weak"));
        assert!(d[5].reason.contains("correlated with PS (0.80) across categories"), "{}", d[5].reason);
        let c2 = [cand("PS", "value", 0.9, 0.001), cand("MV", "value", 0.5, 0.001)];
        let cfg = SelectConfig { per_category: 1, ..SelectConfig::default() };
        let d = select(&c2, &[vec![1.0, 0.1], vec![0.1, 1.0]], &cfg);
        assert_eq!((d[0].selected, d[1].selected), (true, false));
        assert_eq!(d[1].reason, "value already has 1 stronger factors");
    }
}
