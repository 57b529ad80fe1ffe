//! A device's own identity: an id taken from its data (a serial number, a UDID, a
//! MachineGuid...), so the same phone saved in another folder next month is the same
//! device. Collectors only state facts as device properties; which fact identifies
//! a device is decided here, once, for every source.

use serde::{Deserialize, Serialize};
use std::path::Path;

/// Where a device's `id` was taken from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdSource {
    /// An Apple device's UDID (iOS backups, libimobiledevice, MDM).
    Udid,
    /// The device's serial number: Android `ro.serialno` / `ro.boot.serialno`, an
    /// Apple serial number, the hardware serial an inventory reports.
    Serial,
    /// Windows `MachineGuid` (`HKLM\SOFTWARE\Microsoft\Cryptography`).
    MachineGuid,
    /// A Mac's hardware UUID, or the host UUID an inventory reports.
    HardwareUuid,
    /// Linux `/etc/machine-id`.
    MachineId,
    /// The host or device identifier an inventory carries (osquery
    /// `hostIdentifier`, the CSV device column).
    Inventory,
    /// The serial adb knows the device by (`adb devices`), when `getprop` did not say.
    AdbSerial,
    /// The computer's name (Windows `ComputerName`, macOS `ComputerName`).
    ComputerName,
    /// `/etc/hostname`, or the name of the machine appaudit runs on.
    Hostname,
    /// Nothing in the input names the device: its file or folder name, without the
    /// folders above it.
    #[default]
    FileName,
}

impl IdSource {
    /// The name used in reports (`machine-guid`).
    pub fn as_str(self) -> &'static str {
        match self {
            IdSource::Udid => "udid",
            IdSource::Serial => "serial",
            IdSource::MachineGuid => "machine-guid",
            IdSource::HardwareUuid => "hardware-uuid",
            IdSource::MachineId => "machine-id",
            IdSource::Inventory => "inventory",
            IdSource::AdbSerial => "adb-serial",
            IdSource::ComputerName => "computer-name",
            IdSource::Hostname => "hostname",
            IdSource::FileName => "file-name",
        }
    }

    /// Taken from the device's own data, not from where it was saved: two inputs
    /// with such an id are the same device.
    pub fn is_own(self) -> bool {
        self != IdSource::FileName
    }
}

impl std::fmt::Display for IdSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The device properties that identify a device, strongest first: the first one a
/// device has is its id.
pub const ID_PROPERTIES: [(&str, IdSource); 9] = [
    ("udid", IdSource::Udid),
    ("serial", IdSource::Serial),
    ("machine_guid", IdSource::MachineGuid),
    ("hardware_uuid", IdSource::HardwareUuid),
    ("machine_id", IdSource::MachineId),
    ("host_identifier", IdSource::Inventory),
    ("adb_serial", IdSource::AdbSerial),
    ("computer_name", IdSource::ComputerName),
    ("hostname", IdSource::Hostname),
];

/// Values that name no device: placeholders some tools print instead of a serial.
const NOT_AN_ID: [&str; 6] = [
    "unknown",
    "0123456789abcdef",
    "0000000000000000",
    "none",
    "null",
    "device_udid",
];

/// The id of a device with these `properties`, read from `source` (a path, or
/// `adb:<serial>`): the strongest identifying property, else the file name.
pub fn identify(properties: &[(String, String)], source: &str) -> (String, IdSource) {
    for (key, id_source) in ID_PROPERTIES {
        let value = properties
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .find(|v| is_id(v));
        if let Some(value) = value {
            return (value.to_owned(), id_source);
        }
    }
    (file_name(source), IdSource::FileName)
}

fn is_id(value: &str) -> bool {
    !value.is_empty()
        && value.chars().any(|c| c.is_ascii_alphanumeric())
        && !NOT_AN_ID.iter().any(|n| value.eq_ignore_ascii_case(n))
}

/// The last part of a path (`nov/phone-1.txt` -> `phone-1.txt`), whichever
/// separator the report that named it used.
pub fn file_name(source: &str) -> String {
    let trimmed = source.trim_end_matches(['/', '\\']);
    let last = trimmed.rsplit(['/', '\\']).next().unwrap_or(trimmed);
    if last.is_empty() {
        source.to_owned()
    } else {
        Path::new(last).display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn strongest_property_wins() {
        let p = props(&[
            ("hostname", "laptop-042"),
            ("adb_serial", "192.168.1.5:5555"),
            ("serial", "R58N12345"),
        ]);
        assert_eq!(
            identify(&p, "nov/x.txt"),
            ("R58N12345".to_owned(), IdSource::Serial)
        );
        let p = props(&[("hostname", "laptop-042"), ("machine_id", " abc123 ")]);
        assert_eq!(
            identify(&p, "x"),
            ("abc123".to_owned(), IdSource::MachineId)
        );
    }

    #[test]
    fn placeholders_are_not_ids() {
        let p = props(&[("serial", "unknown"), ("udid", ""), ("hostname", "-")]);
        assert_eq!(
            identify(&p, "dec/phones/pixel.txt"),
            ("pixel.txt".to_owned(), IdSource::FileName)
        );
    }

    #[test]
    fn file_name_drops_parent_folders() {
        assert_eq!(file_name("nov/phone-1.txt"), "phone-1.txt");
        assert_eq!(file_name(r"C:\audits\dec\phone-1.txt"), "phone-1.txt");
        assert_eq!(file_name("dumps/mac-root/"), "mac-root");
        assert_eq!(file_name("adb:R58N"), "adb:R58N");
        assert_eq!(file_name("/"), "/");
    }
}
