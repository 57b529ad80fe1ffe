//! osquery JSON results: `osqueryi --json "SELECT * FROM apps"` (or `programs`,
//! `deb_packages`, `rpm_packages`), a JSON array of rows whose values are strings.
//!
//! The table is told from the columns of each row. [`Table`] also says which column
//! holds each value a rule can match, so `appaudit rules export` queries the same
//! values that an import hands to the matcher.

use super::{ImportedDevice, array_objects, line_at, main_platform, non_empty, strip_app_suffix};
use crate::collect::CollectError;
use crate::collect::source::Found;
use crate::model::{App, Evidence, Platform};
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
fn host_and_columns(row: &Map<String, Value>) -> (Option<String>, &Map<String, Value>) {
    let host = |r: &Map<String, Value>| {
        ["hostIdentifier", "host_identifier"]
            .iter()
            .find_map(|k| r.get(*k).and_then(Value::as_str).and_then(non_empty))
    };
    match row.get("columns").and_then(Value::as_object) {
        Some(columns) => (host(row).or_else(|| host(columns)), columns),
        None => (host(row), row),
    }
}

/// What was read of one host's rows.
#[derive(Default)]
struct HostRows {
    apps: Vec<App>,
    tables: Vec<Table>,
}

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
    let mut hosts: Vec<(Option<String>, HostRows)> = Vec::new();
    let mut warnings = Vec::new();
    let (mut unknown, mut nameless) = (0usize, 0usize);
    for (index, row) in rows.iter().enumerate() {
        let Some(row) = row.as_object() else {
            warnings.push(format!("row {} is not an object; skipped", index + 1));
            continue;
        };
        let start = starts.next();
        let (host, row) = host_and_columns(row);
        let Some(table) = Table::from_columns(|c| row.contains_key(c)) else {
            unknown += 1;
            continue;
        };
        let evidence = Evidence {
            path: source.to_owned(),
            line: start.map(|s| s.line),
            format: table.format().to_owned(),
            excerpt: start.map(|s| line_at(text, s.offset)),
        };
        let Some(app) = app_from_row(table, row, evidence) else {
            nameless += 1;
            continue;
        };
        let slot = match hosts.iter().position(|(h, _)| *h == host) {
            Some(slot) => slot,
            None => {
                hosts.push((host, HostRows::default()));
                hosts.len() - 1
            }
        };
        let rows_of_host = &mut hosts[slot].1;
        if !rows_of_host.tables.contains(&table) {
            rows_of_host.tables.push(table);
        }
        rows_of_host.apps.push(app);
    }
    super::warn_skipped(
        &mut warnings,
        unknown,
        "row(s) are not from apps, programs, deb_packages or rpm_packages",
    );
    super::warn_skipped(
        &mut warnings,
        nameless,
        "row(s) have no identifier (bundle_identifier, identifying_number or name)",
    );
    if hosts.is_empty() && !rows.is_empty() {
        return Err(
            "expected osquery rows of apps, programs, deb_packages or rpm_packages; no row names an app"
                .into(),
        );
    }
    Ok(into_devices(hosts, warnings))
}

/// One device per host, in the order the rows first named them; problems of the
/// file as a whole are told once, on its first device.
fn into_devices(
    mut hosts: Vec<(Option<String>, HostRows)>,
    mut warnings: Vec<String>,
) -> Vec<ImportedDevice> {
    if hosts.is_empty() {
        hosts.push((None, HostRows::default()));
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
            ImportedDevice {
                unkept: Default::default(),
                name: host.clone(),
                platform: main_platform(&rows.apps, fallback),
                format,
                apps: rows.apps,
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

    #[test]
    fn sniffs_osquery_not_androidqf() {
        assert!(sniff("[\n {\"bundle_identifier\": \"a\"}]"));
        assert!(sniff("[{\"name\":\"wps-office\",\"maintainer\":\"x\"}]"));
        assert!(!sniff("[{\"name\": \"com.tencent.mm\", \"files\": []}]"));
        assert!(!sniff("{\"software\": []}"));
    }
}
