//! Android collectors: `pm list packages`, `dumpsys package`, androidqf `packages.json`
//! and `getprop` output.
//!
//! Each parser takes decoded text and the path to name in evidence, and returns
//! the apps it read plus warnings about lines it could not use.

pub(crate) use crate::model::AppSet;
use crate::model::{App, Device, Platform};
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
    let installers_known = apps.iter().any(|a| a.installer.is_some());
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
        source: path.display().to_string(),
        name: path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        platform: Platform::Android,
        format: format.to_owned(),
        properties: Vec::new(),
        apps,
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
