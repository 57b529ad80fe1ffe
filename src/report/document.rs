//! The versioned report document that machine formats serialise.
//! Changing a field's meaning or removing one bumps [`SCHEMA_VERSION`].

use crate::model::{
    App, AppFlags, AuditContext, Confidence, Evidence, FeatureInfo, Finding, MatchInfo, Platform,
    RegimeInfo, RuleInfo, UserState,
};
use crate::model::{DeviceResult, InputError, Removed, ScanResult};
use serde::Serialize;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
pub struct Document<'a> {
    pub schema_version: u32,
    pub tool: Tool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<&'a str>,
    pub summary: Summary,
    pub devices: Vec<DeviceDoc<'a>>,
    pub errors: &'a [InputError],
    pub skipped: &'a [InputError],
    /// With `--baseline`: findings of the earlier report that are gone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed: Option<&'a [Removed]>,
    /// Rules reviewed as of, the day coverage was judged on, and the scope.
    pub context: &'a AuditContext,
}

#[derive(Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Serialize)]
pub struct Summary {
    pub devices: usize,
    pub devices_with_findings: usize,
    pub apps_scanned: usize,
    pub findings: usize,
    pub confirmed: usize,
    pub review: usize,
    pub data_left_behind: usize,
    pub errors: usize,
    /// For each covered app: on how many devices it is installed.
    pub by_app: Vec<AppCount>,
    /// For each regime: how many findings and devices fall under it.
    pub by_regime: Vec<RegimeCount>,
}

#[derive(Serialize, Clone, Debug)]
pub struct AppCount {
    pub rule: String,
    pub name: String,
    pub devices: usize,
}

#[derive(Serialize, Clone, Debug)]
pub struct RegimeCount {
    pub regime: String,
    pub instrument: String,
    pub status: String,
    pub findings: usize,
    pub devices: usize,
}

#[derive(Serialize)]
pub struct DeviceDoc<'a> {
    pub source: &'a str,
    pub name: &'a str,
    pub platform: Platform,
    pub format: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<(&'a str, &'a str)>,
    pub apps_scanned: usize,
    pub findings: Vec<FindingDoc<'a>>,
    pub data_left_behind: Vec<FindingDoc<'a>>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub warnings: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apps: Option<&'a [App]>,
}

/// An app as a finding shows it: everything but the evidence, which the finding carries.
#[derive(Serialize)]
pub struct AppDoc<'a> {
    pub platform: Platform,
    pub id: &'a str,
    pub name: Option<&'a str>,
    pub version: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publisher: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installer: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<&'a str>,
    #[serde(skip_serializing_if = "<[UserState]>::is_empty")]
    pub users: &'a [UserState],
    pub flags: &'a AppFlags,
}

#[derive(Serialize)]
pub struct FindingDoc<'a> {
    pub app: AppDoc<'a>,
    pub rule: &'a RuleInfo,
    pub regimes: &'a [RegimeInfo],
    pub confidence: Confidence,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'a str>,
    #[serde(rename = "match")]
    pub matched: &'a MatchInfo,
    #[serde(skip_serializing_if = "<[FeatureInfo]>::is_empty")]
    pub features: &'a [FeatureInfo],
    /// Where the app was seen first.
    pub evidence: Option<&'a Evidence>,
    /// Further places the same app was seen.
    #[serde(skip_serializing_if = "<[Evidence]>::is_empty")]
    pub more_evidence: &'a [Evidence],
}

impl<'a> FindingDoc<'a> {
    pub fn new(f: &'a Finding) -> Self {
        let a = &f.app;
        FindingDoc {
            app: AppDoc {
                platform: a.platform,
                id: &a.id,
                name: a.name.as_deref(),
                version: a.version.as_deref(),
                build: a.build.as_deref(),
                publisher: a.publisher.as_deref(),
                installer: a.installer.as_deref(),
                path: a.path.as_deref(),
                users: &a.users,
                flags: &a.flags,
            },
            rule: &f.rule,
            regimes: &f.regimes,
            confidence: f.confidence,
            reason: f.reason.as_deref(),
            matched: &f.matched,
            features: &f.features,
            evidence: a.evidence.first(),
            more_evidence: a.evidence.get(1..).unwrap_or(&[]),
        }
    }
}

pub fn summary(result: &ScanResult) -> Summary {
    let findings: Vec<&Finding> = result.findings().map(|(_, f)| f).collect();
    let (by_app, by_regime) = counts(result);
    Summary {
        devices: result.devices.len(),
        devices_with_findings: result
            .devices
            .iter()
            .filter(|d| !d.findings.is_empty())
            .count(),
        apps_scanned: result.apps_scanned(),
        findings: findings.len(),
        confirmed: findings
            .iter()
            .filter(|f| f.confidence == Confidence::Confirmed)
            .count(),
        review: findings
            .iter()
            .filter(|f| f.confidence == Confidence::Review)
            .count(),
        data_left_behind: result
            .devices
            .iter()
            .map(|d| d.data_left_behind.len())
            .sum(),
        errors: result.errors.len(),
        by_app,
        by_regime,
    }
}

/// Devices per covered app and findings/devices per regime, most frequent first.
fn counts(result: &ScanResult) -> (Vec<AppCount>, Vec<RegimeCount>) {
    use std::collections::{BTreeMap, HashSet};
    let mut apps: BTreeMap<&str, AppCount> = BTreeMap::new();
    let mut regimes: BTreeMap<&str, RegimeCount> = BTreeMap::new();
    for d in &result.devices {
        let mut seen_apps = HashSet::new();
        let mut seen_regimes = HashSet::new();
        for f in &d.findings {
            let a = apps.entry(&f.rule.id).or_insert_with(|| AppCount {
                rule: f.rule.id.clone(),
                name: f.rule.name.clone(),
                devices: 0,
            });
            if seen_apps.insert(&f.rule.id) {
                a.devices += 1;
            }
            for r in &f.regimes {
                let c = regimes.entry(&r.id).or_insert_with(|| RegimeCount {
                    regime: r.id.clone(),
                    instrument: r.instrument.clone(),
                    status: r.status.clone(),
                    findings: 0,
                    devices: 0,
                });
                c.findings += 1;
                if seen_regimes.insert(&r.id) {
                    c.devices += 1;
                }
            }
        }
    }
    let mut apps: Vec<AppCount> = apps.into_values().collect();
    apps.sort_by(|a, b| b.devices.cmp(&a.devices).then(a.rule.cmp(&b.rule)));
    let mut regimes: Vec<RegimeCount> = regimes.into_values().collect();
    regimes.sort_by(|a, b| b.findings.cmp(&a.findings).then(a.regime.cmp(&b.regime)));
    (apps, regimes)
}

pub fn device_doc(d: &DeviceResult, inventory: bool) -> DeviceDoc<'_> {
    DeviceDoc {
        source: &d.device.source,
        name: &d.device.name,
        platform: d.device.platform,
        format: &d.device.format,
        properties: d
            .device
            .properties
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect(),
        apps_scanned: d.apps_scanned,
        findings: d.findings.iter().map(FindingDoc::new).collect(),
        data_left_behind: d.data_left_behind.iter().map(FindingDoc::new).collect(),
        warnings: &d.device.warnings,
        apps: inventory.then_some(d.device.apps.as_slice()),
    }
}

pub fn document(result: &ScanResult, inventory: bool) -> Document<'_> {
    Document {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        policy: result.policy.as_deref(),
        summary: summary(result),
        devices: result
            .devices
            .iter()
            .map(|d| device_doc(d, inventory))
            .collect(),
        errors: &result.errors,
        skipped: &result.skipped,
        removed: result.removed.as_deref(),
        context: &result.context,
    }
}
