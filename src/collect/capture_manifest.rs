//! What the saved captures of `appaudit adb --save` and `appaudit ios --save` share:
//! the `manifest.json` beside the outputs, SHA-256 of each output, UTC times, and
//! writing a capture and reading its outputs back.

use crate::collect::{CollectError, InputError};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use std::path::{Component, Path};

/// The file that marks a saved capture folder.
pub const MANIFEST: &str = "manifest.json";
/// Largest saved output read back (same cap as other inputs).
const MAX_OUTPUT_BYTES: u64 = crate::collect::text::MAX_FILE_BYTES;

/// One command's output in a capture, as [`save`] and [`read_entries`] see it.
pub(crate) trait SavedEntry {
    /// The file, relative to the capture folder, that holds the output, and the
    /// SHA-256 of the output as recorded in the manifest.
    fn file_and_sha256(&self) -> (&str, &str);
    /// The output itself.
    fn output(&self) -> &[u8];
    /// Puts back the output read from the entry's file.
    fn set_output(&mut self, bytes: Vec<u8>);
}

/// Writes every entry's output and `manifest` (as `manifest.json`) into `dir`
/// (created if needed).
pub(crate) fn save<E: SavedEntry>(
    dir: &Path,
    entries: &[E],
    manifest: &impl Serialize,
) -> Result<(), CollectError> {
    let fail = |path: &Path, source: std::io::Error| CollectError::Write {
        path: path.to_owned(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(|e| fail(dir, e))?;
    for entry in entries {
        let path = dir.join(entry.file_and_sha256().0);
        std::fs::write(&path, entry.output()).map_err(|e| fail(&path, e))?;
    }
    let path = dir.join(MANIFEST);
    let mut json = serde_json::to_string_pretty(manifest).map_err(|e| fail(&path, e.into()))?;
    json.push('\n');
    std::fs::write(&path, json).map_err(|e| fail(&path, e))
}

/// Reads and parses `dir/manifest.json`; `what` names the manifest in the error
/// (`appaudit capture manifest`).
pub(crate) fn read_manifest<M: DeserializeOwned>(dir: &Path, what: &str) -> Result<M, InputError> {
    let manifest_path = dir.join(MANIFEST);
    let bytes = read_capped(&manifest_path).map_err(|e| e.at(&manifest_path))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| InputError::new(&manifest_path, format!("not an {what}: {e}")))
}

/// Reads back the output of each entry of a capture in `dir`. Entries naming a
/// file outside the folder or whose file cannot be read are dropped; those and
/// outputs that changed since the capture (SHA-256) are pushed to `errors`.
pub(crate) fn read_entries<E: SavedEntry>(
    dir: &Path,
    entries: Vec<E>,
    errors: &mut Vec<InputError>,
) -> Vec<E> {
    let manifest_path = dir.join(MANIFEST);
    let mut kept = Vec::new();
    for mut entry in entries {
        let (file, sha256) = entry.file_and_sha256();
        let sha256 = sha256.to_owned();
        let relative = Path::new(file);
        if !relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
        {
            let message = format!("entry names `{file}`, which is not a file inside the folder");
            errors.push(InputError::new(&manifest_path, message));
            continue;
        }
        let path = dir.join(relative);
        match read_capped(&path) {
            Ok(bytes) => {
                let digest = sha256_hex(&bytes);
                if !digest.eq_ignore_ascii_case(&sha256) {
                    let message = format!(
                        "changed since the capture: SHA-256 is {digest}, the manifest says {sha256}"
                    );
                    errors.push(InputError::new(&path, message));
                }
                entry.set_output(bytes);
                kept.push(entry);
            }
            Err(e) => errors.push(e.at(&path)),
        }
    }
    kept
}

fn read_capped(path: &Path) -> Result<Vec<u8>, CollectError> {
    use crate::collect::read::{Links, ReadFailure, read_bounded};
    read_bounded(path, MAX_OUTPUT_BYTES, Links::NoFollow).map_err(|e| match e {
        ReadFailure::Io(e) => CollectError::Io(e),
        ReadFailure::NotRegular(_) => CollectError::NotRegularFile,
        ReadFailure::TooLarge(_) | ReadFailure::Grew => {
            "file is too large (the limit is 1 GiB)".into()
        }
    })
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The current time, UTC, as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    utc_from_unix(secs)
}

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since 1970 (Howard Hinnant's civil-from-days).
pub fn utc_from_unix(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
