//! An `adb bugreport` zip: the dumpstate text inside (named by `main_entry.txt`, or
//! `dumpstate*.txt` / `bugreport*.txt`) is read for its package sections.
//!
//! Limits against zip bombs: at most [`MAX_ENTRIES`] entries, at most
//! [`MAX_ENTRY_BYTES`] read from the dumpstate (whatever the header claims), and a
//! compression ratio of at most [`MAX_RATIO`] once past a few MiB. A zip nested
//! inside (some vendors wrap the bugreport) is opened one level deep, under the same
//! limits.

use super::{LineParse, Parsed, dumpsys, pm_list};
use crate::collect::CollectError;
use crate::collect::text::{self, HEAD_BYTES};
use crate::model::AppFilter;
use std::borrow::Cow;
use std::io::{Cursor, Read, Seek};
use std::path::Path;
use zip::ZipArchive;

/// The `Device::format` of this source.
pub const FORMAT: &str = "bugreport-zip";
/// Most entries a zip may hold.
pub const MAX_ENTRIES: usize = 100_000;
/// Most bytes read from one entry (the dumpstate text, or a nested zip).
pub const MAX_ENTRY_BYTES: u64 = 512 * 1024 * 1024;
/// Most uncompressed bytes per compressed byte, checked past [`RATIO_FREE_BYTES`].
pub const MAX_RATIO: u64 = 200;
const RATIO_FREE_BYTES: u64 = 8 * 1024 * 1024;

/// What a zip file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZipKind {
    /// An `adb bugreport` zip (a dumpstate inside).
    Bugreport,
    /// An APK (`AndroidManifest.xml` inside).
    Apk,
    /// Any other zip.
    Other,
}

/// Tells a bugreport zip from an APK by the entries it holds.
pub fn kind(path: &Path) -> Result<ZipKind, CollectError> {
    let archive = open(path)?;
    let names = names(&archive);
    if names.iter().any(|n| n == "AndroidManifest.xml") {
        return Ok(ZipKind::Apk);
    }
    let is_bugreport = names.iter().any(|n| {
        n == "main_entry.txt"
            || is_dumpstate_name(n)
            || (is_top_level(n) && n.ends_with(".zip") && base(n).starts_with("bugreport"))
    });
    Ok(if is_bugreport {
        ZipKind::Bugreport
    } else {
        ZipKind::Other
    })
}

/// Reads the package sections of the dumpstate inside the bugreport zip at `path`,
/// streamed, keeping the apps `keep` wants.
pub fn read(path: &Path, keep: &dyn AppFilter) -> Result<Parsed, CollectError> {
    let mut archive = open(path)?;
    let source = path.display().to_string();
    match read_archive(&mut archive, &source, keep)? {
        Found::Parsed(parsed) => Ok(parsed),
        Found::Nested(name) => {
            let bytes = read_entry(&mut archive, &name)?;
            let mut inner = ZipArchive::new(Cursor::new(bytes))
                .map_err(|e| format!("nested zip `{name}`: not a valid zip: {e}"))?;
            check_count(&inner)?;
            match read_archive(&mut inner, &format!("{source}!{name}"), keep)? {
                Found::Parsed(parsed) => Ok(parsed),
                Found::Nested(_) => Err(format!(
                    "nested zip `{name}` holds another zip: only one level is read"
                )
                .into()),
            }
        }
    }
}

enum Found {
    Parsed(Parsed),
    /// No dumpstate here, but this nested zip may hold one.
    Nested(String),
}

fn read_archive<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    source: &str,
    keep: &dyn AppFilter,
) -> Result<Found, CollectError> {
    let names = names(archive);
    let main = match names.iter().find(|n| n.as_str() == "main_entry.txt") {
        Some(entry) => {
            let bytes = read_entry(archive, entry)?;
            let text = String::from_utf8_lossy(&bytes);
            let named = text.lines().next().unwrap_or_default().trim().to_owned();
            if !names.contains(&named) {
                return Err(
                    format!("main_entry.txt names `{named}`, which is not in the zip").into(),
                );
            }
            Some(named)
        }
        None => names.iter().find(|n| is_dumpstate_name(n)).cloned(),
    };
    let Some(main) = main else {
        return match names
            .iter()
            .find(|n| is_top_level(n) && n.ends_with(".zip"))
        {
            Some(nested) => Ok(Found::Nested(nested.clone())),
            None => Err("bugreport zip without main_entry.txt or a dumpstate text"
                .to_owned()
                .into()),
        };
    };
    read_dumpstate(archive, &main, &format!("{source}!{main}"), keep).map(Found::Parsed)
}

/// The dumpstate text, line by line in bounded memory (UTF-16 text is read whole).
fn read_dumpstate<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    name: &str,
    source: &str,
    keep: &dyn AppFilter,
) -> Result<Parsed, CollectError> {
    let no_packages =
        || format!("`{name}` in the zip has no package section (`DUMP OF SERVICE package:`)");
    let mut entry = Guarded::open(archive, name)?;
    let mut head = Vec::with_capacity(HEAD_BYTES);
    (&mut entry)
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|e| e.to_string())?;
    if text::is_utf16(&head) {
        entry.read_to_end(&mut head).map_err(|e| e.to_string())?;
        let text = text::decode(&head).map_err(|why| format!("`{name}` in the zip: {why}"))?;
        return dumpsys::parse(&text, source).ok_or_else(|| no_packages().into());
    }
    if let Some(rest) = head.strip_prefix(b"\xEF\xBB\xBF") {
        head = rest.to_vec();
    }
    if text::head_is_binary(&head) {
        return Err(format!("`{name}` in the zip: binary data, not text").into());
    }
    let mut parser = dumpsys::LineParser::filtered(source, keep);
    let stats = text::for_each_line_in(head, entry, |number, line| parser.line(number, line))
        .map_err(|e| e.to_string())?;
    if !stats.any_text {
        return Err(format!("`{name}` in the zip: empty file").into());
    }
    let mut parsed = parser.finish().ok_or_else(no_packages)?;
    parsed
        .warnings
        .extend(pm_list::cut_lines_warning(stats.cut_lines));
    Ok(parsed)
}

fn open(path: &Path) -> Result<ZipArchive<std::fs::File>, CollectError> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let archive = ZipArchive::new(file).map_err(|e| format!("not a valid zip: {e}"))?;
    check_count(&archive)?;
    Ok(archive)
}

fn check_count<R: Read + Seek>(archive: &ZipArchive<R>) -> Result<(), CollectError> {
    if archive.len() > MAX_ENTRIES {
        return Err(format!(
            "zip holds {} entries; the limit is {MAX_ENTRIES}",
            archive.len()
        )
        .into());
    }
    Ok(())
}

fn names<R: Read + Seek>(archive: &ZipArchive<R>) -> Vec<String> {
    archive
        .file_names()
        .filter_map(Result::ok)
        .map(Cow::into_owned)
        .collect()
}

fn base(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

fn is_top_level(name: &str) -> bool {
    !name.trim_end_matches('/').contains('/')
}

/// `dumpstate-2024-06-12.txt`, `bugreport-dm3q-UP1A-2024-06-12-10-00-00.txt`, `dumpState_x.log`.
fn is_dumpstate_name(name: &str) -> bool {
    let base = base(name).to_ascii_lowercase();
    is_top_level(name)
        && (base.starts_with("dumpstate") || base.starts_with("bugreport"))
        && (base.ends_with(".txt") || base.ends_with(".log"))
}

/// Reads one entry, never more than [`MAX_ENTRY_BYTES`], refusing bomb-like ratios.
fn read_entry<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    name: &str,
) -> Result<Vec<u8>, CollectError> {
    let mut bytes = Vec::new();
    Guarded::open(archive, name)?
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    Ok(bytes)
}

/// An entry of the zip read under the limits against zip bombs; its errors say
/// which entry and what went wrong.
struct Guarded<'a, R: Read> {
    entry: zip::read::ZipFile<'a, R>,
    name: &'a str,
    read: u64,
    compressed: u64,
}

impl<'a, R: Read + Seek> Guarded<'a, R> {
    fn open(archive: &'a mut ZipArchive<R>, name: &'a str) -> Result<Self, CollectError> {
        let entry = archive
            .by_name(name)
            .map_err(|e| format!("`{name}` in the zip: cannot read: {e}"))?;
        let declared = entry.size();
        if declared > MAX_ENTRY_BYTES {
            return Err(format!(
                "`{name}` in the zip is {declared} bytes uncompressed; the limit is {MAX_ENTRY_BYTES}"
            )
            .into());
        }
        Ok(Guarded {
            compressed: entry.compressed_size().max(1),
            entry,
            name,
            read: 0,
        })
    }
}

impl<R: Read> Read for Guarded<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let name = self.name;
        let n = self
            .entry
            .read(buf)
            .map_err(|e| std::io::Error::other(format!("`{name}` in the zip: cannot read: {e}")))?;
        self.read += n as u64;
        if self.read > MAX_ENTRY_BYTES {
            return Err(std::io::Error::other(format!(
                "`{name}` in the zip holds more than {MAX_ENTRY_BYTES} bytes; the limit was reached"
            )));
        }
        if self.read > RATIO_FREE_BYTES && self.read / self.compressed > MAX_RATIO {
            return Err(std::io::Error::other(format!(
                "`{name}` in the zip expands more than {MAX_RATIO} times (a zip bomb?); not read"
            )));
        }
        Ok(n)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    const DUMP: &str = "DUMP OF SERVICE package:\nPackages:\n  Package [com.zhiliaoapp.musically] (8f1c2ab):\n    userId=10245\n    versionCode=1 minSdk=21\n    installerPackageName=com.android.vending\n    User 0: installed=true enabled=0\n------------------------------------------------------------------------------\n";

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in entries {
            w.start_file(*name, SimpleFileOptions::default()).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn reads_the_main_entry() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "bugreport.zip",
            &zip_of(&[
                ("main_entry.txt", b"bugreport-x-2024.txt"),
                ("bugreport-x-2024.txt", DUMP.as_bytes()),
                ("FS/data/anr/x", b"ignored"),
            ]),
        );
        assert_eq!(kind(&path).unwrap(), ZipKind::Bugreport);
        let parsed = read(&path, &crate::model::KeepAll).unwrap();
        assert_eq!(parsed.apps.len(), 1);
        let evidence = &parsed.apps[0].evidence[0];
        assert!(
            evidence
                .path
                .ends_with("bugreport.zip!bugreport-x-2024.txt")
        );
        assert_eq!(evidence.line, Some(3));
    }

    #[test]
    fn dumpstate_without_main_entry_and_nested_zip() {
        let dir = tempfile::tempdir().unwrap();
        let inner = zip_of(&[("dumpstate-2024.txt", DUMP.as_bytes())]);
        let path = write(
            dir.path(),
            "a.zip",
            &zip_of(&[("dumpstate-2024.txt", DUMP.as_bytes())]),
        );
        assert_eq!(read(&path, &crate::model::KeepAll).unwrap().apps.len(), 1);
        let nested = write(
            dir.path(),
            "b.zip",
            &zip_of(&[("bugreport-miui.zip", &inner)]),
        );
        assert_eq!(kind(&nested).unwrap(), ZipKind::Bugreport);
        let parsed = read(&nested, &crate::model::KeepAll).unwrap();
        assert!(
            parsed.apps[0].evidence[0]
                .path
                .ends_with("b.zip!bugreport-miui.zip!dumpstate-2024.txt")
        );
    }

    #[test]
    fn bomb_like_entry_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        // 10 MiB of one byte compresses about 1000 times.
        let zeros = vec![b'a'; 10 * 1024 * 1024];
        let path = write(
            dir.path(),
            "bomb.zip",
            &zip_of(&[("dumpstate.txt", &zeros)]),
        );
        let err = read(&path, &crate::model::KeepAll).unwrap_err().to_string();
        assert!(err.contains("zip bomb"), "{err}");
    }

    #[test]
    fn broken_and_foreign_zips() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "x.zip", b"PK\x03\x04 not really");
        assert!(
            kind(&path)
                .unwrap_err()
                .to_string()
                .starts_with("not a valid zip")
        );
        let other = write(dir.path(), "y.zip", &zip_of(&[("photo.jpg", b"x")]));
        assert_eq!(kind(&other).unwrap(), ZipKind::Other);
        let bad_main = write(
            dir.path(),
            "z.zip",
            &zip_of(&[("main_entry.txt", b"nope.txt")]),
        );
        assert!(
            read(&bad_main, &crate::model::KeepAll)
                .unwrap_err()
                .to_string()
                .contains("not in the zip")
        );
        let no_pkg = write(
            dir.path(),
            "w.zip",
            &zip_of(&[("dumpstate.txt", b"DUMP OF SERVICE activity:\nnothing\n")]),
        );
        assert!(
            read(&no_pkg, &crate::model::KeepAll)
                .unwrap_err()
                .to_string()
                .contains("no package section")
        );
    }
}
