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
use crate::collect::text::TextInput;
use crate::collect::{CollectError, InputFormat};
use crate::model::{App, AppFilter, AppSet, Evidence, Platform, Unkept};

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

/// Parses a file too large to hold whole, keeping the apps a filter wants.
pub(crate) type StreamParse =
    fn(TextInput, &str, &dyn AppFilter) -> Result<Vec<Found>, CollectError>;

/// An inventory export (CSV, Fleet JSON), as a [`TextSource`]: read whole, or record
/// by record when it has a streaming parser and is too large to hold whole.
pub struct ImportSource {
    forced_by: InputFormat,
    sniff: fn(&str) -> bool,
    parse: fn(&str, &str) -> Result<Vec<Found>, CollectError>,
    parse_input: Option<StreamParse>,
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
            parse_input: None,
        }
    }

    /// The same export, whose large files `parse_input` streams.
    pub(crate) const fn streamed(self, parse_input: StreamParse) -> Self {
        ImportSource {
            parse_input: Some(parse_input),
            ..self
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

    fn parse_input(
        &self,
        input: TextInput,
        source: &str,
        keep: &dyn AppFilter,
    ) -> Result<Vec<Found>, CollectError> {
        match self.parse_input {
            // A small file is parsed whole, exactly as `parse` reads it.
            Some(parse_input) if !input.is_complete() => parse_input(input, source, keep),
            _ => self.parse(&input.into_string()?, source),
        }
    }
}

/// One device read from an inventory file: the collectors' one output type.
pub type ImportedDevice = crate::collect::source::Found;

/// The platform most of `apps` are on, or `fallback` when there are none.
pub(crate) fn main_platform(apps: &[App], fallback: Platform) -> Platform {
    let mut counts = PlatformCounts::default();
    for app in apps {
        counts.add(app.platform);
    }
    counts.main(fallback)
}

/// How many apps of a device are on each platform, counted as rows are read (a
/// filtered read keeps only some apps, but the device's platform is that of all).
#[derive(Clone, Debug, Default)]
pub(crate) struct PlatformCounts([usize; Platform::ALL.len()]);

impl PlatformCounts {
    pub(crate) fn add(&mut self, platform: Platform) {
        if let Some(i) = Platform::ALL.iter().position(|p| *p == platform)
            && let Some(count) = self.0.get_mut(i)
        {
            *count += 1;
        }
    }

    /// The platform most apps are on (the first in [`Platform`]'s order on a tie), or
    /// `fallback` when there are none.
    pub(crate) fn main(self, fallback: Platform) -> Platform {
        Platform::ALL
            .into_iter()
            .zip(self.0)
            .filter(|(_, count)| *count > 0)
            .max_by_key(|(platform, count)| (*count, std::cmp::Reverse(*platform)))
            .map_or(fallback, |(platform, _)| platform)
    }
}

/// The apps of one device of a multi-device export as its rows are read: every row (a
/// file read whole: the scan drops what matches nothing afterwards) or, when streamed,
/// only the apps the filter keeps, merged as they come ([`AppSet::filtered`]); the
/// platform counts cover every row either way.
pub(crate) struct DeviceApps<'f> {
    apps: Rows<'f>,
    platforms: PlatformCounts,
}

enum Rows<'f> {
    All(Vec<App>),
    Filtered(AppSet<'f>),
}

impl<'f> DeviceApps<'f> {
    /// Keeps every row (`keep` `None`) or what `keep` wants.
    pub(crate) fn new(keep: Option<&'f dyn AppFilter>) -> Self {
        DeviceApps {
            apps: match keep {
                Some(keep) => Rows::Filtered(AppSet::filtered(keep)),
                None => Rows::All(Vec::new()),
            },
            platforms: PlatformCounts::default(),
        }
    }

    /// Adds the app of a row, whose evidence (its one entry) `evidence` makes: only when
    /// the app is kept, in a filtered read.
    pub(crate) fn push(&mut self, mut app: App, evidence: impl FnOnce() -> Evidence) {
        self.platforms.add(app.platform);
        match &mut self.apps {
            Rows::All(apps) => {
                app.evidence.clear();
                app.evidence.push(evidence());
                apps.push(app);
            }
            Rows::Filtered(set) => set.insert_with(app, evidence),
        }
    }

    /// [`DeviceApps::push`] of an app the filter was already asked about (`wanted`)
    /// and whose evidence was made if it was wanted.
    pub(crate) fn push_judged(&mut self, mut app: App, wanted: bool, evidence: Option<Evidence>) {
        self.platforms.add(app.platform);
        let evidence = evidence.map(|e| move || e);
        match &mut self.apps {
            Rows::All(apps) => {
                if let Some(evidence) = evidence {
                    app.evidence.clear();
                    app.evidence.push(evidence());
                }
                apps.push(app);
            }
            Rows::Filtered(set) => set.insert_judged(app, wanted, evidence),
        }
    }

    /// The apps kept, what was not, and the platform most rows were on (`fallback`
    /// when there were none).
    pub(crate) fn finish(self, fallback: Platform) -> (Vec<App>, Unkept, Platform) {
        let platform = self.platforms.main(fallback);
        let (apps, unkept) = match self.apps {
            Rows::All(apps) => (apps, Unkept::default()),
            Rows::Filtered(set) => set.into_parts(),
        };
        (apps, unkept, platform)
    }
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

/// The devices of a fleet-wide file in first-seen order, each opened on the first row
/// that names it and found again by its key without allocating; the rows that name
/// no device share one.
pub(crate) struct Slots<T> {
    items: Vec<T>,
    index: std::collections::HashMap<String, usize, foldhash::fast::RandomState>,
    unnamed: Option<usize>,
}

impl<T> Slots<T> {
    pub(crate) fn new() -> Self {
        Slots {
            items: Vec::new(),
            index: Default::default(),
            unnamed: None,
        }
    }

    /// The device `key` names (`None`: the rows that name none), opened with `open()`
    /// on its first row.
    pub(crate) fn get_or_open(&mut self, key: Option<&str>, open: impl FnOnce() -> T) -> &mut T {
        let known = match key {
            Some(key) => self.index.get(key).copied(),
            None => self.unnamed,
        };
        let slot = match known {
            Some(slot) => slot,
            None => {
                let slot = self.items.len();
                self.items.push(open());
                match key {
                    Some(key) => {
                        self.index.insert(key.to_owned(), slot);
                    }
                    None => self.unnamed = Some(slot),
                }
                slot
            }
        };
        &mut self.items[slot]
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The devices, in first-seen order.
    pub(crate) fn into_vec(self) -> Vec<T> {
        self.items
    }
}

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
