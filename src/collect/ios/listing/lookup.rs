//! Listings made of installation_proxy app dictionaries (`CFBundleIdentifier`,
//! `CFBundleShortVersionString`, `CFBundleVersion`, `CFBundleDisplayName`,
//! `ApplicationType`, `SignerIdentity`, `Entitlements`, `Path`...):
//! `ideviceinstaller -o xml` / `--xml` (a plist array), `ideviceinstaller --json`
//! (a JSON array) and `pymobiledevice3 apps list` (a JSON object keyed by bundle id).

use super::head_lines;
use crate::collect::ios::{
    AppList, IosError, Parsed, dict_str, evidence, is_bundle_id, parse_plist,
};
use crate::model::{App, Platform};
use plist::{Dictionary, Value};

/// The format name of `ideviceinstaller --xml`.
pub const XML_FORMAT: &str = "ideviceinstaller-xml";
/// The format name of `ideviceinstaller --json`.
pub const JSON_FORMAT: &str = "ideviceinstaller-json";
/// The format name of `pymobiledevice3 apps list`.
pub const PYMOBILEDEVICE3_FORMAT: &str = "pymobiledevice3-apps";

/// The signer of App Store (and TestFlight) apps; other signers (a developer, an
/// enterprise, an ad hoc profile) mean the app was installed outside the App Store.
const APP_STORE_SIGNER: &str = "Apple iPhone OS Application Signing";

/// A plist (XML or binary) whose root is an array of app dictionaries (an app
/// bundle's own `Info.plist` is a dictionary): `CFBundleIdentifier` near the start, and
/// no `InstalledApplicationList` (an MDM answer).
pub fn sniff_xml(head: &[u8]) -> bool {
    if !contains(head, b"CFBundleIdentifier") || contains(head, b"InstalledApplicationList") {
        return false;
    }
    if head.starts_with(b"bplist00") {
        // A whole small file parses; a cut one must carry installation_proxy's key.
        return match plist::Value::from_reader(std::io::Cursor::new(head)) {
            Ok(value) => value.as_array().is_some(),
            Err(_) => contains(head, b"ApplicationType"),
        };
    }
    let Some(root) = memchr::memmem::find(head, b"<plist").map(|i| &head[i..]) else {
        return false;
    };
    // The root element is the first one inside `<plist>`.
    match (
        memchr::memmem::find(root, b"<array"),
        memchr::memmem::find(root, b"<dict"),
    ) {
        (Some(array), Some(dict)) => array < dict,
        (Some(_), None) => true,
        _ => false,
    }
}

/// A JSON array whose items carry `CFBundleIdentifier`.
pub fn sniff_json(head: &[u8]) -> bool {
    json_start(head) == Some('[') && contains(head, b"\"CFBundleIdentifier\"")
}

/// A JSON object of app dictionaries (`ApplicationType` or `CFBundleIdentifier` inside).
pub fn sniff_pymobiledevice3(head: &[u8]) -> bool {
    json_start(head) == Some('{')
        && (contains(head, b"\"ApplicationType\"") || contains(head, b"\"CFBundleIdentifier\""))
        && !contains(head, b"InstalledApplicationList")
}

fn json_start(head: &[u8]) -> Option<char> {
    head_lines(head, 1).first().and_then(|l| l.chars().next())
}

fn contains(head: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(head, needle).is_some()
}

/// Parses `ideviceinstaller --xml` output: a plist array of app dictionaries.
pub fn parse_xml(bytes: &[u8], path: &str) -> Result<Parsed, IosError> {
    let value = parse_plist(bytes, path)?;
    from_array(value, path, XML_FORMAT)
}

/// Parses `ideviceinstaller --json` output: a JSON array of app dictionaries.
pub fn parse_json(bytes: &[u8], path: &str) -> Result<Parsed, IosError> {
    from_array(json(bytes, path)?, path, JSON_FORMAT)
}

/// Parses `pymobiledevice3 apps list` output: `{ "<bundle id>": { ... }, ... }`.
pub fn parse_pymobiledevice3(bytes: &[u8], path: &str) -> Result<Parsed, IosError> {
    let Value::Dictionary(apps) = json(bytes, path)? else {
        return Err(IosError::format(
            path,
            "not a JSON object keyed by bundle id",
        ));
    };
    let mut out = Out::default();
    for (key, entry) in &apps {
        out.entry(Some(key), entry, path, PYMOBILEDEVICE3_FORMAT);
    }
    Ok(out.finish())
}

/// JSON read into plist values, so every format shares one app reader.
fn json(bytes: &[u8], path: &str) -> Result<Value, IosError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        // Only the position: the message could quote the file.
        IosError::format(
            path,
            format!("not valid JSON (line {}, column {})", e.line(), e.column()),
        )
    })?;
    Ok(to_plist(value).unwrap_or(Value::Dictionary(Dictionary::new())))
}

/// A JSON value as a plist value; `null` (which plists lack) is dropped.
fn to_plist(value: serde_json::Value) -> Option<Value> {
    use serde_json::Value as J;
    Some(match value {
        J::Null => return None,
        J::Bool(b) => Value::Boolean(b),
        J::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Value::Integer(i.into()),
            (_, Some(u), _) => Value::Integer(u.into()),
            (_, _, f) => Value::Real(f.unwrap_or_default()),
        },
        J::String(s) => Value::String(s),
        J::Array(items) => Value::Array(items.into_iter().filter_map(to_plist).collect()),
        J::Object(map) => Value::Dictionary(
            map.into_iter()
                .filter_map(|(k, v)| to_plist(v).map(|v| (k, v)))
                .collect(),
        ),
    })
}

fn from_array(value: Value, path: &str, format: &str) -> Result<Parsed, IosError> {
    let Value::Array(items) = value else {
        return Err(IosError::format(path, "not an array of app dictionaries"));
    };
    let mut out = Out::default();
    for item in &items {
        out.entry(None, item, path, format);
    }
    Ok(out.finish())
}

#[derive(Default)]
struct Out {
    apps: AppList,
    warnings: Vec<String>,
}

impl Out {
    /// One app dictionary; `key` is its bundle id when the listing is keyed by id.
    fn entry(&mut self, key: Option<&str>, entry: &Value, path: &str, format: &str) {
        let Some(dict) = entry.as_dictionary() else {
            return self
                .warnings
                .push(format!("{path}: an entry is not a dictionary: skipped"));
        };
        let id = dict_str(dict, "CFBundleIdentifier").or_else(|| key.map(|k| k.trim().to_owned()));
        match id.filter(|id| is_bundle_id(id)) {
            Some(id) => self.apps.insert(app_from_dict(&id, dict, path, format)),
            None => self.warnings.push(format!(
                "{path}: an entry without a valid CFBundleIdentifier: skipped"
            )),
        }
    }

    fn finish(self) -> Parsed {
        Parsed {
            apps: self.apps.into_vec(),
            properties: Vec::new(),
            warnings: self.warnings,
        }
    }
}

/// An app from an installation_proxy dictionary.
pub(crate) fn app_from_dict(id: &str, dict: &Dictionary, path: &str, format: &str) -> App {
    let mut app = App::new(
        Platform::Ios,
        id,
        evidence(path, format, format!("CFBundleIdentifier: {id}")),
    );
    app.build = dict_str(dict, "CFBundleVersion");
    app.version = dict_str(dict, "CFBundleShortVersionString").or_else(|| app.build.clone());
    app.name = dict_str(dict, "CFBundleDisplayName").or_else(|| dict_str(dict, "CFBundleName"));
    app.path = dict_str(dict, "Path");
    app.team_id = team_id(dict);
    let kind = dict_str(dict, "ApplicationType");
    // `System` and `Hidden` apps are Apple's, part of iOS.
    app.flags.system = matches!(kind.as_deref(), Some("System" | "Hidden"));
    app.flags.side_loaded = kind.as_deref() == Some("User")
        && dict_str(dict, "SignerIdentity").is_some_and(|s| s != APP_STORE_SIGNER);
    app
}

/// The signing Team ID: the `com.apple.developer.team-identifier` entitlement, else
/// the prefix of `application-identifier` (`TEAMID.com.foo`).
fn team_id(dict: &Dictionary) -> Option<String> {
    let entitlements = dict.get("Entitlements")?.as_dictionary()?;
    dict_str(entitlements, "com.apple.developer.team-identifier").or_else(|| {
        let app_id = dict_str(entitlements, "application-identifier")?;
        let (prefix, _) = app_id.split_once('.')?;
        (prefix.len() == 10 && prefix.chars().all(|c| c.is_ascii_alphanumeric()))
            .then(|| prefix.to_owned())
    })
}
