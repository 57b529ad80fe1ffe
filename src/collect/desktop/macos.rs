//! macOS: app bundles under `/Applications` (with sub-folders, Setapp included),
//! `/System/Applications`, the CoreServices applications and every user's
//! `~/Applications`, plus
//! iPhone/iPad apps on Apple silicon (`X.app/Wrapper/X.app/Info.plist`, no
//! `Contents/`).
//!
//! One app per top-level bundle: the walk stops at the first `.app`; bundles
//! nested inside it (helper apps, `.appex`, `.xpc`, frameworks, `.bundle`s) are
//! listed as its components. `Info.plist` may be XML or binary. The Team ID
//! comes from the main executable's code signature (the CodeDirectory's
//! `teamID`), else from an embedded provisioning profile, else from a
//! `TeamIdentifier` key in `Info.plist`.

use super::Gathered;
pub use super::plist::parse_plist;
use super::walk::{Entry, Kind, Root, Step, has_ext};
use crate::collect::InputError;
use crate::model::{App, Component, Evidence, Platform};
use plist::{Dictionary, Value};
use rayon::prelude::*;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// The evidence format of an app read from its `Info.plist`.
pub const FORMAT: &str = "macos-info-plist";
/// Largest `Info.plist` read.
pub const MAX_PLIST_BYTES: u64 = 64 * 1024 * 1024;
/// Components listed per app, at most.
const MAX_COMPONENTS: usize = 2_000;

/// Machine-wide folders with apps, and how deep to look for bundles in them.
const MACHINE_FOLDERS: &[(&str, usize)] = &[
    ("/Applications", 6),
    ("/System/Applications", 3),
    ("/System/Library/CoreServices/Applications", 1),
    ("/Library/Apple/System/Library/CoreServices", 1),
];

/// Per-user folders (under each `/Users/*`) and their depth. (`~/Desktop` and
/// `~/Downloads` are left out: privacy protection (TCC) refuses them to a live scan
/// without Full Disk Access, which would make every such scan incomplete.)
const USER_FOLDERS: &[(&str, usize)] = &[("Applications", 6)];

/// Bundle extensions that are components when found inside an app.
const COMPONENT_EXTS: &[&str] = &[
    "app",
    "appex",
    "xpc",
    "framework",
    "bundle",
    "plugin",
    "kext",
    "systemextension",
    "qlgenerator",
    "mdimporter",
    "prefpane",
    "saver",
];

/// Reads every app bundle under a macOS root.
pub fn collect(root: &Root) -> Gathered {
    let mut found = Gathered::default();
    let mut folders: Vec<(PathBuf, usize)> = MACHINE_FOLDERS
        .iter()
        .map(|(p, d)| (PathBuf::from(p), *d))
        .collect();
    for home in root.homes(&["Users"], &[], &mut found.errors) {
        folders.extend(USER_FOLDERS.iter().map(|(p, d)| (home.join(p), *d)));
    }
    let mut seen_bundles = std::collections::HashSet::new();
    for (folder, depth) in folders {
        let mut bundles: Vec<Entry> = Vec::new();
        root.walk(&folder, depth, &mut found.errors, &mut |entry| {
            if entry.kind != Kind::Dir {
                return Step::Skip;
            }
            if entry.has_ext("app") {
                bundles.push(entry.clone());
                return Step::Skip;
            }
            // Other bundles (and their insides) are not folders of apps.
            if COMPONENT_EXTS.iter().any(|ext| entry.has_ext(ext)) {
                return Step::Skip;
            }
            Step::Descend
        });
        bundles.retain(|bundle| seen_bundles.insert(bundle.host.clone()));
        // Bundles are independent: read them on every core, keep their order.
        let read: Vec<(Option<App>, Gathered)> = bundles
            .par_iter()
            .map(|bundle| {
                let mut own = Gathered::default();
                let app = read_bundle(root, &bundle.inner, &mut own);
                (app, own)
            })
            .collect();
        for (app, own) in read {
            found.apps.extend(app);
            found.errors.extend(own.errors);
            found.warnings.extend(own.warnings);
        }
    }
    found
}

/// Reads one top-level `.app` bundle (macOS or iOS-on-Mac) at an inner path.
/// Problems with its `Info.plist` go to `found.errors` and give `None`.
pub fn read_bundle(root: &Root, bundle: &Path, found: &mut Gathered) -> Option<App> {
    // A Mac app: Contents/Info.plist.
    let contents = bundle.join("Contents");
    if root.file(&contents.join("Info.plist")).is_some() {
        let mut app = read_info(root, &contents.join("Info.plist"), Platform::Macos, found)?;
        app.path = Some(bundle.display().to_string());
        let exe = app_executable(root, &contents.join("Info.plist"), &contents.join("MacOS"));
        app.team_id = team_id(root, exe.as_deref(), &contents, app.team_id.take());
        if root.file(&contents.join("_MASReceipt/receipt")).is_some() {
            app.installer = Some("mac-app-store".to_owned());
        } else if bundle.starts_with("/Applications/Setapp") {
            app.installer = Some("setapp".to_owned());
        }
        app.components = components(root, &contents, found);
        return Some(app);
    }
    // An iPhone/iPad app on Apple silicon: Wrapper/X.app/Info.plist.
    if let Ok(entries) = root.list(&bundle.join("Wrapper")) {
        for inner in entries
            .iter()
            .filter(|e| e.kind == Kind::Dir && e.has_ext("app"))
        {
            if root.file(&inner.inner.join("Info.plist")).is_some() {
                let mut app = read_ios(root, &inner.inner, found)?;
                app.path = Some(bundle.display().to_string());
                read_itunes_metadata(root, &bundle.join("Wrapper/iTunesMetadata.plist"), &mut app);
                return Some(app);
            }
        }
    }
    // An iOS bundle as it sits in an .ipa's Payload: X.app/Info.plist.
    if root.file(&bundle.join("Info.plist")).is_some() {
        let mut app = read_ios(root, bundle, found)?;
        app.path = Some(bundle.display().to_string());
        return Some(app);
    }
    found.warnings.push(format!(
        "{}: app bundle without Info.plist, passed over",
        root.host(bundle).display()
    ));
    None
}

fn read_ios(root: &Root, bundle: &Path, found: &mut Gathered) -> Option<App> {
    let plist = bundle.join("Info.plist");
    let mut app = read_info(root, &plist, Platform::Ios, found)?;
    let exe = app_executable(root, &plist, bundle);
    app.team_id = team_id(root, exe.as_deref(), bundle, app.team_id.take());
    app.components = components(root, bundle, found);
    Some(app)
}

/// Reads an `Info.plist` as a dictionary; errors name the file.
pub fn read_plist(root: &Root, inner: &Path) -> Result<(PathBuf, Dictionary), InputError> {
    let Some((host, bytes)) = root.read(inner, MAX_PLIST_BYTES)? else {
        return Err(InputError::new(&root.host(inner), "missing"));
    };
    parse_plist(&bytes)
        .map(|dict| (host.clone(), dict))
        .map_err(|message| InputError::new(&host, message))
}

fn string(dict: &Dictionary, key: &str) -> Option<String> {
    dict.get(key)
        .and_then(Value::as_string)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The app described by one `Info.plist` (no components, no code signature yet).
fn read_info(root: &Root, plist: &Path, platform: Platform, found: &mut Gathered) -> Option<App> {
    let (host, dict) = match read_plist(root, plist) {
        Ok(read) => read,
        Err(e) => {
            found.errors.push(e);
            return None;
        }
    };
    app_from_info(&dict, platform, &host, found)
}

/// Builds an app from an `Info.plist` dictionary; `None` (with a warning) when
/// it names no bundle id.
pub fn app_from_info(
    dict: &Dictionary,
    platform: Platform,
    host: &Path,
    found: &mut Gathered,
) -> Option<App> {
    let Some(id) = string(dict, "CFBundleIdentifier") else {
        found.warnings.push(format!(
            "{}: no CFBundleIdentifier, not an app",
            host.display()
        ));
        return None;
    };
    let short = string(dict, "CFBundleShortVersionString");
    let build = string(dict, "CFBundleVersion");
    let evidence = Evidence {
        path: host.display().to_string(),
        line: None,
        format: FORMAT.to_owned(),
        excerpt: Some(format!("CFBundleIdentifier = {id}")),
    };
    let mut app = App::new(platform, id, evidence);
    let bundle_name = host
        .ancestors()
        .find(|p| {
            p.file_name()
                .is_some_and(|n| has_ext(&n.to_string_lossy(), "app"))
        })
        .and_then(|p| p.file_stem())
        .map(|n| n.to_string_lossy().into_owned());
    app.name = string(dict, "CFBundleDisplayName")
        .or_else(|| string(dict, "CFBundleName"))
        .or_else(|| string(dict, "CFBundleExecutable").filter(|e| e != "run.sh"))
        .or(bundle_name);
    app.version = short.clone().or_else(|| build.clone());
    app.build = build;
    app.team_id = string(dict, "TeamIdentifier").and_then(|t| clean_team_id(&t));
    if let Some(kind) = string(dict, "CFBundlePackageType")
        && kind != "APPL"
    {
        found.warnings.push(format!(
            "{}: CFBundlePackageType is {kind}, not APPL",
            host.display()
        ));
    }
    Some(app)
}

/// A Team ID is ten upper-case letters and digits (`5A4RE8SF68.` loses its dot).
fn clean_team_id(text: &str) -> Option<String> {
    let t = text.trim().trim_end_matches('.');
    (t.len() == 10
        && t.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()))
    .then(|| t.to_owned())
}

/// The inner path of the main executable named by `CFBundleExecutable`.
fn app_executable(root: &Root, plist: &Path, dir: &Path) -> Option<PathBuf> {
    let (_, dict) = read_plist(root, plist).ok()?;
    let exe = string(&dict, "CFBundleExecutable")?;
    if exe.contains('/') || exe == ".." {
        return None;
    }
    Some(dir.join(exe))
}

/// The Team ID, best source first: the executable's code signature, an embedded
/// provisioning profile, then the `TeamIdentifier` key.
fn team_id(
    root: &Root,
    exe: Option<&Path>,
    dir: &Path,
    from_plist: Option<String>,
) -> Option<String> {
    if let Some(exe) = exe
        && let Some(host) = root.file(exe)
        && let Some(team) = macho_team_id(&host)
    {
        return Some(team);
    }
    for name in ["embedded.provisionprofile", "embedded.mobileprovision"] {
        if let Ok(Some((_, bytes))) = root.read(&dir.join(name), 4 * 1024 * 1024)
            && let Some(team) = profile_team_id(&bytes)
        {
            return Some(team);
        }
    }
    from_plist
}

/// The `TeamIdentifier` of a provisioning profile (a CMS envelope around an XML plist).
fn profile_team_id(bytes: &[u8]) -> Option<String> {
    let key = b"<key>TeamIdentifier</key>";
    let at = memchr::memmem::find(bytes, key)? + key.len();
    let rest = &bytes[at..bytes.len().min(at + 200)];
    let open = memchr::memmem::find(rest, b"<string>")? + b"<string>".len();
    let close = memchr::memmem::find(&rest[open..], b"</string>")?;
    clean_team_id(std::str::from_utf8(&rest[open..open + close]).ok()?)
}

/// Largest code signature read from a Mach-O file.
const MAX_SIGNATURE_BYTES: u32 = 16 * 1024 * 1024;

/// The Team ID in a Mach-O file's code signature (thin or universal): the
/// `teamOffset` string of the CodeDirectory (version 0x20200 and later).
pub fn macho_team_id(host: &Path) -> Option<String> {
    let mut file = super::walk::open_regular(host, u64::MAX).ok()?;
    let len = file.metadata().ok()?.len();
    let magic = read_at(&mut file, 0, 8, len)?;
    let be = u32::from_be_bytes(magic[0..4].try_into().ok()?);
    if be == 0xcafe_babe || be == 0xcafe_babf {
        // Universal binary: big-endian fat header, then one arch per entry.
        let count = u32::from_be_bytes(magic[4..8].try_into().ok()?).min(32);
        let wide = be == 0xcafe_babf;
        let size = if wide { 32 } else { 20 };
        let table = read_at(&mut file, 8, size * count as usize, len)?;
        for i in 0..count as usize {
            let e = &table[i * size..(i + 1) * size];
            let offset = if wide {
                u64::from_be_bytes(e[8..16].try_into().ok()?)
            } else {
                u64::from(u32::from_be_bytes(e[8..12].try_into().ok()?))
            };
            if let Some(team) = thin_team_id(&mut file, offset, len) {
                return Some(team);
            }
        }
        None
    } else {
        thin_team_id(&mut file, 0, len)
    }
}

fn read_at(file: &mut std::fs::File, offset: u64, size: usize, len: u64) -> Option<Vec<u8>> {
    if offset.checked_add(size as u64)? > len {
        return None;
    }
    file.seek(SeekFrom::Start(offset)).ok()?;
    let mut buf = vec![0; size];
    file.read_exact(&mut buf).ok()?;
    Some(buf)
}

fn thin_team_id(file: &mut std::fs::File, base: u64, len: u64) -> Option<String> {
    let header = read_at(file, base, 32, len)?;
    let magic = u32::from_le_bytes(header[0..4].try_into().ok()?);
    let header_size = match magic {
        0xfeed_face => 28,
        0xfeed_facf => 32,
        _ => return None,
    };
    let ncmds = u32::from_le_bytes(header[16..20].try_into().ok()?);
    let sizeofcmds = u32::from_le_bytes(header[20..24].try_into().ok()?);
    if sizeofcmds > 16 * 1024 * 1024 {
        return None;
    }
    let cmds = read_at(file, base + header_size, sizeofcmds as usize, len)?;
    let mut at = 0usize;
    for _ in 0..ncmds.min(10_000) {
        let cmd = u32::from_le_bytes(cmds.get(at..at + 4)?.try_into().ok()?);
        let size = u32::from_le_bytes(cmds.get(at + 4..at + 8)?.try_into().ok()?) as usize;
        if cmd == 0x1d {
            // LC_CODE_SIGNATURE: linkedit_data_command { cmd, cmdsize, dataoff, datasize }
            let off = u32::from_le_bytes(cmds.get(at + 8..at + 12)?.try_into().ok()?);
            let size = u32::from_le_bytes(cmds.get(at + 12..at + 16)?.try_into().ok()?);
            if size > MAX_SIGNATURE_BYTES {
                return None;
            }
            let blob = read_at(file, base + u64::from(off), size as usize, len)?;
            return signature_team_id(&blob);
        }
        if size < 8 {
            return None;
        }
        at += size;
    }
    None
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The team id of a code-signature SuperBlob (`0xfade0cc0`), from its CodeDirectory.
#[doc(hidden)] // public for the fuzz targets only
pub fn signature_team_id(blob: &[u8]) -> Option<String> {
    if be32(blob, 0)? != 0xfade_0cc0 {
        return None;
    }
    let count = be32(blob, 8)?.min(256) as usize;
    for i in 0..count {
        let slot = be32(blob, 12 + i * 8)?;
        let offset = be32(blob, 16 + i * 8)? as usize;
        // Slot 0 is the CodeDirectory; 0x1000+ are alternate ones.
        if slot != 0 && !(0x1000..0x1005).contains(&slot) {
            continue;
        }
        let cd = blob.get(offset..)?;
        if be32(cd, 0)? != 0xfade_0c02 || be32(cd, 8)? < 0x20200 {
            continue;
        }
        let team_offset = be32(cd, 48)? as usize;
        if team_offset == 0 {
            continue;
        }
        let text = cd.get(team_offset..)?;
        let end = text.iter().position(|&b| b == 0)?;
        if let Some(team) = std::str::from_utf8(&text[..end])
            .ok()
            .and_then(clean_team_id)
        {
            return Some(team);
        }
    }
    None
}

/// Publisher and store facts of an iOS app from `Wrapper/iTunesMetadata.plist`.
fn read_itunes_metadata(root: &Root, plist: &Path, app: &mut App) {
    let Ok((_, dict)) = read_plist(root, plist) else {
        return;
    };
    if app.publisher.is_none() {
        app.publisher = string(&dict, "artistName");
    }
    app.installer = Some("app-store".to_owned());
}

/// The bundles nested in an app's folder (`Contents/` or an iOS bundle), each
/// with the id from its own `Info.plist`. Unreadable ones become warnings.
fn components(root: &Root, dir: &Path, found: &mut Gathered) -> Vec<Component> {
    let mut out: Vec<Component> = Vec::new();
    let mut bundles: Vec<Entry> = Vec::new();
    root.walk(dir, 12, &mut found.errors, &mut |entry| {
        if entry.kind != Kind::Dir {
            return Step::Skip;
        }
        if COMPONENT_EXTS.iter().any(|ext| entry.has_ext(ext)) && bundles.len() < MAX_COMPONENTS {
            bundles.push(entry.clone());
        }
        Step::Descend
    });
    for bundle in bundles {
        let name = bundle.name_str().into_owned();
        let kind = name
            .rsplit_once('.')
            .map(|(_, ext)| ext.to_ascii_lowercase())
            .unwrap_or_default();
        let candidates = [
            "Contents/Info.plist",
            "Info.plist",
            "Resources/Info.plist",
            "Versions/Current/Resources/Info.plist",
            "Versions/A/Resources/Info.plist",
        ];
        let Some(plist) = candidates
            .iter()
            .map(|c| bundle.inner.join(c))
            .find(|p| root.file(p).is_some())
        else {
            continue;
        };
        match read_plist(root, &plist) {
            Ok((_, dict)) => {
                if let Some(id) = string(&dict, "CFBundleIdentifier") {
                    let path = bundle.inner.display().to_string();
                    if !out.iter().any(|c| c.path == path) {
                        out.push(Component { id, kind, path });
                    }
                }
            }
            Err(e) => found.warnings.push(e.to_string()),
        }
    }
    out
}

/// The macOS version from `System/Library/CoreServices/SystemVersion.plist`.
pub fn properties(root: &Root) -> Vec<(String, String)> {
    let mut props = Vec::new();
    if let Ok((_, dict)) = read_plist(
        root,
        Path::new("/System/Library/CoreServices/SystemVersion.plist"),
    ) {
        for (key, prop) in [
            ("ProductName", "os"),
            ("ProductVersion", "os_version"),
            ("ProductBuildVersion", "os_build"),
        ] {
            if let Some(v) = string(&dict, key) {
                props.push((prop.to_owned(), v));
            }
        }
    }
    // System -> System -> ComputerName / HostName; System -> Network -> HostNames ->
    // LocalHostName.
    if let Ok((_, dict)) = read_plist(
        root,
        Path::new("/Library/Preferences/SystemConfiguration/preferences.plist"),
    ) {
        let section = |path: &[&str]| {
            path.iter()
                .try_fold(&dict, |d, key| d.get(key).and_then(Value::as_dictionary))
                .cloned()
        };
        if let Some(system) = section(&["System", "System"]) {
            for (key, prop) in [("ComputerName", "computer_name"), ("HostName", "hostname")] {
                if let Some(v) = string(&system, key) {
                    props.push((prop.to_owned(), v));
                }
            }
        }
        if let Some(v) =
            section(&["System", "Network", "HostNames"]).and_then(|d| string(&d, "LocalHostName"))
        {
            props.push(("hostname".to_owned(), v));
        }
    }
    props
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::test_support::shared_fixture;

    const TP: &str = "desktop/third_party";

    fn ids(found: &Gathered) -> Vec<&str> {
        found.apps.iter().map(|a| a.id.as_str()).collect()
    }

    #[test]
    fn real_wechat_tree_is_one_app_with_components() {
        let Some(dir) = shared_fixture(&format!("{TP}/MagicalWeChat/macos")) else {
            return;
        };
        let found = collect(&Root::new(&dir));
        assert!(found.errors.is_empty(), "{:?}", found.errors);
        assert_eq!(ids(&found), ["com.tencent.xinWeChat"]);
        let app = &found.apps[0];
        assert_eq!(app.platform, Platform::Macos);
        assert_eq!(app.version.as_deref(), Some("3.2.1"));
        assert_eq!(app.build.as_deref(), Some("19796"));
        assert_eq!(app.team_id.as_deref(), Some("5A4RE8SF68"));
        assert_eq!(app.path.as_deref(), Some("/Applications/WeChat.app"));
        let comp: Vec<&str> = app.components.iter().map(|c| c.id.as_str()).collect();
        for id in [
            "com.tencent.xinWeChat.MiniProgram",
            "5A4RE8SF68.com.tencent.xinWeChat.IPCHelper",
            "org.sparkle-project.Sparkle.Updater",
        ] {
            assert!(comp.contains(&id), "{id} not in {comp:?}");
        }
        assert!(app.components.iter().any(|c| c.kind == "framework"));
        assert!(app.components.iter().any(|c| c.kind == "appex"));
        assert!(
            app.evidence[0]
                .path
                .ends_with("WeChat.app/Contents/Info.plist")
        );
    }

    #[test]
    fn real_syft_apps() {
        for (dir, id, version, build) in [
            (
                "syft/macos/install-example",
                "com.tinyspeck.slackmacgap",
                "4.50.128",
                "450000128",
            ),
            (
                "syft/macos/native-app-example",
                "com.mitchellh.ghostty",
                "1.3.1",
                "15212",
            ),
        ] {
            let Some(dir) = shared_fixture(&format!("{TP}/{dir}")) else {
                return;
            };
            let found = collect(&Root::new(&dir));
            assert_eq!(ids(&found), [id]);
            assert_eq!(found.apps[0].version.as_deref(), Some(version));
            assert_eq!(found.apps[0].build.as_deref(), Some(build));
        }
    }

    #[test]
    fn real_ios_bundle_and_binary_framework_plists() {
        let Some(dir) = shared_fixture(&format!("{TP}/WeChat-minigame-hack/ios")) else {
            return;
        };
        let root = Root::new(&dir);
        let mut found = Gathered::default();
        let app = read_bundle(&root, Path::new("/Payload/WeChat.app"), &mut found).unwrap();
        assert_eq!(app.id, "com.tencent.xin");
        assert_eq!(app.platform, Platform::Ios);
        assert_eq!(app.version.as_deref(), Some("6.6.1"));
        assert_eq!(app.build.as_deref(), Some("6.6.1.32"));
        // The frameworks' plists are binary.
        assert!(
            app.components
                .iter()
                .any(|c| c.id == "com.tencent.MMCommon")
        );
        assert!(app.components.iter().all(|c| c.kind == "framework"));
    }

    #[test]
    fn real_parse_cases() {
        let Some(dir) = shared_fixture(&format!("{TP}/syft/macos/parse-cases")) else {
            return;
        };
        let bytes = std::fs::read(dir.join("malformed.plist")).unwrap();
        assert!(
            parse_plist(&bytes)
                .unwrap_err()
                .to_string()
                .starts_with("malformed Info.plist")
        );
        let Some(info) = shared_fixture(&format!("{TP}/osquery/macos/test_info.plist")) else {
            return;
        };
        let dict = parse_plist(&std::fs::read(&info).unwrap()).unwrap();
        let mut found = Gathered::default();
        let app = app_from_info(&dict, Platform::Macos, &info, &mut found).unwrap();
        assert_eq!(app.id, "com.apple.PhotoBooth");
        assert_eq!(app.version.as_deref(), Some("6.0"));
        assert_eq!(app.build.as_deref(), Some("517"));
        let Some(binary) = shared_fixture(&format!("{TP}/osquery/macos/test_binary.plist")) else {
            return;
        };
        let dict = parse_plist(&std::fs::read(&binary).unwrap()).unwrap();
        assert!(app_from_info(&dict, Platform::Macos, &binary, &mut found).is_none());
    }

    #[test]
    fn malformed_plist_is_an_error_for_that_bundle_only() {
        let dir = tempfile::tempdir().unwrap();
        let apps = dir.path().join("Applications");
        std::fs::create_dir_all(apps.join("Bad.app/Contents")).unwrap();
        std::fs::write(
            apps.join("Bad.app/Contents/Info.plist"),
            "<plist><dict><key>",
        )
        .unwrap();
        std::fs::create_dir_all(apps.join("Tools/Good.app/Contents")).unwrap();
        std::fs::write(
            apps.join("Tools/Good.app/Contents/Info.plist"),
            r#"<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict><key>CFBundleIdentifier</key><string>org.example.good</string>
<key>CFBundleShortVersionString</key><string>2.0</string></dict></plist>"#,
        )
        .unwrap();
        let found = collect(&Root::new(dir.path()));
        assert_eq!(ids(&found), ["org.example.good"]);
        assert_eq!(found.errors.len(), 1);
        assert!(
            found.errors[0]
                .path
                .ends_with("Bad.app/Contents/Info.plist")
        );
        assert!(found.errors[0].message.starts_with("malformed Info.plist"));
    }

    /// A minimal thin arm64 Mach-O with a code signature whose CodeDirectory names a team.
    fn macho_with_team(team: &str) -> Vec<u8> {
        let mut cd = Vec::new();
        for v in [0xfade_0c02u32, 0, 0x20400, 0, 0, 0, 0, 0, 0] {
            cd.extend(v.to_be_bytes());
        }
        cd.extend([0u8; 4]); // hashSize, hashType, platform, pageSize
        cd.extend(0u32.to_be_bytes()); // spare2
        cd.extend(0u32.to_be_bytes()); // scatterOffset
        let team_offset = (cd.len() + 4) as u32;
        cd.extend(team_offset.to_be_bytes());
        cd.extend(team.as_bytes());
        cd.push(0);
        let len = cd.len() as u32;
        cd[4..8].copy_from_slice(&len.to_be_bytes());
        let mut sb = Vec::new();
        for v in [0xfade_0cc0u32, 0, 1, 0, 20] {
            sb.extend(v.to_be_bytes());
        }
        sb.extend(&cd);
        let len = sb.len() as u32;
        sb[4..8].copy_from_slice(&len.to_be_bytes());
        let mut m = Vec::new();
        for v in [0xfeed_facfu32, 0x0100_000c, 0, 2, 1, 16, 0, 0] {
            m.extend(v.to_le_bytes());
        }
        let sig_off = 32 + 16;
        for v in [0x1du32, 16, sig_off, sb.len() as u32] {
            m.extend(v.to_le_bytes());
        }
        m.extend(&sb);
        m
    }

    #[test]
    fn team_id_from_code_signature() {
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("exe");
        std::fs::write(&exe, macho_with_team("5A4RE8SF68")).unwrap();
        assert_eq!(macho_team_id(&exe).as_deref(), Some("5A4RE8SF68"));
        // Universal binary around it.
        let thin = macho_with_team("FN2V63AD2J");
        let mut fat = Vec::new();
        for v in [
            0xcafe_babeu32,
            1,
            0x0100_000c,
            0,
            4096,
            thin.len() as u32,
            12,
        ] {
            fat.extend(v.to_be_bytes());
        }
        fat.resize(4096, 0);
        fat.extend(&thin);
        std::fs::write(&exe, fat).unwrap();
        assert_eq!(macho_team_id(&exe).as_deref(), Some("FN2V63AD2J"));
        std::fs::write(&exe, b"#!/bin/sh\n").unwrap();
        assert_eq!(macho_team_id(&exe), None);
        assert_eq!(
            profile_team_id(b"xx<key>TeamIdentifier</key>\n<array>\n<string>YK4WKE5WAM</string>"),
            Some("YK4WKE5WAM".to_owned())
        );
    }

    #[test]
    fn computer_name_from_system_configuration() {
        let dir = tempfile::tempdir().unwrap();
        let prefs = dir
            .path()
            .join("Library/Preferences/SystemConfiguration/preferences.plist");
        std::fs::create_dir_all(prefs.parent().unwrap()).unwrap();
        std::fs::write(
            &prefs,
            r#"<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict>
<key>System</key><dict>
  <key>System</key><dict><key>ComputerName</key><string>Design MacBook 12</string></dict>
  <key>Network</key><dict><key>HostNames</key><dict><key>LocalHostName</key><string>Design-MacBook-12</string></dict></dict>
</dict>
</dict></plist>"#,
        )
        .unwrap();
        let props = properties(&Root::new(dir.path()));
        assert!(props.contains(&("computer_name".to_owned(), "Design MacBook 12".to_owned())));
        let (id, source) = crate::model::identify(&props, "x");
        assert_eq!(
            (id.as_str(), source),
            ("Design MacBook 12", crate::model::IdSource::ComputerName)
        );
    }
}
