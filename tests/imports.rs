//! Inventories from other tools (osquery JSON, Fleet software JSON, a CSV app
//! inventory) scanned as inputs, end to end through the built binary.
#![allow(clippy::unwrap_used)]

mod common;

use common::{appaudit, scan_json};
use serde_json::Value;

const RULES: [&str; 3] = [
    "--no-default-rules",
    "--rules",
    "fixtures/imports/test_rules.yaml",
];

/// (device name, rule id, app id, evidence line) of every installed finding.
fn findings(doc: &Value) -> Vec<(String, String, String, u64)> {
    let mut out = Vec::new();
    for device in doc["devices"].as_array().unwrap() {
        for f in device["findings"].as_array().unwrap() {
            out.push((
                device["name"].as_str().unwrap().to_owned(),
                f["rule"]["id"].as_str().unwrap().to_owned(),
                f["app"]["id"].as_str().unwrap().to_owned(),
                f["evidence"]["line"].as_u64().unwrap(),
            ));
        }
    }
    out.sort();
    out
}

fn scan_with_test_rules(input: &str) -> (i32, Value) {
    let mut args = RULES.to_vec();
    args.push(input);
    scan_json(&args)
}

fn row(device: &str, rule: &str, app: &str, line: u64) -> (String, String, String, u64) {
    (device.into(), rule.into(), app.into(), line)
}

#[test]
fn osquery_apps_json_is_a_macos_device() {
    let (code, doc) = scan_with_test_rules("fixtures/imports/osquery_apps.json");
    assert_eq!(code, 1);
    let device = &doc["devices"][0];
    assert_eq!(device["platform"], "macos");
    assert_eq!(device["format"], "osquery-apps");
    assert_eq!(device["name"], "osquery_apps.json");
    assert_eq!(device["apps_scanned"], 4);
    assert_eq!(
        findings(&doc),
        [
            row(
                "osquery_apps.json",
                "test-wechat",
                "com.tencent.xinWeChat",
                2
            ),
            row(
                "osquery_apps.json",
                "test-wps",
                "com.kingsoft.wpsoffice.mac.global",
                5
            ),
        ]
    );
    let wechat = &device["findings"][0];
    assert_eq!(
        wechat["evidence"]["path"],
        "fixtures/imports/osquery_apps.json"
    );
    assert_eq!(wechat["evidence"]["format"], "osquery-apps");
    assert_eq!(wechat["app"]["version"], "4.0.3");
    assert_eq!(wechat["app"]["name"], "WeChat");
}

#[test]
fn osquery_programs_json_matches_name_and_publisher() {
    let (code, doc) = scan_with_test_rules("fixtures/imports/osquery_programs.json");
    assert_eq!(code, 1);
    assert_eq!(doc["devices"][0]["platform"], "windows");
    assert_eq!(doc["devices"][0]["format"], "osquery-programs");
    // WPS by its publisher (the program's key is not in `programs`), QQ NT by its name.
    assert_eq!(
        findings(&doc),
        [
            row("osquery_programs.json", "test-qq", "QQ", 14),
            row(
                "osquery_programs.json",
                "test-wps",
                "WPS Office (12.2.0.17119)",
                2
            ),
        ]
    );
}

#[test]
fn osquery_deb_packages_json_is_a_linux_device() {
    let (code, doc) = scan_with_test_rules("fixtures/imports/osquery_deb.json");
    assert_eq!(code, 1);
    assert_eq!(doc["devices"][0]["platform"], "linux");
    assert_eq!(doc["devices"][0]["format"], "osquery-deb_packages");
    assert_eq!(
        findings(&doc),
        [
            row("osquery_deb.json", "test-qq", "linuxqq", 4),
            row("osquery_deb.json", "test-wps", "wps-office", 3),
        ]
    );
}

#[test]
fn fleet_host_json_names_the_device_and_skips_extensions() {
    let (code, doc) = scan_with_test_rules("fixtures/imports/fleet_host.json");
    assert_eq!(code, 1);
    let device = &doc["devices"][0];
    assert_eq!(device["name"], "Ann's MacBook Pro");
    assert_eq!(device["format"], "fleet-software");
    assert_eq!(device["platform"], "macos");
    // WeChat.app, Word, TikTok (iOS app on the same account), wget; not the extension.
    assert_eq!(device["apps_scanned"], 4);
    assert_eq!(
        findings(&doc),
        [
            row(
                "Ann's MacBook Pro",
                "test-tiktok",
                "com.zhiliaoapp.musically",
                39
            ),
            row(
                "Ann's MacBook Pro",
                "test-wechat",
                "com.tencent.xinWeChat",
                11
            ),
        ]
    );
    let warnings = device["warnings"].to_string();
    assert!(warnings.contains("chrome_extensions (1)"), "{warnings}");
}

#[test]
fn fleet_software_list_is_one_device() {
    let (code, doc) = scan_with_test_rules("fixtures/imports/fleet_software.json");
    assert_eq!(code, 1);
    assert_eq!(doc["devices"].as_array().unwrap().len(), 1);
    assert_eq!(doc["devices"][0]["platform"], "windows");
    assert_eq!(
        findings(&doc),
        [
            row("fleet_software.json", "test-qq", "QQ", 5),
            row("fleet_software.json", "test-wps", "WPS Office", 4),
        ]
    );
}

#[test]
fn csv_inventory_splits_devices_by_column() {
    let (code, doc) = scan_with_test_rules("fixtures/imports/mdm_discovered_apps.csv");
    assert_eq!(code, 1);
    let names: Vec<(&str, &str)> = doc["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["name"].as_str().unwrap(), d["platform"].as_str().unwrap()))
        .collect();
    assert_eq!(
        names,
        [
            ("ann-laptop", "windows"),
            ("bob-phone", "android"),
            ("carol-mac", "macos")
        ]
    );
    assert_eq!(
        findings(&doc),
        [
            row("ann-laptop", "test-wechat", "WeChat", 2),
            row("bob-phone", "test-tiktok", "com.zhiliaoapp.musically", 4),
            row("carol-mac", "test-qq", "com.tencent.qq", 6),
        ]
    );
    let first = &doc["devices"][0];
    assert_eq!(
        first["findings"][0]["evidence"]["excerpt"],
        "ann-laptop,Windows 11,WeChat,WeChat,3.9.12.17,Tencent"
    );
    assert!(first["warnings"].to_string().contains("`ChromeOS`"));
}

#[test]
fn a_folder_of_inventories_is_read_file_by_file() {
    let (code, doc) = scan_with_test_rules("fixtures/imports");
    assert_eq!(code, 1, "{doc}");
    // 1 + 1 + 1 + 1 (Fleet host) + 1 (Fleet list) + 3 (CSV), and the MDM exports:
    // Jamf 1 + 2, Intune 1 + 3 (CSV), Kandji 1, Android Management 2; the rule files
    // are passed over.
    assert_eq!(doc["devices"].as_array().unwrap().len(), 18);
    assert_eq!(doc["errors"].as_array().unwrap().len(), 0);
}

#[test]
fn embedded_rules_find_wechat_in_osquery_apps() {
    let (code, doc) = scan_json(&["fixtures/imports/osquery_apps.json"]);
    assert_eq!(code, 1);
    let ids = common::finding_ids(&doc);
    assert!(
        ids.contains(&"com.tencent.xinWeChat".to_owned()),
        "embedded rules should know WeChat for macOS: {ids:?}"
    );
    assert!(!ids.contains(&"com.microsoft.Word".to_owned()));
}

#[test]
fn forced_formats_and_broken_inputs_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("apps.json");
    std::fs::write(&broken, "[{\"bundle_identifier\": \"com.tencent.qq\",").unwrap();
    let (code, doc) = scan_json(&[broken.to_str().unwrap()]);
    assert_eq!(code, 2);
    let error = &doc["errors"][0];
    assert_eq!(error["path"], broken.to_str().unwrap());
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with("expected osquery JSON results: not valid JSON"),
        "{message}"
    );

    let csv = dir.path().join("apps.csv");
    std::fs::write(&csv, "device,name,version\nann,WeChat,1\n").unwrap();
    let (code, doc) = scan_json(&["--input-format", "csv", csv.to_str().unwrap()]);
    assert_eq!(code, 2);
    let message = doc["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("`platform` column"), "{message}");

    // Forcing a format the content does not have is refused with what was expected.
    let (code, doc) = scan_json(&[
        "--input-format",
        "fleet",
        "fixtures/imports/osquery_deb.json",
    ]);
    assert_eq!(code, 2);
    let message = doc["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("expected Fleet software JSON"),
        "{message}"
    );
}

#[test]
fn table_report_shows_csv_evidence_lines() {
    let mut args = vec!["scan"];
    args.extend(RULES);
    args.push("fixtures/imports/mdm_discovered_apps.csv");
    appaudit()
        .args(args)
        .assert()
        .code(1)
        .stdout(predicates::str::contains(
            "fixtures/imports/mdm_discovered_apps.csv:4",
        ));
}
