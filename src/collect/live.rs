//! Live Android devices over adb as a source: the devices attached to the local adb
//! server are read (read-only), optionally saved, and handed to the scan like any
//! other input, one [`Collected`] for all of them.
//!
//! A device that is unauthorized, offline, gone or slow becomes an [`InputError`]
//! and the others are still read; only problems with adb itself stop the source.

use crate::collect::android::adb::{self, Adb, Attached, RunError};
use crate::collect::android::capture::{self, Manifest};
use crate::collect::registry::finish;
use crate::collect::{CollectError, Collected};
use crate::model::InputError;
use std::path::{Path, PathBuf};

/// Which attached devices to read, and where to keep their captures.
#[derive(Clone, Debug)]
pub struct LiveRequest {
    /// The adb program and the time each command may take.
    pub adb: Adb,
    /// Only these devices (in this order); every attached device when empty.
    pub serials: Vec<String>,
    /// Keep every capture under `DIR/<serial>/` with its manifest.
    pub save: Option<PathBuf>,
}

/// Why no device could be read at all.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// `adb devices -l` did not answer in time.
    #[error("`{} devices -l` timed out after {secs} s", program.display())]
    DevicesTimedOut {
        /// The adb program.
        program: PathBuf,
        /// The timeout, in seconds.
        secs: u64,
    },
    /// `adb devices -l` failed; `detail` is `: <stderr>` or empty.
    #[error("`{} devices -l` failed{detail}", program.display())]
    DevicesFailed {
        /// The adb program.
        program: PathBuf,
        /// What it said, prefixed with `: `, or nothing.
        detail: String,
    },
    /// adb could not be run at all.
    #[error("{0}")]
    Adb(RunError),
    /// No device is attached and none was named.
    #[error(
        "no device attached: connect a phone with USB debugging on \
(Settings > Developer options), accept the prompt on the phone, and check `adb devices`"
    )]
    NoDevice,
}

/// Reads the devices `request` selects. `note` is told what is going on, for people
/// (`reading R58N12345 over adb...`).
pub fn collect_live(request: &LiveRequest, note: &dyn Fn(&str)) -> Result<Collected, LiveError> {
    let attached = attached(&request.adb)?;
    if attached.is_empty() && request.serials.is_empty() {
        return Err(LiveError::NoDevice);
    }
    let mut out = Collected::default();
    for (serial, found) in select(&attached, &request.serials) {
        let source = format!("adb:{serial}");
        let error = |message: String| InputError {
            path: source.clone(),
            message,
        };
        match found.map(|a| a.state.as_str()) {
            None => {
                out.errors.push(error(format!(
                    "device {serial} is not attached (see `adb devices`)"
                )));
                continue;
            }
            Some("device") => {}
            Some(state) => {
                out.errors.push(error(adb::state_message(state)));
                continue;
            }
        }
        note(&format!("reading {serial} over adb..."));
        let manifest = match adb::capture(&request.adb, &serial) {
            Ok(manifest) => manifest,
            Err(e @ RunError::NotFound(_)) => return Err(LiveError::Adb(e)),
            Err(e) => {
                out.errors.push(error(e.to_string()));
                continue;
            }
        };
        for problem in &manifest.problems {
            tracing::warn!("{source}: {problem}");
            out.errors.push(error(problem.clone()));
        }
        if let Some(dir) = &request.save {
            match save(dir, &manifest) {
                Ok(folder) => note(&format!("saved {serial} to {}", folder.display())),
                Err(e) => out.errors.push(error(e.to_string())),
            }
        }
        let has_listing = manifest
            .entries
            .iter()
            .any(|e| matches!(e.role, capture::Role::Packages | capture::Role::Dumpsys));
        if !has_listing {
            // Nothing to report for it: the error above says why.
            continue;
        }
        let device = capture::build(&manifest, &source, &|e| e.command.clone());
        out.devices.push(finish(Path::new(&source), device.into()));
    }
    Ok(out)
}

/// The devices attached to the adb server.
fn attached(adb: &Adb) -> Result<Vec<Attached>, LiveError> {
    match adb.run(&["devices", "-l"]) {
        Ok(out) if out.timed_out => Err(LiveError::DevicesTimedOut {
            program: adb.program.clone(),
            secs: adb.timeout.as_secs(),
        }),
        Ok(out) if out.code != Some(0) => {
            let why = out.stderr.trim();
            Err(LiveError::DevicesFailed {
                program: adb.program.clone(),
                detail: if why.is_empty() {
                    String::new()
                } else {
                    format!(": {why}")
                },
            })
        }
        Ok(out) => Ok(adb::parse_devices(&String::from_utf8_lossy(&out.stdout))),
        Err(e) => Err(LiveError::Adb(e)),
    }
}

/// The serials to read, each with its attached device when there is one.
fn select<'a>(attached: &'a [Attached], serials: &[String]) -> Vec<(String, Option<&'a Attached>)> {
    if serials.is_empty() {
        return attached
            .iter()
            .map(|a| (a.serial.clone(), Some(a)))
            .collect();
    }
    let mut selected: Vec<(String, Option<&Attached>)> = Vec::new();
    for serial in serials {
        if !selected.iter().any(|(s, _)| s == serial) {
            let found = attached.iter().find(|a| &a.serial == serial);
            selected.push((serial.clone(), found));
        }
    }
    selected
}

fn save(dir: &Path, manifest: &Manifest) -> Result<PathBuf, CollectError> {
    let folder = adb::save_folder(dir, &manifest.serial, &manifest.started);
    manifest.save(&folder)?;
    Ok(folder)
}
