//! A damaged ledger never loses finished work (issue 18, data loss): a line that is not
//! UTF-8 in the middle of `ledger.csv` is skipped and reported with its line number while
//! every other finished trial is kept (before, `--resume` read zero rows, reran everything
//! and the end-of-sweep rewrite left only the new rows); a trial with two rows counts once;
//! every rewrite keeps the previous file as `ledger.csv.bak`.

mod common;

use std::path::Path;

use common::{alphasweep, stderr};

const QUICK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/configs/sweep-quick.toml");

fn sweep(out: &Path, resume: bool) -> std::process::Output {
    let mut args = vec!["sweep", "--config", QUICK, "--set", "sweep.epochs=1", "--device", "cpu", "--out", out.to_str().unwrap()];
    if resume {
        args.push("--resume");
    }
    alphasweep(&args)
}

/// Lines of the ledger as bytes (the header first).
fn lines(path: &Path) -> Vec<Vec<u8>> {
    std::fs::read(path).unwrap().split(|b| *b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect()
}

fn trial(line: &[u8]) -> String {
    String::from_utf8_lossy(line).split(',').next().unwrap().to_string()
}

#[test]
fn a_non_utf8_line_is_skipped_and_every_other_trial_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    let o = sweep(&out, false);
    assert!(o.status.success(), "{}", stderr(&o));
    let ledger = out.join("ledger.csv");
    let before = lines(&ledger);
    assert_eq!(before.len(), 9, "header and 8 trials");
    // Damage line 3 (the second trial): one byte that is not UTF-8 in its reason column.
    let mut damaged = before.clone();
    let victim = trial(&damaged[2]);
    let pos = damaged[2].iter().rposition(|b| *b == b',').unwrap();
    damaged[2].insert(pos, 0xff);
    let mut bytes = damaged.join(&b'\n');
    bytes.push(b'\n');
    std::fs::write(&ledger, &bytes).unwrap();

    let o = sweep(&out, true);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("ledger.csv:3: damaged row skipped"), "{err}");
    assert!(err.contains("7 finished already"), "the other seven trials are kept: {err}");
    let after = lines(&ledger);
    // Everything that was there is still there, byte for byte, and the damaged trial was
    // trained again and appended.
    assert_eq!(&after[..9], &damaged[..], "the ledger was rewritten or cut");
    assert_eq!(after.len(), 10);
    assert_eq!(trial(&after[9]), victim);
}

#[test]
fn a_trial_with_two_rows_counts_once_and_rewrites_keep_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    let o = sweep(&out, false);
    assert!(o.status.success(), "{}", stderr(&o));
    let ledger = out.join("ledger.csv");
    // The end-of-sweep rewrite (checkpoint column) kept the appended ledger as a backup.
    let bak = out.join("ledger.csv.bak");
    assert!(bak.is_file(), "no ledger.csv.bak after the end-of-sweep rewrite");
    assert_eq!(lines(&bak).len(), 9);
    let mut rows = lines(&ledger);
    rows.push(rows[1].clone());
    let mut bytes = rows.join(&b'\n');
    bytes.push(b'\n');
    std::fs::write(&ledger, &bytes).unwrap();

    let o = sweep(&out, true);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("more than one"), "{}", stderr(&o));
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["trials"], 8, "a repeated row is not an extra trial");
    assert_eq!(lines(&ledger).len(), 9, "the rewrite keeps each trial once");
    assert_eq!(lines(&bak).len(), 10, "the backup holds the ledger as it was, repeated row included");
}
