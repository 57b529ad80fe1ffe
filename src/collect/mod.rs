//! Collectors: turn an input (a file, a folder) into [`Device`]s with [`App`]s.
//!
//! Collectors know nothing of rules. Each input that cannot be read becomes an
//! [`InputError`] naming its path; the other inputs are still collected.
//!
//! [`App`]: crate::model::App

use crate::model::Device;
use serde::Serialize;
use std::path::Path;

pub mod android;
pub mod desktop;
pub mod detect;
pub mod import;
pub mod ios;
pub mod text;

/// What the user says an input is; `Auto` detects it from the content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum InputFormat {
    /// Detect from the content (not the file name).
    #[default]
    Auto,
    /// `adb shell pm list packages` output, with any flags.
    PmList,
    /// `adb shell dumpsys package`, a whole `dumpsys`, or a bugreport's dumpstate text.
    Dumpsys,
    /// androidqf `packages.json`.
    Androidqf,
    /// osquery JSON results of `apps`, `programs`, `deb_packages` or `rpm_packages`.
    Osquery,
    /// Fleet's software JSON (`{"software": [...]}`, a host, or hosts with software).
    Fleet,
    /// A CSV app inventory (an MDM's discovered-apps export); see docs/imports.md.
    Csv,
}

/// An input, or a part of one, that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InputError {
    pub path: String,
    pub message: String,
}

impl InputError {
    pub fn new(path: &Path, message: impl Into<String>) -> Self {
        InputError {
            path: path.display().to_string(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Everything collected from one input path.
#[derive(Debug, Default)]
pub struct Collected {
    pub devices: Vec<Device>,
    /// Inputs (or parts) that could not be read: these make the scan incomplete.
    pub errors: Vec<InputError>,
    /// Files inside a scanned folder that were not recognised and were passed over.
    pub skipped: Vec<InputError>,
}
