//! What a sweep's trial results depend on, recorded in `sweep.json` when the sweep starts and
//! compared on `--resume`: the code (version and a CRC of the running binary), the config as
//! it bears on training (after `--set`; the caller leaves out what cannot change a trial's
//! numbers: data paths, `[backtest]`, `sweep.keep`), the grid, and the content of the data
//! set the trials train on (every feature, label, date, stock and sample of the split). A
//! resume that differs in any of them would rank trials trained on different inputs together,
//! so it is refused, naming what changed. Data sources are recorded too: moved sources with
//! the same content are only noted.

use std::io::Read;

use serde::{Deserialize, Serialize};

use crate::model::dataset::{Sample, WindowData};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// `alphasweep <version>, binary <crc32>`.
    pub code: String,
    /// The config as it bears on the trials, as TOML.
    pub config: String,
    /// CRC-32 of the grid's trial ids, and how many.
    pub grid: String,
    /// CRC-32 of the data set's arrays, and their sizes.
    pub data: String,
    /// The data sources, as given (paths or `synth`).
    pub sources: Vec<String>,
}

/// What a resume would change.
#[derive(Debug, Default)]
pub struct Changes {
    /// Differences that change trial results: the resume is refused.
    pub refused: Vec<String>,
    /// Differences that do not (moved sources with the same content).
    pub notes: Vec<String>,
}

impl Fingerprint {
    /// What differs from `old` (the folder's) to `self` (this run's). A code change alone is
    /// accepted when `allow_code` (the user vouches that results do not change).
    pub fn changes_from(&self, old: &Fingerprint, allow_code: bool) -> Changes {
        let mut c = Changes::default();
        if old.code != self.code {
            let line = format!("the code: {} then, {} now", old.code, self.code);
            if allow_code { c.notes.push(line) } else { c.refused.push(line + " (--allow-code-change accepts it)") }
        }
        if old.config != self.config {
            c.refused.push(format!("the config: {}", toml_diff(&old.config, &self.config)));
        }
        if old.grid != self.grid {
            c.refused.push(format!("the grid: {} then, {} now", old.grid, self.grid));
        }
        if old.data != self.data {
            c.refused.push(format!("the data set's content: {} then, {} now", old.data, self.data));
        }
        if old.sources != self.sources && old.data == self.data {
            c.notes.push(format!(
                "data sources moved ({} then, {} now), same content",
                old.sources.join(", "),
                self.sources.join(", ")
            ));
        }
        c
    }
}

/// The lines of two TOML texts that differ, as `- old` / `+ new` (section headers kept
/// for context), at most 12.
fn toml_diff(old: &str, new: &str) -> String {
    let sectioned = |text: &str| {
        let mut section = String::new();
        let mut out = Vec::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            if line.starts_with('[') {
                section = line.to_string();
            } else {
                out.push(format!("{section} {line}"));
            }
        }
        out
    };
    let (a, b) = (sectioned(old), sectioned(new));
    let gone = a.iter().filter(|l| !b.contains(l)).map(|l| format!("- {l}"));
    let came = b.iter().filter(|l| !a.contains(l)).map(|l| format!("+ {l}"));
    crate::error::first_few(gone.chain(came))
}

/// The running binary's version and CRC-32 (any code or build change moves it).
pub fn code_version() -> String {
    let crc = std::env::current_exe().ok().and_then(|p| std::fs::File::open(p).ok()).and_then(|mut f| {
        let mut h = crc32fast::Hasher::new();
        let mut buf = vec![0u8; 1 << 20];
        loop {
            match f.read(&mut buf) {
                Ok(0) => return Some(h.finalize()),
                Ok(n) => h.update(&buf[..n]),
                Err(_) => return None,
            }
        }
    });
    let crc = crc.map_or("unreadable".to_string(), |c| format!("{c:08x}"));
    format!("alphasweep {}, binary {crc}", env!("CARGO_PKG_VERSION"))
}

/// CRC-32 of the trial ids in order, with their count.
pub fn grid_crc(ids: &[String]) -> String {
    let mut h = crc32fast::Hasher::new();
    for id in ids {
        h.update(id.as_bytes());
        h.update(b"\n");
    }
    format!("{} trials, crc32 {:08x}", ids.len(), h.finalize())
}

/// CRC-32 of everything a trial reads from the data set: features, labels, dates, stocks,
/// the three sample lists, the window and the label scale.
pub fn data_crc(d: &WindowData) -> String {
    let mut h = crc32fast::Hasher::new();
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 18);
    let mut floats = |h: &mut crc32fast::Hasher, xs: &[f32]| {
        for chunk in xs.chunks(1 << 16) {
            buf.clear();
            buf.extend(chunk.iter().flat_map(|x| x.to_le_bytes()));
            h.update(&buf);
        }
    };
    floats(&mut h, &d.features);
    floats(&mut h, &d.labels);
    for date in &d.dates {
        h.update(&date.0.to_le_bytes());
    }
    for s in &d.stocks {
        h.update(s.as_bytes());
        h.update(b"\n");
    }
    let samples = |h: &mut crc32fast::Hasher, xs: &[Sample]| {
        h.update(&(xs.len() as u64).to_le_bytes());
        for s in xs {
            h.update(&s.date.to_le_bytes());
            h.update(&s.stock.to_le_bytes());
        }
    };
    samples(&mut h, &d.train);
    samples(&mut h, &d.valid);
    samples(&mut h, &d.test);
    for x in [d.mem_day, d.window, d.look_ahead as usize] {
        h.update(&(x as u64).to_le_bytes());
    }
    // Hashed only when not 1, so folders from before the option keep their fingerprint.
    if d.steps_per_day != 1 {
        h.update(&(d.steps_per_day as u64).to_le_bytes());
    }
    if let Some((m, s)) = d.label_scale {
        h.update(&m.to_le_bytes());
        h.update(&s.to_le_bytes());
    }
    format!(
        "{} dates x {} stocks x {} features, {}/{}/{} samples, crc32 {:08x}",
        d.dates.len(),
        d.n_stocks,
        d.n_features,
        d.train.len(),
        d.valid.len(),
        d.test.len(),
        h.finalize()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn print(config: &str, data: &str) -> Fingerprint {
        Fingerprint { code: "c".into(), config: config.into(), grid: "g".into(), data: data.into(), sources: vec!["a".into()] }
    }

    #[test]
    fn each_difference_is_named() {
        let old = print("[train]\nlr = 0.001\nepochs = 5\n", "d1");
        let mut new = print("[train]\nlr = 0.002\nepochs = 5\n", "d1");
        let c = new.changes_from(&old, false);
        assert_eq!(c.refused, vec!["the config: - [train] lr = 0.001, + [train] lr = 0.002".to_string()]);
        new = print("[train]\nlr = 0.001\nepochs = 5\n", "d2");
        new.code = "c2".into();
        let c = new.changes_from(&old, false);
        assert_eq!(c.refused.len(), 2, "{:?}", c.refused);
        assert!(c.refused[0].starts_with("the code: c then, c2 now"), "{:?}", c.refused);
        assert!(new.changes_from(&old, true).refused.iter().all(|r| !r.starts_with("the code")));
        // Moved sources, same content: a note only.
        let mut moved = old.clone();
        moved.sources = vec!["b".into()];
        let c = moved.changes_from(&old, false);
        assert!(c.refused.is_empty() && c.notes.len() == 1, "{c:?}");
    }
}
