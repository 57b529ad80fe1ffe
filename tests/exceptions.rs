//! Exceptions that expire (`--exceptions`, `appaudit exceptions check`): an
//! exception in force excepts findings in every format without failing the run;
//! an expired one applies no more and is reported; an unused one is listed; broken
//! files are refused with `file:line:column` and exit 2.
#![allow(clippy::unwrap_used)]

mod common;

use common::{appaudit, assert_follows_schema, scan_json};
use predicates::prelude::*;

const TIKTOK: &str = "fixtures/scan/pm_list_tiktok.txt";
const EXCEPTIONS: &str = "fixtures/exceptions/tiktok.yaml";

fn with_exceptions(as_of: &str) -> (i32, serde_json::Value) {
    scan_json(&["--as-of", as_of, "--exceptions", EXCEPTIONS, TIKTOK])
}

fn scan_text(format: &str, as_of: &str) -> (i32, String, String) {
    let out = appaudit()
        .args(["scan", "--format", format, "--as-of", as_of])
        .args(["--exceptions", EXCEPTIONS, TIKTOK])
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn exceptions_in_force_turn_exit_1_into_0_and_show_as_excepted() {
    let (code, _) = scan_json(&["--as-of", "2026-12-01", TIKTOK]);
    assert_eq!(code, 1);
    let (code, doc) = with_exceptions("2026-12-01");
    assert_eq!(code, 0, "{doc:#}");
    let findings = doc["devices"][0]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "excepted findings are still shown");
    let tiktok = findings
        .iter()
        .find(|f| f["rule"]["id"] == "tiktok")
        .unwrap();
    let e = &tiktok["exception"];
    assert_eq!(e["state"], "applied");
    assert_eq!(
        e["reason"],
        "Marketing team account; approved under policy 7.3"
    );
    assert_eq!(e["approved_by"], "CISO");
    assert_eq!(e["ticket"], "SEC-1234");
    assert_eq!(e["expires"], "2027-03-31");
    assert_eq!(e["origin"], "fixtures/exceptions/tiktok.yaml:4");
    // WPS Office is in force only under the Texas regime, which the second exception covers.
    let wps = findings
        .iter()
        .find(|f| f["rule"]["id"] == "wps-office")
        .unwrap();
    assert_eq!(wps["exception"]["state"], "applied");
    assert_eq!(doc["summary"]["excepted"], 2);
    assert_eq!(doc["summary"]["findings"], 0);
    assert_eq!(doc["summary"]["by_app"].as_array().unwrap().len(), 0);
    assert_eq!(doc["exceptions"]["excepted"], 2);
    assert_eq!(doc["exceptions"]["total"], 3);
}

#[test]
fn excepted_findings_do_not_count_for_fail_on() {
    let out = appaudit()
        .args(["scan", "--as-of", "2026-12-01", "--fail-on", "confirmed"])
        .args(["--exceptions", EXCEPTIONS, TIKTOK])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn an_unused_exception_is_listed_in_the_report_and_on_stderr() {
    let (_, doc) = with_exceptions("2026-12-01");
    let unused = doc["exceptions"]["unused"].as_array().unwrap();
    assert_eq!(unused.len(), 1, "{unused:#?}");
    assert_eq!(unused[0]["target"], "wechat");
    assert_eq!(unused[0]["kind"], "rule");
    assert_eq!(
        unused[0]["message"],
        "exception for wechat on laptop-042 (until 2027-01-31, SEC-2000) names no finding"
    );
    let (_, table, stderr) = scan_text("table", "2026-12-01");
    assert!(
        stderr.contains(
            "note: fixtures/exceptions/tiktok.yaml:17: exception for wechat on laptop-042"
        ),
        "{stderr}"
    );
    assert!(
        table.contains("unused: exception for wechat on laptop-042"),
        "{table}"
    );
}

#[test]
fn an_expired_exception_applies_no_more_and_is_reported() {
    // 2027-01-15: the Texas exception (until 2026-12-31) has expired; TikTok's has not.
    let (code, doc) = with_exceptions("2027-01-15");
    assert_eq!(code, 1);
    let findings = doc["devices"][0]["findings"].as_array().unwrap();
    let wps = findings
        .iter()
        .find(|f| f["rule"]["id"] == "wps-office")
        .unwrap();
    assert_eq!(wps["exception"]["state"], "expired");
    assert_eq!(doc["summary"]["excepted"], 1);
    assert_eq!(doc["summary"]["findings"], 1);
    let expired = doc["exceptions"]["expired"].as_array().unwrap();
    assert_eq!(expired.len(), 1);
    assert_eq!(
        expired[0]["message"],
        "exception for us-tx-prohibited-2022 on pm_list_tiktok.txt expired 2026-12-31"
    );
    assert_eq!(expired[0]["matched"][0], "pm_list_tiktok.txt");
    // After 2027-03-31 TikTok's has expired too, with its ticket in the warning.
    let (code, doc) = with_exceptions("2027-04-01");
    assert_eq!(code, 1);
    let messages: Vec<&str> = doc["exceptions"]["expired"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(
        messages
            .contains(&"exception for tiktok on pm_list_tiktok.txt expired 2027-03-31 (SEC-1234)"),
        "{messages:#?}"
    );
    let (_, table, stderr) = scan_text("table", "2027-04-01");
    assert!(stderr.contains("warning: fixtures/exceptions/tiktok.yaml:4: exception for tiktok on pm_list_tiktok.txt expired 2027-03-31 (SEC-1234)"), "{stderr}");
    assert!(table.contains("exception expired 2027-03-31"), "{table}");
}

#[test]
fn every_format_shows_the_exception() {
    let (code, table, _) = scan_text("table", "2026-12-01");
    assert_eq!(code, 0);
    assert!(
        table.contains(
            "TikTok (com.zhiliaoapp.musically): excepted until 2027-03-31: Marketing team account"
        ),
        "{table}"
    );
    assert!(
        table.contains("0 covered apps found (0 confirmed, 0 to review), 2 excepted"),
        "{table}"
    );

    let (_, csv, _) = scan_text("csv", "2026-12-01");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let tiktok = rows
        .iter()
        .find(|r| &r[col("rule_id")] == "tiktok")
        .unwrap();
    assert_eq!(&tiktok[col("exception")], "excepted");
    assert_eq!(&tiktok[col("exception_approved_by")], "CISO");
    assert_eq!(&tiktok[col("exception_ticket")], "SEC-1234");
    assert_eq!(&tiktok[col("exception_expires")], "2027-03-31");

    let (_, sarif, _) = scan_text("sarif", "2026-12-01");
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let run = &sarif["runs"][0];
    let result = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "tiktok")
        .unwrap();
    assert_eq!(result["suppressions"][0]["kind"], "external");
    assert_eq!(result["suppressions"][0]["status"], "accepted");
    assert!(
        result["suppressions"][0]["justification"]
            .as_str()
            .unwrap()
            .contains("Marketing team account")
    );
    let notes = run["invocations"][0]["toolExecutionNotifications"].to_string();
    assert!(
        notes.contains("exception for wechat on laptop-042"),
        "{notes}"
    );
    let _: serde_sarif::sarif::Sarif = serde_json::from_value(sarif.clone()).unwrap();

    let (_, markdown, _) = scan_text("markdown", "2026-12-01");
    assert!(
        markdown.contains("**excepted until 2027-03-31: Marketing team account"),
        "{markdown}"
    );
    assert!(markdown.contains(", 2 excepted;"), "{markdown}");

    let (_, html, _) = scan_text("html", "2026-12-01");
    assert!(html.contains("<b>excepted</b> until 2027-03-31"), "{html}");
    assert!(html.contains("id=\"total-excepted\""), "{html}");
    assert!(
        html.contains("unused: exception for wechat on laptop-042"),
        "{html}"
    );

    let (_, ndjson, _) = scan_text("ndjson", "2026-12-01");
    let lines: Vec<serde_json::Value> = ndjson
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let finding = lines
        .iter()
        .find(|l| l["type"] == "finding" && l["rule"]["id"] == "tiktok")
        .unwrap();
    assert_eq!(finding["exception"]["state"], "applied");
    assert!(
        lines
            .iter()
            .any(|l| l["type"] == "exception" && l["state"] == "unused")
    );
    let summary = lines.last().unwrap();
    assert_eq!(summary["summary"]["excepted"], 2);
}

#[test]
fn a_glob_matches_the_device_serial() {
    let (code, doc) = scan_json(&[
        "--as-of",
        "2026-12-01",
        "--exceptions",
        "fixtures/exceptions/serial.yaml",
        "fixtures/android/androidqf_folder",
    ]);
    assert_eq!(code, 0, "{doc:#}");
    let f = &doc["devices"][0]["findings"][0];
    assert_eq!(f["exception"]["state"], "applied");
    assert_eq!(doc["exceptions"]["unused"].as_array().unwrap().len(), 0);
}

#[test]
fn an_exception_by_device_name_and_app_id() {
    let dir = tempfile::tempdir().unwrap();
    let phone = dir.path().join("phone.txt");
    std::fs::write(&phone, "package:com.tencent.mm\npackage:com.whatsapp\n").unwrap();
    let file = dir.path().join("exceptions.yaml");
    std::fs::write(
        &file,
        "exceptions:\n  - devices: [PHONE.TXT]\n    app: com.tencent.mm\n    reason: field office\n    approved_by: CISO\n    expires: 2027-01-31\n",
    )
    .unwrap();
    let (code, doc) = scan_json(&[
        "--as-of",
        "2026-12-01",
        "--exceptions",
        file.to_str().unwrap(),
        phone.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["summary"]["excepted"], 1);
    assert_follows_schema(&doc);
}

#[test]
fn an_unknown_key_is_refused_with_its_place_and_exit_2() {
    appaudit()
        .args([
            "scan",
            "--exceptions",
            "fixtures/exceptions/unknown-key.yaml",
            TIKTOK,
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "fixtures/exceptions/unknown-key.yaml:8:5",
        ))
        .stderr(predicate::str::contains("unknown field `aproved_by`"))
        .stderr(predicate::str::contains(
            "fixtures/exceptions/unknown-key.yaml:14:5",
        ))
        .stderr(predicate::str::contains("nothing was scanned"));
}

#[test]
fn every_mistake_is_reported_with_file_line_column_and_code() {
    let out = appaudit()
        .args([
            "exceptions",
            "check",
            "--as-of",
            "2026-12-01",
            "--format",
            "json",
        ])
        .arg("fixtures/exceptions/broken.yaml")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let diags: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let got: Vec<(String, u64, u64)> = diags
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["primary"]["line"].as_u64().unwrap(),
                d["primary"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let want = [
        ("bad-date", 8, 14),
        ("exception-expiry-too-far", 14, 14),
        ("exception-unknown-rule", 16, 11),
        ("exception-missing-expiry", 20, 5),
        ("exception-bad-glob", 24, 15),
        ("exception-unknown-regime", 25, 13),
        ("exception-missing-field", 26, 13),
    ];
    let want: Vec<(String, u64, u64)> = want
        .iter()
        .map(|(c, l, col)| (c.to_string(), *l, *col))
        .collect();
    assert_eq!(got, want, "{diags:#}");
    // The same file stops a scan, rendered with file:line:column.
    appaudit()
        .args(["scan", "--as-of", "2026-12-01"])
        .args(["--exceptions", "fixtures/exceptions/broken.yaml", TIKTOK])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--> fixtures/exceptions/broken.yaml:14:14",
        ))
        .stderr(predicate::str::contains("error[exception-expiry-too-far]"))
        .stderr(predicate::str::contains("did you mean `tiktok`?"));
}

#[test]
fn without_approved_the_limit_is_one_year_after_the_scan_day() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("e.yaml");
    std::fs::write(
        &file,
        "exceptions:\n  - devices: [\"*\"]\n    rule: tiktok\n    reason: r\n    approved_by: CISO\n    expires: 2027-12-02\n",
    )
    .unwrap();
    let check = |as_of: &str| {
        appaudit()
            .args(["exceptions", "check", "--as-of", as_of])
            .arg(&file)
            .output()
            .unwrap()
    };
    assert_eq!(check("2026-12-02").status.code(), Some(0));
    let out = check("2026-12-01");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("error[exception-expiry-too-far]"),
        "{stderr}"
    );
    assert!(stderr.contains(":6:14"), "{stderr}");
}

#[test]
fn exceptions_check_passes_a_clean_file() {
    appaudit()
        .args(["exceptions", "check", "--as-of", "2026-12-01", EXCEPTIONS])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "ok: 3 exception(s), checked on 2026-12-01",
        ));
    // Past its expiry a check warns but passes.
    appaudit()
        .args(["exceptions", "check", "--as-of", "2027-01-15", EXCEPTIONS])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("warning[exception-expired]"));
}
