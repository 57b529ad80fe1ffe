//! Android collectors: `pm list packages`, `dumpsys package`, androidqf `packages.json`
//! and `getprop` output.
//!
//! Each parser takes decoded text and the path to name in evidence, and returns
//! the apps it read plus warnings about lines it could not use.

use crate::model::{App, Device, Platform, UserState};
use std::collections::HashMap;
use std::path::Path;

pub mod adb;
pub mod androidqf;
pub mod apk;
pub mod binary;
pub mod bugreport_zip;
pub mod capture;
pub mod dumpsys;
pub mod getprop;
pub mod packages_xml;
pub mod pm_list;

/// What a parser read from one file.
#[derive(Debug, Default)]
pub struct Parsed {
    pub apps: Vec<App>,
    /// Problems that did not stop the file from being read.
    pub warnings: Vec<String>,
}

/// Apps keyed by id in first-seen order; a repeated id is merged into the first.
#[derive(Debug, Default)]
pub(crate) struct AppSet {
    apps: Vec<App>,
    index: HashMap<String, usize, foldhash::fast::RandomState>,
}

impl AppSet {
    pub(crate) fn insert(&mut self, app: App) {
        match self.index.get(&app.id) {
            Some(&i) => merge_app(&mut self.apps[i], app),
            None => {
                self.index.insert(app.id.clone(), self.apps.len());
                self.apps.push(app);
            }
        }
    }

    pub(crate) fn into_vec(self) -> Vec<App> {
        self.apps
    }
}

/// Most evidence entries (and certificates) one app keeps when merged.
const MAX_MERGED: usize = 64;

/// Merges what `from` knows into `into` (same app seen twice): fields `into` lacks are
/// filled, evidence, certificates and users are united.
pub(crate) fn merge_app(into: &mut App, from: App) {
    fill(&mut into.name, from.name);
    fill(&mut into.version, from.version);
    fill(&mut into.build, from.build);
    fill(&mut into.publisher, from.publisher);
    fill(&mut into.installer, from.installer);
    fill(&mut into.uid, from.uid);
    fill(&mut into.first_install_time, from.first_install_time);
    fill(&mut into.last_update_time, from.last_update_time);
    fill(&mut into.path, from.path);
    for cert in from.cert_sha256 {
        if into.cert_sha256.len() < MAX_MERGED && !into.cert_sha256.contains(&cert) {
            into.cert_sha256.push(cert);
        }
    }
    for user in from.users {
        merge_user(&mut into.users, user);
    }
    into.flags.system |= from.flags.system;
    into.flags.disabled |= from.flags.disabled;
    into.flags.side_loaded |= from.flags.side_loaded;
    // Listed as active by either source: it is not only a hidden system package.
    into.flags.hidden_system &= from.flags.hidden_system;
    for evidence in from.evidence {
        // A package listed a million times (hostile input) keeps its first places only:
        // unbounded, each merge would scan all the others.
        if into.evidence.len() < MAX_MERGED && !into.evidence.contains(&evidence) {
            into.evidence.push(evidence);
        }
    }
    into.settle_user_flags();
}

fn merge_user(users: &mut Vec<UserState>, user: UserState) {
    match users.iter_mut().find(|u| u.user == user.user) {
        Some(known) => {
            fill(&mut known.installed, user.installed);
            fill(&mut known.enabled, user.enabled);
            fill(&mut known.hidden, user.hidden);
            fill(&mut known.first_install_time, user.first_install_time);
            fill(&mut known.profile, user.profile);
        }
        None => users.push(user),
    }
}

fn fill<T>(slot: &mut Option<T>, value: Option<T>) {
    if slot.is_none() {
        *slot = value;
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
    use crate::model::{Evidence, Platform};

    fn evidence(line: u64) -> Evidence {
        Evidence {
            path: "f".into(),
            line: Some(line),
            format: "x".into(),
            excerpt: None,
        }
    }

    #[test]
    fn merge_fills_gaps_and_unites_evidence() {
        let mut a = App::new(Platform::Android, "com.tencent.mm", evidence(1));
        a.installer = Some("com.android.vending".into());
        let mut b = App::new(Platform::Android, "com.tencent.mm", evidence(7));
        b.installer = Some("other".into());
        b.build = Some("2400".into());
        b.users = vec![UserState {
            user: 0,
            installed: Some(false),
            ..UserState::default()
        }];
        merge_app(&mut a, b);
        assert_eq!(a.installer.as_deref(), Some("com.android.vending"));
        assert_eq!(a.build.as_deref(), Some("2400"));
        assert_eq!(a.evidence.len(), 2);
        assert!(a.flags.data_only);
    }

    #[test]
    fn package_names() {
        assert!(is_package_name("com.zhiliaoapp.musically"));
        assert!(is_package_name("cn.wps.moffice_eng"));
        assert!(!is_package_name("com.ex\u{FFFD}ample"));
        assert!(!is_package_name(""));
        assert!(!is_package_name("a b"));
    }
}
