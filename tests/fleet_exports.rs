//! Fleet-wide exports (an Intune `AppInvRawData` CSV, osquery result-log rows) large
//! enough to be streamed, with the rows of one device spread over the file: a scan
//! that keeps only what a rule could match finds, for every device, what a scan that
//! keeps every app (`--inventory`) finds, and counts the same apps (issue 16).
#![allow(clippy::unwrap_used)]

mod common;

use common::scan_json;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

const DEVICES: usize = 2_000;
const PER_DEVICE: usize = 20;

/// Row `k` of the file is row `r` of the fleet (device `r % DEVICES`): a device's rows
/// are never adjacent.
fn rows() -> impl Iterator<Item = (usize, usize)> {
    let n = DEVICES * PER_DEVICE;
    (0..n).map(move |k| {
        let r = k * 7_919 % n;
        (r % DEVICES, r / DEVICES)
    })
}

fn intune_csv() -> String {
    let mut out = String::from(
        "ApplicationKey,ApplicationName,ApplicationPublisher,ApplicationShortVersion,\
         ApplicationVersion,DeviceId,DeviceName,Platform\n",
    );
    for (d, a) in rows() {
        let platform = ["Android", "iOS", "Windows"][d % 3];
        let (key, name) = match (a, d % 7, platform) {
            (0, 0, "Windows") => ("0badc0ffee".to_owned(), "WeChat".to_owned()),
            (0, 0, _) => ("com.zhiliaoapp.musically".to_owned(), "TikTok".to_owned()),
            (1, 3, "Android") => ("com.tencent.mm".to_owned(), "WeChat".to_owned()),
            _ => (
                format!("com.example.app{}", (a * 3 + d) % 60),
                format!("App {a}"),
            ),
        };
        let _ = writeln!(
            out,
            "{key},{name},Example Inc.,1.{a},{a}00,dev-id-{d:05},dev-{d:05},{platform}"
        );
    }
    out
}

fn osquery_json() -> String {
    let mut rows_text = Vec::new();
    for (d, a) in rows() {
        let columns = match d % 3 {
            0 if a == 0 && d % 7 == 0 => {
                r#"{"bundle_identifier":"com.tencent.xinWeChat","name":"WeChat.app"}"#.to_owned()
            }
            0 => format!(
                r#"{{"bundle_identifier":"com.example.app{}","name":"App {a}.app"}}"#,
                (a * 3 + d) % 60
            ),
            1 if a == 0 && d % 7 == 1 => {
                r#"{"name":"WeChat","publisher":"Tencent","identifying_number":""}"#.to_owned()
            }
            1 => {
                format!(r#"{{"name":"Program {a}","publisher":"Example","identifying_number":""}}"#)
            }
            _ => format!(r#"{{"name":"pkg{a}","version":"1","maintainer":"m"}}"#),
        };
        rows_text.push(format!(
            r#"{{"name":"pack_inventory","hostIdentifier":"host-{d:05}","columns":{columns},"action":"added"}}"#
        ));
    }
    format!("[\n{}\n]\n", rows_text.join(",\n"))
}

/// Per device (by name): its findings and how many apps it had.
fn per_device(report: &Value) -> BTreeMap<String, (Value, Value)> {
    report["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let name = d["name"].as_str().unwrap().to_owned();
            (name, (d["findings"].clone(), d["apps_scanned"].clone()))
        })
        .collect()
}

fn same_as_inventory(path: &Path, with_findings: usize) {
    let (code, filtered) = scan_json(&[path.to_str().unwrap()]);
    assert_eq!(code, 1);
    let (code, inventory) = scan_json(&["--inventory", path.to_str().unwrap()]);
    assert_eq!(code, 1);
    let (filtered, inventory) = (per_device(&filtered), per_device(&inventory));
    assert_eq!(filtered.len(), DEVICES);
    assert_eq!(filtered, inventory);
    let found = filtered
        .values()
        .filter(|(findings, _)| !findings.as_array().unwrap().is_empty())
        .count();
    assert_eq!(found, with_findings);
}

#[test]
fn a_streamed_intune_export_finds_what_an_inventory_finds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("AppInvRawData.csv");
    std::fs::write(&path, intune_csv()).unwrap();
    // Every 7th device has TikTok (or WeChat by name on Windows), and every 7th from
    // the 4th on has WeChat when it is an Android phone.
    let sevenths = (0..DEVICES).filter(|d| d % 7 == 0).count();
    let wechat = (0..DEVICES).filter(|d| d % 7 == 3 && d % 3 == 0).count();
    same_as_inventory(&path, sevenths + wechat);
}

#[test]
fn streamed_osquery_results_find_what_an_inventory_finds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("results.json");
    std::fs::write(&path, osquery_json()).unwrap();
    let macs = (0..DEVICES).filter(|d| d % 3 == 0 && d % 7 == 0).count();
    let windows = (0..DEVICES).filter(|d| d % 3 == 1 && d % 7 == 1).count();
    same_as_inventory(&path, macs + windows);
}
