//! androidqf `packages.json`: an array of package records (Go struct `adb.Package`).
//!
//! Records are read field by field from `serde_json::Value`, so one odd record (a
//! missing name, a field of an unexpected type) costs a warning, not the file.

use super::{AppSet, Parsed};
use crate::collect::CollectError;
use crate::collect::json::{array_objects, key_line};
use crate::collect::source::Found;
use crate::collect::text::excerpt;
use crate::model::{App, Evidence, Platform};
use serde_json::{Map, Value};

/// The `Evidence::format` of this source.
pub const FORMAT: &str = "androidqf-packages";

/// Parses a `packages.json`; `Err` when it is not JSON or not an array.
pub fn parse(text: &str, source: &str) -> Result<Parsed, CollectError> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let Value::Array(records) = value else {
        return Err("expected a JSON array of package records".to_owned().into());
    };
    // Where each record starts: its own `"name"` line is searched from there.
    let mut starts = array_objects(text)
        .into_iter()
        .filter(|o| o.depth == 1)
        .map(|o| (o.offset, o.line));
    let mut apps = AppSet::default();
    let mut warnings = Vec::new();
    for (index, record) in records.iter().enumerate() {
        let number = index + 1;
        let Some(record) = record.as_object() else {
            warnings.push(format!("record {number} is not an object; skipped"));
            continue;
        };
        let start = starts.next().unwrap_or((text.len(), 0));
        let Some(name) = string(record, "name") else {
            warnings.push(format!("record {number} has no package name; skipped"));
            continue;
        };
        let found = key_line(text, start, "name", name);
        let evidence = Evidence {
            path: source.to_owned(),
            line: found.map(|(line, _)| line),
            format: FORMAT.to_owned(),
            excerpt: found.map(|(_, text)| excerpt(text)),
        };
        apps.insert(to_app(record, name, evidence));
    }
    Ok(Parsed {
        apps: apps.into_vec(),
        warnings,
        ..Parsed::default()
    })
}

/// Whether `text` looks like a `packages.json` (cheap: no full parse).
pub fn sniff(text: &str) -> bool {
    let Some(rest) = text.trim_start().strip_prefix('[') else {
        return false;
    };
    if !rest.trim_start().starts_with('{') {
        return false;
    }
    let head = &text.as_bytes()[..text.len().min(64 * 1024)];
    memchr::memmem::find(head, b"\"name\"").is_some()
}

fn to_app(record: &Map<String, Value>, name: &str, evidence: Evidence) -> App {
    let mut app = App::new(Platform::Android, name, evidence);
    // androidqf writes the string "null" when the package has no installer.
    app.installer = string(record, "installer")
        .filter(|i| *i != "null")
        .map(str::to_owned);
    app.uid = record.get("uid").and_then(Value::as_u64);
    app.flags.system = flag(record, "system");
    app.flags.disabled = flag(record, "disabled");
    let files = record.get("files").and_then(Value::as_array);
    let files = files.map(Vec::as_slice).unwrap_or_default();
    app.path = files
        .iter()
        .find_map(|f| f.get("path").and_then(Value::as_str))
        .filter(|p| !p.is_empty())
        .map(str::to_owned);
    for file in files {
        let cert = file
            .get("certificate")
            .and_then(|c| c.get("Sha256"))
            .and_then(Value::as_str)
            .map(|c| c.trim().to_ascii_lowercase());
        if let Some(cert) = cert
            && !cert.is_empty()
            && !app.cert_sha256.contains(&cert)
        {
            app.cert_sha256.push(cert);
        }
    }
    app
}

fn string<'v>(record: &'v Map<String, Value>, key: &str) -> Option<&'v str> {
    record
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn flag(record: &Map<String, Value>, key: &str) -> bool {
    record.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// androidqf `packages.json`, as a [`TextSource`](crate::collect::source::TextSource).
pub struct Source;

impl crate::collect::source::TextSource for Source {
    fn forced_by(&self) -> Option<crate::collect::InputFormat> {
        Some(crate::collect::InputFormat::Androidqf)
    }

    fn sniff(&self, head: &str) -> bool {
        sniff(head)
    }

    fn parse(&self, text: &str, source: &str) -> Result<Vec<Found>, CollectError> {
        let parsed =
            parse(text, source).map_err(|e| format!("expected androidqf packages.json: {e}"))?;
        Ok(vec![Found::android(FORMAT, parsed.apps, parsed.warnings)])
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::collect::text::read_text_file;
    use crate::test_support::shared_fixture;

    #[test]
    fn real_packages_json() {
        let Some(path) =
            shared_fixture("android/third_party/mvt/tests/artifacts/androidqf/packages.json")
        else {
            return;
        };
        let text = read_text_file(&path).unwrap();
        let p = parse(&text, "packages.json").unwrap();
        let ids: Vec<&str> = p.apps.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "com.whatsapp",
                "app.revanced.manager.flutter",
                "com.google.android.youtube",
                "org.fdroid.fdroid",
                "org.nuclearfog.apollo",
                "com.malware.blah",
                "com.malware.muahaha",
            ]
        );
        let lines: Vec<Option<u64>> = p.apps.iter().map(|a| a.evidence[0].line).collect();
        let expected = [3, 36, 69, 102, 135, 168, 201].map(Some);
        assert_eq!(lines, expected);
        let whatsapp = &p.apps[0];
        assert_eq!(whatsapp.installer, None);
        assert_eq!(whatsapp.uid, Some(10271));
        assert!(!whatsapp.flags.system);
        assert_eq!(
            whatsapp.path.as_deref(),
            Some("/data/app/~~/com.whatsapp-~~/base.apk")
        );
        assert_eq!(
            whatsapp.cert_sha256,
            ["3987d043d10aefaf5a8710b3671418fe57e0e19b653c9df82558feb5ffce5d44"]
        );
        assert_eq!(
            whatsapp.evidence[0].excerpt.as_deref(),
            Some("\"name\": \"com.whatsapp\",")
        );
        assert_eq!(whatsapp.evidence[0].format, FORMAT);
        let youtube = &p.apps[2];
        assert!(youtube.flags.system);
        assert_eq!(
            youtube.installer.as_deref(),
            Some("com.google.android.packageinstaller")
        );
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn record_without_name_is_skipped_with_a_warning() {
        let text = r#"[
  {"name": "com.tencent.mm", "installer": "com.android.vending", "uid": 10190, "future_field": {"x": 1}},
  {"files": [], "uid": 10001},
  {"name": "cn.wps.moffice_eng", "uid": "not a number", "disabled": true,
   "files": [{"path": "/data/app/a/base.apk", "certificate": {"Sha256": "ABCDEF"}},
             {"path": "/data/app/a/split.apk", "certificate": {"Sha256": "abcdef"}},
             {"path": "/data/app/a/split2.apk", "certificate": {"Sha256": ""}}]},
  7
]"#;
        let p = parse(text, "p.json").unwrap();
        assert_eq!(p.apps.len(), 2);
        assert_eq!(
            p.warnings,
            [
                "record 2 has no package name; skipped",
                "record 4 is not an object; skipped"
            ]
        );
        let wps = &p.apps[1];
        assert_eq!(wps.evidence[0].line, Some(4));
        assert_eq!(wps.uid, None);
        assert!(wps.flags.disabled);
        assert_eq!(wps.cert_sha256, ["abcdef"]);
        assert_eq!(wps.path.as_deref(), Some("/data/app/a/base.apk"));
    }

    #[test]
    fn malformed_json_names_line_and_column() {
        let err = parse("[\n  {\"name\": \"a\",,}\n]", "p.json")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2 column"), "{err}");
        let err = parse("{\"name\": \"a\"}", "p.json")
            .unwrap_err()
            .to_string();
        assert_eq!(err, "expected a JSON array of package records");
    }

    #[test]
    fn sniffs() {
        assert!(sniff("\n[\n {\"name\": \"a\"}]"));
        assert!(!sniff("[1, 2]"));
        assert!(!sniff("{\"name\": \"a\"}"));
        assert!(!sniff("package:a"));
    }
}
