//! JSON conventions shared by every file the crate writes: numbers that are not finite are
//! written as `null` (serde_json's rule) and read back as `NaN`, so a record with an empty
//! metric (no samples, zero variance) round-trips instead of failing to parse.

use serde::{Deserialize, Deserializer};

/// Deserializes an `f64` that may be `null` (a `NaN` or infinity when written) as `NaN`.
pub fn f64_or_nan<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

#[cfg(test)]
mod tests {
    #[derive(serde::Serialize, serde::Deserialize)]
    struct R {
        #[serde(deserialize_with = "super::f64_or_nan")]
        x: f64,
    }

    #[test]
    fn nan_round_trips_through_null() {
        let text = serde_json::to_string(&R { x: f64::NAN }).unwrap();
        assert_eq!(text, r#"{"x":null}"#);
        assert!(serde_json::from_str::<R>(&text).unwrap().x.is_nan());
        assert_eq!(serde_json::from_str::<R>(r#"{"x":0.5}"#).unwrap().x, 0.5);
    }
}
