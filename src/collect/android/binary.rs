//! Inputs told by their first bytes rather than as text: zip files (an `adb bugreport`
//! zip or an APK), binary ABX `packages.xml`, and text `packages.xml`.

use super::{apk, bugreport_zip, device, mark_side_loaded, packages_xml};
use crate::collect::CollectError;
use crate::model::Device;
use std::io::Read;
use std::path::Path;

/// `Some` when `path` is one of these inputs (then `Err` names what is wrong with it);
/// `None` for anything else, which is read as text.
pub fn collect(path: &Path) -> Option<Result<Device, CollectError>> {
    let mut head = [0u8; 4096];
    let len = std::fs::File::open(path)
        .and_then(|mut f| read_up_to(&mut f, &mut head))
        .ok()?;
    let head = &head[..len];
    if head.starts_with(b"PK\x03\x04") {
        return zip_input(path);
    }
    if packages_xml::sniff(head) {
        return Some(packages_xml::read_file(path).map(|parsed| {
            let mut apps = parsed.apps;
            mark_side_loaded(&mut apps);
            device(path, packages_xml::FORMAT, apps, parsed.warnings)
        }));
    }
    None
}

fn zip_input(path: &Path) -> Option<Result<Device, CollectError>> {
    match bugreport_zip::kind(path) {
        Ok(bugreport_zip::ZipKind::Bugreport) => Some(bugreport_zip::read(path).map(|parsed| {
            let mut apps = parsed.apps;
            mark_side_loaded(&mut apps);
            device(path, bugreport_zip::FORMAT, apps, parsed.warnings)
        })),
        Ok(bugreport_zip::ZipKind::Apk) => {
            Some(apk::read(path).map(|app| device(path, apk::FORMAT, vec![app], Vec::new())))
        }
        // Not a zip after all (or not one we read): it is then told as binary data.
        Ok(bugreport_zip::ZipKind::Other) | Err(_) => None,
    }
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
