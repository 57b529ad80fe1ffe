//! rpm's SQLite database (`rpmdb.sqlite`, Fedora 33+, RHEL 9, openSUSE): one RPM
//! header blob per row of table `Packages`. The header is read here: an index of
//! `(tag, type, offset, count)` entries over a data store.
//!
//! The database is copied (with its `-wal`) into a temporary folder before it is
//! opened, so nothing is ever written next to the original, and a read-only
//! image works.

use crate::collect::InputError;
use crate::model::{App, Evidence, Platform};
use std::path::Path;

/// The `Evidence::format` of rpm packages.
pub const FORMAT: &str = "rpmdb-sqlite";
/// Largest database copied.
const MAX_DB_BYTES: u64 = 2 * 1024 * 1024 * 1024;

const TAG_NAME: u32 = 1000;
const TAG_VERSION: u32 = 1001;
const TAG_RELEASE: u32 = 1002;
const TAG_EPOCH: u32 = 1003;
const TAG_SUMMARY: u32 = 1004;
const TAG_VENDOR: u32 = 1011;
const TAG_ARCH: u32 = 1022;
const TAG_DIRINDEXES: u32 = 1116;
const TAG_BASENAMES: u32 = 1117;
const TAG_DIRNAMES: u32 = 1118;

/// What one header says.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Header {
    /// The package name.
    pub name: Option<String>,
    /// The version.
    pub version: Option<String>,
    /// The release.
    pub release: Option<String>,
    /// The epoch, when set.
    pub epoch: Option<u32>,
    /// The one-line summary.
    pub summary: Option<String>,
    /// The vendor.
    pub vendor: Option<String>,
    /// The architecture.
    pub arch: Option<String>,
    /// Files of the package that are `.desktop` entries under an `applications/` folder.
    pub desktop_files: Vec<String>,
}

impl Header {
    /// `[epoch:]version-release`.
    pub fn evr(&self) -> Option<String> {
        let version = self.version.as_deref()?;
        let mut out = String::new();
        if let Some(epoch) = self.epoch.filter(|e| *e > 0) {
            out.push_str(&format!("{epoch}:"));
        }
        out.push_str(version);
        if let Some(release) = &self.release {
            out.push('-');
            out.push_str(release);
        }
        Some(out)
    }
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// Parses a header blob as stored in rpmdb (no lead, no magic).
#[doc(hidden)] // public for the fuzz targets only
pub fn parse_header(blob: &[u8]) -> Option<Header> {
    let il = be32(blob, 0)? as usize;
    let dl = be32(blob, 4)? as usize;
    if il > 1_000_000 || dl > blob.len() {
        return None;
    }
    let store_at = 8usize.checked_add(il.checked_mul(16)?)?;
    let store = blob.get(store_at..store_at.checked_add(dl)?)?;
    let mut h = Header::default();
    let string_at = |offset: usize| -> Option<String> {
        let s = store.get(offset..)?;
        let end = s.iter().position(|&b| b == 0)?;
        Some(String::from_utf8_lossy(&s[..end]).into_owned())
    };
    let strings_at = |offset: usize, count: usize| -> Vec<String> {
        let mut out = Vec::new();
        let mut at = offset;
        for _ in 0..count.min(1_000_000) {
            let Some(s) = store.get(at..) else { break };
            let Some(end) = s.iter().position(|&b| b == 0) else {
                break;
            };
            out.push(String::from_utf8_lossy(&s[..end]).into_owned());
            at += end + 1;
        }
        out
    };
    let (mut dirs, mut bases, mut indexes) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..il {
        let e = 8 + i * 16;
        let (tag, kind, offset, count) = (
            be32(blob, e)?,
            be32(blob, e + 4)?,
            be32(blob, e + 8)? as usize,
            be32(blob, e + 12)? as usize,
        );
        // Types: 4 INT32, 6 STRING, 8 STRING_ARRAY, 9 I18NSTRING.
        match (tag, kind) {
            (TAG_NAME, 6) => h.name = string_at(offset),
            (TAG_VERSION, 6) => h.version = string_at(offset),
            (TAG_RELEASE, 6) => h.release = string_at(offset),
            (TAG_EPOCH, 4) => h.epoch = be32(store, offset),
            (TAG_SUMMARY, 6 | 9) => h.summary = string_at(offset),
            (TAG_VENDOR, 6) => h.vendor = string_at(offset),
            (TAG_ARCH, 6) => h.arch = string_at(offset),
            (TAG_BASENAMES, 8) => bases = strings_at(offset, count),
            (TAG_DIRNAMES, 8) => dirs = strings_at(offset, count),
            (TAG_DIRINDEXES, 4) => {
                indexes = (0..count.min(1_000_000))
                    .map_while(|j| be32(store, offset + j * 4))
                    .collect()
            }
            _ => {}
        }
    }
    for (base, index) in bases.iter().zip(&indexes) {
        if base.ends_with(".desktop")
            && let Some(dir) = dirs.get(*index as usize)
            && dir.ends_with("/applications/")
        {
            h.desktop_files.push(format!("{dir}{base}"));
        }
    }
    Some(h)
}

/// A package read from the database, with its `.desktop` files.
pub struct Package {
    /// The package as an app.
    pub app: App,
    /// The `.desktop` files the package installs.
    pub desktop_files: Vec<String>,
}

/// Reads every package of an `rpmdb.sqlite` (host path). Broken headers are warnings.
pub fn read(db: &Path, warnings: &mut Vec<String>) -> Result<Vec<Package>, InputError> {
    let fail = |m: String| InputError::new(db, m);
    // Copy it (and its write-ahead log) so the original is never opened for writing.
    let tmp =
        tempfile::tempdir().map_err(|e| fail(format!("cannot make a temporary folder: {e}")))?;
    let copy = tmp.path().join("rpmdb.sqlite");
    copy_capped(db, &copy)?;
    let wal = db.with_file_name(format!(
        "{}-wal",
        db.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    ));
    if std::fs::symlink_metadata(&wal).is_ok_and(|m| m.is_file() && m.len() > 0) {
        copy_capped(&wal, &tmp.path().join("rpmdb.sqlite-wal"))?;
    }
    let conn = rusqlite::Connection::open(&copy)
        .map_err(|e| fail(format!("not an SQLite rpm database: {e}")))?;
    let mut stmt = conn
        .prepare("SELECT hnum, blob FROM Packages ORDER BY hnum")
        .map_err(|e| fail(format!("not an SQLite rpm database: {e}")))?;
    let rows = stmt
        .query_map([], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, Vec<u8>>(1)?))
        })
        .map_err(|e| fail(format!("cannot read table Packages: {e}")))?;
    let source = db.display().to_string();
    let mut out = Vec::new();
    for row in rows {
        let (hnum, blob) = row.map_err(|e| fail(format!("cannot read table Packages: {e}")))?;
        let Some(header) = parse_header(&blob) else {
            warnings.push(format!("{source}: header {hnum} is not a valid RPM header"));
            continue;
        };
        let Some(name) = header.name.clone().filter(|n| !n.is_empty()) else {
            warnings.push(format!("{source}: header {hnum} has no name"));
            continue;
        };
        // Imported signing keys are stored as pseudo-packages.
        if name == "gpg-pubkey" {
            continue;
        }
        let mut app = App::new(
            Platform::Linux,
            &name,
            Evidence {
                path: source.clone(),
                line: None,
                format: FORMAT.to_owned(),
                excerpt: Some(format!("Packages hnum={hnum}: {name}")),
            },
        );
        app.version = header.evr();
        app.build = header.arch.clone();
        app.publisher = header.vendor.clone();
        app.installer = Some("rpm".to_owned());
        out.push(Package {
            app,
            desktop_files: header.desktop_files,
        });
    }
    Ok(out)
}

fn copy_capped(from: &Path, to: &Path) -> Result<(), InputError> {
    let mut file = crate::collect::desktop::walk::open_regular(from, MAX_DB_BYTES)?;
    let mut out = std::fs::File::create(to)
        .map_err(|e| InputError::new(from, format!("cannot copy to a temporary file: {e}")))?;
    std::io::copy(&mut file, &mut out)
        .map_err(|e| InputError::new(from, format!("cannot read: {e}")))?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::test_support::shared_fixture;

    #[test]
    fn real_rpmdb_has_nine_packages() {
        let Some(db) = shared_fixture("desktop/third_party/osquery/linux/rpm-sqlite/rpmdb.sqlite")
        else {
            return;
        };
        let mut warnings = Vec::new();
        let packages = read(&db, &mut warnings).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let mut names: Vec<&str> = packages.iter().map(|p| p.app.id.as_str()).collect();
        names.sort();
        assert_eq!(
            names,
            [
                "deltarpm",
                "python3-rpm",
                "rpm",
                "rpm-build-libs",
                "rpm-libs",
                "rpm-plugin-selinux",
                "rpm-plugin-systemd-inhibit",
                "rpm-sign-libs",
                "systemd-rpm-macros"
            ]
        );
        for p in &packages {
            let v = p.app.version.as_deref().unwrap();
            assert!(
                v.contains('-') && v.chars().next().unwrap().is_ascii_digit(),
                "{v}"
            );
        }
    }

    #[test]
    fn garbage_headers_are_refused() {
        assert_eq!(parse_header(b""), None);
        assert_eq!(parse_header(&[0xff; 16]), None);
        // One NAME entry over a 4-byte store.
        let mut blob = Vec::new();
        for v in [1u32, 4, TAG_NAME, 6, 0, 1] {
            blob.extend(v.to_be_bytes());
        }
        blob.extend(b"qq\0\0");
        assert_eq!(parse_header(&blob).unwrap().name.as_deref(), Some("qq"));
        blob.truncate(blob.len() - 2);
        assert_eq!(parse_header(&blob), None);
    }
}
