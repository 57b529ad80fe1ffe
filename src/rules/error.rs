//! Why rules could not be read, selected or exported.

/// Why a rule file, a policy or an export failed. Rule *content* problems are
/// [`Diagnostic`](super::diagnostic::Diagnostic)s with a file and line instead.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// The rule file could not be opened or read.
    #[error("cannot read rules: {0}")]
    Io(#[from] std::io::Error),
    /// The path is a folder, FIFO or device, not a rule file.
    #[error("not a regular file")]
    NotRegularFile,
    /// The rule file is larger than appaudit reads.
    #[error("rule file is {size} bytes; the limit is {limit}")]
    TooLarge {
        /// Its size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The rule file is not UTF-8.
    #[error("not UTF-8 text (invalid byte at offset {0})")]
    NotUtf8(usize),
    /// `--policy` names no loaded policy.
    #[error("no policy named `{id}`; known policies: {known} (or `all` for every regime)")]
    UnknownPolicy {
        /// The name asked for.
        id: String,
        /// The loaded policies, comma-separated, or `none`.
        known: String,
    },
    /// A rule or pattern cannot be expressed in an export format; the message says why.
    #[error("{0}")]
    Export(String),
}

impl From<String> for RulesError {
    fn from(message: String) -> Self {
        RulesError::Export(message)
    }
}

impl From<&str> for RulesError {
    fn from(message: &str) -> Self {
        RulesError::Export(message.to_owned())
    }
}
