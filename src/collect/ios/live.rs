//! Live iPhones and iPads over USB as a source: the devices libimobiledevice sees
//! (`idevice_id -l`) are read (read-only: `ideviceinfo`, `ideviceinstaller` listing),
//! optionally saved, and handed to the scan like any other input, one [`Collected`]
//! for all of them; the same pattern as Android's `collect::live`.
//!
//! A device that is locked, not paired, not trusted, gone or slow becomes an
//! [`InputError`] saying what to do, and the others are still read; only problems
//! with the tools themselves (missing, no device list) stop the source.

use super::capture::{self, Manifest, Role};
use super::listing::ideviceinfo;
use super::usb::{self, Failure, ListStyle, Ran, Tool, ToolError, Tools};
use crate::collect::android::adb::save_folder;
use crate::collect::{CollectError, Collected};
use crate::model::InputError;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Which attached devices to read, and where to keep their captures.
#[derive(Clone, Debug)]
pub struct IosRequest {
    /// The three programs and the time each run may take.
    pub tools: Tools,
    /// Only these devices (in this order); every attached device when empty.
    pub udids: Vec<String>,
    /// Keep every capture under `DIR/<UDID>/` with its manifest.
    pub save: Option<PathBuf>,
}

/// What to tell people when usbmuxd is not running.
const NO_USBMUXD: &str = " (usbmuxd is not running: it starts when an iPhone or iPad is \
plugged in; Debian/Ubuntu: `apt install usbmuxd`)";

/// Why no device could be read at all.
#[derive(Debug, thiserror::Error)]
pub enum IosLiveError {
    /// A tool is missing or could not be run.
    #[error(transparent)]
    Tool(#[from] ToolError),
    /// `idevice_id -l` did not answer in time.
    #[error("`{command}` timed out after {secs} s")]
    ListTimedOut {
        /// The command line.
        command: String,
        /// The timeout, in seconds.
        secs: u64,
    },
    /// `idevice_id -l` failed; `detail` is `: <what it said>` or empty.
    #[error("`{command}` failed{detail}")]
    ListFailed {
        /// The command line.
        command: String,
        /// What it said, prefixed with `: `, or nothing.
        detail: String,
    },
    /// No device is attached and none was named; `hint` says more, or is empty.
    #[error(
        "no iPhone or iPad attached: connect one with a USB cable, unlock it and tap Trust, \
and check `idevice_id -l`{hint}"
    )]
    NoDevice {
        /// Why, when known (usbmuxd not running), prefixed with a space.
        hint: String,
    },
}

/// Reads the devices `request` selects. `note` is told what is going on, for people
/// (`reading 00008030-... over USB...`).
pub fn collect_live(request: &IosRequest, note: &dyn Fn(&str)) -> Result<Collected, IosLiveError> {
    let tools = &request.tools;
    let (versions, style) = versions(tools)?;
    let attached = attached(tools)?;
    if attached.is_empty() && request.udids.is_empty() {
        return Err(IosLiveError::NoDevice {
            hint: String::new(),
        });
    }
    let mut out = Collected::default();
    for (udid, is_attached) in select(&attached, &request.udids) {
        let source = format!("ios:{udid}");
        let error = |message: String| InputError {
            path: source.clone(),
            message,
        };
        if !is_attached {
            out.errors.push(error(format!(
                "device {udid} is not attached (see `idevice_id -l`)"
            )));
            continue;
        }
        note(&format!("reading {udid} over USB..."));
        let manifest = capture(tools, style, &udid, versions.clone())?;
        for problem in &manifest.problems {
            tracing::warn!("{source}: {problem}");
            out.errors.push(error(problem.clone()));
        }
        if let Some(dir) = &request.save
            && !manifest.entries.is_empty()
        {
            match save(dir, &manifest) {
                Ok(folder) => note(&format!("saved {udid} to {}", folder.display())),
                Err(e) => out.errors.push(error(e.to_string())),
            }
        }
        match capture::build(&manifest, &source, &|e| e.command.clone()) {
            Ok(device) => out.devices.push(device),
            // Nothing to report for it: the problems above say why.
            Err(_) if !manifest.problems.is_empty() => {}
            Err(why) => out.errors.push(error(why.to_string())),
        }
    }
    Ok(out)
}

/// What each tool says its version is, and how this `ideviceinstaller` lists apps.
/// A missing tool stops here, before any device is asked anything.
fn versions(tools: &Tools) -> Result<(BTreeMap<String, String>, ListStyle), IosLiveError> {
    let mut versions = BTreeMap::new();
    let mut style = ListStyle::Options;
    for tool in Tool::ALL {
        let ran = tools.version(tool)?;
        let stdout = String::from_utf8_lossy(&ran.output.stdout);
        let first = crate::collect::text::lines(&stdout)
            .map(str::trim)
            .find(|l| !l.is_empty())
            .filter(|_| ran.succeeded())
            .map_or_else(|| "unknown (no --version)".to_owned(), str::to_owned);
        if tool == Tool::Ideviceinstaller {
            style = ListStyle::detect(&format!("{stdout}\n{}", ran.output.stderr));
        }
        versions.insert(tool.name().to_owned(), first);
    }
    Ok((versions, style))
}

/// The UDIDs `idevice_id -l` lists.
fn attached(tools: &Tools) -> Result<Vec<String>, IosLiveError> {
    let ran = tools.run(Tool::IdeviceId, &["-l"])?;
    if ran.output.timed_out {
        return Err(IosLiveError::ListTimedOut {
            command: ran.command,
            secs: tools.timeout.as_secs(),
        });
    }
    if ran.succeeded() {
        return Ok(usb::parse_udids(&String::from_utf8_lossy(
            &ran.output.stdout,
        )));
    }
    let said = ran.said();
    if said.contains("Unable to retrieve device list") {
        // usbmuxd is not running: nothing can be attached.
        return Err(IosLiveError::NoDevice {
            hint: NO_USBMUXD.to_owned(),
        });
    }
    Err(IosLiveError::ListFailed {
        command: ran.command,
        detail: if said.is_empty() {
            String::new()
        } else {
            format!(": {said}")
        },
    })
}

/// The UDIDs to read, each with whether it is attached.
fn select(attached: &[String], wanted: &[String]) -> Vec<(String, bool)> {
    if wanted.is_empty() {
        return attached.iter().map(|u| (u.clone(), true)).collect();
    }
    let mut selected: Vec<(String, bool)> = Vec::new();
    for udid in wanted {
        if !selected.iter().any(|(u, _)| u == udid) {
            selected.push((udid.clone(), attached.contains(udid)));
        }
    }
    selected
}

/// Captures one device: `ideviceinfo`, then the app list. `Err` only when a tool
/// cannot be run; problems with the device are in `Manifest::problems`.
fn capture(
    tools: &Tools,
    style: ListStyle,
    udid: &str,
    versions: BTreeMap<String, String>,
) -> Result<Manifest, ToolError> {
    let mut manifest = Manifest::new(udid, versions);
    let info = tools.run(Tool::Ideviceinfo, &["-u", udid])?;
    if let Some(failure) = usb::classify(&info) {
        let problem = problem(tools, &manifest, Tool::Ideviceinfo, &info, failure)?;
        manifest.problems.push(problem);
        return Ok(manifest);
    }
    let (command, out) = (info.command, info.output);
    manifest.push(Role::Info, command, &out.stdout, &out.stderr, 0);
    manifest.device = ideviceinfo::parse(&out.stdout, "ideviceinfo")
        .ok()
        .and_then(|parsed| {
            parsed
                .properties
                .into_iter()
                .find(|(k, _)| k == "device_name")
                .map(|(_, v)| v)
        });
    let mut args = vec!["-u", udid];
    args.extend_from_slice(style.args());
    let apps = tools.run(Tool::Ideviceinstaller, &args)?;
    match usb::classify(&apps) {
        None => {
            let (command, out) = (apps.command, apps.output);
            manifest.push(Role::Apps, command, &out.stdout, &out.stderr, 0);
        }
        Some(failure) => {
            let problem = problem(tools, &manifest, Tool::Ideviceinstaller, &apps, failure)?;
            manifest.problems.push(problem);
        }
    }
    Ok(manifest)
}

/// Why a run failed and what to do, for people.
fn problem(
    tools: &Tools,
    manifest: &Manifest,
    tool: Tool,
    ran: &Ran,
    failure: Failure,
) -> Result<String, ToolError> {
    let said = ran.said();
    let said_by = |text: &str| {
        if text.is_empty() {
            String::new()
        } else {
            format!(" ({} said: {text})", tool.name())
        }
    };
    Ok(match failure {
        Failure::Refused(refusal) => {
            let udid = &manifest.udid;
            let name = match &manifest.device {
                Some(name) => Some(name.clone()),
                None => device_name(tools, udid)?,
            };
            let label = match name {
                Some(name) => format!("\"{name}\" ({udid})"),
                None => format!("device {udid}"),
            };
            format!("{label} {}{}", refusal.advice(), said_by(&said))
        }
        Failure::Gone => format!(
            "`{}` failed: the device was disconnected during the scan{}; reconnect it and run again",
            ran.command,
            said_by(&said)
        ),
        Failure::TimedOut => format!(
            "`{}` timed out after {} s (raise --timeout, or check the device)",
            ran.command,
            tools.timeout.as_secs()
        ),
        Failure::Other => {
            let code = ran
                .output
                .code
                .map_or_else(String::new, |c| format!(" (exit {c})"));
            format!("`{}` failed{code}{}", ran.command, said_by(&said))
        }
    })
}

/// The device's name from `idevice_id UDID`, which needs no pairing; `None` when it
/// cannot say.
fn device_name(tools: &Tools, udid: &str) -> Result<Option<String>, ToolError> {
    let ran = tools.run(Tool::IdeviceId, &[udid])?;
    if !ran.succeeded() {
        return Ok(None);
    }
    let stdout = String::from_utf8_lossy(&ran.output.stdout);
    Ok(crate::collect::text::lines(&stdout)
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(crate::collect::text::excerpt))
}

fn save(dir: &Path, manifest: &Manifest) -> Result<PathBuf, CollectError> {
    let folder = save_folder(dir, &manifest.udid, &manifest.started);
    manifest.save(&folder)?;
    Ok(folder)
}
