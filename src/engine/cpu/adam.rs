//! Adam over the flat parameter buffer in one fused pass, with burn 0.21's numbers exactly:
//! `AdamConfig::new()` defaults (β₁ 0.9, β₂ 0.999, ε 1e-5), its bias correction
//! (`m̂ / (√v + ε·√(1−β₂ᵗ))` with `m̂ = m·√(1−β₂ᵗ)/(1−β₁ᵗ)`), and its gradient clipping
//! `GradientClippingConfig::Norm(c)`, which burn applies to each parameter tensor on its own:
//! `g · min(1, c / (‖g‖₂ + f32::MIN_POSITIVE))`.

use std::ops::Range;

use super::simd::simd_fn;
use crate::engine::weights::Layout;

/// Adam's state.
pub struct Adam {
    beta_1: f32,
    beta_2: f32,
    epsilon: f32,
    clip: Option<f32>,
    tensors: Vec<Range<usize>>,
    /// Steps taken.
    time: i32,
    m: Vec<f32>,
    v: Vec<f32>,
}

impl Adam {
    /// burn's defaults; `clip`: per-tensor gradient-norm clipping.
    pub fn new(layout: &Layout, clip: Option<f32>) -> Adam {
        Adam {
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-5,
            clip,
            tensors: layout.tensors(),
            time: 0,
            m: vec![0.0; layout.len],
            v: vec![0.0; layout.len],
        }
    }

    /// One step: clips `grads` (in place) and updates `params`.
    pub fn step(&mut self, params: &mut [f32], grads: &mut [f32], lr: f64) {
        if let Some(c) = self.clip {
            for r in &self.tensors {
                let g = &mut grads[r.clone()];
                let norm = g.iter().map(|x| (*x as f64) * (*x as f64)).sum::<f64>().sqrt() as f32;
                let coef = (c / (norm + f32::MIN_POSITIVE)).min(1.0);
                if coef < 1.0 {
                    g.iter_mut().for_each(|x| *x *= coef);
                }
            }
        }
        self.time += 1;
        let (b1, b2) = (self.beta_1, self.beta_2);
        let bc2_sqrt = (1.0 - b2.powi(self.time)).sqrt();
        let k = Constants {
            b1,
            b2,
            f1: 1.0 - b1,
            f2: 1.0 - b2,
            combined: bc2_sqrt / (1.0 - b1.powi(self.time)),
            eps: self.epsilon * bc2_sqrt,
            lr: lr as f32,
        };
        update(params, grads, &mut self.m, &mut self.v, k);
    }
}

#[derive(Clone, Copy)]
struct Constants {
    b1: f32,
    b2: f32,
    f1: f32,
    f2: f32,
    combined: f32,
    eps: f32,
    lr: f32,
}

simd_fn! {
    /// The fused update, in burn's order of operations.
    fn update(params: &mut [f32], grads: &[f32], m: &mut [f32], v: &mut [f32], k: Constants) {
        let n = params.len();
        let (grads, m, v) = (&grads[..n], &mut m[..n], &mut v[..n]);
        for j in 0..n {
            let g = grads[j];
            m[j] = m[j] * k.b1 + g * k.f1;
            v[j] = v[j] * k.b2 + g * g * k.f2;
            let delta = m[j] * k.combined / (v[j].sqrt() + k.eps) * k.lr;
            params[j] -= delta;
        }
    }
}
