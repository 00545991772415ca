//! One check of every value of a config, where it is read (`Config::from_str`): a bad value
//! is an error that names the file and the key (`configs/x.toml: [train] lr = -0.001: must
//! be positive and finite`), never a silent default or a run that trains on nonsense.

use crate::config::Config;
use crate::data::Date;
use crate::error::{Error, Result};

/// Collects the first problem of each key.
struct Check<'a> {
    file: &'a str,
    problems: Vec<String>,
}

impl Check<'_> {
    fn fail(&mut self, key: &str, value: impl std::fmt::Display, why: &str) {
        self.problems.push(format!("{key} = {value}: {why}"));
    }
    fn at_least(&mut self, key: &str, v: usize, min: usize) {
        if v < min {
            self.fail(key, v, &format!("must be at least {min}"));
        }
    }
    fn positive(&mut self, key: &str, v: f64) {
        if !(v.is_finite() && v > 0.0) {
            self.fail(key, v, "must be positive and finite");
        }
    }
    fn share(&mut self, key: &str, v: f64) {
        if !(v > 0.0 && v < 1.0) {
            self.fail(key, v, "must be a share in (0, 1)");
        }
    }
    fn ordered(&mut self, section: &str, start: Option<Date>, end: Option<Date>) {
        if let (Some(s), Some(e)) = (start, end)
            && s > e
        {
            self.problems.push(format!("[{section}] start = {s} is after end = {e}"));
        }
    }
    fn finish(self) -> Result<()> {
        match self.problems.len() {
            0 => Ok(()),
            _ => Err(Error::Config(format!("{}: {}", self.file, self.problems.join("; ")))),
        }
    }
}

impl Config {
    /// Checks every value; `file` names the config in the error.
    pub fn validate(&self, file: &str) -> Result<()> {
        let mut c = Check { file, problems: vec![] };
        let t = &self.train;
        c.at_least("[train] epochs", t.epochs, 1);
        c.at_least("[train] batch_size", t.batch_size, 1);
        c.positive("[train] lr", t.lr);
        if let Some(g) = t.grad_clip {
            c.positive("[train] grad_clip", g as f64);
        }
        if let Some(p) = t.patience {
            c.at_least("[train] patience", p, 1);
        }
        let m = &self.model;
        c.at_least("[model] lstm_layers", m.lstm_layers, 1);
        c.at_least("[model] units", m.units, 1);
        if !(0.0..1.0).contains(&m.dropout) {
            c.fail("[model] dropout", m.dropout, "must be in [0, 1)");
        }
        let d = &self.dataset;
        c.at_least("[dataset] mem_day", d.mem_day, 1);
        c.at_least("[dataset] horizon", d.horizon, 1);
        c.at_least("[dataset] feature_steps", d.feature_steps, 1);
        if let (Some(train), Some(valid)) = (d.train.share(), d.valid.share()) {
            c.share("[dataset] train", train);
            if !(0.0..1.0).contains(&valid) {
                c.fail("[dataset] valid", valid, "must be a share in [0, 1)");
            }
            if train + valid >= 1.0 {
                c.fail("[dataset] train + valid", train + valid, "must leave a test share (below 1)");
            }
        }
        if let Err(e) = d.check_segments() {
            c.problems.push(format!("[dataset] {}", e.to_string().trim_start_matches("config: ")));
        }
        if let Some(w) = d.sample_window {
            c.at_least("[dataset] sample_window", w, d.mem_day);
        }
        c.at_least("[synth] stocks", self.synth.stocks, 1);
        c.ordered("synth", Some(self.synth.start), Some(self.synth.end));
        c.ordered("data", self.data.start, self.data.end);
        c.ordered("factors", self.factors.start, self.factors.end);
        c.ordered("backtest", self.backtest.start, self.backtest.end);
        if !self.factors.risk_free.is_finite() {
            c.fail("[factors] risk_free", self.factors.risk_free, "must be finite");
        }
        if let Some(e) = self.sweep.epochs {
            c.at_least("[sweep] epochs", e, 1);
        }
        if let Some(p) = self.sweep.patience {
            c.at_least("[sweep] patience", p, 1);
        }
        c.at_least("[sweep] keep", self.sweep.keep, 1);
        if let Err(e) = crate::factors::formulaic::features(&self.factors) {
            c.problems.push(e.to_string().trim_start_matches("config: ").to_string());
        }
        for (section, r) in
            [("sweep", self.sweep.validate()), ("screen", self.screen.validate()), ("backtest", self.backtest.validate())]
        {
            if let Err(e) = r {
                c.problems.push(format!("[{section}] {}", e.to_string().trim_start_matches("config: ")));
            }
        }
        c.finish()
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    fn err(text: &str) -> String {
        Config::from_str(text, "c.toml").unwrap_err().to_string()
    }

    /// Each of these used to be accepted (and trained, or silently became 1).
    #[test]
    fn bad_values_name_the_file_and_the_key() {
        for (text, key) in [
            ("[train]\nlr = -0.001\n", "[train] lr = -0.001"),
            ("[train]\nepochs = 0\n", "[train] epochs = 0"),
            ("[train]\ngrad_clip = -1.0\n", "[train] grad_clip = -1"),
            ("[train]\nbatch_size = 0\n", "[train] batch_size = 0"),
            ("[model]\nunits = 0\n", "[model] units = 0"),
            ("[dataset]\ntrain = 0.7\nvalid = 0.3\n", "[dataset] train + valid = 1"),
            ("[dataset]\nmem_day = 0\n", "[dataset] mem_day = 0"),
            ("[data]\nstart = \"2020-01-01\"\nend = \"2019-01-01\"\n", "[data] start = 2020-01-01 is after end = 2019-01-01"),
            ("[sweep]\nkeep = 0\n", "[sweep] keep = 0"),
            ("[sweep]\nepochs = 0\n", "[sweep] sweep.epochs"),
            ("[factors]\nset = \"alpha999\"\n", "unknown feature set `alpha999`"),
            (
                "[dataset]\ntrain = [\"2015-01-01\", \"2014-01-01\"]\nvalid = [\"2015-01-01\", \"2016-01-01\"]\n",
                "2015-01-01 is after 2014-01-01",
            ),
            (
                "[dataset]\ntrain = [\"2010-01-01\", \"2015-06-01\"]\nvalid = [\"2015-01-01\", \"2016-01-01\"]\n",
                "segments must be in time order",
            ),
            ("[dataset]\ntrain = [\"2010-01-01\", \"2014-12-31\"]\nvalid = 0.2\n", "both be shares or both be date ranges"),
            ("[factors.expr]\nF = \"Ref($close, -1)\"\n", "[factors.expr] feature `F`"),
            ("[factors.expr]\nG = \"Mean($close, 5\"\n", "at column 15"),
            ("[factors.expr]\nKMID = \"$close\"\n[factors]\nset = [\"paper\", \"alpha158\"]\n", "two features are named `KMID`"),
        ] {
            let e = err(text);
            assert!(e.contains("c.toml") && e.contains(key), "{text:?}: {e}");
        }
    }

    #[test]
    fn the_defaults_and_shipped_configs_pass() {
        Config::default().validate("default").unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("configs");
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            if e.path().extension().is_some_and(|x| x == "toml") {
                Config::from_file(&e.path()).unwrap_or_else(|err| panic!("{}: {err}", e.path().display()));
            }
        }
    }
}
