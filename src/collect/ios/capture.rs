//! A capture of one iPhone or iPad over USB: the raw output of `ideviceinfo` and
//! `ideviceinstaller`, and how it becomes a [`Device`].
//!
//! `appaudit ios` fills a [`Manifest`] live; `--save DIR` writes each output to
//! `DIR/<UDID>/<file>` beside a `manifest.json` (UDID, device name, tool versions, and
//! for each command: the command line, file, UTC time, SHA-256). `appaudit scan DIR`
//! reads the folder back through [`load`] ([`SavedCapture`]), and both go through
//! [`build`], so a saved capture gives the same findings as the live scan that wrote it.

use super::listing::{self, ideviceinfo};
use crate::collect::CollectError;
pub use crate::collect::capture_manifest::MANIFEST;
use crate::collect::capture_manifest::{self, SavedEntry, sha256_hex, utc_now};
use crate::collect::source::{FolderSource, Found};
use crate::model::{Device, InputError, Platform};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// The `Device::format` of a live or saved capture over USB.
pub const FORMAT: &str = "libimobiledevice";
/// `Manifest::kind`: tells this manifest from an adb capture's or any other.
pub const KIND: &str = "appaudit-ios-capture";

/// What a command of the capture asked the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// `ideviceinfo -u UDID`: name, model, iOS version, serial.
    Info,
    /// `ideviceinstaller -u UDID -l -o list_all` or `... list --all`: every app.
    Apps,
}

impl Role {
    fn file(self) -> &'static str {
        match self {
            Role::Info => "ideviceinfo.txt",
            Role::Apps => "ideviceinstaller_list.txt",
        }
    }
}

/// One command run for the device and where its output is kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// What the output is.
    pub role: Role,
    /// The command line as run on the host (`ideviceinfo -u UDID`).
    pub command: String,
    /// The file, relative to the capture folder, that holds the output (stdout).
    pub file: String,
    /// When the command finished, UTC (`2026-11-21T10:00:00Z`).
    pub time: String,
    /// SHA-256 of the output, lowercase hex.
    pub sha256: String,
    /// The size of the output in bytes.
    pub bytes: u64,
    /// The command's exit code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// What the command printed on stderr, if anything.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub stderr: String,
    /// The output itself (not in the manifest: in `file`).
    #[serde(skip)]
    pub output: Vec<u8>,
}

impl SavedEntry for Entry {
    fn file_and_sha256(&self) -> (&str, &str) {
        (&self.file, &self.sha256)
    }

    fn output(&self) -> &[u8] {
        &self.output
    }

    fn set_output(&mut self, bytes: Vec<u8>) {
        self.output = bytes;
    }
}

/// Everything captured from one device; `manifest.json` is this without the outputs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`KIND`].
    pub kind: String,
    /// The manifest format version.
    pub version: u32,
    /// The program and version that made the capture.
    pub tool: String,
    /// The device's UDID.
    pub udid: String,
    /// The device's name (`DeviceName`), when it was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// When the capture started, UTC.
    pub started: String,
    /// What each tool said its version is (`ideviceinstaller` -> `ideviceinstaller 1.1.1`).
    #[serde(default)]
    pub tools: BTreeMap<String, String>,
    /// Problems met while capturing (locked, gone, a timeout): the capture is incomplete.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// Every command whose output was kept.
    pub entries: Vec<Entry>,
}

impl Manifest {
    /// An empty capture of device `udid`, started now; `tools` are the versions.
    pub fn new(udid: &str, tools: BTreeMap<String, String>) -> Self {
        Manifest {
            kind: KIND.to_owned(),
            version: 1,
            tool: concat!("appaudit ", env!("CARGO_PKG_VERSION")).to_owned(),
            udid: udid.to_owned(),
            device: None,
            started: utc_now(),
            tools,
            problems: Vec::new(),
            entries: Vec::new(),
        }
    }

    /// Records the output of a command that succeeded.
    pub fn push(&mut self, role: Role, command: String, stdout: &[u8], stderr: &str, code: i32) {
        self.entries.retain(|e| e.role != role);
        self.entries.push(Entry {
            role,
            command,
            file: role.file().to_owned(),
            time: utc_now(),
            sha256: sha256_hex(stdout),
            bytes: stdout.len() as u64,
            exit_code: Some(code),
            stderr: stderr.trim().to_owned(),
            output: stdout.to_vec(),
        });
    }

    /// The entry of one role.
    pub fn entry(&self, role: Role) -> Option<&Entry> {
        self.entries.iter().find(|e| e.role == role)
    }

    /// Writes every output and `manifest.json` into `dir` (created if needed).
    pub fn save(&self, dir: &Path) -> Result<(), CollectError> {
        capture_manifest::save(dir, &self.entries, self)
    }
}

/// Turns a capture into a device. `label` names the source of an entry in evidence
/// (the command when live, the saved file when read back). `Err` (why) when no app
/// list was captured or it cannot be read: there is no device to report.
pub fn build(
    manifest: &Manifest,
    source: &str,
    label: &dyn Fn(&Entry) -> String,
) -> Result<Device, CollectError> {
    let apps_entry = manifest
        .entry(Role::Apps)
        .ok_or_else(|| CollectError::from("no app list was captured"))?;
    let (format, parsed) = match listing::parse_any(&apps_entry.output, &label(apps_entry)) {
        Ok(Some(read)) => read,
        Ok(None) => {
            let why = format!("{}: not an ideviceinstaller listing", apps_entry.file);
            return Err(why.into());
        }
        Err(e) => return Err(e.to_string().into()),
    };
    let mut warnings = parsed.warnings;
    let mut facts = Vec::new();
    if let Some(info) = manifest.entry(Role::Info) {
        match ideviceinfo::parse(&info.output, &label(info)) {
            Ok(read) => facts = read.properties,
            Err(e) => warnings.push(e.to_string()),
        }
    }
    let fact = |key: &str| facts.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let label_name = fact("device_name")
        .or_else(|| manifest.device.clone())
        .or_else(|| fact("model"));
    let mut properties = vec![("udid".to_owned(), manifest.udid.clone())];
    properties.extend(facts.iter().filter(|(k, _)| k != "udid").cloned());
    properties.extend(parsed.properties);
    if let Some(version) = manifest.tools.get("ideviceinstaller") {
        properties.push(("ideviceinstaller".to_owned(), version.clone()));
    }
    properties.push(("listing_format".to_owned(), format.as_str().to_owned()));
    properties.push(("captured".to_owned(), manifest.started.clone()));
    Ok(Device {
        id: String::new(),
        id_source: crate::model::IdSource::FileName,
        also_from: Vec::new(),
        source: source.to_owned(),
        name: match label_name {
            Some(name) => format!("{name} {}", manifest.udid),
            None => manifest.udid.clone(),
        },
        platform: Platform::Ios,
        format: FORMAT.to_owned(),
        properties,
        apps: parsed.apps,
        apps_unkept: 0,
        warnings,
    })
}

/// Whether `dir` holds a saved iOS capture: a `manifest.json` of kind [`KIND`].
pub fn is_capture_folder(dir: &Path) -> bool {
    let path = dir.join(MANIFEST);
    // Checked before opening: opening a FIFO would block.
    if !std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
        return false;
    }
    let mut head = Vec::new();
    let read = std::fs::File::open(&path).and_then(|f| f.take(4096).read_to_end(&mut head));
    read.is_ok() && memchr::memmem::find(&head, format!("\"{KIND}\"").as_bytes()).is_some()
}

/// Reads a saved capture folder back: the device (none when no app list was
/// captured), and beside it the problems recorded live, outputs that changed since
/// the capture (SHA-256) and unreadable files.
pub fn load(dir: &Path) -> (Option<Device>, Vec<InputError>) {
    let manifest_path = dir.join(MANIFEST);
    let parsed = capture_manifest::read_manifest::<Manifest>(dir, "appaudit iOS capture manifest");
    let mut manifest = match parsed {
        Ok(m) if m.kind == KIND => m,
        Ok(m) => {
            let message = format!("not an appaudit iOS capture manifest: kind is `{}`", m.kind);
            return (None, vec![InputError::new(&manifest_path, message)]);
        }
        Err(e) => return (None, vec![e]),
    };
    let mut errors: Vec<InputError> = manifest
        .problems
        .iter()
        .map(|p| InputError::new(dir, format!("capture incomplete: {p}")))
        .collect();
    let entries = std::mem::take(&mut manifest.entries);
    manifest.entries = capture_manifest::read_entries(dir, entries, &mut errors);
    let label = |entry: &Entry| dir.join(&entry.file).display().to_string();
    match build(&manifest, &dir.display().to_string(), &label) {
        Ok(device) => (Some(device), errors),
        // Without an app list the problems above say why; otherwise say it here.
        Err(_) if !manifest.problems.is_empty() => (None, errors),
        Err(why) => {
            errors.push(InputError::new(dir, why));
            (None, errors)
        }
    }
}

/// A folder saved by `appaudit ios --save`, as a [`FolderSource`].
pub struct SavedCapture;

impl FolderSource for SavedCapture {
    fn sniff(&self, dir: &Path) -> bool {
        is_capture_folder(dir)
    }

    fn read(&self, dir: &Path, _: &crate::collect::Options) -> (Option<Found>, Vec<InputError>) {
        let (device, errors) = load(dir);
        (device.map(Found::from), errors)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const UDID: &str = "00008030-001A2B3C4D5E802E";

    fn sample() -> Manifest {
        let tools = BTreeMap::from([(
            "ideviceinstaller".to_owned(),
            "ideviceinstaller 1.2.0".to_owned(),
        )]);
        let mut m = Manifest::new(UDID, tools);
        m.push(
            Role::Info,
            format!("ideviceinfo -u {UDID}"),
            b"DeviceName: Test iPhone\nProductType: iPhone14,2\nProductVersion: 17.5\n",
            "",
            0,
        );
        m.push(
            Role::Apps,
            format!("ideviceinstaller -u {UDID} list --all"),
            b"CFBundleIdentifier, CFBundleShortVersionString, CFBundleDisplayName\n\
              com.zhiliaoapp.musically, \"34.5.0\", \"TikTok\"\ncom.apple.mobilesafari, \"17.5\", \"Safari\"\n",
            "",
            0,
        );
        m
    }

    #[test]
    fn builds_a_device_with_its_facts() {
        let m = sample();
        let device = build(&m, "ios:x", &|e| e.command.clone()).unwrap();
        assert_eq!(device.name, format!("Test iPhone {UDID}"));
        assert_eq!(device.platform, Platform::Ios);
        assert_eq!(device.format, FORMAT);
        let tiktok = device
            .apps
            .iter()
            .find(|a| a.id == "com.zhiliaoapp.musically")
            .unwrap();
        assert_eq!(tiktok.version.as_deref(), Some("34.5.0"));
        assert!(tiktok.evidence[0].path.ends_with("list --all"));
        let prop = |k: &str| {
            device
                .properties
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(prop("udid"), Some(UDID));
        assert_eq!(prop("ios_version"), Some("17.5"));
        assert_eq!(prop("ideviceinstaller"), Some("ideviceinstaller 1.2.0"));
        let mut no_apps = m.clone();
        no_apps.entries.retain(|e| e.role == Role::Info);
        assert!(build(&no_apps, "ios:x", &|e| e.command.clone()).is_err());
    }

    #[test]
    fn save_and_load_give_the_same_device() {
        let m = sample();
        let dir = tempfile::tempdir().unwrap();
        m.save(dir.path()).unwrap();
        assert!(is_capture_folder(dir.path()));
        let (loaded, errors) = load(dir.path());
        assert!(errors.is_empty(), "{errors:?}");
        let loaded = loaded.unwrap();
        let live = build(&m, "ios:x", &|e| e.command.clone()).unwrap();
        let ids = |d: &Device| {
            d.apps
                .iter()
                .map(|a| (a.id.clone(), a.version.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&loaded), ids(&live));
        assert_eq!(loaded.name, live.name);
        assert_eq!(loaded.properties, live.properties);

        // A changed output is an error, and the device is still read.
        std::fs::write(dir.path().join("ideviceinfo.txt"), "DeviceName: y\n").unwrap();
        let (device, errors) = load(dir.path());
        assert!(device.is_some());
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.starts_with("changed since the capture"));
    }

    #[test]
    fn foreign_and_incomplete_captures() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(MANIFEST),
            r#"{"kind":"appaudit-adb-capture"}"#,
        )
        .unwrap();
        assert!(!is_capture_folder(dir.path()));
        let mut m = Manifest::new(UDID, BTreeMap::new());
        m.problems.push("device gone".into());
        m.save(dir.path()).unwrap();
        assert!(is_capture_folder(dir.path()));
        let (device, errors) = load(dir.path());
        assert!(device.is_none());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].message, "capture incomplete: device gone");
        let mut m = sample();
        m.entries[0].file = "../ideviceinfo.txt".into();
        std::fs::write(
            dir.path().join(MANIFEST),
            serde_json::to_string(&m).unwrap(),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("ideviceinstaller_list.txt"),
            &m.entries[1].output,
        )
        .unwrap();
        let (device, errors) = load(dir.path());
        assert!(device.is_some());
        assert!(errors[0].message.contains("not a file inside the folder"));
    }
}
