//! Baselines: compare a scan with an earlier JSON report, to keep a fleet clean
//! after a first clean-up. Only findings that are new are kept; findings of the
//! earlier report that are gone are listed as removed.

use crate::model::{Removed, ScanResult};
use std::collections::HashSet;
use std::path::Path;

/// The findings of an earlier report, as (device source, app id, rule id).
#[derive(Debug, Default)]
pub struct Baseline {
    findings: HashSet<(String, String, String)>,
}

impl Baseline {
    /// Reads an earlier `appaudit scan --format json` report.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read the baseline: {e}", path.display()))?;
        let doc: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a JSON report ({e})", path.display()))?;
        if doc["schema_version"] != 1 {
            return Err(format!(
                "{}: not an appaudit JSON report of schema_version 1",
                path.display()
            ));
        }
        let mut findings = HashSet::new();
        for device in doc["devices"].as_array().into_iter().flatten() {
            let source = device["source"].as_str().unwrap_or_default();
            for f in device["findings"].as_array().into_iter().flatten() {
                findings.insert((
                    source.to_string(),
                    f["app"]["id"].as_str().unwrap_or_default().to_string(),
                    f["rule"]["id"].as_str().unwrap_or_default().to_string(),
                ));
            }
        }
        Ok(Baseline { findings })
    }

    /// Keeps only the findings that are not in the baseline and records those
    /// of the baseline that are gone.
    pub fn apply(&self, result: &mut ScanResult) {
        let mut now = HashSet::new();
        for d in &mut result.devices {
            let source = d.device.source.clone();
            d.findings.retain(|f| {
                let key = (source.clone(), f.app.id.clone(), f.rule.id.clone());
                let new = !self.findings.contains(&key);
                now.insert(key);
                new
            });
        }
        let mut removed: Vec<Removed> = self
            .findings
            .iter()
            .filter(|k| !now.contains(*k))
            .map(|(device, app_id, rule_id)| Removed {
                device: device.clone(),
                app_id: app_id.clone(),
                rule_id: rule_id.clone(),
            })
            .collect();
        removed.sort_by(|a, b| (&a.device, &a.app_id).cmp(&(&b.device, &b.app_id)));
        result.removed = Some(removed);
    }
}
