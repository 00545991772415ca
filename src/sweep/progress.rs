//! The sweep's progress display: an overall bar (trials done / total, best score, ETA) and
//! one line per running trial (its id, epoch, batch, last valid metric). Without a terminal
//! (CI, Slurm logs) the bars stay hidden and each finished trial prints one line.

use std::io::IsTerminal;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Bars for a sweep of `total` trials.
pub struct SweepProgress {
    multi: MultiProgress,
    overall: ProgressBar,
    tty: bool,
}

impl SweepProgress {
    pub fn new(total: usize, already: usize) -> SweepProgress {
        let tty = std::io::stderr().is_terminal();
        let multi =
            MultiProgress::with_draw_target(if tty { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() });
        let overall = multi.add(ProgressBar::new(total as u64));
        overall.set_style(
            ProgressStyle::with_template("[{elapsed_precise}] {bar:32.cyan/blue} {pos}/{len} trials  best {msg}  ETA {eta}")
                .expect("valid template"),
        );
        overall.set_position(already as u64);
        overall.reset_eta();
        overall.set_message("-");
        SweepProgress { multi, overall, tty }
    }

    /// A line for a running trial.
    pub fn trial(&self, id: &str) -> ProgressBar {
        let bar = self.multi.insert_before(&self.overall, ProgressBar::new(0));
        bar.set_style(ProgressStyle::with_template("  {prefix:32} {msg}").expect("valid template"));
        bar.set_prefix(id.to_string());
        bar
    }

    /// A trial finished: advance the bar and log its line.
    pub fn finished(&self, line: &str, best: Option<String>) {
        self.overall.inc(1);
        if let Some(b) = best {
            self.overall.set_message(b);
        }
        self.println(line);
    }

    /// A line above the bars (or on stderr without a terminal).
    pub fn println(&self, line: &str) {
        if self.tty {
            let _ = self.multi.println(line);
        } else {
            eprintln!("{line}");
        }
    }

    pub fn finish(&self) {
        self.overall.finish_and_clear();
    }
}
