//! Baselines: compare a scan with an earlier JSON report, to keep a fleet clean
//! after a first clean-up. Only findings that are new are kept; findings of the
//! earlier report that are gone are listed as removed.

use crate::model::{Removed, ScanResult};
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

/// The findings of an earlier report, as (device source, app id, rule id).
#[derive(Debug, Default)]
pub struct Baseline {
    findings: HashSet<(String, String, String)>,
}

impl Baseline {
    /// Reads an earlier `appaudit scan --format json` report.
    pub fn load(path: &Path) -> Result<Self, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
            path: path.to_owned(),
            source,
        })?;
        let doc: serde_json::Value =
            serde_json::from_str(&text).map_err(|source| BaselineError::NotJson {
                path: path.to_owned(),
                source,
            })?;
        if doc["schema_version"] != 1 {
            return Err(BaselineError::NotAReport {
                path: path.to_owned(),
            });
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
