//! Memory that stays flat in the size of one input: a scan without `--inventory`
//! keeps only the apps a rule could match as it streams a dump (issue 16). Peak
//! memory is read from the kernel (`getrusage` of waited children), so this file
//! holds one test: other tests' children would count too.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)]

mod common;
use common::appaudit;
use std::fmt::Write as _;
use std::path::Path;

/// A `dumpsys package` of `packages` blocks of about 880 bytes (the shape of
/// `bench/gen.py dumpsys --shape short`), TikTok among them; every fourth is a system
/// app, the others come from the Play Store.
fn dumpsys(packages: usize) -> String {
    let mut out = String::from("Packages:\n");
    for i in 0..packages {
        let name = if i == packages / 2 {
            "com.zhiliaoapp.musically".to_owned()
        } else {
            format!("com.example{}.app{i}", i % 97)
        };
        let system = i % 4 == 0;
        let _ = write!(
            out,
            "  Package [{name}] ({i:07x}):\n    userId={uid}\n    pkg=Package{{{i:07x} {name}}}\n    \
             codePath=/data/app/~~{i:021x}==/{name}-{i:014x}==\n    resourcePath=/data/app/~~{i:021x}==/{name}-{i:014x}==\n    \
             primaryCpuAbi=arm64-v8a\n    versionCode={vc} minSdk=26 targetSdk=34\n    versionName={a}.{b}.{c}\n    \
             splits=[base]\n    apkSigningVersion=3\n    flags=[ {sys}HAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP ]\n    \
             installPermissionsFixed=true\n    dataDir=/data/user/0/{name}\n    timeStamp=2024-05-06 07:08:09\n    \
             lastUpdateTime=2024-05-06 07:08:09\n    installerPackageName={installer}\n    \
             User 0: ceDataInode={inode} installed=true hidden=false suspended=false stopped=false notLaunched=false enabled=0 instant=false virtual=false\n      \
             firstInstallTime=2024-02-03 10:11:12\n      uninstallReason=0\n",
            uid = 10000 + i,
            vc = 1000 + i,
            a = i % 40,
            b = i % 13,
            c = i % 101,
            sys = if system { "SYSTEM " } else { "" },
            installer = if system {
                "null"
            } else {
                "com.android.vending"
            },
            inode = 100_000 + i,
        );
    }
    out
}

/// The peak resident memory of every child waited for so far, in KiB (Linux).
fn peak_of_children_kib() -> i64 {
    use nix::sys::resource::{UsageWho, getrusage};
    getrusage(UsageWho::RUSAGE_CHILDREN).unwrap().max_rss()
}

fn scan_json(path: &Path, inventory: bool) -> serde_json::Value {
    let mut cmd = appaudit();
    cmd.args(["scan", "--format", "json"]);
    if inventory {
        cmd.arg("--inventory");
    }
    let out = cmd.arg(path).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn peak_memory_for_50000_packages_is_within_20_percent_of_5000() {
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("d5000.txt");
    let large = dir.path().join("d50000.txt");
    std::fs::write(&small, dumpsys(5_000)).unwrap();
    std::fs::write(&large, dumpsys(50_000)).unwrap();

    let report = scan_json(&small, false);
    assert_eq!(report["devices"][0]["apps_scanned"], 5_000);
    let peak_small = peak_of_children_kib();
    let report = scan_json(&large, false);
    assert_eq!(report["devices"][0]["apps_scanned"], 50_000);
    // The maximum over both runs: the larger one cannot hide below the first.
    let peak_both = peak_of_children_kib();
    eprintln!("peak memory: 5,000 packages {peak_small} KiB; with 50,000 {peak_both} KiB");
    assert!(
        peak_both * 100 <= peak_small * 120,
        "peak for 50,000 packages ({peak_both} KiB) is more than 20% over 5,000 ({peak_small} KiB)"
    );

    // What was not kept is still counted, and the findings are those of a scan
    // that keeps every app.
    let inventory = scan_json(&large, true);
    let device = &inventory["devices"][0];
    assert_eq!(device["apps_scanned"], 50_000);
    let filtered = &report["devices"][0];
    assert_eq!(filtered["findings"], device["findings"]);
    assert_eq!(
        filtered["findings"][0]["app"]["id"],
        "com.zhiliaoapp.musically"
    );
}
