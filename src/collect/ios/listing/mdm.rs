//! Apple MDM `InstalledApplicationList` responses, as MDM servers store them: a plist
//! dictionary (`CommandUUID`, `Status`, `UDID`, `InstalledApplicationList`), or the bare
//! array. Each item: `Identifier`, `Name`, `Version`, `ShortVersion`, `Source`,
//! `DistributorIdentifier`, `AdHocCodeSigned`... (apple/device-management
//! `mdm/commands/application.installed.list.yaml`).

use crate::collect::ios::{
    AppList, IosError, Parsed, dict_bool, dict_str, evidence, is_bundle_id,
    is_third_party_installer, parse_plist,
};
use crate::model::{App, Platform};
use plist::{Dictionary, Value};

/// The format name of an MDM `InstalledApplicationList` response.
pub const FORMAT: &str = "mdm-installed-application-list";

/// A plist naming `InstalledApplicationList` in its first bytes.
pub fn sniff(head: &[u8]) -> bool {
    let plist = head.starts_with(b"bplist00")
        || memchr::memmem::find(&head[..head.len().min(512)], b"<plist").is_some()
        || head.trim_ascii_start().starts_with(b"<?xml");
    plist && memchr::memmem::find(head, b"InstalledApplicationList").is_some()
}

/// Parses a response. Control characters that make the XML invalid (real responses
/// hold some) are dropped, with a warning.
pub fn parse(bytes: &[u8], path: &str) -> Result<Parsed, IosError> {
    let mut warnings = Vec::new();
    let value = match parse_plist(bytes, path) {
        Ok(value) => value,
        Err(e) if bytes.starts_with(b"bplist00") => return Err(e),
        Err(e) => {
            let cleaned: Vec<u8> = bytes
                .iter()
                .copied()
                .filter(|b| *b >= 0x20 || matches!(b, b'\t' | b'\n' | b'\r'))
                .collect();
            if cleaned.len() == bytes.len() {
                return Err(e);
            }
            warnings.push(format!(
                "{path}: {} control character(s) that XML forbids were dropped",
                bytes.len() - cleaned.len()
            ));
            parse_plist(&cleaned, path)?
        }
    };
    let (items, udid) = match &value {
        Value::Dictionary(dict) => (
            dict.get("InstalledApplicationList")
                .and_then(Value::as_array),
            dict_str(dict, "UDID"),
        ),
        Value::Array(items) => (Some(items), None),
        _ => (None, None),
    };
    let items = items.ok_or_else(|| IosError::format(path, "no InstalledApplicationList array"))?;
    let mut apps = AppList::default();
    for item in items {
        match item.as_dictionary().and_then(|d| app(d, path)) {
            Some(app) => apps.insert(app),
            None => warnings.push(format!(
                "{path}: an InstalledApplicationList item without a valid Identifier: skipped"
            )),
        }
    }
    let properties = udid.map(|u| ("udid".to_owned(), u)).into_iter().collect();
    Ok(Parsed {
        apps: apps.into_vec(),
        properties,
        warnings,
    })
}

/// One item. Side-loaded when ad hoc signed, or distributed by someone other than
/// Apple (an alternative marketplace, iOS 17.4+).
fn app(item: &Dictionary, path: &str) -> Option<App> {
    let id = dict_str(item, "Identifier").filter(|id| is_bundle_id(id))?;
    let mut app = App::new(
        Platform::Ios,
        &id,
        evidence(path, FORMAT, format!("Identifier: {id}")),
    );
    app.name = dict_str(item, "Name");
    app.build = dict_str(item, "Version");
    app.version = dict_str(item, "ShortVersion").or_else(|| app.build.clone());
    let distributor = dict_str(item, "DistributorIdentifier");
    app.flags.side_loaded = dict_bool(item, "AdHocCodeSigned")
        || distributor.as_deref().is_some_and(is_third_party_installer);
    app.installer = distributor.or_else(|| dict_str(item, "Source"));
    Some(app)
}
