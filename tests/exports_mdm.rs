//! `rules export` for MDMs and MVT: Intune compliance policies checked against a JSON
//! Schema written from Microsoft Graph's documented resources, the Android Management
//! API fragment, and the STIX2 bundle read by MVT itself (when installed) and by
//! `--rules` (round trip, and MVT's own cytrox.stix2).
#![allow(clippy::unwrap_used)]

mod common;

use common::{MVT, appaudit, shared_fixture};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn export(format: &str, extra: &[&str]) -> Value {
    let out = appaudit()
        .args(["rules", "export", "--format", format])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every exact Android or iOS id of the embedded rules (what the exports may carry).
fn exact_mobile_ids() -> BTreeSet<String> {
    let rules = appaudit::rules::load(&Default::default()).rules.unwrap();
    let mut ids = BTreeSet::new();
    for app in &rules.apps {
        for i in &app.identifiers {
            let mobile = matches!(
                i.platform,
                appaudit::model::Platform::Android | appaudit::model::Platform::Ios
            );
            if let (true, appaudit::rules::Pattern::Exact(v)) = (mobile, &i.pattern) {
                ids.insert(v.clone());
            }
        }
    }
    ids
}

#[test]
fn intune_policies_follow_the_graph_resources() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/schemas/intune-compliance-policy.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let exact = exact_mobile_ids();
    for extra in [&[][..], &["--policy", "us-federal-contractor"][..]] {
        let doc = export("intune-restricted-apps", extra);
        let errors: Vec<String> = v
            .iter_errors(&doc)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        for policy in doc.as_array().unwrap() {
            let apps = policy["restrictedApps"].as_array().unwrap();
            assert!(apps.len() <= 100);
            for app in apps {
                // Exact ids of the rules only; no store URL the rules do not carry.
                assert!(exact.contains(app["appId"].as_str().unwrap()), "{app}");
                assert!(app.get("appStoreUrl").is_none(), "{app}");
            }
            assert!(
                policy["description"]
                    .as_str()
                    .unwrap()
                    .contains("FAR 52.204-27")
            );
        }
    }
    let scoped = export(
        "intune-restricted-apps",
        &["--policy", "us-federal-contractor"],
    );
    let ios = &scoped[0];
    assert_eq!(ios["@odata.type"], "#microsoft.graph.iosCompliancePolicy");
    assert_eq!(ios["displayName"], "appaudit — us-federal-contractor (iOS)");
    assert!(ios["description"].as_str().unwrap().contains("binding"));
    let ids: Vec<&str> = ios["restrictedApps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["appId"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"com.zhiliaoapp.musically"), "{ids:?}");
}

#[test]
fn intune_splits_long_lists_into_numbered_policies() {
    let dir = tempfile::tempdir().unwrap();
    let mut yaml = String::from(
        "regimes:\n  - id: big-list\n    title: A long site list\n    instrument: Site list 1\n    kind: guidance\n    date: 2026-01-01\n    issuer: Example site\n    binds: everyone at the site\n    applies_to: site staff\n    status: in-force\n    sources: [{url: https://example.org/list}]\n    last_reviewed: 2026-01-02\napps:\n",
    );
    for n in 0..150 {
        yaml.push_str(&format!(
            "  - id: app{n}\n    name: App {n}\n    regimes: [big-list]\n    identifiers: [{{platform: android, exact: org.example.app{n}}}]\n    last_reviewed: 2026-01-02\n"
        ));
    }
    let file = dir.path().join("big.yaml");
    std::fs::write(&file, yaml).unwrap();
    let doc = export(
        "intune-restricted-apps",
        &["--no-default-rules", "--rules", file.to_str().unwrap()],
    );
    let names: Vec<&str> = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "appaudit — all regimes (Android) (1 of 2)",
            "appaudit — all regimes (Android) (2 of 2)"
        ]
    );
    assert_eq!(doc[0]["restrictedApps"].as_array().unwrap().len(), 100);
    assert_eq!(doc[1]["restrictedApps"].as_array().unwrap().len(), 50);
}

#[test]
fn amapi_fragment_blocks_exact_packages() {
    let doc = export(
        "android-management-policy",
        &["--policy", "us-federal-contractor"],
    );
    let keys: Vec<&String> = doc.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["applications"]);
    let exact = exact_mobile_ids();
    let apps = doc["applications"].as_array().unwrap();
    assert!(
        apps.iter()
            .any(|a| a["packageName"] == "com.zhiliaoapp.musically")
    );
    for a in apps {
        let fields: Vec<&String> = a.as_object().unwrap().keys().collect();
        assert_eq!(fields, ["installType", "packageName"]);
        assert_eq!(a["installType"], "BLOCKED");
        assert!(exact.contains(a["packageName"].as_str().unwrap()));
    }
}

/// The STIX2 export for the contractor policy, written to `dir`.
fn stix2_file(dir: &Path) -> PathBuf {
    let path = dir.join("appaudit.stix2");
    let out = appaudit()
        .args([
            "rules",
            "export",
            "--format",
            "stix2",
            "--policy",
            "us-federal-contractor",
            "-o",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    path
}

#[test]
fn stix2_bundle_is_deterministic_and_shaped_like_mvt_files() {
    let a = export("stix2", &[]);
    assert_eq!(a, export("stix2", &[]), "same rules, same bundle");
    assert_eq!(a["type"], "bundle");
    let objects = a["objects"].as_array().unwrap();
    let of = |t: &str| objects.iter().filter(|o| o["type"] == t).count();
    assert!(of("malware") > 5);
    assert_eq!(of("indicator"), of("relationship"));
    let tiktok = objects
        .iter()
        .find(|o| o["pattern"] == "[app:id = 'com.zhiliaoapp.musically']")
        .unwrap();
    // created/modified come from the rule's review date, not the clock.
    assert_eq!(tiktok["created"], "2026-11-21T00:00:00.000Z");
    assert!(
        objects
            .iter()
            .all(|o| o["id"].as_str().unwrap().contains("--"))
    );
}

#[test]
fn stix2_export_round_trips_through_rules() {
    let dir = tempfile::tempdir().unwrap();
    let stix = stix2_file(dir.path());
    let bundle: Value = serde_json::from_str(&std::fs::read_to_string(&stix).unwrap()).unwrap();
    let ids: Vec<String> = bundle["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["pattern"].as_str())
        .filter_map(|p| {
            p.strip_prefix("[app:id = '")?
                .strip_suffix("']")
                .map(str::to_owned)
        })
        .collect();
    assert!(ids.len() > 5);
    let dump = dir.path().join("pm.txt");
    let text: String = ids.iter().map(|id| format!("package:{id}\n")).collect();
    std::fs::write(&dump, text).unwrap();
    let (code, doc) = common::scan_json(&[
        "--no-default-rules",
        "--rules",
        stix.to_str().unwrap(),
        dump.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    let findings = doc["devices"][0]["findings"].as_array().unwrap();
    let found: BTreeSet<&str> = findings
        .iter()
        .map(|f| f["app"]["id"].as_str().unwrap())
        .collect();
    for id in &ids {
        assert!(found.contains(id.as_str()), "{id} not found back");
    }
    for f in findings {
        assert_eq!(f["confidence"], "review");
        assert_eq!(f["regimes"][0]["id"], "indicator-appaudit");
        assert_eq!(f["regimes"][0]["status"], "informational");
    }
}

#[test]
fn mvt_cytrox_indicators_load_as_rules() {
    let Some(cytrox) = shared_fixture(&format!("{MVT}/stix2/cytrox.stix2")) else {
        return;
    };
    // cytrox.stix2 holds domains, file paths and a profile id, but no app:id: it loads,
    // with a warning that it has nothing to match on apps, and the scan still runs.
    let out = appaudit()
        .args(["scan", "--format", "json", "--rules"])
        .arg(&cytrox)
        .arg("fixtures/scan/pm_list_tiktok.txt")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no app indicator"), "{stderr}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = doc["devices"][0]["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    assert!(
        findings
            .iter()
            .all(|f| f["rule"]["id"] != "indicator-cytrox-other")
    );
    // The same bundle with one app indicator tied to its malware object: a review finding.
    let mut bundle: Value =
        serde_json::from_str(&std::fs::read_to_string(&cytrox).unwrap()).unwrap();
    let objects = bundle["objects"].as_array_mut().unwrap();
    let first = objects
        .iter_mut()
        .find(|o| o["type"] == "indicator")
        .unwrap();
    first["pattern"] = "[app:id='com.zhiliaoapp.musically']".into();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cytrox-app.stix2");
    std::fs::write(&path, bundle.to_string()).unwrap();
    let (_, doc) = common::scan_json(&[
        "--no-default-rules",
        "--rules",
        path.to_str().unwrap(),
        "fixtures/scan/pm_list_tiktok.txt",
    ]);
    let f = &doc["devices"][0]["findings"][0];
    assert_eq!(f["confidence"], "review");
    assert_eq!(f["rule"]["name"], "Predator");
}

/// MVT in the virtual environment `.ci/run` makes (target/mvt-venv), or on PATH.
fn mvt_android() -> Option<PathBuf> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/mvt-venv/bin/mvt-android");
    if venv.exists() {
        return Some(venv);
    }
    let on_path = std::process::Command::new("mvt-android")
        .arg("--help")
        .output();
    if on_path.is_ok_and(|o| o.status.success()) {
        return Some(PathBuf::from("mvt-android"));
    }
    if std::env::var("APPAUDIT_REQUIRE_MVT").as_deref() == Ok("1") {
        panic!(
            "MVT is required (APPAUDIT_REQUIRE_MVT=1) but neither target/mvt-venv nor PATH has mvt-android"
        );
    }
    eprintln!(
        "skipped: MVT is not installed (python3 -m venv target/mvt-venv && target/mvt-venv/bin/pip install mvt)"
    );
    None
}

#[test]
fn mvt_detects_tiktok_with_the_exported_stix2() {
    let Some(mvt) = mvt_android() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let stix = stix2_file(dir.path());
    // An androidqf acquisition folder whose packages.json lists TikTok (the shape of
    // MVT's own test artifact androidqf/packages.json).
    let aqf = dir.path().join("androidqf");
    std::fs::create_dir(&aqf).unwrap();
    std::fs::write(
        aqf.join("packages.json"),
        r#"[{"name": "com.zhiliaoapp.musically", "files": [], "installer": "com.android.vending", "uid": 10245, "disabled": false, "system": false, "third_party": true},
            {"name": "org.example.clean", "files": [], "installer": "null", "uid": 10246, "disabled": false, "system": false, "third_party": true}]"#,
    )
    .unwrap();
    let out_dir = dir.path().join("mvt-out");
    let out = std::process::Command::new(&mvt)
        .arg("check-androidqf")
        .arg("--iocs")
        .arg(&stix)
        .arg("--output")
        .arg(&out_dir)
        .arg(&aqf)
        .output()
        .unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let detected = out_dir.join("aqf_packages_detected.json");
    assert!(detected.exists(), "MVT detected nothing:\n{log}");
    let alerts: Value = serde_json::from_str(&std::fs::read_to_string(&detected).unwrap()).unwrap();
    let alerts = alerts.as_array().unwrap();
    let matched: Vec<&Value> = alerts
        .iter()
        .filter(|a| a.get("matched_indicator").is_some_and(|m| !m.is_null()))
        .collect();
    assert_eq!(matched.len(), 1, "{alerts:#?}");
    assert_eq!(matched[0]["event"]["name"], "com.zhiliaoapp.musically");
    assert_eq!(
        matched[0]["matched_indicator"]["value"],
        "com.zhiliaoapp.musically"
    );
    assert_eq!(matched[0]["matched_indicator"]["name"], "TikTok");
    eprintln!("MVT: {}", matched[0]["message"]);
}

/// A second, independent check of the CycloneDX report: the CycloneDX project's own
/// Python library (`cyclonedx-python-lib`, its strict JSON validator for 1.6), installed
/// by `.ci/run` in the same virtual environment as MVT.
#[test]
fn cyclonedx_report_passes_the_cyclonedx_python_validator() {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/mvt-venv/bin/python");
    let has_lib = python.exists()
        && std::process::Command::new(&python)
            .args(["-c", "import cyclonedx.validation.json"])
            .output()
            .is_ok_and(|o| o.status.success());
    if !has_lib {
        assert!(
            std::env::var("APPAUDIT_REQUIRE_MVT").as_deref() != Ok("1"),
            "cyclonedx-python-lib is required in target/mvt-venv (APPAUDIT_REQUIRE_MVT=1)"
        );
        eprintln!(
            "skipped: target/mvt-venv/bin/pip install 'cyclonedx-python-lib[json-validation]'"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bom = dir.path().join("bom.json");
    let out = appaudit()
        .args(["scan", "--format", "cyclonedx", "-o"])
        .arg(&bom)
        .args([
            "fixtures/scan/pm_list_tiktok.txt",
            "fixtures/scan/dumpsys_wechat_alipay.txt",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let check = "import sys\n\
        from cyclonedx.validation.json import JsonStrictValidator\n\
        from cyclonedx.schema import SchemaVersion\n\
        error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(open(sys.argv[1]).read())\n\
        print(error or 'valid')\n\
        sys.exit(1 if error else 0)\n";
    let run = std::process::Command::new(&python)
        .args(["-c", check])
        .arg(&bom)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(said.trim(), "valid");
}
