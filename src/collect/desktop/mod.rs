//! Desktop collectors: macOS, Windows and Linux, from the machine appaudit runs
//! on or from another machine's root folder (a mounted image, a copied tree).
//!
//! Every collector here only reads. The walk ([`walk`]) never follows a link out
//! of the root, never loops, never opens a FIFO or device file. A root is told
//! apart by its layout ([`detect`]); each root is one [`Device`] whose apps were
//! merged across sources ([`merge_apps`](crate::model::merge_apps)).

use crate::collect::InputError;
use crate::model::{App, Device, Platform};
use std::fs;
use std::path::{Path, PathBuf};

pub mod linux;
pub mod live;
pub mod macos;
mod plist;
pub mod walk;
pub mod windows;

/// The operating system of a machine root.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Os {
    /// macOS.
    Macos,
    /// Windows.
    Windows,
    /// Linux.
    Linux,
}

impl Os {
    /// The platform of apps on this system.
    pub fn platform(self) -> Platform {
        match self {
            Os::Macos => Platform::Macos,
            Os::Windows => Platform::Windows,
            Os::Linux => Platform::Linux,
        }
    }

    /// The system's name (`macos`).
    pub fn as_str(self) -> &'static str {
        self.platform().as_str()
    }

    /// The device format of a root of this OS (`linux-root`), or of the live machine.
    pub fn format(self, live: bool) -> String {
        format!("{}-{}", self.as_str(), if live { "live" } else { "root" })
    }
}

/// What one OS collector found under a root: apps (not yet merged across
/// sources) and what could not be read.
#[derive(Debug, Default)]
pub struct Gathered {
    /// The apps found, before they are merged.
    pub apps: Vec<App>,
    /// What could not be read.
    pub errors: Vec<InputError>,
    /// Problems that did not stop the reading.
    pub warnings: Vec<String>,
    /// Facts about the machine found on the way (Windows `MachineGuid`, `ComputerName`).
    pub properties: Vec<(String, String)>,
}

/// Shared signature of the per-OS collectors: read everything under `root`.
pub type CollectRoot = fn(root: &Path) -> Gathered;

/// How to read machine roots.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// `--os`: read every folder input as a root of this OS, without detecting.
    pub os: Option<Os>,
    /// Let walks go into other file systems (mount points) under the root.
    pub cross_file_systems: bool,
    /// The root is the machine appaudit runs on.
    pub live: bool,
}

/// The OS whose layout `dir` has, if any: Windows (`Windows/System32/config/SOFTWARE`,
/// `Users/*/NTUSER.DAT` or `Program Files`, any case), macOS (`Applications/` with
/// `System/`, `Library/` or an `.app` in it), Linux (`var/lib/dpkg`, `var/lib/rpm`,
/// `usr/share/applications`, `etc/os-release`, flatpak or snapd state). Links are not followed.
pub fn detect(dir: &Path) -> Option<Os> {
    if is_windows_root(dir) {
        Some(Os::Windows)
    } else if is_macos_root(dir) {
        Some(Os::Macos)
    } else if is_linux_root(dir) {
        Some(Os::Linux)
    } else {
        None
    }
}

fn is_dir(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// The child of `dir` named `name` in any letter case (Windows trees).
fn child_ci(dir: &Path, name: &str) -> Option<PathBuf> {
    let exact = dir.join(name);
    if exists(&exact) {
        return Some(exact);
    }
    fs::read_dir(dir)
        .ok()?
        .flatten()
        .find(|e| e.file_name().to_string_lossy().eq_ignore_ascii_case(name))
        .map(|e| e.path())
}

fn path_ci(dir: &Path, parts: &[&str]) -> Option<PathBuf> {
    parts
        .iter()
        .try_fold(dir.to_path_buf(), |at, part| child_ci(&at, part))
}

fn is_windows_root(dir: &Path) -> bool {
    if path_ci(dir, &["Windows", "System32", "config", "SOFTWARE"])
        .is_some_and(|p| fs::symlink_metadata(p).is_ok_and(|m| m.is_file()))
    {
        return true;
    }
    if path_ci(dir, &["Program Files"]).is_some_and(|p| is_dir(&p)) {
        return true;
    }
    let Some(users) = path_ci(dir, &["Users"]).filter(|p| is_dir(p)) else {
        return false;
    };
    fs::read_dir(users)
        .map(|entries| {
            entries
                .flatten()
                .take(1000)
                .any(|e| child_ci(&e.path(), "NTUSER.DAT").is_some())
        })
        .unwrap_or(false)
}

fn is_macos_root(dir: &Path) -> bool {
    let apps = dir.join("Applications");
    if !is_dir(&apps) {
        return false;
    }
    if is_dir(&dir.join("System")) || is_dir(&dir.join("Library")) {
        return true;
    }
    fs::read_dir(&apps).is_ok_and(|entries| {
        entries
            .flatten()
            .take(10_000)
            .any(|e| walk::has_ext(&e.file_name().to_string_lossy(), "app"))
    })
}

fn is_linux_root(dir: &Path) -> bool {
    [
        "var/lib/dpkg",
        "var/lib/rpm",
        "usr/lib/sysimage/rpm",
        "usr/share/applications",
        "var/lib/flatpak",
        "var/lib/snapd",
    ]
    .iter()
    .any(|p| is_dir(&dir.join(p)))
        || exists(&dir.join("etc/os-release"))
}

/// What a machine root gave: one device, and what could not be read.
#[derive(Debug)]
pub struct Machine {
    /// The machine as one device, its apps merged.
    pub device: Device,
    /// What could not be read.
    pub errors: Vec<InputError>,
}

/// Reads the machine root `dir` as an `os` machine: one device, its apps merged
/// across sources.
pub fn collect_machine(dir: &Path, os: Os, options: &Options) -> Machine {
    let root = walk::Root::new(dir).cross_file_systems(options.cross_file_systems);
    let (found, properties) = match os {
        Os::Macos => (macos::collect(&root), macos::properties(&root)),
        Os::Linux => (linux::collect(&root), linux::properties(&root)),
        Os::Windows => (windows::collect(dir), Vec::new()),
    };
    let mut properties = properties;
    properties.extend(found.properties);
    if options.live
        && let Some(host) = live::hostname()
        && !properties.iter().any(|(k, _)| k == "hostname")
    {
        properties.push(("hostname".to_owned(), host));
    }
    let named = |key: &str| {
        properties
            .iter()
            .find(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.clone())
    };
    let name = named("computer_name")
        .or_else(|| named("hostname"))
        .unwrap_or_else(|| {
            if options.live {
                "this machine".to_owned()
            } else {
                crate::model::file_name(&dir.display().to_string())
            }
        });
    let mut apps = crate::model::merge_apps(found.apps);
    apps.sort_by_cached_key(|a| a.id.to_lowercase());
    Machine {
        device: Device {
            id: String::new(),
            id_source: crate::model::IdSource::FileName,
            also_from: Vec::new(),
            source: dir.display().to_string(),
            name,
            platform: os.platform(),
            format: os.format(options.live),
            properties,
            apps,
            apps_unkept: 0,
            warnings: found.warnings,
        },
        errors: found.errors,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn detects_roots_by_layout() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        assert_eq!(detect(d), None);
        fs::create_dir_all(d.join("mac/Applications/X.app")).unwrap();
        assert_eq!(detect(&d.join("mac")), Some(Os::Macos));
        fs::create_dir_all(d.join("mac2/Applications")).unwrap();
        assert_eq!(detect(&d.join("mac2")), None);
        fs::create_dir_all(d.join("mac2/System")).unwrap();
        assert_eq!(detect(&d.join("mac2")), Some(Os::Macos));
        fs::create_dir_all(d.join("lin/var/lib/dpkg")).unwrap();
        assert_eq!(detect(&d.join("lin")), Some(Os::Linux));
        fs::create_dir_all(d.join("win/windows/system32/config")).unwrap();
        fs::write(d.join("win/windows/system32/config/SOFTWARE"), b"regf").unwrap();
        assert_eq!(detect(&d.join("win")), Some(Os::Windows));
        fs::create_dir_all(d.join("win2/Users/bob")).unwrap();
        assert_eq!(detect(&d.join("win2")), None);
        fs::write(d.join("win2/Users/bob/NTUSER.DAT"), b"regf").unwrap();
        assert_eq!(detect(&d.join("win2")), Some(Os::Windows));
    }
}
