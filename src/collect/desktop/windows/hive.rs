//! Offline registry hives (regf files) through `notatin` (Apache-2.0), with
//! size limits, transaction-log replay for dirty hives, and no panics escaping.

use crate::collect::CollectError;
use notatin::cell_key_node::CellKeyNode;
use notatin::cell_value::CellValue;
use notatin::parser::Parser;
use notatin::parser_builder::ParserBuilder;
use std::collections::HashMap;
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

/// The largest hive (or transaction log) read into memory. Real SOFTWARE hives
/// are 50-300 MB; anything past this is not a hive we can afford to load.
pub const MAX_HIVE_BYTES: u64 = 1024 * 1024 * 1024;

/// At most this many subkeys are read under one key (an Uninstall key has a few
/// hundred; a corrupt count must not make us loop for hours).
const MAX_SUBKEYS: usize = 100_000;

/// One opened hive.
pub struct Hive {
    parser: Parser,
    /// The name of the hive's root key (`ROOT`, `CMI-CreateHive{...}`, `S-1-5-..._Classes`).
    pub root_name: String,
}

/// A registry value reduced to what the collectors use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Val {
    Str(String),
    Num(u64),
    Other,
}

/// The values of one key, by lower-cased name.
#[derive(Clone, Debug, Default)]
pub struct Values(pub HashMap<String, Val>);

impl Values {
    /// A non-empty string value (REG_SZ, REG_EXPAND_SZ, first of REG_MULTI_SZ), trimmed.
    pub fn str(&self, name: &str) -> Option<String> {
        match self.0.get(&name.to_ascii_lowercase()) {
            Some(Val::Str(s)) => {
                let s = s.trim_matches(|c: char| c == '\0' || c.is_whitespace());
                (!s.is_empty()).then(|| s.to_string())
            }
            Some(Val::Num(n)) => Some(n.to_string()),
            _ => None,
        }
    }

    /// A DWORD/QWORD value, or a string holding a number.
    pub fn num(&self, name: &str) -> Option<u64> {
        match self.0.get(&name.to_ascii_lowercase()) {
            Some(Val::Num(n)) => Some(*n),
            Some(Val::Str(s)) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn insert(&mut self, name: &str, value: Val) {
        self.0.insert(name.to_ascii_lowercase(), value);
    }
}

/// One subkey: its name and its values.
#[derive(Clone, Debug)]
pub struct SubKey {
    pub name: String,
    pub values: Values,
}

/// What opening a hive produced besides the hive: things worth telling the user.
pub type Warnings = Vec<String>;

/// Opens `path` as a regf hive, replaying `path.LOG1`/`path.LOG2` when the hive
/// is dirty. The error message does not repeat the path (callers name it).
pub fn open(path: &Path) -> Result<(Hive, Warnings), CollectError> {
    let mut warnings = Vec::new();
    let primary = read_limited(path)?;
    if primary.len() < 4096 || &primary[..4] != b"regf" {
        return Err("not a registry hive (no `regf` header)".to_string().into());
    }
    let dirty = primary.get(4..8) != primary.get(8..12);
    let logs: Vec<PathBuf> = if dirty {
        transaction_logs(path)
    } else {
        Vec::new()
    };
    if dirty && logs.is_empty() {
        warnings.push(format!(
            "{}: dirty hive (unflushed changes) and no .LOG1/.LOG2 beside it: the newest changes may be missing",
            path.display()
        ));
    }
    let mut log_data = Vec::new();
    for log in &logs {
        match read_limited(log) {
            Ok(bytes) => log_data.push(bytes),
            Err(e) => warnings.push(format!("{}: transaction log not read: {e}", log.display())),
        }
    }
    let hive = match build(primary.clone(), log_data.clone()) {
        Ok(h) => h,
        Err(e) if !log_data.is_empty() => {
            warnings.push(format!(
                "{}: transaction logs could not be applied ({e}); read without them",
                path.display()
            ));
            build(primary, Vec::new())?
        }
        Err(e) => return Err(e),
    };
    if dirty && !log_data.is_empty() {
        tracing::debug!(path = %path.display(), logs = log_data.len(), "replayed transaction logs");
    }
    Ok((hive, warnings))
}

fn build(primary: Vec<u8>, logs: Vec<Vec<u8>>) -> Result<Hive, CollectError> {
    let outcome = catch_unwind(AssertUnwindSafe(move || {
        let mut builder = ParserBuilder::from_file(Cursor::new(primary));
        for log in logs {
            builder.with_transaction_log(Cursor::new(log));
        }
        let mut parser = builder.build().map_err(|e| e.to_string())?;
        let root = parser
            .get_root_key()
            .map_err(|e| e.to_string())?
            .ok_or_else(|| "unsupported hive: no root key".to_string())?;
        Ok(Hive {
            root_name: root.key_name.clone(),
            parser,
        })
    }));
    match outcome {
        Ok(r) => r,
        Err(_) => Err("the hive parser failed on malformed data"
            .to_string()
            .into()),
    }
}

/// Reads a regular file of at most [`MAX_HIVE_BYTES`].
fn read_limited(path: &Path) -> Result<Vec<u8>, CollectError> {
    use crate::collect::read::{Links, ReadFailure, read_bounded};
    read_bounded(path, MAX_HIVE_BYTES, Links::NoFollow).map_err(|e| match e {
        ReadFailure::Io(e) => CollectError::from(e.to_string()),
        ReadFailure::NotRegular(_) => CollectError::from("not a regular file"),
        ReadFailure::TooLarge(len) => format!(
            "{len} bytes: larger than the {} MiB limit for a hive",
            MAX_HIVE_BYTES / (1024 * 1024)
        )
        .into(),
        ReadFailure::Grew => "grew past the hive size limit while being read".into(),
    })
}

/// `X.LOG1` and `X.LOG2` beside hive `X` (any case), regular files only.
fn transaction_logs(path: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Vec::new();
    };
    let name = name.to_string_lossy().to_ascii_lowercase();
    let wanted = [format!("{name}.log1"), format!("{name}.log2")];
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut logs: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| {
            let n = e.file_name().to_string_lossy().to_ascii_lowercase();
            wanted.contains(&n) && e.file_type().map(|t| t.is_file()).unwrap_or(false)
        })
        .map(|e| e.path())
        .collect();
    logs.sort();
    logs
}

impl Hive {
    /// The subkeys of the key at `path` (relative to the root, `\`-separated,
    /// case-insensitive) with their values; `Ok(None)` when the key is absent.
    pub fn subkeys(&mut self, path: &str) -> Result<Option<Vec<SubKey>>, CollectError> {
        let parser = &mut self.parser;
        let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<_, CollectError> {
            let Some(mut key) = parser.get_key(path, false).map_err(|e| e.to_string())? else {
                return Ok(None);
            };
            let subs = key.read_sub_keys(parser);
            Ok(Some(
                subs.iter()
                    .take(MAX_SUBKEYS)
                    .map(|k| SubKey {
                        name: k.key_name.clone(),
                        values: values(k),
                    })
                    .collect(),
            ))
        }));
        match outcome {
            Ok(r) => r,
            Err(_) => {
                Err(format!("the hive parser failed on malformed data under `{path}`").into())
            }
        }
    }
}

fn values(key: &CellKeyNode) -> Values {
    let mut out = Values::default();
    for v in key.value_iter() {
        let (content, _) = v.get_content();
        let val = match content {
            CellValue::String(s) => Val::Str(s),
            CellValue::MultiString(m) => Val::Str(m.into_iter().next().unwrap_or_default()),
            CellValue::U32(n) => Val::Num(u64::from(n)),
            CellValue::I32(n) => Val::Num(u64::from(n as u32)),
            CellValue::U64(n) => Val::Num(n),
            CellValue::I64(n) => Val::Num(n as u64),
            _ => Val::Other,
        };
        out.insert(&v.get_pretty_name(), val);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn not_a_hive_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("SOFTWARE");
        std::fs::write(&p, vec![b'x'; 8192]).unwrap();
        let err = open(&p).err().unwrap().to_string();
        assert!(err.contains("regf"), "{err}");
        std::fs::write(&p, b"regf").unwrap();
        assert!(open(&p).is_err());
    }

    #[test]
    fn truncated_hive_is_an_error_not_a_panic() {
        let Some(src) =
            crate::test_support::shared_fixture("desktop/third_party/nt-hive/windows/testhive")
        else {
            return;
        };
        let bytes = std::fs::read(src).unwrap();
        let dir = tempfile::tempdir().unwrap();
        for cut in [4096usize, 4096 + 100, 8192, bytes.len() / 2] {
            let p = dir.path().join(format!("cut{cut}"));
            std::fs::write(&p, &bytes[..cut.min(bytes.len())]).unwrap();
            // Either an error or a hive with fewer keys: never a panic out of `open`.
            if let Ok((mut h, _)) = open(&p) {
                let _ = h.subkeys("");
            }
        }
        // Garbage after a valid header.
        let mut mangled = bytes.clone();
        for b in mangled.iter_mut().skip(4096).step_by(7) {
            *b = 0xff;
        }
        let p = dir.path().join("mangled");
        std::fs::write(&p, &mangled).unwrap();
        if let Ok((mut h, _)) = open(&p) {
            let _ = h.subkeys("");
        }
    }

    #[test]
    fn testhive_smoke() {
        let Some(p) =
            crate::test_support::shared_fixture("desktop/third_party/nt-hive/windows/testhive")
        else {
            return;
        };
        let (mut h, warnings) = open(&p).unwrap();
        assert_eq!(h.root_name, "ROOT");
        assert!(warnings.is_empty(), "{warnings:?}");
        let subs = h.subkeys("").unwrap().unwrap();
        assert!(!subs.is_empty());
        assert!(h.subkeys("no\\such\\key").unwrap().is_none());
    }
}
