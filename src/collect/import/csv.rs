//! A CSV of installed apps: an MDM's discovered-apps export, a spreadsheet, a
//! report from another tool. Columns are found by their header (case, spaces,
//! `_` and `-` ignored); see `docs/imports.md` for the names and aliases.
//!
//! A `device` column splits the rows into devices; without one the file is one device.

use super::{ImportedDevice, main_platform, non_empty};
use crate::collect::CollectError;
use crate::collect::text::{excerpt, lines};
use crate::model::{App, Evidence, Platform};
use std::collections::HashMap;

/// The `Evidence::format` of this source.
pub const FORMAT: &str = "csv-inventory";

/// A column appaudit reads, with the header names it answers to (normalised:
/// lowercase letters and digits only), best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Device,
    Platform,
    Id,
    Name,
    Version,
    Publisher,
    /// The device's own id (Intune `DeviceId`): groups rows and identifies the device.
    DeviceId,
    /// Intune's `ApplicationKey`: the bundle id or package name on Android, iOS and
    /// macOS; an opaque key on Windows.
    AppKey,
    /// The build number (Intune `ApplicationVersion` beside `ApplicationShortVersion`).
    Build,
}

const ALIASES: [(Column, &[&str]); 9] = [
    (
        Column::Device,
        &[
            "device",
            "devicename",
            "host",
            "hostname",
            "computer",
            "computername",
            "machine",
            "machinename",
            "endpoint",
            "serialnumber",
        ],
    ),
    (
        Column::Platform,
        &[
            "platform",
            "os",
            "operatingsystem",
            "ostype",
            "osplatform",
            "devicetype",
        ],
    ),
    (
        Column::Id,
        &[
            "id",
            "appid",
            "applicationid",
            "bundleid",
            "bundleidentifier",
            "package",
            "packagename",
            "packageid",
            "identifier",
            "appidentifier",
            "productcode",
            "uninstallkey",
        ],
    ),
    (
        Column::Name,
        &[
            "name",
            "appname",
            "applicationname",
            "displayname",
            "app",
            "application",
            "softwarename",
            "software",
            "title",
            "programname",
        ],
    ),
    (
        Column::Version,
        &[
            "version",
            "appversion",
            "shortversion",
            "applicationshortversion",
            "applicationversion",
            "softwareversion",
            "displayversion",
        ],
    ),
    (
        Column::Publisher,
        &[
            "publisher",
            "vendor",
            "developer",
            "applicationpublisher",
            "manufacturer",
            "company",
            "author",
        ],
    ),
    (
        Column::DeviceId,
        &["deviceid", "manageddeviceid", "intunedeviceid"],
    ),
    (Column::AppKey, &["applicationkey"]),
    (
        Column::Build,
        &[
            "build",
            "buildversion",
            "bundleversion",
            "applicationversion",
        ],
    ),
];

fn normalise(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Which field of each record holds each column (the best alias present wins).
#[derive(Debug, Default)]
struct Layout {
    fields: HashMap<usize, usize>,
}

impl Layout {
    fn new(headers: &[String]) -> Self {
        let names: Vec<String> = headers.iter().map(|h| normalise(h)).collect();
        let mut fields = HashMap::new();
        for (column, aliases) in ALIASES {
            let found = aliases
                .iter()
                .find_map(|alias| names.iter().position(|n| n == alias));
            if let Some(index) = found {
                fields.insert(column as usize, index);
            }
        }
        Layout { fields }
    }

    fn index(&self, column: Column) -> Option<usize> {
        self.fields.get(&(column as usize)).copied()
    }

    fn known(&self) -> usize {
        self.fields.len()
    }
}

/// The delimiter of a header line: the most frequent of `,`, `;` and tab.
fn delimiter(header: &str) -> u8 {
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| header.bytes().filter(|b| b == d).count())
        .unwrap_or(b',')
}

fn header_line(text: &str) -> Option<&str> {
    lines(text).find(|l| !l.trim().is_empty())
}

fn split_header(line: &str) -> Option<Vec<String>> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(line))
        .from_reader(line.as_bytes());
    let record = reader.records().next()?.ok()?;
    Some(record.iter().map(str::to_owned).collect())
}

/// Whether `text` looks like an app inventory CSV: a header of two or more fields
/// among which an app id or name column and another known column.
pub fn sniff(text: &str) -> bool {
    let Some(headers) = header_line(text).and_then(split_header) else {
        return false;
    };
    if headers.len() < 2 {
        return false;
    }
    let layout = Layout::new(&headers);
    (layout.index(Column::Id).is_some() || layout.index(Column::Name).is_some())
        && layout.known() >= 2
}

/// The platform a cell names (`Windows 11`, `macOS`, `iPadOS`, `Android Enterprise`...).
pub fn platform_of(cell: &str) -> Option<Platform> {
    let cell = cell.trim().to_lowercase();
    let has = |word: &str| cell.contains(word);
    if has("android") {
        Some(Platform::Android)
    } else if has("ios") && !has("macos") || has("ipados") || has("iphone") || has("ipad") {
        Some(Platform::Ios)
    } else if has("mac") || has("darwin") || has("os x") || has("osx") {
        Some(Platform::Macos)
    } else if has("windows") || cell == "win" || has("win32") || has("win64") {
        Some(Platform::Windows)
    } else if has("linux")
        || [
            "ubuntu", "debian", "fedora", "rhel", "centos", "suse", "arch", "red hat",
        ]
        .iter()
        .any(|d| has(d))
    {
        Some(Platform::Linux)
    } else {
        None
    }
}

/// Parses an app inventory CSV into one device per value of its device column.
pub fn parse(text: &str, source: &str) -> Result<Vec<ImportedDevice>, CollectError> {
    let header = header_line(text).ok_or("expected a CSV header line")?;
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .delimiter(delimiter(header))
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("not valid CSV: {e}"))?
        .iter()
        .map(str::to_owned)
        .collect();
    let layout = Layout::new(&headers);
    let platform_column = required_columns(&layout, &headers)?;
    let text_lines: Vec<&str> = lines(text).collect();
    let mut devices: Vec<Rows> = Vec::new();
    let mut index_of: HashMap<Option<String>, usize> = HashMap::new();
    let mut file_warnings = Vec::new();
    let (mut unknown_platform, mut no_id) = (Vec::new(), 0usize);
    let mut rows = 0usize;
    for record in reader.records() {
        let record = record.map_err(|e| format!("not valid CSV: {e}"))?;
        let line = record.position().map(|p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        rows += 1;
        let cell = |column: Column| {
            layout
                .index(column)
                .and_then(|i| record.get(i))
                .and_then(non_empty)
        };
        let Some(platform) = record.get(platform_column).and_then(platform_of) else {
            if unknown_platform.len() < 5 {
                let at = line.map_or_else(String::new, |l| format!("line {l}: "));
                let value = record.get(platform_column).unwrap_or_default();
                unknown_platform.push(format!("{at}`{value}`"));
            }
            continue;
        };
        let evidence = row_evidence(source, line, &text_lines);
        let Some(app) = row_app(&layout, &cell, platform, evidence) else {
            no_id += 1;
            continue;
        };
        let device = cell(Column::DeviceId).or_else(|| cell(Column::Device));
        let slot = *index_of.entry(device.clone()).or_insert_with(|| {
            let shown = cell(Column::Device).or_else(|| device.clone());
            devices.push((device.map(|id| (id, shown)), Vec::new(), Vec::new()));
            devices.len() - 1
        });
        devices[slot].1.push(app);
    }
    file_warnings.extend(skipped_rows(&unknown_platform, no_id));
    if rows == 0 {
        return Err(
            "expected a CSV app inventory: the file has a header but no rows"
                .to_owned()
                .into(),
        );
    }
    if devices.is_empty() {
        return Err(format!(
            "expected a CSV app inventory: no row could be read ({})",
            file_warnings.join("; ")
        )
        .into());
    }
    Ok(into_devices(devices, file_warnings))
}

/// The app of one row: its id, else (an Intune `ApplicationKey` that is no id, or no id
/// column) its name; `None` when it has neither.
fn row_app(
    layout: &Layout,
    cell: &dyn Fn(Column) -> Option<String>,
    platform: Platform,
    evidence: Evidence,
) -> Option<App> {
    let name = cell(Column::Name);
    let key = cell(Column::AppKey).filter(|k| is_app_key(k, platform));
    let (id, by_name) = cell(Column::Id).or(key).map(|id| (id, false)).or_else(|| {
        name.clone()
            .map(|n| (n, layout.index(Column::AppKey).is_some()))
    })?;
    let mut app = App::new(platform, id, evidence);
    app.flags.no_id = by_name;
    app.name = name;
    app.build = layout
        .index(Column::Build)
        .filter(|b| layout.index(Column::Version) != Some(*b))
        .and_then(|_| cell(Column::Build));
    app.version = cell(Column::Version).or_else(|| app.build.clone());
    app.publisher = cell(Column::Publisher);
    Some(app)
}

/// The rows of one device: its id and name (when the file has a device column), its
/// apps and warnings.
type Rows = (Option<(String, Option<String>)>, Vec<App>, Vec<String>);

/// Whether an `ApplicationKey` is the app's id: a bundle id or package name on Android,
/// iOS and macOS (on Windows Intune's key is opaque, and the app is known by name).
fn is_app_key(key: &str, platform: Platform) -> bool {
    platform != Platform::Windows
        && platform != Platform::Linux
        && key.contains('.')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// Where a row was seen: its line, and the line's text.
fn row_evidence(source: &str, line: Option<u64>, text_lines: &[&str]) -> Evidence {
    let excerpt_text = line
        .and_then(|l| usize::try_from(l).ok())
        .and_then(|l| text_lines.get(l.wrapping_sub(1)))
        .map(|l| excerpt(l));
    Evidence {
        path: source.to_owned(),
        line,
        format: FORMAT.to_owned(),
        excerpt: excerpt_text,
    }
}

/// Warnings for the rows passed over: unknown platforms (the first few) and rows
/// with no identifier.
fn skipped_rows(unknown_platform: &[String], no_id: usize) -> Vec<String> {
    let mut warnings = Vec::new();
    if !unknown_platform.is_empty() {
        warnings.push(format!(
            "rows with an unknown platform were skipped: {}",
            unknown_platform.join(", ")
        ));
    }
    super::warn_skipped(&mut warnings, no_id, "row(s) without an id or name");
    warnings
}

/// The columns an inventory cannot do without: an id or a name, and the platform
/// (whose index is returned).
fn required_columns(layout: &Layout, headers: &[String]) -> Result<usize, CollectError> {
    if layout.index(Column::Id).is_none() && layout.index(Column::Name).is_none() {
        return Err(format!(
            "expected a CSV app inventory with an `id` or `name` column (see docs/imports.md); \
             the header has: {}",
            headers.join(", ")
        )
        .into());
    }
    layout.index(Column::Platform).ok_or_else(|| {
        "expected a `platform` column (android, ios, macos, windows or linux) in the CSV \
         app inventory (see docs/imports.md)"
            .into()
    })
}

/// One device per value of the device column; problems of the file as a whole are
/// told once, on its first device.
fn into_devices(devices: Vec<Rows>, mut file_warnings: Vec<String>) -> Vec<ImportedDevice> {
    devices
        .into_iter()
        .enumerate()
        .map(|(index, (device, apps, mut warnings))| {
            if index == 0 {
                warnings.append(&mut file_warnings);
            }
            let (id, name) = device.map_or((None, None), |(id, name)| (Some(id), name));
            let properties = id
                .map(|id| ("host_identifier".to_owned(), id))
                .into_iter()
                .collect();
            ImportedDevice {
                unkept: Default::default(),
                name,
                platform: main_platform(&apps, Platform::Linux),
                format: FORMAT.to_owned(),
                apps,
                properties,
                warnings,
            }
        })
        .collect()
}

/// A CSV app inventory, as a [`TextSource`](crate::collect::source::TextSource).
pub static SOURCE: super::ImportSource =
    super::ImportSource::new(crate::collect::InputFormat::Csv, sniff, parse);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn splits_devices_and_reads_aliases() {
        let text = "Device Name,Platform,Bundle ID,App Name,App Version,Publisher\n\
                    laptop-1,macOS 14.5,com.tencent.xinWeChat,WeChat,4.0.3,Tencent\n\
                    phone-2,Android,com.whatsapp,WhatsApp,2.24,\n\
                    laptop-1,macOS,com.microsoft.Word,\"Word, 2024\",16.89,Microsoft\n";
        let devices = parse(text, "inv.csv").unwrap();
        assert_eq!(devices.len(), 2);
        assert_eq!(devices[0].name.as_deref(), Some("laptop-1"));
        assert_eq!(devices[0].platform, Platform::Macos);
        let lines: Vec<Option<u64>> = devices[0].apps.iter().map(|a| a.evidence[0].line).collect();
        assert_eq!(lines, [Some(2), Some(4)]);
        assert_eq!(devices[0].apps[1].name.as_deref(), Some("Word, 2024"));
        assert_eq!(devices[1].apps[0].platform, Platform::Android);
        assert_eq!(devices[1].apps[0].publisher, None);
    }

    #[test]
    fn intune_app_inventory_export() {
        let path = crate::test_support::own_fixture("imports/intune_appinvrawdata.csv");
        let text = std::fs::read_to_string(path).unwrap();
        let devices = parse(&text, "AppInvRawData.csv").unwrap();
        let summary: Vec<(Option<&str>, &str, usize)> = devices
            .iter()
            .map(|d| (d.name.as_deref(), d.properties[0].1.as_str(), d.apps.len()))
            .collect();
        assert_eq!(
            summary,
            [
                (Some("bob-pixel"), "3f1c9a52-8d4e-4b7a-9e21-6a0d5c7b8e11", 2),
                (
                    Some("carol-iphone"),
                    "71d0e2b3-4c5a-4f6e-8a9b-0c1d2e3f4a5b",
                    2
                ),
                (
                    Some("dan-laptop"),
                    "c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f",
                    2
                ),
            ]
        );
        let tiktok = &devices[0].apps[0];
        assert_eq!(tiktok.id, "com.zhiliaoapp.musically");
        assert_eq!(tiktok.version.as_deref(), Some("36.1.3"));
        assert_eq!(tiktok.build.as_deref(), Some("2023601030"));
        assert!(!tiktok.flags.no_id);
        let windows = &devices[2].apps[0];
        assert_eq!((windows.id.as_str(), windows.flags.no_id), ("TikTok", true));
        assert_eq!(windows.version.as_deref(), Some("1.0.0.0"));
        assert_eq!(devices[1].apps[1].evidence[0].line, Some(6));
    }

    #[test]
    fn semicolons_name_only_and_unknown_platforms() {
        let text = "name;platform;version\nWPS Office;Windows 11;12.2\nThing;Amiga;1\n";
        let devices = parse(text, "x.csv").unwrap();
        assert_eq!(devices.len(), 1);
        assert_eq!(devices[0].name, None);
        assert_eq!(devices[0].apps[0].id, "WPS Office");
        assert_eq!(
            devices[0].warnings,
            ["rows with an unknown platform were skipped: line 3: `Amiga`"]
        );
    }

    #[test]
    fn missing_columns_are_errors() {
        let err = parse("name,version\nx,1\n", "x.csv")
            .unwrap_err()
            .to_string();
        assert!(err.contains("`platform` column"), "{err}");
        let err = parse("device,platform\na,android\n", "x.csv")
            .unwrap_err()
            .to_string();
        assert!(err.contains("`id` or `name` column"), "{err}");
        let err = parse("id,platform\n", "x.csv").unwrap_err().to_string();
        assert!(err.contains("no rows"), "{err}");
    }

    #[test]
    fn sniffs_headers() {
        assert!(sniff("device,platform,id,name\n"));
        assert!(sniff("\u{feff}Bundle_ID;OS\n"));
        assert!(!sniff("package:com.tencent.mm\n"));
        assert!(!sniff("name\nfoo\n"));
        assert!(!sniff("hello, world\n"));
    }

    #[test]
    fn platforms() {
        assert_eq!(platform_of("iOS"), Some(Platform::Ios));
        assert_eq!(platform_of("macOS"), Some(Platform::Macos));
        assert_eq!(
            platform_of("Windows 10 Enterprise"),
            Some(Platform::Windows)
        );
        assert_eq!(platform_of("ubuntu"), Some(Platform::Linux));
        assert_eq!(platform_of("Chrome OS"), None);
    }
}
