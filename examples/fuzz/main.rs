//! A mutation fuzzer for alphasweep's loaders and parsers, on stable Rust with no extra
//! dependency: `cargo run --release --example fuzz -- TARGET SECONDS [SEED]` (or
//! `scripts/fuzz.sh`). It starts from `fuzz/corpus/TARGET/`, mutates inputs (bit flips,
//! interesting bytes and numbers, cuts, copies, swapped lines, splices, `f32` patterns),
//! runs the target under `catch_unwind`, and keeps each input whose outcome (read, or the
//! kind of error) is new, so the corpus grows toward new behaviour. It is not coverage-guided
//! (that needs nightly's sanitizer flags). A panic or an input slower than 2 s is a finding:
//! it is saved to `fuzz/findings/TARGET-N.bin` and the run exits 1.

mod mutate;
mod targets;

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::{Duration, Instant};

use alphasweep::rng::Rng;

/// Inputs kept in memory at most (seeds plus new behaviour).
const MAX_CORPUS: usize = 2000;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 || !targets::NAMES.contains(&args[1].as_str()) {
        eprintln!("usage: fuzz TARGET SECONDS [SEED]\ntargets: {}", targets::NAMES.join(", "));
        std::process::exit(2);
    }
    let (target, seconds) = (&args[1], args[2].parse::<f64>().unwrap_or(10.0));
    let seed = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut corpus: Vec<Vec<u8>> = std::fs::read_dir(root.join("corpus").join(target))
        .map(|it| it.flatten().filter_map(|e| std::fs::read(e.path()).ok()).collect())
        .unwrap_or_default();
    if corpus.is_empty() {
        eprintln!("no seed inputs in fuzz/corpus/{target}/");
        std::process::exit(2);
    }
    let seeds = corpus.len();
    for x in &corpus {
        eprintln!("{target}: seed reads as {}", targets::run(target, x));
    }
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng::new(seed);
    let mut outcomes = BTreeSet::new();
    let (mut runs, mut findings, mut slowest) = (0u64, 0usize, (Duration::ZERO, String::new()));
    let t0 = Instant::now();
    while t0.elapsed().as_secs_f64() < seconds {
        let mut x = corpus[rng.below(corpus.len() as u64) as usize].clone();
        mutate::mutate_input(&mut x, &mut rng, &corpus);
        let t = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| targets::run(target, &x)));
        let took = t.elapsed();
        runs += 1;
        let finding = match &result {
            Err(p) => Some(format!(
                "panic: {}",
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            )),
            Ok(_) if took > Duration::from_secs(2) => Some(format!("slow: {:.1} s", took.as_secs_f64())),
            Ok(_) => None,
        };
        if took > slowest.0 {
            slowest = (took, result.as_ref().map(|s| s.clone()).unwrap_or_default());
        }
        if let Some(what) = finding {
            findings += 1;
            let dir = root.join("findings");
            let _ = std::fs::create_dir_all(&dir);
            let file = dir.join(format!("{target}-{findings}.bin"));
            let _ = std::fs::write(&file, &x);
            eprintln!("FINDING {what} (input saved to {})", file.display());
            continue;
        }
        if let Ok(outcome) = result
            && outcomes.insert(outcome)
            && corpus.len() < MAX_CORPUS
        {
            corpus.push(x);
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "{target}: {runs} inputs in {secs:.0} s ({:.0}/s) from {seeds} seeds; {} distinct outcomes; slowest {:.1} ms ({}); findings: {findings}",
        runs as f64 / secs,
        outcomes.len(),
        slowest.0.as_secs_f64() * 1e3,
        slowest.1
    );
    if findings > 0 {
        std::process::exit(1);
    }
}
