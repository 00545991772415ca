//! Fast training engines behind the model's interface. `cpu`: the whole network (fused LSTM
//! layers, dense head, MSE, dropout, Adam) forward and backward over preallocated f32
//! buffers, GEMMs from the `gemm` crate; it trains the same `LstmNet` that burn trains and
//! hands back a burn model, so checkpoints, `predict` and `eval` are unchanged.

pub mod cpu;
