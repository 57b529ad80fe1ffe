//! MDM inventories (Jamf Pro, Intune, Kandji, Android Management API, SimpleMDM, Apple
//! MDM responses) scanned end to end through the built binary, with the embedded rules.
#![allow(clippy::unwrap_used)]

mod common;

use common::{scan_json, shared_fixture};
use serde_json::Value;

/// (name, id, id_source, apps_scanned) of every device.
fn devices(doc: &Value) -> Vec<(String, String, String, u64)> {
    doc["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap().to_owned(),
                d["id"].as_str().unwrap().to_owned(),
                d["id_source"].as_str().unwrap().to_owned(),
                d["apps_scanned"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// (device, rule, app id, confidence, match field, line) of every finding.
fn findings(doc: &Value) -> Vec<(String, String, String, String, String, u64)> {
    let mut out = Vec::new();
    for device in doc["devices"].as_array().unwrap() {
        for f in device["findings"].as_array().unwrap() {
            out.push((
                device["name"].as_str().unwrap().to_owned(),
                f["rule"]["id"].as_str().unwrap().to_owned(),
                f["app"]["id"].as_str().unwrap().to_owned(),
                f["confidence"].as_str().unwrap().to_owned(),
                f["match"]["field"].as_str().unwrap().to_owned(),
                f["evidence"]["line"].as_u64().unwrap_or(0),
            ));
        }
    }
    out
}

fn dev(name: &str, id: &str, source: &str, apps: u64) -> (String, String, String, u64) {
    (name.into(), id.into(), source.into(), apps)
}

fn hit(
    device: &str,
    rule: &str,
    app: &str,
    confidence: &str,
    field: &str,
    line: u64,
) -> (String, String, String, String, String, u64) {
    (
        device.into(),
        rule.into(),
        app.into(),
        confidence.into(),
        field.into(),
        line,
    )
}

fn scan(path: &str) -> (i32, Value) {
    let (code, doc) = scan_json(&[path]);
    common::report_schema()
        .validate(&doc)
        .unwrap_or_else(|e| panic!("{path}: report does not fit the schema: {e}"));
    (code, doc)
}

#[test]
fn jamf_classic_computer() {
    let (code, doc) = scan("fixtures/imports/jamf_computer.json");
    assert_eq!(code, 1);
    assert_eq!(
        devices(&doc),
        [dev(
            "ann-mbp",
            "5C2D9F0E-7A1B-4C3D-8E9F-0A1B2C3D4E5F",
            "udid",
            5
        )]
    );
    assert_eq!(doc["devices"][0]["format"], "jamf-inventory");
    // `WeChat Helper` (no bundle id) is a near name: not WeChat.
    assert_eq!(
        findings(&doc),
        [hit(
            "ann-mbp",
            "wechat",
            "com.tencent.xinWeChat",
            "confirmed",
            "id",
            28
        )]
    );
}

#[test]
fn jamf_pro_api_inventory() {
    let (code, doc) = scan("fixtures/imports/jamf_pro_inventory.json");
    assert_eq!(code, 1);
    assert_eq!(
        devices(&doc),
        [
            dev(
                "design-imac-03",
                "0A1B2C3D-4E5F-6A7B-8C9D-0E1F2A3B4C5D",
                "udid",
                2
            ),
            dev("lab-mini-01", "H2WGK3LMQ6NV", "serial", 1),
        ]
    );
    assert_eq!(
        findings(&doc),
        [hit(
            "design-imac-03",
            "tencent-qq",
            "com.tencent.qq",
            "confirmed",
            "id",
            17
        )]
    );
}

#[test]
fn intune_detected_apps_match_by_name_for_review() {
    let (code, doc) = scan("fixtures/imports/intune_detected_apps.json");
    assert_eq!(code, 1);
    let name = "intune_detected_apps.json";
    assert_eq!(devices(&doc), [dev(name, name, "file-name", 7)]);
    assert_eq!(
        findings(&doc),
        [
            hit(name, "tiktok", "TikTok", "review", "name", 5),
            hit(name, "wechat", "WeChat", "review", "name", 32),
        ]
    );
    let f = &doc["devices"][0]["findings"][0];
    assert_eq!(
        f["reason"],
        "matched by name only: the inventory has no bundle id or package name"
    );
    assert_eq!(f["app"]["flags"]["no_id"], true);
}

#[test]
fn intune_app_inventory_csv() {
    let (code, doc) = scan("fixtures/imports/intune_appinvrawdata.csv");
    assert_eq!(code, 1);
    assert_eq!(
        devices(&doc),
        [
            dev(
                "bob-pixel",
                "3f1c9a52-8d4e-4b7a-9e21-6a0d5c7b8e11",
                "inventory",
                2
            ),
            dev(
                "carol-iphone",
                "71d0e2b3-4c5a-4f6e-8a9b-0c1d2e3f4a5b",
                "inventory",
                2
            ),
            dev(
                "dan-laptop",
                "c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f",
                "inventory",
                2
            ),
        ]
    );
    assert_eq!(
        findings(&doc),
        [
            hit(
                "bob-pixel",
                "tiktok",
                "com.zhiliaoapp.musically",
                "confirmed",
                "id",
                2
            ),
            hit(
                "bob-pixel",
                "wechat",
                "com.tencent.mm",
                "confirmed",
                "id",
                4
            ),
            hit(
                "carol-iphone",
                "wechat",
                "com.tencent.xin",
                "confirmed",
                "id",
                6
            ),
            hit("dan-laptop", "tiktok", "TikTok", "review", "name", 5),
        ]
    );
}

#[test]
fn kandji_device_apps() {
    let (code, doc) = scan("fixtures/imports/kandji_device_apps.json");
    assert_eq!(code, 1);
    let name = "kandji_device_apps.json";
    assert_eq!(
        devices(&doc),
        [dev(
            name,
            "8d2c5e1a-3b4f-4a6d-9c7e-1f2a3b4c5d6e",
            "inventory",
            3
        )]
    );
    assert_eq!(
        findings(&doc),
        [hit(
            name,
            "wechat",
            "com.tencent.xinWeChat",
            "confirmed",
            "id",
            4
        )]
    );
}

#[test]
fn android_management_api_devices() {
    let (code, doc) = scan("fixtures/imports/amapi_devices.json");
    assert_eq!(code, 1);
    assert_eq!(
        devices(&doc),
        [
            dev("Pixel 8 Pro", "38141FDJH00ABC", "serial", 2),
            dev("SM-S918B", "R5CT1234XYZ", "serial", 1),
        ]
    );
    assert_eq!(
        findings(&doc),
        [hit(
            "Pixel 8 Pro",
            "tiktok",
            "com.zhiliaoapp.musically",
            "confirmed",
            "id",
            20
        )]
    );
}

#[test]
fn cert_sha1_rules_match_android_management_fingerprints() {
    let (code, doc) = scan_json(&[
        "--no-default-rules",
        "--rules",
        "fixtures/imports/cert_sha1_rule.yaml",
        "fixtures/imports/amapi_devices.json",
    ]);
    assert_eq!(code, 1);
    let f = &doc["devices"][0]["findings"][0];
    assert_eq!(f["rule"]["id"], "test-signed");
    assert_eq!(f["match"]["field"], "cert_sha1");
    assert_eq!(
        f["match"]["value"],
        "000102030405060708090a0b0c0d0e0f10111213"
    );
    assert_eq!(f["app"]["id"], "com.zhiliaoapp.musically");
}

/// A device's name, id, id source and number of apps.
type Expected = (&'static str, &'static str, &'static str, u64);

#[test]
fn shared_third_party_fixtures() {
    let base = "mdm/third_party/";
    let cases: [(&str, Expected); 8] = [
        (
            "demisto+content/Packs/jamf/Integrations/jamfV2/test_data/get_mobile_devices/get_mobile_device_by_id_raw_response.json",
            ("Device 71", "ab12f4c660a311e490b812df261f2c7e", "udid", 18),
        ),
        (
            "guillaumealgis+SimpleMDM-Swift/Tests/Fixtures/InstalledApp_Dropbox.json",
            (
                "InstalledApp_Dropbox.json",
                "InstalledApp_Dropbox.json",
                "file-name",
                1,
            ),
        ),
        (
            "guillaumealgis+SimpleMDM-Swift/Tests/Fixtures/Device_MikesiPhone.json",
            (
                "Mike's iPhone",
                "4A08359C-1D3A-5D3E-939E-FFA6A561321D",
                "udid",
                0,
            ),
        ),
        (
            "zentralopensource+zentral/tests/mdm/testdata/installed_application_list.plist",
            (
                "installed_application_list.plist",
                "9353BC9A-5CF9-4C9E-9AD4-8D1E41D5FE3E",
                "udid",
                2,
            ),
        ),
        (
            "zentralopensource+zentral/tests/mdm/testdata/device_information.plist",
            ("Yolo", "9353BC9A-5CF9-4C9E-9AD4-8D1E41D5FE3E", "udid", 0),
        ),
        (
            "zentralopensource+zentral/tests/mdm/testdata/managed_application_list.plist",
            (
                "managed_application_list.plist",
                "B79EE23C-F5C1-489E-ADC2-DB4A7B3D54FF",
                "udid",
                1,
            ),
        ),
        (
            "mcfedr+plist/tests/fixtures/mdm_request.xml",
            ("mdm_request.xml", "mdm_request.xml", "file-name", 411),
        ),
        (
            "mcfedr+plist/tests/fixtures/mdm_request_1.xml",
            ("mdm_request_1.xml", "mdm_request_1.xml", "file-name", 8),
        ),
    ];
    for (relative, (name, id, source, apps)) in cases {
        let Some(path) = shared_fixture(&format!("{base}{relative}")) else {
            return;
        };
        let (code, doc) = scan(path.to_str().unwrap());
        assert_eq!(code, 0, "{relative}");
        assert_eq!(devices(&doc), [dev(name, id, source, apps)], "{relative}");
    }
}

#[test]
fn a_folder_of_every_mdm_export_with_broken_files() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "jamf_computer.json",
        "jamf_pro_inventory.json",
        "intune_detected_apps.json",
        "intune_appinvrawdata.csv",
        "kandji_device_apps.json",
        "amapi_devices.json",
    ] {
        std::fs::copy(format!("fixtures/imports/{name}"), dir.path().join(name)).unwrap();
    }
    let broken: [(&str, &[u8]); 5] = [
        (
            "truncated_jamf.json",
            b"{\"computer\": {\"general\": {\"name\": \"x\"",
        ),
        (
            "wrong_intune.json",
            b"{\"@odata.context\": \"x#deviceManagement/detectedApps\", \"value\": [{\"displayName\": 7}]]}",
        ),
        (
            "truncated_amapi.json",
            b"{\"devices\": [{\"applicationReports\": [{\"packageName\": ",
        ),
        (
            "wrong_kandji.json",
            b"{\"apps\": [{\"app_name\": 1}], \"device_id\": [}",
        ),
        (
            "binary.json",
            b"{\"apps\": [\x00\x01\x02\xff\xfe\x00\x00\x13\x10",
        ),
    ];
    for (name, bytes) in broken {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let (code, doc) = scan_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 2);
    assert_eq!(doc["summary"]["devices"], 10);
    assert_eq!(doc["summary"]["findings"], 10);
    let errors: Vec<&str> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    for name in [
        "truncated_jamf.json",
        "wrong_intune.json",
        "truncated_amapi.json",
        "wrong_kandji.json",
    ] {
        assert!(
            errors.iter().any(|p| p.ends_with(name)),
            "{name}: {errors:?}"
        );
    }
}

#[test]
fn a_forced_format_that_does_not_fit_is_passed_over() {
    for format in [
        "jamf",
        "intune",
        "kandji",
        "android-management",
        "simplemdm",
    ] {
        let (code, doc) = scan_json(&[
            "--input-format",
            format,
            "fixtures/imports/mdm_discovered_apps.csv",
        ]);
        assert_ne!(code, 1, "{format}");
        assert_eq!(doc["summary"]["devices"], 0, "{format}");
    }
    let (code, doc) = scan_json(&[
        "--input-format",
        "jamf",
        "fixtures/imports/jamf_computer.json",
    ]);
    assert_eq!(code, 1);
    assert_eq!(doc["summary"]["devices"], 1);
}
