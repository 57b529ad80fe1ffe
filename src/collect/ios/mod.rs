//! iPhones and iPads: iTunes/Finder backups ([`backup`]) and saved listings of
//! `ideviceinstaller`, `pymobiledevice3 apps list`, Apple MDM `InstalledApplicationList`
//! answers and `ideviceinfo` ([`listing`]).
//!
//! The parsers read what they are given and never write, run a tool or ask for a
//! password. Only the live source ([`live`], `appaudit ios`) runs libimobiledevice's
//! tools ([`usb`], read-only commands) and, with `--save`, writes a capture ([`capture`])
//! that `appaudit scan` reads back. See `docs/ios.md` for the inputs and what is read.
//!
//! **Privacy**: backups carry the owner's Apple ID inside `iTunesMetadata`. Only an
//! allow-list of app keys is ever copied out of it ([`metadata`]); nothing else of it
//! reaches an [`App`], a [`Device`](crate::model::Device), a warning or an error.

use crate::model::{App, Evidence};
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

pub mod backup;
pub mod capture;
pub mod device;
pub mod listing;
pub mod live;
pub mod manifest_db;
pub mod metadata;
pub mod source;
pub mod usb;

#[cfg(test)]
mod tests;

/// Largest file read whole (a plist, a listing). A backup's `Info.plist` holds an icon
/// and a licence blob per app, so it can reach tens of MiB.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Why an iOS input (or one file of a backup) could not be read. Every message names
/// the path, and none carries a value read from the file (it could be personal data).
#[derive(Debug, thiserror::Error)]
pub enum IosError {
    /// The file could not be opened or read, or is not a regular file.
    #[error("{path}: cannot read: {message}")]
    Unreadable {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The file is larger than [`MAX_FILE_BYTES`].
    #[error("{path}: file is too large ({len} bytes; the limit is {limit} bytes)")]
    TooLarge {
        /// The file.
        path: String,
        /// Its size.
        len: u64,
        /// The limit.
        limit: u64,
    },
    /// The file holds nothing.
    #[error("{path}: empty file")]
    Empty {
        /// The file.
        path: String,
    },
    /// Not a property list (XML or binary), or truncated.
    #[error("{path}: not a valid property list (truncated or damaged?)")]
    BadPlist {
        /// The file.
        path: String,
    },
    /// The content is not what the format needs (wrong JSON shape, no listing rows...).
    #[error("{path}: {message}")]
    BadFormat {
        /// The file.
        path: String,
        /// What is wrong, without quoting the file.
        message: String,
    },
    /// A `Manifest.db` that is not SQLite: damaged, or encrypted (encrypted backups).
    #[error(
        "{path}: not an SQLite database (damaged, or encrypted like an encrypted backup's): \
         apps were read from the plaintext plists only, so the list may be partial"
    )]
    NotSqlite {
        /// The file.
        path: String,
    },
    /// SQLite, but not a backup manifest (no `Files` table with a `domain`), or damaged.
    #[error("{path}: not a backup's Manifest.db: {message}")]
    BadDatabase {
        /// The file.
        path: String,
        /// SQLite's message.
        message: String,
    },
    /// A folder without `Info.plist`, `Manifest.plist` or `Manifest.db`.
    #[error("{path}: not an iTunes/Finder backup (no Info.plist, Manifest.plist or Manifest.db)")]
    NotBackup {
        /// The folder.
        path: String,
    },
}

impl IosError {
    /// The file or folder the error is about.
    pub fn path(&self) -> &str {
        match self {
            IosError::Unreadable { path, .. }
            | IosError::TooLarge { path, .. }
            | IosError::Empty { path }
            | IosError::BadPlist { path }
            | IosError::BadFormat { path, .. }
            | IosError::NotSqlite { path }
            | IosError::BadDatabase { path, .. }
            | IosError::NotBackup { path } => path,
        }
    }

    fn format(path: &str, message: impl Into<String>) -> Self {
        IosError::BadFormat {
            path: path.to_owned(),
            message: message.into(),
        }
    }
}

/// What a listing parser read from one file: apps, device facts (`key -> value`, as
/// [`Device::properties`](crate::model::Device::properties)) and warnings.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The apps, in file order, each id once.
    pub apps: Vec<App>,
    /// Device facts: `device_name`, `model`, `product_type`, `ios_version`, `build`,
    /// `serial`, `udid`, `last_backup_date`... (see [`device::Facts`]).
    pub properties: Vec<(String, String)>,
    /// Problems that did not stop the file from being read.
    pub warnings: Vec<String>,
}

/// Apps keyed by id in first-seen order; an id seen again is merged into the first.
#[derive(Debug, Default)]
pub(crate) struct AppList {
    apps: Vec<App>,
    index: HashMap<String, usize>,
}

impl AppList {
    pub(crate) fn insert(&mut self, app: App) {
        match self.index.get(&app.id) {
            // The one merge of the model (evidence capped, users by id...).
            Some(&i) => self.apps[i].merge(app),
            None => {
                self.index.insert(app.id.clone(), self.apps.len());
                self.apps.push(app);
            }
        }
    }

    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut App> {
        let i = *self.index.get(id)?;
        self.apps.get_mut(i)
    }

    pub(crate) fn contains(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    pub(crate) fn into_vec(self) -> Vec<App> {
        self.apps
    }
}

/// Whether `id` looks like a bundle id: reverse-DNS, at least two non-empty
/// dot-separated parts of ASCII letters, digits, `-` and `_`. A 10-character Team ID
/// (`8K2NU5962N`, found in real `Installed Applications` arrays) is not one.
pub fn is_bundle_id(id: &str) -> bool {
    id.len() <= 255
        && id.contains('.')
        && id.split('.').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

/// Whether an installer bundle id (`sourceApp`, `DistributorIdentifier`) means the app
/// came from outside Apple's stores: AltStore, SideStore, an alternative marketplace.
/// Apple's own installers (`com.apple.AppStore`, `com.apple.TestFlight`,
/// `com.apple.datausage.atc`...) never count (MVT's false alarm, its issue #495).
pub fn is_third_party_installer(installer: &str) -> bool {
    let installer = installer.trim();
    is_bundle_id(installer) && !installer.to_ascii_lowercase().starts_with("com.apple.")
}

/// Reads a regular file whole, refusing FIFOs, devices and files over [`MAX_FILE_BYTES`].
pub fn read_file(path: &Path) -> Result<Vec<u8>, IosError> {
    read_capped(path, MAX_FILE_BYTES)
}

pub(crate) fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, IosError> {
    let shown = path.display().to_string();
    let unreadable = |e: std::io::Error| IosError::Unreadable {
        path: shown.clone(),
        message: e.to_string(),
    };
    // Checked before opening: opening a FIFO would block.
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        let kind = crate::collect::text::file_kind(&meta.file_type());
        return Err(IosError::Unreadable {
            path: shown.clone(),
            message: format!("not a regular file ({kind})"),
        });
    }
    let too_large = |len| IosError::TooLarge {
        path: shown.clone(),
        len,
        limit,
    };
    if meta.len() > limit {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::new();
    // The file may grow between stat and read: never read past the cap.
    std::fs::File::open(path)
        .map_err(unreadable)?
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(IosError::Empty { path: shown });
    }
    Ok(bytes)
}

/// Parses an XML or binary property list. The error says only that it is not one:
/// the parser's message could quote the file.
pub(crate) fn parse_plist(bytes: &[u8], path: &str) -> Result<plist::Value, IosError> {
    plist::Value::from_reader(std::io::Cursor::new(bytes)).map_err(|_| IosError::BadPlist {
        path: path.to_owned(),
    })
}

/// A string value of a plist dictionary, trimmed; `None` when absent, empty or not a string.
pub(crate) fn dict_str(dict: &plist::Dictionary, key: &str) -> Option<String> {
    let value = dict.get(key)?;
    let text = match value {
        // Control characters (real MDM answers hold some) would garble every report.
        plist::Value::String(s) => s.chars().filter(|c| !c.is_control()).collect::<String>(),
        // Versions are sometimes numbers in hand-made or JSON files.
        plist::Value::Integer(i) => i.to_string(),
        plist::Value::Real(r) => r.to_string(),
        _ => return None,
    };
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// A boolean value of a plist dictionary (`true`, or 1 as some tools write it).
pub(crate) fn dict_bool(dict: &plist::Dictionary, key: &str) -> bool {
    match dict.get(key) {
        Some(plist::Value::Boolean(b)) => *b,
        Some(plist::Value::Integer(i)) => i.as_signed() == Some(1),
        _ => false,
    }
}

/// Evidence naming a file (not line oriented) and the key or domain that listed the app.
pub(crate) fn evidence(path: &str, format: &str, excerpt: String) -> Evidence {
    Evidence {
        path: path.to_owned(),
        line: None,
        format: format.to_owned(),
        excerpt: Some(crate::collect::text::excerpt(&excerpt)),
    }
}
