//! `appaudit adb` against a stand-in `adb` (a shell script first on PATH) that answers
//! with team-written captures under `fixtures/adb/` and real ones from `../shared`, and
//! logs every command line it was given. One test runs the real `adb`, if installed.
#![allow(clippy::unwrap_used)]
#![cfg(unix)]

mod common;

use common::{MVT, appaudit, shared_fixture};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

/// The stand-in: `devices -l` prints `$ADB_STUB_DATA/devices.txt`; `-s S shell CMD...`
/// prints `devices/S/<CMD with spaces as _>.out` (and `.err`, exit `.code`, after
/// sleeping `.sleep` seconds). An unknown command fails the way `pm` does with an
/// unknown option; an unknown serial the way adb does for a vanished device.
const STUB: &str = r#"#!/bin/sh
printf '%s\n' "$*" >> "$ADB_STUB_LOG"
if [ "$1" = "devices" ]; then cat "$ADB_STUB_DATA/devices.txt"; exit 0; fi
if [ "$1" != "-s" ] || [ "$3" != "shell" ]; then echo "stub adb: unexpected: $*" >&2; exit 99; fi
serial="$2"; shift 3
d="$ADB_STUB_DATA/devices/$serial"
if [ ! -d "$d" ]; then echo "error: device '$serial' not found" >&2; exit 1; fi
key=$(printf '%s' "$*" | tr ' ' '_')
if [ -f "$d/$key.sleep" ]; then sleep "$(cat "$d/$key.sleep")"; fi
if [ -f "$d/$key.out" ]; then cat "$d/$key.out"; fi
if [ -f "$d/$key.err" ]; then cat "$d/$key.err" >&2; fi
if [ -f "$d/$key.code" ]; then exit "$(cat "$d/$key.code")"; fi
if [ -f "$d/$key.out" ] || [ -f "$d/$key.err" ]; then exit 0; fi
echo "Error: Unknown option: $*" >&2
exit 255
"#;

struct Stub {
    dir: tempfile::TempDir,
}

impl Stub {
    /// A stub whose `adb devices -l` lists `devices` (serial, state); the answers of
    /// each serial come from `fixtures/adb/devices/<serial>` when it exists.
    fn new(devices: &[(&str, &str)]) -> Stub {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        fs::create_dir(&bin).unwrap();
        let adb = bin.join("adb");
        fs::write(&adb, STUB).unwrap();
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&adb, fs::Permissions::from_mode(0o755)).unwrap();
        let data = dir.path().join("data/devices");
        fs::create_dir_all(&data).unwrap();
        let mut list = String::from("List of devices attached\n");
        for (serial, state) in devices {
            list.push_str(&format!("{serial}\t{state} usb:1-1 transport_id:1\n"));
            let own = own_device(serial);
            if own.is_dir() {
                copy_dir(&own, &data.join(serial));
            }
        }
        list.push('\n');
        fs::write(dir.path().join("data/devices.txt"), list).unwrap();
        fs::write(dir.path().join("log.txt"), "").unwrap();
        Stub { dir }
    }

    fn device_dir(&self, serial: &str) -> PathBuf {
        let d = self.dir.path().join("data/devices").join(serial);
        fs::create_dir_all(&d).unwrap();
        d
    }

    /// `appaudit adb --format json ARGS...` with the stub first on PATH.
    fn run(&self, args: &[&str]) -> (i32, Value, String) {
        let path = format!(
            "{}:{}",
            self.dir.path().join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = appaudit()
            .env("PATH", path)
            .env("ADB_STUB_DATA", self.dir.path().join("data"))
            .env("ADB_STUB_LOG", self.dir.path().join("log.txt"))
            .env_remove("APPAUDIT_ADB")
            .args(["adb", "--format", "json", "--inventory"])
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let doc = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        (out.status.code().unwrap(), doc, stderr)
    }

    /// Every command line the stub was given.
    fn log(&self) -> Vec<String> {
        fs::read_to_string(self.dir.path().join("log.txt"))
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

fn own_device(serial: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/adb/devices")
        .join(serial)
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

/// appaudit only ever asks; it never installs, removes or changes anything.
fn assert_read_only(log: &[String]) {
    assert!(!log.is_empty());
    for line in log {
        let words: Vec<&str> = line.split_whitespace().collect();
        let shell = match words.as_slice() {
            ["devices", "-l"] => continue,
            ["-s", _, "shell", rest @ ..] => rest,
            _ => panic!("unexpected adb command: {line}"),
        };
        let allowed = matches!(
            shell,
            ["getprop"] | ["pm", "list", "users"] | ["dumpsys", "package"]
        ) || shell.starts_with(&["pm", "list", "packages"]);
        assert!(allowed, "not a read-only command: {line}");
        for bad in [
            "install",
            "uninstall",
            "settings",
            "put",
            "clear",
            "disable",
            "enable",
            "rm",
            "push",
        ] {
            assert!(!words.contains(&bad), "forbidden word `{bad}` in: {line}");
        }
    }
}

fn device<'d>(doc: &'d Value, serial: &str) -> &'d Value {
    doc["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["source"] == format!("adb:{serial}"))
        .unwrap_or_else(|| panic!("no device {serial} in {doc:#}"))
}

fn finding<'d>(device: &'d Value, id: &str) -> &'d Value {
    device["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["app"]["id"] == id)
        .unwrap_or_else(|| panic!("no finding {id}"))
}

fn app<'d>(device: &'d Value, id: &str) -> &'d Value {
    common::app_of(device, id)
}

#[test]
fn work_profile_tiktok_is_found_with_its_profile() {
    let stub = Stub::new(&[("R58WORK01", "device")]);
    let (code, doc, stderr) = stub.run(&[]);
    assert_eq!(code, 1, "{stderr}");
    let dev = device(&doc, "R58WORK01");
    assert_eq!(dev["name"], "SM-S918B");
    assert_eq!(dev["id"], "R58WORK01");
    assert_eq!(dev["format"], "adb");
    let tiktok = finding(dev, "com.zhiliaoapp.musically");
    let users = tiktok["app"]["users"].as_array().unwrap();
    let installed: Vec<(u64, &str)> = users
        .iter()
        .filter(|u| u["installed"] == true)
        .map(|u| (u["user"].as_u64().unwrap(), u["profile"].as_str().unwrap()))
        .collect();
    assert_eq!(installed, [(10, "Work profile")]);
    assert_eq!(tiktok["app"]["version"], "39.4.3");
    assert!(
        tiktok["evidence"]["path"]
            .as_str()
            .unwrap()
            .ends_with("shell pm list packages -f -i -U --show-versioncode --user 10"),
        "{}",
        tiktok["evidence"]
    );
    // Profiles are device facts too.
    let props = serde_json::to_string(&dev["properties"]).unwrap();
    for expected in ["Work profile", "Secure Folder", "2024-05-01", "14"] {
        assert!(props.contains(expected), "{props}");
    }
    // Side-loaded: by the package installer and by adb, not system apps or store installs.
    assert_eq!(
        app(dev, "com.example.sideloaded")["flags"]["side_loaded"],
        true
    );
    assert_eq!(app(dev, "com.example.viaadb")["flags"]["side_loaded"], true);
    assert!(app(dev, "com.android.providers.settings")["flags"]["side_loaded"].is_null());
    assert!(app(dev, "com.whatsapp")["flags"]["side_loaded"].is_null());
    assert_eq!(app(dev, "com.android.chrome")["flags"]["system"], true);

    let log = stub.log();
    assert_read_only(&log);
    for expected in [
        "devices -l",
        "-s R58WORK01 shell getprop",
        "-s R58WORK01 shell pm list users",
        "-s R58WORK01 shell pm list packages -f -i -U --show-versioncode --user 0",
        "-s R58WORK01 shell pm list packages -f -i -U --show-versioncode --user 10",
        "-s R58WORK01 shell pm list packages -f -i -U --show-versioncode --user 150",
        "-s R58WORK01 shell pm list packages -d --user 10",
        "-s R58WORK01 shell dumpsys package",
    ] {
        assert!(
            log.iter().any(|l| l == expected),
            "{expected} not in {log:#?}"
        );
    }
    assert_eq!(
        log.iter()
            .filter(|l| l.ends_with("dumpsys package"))
            .count(),
        1
    );
}

#[test]
fn old_android_falls_back_to_fewer_flags() {
    let stub = Stub::new(&[("OLDA5", "device")]);
    let (code, doc, stderr) = stub.run(&[]);
    assert_eq!(code, 1, "{stderr}");
    let dev = device(&doc, "OLDA5");
    let wechat = finding(dev, "com.tencent.mm");
    assert_eq!(wechat["app"]["installer"], "com.android.vending");
    let log = stub.log();
    assert_read_only(&log);
    let listings: Vec<&str> = log
        .iter()
        .map(String::as_str)
        .filter(|l| l.contains("pm list packages -f"))
        .collect();
    assert_eq!(
        listings,
        [
            "-s OLDA5 shell pm list packages -f -i -U --show-versioncode --user 0",
            "-s OLDA5 shell pm list packages -f -i -U --user 0",
            "-s OLDA5 shell pm list packages -f -i --user 0",
        ]
    );
}

#[test]
fn unauthorized_vanished_and_slow_devices_do_not_stop_the_others() {
    let stub = Stub::new(&[
        ("R58WORK01", "device"),
        ("LOCKED01", "unauthorized"),
        ("VANISH01", "device"),
        ("SLOW01", "device"),
        ("GONE01", "device"),
    ]);
    let (code, doc, stderr) = stub.run(&["--timeout", "1"]);
    assert_eq!(code, 2, "{stderr}");
    // The healthy device is fully reported.
    let dev = device(&doc, "R58WORK01");
    finding(dev, "com.zhiliaoapp.musically");
    let errors: Vec<(String, String)> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_owned(),
                e["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let message = |source: &str| {
        errors
            .iter()
            .find(|(p, _)| p == source)
            .map(|(_, m)| m.clone())
            .unwrap_or_else(|| panic!("no error for {source}: {errors:#?}"))
    };
    assert!(message("adb:LOCKED01").contains("unauthorized"));
    assert!(message("adb:LOCKED01").contains("Allow USB debugging"));
    assert!(message("adb:VANISH01").contains("error: device 'VANISH01' not found"));
    assert!(message("adb:SLOW01").contains("timed out after 1 s"));
    assert!(message("adb:GONE01").contains("error: device 'GONE01' not found"));
    // What was read before the device vanished is still reported.
    let vanished = device(&doc, "VANISH01");
    finding(vanished, "cn.wps.moffice_eng");
    let log = stub.log();
    assert_read_only(&log);
    // Nothing is sent to an unauthorized device.
    assert!(!log.iter().any(|l| l.contains("LOCKED01")));
}

#[test]
fn only_the_named_serials_are_scanned() {
    let stub = Stub::new(&[("R58WORK01", "device"), ("OLDA5", "device")]);
    let (code, doc, stderr) = stub.run(&["--serial", "OLDA5", "--serial", "NOPE"]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(doc["devices"].as_array().unwrap().len(), 1);
    device(&doc, "OLDA5");
    assert!(
        doc["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("device NOPE is not attached")
    );
    assert!(!stub.log().iter().any(|l| l.contains("R58WORK01")));
}

#[test]
fn saved_capture_scans_offline_to_the_same_findings() {
    let stub = Stub::new(&[("R58WORK01", "device"), ("OLDA5", "device")]);
    let save = stub.dir.path().join("evidence");
    let (code, live, stderr) = stub.run(&["--save", save.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    let manifest: Value =
        serde_json::from_slice(&fs::read(save.join("R58WORK01/manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["serial"], "R58WORK01");
    assert_eq!(manifest["device"], "SM-S918B");
    let entry = manifest["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["role"] == "dumpsys")
        .unwrap();
    assert_eq!(entry["command"], "adb -s R58WORK01 shell dumpsys package");
    assert_eq!(entry["file"], "dumpsys_package.txt");
    assert_eq!(entry["sha256"].as_str().unwrap().len(), 64);
    assert!(entry["time"].as_str().unwrap().ends_with('Z'));
    let saved = fs::read(save.join("R58WORK01/dumpsys_package.txt")).unwrap();
    assert_eq!(
        saved,
        fs::read(own_device("R58WORK01").join("dumpsys_package.out")).unwrap()
    );

    let summary = |doc: &Value| {
        let mut out: Vec<(String, String, Vec<u64>)> = doc["devices"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|d| {
                d["findings"].as_array().unwrap().iter().map(|f| {
                    let users = f["app"]["users"]
                        .as_array()
                        .map(|u| u.iter().map(|u| u["user"].as_u64().unwrap()).collect())
                        .unwrap_or_default();
                    (
                        d["id"].as_str().unwrap().to_owned(),
                        f["app"]["id"].as_str().unwrap().to_owned(),
                        users,
                    )
                })
            })
            .collect();
        out.sort();
        out
    };
    for path in [save.clone(), save.join("R58WORK01")] {
        let out = appaudit()
            .args(["scan", "--format", "json"])
            .arg(&path)
            .output()
            .unwrap();
        let offline: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(out.status.code(), Some(1));
        let expected: Vec<_> = summary(&live)
            .into_iter()
            .filter(|(name, _, _)| path == save || name.ends_with("R58WORK01"))
            .collect();
        assert_eq!(summary(&offline), expected, "{}", path.display());
        assert!(!expected.is_empty());
    }
    // A second capture into the same folder does not overwrite the first.
    let (_, _, stderr) = stub.run(&["--save", save.to_str().unwrap(), "--serial", "OLDA5"]);
    let folders = fs::read_dir(&save).unwrap().count();
    assert_eq!(folders, 3, "{stderr}");
}

#[test]
fn real_captures_through_the_stub() {
    let (Some(getprop), Some(dumpsys)) = (
        shared_fixture(&format!("{MVT}/android_data/getprop.txt")),
        shared_fixture(&format!("{MVT}/android_data/bugreport/dumpstate.txt")),
    ) else {
        return;
    };
    let stub = Stub::new(&[("MVTA40", "device")]);
    let dir = stub.device_dir("MVTA40");
    fs::copy(getprop, dir.join("getprop.out")).unwrap();
    fs::copy(dumpsys, dir.join("dumpsys_package.out")).unwrap();
    // This phone answers no `pm list` (every variant fails): dumpsys alone lists its apps.
    let (code, doc, stderr) = stub.run(&[]);
    assert_eq!(code, 0, "{stderr}");
    let dev = device(&doc, "MVTA40");
    let ids: Vec<&str> = dev["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"com.instagram.android"), "{ids:?}");
    let log = stub.log();
    assert_read_only(&log);
    // All four listings were tried for user 0, the only user when `pm list users` fails.
    assert_eq!(
        log.iter()
            .filter(|l| l.contains("pm list packages -f"))
            .count(),
        4
    );
}

#[test]
fn no_adb_program_is_a_clear_error() {
    let out = appaudit()
        .env_remove("APPAUDIT_ADB")
        .args(["adb", "--adb", "/nonexistent/adb"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("adb not found"), "{stderr}");
    assert!(stderr.contains("apt install adb"), "{stderr}");
    assert!(
        stderr.contains("brew install android-platform-tools"),
        "{stderr}"
    );
}

#[test]
fn stub_with_no_device_says_so() {
    let stub = Stub::new(&[]);
    let (code, _, stderr) = stub.run(&[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no device attached"), "{stderr}");
}

/// The real adb, with its own server on a free port (killed afterwards), and no phone.
#[test]
fn real_adb_with_no_device_attached() {
    let found = std::process::Command::new("adb").arg("version").output();
    if !matches!(&found, Ok(o) if o.status.success()) {
        eprintln!("skipped: adb is not installed (CI installs it: apt install adb)");
        return;
    }
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let out = appaudit()
        .env("ADB_SERVER_PORT", port.to_string())
        .env_remove("APPAUDIT_ADB")
        .args(["adb", "--timeout", "60"])
        .output()
        .unwrap();
    let _ = std::process::Command::new("adb")
        .env("ADB_SERVER_PORT", port.to_string())
        .arg("kill-server")
        .output();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no device attached"), "{stderr}");
}

// Offline inputs told by their content: APKs, bugreport zips, packages.xml.

fn scan(args: &[&str]) -> (i32, Value) {
    let out = appaudit()
        .args(["scan", "--format", "json", "--inventory"])
        .args(args)
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    (out.status.code().unwrap(), doc)
}

#[test]
fn apk_signed_by_a_covered_key_is_found_by_its_certificate() {
    let (code, doc) = scan(&[
        "--rules",
        "fixtures/adb/cert_rule.yaml",
        "fixtures/android/apk/renamed_v2_signed.apk",
    ]);
    assert_eq!(code, 1, "{doc:#}");
    let dev = &doc["devices"][0];
    assert_eq!(dev["format"], "apk");
    let f = finding(dev, "com.example.renamed.tok");
    assert_eq!(f["rule"]["id"], "test-cert-signed-tok");
    assert_eq!(f["match"]["field"], "cert_sha256");
    assert_eq!(
        f["match"]["value"],
        "e8ffdaec96036df4217a9d1f058765d44973ccaf0fc21e842a0e73293e215c82"
    );
    // Without the rule, the renamed package name alone is not covered.
    let (code, _) = scan(&["fixtures/android/apk/renamed_v2_signed.apk"]);
    assert_eq!(code, 0);
}

#[test]
fn v1_signed_apk_by_package_name() {
    let (code, doc) = scan(&["fixtures/android/apk/wechat_v1_signed.apk"]);
    assert_eq!(code, 1);
    let f = finding(&doc["devices"][0], "com.tencent.mm");
    assert_eq!(f["app"]["version"], "6.3.31");
    assert_eq!(f["app"]["build"], "1080");
}

fn zip_file(path: &Path, entries: &[(&str, &[u8])]) {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(fs::File::create(path).unwrap());
    for (name, data) in entries {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap();
}

#[test]
fn bugreport_zip_is_read_like_the_unzipped_folder() {
    let dir = tempfile::tempdir().unwrap();
    let own = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/android/bugreport_folder");
    let main = "bugreport-dm3q-UP1A.231005.007-2024-06-12-10-00-00.txt";
    let zip = dir.path().join("bugreport.zip");
    zip_file(
        &zip,
        &[
            (
                "main_entry.txt",
                &fs::read(own.join("main_entry.txt")).unwrap(),
            ),
            (main, &fs::read(own.join(main)).unwrap()),
        ],
    );
    let (code, doc) = scan(&[zip.to_str().unwrap()]);
    assert_eq!(code, 1, "{doc:#}");
    let dev = &doc["devices"][0];
    assert_eq!(dev["format"], "bugreport-zip");
    let f = finding(dev, "com.eg.android.AlipayGphone");
    let evidence = f["evidence"]["path"].as_str().unwrap();
    assert!(
        evidence.ends_with(&format!("bugreport.zip!{main}")),
        "{evidence}"
    );

    let Some(real) = shared_fixture(&format!("{MVT}/android_data/bugreport/dumpstate.txt")) else {
        return;
    };
    let zip = dir.path().join("real.zip");
    zip_file(
        &zip,
        &[
            ("main_entry.txt", b"dumpstate.txt"),
            ("dumpstate.txt", &fs::read(real).unwrap()),
        ],
    );
    let (code, doc) = scan(&[zip.to_str().unwrap()]);
    assert_eq!(code, 0, "{doc:#}");
    app(&doc["devices"][0], "com.instagram.android");
}

#[test]
fn packages_xml_text_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("packages.xml");
    fs::write(
        &path,
        r#"<?xml version='1.0' encoding='utf-8' standalone='yes' ?>
<packages>
    <package name="com.zhiliaoapp.musically" codePath="/data/app/com.zhiliaoapp.musically-1" flags="0" version="2023904030" userId="10245" installer="com.android.vending" />
    <package name="com.example.apk" codePath="/data/app/x" flags="0" version="7" userId="10250" installer="com.google.android.packageinstaller" />
    <package name="com.android.chrome" codePath="/product/app/Chrome" flags="1" version="636717833" userId="10140" />
</packages>
"#,
    )
    .unwrap();
    let (code, doc) = scan(&[path.to_str().unwrap()]);
    assert_eq!(code, 1);
    let dev = &doc["devices"][0];
    assert_eq!(dev["format"], "packages-xml");
    let f = finding(dev, "com.zhiliaoapp.musically");
    assert_eq!(f["evidence"]["line"], 3);
    assert_eq!(app(dev, "com.example.apk")["flags"]["side_loaded"], true);
    assert_eq!(app(dev, "com.android.chrome")["flags"]["system"], true);
}
