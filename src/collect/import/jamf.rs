//! Jamf Pro inventories as JSON, one device per computer or mobile device:
//!
//! - Classic API `GET /JSSResource/computers/id/N` (`{"computer": {"general", "hardware",
//!   "software": {"applications": [...]}}}`) and `GET /JSSResource/mobiledevices/id/N`
//!   (`{"mobile_device": {"general", "applications": [...]}}`), or lists of such records
//!   (`computers`, `mobile_devices`);
//! - Jamf Pro API `GET /api/v1/computers-inventory?section=APPLICATIONS` and
//!   `GET /api/v2/mobile-devices/detail?section=APPLICATIONS` (`{"results": [...]}`),
//!   or one such record.
//!
//! A computer app without a bundle id (Jamf often leaves it empty) is known by its
//! name only.

use super::{AppKeys, ImportedDevice, RecordLines, app_from, json_key_opens, text_of};
use crate::collect::CollectError;
use crate::model::Platform;
use serde_json::{Map, Value};

/// The `Evidence::format` of this source.
pub const FORMAT: &str = "jamf-inventory";

const EXPECTED: &str = "expected a Jamf Pro inventory: `computer`, `mobile_device`, \
     `computers`, `mobile_devices` or `results` records with applications";

/// Classic API computer apps.
const CLASSIC_COMPUTER: AppKeys = AppKeys {
    id: &["bundle_id"],
    name: &["name"],
    version: &["version"],
    build: &[],
    path: &["path"],
    publisher: &[],
};
/// Classic API mobile device apps: the short version is often empty.
const CLASSIC_MOBILE: AppKeys = AppKeys {
    id: &["identifier"],
    name: &["application_name"],
    version: &["application_short_version", "application_version"],
    build: &["application_version"],
    path: &[],
    publisher: &[],
};
/// Jamf Pro API computer apps.
const PRO_COMPUTER: AppKeys = AppKeys {
    id: &["bundleId"],
    name: &["name"],
    version: &["version"],
    build: &[],
    path: &["path"],
    publisher: &[],
};
/// Jamf Pro API mobile device apps.
const PRO_MOBILE: AppKeys = AppKeys {
    id: &["identifier"],
    name: &["name"],
    version: &["shortVersion", "version"],
    build: &["version"],
    path: &[],
    publisher: &[],
};

/// Whether `head` looks like a Jamf Pro inventory.
pub fn sniff(head: &str) -> bool {
    json_key_opens(head, "computer", '{')
        || json_key_opens(head, "mobile_device", '{')
        || ((json_key_opens(head, "computers", '[') || json_key_opens(head, "mobile_devices", '['))
            && head.contains("\"general\""))
        || (json_key_opens(head, "applications", '[')
            && [
                "\"bundleId\"",
                "\"shortVersion\"",
                "\"mobileDeviceId\"",
                "\"totalCount\"",
            ]
            .iter()
            .any(|k| head.contains(k)))
}

/// One record: its keys, facts and app list.
struct Record<'v> {
    object: &'v Map<String, Value>,
    keys: &'static AppKeys,
    platform: Platform,
    apps: &'v [Value],
}

fn apps_at<'v>(object: &'v Map<String, Value>, path: &[&str]) -> &'v [Value] {
    let mut at = object;
    for key in &path[..path.len().saturating_sub(1)] {
        match at.get(*key).and_then(Value::as_object) {
            Some(next) => at = next,
            None => return &[],
        }
    }
    path.last()
        .and_then(|k| at.get(*k))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn classic(object: &Map<String, Value>, mobile: bool) -> Record<'_> {
    if mobile {
        Record {
            object,
            keys: &CLASSIC_MOBILE,
            platform: Platform::Ios,
            apps: apps_at(object, &["applications"]),
        }
    } else {
        Record {
            object,
            keys: &CLASSIC_COMPUTER,
            platform: Platform::Macos,
            apps: apps_at(object, &["software", "applications"]),
        }
    }
}

/// A Jamf Pro API record: a mobile device when it says so or its apps have `identifier`.
fn pro(object: &Map<String, Value>) -> Record<'_> {
    let mut apps = apps_at(object, &["applications"]);
    if apps.is_empty() {
        apps = apps_at(object, &["ios", "applications"]);
    }
    let mobile = object.contains_key("mobileDeviceId")
        || object.contains_key("deviceType")
        || apps
            .iter()
            .any(|a| a.get("identifier").is_some() || a.get("shortVersion").is_some());
    Record {
        object,
        keys: if mobile { &PRO_MOBILE } else { &PRO_COMPUTER },
        platform: if mobile {
            Platform::Ios
        } else {
            Platform::Macos
        },
        apps,
    }
}

fn records(root: &Map<String, Value>) -> Option<Vec<Record<'_>>> {
    let list = |key: &str| -> Option<Vec<&Map<String, Value>>> {
        root.get(key)
            .and_then(Value::as_array)
            .map(|items| items.iter().filter_map(Value::as_object).collect())
    };
    let one = |key: &str| root.get(key).and_then(Value::as_object);
    Some(if let Some(c) = one("computer") {
        vec![classic(c, false)]
    } else if let Some(m) = one("mobile_device") {
        vec![classic(m, true)]
    } else if let Some(cs) = list("computers") {
        cs.into_iter().map(|c| classic(c, false)).collect()
    } else if let Some(ms) = list("mobile_devices") {
        ms.into_iter().map(|m| classic(m, true)).collect()
    } else if let Some(rs) = list("results") {
        rs.into_iter().map(pro).collect()
    } else if root.get("applications").is_some_and(Value::is_array) {
        vec![pro(root)]
    } else {
        return None;
    })
}

/// The text of the first of `paths` (each a key under `general`, `hardware`... or the
/// record itself) that is present.
fn fact(object: &Map<String, Value>, paths: &[(&str, &str)]) -> Option<String> {
    paths.iter().find_map(|(section, key)| {
        let at = if section.is_empty() {
            Some(object)
        } else {
            object.get(*section).and_then(Value::as_object)
        };
        at.and_then(|o| text_of(o, key))
    })
}

/// The device's name and facts; the udid, serial and Jamf id identify it.
fn facts(object: &Map<String, Value>) -> (Option<String>, Vec<(String, String)>) {
    let name = fact(
        object,
        &[
            ("general", "device_name"),
            ("general", "name"),
            ("general", "displayName"),
            ("general", "display_name"),
            ("", "name"),
        ],
    );
    let wanted: [(&str, &[(&str, &str)]); 6] = [
        ("udid", &[("general", "udid"), ("", "udid")]),
        (
            "serial",
            &[
                ("general", "serial_number"),
                ("hardware", "serialNumber"),
                ("hardware", "serial_number"),
                ("", "serialNumber"),
            ],
        ),
        (
            "host_identifier",
            &[("general", "id"), ("", "mobileDeviceId"), ("", "id")],
        ),
        (
            "model",
            &[
                ("general", "model"),
                ("hardware", "model"),
                ("general", "model_identifier"),
            ],
        ),
        (
            "model_identifier",
            &[
                ("general", "model_identifier"),
                ("hardware", "model_identifier"),
            ],
        ),
        (
            "os_version",
            &[
                ("general", "os_version"),
                ("hardware", "os_version"),
                ("operatingSystem", "version"),
            ],
        ),
    ];
    let properties = wanted
        .iter()
        .filter_map(|(property, paths)| fact(object, paths).map(|v| ((*property).to_owned(), v)))
        .collect();
    (name, properties)
}

/// Parses a Jamf Pro inventory into one device per computer or mobile device.
pub fn parse(text: &str, source: &str) -> Result<Vec<ImportedDevice>, CollectError> {
    let root = super::parse_object(text, EXPECTED)?;
    let records = records(&root).ok_or(EXPECTED)?;
    let total = records
        .iter()
        .map(|r| r.apps.iter().filter(|a| a.is_object()).count())
        .sum();
    let mut lines = RecordLines::new(text, source, FORMAT, &["applications"], total);
    let mut devices = Vec::new();
    for record in &records {
        let mut apps = Vec::new();
        let mut nameless = 0usize;
        for item in record.apps.iter().filter_map(Value::as_object) {
            let evidence = lines.next_evidence();
            match app_from(record.keys, item, record.platform, evidence) {
                Some(app) => apps.push(app),
                None => nameless += 1,
            }
        }
        let mut warnings = Vec::new();
        super::warn_skipped(&mut warnings, nameless, "app(s) with no id or name");
        let (name, properties) = facts(record.object);
        devices.push(ImportedDevice {
            unkept: Default::default(),
            name,
            platform: record.platform,
            format: FORMAT.to_owned(),
            apps,
            properties,
            warnings,
        });
    }
    if devices.is_empty() {
        return Err("expected a Jamf Pro inventory: the list has no device"
            .to_owned()
            .into());
    }
    Ok(devices)
}

/// Jamf Pro inventories, as a [`TextSource`](crate::collect::source::TextSource).
pub static SOURCE: super::ImportSource =
    super::ImportSource::new(crate::collect::InputFormat::Jamf, sniff, parse);

#[cfg(test)]
mod tests;
