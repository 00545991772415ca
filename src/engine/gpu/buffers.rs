//! Device buffers of a pack: the data set (uploaded once), the parameters and Adam's state,
//! and the activations of a batch of `cap` rows (training adds what backward needs).
//! Shapes: `T` trials, `S` steps, `B = cap` rows, `H` units, `G` gate pre-activations a row
//! (`4H` LSTM, `3H` GRU), `D` factors, `P` parameters per trial.

use alphasweep_kernels::cubecl::Runtime;
use alphasweep_kernels::{Buf, Gpu};

use super::pack::PackShape;
use crate::model::dataset::{Sample, WindowData};

/// The data set on the device: `features [dates, stocks, K, D]` (`K` steps a day),
/// `labels [dates, stocks]`
/// (NaN where there is none, read only for samples), and the samples' dates and stocks:
/// `train`, then `valid` (a prediction uploads its samples as `valid`, no `train`).
pub struct DeviceData {
    pub features: Buf,
    pub labels: Buf,
    pub dates: Buf,
    pub stocks: Buf,
    pub n_stocks: usize,
    /// Time steps a day holds (`K`; 1 but for qlib-style windows in one day's features).
    pub steps_per_day: usize,
    pub n_train: usize,
    pub n_valid: usize,
}

impl DeviceData {
    pub fn upload<R: Runtime>(gpu: &Gpu<R>, data: &WindowData, train: &[Sample], valid: &[Sample]) -> DeviceData {
        let all: Vec<&Sample> = train.iter().chain(valid).collect();
        DeviceData {
            features: gpu.upload_f32(&data.features),
            labels: gpu.upload_f32(&data.labels),
            dates: gpu.upload_u32(&all.iter().map(|s| s.date).collect::<Vec<_>>()),
            stocks: gpu.upload_u32(&all.iter().map(|s| s.stock).collect::<Vec<_>>()),
            n_stocks: data.n_stocks,
            steps_per_day: data.steps_per_day,
            n_train: train.len(),
            n_valid: valid.len(),
        }
    }
}

/// One recurrent layer's activations.
pub struct LayerBufs {
    /// `[T, S, B, G]`: input projection → gate activations → (backward) gate gradients (the
    /// GRU's input-side ones).
    pub gates: Buf,
    /// `[T, S, B, H]`: the cell states (LSTM) or the recurrent candidate terms `h·W_hn + b_hn`
    /// (GRU); the hidden states.
    pub c: Buf,
    pub h: Buf,
    /// `[T, S, B, H]` dropout mask and the hidden states after it (the next layer's input);
    /// only below the top layer, when training.
    pub mask: Option<Buf>,
    pub dropped: Option<Buf>,
}

/// Everything one forward (and backward) pass of `cap` rows touches.
pub struct Activations {
    pub cap: usize,
    /// `[T, S, B, D]` windows and `[T, B]` labels.
    pub x: Buf,
    pub y: Buf,
    pub layers: Vec<LayerBufs>,
    /// `z[k]`, `[T, B, H]`: the head's activations (z[0]: its input after dropout, the last
    /// hidden state, or `[T, B, 2H]` `[h_last, context]` with attention).
    pub z: Vec<Buf>,
    /// The head's dropout masks, like `z` (inference: all ones).
    pub head_masks: Vec<Buf>,
    /// The attention pooling's activations (with attention).
    pub attention: Option<AttentionBufs>,
    /// `[T, B]` predictions, the loss gradient.
    pub pred: Buf,
    pub dy: Buf,
    pub back: Option<BackBufs>,
    /// Dropout masks are drawn (training with dropout).
    pub masked: bool,
}

/// Backward-only buffers.
pub struct BackBufs {
    /// `[T, G, H]`: a transposed `W_hidden`.
    pub wt: Buf,
    /// `[T, S, B, G]`: the GRU's recurrent-side gate gradients (`None` for an LSTM).
    pub dgh: Option<Buf>,
    /// `[T, S, B, H]`: the gradient sent to the layer below.
    pub dseq: Buf,
    /// Two `[T, B, H]` head gradients.
    pub dz: [Buf; 2],
    /// `[T, B, H]` (`[T, B, 2H]` with attention): the gradient of the head's input.
    pub dhead: Buf,
    /// `[T, S, B]`: the attention scores' gradient (with attention).
    pub ds: Option<Buf>,
}

/// The attention pooling's activations: `act [T, S, B, A]` (the scoring network's tanh
/// layer; backward turns it into its gradient), `scores` and softmax weights `alpha [T, S, B]`.
pub struct AttentionBufs {
    pub act: Buf,
    pub scores: Buf,
    pub alpha: Buf,
}

impl Activations {
    pub fn new<R: Runtime>(gpu: &Gpu<R>, shape: &PackShape, cap: usize, train: bool, dropout: bool) -> Activations {
        let (t, s, h, d, g) = (shape.trials, shape.steps, shape.units, shape.features, shape.gate_width());
        let seq = t * s * cap;
        let n = shape.lstm_layers;
        let masked = train && dropout;
        let head_in = shape.head_in();
        // The head's widths: its input, then the dense layers' outputs.
        let width = |k: usize| if k == 0 { head_in } else { h };
        let mask = |k: usize| match masked {
            true => gpu.zeros(t * cap * width(k)),
            false => gpu.upload_f32(&vec![1.0; t * cap * width(k)]),
        };
        let layers = (0..n)
            .map(|l| LayerBufs {
                gates: gpu.zeros(seq * g),
                c: gpu.zeros(seq * h),
                h: gpu.zeros(seq * h),
                mask: (masked && l + 1 < n).then(|| gpu.zeros(seq * h)),
                dropped: (masked && l + 1 < n).then(|| gpu.zeros(seq * h)),
            })
            .collect();
        let head = shape.dense_layers + 1;
        Activations {
            cap,
            x: gpu.zeros(seq * d),
            y: gpu.zeros(t * cap),
            layers,
            z: (0..head).map(|k| gpu.zeros(t * cap * width(k))).collect(),
            head_masks: (0..head).map(mask).collect(),
            attention: shape.layout.attention.map(|at| AttentionBufs {
                act: gpu.zeros(seq * at.a),
                scores: gpu.zeros(seq),
                alpha: gpu.zeros(seq),
            }),
            pred: gpu.zeros(t * cap),
            dy: gpu.zeros(t * cap),
            back: train.then(|| BackBufs {
                wt: gpu.zeros(t * g * h),
                dgh: (!shape.cell.is_lstm()).then(|| gpu.zeros(seq * g)),
                dseq: gpu.zeros(seq * h),
                dz: [gpu.zeros(t * cap * h), gpu.zeros(t * cap * h)],
                dhead: gpu.zeros(t * cap * head_in),
                ds: shape.attention.then(|| gpu.zeros(seq)),
            }),
            masked,
        }
    }
}

/// Per-trial scalars and the flat parameter state `[T, P]`.
pub struct TrialBufs {
    pub params: Buf,
    pub grads: Buf,
    pub m: Buf,
    pub v: Buf,
    /// `[T]`: learning rate (0 once a trial has stopped), first step, own units, mask seed,
    /// dropout threshold (of 2²⁴) and keep scale.
    pub lr: Buf,
    pub start: Buf,
    pub units: Buf,
    pub seed: Buf,
    pub threshold: Buf,
    pub keep: Buf,
    /// `[T]` zeros (the head masks' first step).
    pub zero_start: Buf,
    /// Clipping: tensor bounds `[n_seg + 1]`, each parameter's tensor `[P]`, coefficients `[T, n_seg]`.
    pub bounds: Buf,
    pub segment: Buf,
    pub coefs: Buf,
    /// `[T]` sums of squared errors since the last reset.
    pub sse: Buf,
}
