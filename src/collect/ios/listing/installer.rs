//! `ideviceinstaller` text listings (libimobiledevice/ideviceinstaller `src/ideviceinstaller.c`).
//!
//! - up to 1.1.0, `-l`: `Total: N apps`, then `com.foo - Display Name 1.2` (`CFBundleVersion`);
//! - 1.1.1, `-l`: header `CFBundleIdentifier, CFBundleVersion, CFBundleDisplayName`, rows
//!   `com.foo, "123", "Name"`: quotes inside a name are not escaped, the version is left
//!   out when the app has none;
//! - 1.2, `list`: header `CFBundleIdentifier, CFBundleShortVersionString, CFBundleDisplayName`
//!   (or the columns of `-a`), values printed by libplist: `"..."` with `\"` and `\n`
//!   escapes, a missing value as nothing between the commas.
//!
//! Neither is RFC 4180 CSV (a quote is not doubled, a space follows each comma), so the
//! rows are split here rather than by a CSV reader; doubled quotes are accepted too, for a
//! listing re-saved by a spreadsheet.

use super::{head_lines, text};
use crate::collect::android::WarningCap;
use crate::collect::ios::{AppList, IosError, Parsed, is_bundle_id};
use crate::collect::text::{excerpt, lines};
use crate::model::{App, Evidence, Platform};

/// The format name of the `Total: N apps` listing.
pub const LEGACY_FORMAT: &str = "ideviceinstaller-list";
/// The format name of the 1.1.1 / 1.2 listing.
pub const CSV_FORMAT: &str = "ideviceinstaller-csv";

/// Warnings kept about lines that are not app rows.
const MAX_LINE_WARNINGS: usize = 5;

/// The first non-blank line is `Total: N apps`.
pub fn sniff_legacy(head: &[u8]) -> bool {
    head_lines(head, 1)
        .first()
        .is_some_and(|l| total(l).is_some())
}

/// The first non-blank line is a header starting with `CFBundleIdentifier`.
pub fn sniff_csv(head: &[u8]) -> bool {
    head_lines(head, 1).first().is_some_and(|l| is_header(l))
}

fn is_header(line: &str) -> bool {
    line.strip_prefix("CFBundleIdentifier")
        .is_some_and(|rest| rest.is_empty() || rest.trim_start().starts_with(','))
}

/// `N` of `Total: N apps`.
fn total(line: &str) -> Option<u64> {
    line.strip_prefix("Total:")?
        .trim()
        .strip_suffix("apps")?
        .trim()
        .parse()
        .ok()
}

/// Parses a `Total: N apps` listing.
pub fn parse_legacy(bytes: &[u8], path: &str) -> Result<Parsed, IosError> {
    let text = text(bytes, path)?;
    let mut apps = AppList::default();
    let mut warnings = Vec::new();
    let mut other = WarningCap::new(MAX_LINE_WARNINGS);
    let (mut expected, mut rows) = (None, 0u64);
    for (number, line) in (1u64..).zip(lines(&text)) {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(n) = total(line) {
            expected.get_or_insert(n);
            continue;
        }
        let Some((id, rest)) = line.split_once(" - ").filter(|(id, _)| is_bundle_id(id)) else {
            other.push(&mut warnings, not_a_row(number, line));
            continue;
        };
        rows += 1;
        let (name, version) = split_name_version(rest.trim());
        let mut app = App::new(
            Platform::Ios,
            id,
            line_evidence(path, LEGACY_FORMAT, number, line),
        );
        app.name = Some(name.to_owned()).filter(|n| !n.is_empty());
        // This column is `CFBundleVersion`, the build number.
        app.build = version.map(str::to_owned);
        app.version = app.build.clone();
        apps.insert(app);
    }
    other.finish(&mut warnings, "lines that are not app rows");
    if let Some(n) = expected.filter(|n| *n != rows) {
        warnings.push(format!(
            "{path}: the listing says {n} apps but has {rows} app rows (cut short?)"
        ));
    }
    Ok(Parsed {
        apps: apps.into_vec(),
        properties: Vec::new(),
        warnings,
    })
}

/// `Display Name 1.2` → (`Display Name`, `1.2`): the last word is the version when it
/// starts with a digit (names have spaces, and the version is left out when unknown).
fn split_name_version(rest: &str) -> (&str, Option<&str>) {
    match rest.rsplit_once(' ') {
        Some((name, version)) if version.starts_with(|c: char| c.is_ascii_digit()) => {
            (name.trim(), Some(version))
        }
        _ => (rest, None),
    }
}

/// The columns a header names, and where the app fields are among them.
struct Columns {
    count: usize,
    id: usize,
    short_version: Option<usize>,
    build: Option<usize>,
    name: Option<usize>,
    /// 1.1.1's fixed `id, "version", "name"` layout, printed without escaping.
    unescaped: bool,
}

impl Columns {
    fn from_header(header: &str) -> Option<Self> {
        let names: Vec<&str> = header.split(',').map(str::trim).collect();
        let find = |key: &str| names.iter().position(|n| *n == key);
        Some(Columns {
            count: names.len(),
            id: find("CFBundleIdentifier")?,
            short_version: find("CFBundleShortVersionString"),
            build: find("CFBundleVersion"),
            name: find("CFBundleDisplayName").or_else(|| find("CFBundleName")),
            unescaped: names
                == [
                    "CFBundleIdentifier",
                    "CFBundleVersion",
                    "CFBundleDisplayName",
                ],
        })
    }

    /// The fields of a row: split by the escaping rules of 1.2, else (1.1.1, or a row
    /// whose quotes do not pair up) read as `id, "version", "name"`.
    fn fields(&self, line: &str) -> Option<Vec<String>> {
        if !self.unescaped
            && let Some(fields) = split_row(line).filter(|f| f.len() == self.count)
        {
            return Some(fields);
        }
        if self.count != 3 || self.id != 0 {
            return None;
        }
        let (id, rest) = line.split_once(',')?;
        let (version, name) = loose_row(rest);
        Some(vec![
            id.trim().to_owned(),
            version.unwrap_or_default(),
            name,
        ])
    }
}

/// Parses a 1.1.1 or 1.2 listing (a header, then one row per app).
pub fn parse_csv(bytes: &[u8], path: &str) -> Result<Parsed, IosError> {
    let text = text(bytes, path)?;
    let mut rows = (1u64..)
        .zip(lines(&text))
        .filter(|(_, l)| !l.trim().is_empty());
    let columns = rows
        .next()
        .and_then(|(_, header)| Columns::from_header(header.trim()))
        .ok_or_else(|| IosError::format(path, "no CFBundleIdentifier header line"))?;
    let mut apps = AppList::default();
    let mut warnings = Vec::new();
    let mut other = WarningCap::new(MAX_LINE_WARNINGS);
    for (number, line) in rows {
        let line = line.trim();
        let Some(fields) = columns.fields(line) else {
            other.push(&mut warnings, not_a_row(number, line));
            continue;
        };
        let get = |i: Option<usize>| {
            i.and_then(|i| fields.get(i))
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let Some(id) = get(Some(columns.id)).filter(|id| is_bundle_id(id)) else {
            other.push(&mut warnings, not_a_row(number, line));
            continue;
        };
        let mut app = App::new(
            Platform::Ios,
            id,
            line_evidence(path, CSV_FORMAT, number, line),
        );
        app.build = get(columns.build);
        app.version = get(columns.short_version).or_else(|| app.build.clone());
        app.name = get(columns.name);
        apps.insert(app);
    }
    other.finish(&mut warnings, "lines that are not app rows");
    Ok(Parsed {
        apps: apps.into_vec(),
        properties: Vec::new(),
        warnings,
    })
}

/// Splits a 1.2 row: raw or `"quoted"` values separated by commas; `None` when the
/// quotes do not pair up.
fn split_row(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut rest = line;
    loop {
        rest = rest.trim_start();
        if let Some(quoted_start) = rest.strip_prefix('"') {
            let (value, after) = unquote(quoted_start)?;
            fields.push(value);
            rest = after.trim_start();
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            fields.push(rest[..end].trim().to_owned());
            rest = &rest[end..];
        }
        match rest.strip_prefix(',') {
            Some(after) => rest = after,
            None => return rest.is_empty().then_some(fields),
        }
    }
}

/// Reads a quoted value up to its closing quote (after the opening one); libplist's
/// escapes (`\"`, `\n`, `\t`, `\uXXXX`...) and doubled quotes are undone.
fn unquote(s: &str) -> Option<(String, &str)> {
    let mut out = String::new();
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' if chars.peek().is_some_and(|(_, next)| *next == '"') => {
                chars.next();
                out.push('"');
            }
            '"' => return Some((out, &s[i + 1..])),
            '\\' => match chars.next().map(|(_, e)| e) {
                Some('"') => out.push('"'),
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('b') => out.push('\u{8}'),
                Some('f') => out.push('\u{c}'),
                Some('u') => {
                    let hex: String = (0..4)
                        .filter_map(|_| chars.next().map(|(_, h)| h))
                        .collect();
                    let code = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                    out.push(code.unwrap_or(char::REPLACEMENT_CHARACTER));
                }
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            },
            c => out.push(c),
        }
    }
    None
}

/// A 1.1.1 row after the id: `"version", "name"` or `"name"`, where the name may hold
/// unescaped quotes and commas. A version holds no quote and starts with a digit.
fn loose_row(rest: &str) -> (Option<String>, String) {
    let rest = rest.trim();
    let strip = |s: &str| {
        let s = s.strip_prefix('"').unwrap_or(s);
        s.strip_suffix('"').unwrap_or(s).to_owned()
    };
    if let Some((version, name)) = rest
        .strip_prefix('"')
        .and_then(|r| r.split_once("\", \""))
        .filter(|(v, _)| !v.contains('"') && v.starts_with(|c: char| c.is_ascii_digit()))
    {
        return (Some(version.to_owned()), strip(&format!("\"{name}")));
    }
    (None, strip(rest))
}

fn not_a_row(number: u64, line: &str) -> String {
    format!("line {number}: not an app row: `{}`", excerpt(line))
}

/// Evidence of a line-oriented listing.
pub(crate) fn line_evidence(path: &str, format: &str, number: u64, line: &str) -> Evidence {
    Evidence {
        path: path.to_owned(),
        line: Some(number),
        format: format.to_owned(),
        excerpt: Some(excerpt(line)),
    }
}
