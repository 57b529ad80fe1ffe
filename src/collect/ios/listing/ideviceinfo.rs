//! `ideviceinfo` output: one `Key: value` line per lockdown value (`DeviceName`,
//! `ProductType`, `ProductVersion`, `BuildVersion`, `SerialNumber`, `UniqueDeviceID`...);
//! nested dictionaries follow their key, indented; `ideviceinfo -x` prints them as a
//! plist. Device facts only, as `getprop` is for Android.

use super::{head_lines, text};
use crate::collect::ios::device::Facts;
use crate::collect::ios::{IosError, Parsed, dict_str, parse_plist};
use crate::collect::text::lines;

/// The format name of `ideviceinfo` output.
pub const FORMAT: &str = "ideviceinfo";

/// Keys that only lockdown prints; two of them among the first lines tell the format.
const KNOWN_KEYS: [&str; 8] = [
    "ActivationState",
    "BuildVersion",
    "DeviceClass",
    "DeviceName",
    "ProductType",
    "ProductVersion",
    "SerialNumber",
    "UniqueDeviceID",
];

/// At least two lockdown keys in the first 200 non-blank lines, or a plist
/// (`ideviceinfo -x`) with `ProductType` and `UniqueDeviceID` and no app list.
pub fn sniff(head: &[u8]) -> bool {
    if is_plist(head) {
        let has = |key: &[u8]| memchr::memmem::find(head, key).is_some();
        return has(b"ProductType")
            && has(b"UniqueDeviceID")
            && !has(b"CFBundleIdentifier")
            && !has(b"InstalledApplicationList");
    }
    head_lines(head, 200)
        .iter()
        .filter(|line| key_value(line).is_some_and(|(key, _)| KNOWN_KEYS.contains(&key)))
        .take(2)
        .count()
        == 2
}

/// `Key: value` of a top-level line (not indented); the key is one word.
fn key_value(line: &str) -> Option<(&str, &str)> {
    if line.starts_with(char::is_whitespace) {
        return None;
    }
    let (key, value) = line.split_once(':')?;
    (!key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric())).then(|| (key, value.trim()))
}

fn is_plist(head: &[u8]) -> bool {
    head.starts_with(b"bplist00")
        || memchr::memmem::find(&head[..head.len().min(512)], b"<plist").is_some()
}

/// Reads the device facts; an error when no lockdown key is there.
pub fn parse(bytes: &[u8], path: &str) -> Result<Parsed, IosError> {
    if is_plist(bytes) {
        return parse_plist_output(bytes, path);
    }
    let text = text(bytes, path)?;
    let pairs: Vec<(&str, &str)> = lines(&text).filter_map(key_value).collect();
    if !pairs.iter().any(|(key, _)| KNOWN_KEYS.contains(key)) {
        return Err(IosError::format(path, "no ideviceinfo `Key: value` lines"));
    }
    let facts = Facts::from_lockdown(|wanted| {
        pairs
            .iter()
            .find(|(key, value)| *key == wanted && !value.is_empty())
            .map(|(_, value)| (*value).to_owned())
    });
    Ok(Parsed {
        apps: Vec::new(),
        properties: facts.into_properties(),
        warnings: Vec::new(),
    })
}

/// `ideviceinfo -x`: the same values as a plist dictionary.
fn parse_plist_output(bytes: &[u8], path: &str) -> Result<Parsed, IosError> {
    let value = parse_plist(bytes, path)?;
    let dict = value
        .as_dictionary()
        .filter(|d| KNOWN_KEYS.iter().any(|k| d.contains_key(k)))
        .ok_or_else(|| IosError::format(path, "no lockdown keys in the property list"))?;
    Ok(Parsed {
        apps: Vec::new(),
        properties: Facts::from_lockdown(|key| dict_str(dict, key)).into_properties(),
        warnings: Vec::new(),
    })
}
