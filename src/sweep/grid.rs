//! The grid: the product of the `[sweep]` lists, in a fixed order, optionally a seeded
//! sample of it, and the deterministic shard `I/N` of that. Every trial has a stable id
//! built from its parameters, so reruns, resumes and shards agree on names.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::network::Cell;
use crate::rng::Rng;
use crate::sweep::config::SweepConfig;

/// One configuration of the grid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrialParams {
    pub mem_day: usize,
    pub lstm_layers: usize,
    pub dense_layers: usize,
    pub units: usize,
    pub lr: f64,
    pub batch_size: usize,
    pub dropout: f64,
    /// Attention pooling (`[model] attention`); left out of files when off.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub attention: bool,
    /// The recurrent cell (`[model] cell`); left out of files when LSTM.
    #[serde(default, skip_serializing_if = "Cell::is_lstm")]
    pub cell: Cell,
    /// The training seed when the sweep lists `seeds` (`None`: `[train] seed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

impl TrialParams {
    /// A stable, readable id, e.g. `m10-l2-d1-u32-lr1e-3-b32-p0.1`, with `-gru` for GRU
    /// layers, `-att` for attention and ending `-s3` for seed 3 when the sweep lists seeds.
    pub fn id(&self) -> String {
        let seed = self.seed.map(|s| format!("-s{s}")).unwrap_or_default();
        let att = if self.attention { "-att" } else { "" };
        let cell = if self.cell == Cell::Gru { "-gru" } else { "" };
        format!(
            "m{}-l{}-d{}-u{}-lr{:e}-b{}-p{}{cell}{att}{seed}",
            self.mem_day, self.lstm_layers, self.dense_layers, self.units, self.lr, self.batch_size, self.dropout
        )
    }

    /// Multiply-adds of one sample's forward pass (for ordering and GPU sizing).
    pub fn cost(&self, n_features: usize) -> usize {
        let u = self.units;
        let g = self.cell.gates() * u;
        let lstm: usize = (0..self.lstm_layers).map(|l| (if l == 0 { n_features } else { u } + u) * g).sum();
        let attention = if self.attention { self.mem_day * u * crate::model::attention::attention_width(u) } else { 0 };
        self.mem_day * lstm + attention + self.dense_layers * u * u + u
    }
}

/// Which part of the grid this process runs: `I/N` (0-based I).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Shard, String> {
        let (i, n) = s.split_once('/').ok_or_else(|| format!("`{s}`: expected I/N, e.g. 0/4"))?;
        let index: usize = i.trim().parse().map_err(|_| format!("`{s}`: I is not a number"))?;
        let count: usize = n.trim().parse().map_err(|_| format!("`{s}`: N is not a number"))?;
        if count == 0 || index >= count {
            return Err(format!("`{s}`: need 0 <= I < N"));
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The grid of `[sweep]` `s`: lists left empty take `base`'s value (`Config::base_trial`: the
/// config's `[dataset]`, `[model]`, `[train]`). Order: mem_day, lstm_layers, dense_layers, units, lr, batch_size, dropout,
/// cell, attention, seed (the last varies fastest). With `sample = N > 0`, N distinct configurations drawn with the
/// sweep's seed, kept in grid order.
pub fn expand(s: &SweepConfig, base: &TrialParams) -> Result<Vec<TrialParams>> {
    s.validate()?;
    // Each list multiplies the grid so far, so the later lists vary faster.
    let mut grid = vec![base.clone()];
    grid = along(grid, &s.mem_days, |t, v| t.mem_day = v);
    grid = along(grid, &s.lstm_layers, |t, v| t.lstm_layers = v);
    grid = along(grid, &s.dense_layers, |t, v| t.dense_layers = v);
    grid = along(grid, &s.units, |t, v| t.units = v);
    grid = along(grid, &s.lr, |t, v| t.lr = v);
    grid = along(grid, &s.batch_size, |t, v| t.batch_size = v);
    grid = along(grid, &s.dropout, |t, v| t.dropout = v);
    grid = along(grid, &s.cell, |t, v| t.cell = v);
    grid = along(grid, &s.attention, |t, v| t.attention = v);
    grid = along(grid, &s.seeds, |t, v| t.seed = Some(v));
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = grid.iter().find(|t| !seen.insert(t.id())) {
        return Err(Error::Config(format!("sweep: the lists repeat a value (trial {} appears twice)", dup.id())));
    }
    if s.sample > 0 && s.sample < grid.len() {
        let mut idx: Vec<usize> = (0..grid.len()).collect();
        Rng::new(s.seed ^ crate::rng::salt::GRID_SAMPLE).shuffle(&mut idx);
        let mut keep = idx[..s.sample].to_vec();
        keep.sort_unstable();
        grid = keep.into_iter().map(|i| grid[i].clone()).collect();
    }
    Ok(grid)
}

/// Every trial of `grid` once per value of `values` (in that order), the value set by `set`;
/// `grid` unchanged when `values` is empty (the trials keep the base's value).
fn along<T: Copy>(grid: Vec<TrialParams>, values: &[T], set: impl Fn(&mut TrialParams, T)) -> Vec<TrialParams> {
    if values.is_empty() {
        return grid;
    }
    let mut out = Vec::with_capacity(grid.len() * values.len());
    for t in grid {
        for &v in values {
            let mut t = t.clone();
            set(&mut t, v);
            out.push(t);
        }
    }
    out
}

/// The trials (or their ids) of shard `I/N`: every N-th starting at I (balanced across
/// shards); the whole grid without a shard.
pub fn shard<T>(grid: Vec<T>, shard: Option<Shard>) -> Vec<T> {
    match shard {
        None => grid,
        Some(Shard { index, count }) => {
            grid.into_iter().enumerate().filter(|(i, _)| i % count == index).map(|(_, t)| t).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    /// The config as parsed, before `Config::validate` (which would refuse the bad grids
    /// below first): the grid's own checks are under test.
    fn cfg(text: &str) -> Config {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn paper_grid_has_54_distinct_ids_and_shards_partition_it() {
        let c = cfg("[sweep]\nmem_days=[5,10,15]\nlstm_layers=[1,2,3]\ndense_layers=[1,2,3]\nunits=[16,32]\n");
        let g = c.grid().unwrap();
        assert_eq!(g.len(), 54);
        assert_eq!(g[0].id(), "m5-l1-d1-u16-lr1e-3-b256-p0.1");
        let a = shard(g.clone(), Some("0/2".parse().unwrap()));
        let b = shard(g.clone(), Some("1/2".parse().unwrap()));
        assert_eq!(a.len() + b.len(), 54);
        let mut ids: Vec<String> = a.iter().chain(&b).map(TrialParams::id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 54);
    }

    /// `seeds` multiplies the grid, varies fastest, and names each trial's seed; without it
    /// the ids are those of sweeps from before the list existed.
    #[test]
    fn seeds_train_each_configuration_once_per_seed() {
        let g = cfg("[sweep]\nunits=[8,16]\nseeds=[3,1]\n").grid().unwrap();
        let ids: Vec<String> = g.iter().map(TrialParams::id).collect();
        assert_eq!(
            ids,
            [
                "m10-l1-d1-u8-lr1e-3-b256-p0.1-s3",
                "m10-l1-d1-u8-lr1e-3-b256-p0.1-s1",
                "m10-l1-d1-u16-lr1e-3-b256-p0.1-s3",
                "m10-l1-d1-u16-lr1e-3-b256-p0.1-s1"
            ]
        );
        assert_eq!(g[1].seed, Some(1));
        let plain = cfg("[sweep]\nunits=[8,16]\n").grid().unwrap();
        assert!(plain.iter().all(|t| t.seed.is_none()));
        assert_eq!(plain[0].id(), "m10-l1-d1-u8-lr1e-3-b256-p0.1");
        let err = cfg("[sweep]\nseeds=[2,2]\n").grid().unwrap_err().to_string();
        assert!(err.contains("-s2 appears twice"), "{err}");
    }

    /// `attention = [false, true]` trains each configuration with and without attention
    /// pooling (before the seeds), ids `-att` for the latter; without the list every trial
    /// takes `[model] attention`.
    #[test]
    fn attention_list_trains_each_configuration_with_and_without() {
        let g = cfg("[sweep]\nunits=[8]\nattention=[false,true]\nseeds=[1,2]\n").grid().unwrap();
        let ids: Vec<String> = g.iter().map(TrialParams::id).collect();
        assert_eq!(
            ids,
            [
                "m10-l1-d1-u8-lr1e-3-b256-p0.1-s1",
                "m10-l1-d1-u8-lr1e-3-b256-p0.1-s2",
                "m10-l1-d1-u8-lr1e-3-b256-p0.1-att-s1",
                "m10-l1-d1-u8-lr1e-3-b256-p0.1-att-s2"
            ]
        );
        assert_eq!(g.iter().map(|t| t.attention).collect::<Vec<_>>(), [false, false, true, true]);
        let on = cfg("[model]\nattention=true\n[sweep]\nunits=[8,16]\n").grid().unwrap();
        assert!(on.iter().all(|t| t.attention && t.id().ends_with("-att")));
        let err = cfg("[sweep]\nattention=[true,true]\n").grid().unwrap_err().to_string();
        assert!(err.contains("-att appears twice"), "{err}");
    }

    /// `cell = ["lstm", "gru"]` trains each configuration with both cells (before attention
    /// and the seeds), ids `-gru` for GRU layers; without the list every trial takes
    /// `[model] cell`; the cost counts three gate blocks for a GRU.
    #[test]
    fn cell_list_trains_each_configuration_with_both_cells() {
        let g = cfg("[sweep]\nunits=[8]\ncell=[\"lstm\",\"gru\"]\nattention=[false,true]\n").grid().unwrap();
        let ids: Vec<String> = g.iter().map(TrialParams::id).collect();
        assert_eq!(
            ids,
            [
                "m10-l1-d1-u8-lr1e-3-b256-p0.1",
                "m10-l1-d1-u8-lr1e-3-b256-p0.1-att",
                "m10-l1-d1-u8-lr1e-3-b256-p0.1-gru",
                "m10-l1-d1-u8-lr1e-3-b256-p0.1-gru-att"
            ]
        );
        assert!(g[0].cost(7) > g[2].cost(7), "a GRU step costs 3 gate blocks against 4");
        let on = cfg("[model]\ncell=\"gru\"\n[sweep]\nunits=[8,16]\n").grid().unwrap();
        assert!(on.iter().all(|t| t.cell == Cell::Gru && t.id().ends_with("-gru")));
        let err = cfg("[sweep]\ncell=[\"gru\",\"gru\"]\n").grid().unwrap_err().to_string();
        assert!(err.contains("-gru appears twice"), "{err}");
        let err = toml::from_str::<Config>("[model]\ncell=\"rnn\"\n").unwrap_err().to_string();
        assert!(err.contains("unknown variant `rnn`"), "{err}");
    }

    #[test]
    fn sampling_is_seeded_and_in_grid_order() {
        let text = "[sweep]\nmem_days=[5,10,15]\nunits=[8,16,32,64]\nsample=5\nseed=3\n";
        let (a, b) = (cfg(text).grid().unwrap(), cfg(text).grid().unwrap());
        assert_eq!(a, b);
        assert_eq!(a.len(), 5);
        let c = cfg(&text.replace("seed=3", "seed=4")).grid().unwrap();
        assert_ne!(a, c);
    }

    #[test]
    fn bad_values_and_shards_are_errors() {
        assert!(cfg("[sweep]\nunits=[0]\n").grid().is_err());
        assert!(cfg("[sweep]\nunits=[8,8]\n").grid().is_err());
        assert!(cfg("[sweep]\nscheduler=\"asha\"\n[sweep.asha]\nrungs=[5,3]\n").grid().is_err());
        assert!("2/2".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
    }
}
