//! The library's error type. Variants about a file carry what a user needs to find the
//! problem there: the file, and where it applies the line (1-based, header = line 1) and the
//! column (`BadValue`, `BadRow`, `MissingColumn`, `Empty`, `Format`, `Io`). `Config` and
//! `Invalid` carry a message that names the setting or input at fault; `Context` says what
//! was being done when its cause happened (the CLI prints the chain: `context: cause`).

use std::path::PathBuf;

/// Errors from loading, validating and processing market data.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A malformed row or value: `file:line: column `col`: reason`.
    #[error("{file}:{line}: column `{column}`: {reason}")]
    BadValue { file: String, line: u64, column: String, reason: String },
    /// A row-level problem not tied to one column (wrong field count, duplicates, order).
    #[error("{file}:{line}: {reason}")]
    BadRow { file: String, line: u64, reason: String },
    #[error("{file}: missing required column `{column}` (columns found: {found})")]
    MissingColumn { file: String, column: String, found: String },
    #[error("{file}: file is empty (no header or no data rows)")]
    Empty { file: String },
    /// A structural problem with a file or folder (truncated binary, corrupt archive, bad layout).
    #[error("{file}: {reason}")]
    Format { file: String, reason: String },
    #[error("config: {0}")]
    Config(String),
    #[error("{0}")]
    Invalid(String),
    /// What was being done (`loading market data`) when `source` happened.
    #[error("{context}")]
    Context {
        context: String,
        #[source]
        source: Box<Error>,
    },
}

/// `.context(…)` for the library's results, like anyhow's: the error says what was being done.
pub trait ResultExt<T> {
    fn context(self, what: impl Into<String>) -> Result<T>;
    fn with_context<S: Into<String>>(self, what: impl FnOnce() -> S) -> Result<T>;
}

impl<T> ResultExt<T> for Result<T> {
    fn context(self, what: impl Into<String>) -> Result<T> {
        self.map_err(|e| Error::Context { context: what.into(), source: Box::new(e) })
    }

    fn with_context<S: Into<String>>(self, what: impl FnOnce() -> S) -> Result<T> {
        self.map_err(|e| Error::Context { context: what().into(), source: Box::new(e) })
    }
}

/// `Result` with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }

    pub fn format(file: impl ToString, reason: impl ToString) -> Self {
        Error::Format { file: file.to_string(), reason: reason.to_string() }
    }
}

/// Names for a message: the first 12 of `items`, then `… N more`.
pub fn first_few<T: std::fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    let mut shown = Vec::new();
    let mut more = 0;
    for item in items {
        if shown.len() < 12 {
            shown.push(item.to_string());
        } else {
            more += 1;
        }
    }
    if more > 0 {
        shown.push(format!("… {more} more"));
    }
    shown.join(", ")
}
