//! Inputs told by their first bytes rather than as text: zip files (an `adb bugreport`
//! zip or an APK), binary ABX `packages.xml`, and text `packages.xml`.

use super::{apk, bugreport_zip, device, mark_side_loaded, packages_xml};
use crate::collect::CollectError;
use crate::collect::source::{BinarySource, Found};
use crate::model::{AppFilter, Device, KeepAll};
use std::io::Read;
use std::path::Path;

/// A zip: an `adb bugreport` zip or an APK, told apart by their entries.
pub struct ZipSource;

impl BinarySource for ZipSource {
    fn sniff(&self, head: &[u8]) -> bool {
        head.starts_with(b"PK\x03\x04")
    }

    fn read(&self, path: &Path, keep: &dyn AppFilter) -> Option<Result<Found, CollectError>> {
        match bugreport_zip::kind(path) {
            Ok(bugreport_zip::ZipKind::Bugreport) => {
                Some(bugreport_zip::read(path, keep).map(|p| p.into_found(bugreport_zip::FORMAT)))
            }
            Ok(bugreport_zip::ZipKind::Apk) => {
                Some(apk::read(path).map(|app| Found::android(apk::FORMAT, vec![app], Vec::new())))
            }
            // Not a zip after all (or not one we read): it is then told as binary data.
            Ok(bugreport_zip::ZipKind::Other) | Err(_) => None,
        }
    }
}

/// Android's `packages.xml`, text or binary ABX.
pub struct PackagesXmlSource;

impl BinarySource for PackagesXmlSource {
    fn sniff(&self, head: &[u8]) -> bool {
        packages_xml::sniff(head)
    }

    fn read(&self, path: &Path, _: &dyn AppFilter) -> Option<Result<Found, CollectError>> {
        Some(packages_xml::read_file(path).map(|p| p.into_found(packages_xml::FORMAT)))
    }
}

/// The first bytes of `path` (up to 4 KiB) that binary formats are told by.
pub(crate) fn read_head(path: &Path) -> Option<Vec<u8>> {
    let mut head = vec![0u8; 4096];
    let len = std::fs::File::open(path)
        .and_then(|mut f| read_up_to(&mut f, &mut head))
        .ok()?;
    head.truncate(len);
    Some(head)
}

/// `Some` when `path` is one of these inputs (then `Err` names what is wrong with it);
/// `None` for anything else, which is read as text. For the fuzz targets: scans
/// reach these sources through the registry.
#[doc(hidden)]
pub fn collect(path: &Path) -> Option<Result<Device, CollectError>> {
    let head = read_head(path)?;
    let sources: [&dyn BinarySource; 2] = [&ZipSource, &PackagesXmlSource];
    let source = sources.into_iter().find(|s| s.sniff(&head))?;
    Some(source.read(path, &KeepAll)?.map(|found| {
        let mut apps = found.apps;
        mark_side_loaded(&mut apps);
        device(path, &found.format, apps, found.warnings)
    }))
}

fn read_up_to(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}
