//! `ideviceinfo` output: one `Key: value` line per lockdown value (`DeviceName`,
//! `ProductType`, `ProductVersion`, `BuildVersion`, `SerialNumber`, `UniqueDeviceID`...);
//! nested dictionaries follow their key, indented. Device facts only, as `getprop` is
//! for Android.

use super::{head_lines, text};
use crate::collect::ios::device::Facts;
use crate::collect::ios::{IosError, Parsed};
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

/// At least two lockdown keys in the first 200 non-blank lines.
pub fn sniff(head: &[u8]) -> bool {
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

/// Reads the device facts; an error when no lockdown key is there.
pub fn parse(bytes: &[u8], path: &str) -> Result<Parsed, IosError> {
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
