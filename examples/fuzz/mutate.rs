//! Byte- and token-level mutations of an input, and the bundle format that packs a folder of
//! files into one input: `==> path <==` and a newline before each file (as `head` prints
//! them), one newline after it.

use std::collections::BTreeMap;

use alphasweep::rng::Rng;

const MARK: &[u8] = b"==> ";

/// Splits a bundle into `path → bytes`; an input without a marker is one file named `single`.
pub fn unbundle(input: &[u8], single: &str) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    if !input.starts_with(MARK) {
        files.insert(single.to_string(), input.to_vec());
        return files;
    }
    let mut starts: Vec<usize> =
        (0..input.len()).filter(|&i| (i == 0 || input[i - 1] == b'\n') && input[i..].starts_with(MARK)).collect();
    starts.push(input.len());
    for w in starts.windows(2) {
        let part = &input[w[0]..w[1]];
        let Some(eol) = part.iter().position(|b| *b == b'\n') else { continue };
        let head = String::from_utf8_lossy(&part[MARK.len()..eol]).trim_end_matches(" <==").trim().to_string();
        if !head.is_empty() {
            // Each file is followed by one separating newline.
            let body = &part[eol + 1..];
            files.insert(head, body.strip_suffix(b"\n").unwrap_or(body).to_vec());
        }
    }
    files
}

/// Packs `path → bytes` back into one bundle.
pub fn bundle(files: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    for (path, bytes) in files {
        out.extend_from_slice(format!("==> {path} <==\n").as_bytes());
        out.extend_from_slice(bytes);
        out.push(b'\n');
    }
    out
}

/// Mutates one file of a bundle (so the folder keeps its shape), or a plain input whole.
pub fn mutate_input(x: &mut Vec<u8>, rng: &mut Rng, corpus: &[Vec<u8>]) {
    if !x.starts_with(MARK) || rng.below(8) == 0 {
        return mutate(x, rng, corpus);
    }
    let mut files = unbundle(x, "single");
    let names: Vec<String> = files.keys().cloned().collect();
    if names.is_empty() {
        return mutate(x, rng, corpus);
    }
    let pick = &names[rng.below(names.len() as u64) as usize];
    if let Some(bytes) = files.get_mut(pick) {
        mutate(bytes, rng, corpus);
    }
    if rng.below(16) == 0 {
        // Now and then a file goes missing.
        files.remove(pick);
    }
    *x = bundle(&files);
}

/// Numbers and tokens that break parsers.
const TOKENS: [&str; 18] = [
    "0",
    "-1",
    "NaN",
    "inf",
    "-inf",
    "1e308",
    "-0",
    "",
    "99999999999999999999",
    "2020-02-30",
    "0000-00-00",
    "\"",
    ",,",
    "\t",
    "3e9",
    "1e-320",
    "sh.600000",
    "SH000300",
];

/// `f32` bit patterns for binary files.
const FLOATS: [f32; 8] = [f32::NAN, f32::INFINITY, -1.0, 3.0e9, 1e-45, f32::MAX, 0.0, 16777217.0];

/// Applies 1 to 4 random mutations to `x`.
pub fn mutate(x: &mut Vec<u8>, rng: &mut Rng, corpus: &[Vec<u8>]) {
    for _ in 0..1 + rng.below(4) {
        let n = x.len();
        let at = |rng: &mut Rng| if n == 0 { 0 } else { rng.below(n as u64) as usize };
        match rng.below(9) {
            0 if n > 0 => {
                let i = at(rng);
                x[i] ^= 1 << rng.below(8);
            }
            1 if n > 0 => {
                let i = at(rng);
                x[i] = *[0u8, 0xff, b'\n', b',', b'-', b'.', b'9', b'e', b'\t', b'"'].get(rng.below(10) as usize).unwrap_or(&0);
            }
            2 if n > 0 => {
                let i = at(rng);
                let len = (rng.below(16) as usize).min(n - i);
                x.drain(i..i + len);
            }
            3 if n > 0 => {
                let i = at(rng);
                let len = (rng.below(64) as usize).min(n - i);
                let copy = x[i..i + len].to_vec();
                let j = at(rng);
                x.splice(j..j, copy);
            }
            4 => {
                // Replace the token (between separators) around a random byte.
                let i = at(rng);
                let sep = |b: &u8| matches!(*b, b',' | b'\n' | b'\t' | b' ' | b'(' | b')' | b'=');
                let lo = x[..i.min(n)].iter().rposition(sep).map_or(0, |p| p + 1);
                let hi = x[i.min(n)..].iter().position(sep).map_or(n, |p| i + p);
                let t = TOKENS[rng.below(TOKENS.len() as u64) as usize].as_bytes().to_vec();
                x.splice(lo..hi.max(lo), t);
            }
            5 if n > 0 => x.truncate(at(rng)),
            6 if n >= 4 => {
                let i = at(rng).min(n - 4) & !3;
                x[i..i + 4].copy_from_slice(&FLOATS[rng.below(FLOATS.len() as u64) as usize].to_le_bytes());
            }
            7 => {
                // Swap two lines.
                let lines: Vec<Vec<u8>> = x.split(|b| *b == b'\n').map(|l| l.to_vec()).collect();
                if lines.len() > 2 {
                    let mut lines = lines;
                    let (a, b) = (rng.below(lines.len() as u64) as usize, rng.below(lines.len() as u64) as usize);
                    lines.swap(a, b);
                    *x = lines.join(&b'\n');
                }
            }
            _ if !corpus.is_empty() => {
                // Splice in a piece of another input.
                let other = &corpus[rng.below(corpus.len() as u64) as usize];
                if !other.is_empty() {
                    let i = rng.below(other.len() as u64) as usize;
                    let len = (rng.below(256) as usize).min(other.len() - i);
                    let j = at(rng);
                    x.splice(j..j, other[i..i + len].iter().copied());
                }
            }
            _ => {}
        }
    }
}
