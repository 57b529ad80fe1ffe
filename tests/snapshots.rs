//! Snapshot tests of the reports: a change in what people or scripts read shows in review.
#![allow(clippy::unwrap_used)]

mod common;

use common::appaudit;

fn stdout(args: &[&str]) -> String {
    // A fixed day: reports state it, and the rules' freshness depends on it.
    let out = appaudit()
        .env("APPAUDIT_AS_OF", "2026-12-02")
        .args(args)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn table_report() {
    insta::assert_snapshot!(stdout(&[
        "scan",
        "fixtures/scan/pm_list_tiktok.txt",
        "fixtures/scan/dumpsys_wechat_alipay.txt"
    ]));
}

#[test]
fn table_report_in_80_columns() {
    // Too narrow for the grid: a block per finding, nothing broken inside a word.
    let out = appaudit()
        .env("APPAUDIT_AS_OF", "2026-12-02")
        .env("COLUMNS", "80")
        .args([
            "scan",
            "--policy",
            "us-federal-contractor",
            "fixtures/scan/pm_list_tiktok.txt",
            "fixtures/scan/dumpsys_wechat_alipay.txt",
        ])
        .output()
        .unwrap();
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

#[test]
fn json_report() {
    let text = stdout(&[
        "scan",
        "--format",
        "json",
        "fixtures/scan/dumpsys_wechat_alipay.txt",
    ]);
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc["tool"]["version"] = "[version]".into();
    // They change with every rule added; tests/packaging.rs checks them against the rules.
    doc["tool"]["regimes"] = "[count]".into();
    doc["tool"]["apps"] = "[count]".into();
    insta::assert_json_snapshot!(doc);
}
