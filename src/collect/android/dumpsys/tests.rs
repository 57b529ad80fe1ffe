//! Tests of the `dumpsys package` parser, on real and own fixtures.
#![allow(clippy::unwrap_used)]

use super::*;
use crate::collect::text::read_text_file;
use crate::test_support::{own_fixture, shared_fixture};
use std::path::Path;

const MVT: &str = "android/third_party/mvt/tests/artifacts";

fn parse_file(path: &Path) -> Parsed {
    let text = read_text_file(path).unwrap();
    parse(&text, &path.display().to_string()).unwrap()
}

fn own(name: &str) -> Parsed {
    parse_file(&own_fixture(&format!("android/{name}")))
}

fn app<'p>(parsed: &'p Parsed, id: &str) -> &'p App {
    parsed.apps.iter().find(|a| a.id == id).unwrap()
}

fn ids(parsed: &Parsed) -> Vec<&str> {
    parsed.apps.iter().map(|a| a.id.as_str()).collect()
}

#[test]
fn real_dumpsys_packages() {
    let Some(path) = shared_fixture(&format!("{MVT}/android_data/dumpsys_packages.txt")) else {
        return;
    };
    let p = parse_file(&path);
    assert_eq!(
        ids(&p),
        [
            "com.samsung.android.provider.filterprovider",
            "com.sec.android.app.DataCreate"
        ]
    );
    let filter = &p.apps[0];
    assert_eq!(filter.build.as_deref(), Some("500700000"));
    assert_eq!(filter.version.as_deref(), Some("5.0.07"));
    assert_eq!(filter.uid, Some(1000));
    assert_eq!(filter.path.as_deref(), Some("/system/app/FilterProvider"));
    assert_eq!(
        filter.first_install_time.as_deref(),
        Some("2008-12-31 16:00:00")
    );
    assert_eq!(filter.evidence[0].line, Some(40));
    assert_eq!(
        filter.evidence[0].excerpt.as_deref(),
        Some("Package [com.samsung.android.provider.filterprovider] (d64f8e0):")
    );
    let data_create = &p.apps[1];
    assert_eq!(data_create.evidence[0].line, Some(76));
    assert_eq!(data_create.build.as_deref(), Some("1"));
    assert_eq!(data_create.uid, Some(10143));
    for app in &p.apps {
        assert!(app.flags.system);
        assert_eq!(app.installer, None);
        assert!(app.is_installed());
        assert_eq!(app.users.len(), 1);
        assert_eq!(app.users[0].enabled, Some(0));
    }
    assert!(p.warnings.is_empty());
}

#[test]
fn real_bugreport_dumpstate() {
    let Some(path) = shared_fixture(&format!("{MVT}/android_data/bugreport/dumpstate.txt")) else {
        return;
    };
    let p = parse_file(&path);
    assert_eq!(
        ids(&p),
        [
            "com.samsung.android.provider.filterprovider",
            "com.instagram.android"
        ]
    );
    let insta = &p.apps[1];
    assert_eq!(insta.installer.as_deref(), Some("com.android.vending"));
    assert_eq!(insta.version.as_deref(), Some("241.1.0.18.114"));
    assert_eq!(insta.build.as_deref(), Some("364105349"));
    assert_eq!(insta.uid, Some(10164));
    assert_eq!(
        insta.last_update_time.as_deref(),
        Some("2022-06-29 23:28:51")
    );
    assert!(!insta.flags.system);
    assert_eq!(insta.users.len(), 1);
    assert_eq!(insta.users[0].user, 0);
    assert_eq!(insta.users[0].enabled, Some(4));
    assert_eq!(insta.users[0].installed, Some(true));
    // Disabled-until-used for its only user.
    assert!(insta.flags.disabled);
    assert!(insta.is_installed());
    assert_eq!(insta.evidence[0].line, Some(179));
    assert_eq!(p.apps[0].evidence[0].line, Some(143));
    assert!(p.apps[0].flags.system);
}

#[test]
fn real_androidqf_dumpsys_with_nuls() {
    let Some(path) = shared_fixture(&format!("{MVT}/androidqf/dumpsys.txt")) else {
        return;
    };
    let p = parse_file(&path);
    assert_eq!(
        ids(&p),
        [
            "com.samsung.android.provider.filterprovider",
            "com.sec.android.app.DataCreate"
        ]
    );
    assert_eq!(p.apps[0].evidence[0].line, Some(91));
    assert_eq!(p.apps[1].evidence[0].line, Some(121));
    assert_eq!(p.apps[1].build.as_deref(), Some("1"));
    // No `pkgFlags=` line in this block: `flags=[ SYSTEM ...]` says it.
    assert!(p.apps[1].flags.system);
    // `firstInstallTime` printed per package, no user lines.
    assert!(p.apps[1].users.is_empty());
    assert!(p.apps.iter().all(App::is_installed));
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

#[test]
fn multi_user_and_data_only() {
    let p = own("dumpsys_multiuser.txt");
    let tiktok = app(&p, "com.zhiliaoapp.musically");
    assert_eq!(tiktok.uid, Some(10245));
    assert_eq!(tiktok.build.as_deref(), Some("2023405030"));
    assert_eq!(tiktok.version.as_deref(), Some("34.5.3"));
    assert_eq!(tiktok.installer.as_deref(), Some("com.android.vending"));
    assert_eq!(tiktok.users.len(), 2);
    assert_eq!(tiktok.users[0].installed, Some(true));
    assert_eq!(tiktok.users[1].user, 10);
    assert_eq!(tiktok.users[1].installed, Some(false));
    assert_eq!(tiktok.installed_users().collect::<Vec<_>>(), [0]);
    assert!(tiktok.is_installed());
    assert!(!tiktok.flags.disabled);
    // Android 10+: the install time sits under each user.
    assert_eq!(
        tiktok.users[0].first_install_time.as_deref(),
        Some("2024-02-03 10:11:12")
    );
    assert_eq!(
        tiktok.users[1].first_install_time.as_deref(),
        Some("2024-05-06 07:08:09")
    );
    assert_eq!(
        tiktok.first_install_time.as_deref(),
        Some("2024-02-03 10:11:12")
    );
    assert_eq!(tiktok.evidence[0].line, Some(14));

    let wechat = app(&p, "com.tencent.mm");
    assert!(wechat.flags.data_only);
    assert!(!wechat.is_installed());
    // Installed only in the work profile: user 0 has no install time.
    let alipay = app(&p, "com.eg.android.AlipayGphone");
    assert_eq!(alipay.installed_users().collect::<Vec<_>>(), [10]);
    assert_eq!(
        alipay.first_install_time.as_deref(),
        Some("2024-07-01 12:00:00")
    );
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

#[test]
fn hidden_system_packages() {
    let p = own("dumpsys_multiuser.txt");
    assert_eq!(
        ids(&p),
        [
            "com.zhiliaoapp.musically",
            "com.tencent.mm",
            "com.eg.android.AlipayGphone",
            "com.google.android.gm",
            "com.samsung.android.app.notes",
        ]
    );
    // Updated system app: active and hidden, merged.
    let gmail = app(&p, "com.google.android.gm");
    assert!(!gmail.flags.hidden_system);
    assert!(gmail.flags.system);
    assert_eq!(gmail.build.as_deref(), Some("64633744"));
    let lines: Vec<_> = gmail.evidence.iter().map(|e| e.line).collect();
    assert_eq!(lines, [Some(80), Some(96)]);
    // Only in Hidden system packages.
    let notes = app(&p, "com.samsung.android.app.notes");
    assert!(notes.flags.hidden_system);
    assert_eq!(notes.evidence[0].line, Some(105));
}

#[test]
fn truncated_dump_keeps_what_was_read() {
    let p = own("dumpsys_truncated.txt");
    assert_eq!(ids(&p), ["com.whatsapp", "cn.wps.moffice_eng"]);
    assert_eq!(
        p.warnings,
        ["file ends inside the block of package cn.wps.moffice_eng (truncated?)"]
    );
    assert_eq!(p.apps[1].uid, Some(10262));
}

#[test]
fn not_a_dumpsys_without_package_blocks() {
    assert!(parse("Packages:\n  nothing here\n", "t").is_none());
    assert!(parse("package:com.tencent.mm\n", "t").is_none());
    // Package blocks outside a `Packages:` section do not count.
    assert!(parse("Other:\n  Package [a.b] (1f):\n    userId=1\n", "t").is_none());
}

#[test]
fn short_duration_line_does_not_end_the_service_section() {
    let text = "DUMP OF SERVICE package:\n\
                --------- 0.1s was the duration of dumpsys package\n\
                Packages:\n  Package [com.tencent.mm] (1a):\n    versionCode=1\n\
                -------------------------------------------------------------------------------\n\
                DUMP OF SERVICE other:\nPackages:\n  Package [not.this] (2b):\n";
    let p = parse(text, "t").unwrap();
    assert_eq!(ids(&p), ["com.tencent.mm"]);
    assert_eq!(p.apps[0].evidence[0].line, Some(4));
}

#[test]
fn crlf_lines_are_read() {
    let text = "Packages:\r\n  Package [com.tencent.mm] (1a):\r\n    versionName=8.0.1\r\n    User 0: installed=false enabled=0\r\n";
    let p = parse(text, "t").unwrap();
    assert_eq!(p.apps[0].version.as_deref(), Some("8.0.1"));
    assert!(p.apps[0].flags.data_only);
}

#[test]
fn streaming_matches_whole_text_parsing() {
    let block = std::fs::read_to_string(own_fixture("android/dumpsys_multiuser.txt")).unwrap();
    let mut text =
        String::from("DUMP OF SERVICE activity:\nPackages:\n  Package [not.this] (1a):\n");
    for i in 0..60 {
        text.push_str("DUMP OF SERVICE package:\n");
        text.push_str(&block.replace("com.tencent.mm", &format!("com.tencent.mm{i}")));
        text.push_str(DELIMITER);
        text.push('\n');
    }
    // The last section is cut short.
    text.push_str(
        "DUMP OF SERVICE package:\nPackages:\n  Package [cut.short] (1a):\n    userId=5\n",
    );
    assert!(text.len() > crate::collect::text::HEAD_BYTES);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dump.txt");
    std::fs::write(&path, &text).unwrap();
    let input = TextInput::open(&path).unwrap();
    assert!(!input.is_complete());
    let streamed = parse_input(input, "t", &crate::model::KeepAll)
        .unwrap()
        .unwrap();
    let whole = parse(&text, "t").unwrap();
    assert_eq!(format!("{:?}", streamed.apps), format!("{:?}", whole.apps));
    assert_eq!(streamed.warnings, whole.warnings);
    assert_eq!(
        whole.warnings,
        ["file ends inside the block of package cut.short (truncated?)"]
    );
    assert!(!ids(&whole).contains(&"not.this"));
}

#[test]
fn sniffs() {
    assert!(sniff("x\nDUMP OF SERVICE package:\n"));
    assert!(sniff("DUMP OF SERVICE HIGH package:\n"));
    assert!(sniff("Packages:\n  Package [a.b] (1f):\n"));
    assert!(!sniff("  Package [a.b] (1f):\n"));
    assert!(!sniff("DUMP OF SERVICE packagefoo:\npackage:x\n"));
}

#[test]
fn package_header_shape() {
    assert_eq!(package_header("  Package [a.b] (d64f8e0):"), Some("a.b"));
    assert_eq!(package_header("  Package [a.b] (d64f8e0):\r"), Some("a.b"));
    assert_eq!(package_header("    Package [a.b] (d64f8e0):"), None);
    assert_eq!(package_header("  Package [a.b] (zz):"), None);
    assert_eq!(package_header("  Package a.b:"), None);
}

/// Wants only the packages it names, as a scan's matcher would.
struct Only(&'static [&'static str]);

impl AppFilter for Only {
    fn wants(&self, app: &App) -> bool {
        self.0.contains(&app.id.as_str())
    }
}

#[test]
fn a_filtered_parse_keeps_what_the_filter_wants_and_counts_the_rest() {
    let path = own_fixture("android/dumpsys_multiuser.txt");
    let text = read_text_file(&path).unwrap();
    let keep = Only(&["com.zhiliaoapp.musically", "com.google.android.gm"]);
    let mut parser = LineParser::filtered("t", &keep);
    for (i, line) in lines(&text).enumerate() {
        parser.line(i as u64 + 1, line);
    }
    let mut filtered = parser.finish().unwrap();
    let whole = parse(&text, "t").unwrap();
    assert_eq!(
        ids(&filtered),
        ["com.zhiliaoapp.musically", "com.google.android.gm"]
    );
    // A kept app is the same as in an unfiltered parse, hidden listing merged in.
    for id in ids(&filtered) {
        assert_eq!(app(&filtered, id), app(&whole, id));
    }
    // The other three (the hidden-only one among them) are counted once each.
    assert_eq!(filtered.unkept.count_besides(&filtered.apps), 3);
    assert!(filtered.unkept.any_installer());
}

#[test]
fn a_passed_over_block_cut_short_is_still_warned_of() {
    let text = "Packages:\n  Package [com.a] (1a):\n    codePath=/data/app/a\n";
    let keep = Only(&[]);
    let mut parser = LineParser::filtered("t", &keep);
    for (i, line) in lines(text).enumerate() {
        parser.line(i as u64 + 1, line);
    }
    let mut parsed = parser.finish().unwrap();
    assert!(parsed.apps.is_empty());
    assert_eq!(parsed.unkept.count_besides(&[]), 1);
    assert!(!parsed.unkept.any_installer());
    assert_eq!(
        parsed.warnings,
        ["file ends inside the block of package com.a (truncated?)"]
    );
}
