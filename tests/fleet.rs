//! Fleet runs: a folder of many devices, per-app device counts, progress only on a
//! terminal, baselines and `--fail-on`.
#![allow(clippy::unwrap_used)]

mod common;

use common::{appaudit, finding_ids, scan_json};
use std::path::Path;

/// Writes `n` device dumps: every 10th has TikTok, every 25th WeChat, the rest are clean.
fn fleet(dir: &Path, n: usize) {
    for i in 0..n {
        let mut text = String::from("package:com.whatsapp\npackage:com.google.android.gm\n");
        if i % 10 == 0 {
            text.push_str("package:com.zhiliaoapp.musically\n");
        }
        if i % 25 == 0 {
            text.push_str("package:com.tencent.mm\n");
        }
        std::fs::write(dir.join(format!("phone-{i:05}.txt")), text).unwrap();
    }
    std::fs::write(dir.join("README.md"), "# collected by the MDM\n").unwrap();
}

#[test]
fn a_folder_of_devices_is_scanned_with_per_app_counts() {
    let dir = tempfile::tempdir().unwrap();
    fleet(dir.path(), 500);
    let (code, doc) = scan_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    let s = &doc["summary"];
    assert_eq!(s["devices"], 500);
    assert_eq!(s["devices_with_findings"], 60);
    assert_eq!(s["apps_scanned"], 1000 + 50 + 20);
    let by_app: Vec<(String, u64)> = s["by_app"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["rule"].as_str().unwrap().to_string(),
                a["devices"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by_app,
        vec![("tiktok".to_string(), 50), ("wechat".to_string(), 20)]
    );
    // Devices come out in name order whatever the parallel order was.
    let names: Vec<&str> = doc["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    // The README is passed over and listed, not an error.
    assert_eq!(doc["skipped"].as_array().unwrap().len(), 1);
    // Without --inventory no device carries its app list.
    assert!(doc["devices"][0].get("apps").is_none());
}

#[test]
fn the_table_counts_clean_devices_and_summarises_the_fleet() {
    let dir = tempfile::tempdir().unwrap();
    fleet(dir.path(), 60);
    let out = appaudit().arg("scan").arg(dir.path()).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("53 devices with no covered app installed (not listed)."),
        "{text}"
    );
    assert!(text.contains("Covered apps across the fleet:"));
    assert!(
        text.contains("TikTok (tiktok) 6 devices: 6 confirmed, 0 to review"),
        "{text}"
    );
    assert!(text.contains("Scanned 60 devices"));
}

#[test]
fn no_progress_bar_in_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    fleet(dir.path(), 50);
    let out = appaudit()
        .arg("scan")
        .arg(dir.path())
        .env_remove("CI")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("scanning"));
}

#[test]
fn a_progress_bar_on_a_terminal() {
    // `script` (util-linux) gives the command a pseudo-terminal.
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: `script` is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    fleet(dir.path(), 3000);
    let bin = assert_cmd::cargo::cargo_bin("appaudit");
    let command = format!(
        "{} scan -o {} {}",
        bin.display(),
        dir.path().join("report.txt").display(),
        dir.path().display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env_remove("CI")
        .env("TERM", "xterm")
        .output()
        .unwrap();
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(
        screen.contains("scanning"),
        "no progress bar on the terminal: {screen:?}"
    );
}

#[test]
fn baseline_shows_only_new_findings_and_what_was_removed() {
    let dir = tempfile::tempdir().unwrap();
    let phone = dir.path().join("phone.txt");
    std::fs::write(
        &phone,
        "package:com.zhiliaoapp.musically\npackage:com.tencent.mm\n",
    )
    .unwrap();
    let old = dir.path().join("old.json");
    appaudit()
        .args(["scan", "--format", "json", "-o"])
        .arg(&old)
        .arg(&phone)
        .assert()
        .code(1);
    // TikTok removed, WeChat stays, Alipay is new.
    std::fs::write(
        &phone,
        "package:com.tencent.mm\npackage:com.eg.android.AlipayGphone\n",
    )
    .unwrap();
    let (code, doc) = scan_json(&["--baseline", old.to_str().unwrap(), phone.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(finding_ids(&doc), vec!["com.eg.android.AlipayGphone"]);
    let removed = doc["removed"].as_array().unwrap();
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0]["app_id"], "com.zhiliaoapp.musically");
    // Nothing new: exit 0 even though WeChat is still there.
    std::fs::write(&phone, "package:com.tencent.mm\n").unwrap();
    let (code, doc) = scan_json(&["--baseline", old.to_str().unwrap(), phone.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(finding_ids(&doc).is_empty());
}

#[test]
fn a_baseline_that_is_not_a_report_is_an_error() {
    appaudit()
        .args([
            "scan",
            "--baseline",
            "fixtures/scan/pm_list_clean.txt",
            "fixtures/scan/pm_list_clean.txt",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "pm_list_clean.txt: not a JSON report",
        ));
}

#[test]
fn fail_on_chooses_what_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let phone = dir.path().join("phone.txt");
    // Alipay: only revoked orders and state/India regimes, not the contractor clauses.
    std::fs::write(&phone, "package:com.eg.android.AlipayGphone\n").unwrap();
    let phone = phone.to_str().unwrap();
    let code = |args: &[&str]| {
        appaudit()
            .arg("scan")
            .args(args)
            .arg(phone)
            .output()
            .unwrap()
            .status
            .code()
            .unwrap()
    };
    assert_eq!(code(&[]), 1);
    assert_eq!(code(&["--fail-on", "any"]), 1);
    assert_eq!(code(&["--fail-on", "never"]), 0);
    assert_eq!(code(&["--fail-on", "confirmed"]), 1);
    assert_eq!(code(&["--fail-on", "policy:us-federal-contractor"]), 0);
    assert_eq!(code(&["--fail-on", "policy:us-orders-2020-2021"]), 1);
    assert_eq!(code(&["--fail-on", "policy:nope"]), 2);
    assert_eq!(code(&["--fail-on", "sometimes"]), 2);
}
