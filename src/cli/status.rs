//! `alphasweep status`: one screen on where a sweep (or its shards on many machines)
//! stands: trials by outcome per shard, the best so far, epochs saved, throughput and ETA.
//! Reads the folders only; safe while sweeps write them.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;

use alphasweep::sweep::status::{self, Counts, SweepStatus};

/// Past this many shards, the table lists only the unfinished ones (unless --all).
const SCREEN_SHARDS: usize = 20;

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  alphasweep status models/sweep-quick
  alphasweep status /shared/me/s2700           (the OUT of slurm-sweep.sh)
  alphasweep status --watch=60 /shared/me/s2700
  alphasweep status --json out/shard-0 out/shard-1")]
pub struct StatusArgs {
    /// Sweep folders, shard folders (`sweep --shard I/N`), or a folder holding shard folders
    /// (such as the OUT of scripts/slurm-sweep.sh). Shards of the grid that none of them is
    /// are listed as missing.
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Redraw every SECS seconds (default 10; write `--watch=SECS`) until every trial is
    /// finished or Ctrl-C. Also shows the rate measured between the first and last reading.
    #[arg(long, value_name = "SECS", num_args = 0..=1, require_equals = true, default_missing_value = "10")]
    pub watch: Option<f64>,
    /// Print the status as JSON (with --watch, one JSON object per line per refresh).
    #[arg(long)]
    pub json: bool,
    /// A shard whose files were not written for this many seconds counts as stopped
    /// (killed, preempted, or waiting to be requeued), not running.
    #[arg(long, value_name = "SECS", default_value_t = 900)]
    pub stale: u64,
    /// List every shard (past 20 shards, only the unfinished ones are listed by default).
    #[arg(long)]
    pub all: bool,
}

pub fn run(a: StatusArgs) -> anyhow::Result<()> {
    let stale = Duration::from_secs(a.stale);
    let Some(secs) = a.watch else {
        let s = status::read(&a.dirs, stale)?;
        print!("{}", if a.json { serde_json::to_string_pretty(&s)? + "\n" } else { table(&s, a.all, None) });
        return Ok(());
    };
    anyhow::ensure!(secs.is_finite() && secs >= 0.5, "--watch: the refresh interval must be at least 0.5 s (got {secs})");
    let clear = !a.json && std::io::stdout().is_terminal();
    // The first good reading, for the measured rate. A reading that fails (a folder not
    // there yet, a network file system hiccup) is reported and retried, not fatal.
    let mut first: Option<(Instant, SweepStatus)> = None;
    loop {
        match status::read(&a.dirs, stale) {
            Err(e) => eprintln!("status: {e} (retrying in {secs} s)"),
            Ok(s) => {
                if a.json {
                    println!("{}", serde_json::to_string(&s)?);
                } else {
                    let measured = first
                        .as_ref()
                        .and_then(|(t0, f)| status::measured_rate(f, &s, t0.elapsed().as_secs_f64()).map(|r| (r, t0.elapsed())));
                    print!("{}{}", if clear { "\x1b[H\x1b[2J" } else { "\n" }, table(&s, a.all, measured));
                }
                if s.total.expected > 0 && s.total.finished >= s.total.expected {
                    return Ok(());
                }
                first.get_or_insert((Instant::now(), s));
            }
        }
        std::thread::sleep(Duration::from_secs_f64(secs));
    }
}

/// The one-screen view.
fn table(s: &SweepStatus, all: bool, measured: Option<(f64, Duration)>) -> String {
    let mut o = String::new();
    let folders = s.shards.iter().filter(|x| x.state != "missing").count();
    let epochs = s.shards.first().map_or(0, |x| x.epochs);
    let _ = writeln!(
        o,
        "sweep of {} trials, {epochs} epochs each, selection {}: {folders} folder(s), {} of {} trials finished",
        s.grid_trials, s.selection, s.total.finished, s.total.expected
    );
    let _ = writeln!(
        o,
        "{:<8} {:<9} {:>6} {:>6} {:>5} {:>5} {:>5} {:>7} {:>8} {:>9} {:>6}  folder",
        "shard", "state", "done", "early", "div", "fail", "run", "pending", "trials/h", "ETA", "idle"
    );
    let hide = !all && s.shards.len() > SCREEN_SHARDS;
    let mut hidden = 0;
    for x in &s.shards {
        if hide && x.state == "finished" {
            hidden += 1;
            continue;
        }
        let _ = writeln!(
            o,
            "{:<8} {:<9} {}  {:>8} {:>9} {:>6}  {}",
            x.shard.as_deref().unwrap_or("-"),
            x.state,
            counts(&x.counts),
            x.trials_per_hour.map_or("-".into(), |r| format!("{r:.0}")),
            x.eta_seconds.map_or("-".into(), duration),
            x.idle_seconds.map_or("-".into(), duration),
            x.dir
        );
    }
    if hidden > 0 {
        let _ = writeln!(o, "({hidden} finished shards not listed; --all lists them)");
    }
    let rate = s.trials_per_hour.map_or("-".into(), |r| format!("{r:.0}"));
    let eta = s.eta_seconds.map_or("-".into(), duration);
    let _ = writeln!(o, "{:<8} {:<9} {}  {rate:>8} {eta:>9}", "total", "", counts(&s.total));
    match &s.best {
        Some(b) => {
            let _ = writeln!(
                o,
                "best so far: {}  score {:.4}  valid IC {:.4}  test IC {:.4}  (epoch {}, {})",
                b.trial, b.score, b.valid_ic, b.test_ic, b.best_epoch, b.dir
            );
        }
        None => o.push_str("best so far: - (no trial with a model yet)\n"),
    }
    let full = s.epochs_run + s.epochs_saved;
    let _ = writeln!(
        o,
        "epochs: {} run by the finished trials, {} saved by early stopping/ASHA ({:.0}% of {full})",
        s.epochs_run,
        s.epochs_saved,
        100.0 * s.epochs_saved as f64 / full.max(1) as f64
    );
    let _ = writeln!(
        o,
        "throughput: {rate} trials/h estimated (trials in flight / mean trial time), ETA {eta}{}",
        measured
            .map_or(String::new(), |(r, t)| format!("; measured {r:.0} trials/h over the last {}", duration(t.as_secs_f64())))
    );
    let running: Vec<String> = s.shards.iter().flat_map(|x| &x.running).map(|(id, e)| format!("{id} (epoch {e})")).collect();
    if !running.is_empty() && running.len() <= 8 {
        let _ = writeln!(o, "in flight: {}", running.join(", "));
    }
    let problems: Vec<&String> = s.problems.iter().chain(s.shards.iter().flat_map(|x| &x.problems)).collect();
    if !problems.is_empty() {
        o.push_str("problems:\n");
        for p in problems {
            let _ = writeln!(o, "  {p}");
        }
    }
    o
}

fn counts(c: &Counts) -> String {
    format!("{:>6} {:>6} {:>5} {:>5} {:>5} {:>7}", c.done, c.stopped_early, c.diverged, c.failed, c.running, c.pending)
}

/// `95s`, `12m 5s`, `3h 20m`.
fn duration(secs: f64) -> String {
    let s = secs.max(0.0).round() as u64;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {}s", s / 60, s % 60),
        _ => format!("{}h {}m", s / 3600, s % 3600 / 60),
    }
}
