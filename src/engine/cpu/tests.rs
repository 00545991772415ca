//! The engine on its own: dropout's gradient by finite differences, determinism, threads,
//! and a trained model saved as a burn checkpoint predicting what the engine predicts.

use super::arena::Arena;
use super::kernels::fill_mask;
use super::pass;
use super::tests_burn::rel_err;
use super::{predict, train_weights};
use crate::engine::weights::Weights;
use crate::model::dataset::{Sample, WindowData};
use crate::model::network::{Cell, NetworkConfig};
use crate::model::train::{Flow, Status, TrainConfig};
use crate::rng::Rng;

/// A small data set: 24 stocks × 80 dates × 7 standard-normal features; the label is the
/// mean of feature 0 over the last 3 days plus noise, z-scored nowhere (it has unit scale).
pub(crate) fn toy_data(mem_day: usize) -> WindowData {
    let (ns, nd, nf) = (24, 80, 7);
    let mut r = Rng::new(11);
    let features: Vec<f32> = (0..nd * ns * nf).map(|_| r.normal() as f32).collect();
    let mut labels = vec![f32::NAN; nd * ns];
    for t in 2..nd {
        for s in 0..ns {
            let m = (0..3).map(|k| features[((t - k) * ns + s) * nf] as f64).sum::<f64>() / 3.0;
            labels[t * ns + s] = (m + 0.5 * r.normal()) as f32;
        }
    }
    let samples = |lo: usize, hi: usize| {
        (lo..hi).flat_map(|t| (0..ns).map(move |s| Sample { date: t as u32, stock: s as u32 })).collect::<Vec<_>>()
    };
    WindowData {
        n_stocks: ns,
        n_features: nf,
        steps_per_day: 1,
        mem_day,
        window: mem_day,
        features: features.into(),
        labels: labels.into(),
        dates: vec![],
        stocks: (0..ns).map(|s| format!("S{s}")).collect(),
        train: samples(mem_day, 55).into(),
        valid: samples(57, 67).into(),
        test: samples(69, 80).into(),
        look_ahead: false,
        label_scale: None,
    }
}

fn cfg(epochs: usize, batch_size: usize) -> TrainConfig {
    TrainConfig { epochs, batch_size, lr: 3e-3, ..TrainConfig::default() }
}

/// With dropout on, the backward pass differentiates the masked network: for fixed masks,
/// (L(w + εg) − L(w − εg)) / 2ε ≈ ‖g‖² (a directional derivative along the gradient g),
/// checked in f32 with ε = 1e-3 / ‖g‖ to 1%, for LSTM and GRU layers.
#[test]
fn dropout_gradient_matches_finite_differences() {
    for cell in [Cell::Lstm, Cell::Gru] {
        dropout_gradient_matches_finite_differences_for(cell);
    }
}

fn dropout_gradient_matches_finite_differences_for(cell: Cell) {
    let data = toy_data(6);
    let n = NetworkConfig { cell, ..NetworkConfig::lstm(7, 2, 2, 16, 0.3) };
    let w = Weights::init(&n, 5);
    let batch = &data.train[..32];
    let mut a = Arena::new(&n, 6, 32, true);
    a.load(&data, batch);
    let loss_at = |w: &Weights, a: &mut Arena| {
        pass::forward(w, a, 32, Some(&mut Rng::new(77)));
        (0..32).map(|b| ((a.head.pred[b] - a.y[b]) as f64).powi(2)).sum::<f64>() / 32.0
    };
    loss_at(&w, &mut a);
    let mut g = vec![0.0; w.layout.len];
    pass::backward(&w, &mut a, 32, 32, &mut g);
    let norm2: f64 = g.iter().map(|x| (*x as f64).powi(2)).sum();
    let eps = 1e-3 / norm2.sqrt();
    let shifted = |sign: f64| {
        let mut v = w.clone();
        v.params.iter_mut().zip(&g).for_each(|(p, d)| *p += (sign * eps * *d as f64) as f32);
        v
    };
    let fd = (loss_at(&shifted(1.0), &mut a) - loss_at(&shifted(-1.0), &mut a)) / (2.0 * eps);
    assert!((fd / norm2 - 1.0).abs() < 0.01, "{cell:?}: finite difference {fd} vs ‖g‖² {norm2}");
}

/// Masks: about p of the entries are 0, the rest 1/(1−p).
#[test]
fn dropout_masks_have_the_rate_and_scale() {
    let mut m = vec![0.0f32; 100_001];
    fill_mask(&mut m, 0.1, &mut Rng::new(1));
    let zeros = m.iter().filter(|v| **v == 0.0).count() as f64 / m.len() as f64;
    assert!((zeros - 0.1).abs() < 0.005, "{zeros}");
    assert!(m.iter().all(|v| *v == 0.0 || *v == (1.0f64 / 0.9) as f32));
}

/// Same seed, same numbers, bit for bit (one thread, and two threads).
#[test]
fn same_seed_same_weights() {
    let data = toy_data(5);
    let n = NetworkConfig::lstm(7, 2, 1, 16, 0.1);
    for threads in [1, 2] {
        let run = || train_weights(&data, &n, &cfg(2, 64), threads, &mut |_, _, _, _| {}, &mut |_| Flow::Continue(()));
        let (a, b) = (run(), run());
        assert_eq!(a.best.unwrap().params, b.best.unwrap().params, "threads {threads}");
        assert_eq!(
            a.rows.iter().map(|r| r.train_loss).collect::<Vec<_>>(),
            b.rows.iter().map(|r| r.train_loss).collect::<Vec<_>>()
        );
    }
}

/// The thread count does not change a bit: 1, 2 and 3 threads train the same weights and
/// report the same losses and validation metrics, with batches of one part, of parts that
/// split evenly, of parts that do not, and a last short batch (before, every figure moved
/// with the thread count); GRU layers with batches whose parts do not split evenly.
#[test]
fn thread_count_changes_no_bit() {
    let data = toy_data(5);
    for (cell, batch) in [(Cell::Lstm, 32), (Cell::Lstm, 100), (Cell::Lstm, 256), (Cell::Gru, 100)] {
        let n = NetworkConfig { cell, ..NetworkConfig::lstm(7, 2, 1, 16, 0.1) };
        let run = |threads| train_weights(&data, &n, &cfg(2, batch), threads, &mut |_, _, _, _| {}, &mut |_| Flow::Continue(()));
        let one = run(1);
        for threads in [2, 3] {
            let many = run(threads);
            assert_eq!(one.best.as_ref().unwrap().params, many.best.as_ref().unwrap().params, "batch {batch}, threads {threads}");
            let figures = |t: &crate::engine::EngineTrained| {
                t.rows.iter().map(|r| (r.train_loss.to_bits(), r.valid.ic.to_bits(), r.valid.loss.to_bits())).collect::<Vec<_>>()
            };
            assert_eq!(figures(&one), figures(&many), "batch {batch}, threads {threads}");
        }
    }
}

/// The toy label is learnable: the validation IC after 4 epochs is clearly positive, with
/// one thread and with two, and with GRU layers.
#[test]
fn learns_the_toy_signal() {
    let data = toy_data(5);
    for (cell, threads) in [(Cell::Lstm, 1), (Cell::Lstm, 2), (Cell::Gru, 1)] {
        let n = NetworkConfig { cell, ..NetworkConfig::lstm(7, 1, 1, 16, 0.1) };
        let t = train_weights(&data, &n, &cfg(4, 32), threads, &mut |_, _, _, _| {}, &mut |_| Flow::Continue(()));
        assert_eq!(t.status, Status::Done);
        let ic = t.rows.iter().map(|r| r.valid.ic).fold(f64::MIN, f64::max);
        eprintln!("{cell:?}, threads {threads}: best valid IC {ic:.3}");
        assert!(ic > 0.3, "{cell:?}, threads {threads}: best valid IC {ic}");
    }
}

/// A model trained by the engine, converted to burn and saved with `checkpoint::save`,
/// reloads and predicts (burn's `predict` on Flex) what `engine::cpu::predict` predicts (its
/// inference arenas keep only the last steps' states), for LSTM and GRU layers.
#[test]
fn checkpoint_round_trip_predicts_the_same() {
    for cell in [Cell::Lstm, Cell::Gru] {
        checkpoint_round_trip_predicts_the_same_for(cell);
    }
}

fn checkpoint_round_trip_predicts_the_same_for(cell: Cell) {
    use crate::artifacts::checkpoint::{self, CheckpointMeta};
    let data = toy_data(5);
    let n = NetworkConfig { cell, ..NetworkConfig::lstm(7, 2, 2, 16, 0.1) };
    let tcfg = cfg(1, 64);
    let t = super::train(&data, &n, &tcfg, 1, &mut |_, _, _, _| {}, &mut |_| Flow::Continue(()));
    let engine_w = train_weights(&data, &n, &tcfg, 1, &mut |_, _, _, _| {}, &mut |_| Flow::Continue(())).best.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let meta = CheckpointMeta {
        alphasweep: "test".into(),
        network: n.clone(),
        dataset: Default::default(),
        train: tcfg,
        best_epoch: t.best_epoch,
        status: crate::model::train::Status::Done,
        config_toml: String::new(),
        config_dir: String::new(),
        command: String::new(),
        look_ahead: false,
        split: None,
        weights_crc32: None,
        weights_bytes: None,
    };
    checkpoint::save(dir.path(), t.model.as_ref().unwrap(), &meta, &t.rows).unwrap();
    let device = Default::default();
    let (loaded, _) = checkpoint::load::<burn::backend::Flex>(dir.path(), &device).unwrap();
    let burn_preds = crate::model::train::predict(&loaded, &data, &data.test, 100, &device);
    let engine_preds = predict(&engine_w, &data, &data.test, 100, 1);
    // Threads take whole batches: the same bits on 1 or 3 threads.
    let (one, three) = (predict(&engine_w, &data, &data.test, 7, 1), predict(&engine_w, &data, &data.test, 7, 3));
    assert!(one.iter().zip(&three).all(|(a, b)| a.to_bits() == b.to_bits()) && one.len() == three.len());
    assert_eq!(burn_preds.len(), data.test.len());
    let e = rel_err(&engine_preds, &burn_preds);
    assert!(e < 1e-5, "{cell:?}: predictions differ by {e}");
}

/// A burn-initialized model (burn's own generator and `NetworkConfig::init`) converted with
/// `Weights::from_burn` trains on the engine like one of its own: valid IC above 0.3 after 4
/// epochs on the toy signal.
#[test]
fn fine_tunes_a_burn_initialized_model() {
    use burn::tensor::backend::Backend;
    let data = toy_data(5);
    let n = NetworkConfig::lstm(7, 1, 1, 16, 0.1);
    let device = Default::default();
    burn::backend::Flex::seed(&device, 3);
    let start = Weights::from_burn(&n, &n.init::<burn::backend::Flex>(&device));
    let t = super::train_from(start, &data, &cfg(4, 32), 1, &mut |_, _, _, _| {}, &mut |_| Flow::Continue(()));
    let ic = t.rows.iter().map(|r| r.valid.ic).fold(f64::MIN, f64::max);
    assert!(ic > 0.3, "best valid IC {ic}");
}

/// `data` (one step a day, `mem_day` days) re-held as qlib's Alpha360 holds it: one day whose
/// row carries the last `mem_day` days as steps, oldest first (`steps_per_day = mem_day`).
pub(crate) fn as_steps_in_one_day(data: &WindowData) -> WindowData {
    let (ns, nf, k) = (data.n_stocks, data.n_features, data.mem_day);
    let nd = data.features.len() / (ns * nf);
    let mut rows = vec![f32::NAN; nd * ns * k * nf];
    for t in k - 1..nd {
        for s in 0..ns {
            for j in 0..k {
                let src = ((t + 1 - k + j) * ns + s) * nf;
                let dst = ((t * ns + s) * k + j) * nf;
                rows[dst..dst + nf].copy_from_slice(&data.features[src..src + nf]);
            }
        }
    }
    WindowData { steps_per_day: k, mem_day: 1, window: 1, features: rows.into(), ..data.clone() }
}

/// Steps held in one day's row (`[dataset] feature_steps`) are read as the same sequence as
/// days: identical batches, and the engine trains the same bits and predicts the same.
#[test]
fn steps_in_one_day_train_as_days() {
    let days = toy_data(4);
    let steps = as_steps_in_one_day(&days);
    assert_eq!(steps.seq(), 4);
    let (xd, yd) = days.batch(&days.train[..50]);
    let (xs, ys) = steps.batch(&steps.train[..50]);
    assert!(xd == xs && yd == ys);
    let n = NetworkConfig::lstm(7, 2, 1, 16, 0.1);
    let run = |d: &WindowData| train_weights(d, &n, &cfg(2, 64), 2, &mut |_, _, _, _| {}, &mut |_| Flow::Continue(()));
    let (a, b) = (run(&days), run(&steps));
    let (wa, wb) = (a.best.unwrap(), b.best.unwrap());
    assert_eq!(wa.params, wb.params);
    let bits = |p: Vec<f32>| p.into_iter().map(f32::to_bits).collect::<Vec<_>>();
    assert_eq!(bits(predict(&wa, &days, &days.test, 50, 2)), bits(predict(&wb, &steps, &steps.test, 50, 2)));
}
