//! A batched, strided matrix product: `C[z] = A[z] · B[z]` (or `C[z] += …`) for every batch
//! index `z`, where each operand is addressed through an offset, a batch stride, and a row and
//! a column stride, so transposed operands, a trial's block of the flat parameter buffer, and
//! steps `1..S` of a sequence are all views without copies.
//!
//! Tiling: a cube computes a 64×64 block of `C` with 16×16 units, each unit a 4×4 grid of
//! outputs (rows `ty + 16·a`, columns `tx + 16·b`), stepping through `K` 16 at a time with both
//! operand tiles in shared memory.

use cubecl::prelude::*;

const TILE: usize = 64;
const TILE_K: usize = 16;

/// Launch with `CubeDim (16, 16)` and `CubeCount (⌈n/64⌉, ⌈m/64⌉, batches)`.
/// A is `m × k`, B is `k × n`, C is `m × n` with unit column stride.
#[cube(launch)]
#[allow(clippy::too_many_arguments)]
pub fn matmul(
    a: &Array<f32>,
    b: &Array<f32>,
    c: &mut Array<f32>,
    m: u32,
    n: u32,
    k: u32,
    a_off: u32,
    a_batch: u32,
    a_row: u32,
    a_col: u32,
    b_off: u32,
    b_batch: u32,
    b_row: u32,
    b_col: u32,
    c_off: u32,
    c_batch: u32,
    c_row: u32,
    #[comptime] accumulate: bool,
) {
    let tx = UNIT_POS_X as usize;
    let ty = UNIT_POS_Y as usize;
    let z = CUBE_POS_Z as usize;
    let i0 = CUBE_POS_Y as usize * TILE;
    let j0 = CUBE_POS_X as usize * TILE;
    let m = m as usize;
    let n = n as usize;
    let k = k as usize;
    let a_base = a_off as usize + z * a_batch as usize;
    let b_base = b_off as usize + z * b_batch as usize;
    let a_row = a_row as usize;
    let a_col = a_col as usize;
    let b_row = b_row as usize;
    let b_col = b_col as usize;
    let mut a_tile = SharedMemory::<f32>::new(TILE_K * TILE);
    let mut b_tile = SharedMemory::<f32>::new(TILE_K * TILE);
    let mut acc = Array::<f32>::new(16usize);
    #[unroll]
    for e in 0..16usize {
        acc[e] = 0.0;
    }
    let id = ty * 16usize + tx;
    let mut l0 = 0usize;
    while l0 < k {
        #[unroll]
        for e in 0..4usize {
            let idx = id + 256usize * e;
            // A tile: 64 rows × 16 columns, stored k-major.
            let ai = idx / TILE_K;
            let al = idx % TILE_K;
            let mut av = 0.0;
            if i0 + ai < m && l0 + al < k {
                av = a[a_base + (i0 + ai) * a_row + (l0 + al) * a_col];
            }
            a_tile[al * TILE + ai] = av;
            // B tile: 16 rows × 64 columns.
            let bl = idx / TILE;
            let bj = idx % TILE;
            let mut bv = 0.0;
            if l0 + bl < k && j0 + bj < n {
                bv = b[b_base + (l0 + bl) * b_row + (j0 + bj) * b_col];
            }
            b_tile[bl * TILE + bj] = bv;
        }
        sync_cube();
        #[unroll]
        for l in 0..TILE_K {
            let a0 = a_tile[l * TILE + ty];
            let a1 = a_tile[l * TILE + ty + 16usize];
            let a2 = a_tile[l * TILE + ty + 32usize];
            let a3 = a_tile[l * TILE + ty + 48usize];
            #[unroll]
            for jj in 0..4usize {
                let bv = b_tile[l * TILE + tx + 16usize * jj];
                acc[jj] += a0 * bv;
                acc[4usize + jj] += a1 * bv;
                acc[8usize + jj] += a2 * bv;
                acc[12usize + jj] += a3 * bv;
            }
        }
        sync_cube();
        l0 += TILE_K;
    }
    let c_base = c_off as usize + z * c_batch as usize;
    #[unroll]
    for ii in 0..4usize {
        let i = i0 + ty + 16usize * ii;
        #[unroll]
        for jj in 0..4usize {
            let j = j0 + tx + 16usize * jj;
            if i < m && j < n {
                let at = c_base + i * c_row as usize + j;
                if accumulate {
                    c[at] += acc[ii * 4usize + jj];
                } else {
                    c[at] = acc[ii * 4usize + jj];
                }
            }
        }
    }
}
