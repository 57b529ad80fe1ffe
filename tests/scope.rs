//! Whom a regime binds: the scan's scope (flag, environment, config file), regimes
//! shown as binding or context, per-app status, ownership judged on a day, and the
//! rules' freshness in every report.
#![allow(clippy::unwrap_used)]

mod common;

use common::{appaudit, assert_follows_schema};
use predicates::prelude::*;
use std::path::{Path, PathBuf};

/// A pm list dump holding `packages`, in a fresh folder (also the working directory
/// for config-file tests).
fn device(packages: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phone.txt");
    let text: String = packages
        .iter()
        .map(|p| format!("package:/data/app/{p}-1/base.apk={p} versionCode:1 installer=com.android.vending uid:10001\n"))
        .collect();
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

fn json(cwd: &Path, args: &[&str], envs: &[(&str, &str)]) -> (i32, serde_json::Value, String) {
    let mut cmd = appaudit();
    cmd.current_dir(cwd)
        .args(["scan", "--format", "json"])
        .args(args);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    if !doc.is_null() {
        assert_follows_schema(&doc);
    }
    (
        out.status.code().unwrap(),
        doc,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn regimes<'a>(doc: &'a serde_json::Value, app: &str) -> &'a Vec<serde_json::Value> {
    doc["devices"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["app"]["id"] == app)
        .unwrap_or_else(|| panic!("no finding for {app}"))["regimes"]
        .as_array()
        .unwrap()
}

fn regime<'a>(doc: &'a serde_json::Value, app: &str, id: &str) -> &'a serde_json::Value {
    regimes(doc, app)
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("{app} has no regime {id}"))
}

#[test]
fn without_a_scope_nothing_reads_as_binding() {
    let (dir, phone) = device(&["com.zhiliaoapp.musically"]);
    let (code, doc, _) = json(dir.path(), &[phone.to_str().unwrap()], &[]);
    assert_eq!(code, 1);
    assert_eq!(doc["context"]["scope_from"], "none");
    assert!(
        regimes(&doc, "com.zhiliaoapp.musically")
            .iter()
            .all(|r| r["role"] == "context")
    );
    let far = regime(&doc, "com.zhiliaoapp.musically", "us-far-52.204-27");
    assert_eq!(
        far["applies_to"],
        "executive agencies and federal contractors"
    );
    assert_eq!(far["kind"], "contract-clause");
    // The table says so on its first line.
    appaudit()
        .current_dir(dir.path())
        .args(["scan", phone.to_str().unwrap()])
        .assert()
        .stdout(predicate::str::starts_with("Scope: none set"))
        .stdout(predicate::str::contains(
            "FAR 52.204-27: in force — binds executive agencies and federal contractors",
        ))
        .stdout(predicate::str::contains(
            "India MeitY order of 29 Jun 2020 (59 apps): in force in India — binds intermediaries in India",
        ))
        .stdout(predicate::str::contains("Rules reviewed as of 20"));
}

#[test]
fn scope_comes_from_flag_then_environment_then_config_file() {
    let (dir, phone) = device(&["com.zhiliaoapp.musically", "com.eg.android.AlipayGphone"]);
    let phone = phone.to_str().unwrap();
    std::fs::write(dir.path().join("appaudit.toml"), "policy = \"texas\"\n").unwrap();

    let (_, doc, _) = json(dir.path(), &[phone], &[]);
    assert_eq!(doc["context"]["policy"], "texas");
    assert_eq!(doc["context"]["scope_from"], "appaudit.toml");
    assert_eq!(
        regime(&doc, "com.eg.android.AlipayGphone", "us-tx-prohibited-2022")["role"],
        "binding"
    );

    let env = [("APPAUDIT_POLICY", "us-federal-contractor")];
    let (_, doc, _) = json(dir.path(), &[phone], &env);
    assert_eq!(doc["context"]["scope_from"], "APPAUDIT_POLICY");
    assert_eq!(common::finding_ids(&doc), vec!["com.zhiliaoapp.musically"]);

    let (_, doc, _) = json(dir.path(), &["--policy", "all", phone], &env);
    assert!(doc["context"]["policy"].is_null());
    assert_eq!(doc["context"]["scope_from"], "none");
    assert_eq!(common::finding_ids(&doc).len(), 2);
}

#[test]
fn a_broken_config_file_stops_the_scan_and_names_the_file() {
    let (dir, phone) = device(&["com.whatsapp"]);
    std::fs::write(dir.path().join("appaudit.toml"), "polcy = \"texas\"\n").unwrap();
    let (code, _, stderr) = json(dir.path(), &[phone.to_str().unwrap()], &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("appaudit.toml"), "{stderr}");
    let (code, _, stderr) = json(
        dir.path(),
        &["--config", "missing.toml", phone.to_str().unwrap()],
        &[],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("missing.toml"), "{stderr}");
}

#[test]
fn guidance_is_context_even_under_its_own_policy() {
    let (dir, phone) = device(&["com.deepseek.chat"]);
    let (_, doc, _) = json(
        dir.path(),
        &["--policy", "deepseek", phone.to_str().unwrap()],
        &[],
    );
    let notices = regime(&doc, "com.deepseek.chat", "us-federal-deepseek-2025");
    assert_eq!(notices["kind"], "guidance");
    assert_eq!(notices["role"], "context");
    let ndaa = regime(&doc, "com.deepseek.chat", "us-ndaa-fy2026-6604");
    assert_eq!(ndaa["role"], "binding");
    // The federal agency policy does not turn the notices into a ban.
    let (code, doc, _) = json(
        dir.path(),
        &["--policy", "us-federal-agency", phone.to_str().unwrap()],
        &[],
    );
    assert_eq!(code, 0);
    assert!(common::finding_ids(&doc).is_empty());
}

#[test]
fn pafaca_is_lifted_for_tiktok_us_and_open_for_capcut() {
    let (dir, phone) = device(&[
        "com.zhiliaoapp.musically",
        "com.ss.android.ugc.trill",
        "com.lemon.lvoverseas",
    ]);
    let (_, doc, _) = json(dir.path(), &[phone.to_str().unwrap()], &[]);
    let us = regime(&doc, "com.zhiliaoapp.musically", "us-pafaca-2024");
    assert_eq!(us["status"], "lifted");
    assert!(
        us["status_text"]
            .as_str()
            .unwrap()
            .starts_with("lifted 2026-01-22")
    );
    assert!(us["sources"].to_string().contains("2025-19139"));
    let regional = regime(&doc, "com.ss.android.ugc.trill", "us-pafaca-2024");
    assert_eq!(regional["status"], "informational");
    let capcut = regime(&doc, "com.lemon.lvoverseas", "us-pafaca-2024");
    assert_eq!(capcut["status"], "informational");
    assert!(capcut["note"].as_str().unwrap().contains("EO 14352"));
}

#[test]
fn coverage_that_follows_an_owner_is_judged_on_the_day() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("site.yaml");
    std::fs::write(
        &rules,
        r#"version: 1
regimes:
  - id: site-ban
    title: Site ban on apps of Parent Co.
    instrument: Site policy 7
    kind: directive
    date: 2024-01-01
    issuer: Site CISO
    binds: Staff on managed phones
    applies_to: site staff
    status: in-force
    sources: [{url: "https://intranet.example.com/7"}]
    last_reviewed: 2026-11-01
apps:
  - id: game
    name: Game
    owners:
      - {name: Parent Co., from: 2021-03-22, to: 2026-06-01}
    regimes:
      - {id: site-ban, through_owner: Parent Co.}
    identifiers:
      - {platform: android, exact: com.example.game}
    last_reviewed: 2026-11-01
"#,
    )
    .unwrap();
    let (_phone_dir, phone) = device(&["com.example.game"]);
    let args = |day: &'static str| {
        vec![
            "--no-default-rules".to_string(),
            "--rules".to_string(),
            rules.to_str().unwrap().to_string(),
            "--as-of".to_string(),
            day.to_string(),
            phone.to_str().unwrap().to_string(),
        ]
    };
    let run = |day: &'static str| {
        let a = args(day);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        json(dir.path(), &a, &[]).1
    };
    let before = run("2026-05-31");
    let r = regime(&before, "com.example.game", "site-ban");
    assert_eq!(r["status"], "in-force");
    assert_eq!(
        r["ownership"],
        "while owned by Parent Co., 2021-03-22 to 2026-06-01"
    );
    assert_eq!(before["context"]["as_of"], "2026-05-31");
    let after = run("2026-06-01");
    let r = regime(&after, "com.example.game", "site-ban");
    assert_eq!(r["status"], "lifted");
    assert_eq!(
        r["status_text"],
        "lifted 2026-06-01 by the end of Parent Co.'s ownership"
    );
}

#[test]
fn mobile_legends_follows_bytedance_ownership() {
    let (dir, phone) = device(&["com.mobile.legends"]);
    let (_, doc, _) = json(dir.path(), &[phone.to_str().unwrap()], &[]);
    let far = regime(&doc, "com.mobile.legends", "us-far-52.204-27");
    assert_eq!(far["coverage"], "possible");
    assert_eq!(
        far["ownership"],
        "while owned by ByteDance, since 2021-03-22"
    );
}

#[test]
fn stale_rules_are_said_in_every_report() {
    let (dir, phone) = device(&["com.whatsapp"]);
    let phone = phone.to_str().unwrap();
    let (code, doc, stderr) = json(dir.path(), &["--as-of", "2030-01-01", phone], &[]);
    assert_eq!(code, 0);
    assert!(doc["context"]["rules_stale_days"].as_i64().unwrap() > 180);
    assert!(
        stderr.contains("warning: the rules were last reviewed"),
        "{stderr}"
    );
    for (format, needle) in [
        ("table", "Rules reviewed as of"),
        ("markdown", "Rules reviewed as of"),
        ("html", "rules reviewed as of"),
        ("csv", "rules_reviewed"),
        ("sarif", "rulesReviewedAsOf"),
        ("ndjson", "rules_reviewed"),
    ] {
        appaudit()
            .current_dir(dir.path())
            .args(["scan", "--format", format, "--as-of", "2030-01-01", phone])
            .assert()
            .stdout(predicate::str::contains(needle));
    }
    appaudit()
        .args(["scan", "--as-of", "2030-13-01", phone])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("YYYY-MM-DD"));
}

#[test]
fn a_policy_that_lists_guidance_as_binding_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("bad-policy.yaml");
    std::fs::write(
        &rules,
        "version: 1\npolicies:\n  - id: agency\n    title: Agency\n    regimes: [us-federal-deepseek-2025]\n",
    )
    .unwrap();
    appaudit()
        .args(["rules", "check", rules.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("error[not-binding]"))
        .stderr(predicate::str::contains("move it to `context`"));
}

#[test]
fn fail_on_a_policy_ignores_its_context_regimes() {
    // DeepSeek is covered by the agency notices, which the agency policy holds only
    // as context: they must not fail the run.
    let (dir, phone) = device(&["com.deepseek.chat"]);
    let (code, _, _) = json(
        dir.path(),
        &[
            "--fail-on",
            "policy:us-federal-agency",
            phone.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0);
    let (code, _, _) = json(
        dir.path(),
        &["--fail-on", "policy:deepseek", phone.to_str().unwrap()],
        &[],
    );
    assert_eq!(code, 1);
}
