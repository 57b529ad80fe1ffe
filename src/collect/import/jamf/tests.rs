#![allow(clippy::unwrap_used)]

use super::*;
use crate::test_support::{own_fixture, shared_fixture};

fn read(path: std::path::PathBuf) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn property<'d>(d: &'d ImportedDevice, key: &str) -> Option<&'d str> {
    d.properties
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

#[test]
fn classic_mobile_device_of_the_shared_fixture() {
    let Some(path) = shared_fixture(
        "mdm/third_party/demisto+content/Packs/jamf/Integrations/jamfV2/test_data/\
         get_mobile_devices/get_mobile_device_by_id_raw_response.json",
    ) else {
        return;
    };
    let text = read(path);
    assert!(sniff(&text));
    let devices = parse(&text, "jamf.json").unwrap();
    assert_eq!(devices.len(), 1);
    let d = &devices[0];
    assert_eq!(d.name.as_deref(), Some("Device 71"));
    assert_eq!(d.platform, Platform::Ios);
    assert_eq!(property(d, "serial"), Some("AB44F4D060A3"));
    assert_eq!(
        property(d, "udid"),
        Some("ab12f4c660a311e490b812df261f2c7e")
    );
    assert_eq!(d.apps.len(), 18);
    let expect = [
        ("com.agilebits.onepassword-ios", "1Password", "500103"),
        ("Gemini.ProCam-XL-2", "ProCam XL", "3.08"),
        ("com.google.ios.youtube", "YouTube", "2.10.2.11369"),
    ];
    for (id, name, version) in expect {
        let app = d.apps.iter().find(|a| a.id == id).unwrap();
        assert_eq!(app.name.as_deref(), Some(name));
        assert_eq!(app.version.as_deref(), Some(version));
        assert!(!app.flags.no_id);
        assert!(app.evidence[0].line.is_some());
    }
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn classic_computer_apps_without_bundle_id_are_known_by_name() {
    let text = read(own_fixture("imports/jamf_computer.json"));
    assert!(sniff(&text));
    let d = &parse(&text, "jamf_computer.json").unwrap()[0];
    assert_eq!(d.name.as_deref(), Some("ann-mbp"));
    assert_eq!(d.platform, Platform::Macos);
    assert_eq!(property(d, "serial"), Some("C02ZK1ABMD6M"));
    let ids: Vec<(&str, bool, Option<u64>)> = d
        .apps
        .iter()
        .map(|a| (a.id.as_str(), a.flags.no_id, a.evidence[0].line))
        .collect();
    assert_eq!(
        ids,
        [
            ("com.apple.Safari", false, Some(22)),
            ("com.tencent.xinWeChat", false, Some(28)),
            ("QQ", true, Some(34)),
            ("WeChat Helper", true, Some(40)),
            ("com.microsoft.Word", false, Some(46)),
        ]
    );
    assert_eq!(d.apps[1].path.as_deref(), Some("/Applications/WeChat.app"));
    assert_eq!(d.apps[1].name.as_deref(), Some("WeChat"));
}

#[test]
fn pro_api_inventory_is_one_device_per_result() {
    let text = read(own_fixture("imports/jamf_pro_inventory.json"));
    assert!(sniff(&text));
    let devices = parse(&text, "inventory.json").unwrap();
    assert_eq!(devices.len(), 2);
    assert_eq!(devices[0].name.as_deref(), Some("design-imac-03"));
    assert_eq!(
        property(&devices[0], "udid"),
        Some("0A1B2C3D-4E5F-6A7B-8C9D-0E1F2A3B4C5D")
    );
    assert_eq!(property(&devices[1], "serial"), Some("H2WGK3LMQ6NV"));
    assert_eq!(devices[0].apps[0].id, "com.tencent.qq");
    assert_eq!(devices[1].apps[0].platform, Platform::Macos);
}

#[test]
fn pro_api_mobile_devices() {
    let text = r#"{"totalCount": 1, "results": [{"mobileDeviceId": "5", "deviceType": "iOS",
 "general": {"displayName": "Front desk iPad", "udid": "00008030-001A2B3C4D5E802E"},
 "hardware": {"serialNumber": "DMPXK2LQJF8J"},
 "applications": [{"identifier": "com.zhiliaoapp.musically", "name": "TikTok", "version": "36.1.3", "shortVersion": "36.1"}]}]}"#;
    assert!(sniff(text));
    let d = &parse(text, "m.json").unwrap()[0];
    assert_eq!(d.platform, Platform::Ios);
    assert_eq!(d.name.as_deref(), Some("Front desk iPad"));
    assert_eq!(property(d, "udid"), Some("00008030-001A2B3C4D5E802E"));
    assert_eq!(d.apps[0].version.as_deref(), Some("36.1"));
    assert_eq!(d.apps[0].build.as_deref(), Some("36.1.3"));
}

#[test]
fn broken_documents_are_errors() {
    assert!(parse("{\"computer\": {", "x").is_err());
    assert!(parse("{\"computers\": []}", "x").is_err());
    assert!(parse("{\"other\": 1}", "x").is_err());
    assert!(sniff("{\"computer\": {\"general\""));
}
