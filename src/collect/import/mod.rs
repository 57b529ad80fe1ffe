//! Inventories that other tools already collect, read as inputs like any dump:
//! osquery JSON results ([`osquery`]), Fleet's software JSON ([`fleet`]), a CSV of
//! installed apps such as an MDM's discovered-apps export ([`csv`]), and MDM
//! inventories: Jamf Pro ([`jamf`]), Microsoft Intune ([`intune`]), Kandji
//! ([`kandji`]), the Android Management API ([`amapi`]) and SimpleMDM ([`simplemdm`]).
//!
//! Each parser takes decoded text and the path to name in evidence, and returns one
//! or more [`ImportedDevice`]s; `collect` turns them into devices. Evidence lines are
//! 1-based: the line where a JSON record's `{` stands, or a CSV row's line.

use crate::collect::source::{Found, TextSource};
use crate::collect::{CollectError, InputFormat};
use crate::model::{App, Platform};
use std::collections::HashMap;

pub mod amapi;
pub mod csv;
pub mod fleet;
pub mod intune;
pub mod jamf;
mod json_records;
pub mod kandji;
pub mod osquery;
pub mod simplemdm;

pub(crate) use json_records::{
    AppKeys, RecordLines, app_from, json_key_opens, parse_object, text_of,
};

/// An inventory export read whole (CSV, Fleet JSON), as a [`TextSource`].
pub struct ImportSource {
    forced_by: InputFormat,
    sniff: fn(&str) -> bool,
    parse: fn(&str, &str) -> Result<Vec<Found>, CollectError>,
}

impl ImportSource {
    /// The export forced by `forced_by`, told by `sniff` and read by `parse`.
    pub(crate) const fn new(
        forced_by: InputFormat,
        sniff: fn(&str) -> bool,
        parse: fn(&str, &str) -> Result<Vec<Found>, CollectError>,
    ) -> Self {
        ImportSource {
            forced_by,
            sniff,
            parse,
        }
    }
}

impl TextSource for ImportSource {
    fn forced_by(&self) -> Option<InputFormat> {
        Some(self.forced_by)
    }

    fn sniff(&self, head: &str) -> bool {
        (self.sniff)(head)
    }

    fn parse(&self, text: &str, source: &str) -> Result<Vec<Found>, CollectError> {
        (self.parse)(text, source)
    }
}

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

/// Warns that `count` items (`what`: "row(s) without an id") were skipped, when any were.
pub(crate) fn warn_skipped(warnings: &mut Vec<String>, count: usize, what: &str) {
    if count > 0 {
        warnings.push(format!("{count} {what}; skipped"));
    }
}

/// A text value: trimmed, `None` when empty.
pub(crate) fn non_empty(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// An app an inventory knows only by its name: the name stands in for the id, and
/// [`AppFlags::no_id`](crate::model::AppFlags::no_id) says rules match it by name only.
pub(crate) fn app_by_name(platform: Platform, name: &str, evidence: crate::model::Evidence) -> App {
    let mut app = App::new(platform, name, evidence);
    app.name = Some(name.to_owned());
    app.flags.no_id = true;
    app
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

pub(crate) use crate::collect::json::{array_objects, line_at};

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

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
