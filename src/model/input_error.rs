//! The input error: shared by collectors (which produce it), the scan (which
//! gathers it) and the reports (which list it), so it lives in the model.

use serde::Serialize;
use std::path::Path;

/// An input, or a part of one, that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InputError {
    /// The input's path, or the command (`adb:<serial>`) it came from.
    pub path: String,
    /// What was wrong with it, for people.
    pub message: String,
}

impl InputError {
    /// An error naming `path`; `message` is any error or text.
    pub fn new(path: &Path, message: impl std::fmt::Display) -> Self {
        InputError {
            path: path.display().to_string(),
            message: message.to_string(),
        }
    }
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for InputError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_an_error_that_names_the_path() {
        let e: Box<dyn std::error::Error> = Box::new(InputError::new(Path::new("a.txt"), "empty"));
        assert_eq!(e.to_string(), "a.txt: empty");
    }
}
