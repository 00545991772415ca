//! `alphasweep bench gpu`: the GPU engine's throughput on the full-size synthetic panel, the
//! figures `scripts/gpu_bench.sh` sets beside PyTorch's (`scripts/gpu_bench_torch.py`, same
//! JSON schema): single-trial samples/s for three shapes at batch 32, 512 and 4096, and the
//! paper's 54-trial grid (mem_day 5/10/15 × LSTM 1–3 × dense 1–3 × units 16/32) at batch 32 and
//! 4096, packed by layer counts (9 packs of 6), one epoch projected from timed steps.

// Without a GPU feature only the arguments are used (the command explains how to build).
#![cfg_attr(not(any(feature = "wgpu", feature = "cuda")), allow(dead_code))]

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use alphasweep::engine::device::DeviceKind;

#[derive(Debug, Args)]
pub struct BenchGpuArgs {
    /// `cuda`, `wgpu` or `auto`.
    #[arg(long, value_enum, default_value = "auto")]
    pub device: DeviceKind,
    /// Write the figures as JSON here too.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Seconds timed per single-trial case and per grid pack (after warm-up).
    #[arg(long, default_value_t = 2.0)]
    pub seconds: f64,
    /// Trials per pack in the grid (the paper's grid packs 6 per layer pair).
    #[arg(long, default_value_t = 8)]
    pub pack: usize,
    /// A smoke test (e.g. on lavapipe): the first shape at batch 32 and 512, two grid packs at batch 32.
    #[arg(long)]
    pub quick: bool,
    /// The recurrent cell of every case (`gru`: qlib's GRU; `scripts/gpu_bench_torch.py --cell`
    /// times the same with `nn.GRU`).
    #[arg(long, value_enum, default_value = "lstm")]
    pub cell: alphasweep::model::network::Cell,
}

#[derive(Serialize)]
struct Single {
    units: usize,
    lstm_layers: usize,
    dense_layers: usize,
    mem_day: usize,
    batch: usize,
    samples_per_s: f64,
}

#[derive(Serialize)]
struct GridRow {
    batch: usize,
    trials: usize,
    epoch_s: f64,
    projected_50_epochs_s: f64,
    measured: String,
}

#[derive(Serialize)]
struct Panel {
    stocks: usize,
    days: usize,
    features: usize,
    train_windows: usize,
}

#[derive(Serialize)]
struct Report {
    engine: &'static str,
    device: String,
    cell: alphasweep::model::network::Cell,
    quick: bool,
    panel: Panel,
    single: Vec<Single>,
    grid: Vec<GridRow>,
}

pub fn run(a: BenchGpuArgs) -> anyhow::Result<()> {
    #[cfg(not(any(feature = "wgpu", feature = "cuda")))]
    {
        let _ = a;
        anyhow::bail!("this alphasweep was built without a GPU backend: build with `--features cuda,wgpu`")
    }
    #[cfg(any(feature = "wgpu", feature = "cuda"))]
    measure(a)
}

#[cfg(any(feature = "wgpu", feature = "cuda"))]
fn measure(a: BenchGpuArgs) -> anyhow::Result<()> {
    use alphasweep::engine::gpu::{PackTrial, open, time_steps};
    use alphasweep::model::network::NetworkConfig;
    use alphasweep::model::train::TrainConfig;

    let dev = open(a.device)?;
    let data = super::bench::full_panel(20)?;
    let panel =
        Panel { stocks: data.n_stocks, days: data.dates.len(), features: data.n_features, train_windows: data.train.len() };
    println!(
        "device: {}; {:?} cells; panel {} stocks x {} days x {} factors, {} training windows",
        dev.name(),
        a.cell,
        panel.stocks,
        panel.days,
        panel.features,
        panel.train_windows
    );
    let trial = |units, lstm, dense, mem_day, batch| PackTrial {
        net: NetworkConfig { cell: a.cell, ..NetworkConfig::lstm(data.n_features, lstm, dense, units, 0.1) },
        seq: mem_day,
        cfg: TrainConfig { batch_size: batch, lr: 1e-3, grad_clip: Some(1.0), ..Default::default() },
    };
    let view = |m: usize| data.with_mem_day(m);
    let mut single = vec![];
    let shapes: &[(usize, usize, usize, usize)] =
        if a.quick { &[(16, 1, 1, 5)] } else { &[(16, 1, 1, 5), (32, 3, 3, 15), (128, 2, 2, 20)] };
    let batches: &[usize] = if a.quick { &[32, 512] } else { &[32, 512, 4096] };
    println!("{:<28} {:>12}", "(units,lstm,dense,mem,batch)", "samples/s");
    for &(u, l, d, m) in shapes {
        for &b in batches {
            let v = view(m)?;
            let t = [trial(u, l, d, m, b)];
            let (steps, secs) = alphasweep::with_gpu!(&dev, gpu => time_steps(gpu, &t, &v, 5, 10, a.seconds));
            let rate = (steps * b) as f64 / secs;
            println!("{:<28} {:>12.0}", format!("({u},{l},{d},{m},{b})"), rate);
            single.push(Single { units: u, lstm_layers: l, dense_layers: d, mem_day: m, batch: b, samples_per_s: rate });
        }
    }
    let mut grid = vec![];
    let grid_batches: &[usize] = if a.quick { &[32] } else { &[32, 4096] };
    for &b in grid_batches {
        let steps_per_epoch = data.train.len().div_ceil(b);
        let mut epoch_s = 0.0;
        let mut packs = 0;
        let mut trials = 0;
        'outer: for l in 1..=3 {
            for d in 1..=3 {
                let all: Vec<PackTrial> = [5, 10, 15].iter().flat_map(|&m| [16, 32].map(|u| trial(u, l, d, m, b))).collect();
                for pack in all.chunks(a.pack.max(1)) {
                    if a.quick && packs == 2 {
                        break 'outer;
                    }
                    let v = view(15)?;
                    let (steps, secs) = alphasweep::with_gpu!(&dev, gpu => time_steps(gpu, pack, &v, 3, 5, a.seconds));
                    epoch_s += secs / steps as f64 * steps_per_epoch as f64;
                    packs += 1;
                    trials += pack.len();
                }
            }
        }
        println!(
            "grid, batch {b}: {trials} trials in {packs} packs, one epoch {epoch_s:.1} s, 50 epochs {:.1} min",
            epoch_s * 50.0 / 60.0
        );
        grid.push(GridRow {
            batch: b,
            trials,
            epoch_s,
            projected_50_epochs_s: epoch_s * 50.0,
            measured: format!(
                "packs of up to {} one after another, each epoch projected from >= {:.1} s of steps",
                a.pack, a.seconds
            ),
        });
    }
    let report =
        Report { engine: "alphasweep", device: dev.name().to_string(), cell: a.cell, quick: a.quick, panel, single, grid };
    if let Some(path) = &a.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)?)
            .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
