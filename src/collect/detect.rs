//! What an input is, told from its content (never its name), and [`collect`], the
//! entry point that turns a file or folder into devices: a walk over the registries
//! of [`registry`](super::registry), whose first source that claims an input reads it.
//!
//! A folder is first checked for a known layout (an androidqf acquisition, an
//! unzipped bugreport, the root of a macOS, Windows or Linux machine); otherwise
//! each direct child is one device (a folder of machine roots is a fleet). Symbolic links
//! inside a folder are never followed, and only one level is read.

use crate::collect::android::binary::read_head;
use crate::collect::android::{LineParse, dumpsys};
use crate::collect::desktop;
use crate::collect::registry::{
    BINARY_SOURCES, FOLDER_SOURCES, TEXT_SOURCES, finish, read_machine,
};
use crate::collect::source::{FolderSource, Found, TextSource};
use crate::collect::text::{ReadError, TextInput, file_kind};
use crate::collect::{CollectError, Collected, InputError, InputFormat, Options};
use crate::model::{AppFilter, Device};
use std::fs;
use std::path::{Path, PathBuf};

const NOT_RECOGNISED: &str = "not a recognised input: expected `pm list packages` output, \
     `dumpsys package` output, androidqf packages.json, osquery or Fleet JSON, an MDM inventory \
     (Jamf, Intune, Kandji, Android Management API, SimpleMDM, Apple MDM), or a CSV app inventory";
const EXPECTED_TEXT: &str = "expected a text dump (`pm list packages` or `dumpsys package` \
     output), androidqf packages.json, osquery or Fleet JSON, or a CSV app inventory";
const NO_LAYOUT: &str =
    "no known layout: expected an androidqf folder, an unzipped bugreport, or dump files";

/// Collect one input path (file or folder). Never panics; every unreadable thing becomes an InputError naming the path.
pub fn collect(path: &Path, format: InputFormat) -> Collected {
    collect_with(path, format, &Options::default())
}

/// [`collect`] with options: how machine roots are read (`--os`, file systems) and
/// which apps are kept.
pub fn collect_with(path: &Path, format: InputFormat, options: &Options) -> Collected {
    let mut out = Collected::default();
    // The path the user named may be a symbolic link: follow it (links inside folders are not).
    match fs::metadata(path) {
        Err(e) => out
            .errors
            .push(InputError::new(path, format!("cannot read: {e}"))),
        Ok(meta) if meta.is_dir() => match options.machine.os {
            // `--os`: the folder is a machine root of that system.
            Some(os) => add(&mut out, path, read_machine(path, os, &options.machine)),
            None => collect_folder(path, format, options, &mut out),
        },
        Ok(meta) if meta.is_file() => match collect_file(path, format, options.keep) {
            Ok(devices) => out.devices.extend(devices),
            Err(failure) => out.errors.push(InputError::new(path, failure.message())),
        },
        Ok(meta) => out.errors.push(InputError::new(
            path,
            format!("not a regular file ({})", file_kind(&meta.file_type())),
        )),
    }
    out
}

/// What a file's content looks like (used by collect and by tests).
pub fn sniff(text: &str) -> Option<InputFormat> {
    text_source(text).and_then(|source| source.forced_by())
}

/// The first text source that claims `head`.
fn text_source(head: &str) -> Option<&'static dyn TextSource> {
    TEXT_SOURCES.iter().copied().find(|s| s.sniff(head))
}

/// The first folder source that claims `dir`.
fn folder_source(dir: &Path) -> Option<&'static dyn FolderSource> {
    FOLDER_SOURCES.iter().copied().find(|s| s.sniff(dir))
}

/// Why a file gave no device. Inside a folder, `Skip` files are passed over and
/// listed; `Error` files make the scan incomplete.
#[derive(Debug)]
enum Failure {
    /// Not something we read (or not the format the user forced).
    Skip(String),
    /// Unreadable, or recognised but broken.
    Error(String),
}

impl Failure {
    fn message(self) -> String {
        match self {
            Failure::Skip(message) | Failure::Error(message) => message,
        }
    }

    /// A source's error: content we recognised that then fails to parse is broken
    /// input, not someone else's file; a forced format that does not fit is passed over.
    fn of(error: CollectError, format: InputFormat) -> Self {
        match error {
            CollectError::Text(e) => e.into(),
            e if format == InputFormat::Auto => Failure::Error(e.to_string()),
            e => Failure::Skip(e.to_string()),
        }
    }
}

impl From<ReadError> for Failure {
    fn from(error: ReadError) -> Self {
        match error {
            ReadError::Unreadable(message) => Failure::Error(message),
            ReadError::NotText(message) => Failure::Skip(format!("{message}; {EXPECTED_TEXT}")),
        }
    }
}

fn collect_file(
    path: &Path,
    format: InputFormat,
    keep: &dyn AppFilter,
) -> Result<Vec<Device>, Failure> {
    // Binary and XML inputs (bugreport zip, APK, packages.xml), told by their magic.
    if format == InputFormat::Auto
        && let Some(head) = read_head(path)
        && let Some(source) = BINARY_SOURCES.iter().find(|s| s.sniff(&head))
        && let Some(read) = source.read(path, keep)
    {
        return read
            .map(|found| vec![finish(path, found)])
            .map_err(|e| Failure::Error(e.to_string()));
    }
    let input = TextInput::open(path)?;
    let source = match format {
        InputFormat::Auto => text_source(input.head()),
        forced => TEXT_SOURCES
            .iter()
            .copied()
            .find(|s| s.forced_by() == Some(forced)),
    };
    let name = path.display().to_string();
    let found = match source {
        // Large text dumps are read line by line, in bounded memory; other formats
        // and small files are read whole.
        Some(source) => source.parse_input(input, &name, keep),
        None if input.is_complete() => return Err(Failure::Skip(NOT_RECOGNISED.to_owned())),
        None => Ok(vec![stream_unrecognised(input, &name, keep)?]),
    };
    let found = found.map_err(|e| Failure::of(e, format))?;
    Ok(found.into_iter().map(|f| finish(path, f)).collect())
}

/// A text file too large to read whole whose head told nothing: read as a dumpsys
/// (the package service may come late in a whole `dumpsys` or a dumpstate).
fn stream_unrecognised(
    input: TextInput,
    source: &str,
    keep: &dyn AppFilter,
) -> Result<Found, Failure> {
    let mut parser = dumpsys::LineParser::filtered(source, keep);
    let stats = input.for_each_line(|number, line| parser.line(number, line))?;
    match parser.finish() {
        Some(parsed) => Ok(parsed.into_found(dumpsys::FORMAT)),
        None if !stats.any_text => Err(ReadError::NotText("empty file").into()),
        None => Err(Failure::Skip(NOT_RECOGNISED.to_owned())),
    }
}

/// Adds what a folder source read to `out`, finishing its device.
fn add(out: &mut Collected, dir: &Path, (found, errors): (Option<Found>, Vec<InputError>)) {
    out.devices.extend(found.map(|f| finish(dir, f)));
    out.errors.extend(errors);
}

fn collect_folder(dir: &Path, format: InputFormat, options: &Options, out: &mut Collected) {
    if let Some(source) = folder_source(dir) {
        return add(out, dir, source.read(dir, options));
    }
    let plan = plan_with(dir, &options.machine);
    out.errors.extend(plan.errors);
    for unit in &plan.units {
        let collected = collect_unit_with(unit, format, options);
        out.devices.extend(collected.devices);
        out.errors.extend(collected.errors);
        out.skipped.extend(collected.skipped);
    }
    if plan.is_folder_of_devices && out.devices.is_empty() && out.errors.is_empty() {
        out.errors.push(no_layout(dir));
    }
}

/// The error for a folder in which nothing was recognised.
pub fn no_layout(dir: &Path) -> InputError {
    InputError::new(dir, NO_LAYOUT)
}

/// One piece of work for a scan: a file or capture folder given by the user, or
/// a child of a folder of devices (where unrecognised files are passed over).
#[derive(Clone, Debug)]
pub struct Unit {
    /// The file or folder.
    pub path: PathBuf,
    /// It is a child of a folder of devices (unrecognised files are then passed over).
    pub inside_folder: bool,
}

/// How an input splits into units, so a folder of many devices can be read in parallel.
#[derive(Debug, Default)]
pub struct Plan {
    /// The units, sorted by path.
    pub units: Vec<Unit>,
    /// What could not be listed.
    pub errors: Vec<InputError>,
    /// The input is a folder of devices (its children are the units).
    pub is_folder_of_devices: bool,
}

/// Splits `path` into units: a folder without a known layout becomes its direct
/// children (sorted); anything else stays one unit.
pub fn plan(path: &Path) -> Plan {
    plan_with(path, &desktop::Options::default())
}

/// [`plan`]; with `--os` a folder is one machine root, never split.
pub fn plan_with(path: &Path, options: &desktop::Options) -> Plan {
    let whole = |path: &Path| Plan {
        units: vec![Unit {
            path: path.to_path_buf(),
            inside_folder: false,
        }],
        ..Plan::default()
    };
    let is_plain_folder = options.os.is_none()
        && fs::metadata(path).is_ok_and(|m| m.is_dir())
        && folder_source(path).is_none();
    if !is_plain_folder {
        return whole(path);
    }
    let mut plan = Plan {
        is_folder_of_devices: true,
        ..Plan::default()
    };
    match fs::read_dir(path) {
        Ok(entries) => {
            for entry in entries {
                match entry {
                    Ok(entry) => plan.units.push(Unit {
                        path: entry.path(),
                        inside_folder: true,
                    }),
                    Err(e) => plan
                        .errors
                        .push(InputError::new(path, format!("cannot read folder: {e}"))),
                }
            }
        }
        Err(e) => plan
            .errors
            .push(InputError::new(path, format!("cannot read folder: {e}"))),
    }
    plan.units.sort_by(|a, b| a.path.cmp(&b.path));
    plan
}

/// Collects one unit of a [`Plan`].
pub fn collect_unit(unit: &Unit, format: InputFormat) -> Collected {
    collect_unit_with(unit, format, &Options::default())
}

/// [`collect_unit`] with options (machine roots, which apps are kept).
pub fn collect_unit_with(unit: &Unit, format: InputFormat, options: &Options) -> Collected {
    if unit.inside_folder {
        let mut out = Collected::default();
        collect_child(&unit.path, format, options, &mut out);
        out
    } else {
        collect_with(&unit.path, format, options)
    }
}

fn collect_child(child: &Path, format: InputFormat, options: &Options, out: &mut Collected) {
    let meta = match fs::symlink_metadata(child) {
        Ok(meta) => meta,
        Err(e) => {
            out.errors
                .push(InputError::new(child, format!("cannot read: {e}")));
            return;
        }
    };
    let kind = meta.file_type();
    if kind.is_symlink() {
        out.skipped
            .push(InputError::new(child, "symbolic link, not followed"));
    } else if kind.is_dir() {
        match folder_source(child) {
            Some(source) => add(out, child, source.read(child, options)),
            None => out.skipped.push(InputError::new(
                child,
                "folder with no known layout (folders are read one level deep)",
            )),
        }
    } else if kind.is_file() {
        match collect_file(child, format, options.keep) {
            Ok(devices) => out.devices.extend(devices),
            Err(Failure::Skip(message)) => out.skipped.push(InputError::new(child, message)),
            Err(Failure::Error(message)) => out.errors.push(InputError::new(child, message)),
        }
    } else {
        let message = format!("not a regular file ({})", file_kind(&kind));
        out.skipped.push(InputError::new(child, message));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::collect::android::dumpsys::EXPECTED as EXPECTED_DUMPSYS;
    use crate::collect::android::pm_list::EXPECTED as EXPECTED_PM_LIST;
    use crate::collect::text::read_text_file;
    use crate::model::Platform;
    use crate::test_support::{own_fixture, shared_fixture};
    use std::path::PathBuf;

    const MVT: &str = "android/third_party/mvt/tests/artifacts";

    fn own(name: &str) -> PathBuf {
        own_fixture(&format!("android/{name}"))
    }

    fn ids(device: &Device) -> Vec<&str> {
        device.apps.iter().map(|a| a.id.as_str()).collect()
    }

    fn one_device(collected: &Collected) -> &Device {
        assert!(collected.errors.is_empty(), "{:?}", collected.errors);
        assert_eq!(collected.devices.len(), 1);
        &collected.devices[0]
    }

    fn copy(from: &Path, to: &Path) {
        fs::copy(from, to).unwrap();
    }

    #[test]
    fn sniffs_each_format_by_content() {
        let read = |name: &str| read_text_file(&own(name)).unwrap();
        assert_eq!(sniff(&read("pm_list_f.txt")), Some(InputFormat::PmList));
        assert_eq!(sniff(&read("pm_list_crlf.txt")), Some(InputFormat::PmList));
        assert_eq!(
            sniff(&read("pm_list_security_exception.txt")),
            Some(InputFormat::PmList)
        );
        assert_eq!(
            sniff(&read("dumpsys_multiuser.txt")),
            Some(InputFormat::Dumpsys)
        );
        assert_eq!(
            sniff(&read("androidqf_folder/packages.json")),
            Some(InputFormat::Androidqf)
        );
        assert_eq!(sniff(&read("androidqf_folder/getprop.txt")), None);
        assert_eq!(sniff("hello\n"), None);
    }

    #[test]
    fn sniffs_real_captures() {
        let cases = [
            (
                "android_data/dumpsys_packages.txt",
                Some(InputFormat::Dumpsys),
            ),
            (
                "android_data/bugreport/dumpstate.txt",
                Some(InputFormat::Dumpsys),
            ),
            ("androidqf/dumpsys.txt", Some(InputFormat::Dumpsys)),
            ("androidqf/packages.json", Some(InputFormat::Androidqf)),
            ("androidqf/getprop.txt", None),
            ("android_data/dumpsys_appops.txt", None),
        ];
        for (file, expected) in cases {
            let Some(path) = shared_fixture(&format!("{MVT}/{file}")) else {
                return;
            };
            assert_eq!(sniff(&read_text_file(&path).unwrap()), expected, "{file}");
        }
    }

    #[test]
    fn collects_a_pm_list_file() {
        let path = own("pm_list_all_flags.txt");
        let collected = collect(&path, InputFormat::Auto);
        let device = one_device(&collected);
        assert_eq!(device.format, "pm-list-packages");
        assert_eq!(device.name, "pm_list_all_flags.txt");
        assert_eq!(device.source, path.display().to_string());
        assert_eq!(device.platform, Platform::Android);
        assert_eq!(device.apps.len(), 5);
        assert_eq!(device.apps[0].evidence[0].path, path.display().to_string());
    }

    #[test]
    fn collects_real_dumpsys_file() {
        let Some(path) = shared_fixture(&format!("{MVT}/android_data/dumpsys_packages.txt")) else {
            return;
        };
        let collected = collect(&path, InputFormat::Auto);
        let device = one_device(&collected);
        assert_eq!(device.format, "dumpsys-package");
        assert_eq!(device.name, "dumpsys_packages.txt");
        assert_eq!(device.apps.len(), 2);
    }

    #[test]
    fn collects_real_packages_json_file() {
        let Some(path) = shared_fixture(&format!("{MVT}/androidqf/packages.json")) else {
            return;
        };
        let device = one_device(&collect(&path, InputFormat::Auto)).clone();
        assert_eq!(device.format, "androidqf-packages");
        assert_eq!(device.apps.len(), 7);
    }

    #[test]
    fn collects_real_bugreport_folder() {
        let Some(path) = shared_fixture(&format!("{MVT}/android_data/bugreport")) else {
            return;
        };
        let collected = collect(&path, InputFormat::Auto);
        let device = one_device(&collected);
        assert_eq!(device.format, "bugreport");
        assert_eq!(device.name, "bugreport");
        assert_eq!(
            ids(device),
            [
                "com.samsung.android.provider.filterprovider",
                "com.instagram.android"
            ]
        );
        let insta = &device.apps[1];
        assert_eq!(insta.installer.as_deref(), Some("com.android.vending"));
        assert_eq!(insta.evidence[0].line, Some(179));
        assert_eq!(
            insta.evidence[0].path,
            path.join("dumpstate.txt").display().to_string()
        );
    }

    #[test]
    fn collects_real_androidqf_folder_merged() {
        let Some(path) = shared_fixture(&format!("{MVT}/androidqf")) else {
            return;
        };
        let collected = collect(&path, InputFormat::Auto);
        let device = one_device(&collected);
        assert_eq!(device.format, "androidqf");
        assert_eq!(device.name, "androidqf");
        // 7 from packages.json, then the 2 that only dumpsys.txt lists.
        assert_eq!(
            ids(device),
            [
                "com.whatsapp",
                "app.revanced.manager.flutter",
                "com.google.android.youtube",
                "org.fdroid.fdroid",
                "org.nuclearfog.apollo",
                "com.malware.blah",
                "com.malware.muahaha",
                "com.samsung.android.provider.filterprovider",
                "com.sec.android.app.DataCreate",
            ]
        );
        let filter = &device.apps[7];
        assert_eq!(filter.evidence[0].line, Some(91));
        assert!(filter.evidence[0].path.ends_with("dumpsys.txt"));
        assert!(device.warnings.is_empty(), "{:?}", device.warnings);
        // This capture's getprop.txt has no ro.* properties.
        assert!(device.properties.is_empty());
    }

    #[test]
    fn own_androidqf_folder_merges_by_id() {
        let collected = collect(&own("androidqf_folder"), InputFormat::Auto);
        let device = one_device(&collected);
        assert_eq!(device.format, "androidqf");
        assert_eq!(
            ids(device),
            [
                "com.zhiliaoapp.musically",
                "com.whatsapp",
                "cn.wps.moffice_eng",
                "com.sec.android.app.sbrowser",
            ]
        );
        let tiktok = &device.apps[0];
        // From packages.json.
        assert_eq!(tiktok.uid, Some(10245));
        assert_eq!(tiktok.cert_sha256.len(), 1);
        assert_eq!(
            tiktok.path.as_deref(),
            Some(
                "/data/app/~~VGlrVG9rRm9sZGVy==/com.zhiliaoapp.musically-Zm9sZGVyX3Rpa3Rvaw==/base.apk"
            )
        );
        // From dumpsys.txt.
        assert_eq!(tiktok.version.as_deref(), Some("34.5.3"));
        assert_eq!(tiktok.build.as_deref(), Some("2023405030"));
        assert_eq!(
            tiktok.first_install_time.as_deref(),
            Some("2024-02-03 10:11:12")
        );
        assert_eq!(tiktok.users.len(), 1);
        let formats: Vec<&str> = tiktok.evidence.iter().map(|e| e.format.as_str()).collect();
        assert_eq!(formats, ["androidqf-packages", "dumpsys-package"]);
        // packages.json lists it (pm list -u), dumpsys says no user has it installed.
        let wps = &device.apps[2];
        assert!(wps.flags.data_only);
        // Only dumpsys.txt knows this one.
        assert_eq!(device.apps[3].evidence.len(), 1);
        assert!(device.apps[3].flags.system);
        let props: Vec<(&str, &str)> = device
            .properties
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(props[0], ("model", "SM-S918B"));
        assert_eq!(props.len(), 5);
    }

    #[test]
    fn own_bugreport_folder() {
        let collected = collect(&own("bugreport_folder"), InputFormat::Auto);
        let device = one_device(&collected);
        assert_eq!(device.format, "bugreport");
        assert_eq!(ids(device), ["com.eg.android.AlipayGphone", "com.whatsapp"]);
        assert!(
            device.apps[0].evidence[0]
                .path
                .ends_with("bugreport-dm3q-UP1A.231005.007-2024-06-12-10-00-00.txt")
        );
    }

    #[test]
    fn bugreport_entry_must_stay_inside_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("main_entry.txt"), "../outside.txt\n").unwrap();
        let collected = collect(dir.path(), InputFormat::Auto);
        assert!(collected.devices.is_empty());
        assert_eq!(collected.errors.len(), 1);
        assert!(
            collected.errors[0]
                .message
                .contains("not a file inside the folder"),
            "{:?}",
            collected.errors
        );
        fs::write(dir.path().join("main_entry.txt"), "missing.txt\n").unwrap();
        let collected = collect(dir.path(), InputFormat::Auto);
        assert!(collected.errors[0].message.contains("not a regular file"));
    }

    #[test]
    fn folder_of_devices_sorted_with_skips() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        copy(&own("pm_list_i.txt"), &root.join("b-phone.txt"));
        copy(&own("dumpsys_multiuser.txt"), &root.join("a-tablet.txt"));
        copy(&own("clean_pm_list.txt"), &root.join("c-clean.txt"));
        fs::write(root.join("notes.md"), "# which phones\n").unwrap();
        fs::write(root.join("empty.txt"), "").unwrap();
        fs::create_dir(root.join("photos")).unwrap();
        fs::create_dir(root.join("qf")).unwrap();
        copy(
            &own("androidqf_folder/packages.json"),
            &root.join("qf/packages.json"),
        );
        #[cfg(unix)]
        std::os::unix::fs::symlink(own("pm_list_f.txt"), root.join("link.txt")).unwrap();

        let collected = collect(root, InputFormat::Auto);
        assert!(collected.errors.is_empty(), "{:?}", collected.errors);
        let names: Vec<&str> = collected.devices.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["a-tablet.txt", "b-phone.txt", "c-clean.txt", "qf"]);
        let formats: Vec<&str> = collected
            .devices
            .iter()
            .map(|d| d.format.as_str())
            .collect();
        assert_eq!(
            formats,
            [
                "dumpsys-package",
                "pm-list-packages",
                "pm-list-packages",
                "androidqf"
            ]
        );
        let skipped: Vec<(String, String)> = collected
            .skipped
            .iter()
            .map(|s| {
                let name = Path::new(&s.path).file_name().unwrap().to_string_lossy();
                (name.into_owned(), s.message.clone())
            })
            .collect();
        let mut expected = vec![
            ("empty.txt".to_owned(), not_text("empty file")),
            ("notes.md".to_owned(), NOT_RECOGNISED.to_owned()),
            (
                "photos".to_owned(),
                "folder with no known layout (folders are read one level deep)".to_owned(),
            ),
        ];
        if cfg!(unix) {
            expected.insert(
                1,
                (
                    "link.txt".to_owned(),
                    "symbolic link, not followed".to_owned(),
                ),
            );
        }
        assert_eq!(skipped, expected);
    }

    #[test]
    fn folder_with_nothing_known_is_an_error() {
        let collected = collect(&own("garbage/no_layout_folder"), InputFormat::Auto);
        assert!(collected.devices.is_empty());
        assert_eq!(collected.errors.len(), 1);
        assert_eq!(collected.errors[0].message, NO_LAYOUT);
        assert_eq!(collected.skipped.len(), 2);
    }

    fn not_text(message: &str) -> String {
        format!("{message}; {EXPECTED_TEXT}")
    }

    #[test]
    fn garbage_files_are_input_errors() {
        let cases = [
            ("garbage/binary.bin", not_text("binary data, not text")),
            ("garbage/empty.txt", not_text("empty file")),
            ("garbage/whitespace.txt", not_text("empty file")),
            ("garbage/random_text.txt", NOT_RECOGNISED.to_owned()),
            (
                "garbage/dumpsys_without_packages.txt",
                EXPECTED_DUMPSYS.to_owned(),
            ),
        ];
        for (name, message) in cases {
            let path = own(name);
            let collected = collect(&path, InputFormat::Auto);
            assert!(collected.devices.is_empty(), "{name}");
            assert_eq!(
                collected.errors,
                [InputError::new(&path, message)],
                "{name}"
            );
        }
        let path = own("garbage/packages_truncated.json");
        let collected = collect(&path, InputFormat::Auto);
        assert!(
            collected.errors[0]
                .message
                .starts_with("expected androidqf packages.json: not valid JSON: EOF while parsing"),
            "{:?}",
            collected.errors
        );
        assert!(collected.errors[0].message.contains("line 9 column"));
    }

    #[test]
    fn invalid_utf8_line_still_collects() {
        let collected = collect(&own("garbage/pm_list_invalid_utf8.txt"), InputFormat::Auto);
        let device = one_device(&collected);
        assert_eq!(device.apps.len(), 3);
        assert_eq!(device.warnings.len(), 1);
    }

    #[test]
    fn explicit_format_is_obeyed_and_checked() {
        let path = own("pm_list_f.txt");
        let collected = collect(&path, InputFormat::Dumpsys);
        assert!(collected.devices.is_empty());
        assert_eq!(collected.errors[0].message, EXPECTED_DUMPSYS);
        let collected = collect(&path, InputFormat::Androidqf);
        assert!(
            collected.errors[0]
                .message
                .starts_with("expected androidqf packages.json: not valid JSON"),
            "{:?}",
            collected.errors
        );
        let collected = collect(&own("dumpsys_multiuser.txt"), InputFormat::PmList);
        assert_eq!(collected.errors[0].message, EXPECTED_PM_LIST);
        // Forcing the right format works as well as detecting it.
        let collected = collect(&path, InputFormat::PmList);
        assert_eq!(one_device(&collected).apps.len(), 4);
    }

    #[test]
    fn missing_and_special_paths() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.txt");
        let collected = collect(&missing, InputFormat::Auto);
        assert_eq!(collected.errors.len(), 1);
        assert!(collected.errors[0].message.starts_with("cannot read: "));
        assert_eq!(collected.errors[0].path, missing.display().to_string());

        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if matches!(made, Ok(s) if s.success()) {
            let collected = collect(&fifo, InputFormat::Auto);
            assert_eq!(
                collected.errors,
                [InputError::new(&fifo, "not a regular file (fifo)")]
            );
            // Inside a folder of devices it is passed over, not opened.
            let collected = collect(dir.path(), InputFormat::Auto);
            assert_eq!(
                collected.skipped,
                [InputError::new(&fifo, "not a regular file (fifo)")]
            );
            assert_eq!(collected.errors.len(), 1);
        }
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_folder_is_an_error() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let locked = dir.path().join("locked");
        fs::create_dir(&locked).unwrap();
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
        if fs::read_dir(&locked).is_ok() {
            // Running as root: permissions do not apply.
            eprintln!("skipped: permissions not enforced");
            return;
        }
        let collected = collect(&locked, InputFormat::Auto);
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(collected.errors.len(), 1);
        assert!(
            collected.errors[0]
                .message
                .starts_with("cannot read folder: ")
        );
    }
}
