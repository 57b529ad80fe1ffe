//! Android collectors: `pm list packages`, `dumpsys package`, androidqf `packages.json`
//! and `getprop` output.
//!
//! Each parser takes decoded text and the path to name in evidence, and returns
//! the apps it read plus warnings about lines it could not use.

use crate::collect::source::{Found, TextSource};
use crate::collect::text::{ReadError, TextInput, lines};
use crate::collect::{CollectError, InputFormat};
pub(crate) use crate::model::AppSet;
use crate::model::{App, AppFilter, Device, Platform, Unkept};
use std::path::Path;

pub mod adb;
pub mod androidqf;
pub mod apk;
pub mod binary;
pub mod bugreport_zip;
pub mod capture;
pub mod dumpsys;
pub mod folders;
pub mod getprop;
pub mod packages_xml;
pub mod pm_list;

/// What a parser read from one file.
#[derive(Debug, Default)]
pub struct Parsed {
    /// The apps read, merged by id.
    pub apps: Vec<App>,
    /// Problems that did not stop the file from being read.
    pub warnings: Vec<String>,
    /// Facts about the device the file states (a bugreport's `getprop` lines).
    pub properties: Vec<(String, String)>,
    /// What a filtered parse did not keep of the apps.
    pub unkept: Unkept,
}

impl Parsed {
    /// The device these apps are on, as a source's result.
    pub(crate) fn into_found(self, format: &str) -> Found {
        let mut found = Found::android(format, self.apps, self.warnings);
        found.properties = self.properties;
        found.unkept = self.unkept;
        found
    }

    /// Merges the apps into `apps` and the warnings, each after `file: `, into `warnings`.
    pub(crate) fn merge_into(self, apps: &mut AppSet, warnings: &mut Vec<String>, file: &str) {
        self.apps.into_iter().for_each(|app| apps.insert(app));
        apps.add_unkept(self.unkept);
        warnings.extend(self.warnings.into_iter().map(|w| format!("{file}: {w}")));
    }
}

/// A parser of a line-oriented Android listing (`pm list packages`, `dumpsys
/// package`), fed one line at a time.
pub trait LineParse {
    /// Reads line `number` (from 1) of the file, without its line break.
    fn line(&mut self, number: u64, line: &str);
    /// The apps read; `None` when nothing of the format was found.
    fn finish(self) -> Option<Parsed>;
}

/// Feeds every line of `text` to `parser`.
pub(crate) fn parse_text(mut parser: impl LineParse, text: &str) -> Option<Parsed> {
    for (index, line) in lines(text).enumerate() {
        parser.line(index as u64 + 1, line);
    }
    parser.finish()
}

/// Feeds every line of a file to `parser`, in bounded memory (the streaming twin
/// of [`parse_text`]); lines too long to keep whole are warned of.
pub(crate) fn parse_streamed(
    mut parser: impl LineParse,
    input: TextInput,
) -> Result<Option<Parsed>, ReadError> {
    let stats = input.for_each_line(|number, line| parser.line(number, line))?;
    let mut parsed = parser.finish();
    if let Some(parsed) = parsed.as_mut() {
        parsed
            .warnings
            .extend(pm_list::cut_lines_warning(stats.cut_lines));
    }
    Ok(parsed)
}

/// A listing's streaming parser: a file, the path to name in evidence, and which apps to keep.
type StreamParse = fn(TextInput, &str, &dyn AppFilter) -> Result<Option<Parsed>, ReadError>;

/// A line-oriented Android listing as a [`TextSource`]: its parsers and what a
/// forced `--input-format` says of a file that is not one.
pub struct ListingSource {
    /// Whether the head of a text file is this listing.
    sniff: fn(&str) -> bool,
    /// Parses the whole text (`None`: not this listing).
    parse: fn(&str, &str) -> Option<Parsed>,
    /// Parses a file line by line, in bounded memory, keeping the apps a filter
    /// wants (`None`: not this listing).
    parse_input: StreamParse,
    /// The `Evidence::format` and `Device::format` of the listing.
    format: &'static str,
    /// The `--input-format` value that forces it.
    forced_by: InputFormat,
    /// What a forced `--input-format` says of a file that is not one.
    expected: &'static str,
}

impl ListingSource {
    /// The listing of `format`, forced by `forced_by`, read by `parse` and
    /// `parse_input` (`None`: not this format, which `expected` then says).
    pub(crate) const fn new(
        format: &'static str,
        forced_by: InputFormat,
        expected: &'static str,
        sniff: fn(&str) -> bool,
        parse: fn(&str, &str) -> Option<Parsed>,
        parse_input: StreamParse,
    ) -> Self {
        ListingSource {
            format,
            forced_by,
            expected,
            sniff,
            parse,
            parse_input,
        }
    }

    fn found(&self, parsed: Option<Parsed>) -> Result<Vec<Found>, CollectError> {
        let parsed = parsed.ok_or(self.expected)?;
        Ok(vec![parsed.into_found(self.format)])
    }
}

impl TextSource for ListingSource {
    fn forced_by(&self) -> Option<InputFormat> {
        Some(self.forced_by)
    }

    fn sniff(&self, head: &str) -> bool {
        (self.sniff)(head)
    }

    fn parse(&self, text: &str, source: &str) -> Result<Vec<Found>, CollectError> {
        self.found((self.parse)(text, source))
    }

    fn parse_input(
        &self,
        input: TextInput,
        source: &str,
        keep: &dyn AppFilter,
    ) -> Result<Vec<Found>, CollectError> {
        self.found((self.parse_input)(input, source, keep)?)
    }
}

/// Installers that mean "not from an app store": the system package installer (an APK
/// opened from a browser or file manager), `adb install` (the shell), browsers and file
/// managers.
pub const SIDE_LOAD_INSTALLERS: &[&str] = &[
    "com.google.android.packageinstaller",
    "com.android.packageinstaller",
    "com.android.shell",
    "com.android.chrome",
    "com.android.browser",
    "com.sec.android.app.sbrowser",
    "org.mozilla.firefox",
    "com.opera.browser",
    "com.microsoft.emmx",
    "com.brave.browser",
    "com.UCMobile.intl",
    "com.android.documentsui",
    "com.google.android.documentsui",
    "com.google.android.apps.nbu.files",
    "com.sec.android.app.myfiles",
    "com.mi.android.globalFileexplorer",
    "com.android.fileexplorer",
    "com.huawei.hidisk",
    "com.coloros.filemanager",
    "com.oneplus.filemanager",
    "com.estrongs.android.pop",
    "com.ghisler.android.TotalCommander",
    "com.lonelycatgames.Xplore",
];

/// Marks side-loaded apps (never system apps, nor apps only their data is left of):
/// those whose installer is in [`SIDE_LOAD_INSTALLERS`], and those with no installer
/// when the source reports installers (some app on the device has one; a `pm list`
/// without `-i` says nothing about installers).
pub fn mark_side_loaded(apps: &mut [App]) {
    mark_side_loaded_with(apps, false);
}

/// [`mark_side_loaded`], where `installer_elsewhere` says that an app of the device not
/// in `apps` (one a filtered read did not keep) had an installer.
pub fn mark_side_loaded_with(apps: &mut [App], installer_elsewhere: bool) {
    let installers_known = installer_elsewhere || apps.iter().any(|a| a.installer.is_some());
    for app in apps.iter_mut() {
        if app.flags.system || app.flags.data_only {
            continue;
        }
        app.flags.side_loaded = match app.installer.as_deref() {
            Some(installer) => SIDE_LOAD_INSTALLERS.contains(&installer),
            None => installers_known,
        };
    }
}

/// Whether `id` can be an Android package name (letters, digits, `_` and `.`).
/// Undecodable bytes show up here as U+FFFD, which fails this check.
pub(crate) fn is_package_name(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// Caps repeated warnings of one kind so a long stack trace does not flood the report.
#[derive(Debug)]
pub(crate) struct WarningCap {
    shown: usize,
    dropped: usize,
    max: usize,
}

impl WarningCap {
    pub(crate) fn new(max: usize) -> Self {
        WarningCap {
            shown: 0,
            dropped: 0,
            max,
        }
    }

    pub(crate) fn push(&mut self, warnings: &mut Vec<String>, warning: String) {
        if self.shown < self.max {
            self.shown += 1;
            warnings.push(warning);
        } else {
            self.dropped += 1;
        }
    }

    pub(crate) fn finish(self, warnings: &mut Vec<String>, what: &str) {
        if self.dropped > 0 {
            warnings.push(format!("... and {} more {what}", self.dropped));
        }
    }
}

/// An Android device read from `path` (its name is the file or folder name).
pub(crate) fn device(path: &Path, format: &str, apps: Vec<App>, warnings: Vec<String>) -> Device {
    Device {
        id: String::new(),
        id_source: crate::model::IdSource::FileName,
        also_from: Vec::new(),
        source: path.display().to_string(),
        name: path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        platform: Platform::Android,
        format: format.to_owned(),
        properties: Vec::new(),
        apps,
        apps_unkept: 0,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn package_names() {
        assert!(is_package_name("com.zhiliaoapp.musically"));
        assert!(is_package_name("cn.wps.moffice_eng"));
        assert!(!is_package_name("com.ex\u{FFFD}ample"));
        assert!(!is_package_name(""));
        assert!(!is_package_name("a b"));
    }
}
