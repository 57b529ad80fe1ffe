//! A CSV of installed apps: an MDM's discovered-apps export, a spreadsheet, a
//! report from another tool. Columns are found by their header (case, spaces,
//! `_` and `-` ignored); see `docs/imports.md` for the names and aliases.
//!
//! A `device` column splits the rows into devices; without one the file is one device.

use super::{DeviceApps, ImportedDevice};
use crate::collect::CollectError;
use crate::collect::text::{RecentBytes, TextInput, excerpt, lines};
use crate::model::{App, AppFilter, Evidence, Platform};
use std::io::Read;

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
    fields: [Option<usize>; ALIASES.len()],
}

impl Layout {
    fn new(headers: &[String]) -> Self {
        let names: Vec<String> = headers.iter().map(|h| normalise(h)).collect();
        let mut fields = [None; ALIASES.len()];
        for (column, aliases) in ALIASES {
            let found = aliases
                .iter()
                .find_map(|alias| names.iter().position(|n| n == alias));
            if let Some(slot) = fields.get_mut(column as usize) {
                *slot = found;
            }
        }
        Layout { fields }
    }

    fn index(&self, column: Column) -> Option<usize> {
        self.fields.get(column as usize).copied().flatten()
    }

    fn known(&self) -> usize {
        self.fields.iter().flatten().count()
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
    let text_lines: Vec<&str> = lines(text).collect();
    let quote = |_: &::csv::Reader<&[u8]>, position: &::csv::Position| {
        position
            .line()
            .checked_sub(1)
            .and_then(|l| usize::try_from(l).ok())
            .and_then(|l| text_lines.get(l))
            .map(|l| excerpt(l))
    };
    read_rows(text.as_bytes(), header, source, None, quote)
}

/// [`parse`] for a file too large to hold whole: records are read from the stream
/// one at a time, each device keeps only the apps `keep` wants (an [`AppSet`] per
/// device; rows of one device need not be adjacent, so every device stays open to the
/// end), and evidence quotes a record's line from the bytes read last.
///
/// [`AppSet`]: crate::model::AppSet
pub fn parse_input(
    input: TextInput,
    source: &str,
    keep: &dyn AppFilter,
) -> Result<Vec<ImportedDevice>, CollectError> {
    let Some(header) = header_line(input.head()).map(str::to_owned) else {
        // No header line within the head (a first line over 64 KiB): read whole.
        return parse(&input.into_string()?, source);
    };
    let reader = RecentBytes::new(input.into_reader());
    let quote = |reader: &::csv::Reader<RecentBytes<_>>, position: &::csv::Position| {
        reader.get_ref().excerpt_at(position.byte())
    };
    read_rows(reader, &header, source, Some(keep), quote)
}

/// A record's field as text, decoded as [`decode`](crate::collect::text::decode) does
/// (NULs dropped, invalid UTF-8 replaced).
fn field_text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    if memchr::memchr(0, bytes).is_some() {
        let kept: Vec<u8> = bytes.iter().copied().filter(|b| *b != 0).collect();
        return std::borrow::Cow::Owned(String::from_utf8_lossy(&kept).into_owned());
    }
    // Validation alone is much faster than the lossy walk on valid text.
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// [`platform_of`] for the few values a platform column holds, each told once.
#[derive(Default)]
struct Platforms(Vec<(String, Option<Platform>)>);

impl Platforms {
    fn of(&mut self, cell: &str) -> Option<Platform> {
        if let Some((_, platform)) = self.0.iter().find(|(known, _)| known == cell) {
            return *platform;
        }
        let platform = platform_of(cell);
        // A column of ever-new values (not a platform column after all) is not kept.
        if self.0.len() < 64 {
            self.0.push((cell.to_owned(), platform));
        }
        platform
    }
}

/// The rows of one device: its id and name (when the file has a device column), and
/// its apps.
type Rows<'f> = (Option<(String, Option<String>)>, DeviceApps<'f>);

/// The devices read so far, in first-seen order, found by their key without allocating.
struct Devices<'f> {
    keep: Option<&'f dyn AppFilter>,
    devices: super::Slots<Rows<'f>>,
}

impl<'f> Devices<'f> {
    /// The apps of the device `key` names (shown as `shown()`), opened on its first row.
    fn apps(
        &mut self,
        key: Option<&str>,
        shown: impl FnOnce() -> Option<String>,
    ) -> &mut DeviceApps<'f> {
        let keep = self.keep;
        let (_, apps) = self.devices.get_or_open(key, || {
            let shown = shown().or_else(|| key.map(str::to_owned));
            (key.map(|id| (id.to_owned(), shown)), DeviceApps::new(keep))
        });
        apps
    }
}

/// Reads the records of `reader` (the whole text, or a stream) into devices; `quote`
/// gives a record's evidence excerpt. Every device keeps every row, or only what
/// `keep` wants.
fn read_rows<R: Read>(
    reader: R,
    header: &str,
    source: &str,
    keep: Option<&dyn AppFilter>,
    quote: impl Fn(&::csv::Reader<R>, &::csv::Position) -> Option<String>,
) -> Result<Vec<ImportedDevice>, CollectError> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .delimiter(delimiter(header))
        .from_reader(reader);
    let (layout, platform_column) = read_layout(&mut reader)?;
    let mut devices = Devices {
        keep,
        devices: super::Slots::new(),
    };
    let mut file_warnings = Vec::new();
    let (mut unknown_platform, mut no_id) = (Vec::new(), 0usize);
    let mut rows = 0usize;
    let mut record = ::csv::ByteRecord::new();
    let mut platforms = Platforms::default();
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| format!("not valid CSV: {e}"))?
    {
        let line = record.position().map(|p| p.line());
        let fields: Vec<std::borrow::Cow<'_, str>> = record.iter().map(field_text).collect();
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        rows += 1;
        let raw = |column: Column| {
            layout
                .index(column)
                .and_then(|i| fields.get(i))
                .map(|f| f.trim())
                .filter(|f| !f.is_empty())
        };
        let cell = |column: Column| raw(column).map(str::to_owned);
        let Some(platform) = fields.get(platform_column).and_then(|f| platforms.of(f)) else {
            if unknown_platform.len() < 5 {
                let at = line.map_or_else(String::new, |l| format!("line {l}: "));
                let value = fields.get(platform_column).map_or("", |f| f.as_ref());
                unknown_platform.push(format!("{at}`{value}`"));
            }
            continue;
        };
        let Some(app) = row_app(&layout, &cell, platform, Evidence::placeholder()) else {
            no_id += 1;
            continue;
        };
        let device = raw(Column::DeviceId).or_else(|| raw(Column::Device));
        // Evidence is made only for an app kept: quoting every row would cost more
        // than reading it.
        let evidence = || Evidence {
            path: source.to_owned(),
            line,
            format: FORMAT.to_owned(),
            excerpt: record.position().and_then(|p| quote(&reader, p)),
        };
        devices
            .apps(device, || cell(Column::Device))
            .push(app, evidence);
    }
    file_warnings.extend(skipped_rows(&unknown_platform, no_id));
    finish_rows(devices.devices.into_vec(), rows, file_warnings)
}

/// The layout of the header record, and the platform column's index.
fn read_layout<R: Read>(reader: &mut ::csv::Reader<R>) -> Result<(Layout, usize), CollectError> {
    let headers: Vec<String> = reader
        .byte_headers()
        .map_err(|e| format!("not valid CSV: {e}"))?
        .iter()
        .map(|h| field_text(h).into_owned())
        .collect();
    let layout = Layout::new(&headers);
    let platform_column = required_columns(&layout, &headers)?;
    Ok((layout, platform_column))
}

/// The devices of a file of `rows` rows, or why it gave none.
fn finish_rows(
    devices: Vec<Rows<'_>>,
    rows: usize,
    file_warnings: Vec<String>,
) -> Result<Vec<ImportedDevice>, CollectError> {
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
fn into_devices(devices: Vec<Rows<'_>>, mut file_warnings: Vec<String>) -> Vec<ImportedDevice> {
    devices
        .into_iter()
        .enumerate()
        .map(|(index, (device, apps))| {
            let warnings = if index == 0 {
                std::mem::take(&mut file_warnings)
            } else {
                Vec::new()
            };
            let (id, name) = device.map_or((None, None), |(id, name)| (Some(id), name));
            let properties = id
                .map(|id| ("host_identifier".to_owned(), id))
                .into_iter()
                .collect();
            let (apps, unkept, platform) = apps.finish(Platform::Linux);
            ImportedDevice {
                unkept,
                name,
                platform,
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
    super::ImportSource::new(crate::collect::InputFormat::Csv, sniff, parse).streamed(parse_input);

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

    /// `text` written to a file and opened as a streamed input.
    fn streamed(text: &str) -> (tempfile::TempDir, TextInput) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.csv");
        std::fs::write(&path, text).unwrap();
        let input = TextInput::open(&path).unwrap();
        assert!(!input.is_complete());
        (dir, input)
    }

    /// What a device holds once merged, as `finish` merges it.
    fn summary(devices: &[ImportedDevice]) -> Vec<String> {
        devices
            .iter()
            .map(|d| {
                let apps = crate::model::merge_apps(d.apps.clone());
                format!(
                    "{:?} {:?} {:?} {:?} {:?}",
                    d.name, d.properties, d.platform, d.warnings, apps
                )
            })
            .collect()
    }

    #[test]
    fn streamed_rows_are_those_read_whole() {
        // Devices' rows are interleaved; quoted fields span lines; a NUL, a bad byte,
        // repeats, an unknown platform and a blank line.
        let mut text = String::from(
            "\u{feff}DeviceId;DeviceName;Platform;ApplicationKey;ApplicationName;ApplicationShortVersion\n",
        );
        for i in 0..3000 {
            let device = i % 7;
            let key = if i % 11 == 0 {
                "com.tencent.mm".to_owned()
            } else {
                format!("com.example.app{}", i % 50)
            };
            let name = if i % 13 == 0 {
                format!("\"Two\nlines {i}\"")
            } else {
                format!("App {i}")
            };
            let platform = if i % 97 == 5 {
                "Amiga"
            } else if device % 2 == 0 {
                "Android"
            } else {
                "iOS"
            };
            text.push_str(&format!(
                "id-{device};dev {device};{platform};{key};{name};1.{i}\n"
            ));
            if i == 1500 {
                text.push_str("\nid-1;dev 1;Android;com.nul\0led;Nul;1\n");
            }
        }
        let whole = parse(&crate::collect::text::decode(text.as_bytes()).unwrap(), "f").unwrap();
        let (_dir, input) = streamed(&text);
        let read = parse_input(input, "f", &crate::model::KeepAll).unwrap();
        assert_eq!(summary(&read), summary(&whole));
        assert_eq!(whole.len(), 7);
        let first = &whole[0].apps[1].evidence[0];
        // Row 0 spans lines 2 and 3 (a quoted line break).
        assert_eq!(first.line, Some(10));
        assert_eq!(read[0].apps[1].evidence[0].line, first.line);
        assert_eq!(read[0].apps[1].evidence[0].excerpt, first.excerpt);
        assert!(
            first
                .excerpt
                .as_deref()
                .is_some_and(|e| e.starts_with("id-0;dev 0;"))
        );
    }

    #[test]
    fn a_filtered_stream_keeps_only_what_is_wanted() {
        struct WeChat;
        impl crate::model::AppFilter for WeChat {
            fn wants(&self, app: &App) -> bool {
                app.id == "com.tencent.mm"
            }
        }
        let mut text = String::from("device,platform,id\n");
        for i in 0..5000 {
            let id = if i % 100 == 0 {
                "com.tencent.mm".to_owned()
            } else {
                format!("com.example.app{i}")
            };
            text.push_str(&format!("d{},android,{id}\n", i % 3));
        }
        let (_dir, input) = streamed(&text);
        let mut read = parse_input(input, "f", &WeChat).unwrap();
        assert_eq!(read.len(), 3);
        for device in &mut read {
            assert_eq!(device.apps.len(), 1);
            assert_eq!(device.apps[0].id, "com.tencent.mm");
            assert_eq!(device.platform, Platform::Android);
            assert_eq!(device.unkept.count_besides(&device.apps), 1650);
        }
        assert_eq!(
            read[0].apps[0].evidence[0].excerpt.as_deref(),
            Some("d0,android,com.tencent.mm")
        );
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
