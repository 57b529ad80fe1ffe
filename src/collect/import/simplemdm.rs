//! SimpleMDM's REST API (JSON:API): `{"data": resource}` or `{"data": [resources]}` of
//! `installed_app` resources (`GET /api/v1/devices/{id}/installed_apps`, or one app)
//! and `device` resources (`GET /api/v1/devices/{id}`: facts, no apps). Installed
//! apps do not name their device: a file of them is one device named after the file.

use super::{AppKeys, ImportedDevice, RecordLines, app_from, json_key_opens, text_of};
use crate::collect::CollectError;
use crate::collect::json::key_line;
use crate::model::{Evidence, Platform};
use serde_json::{Map, Value};

/// The `Evidence::format` of this source.
pub const FORMAT: &str = "simplemdm";

const EXPECTED: &str =
    "expected SimpleMDM JSON:API: `data` with `installed_app` or `device` resources";

const KEYS: AppKeys = AppKeys {
    id: &["identifier"],
    name: &["name"],
    version: &["short_version", "version"],
    build: &["version"],
    path: &[],
    publisher: &[],
};

/// Whether `head` looks like SimpleMDM JSON:API resources.
pub fn sniff(head: &str) -> bool {
    (json_key_opens(head, "data", '{') || json_key_opens(head, "data", '['))
        && ["installed_app", "device"].iter().any(|kind| {
            head.contains(&format!("\"type\": \"{kind}\""))
                || head.contains(&format!("\"type\":\"{kind}\""))
        })
}

fn attributes(resource: &Map<String, Value>) -> Option<&Map<String, Value>> {
    resource.get("attributes").and_then(Value::as_object)
}

fn kind(resource: &Map<String, Value>) -> Option<&str> {
    resource.get("type").and_then(Value::as_str)
}

/// A device resource: its name and facts.
fn device(attrs: &Map<String, Value>) -> ImportedDevice {
    let mut properties = Vec::new();
    for (key, property) in [
        ("unique_identifier", "udid"),
        ("serial_number", "serial"),
        ("product_name", "model_identifier"),
        ("model_name", "model"),
        ("os_version", "os_version"),
        ("build_version", "build_version"),
    ] {
        if let Some(value) = text_of(attrs, key) {
            properties.push((property.to_owned(), value));
        }
    }
    ImportedDevice {
        unkept: Default::default(),
        name: text_of(attrs, "device_name").or_else(|| text_of(attrs, "name")),
        platform: Platform::Ios,
        format: FORMAT.to_owned(),
        apps: Vec::new(),
        properties,
        warnings: vec!["a device resource lists no apps".to_owned()],
    }
}

/// Parses SimpleMDM resources: one device per `device`, and one device (named after
/// the file) holding the `installed_app`s.
pub fn parse(text: &str, source: &str) -> Result<Vec<ImportedDevice>, CollectError> {
    let root = super::parse_object(text, EXPECTED)?;
    let resources: Vec<&Map<String, Value>> = match root.get("data") {
        Some(Value::Object(one)) => vec![one],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_object).collect(),
        _ => return Err(EXPECTED.into()),
    };
    let listed = matches!(root.get("data"), Some(Value::Array(_)));
    let mut lines = RecordLines::new(text, source, FORMAT, &["data"], resources.len());
    let mut devices = Vec::new();
    let mut apps = Vec::new();
    let mut other = 0usize;
    for resource in resources {
        let mut evidence = lines.next_evidence();
        match (kind(resource), attributes(resource)) {
            (Some("device"), Some(attrs)) => devices.push(device(attrs)),
            (Some("installed_app"), Some(attrs)) => {
                if !listed {
                    evidence = single_evidence(text, source, attrs);
                }
                match app_from(&KEYS, attrs, Platform::Ios, evidence) {
                    Some(app) => apps.push(app),
                    None => other += 1,
                }
            }
            _ => other += 1,
        }
    }
    if !apps.is_empty() || devices.is_empty() {
        let mut warnings = Vec::new();
        super::warn_skipped(
            &mut warnings,
            other,
            "resource(s) that are not installed apps",
        );
        devices.push(ImportedDevice {
            unkept: Default::default(),
            name: None,
            platform: Platform::Ios,
            format: FORMAT.to_owned(),
            apps,
            properties: Vec::new(),
            warnings,
        });
    }
    Ok(devices)
}

/// The evidence of a lone resource: the line of its `identifier`.
fn single_evidence(text: &str, source: &str, attrs: &Map<String, Value>) -> Evidence {
    let found = text_of(attrs, "identifier")
        .and_then(|id| key_line(text, (0, 1), "identifier", &id).map(|(l, t)| (l, t.to_owned())));
    Evidence {
        path: source.to_owned(),
        line: found.as_ref().map(|(l, _)| *l),
        format: FORMAT.to_owned(),
        excerpt: found.map(|(_, t)| crate::collect::text::excerpt(&t)),
    }
}

/// SimpleMDM resources, as a [`TextSource`](crate::collect::source::TextSource).
pub static SOURCE: super::ImportSource =
    super::ImportSource::new(crate::collect::InputFormat::Simplemdm, sniff, parse);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_list_of_installed_apps_is_one_device() {
        let text = r#"{"data": [
  {"type": "installed_app", "id": 1, "attributes": {"name": "TikTok", "identifier": "com.zhiliaoapp.musically", "version": "36.1.3", "short_version": "36.1"}},
  {"type": "installed_app", "id": 2, "attributes": {"name": "Dropbox", "identifier": "com.getdropbox.Dropbox", "version": "100.2.2"}}
], "has_more": false}"#;
        assert!(sniff(text));
        let devices = parse(text, "apps.json").unwrap();
        assert_eq!(devices.len(), 1);
        let apps = &devices[0].apps;
        assert_eq!(apps[0].version.as_deref(), Some("36.1"));
        assert_eq!(apps[0].build.as_deref(), Some("36.1.3"));
        assert_eq!(apps[1].evidence[0].line, Some(3));
    }

    #[test]
    fn broken_documents_are_errors() {
        assert!(parse("{\"data\": {\"type\": \"device\"", "x").is_err());
        assert!(parse("{\"data\": 5}", "x").is_err());
    }
}
