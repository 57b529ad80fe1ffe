//! `appaudit ios` against stand-ins for libimobiledevice's tools (`idevice_id`,
//! `ideviceinfo`, `ideviceinstaller`: one shell script under three names, first on PATH)
//! that answer for several devices and log every command line they are given; both
//! `ideviceinstaller` behaviours (1.1: `-l -o list_all`; 1.2: `list --all`) and the one
//! before `--version` existed. One test runs Debian's real tools with no device attached.
#![allow(clippy::unwrap_used)]
#![cfg(unix)]

mod common;

use common::appaudit;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

/// The stand-in. `--version` prints `TOOL 1.3.0` (`ideviceinstaller` its
/// `$DATA/installer_version`, or, for `1.1.0`, its usage as that version did);
/// `idevice_id -l` prints `$DATA/ids.txt`, `idevice_id UDID` `devices/UDID/name`;
/// `ideviceinfo -u UDID` and `ideviceinstaller -u UDID <listing>` answer with
/// `devices/UDID/{info,apps}.{out,err,code,sleep}`. `ideviceinstaller` refuses the
/// listing syntax of the other version as the real one does.
const STUB: &str = r#"#!/bin/sh
tool=$(basename "$0")
printf '%s %s\n' "$tool" "$*" >> "$IDEVICE_STUB_LOG"
d="$IDEVICE_STUB_DATA"
v=$(cat "$d/installer_version")
reply() {
  if [ -f "$1/$2.sleep" ]; then sleep "$(cat "$1/$2.sleep")"; fi
  if [ -f "$1/$2.out" ]; then cat "$1/$2.out"; fi
  if [ -f "$1/$2.err" ]; then cat "$1/$2.err" >&2; fi
  if [ -f "$1/$2.code" ]; then exit "$(cat "$1/$2.code")"; fi
  exit 0
}
if [ "$1" = "--version" ]; then
  if [ "$tool" != ideviceinstaller ]; then echo "$tool 1.3.0"; exit 0; fi
  if [ "$v" = "1.1.0" ]; then
    printf 'Usage: ideviceinstaller OPTIONS\n\nManage apps on iOS devices.\n\nOPTIONS:\n'
    printf '  -l, --list-apps\tList apps, possible options:\n       -o list_all\t- list all types of apps\n'
    exit 2
  fi
  echo "ideviceinstaller $v"; exit 0
fi
case "$tool" in
idevice_id)
  if [ "$1" = "-l" ]; then
    if [ -f "$d/ids.err" ]; then cat "$d/ids.err" >&2; exit 255; fi
    cat "$d/ids.txt"; exit 0
  fi
  if [ -f "$d/devices/$1/name" ]; then cat "$d/devices/$1/name"; exit 0; fi
  echo "ERROR: No device with UDID $1 attached." >&2; exit 254 ;;
ideviceinfo)
  [ "$1" = "-u" ] || { echo "stub: unexpected: $*" >&2; exit 99; }
  [ -d "$d/devices/$2" ] || { echo "ERROR: Device $2 not found!"; exit 255; }
  reply "$d/devices/$2" info ;;
ideviceinstaller)
  [ "$1" = "-u" ] || { echo "stub: unexpected: $*" >&2; exit 99; }
  dev="$d/devices/$2"; udid="$2"; shift 2
  case "$v:$*" in
    1.1*:"-l -o list_all") ;;
    1.2*:"list --all") ;;
    *) echo "ERROR: Invalid command '$1'." >&2; exit 2 ;;
  esac
  [ -d "$dev" ] || { echo "No device found with udid $udid." >&2; exit 1; }
  reply "$dev" apps ;;
*) echo "stub: unknown tool $tool" >&2; exit 99 ;;
esac
"#;

/// A healthy iPhone (its `ideviceinfo` fixture names this UDID).
const GOOD: &str = "00008110-000A1B2C3D4E5F60";
/// Locked with a passcode; `idevice_id UDID` still names it.
const LOCKED: &str = "00008101-000A11B22C33D44E";
/// Unplugged between `ideviceinfo` and `ideviceinstaller`.
const VANISHING: &str = "00008120-0001234567890ABC";
/// Waiting for "Trust This Computer?" (an older tool's message), unnamed.
const UNTRUSTED: &str = "00008030-000FEDCBA9876543";
/// Never answers `ideviceinfo`.
const SLOW: &str = "00008027-0011223344556677";

struct Stub {
    dir: tempfile::TempDir,
}

fn listing(name: &str) -> Vec<u8> {
    fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/ios/listings")
            .join(name),
    )
    .unwrap()
}

impl Stub {
    /// A stub whose `ideviceinstaller` is `version` and whose `idevice_id -l` lists `udids`.
    fn new(version: &str, udids: &[&str]) -> Stub {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        fs::create_dir(&bin).unwrap();
        let script = dir.path().join("stub.sh");
        fs::write(&script, STUB).unwrap();
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
        for tool in ["idevice_id", "ideviceinfo", "ideviceinstaller"] {
            std::os::unix::fs::symlink(&script, bin.join(tool)).unwrap();
        }
        let data = dir.path().join("data");
        fs::create_dir_all(data.join("devices")).unwrap();
        fs::write(data.join("installer_version"), version).unwrap();
        fs::write(data.join("ids.txt"), udids.join("\n") + "\n").unwrap();
        fs::write(dir.path().join("log.txt"), "").unwrap();
        let stub = Stub { dir };
        let apps = match version {
            "1.1.0" => listing("ideviceinstaller-1.1.0.txt"),
            v if v.starts_with("1.1") => listing("ideviceinstaller-1.1.1.txt"),
            _ => listing("ideviceinstaller-1.2.txt"),
        };
        stub.answer(GOOD, "info.out", &listing("ideviceinfo.txt"));
        stub.answer(GOOD, "apps.out", &apps);
        stub.answer(LOCKED, "name", b"Ann's iPhone\n");
        stub.answer(
            LOCKED,
            "info.err",
            b"ERROR: Could not connect to lockdownd: Password protected (-17)\n",
        );
        stub.answer(LOCKED, "info.code", b"255");
        stub.answer(
            VANISHING,
            "info.out",
            b"DeviceName: Shop iPad\nProductType: iPad13,1\nProductVersion: 17.1\n",
        );
        let gone = format!("No device found with udid {VANISHING}.\n");
        stub.answer(VANISHING, "apps.err", gone.as_bytes());
        stub.answer(VANISHING, "apps.code", b"1");
        stub.answer(
            UNTRUSTED,
            "info.err",
            b"ERROR: Could not connect to lockdownd, error code -19\n",
        );
        stub.answer(UNTRUSTED, "info.code", b"255");
        stub.answer(SLOW, "info.sleep", b"5");
        stub
    }

    fn answer(&self, udid: &str, file: &str, content: &[u8]) {
        let d = self.dir.path().join("data/devices").join(udid);
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join(file), content).unwrap();
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `appaudit ios --format json --inventory ARGS...` with the stub first on PATH.
    fn run(&self, args: &[&str]) -> (i32, Value, String) {
        let path = format!(
            "{}:{}",
            self.dir.path().join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = appaudit()
            .env("PATH", path)
            .env("IDEVICE_STUB_DATA", self.data())
            .env("IDEVICE_STUB_LOG", self.dir.path().join("log.txt"))
            .env_remove("APPAUDIT_IDEVICE_ID")
            .env_remove("APPAUDIT_IDEVICEINFO")
            .env_remove("APPAUDIT_IDEVICEINSTALLER")
            .args(["ios", "--format", "json", "--inventory"])
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let doc = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        (out.status.code().unwrap(), doc, stderr)
    }

    /// Every command line the stub was given.
    fn log(&self) -> Vec<String> {
        let log = fs::read_to_string(self.dir.path().join("log.txt")).unwrap();
        assert_read_only(&log);
        log.lines().map(str::to_owned).collect()
    }
}

/// appaudit only ever asks: it never installs, uninstalls, archives, restores or pairs.
fn assert_read_only(log: &str) {
    for line in log.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        for bad in [
            "install",
            "uninstall",
            "upgrade",
            "archive",
            "restore",
            "remove-archive",
            "-i",
            "-U",
            "-g",
            "-a",
            "-r",
            "-R",
            "pair",
            "-k",
        ] {
            assert!(!words.contains(&bad), "forbidden `{bad}` in: {line}");
        }
    }
}

/// The exact commands sent: versions, the device list, then each device in turn.
fn expected(commands: &[&str]) -> Vec<String> {
    let mut all = vec![
        "idevice_id --version".to_owned(),
        "ideviceinfo --version".to_owned(),
        "ideviceinstaller --version".to_owned(),
        "idevice_id -l".to_owned(),
    ];
    all.extend(commands.iter().map(|c| (*c).to_owned()));
    all
}

fn device<'d>(doc: &'d Value, udid: &str) -> &'d Value {
    doc["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["source"] == format!("ios:{udid}"))
        .unwrap_or_else(|| panic!("no device {udid} in {doc:#}"))
}

fn finding<'d>(device: &'d Value, id: &str) -> &'d Value {
    device["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["app"]["id"] == id)
        .unwrap_or_else(|| panic!("no finding {id} in {device:#}"))
}

fn error_for(doc: &Value, udid: &str) -> String {
    let source = format!("ios:{udid}");
    doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == source.as_str())
        .unwrap_or_else(|| panic!("no error for {source}: {:#}", doc["errors"]))["message"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn locked_untrusted_vanished_and_slow_devices_do_not_stop_the_others() {
    let stub = Stub::new("1.1.1", &[GOOD, LOCKED, VANISHING, UNTRUSTED, SLOW]);
    let (code, doc, stderr) = stub.run(&["--timeout", "1"]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(doc["devices"].as_array().unwrap().len(), 1, "{doc:#}");
    let dev = device(&doc, GOOD);
    assert_eq!(dev["name"], format!("Fixture iPhone {GOOD}"));
    assert_eq!(dev["platform"], "ios");
    assert_eq!(dev["format"], "libimobiledevice");
    let tiktok = finding(dev, "com.zhiliaoapp.musically");
    assert_eq!(tiktok["app"]["build"], "345007");
    assert_eq!(
        tiktok["evidence"]["path"],
        format!("ideviceinstaller -u {GOOD} -l -o list_all")
    );
    assert_eq!(tiktok["evidence"]["line"], 2);
    finding(dev, "com.tencent.xin");
    let props = serde_json::to_string(&dev["properties"]).unwrap();
    for fact in ["iPhone14,2", "17.5.1", "ideviceinstaller 1.1.1"] {
        assert!(props.contains(fact), "{props}");
    }

    let locked = error_for(&doc, LOCKED);
    assert!(
        locked.starts_with(&format!("\"Ann's iPhone\" ({LOCKED}) is locked: unlock it")),
        "{locked}"
    );
    assert!(locked.contains("Password protected (-17)"), "{locked}");
    let vanished = error_for(&doc, VANISHING);
    assert!(
        vanished.contains("disconnected during the scan"),
        "{vanished}"
    );
    assert!(vanished.contains("No device found with udid"), "{vanished}");
    let untrusted = error_for(&doc, UNTRUSTED);
    assert!(
        untrusted.starts_with(&format!(
            "device {UNTRUSTED} is waiting for \"Trust This Computer?\""
        )),
        "{untrusted}"
    );
    assert!(untrusted.contains("`idevicepair pair`"), "{untrusted}");
    let slow = error_for(&doc, SLOW);
    assert!(slow.contains("timed out after 1 s"), "{slow}");

    assert_eq!(
        stub.log(),
        expected(&[
            &format!("ideviceinfo -u {GOOD}"),
            &format!("ideviceinstaller -u {GOOD} -l -o list_all"),
            &format!("ideviceinfo -u {LOCKED}"),
            &format!("idevice_id {LOCKED}"),
            &format!("ideviceinfo -u {VANISHING}"),
            &format!("ideviceinstaller -u {VANISHING} -l -o list_all"),
            &format!("ideviceinfo -u {UNTRUSTED}"),
            &format!("idevice_id {UNTRUSTED}"),
            &format!("ideviceinfo -u {SLOW}"),
        ])
    );
}

#[test]
fn ideviceinstaller_1_2_is_asked_with_its_list_command() {
    let stub = Stub::new("1.2.0", &[GOOD]);
    let (code, doc, stderr) = stub.run(&[]);
    assert_eq!(code, 1, "{stderr}");
    let tiktok = finding(device(&doc, GOOD), "com.zhiliaoapp.musically");
    assert_eq!(tiktok["app"]["version"], "34.5.0");
    assert_eq!(
        stub.log(),
        expected(&[
            &format!("ideviceinfo -u {GOOD}"),
            &format!("ideviceinstaller -u {GOOD} list --all"),
        ])
    );
}

#[test]
fn ideviceinstaller_without_version_is_told_by_its_usage() {
    let stub = Stub::new("1.1.0", &[GOOD]);
    let (code, doc, stderr) = stub.run(&[]);
    assert_eq!(code, 1, "{stderr}");
    finding(device(&doc, GOOD), "com.zhiliaoapp.musically");
    let log = stub.log();
    assert_eq!(log[5], format!("ideviceinstaller -u {GOOD} -l -o list_all"));
    let props = serde_json::to_string(&device(&doc, GOOD)["properties"]).unwrap();
    assert!(props.contains("unknown (no --version)"), "{props}");
}

#[test]
fn only_the_named_udids_are_scanned() {
    let stub = Stub::new("1.2.0", &[GOOD, LOCKED]);
    let nope = "00008030-00000000000000FF";
    let (code, doc, stderr) = stub.run(&["--udid", GOOD, "-u", nope, "--udid", GOOD]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(doc["devices"].as_array().unwrap().len(), 1);
    device(&doc, GOOD);
    assert!(error_for(&doc, nope).contains("is not attached (see `idevice_id -l`)"));
    assert!(!stub.log().iter().any(|l| l.contains(LOCKED)));
}

/// (device name, app id, version, build) of every finding, sorted.
fn summary(doc: &Value) -> Vec<(String, String, String, String)> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let mut out: Vec<_> = doc["devices"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| {
            d["findings"].as_array().unwrap().iter().map(|f| {
                (
                    text(&d["name"]),
                    text(&f["app"]["id"]),
                    text(&f["app"]["version"]),
                    text(&f["app"]["build"]),
                )
            })
        })
        .collect();
    out.sort();
    out
}

#[test]
fn saved_capture_scans_offline_to_the_same_findings() {
    let stub = Stub::new("1.1.1", &[GOOD, VANISHING, LOCKED]);
    let save = stub.dir.path().join("evidence");
    let (code, live, stderr) = stub.run(&["--save", save.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(!summary(&live).is_empty());

    let manifest: Value =
        serde_json::from_slice(&fs::read(save.join(GOOD).join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["kind"], "appaudit-ios-capture");
    assert_eq!(manifest["udid"], GOOD);
    assert_eq!(manifest["device"], "Fixture iPhone");
    assert_eq!(
        manifest["tools"]["ideviceinstaller"],
        "ideviceinstaller 1.1.1"
    );
    assert_eq!(manifest["tools"]["idevice_id"], "idevice_id 1.3.0");
    let apps = manifest["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["role"] == "apps")
        .unwrap();
    assert_eq!(
        apps["command"],
        format!("ideviceinstaller -u {GOOD} -l -o list_all")
    );
    let saved = fs::read(save.join(GOOD).join(apps["file"].as_str().unwrap())).unwrap();
    assert_eq!(saved, listing("ideviceinstaller-1.1.1.txt"));
    assert_eq!(apps["sha256"].as_str().unwrap().len(), 64);
    assert!(apps["time"].as_str().unwrap().ends_with('Z'));
    // The vanished device's capture keeps what was read and why it stopped.
    let vanished: Value =
        serde_json::from_slice(&fs::read(save.join(VANISHING).join("manifest.json")).unwrap())
            .unwrap();
    assert!(
        vanished["problems"][0]
            .as_str()
            .unwrap()
            .contains("disconnected")
    );
    // Nothing was read from the locked one: nothing saved.
    assert!(!save.join(LOCKED).exists());

    for (path, code) in [(save.clone(), 2), (save.join(GOOD), 1)] {
        let out = appaudit()
            .args(["scan", "--format", "json"])
            .arg(&path)
            .output()
            .unwrap();
        let offline: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(out.status.code(), Some(code), "{}", path.display());
        assert_eq!(summary(&offline), summary(&live), "{}", path.display());
        assert_eq!(offline["devices"][0]["platform"], "ios");
    }
    // A changed output is reported, the device still scanned.
    fs::write(
        save.join(GOOD).join("ideviceinfo.txt"),
        "DeviceName: Fixture iPhone\nProductType: iPhone14,2\n",
    )
    .unwrap();
    let out = appaudit()
        .args(["scan", "--format", "json"])
        .arg(save.join(GOOD))
        .output()
        .unwrap();
    let offline: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        offline["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("changed since the capture")
    );
    assert_eq!(summary(&offline), summary(&live));
}

#[test]
fn missing_tools_name_the_packages() {
    let stub = Stub::new("1.2.0", &[GOOD]);
    let (code, _, stderr) = stub.run(&["--ideviceinstaller", "/nonexistent/ideviceinstaller"]);
    assert_eq!(code, 2, "{stderr}");
    for expected in [
        "ideviceinstaller not found (`/nonexistent/ideviceinstaller`)",
        "apt install libimobiledevice-utils ideviceinstaller",
        "brew install libimobiledevice ideviceinstaller",
        "--ideviceinstaller PATH",
    ] {
        assert!(stderr.contains(expected), "{stderr}");
    }
    // Nothing was asked of any device.
    assert!(
        !stub
            .log()
            .iter()
            .any(|l| l.contains(GOOD) || l == "idevice_id -l")
    );

    let out = appaudit()
        .env("PATH", stub.dir.path().join("data"))
        .env_remove("APPAUDIT_IDEVICE_ID")
        .args(["ios"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("idevice_id not found"), "{stderr}");
    assert!(stderr.contains("apt install libimobiledevice-utils ideviceinstaller"));
}

#[test]
fn no_device_attached() {
    let stub = Stub::new("1.1.1", &[]);
    let (code, _, stderr) = stub.run(&[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no iPhone or iPad attached"), "{stderr}");
    // usbmuxd not running, as on Linux with nothing plugged in.
    fs::write(
        stub.data().join("ids.err"),
        "ERROR: Unable to retrieve device list!\n",
    )
    .unwrap();
    let (code, _, stderr) = stub.run(&[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no iPhone or iPad attached"), "{stderr}");
    assert!(stderr.contains("usbmuxd is not running"), "{stderr}");
}

/// Debian's real tools (`libimobiledevice-utils`, `ideviceinstaller`) with no device
/// attached. Skipped when they are not installed, unless `APPAUDIT_REQUIRE_IDEVICE=1`
/// (CI installs them).
#[test]
fn real_tools_with_no_device_attached() {
    let installed = ["idevice_id", "ideviceinfo", "ideviceinstaller"]
        .iter()
        .all(|tool| {
            std::process::Command::new(tool)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    if !installed {
        if std::env::var("APPAUDIT_REQUIRE_IDEVICE").as_deref() == Ok("1") {
            panic!(
                "libimobiledevice's tools are missing (apt install libimobiledevice-utils ideviceinstaller)"
            );
        }
        eprintln!(
            "skipped: libimobiledevice's tools are not installed (CI installs them: apt install libimobiledevice-utils ideviceinstaller)"
        );
        return;
    }
    // The tool itself, as appaudit runs it: no UDID listed.
    let listed = std::process::Command::new("idevice_id")
        .arg("-l")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&listed.stdout).trim().is_empty(),
        "a device is attached: {listed:?}"
    );
    let out = appaudit()
        .env_remove("APPAUDIT_IDEVICE_ID")
        .env_remove("APPAUDIT_IDEVICEINFO")
        .env_remove("APPAUDIT_IDEVICEINSTALLER")
        .args(["ios", "--timeout", "30"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no iPhone or iPad attached"), "{stderr}");
    assert!(!stderr.contains("not found"), "{stderr}");
}
