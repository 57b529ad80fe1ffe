//! Google Android Management API devices: `enterprises.devices.get` (one `Device`) or
//! `enterprises.devices.list` (`{"devices": [...]}`). Each device's
//! `applicationReports` (present when the policy turns on application reports) are its
//! apps: `packageName`, `versionName`, `versionCode`, `displayName`,
//! `installerPackageName`, `applicationSource`, `state`, and `signingKeyCertFingerprints`
//! (base64 SHA-1 digests, kept as lowercase hex in `cert_sha1`).

use super::{ImportedDevice, RecordLines, json_key_opens, non_empty, text_of};
use crate::collect::CollectError;
use crate::model::{App, Evidence, Platform};
use base64::Engine;
use serde_json::{Map, Value};

/// The `Evidence::format` of this source.
pub const FORMAT: &str = "android-management-device";

const EXPECTED: &str = "expected Android Management API devices: a `Device` \
     (`name`: enterprises/.../devices/...) or `{\"devices\": [...]}`";

/// Whether `head` looks like an Android Management API device or device list.
pub fn sniff(head: &str) -> bool {
    json_key_opens(head, "applicationReports", '[')
        || (head.contains("\"enterprises/") && head.contains("\"hardwareInfo\""))
}

/// A base64 SHA-1 digest as lowercase hex; `None` when it is not one.
pub fn sha1_hex(base64_digest: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64_digest.trim())
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(base64_digest.trim()))
        .ok()?;
    (bytes.len() == 20).then(|| bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// What became of one application report.
enum Report {
    App(Box<App>),
    Removed,
    NoPackage,
}

fn report(item: &Map<String, Value>, evidence: Evidence) -> Report {
    let Some(package) = text_of(item, "packageName") else {
        return Report::NoPackage;
    };
    if text_of(item, "state").as_deref() == Some("REMOVED") {
        return Report::Removed;
    }
    let mut app = App::new(Platform::Android, package, evidence);
    app.name = text_of(item, "displayName");
    app.version = text_of(item, "versionName");
    app.build = text_of(item, "versionCode");
    app.installer = text_of(item, "installerPackageName");
    app.flags.system =
        text_of(item, "applicationSource").is_some_and(|s| s.starts_with("SYSTEM_APP"));
    app.cert_sha1 = item
        .get("signingKeyCertFingerprints")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(sha1_hex)
        .collect();
    Report::App(Box::new(app))
}

fn facts(device: &Map<String, Value>) -> Vec<(String, String)> {
    let hardware = device.get("hardwareInfo").and_then(Value::as_object);
    let software = device.get("softwareInfo").and_then(Value::as_object);
    let mut properties = Vec::new();
    let mut add = |key: &str, value: Option<String>| {
        if let Some(value) = value.and_then(|v| non_empty(&v)) {
            properties.push((key.to_owned(), value));
        }
    };
    add("serial", hardware.and_then(|h| text_of(h, "serialNumber")));
    add("host_identifier", text_of(device, "name"));
    add("brand", hardware.and_then(|h| text_of(h, "brand")));
    add("model", hardware.and_then(|h| text_of(h, "model")));
    add(
        "android_version",
        software.and_then(|s| text_of(s, "androidVersion")),
    );
    properties
}

fn reports(device: &Map<String, Value>) -> &[Value] {
    device
        .get("applicationReports")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Parses Android Management API devices into one device each.
pub fn parse(text: &str, source: &str) -> Result<Vec<ImportedDevice>, CollectError> {
    let root = super::parse_object(text, EXPECTED)?;
    let devices: Vec<&Map<String, Value>> = match root.get("devices").and_then(Value::as_array) {
        Some(list) => list.iter().filter_map(Value::as_object).collect(),
        None if root.contains_key("applicationReports") || root.contains_key("hardwareInfo") => {
            vec![&root]
        }
        None => return Err(EXPECTED.into()),
    };
    let total = devices
        .iter()
        .map(|d| reports(d).iter().filter(|r| r.is_object()).count())
        .sum();
    let mut lines = RecordLines::new(text, source, FORMAT, &["applicationReports"], total);
    let mut out = Vec::new();
    for device in devices {
        let (mut apps, mut removed, mut no_package) = (Vec::new(), 0usize, 0usize);
        for item in reports(device).iter().filter_map(Value::as_object) {
            match report(item, lines.next_evidence()) {
                Report::App(app) => apps.push(*app),
                Report::Removed => removed += 1,
                Report::NoPackage => no_package += 1,
            }
        }
        let mut warnings = Vec::new();
        if !device.contains_key("applicationReports") {
            warnings
                .push("no applicationReports: the device's policy does not report apps".to_owned());
        }
        super::warn_skipped(&mut warnings, removed, "app report(s) of removed apps");
        super::warn_skipped(
            &mut warnings,
            no_package,
            "app report(s) without a packageName",
        );
        out.push(ImportedDevice {
            unkept: Default::default(),
            name: None,
            platform: Platform::Android,
            format: FORMAT.to_owned(),
            apps,
            properties: facts(device),
            warnings,
        });
    }
    if out.is_empty() {
        return Err(
            "expected Android Management API devices: `devices` lists none"
                .to_owned()
                .into(),
        );
    }
    Ok(out)
}

/// Android Management API devices, as a [`TextSource`](crate::collect::source::TextSource).
pub static SOURCE: super::ImportSource =
    super::ImportSource::new(crate::collect::InputFormat::AndroidManagement, sniff, parse);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_hex_sha1() {
        assert_eq!(
            sha1_hex("AAECAwQFBgcICQoLDA0ODxAREhM=").as_deref(),
            Some("000102030405060708090a0b0c0d0e0f10111213")
        );
        assert_eq!(sha1_hex("AAEC"), None);
        assert_eq!(sha1_hex("not base64!"), None);
    }

    #[test]
    fn reads_a_device_list() {
        let path = crate::test_support::own_fixture("imports/amapi_devices.json");
        let text = std::fs::read_to_string(path).unwrap();
        assert!(sniff(&text));
        let devices = parse(&text, "devices.json").unwrap();
        assert_eq!(devices.len(), 2);
        let first = &devices[0];
        assert!(first.properties.iter().any(|(k, _)| k == "serial"));
        let tiktok = first
            .apps
            .iter()
            .find(|a| a.id == "com.zhiliaoapp.musically")
            .unwrap();
        assert_eq!(tiktok.cert_sha1.len(), 1);
        assert_eq!(tiktok.cert_sha1[0].len(), 40);
        assert!(tiktok.evidence[0].line.is_some());
        assert!(first.apps.iter().any(|a| a.flags.system));
    }

    #[test]
    fn broken_documents_are_errors() {
        assert!(parse("{\"devices\": [", "x").is_err());
        assert!(parse("{\"other\": 1}", "x").is_err());
    }
}
