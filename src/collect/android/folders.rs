//! Android acquisition folders: an androidqf acquisition and an unzipped bugreport.
//! Each is one device; links inside them are not followed out of the folder.

use super::{AppSet, androidqf, dumpsys, getprop};
use crate::collect::source::{FolderSource, Found};
use crate::collect::text::{TextInput, read_text_file};
use crate::model::{AppFilter, InputError, KeepAll};
use std::fs;
use std::path::{Component, Path};

/// An androidqf acquisition folder: `packages.json`, or `dumpsys.txt` with
/// `getprop.txt` or `acquisition.json`.
pub struct AndroidqfFolder;

impl FolderSource for AndroidqfFolder {
    fn sniff(&self, dir: &Path) -> bool {
        let has = |name: &str| is_regular(&dir.join(name));
        has("packages.json")
            || (has("dumpsys.txt") && (has("getprop.txt") || has("acquisition.json")))
    }

    fn read(&self, dir: &Path, _: &crate::collect::Options) -> (Option<Found>, Vec<InputError>) {
        read_androidqf(dir)
    }
}

/// An unzipped bugreport: a folder with `main_entry.txt`.
pub struct BugreportFolder;

impl FolderSource for BugreportFolder {
    fn sniff(&self, dir: &Path) -> bool {
        is_regular(&dir.join("main_entry.txt"))
    }

    fn read(
        &self,
        dir: &Path,
        options: &crate::collect::Options,
    ) -> (Option<Found>, Vec<InputError>) {
        collect_bugreport(dir, options.keep)
    }
}

/// A regular file, not followed if it is a link.
pub(crate) fn is_regular(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
}

/// An androidqf acquisition: `packages.json` merged with the package section of
/// `dumpsys.txt`, and device facts from `getprop.txt`. One device.
fn read_androidqf(dir: &Path) -> (Option<Found>, Vec<InputError>) {
    let mut errors = Vec::new();
    let mut apps = AppSet::default();
    let mut warnings = Vec::new();
    let mut read_any = false;
    let packages = dir.join("packages.json");
    if is_regular(&packages) {
        let parsed = read_text_file(&packages)
            .map_err(|e| e.to_string())
            .and_then(|text| {
                androidqf::parse(&text, &packages.display().to_string()).map_err(|e| e.to_string())
            });
        match parsed {
            Ok(parsed) => {
                read_any = true;
                parsed.merge_into(&mut apps, &mut warnings, "packages.json");
            }
            Err(message) => errors.push(InputError::new(
                &packages,
                format!("androidqf packages.json: {message}"),
            )),
        }
    }
    let dumpsys_path = dir.join("dumpsys.txt");
    if is_regular(&dumpsys_path) {
        let source = dumpsys_path.display().to_string();
        // Every app is kept: it merges with packages.json, whose listing may match by
        // certificate where this one (a package name alone) does not.
        let read = |input| dumpsys::parse_input(input, &source, &KeepAll);
        match TextInput::open(&dumpsys_path).and_then(read) {
            Ok(parsed) => match parsed {
                Some(parsed) => {
                    read_any = true;
                    // Same id: fills version, install times and users from dumpsys.
                    parsed.merge_into(&mut apps, &mut warnings, "dumpsys.txt");
                }
                None => warnings.push("dumpsys.txt: no package section".to_owned()),
            },
            Err(e) => errors.push(InputError::new(&dumpsys_path, e.to_string())),
        }
    }
    if !read_any {
        errors.push(InputError::new(
            dir,
            "androidqf folder: no package list could be read from packages.json or dumpsys.txt",
        ));
        return (None, errors);
    }
    let mut found = Found::android("androidqf", apps.into_vec(), warnings);
    found.properties = folder_properties(dir, &mut found.warnings);
    (Some(found), errors)
}

fn folder_properties(dir: &Path, warnings: &mut Vec<String>) -> Vec<(String, String)> {
    let path = dir.join("getprop.txt");
    if !is_regular(&path) {
        return Vec::new();
    }
    match read_text_file(&path) {
        Ok(text) => getprop::device_properties(&text),
        Err(e) => {
            warnings.push(format!("getprop.txt: {e}"));
            Vec::new()
        }
    }
}

/// An unzipped bugreport: `main_entry.txt` names the dumpstate file. One device.
fn collect_bugreport(dir: &Path, keep: &dyn AppFilter) -> (Option<Found>, Vec<InputError>) {
    match read_bugreport(dir, keep) {
        Ok(found) => (Some(found), Vec::new()),
        Err((path, message)) => (None, vec![InputError::new(&path, message)]),
    }
}

fn read_bugreport(dir: &Path, keep: &dyn AppFilter) -> Result<Found, (std::path::PathBuf, String)> {
    let entry = dir.join("main_entry.txt");
    let text = read_text_file(&entry).map_err(|e| (entry.clone(), e.to_string()))?;
    let name = text.lines().next().unwrap_or_default().trim();
    let bad_entry = |why: &str| {
        let message = format!("main_entry.txt names `{name}`, {why}");
        (entry.clone(), message)
    };
    let relative = Path::new(name);
    if !relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return Err(bad_entry("which is not a file inside the folder"));
    }
    let main = dir.join(relative);
    if !is_regular(&main) || !stays_inside(dir, &main) {
        return Err(bad_entry("which is not a regular file inside the folder"));
    }
    let source = main.display().to_string();
    let parsed = TextInput::open(&main)
        .and_then(|input| dumpsys::parse_input(input, &source, keep))
        .map_err(|e| (main.clone(), e.to_string()))?;
    let parsed = parsed.ok_or_else(|| {
        let message = "bugreport without a package section (`DUMP OF SERVICE package:`)";
        (main.clone(), message.to_owned())
    })?;
    Ok(parsed.into_found("bugreport"))
}

/// Whether `path` resolves inside `dir` (no link in between leads out).
fn stays_inside(dir: &Path, path: &Path) -> bool {
    match (fs::canonicalize(dir), fs::canonicalize(path)) {
        (Ok(dir), Ok(path)) => path.starts_with(dir),
        _ => false,
    }
}
