//! The GPU engine against its references, on the `wgpu` backend (in CI: Mesa's lavapipe,
//! a CPU Vulkan driver; on a machine with a GPU, that GPU) or, with
//! `ALPHASWEEP_GPU_TEST_DEVICE=cuda`, on CUDA. Small shapes.
//! - outputs and gradients of a batch equal burn's autodiff of the same `LstmNet` (relative
//!   error below 1e-4), over layer counts, widths and window lengths, for LSTM and GRU cells,
//!   with and without attention pooling;
//! - a padded pack (mixed units and `mem_day`) gives each trial the gradients it gets alone
//!   (both cells, with and without attention);
//! - the Adam kernel moves parameters as the CPU engine's Adam (itself checked against burn);
//! - training a pack equals training its trials one by one, epoch by epoch (dropout masks
//!   included, with and without attention);
//! - without dropout, the engine trains as the CPU engine does (same start, batches, Adam),
//!   LSTM, GRU, and with attention;
//! - steps held in one day's row (`feature_steps`) are gathered as the same steps held as days.

use burn::backend::NdArray;

use super::pack::{PackShape, PackTrial};
use super::{GpuDevice, PackJob, adam_steps, batch_gradients, open, train_pack};
use crate::engine::cpu::Adam;
use crate::engine::cpu::tests::{as_steps_in_one_day, toy_data};
use crate::engine::cpu::tests_burn::{burn_reference, rel_err};
use crate::engine::device::DeviceKind;
use crate::engine::weights::Weights;
use crate::engine::{BatchFn, EpochFn};
use crate::model::dataset::WindowData;
use crate::model::network::{Cell, NetworkConfig};
use crate::model::train::{EpochRow, Flow, TrainConfig};
use crate::rng::Rng;

/// wgpu, or CUDA with `ALPHASWEEP_GPU_TEST_DEVICE=cuda` (a build with `--features cuda` on a
/// machine with an NVIDIA card: the same tests on the card).
fn device() -> GpuDevice {
    match std::env::var("ALPHASWEEP_GPU_TEST_DEVICE").as_deref() {
        Ok("cuda") => open(DeviceKind::Cuda).expect("a CUDA device (ALPHASWEEP_GPU_TEST_DEVICE=cuda)"),
        _ => open(DeviceKind::Wgpu).expect("a wgpu adapter (in CI: lavapipe, VK_DRIVER_FILES)"),
    }
}

fn trial(lstm: usize, dense: usize, units: usize, mem_day: usize, batch: usize, dropout: f64) -> PackTrial {
    cell_trial(Cell::Lstm, lstm, dense, units, mem_day, batch, dropout)
}

/// `t` with attention pooling `on` or off.
fn with_attention(mut t: PackTrial, on: bool) -> PackTrial {
    t.net.attention = on;
    t
}

fn cell_trial(cell: Cell, lstm: usize, dense: usize, units: usize, mem_day: usize, batch: usize, dropout: f64) -> PackTrial {
    PackTrial {
        net: NetworkConfig { cell, ..NetworkConfig::lstm(7, lstm, dense, units, dropout) },
        seq: mem_day,
        cfg: TrainConfig {
            epochs: 3,
            batch_size: batch,
            lr: 3e-3,
            seed: 17 + units as u64 + mem_day as u64,
            ..Default::default()
        },
    }
}

/// The first `rows` training windows of `data` at `mem_day`, batch-major `[rows, mem_day, 7]`,
/// and their labels.
fn batch_of(data: &WindowData, mem_day: usize, rows: usize) -> (Vec<f32>, Vec<f32>) {
    let (ns, nf) = (data.n_stocks, data.n_features);
    let mut x = vec![];
    let mut y = vec![];
    for s in &data.train[..rows] {
        let (d, st) = (s.date as usize, s.stock as usize);
        for t in 0..mem_day {
            let at = ((d + 1 - mem_day + t) * ns + st) * nf;
            x.extend_from_slice(&data.features[at..at + nf]);
        }
        y.push(data.labels[d * ns + st]);
    }
    (x, y)
}

#[test]
fn outputs_and_gradients_equal_burn() {
    let dev = device();
    let data = toy_data(6);
    let shapes = [(1, 1, 8, 1), (1, 2, 16, 4), (2, 1, 8, 6), (3, 3, 12, 5), (2, 0, 32, 3)];
    let cases = [(Cell::Lstm, false), (Cell::Gru, false), (Cell::Lstm, true), (Cell::Gru, true)];
    for ((cell, att), (lstm, dense, units, mem_day)) in cases.into_iter().flat_map(|c| shapes.map(|s| (c, s))) {
        let tr = with_attention(cell_trial(cell, lstm, dense, units, mem_day, 20, 0.0), att);
        let w = Weights::init(&tr.net, 3);
        let rows = 17;
        let got =
            crate::with_gpu!(&dev, gpu => batch_gradients(gpu, std::slice::from_ref(&tr), std::slice::from_ref(&w), &data, rows));
        let (x, y) = batch_of(&data, mem_day, rows);
        let (pred, _, grads) = burn_reference::<NdArray<f32>>(&w, &x, &y, mem_day);
        let (e_pred, e_grad) = (rel_err(&got[0].0, &pred), rel_err(&got[0].1, &grads));
        let case = format!("{cell:?}, attention {att} ({lstm},{dense},{units},{mem_day})");
        assert!(e_pred < 1e-5 && e_grad < 1e-4, "{case}: pred {e_pred:.2e}, grad {e_grad:.2e}");
    }
}

/// qlib's Alpha360 layout: 4 steps in one day's row give the outputs and gradients of the
/// same 4 steps held as 4 days (the gather kernel's `steps_per_day`), bit for bit.
#[test]
fn steps_in_one_day_are_gathered_as_days() {
    let dev = device();
    let days = toy_data(4);
    let steps = as_steps_in_one_day(&days);
    let tr = trial(2, 1, 8, 4, 20, 0.0);
    let w = Weights::init(&tr.net, 5);
    let run = |d: &WindowData| crate::with_gpu!(&dev, gpu => batch_gradients(gpu, std::slice::from_ref(&tr), std::slice::from_ref(&w), d, 17));
    let (a, b) = (run(&days), run(&steps));
    assert!(a[0].0 == b[0].0 && a[0].1 == b[0].1, "steps in a day gather other windows than days");
    let p = |d: &WindowData| crate::with_gpu!(&dev, gpu => super::predict(gpu, &w, d, &d.test, 50));
    assert_eq!(p(&days), p(&steps));
}

#[test]
fn a_padded_pack_gives_each_trial_its_own_gradients() {
    let dev = device();
    let data = toy_data(6);
    for (cell, att) in [(Cell::Lstm, false), (Cell::Gru, false), (Cell::Lstm, true), (Cell::Gru, true)] {
        let trials = [(8, 6), (16, 3), (12, 1)]
            .map(|(units, mem_day)| with_attention(cell_trial(cell, 2, 2, units, mem_day, 24, 0.0), att));
        let start: Vec<Weights> = trials.iter().enumerate().map(|(k, t)| Weights::init(&t.net, k as u64)).collect();
        let packed = crate::with_gpu!(&dev, gpu => batch_gradients(gpu, &trials, &start, &data, 24));
        for (k, t) in trials.iter().enumerate() {
            let alone = crate::with_gpu!(&dev, gpu => batch_gradients(gpu, std::slice::from_ref(t), &start[k..k + 1], &data, 24));
            assert!(rel_err(&packed[k].0, &alone[0].0) < 1e-6, "{cell:?} {att} trial {k}: predictions differ");
            assert!(rel_err(&packed[k].1, &alone[0].1) < 1e-5, "{cell:?} {att} trial {k}: gradients differ");
            let (x, y) = batch_of(&data, t.seq, 24);
            let (_, _, grads) = burn_reference::<NdArray<f32>>(&start[k], &x, &y, t.seq);
            assert!(rel_err(&packed[k].1, &grads) < 1e-4, "{cell:?} {att} trial {k}: gradients differ from burn's");
        }
    }
}

#[test]
fn adam_kernel_equals_the_cpu_engines_adam() {
    let dev = device();
    let trials = [trial(2, 1, 8, 3, 4, 0.0), trial(2, 1, 8, 3, 4, 0.0)];
    let shape = PackShape::of(&trials);
    let p = shape.p_len();
    let mut r = Rng::new(5);
    let params: Vec<f32> = (0..2 * p).map(|_| r.normal() as f32).collect();
    let grads: Vec<f32> = (0..2 * p).map(|_| r.normal() as f32 * 0.3).collect();
    for clip in [None, Some(1.0)] {
        let got = crate::with_gpu!(&dev, gpu => adam_steps(gpu, &trials, &params, &grads, &[1e-2, 3e-3], clip, 4));
        for (k, lr) in [1e-2, 3e-3].into_iter().enumerate() {
            let mut want = params[k * p..(k + 1) * p].to_vec();
            let mut adam = Adam::new(&shape.layout, clip);
            for _ in 0..4 {
                let mut g = grads[k * p..(k + 1) * p].to_vec();
                adam.step(&mut want, &mut g, lr);
            }
            let e = rel_err(&got[k * p..(k + 1) * p], &want);
            assert!(e < 1e-6, "trial {k}, clip {clip:?}: {e:.2e}");
        }
    }
}

/// Trains `trials` as one pack on `data`, returning each trial's epoch rows.
fn train_rows(dev: &GpuDevice, data: &WindowData, trials: &[PackTrial]) -> Vec<(Vec<EpochRow>, usize)> {
    let views: Vec<WindowData> = trials.iter().map(|t| data.with_mem_day(t.seq).unwrap()).collect();
    let mut on_batch: Vec<BatchFn> = trials.iter().map(|_| Box::new(|_, _, _, _| {}) as _).collect();
    let mut on_epoch: Vec<EpochFn> = trials.iter().map(|_| Box::new(|_: &EpochRow| Flow::Continue(())) as _).collect();
    let mut jobs: Vec<PackJob> = trials
        .iter()
        .zip(&views)
        .zip(on_batch.iter_mut().zip(on_epoch.iter_mut()))
        .map(|((t, v), (b, e))| PackJob { trial: t.clone(), data: v, on_batch: b.as_mut(), on_epoch: e.as_mut() })
        .collect();
    let out = crate::with_gpu!(dev, gpu => train_pack(gpu, &mut jobs));
    out.into_iter().map(|o| (o.rows, o.best_epoch)).collect()
}

fn assert_rows_close(a: &[EpochRow], b: &[EpochRow], tol: f64, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: epochs run");
    for (x, y) in a.iter().zip(b) {
        let close = |p: f64, q: f64| (p - q).abs() <= tol * (1.0 + q.abs());
        assert!(close(x.train_loss, y.train_loss), "{what} epoch {}: train loss {} vs {}", x.epoch, x.train_loss, y.train_loss);
        assert!(close(x.valid.loss, y.valid.loss), "{what} epoch {}: valid loss {} vs {}", x.epoch, x.valid.loss, y.valid.loss);
        assert!(close(x.valid.ic, y.valid.ic), "{what} epoch {}: valid IC {} vs {}", x.epoch, x.valid.ic, y.valid.ic);
    }
}

#[test]
fn a_packed_sweep_equals_its_trials_one_by_one() {
    let dev = device();
    let data = toy_data(6);
    for att in [false, true] {
        let mut trials: Vec<PackTrial> = [trial(2, 1, 8, 6, 32, 0.1), trial(2, 1, 16, 3, 32, 0.2), trial(2, 1, 12, 4, 32, 0.0)]
            .into_iter()
            .map(|t| with_attention(t, att))
            .collect();
        trials[1].cfg.lr = 1e-2;
        trials[2].cfg.patience = Some(1);
        let packed = train_rows(&dev, &data, &trials);
        for (k, t) in trials.iter().enumerate() {
            let alone = train_rows(&dev, &data, std::slice::from_ref(t));
            assert_eq!(packed[k].1, alone[0].1, "attention {att}, trial {k}: best epoch");
            assert_rows_close(&packed[k].0, &alone[0].0, 1e-4, &format!("attention {att}, trial {k}"));
        }
    }
}

#[test]
fn without_dropout_it_trains_as_the_cpu_engine_does() {
    let dev = device();
    let data = toy_data(5);
    for (cell, att) in [(Cell::Lstm, false), (Cell::Gru, false), (Cell::Gru, true)] {
        let t = with_attention(cell_trial(cell, 2, 2, 16, 5, 32, 0.0), att);
        let gpu_rows = train_rows(&dev, &data, std::slice::from_ref(&t));
        let cpu = crate::engine::cpu::train_weights(&data, &t.net, &t.cfg, 1, &mut |_, _, _, _| {}, &mut |_| Flow::Continue(()));
        assert_eq!(gpu_rows[0].1, cpu.best_epoch, "{cell:?} {att}");
        assert_rows_close(&gpu_rows[0].0, &cpu.rows, 1e-3, &format!("{cell:?}, attention {att}: gpu vs cpu engine"));
    }
}

/// GRU and attention checkpoints predict on the GPU engine what they predict on the CPU engine.
#[test]
fn gru_and_attention_predictions_equal_the_cpu_engines() {
    let dev = device();
    let data = toy_data(5);
    let view = data.with_mem_day(5).unwrap();
    for t in [cell_trial(Cell::Gru, 2, 1, 12, 5, 32, 0.0), with_attention(cell_trial(Cell::Lstm, 1, 0, 10, 5, 32, 0.0), true)] {
        let w = Weights::init(&t.net, 11);
        let gpu = crate::with_gpu!(&dev, gpu => super::predict(gpu, &w, &view, &view.test, 40));
        let cpu = crate::engine::cpu::predict(&w, &view, &view.test, 40, 1);
        assert_eq!(gpu.len(), view.test.len());
        assert!(rel_err(&gpu, &cpu) < 1e-5, "{:?}: {:.2e}", t.net, rel_err(&gpu, &cpu));
    }
}
