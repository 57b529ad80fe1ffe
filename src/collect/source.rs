//! The source seam: every input kind is one entry in a registry, and every source
//! returns the one collector output type, [`Found`].
//!
//! - a [`BinarySource`] is told by a file's first bytes (zip, binary XML);
//! - a [`TextSource`] is told by a text file's decoded head (`pm list`, osquery JSON...),
//!   and may be forced with `--input-format`;
//! - a [`FolderSource`] is told by the files a folder holds (an androidqf acquisition,
//!   a machine root...).
//!
//! The registries in [`registry`](super::registry) list every source; the walk in
//! [`detect`](super::detect) asks them in order, and what is done to every device
//! whatever its source (one merge, side-loading marks) is done once, in
//! [`finish`](super::registry::finish). docs/sources.md, below, shows how to add a format.
//! (Parsers of line inputs that may be huge also merge as they read, with the same
//! [`AppSet`](crate::model::AppSet), so a package listed a million times costs one app
//! of memory; `finish` is where the merge is guaranteed for every source.)
//!
#![doc = include_str!("../../docs/sources.md")]

use crate::collect::text::TextInput;
use crate::collect::{CollectError, InputFormat, Options};
use crate::model::{App, AppFilter, Device, InputError, Platform, Unkept};
use std::path::Path;

/// What a source read for one device: the one collector output type.
#[derive(Debug)]
pub struct Found {
    /// The device's name when the input says it (a host name, a phone model);
    /// otherwise the file or folder name is used.
    pub name: Option<String>,
    /// The platform of the device.
    pub platform: Platform,
    /// The format to show for the device, e.g. `pm-list-packages`.
    pub format: String,
    /// The apps read, in input order (repeats are merged once, after collection).
    pub apps: Vec<App>,
    /// Facts about the device (model, OS), as `key -> value`.
    pub properties: Vec<(String, String)>,
    /// Problems that did not stop the input from being read.
    pub warnings: Vec<String>,
    /// What a filtered read ([`AppFilter`]) did not keep of the apps.
    pub unkept: Unkept,
}

impl Found {
    /// An Android device of `format` with only apps and warnings.
    pub fn android(format: &str, apps: Vec<App>, warnings: Vec<String>) -> Self {
        Found {
            name: None,
            platform: Platform::Android,
            format: format.to_owned(),
            apps,
            properties: Vec::new(),
            warnings,
            unkept: Unkept::default(),
        }
    }
}

impl From<Device> for Found {
    /// A device a collector built itself; its `source` is the path it is read from.
    fn from(device: Device) -> Self {
        Found {
            name: Some(device.name),
            platform: device.platform,
            format: device.format,
            apps: device.apps,
            properties: device.properties,
            warnings: device.warnings,
            unkept: Unkept::default(),
        }
    }
}

/// A format told by a file's first bytes. Asked before any text format, and only
/// when the format is detected (not forced).
pub trait BinarySource: Sync {
    /// Whether the first bytes (up to 4 KiB) are this format.
    fn sniff(&self, head: &[u8]) -> bool;
    /// Reads the file, keeping the apps `keep` wants where it streams (a bugreport's
    /// dumpstate); `None` when a closer look says it is not this format after all (it
    /// is then read as text).
    fn read(&self, path: &Path, keep: &dyn AppFilter) -> Option<Result<Found, CollectError>>;
}

/// A format told by a text file's decoded head.
pub trait TextSource: Sync {
    /// The `--input-format` value that forces this format; `None`: detected only.
    fn forced_by(&self) -> Option<InputFormat>;
    /// Whether the head of a text file (the whole file when small) is this format.
    fn sniff(&self, head: &str) -> bool;
    /// Parses the whole text; `source` is the path to name in evidence.
    fn parse(&self, text: &str, source: &str) -> Result<Vec<Found>, CollectError>;
    /// Parses a file too large to hold whole, keeping the apps `keep` wants. By
    /// default it is read to its end (within the text size limit) and parsed whole
    /// (the scan drops what matches nothing afterwards); line formats stream it
    /// instead and keep only what `keep` wants as they go.
    fn parse_input(
        &self,
        input: TextInput,
        source: &str,
        keep: &dyn AppFilter,
    ) -> Result<Vec<Found>, CollectError> {
        let _ = keep;
        let text = input.into_string()?;
        self.parse(&text, source)
    }
}

/// A folder layout told by the files it holds; one device (or none, with errors).
pub trait FolderSource: Sync {
    /// Whether `dir` has this layout (links inside it are not followed).
    fn sniff(&self, dir: &Path) -> bool;
    /// Reads the folder: the device found, if any, and what could not be read.
    fn read(&self, dir: &Path, options: &Options) -> (Option<Found>, Vec<InputError>);
}
