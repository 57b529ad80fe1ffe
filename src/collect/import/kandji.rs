//! Kandji's apps of one device: `GET /api/v1/devices/{device_id}/apps` →
//! `{"device_id": ..., "apps": [{"app_name", "bundle_id", "version", "path", "source",
//! "signature", ...}]}`. An app with a `path` is a Mac app, one without an iOS app; an
//! app without a bundle id is known by its name only.

use super::{AppKeys, ImportedDevice, RecordLines, app_from, json_key_opens, text_of};
use crate::collect::CollectError;
use crate::model::Platform;
use serde_json::Value;

/// The `Evidence::format` of this source.
pub const FORMAT: &str = "kandji-device-apps";

const EXPECTED: &str =
    "expected Kandji device apps JSON: an object with an `apps` array of `app_name` items";

const KEYS: AppKeys = AppKeys {
    id: &["bundle_id"],
    name: &["app_name"],
    version: &["version"],
    build: &[],
    path: &["path"],
    publisher: &[],
};

/// Whether `head` looks like Kandji's device apps.
pub fn sniff(head: &str) -> bool {
    json_key_opens(head, "apps", '[') && head.contains("\"app_name\"")
}

/// Parses Kandji's device apps into one device, identified by `device_id`.
pub fn parse(text: &str, source: &str) -> Result<Vec<ImportedDevice>, CollectError> {
    let root = super::parse_object(text, EXPECTED)?;
    let items = root.get("apps").and_then(Value::as_array).ok_or(EXPECTED)?;
    let count = items.iter().filter(|v| v.is_object()).count();
    let mut lines = RecordLines::new(text, source, FORMAT, &["apps"], count);
    let mut apps = Vec::new();
    let mut nameless = 0usize;
    for item in items.iter().filter_map(Value::as_object) {
        let evidence = lines.next_evidence();
        let platform = if text_of(item, "path").is_some() {
            Platform::Macos
        } else {
            Platform::Ios
        };
        match app_from(&KEYS, item, platform, evidence) {
            Some(app) => apps.push(app),
            None => nameless += 1,
        }
    }
    let mut warnings = Vec::new();
    super::warn_skipped(&mut warnings, nameless, "app(s) with no bundle id or name");
    let mut properties = Vec::new();
    for (key, property) in [
        ("device_id", "host_identifier"),
        ("serial_number", "serial"),
    ] {
        if let Some(value) = text_of(&root, key) {
            properties.push((property.to_owned(), value));
        }
    }
    Ok(vec![ImportedDevice {
        unkept: Default::default(),
        name: text_of(&root, "device_name"),
        platform: super::main_platform(&apps, Platform::Macos),
        format: FORMAT.to_owned(),
        apps,
        properties,
        warnings,
    }])
}

/// Kandji device apps, as a [`TextSource`](crate::collect::source::TextSource).
pub static SOURCE: super::ImportSource =
    super::ImportSource::new(crate::collect::InputFormat::Kandji, sniff, parse);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_fixture() {
        let path = crate::test_support::own_fixture("imports/kandji_device_apps.json");
        let text = std::fs::read_to_string(path).unwrap();
        assert!(sniff(&text));
        let d = &parse(&text, "kandji.json").unwrap()[0];
        assert_eq!(d.platform, Platform::Macos);
        assert_eq!(d.properties[0].0, "host_identifier");
        let wechat = d
            .apps
            .iter()
            .find(|a| a.id == "com.tencent.xinWeChat")
            .unwrap();
        assert_eq!(wechat.name.as_deref(), Some("WeChat"));
        assert_eq!(wechat.path.as_deref(), Some("/Applications/WeChat.app"));
        assert!(wechat.evidence[0].line.is_some());
        assert!(d.apps.iter().any(|a| a.flags.no_id));
    }

    #[test]
    fn broken_documents_are_errors() {
        assert!(parse("{\"apps\": [{\"app_name\": ", "x").is_err());
        assert!(parse("{\"apps\": {}}", "x").is_err());
    }
}
