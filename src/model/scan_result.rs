//! What a scan found: shared by the scan (which fills it), the reports (which
//! print it) and baselines (which compare it), so it lives in the model.

use super::{AuditContext, Device, ExceptionsOutcome, Finding, InputError, Platform, merge_apps};
use std::collections::HashMap;

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

/// A finding of an earlier report (`--baseline`): gone now, or still there.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Removed {
    /// The device's source, as the earlier report named it (or as this scan does,
    /// for a finding still there).
    pub device: String,
    /// The device's own id, when known.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub device_id: String,
    /// The app's identifier.
    pub app_id: String,
    /// The rule that had matched it.
    pub rule_id: String,
    /// For a finding still there: the last day of the exception that covers it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excepted_until: Option<String>,
}

/// A device of the baseline that this scan did not read: its findings are not
/// known to be gone.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct NotScanned {
    /// The device's source, as the earlier report named it.
    pub device: String,
    /// Its own id, when the earlier report had one.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub device_id: String,
    /// Its name for people.
    pub name: String,
    /// How many findings it had then.
    pub findings: usize,
}

/// What a scan says against an earlier report (`--baseline`): devices are matched
/// by their own id, then by file name; only new findings stay in the devices.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BaselineDiff {
    /// Findings of the earlier report still there now.
    pub still_present: Vec<Removed>,
    /// Findings of the earlier report gone from a device scanned again.
    pub removed: Vec<Removed>,
    /// Devices of the earlier report not scanned this time.
    pub not_scanned: Vec<NotScanned>,
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
    /// With `--baseline`: what is gone, what is still there, what was not scanned.
    pub baseline: Option<BaselineDiff>,
    /// The rules' freshness and the scope, as every report states them.
    pub context: AuditContext,
    /// With `--exceptions`: what the exceptions did (expired and unused ones).
    pub exceptions: Option<ExceptionsOutcome>,
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
    /// `fails` says which findings count; an excepted finding never does.
    pub fn outcome_with(&self, fails: impl Fn(&Finding) -> bool) -> Outcome {
        if !self.errors.is_empty() {
            Outcome::Incomplete
        } else if self.findings().any(|(_, f)| !f.is_excepted() && fails(f)) {
            Outcome::Found
        } else {
            Outcome::Clean
        }
    }

    /// Inputs read as the same device (the same platform and own id: a serial, a
    /// UDID... never a file name) become one device with the evidence of both; the
    /// device names the other inputs in `also_from`.
    pub fn merge_same_devices(&mut self) {
        let mut index: HashMap<(Platform, String), usize> = HashMap::new();
        let mut merged: Vec<DeviceResult> = Vec::with_capacity(self.devices.len());
        for result in std::mem::take(&mut self.devices) {
            if result.device.id_source.is_own() {
                let key = (result.device.platform, result.device.id.clone());
                if let Some(&slot) = index.get(&key) {
                    merged[slot].absorb(result);
                    continue;
                }
                index.insert(key, merged.len());
            }
            merged.push(result);
        }
        self.devices = merged;
    }

    /// The outcome when every finding counts.
    pub fn outcome(&self) -> Outcome {
        self.outcome_with(|_| true)
    }
}

impl DeviceResult {
    /// Takes in another input's reading of the same device.
    fn absorb(&mut self, other: DeviceResult) {
        let device = &mut self.device;
        let other_device = other.device;
        device.also_from.push(other_device.source.clone());
        device.also_from.extend(other_device.also_from);
        for (key, value) in other_device.properties {
            if !device.properties.iter().any(|(k, _)| *k == key) {
                device.properties.push((key, value));
            }
        }
        let source = &other_device.source;
        device.warnings.extend(
            other_device
                .warnings
                .into_iter()
                .map(|w| format!("{source}: {w}")),
        );
        if !other_device.apps.is_empty() {
            let mut apps = std::mem::take(&mut device.apps);
            apps.extend(other_device.apps);
            device.apps = merge_apps(apps);
        }
        // The same apps are usually in both inputs: the larger count is kept.
        self.apps_scanned = self.apps_scanned.max(other.apps_scanned);
        merge_findings(&mut self.findings, other.findings);
        merge_findings(&mut self.data_left_behind, other.data_left_behind);
    }
}

/// Adds `from` to `into`; a finding of the same app and rule gains the other's evidence.
fn merge_findings(into: &mut Vec<Finding>, from: Vec<Finding>) {
    for finding in from {
        match into
            .iter_mut()
            .find(|f| f.app.id == finding.app.id && f.rule.id == finding.rule.id)
        {
            Some(same) => same.app.merge(finding.app),
            None => into.push(finding),
        }
    }
}
