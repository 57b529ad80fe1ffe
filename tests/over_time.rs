//! Compliance over time: devices known by their own id, so last month's report is
//! a baseline for this month's scans saved in other folders.
#![allow(clippy::unwrap_used)]

mod common;

use common::{appaudit, finding_ids, scan_json};
use serde_json::Value;
use std::path::Path;

/// A dumpsys with a dumpstate's `getprop` lines (serial, model) and these packages.
fn dumpstate(serial: &str, packages: &[&str]) -> String {
    let mut text = format!(
        "------ SYSTEM PROPERTIES (getprop) ------\n[ro.product.model]: [Pixel 7]\n[ro.serialno]: [{serial}]\n\
         ------ 0.0s was the duration of 'SYSTEM PROPERTIES' ------\n\
         DUMP OF SERVICE package:\nPackages:\n"
    );
    for p in packages {
        text.push_str(&format!(
            "  Package [{p}] (1a2b3c):\n    versionName=1.0\n    User 0: installed=true hidden=false\n"
        ));
    }
    text
}

fn pm_list(packages: &[&str]) -> String {
    packages.iter().map(|p| format!("package:{p}\n")).collect()
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// `appaudit scan --format json -o OUT INPUTS...`, for a baseline.
fn save_report(out: &Path, inputs: &[&Path]) {
    let done = appaudit()
        .args(["scan", "--format", "json", "-o"])
        .arg(out)
        .args(inputs)
        .output()
        .unwrap();
    assert!(out.exists(), "{}", String::from_utf8_lossy(&done.stderr));
}

fn with_baseline(baseline: &Path, inputs: &[&Path]) -> (i32, Value) {
    let mut args = vec!["--baseline", baseline.to_str().unwrap()];
    args.extend(inputs.iter().map(|p| p.to_str().unwrap()));
    scan_json(&args)
}

fn entries(doc: &Value, key: &str) -> Vec<(String, String)> {
    let mut list: Vec<(String, String)> = doc[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {doc:#}"))
        .iter()
        .map(|e| {
            let device = e["device_id"].as_str().or(e["device"].as_str()).unwrap();
            (device.to_owned(), e["app_id"].as_str().unwrap().to_owned())
        })
        .collect();
    list.sort();
    list
}

#[test]
fn the_same_phones_saved_in_other_folders_are_the_same_devices() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // November: two phones with serials, one without (known by its file name).
    write(
        &d.join("nov/alice.txt"),
        &dumpstate("R58N111", &["com.tencent.mm", "com.zhiliaoapp.musically"]),
    );
    write(
        &d.join("nov/bob.txt"),
        &dumpstate("R58N222", &["com.tencent.mm"]),
    );
    write(&d.join("nov/phone-3.txt"), &pm_list(&["com.tencent.mm"]));
    write(
        &d.join("nov/gone.txt"),
        &dumpstate("R58N999", &["com.tencent.mm"]),
    );
    let nov = d.join("nov.json");
    save_report(&nov, &[&d.join("nov")]);

    // December: saved under other names in another folder; Alice removed TikTok,
    // Bob installed Alipay, the retired phone was not scanned.
    write(
        &d.join("dec/2026-12-01-R58N111.txt"),
        &dumpstate("R58N111", &["com.tencent.mm"]),
    );
    write(
        &d.join("dec/bugreport-bob.txt"),
        &dumpstate(
            "R58N222",
            &["com.tencent.mm", "com.eg.android.AlipayGphone"],
        ),
    );
    write(&d.join("dec/phone-3.txt"), &pm_list(&["com.tencent.mm"]));
    let (code, doc) = with_baseline(&nov, &[&d.join("dec")]);

    assert_eq!(code, 1, "Alipay is new");
    assert_eq!(finding_ids(&doc), vec!["com.eg.android.AlipayGphone"]);
    let ids: Vec<(&str, &str)> = doc["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["id"].as_str().unwrap(), d["id_source"].as_str().unwrap()))
        .collect();
    assert!(ids.contains(&("R58N111", "serial")), "{ids:?}");
    assert!(ids.contains(&("phone-3.txt", "file-name")), "{ids:?}");
    assert_eq!(
        entries(&doc, "removed"),
        vec![("R58N111".into(), "com.zhiliaoapp.musically".into())]
    );
    assert_eq!(
        entries(&doc, "still_present"),
        vec![
            ("R58N111".into(), "com.tencent.mm".into()),
            ("R58N222".into(), "com.tencent.mm".into()),
            ("phone-3.txt".into(), "com.tencent.mm".into()),
        ]
    );
    // Not scanned this time is not "all its findings removed".
    let not_scanned = doc["not_scanned"].as_array().unwrap();
    assert_eq!(not_scanned.len(), 1);
    assert_eq!(not_scanned[0]["device_id"], "R58N999");
    assert_eq!(not_scanned[0]["findings"], 1);

    // Nothing new at all: exit 0 though WeChat is still there.
    std::fs::remove_file(d.join("dec/bugreport-bob.txt")).unwrap();
    let (code, doc) = with_baseline(&nov, &[&d.join("dec")]);
    assert_eq!(code, 0);
    assert!(finding_ids(&doc).is_empty());
}

#[test]
fn machine_roots_and_imports_keep_their_ids_across_folders() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let status =
        "Package: linuxqq\nStatus: install ok installed\nVersion: 3.2.9\nArchitecture: amd64\n\n";
    for (month, folder) in [("nov", "laptop-a"), ("dec", "image-2026-12")] {
        let root = d.join(month).join(folder);
        write(&root.join("var/lib/dpkg/status"), status);
        write(&root.join("etc/machine-id"), "4c4c4544003d3010\n");
        write(&root.join("etc/hostname"), "build-07\n");
    }
    // An inventory CSV whose rows of one device are not adjacent.
    write(
        &d.join("nov/fleet.csv"),
        "device,platform,id\nMAC-1,macos,com.tencent.xinWeChat\nMAC-2,macos,com.apple.Safari\n",
    );
    write(
        &d.join("dec/export.csv"),
        "device,platform,id\nMAC-2,macos,com.apple.Safari\nMAC-1,macos,com.tencent.xinWeChat\n",
    );
    let nov = d.join("nov.json");
    save_report(&nov, &[&d.join("nov/laptop-a"), &d.join("nov/fleet.csv")]);
    let (code, doc) = with_baseline(
        &nov,
        &[&d.join("dec/image-2026-12"), &d.join("dec/export.csv")],
    );
    assert_eq!(code, 0, "{doc:#}");
    let machine = &doc["devices"][0];
    assert_eq!(machine["id"], "4c4c4544003d3010");
    assert_eq!(machine["id_source"], "machine-id");
    assert_eq!(machine["name"], "build-07");
    assert_eq!(doc["devices"][1]["id_source"], "inventory");
    assert_eq!(
        entries(&doc, "still_present"),
        vec![
            ("4c4c4544003d3010".into(), "linuxqq".into()),
            ("MAC-1".into(), "com.tencent.xinWeChat".into()),
        ]
    );
    assert!(doc["removed"].as_array().unwrap().is_empty());
    assert!(doc["not_scanned"].as_array().unwrap().is_empty());
}

#[test]
fn reports_without_ids_are_matched_by_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        &d.join("nov/phone-1.txt"),
        &pm_list(&["com.tencent.mm", "com.zhiliaoapp.musically"]),
    );
    let nov = d.join("nov.json");
    save_report(&nov, &[&d.join("nov/phone-1.txt")]);
    // A report of an earlier appaudit: no `id`, no `id_source`.
    let mut old: Value = serde_json::from_slice(&std::fs::read(&nov).unwrap()).unwrap();
    for device in old["devices"].as_array_mut().unwrap() {
        let device = device.as_object_mut().unwrap();
        device.remove("id");
        device.remove("id_source");
    }
    std::fs::write(&nov, serde_json::to_vec(&old).unwrap()).unwrap();

    write(&d.join("dec/phone-1.txt"), &pm_list(&["com.tencent.mm"]));
    let (code, doc) = with_baseline(&nov, &[&d.join("dec/phone-1.txt")]);
    assert_eq!(code, 0);
    assert_eq!(entries(&doc, "removed").len(), 1);
    assert_eq!(entries(&doc, "still_present").len(), 1);
    assert!(doc["not_scanned"].as_array().unwrap().is_empty());
}

#[test]
fn two_inputs_of_one_device_are_one_device_with_both_evidences() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        &d.join("a/monday.txt"),
        &dumpstate("R58N111", &["com.tencent.mm"]),
    );
    write(
        &d.join("b/friday.txt"),
        &dumpstate("R58N111", &["com.tencent.mm", "com.zhiliaoapp.musically"]),
    );
    let (code, doc) = scan_json(&[
        d.join("a/monday.txt").to_str().unwrap(),
        d.join("b/friday.txt").to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    let devices = doc["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 1, "{doc:#}");
    let phone = &devices[0];
    assert_eq!(phone["name"], "Pixel 7");
    assert!(
        phone["also_from"][0]
            .as_str()
            .unwrap()
            .ends_with("friday.txt")
    );
    let wechat = phone["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["app"]["id"] == "com.tencent.mm")
        .unwrap();
    assert!(
        wechat["evidence"]["path"]
            .as_str()
            .unwrap()
            .ends_with("monday.txt")
    );
    let more = wechat["more_evidence"].as_array().unwrap();
    assert!(
        more[0]["path"].as_str().unwrap().ends_with("friday.txt"),
        "{wechat:#}"
    );
    assert_eq!(finding_ids(&doc).len(), 2);
}

#[test]
fn an_excepted_finding_still_there_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        &d.join("nov/a.txt"),
        &dumpstate("R58N222", &["com.tencent.mm"]),
    );
    let nov = d.join("nov.json");
    save_report(&nov, &[&d.join("nov/a.txt")]);
    write(
        &d.join("dec/b.txt"),
        &dumpstate("R58N222", &["com.tencent.mm"]),
    );
    let exceptions = d.join("exceptions.yaml");
    write(
        &exceptions,
        "exceptions:\n  - devices: [\"R58N2*\"]\n    rule: wechat\n    reason: field office\n    approved_by: CISO\n    approved: 2026-11-01\n    expires: 2027-03-31\n",
    );
    let (code, doc) = scan_json(&[
        "--as-of",
        "2026-12-02",
        "--exceptions",
        exceptions.to_str().unwrap(),
        "--baseline",
        nov.to_str().unwrap(),
        d.join("dec/b.txt").to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert_eq!(doc["still_present"][0]["excepted_until"], "2027-03-31");
    assert_eq!(doc["summary"]["excepted"], 1);
}
