//! Desktop machine roots (macOS, Linux), fleets of them, the walk's safety on
//! hostile trees, and `appaudit scan` with no path on this machine.
#![allow(clippy::unwrap_used)]

mod common;

use common::{appaudit, scan_json, shared_fixture};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn own(relative: &str) -> String {
    format!("fixtures/desktop/{relative}")
}

/// (platform, id, version) of every app of the only device, sorted by id.
fn apps(doc: &Value) -> Vec<(String, String, Option<String>)> {
    let devices = doc["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 1, "{doc:#}");
    devices[0]["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["platform"].as_str().unwrap().to_owned(),
                a["id"].as_str().unwrap().to_owned(),
                a["version"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn app<'a>(doc: &'a Value, id: &str) -> &'a Value {
    common::app_of(&doc["devices"][0], id)
}

/// (app id, rule id, regime short names) of each finding.
fn findings(doc: &Value) -> Vec<(String, String, Vec<String>)> {
    let mut out: Vec<(String, String, Vec<String>)> = doc["devices"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["findings"].as_array().unwrap().iter())
        .map(|f| {
            (
                f["app"]["id"].as_str().unwrap().to_owned(),
                f["rule"]["id"].as_str().unwrap().to_owned(),
                f["regimes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["short"].as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect();
    out.sort();
    out
}

fn triple(platform: &str, id: &str, version: Option<&str>) -> (String, String, Option<String>) {
    (
        platform.to_owned(),
        id.to_owned(),
        version.map(str::to_owned),
    )
}

#[test]
fn macos_root_every_app_once_with_findings() {
    let (code, doc) = scan_json(&["--inventory", &own("macos")]);
    assert_eq!(code, 1, "{doc:#}");
    let device = &doc["devices"][0];
    assert_eq!(device["platform"], "macos");
    assert_eq!(device["format"], "macos-root");
    assert_eq!(
        apps(&doc),
        [
            triple("macos", "com.apple.calculator", Some("11.0")),
            triple("ios", "com.deepseek.chat", Some("1.2.3")),
            triple("macos", "com.kingsoft.wpsoffice.mac.global", Some("12.1.0")),
            triple("macos", "com.tencent.xinWeChat", Some("3.8.7")),
            triple("macos", "pl.maketheweb.cleanshotx", Some("4.7")),
        ]
    );
    let wechat = app(&doc, "com.tencent.xinWeChat");
    assert_eq!(wechat["path"], "/Applications/Chat/WeChat.app");
    assert_eq!(wechat["team_id"], "5A4RE8SF68");
    assert_eq!(wechat["build"], "28080");
    let components: Vec<&str> = wechat["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        components,
        [
            "com.tencent.WCDB",
            "com.tencent.xinWeChat.MiniProgram",
            "com.tencent.xinWeChat.WeChatMacShare"
        ]
    );
    let wps = app(&doc, "com.kingsoft.wpsoffice.mac.global");
    assert_eq!(wps["path"], "/Users/alice/Applications/wpsoffice.app");
    assert_eq!(app(&doc, "pl.maketheweb.cleanshotx")["installer"], "setapp");
    // A binary Info.plist.
    assert_eq!(app(&doc, "com.apple.calculator")["build"], "213");
    let found = findings(&doc);
    let rules: Vec<(&str, &str)> = found
        .iter()
        .map(|(a, r, _)| (a.as_str(), r.as_str()))
        .collect();
    assert_eq!(
        rules,
        [
            ("com.deepseek.chat", "deepseek"),
            ("com.kingsoft.wpsoffice.mac.global", "wps-office"),
            ("com.tencent.xinWeChat", "wechat"),
        ]
    );
    assert!(found[1].2.contains(&"EO 13971".to_owned()), "{found:?}");
    assert!(found[2].2.contains(&"EO 13943".to_owned()), "{found:?}");
    let props = device["properties"].as_array().unwrap();
    assert!(props.iter().any(|p| p[0] == "os_version" && p[1] == "14.5"));
}

#[test]
fn linux_root_packages_flatpak_snap_desktop_appimage() {
    let (code, doc) = scan_json(&["--inventory", &own("linux")]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(doc["devices"][0]["format"], "linux-root");
    assert_eq!(
        apps(&doc),
        [
            triple("linux", "bash", Some("5.2.15-2+b7")),
            triple("linux", "com.tencent.WeChat", Some("4.1.1.7")),
            triple("linux", "core22", None),
            triple("linux", "Obsidian", Some("1.4.16")),
            triple("linux", "org.gimp.GIMP", Some("2.10.38")),
            triple("linux", "spotify", Some("1.2.31.1205.g4d59ad7c")),
            triple("linux", "sublime_text", None),
            triple("linux", "wps-office", Some("11.1.0.11723.XA")),
        ]
    );
    // The package's .desktop file is evidence for the package, not an app.
    let wps = app(&doc, "wps-office");
    let formats: Vec<&str> = wps["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["format"].as_str().unwrap())
        .collect();
    assert_eq!(formats, ["dpkg-status", "desktop-entry"]);
    assert_eq!(wps["name"], "WPS Office");
    assert_eq!(wps["evidence"][0]["line"], 21);
    let wechat = app(&doc, "com.tencent.WeChat");
    assert_eq!(wechat["evidence"].as_array().unwrap().len(), 2);
    assert_eq!(app(&doc, "spotify")["build"], "80");
    assert_eq!(app(&doc, "core22")["build"], "1380");
    let found = findings(&doc);
    let rules: Vec<(&str, &str)> = found
        .iter()
        .map(|(a, r, _)| (a.as_str(), r.as_str()))
        .collect();
    // linuxqq is `deinstall ok config-files`: not installed, not reported.
    assert_eq!(
        rules,
        [
            ("com.tencent.WeChat", "wechat"),
            ("wps-office", "wps-office")
        ]
    );
    assert!(found[1].2.contains(&"EO 13971".to_owned()));
}

#[test]
fn malformed_plist_is_an_error_for_that_bundle_only() {
    let (code, doc) = scan_json(&["--inventory", &own("macos-malformed")]);
    assert_eq!(code, 2);
    let ids: Vec<String> = apps(&doc).into_iter().map(|(_, id, _)| id).collect();
    assert_eq!(ids, ["org.example.fine"]);
    let errors = doc["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]["path"]
            .as_str()
            .unwrap()
            .ends_with("Broken.app/Contents/Info.plist")
    );
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("malformed Info.plist")
    );
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn fixture_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(own(relative))
}

#[test]
fn folder_of_machine_roots_is_a_fleet() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture_path("macos"), &dir.path().join("alice-mac"));
    copy_tree(&fixture_path("linux"), &dir.path().join("build-box"));
    let (code, doc) = scan_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    let devices: Vec<(&str, &str)> = doc["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["name"].as_str().unwrap(), d["format"].as_str().unwrap()))
        .collect();
    assert_eq!(
        devices,
        [("alice-mac", "macos-root"), ("build-box", "linux-root")]
    );
    assert_eq!(findings(&doc).len(), 5);
}

#[test]
fn root_flag_and_os_override() {
    // A tree with no layout appaudit knows: only an AppImage in a home folder.
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home/bob/Downloads");
    fs::create_dir_all(&home).unwrap();
    fs::write(home.join("wechat-beta_1.0.0.238_amd64.AppImage"), b"x").unwrap();
    let root = dir.path().to_str().unwrap();
    let out = appaudit().args(["scan", "--root", root]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "no layout: nothing to read");
    let (code, doc) = scan_json(&["--inventory", "--os", "linux", "--root", root]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(
        apps(&doc),
        [triple("linux", "wechat-beta", Some("1.0.0.238"))]
    );
    assert_eq!(findings(&doc)[0].1, "wechat");
}

#[test]
fn real_macos_trees() {
    let cases = [
        (
            "MagicalWeChat/macos",
            "com.tencent.xinWeChat",
            "3.2.1",
            Some("wechat"),
        ),
        (
            "syft/macos/install-example",
            "com.tinyspeck.slackmacgap",
            "4.50.128",
            None,
        ),
        (
            "syft/macos/native-app-example",
            "com.mitchellh.ghostty",
            "1.3.1",
            None,
        ),
    ];
    for (dir, id, version, rule) in cases {
        let Some(path) = shared_fixture(&format!("desktop/third_party/{dir}")) else {
            return;
        };
        let (code, doc) = scan_json(&["--inventory", path.to_str().unwrap()]);
        assert_eq!(apps(&doc), [triple("macos", id, Some(version))], "{dir}");
        let rules: Vec<String> = findings(&doc).into_iter().map(|f| f.1).collect();
        assert_eq!(rules, rule.into_iter().collect::<Vec<_>>(), "{dir}");
        assert_eq!(code, if rule.is_some() { 1 } else { 0 }, "{dir}");
    }
    let Some(wechat) = shared_fixture("desktop/third_party/MagicalWeChat/macos") else {
        return;
    };
    let (_, doc) = scan_json(&["--inventory", wechat.to_str().unwrap()]);
    let components = doc["devices"][0]["apps"][0]["components"]
        .as_array()
        .unwrap();
    assert!(
        components
            .iter()
            .any(|c| c["id"] == "com.tencent.xinWeChat.MiniProgram" && c["kind"] == "app")
    );
}

#[test]
fn real_linux_image() {
    let Some(path) = shared_fixture("desktop/third_party/syft/linux/image-dpkg") else {
        return;
    };
    let (code, doc) = scan_json(&["--inventory", path.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(
        apps(&doc),
        [triple("linux", "libpam-runtime", Some("1.1.8-3.6"))]
    );
}

#[cfg(unix)]
#[test]
fn hostile_tree_links_loops_and_fifos() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    copy_tree(&fixture_path("linux"), &root);
    // Outside the root: an AppImage that must never be reported.
    let outside = dir.path().join("outside");
    fs::create_dir_all(&outside).unwrap();
    fs::write(outside.join("Evil-6.6.6.AppImage"), b"x").unwrap();
    let apps_dir = root.join("home/alice/Applications");
    // An absolute host path: inside the root it means root/<that path>, which is absent.
    symlink(&outside, apps_dir.join("abs-out")).unwrap();
    // A relative link climbing out: `..` stops at the root.
    symlink("../../../../../../outside", apps_dir.join("rel-out")).unwrap();
    // Loops: to the root, to a parent, and a link cycle.
    symlink("/", apps_dir.join("to-root")).unwrap();
    symlink("..", apps_dir.join("up")).unwrap();
    symlink("b", root.join("usr/share/applications/a")).unwrap();
    symlink("a", root.join("usr/share/applications/b")).unwrap();
    // A link to a file inside the root is followed.
    fs::create_dir_all(root.join("opt/tools")).unwrap();
    fs::write(root.join("opt/tools/Linked-2.0.AppImage.real"), b"x").unwrap();
    symlink(
        "/opt/tools/Linked-2.0.AppImage.real",
        apps_dir.join("Linked-2.0.AppImage"),
    )
    .unwrap();
    // FIFOs where files are read: never opened, never waited on.
    let fifos = [
        apps_dir.join("Pipe-1.0.AppImage"),
        root.join("usr/share/applications/pipe.desktop"),
    ];
    let made = fifos.iter().all(|f| {
        std::process::Command::new("mkfifo")
            .arg(f)
            .status()
            .is_ok_and(|s| s.success())
    });
    if !made {
        eprintln!("skipped FIFOs: mkfifo failed");
    }
    let out = appaudit()
        .args(["scan", "--format", "json", "--inventory"])
        .arg(&root)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    let ids: Vec<String> = apps(&doc).into_iter().map(|(_, id, _)| id).collect();
    assert!(!ids.iter().any(|id| id == "Evil"), "{ids:?}");
    assert!(!ids.iter().any(|id| id == "Pipe"), "{ids:?}");
    assert!(ids.iter().any(|id| id == "Linked"), "{ids:?}");
    // Each app once, even though links lead to the same folders several times.
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(unique, ids);
    assert_eq!(ids.len(), 9, "{ids:?}");
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{doc:#}");
}

#[cfg(unix)]
#[test]
fn unreadable_folder_is_listed_and_the_walk_goes_on() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    copy_tree(&fixture_path("linux"), &root);
    let locked = root.join("home/alice/Applications");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read_dir(&locked).is_ok() {
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
        eprintln!("skipped: running as root, chmod 000 does not stop reading");
        return;
    }
    let (code, doc) = scan_json(&["--inventory", root.to_str().unwrap()]);
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(code, 2);
    let errors = doc["errors"].as_array().unwrap();
    assert!(
        errors.iter().any(|e| e["path"] == locked.to_str().unwrap()
            && e["message"]
                .as_str()
                .unwrap()
                .starts_with("cannot read folder")),
        "{errors:?}"
    );
    // Everything else was still read.
    assert_eq!(apps(&doc).len(), 7);
}

#[test]
fn scan_without_a_path_reads_this_machine() {
    if !cfg!(target_os = "linux") || !Path::new("/var/lib/dpkg/status").exists() {
        eprintln!("skipped: not a dpkg-based Linux machine");
        return;
    }
    let out = appaudit()
        .args(["scan", "--format", "json"])
        .timeout(Duration::from_secs(300))
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let device = &doc["devices"][0];
    assert_eq!(device["format"], "linux-live");
    assert_eq!(device["source"], "/");
    assert!(device["apps_scanned"].as_u64().unwrap() > 100, "{device:#}");
    assert!(
        doc["errors"].as_array().unwrap().is_empty(),
        "{:#}",
        doc["errors"]
    );
    // No covered app on this machine: 0. (Were one installed, 1 would be right.)
    let expected = if findings(&doc).is_empty() { 0 } else { 1 };
    assert_eq!(out.status.code(), Some(expected));
}
