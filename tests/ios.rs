//! iPhones and iPads through the built binary: backups (real and own), saved
//! listings, a folder of backups, broken files, and no personal data in any output.
#![allow(clippy::unwrap_used)]

mod common;

use common::{appaudit, finding_ids, scan_json, shared_fixture};
use std::path::Path;

const MVT_BACKUP: &str = "ios/third_party/mvt-project+mvt/tests/artifacts/ios_backup";

/// The six user apps of MVT's test backup (its README lists them).
const MVT_APPS: [&str; 6] = [
    "ph.telegra.Telegraph",
    "com.google.Gmail",
    "ch.icoaching.typewise",
    "com.google.chrome.ios",
    "net.whatsapp.WhatsApp",
    "org.mozilla.ios.Firefox",
];

fn property<'a>(device: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    device["properties"]
        .as_array()?
        .iter()
        .find(|p| p[0] == key)
        .and_then(|p| p[1].as_str())
}

#[test]
fn mvt_backup_gives_its_six_user_apps_and_device_facts() {
    let Some(dir) = shared_fixture(MVT_BACKUP) else {
        return;
    };
    let (code, doc) = scan_json(&["--inventory", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{doc:#}");
    let device = &doc["devices"][0];
    assert_eq!(device["platform"], "ios");
    assert_eq!(device["format"], "ios-backup");
    assert_eq!(device["name"], "iPhone");
    assert_eq!(property(device, "product_type"), Some("iPhone9,3"));
    assert_eq!(property(device, "ios_version"), Some("14.3"));
    assert_eq!(property(device, "build"), Some("18C66"));
    let user: Vec<&str> = device["apps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["flags"]["system"] != true)
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    let mut expected = MVT_APPS.to_vec();
    expected.sort_unstable();
    let mut got = user.clone();
    got.sort_unstable();
    assert_eq!(got, expected);
    // Each user app is seen in both files: Info.plist and Manifest.db.
    let telegram = device["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "ph.telegra.Telegraph")
        .unwrap();
    let places: Vec<&str> = telegram["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert!(
        places.iter().any(|p| p.ends_with("Info.plist")),
        "{places:?}"
    );
    assert!(
        places.iter().any(|p| p.ends_with("Manifest.db")),
        "{places:?}"
    );
}

#[test]
fn listings_of_every_format_find_tiktok() {
    for name in [
        "ideviceinstaller-1.1.0.txt",
        "ideviceinstaller-1.1.1.txt",
        "ideviceinstaller-json.json",
        "ideviceinstaller-xml.plist",
        "pymobiledevice3-apps.json",
        "mdm-installed-application-list.plist",
    ] {
        let path = format!("fixtures/ios/listings/{name}");
        let (code, doc) = scan_json(&[&path]);
        assert_eq!(code, 1, "{name}");
        assert_eq!(doc["devices"][0]["platform"], "ios", "{name}");
        assert!(
            finding_ids(&doc).contains(&"com.zhiliaoapp.musically".to_string()),
            "{name}: {:?}",
            finding_ids(&doc)
        );
    }
}

#[test]
fn a_folder_of_backups_is_one_device_each_and_broken_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let copy = |from: &str, to: &str| {
        let target = dir.path().join(to);
        std::fs::create_dir_all(&target).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), target.join(entry.file_name())).unwrap();
        }
    };
    copy("fixtures/ios/backup_xml", "00008101-AAAA");
    copy("fixtures/ios/backup_encrypted", "00008101-BBBB");
    copy("fixtures/ios/backup_xml", "00008101-CCCC");
    std::fs::write(
        dir.path().join("00008101-CCCC/Manifest.db"),
        b"not sqlite at all",
    )
    .unwrap();
    let (code, doc) = scan_json(&[dir.path().to_str().unwrap()]);
    // The broken Manifest.db is an input error (exit 2) naming its path; every
    // backup is still read.
    assert_eq!(code, 2);
    // AAAA and CCCC are copies of one backup: the same UDID, so one device read
    // from both folders.
    let devices = doc["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 2);
    let twice = devices.iter().find(|d| d["also_from"].is_array()).unwrap();
    assert_eq!(twice["id_source"], "udid");
    assert!(
        twice["also_from"][0]
            .as_str()
            .unwrap()
            .ends_with("00008101-CCCC")
    );
    let errors = doc["errors"].to_string();
    assert!(errors.contains("00008101-CCCC/Manifest.db"), "{errors}");
    let encrypted = doc["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["source"].as_str().unwrap().ends_with("BBBB"))
        .unwrap();
    assert!(
        encrypted["warnings"].to_string().contains("encrypted"),
        "{encrypted:#}"
    );
}

#[test]
fn no_personal_data_reaches_any_output() {
    const PERSONAL: [&str; 6] = [
        "jane.fixture@example.com",
        "998877665544",
        "Janefixture",
        "Doefixture",
        "Jane Fixture-Doe",
        "112233445566",
    ];
    for format in [
        "table", "json", "ndjson", "csv", "sarif", "markdown", "html",
    ] {
        let out = appaudit()
            .args(["-vv", "scan", "--inventory", "--format", format])
            .arg(Path::new("fixtures/ios/backup_xml"))
            .output()
            .unwrap();
        let all = [out.stdout, out.stderr].concat();
        let text = String::from_utf8_lossy(&all);
        for value in PERSONAL {
            assert!(!text.contains(value), "{format}: `{value}` in the output");
        }
    }
}

#[test]
fn a_resigned_bundle_id_is_a_review_finding() {
    let dir = tempfile::tempdir().unwrap();
    let listing = dir.path().join("apps.txt");
    std::fs::write(
        &listing,
        "Total: 3 apps\ncom.zhiliaoapp.musically.QWER789 - TikTok 34.5.0\ncom.zhiliaoapp.musically - TikTok 34.5.0\ncom.zhiliaoappx.other - Other 1.0\n",
    )
    .unwrap();
    let (code, doc) = scan_json(&[listing.to_str().unwrap()]);
    assert_eq!(code, 1);
    let findings = doc["devices"][0]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "{findings:#?}");
    let resigned = findings
        .iter()
        .find(|f| f["app"]["id"] == "com.zhiliaoapp.musically.QWER789")
        .unwrap();
    assert_eq!(resigned["confidence"], "review");
    assert_eq!(resigned["match"]["kind"], "extends");
    assert!(resigned["reason"].as_str().unwrap().contains("re-signed"));
    let original = findings
        .iter()
        .find(|f| f["app"]["id"] == "com.zhiliaoapp.musically")
        .unwrap();
    assert_eq!(original["confidence"], "confirmed");
}
