//! Collectors: turn an input (a file, a folder) into [`Device`]s with [`App`]s.
//!
//! Collectors know nothing of rules. Each input that cannot be read becomes an
//! [`InputError`] naming its path; the other inputs are still collected.
//!
//! Every input format is a source ([`source`]) listed once in [`registry`]; [`detect`]
//! walks the registries, and [`live`] reads attached Android devices. Whole files are
//! read through [`read`], the one bounded reader.
//!
//! [`App`]: crate::model::App

pub use crate::model::InputError;
use crate::model::{AppFilter, Device};

pub mod android;
pub(crate) mod capture_manifest;
pub mod desktop;
pub mod detect;
mod error;
pub use error::CollectError;
pub mod import;
pub mod ios;
pub(crate) mod json;
pub mod live;
pub mod read;
pub mod registry;
pub mod source;
pub mod text;

/// What the user says an input is; `Auto` detects it from the content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
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
    /// A Jamf Pro inventory (Classic or Jamf Pro API JSON of computers or mobile devices).
    Jamf,
    /// Microsoft Intune `detectedApps` JSON (Graph).
    Intune,
    /// Kandji device apps JSON (`/api/v1/devices/{id}/apps`).
    Kandji,
    /// Android Management API devices JSON.
    AndroidManagement,
    /// SimpleMDM JSON:API resources (`installed_app`, `device`).
    Simplemdm,
}

/// How inputs are read: the options for machine roots, and which apps to keep.
#[derive(Clone, Copy)]
pub struct Options<'f> {
    /// `--os`, file systems, live: how machine roots are read.
    pub machine: desktop::Options,
    /// Which apps are kept as they are read ([`KeepAll`](crate::model::KeepAll) for
    /// an inventory; a scan keeps only what a rule could match).
    pub keep: &'f dyn AppFilter,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            machine: desktop::Options::default(),
            keep: &crate::model::KeepAll,
        }
    }
}

impl std::fmt::Debug for Options<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("machine", &self.machine)
            .finish_non_exhaustive()
    }
}

/// Everything collected from one input path.
#[derive(Debug, Default)]
pub struct Collected {
    /// The devices read.
    pub devices: Vec<Device>,
    /// Inputs (or parts) that could not be read: these make the scan incomplete.
    pub errors: Vec<InputError>,
    /// Files inside a scanned folder that were not recognised and were passed over.
    pub skipped: Vec<InputError>,
}
