//! iPhones and iPads as sources of the registry: a backup folder, and saved
//! listings (`ideviceinstaller`, `pymobiledevice3 apps list`, an MDM
//! `InstalledApplicationList` answer, `ideviceinfo`) told from their content.

use super::Parsed;
use super::backup::{is_backup, read_backup};
use super::listing;
use super::{IosError, read_file};
use crate::collect::source::{BinarySource, FolderSource, Found, TextSource};
use crate::collect::{CollectError, InputFormat};
use crate::model::{InputError, Platform};
use std::path::Path;

/// An iTunes/Finder backup folder (one device); a `MobileSync/Backup` folder is a
/// folder of devices, each of its backups read by this source.
pub struct BackupFolder;

impl FolderSource for BackupFolder {
    fn sniff(&self, dir: &Path) -> bool {
        is_backup(dir)
    }

    fn read(&self, dir: &Path, _: &crate::collect::Options) -> (Option<Found>, Vec<InputError>) {
        match read_backup(dir) {
            Ok(backup) => {
                let errors = backup.errors.iter().map(input_error).collect();
                (Some(backup.device.into()), errors)
            }
            Err(e) => (None, vec![input_error(&e)]),
        }
    }
}

/// A saved listing in a text format (ideviceinstaller plain, CSV, `--xml`, `--json`;
/// pymobiledevice3 JSON; an XML MDM answer; ideviceinfo).
pub struct ListingText;

impl TextSource for ListingText {
    fn forced_by(&self) -> Option<InputFormat> {
        None
    }

    fn sniff(&self, head: &str) -> bool {
        listing::detect(head.as_bytes()).is_some()
    }

    fn parse(&self, text: &str, source: &str) -> Result<Vec<Found>, CollectError> {
        let format = listing::detect(text.as_bytes())
            .ok_or_else(|| CollectError::from("not an iOS app listing".to_string()))?;
        let parsed = listing::parse(format, text.as_bytes(), source).map_err(|e| message(&e))?;
        Ok(vec![found(format, parsed)])
    }
}

/// A saved listing in a binary property list (`ideviceinstaller --xml` re-saved, an
/// MDM answer, `ideviceinfo -x`).
pub struct ListingBinary;

impl BinarySource for ListingBinary {
    fn sniff(&self, head: &[u8]) -> bool {
        head.starts_with(b"bplist00") && listing::detect(head).is_some()
    }

    fn read(
        &self,
        path: &Path,
        _: &dyn crate::model::AppFilter,
    ) -> Option<Result<Found, CollectError>> {
        let bytes = match read_file(path) {
            Ok(bytes) => bytes,
            Err(e) => return Some(Err(message(&e).into())),
        };
        let format = listing::detect(&bytes)?;
        let source = path.display().to_string();
        Some(
            listing::parse(format, &bytes, &source)
                .map(|parsed| found(format, parsed))
                .map_err(|e| message(&e).into()),
        )
    }
}

fn found(format: listing::Format, parsed: Parsed) -> Found {
    Found {
        unkept: Default::default(),
        name: parsed
            .properties
            .iter()
            .find(|(k, _)| k == "device_name")
            .map(|(_, v)| v.clone()),
        platform: Platform::Ios,
        format: format.as_str().to_owned(),
        apps: parsed.apps,
        properties: parsed.properties,
        warnings: parsed.warnings,
    }
}

fn input_error(e: &IosError) -> InputError {
    InputError {
        path: e.path().to_owned(),
        message: message(e),
    }
}

/// The error without its leading path: the walk and reports put the path first.
fn message(e: &IosError) -> String {
    let text = e.to_string();
    match text.strip_prefix(&format!("{}: ", e.path())) {
        Some(rest) => rest.to_owned(),
        None => text,
    }
}
