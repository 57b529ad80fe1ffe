//! Desktop collectors: macOS, Windows and Linux, from the machine appaudit runs
//! on or from another machine's root folder (a mounted image, a copied tree).
//!
//! Every collector here only reads. The walk never follows a link out of the
//! root, never loops, never opens a FIFO or device file.

use crate::collect::InputError;
use crate::model::App;
use std::path::Path;

pub mod windows;

/// The operating system of a machine root.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Os {
    Macos,
    Windows,
    Linux,
}

/// What one OS collector found under a root: apps (not yet merged across
/// sources) and what could not be read.
#[derive(Debug, Default)]
pub struct Found {
    pub apps: Vec<App>,
    pub errors: Vec<InputError>,
    pub warnings: Vec<String>,
}

/// Shared signature of the per-OS collectors: read everything under `root`.
pub type CollectRoot = fn(root: &Path) -> Found;
