//! Inventories that other tools already collect, read as inputs like any dump:
//! osquery JSON results ([`osquery`]), Fleet's software JSON ([`fleet`]) and a CSV of
//! installed apps such as an MDM's discovered-apps export ([`csv`]).
//!
//! Each parser takes decoded text and the path to name in evidence, and returns one
//! or more [`ImportedDevice`]s; `collect` turns them into devices. Evidence lines are
//! 1-based: the line where a JSON record's `{` stands, or a CSV row's line.

use crate::model::{App, Platform};
use std::collections::HashMap;

pub mod csv;
pub mod fleet;
pub mod osquery;

/// One device read from an inventory file: the collectors' one output type.
pub type ImportedDevice = crate::collect::source::Found;

/// The platform most of `apps` are on, or `fallback` when there are none.
pub(crate) fn main_platform(apps: &[App], fallback: Platform) -> Platform {
    let mut counts: HashMap<Platform, usize> = HashMap::new();
    for app in apps {
        *counts.entry(app.platform).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|(platform, count)| (*count, std::cmp::Reverse(*platform)))
        .map_or(fallback, |(platform, _)| platform)
}

/// A text value: trimmed, `None` when empty.
pub(crate) fn non_empty(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// A macOS `Name.app` folder name without its `.app`.
pub(crate) fn strip_app_suffix(name: &str) -> &str {
    let name = name.trim();
    match name.len().checked_sub(4) {
        Some(cut) if name.is_char_boundary(cut) && name[cut..].eq_ignore_ascii_case(".app") => {
            &name[..cut]
        }
        _ => name,
    }
}

/// Where a JSON object that is an element of an array starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ObjectStart {
    /// How many arrays and objects enclose the `{`.
    pub depth: usize,
    /// The key whose value is the enclosing array (`None` for a top-level array).
    pub key: Option<String>,
    /// 1-based line of the `{`.
    pub line: u64,
    /// Byte offset of the `{`.
    pub offset: usize,
}

#[derive(Debug)]
enum Frame {
    Object,
    Array(Option<String>),
}

/// Every object that is an element of an array, in document order, with its line.
/// A light scan (strings, nesting, newlines) of text that serde_json has already
/// accepted; it decodes nothing and allocates only for keys of arrays.
pub(crate) fn array_objects(text: &str) -> Vec<ObjectStart> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut line: u64 = 1;
    let mut last_string: Option<(usize, usize)> = None;
    let mut pending_key: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => line += 1,
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < bytes.len() && bytes[j] != b'"' {
                    if bytes[j] == b'\\' {
                        j += 1;
                    } else if bytes[j] == b'\n' {
                        line += 1;
                    }
                    j += 1;
                }
                last_string = Some((start, j.min(bytes.len())));
                i = j;
            }
            b':' => pending_key = last_string.take(),
            b',' => {
                pending_key = None;
                last_string = None;
            }
            b'[' => {
                let key = match stack.last() {
                    Some(Frame::Object) => pending_key
                        .take()
                        .and_then(|(s, e)| text.get(s..e))
                        .map(str::to_owned),
                    _ => None,
                };
                stack.push(Frame::Array(key));
            }
            b'{' => {
                if let Some(Frame::Array(key)) = stack.last() {
                    found.push(ObjectStart {
                        depth: stack.len(),
                        key: key.clone(),
                        line,
                        offset: i,
                    });
                }
                pending_key = None;
                stack.push(Frame::Object);
            }
            b'}' | b']' => {
                stack.pop();
                pending_key = None;
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// The line of text that holds byte `offset`, as an evidence excerpt.
pub(crate) fn line_at(text: &str, offset: usize) -> String {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    crate::collect::text::excerpt(text.get(start..end).unwrap_or_default())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn finds_array_elements_with_lines_and_keys() {
        let text = "[\n  {\"a\": \"{[\\\"\", \"b\": [{\"x\": 1}]},\n  {\"c\": 2}\n]";
        let found = array_objects(text);
        let summary: Vec<(usize, Option<&str>, u64)> = found
            .iter()
            .map(|o| (o.depth, o.key.as_deref(), o.line))
            .collect();
        assert_eq!(summary, [(1, None, 2), (3, Some("b"), 2), (1, None, 3)]);
        let text = "{\"host\": {\"software\": [\n{\"name\": \"a\"},\n\n{\"name\": \"b\"}]}}";
        let lines: Vec<u64> = array_objects(text)
            .iter()
            .filter(|o| o.key.as_deref() == Some("software"))
            .map(|o| o.line)
            .collect();
        assert_eq!(lines, [2, 4]);
    }

    #[test]
    fn strips_app_suffix() {
        assert_eq!(strip_app_suffix("WeChat.app"), "WeChat");
        assert_eq!(strip_app_suffix("Foo.APP "), "Foo");
        assert_eq!(strip_app_suffix("app"), "app");
        assert_eq!(strip_app_suffix("é.app"), "é");
    }

    #[test]
    fn main_platform_is_the_most_common() {
        use crate::model::Evidence;
        let ev = Evidence {
            path: "p".into(),
            line: None,
            format: "f".into(),
            excerpt: None,
        };
        let apps = vec![
            App::new(Platform::Windows, "a", ev.clone()),
            App::new(Platform::Macos, "b", ev.clone()),
            App::new(Platform::Macos, "c", ev),
        ];
        assert_eq!(main_platform(&apps, Platform::Linux), Platform::Macos);
        assert_eq!(main_platform(&[], Platform::Linux), Platform::Linux);
    }
}
