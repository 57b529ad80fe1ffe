//! Why a report could not be written. Every variant prints as its cause did, so
//! messages are those people saw before; the CLI names the output path.

use std::io;

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Writing to the output failed (a closed pipe, a full disk).
    #[error(transparent)]
    Io(#[from] io::Error),
    /// A CSV row could not be written.
    #[error(transparent)]
    Csv(#[from] csv::Error),
    /// A JSON document could not be serialised.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// The HTML template could not be rendered.
    #[error(transparent)]
    Template(#[from] minijinja::Error),
}

impl ReportError {
    /// As an I/O error, keeping an I/O cause as it is (a closed pipe stays one).
    pub fn into_io(self) -> io::Error {
        match self {
            ReportError::Io(e) => e,
            other => io::Error::other(other),
        }
    }
}
