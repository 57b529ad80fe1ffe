//! One scan: collect every input, match every app, keep what could not be read.
//! Files and folders ([`run`]), live adb devices ([`run_live`]) and live iPhones
//! ([`run_ios`]) are sources that feed the same stage (`match_collected`); the CLI
//! only parses and prints.
//!
//! Inputs are split into units (a folder of devices becomes its children) that
//! are collected and matched in parallel. A device's app list is dropped as soon
//! as it has been matched unless the inventory was asked for, so memory grows
//! with the findings, not with the number of apps in the fleet; streamed inputs
//! keep only the apps a rule could match as they are read ([`AppFilter`](crate::model::AppFilter)),
//! so one huge input costs no more.

use crate::collect::detect::{self, Unit};
use crate::collect::ios::{
    self,
    live::{IosLiveError, IosRequest},
};
use crate::collect::live::{LiveError, LiveRequest, collect_live};
use crate::collect::{Collected, InputFormat, Options};
use crate::matcher::Matcher;
pub use crate::model::{BaselineDiff, DeviceResult, NotScanned, Outcome, Removed, ScanResult};
use crate::model::{Device, FindingState, InputError, KeepAll};
use crate::rules::policy::RegimeFilter;
use rayon::prelude::*;
use std::path::PathBuf;

/// What to scan and under which regimes.
#[derive(Clone, Debug, Default)]
pub struct ScanRequest {
    /// Files and folders to scan.
    pub inputs: Vec<PathBuf>,
    /// What the inputs are (`Auto`: told from their content).
    pub input_format: InputFormat,
    /// Which regimes findings are kept for (a policy, or all).
    pub filter: RegimeFilter,
    /// Keep every device's app list for the report.
    pub inventory: bool,
    /// `--os`: read folder inputs as machine roots of this system.
    pub os: Option<crate::collect::desktop::Os>,
    /// Let the walk of a machine root cross into other file systems.
    pub cross_file_systems: bool,
    /// The input is the root of the machine appaudit runs on.
    pub live: bool,
}

impl ScanRequest {
    /// The options for machine roots.
    pub fn desktop_options(&self) -> crate::collect::desktop::Options {
        crate::collect::desktop::Options {
            os: self.os,
            cross_file_systems: self.cross_file_systems,
            live: self.live,
        }
    }

    /// How inputs are read: machine roots by [`desktop_options`](Self::desktop_options),
    /// and every app kept for an inventory, else only those `matcher` could match.
    pub fn collect_options<'m>(&self, matcher: &'m Matcher) -> Options<'m> {
        Options {
            machine: self.desktop_options(),
            keep: if self.inventory { &KeepAll } else { matcher },
        }
    }
}

/// Told about progress; the CLI draws a bar, tests and libraries ignore it.
pub trait Progress: Sync {
    /// Called once with the number of units to collect.
    fn start(&self, _units: usize) {}
    /// Called when a unit is done.
    fn advance(&self) {}
    /// Called when every unit is done.
    fn finish(&self) {}
    /// Told what is going on, for people (`reading R58N12345 over adb...`).
    fn note(&self, _message: &str) {}
}

/// Progress that nobody watches.
pub struct NoProgress;
impl Progress for NoProgress {}

/// The result of one unit, merged in input order afterwards.
#[derive(Default)]
struct UnitResult {
    devices: Vec<DeviceResult>,
    errors: Vec<InputError>,
    skipped: Vec<InputError>,
}

/// Collects every input, matches every app and gathers what could not be read: the one scan pipeline.
pub fn run(request: &ScanRequest, matcher: &Matcher, progress: &dyn Progress) -> ScanResult {
    let mut result = ScanResult {
        policy: request.filter.policy.clone(),
        builtin_rules: crate::rules::builtin(),
        ..ScanResult::default()
    };
    // (input index, unit) so results can be told apart per input folder.
    let mut units: Vec<(usize, Unit)> = Vec::new();
    let mut folders: Vec<Option<PathBuf>> = Vec::new();
    for (i, input) in request.inputs.iter().enumerate() {
        let plan = detect::plan_with(input, &request.desktop_options());
        result.errors.extend(plan.errors);
        folders.push(plan.is_folder_of_devices.then(|| input.clone()));
        units.extend(plan.units.into_iter().map(|u| (i, u)));
    }
    progress.start(units.len());
    let scan = |(i, unit): &(usize, Unit)| {
        let r = scan_unit(unit, request, matcher);
        progress.advance();
        (*i, r)
    };
    // One unit (a single dump) is scanned on this thread: starting the thread pool for
    // it took longer than a scan of one line does.
    let per_unit: Vec<(usize, UnitResult)> = if units.len() == 1 {
        units.iter().map(scan).collect()
    } else {
        units.par_iter().map(scan).collect()
    };
    progress.finish();

    let mut found_in_input = vec![false; request.inputs.len()];
    for (i, r) in per_unit {
        if !r.devices.is_empty() || !r.errors.is_empty() {
            found_in_input[i] = true;
        }
        result.devices.extend(r.devices);
        result.errors.extend(r.errors);
        result.skipped.extend(r.skipped);
    }
    for (i, folder) in folders.iter().enumerate() {
        if let Some(dir) = folder
            && !found_in_input[i]
        {
            result.errors.push(detect::no_layout(dir));
        }
    }
    result.merge_same_devices();
    for e in &result.errors {
        tracing::warn!("{e}");
    }
    result
}

fn scan_unit(unit: &Unit, request: &ScanRequest, matcher: &Matcher) -> UnitResult {
    tracing::debug!(path = %unit.path.display(), "collecting");
    let options = request.collect_options(matcher);
    let collected = detect::collect_unit_with(unit, request.input_format, &options);
    match_collected(collected, request, matcher)
}

/// The stage every source feeds: each device matched (its app list dropped unless
/// the inventory was asked for), what could not be read kept beside.
fn match_collected(collected: Collected, request: &ScanRequest, matcher: &Matcher) -> UnitResult {
    let devices = collected
        .devices
        .into_iter()
        .map(|mut device| {
            device.settle_identity();
            let mut r = match_device(device, matcher, &request.filter);
            if !request.inventory {
                r.device.apps = Vec::new();
            }
            r
        })
        .collect();
    UnitResult {
        devices,
        errors: collected.errors,
        skipped: collected.skipped,
    }
}

/// Scans the Android devices attached over adb (read-only): the same scan as [`run`]
/// with live devices as its source. `request` gives the regimes and the inventory;
/// its inputs are not read. `Err` when adb itself cannot be used.
pub fn run_live(
    live: &LiveRequest,
    request: &ScanRequest,
    matcher: &Matcher,
    progress: &dyn Progress,
) -> Result<ScanResult, LiveError> {
    let collected = collect_live(live, &|message| progress.note(message))?;
    Ok(live_result(collected, request, matcher))
}

/// Scans the iPhones and iPads attached over USB (read-only, libimobiledevice's tools):
/// the same scan as [`run_live`] with them as its source. `Err` when the tools
/// themselves cannot be used or no device is attached.
pub fn run_ios(
    live: &IosRequest,
    request: &ScanRequest,
    matcher: &Matcher,
    progress: &dyn Progress,
) -> Result<ScanResult, IosLiveError> {
    let collected = ios::live::collect_live(live, &|message| progress.note(message))?;
    Ok(live_result(collected, request, matcher))
}

/// A live source's devices matched, as a scan's result.
fn live_result(collected: Collected, request: &ScanRequest, matcher: &Matcher) -> ScanResult {
    let unit = match_collected(collected, request, matcher);
    let mut result = ScanResult {
        devices: unit.devices,
        errors: unit.errors,
        skipped: unit.skipped,
        policy: request.filter.policy.clone(),
        builtin_rules: crate::rules::builtin(),
        ..ScanResult::default()
    };
    result.merge_same_devices();
    result
}

/// Matches every app of `device`, keeping installed findings apart from data left behind.
pub fn match_device(device: Device, matcher: &Matcher, filter: &RegimeFilter) -> DeviceResult {
    let mut findings = Vec::new();
    let mut data_left_behind = Vec::new();
    for app in &device.apps {
        for finding in matcher.match_app(app, filter) {
            match finding.state {
                FindingState::Installed => findings.push(finding),
                FindingState::DataLeftBehind => data_left_behind.push(finding),
            }
        }
    }
    DeviceResult {
        apps_scanned: device.apps.len() + device.apps_unkept,
        device,
        findings,
        data_left_behind,
    }
}
