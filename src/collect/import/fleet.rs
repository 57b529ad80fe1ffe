//! Fleet's software inventory as JSON, in the shapes its REST API returns:
//!
//! - `{"software": [...]}`: `GET /api/v1/fleet/hosts/:id/software` (one host) or
//!   `GET /api/v1/fleet/software/versions` (the whole fleet, read as one device);
//! - `{"host": {"hostname": ..., "software": [...]}}`: `GET /api/v1/fleet/hosts/:id`;
//! - `{"hosts": [{"hostname": ..., "software": [...]}, ...]}`:
//!   `GET /api/v1/fleet/hosts?populate_software=true`, one device per host.
//!
//! Each software item's `source` (the osquery table Fleet read it from) gives its
//! platform and which field is its identifier.

use super::{
    ImportedDevice, array_objects, line_at, main_platform, non_empty, strip_app_suffix,
    warn_skipped,
};
use crate::collect::CollectError;
use crate::model::{App, Evidence, Platform};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The `Evidence::format` of this source.
pub const FORMAT: &str = "fleet-software";

/// Whether `text` looks like a Fleet software JSON: an object with a `"software": [` key
/// (cheap: no full parse).
pub fn sniff(text: &str) -> bool {
    if !text.trim_start().starts_with('{') {
        return false;
    }
    let head = &text[..floor_boundary(text, 64 * 1024)];
    head.match_indices("\"software\"").any(|(at, key)| {
        head[at + key.len()..]
            .trim_start()
            .strip_prefix(':')
            .is_some_and(|rest| rest.trim_start().starts_with('['))
    }) && (head.contains("\"source\"") || head.contains("\"software\": []"))
}

fn floor_boundary(text: &str, max: usize) -> usize {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    end
}

/// What a software source says about its items.
#[derive(Clone, Copy)]
enum IdFrom {
    /// `bundle_identifier`, else the name (macOS `apps`, iOS apps).
    BundleId,
    /// The name: Windows programs, Linux packages, Homebrew formulae.
    Name,
}

/// The platform and identifier field of a Fleet software `source`; `None` for
/// sources that are not apps a rule names (browser extensions, language packages).
fn source_kind(source: &str) -> Option<(Platform, IdFrom)> {
    Some(match source {
        "apps" => (Platform::Macos, IdFrom::BundleId),
        "homebrew_packages" => (Platform::Macos, IdFrom::Name),
        "ios_apps" | "ipados_apps" => (Platform::Ios, IdFrom::BundleId),
        "android_apps" => (Platform::Android, IdFrom::BundleId),
        "programs" | "chocolatey_packages" => (Platform::Windows, IdFrom::Name),
        "deb_packages" | "rpm_packages" | "pacman_packages" | "portage_packages"
        | "flatpak_packages" | "snap_packages" => (Platform::Linux, IdFrom::Name),
        _ => return None,
    })
}

fn field_text(item: &Map<String, Value>, key: &str) -> Option<String> {
    item.get(key).and_then(Value::as_str).and_then(non_empty)
}

/// The app one software item describes, or why not.
fn to_app(item: &Map<String, Value>, evidence: Evidence) -> Result<App, Skip> {
    let source = field_text(item, "source").ok_or(Skip::NoSource)?;
    let (platform, id_from) = source_kind(&source).ok_or(Skip::Source(source.clone()))?;
    let name = field_text(item, "name");
    let bundle =
        field_text(item, "bundle_identifier").or_else(|| field_text(item, "application_id"));
    let id = match id_from {
        IdFrom::BundleId => {
            bundle.or_else(|| name.as_deref().map(|n| strip_app_suffix(n).to_owned()))
        }
        IdFrom::Name => name.clone(),
    }
    .filter(|id| !id.is_empty())
    .ok_or(Skip::NoId)?;
    let mut app = App::new(platform, id, evidence);
    app.name = match source.as_str() {
        "apps" => name.as_deref().and_then(|n| non_empty(strip_app_suffix(n))),
        _ => name,
    };
    let installed = item
        .get("installed_versions")
        .and_then(Value::as_array)
        .and_then(|v| v.first())
        .and_then(Value::as_object);
    app.version =
        field_text(item, "version").or_else(|| installed.and_then(|v| field_text(v, "version")));
    app.publisher = field_text(item, "vendor").or_else(|| field_text(item, "publisher"));
    app.path = installed
        .and_then(|v| v.get("installed_paths"))
        .and_then(Value::as_array)
        .and_then(|p| p.first())
        .and_then(Value::as_str)
        .and_then(non_empty);
    Ok(app)
}

enum Skip {
    NoSource,
    Source(String),
    NoId,
}

/// One host (or the whole fleet) and its software items.
struct Host<'v> {
    object: Option<&'v Map<String, Value>>,
    software: &'v [Value],
}

fn software_of(object: &Map<String, Value>) -> Option<&[Value]> {
    object
        .get("software")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
}

/// The hosts of a Fleet document: the document itself (`software`), one `host`, or
/// every one of `hosts`; `None` when it has none of these.
fn hosts_of(root: &Map<String, Value>) -> Option<Vec<Host<'_>>> {
    let mut hosts: Vec<Host<'_>> = Vec::new();
    if let Some(software) = software_of(root) {
        hosts.push(Host {
            object: None,
            software,
        });
    } else if let Some(host) = root.get("host").and_then(Value::as_object) {
        let software = software_of(host)?;
        hosts.push(Host {
            object: Some(host),
            software,
        });
    } else if let Some(list) = root.get("hosts").and_then(Value::as_array) {
        for host in list.iter().filter_map(Value::as_object) {
            hosts.push(Host {
                object: Some(host),
                software: software_of(host).unwrap_or_default(),
            });
        }
    } else {
        return None;
    }
    Some(hosts)
}

/// A host's name, facts and the platform its apps are on when they do not say.
fn host_facts(
    object: Option<&Map<String, Value>>,
) -> (Option<String>, Vec<(String, String)>, Platform) {
    let field = |key: &str| object.and_then(|o| field_text(o, key));
    let name = field("display_name")
        .or_else(|| field("computer_name"))
        .or_else(|| field("hostname"));
    let mut properties = Vec::new();
    // Fleet's `hardware_serial` and host `uuid` identify the host (model::identify).
    for (key, property) in [
        ("hostname", "hostname"),
        ("platform", "platform"),
        ("os_version", "os_version"),
        ("hardware_serial", "serial"),
        ("uuid", "hardware_uuid"),
    ] {
        if let Some(v) = field(key) {
            properties.push((property.to_owned(), v));
        }
    }
    let fallback = match field("platform").as_deref() {
        Some("darwin") => Platform::Macos,
        Some("windows") => Platform::Windows,
        Some("ios" | "ipados") => Platform::Ios,
        Some("android") => Platform::Android,
        _ => Platform::Linux,
    };
    (name, properties, fallback)
}

/// Parses a Fleet software JSON into one device per host.
pub fn parse(text: &str, source: &str) -> Result<Vec<ImportedDevice>, CollectError> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    const EXPECTED: &str = "expected Fleet software JSON: an object with `software`, \
         `host.software` or `hosts[].software`";
    let Value::Object(root) = &value else {
        return Err(EXPECTED.into());
    };
    let hosts = hosts_of(root).ok_or(EXPECTED)?;
    let starts: Vec<_> = array_objects(text)
        .into_iter()
        .filter(|o| o.key.as_deref() == Some("software"))
        .collect();
    let total: usize = hosts
        .iter()
        .map(|h| h.software.iter().filter(|v| v.is_object()).count())
        .sum();
    // Lines are only trusted when the scan saw exactly the items serde_json read.
    let mut starts = (starts.len() == total).then(|| starts.into_iter());
    let mut devices = Vec::new();
    for host in &hosts {
        let mut apps = Vec::new();
        let mut warnings = Vec::new();
        let mut other_sources: BTreeMap<String, usize> = BTreeMap::new();
        let (mut no_source, mut no_id) = (0usize, 0usize);
        for item in host.software.iter().filter_map(Value::as_object) {
            let start = starts.as_mut().and_then(Iterator::next);
            let evidence = Evidence {
                path: source.to_owned(),
                line: start.as_ref().map(|s| s.line),
                format: FORMAT.to_owned(),
                excerpt: start.as_ref().map(|s| line_at(text, s.offset)),
            };
            match to_app(item, evidence) {
                Ok(app) => apps.push(app),
                Err(Skip::NoSource) => no_source += 1,
                Err(Skip::Source(s)) => *other_sources.entry(s).or_default() += 1,
                Err(Skip::NoId) => no_id += 1,
            }
        }
        if !other_sources.is_empty() {
            let list: Vec<String> = other_sources
                .iter()
                .map(|(s, n)| format!("{s} ({n})"))
                .collect();
            warnings.push(format!(
                "software of sources that are not apps was passed over: {}",
                list.join(", ")
            ));
        }
        warn_skipped(
            &mut warnings,
            no_source,
            "software item(s) without a `source`",
        );
        warn_skipped(
            &mut warnings,
            no_id,
            "software item(s) without a name or bundle id",
        );
        let (name, properties, fallback) = host_facts(host.object);
        devices.push(ImportedDevice {
            unkept: Default::default(),
            name,
            platform: main_platform(&apps, fallback),
            format: FORMAT.to_owned(),
            apps,
            properties,
            warnings,
        });
    }
    if devices.is_empty() {
        return Err("expected Fleet software JSON: `hosts` lists no host"
            .to_owned()
            .into());
    }
    Ok(devices)
}

/// Fleet's software JSON, as a [`TextSource`](crate::collect::source::TextSource).
pub static SOURCE: super::ImportSource =
    super::ImportSource::new(crate::collect::InputFormat::Fleet, sniff, parse);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_host_software_with_sources() {
        let text = r#"{
  "software": [
    {"id": 1, "name": "WeChat.app", "version": "4.0.3", "source": "apps", "bundle_identifier": "com.tencent.xinWeChat"},
    {"id": 2, "name": "WPS Office", "version": "12.2", "source": "programs", "vendor": "Kingsoft Corp."},
    {"id": 3, "name": "uBlock Origin", "source": "chrome_extensions"},
    {"id": 4, "name": "wps-office", "source": "deb_packages", "installed_versions": [{"version": "11.1", "installed_paths": ["/opt/kingsoft"]}]}
  ],
  "count": 4
}"#;
        let devices = parse(text, "fleet.json").unwrap();
        assert_eq!(devices.len(), 1);
        let d = &devices[0];
        let ids: Vec<(&str, Platform, Option<u64>)> = d
            .apps
            .iter()
            .map(|a| (a.id.as_str(), a.platform, a.evidence[0].line))
            .collect();
        assert_eq!(
            ids,
            [
                ("com.tencent.xinWeChat", Platform::Macos, Some(3)),
                ("WPS Office", Platform::Windows, Some(4)),
                ("wps-office", Platform::Linux, Some(6)),
            ]
        );
        assert_eq!(d.apps[0].name.as_deref(), Some("WeChat"));
        assert_eq!(d.apps[1].publisher.as_deref(), Some("Kingsoft Corp."));
        assert_eq!(d.apps[2].version.as_deref(), Some("11.1"));
        assert_eq!(d.apps[2].path.as_deref(), Some("/opt/kingsoft"));
        assert_eq!(
            d.warnings,
            ["software of sources that are not apps was passed over: chrome_extensions (1)"]
        );
    }

    #[test]
    fn reads_hosts_list_one_device_each() {
        let text = r#"{"hosts": [
 {"hostname": "mac-1", "platform": "darwin", "software": [
   {"name": "QQ.app", "source": "apps", "bundle_identifier": "com.tencent.qq"}]},
 {"hostname": "win-1", "platform": "windows", "software": []}
]}"#;
        let devices = parse(text, "hosts.json").unwrap();
        assert_eq!(devices.len(), 2);
        assert_eq!(devices[0].name.as_deref(), Some("mac-1"));
        assert_eq!(devices[0].apps[0].evidence[0].line, Some(3));
        assert_eq!(devices[1].platform, Platform::Windows);
        assert!(devices[1].apps.is_empty());
    }

    #[test]
    fn bad_shapes_are_errors() {
        assert!(
            parse("[1]", "x")
                .unwrap_err()
                .to_string()
                .contains("expected Fleet software JSON")
        );
        assert!(parse("{\"data\": 1}", "x").is_err());
        assert!(
            parse("{\"software\": [", "x")
                .unwrap_err()
                .to_string()
                .starts_with("not valid JSON")
        );
    }

    #[test]
    fn sniffs() {
        assert!(sniff(
            "{\"software\": [{\"name\": \"a\", \"source\": \"apps\"}]}"
        ));
        assert!(sniff(
            "{\"host\": {\"software\" : [ {\"source\": \"programs\"}]}}"
        ));
        assert!(!sniff("{\"software\": \"x\", \"source\": 1}"));
        assert!(!sniff("[{\"software\": []}]"));
    }
}
