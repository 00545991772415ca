//! `--set key.path=value`: command-line overrides of any config value, applied to the TOML
//! document before it is parsed (so a misspelt key is the same error as in the file).
//! Values are TOML (`2`, `0.5`, `true`, `[5, 10]`, `"text"`); anything that does not parse
//! as TOML is taken as a string (`--set train.selection=valid_loss`).

use crate::error::{Error, Result};

/// `text` with each `key=value` of `sets` applied, as TOML text (unchanged when `sets` is
/// empty). `name` labels errors.
pub fn apply(text: &str, name: &str, sets: &[String]) -> Result<String> {
    if sets.is_empty() {
        return Ok(text.to_string());
    }
    let mut doc: toml::Table = toml::from_str(text).map_err(|e| Error::Config(format!("{name}: {e}")))?;
    for set in sets {
        let (key, raw) = set
            .split_once('=')
            .ok_or_else(|| Error::Config(format!("--set `{set}`: expected key.path=value, e.g. sweep.epochs=2")))?;
        let path: Vec<&str> = key.trim().split('.').collect();
        if path.iter().any(|p| p.is_empty()) {
            return Err(Error::Config(format!("--set `{set}`: empty key segment")));
        }
        let value = parse_value(raw.trim());
        let mut table = &mut doc;
        for seg in &path[..path.len() - 1] {
            let entry = table.entry(seg.to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
            table =
                entry.as_table_mut().ok_or_else(|| Error::Config(format!("--set `{set}`: `{seg}` is a value, not a section")))?;
        }
        table.insert(path[path.len() - 1].to_string(), value);
    }
    toml::to_string(&doc).map_err(|e| Error::Config(format!("{name} with --set: {e}")))
}

fn parse_value(raw: &str) -> toml::Value {
    match toml::from_str::<toml::Table>(&format!("v = {raw}")) {
        // Dates stay strings: the config's dates are quoted ("2018-06-30").
        Ok(mut t) => match t.remove("v") {
            Some(toml::Value::Datetime(_)) | None => toml::Value::String(raw.into()),
            Some(v) => v,
        },
        Err(_) => toml::Value::String(raw.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn sets_values_of_every_type_and_creates_sections() {
        let text = "[train]\nepochs = 5\n";
        let sets: Vec<String> =
            ["train.epochs=2", "sweep.units=[8, 16]", "train.selection=valid_loss", "model.dropout=0.0", "synth.end=2018-06-30"]
                .map(String::from)
                .into();
        let out = apply(text, "t", &sets).unwrap();
        let c = Config::from_str(&out, "t").unwrap();
        assert_eq!(c.train.epochs, 2);
        assert_eq!(c.sweep.units, vec![8, 16]);
        assert_eq!(c.model.dropout, 0.0);
        assert_eq!(c.synth.end.to_string(), "2018-06-30");
        assert_eq!(c.train.selection, crate::model::train::Selection::ValidLoss);
    }

    #[test]
    fn bad_sets_are_errors() {
        assert!(apply("", "t", &["noequals".into()]).is_err());
        assert!(apply("[train]\nepochs = 5\n", "t", &["train.epochs.x=1".into()]).is_err());
        let out = apply("", "t", &["train.epochz=1".into()]).unwrap();
        let e = Config::from_str(&out, "t").unwrap_err().to_string();
        assert!(e.contains("epochz"), "{e}");
    }
}
