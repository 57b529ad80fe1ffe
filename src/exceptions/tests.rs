//! Unit tests of loading and applying exceptions, on hand-made findings.
#![allow(clippy::unwrap_used)]

use super::{ExceptionSet, apply, load};
use crate::model::{
    App, Device, DeviceResult, Evidence, ExceptionState, Finding, FindingState, MatchInfo,
    Platform, RegimeInfo, RegimeRole, RuleInfo, ScanResult,
};
use crate::rules::{Code, LoadOptions, RuleSet};
use std::sync::{Arc, OnceLock};

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| crate::rules::load(&LoadOptions::default()).rules.unwrap())
}

fn load_text(text: &str, as_of: &str) -> super::Loaded {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.yaml");
    std::fs::write(&path, text).unwrap();
    load(&path, rules(), as_of)
}

fn set(text: &str) -> ExceptionSet {
    let loaded = load_text(text, "2026-12-01");
    assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
    loaded.set.unwrap()
}

fn regime(id: &str, role: RegimeRole, status: &str) -> RegimeInfo {
    let s: Arc<str> = Arc::from(id);
    RegimeInfo {
        id: s.clone(),
        short: s.clone(),
        title: s.clone(),
        instrument: s.clone(),
        kind: "law".into(),
        jurisdiction: None,
        status: status.into(),
        status_text: status.into(),
        binds: s.clone(),
        applies_to: s,
        role,
        ownership: None,
        coverage: "named".into(),
        note: None,
        via_feature: None,
        sources: Arc::from(Vec::<String>::new()),
    }
}

fn finding(rule: &str, app: &str, regimes: Vec<RegimeInfo>) -> Finding {
    let evidence = Evidence {
        path: "phone.txt".into(),
        line: Some(1),
        format: "pm-list-packages".into(),
        excerpt: None,
    };
    Finding {
        app: App::new(Platform::Android, app, evidence),
        rule: RuleInfo {
            id: rule.into(),
            name: rule.into(),
            vendor: None,
            kind: "app".into(),
        },
        regimes,
        confidence: Default::default(),
        reason: None,
        matched: MatchInfo {
            platform: Platform::Android,
            field: "id".into(),
            kind: "exact".into(),
            pattern: app.into(),
            value: app.into(),
        },
        features: Vec::new(),
        state: FindingState::Installed,
        exception: None,
    }
}

fn scan(id: &str, findings: Vec<Finding>) -> ScanResult {
    let device = Device {
        id: id.into(),
        id_source: Default::default(),
        source: "phone.txt".into(),
        also_from: Vec::new(),
        name: "Pixel 7".into(),
        platform: Platform::Android,
        format: "pm-list-packages".into(),
        properties: Vec::new(),
        apps: Vec::new(),
        apps_unkept: 0,
        warnings: Vec::new(),
    };
    ScanResult {
        devices: vec![DeviceResult {
            device,
            apps_scanned: 2,
            findings,
            data_left_behind: Vec::new(),
        }],
        ..ScanResult::default()
    }
}

const WECHAT: &str = "exceptions:\n  - devices: [\"R58N*\"]\n    rule: wechat\n    reason: field office\n    approved_by: CISO\n    ticket: SEC-1234\n    approved: 2026-01-01\n    expires: 2026-11-30\n";

#[test]
fn an_exception_applies_until_its_last_day_by_id_glob() {
    let set = set(WECHAT.replace("2026-11-30", "2026-12-31").as_str());
    let mut result = scan(
        "R58N12345",
        vec![finding("wechat", "com.tencent.mm", vec![])],
    );
    let outcome = apply(&set, &mut result, "2026-12-31");
    assert_eq!(outcome.excepted, 1);
    assert!(result.devices[0].findings[0].is_excepted());
    assert_eq!(result.outcome(), crate::model::Outcome::Clean);
    let outcome = apply(
        &set,
        &mut scan("R58N12345", vec![finding("wechat", "x", vec![])]),
        "2027-01-01",
    );
    assert_eq!(outcome.excepted, 0);
}

#[test]
fn an_expired_exception_is_reported_with_device_and_ticket() {
    let loaded = load_text(WECHAT, "2026-12-01");
    assert!(!loaded.has_errors());
    assert_eq!(loaded.diagnostics[0].code, Code::ExceptionExpired);
    let set = loaded.set.unwrap();
    let mut result = scan(
        "R58N12345",
        vec![finding("wechat", "com.tencent.mm", vec![])],
    );
    let outcome = apply(&set, &mut result, "2026-12-01");
    assert_eq!(
        outcome.expired[0].message,
        "exception for wechat on R58N12345 expired 2026-11-30 (SEC-1234)"
    );
    let f = &result.devices[0].findings[0];
    assert_eq!(f.exception.as_ref().unwrap().state, ExceptionState::Expired);
    assert_eq!(result.outcome(), crate::model::Outcome::Found);
}

#[test]
fn the_device_name_matches_too_and_other_devices_do_not() {
    let set = set(
        "exceptions:\n  - devices: [pixel*]\n    app: COM.TENCENT.MM\n    reason: r\n    approved_by: a\n    expires: 2027-01-01\n",
    );
    let mut result = scan("SERIAL1", vec![finding("wechat", "com.tencent.mm", vec![])]);
    assert_eq!(apply(&set, &mut result, "2026-12-01").excepted, 1);
    let mut other = scan("SERIAL1", vec![finding("wechat", "com.tencent.mm", vec![])]);
    other.devices[0].device.name = "Galaxy".into();
    let outcome = apply(&set, &mut other, "2026-12-01");
    assert_eq!(outcome.excepted, 0);
    assert_eq!(outcome.unused.len(), 1);
}

#[test]
fn a_regime_exception_needs_every_counting_regime() {
    let text = "exceptions:\n  - devices: [\"*\"]\n    regime: us-tx-prohibited-2022\n    reason: r\n    approved_by: a\n    expires: 2027-01-01\n";
    let set = set(text);
    let tx = || regime("us-tx-prohibited-2022", RegimeRole::Context, "in-force");
    // Texas is the only regime in force: excepted.
    let only_tx = vec![tx(), regime("us-eo-13971", RegimeRole::Context, "revoked")];
    let mut result = scan("A", vec![finding("wps-office", "cn.wps", only_tx)]);
    assert_eq!(apply(&set, &mut result, "2026-12-01").excepted, 1);
    // FAR binds the scope: a Texas exception does not hide it.
    let with_far = vec![
        tx(),
        regime("us-far-52.204-27", RegimeRole::Binding, "in-force"),
    ];
    let mut result = scan(
        "A",
        vec![finding("tiktok", "com.zhiliaoapp.musically", with_far)],
    );
    let outcome = apply(&set, &mut result, "2026-12-01");
    assert_eq!(outcome.excepted, 0);
    assert_eq!(outcome.unused.len(), 1);
}

#[test]
fn exactly_one_target_and_the_required_texts() {
    let loaded = load_text(
        "exceptions:\n  - devices: [a]\n    rule: tiktok\n    app: x\n    approved_by: \" \"\n    expires: 2027-01-01\n",
        "2026-12-01",
    );
    let codes: Vec<Code> = loaded.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        [
            Code::ExceptionTarget,
            Code::ExceptionMissingField,
            Code::ExceptionMissingField
        ]
    );
    assert!(loaded.set.is_none());
    let loaded = load_text(
        "exceptions:\n  - rule: tiktok\n    reason: r\n    approved_by: a\n    expires: 2027-01-01\n",
        "2026-12-01",
    );
    assert_eq!(loaded.diagnostics[0].code, Code::ExceptionMissingField);
    assert_eq!(loaded.diagnostics[0].primary.as_ref().unwrap().line, 2);
}

#[test]
fn a_missing_file_is_an_io_diagnostic() {
    let loaded = load(
        std::path::Path::new("/nonexistent/e.yaml"),
        rules(),
        "2026-12-01",
    );
    assert_eq!(loaded.diagnostics[0].code, Code::Io);
    assert!(loaded.has_errors());
}
