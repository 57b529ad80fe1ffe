//! osquery JSON results: `osqueryi --json "SELECT * FROM apps"` (or `programs`,
//! `deb_packages`, `rpm_packages`), a JSON array of rows whose values are strings.
//!
//! The table is told from the columns of each row. [`Table`] also says which column
//! holds each value a rule can match, so `appaudit rules export` queries the same
//! values that an import hands to the matcher.

use super::{DeviceApps, ImportedDevice, array_objects, line_at, non_empty, strip_app_suffix};
use crate::collect::CollectError;
use crate::collect::json::{StreamError, for_each_element};
use crate::collect::source::Found;
use crate::collect::text::{ReadError, TextInput};
use crate::model::{App, AppFilter, Evidence, Platform};
use serde::Deserialize;
use serde_json::{Map, Value};

pub use crate::model::OsqueryTable as Table;

/// The format name of a whole osquery file (several tables in one file are possible).
pub const FORMAT: &str = "osquery-json";

/// Columns only osquery's software tables have (and androidqf's packages.json has not).
const MARKERS: [&str; 9] = [
    "\"bundle_identifier\"",
    "\"bundle_short_version\"",
    "\"identifying_number\"",
    "\"uninstall_string\"",
    "\"install_source\"",
    "\"maintainer\"",
    "\"admindir\"",
    "\"release\"",
    "\"epoch\"",
];

/// Whether `text` looks like osquery JSON results of a software table (cheap: no full parse).
pub fn sniff(text: &str) -> bool {
    let Some(rest) = text.trim_start().strip_prefix('[') else {
        return false;
    };
    if !rest.trim_start().starts_with('{') {
        return false;
    }
    let head = &text.as_bytes()[..text.len().min(16 * 1024)];
    MARKERS
        .iter()
        .any(|m| memchr::memmem::find(head, m.as_bytes()).is_some())
}

/// A row's value as text: osquery prints every column as a string; numbers and
/// booleans (`--json` of some versions) are accepted too.
fn text_of(row: &Map<String, Value>, column: &str) -> Option<String> {
    match row.get(column)? {
        Value::String(s) => non_empty(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The app a row of `table` describes, or `None` when the row names no app.
///
/// The values a rule can match come from these columns (and the export queries them):
/// - `apps`: id `bundle_identifier`; name `name` without `.app`.
/// - `programs`: id `identifying_number` (MSI ProductCode or bundle id), else `name`
///   (the DisplayName); name `name`; publisher `publisher`.
/// - `deb_packages`, `rpm_packages`: id `name`.
pub fn app_from_row(table: Table, row: &Map<String, Value>, evidence: Evidence) -> Option<App> {
    let get = |column: &str| text_of(row, column);
    let mut app = match table {
        Table::Apps => {
            let mut app = App::new(Platform::Macos, get("bundle_identifier")?, evidence);
            app.name = get("name").and_then(|n| non_empty(strip_app_suffix(&n)));
            app.version = get("bundle_short_version");
            app.build = get("bundle_version");
            app.path = get("path");
            app
        }
        Table::Programs => {
            let name = get("name");
            let id = get("identifying_number").or_else(|| name.clone())?;
            let mut app = App::new(Platform::Windows, id, evidence);
            app.name = name;
            app.version = get("version");
            app.publisher = get("publisher");
            app.path = get("install_location");
            app
        }
        Table::DebPackages | Table::RpmPackages => {
            let mut app = App::new(Platform::Linux, get("name")?, evidence);
            app.version = get("version");
            app
        }
    };
    app.first_install_time = get("install_date").or_else(|| get("install_time"));
    Some(app)
}

/// The host a row came from and the row's columns: osqueryd's result log rows
/// (`{"hostIdentifier": ..., "columns": {...}}`) name their host; `osqueryi --json`
/// rows are the columns themselves (a `host_identifier` column, if selected, names it).
fn host_and_columns(row: &Map<String, Value>) -> (Option<&str>, &Map<String, Value>) {
    fn host(r: &Map<String, Value>) -> Option<&str> {
        ["hostIdentifier", "host_identifier"].iter().find_map(|k| {
            let host = r.get(*k).and_then(Value::as_str)?.trim();
            (!host.is_empty()).then_some(host)
        })
    }
    match row.get("columns").and_then(Value::as_object) {
        Some(columns) => (host(row).or_else(|| host(columns)), columns),
        None => (host(row), row),
    }
}

/// What was read of one host's rows.
struct HostRows<'f> {
    apps: DeviceApps<'f>,
    tables: Vec<Table>,
}

/// The hosts read so far, in the order rows first named them, and what was skipped.
struct Hosts<'f> {
    keep: Option<&'f dyn AppFilter>,
    hosts: super::Slots<(Option<String>, HostRows<'f>)>,
    warnings: Vec<String>,
    unknown: usize,
    nameless: usize,
}

impl<'f> Hosts<'f> {
    /// Every row is kept (`keep` `None`), or only the apps `keep` wants.
    fn new(keep: Option<&'f dyn AppFilter>) -> Self {
        Hosts {
            keep,
            hosts: super::Slots::new(),
            warnings: Vec::new(),
            unknown: 0,
            nameless: 0,
        }
    }

    /// Element `index` of the array, which is no object.
    fn not_object(&mut self, index: usize) {
        self.warnings
            .push(format!("row {} is not an object; skipped", index + 1));
    }

    /// One row; `place` gives its line and excerpt (asked only for apps kept).
    fn row(
        &mut self,
        row: &Map<String, Value>,
        source: &str,
        place: impl FnOnce() -> (Option<u64>, Option<String>),
    ) {
        let judged = judge(row, self.keep, source, place);
        self.take(judged);
    }

    /// A row told apart by [`judge`]: its app to its host, or counted.
    fn take(&mut self, judged: Judged) {
        match judged {
            Judged::App {
                host,
                table,
                app,
                wanted,
                evidence,
            } => self.add(host.as_deref(), table, app, wanted, evidence),
            Judged::NotObject(index) => self.not_object(index),
            Judged::Unknown => self.unknown += 1,
            Judged::Nameless => self.nameless += 1,
        }
    }

    /// The app of a row, to its host.
    fn add(
        &mut self,
        host: Option<&str>,
        table: Table,
        app: App,
        wanted: bool,
        evidence: Option<Evidence>,
    ) {
        let keep = self.keep;
        let (_, rows_of_host) = self.hosts.get_or_open(host, || {
            let rows = HostRows {
                apps: DeviceApps::new(keep),
                tables: Vec::new(),
            };
            (host.map(str::to_owned), rows)
        });
        if !rows_of_host.tables.contains(&table) {
            rows_of_host.tables.push(table);
        }
        rows_of_host.apps.push_judged(app, wanted, evidence);
    }

    /// The devices, once `rows` elements were read.
    fn finish(mut self, rows: usize) -> Result<Vec<ImportedDevice>, CollectError> {
        super::warn_skipped(
            &mut self.warnings,
            self.unknown,
            "row(s) are not from apps, programs, deb_packages or rpm_packages",
        );
        super::warn_skipped(
            &mut self.warnings,
            self.nameless,
            "row(s) have no identifier (bundle_identifier, identifying_number or name)",
        );
        if self.hosts.is_empty() && rows > 0 {
            return Err(
                "expected osquery rows of apps, programs, deb_packages or rpm_packages; no row names an app"
                    .into(),
            );
        }
        Ok(into_devices(
            self.hosts.into_vec(),
            self.warnings,
            self.keep,
        ))
    }
}

/// What one row is, told apart from the others' (on the thread that reads the file).
// Nearly every row is an app: boxing it would allocate once more per row.
#[allow(clippy::large_enum_variant)]
enum Judged {
    /// Element `index` of the array is no object.
    NotObject(usize),
    /// Not a row of a table appaudit reads.
    Unknown,
    /// A row with no identifier.
    Nameless,
    /// An app of `host`, asked about with the filter; its evidence is made (quoting the
    /// row costs) only when the filter wants it.
    App {
        host: Option<String>,
        table: Table,
        app: App,
        wanted: bool,
        evidence: Option<Evidence>,
    },
}

/// Tells what `row` is and asks `keep` (`None`: keeps all) about its app.
fn judge(
    row: &Map<String, Value>,
    keep: Option<&dyn AppFilter>,
    source: &str,
    place: impl FnOnce() -> (Option<u64>, Option<String>),
) -> Judged {
    let (host, row) = host_and_columns(row);
    let Some(table) = Table::from_columns(|c| row.contains_key(c)) else {
        return Judged::Unknown;
    };
    let Some(app) = app_from_row(table, row, Evidence::placeholder()) else {
        return Judged::Nameless;
    };
    let wanted = keep.is_none_or(|keep| keep.wants(&app));
    let evidence = wanted.then(|| {
        let (line, excerpt) = place();
        Evidence {
            path: source.to_owned(),
            line,
            format: table.format().to_owned(),
            excerpt,
        }
    });
    Judged::App {
        host: host.map(str::to_owned),
        table,
        app,
        wanted,
        evidence,
    }
}

/// Rows handed from the reading thread at a time.
const BATCH_ROWS: usize = 512;

/// Parses osquery JSON results into one device per host the rows name (one device
/// when they name none); `Err` when the text is not a JSON array of rows.
pub fn parse(text: &str, source: &str) -> Result<Vec<ImportedDevice>, CollectError> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let Value::Array(rows) = value else {
        return Err("expected a JSON array of rows (`osqueryi --json`)"
            .to_owned()
            .into());
    };
    let starts: Vec<_> = array_objects(text)
        .into_iter()
        .filter(|o| o.depth == 1)
        .collect();
    let mut starts = starts.iter();
    let mut hosts = Hosts::new(None);
    for (index, row) in rows.iter().enumerate() {
        let Some(row) = row.as_object() else {
            hosts.not_object(index);
            continue;
        };
        let start = starts.next();
        hosts.row(row, source, || {
            (
                start.map(|s| s.line),
                start.map(|s| line_at(text, s.offset)),
            )
        });
    }
    hosts.finish(rows.len())
}

/// Every key the row code reads: [`host_and_columns`], [`Table::from_columns`] and
/// [`app_from_row`] (keep in step with them). A streamed row keeps only these, so the
/// other columns of a `SELECT *` and the result log's own fields cost no allocation.
const READ_KEYS: [&str; 24] = [
    "columns",
    "hostIdentifier",
    "host_identifier",
    "bundle_identifier",
    "bundle_short_version",
    "bundle_version",
    "name",
    "path",
    "identifying_number",
    "uninstall_string",
    "install_source",
    "install_location",
    "install_date",
    "install_time",
    "publisher",
    "version",
    "arch",
    "maintainer",
    "admindir",
    "revision",
    "priority",
    "release",
    "sha1",
    "epoch",
];

/// A row object with only the keys of [`READ_KEYS`] (a `columns` object likewise).
struct ReadKeys;

impl<'de> serde::de::DeserializeSeed<'de> for ReadKeys {
    type Value = Map<String, Value>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for ReadKeys {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut row = Map::new();
        while let Some(key) = map.next_key_seed(ReadKey)? {
            match key {
                Some("columns") => {
                    let columns: Value = map.next_value_seed(Columns)?;
                    row.insert("columns".to_owned(), columns);
                }
                Some(key) => {
                    let value: Value = map.next_value()?;
                    row.insert(key.to_owned(), value);
                }
                None => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(row)
    }
}

/// A key, as the entry of [`READ_KEYS`] it is (`None`: not read), without allocating.
struct ReadKey;

impl<'de> serde::de::DeserializeSeed<'de> for ReadKey {
    type Value = Option<&'static str>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl serde::de::Visitor<'_> for ReadKey {
    type Value = Option<&'static str>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(READ_KEYS.iter().copied().find(|k| *k == key))
    }
}

/// The value of `columns`: an object with only the keys read, or any other value whole
/// (the row code then reads the row itself).
struct Columns;

impl<'de> serde::de::DeserializeSeed<'de> for Columns {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        match Value::deserialize(d)? {
            Value::Object(columns) => Ok(Value::Object(
                columns
                    .into_iter()
                    .filter(|(k, _)| READ_KEYS.contains(&k.as_str()))
                    .collect(),
            )),
            other => Ok(other),
        }
    }
}

/// A streamed row: the keys read of an object, `None` for any other valid JSON value.
fn row_of(
    element: &crate::collect::json::Element<'_>,
) -> Result<Option<Map<String, Value>>, CollectError> {
    use serde::de::DeserializeSeed;
    let placed = |e: serde_json::Error| element.place(&e);
    if !element.text.starts_with('{') {
        return element.object().map(|_| None);
    }
    let mut de = serde_json::Deserializer::from_str(element.text);
    let row = ReadKeys.deserialize(&mut de).map_err(placed)?;
    de.end().map_err(placed)?;
    Ok(Some(row))
}

/// [`parse`] for a file too large to hold whole: the rows of the top-level array are
/// read one at a time, and each host keeps only the apps `keep` wants (rows of one
/// host need not be adjacent: every host stays open to the end). A file whose top
/// level is no array is read whole, for [`parse`]'s messages.
pub fn parse_input(
    input: TextInput,
    source: &str,
    keep: &dyn AppFilter,
) -> Result<Vec<ImportedDevice>, CollectError> {
    if !input.head().trim_start().starts_with('[') {
        return parse(&input.into_string()?, source);
    }
    let mut hosts = Hosts::new(Some(keep));
    // One thread reads and parses the rows and asks the filter; this one gives them to
    // their hosts: a fleet's export is read on both cores.
    let (sender, batches) = std::sync::mpsc::sync_channel::<Vec<Judged>>(8);
    let read = std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let mut batch = Vec::with_capacity(BATCH_ROWS);
            let read = for_each_element(input.into_reader(), |element| {
                let judged = match row_of(&element)? {
                    Some(row) => judge(&row, Some(keep), source, || {
                        (Some(element.line), Some(element.excerpt()))
                    }),
                    None => Judged::NotObject(element.index),
                };
                batch.push(judged);
                if batch.len() == BATCH_ROWS {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS));
                    // The receiver only goes away once this thread is done.
                    let _ = sender.send(full);
                }
                Ok::<(), CollectError>(())
            });
            if !batch.is_empty() {
                let _ = sender.send(batch);
            }
            read
        });
        for batch in batches {
            batch.into_iter().for_each(|judged| hosts.take(judged));
        }
        reader
            .join()
            .unwrap_or_else(|_| Err(StreamError::Stop("the reading thread failed".into())))
    });
    let rows = match read {
        Ok(rows) => rows,
        Err(StreamError::Syntax(e) | StreamError::Stop(CollectError::Invalid(e))) => {
            return Err(format!("not valid JSON: {e}").into());
        }
        Err(StreamError::Stop(e)) => return Err(e),
        Err(StreamError::Io(e)) => {
            return Err(ReadError::Unreadable(format!("cannot read: {e}")).into());
        }
    };
    hosts.finish(rows)
}

/// One device per host, in the order the rows first named them; problems of the
/// file as a whole are told once, on its first device.
fn into_devices<'f>(
    mut hosts: Vec<(Option<String>, HostRows<'f>)>,
    mut warnings: Vec<String>,
    keep: Option<&'f dyn AppFilter>,
) -> Vec<ImportedDevice> {
    if hosts.is_empty() {
        hosts.push((
            None,
            HostRows {
                apps: DeviceApps::new(keep),
                tables: Vec::new(),
            },
        ));
    }
    hosts
        .into_iter()
        .enumerate()
        .map(|(index, (host, rows))| {
            let format = match rows.tables.as_slice() {
                [one] => one.format().to_owned(),
                _ => FORMAT.to_owned(),
            };
            let fallback = rows
                .tables
                .first()
                .map_or(Platform::Linux, |t| t.platform());
            let (apps, unkept, platform) = rows.apps.finish(fallback);
            ImportedDevice {
                unkept,
                name: host.clone(),
                platform,
                format,
                apps,
                properties: host
                    .map(|h| vec![("host_identifier".to_owned(), h)])
                    .unwrap_or_default(),
                warnings: if index == 0 {
                    std::mem::take(&mut warnings)
                } else {
                    Vec::new()
                },
            }
        })
        .collect()
}

/// osquery JSON results, as a [`TextSource`](crate::collect::source::TextSource).
pub struct Source;

impl crate::collect::source::TextSource for Source {
    fn forced_by(&self) -> Option<crate::collect::InputFormat> {
        Some(crate::collect::InputFormat::Osquery)
    }

    fn sniff(&self, head: &str) -> bool {
        sniff(head)
    }

    fn parse(&self, text: &str, source: &str) -> Result<Vec<Found>, CollectError> {
        Ok(parse(text, source).map_err(|e| format!("expected osquery JSON results: {e}"))?)
    }

    fn parse_input(
        &self,
        input: TextInput,
        source: &str,
        keep: &dyn AppFilter,
    ) -> Result<Vec<Found>, CollectError> {
        if input.is_complete() {
            return self.parse(&input.into_string()?, source);
        }
        match parse_input(input, source, keep) {
            Err(CollectError::Invalid(e)) => {
                Err(format!("expected osquery JSON results: {e}").into())
            }
            read => read,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_apps_rows_with_lines() {
        let text = r#"[
  {"bundle_identifier":"com.tencent.xinWeChat","bundle_short_version":"4.0.3","bundle_version":"30817","name":"WeChat.app","path":"/Applications/WeChat.app"},
  {"bundle_identifier":"com.microsoft.Word","name":"Microsoft Word.app","bundle_short_version":"16.89"}
]"#;
        let d = parse(text, "apps.json").unwrap().remove(0);
        assert_eq!(d.platform, Platform::Macos);
        assert_eq!(d.format, "osquery-apps");
        let wechat = &d.apps[0];
        assert_eq!(wechat.id, "com.tencent.xinWeChat");
        assert_eq!(wechat.name.as_deref(), Some("WeChat"));
        assert_eq!(wechat.version.as_deref(), Some("4.0.3"));
        assert_eq!(wechat.build.as_deref(), Some("30817"));
        assert_eq!(wechat.evidence[0].line, Some(2));
        assert_eq!(d.apps[1].evidence[0].line, Some(3));
        assert!(d.warnings.is_empty());
    }

    #[test]
    fn programs_use_identifying_number_then_name() {
        let text = r#"[{"name":"WPS Office","publisher":"Kingsoft Corp.","identifying_number":"","version":"12.2"},
{"name":"7-Zip","publisher":"Igor Pavlov","identifying_number":"{23170F69-40C1-2702-2409-000001000000}"}]"#;
        let d = parse(text, "p.json").unwrap().remove(0);
        assert_eq!(d.platform, Platform::Windows);
        assert_eq!(d.apps[0].id, "WPS Office");
        assert_eq!(d.apps[0].publisher.as_deref(), Some("Kingsoft Corp."));
        assert_eq!(d.apps[1].id, "{23170F69-40C1-2702-2409-000001000000}");
        assert_eq!(d.apps[1].name.as_deref(), Some("7-Zip"));
        assert_eq!(d.apps[1].evidence[0].line, Some(2));
    }

    #[test]
    fn tables_from_columns() {
        let cols = |list: &'static [&'static str]| move |c: &str| list.contains(&c);
        assert_eq!(
            Table::from_columns(cols(&["name", "version", "arch", "maintainer"])),
            Some(Table::DebPackages)
        );
        assert_eq!(
            Table::from_columns(cols(&["name", "version", "release", "arch", "sha1"])),
            Some(Table::RpmPackages)
        );
        assert_eq!(
            Table::from_columns(cols(&["name", "version", "publisher"])),
            Some(Table::Programs)
        );
        assert_eq!(Table::from_columns(cols(&["name", "files"])), None);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(
            parse("{\"a\": 1}", "x")
                .unwrap_err()
                .to_string()
                .contains("JSON array")
        );
        assert!(
            parse("[{\"a\": 1", "x")
                .unwrap_err()
                .to_string()
                .starts_with("not valid JSON")
        );
        let err = parse("[{\"files\": []}]", "x").unwrap_err().to_string();
        assert!(err.contains("no row names an app"), "{err}");
    }

    #[test]
    fn result_log_rows_are_one_device_per_host() {
        let text = r#"[
{"name":"pack_apps","hostIdentifier":"mac-1","columns":{"bundle_identifier":"com.tencent.xinWeChat","name":"WeChat.app"}},
{"name":"pack_apps","hostIdentifier":"mac-2","columns":{"bundle_identifier":"com.apple.Safari","name":"Safari.app"}},
{"name":"pack_apps","hostIdentifier":"mac-1","columns":{"bundle_identifier":"com.apple.Notes","name":"Notes.app"}}
]"#;
        let devices = parse(text, "results.json").unwrap();
        assert_eq!(devices.len(), 2);
        assert_eq!(devices[0].name.as_deref(), Some("mac-1"));
        assert_eq!(devices[0].apps.len(), 2);
        assert_eq!(devices[0].apps[1].evidence[0].line, Some(4));
        assert_eq!(
            devices[1].properties,
            vec![("host_identifier".to_owned(), "mac-2".to_owned())]
        );
    }

    fn streamed(text: &str) -> Result<Vec<ImportedDevice>, CollectError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        std::fs::write(&path, text).unwrap();
        let input = TextInput::open(&path).unwrap();
        assert!(!input.is_complete());
        parse_input(input, "f", &crate::model::KeepAll)
    }

    fn summary(devices: &[ImportedDevice]) -> Vec<String> {
        devices
            .iter()
            .map(|d| {
                let apps = crate::model::merge_apps(d.apps.clone());
                format!(
                    "{:?} {:?} {:?} {:?} {} {:?}",
                    d.name, d.properties, d.platform, d.warnings, d.format, apps
                )
            })
            .collect()
    }

    #[test]
    fn streamed_rows_are_those_read_whole() {
        let mut text = String::from("[\n");
        for i in 0..2000 {
            let host = i % 5;
            let row = match i % 4 {
                0 => format!(
                    r#"{{"name":"apps","hostIdentifier":"mac-{host}","columns":{{"bundle_identifier":"com.app{}","name":"A \"{i}\".app"}}}}"#,
                    i % 40
                ),
                1 => format!(
                    r#"{{"hostIdentifier":"mac-{host}","columns":{{"name":"P{i}","publisher":"x"}}}}"#
                ),
                2 => format!(
                    "  {{\"hostIdentifier\":\"mac-{host}\",\n \"columns\":{{\"name\":\"deb{i}\",\"maintainer\":\"m\"}}}}"
                ),
                _ => format!(
                    r#"{{"columns":{{"files":[]}}}}, 7, {{"host_identifier":"h{host}","name":"é{i}","version":"1","arch":"amd64","release":"1"}}"#
                ),
            };
            text.push_str(&row);
            text.push_str(if i == 1999 { "\n]\n" } else { ",\n" });
        }
        let whole = parse(&text, "f").unwrap();
        let read = streamed(&text).unwrap();
        assert_eq!(summary(&read), summary(&whole));
        assert!(whole.len() > 5);
        // Several rows on one line share its excerpt; a row whose `{` ends a line quotes it.
        let line = |d: &ImportedDevice, i: usize| {
            (
                d.apps[i].evidence[0].line,
                d.apps[i].evidence[0].excerpt.clone(),
            )
        };
        assert_eq!(line(&read[0], 2), line(&whole[0], 2));
    }

    #[test]
    fn streamed_errors_are_placed_as_whole_ones() {
        let rows: String = (0..3000)
            .map(|i| {
                format!(r#"{{"hostIdentifier":"h","columns":{{"name":"p{i}","publisher":"x"}}}},"#)
            })
            .collect::<Vec<_>>()
            .join("\n");
        let tails = [
            "\n{\"a\": 1]",
            "\n{\"a\": 1}\n",
            "\n{\"a\": 1} {}]",
            "\n{\"a\": 1},\n]",
            "\n{\"a\": 1}] x",
            "\n{\"a\": [1, }]",
            "\n{\"a\": \"b",
            "\n{\"a\": tru}]",
        ];
        for tail in tails {
            let text = format!("[{rows}{tail}");
            let whole = parse(&text, "f").unwrap_err().to_string();
            let read = streamed(&text).unwrap_err().to_string();
            assert_eq!(read, whole, "{tail:?}");
        }
    }

    #[test]
    fn sniffs_osquery_not_androidqf() {
        assert!(sniff("[\n {\"bundle_identifier\": \"a\"}]"));
        assert!(sniff("[{\"name\":\"wps-office\",\"maintainer\":\"x\"}]"));
        assert!(!sniff("[{\"name\": \"com.tencent.mm\", \"files\": []}]"));
        assert!(!sniff("{\"software\": []}"));
    }
}
