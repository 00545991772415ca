//! Adam over every parameter of every trial of a pack in one pass, with burn 0.21's numbers
//! (β₁ 0.9, β₂ 0.999, ε 1e-5, its bias correction) and its per-tensor gradient-norm clipping
//! `g · min(1, c / (‖g‖₂ + f32::MIN_POSITIVE))`, whose coefficients [`clip_coefs`] computes
//! first (one cube per tensor and trial). Layout: `params`, `grads`, `m`, `v` are `[T, P]`;
//! tensor `s` of a trial spans `bounds[s] .. bounds[s + 1]`; `segment[p]` names the tensor of
//! parameter `p`.

use cubecl::prelude::*;

/// `coefs [T, n_seg]`: each tensor's clipping coefficient. Launch `CubeCount (n_seg, T)`,
/// 256 units.
#[cube(launch)]
pub fn clip_coefs(grads: &Array<f32>, bounds: &Array<u32>, coefs: &mut Array<f32>, p_len: u32, n_seg: u32, clip: f32) {
    let seg = CUBE_POS_X as usize;
    let trial = CUBE_POS_Y as usize;
    let u = UNIT_POS_X as usize;
    let base = trial * p_len as usize;
    let hi = bounds[seg + 1] as usize;
    let mut local = 0.0;
    let mut at = bounds[seg] as usize + u;
    while at < hi {
        let g = grads[base + at];
        local += g * g;
        at += 256usize;
    }
    let total = crate::ops::cube_sum(local);
    if u == 0usize {
        let norm = total.sqrt();
        let mut coef = clip / (norm + 1.175_494_4e-38);
        if coef > 1.0 {
            coef = 1.0;
        }
        coefs[trial * n_seg as usize + seg] = coef;
    }
}

/// One Adam step. `lr [T]` (0 freezes a trial); `combined = √(1−β₂ᵗ)/(1−β₁ᵗ)`,
/// `eps = ε·√(1−β₂ᵗ)`; `clip`: scale gradients by `coefs` first.
#[cube(launch)]
#[allow(clippy::too_many_arguments)]
pub fn adam(
    params: &mut Array<f32>,
    grads: &Array<f32>,
    m: &mut Array<f32>,
    v: &mut Array<f32>,
    lr: &Array<f32>,
    segment: &Array<u32>,
    coefs: &Array<f32>,
    p_len: u32,
    n_seg: u32,
    combined: f32,
    eps: f32,
    #[comptime] clip: bool,
) {
    let pos = ABSOLUTE_POS;
    if pos < params.len() {
        let trial = pos / p_len as usize;
        let p = pos % p_len as usize;
        let mut g = grads[pos];
        if clip {
            g *= coefs[trial * n_seg as usize + segment[p] as usize];
        }
        let mv = m[pos] * 0.9 + g * (1.0 - 0.9);
        let vv = v[pos] * 0.999 + g * g * (1.0 - 0.999);
        m[pos] = mv;
        v[pos] = vv;
        params[pos] -= mv * combined / (vv.sqrt() + eps) * lr[trial];
    }
}
