//! What the MDM JSON importers share: cheap sniffing of a key, reading the document,
//! the line of each app record (for evidence), and one app from a record whose keys
//! a table names.

use super::{app_by_name, non_empty, strip_app_suffix};
use crate::collect::CollectError;
use crate::collect::json::{ObjectStart, array_objects, line_at};
use crate::model::{App, Evidence, Platform};
use serde_json::{Map, Value};

/// Whether `head` (a JSON object) has `"key": <opener>`, opener `[` or `{`, in its
/// first 64 KiB: a cheap sniff that still claims a truncated file.
pub(crate) fn json_key_opens(head: &str, key: &str, opener: char) -> bool {
    if !head.trim_start().starts_with('{') {
        return false;
    }
    let mut end = head.len().min(64 * 1024);
    while !head.is_char_boundary(end) {
        end -= 1;
    }
    let head = &head[..end];
    let quoted = format!("\"{key}\"");
    head.match_indices(&quoted).any(|(at, _)| {
        head[at + quoted.len()..]
            .trim_start()
            .strip_prefix(':')
            .is_some_and(|rest| rest.trim_start().starts_with(opener))
    })
}

/// The document as a JSON object, or why not (`expected`: what the format is).
pub(crate) fn parse_object(text: &str, expected: &str) -> Result<Map<String, Value>, CollectError> {
    match serde_json::from_str(text) {
        Ok(Value::Object(root)) => Ok(root),
        Ok(_) => Err(expected.to_owned().into()),
        Err(e) => Err(format!("not valid JSON: {e}").into()),
    }
}

/// A string (or number) field as text, trimmed; `None` when absent or empty.
pub(crate) fn text_of(item: &Map<String, Value>, key: &str) -> Option<String> {
    match item.get(key)? {
        Value::String(s) => non_empty(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The evidence of each app record, in document order: the line of the record's `{`
/// in the arrays named `keys`. Lines are given only when the scan saw exactly the
/// records the reader will ask for.
pub(crate) struct RecordLines<'t> {
    text: &'t str,
    source: &'t str,
    format: &'static str,
    starts: Option<std::vec::IntoIter<ObjectStart>>,
}

impl<'t> RecordLines<'t> {
    /// The records of arrays named `keys`; `expected`: how many the reader will read.
    pub(crate) fn new(
        text: &'t str,
        source: &'t str,
        format: &'static str,
        keys: &[&str],
        expected: usize,
    ) -> Self {
        let starts: Vec<ObjectStart> = array_objects(text)
            .into_iter()
            .filter(|o| o.key.as_deref().is_some_and(|k| keys.contains(&k)))
            .collect();
        RecordLines {
            text,
            source,
            format,
            starts: (starts.len() == expected).then(|| starts.into_iter()),
        }
    }

    /// The evidence of the next record.
    pub(crate) fn next_evidence(&mut self) -> Evidence {
        let start = self.starts.as_mut().and_then(Iterator::next);
        Evidence {
            path: self.source.to_owned(),
            line: start.as_ref().map(|s| s.line),
            format: self.format.to_owned(),
            excerpt: start.as_ref().map(|s| line_at(self.text, s.offset)),
        }
    }
}

/// Which keys of an app record hold what, first present wins.
pub(crate) struct AppKeys {
    /// The bundle id or package name.
    pub id: &'static [&'static str],
    /// The name people see (`.app` is dropped).
    pub name: &'static [&'static str],
    /// The version people see, then fallbacks.
    pub version: &'static [&'static str],
    /// The build number.
    pub build: &'static [&'static str],
    /// The install path.
    pub path: &'static [&'static str],
    /// The publisher.
    pub publisher: &'static [&'static str],
}

fn first(item: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| text_of(item, k))
}

/// The app a record describes: by its id, else (an inventory without one) by its
/// name only; `None` when it has neither.
pub(crate) fn app_from(
    keys: &AppKeys,
    item: &Map<String, Value>,
    platform: Platform,
    evidence: Evidence,
) -> Option<App> {
    let name = first(item, keys.name).and_then(|n| non_empty(strip_app_suffix(&n)));
    let mut app = match first(item, keys.id) {
        Some(id) => {
            let mut app = App::new(platform, id, evidence);
            app.name = name;
            app
        }
        None => app_by_name(platform, &name?, evidence),
    };
    app.version = first(item, keys.version);
    app.build = first(item, keys.build).filter(|b| app.version.as_ref() != Some(b));
    app.path = first(item, keys.path);
    app.publisher = first(item, keys.publisher);
    Some(app)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_keys_that_open() {
        assert!(json_key_opens("{\"apps\" : [", "apps", '['));
        assert!(!json_key_opens("{\"apps\": 1}", "apps", '['));
        assert!(!json_key_opens("[{\"apps\": []}]", "apps", '['));
    }

    #[test]
    fn apps_without_an_id_are_known_by_name() {
        let keys = AppKeys {
            id: &["bundle_id"],
            name: &["name"],
            version: &["short", "version"],
            build: &[],
            path: &[],
            publisher: &[],
        };
        let item: Map<String, Value> =
            serde_json::from_str(r#"{"bundle_id": "", "name": "TikTok.app", "version": 3}"#)
                .unwrap();
        let ev = Evidence {
            path: "p".into(),
            line: None,
            format: "f".into(),
            excerpt: None,
        };
        let app = app_from(&keys, &item, Platform::Macos, ev.clone()).unwrap();
        assert_eq!((app.id.as_str(), app.flags.no_id), ("TikTok", true));
        assert_eq!(app.version.as_deref(), Some("3"));
        let empty: Map<String, Value> = Map::new();
        assert!(app_from(&keys, &empty, Platform::Macos, ev).is_none());
    }
}
