//! The versioned report document that machine formats serialise.
//! Changing a field's meaning or removing one bumps [`SCHEMA_VERSION`].

use crate::model::{
    App, AppFlags, AuditContext, Confidence, Evidence, ExceptionInfo, ExceptionsOutcome,
    FeatureInfo, Finding, MatchInfo, Platform, RegimeInfo, RuleInfo, UserState,
};
use crate::model::{DeviceResult, IdSource, InputError, NotScanned, Removed, ScanResult};
use serde::Serialize;

/// The version of the report document (`schema_version`). Fields are only added within
/// a version; a removed or changed field bumps it.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole report as `--format json` prints it (and the HTML page reads it).
#[derive(Serialize)]
pub struct Document<'a> {
    /// Always [`SCHEMA_VERSION`], so readers can tell which layout they have.
    pub schema_version: u32,
    /// The program that wrote the report, and its version.
    pub tool: Tool<'a>,
    /// The policy the findings were scoped to; absent without a scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<&'a str>,
    /// Totals over the whole fleet.
    pub summary: Summary,
    /// Every device read, in input order, with its findings.
    pub devices: Vec<DeviceDoc<'a>>,
    /// Inputs (or parts of them) that could not be read: the audit is incomplete.
    pub errors: &'a [InputError],
    /// Files in a scanned folder that are not a recognised input and were passed over.
    pub skipped: &'a [InputError],
    /// With `--baseline`: findings of the earlier report gone from a device scanned again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed: Option<&'a [Removed]>,
    /// With `--baseline`: findings of the earlier report still there (not in `devices`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub still_present: Option<&'a [Removed]>,
    /// With `--baseline`: devices of the earlier report not scanned this time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_scanned: Option<&'a [NotScanned]>,
    /// Rules reviewed as of, the day coverage was judged on, and the scope.
    pub context: &'a AuditContext,
    /// With `--exceptions`: the file, how many findings it excepted, and the exceptions
    /// that expired or named no finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exceptions: Option<&'a ExceptionsOutcome>,
}

/// The program that wrote a report, and the rules built into it (as `--version`
/// prints them; `context.rules_reviewed` is of the rules the scan used).
#[derive(Serialize)]
pub struct Tool<'a> {
    /// The program's name: `appaudit`.
    pub name: &'static str,
    /// Its version (the crate's version, e.g. `0.1.0`).
    pub version: &'static str,
    /// The newest `last_reviewed` date of the built-in rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules_reviewed: Option<&'a str>,
    /// How many regimes the built-in rules hold.
    pub regimes: usize,
    /// How many covered-app and vendor rules the built-in rules hold.
    pub apps: usize,
}

/// The `tool` object of `result`'s reports.
pub fn tool(result: &ScanResult) -> Tool<'_> {
    Tool {
        name: env!("CARGO_PKG_NAME"),
        version: env!("CARGO_PKG_VERSION"),
        rules_reviewed: result.builtin_rules.reviewed.as_deref(),
        regimes: result.builtin_rules.regimes,
        apps: result.builtin_rules.apps,
    }
}

/// Fleet totals, which every format carries.
#[derive(Serialize)]
pub struct Summary {
    /// Devices read.
    pub devices: usize,
    /// Devices with at least one installed covered app.
    pub devices_with_findings: usize,
    /// Apps listed across all devices, covered or not.
    pub apps_scanned: usize,
    /// Installed covered apps that count (excepted ones and data left behind are
    /// counted apart).
    pub findings: usize,
    /// Installed findings that are `confirmed`.
    pub confirmed: usize,
    /// Installed findings to `review`.
    pub review: usize,
    /// With `--exceptions`: installed findings an exception in force excepts (not in
    /// `findings`, `confirmed`, `review`, `by_app` or `by_regime`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excepted: Option<usize>,
    /// Covered apps known to a device but installed for no user.
    pub data_left_behind: usize,
    /// Inputs that could not be read.
    pub errors: usize,
    /// For each covered app: on how many devices it is installed.
    pub by_app: Vec<AppCount>,
    /// For each regime: how many findings and devices fall under it.
    pub by_regime: Vec<RegimeCount>,
}

/// One covered app across the fleet (`summary.by_app`).
#[derive(Serialize, Clone, Debug)]
pub struct AppCount {
    /// The covered-app rule's id (`tiktok`).
    pub rule: String,
    /// The app's name as the rule gives it.
    pub name: String,
    /// On how many devices it is installed.
    pub devices: usize,
    /// Of those, on how many at least one of its findings is `confirmed`.
    pub confirmed: usize,
    /// Of those, on how many its findings are all to `review`.
    pub review: usize,
}

/// One regime across the fleet (`summary.by_regime`).
#[derive(Serialize, Clone, Debug)]
pub struct RegimeCount {
    /// The regime's id.
    pub regime: String,
    /// The legal instrument it is (`Executive Order 13971`).
    pub instrument: String,
    /// Its status (`in-force`, `revoked`, `informational`, `lifted`) as the first
    /// finding under it had it; the status can differ from app to app.
    pub status: String,
    /// Installed findings under it.
    pub findings: usize,
    /// Devices with at least one installed finding under it.
    pub devices: usize,
}

/// One device as a report shows it.
#[derive(Serialize)]
pub struct DeviceDoc<'a> {
    /// The device's own identity (a serial, a UDID, a MachineGuid...), else its file name.
    pub id: &'a str,
    /// Where `id` was taken from (`serial`, `udid`, `machine-guid`, ..., `file-name`).
    pub id_source: IdSource,
    /// The input it came from: a file, a folder, or `adb:<serial>`.
    pub source: &'a str,
    /// Other inputs of this scan read as the same device; absent when none.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub also_from: &'a [String],
    /// A short name for people: the model or computer name, else the file or folder name.
    pub name: &'a str,
    /// The device's platform.
    pub platform: Platform,
    /// The input format recognised, e.g. `pm-list-packages`.
    pub format: &'a str,
    /// Facts about the device (model, OS version...) as `[key, value]` pairs; absent
    /// when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<(&'a str, &'a str)>,
    /// How many apps the device listed.
    pub apps_scanned: usize,
    /// Covered apps installed on it.
    pub findings: Vec<FindingDoc<'a>>,
    /// Covered apps known to it but installed for no user; they do not fail a scan.
    pub data_left_behind: Vec<FindingDoc<'a>>,
    /// Problems that did not stop the device from being read; absent when none.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub warnings: &'a [String],
    /// With `--inventory`: every app on the device, as collected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apps: Option<&'a [App]>,
}

/// An app as a finding shows it: everything but the evidence, which the finding carries.
#[derive(Serialize)]
pub struct AppDoc<'a> {
    /// The app's platform.
    pub platform: Platform,
    /// What the platform calls the app: package name, bundle id, uninstall key...
    pub id: &'a str,
    /// The name people see, when the source gives it (`null` otherwise).
    pub name: Option<&'a str>,
    /// The version people see (Android versionName), when known (`null` otherwise).
    pub version: Option<&'a str>,
    /// The machine-readable build number (Android versionCode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build: Option<&'a str>,
    /// The publisher or developer, as the source names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publisher: Option<&'a str>,
    /// The package that installed it (`com.android.vending`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installer: Option<&'a str>,
    /// Where it is installed: APK path, bundle path, install folder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<&'a str>,
    /// Its state per user or profile (installed, enabled, hidden...); absent when the
    /// source does not track users.
    #[serde(skip_serializing_if = "<[UserState]>::is_empty")]
    pub users: &'a [UserState],
    /// Boolean facts: `system`, `disabled`, `hidden_system`, `data_only`... (each present
    /// only when true).
    pub flags: &'a AppFlags,
}

/// A finding as reports show it: see "A finding" in docs/report-format.md.
#[derive(Serialize)]
pub struct FindingDoc<'a> {
    /// The app that was found.
    pub app: AppDoc<'a>,
    /// The covered-app rule that matched it.
    pub rule: &'a RuleInfo,
    /// The regimes that cover it, as they stand for this app: binding ones first.
    pub regimes: &'a [RegimeInfo],
    /// `confirmed`, or `review` with a `reason`.
    pub confidence: Confidence,
    /// Why the finding needs review, when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'a str>,
    /// Which identifier of the rule matched which value of the app (`match`).
    #[serde(rename = "match")]
    pub matched: &'a MatchInfo,
    /// Covered functions inside the app, each with a sentence for people.
    #[serde(skip_serializing_if = "<[FeatureInfo]>::is_empty")]
    pub features: &'a [FeatureInfo],
    /// Where the app was seen first.
    pub evidence: Option<&'a Evidence>,
    /// Further places the same app was seen.
    #[serde(skip_serializing_if = "<[Evidence]>::is_empty")]
    pub more_evidence: &'a [Evidence],
    /// The exception that names it: `applied` (excepted: it does not count) or `expired`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<&'a ExceptionInfo>,
}

impl<'a> FindingDoc<'a> {
    /// Borrows `f` as a report shows it: the app's first evidence becomes `evidence`, the
    /// rest `more_evidence`.
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
            exception: f.exception.as_ref(),
        }
    }
}

/// The fleet totals of `result`, with `by_app` and `by_regime` most frequent first.
/// Excepted findings are counted apart (`excepted`), not as findings.
pub fn summary(result: &ScanResult) -> Summary {
    let findings: Vec<&Finding> = result
        .findings()
        .map(|(_, f)| f)
        .filter(|f| !f.is_excepted())
        .collect();
    let (by_app, by_regime) = counts(result);
    Summary {
        devices: result.devices.len(),
        devices_with_findings: result
            .devices
            .iter()
            .filter(|d| d.findings.iter().any(|f| !f.is_excepted()))
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
        // Excepted findings a baseline moved to `still_present` are excepted too.
        excepted: result.exceptions.as_ref().map(|_| {
            let still = result.baseline.iter().flat_map(|b| &b.still_present);
            result.findings().filter(|(_, f)| f.is_excepted()).count()
                + still.filter(|r| r.excepted_until.is_some()).count()
        }),
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
        let mut seen_regimes = HashSet::new();
        // Per covered app on this device: is any of its findings confirmed?
        let mut on_device: BTreeMap<&str, bool> = BTreeMap::new();
        for f in d.findings.iter().filter(|f| !f.is_excepted()) {
            let confirmed = on_device.entry(&f.rule.id).or_default();
            *confirmed |= f.confidence == Confidence::Confirmed;
            apps.entry(&f.rule.id).or_insert_with(|| AppCount {
                rule: f.rule.id.clone(),
                name: f.rule.name.clone(),
                devices: 0,
                confirmed: 0,
                review: 0,
            });
            for r in &f.regimes {
                let c = regimes.entry(&r.id).or_insert_with(|| RegimeCount {
                    regime: r.id.to_string(),
                    instrument: r.instrument.to_string(),
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
        for (rule, confirmed) in on_device {
            if let Some(a) = apps.get_mut(rule) {
                a.devices += 1;
                if confirmed {
                    a.confirmed += 1;
                } else {
                    a.review += 1;
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

/// One device of a scan as a report shows it; with `inventory`, with all its apps.
pub fn device_doc(d: &DeviceResult, inventory: bool) -> DeviceDoc<'_> {
    DeviceDoc {
        id: &d.device.id,
        id_source: d.device.id_source,
        source: &d.device.source,
        also_from: &d.device.also_from,
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

/// The whole report document of `result`; with `inventory`, every device lists its apps.
pub fn document(result: &ScanResult, inventory: bool) -> Document<'_> {
    Document {
        schema_version: SCHEMA_VERSION,
        tool: tool(result),
        policy: result.policy.as_deref(),
        summary: summary(result),
        devices: result
            .devices
            .iter()
            .map(|d| device_doc(d, inventory))
            .collect(),
        errors: &result.errors,
        skipped: &result.skipped,
        removed: result.baseline.as_ref().map(|b| b.removed.as_slice()),
        still_present: result.baseline.as_ref().map(|b| b.still_present.as_slice()),
        not_scanned: result.baseline.as_ref().map(|b| b.not_scanned.as_slice()),
        context: &result.context,
        exceptions: result.exceptions.as_ref(),
    }
}
