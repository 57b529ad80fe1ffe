//! Every report format, read back by its own standard tooling: JSON against the
//! published schema, SARIF against the SARIF 2.1.0 schema, CSV and NDJSON by their
//! parsers, HTML rendered in headless Chromium.
#![allow(clippy::unwrap_used)]

mod common;

use common::{MVT, appaudit, shared_fixture};
use std::path::{Path, PathBuf};

const INPUTS: [&str; 3] = [
    "fixtures/scan/pm_list_tiktok.txt",
    "fixtures/scan/dumpsys_wechat_alipay.txt",
    "fixtures/scan/pm_list_clean.txt",
];

fn run(args: &[&str]) -> (i32, Vec<u8>) {
    let out = appaudit().arg("scan").args(args).output().unwrap();
    (out.status.code().unwrap(), out.stdout)
}

fn report(format: &str, extra: &[&str]) -> Vec<u8> {
    let mut args = vec!["--format", format];
    args.extend_from_slice(extra);
    args.extend_from_slice(&INPUTS);
    run(&args).1
}

fn validator(schema: &Path) -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn assert_valid(v: &jsonschema::Validator, doc: &serde_json::Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

#[test]
fn every_json_report_follows_the_published_schema() {
    let v = validator(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/report.schema.json"
    )));
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.bin");
    std::fs::write(&garbage, [0u8, 1, 2, 3, 200, 201, 202, 7, 8, 9].repeat(100)).unwrap();
    let garbage = garbage.to_str().unwrap().to_string();
    let mut cases: Vec<Vec<String>> = vec![
        INPUTS.iter().map(|s| s.to_string()).collect(),
        vec!["--inventory".into(), INPUTS[1].into()],
        vec![
            "--policy".into(),
            "us-federal-contractor".into(),
            INPUTS[0].into(),
        ],
        vec![garbage, "fixtures/scan".into()],
        vec!["fixtures/android".into()],
    ];
    if let Some(mvt) = shared_fixture(MVT) {
        for rel in [
            "androidqf",
            "android_data/bugreport",
            "android_data/dumpsys_packages.txt",
        ] {
            cases.push(vec![
                "--inventory".into(),
                mvt.join(rel).display().to_string(),
            ]);
        }
    }
    for case in cases {
        let mut args = vec!["--format", "json"];
        args.extend(case.iter().map(String::as_str));
        let (_, out) = run(&args);
        let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_valid(&v, &doc, &format!("{case:?}"));
    }
}

/// The SARIF 2.1.0 schema as shipped in the serde-sarif crate's sources.
fn sarif_schema() -> PathBuf {
    let out = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let manifest = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "serde-sarif")
        .map(|p| PathBuf::from(p["manifest_path"].as_str().unwrap()))
        .expect("serde-sarif is a dev-dependency");
    manifest.parent().unwrap().join("src/schema.json")
}

/// The official SARIF schema has one `pattern` that is not a valid regex
/// (`...[a-zA-Z]{2}]?$`, for `run.language`); strict meta-validation refuses the
/// whole schema for it, so such patterns are dropped before compiling.
fn drop_invalid_patterns(schema: &mut serde_json::Value) {
    match schema {
        serde_json::Value::Object(map) => {
            let bad = map
                .get("pattern")
                .and_then(|p| p.as_str())
                .is_some_and(|p| regex::Regex::new(p).is_err() || p.ends_with("]?$"));
            if bad {
                map.remove("pattern");
            }
            map.values_mut().for_each(drop_invalid_patterns);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_invalid_patterns),
        _ => {}
    }
}

#[test]
fn sarif_is_valid_sarif_2_1_0() {
    let mut schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sarif_schema()).unwrap()).unwrap();
    drop_invalid_patterns(&mut schema);
    let v = jsonschema::validator_for(&schema).unwrap();
    let out = report("sarif", &[]);
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_valid(&v, &doc, "sarif");
    let typed: serde_sarif::sarif::Sarif = serde_json::from_value(doc.clone()).unwrap();
    assert_eq!(typed.runs.len(), 1);
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    let tiktok = results.iter().find(|r| r["ruleId"] == "tiktok").unwrap();
    // No scope: every regime is context, so nothing reads as a violation.
    assert_eq!(tiktok["level"], "warning");
    let scoped = report("sarif", &["--policy", "us-federal-contractor"]);
    let scoped: serde_json::Value = serde_json::from_slice(&scoped).unwrap();
    let tiktok = scoped["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "tiktok")
        .unwrap();
    assert_eq!(tiktok["level"], "error");
    assert_eq!(
        tiktok["locations"][0]["physicalLocation"]["region"]["startLine"],
        1
    );
    // An unreadable input is a tool notification.
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let (code, out) = run(&["--format", "sarif", empty.to_str().unwrap()]);
    assert_eq!(code, 2);
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_valid(&v, &doc, "sarif with an error");
    assert_eq!(
        doc["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
}

#[test]
fn csv_has_one_row_per_finding() {
    let out = report("csv", &[]);
    let mut reader = csv::Reader::from_reader(out.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    for column in [
        "device",
        "platform",
        "app_id",
        "app_name",
        "version",
        "rule",
        "regimes",
        "status",
        "confidence",
        "evidence",
    ] {
        assert!(header.contains(&column.to_string()), "{column} missing");
    }
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    // TikTok, WPS Office, WeChat, and Alipay's data left behind.
    assert_eq!(rows.len(), 4);
    let app_id = header.iter().position(|h| h == "app_id").unwrap();
    let evidence = header.iter().position(|h| h == "evidence").unwrap();
    let tiktok = rows
        .iter()
        .find(|r| &r[app_id] == "com.zhiliaoapp.musically")
        .unwrap();
    assert_eq!(&tiktok[evidence], "fixtures/scan/pm_list_tiktok.txt:1");
}

#[test]
fn ndjson_is_one_json_object_per_line_ending_with_the_summary() {
    let out = String::from_utf8(report("ndjson", &["--inventory"])).unwrap();
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let count = |t: &str| lines.iter().filter(|l| l["type"] == t).count();
    assert_eq!(count("device"), 3);
    assert_eq!(count("finding"), 3);
    assert_eq!(count("data_left_behind"), 1);
    assert_eq!(count("app"), 13);
    let last = lines.last().unwrap();
    assert_eq!(last["type"], "summary");
    assert_eq!(last["summary"]["findings"], 3);
    let finding = lines.iter().find(|l| l["type"] == "finding").unwrap();
    assert!(finding["device"].is_string() && finding["app"]["id"].is_string());
}

#[test]
fn markdown_has_a_table_per_device_with_sources() {
    let out = String::from_utf8(report("markdown", &[])).unwrap();
    assert!(out.starts_with("# appaudit report"));
    assert!(out.contains("| Covered app | Identifier |"));
    assert!(out.contains("`com.zhiliaoapp.musically`"));
    assert!(out.contains("](https://"));
    assert!(out.contains("No covered app installed."));
    // A fleet: which covered apps on how many devices comes first, devices after.
    let fleet = out
        .find("| App | Rule | Devices | Confirmed | To review |")
        .unwrap();
    assert!(out.contains("| TikTok | `tiktok` | 1 | 1 | 0 |"), "{out}");
    assert!(fleet < out.find("Source: `").unwrap());
}

#[test]
fn html_is_one_self_contained_page() {
    let out = String::from_utf8(report("html", &[])).unwrap();
    assert!(out.starts_with("<!DOCTYPE html>"));
    for needle in [
        "id=\"total-findings\"",
        "id=\"chart-regimes\"",
        "id=\"chart-devices\"",
        "id=\"findings\"",
        "com.zhiliaoapp.musically",
        "WeChat Pay",
    ] {
        assert!(out.contains(needle), "{needle} missing");
    }
    // A fleet: which covered apps on how many devices comes before the findings.
    let fleet = out.find("id=\"fleet-apps\"").unwrap();
    assert!(fleet < out.find("id=\"findings\"").unwrap());
    assert!(
        out.contains("<td>TikTok</td><td><code>tiktok</code></td><td>1</td><td>1</td><td>0</td>")
    );
    // Nothing is loaded from the network.
    for needle in ["<script src", "<link", "@import", "url(http"] {
        assert!(!out.contains(needle), "{needle} found");
    }
}

/// Chromium, when installed (CI installs it and sets APPAUDIT_REQUIRE_CHROMIUM=1).
fn chromium() -> Option<PathBuf> {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if let Ok(out) = std::process::Command::new("which").arg(name).output()
            && out.status.success()
        {
            return Some(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
        }
    }
    if std::env::var("APPAUDIT_REQUIRE_CHROMIUM").as_deref() == Ok("1") {
        panic!("chromium is required (APPAUDIT_REQUIRE_CHROMIUM=1) but not installed");
    }
    eprintln!("skipped: chromium is not installed");
    None
}

fn headless(chromium: &Path, profile: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(chromium);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

#[test]
fn html_renders_in_headless_chromium() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    std::fs::write(&page, report("html", &[])).unwrap();
    let url = format!("file://{}", page.display());
    let dom = headless(&chromium, &dir.path().join("profile"))
        .args(["--dump-dom", &url])
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.contains("id=\"total-findings\">3<"), "{dom}");
    assert!(dom.contains("com.zhiliaoapp.musically"));
    let shot = dir.path().join("shot.png");
    let status = headless(&chromium, &dir.path().join("profile2"))
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1400,1000")
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG"));
}

/// The official CycloneDX schemas (tests/schemas/cyclonedx): `bom-1.6` finds the other
/// two by their `$id`, read from the folder, never from the network.
struct CycloneDxSchemas;

impl jsonschema::Retrieve for CycloneDxSchemas {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<serde_json::Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri.path().as_str().rsplit('/').next().unwrap_or_default();
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/schemas/cyclonedx")
            .join(name);
        Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
    }
}

fn cyclonedx_validator() -> jsonschema::Validator {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/cyclonedx/bom-1.6.schema.json");
    let mut schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    drop_invalid_patterns(&mut schema);
    jsonschema::options()
        .with_retriever(CycloneDxSchemas)
        .build(&schema)
        .unwrap()
}

#[test]
fn cyclonedx_follows_the_official_1_6_schema() {
    let v = cyclonedx_validator();
    // Several devices: each a device component with its apps nested.
    let fleet: serde_json::Value = serde_json::from_slice(&report("cyclonedx", &[])).unwrap();
    assert_valid(&v, &fleet, "cyclonedx, three devices");
    // The schema really is applied (with its referenced SPDX schema): a bad type and a
    // bad licence id fail.
    let mut bad = fleet.clone();
    bad["components"][0]["type"] = "phone".into();
    assert!(!v.is_valid(&bad));
    let mut bad = fleet.clone();
    bad["components"][0]["licenses"] = serde_json::json!([{"license": {"id": "NOT-SPDX"}}]);
    assert!(!v.is_valid(&bad));
    assert_eq!(fleet["specVersion"], "1.6");
    let devices = fleet["components"].as_array().unwrap();
    assert_eq!(devices.len(), 3);
    assert!(devices.iter().all(|d| d["type"] == "device"));
    // Every app is listed (cyclonedx implies the inventory), not only covered ones.
    let apps: usize = devices
        .iter()
        .map(|d| d["components"].as_array().map_or(0, Vec::len))
        .sum();
    assert!(apps >= 10, "{apps} apps");
    let annotations = fleet["annotations"].as_array().unwrap();
    assert!(
        annotations
            .iter()
            .any(|a| a["text"].as_str().unwrap().contains("rule tiktok"))
    );
    // One device: the device is metadata.component; the same scan gives the same bytes.
    let one = report_one(
        "cyclonedx",
        &["--policy", "us-federal-contractor", INPUTS[0]],
    );
    let doc: serde_json::Value = serde_json::from_slice(&one).unwrap();
    assert_valid(&v, &doc, "cyclonedx, one device");
    assert_eq!(doc["metadata"]["component"]["type"], "device");
    let tiktok = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["properties"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["value"] == "com.zhiliaoapp.musically")
        })
        .unwrap();
    assert!(
        tiktok["properties"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "appaudit:finding:rule" && p["value"] == "tiktok")
    );
    assert_eq!(
        one,
        report_one(
            "cyclonedx",
            &["--policy", "us-federal-contractor", INPUTS[0]]
        )
    );
    // Linux dpkg packages get a deb purl; other apps none.
    let linux = report_one("cyclonedx", &["--root", "fixtures/desktop/linux"]);
    let linux: serde_json::Value = serde_json::from_slice(&linux).unwrap();
    assert_valid(&v, &linux, "cyclonedx, linux");
    let purls: Vec<&str> = linux["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["purl"].as_str())
        .collect();
    assert!(
        purls.contains(&"pkg:deb/debian/bash@5.2.15-2%2Bb7"),
        "{purls:?}"
    );
    assert!(
        purls.iter().all(|p| p.starts_with("pkg:deb/debian/")),
        "{purls:?}"
    );
}

fn report_one(format: &str, args: &[&str]) -> Vec<u8> {
    let mut all = vec!["--format", format, "--as-of", "2026-12-02"];
    all.extend_from_slice(args);
    run(&all).1
}

/// A streamed `pm list` (over 64 KiB) in which only apps no rule matches name their
/// installer: the covered app with none is still marked side-loaded, and counts and
/// findings are those of a scan that keeps every app.
#[test]
fn a_streamed_list_keeps_only_covered_apps_and_reports_as_an_inventory_scan() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pm.txt");
    let mut text = String::new();
    for i in 0..3000 {
        text.push_str(&format!(
            "package:/data/app/com.example.app{i}/base.apk=com.example.app{i}  installer=com.android.vending\n"
        ));
    }
    text.push_str("package:/data/app/tt/base.apk=com.zhiliaoapp.musically\n");
    std::fs::write(&path, &text).unwrap();
    assert!(text.len() > 64 * 1024);
    let report = |inventory: bool| {
        let mut cmd = appaudit();
        cmd.args(["scan", "--format", "json"]);
        if inventory {
            cmd.arg("--inventory");
        }
        let out = cmd.arg(&path).output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let (filtered, whole) = (report(false), report(true));
    let (filtered, whole) = (&filtered["devices"][0], &whole["devices"][0]);
    assert_eq!(filtered["apps_scanned"], 3001);
    assert_eq!(filtered["apps_scanned"], whole["apps_scanned"]);
    assert_eq!(filtered["findings"], whole["findings"]);
    assert_eq!(filtered["findings"][0]["app"]["flags"]["side_loaded"], true);
}
