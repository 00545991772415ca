//! Stock and index codes in one canonical form: exchange prefix + six digits,
//! e.g. `SH600519`, `SZ000001`, `BJ830799`.
//!
//! Accepted spellings: `SH600519`, `sh600519`, `sh.600519`, `600519.SH`, `600519.SSE`,
//! `600519.XSHG`, `SZ000001`, `000001.SZE`, `000001.XSHE`, and a bare `600519`
//! (exchange inferred from the leading digit: 6/9 → SH, 0/2/3 → SZ, 4/8 → BJ).

/// Normalizes any accepted spelling to `SH600519` form; `None` if it is not a code.
pub fn normalize(raw: &str) -> Option<String> {
    let s = raw.trim();
    let upper = s.to_ascii_uppercase();
    let (exch, digits): (Option<&str>, &str) = if let Some((a, b)) = upper.split_once('.') {
        if is_six_digits(a) {
            (Some(b), a)
        } else if is_six_digits(b) {
            (Some(a), b)
        } else {
            return None;
        }
    } else if let (8, Some(prefix), Some(digits)) = (upper.len(), upper.get(..2), upper.get(2..))
        && is_six_digits(digits)
    {
        (Some(prefix), digits)
    } else if is_six_digits(&upper) {
        (None, upper.as_str())
    } else {
        return None;
    };
    let exchange = match exch {
        Some("SH" | "SSE" | "XSHG" | "SS") => "SH",
        Some("SZ" | "SZE" | "XSHE") => "SZ",
        Some("BJ" | "BSE") => "BJ",
        Some(_) => return None,
        None => match digits.as_bytes()[0] {
            b'6' | b'9' => "SH",
            b'0' | b'2' | b'3' => "SZ",
            b'4' | b'8' => "BJ",
            _ => return None,
        },
    };
    Some(format!("{exchange}{digits}"))
}

/// True for codes of indices rather than stocks (`SH000xxx`, `SZ399xxx`) in canonical form.
pub fn is_index(code: &str) -> bool {
    code.starts_with("SH000") || code.starts_with("SZ399")
}

/// The daily price limit for a stock on its board (fraction, e.g. 0.10), ignoring ST status
/// and the dates of the board reforms, which callers apply.
pub fn board(code: &str) -> Board {
    let d = &code.get(2..).unwrap_or("");
    if d.starts_with("688") || d.starts_with("689") {
        Board::Star
    } else if d.starts_with("300") || d.starts_with("301") {
        Board::ChiNext
    } else if code.starts_with("BJ") {
        Board::Beijing
    } else {
        Board::Main
    }
}

/// The trading board a stock is listed on (it sets the price-limit rules).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Board {
    Main,
    ChiNext,
    Star,
    Beijing,
}

fn is_six_digits(s: &str) -> bool {
    s.len() == 6 && s.bytes().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the fuzzer: an 8-byte name whose byte 2 is inside a character panicked.
    #[test]
    fn multibyte_text_is_not_a_code_and_no_panic() {
        assert_eq!(normalize("€KKSES"), None);
        assert_eq!(normalize("SH6000€"), None);
    }

    #[test]
    fn all_spellings_agree() {
        for s in ["SH600519", "sh600519", "sh.600519", "600519.SH", "600519.SSE", "600519.XSHG", "600519", " 600519.sh "] {
            assert_eq!(normalize(s).as_deref(), Some("SH600519"), "{s}");
        }
        for s in ["SZ000001", "sz.000001", "000001.SZE", "000001.XSHE", "000001.sz"] {
            assert_eq!(normalize(s).as_deref(), Some("SZ000001"), "{s}");
        }
        for s in ["", "60051", "SH60051X", "600519.NY", "abc", "1600519"] {
            assert_eq!(normalize(s), None, "{s}");
        }
    }

    #[test]
    fn tells_indices_and_boards() {
        assert!(is_index("SH000300") && is_index("SZ399300"));
        assert!(!is_index("SH600000") && !is_index("SZ000001"));
        assert_eq!(board("SZ300750"), Board::ChiNext);
        assert_eq!(board("SH688981"), Board::Star);
        assert_eq!(board("SH600519"), Board::Main);
    }
}
