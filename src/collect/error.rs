//! Why a collector could not read an input. The path is added where the error
//! becomes an [`InputError`](crate::model::InputError), which every report names.

use crate::model::InputError;
use std::path::Path;

/// Why a collector could not read an input, or a part of one.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// The file could not be opened or read.
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    /// The path is a folder, FIFO, device or link where a regular file was expected.
    #[error("not a regular file")]
    NotRegularFile,
    /// A file could not be written (`appaudit adb --save`).
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or folder that could not be written.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A text file could not be read or holds no text (empty, binary).
    #[error("{0}")]
    Text(#[from] crate::collect::text::ReadError),
    /// The content is not what the format expects; the message says what.
    #[error("{0}")]
    Invalid(String),
}

impl CollectError {
    /// The error as an input error naming `path`.
    pub fn at(&self, path: &Path) -> InputError {
        InputError::new(path, self.to_string())
    }
}

impl From<String> for CollectError {
    fn from(message: String) -> Self {
        CollectError::Invalid(message)
    }
}

impl From<&str> for CollectError {
    fn from(message: &str) -> Self {
        CollectError::Invalid(message.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_those_people_saw_before() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        assert_eq!(CollectError::from(io).to_string(), "cannot read: gone");
        assert_eq!(
            CollectError::NotRegularFile.at(Path::new("x")).to_string(),
            "x: not a regular file"
        );
        assert_eq!(CollectError::from("bad").to_string(), "bad");
    }
}
