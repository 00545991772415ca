//! Reading a predictions table (`date, code, score, model[, in_sample]`, CSV or .csv.gz, as
//! `alphasweep predict` writes it) onto a panel's dates and stocks. Codes are normalized
//! (any spelling docs/DATA.md accepts); an empty or `NaN` score means no prediction. Bad
//! rows are errors naming the file, line and column.

use std::collections::BTreeSet;
use std::path::Path;

use crate::backtest::day_loop::Signals;
use crate::data::code;
use crate::data::fast_csv::{FastCsv, fast_number};
use crate::data::source::Source;
use crate::data::{Date, Panel};
use crate::error::{Error, Result};

/// Predictions on the panel's axes and what reading them found.
#[derive(Clone, Debug)]
pub struct Predictions {
    pub signals: Signals,
    /// The model names in the file (the `model` column; empty without one).
    pub models: BTreeSet<String>,
    /// Rows used.
    pub rows: usize,
    /// Rows whose date or code the market data lacks (skipped).
    pub skipped: usize,
    /// Rows flagged `in_sample`.
    pub in_sample_rows: usize,
    pub first: Option<Date>,
    pub last: Option<Date>,
}

fn parse_bool(b: &[u8]) -> Option<bool> {
    match b.trim_ascii().to_ascii_lowercase().as_slice() {
        b"" | b"0" | b"false" | b"f" | b"no" | b"n" => Some(false),
        b"1" | b"true" | b"t" | b"yes" | b"y" => Some(true),
        _ => None,
    }
}

/// Reads `path`. With `model`, only that model's rows are used; without it the file must
/// hold one model. A repeated (date, code) of one model is an error.
pub fn read_predictions(path: &Path, panel: &Panel, model: Option<&str>) -> Result<Predictions> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| Error::format(path.display(), "not a file name"))?;
    let src = Source::Dir(dir.to_path_buf());
    let mut t = FastCsv::open(src.display(name), src.stream(name)?)?;
    let file = t.file.clone();
    let need = |t: &FastCsv, c: &str| {
        t.column(&[c]).ok_or_else(|| Error::MissingColumn { file: file.clone(), column: c.into(), found: t.headers.join(", ") })
    };
    let (date_col, code_col, score_col) = (need(&t, "date")?, need(&t, "code")?, need(&t, "score")?);
    let (model_col, sample_col) = (t.column(&["model"]), t.column(&["in_sample"]));
    let (nd, ns) = (panel.n_dates(), panel.n_stocks());
    let mut score = vec![f64::NAN; nd * ns];
    let mut seen = vec![false; nd * ns];
    let mut in_sample = vec![false; nd];
    let mut out = Predictions {
        signals: Signals { score: Vec::new(), in_sample: Vec::new() },
        models: BTreeSet::new(),
        rows: 0,
        skipped: 0,
        in_sample_rows: 0,
        first: None,
        last: None,
    };
    let headers = t.headers.clone();
    let mut last_code: (Vec<u8>, Option<usize>) = (Vec::new(), None);
    t.for_each(|rec, line| {
        let bad = |col: usize, reason: String| Error::BadValue { file: file.clone(), line, column: headers[col].clone(), reason };
        let show = |col: usize| String::from_utf8_lossy(rec[col]).into_owned();
        if let Some(c) = model_col {
            let m = std::str::from_utf8(rec[c]).map_err(|_| bad(c, "not valid UTF-8".into()))?.trim();
            if model.is_some_and(|want| want != m) {
                return Ok(());
            }
            if !out.models.contains(m) {
                out.models.insert(m.to_string());
                if out.models.len() > 1 {
                    let list: Vec<&str> = out.models.iter().map(String::as_str).collect();
                    return Err(bad(c, format!("several models ({}): choose one with --model", list.join(", "))));
                }
            }
        }
        let date = Date::parse_bytes(rec[date_col].trim_ascii())
            .ok_or_else(|| bad(date_col, format!("`{}` is not a date (expected YYYY-MM-DD)", show(date_col))))?;
        if last_code.0 != rec[code_col] {
            let text = std::str::from_utf8(rec[code_col]).unwrap_or("");
            let canon =
                code::normalize(text).ok_or_else(|| bad(code_col, format!("`{}` is not a stock code", show(code_col))))?;
            last_code = (rec[code_col].to_vec(), panel.stock_index(&canon));
        }
        let v = fast_number(rec[score_col]).ok_or_else(|| bad(score_col, format!("`{}` is not a number", show(score_col))))?;
        let flagged = match sample_col {
            Some(c) => parse_bool(rec[c]).ok_or_else(|| bad(c, format!("`{}` is not true/false", show(c))))?,
            None => false,
        };
        let (Some(d), Some(s)) = (panel.date_index(date), last_code.1) else {
            out.skipped += 1;
            return Ok(());
        };
        let i = d * ns + s;
        if seen[i] {
            return Err(Error::BadRow {
                file: file.clone(),
                line,
                reason: format!("a second prediction for {} on {date}", panel.stocks[s]),
            });
        }
        seen[i] = true;
        score[i] = v;
        out.rows += 1;
        if flagged {
            in_sample[d] = true;
            out.in_sample_rows += 1;
        }
        out.first = Some(out.first.map_or(date, |f: Date| f.min(date)));
        out.last = Some(out.last.map_or(date, |l: Date| l.max(date)));
        Ok(())
    })?;
    out.signals = Signals { score, in_sample };
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Date;

    fn panel() -> Panel {
        let dates = ["2020-01-02", "2020-01-03"].iter().map(|s| s.parse::<Date>().unwrap()).collect();
        Panel { dates, stocks: vec!["SH600000".into(), "SZ000001".into()], ..Panel::default() }
    }

    fn read(text: &str, model: Option<&str>) -> Result<Predictions> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p.csv");
        std::fs::write(&p, text).unwrap();
        read_predictions(&p, &panel(), model)
    }

    #[test]
    fn reads_scores_flags_and_skips() {
        let p = read(
            "date,code,score,model,in_sample\n2020-01-02,sh.600000,0.5,m,false\n2020-01-03,000001,-1,m,true\n\
             2020-01-06,SH600000,1,m,\n2020-01-02,SZ000001,,m,0\n",
            None,
        )
        .unwrap();
        assert_eq!((p.rows, p.skipped, p.in_sample_rows), (3, 1, 1));
        assert_eq!(p.signals.score[0], 0.5);
        assert_eq!(p.signals.score[3], -1.0);
        assert!(p.signals.score[1].is_nan() && p.signals.score[2].is_nan());
        assert_eq!(p.signals.in_sample, vec![false, true]);
    }

    #[test]
    fn bad_rows_name_file_line_and_column() {
        let e = read("date,code,score,model\n2020-01-02,SH600000,0.5,m\n2020-01-03,SH600000,abc,m\n", None).unwrap_err();
        assert!(e.to_string().ends_with("p.csv:3: column `score`: `abc` is not a number"), "{e}");
        let e = read("date,code,score,model\n2020-13-02,SH600000,0.5,m\n", None).unwrap_err();
        assert!(e.to_string().contains("p.csv:2: column `date`"), "{e}");
        let e = read("date,code,score,model\n2020-01-02,XX,0.5,m\n", None).unwrap_err();
        assert!(e.to_string().contains(":2: column `code`: `XX` is not a stock code"), "{e}");
        let e = read("date,code,score\n2020-01-02,SH600000,1\n2020-01-02,sh600000,2\n", None).unwrap_err();
        assert!(e.to_string().contains(":3: a second prediction for SH600000 on 2020-01-02"), "{e}");
        let e = read("date,code,model\n2020-01-02,SH600000,m\n", None).unwrap_err();
        assert!(e.to_string().contains("missing required column `score`"), "{e}");
        let two = "date,code,score,model\n2020-01-02,SH600000,1,a\n2020-01-02,SH600000,2,b\n";
        assert!(read(two, None).unwrap_err().to_string().contains("several models (a, b)"));
        assert_eq!(read(two, Some("b")).unwrap().signals.score[0], 2.0);
    }
}
