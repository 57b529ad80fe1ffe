//! Apple MDM `InstalledApplicationList` responses, as MDM servers store them: a plist
//! dictionary (`CommandUUID`, `Status`, `UDID`, `InstalledApplicationList`), or the bare
//! array. Each item: `Identifier`, `Name`, `Version`, `ShortVersion`, `Source`,
//! `DistributorIdentifier`, `AdHocCodeSigned`... (apple/device-management
//! `mdm/commands/application.installed.list.yaml`).

use crate::collect::ios::device::Facts;
use crate::collect::ios::{
    AppList, IosError, Parsed, dict_bool, dict_str, evidence, is_third_party_installer, parse_plist,
};
use crate::model::{App, Platform};
use plist::{Dictionary, Value};

/// The format name of an MDM `InstalledApplicationList` response.
pub const FORMAT: &str = "mdm-installed-application-list";
/// The format name of an MDM `ManagedApplicationList` response.
pub const MANAGED_FORMAT: &str = "mdm-managed-application-list";
/// The format name of an MDM `DeviceInformation` response.
pub const DEVICE_INFORMATION_FORMAT: &str = "mdm-device-information";

fn is_plist(head: &[u8]) -> bool {
    head.starts_with(b"bplist00")
        || memchr::memmem::find(&head[..head.len().min(512)], b"<plist").is_some()
        || head.trim_ascii_start().starts_with(b"<?xml")
}

/// A plist naming `InstalledApplicationList` in its first bytes.
pub fn sniff(head: &[u8]) -> bool {
    is_plist(head) && memchr::memmem::find(head, b"InstalledApplicationList").is_some()
}

/// A plist naming `ManagedApplicationList` in its first bytes.
pub fn sniff_managed(head: &[u8]) -> bool {
    is_plist(head) && memchr::memmem::find(head, b"ManagedApplicationList").is_some()
}

/// A plist holding `QueryResponses` (a `DeviceInformation` response).
pub fn sniff_device_information(head: &[u8]) -> bool {
    is_plist(head) && memchr::memmem::find(head, b"QueryResponses").is_some()
}

/// The response as a plist value. Control characters that make the XML invalid (real
/// responses hold some) are dropped, with a warning.
fn tolerant_plist(bytes: &[u8], path: &str, warnings: &mut Vec<String>) -> Result<Value, IosError> {
    match parse_plist(bytes, path) {
        Ok(value) => Ok(value),
        Err(e) if bytes.starts_with(b"bplist00") => Err(e),
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
            parse_plist(&cleaned, path)
        }
    }
}

/// Parses an `InstalledApplicationList` response.
pub fn parse(bytes: &[u8], path: &str) -> Result<Parsed, IosError> {
    let mut warnings = Vec::new();
    let value = tolerant_plist(bytes, path, &mut warnings)?;
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
    let mut skipped = 0usize;
    for item in items {
        match item.as_dictionary().and_then(|d| app(d, path)) {
            Some(app) => apps.insert(app),
            None => skipped += 1,
        }
    }
    if skipped > 0 {
        warnings.push(format!(
            "{path}: {skipped} InstalledApplicationList item(s) without a valid Identifier \
             (a web clip has none): skipped"
        ));
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
    let id = dict_str(item, "Identifier").filter(|id| is_identifier(id))?;
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

/// An MDM `Identifier`: a bundle id, which old apps wrote without a dot (`iadpachi`).
fn is_identifier(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 255
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// The UDID property of a response, when it names one.
fn udid_property(dict: &Dictionary) -> Vec<(String, String)> {
    dict_str(dict, "UDID")
        .map(|u| ("udid".to_owned(), u))
        .into_iter()
        .collect()
}

/// Parses a `ManagedApplicationList` response: a dictionary keyed by bundle id (no
/// versions). Apps the MDM reports as no longer there are skipped.
pub fn parse_managed(bytes: &[u8], path: &str) -> Result<Parsed, IosError> {
    let mut warnings = Vec::new();
    let value = tolerant_plist(bytes, path, &mut warnings)?;
    let dict = value.as_dictionary();
    let list = dict
        .and_then(|d| d.get("ManagedApplicationList"))
        .and_then(Value::as_dictionary)
        .ok_or_else(|| IosError::format(path, "no ManagedApplicationList dictionary"))?;
    let mut apps = AppList::default();
    let mut gone = 0usize;
    for (id, item) in list {
        let status = item.as_dictionary().and_then(|d| dict_str(d, "Status"));
        if !is_identifier(id)
            || matches!(
                status.as_deref(),
                Some("ManagedButUninstalled" | "UserRejected" | "Failed")
            )
        {
            gone += 1;
            continue;
        }
        apps.insert(App::new(
            Platform::Ios,
            id,
            evidence(
                path,
                MANAGED_FORMAT,
                format!("ManagedApplicationList: {id}"),
            ),
        ));
    }
    if gone > 0 {
        warnings.push(format!(
            "{path}: {gone} managed app(s) not installed (or without a valid id): skipped"
        ));
    }
    Ok(Parsed {
        apps: apps.into_vec(),
        properties: dict.map(udid_property).unwrap_or_default(),
        warnings,
    })
}

/// Parses a `DeviceInformation` response: the device's facts, no apps.
pub fn parse_device_information(bytes: &[u8], path: &str) -> Result<Parsed, IosError> {
    let mut warnings = Vec::new();
    let value = tolerant_plist(bytes, path, &mut warnings)?;
    let dict = value.as_dictionary();
    let answers = dict
        .and_then(|d| d.get("QueryResponses"))
        .and_then(Value::as_dictionary)
        .ok_or_else(|| IosError::format(path, "no QueryResponses dictionary"))?;
    // Lockdown's key names, as MDM spells them.
    let facts = Facts::from_lockdown(|key| {
        let mdm_key = match key {
            "ProductType" => "ProductName",
            "ProductVersion" => "OSVersion",
            "UniqueDeviceID" => "UDID",
            other => other,
        };
        dict_str(answers, mdm_key).or_else(|| dict.and_then(|d| dict_str(d, mdm_key)))
    });
    warnings.push(format!(
        "{path}: a DeviceInformation response: the device's facts, no app list"
    ));
    Ok(Parsed {
        apps: Vec::new(),
        properties: facts.into_properties(),
        warnings,
    })
}
