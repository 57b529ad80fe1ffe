//! One scan: collect every input, match every app, keep what could not be read.

use crate::collect::{self, InputError, InputFormat};
use crate::matcher::Matcher;
use crate::model::{Device, Finding, FindingState};
use crate::rules::policy::RegimeFilter;
use std::path::PathBuf;

/// What to scan and under which regimes.
#[derive(Clone, Debug, Default)]
pub struct ScanRequest {
    pub inputs: Vec<PathBuf>,
    pub input_format: InputFormat,
    pub filter: RegimeFilter,
}

/// A device with what the matcher found on it.
#[derive(Clone, Debug)]
pub struct DeviceResult {
    pub device: Device,
    /// Covered apps that are installed.
    pub findings: Vec<Finding>,
    /// Covered apps known to the device but installed for no user.
    pub data_left_behind: Vec<Finding>,
}

#[derive(Clone, Debug, Default)]
pub struct ScanResult {
    pub devices: Vec<DeviceResult>,
    pub errors: Vec<InputError>,
    pub skipped: Vec<InputError>,
    /// The policy the findings were filtered by, if any.
    pub policy: Option<String>,
}

/// What the exit code says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every input read; no covered app installed.
    Clean,
    /// A covered app is installed on some device.
    Found,
    /// Something could not be read (the report shows all that was).
    Incomplete,
}

impl ScanResult {
    pub fn apps_scanned(&self) -> usize {
        self.devices.iter().map(|d| d.device.apps.len()).sum()
    }

    pub fn findings(&self) -> impl Iterator<Item = (&DeviceResult, &Finding)> {
        self.devices
            .iter()
            .flat_map(|d| d.findings.iter().map(move |f| (d, f)))
    }

    /// An incomplete audit cannot be called clean, so errors outrank findings.
    pub fn outcome(&self) -> Outcome {
        if !self.errors.is_empty() {
            Outcome::Incomplete
        } else if self.devices.iter().any(|d| !d.findings.is_empty()) {
            Outcome::Found
        } else {
            Outcome::Clean
        }
    }
}

pub fn run(request: &ScanRequest, matcher: &Matcher) -> ScanResult {
    let mut result = ScanResult {
        policy: request.filter.policy.clone(),
        ..ScanResult::default()
    };
    for input in &request.inputs {
        tracing::debug!(path = %input.display(), "collecting");
        let collected = collect::detect::collect(input, request.input_format);
        for e in &collected.errors {
            tracing::warn!("{e}");
        }
        result.errors.extend(collected.errors);
        result.skipped.extend(collected.skipped);
        for device in collected.devices {
            result
                .devices
                .push(match_device(device, matcher, &request.filter));
        }
    }
    result
}

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
        device,
        findings,
        data_left_behind,
    }
}
