//! The engine's parameters: one flat f32 buffer holding every tensor of an `LstmNet` (the
//! gradients and Adam's moments use the same layout), initialization with the crate's Rng,
//! and conversions both ways to burn's `LstmNet<B>`.

use std::ops::Range;

use burn::module::Param;
use burn::nn::{DropoutConfig, Linear};
use burn::tensor::backend::Backend;
use burn::tensor::{Tensor, TensorData};

use crate::model::attention::{TemporalAttention, attention_width};
use crate::model::gru::FusedGru;
use crate::model::lstm::FusedLstm;
use crate::model::network::{Cell, LstmNet, NetworkConfig};
use crate::rng::Rng;

/// Offsets of one LSTM layer's tensors: `w_input [d_in, 4h]`, `w_hidden [h, 4h]`, `bias [4h]`,
/// stored in that order, back to back.
#[derive(Clone, Copy, Debug)]
pub struct LstmAt {
    pub d_in: usize,
    pub h: usize,
    pub w_input: usize,
    pub w_hidden: usize,
    pub bias: usize,
}

/// Offsets of one GRU layer's tensors: `w_input [d_in, 3h]`, `w_hidden [h, 3h]`, `bias [3h]`,
/// `bias_hn [h]`, back to back (`model::gru`).
#[derive(Clone, Copy, Debug)]
pub struct GruAt {
    pub d_in: usize,
    pub h: usize,
    pub w_input: usize,
    pub w_hidden: usize,
    pub bias: usize,
    pub bias_hn: usize,
}

impl GruAt {
    pub fn range(&self) -> Range<usize> {
        self.w_input..self.bias_hn + self.h
    }

    /// `(w_input, w_hidden, bias, bias_hn)` of the layer in `buf`.
    pub fn split<'a>(&self, buf: &'a [f32]) -> (&'a [f32], &'a [f32], &'a [f32], &'a [f32]) {
        (
            &buf[self.w_input..self.w_hidden],
            &buf[self.w_hidden..self.bias],
            &buf[self.bias..self.bias_hn],
            &buf[self.bias_hn..self.bias_hn + self.h],
        )
    }

    /// `(w_input, w_hidden, bias, bias_hn)` of the layer in `buf`, mutably.
    pub fn split_mut<'a>(&self, buf: &'a mut [f32]) -> (&'a mut [f32], &'a mut [f32], &'a mut [f32], &'a mut [f32]) {
        let g = 3 * self.h;
        let (wi, rest) = buf[self.range()].split_at_mut(self.d_in * g);
        let (wh, rest) = rest.split_at_mut(self.h * g);
        let (b, bn) = rest.split_at_mut(g);
        (wi, wh, b, bn)
    }
}

/// One recurrent layer of either cell: `w_input [d_in, k·h]`, `w_hidden [h, k·h]`, `bias
/// [k·h]` with `k = gates` blocks, and the GRU's `bias_hn [h]`.
#[derive(Clone, Copy, Debug)]
pub struct RecurrentAt {
    pub d_in: usize,
    pub h: usize,
    pub gates: usize,
    pub w_input: usize,
    pub w_hidden: usize,
    pub bias: usize,
    pub bias_hn: Option<usize>,
}

/// Offsets of one linear layer's tensors: `weight [d_in, d_out]`, then `bias [d_out]`.
#[derive(Clone, Copy, Debug)]
pub struct LinearAt {
    pub d_in: usize,
    pub d_out: usize,
    pub weight: usize,
    pub bias: usize,
}

/// Offsets of the attention pooling's tensors (`model::attention`): `hidden [h, a]`,
/// `bias [a]`, `score [a]`, back to back.
#[derive(Clone, Copy, Debug)]
pub struct AttentionAt {
    pub h: usize,
    pub a: usize,
    pub hidden: usize,
    pub bias: usize,
    pub score: usize,
}

impl AttentionAt {
    pub fn range(&self) -> Range<usize> {
        self.hidden..self.score + self.a
    }

    /// `(hidden, bias, score)` in `buf`.
    pub fn split<'a>(&self, buf: &'a [f32]) -> (&'a [f32], &'a [f32], &'a [f32]) {
        (&buf[self.hidden..self.bias], &buf[self.bias..self.score], &buf[self.score..self.score + self.a])
    }

    /// `(hidden, bias, score)` in `buf`, mutably.
    pub fn split_mut<'a>(&self, buf: &'a mut [f32]) -> (&'a mut [f32], &'a mut [f32], &'a mut [f32]) {
        let (w, rest) = buf[self.range()].split_at_mut(self.h * self.a);
        let (b, s) = rest.split_at_mut(self.a);
        (w, b, s)
    }
}

/// Where every tensor lives: the recurrent layers (LSTM or GRU), the attention pooling
/// (when on), dense layers, the output layer, in that order.
#[derive(Clone, Debug)]
pub struct Layout {
    /// The LSTM layers (empty in a GRU network).
    pub lstm: Vec<LstmAt>,
    /// The GRU layers (empty in an LSTM network).
    pub gru: Vec<GruAt>,
    pub attention: Option<AttentionAt>,
    pub dense: Vec<LinearAt>,
    pub output: LinearAt,
    pub len: usize,
}

impl LstmAt {
    /// The layer's whole range (for splitting a gradient buffer three ways).
    pub fn range(&self) -> Range<usize> {
        self.w_input..self.bias + 4 * self.h
    }

    /// `(w_input, w_hidden, bias)` of the layer in `buf`, mutably.
    pub fn split_mut<'a>(&self, buf: &'a mut [f32]) -> (&'a mut [f32], &'a mut [f32], &'a mut [f32]) {
        let g = 4 * self.h;
        let (wi, rest) = buf[self.range()].split_at_mut(self.d_in * g);
        let (wh, b) = rest.split_at_mut(self.h * g);
        (wi, wh, b)
    }

    /// `(w_input, w_hidden, bias)` of the layer in `buf`.
    pub fn split<'a>(&self, buf: &'a [f32]) -> (&'a [f32], &'a [f32], &'a [f32]) {
        let g = 4 * self.h;
        (&buf[self.w_input..self.w_hidden], &buf[self.w_hidden..self.bias], &buf[self.bias..self.bias + g])
    }
}

impl LinearAt {
    pub fn range(&self) -> Range<usize> {
        self.weight..self.bias + self.d_out
    }

    /// `(weight, bias)` in `buf`, mutably.
    pub fn split_mut<'a>(&self, buf: &'a mut [f32]) -> (&'a mut [f32], &'a mut [f32]) {
        buf[self.range()].split_at_mut(self.d_in * self.d_out)
    }

    pub fn split<'a>(&self, buf: &'a [f32]) -> (&'a [f32], &'a [f32]) {
        (&buf[self.weight..self.bias], &buf[self.bias..self.bias + self.d_out])
    }
}

impl Layout {
    pub fn new(net: &NetworkConfig) -> Layout {
        let (u, mut at) = (net.units, 0);
        let mut take = |n: usize| {
            at += n;
            at - n
        };
        let (mut lstm, mut gru) = (vec![], vec![]);
        for l in 0..net.lstm_layers {
            let d_in = if l == 0 { net.n_features } else { u };
            let g = net.cell.gates() * u;
            let (w_input, w_hidden, bias) = (take(d_in * g), take(u * g), take(g));
            match net.cell {
                Cell::Lstm => lstm.push(LstmAt { d_in, h: u, w_input, w_hidden, bias }),
                Cell::Gru => gru.push(GruAt { d_in, h: u, w_input, w_hidden, bias, bias_hn: take(u) }),
            }
        }
        let attention = net.attention.then(|| {
            let a = attention_width(u);
            AttentionAt { h: u, a, hidden: take(u * a), bias: take(a), score: take(a) }
        });
        let mut linear = |d_in: usize, d_out: usize| LinearAt { d_in, d_out, weight: take(d_in * d_out), bias: take(d_out) };
        let head_in = net.head_input();
        let dense: Vec<LinearAt> = (0..net.dense_layers).map(|l| linear(if l == 0 { head_in } else { u }, u)).collect();
        let output = linear(dense.last().map_or(head_in, |d| d.d_out), 1);
        Layout { lstm, gru, attention, dense, output, len: at }
    }

    /// Every parameter tensor's range, in layout order (burn clips gradients per tensor).
    pub fn tensors(&self) -> Vec<Range<usize>> {
        self.tensors_with_fan_in().into_iter().map(|(r, _)| r).collect()
    }

    /// [`Layout::tensors`], each with the fan-in of its initialization (`units` for the LSTM
    /// layers, the input width for a linear layer).
    fn tensors_with_fan_in(&self) -> Vec<(Range<usize>, usize)> {
        let mut out = vec![];
        for l in &self.lstm {
            out.extend([(l.w_input..l.w_hidden, l.h), (l.w_hidden..l.bias, l.h), (l.bias..l.bias + 4 * l.h, l.h)]);
        }
        for l in &self.gru {
            out.extend([
                (l.w_input..l.w_hidden, l.h),
                (l.w_hidden..l.bias, l.h),
                (l.bias..l.bias_hn, l.h),
                (l.bias_hn..l.bias_hn + l.h, l.h),
            ]);
        }
        if let Some(t) = &self.attention {
            out.extend([(t.hidden..t.bias, t.h), (t.bias..t.score, t.h), (t.score..t.score + t.a, t.a)]);
        }
        for d in self.dense.iter().chain([&self.output]) {
            out.extend([(d.weight..d.bias, d.d_in), (d.bias..d.bias + d.d_out, d.d_in)]);
        }
        out
    }

    /// The recurrent layers (LSTM or GRU), bottom up.
    pub fn recurrent(&self) -> Vec<RecurrentAt> {
        let lstm = self.lstm.iter().map(|l| RecurrentAt {
            d_in: l.d_in,
            h: l.h,
            gates: 4,
            w_input: l.w_input,
            w_hidden: l.w_hidden,
            bias: l.bias,
            bias_hn: None,
        });
        let gru = self.gru.iter().map(|l| RecurrentAt {
            d_in: l.d_in,
            h: l.h,
            gates: 3,
            w_input: l.w_input,
            w_hidden: l.w_hidden,
            bias: l.bias,
            bias_hn: Some(l.bias_hn),
        });
        lstm.chain(gru).collect()
    }

    /// The head's input width (`units`, or `2·units` with attention).
    pub fn head_input(&self) -> usize {
        self.dense.first().unwrap_or(&self.output).d_in
    }
}

/// A network's parameters in the engine's flat layout.
#[derive(Clone, Debug)]
pub struct Weights {
    pub net: NetworkConfig,
    pub layout: Layout,
    pub params: Vec<f32>,
}

impl Weights {
    /// The distributions of `NetworkConfig::init`: LSTM (GRU) tensors uniform in ±1/√units
    /// (PyTorch's rule) and burn `Linear`'s default, Kaiming-uniform with gain 1/√3, i.e.
    /// uniform in ±1/√fan_in for weight and bias (fan_in = units for every linear layer
    /// without attention, so then every parameter is uniform in ±1/√units), drawn in layout
    /// order from `Rng::new(seed)`.
    pub fn init(net: &NetworkConfig, seed: u64) -> Weights {
        let layout = Layout::new(net);
        let mut rng = Rng::new(seed);
        let mut params = Vec::with_capacity(layout.len);
        for (r, fan_in) in layout.tensors_with_fan_in() {
            let k = 1.0 / (fan_in as f64).sqrt();
            params.extend(r.map(|_| rng.range(-k, k) as f32));
        }
        Weights { net: net.clone(), layout, params }
    }

    /// The weights of a burn model (any backend; its architecture must be `net`'s).
    pub fn from_burn<B: Backend>(net: &NetworkConfig, model: &LstmNet<B>) -> Weights {
        let layout = Layout::new(net);
        let mut params = vec![0.0; layout.len];
        let mut put = |at: usize, values: Vec<f32>| params[at..at + values.len()].copy_from_slice(&values);
        assert_eq!(model.lstms.len(), layout.lstm.len(), "the model has a different number of LSTM layers");
        assert_eq!(model.grus.as_ref().map_or(0, Vec::len), layout.gru.len(), "the model has a different number of GRU layers");
        assert_eq!(model.dense.len(), layout.dense.len(), "the model has a different number of dense layers");
        for (l, at) in model.lstms.iter().zip(&layout.lstm) {
            put(at.w_input, values(l.w_input.val()));
            put(at.w_hidden, values(l.w_hidden.val()));
            put(at.bias, values(l.bias.val()));
        }
        for (l, at) in model.grus.iter().flatten().zip(&layout.gru) {
            put(at.w_input, values(l.w_input.val()));
            put(at.w_hidden, values(l.w_hidden.val()));
            put(at.bias, values(l.bias.val()));
            put(at.bias_hn, values(l.bias_hn.val()));
        }
        assert_eq!(model.attention.is_some(), layout.attention.is_some(), "the model's attention differs");
        if let (Some(t), Some(at)) = (&model.attention, &layout.attention) {
            put(at.hidden, values(t.hidden.weight.val()));
            put(at.bias, t.hidden.bias.as_ref().map(|b| values(b.val())).unwrap_or_else(|| vec![0.0; at.a]));
            put(at.score, values(t.score.weight.val()));
        }
        for (d, at) in model.dense.iter().chain([&model.output]).zip(layout.dense.iter().chain([&layout.output])) {
            put(at.weight, values(d.weight.val()));
            put(at.bias, d.bias.as_ref().map(|b| values(b.val())).unwrap_or_else(|| vec![0.0; at.d_out]));
        }
        Weights { net: net.clone(), layout, params }
    }

    /// The same network as a burn model on `device`, with dropout `net.dropout`.
    pub fn to_burn<B: Backend>(&self, device: &B::Device) -> LstmNet<B> {
        let p = &self.params;
        let data = |at: usize, shape: Vec<usize>| TensorData::new(p[at..at + shape.iter().product::<usize>()].to_vec(), shape);
        let t2 = |at: usize, rows: usize, cols: usize| {
            Param::from_tensor(Tensor::<B, 2>::from_data(data(at, vec![rows, cols]), device))
        };
        let t1 = |at: usize, n: usize| Param::from_tensor(Tensor::<B, 1>::from_data(data(at, vec![n]), device));
        let linear = |at: &LinearAt| Linear { weight: t2(at.weight, at.d_in, at.d_out), bias: Some(t1(at.bias, at.d_out)) };
        LstmNet {
            lstms: self
                .layout
                .lstm
                .iter()
                .map(|at| FusedLstm {
                    w_input: t2(at.w_input, at.d_in, 4 * at.h),
                    w_hidden: t2(at.w_hidden, at.h, 4 * at.h),
                    bias: t1(at.bias, 4 * at.h),
                })
                .collect(),
            grus: (self.net.cell == Cell::Gru).then(|| {
                self.layout
                    .gru
                    .iter()
                    .map(|at| FusedGru {
                        w_input: t2(at.w_input, at.d_in, 3 * at.h),
                        w_hidden: t2(at.w_hidden, at.h, 3 * at.h),
                        bias: t1(at.bias, 3 * at.h),
                        bias_hn: t1(at.bias_hn, at.h),
                    })
                    .collect()
            }),
            attention: self.layout.attention.map(|at| TemporalAttention {
                hidden: Linear { weight: t2(at.hidden, at.h, at.a), bias: Some(t1(at.bias, at.a)) },
                score: Linear { weight: t2(at.score, at.a, 1), bias: None },
            }),
            dense: self.layout.dense.iter().map(linear).collect(),
            dropout: DropoutConfig::new(self.net.dropout).init(),
            output: linear(&self.layout.output),
        }
    }
}

fn values<B: Backend, const D: usize>(t: Tensor<B, D>) -> Vec<f32> {
    t.into_data().convert::<f32>().to_vec().expect("f32 parameters")
}
