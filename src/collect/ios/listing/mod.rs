//! Saved listings of an iPhone's apps and facts, told from their content:
//! `ideviceinstaller` in each format it has printed ([`installer`], [`lookup`]),
//! `pymobiledevice3 apps list` ([`lookup`]), Apple MDM `InstalledApplicationList`
//! answers ([`mdm`]) and `ideviceinfo` output ([`ideviceinfo`]).
//!
//! Each format has `sniff(head) -> bool` and `parse(bytes, path) -> Result<Parsed, _>`;
//! [`detect`] and [`parse`] pick the format from the content.

use super::{IosError, Parsed};

pub mod ideviceinfo;
pub mod installer;
pub mod lookup;
pub mod mdm;

#[cfg(test)]
mod tests;

/// An iOS listing format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `ideviceinstaller -l` up to 1.1.0: `Total: N apps`, then `com.foo - Name 1.2`.
    InstallerLegacy,
    /// `ideviceinstaller` 1.1.1 / 1.2 CSV-like rows under a `CFBundleIdentifier, ...` header.
    InstallerCsv,
    /// `ideviceinstaller -o xml` / `--xml`: a plist array of app dictionaries.
    InstallerXml,
    /// `ideviceinstaller --json`: a JSON array of app dictionaries.
    InstallerJson,
    /// `pymobiledevice3 apps list`: a JSON object keyed by bundle id.
    Pymobiledevice3,
    /// An Apple MDM `InstalledApplicationList` response (plist).
    MdmInstalledApplicationList,
    /// An Apple MDM `ManagedApplicationList` response (plist, keyed by bundle id).
    MdmManagedApplicationList,
    /// An Apple MDM `DeviceInformation` response (plist): device facts, no apps.
    MdmDeviceInformation,
    /// `ideviceinfo`: `Key: value` lines of device facts, no apps.
    Ideviceinfo,
}

impl Format {
    /// The `Device::format` and `Evidence::format` name of the format.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::InstallerLegacy => installer::LEGACY_FORMAT,
            Format::InstallerCsv => installer::CSV_FORMAT,
            Format::InstallerXml => lookup::XML_FORMAT,
            Format::InstallerJson => lookup::JSON_FORMAT,
            Format::Pymobiledevice3 => lookup::PYMOBILEDEVICE3_FORMAT,
            Format::MdmInstalledApplicationList => mdm::FORMAT,
            Format::MdmManagedApplicationList => mdm::MANAGED_FORMAT,
            Format::MdmDeviceInformation => mdm::DEVICE_INFORMATION_FORMAT,
            Format::Ideviceinfo => ideviceinfo::FORMAT,
        }
    }
}

/// A format's content test.
type Sniff = fn(&[u8]) -> bool;

/// The format of a file from its first bytes (up to 64 KiB is plenty); `None` when it
/// is none of these. MDM comes before the generic plist array, `ideviceinfo` last.
pub fn detect(head: &[u8]) -> Option<Format> {
    let checks: [(Sniff, Format); 9] = [
        (mdm::sniff, Format::MdmInstalledApplicationList),
        (mdm::sniff_managed, Format::MdmManagedApplicationList),
        (mdm::sniff_device_information, Format::MdmDeviceInformation),
        (lookup::sniff_xml, Format::InstallerXml),
        (lookup::sniff_json, Format::InstallerJson),
        (lookup::sniff_pymobiledevice3, Format::Pymobiledevice3),
        (installer::sniff_legacy, Format::InstallerLegacy),
        (installer::sniff_csv, Format::InstallerCsv),
        (ideviceinfo::sniff, Format::Ideviceinfo),
    ];
    checks
        .into_iter()
        .find(|(sniff, _)| sniff(head))
        .map(|(_, format)| format)
}

/// Parses `bytes` (the whole file) as `format`; `path` is named in evidence and errors.
pub fn parse(format: Format, bytes: &[u8], path: &str) -> Result<Parsed, IosError> {
    match format {
        Format::InstallerLegacy => installer::parse_legacy(bytes, path),
        Format::InstallerCsv => installer::parse_csv(bytes, path),
        Format::InstallerXml => lookup::parse_xml(bytes, path),
        Format::InstallerJson => lookup::parse_json(bytes, path),
        Format::Pymobiledevice3 => lookup::parse_pymobiledevice3(bytes, path),
        Format::MdmInstalledApplicationList => mdm::parse(bytes, path),
        Format::MdmManagedApplicationList => mdm::parse_managed(bytes, path),
        Format::MdmDeviceInformation => mdm::parse_device_information(bytes, path),
        Format::Ideviceinfo => ideviceinfo::parse(bytes, path),
    }
}

/// Detects the format of `bytes` and parses them; `Ok(None)` when no format fits.
pub fn parse_any(bytes: &[u8], path: &str) -> Result<Option<(Format, Parsed)>, IosError> {
    let head = &bytes[..bytes.len().min(crate::collect::text::HEAD_BYTES)];
    match detect(head) {
        Some(format) => parse(format, bytes, path).map(|parsed| Some((format, parsed))),
        None => Ok(None),
    }
}

/// The text of a listing: decoded leniently (BOM, UTF-16, CRLF), refused when binary.
pub(crate) fn text(bytes: &[u8], path: &str) -> Result<String, IosError> {
    crate::collect::text::decode(bytes).map_err(|message| match message {
        "empty file" => IosError::Empty {
            path: path.to_owned(),
        },
        other => IosError::format(path, other),
    })
}

/// The first non-blank lines of a head, decoded leniently (UTF-16 too), for sniffing
/// text formats; none when the head is binary.
pub(crate) fn head_lines(head: &[u8], max: usize) -> Vec<String> {
    let text = crate::collect::text::decode(head).unwrap_or_default();
    crate::collect::text::lines(&text)
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .take(max)
        .map(str::to_owned)
        .collect()
}
