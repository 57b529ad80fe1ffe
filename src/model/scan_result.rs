//! What a scan found: shared by the scan (which fills it), the reports (which
//! print it) and baselines (which compare it), so it lives in the model.

use super::{AuditContext, Device, Finding, InputError};

/// A device with what the matcher found on it.
#[derive(Clone, Debug)]
pub struct DeviceResult {
    /// The device; its `apps` are empty unless the inventory was asked for.
    pub device: Device,
    /// How many apps the device listed (kept when `apps` is emptied).
    pub apps_scanned: usize,
    /// Covered apps that are installed.
    pub findings: Vec<Finding>,
    /// Covered apps known to the device but installed for no user.
    pub data_left_behind: Vec<Finding>,
}

/// A finding of an earlier report that is gone now (`--baseline`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Removed {
    /// The device's source, as the earlier report named it.
    pub device: String,
    /// The app's identifier.
    pub app_id: String,
    /// The rule that had matched it.
    pub rule_id: String,
}

/// Everything one scan found, in input order: what every report prints.
#[derive(Clone, Debug, Default)]
pub struct ScanResult {
    /// The devices read, each with its findings.
    pub devices: Vec<DeviceResult>,
    /// Inputs (or parts) that could not be read: these make the scan incomplete.
    pub errors: Vec<InputError>,
    /// Files inside a scanned folder that were not recognised and were passed over.
    pub skipped: Vec<InputError>,
    /// The policy the findings were filtered by, if any.
    pub policy: Option<String>,
    /// With `--baseline`: findings that were there before and are gone now.
    pub removed: Option<Vec<Removed>>,
    /// The rules' freshness and the scope, as every report states them.
    pub context: AuditContext,
    /// The rules built into appaudit, as the reports' `tool` states them.
    pub builtin_rules: BuiltinRules,
}

/// The rules built into appaudit (not `--rules` files): what `appaudit --version`
/// prints and the JSON report's `tool` carries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuiltinRules {
    /// The newest `last_reviewed` date of their regimes ("rules reviewed as of").
    pub reviewed: Option<String>,
    /// How many regimes they hold.
    pub regimes: usize,
    /// How many covered-app and vendor rules they hold.
    pub apps: usize,
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
    /// The number of apps read on every device.
    pub fn apps_scanned(&self) -> usize {
        self.devices.iter().map(|d| d.apps_scanned).sum()
    }

    /// Every installed covered app, with its device.
    pub fn findings(&self) -> impl Iterator<Item = (&DeviceResult, &Finding)> {
        self.devices
            .iter()
            .flat_map(|d| d.findings.iter().map(move |f| (d, f)))
    }

    /// An incomplete audit cannot be called clean, so errors outrank findings.
    /// `fails` says which findings count.
    pub fn outcome_with(&self, fails: impl Fn(&Finding) -> bool) -> Outcome {
        if !self.errors.is_empty() {
            Outcome::Incomplete
        } else if self.findings().any(|(_, f)| fails(f)) {
            Outcome::Found
        } else {
            Outcome::Clean
        }
    }

    /// The outcome when every finding counts.
    pub fn outcome(&self) -> Outcome {
        self.outcome_with(|_| true)
    }
}
