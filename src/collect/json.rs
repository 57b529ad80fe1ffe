//! The one JSON record locator: where each record of a JSON document stands (its
//! line, for evidence), found by a light scan of text serde_json already accepted.
//! osquery and Fleet imports and androidqf `packages.json` all use it.

use crate::collect::text::excerpt;

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
    excerpt(text.get(start..end).unwrap_or_default())
}

/// The line and text of the first `"key": "value"` at or after byte `from`, which is
/// on line `from_line` (a record's own key, when `from` is where the record starts).
pub(crate) fn key_line<'t>(
    text: &'t str,
    (from, from_line): (usize, u64),
    key: &str,
    value: &str,
) -> Option<(u64, &'t str)> {
    let quoted = format!("\"{key}\"");
    let from = from.min(text.len());
    let mut at = from;
    while let Some(hit) = memchr::memmem::find(&text.as_bytes()[at..], quoted.as_bytes()) {
        let start_of_key = at + hit;
        at = start_of_key + quoted.len();
        if !is_string_value(&text[at..], value) {
            continue;
        }
        // Newlines are counted from the record only, so a file of many records stays linear.
        let line = from_line
            + memchr::memchr_iter(b'\n', &text.as_bytes()[from..start_of_key]).count() as u64;
        let start = text[..start_of_key].rfind('\n').map_or(0, |i| i + 1);
        let end = text[start_of_key..]
            .find('\n')
            .map_or(text.len(), |i| start_of_key + i);
        return Some((line, &text[start..end]));
    }
    None
}

/// Whether `rest` (what follows a key) is `: "<value>"`.
fn is_string_value(rest: &str, value: &str) -> bool {
    rest.trim_start()
        .strip_prefix(':')
        .map(str::trim_start)
        .and_then(|v| v.strip_prefix('"'))
        .and_then(|v| v.strip_prefix(value))
        .is_some_and(|after| after.starts_with('"'))
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
    fn key_line_skips_values_that_do_not_match() {
        let text = "[{\"name\": \"com.tencent.mmx\"},\n{\"name\": \"com.tencent.mm\"}]";
        assert_eq!(
            key_line(text, (0, 1), "name", "com.tencent.mm").map(|f| f.0),
            Some(2)
        );
        assert_eq!(key_line(text, (30, 2), "name", "com.tencent.mmx"), None);
    }
}
