//! `appaudit adb`: scan the devices attached to the local adb server.

use super::audit::{self, AuditArgs};
use super::{Context, EXIT_ERROR};
use crate::collect::InputError;
use crate::collect::android::adb::{self, Adb, RunError};
use crate::collect::android::capture;
use crate::scan::{ScanResult, match_device};
use anyhow::Result;
use clap::Args;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Args, Debug)]
pub struct AdbArgs {
    /// Scan only this device (repeatable); by default every attached device.
    #[arg(long = "serial", short = 's', value_name = "SERIAL")]
    pub serials: Vec<String>,
    /// Keep the raw output of every command, with a manifest.json (command, time,
    /// SHA-256), under DIR/<serial>/; `appaudit scan DIR` re-runs the audit offline.
    #[arg(long, value_name = "DIR")]
    pub save: Option<PathBuf>,
    /// The adb program to run.
    #[arg(long, value_name = "PATH", env = "APPAUDIT_ADB", default_value = "adb")]
    pub adb: PathBuf,
    /// Seconds each adb command may take before it is stopped.
    #[arg(long, value_name = "SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout: u64,
    #[command(flatten)]
    pub audit: AuditArgs,
}

pub fn run(args: &AdbArgs, ctx: &Context) -> Result<i32> {
    let prepared = match audit::prepare(&args.audit, ctx) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let adb = Adb {
        program: args.adb.clone(),
        timeout: Duration::from_secs(args.timeout),
    };
    let attached = match adb.run(&["devices", "-l"]) {
        Ok(out) if out.timed_out => {
            eprintln!(
                "appaudit: error: `{} devices -l` timed out after {} s",
                adb.program.display(),
                args.timeout
            );
            return Ok(EXIT_ERROR);
        }
        Ok(out) if out.code != Some(0) => {
            let why = out.stderr.trim();
            eprintln!(
                "appaudit: error: `{} devices -l` failed{}{why}",
                adb.program.display(),
                if why.is_empty() { "" } else { ": " }
            );
            return Ok(EXIT_ERROR);
        }
        Ok(out) => adb::parse_devices(&String::from_utf8_lossy(&out.stdout)),
        Err(e) => {
            eprintln!("appaudit: error: {e}");
            return Ok(EXIT_ERROR);
        }
    };
    if attached.is_empty() && args.serials.is_empty() {
        eprintln!(
            "appaudit: error: no device attached: connect a phone with USB debugging on \
(Settings > Developer options), accept the prompt on the phone, and check `adb devices`"
        );
        return Ok(EXIT_ERROR);
    }
    let mut selected: Vec<(String, Option<&adb::Attached>)> = Vec::new();
    if args.serials.is_empty() {
        selected.extend(attached.iter().map(|a| (a.serial.clone(), Some(a))));
    } else {
        for serial in &args.serials {
            if !selected.iter().any(|(s, _)| s == serial) {
                let found = attached.iter().find(|a| &a.serial == serial);
                selected.push((serial.clone(), found));
            }
        }
    }

    let mut result = ScanResult {
        policy: prepared.filter.policy.clone(),
        ..ScanResult::default()
    };
    for (serial, found) in selected {
        let source = format!("adb:{serial}");
        let error = |message: String| InputError {
            path: source.clone(),
            message,
        };
        match found.map(|a| a.state.as_str()) {
            None => {
                result.errors.push(error(format!(
                    "device {serial} is not attached (see `adb devices`)"
                )));
                continue;
            }
            Some("device") => {}
            Some(state) => {
                result.errors.push(error(adb::state_message(state)));
                continue;
            }
        }
        if !ctx.quiet {
            eprintln!("appaudit: reading {serial} over adb...");
        }
        let manifest = match adb::capture(&adb, &serial) {
            Ok(manifest) => manifest,
            Err(e @ RunError::NotFound(_)) => {
                eprintln!("appaudit: error: {e}");
                return Ok(EXIT_ERROR);
            }
            Err(e) => {
                result.errors.push(error(e.to_string()));
                continue;
            }
        };
        for problem in &manifest.problems {
            tracing::warn!("{source}: {problem}");
            result.errors.push(error(problem.clone()));
        }
        if let Some(dir) = &args.save {
            match save(dir, &manifest) {
                Ok(folder) => {
                    if !ctx.quiet {
                        eprintln!("appaudit: saved {serial} to {}", folder.display());
                    }
                }
                Err(message) => result.errors.push(error(message)),
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
        result
            .devices
            .push(match_device(device, &prepared.matcher, &prepared.filter));
    }
    audit::conclude(result, &args.audit, ctx, &prepared)
}

fn save(dir: &Path, manifest: &capture::Manifest) -> Result<PathBuf, String> {
    let folder = adb::save_folder(dir, &manifest.serial, &manifest.started);
    manifest.save(&folder).map_err(|e| e.to_string())?;
    Ok(folder)
}
