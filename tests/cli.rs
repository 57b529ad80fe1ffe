//! End-to-end tests of the `appaudit` binary, as a user runs it.
#![allow(clippy::unwrap_used)]

mod common;

use common::{MVT, appaudit, finding_ids, scan_json, shared_fixture};
use predicates::prelude::*;

#[test]
fn pm_list_with_covered_apps_exits_1_and_names_them() {
    let (code, doc) = scan_json(&["fixtures/scan/pm_list_tiktok.txt"]);
    assert_eq!(code, 1);
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["tool"]["name"], "appaudit");
    assert_eq!(
        finding_ids(&doc),
        vec!["cn.wps.moffice_eng", "com.zhiliaoapp.musically"]
    );
    let device = &doc["devices"][0];
    assert_eq!(device["platform"], "android");
    assert_eq!(device["apps_scanned"], 5);
    let tiktok = device["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"]["id"] == "tiktok")
        .unwrap();
    assert_eq!(tiktok["app"]["platform"], "android");
    assert_eq!(
        tiktok["evidence"]["path"],
        "fixtures/scan/pm_list_tiktok.txt"
    );
    assert_eq!(tiktok["evidence"]["line"], 1);
    assert_eq!(tiktok["confidence"], "confirmed");
    let statuses: Vec<(&str, &str)> = tiktok["regimes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r["status"].as_str().unwrap()))
        .collect();
    assert!(statuses.contains(&("us-eo-13942", "revoked")));
    assert!(statuses.contains(&("us-far-52.204-27", "in-force")));
    assert_eq!(doc["errors"].as_array().unwrap().len(), 0);
}

#[test]
fn table_report_shows_status_evidence_and_summary() {
    appaudit()
        .args(["scan", "fixtures/scan/pm_list_tiktok.txt"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("TikTok"))
        .stdout(predicate::str::contains("revoked 2021-06-09 by EO 14034"))
        .stdout(predicate::str::contains("FAR 52.204-27: in force"))
        .stdout(predicate::str::contains(
            "fixtures/scan/pm_list_tiktok.txt:1",
        ))
        .stdout(predicate::str::contains(
            "Scanned 1 device, 5 apps: 2 covered apps found",
        ))
        .stdout(predicate::str::contains("com.ssandroid").not())
        .stdout(predicate::str::contains("\u{1b}[").not());
}

/// The identifiers, versions and evidence places of every finding of `inputs`.
fn units_of(inputs: &[&str]) -> Vec<String> {
    let (_, doc) = scan_json(inputs);
    let mut units = Vec::new();
    for d in doc["devices"].as_array().unwrap() {
        for f in d["findings"].as_array().unwrap() {
            units.push(f["app"]["id"].as_str().unwrap().to_string());
            if let Some(v) = f["app"]["version"].as_str() {
                units.push(v.to_string());
            }
            if let Some(b) = f["app"]["build"].as_str() {
                units.push(b.to_string());
            }
            let e = &f["evidence"];
            let path = e["path"].as_str().unwrap();
            units.push(match e["line"].as_u64() {
                Some(l) => format!("{path}:{l}"),
                None => path.to_string(),
            });
        }
    }
    units
}

#[test]
fn the_table_fits_the_width_and_breaks_no_identifier_path_or_version() {
    let inputs = [
        "fixtures/scan/pm_list_tiktok.txt",
        "fixtures/scan/dumpsys_wechat_alipay.txt",
    ];
    for policy in ["all", "us-federal-contractor"] {
        let units = units_of(&[&["--policy", policy][..], &inputs[..]].concat());
        assert!(units.len() >= 3, "{units:?}");
        for columns in [80usize, 100, 200] {
            let out = appaudit()
                .env("COLUMNS", columns.to_string())
                .args(["scan", "--policy", policy])
                .args(inputs)
                .output()
                .unwrap();
            let text = String::from_utf8(out.stdout).unwrap();
            for unit in &units {
                assert!(
                    text.lines().any(|l| l.contains(unit.as_str())),
                    "{unit} is broken at {columns} columns:\n{text}"
                );
            }
            for line in text.lines() {
                let lone = units.iter().any(|u| line.trim() == u);
                assert!(
                    line.chars().count() <= columns || lone,
                    "a line wider than {columns} columns:\n{line}\n{text}"
                );
            }
        }
    }
    // Without a width (a pipe, a file), the grid takes the width it needs.
    let wide = appaudit().args(["scan"]).args(inputs).output().unwrap();
    let wide = String::from_utf8(wide.stdout).unwrap();
    assert!(wide.lines().any(|l| l.chars().count() > 200));
}

#[test]
fn clean_dump_exits_0() {
    let (code, doc) = scan_json(&["fixtures/scan/pm_list_clean.txt"]);
    assert_eq!(code, 0);
    assert!(finding_ids(&doc).is_empty());
    assert_eq!(doc["summary"]["apps_scanned"], 5);
}

#[test]
fn dumpsys_reports_installed_and_data_left_behind_apart() {
    let (code, doc) = scan_json(&["fixtures/scan/dumpsys_wechat_alipay.txt"]);
    assert_eq!(code, 1);
    assert_eq!(finding_ids(&doc), vec!["com.tencent.mm"]);
    let device = &doc["devices"][0];
    let wechat = &device["findings"][0];
    assert_eq!(wechat["app"]["version"], "8.0.47");
    assert_eq!(wechat["evidence"]["line"], 7);
    assert_eq!(wechat["features"][0]["name"], "WeChat Pay");
    let left: Vec<&str> = device["data_left_behind"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["app"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(left, vec!["com.eg.android.AlipayGphone"]);
}

#[test]
fn policy_selects_regimes() {
    let (code, doc) = scan_json(&[
        "--policy",
        "us-federal-contractor",
        "fixtures/scan/pm_list_tiktok.txt",
    ]);
    assert_eq!(code, 1);
    assert_eq!(finding_ids(&doc), vec!["com.zhiliaoapp.musically"]);
    assert_eq!(doc["policy"], "us-federal-contractor");
    let regimes = doc["devices"][0]["findings"][0]["regimes"]
        .as_array()
        .unwrap();
    let binding: Vec<&str> = regimes
        .iter()
        .filter(|r| r["role"] == "binding")
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(binding, vec!["us-far-52.204-27"]);
    // The policy's context regimes stand beside it, never as binding, and after it.
    assert_eq!(regimes[0]["id"], "us-far-52.204-27");
    let pafaca = regimes
        .iter()
        .find(|r| r["id"] == "us-pafaca-2024")
        .unwrap();
    assert_eq!(pafaca["role"], "context");
    assert_eq!(pafaca["status"], "lifted");
    assert_eq!(doc["context"]["scope_from"], "--policy");
}

#[test]
fn unknown_policy_is_an_error() {
    appaudit()
        .args([
            "scan",
            "--policy",
            "nope",
            "fixtures/scan/pm_list_clean.txt",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no policy named `nope`"))
        .stderr(predicate::str::contains("us-federal-contractor"));
}

#[test]
fn site_rules_add_regimes_apps_and_policies() {
    let (code, doc) = scan_json(&[
        "--rules",
        "fixtures/scan/site_policy.yaml",
        "--policy",
        "example-corp",
        "fixtures/scan/pm_list_site.txt",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        finding_ids(&doc),
        vec!["com.example.forbidden", "com.zhiliaoapp.musically"]
    );
}

#[test]
fn no_default_rules_drops_the_embedded_set() {
    let (code, doc) = scan_json(&["--no-default-rules", "fixtures/scan/pm_list_tiktok.txt"]);
    assert_eq!(code, 0);
    assert!(finding_ids(&doc).is_empty());
}

#[test]
fn broken_rules_report_every_problem_with_place_and_exit_2() {
    appaudit()
        .args(["rules", "check", "fixtures/scan/rules_broken.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("error[bad-date]"))
        .stderr(predicate::str::contains(
            "fixtures/scan/rules_broken.yaml:6:11",
        ))
        .stderr(predicate::str::contains("error[unknown-regime]"))
        .stderr(predicate::str::contains("no-such-regime"))
        .stderr(predicate::str::contains("error[bad-pattern]"))
        .stderr(predicate::str::contains("error[duplicate-id]"))
        .stderr(predicate::str::contains("2024-02-30x"));
}

#[test]
fn broken_rules_stop_a_scan_with_exit_2() {
    appaudit()
        .args([
            "scan",
            "--rules",
            "fixtures/scan/rules_broken.yaml",
            "fixtures/scan/pm_list_clean.txt",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("rules_broken.yaml"));
}

#[test]
fn rules_check_json_lists_diagnostics() {
    let out = appaudit()
        .args([
            "rules",
            "check",
            "--format",
            "json",
            "fixtures/scan/rules_broken.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let diags: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = diags
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    for code in ["bad-date", "unknown-regime", "bad-pattern", "duplicate-id"] {
        assert!(codes.contains(&code), "{code} missing in {codes:?}");
    }
    assert_eq!(diags[0]["primary"]["line"], 6);
}

#[test]
fn embedded_rules_check_clean() {
    appaudit()
        .args(["rules", "check"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("ok:"));
}

#[test]
fn rules_list_show_and_policies() {
    appaudit()
        .args(["rules", "list"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("us-far-52.204-27"))
        .stdout(predicate::str::contains("tiktok"));
    appaudit()
        .args(["rules", "show", "tiktok"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("com.zhiliaoapp.musically"))
        .stdout(predicate::str::contains("https://"));
    appaudit()
        .args(["rules", "show", "us-eo-13971"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("revoked 2021-06-09 by EO 14034"));
    appaudit()
        .args(["rules", "show", "nothing-here"])
        .assert()
        .code(2);
    appaudit()
        .args(["policies", "list"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("us-federal-contractor"));
}

#[test]
fn garbage_inputs_exit_2_naming_the_path_and_the_rest_is_still_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("blob.bin");
    std::fs::write(
        &binary,
        (0..4096u32)
            .map(|i| (i * 7 % 251) as u8)
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, b"").unwrap();
    let missing = dir.path().join("missing.txt");
    let out = appaudit()
        .args(["scan", "--format", "json"])
        .arg(&binary)
        .arg(&empty)
        .arg(&missing)
        .arg("fixtures/scan/pm_list_tiktok.txt")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for p in [&binary, &empty, &missing] {
        assert!(stderr.contains(&p.display().to_string()), "{stderr}");
    }
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["errors"].as_array().unwrap().len(), 3);
    assert_eq!(
        finding_ids(&doc),
        vec!["cn.wps.moffice_eng", "com.zhiliaoapp.musically"]
    );
}

#[test]
fn a_folder_with_nothing_known_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "hello\nworld\n").unwrap();
    appaudit()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(dir.path().display().to_string()));
}

#[test]
fn forced_input_format_that_does_not_fit_is_an_error() {
    appaudit()
        .args([
            "scan",
            "--input-format",
            "dumpsys",
            "fixtures/scan/pm_list_clean.txt",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pm_list_clean.txt"));
}

#[test]
fn output_file_is_written_and_stdout_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    appaudit()
        .args(["scan", "--format", "json", "-o"])
        .arg(&report)
        .arg("fixtures/scan/pm_list_tiktok.txt")
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty());
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(finding_ids(&doc).len(), 2);
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1, "no temporary file is left behind");
}

/// `-o /dev/null` or `-o /dev/stdout` (run as root, as admins do) must write into the
/// device or through the link, never rename a report over it.
#[cfg(unix)]
#[test]
fn output_to_a_link_or_a_fifo_writes_into_it_and_leaves_it_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target.json");
    std::fs::write(&target, "x".repeat(100_000)).unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    appaudit()
        .args(["scan", "--format", "json", "-o"])
        .arg(&link)
        .arg("fixtures/scan/pm_list_tiktok.txt")
        .assert()
        .code(1);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(finding_ids(&doc).len(), 2);

    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    appaudit()
        .args(["scan", "--format", "json", "-o"])
        .arg(&fifo)
        .arg("fixtures/scan/pm_list_tiktok.txt")
        .assert()
        .code(1);
    let doc: serde_json::Value = serde_json::from_str(&reader.join().unwrap()).unwrap();
    assert_eq!(finding_ids(&doc).len(), 2);
    use std::os::unix::fs::FileTypeExt as _;
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

/// `-o FILE` as a shell with `umask MASK` runs it: returns the file's mode.
#[cfg(unix)]
fn report_mode_with_umask(mask: &str, report: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    let bin = assert_cmd::cargo::cargo_bin("appaudit");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask {mask} && exec \"$0\" scan -o \"$1\" fixtures/scan/pm_list_tiktok.txt"
        ))
        .arg(&bin)
        .arg(report)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    std::fs::metadata(report).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn output_file_gets_the_permissions_of_a_new_file_or_keeps_the_old_ones() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.txt");
    // A new file: 0o666 less the umask, readable by colleagues and web servers.
    assert_eq!(report_mode_with_umask("022", &report), 0o644);
    // A replaced file keeps its permissions, whatever the umask.
    std::fs::set_permissions(&report, std::fs::Permissions::from_mode(0o640)).unwrap();
    assert_eq!(report_mode_with_umask("022", &report), 0o640);
    assert_eq!(
        report_mode_with_umask("077", &dir.path().join("private.txt")),
        0o600
    );
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 2, "no temporary file is left behind");
}

#[test]
fn inventory_lists_every_app() {
    let (_, doc) = scan_json(&["--inventory", "fixtures/scan/pm_list_clean.txt"]);
    assert_eq!(doc["devices"][0]["apps"].as_array().unwrap().len(), 5);
}

#[test]
fn logs_go_to_stderr_not_into_the_report() {
    let out = appaudit()
        .args([
            "-vv",
            "scan",
            "--format",
            "json",
            "fixtures/scan/pm_list_clean.txt",
        ])
        .output()
        .unwrap();
    let _: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("collecting"));
}

#[test]
fn real_mvt_captures_scan_clean() {
    for (rel, apps) in [
        ("android_data/dumpsys_packages.txt", 2),
        ("android_data/bugreport/dumpstate.txt", 2),
        ("android_data/bugreport", 2),
        ("androidqf/packages.json", 7),
        ("androidqf/dumpsys.txt", 2),
    ] {
        let Some(path) = shared_fixture(&format!("{MVT}/{rel}")) else {
            return;
        };
        let (code, doc) = scan_json(&[path.to_str().unwrap()]);
        assert_eq!(code, 0, "{rel}: {doc:#}");
        assert_eq!(doc["summary"]["apps_scanned"], apps, "{rel}");
        assert!(finding_ids(&doc).is_empty(), "{rel}");
    }
}

#[test]
fn real_androidqf_folder_is_one_device() {
    let Some(path) = shared_fixture(&format!("{MVT}/androidqf")) else {
        return;
    };
    let (code, doc) = scan_json(&[path.to_str().unwrap()]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["devices"].as_array().unwrap().len(), 1);
    assert!(doc["summary"]["apps_scanned"].as_u64().unwrap() >= 7);
}

/// A rule file of `n` apps, none with `last_reviewed`: `n` warnings of one code.
fn unreviewed_rules(n: usize) -> String {
    let mut text = String::from(
        "version: 1\nregimes:\n  - id: gen-regime\n    title: Generated\n    kind: law\n    \
         instrument: Generated\n    date: 2024-01-01\n    issuer: Tests\n    binds: Nobody\n    \
         applies_to: nobody\n    status: in-force\n    last_reviewed: 2026-11-21\n    \
         sources:\n      - url: https://example.org/generated\napps:\n",
    );
    for i in 0..n {
        text.push_str(&format!(
            "  - id: gen-{i}\n    name: Generated {i}\n    regimes: [gen-regime]\n    \
             identifiers:\n      - {{platform: android, exact: org.gen.app{i}}}\n"
        ));
    }
    text
}

#[test]
fn twenty_thousand_warnings_of_one_kind_are_summarised_by_a_scan_and_listed_by_rules_check() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("unreviewed.yaml");
    std::fs::write(&rules, unreviewed_rules(20_000)).unwrap();
    let rules = rules.to_str().unwrap();
    let out = appaudit()
        .args(["scan", "--no-default-rules", "--rules", rules])
        .arg("fixtures/scan/pm_list_clean.txt")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.lines().count() <= 200, "{stderr}");
    assert!(stderr.contains("gen-0"), "{stderr}");
    assert!(
        stderr.contains(
            "warning[missing-last-reviewed]: 19,999 more like this one (same code); \
             `appaudit rules check` lists them all"
        ),
        "{stderr}"
    );
    let out = appaudit()
        .args(["rules", "check", "--no-default-rules", rules])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.matches("warning[missing-last-reviewed]").count(),
        20_000
    );
}
