//! Microsoft Intune discovered apps as Graph returns them: `{"value": [detectedApp...]}`
//! from `GET /deviceManagement/detectedApps` (the whole tenant, read as one pseudo-device
//! named after the file) or `GET /deviceManagement/managedDevices/{id}/detectedApps`
//! (one device, its id taken from `@odata.context`).
//!
//! A `detectedApp` has `displayName`, `version`, `publisher` and `platform`, and no
//! bundle id or package name: every app is known by its name only, and rules match
//! it by name for review.

use super::{AppKeys, ImportedDevice, RecordLines, app_from, json_key_opens, text_of};
use crate::collect::CollectError;
use crate::model::Platform;
use serde_json::Value;
use std::collections::BTreeMap;

/// The `Evidence::format` of this source.
pub const FORMAT: &str = "intune-detected-apps";

const EXPECTED: &str = "expected Intune detectedApps JSON: an object with a `value` array";

const KEYS: AppKeys = AppKeys {
    id: &[],
    name: &["displayName"],
    version: &["version"],
    build: &[],
    path: &[],
    publisher: &["publisher"],
};

/// Whether `head` looks like a Graph `detectedApps` answer.
pub fn sniff(head: &str) -> bool {
    json_key_opens(head, "value", '[')
        && (head.contains("detectedApps")
            || (head.contains("\"displayName\"") && head.contains("\"deviceCount\"")))
}

/// The platform of a `detectedApp`'s `platform` value; `None` for ChromeOS and `unknown`.
pub fn platform_of(value: &str) -> Option<Platform> {
    let value = value.to_ascii_lowercase();
    if value.starts_with("android") {
        Some(Platform::Android)
    } else if value == "ios" {
        Some(Platform::Ios)
    } else if value == "macos" {
        Some(Platform::Macos)
    } else if value.starts_with("windows") {
        Some(Platform::Windows)
    } else {
        None
    }
}

/// The managed device id an `@odata.context` names (`.../managedDevices('ID')/detectedApps`).
fn device_id(context: &str) -> Option<String> {
    let at = context.find("managedDevices")? + "managedDevices".len();
    let rest = context[at..]
        .trim_start_matches(['(', '\'', '/'])
        .split(['\'', ')', '/'])
        .next()?;
    super::non_empty(rest)
}

/// Parses a `detectedApps` answer into one device (the tenant, or the managed device).
pub fn parse(text: &str, source: &str) -> Result<Vec<ImportedDevice>, CollectError> {
    let root = super::parse_object(text, EXPECTED)?;
    let items = root
        .get("value")
        .and_then(Value::as_array)
        .ok_or(EXPECTED)?;
    let count = items.iter().filter(|v| v.is_object()).count();
    let mut lines = RecordLines::new(text, source, FORMAT, &["value"], count);
    let mut apps = Vec::new();
    let mut other: BTreeMap<String, usize> = BTreeMap::new();
    let mut nameless = 0usize;
    for item in items.iter().filter_map(Value::as_object) {
        let evidence = lines.next_evidence();
        let platform_text = text_of(item, "platform").unwrap_or_else(|| "none".to_owned());
        let Some(platform) = platform_of(&platform_text) else {
            *other.entry(platform_text).or_default() += 1;
            continue;
        };
        match app_from(&KEYS, item, platform, evidence) {
            Some(app) => apps.push(app),
            None => nameless += 1,
        }
    }
    let mut warnings = Vec::new();
    if !other.is_empty() {
        let list: Vec<String> = other.iter().map(|(p, n)| format!("{p} ({n})")).collect();
        warnings.push(format!(
            "apps of platforms appaudit does not read were passed over: {}",
            list.join(", ")
        ));
    }
    super::warn_skipped(&mut warnings, nameless, "app(s) without a displayName");
    let properties = root
        .get("@odata.context")
        .and_then(Value::as_str)
        .and_then(device_id)
        .map(|id| ("host_identifier".to_owned(), id))
        .into_iter()
        .collect();
    Ok(vec![ImportedDevice {
        unkept: Default::default(),
        name: None,
        platform: super::main_platform(&apps, Platform::Windows),
        format: FORMAT.to_owned(),
        apps,
        properties,
        warnings,
    }])
}

/// Intune `detectedApps` JSON, as a [`TextSource`](crate::collect::source::TextSource).
pub static SOURCE: super::ImportSource =
    super::ImportSource::new(crate::collect::InputFormat::Intune, sniff, parse);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_tenant_list_by_name() {
        let text = crate::test_support::own_fixture("imports/intune_detected_apps.json");
        let text = std::fs::read_to_string(text).unwrap();
        assert!(sniff(&text));
        let devices = parse(&text, "detectedApps.json").unwrap();
        assert_eq!(devices.len(), 1);
        let d = &devices[0];
        assert_eq!(d.name, None);
        assert!(d.properties.is_empty());
        let tiktok = d.apps.iter().find(|a| a.id == "TikTok").unwrap();
        assert!(tiktok.flags.no_id);
        assert_eq!(tiktok.platform, Platform::Ios);
        assert_eq!(tiktok.publisher.as_deref(), Some("TikTok Pte. Ltd."));
        assert!(tiktok.evidence[0].line.is_some());
        assert!(d.warnings[0].contains("chromeOS (1)"), "{:?}", d.warnings);
    }

    #[test]
    fn a_managed_device_is_named_by_its_context() {
        let text = r#"{"@odata.context": "https://graph.microsoft.com/beta/$metadata#deviceManagement/managedDevices('6f2c1e5a-0d7b-4f7e-9c1a-2b3c4d5e6f70')/detectedApps",
 "value": [{"id": "x", "displayName": "WeChat", "version": "8.0.49", "platform": "androidWorkProfile", "deviceCount": 1}]}"#;
        let d = &parse(text, "x.json").unwrap()[0];
        assert_eq!(
            d.properties,
            [(
                "host_identifier".to_owned(),
                "6f2c1e5a-0d7b-4f7e-9c1a-2b3c4d5e6f70".to_owned()
            )]
        );
        assert_eq!(d.platform, Platform::Android);
        assert_eq!(d.apps[0].evidence[0].line, Some(2));
    }

    #[test]
    fn broken_documents_are_errors() {
        assert!(parse("{\"value\": [", "x").is_err());
        assert!(parse("{\"value\": 3}", "x").is_err());
        assert!(parse("[]", "x").is_err());
    }
}
