//! The library's error type. Every variant carries what a user needs to find the
//! problem: the file, the line (1-based, header = line 1) and the column.

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
