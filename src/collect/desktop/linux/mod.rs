//! Linux: dpkg, rpm (SQLite), flatpak (system and per user), snap, `.desktop`
//! entries (system-wide and per user) and AppImages in users' usual folders.
//!
//! A `.desktop` entry that belongs to a package (listed in the package's files,
//! exported by flatpak with `X-Flatpak`, written by snapd, or named after an
//! installed package's id) is evidence for that package, not an app of its own;
//! the rest (tarball installs, AppImage integrations) are apps under their
//! desktop-file id.

use super::Gathered;
use super::walk::{Entry, Kind, Root, Step};
use crate::model::{App, Evidence, Platform};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

pub mod dpkg;
pub mod flatpak;
pub mod rpm;
pub mod snap;

const MAX_STATUS_BYTES: u64 = 512 * 1024 * 1024;
const MAX_LIST_BYTES: u64 = 64 * 1024 * 1024;
const MAX_DESKTOP_BYTES: u64 = 1024 * 1024;

/// The `Evidence::format` of `.desktop` entries.
pub const DESKTOP_FORMAT: &str = "desktop-entry";
/// The `Evidence::format` of AppImages.
pub const APPIMAGE_FORMAT: &str = "appimage";

/// Folders of `.desktop` files on the machine.
const DESKTOP_DIRS: &[&str] = &[
    "/usr/share/applications",
    "/usr/local/share/applications",
    "/var/lib/snapd/desktop/applications",
    "/var/lib/flatpak/exports/share/applications",
];
/// Folders of `.desktop` files under each home.
const USER_DESKTOP_DIRS: &[&str] = &[
    ".local/share/applications",
    ".local/share/flatpak/exports/share/applications",
];
/// Where users keep AppImages (under each home), and how deep to look.
const USER_APPIMAGE_DIRS: &[(&str, usize)] = &[
    ("Applications", 2),
    ("Downloads", 1),
    ("Desktop", 1),
    (".local/bin", 1),
    ("bin", 1),
    ("AppImages", 2),
];

/// Reads everything installed under a Linux root.
pub fn collect(root: &Root) -> Gathered {
    let mut found = Gathered::default();
    // `.desktop` path inside the machine -> the package that ships it.
    let mut owners: HashMap<String, String> = HashMap::new();
    collect_dpkg(root, &mut found, &mut owners);
    collect_rpm(root, &mut found, &mut owners);
    let homes = root.homes(&["home"], &["root"], &mut found.errors);
    flatpak::collect(root, Path::new("/var/lib/flatpak"), "system", &mut found);
    for home in &homes {
        let installation = home.join(".local/share/flatpak");
        if root.dir(&installation).is_some() {
            let scope = format!("user {}", home.display());
            flatpak::collect(root, &installation, &scope, &mut found);
        }
    }
    snap::collect(root, &mut found);
    collect_desktop_entries(root, &homes, &owners, &mut found);
    collect_appimages(root, &homes, &mut found);
    found
}

fn collect_dpkg(root: &Root, found: &mut Gathered, owners: &mut HashMap<String, String>) {
    let mut installed: HashSet<String> = HashSet::new();
    let mut read_status = |inner: &Path, status_d: bool, found: &mut Gathered| match root
        .read(inner, MAX_STATUS_BYTES)
    {
        Ok(Some((host, bytes))) => {
            let text = String::from_utf8_lossy(&bytes);
            let (apps, warnings) = dpkg::parse(&text, &host.display().to_string(), status_d);
            installed.extend(apps.iter().map(|a| a.id.clone()));
            found.apps.extend(apps);
            found.warnings.extend(warnings);
        }
        Ok(None) => {}
        Err(e) => found.errors.push(e),
    };
    read_status(Path::new("/var/lib/dpkg/status"), false, found);
    read_status(Path::new("/usr/lib/opkg/status"), false, found);
    match root.list(Path::new("/var/lib/dpkg/status.d")) {
        Ok(entries) => {
            for entry in entries.iter().filter(|e| e.kind == Kind::File) {
                // Distroless also keeps `<pkg>.md5sums` there.
                if !entry.name_str().ends_with(".md5sums") {
                    read_status(&entry.inner, true, found);
                }
            }
        }
        Err(e) => found.errors.push(e),
    }
    if installed.is_empty() {
        return;
    }
    // File lists of installed packages: which `.desktop` files they ship.
    let info = Path::new("/var/lib/dpkg/info");
    let lists = match root.list(info) {
        Ok(l) => l,
        Err(e) => return found.errors.push(e),
    };
    for entry in lists.iter().filter(|e| e.kind == Kind::File) {
        let name = entry.name_str();
        let Some(stem) = name.strip_suffix(".list") else {
            continue;
        };
        let package = stem.split(':').next().unwrap_or(stem);
        if !installed.contains(package) {
            continue;
        }
        match root.read_host(&entry.host, MAX_LIST_BYTES) {
            Ok(bytes) => {
                for file in dpkg::desktop_files(&String::from_utf8_lossy(&bytes)) {
                    owners.insert(file.to_owned(), package.to_owned());
                }
            }
            Err(e) => found.warnings.push(e.to_string()),
        }
    }
}

fn collect_rpm(root: &Root, found: &mut Gathered, owners: &mut HashMap<String, String>) {
    const DIRS: [&str; 3] = ["/var/lib/rpm", "/usr/lib/sysimage/rpm", "/usr/share/rpm"];
    // One database per machine (the other folders are usually links to it).
    if let Some(db) = DIRS
        .iter()
        .find_map(|dir| root.file(&Path::new(dir).join("rpmdb.sqlite")))
    {
        match rpm::read(&db, &mut found.warnings) {
            Ok(packages) => {
                for p in packages {
                    for file in p.desktop_files {
                        owners.insert(file, p.app.id.clone());
                    }
                    found.apps.push(p.app);
                }
            }
            Err(e) => found.errors.push(e),
        }
        return;
    }
    for dir in DIRS {
        for old in ["Packages", "Packages.db"] {
            if let Some(host) = root.file(&Path::new(dir).join(old)) {
                found.errors.push(crate::collect::InputError::new(
                    &host,
                    "rpm database in Berkeley DB or NDB format: not read (only rpmdb.sqlite is)",
                ));
                return;
            }
        }
    }
}

/// What a `.desktop` file's `[Desktop Entry]` group says.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct DesktopEntry {
    /// `Type=`.
    pub kind: Option<String>,
    /// `Name=` (untranslated).
    pub name: Option<String>,
    /// `Exec=`.
    pub exec: Option<String>,
    /// `Hidden=true`: the entry is deleted.
    pub hidden: bool,
    /// `NoDisplay=true`: not shown in menus.
    pub no_display: bool,
    /// `X-Flatpak=`: the flatpak app id.
    pub flatpak: Option<String>,
    /// `X-SnapInstanceName=`: the snap's name.
    pub snap: Option<String>,
    /// `X-AppImage-Version=`.
    pub appimage_version: Option<String>,
}

/// Parses a desktop entry file; `None` without a `[Desktop Entry]` group.
pub fn parse_desktop(text: &str) -> Option<DesktopEntry> {
    let mut in_group = false;
    let mut seen_group = false;
    let mut e = DesktopEntry::default();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_group = line == "[Desktop Entry]";
            seen_group |= in_group;
            continue;
        }
        if !in_group || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim();
        let some = || (!value.is_empty()).then(|| value.to_owned());
        match key.trim() {
            "Type" => e.kind = some(),
            "Name" => e.name = some(),
            "Exec" => e.exec = some(),
            "Hidden" => e.hidden = value == "true",
            "NoDisplay" => e.no_display = value == "true",
            "X-Flatpak" => e.flatpak = some(),
            "X-SnapInstanceName" => e.snap = some(),
            "X-AppImage-Version" => e.appimage_version = some(),
            _ => {}
        }
    }
    seen_group.then_some(e)
}

fn collect_desktop_entries(
    root: &Root,
    homes: &[PathBuf],
    owners: &HashMap<String, String>,
    found: &mut Gathered,
) {
    let mut dirs: Vec<PathBuf> = DESKTOP_DIRS.iter().map(PathBuf::from).collect();
    for home in homes {
        dirs.extend(USER_DESKTOP_DIRS.iter().map(|d| home.join(d)));
    }
    let ids: HashMap<String, String> = found
        .apps
        .iter()
        .map(|a| (a.id.to_lowercase(), a.id.clone()))
        .collect();
    let mut files: Vec<Entry> = Vec::new();
    let mut seen = HashSet::new();
    for dir in dirs {
        root.walk(&dir, 2, &mut found.errors, &mut |entry| {
            if entry.kind == Kind::File
                && entry.has_ext("desktop")
                && seen.insert(entry.host.clone())
            {
                files.push(entry.clone());
            }
            Step::Descend
        });
    }
    for file in files {
        let bytes = match root.read_host(&file.host, MAX_DESKTOP_BYTES) {
            Ok(b) => b,
            Err(e) => {
                found.warnings.push(e.to_string());
                continue;
            }
        };
        let Some(entry) = parse_desktop(&String::from_utf8_lossy(&bytes)) else {
            continue;
        };
        let name = file.name_str();
        let stem = name.strip_suffix(".desktop").unwrap_or(&name).to_owned();
        let inner = file.inner.display().to_string();
        let snapd = file
            .inner
            .starts_with("/var/lib/snapd/desktop/applications");
        let owner = entry
            .flatpak
            .clone()
            .or_else(|| entry.snap.clone())
            .or_else(|| snapd.then(|| stem.split('_').next().unwrap_or(&stem).to_owned()))
            .or_else(|| owners.get(&inner).cloned())
            .or_else(|| Some(stem.clone()))
            .and_then(|o| ids.get(&o.to_lowercase()).cloned());
        let evidence = Evidence {
            path: file.host.display().to_string(),
            line: None,
            format: DESKTOP_FORMAT.to_owned(),
            excerpt: entry.name.as_ref().map(|n| format!("Name={n}")),
        };
        if let Some(owner) = owner {
            let mut app = App::new(Platform::Linux, owner, evidence);
            app.name = entry.name;
            found.apps.push(app);
            continue;
        }
        if entry.hidden || entry.kind.as_deref() != Some("Application") {
            continue;
        }
        let mut app = App::new(Platform::Linux, stem, evidence);
        app.name = entry.name;
        app.version = entry.appimage_version;
        app.path = Some(inner);
        found.apps.push(app);
    }
}

/// Name and version from an AppImage's file name (`Obsidian-1.4.16-x86_64.AppImage`).
#[doc(hidden)] // public for the fuzz targets only
pub fn appimage_name(file: &str) -> (String, Option<String>) {
    let mut stem = file;
    if super::walk::has_ext(file, "appimage") {
        stem = &file[..file.len() - ".appimage".len()];
    }
    let mut trimmed = true;
    while trimmed {
        trimmed = false;
        for arch in [
            "x86_64", "x86-64", "amd64", "aarch64", "arm64", "armhf", "i386", "i686", "x64",
        ] {
            for sep in ['-', '_', '.'] {
                let n = stem.len();
                if n > arch.len() + 1
                    && stem.is_char_boundary(n - arch.len() - 1)
                    && stem
                        .get(n - arch.len()..)
                        .is_some_and(|tail| tail.eq_ignore_ascii_case(arch))
                    && stem[..n - arch.len()].ends_with(sep)
                {
                    stem = &stem[..n - arch.len() - 1];
                    trimmed = true;
                }
            }
        }
    }
    let bytes = stem.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if i == 0 || !matches!(b, b'-' | b'_' | b' ') {
            continue;
        }
        let rest = &stem[i + 1..];
        let version = rest.strip_prefix(['v', 'V']).unwrap_or(rest);
        if version.starts_with(|c: char| c.is_ascii_digit()) {
            return (stem[..i].to_owned(), Some(version.to_owned()));
        }
    }
    (stem.to_owned(), None)
}

fn collect_appimages(root: &Root, homes: &[PathBuf], found: &mut Gathered) {
    let mut places: Vec<(PathBuf, usize)> = vec![(PathBuf::from("/opt"), 3)];
    for home in homes {
        places.extend(USER_APPIMAGE_DIRS.iter().map(|(d, n)| (home.join(d), *n)));
    }
    let mut files: Vec<Entry> = Vec::new();
    for (dir, depth) in places {
        root.walk(&dir, depth, &mut found.errors, &mut |entry| {
            if entry.kind == Kind::File && entry.has_ext("appimage") {
                files.push(entry.clone());
            }
            Step::Descend
        });
    }
    for file in files {
        let (name, version) = appimage_name(&file.name_str());
        if name.is_empty() {
            continue;
        }
        let mut app = App::new(
            Platform::Linux,
            &name,
            Evidence {
                path: file.host.display().to_string(),
                line: None,
                format: APPIMAGE_FORMAT.to_owned(),
                excerpt: Some(file.name_str().into_owned()),
            },
        );
        app.name = Some(name);
        app.version = version;
        app.installer = Some("appimage".to_owned());
        app.path = Some(file.inner.display().to_string());
        found.apps.push(app);
    }
}

/// The distribution from `os-release`.
pub fn properties(root: &Root) -> Vec<(String, String)> {
    let mut props = Vec::new();
    for inner in ["/etc/os-release", "/usr/lib/os-release"] {
        if let Ok(Some((_, bytes))) = root.read(Path::new(inner), 64 * 1024) {
            let text = String::from_utf8_lossy(&bytes);
            for line in text.lines() {
                if let Some((k, v)) = line.split_once('=') {
                    let v = v.trim().trim_matches('"').to_owned();
                    match k.trim() {
                        "PRETTY_NAME" => props.push(("os".to_owned(), v)),
                        "VERSION_ID" => props.push(("os_version".to_owned(), v)),
                        _ => {}
                    }
                }
            }
            break;
        }
    }
    // The machine's own identity; small one-line files.
    for (inner, prop) in [
        ("/etc/machine-id", "machine_id"),
        ("/etc/hostname", "hostname"),
    ] {
        if let Ok(Some((_, bytes))) = root.read(Path::new(inner), 4096) {
            let text = String::from_utf8_lossy(&bytes);
            if let Some(line) = text
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with('#'))
            {
                props.push((prop.to_owned(), line.to_owned()));
            }
        }
    }
    props
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::test_support::shared_fixture;

    #[test]
    fn appimage_names() {
        let cases = [
            ("Obsidian-1.4.16.AppImage", "Obsidian", Some("1.4.16")),
            (
                "wechat-beta_1.0.0.238_amd64.AppImage",
                "wechat-beta",
                Some("1.0.0.238"),
            ),
            (
                "LM-Studio-0.2.31-x86_64.AppImage",
                "LM-Studio",
                Some("0.2.31"),
            ),
            ("Tool.AppImage", "Tool", None),
            ("app-v2.1.appimage", "app", Some("2.1")),
        ];
        for (file, name, version) in cases {
            let (n, v) = appimage_name(file);
            assert_eq!((n.as_str(), v.as_deref()), (name, version), "{file}");
        }
    }

    #[test]
    fn real_desktop_files() {
        let base = "desktop/third_party";
        let Some(path) = shared_fixture(&format!(
            "{base}/flathub-com.tencent.WeChat/linux/com.tencent.WeChat.desktop"
        )) else {
            return;
        };
        let e = parse_desktop(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(e.name.as_deref(), Some("WeChat"));
        assert_eq!(e.kind.as_deref(), Some("Application"));
        assert_eq!(e.exec.as_deref(), Some("wechat %U"));
        let Some(path) = shared_fixture(&format!(
            "{base}/snapd/linux/basic-desktop/meta/gui/echo.desktop"
        )) else {
            return;
        };
        let e = parse_desktop(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(e.name.as_deref(), Some("Echo"));
        assert_eq!(parse_desktop("no group\nName=x\n"), None);
    }

    #[test]
    fn real_image_dpkg_root() {
        let Some(dir) = shared_fixture("desktop/third_party/syft/linux/image-dpkg") else {
            return;
        };
        let found = collect(&Root::new(&dir));
        assert!(found.errors.is_empty(), "{:?}", found.errors);
        let ids: Vec<&str> = found.apps.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["libpam-runtime"]);
    }
}
