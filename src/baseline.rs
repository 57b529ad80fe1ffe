//! Baselines: compare a scan with an earlier JSON report, to keep a fleet clean
//! after a first clean-up. Devices are matched by their own id (a serial, a UDID,
//! a MachineGuid...), so the same phone saved in another folder is the same device;
//! reports without ids, and devices known only by their file name, are matched by
//! file name. Only new findings stay in the devices; those still there, those gone
//! and the devices not scanned this time are listed apart.

use crate::model::{
    BaselineDiff, DeviceResult, IdSource, NotScanned, Platform, Removed, ScanResult, file_name,
};
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Why an earlier report could not be used as a baseline; each names its path.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The file could not be read.
    #[error("{}: cannot read the baseline: {source}", path.display())]
    Read {
        /// The baseline's path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not JSON.
    #[error("{}: not a JSON report ({source})", path.display())]
    NotJson {
        /// The baseline's path.
        path: PathBuf,
        /// Why.
        source: serde_json::Error,
    },
    /// The JSON is not an appaudit report of the schema this version reads.
    #[error("{}: not an appaudit JSON report of schema_version 1", path.display())]
    NotAReport {
        /// The baseline's path.
        path: PathBuf,
    },
}

/// One device of an earlier report.
#[derive(Debug)]
struct OldDevice {
    source: String,
    /// Its own id (empty when the report had none, or had only a file name).
    own_id: String,
    /// The file name it was read from (the id of a device known by no other).
    file_name: String,
    name: String,
    platform: Option<Platform>,
    /// (app id, rule id) of each finding.
    findings: Vec<(String, String)>,
}

impl OldDevice {
    fn from_json(device: &Value) -> Self {
        let text = |key: &str| device[key].as_str().unwrap_or_default().to_owned();
        let source = text("source");
        let id_source: Option<IdSource> = serde_json::from_value(device["id_source"].clone()).ok();
        let own_id = match id_source {
            Some(s) if s.is_own() => text("id"),
            _ => String::new(),
        };
        let findings = device["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| {
                let id = |v: &Value| v.as_str().unwrap_or_default().to_owned();
                (id(&f["app"]["id"]), id(&f["rule"]["id"]))
            })
            .collect();
        OldDevice {
            file_name: file_name(&source),
            own_id,
            name: text("name"),
            platform: serde_json::from_value(device["platform"].clone()).ok(),
            source,
            findings,
        }
    }

    fn same_platform(&self, device: &DeviceResult) -> bool {
        self.platform.is_none_or(|p| p == device.device.platform)
    }
}

/// The devices of an earlier report.
#[derive(Debug, Default)]
pub struct Baseline {
    devices: Vec<OldDevice>,
}

impl Baseline {
    /// Reads an earlier `appaudit scan --format json` report.
    pub fn load(path: &Path) -> Result<Self, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
            path: path.to_owned(),
            source,
        })?;
        let doc: Value = serde_json::from_str(&text).map_err(|source| BaselineError::NotJson {
            path: path.to_owned(),
            source,
        })?;
        if doc["schema_version"] != 1 || !doc["devices"].is_array() {
            return Err(BaselineError::NotAReport {
                path: path.to_owned(),
            });
        }
        let devices = doc["devices"]
            .as_array()
            .into_iter()
            .flatten()
            .map(OldDevice::from_json)
            .collect();
        Ok(Baseline { devices })
    }

    /// Which earlier device each device of `result` is (by own id, then by file
    /// name); each earlier device is used once.
    fn pair(&self, result: &ScanResult) -> Vec<Option<usize>> {
        let mut used = vec![false; self.devices.len()];
        let mut pairs = vec![None; result.devices.len()];
        // Own ids first, so a file-name match cannot take a device an id names.
        for (i, d) in result.devices.iter().enumerate() {
            if !d.device.id_source.is_own() {
                continue;
            }
            let found =
                self.devices.iter().enumerate().position(|(j, old)| {
                    !used[j] && old.own_id == d.device.id && old.same_platform(d)
                });
            if let Some(j) = found {
                used[j] = true;
                pairs[i] = Some(j);
            }
        }
        for (i, d) in result.devices.iter().enumerate() {
            if pairs[i].is_some() {
                continue;
            }
            let names: Vec<String> = std::iter::once(&d.device.source)
                .chain(&d.device.also_from)
                .map(|s| file_name(s))
                .collect();
            // An earlier device with an own id other than this one's is another device.
            let found = self.devices.iter().enumerate().position(|(j, old)| {
                !used[j]
                    && old.same_platform(d)
                    && (old.own_id.is_empty() || !d.device.id_source.is_own())
                    && names.contains(&old.file_name)
            });
            if let Some(j) = found {
                used[j] = true;
                pairs[i] = Some(j);
            }
        }
        pairs
    }

    /// Keeps only the findings that are not in the baseline, and records those
    /// still there, those gone, and the earlier devices not scanned this time.
    pub fn apply(&self, result: &mut ScanResult) {
        let pairs = self.pair(result);
        let mut diff = BaselineDiff::default();
        for (device, pair) in result.devices.iter_mut().zip(&pairs) {
            let Some(old) = pair.map(|j| &self.devices[j]) else {
                continue;
            };
            let entry = |app_id: &str, rule_id: &str, source: &str| Removed {
                device: source.to_owned(),
                device_id: device.device.id.clone(),
                app_id: app_id.to_owned(),
                rule_id: rule_id.to_owned(),
                excepted_until: None,
            };
            let mut now = HashSet::new();
            let mut still = Vec::new();
            device.findings.retain(|f| {
                let key = (f.app.id.clone(), f.rule.id.clone());
                let seen = old.findings.contains(&key);
                if seen {
                    let mut kept = entry(&key.0, &key.1, &device.device.source);
                    kept.excepted_until = f
                        .exception
                        .as_ref()
                        .filter(|e| e.is_applied())
                        .map(|e| e.expires.clone());
                    still.push(kept);
                }
                now.insert(key);
                !seen
            });
            diff.still_present.extend(still);
            let gone = old.findings.iter().filter(|k| !now.contains(*k));
            diff.removed
                .extend(gone.map(|(app, rule)| entry(app, rule, &old.source)));
        }
        let paired: HashSet<usize> = pairs.iter().flatten().copied().collect();
        diff.not_scanned = self
            .devices
            .iter()
            .enumerate()
            .filter(|(j, _)| !paired.contains(j))
            .map(|(_, old)| NotScanned {
                device: old.source.clone(),
                device_id: old.own_id.clone(),
                name: old.name.clone(),
                findings: old.findings.len(),
            })
            .collect();
        for list in [&mut diff.still_present, &mut diff.removed] {
            list.sort_by(|a, b| (&a.device, &a.app_id).cmp(&(&b.device, &b.app_id)));
        }
        result.baseline = Some(diff);
    }
}
