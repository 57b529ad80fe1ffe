//! The registries: one line per input format. Adding a format is one new file
//! (implementing a trait of [`source`](super::source)) plus one line here; see
//! docs/sources.md.

use super::source::{BinarySource, FolderSource, Found, TextSource};
use crate::collect::{InputError, Options, android, desktop, import, ios};
use crate::model::{Device, Platform, merge_apps};
use std::path::Path;

/// The binary formats, in the order they are asked.
pub static BINARY_SOURCES: &[&dyn BinarySource] = &[
    &android::binary::ZipSource,
    &android::binary::PackagesXmlSource,
    &ios::source::ListingBinary,
];

/// The text formats, in the order they are asked: osquery rows are a JSON array of
/// objects too, so their columns tell them apart first.
pub static TEXT_SOURCES: &[&dyn TextSource] = &[
    &import::osquery::Source,
    &import::fleet::SOURCE,
    &import::jamf::SOURCE,
    &import::intune::SOURCE,
    &import::kandji::SOURCE,
    &import::amapi::SOURCE,
    &import::simplemdm::SOURCE,
    &android::androidqf::Source,
    &android::dumpsys::SOURCE,
    &android::pm_list::SOURCE,
    &ios::source::ListingText,
    &import::csv::SOURCE,
];

/// The folder layouts, in the order they are asked: an iOS capture's `manifest.json`
/// says its kind, so it is asked before the adb capture, which claims any `manifest.json`.
pub static FOLDER_SOURCES: &[&dyn FolderSource] = &[
    &ios::capture::SavedCapture,
    &android::capture::Source,
    &android::folders::AndroidqfFolder,
    &android::folders::BugreportFolder,
    &ios::source::BackupFolder,
    &MachineSource,
];

/// The root folder of a macOS, Windows or Linux machine (an image, a copied tree).
pub struct MachineSource;

impl FolderSource for MachineSource {
    fn sniff(&self, dir: &Path) -> bool {
        desktop::detect(dir).is_some()
    }

    fn read(&self, dir: &Path, options: &Options) -> (Option<Found>, Vec<InputError>) {
        match desktop::detect(dir) {
            Some(os) => read_machine(dir, os, &options.machine),
            None => (None, Vec::new()),
        }
    }
}

/// A machine root read as an `os` machine (detected, or `--os`).
pub fn read_machine(
    dir: &Path,
    os: desktop::Os,
    options: &desktop::Options,
) -> (Option<Found>, Vec<InputError>) {
    let machine = desktop::collect_machine(dir, os, options);
    (Some(machine.device.into()), machine.errors)
}

/// What happens to every device whatever its source, once: repeated apps are
/// merged ([`App::merge`](crate::model::App::merge)) and Android apps get their side-loading mark.
pub fn finish(path: &Path, found: Found) -> Device {
    let mut apps = merge_apps(found.apps);
    if found.platform == Platform::Android {
        android::mark_side_loaded_with(&mut apps, found.unkept.any_installer());
    }
    let mut unkept = found.unkept;
    let apps_unkept = unkept.count_besides(&apps);
    let model = found
        .properties
        .iter()
        .find(|(k, v)| k == "model" && !v.trim().is_empty())
        .map(|(_, v)| v.clone());
    let name = found
        .name
        .or(model)
        .unwrap_or_else(|| crate::model::file_name(&path.display().to_string()));
    let mut device = Device {
        id: String::new(),
        id_source: crate::model::IdSource::FileName,
        also_from: Vec::new(),
        source: path.display().to_string(),
        name,
        platform: found.platform,
        format: found.format,
        properties: found.properties,
        apps,
        apps_unkept,
        warnings: found.warnings,
    };
    device.settle_identity();
    device
}
