//! An iTunes / Finder backup folder (one device): `Info.plist`, `Manifest.plist`,
//! `Manifest.db`, `Status.plist`.
//!
//! The apps are the union of `Info.plist` `Installed Applications` (bundle ids) and
//! `Applications` (with `iTunesMetadata`), `Manifest.plist` `Applications`, and the
//! `AppDomain-<bundle id>` domains of `Manifest.db`. Each app's evidence names the file
//! and the key or domain. An encrypted backup's plists are plaintext and read; its
//! `Manifest.db` is not, which is said in a warning (no password is ever asked for).

use super::device::Facts;
use super::{
    AppList, IosError, dict_bool, dict_str, evidence, is_bundle_id, manifest_db, metadata,
    parse_plist, read_file,
};
use crate::collect::android::WarningCap;
use crate::model::{App, Component, Device, Platform};
use plist::{Dictionary, Value};
use std::path::{Path, PathBuf};

/// The `Device::format` and `Evidence::format` of a backup.
pub const FORMAT: &str = "ios-backup";

/// Extensions kept per app, at most.
const MAX_COMPONENTS: usize = 2_000;

/// Warnings kept per kind of repeated problem (entries that are not bundle ids...).
const MAX_SAME_WARNINGS: usize = 10;

/// A backup read: the device, and the files of it that could not be read (each names
/// its path; the integrator reports them as input errors, the device is still scanned).
#[derive(Debug)]
pub struct Backup {
    /// The device with every app found in the files that could be read.
    pub device: Device,
    /// Files of the backup that could not be read (truncated, not SQLite, empty...).
    pub errors: Vec<IosError>,
}

/// Whether `dir` is one backup: it holds `Manifest.db`, `Manifest.plist` or
/// `Status.plist`, or an `Info.plist` with a backup's keys (not an app bundle's).
pub fn is_backup(dir: &Path) -> bool {
    if !dir.is_dir() {
        return false;
    }
    if ["Manifest.db", "Manifest.plist", "Status.plist"]
        .iter()
        .any(|name| dir.join(name).is_file())
    {
        return true;
    }
    let info = dir.join("Info.plist");
    info.is_file()
        && read_dict(&info).is_ok_and(|dict| {
            [
                "Target Identifier",
                "Unique Identifier",
                "Installed Applications",
            ]
            .iter()
            .any(|key| dict.contains_key(key))
        })
}

/// The backups in `root`: `root` itself when it is one, else its sub-folders that are
/// (a `MobileSync/Backup` folder holds one per device), sorted by name.
pub fn backup_folders(root: &Path) -> Vec<PathBuf> {
    if is_backup(root) {
        return vec![root.to_path_buf()];
    }
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| is_backup(path))
        .collect();
    found.sort();
    found
}

/// Reads one backup folder. `Err` only when `dir` is not a backup; a file that cannot
/// be read is in [`Backup::errors`] and the others are still read.
pub fn read_backup(dir: &Path) -> Result<Backup, IosError> {
    if !is_backup(dir) {
        return Err(IosError::NotBackup {
            path: dir.display().to_string(),
        });
    }
    let mut reader = Reader::default();
    let info = dir.join("Info.plist");
    if info.exists() {
        reader.info_plist(&info);
    }
    let manifest = dir.join("Manifest.plist");
    let encrypted = manifest.exists() && reader.manifest_plist(&manifest);
    let db = dir.join("Manifest.db");
    if db.exists() {
        reader.manifest_db(&db, encrypted);
    } else if encrypted {
        reader.warnings.push(encrypted_warning(&db));
    } else {
        reader.warnings.push(format!(
            "{}: absent: apps come from the plists only, so the list may be partial",
            db.display()
        ));
    }
    Ok(reader.finish(dir, encrypted))
}

/// The warning of an encrypted backup: what was read, and that the list may be partial.
fn encrypted_warning(db: &Path) -> String {
    format!(
        "{}: encrypted backup: Manifest.db cannot be read without the backup password \
         (appaudit never asks for it); apps come from Info.plist and Manifest.plist only, \
         so the list may be partial",
        db.display()
    )
}

/// Reads a plist file whose root must be a dictionary.
fn read_dict(path: &Path) -> Result<Dictionary, IosError> {
    let shown = path.display().to_string();
    match parse_plist(&read_file(path)?, &shown)? {
        Value::Dictionary(dict) => Ok(dict),
        _ => Err(IosError::BadFormat {
            path: shown,
            message: "the property list is not a dictionary".to_owned(),
        }),
    }
}

/// What has been read so far from the files of one backup.
struct Reader {
    apps: AppList,
    facts: Facts,
    warnings: Vec<String>,
    errors: Vec<IosError>,
    not_ids: WarningCap,
}

impl Default for Reader {
    fn default() -> Self {
        Reader {
            apps: AppList::default(),
            facts: Facts::default(),
            warnings: Vec::new(),
            errors: Vec::new(),
            not_ids: WarningCap::new(MAX_SAME_WARNINGS),
        }
    }
}

impl Reader {
    /// `Info.plist`: device facts, `Installed Applications`, `Applications`.
    fn info_plist(&mut self, path: &Path) {
        let dict = match read_dict(path) {
            Ok(dict) => dict,
            Err(e) => return self.errors.push(e),
        };
        let shown = path.display().to_string();
        self.facts.fill_from(info_facts(&dict));
        if let Some(list) = dict.get("Installed Applications") {
            self.installed_applications(list, &shown);
        }
        if let Some(apps) = dict.get("Applications") {
            self.info_applications(apps, &shown);
        }
    }

    fn installed_applications(&mut self, list: &Value, path: &str) {
        let Some(list) = list.as_array() else {
            return self.warnings.push(format!(
                "{path}: Installed Applications is not an array: skipped"
            ));
        };
        for entry in list {
            match entry.as_string().map(str::trim) {
                Some(id) if is_bundle_id(id) => self.add(id, path, "Installed Applications"),
                Some(other) => self.not_an_id(path, "Installed Applications", other),
                None => self.not_an_id(path, "Installed Applications", ""),
            }
        }
    }

    /// `Applications` of `Info.plist`: bundle id → `iTunesMetadata` and more.
    fn info_applications(&mut self, apps: &Value, path: &str) {
        let Some(apps) = apps.as_dictionary() else {
            return self
                .warnings
                .push(format!("{path}: Applications is not a dictionary: skipped"));
        };
        for (key, entry) in apps {
            let meta = metadata::read_entry(entry).unwrap_or_else(|_| {
                // The key is quoted only when it is a bundle id, never other data.
                let which = match is_bundle_id(key.trim()) {
                    true => format!("Applications entry `{}`", key.trim()),
                    false => "an Applications entry".to_owned(),
                };
                self.warnings.push(format!(
                    "{path}: {which}: iTunesMetadata is not a valid plist; only the app's id \
                     was read"
                ));
                None
            });
            let key = key.trim();
            let from_meta = meta.as_ref().and_then(|m| m.bundle_id.as_deref());
            let Some(id) = [Some(key), from_meta]
                .into_iter()
                .flatten()
                .find(|id| is_bundle_id(id))
            else {
                self.not_an_id(path, "Applications", key);
                continue;
            };
            let mut app = App::new(
                Platform::Ios,
                id,
                evidence(path, FORMAT, format!("Applications: {id}")),
            );
            if let Some(meta) = meta {
                app.flags.side_loaded = meta.side_loaded();
                app.flags.system = meta.factory_install;
                app.name = meta.name;
                app.version = meta.version;
                app.build = meta.build;
                app.publisher = meta.publisher;
                app.installer = meta.source_app;
            }
            self.apps.insert(app);
        }
    }

    /// `Manifest.plist`: `IsEncrypted` (returned), `Lockdown` facts, `Applications`.
    fn manifest_plist(&mut self, path: &Path) -> bool {
        let dict = match read_dict(path) {
            Ok(dict) => dict,
            Err(e) => {
                self.errors.push(e);
                return false;
            }
        };
        let shown = path.display().to_string();
        if let Some(lockdown) = dict.get("Lockdown").and_then(Value::as_dictionary) {
            self.facts
                .fill_from(Facts::from_lockdown(|key| dict_str(lockdown, key)));
        }
        if self.facts.last_backup_date.is_none() {
            self.facts.last_backup_date = date(&dict, "Date");
        }
        if let Some(apps) = dict.get("Applications").and_then(Value::as_dictionary) {
            for (key, entry) in apps {
                self.manifest_application(key, entry.as_dictionary(), &shown);
            }
        }
        dict_bool(&dict, "IsEncrypted")
    }

    /// One `Manifest.plist` `Applications` entry: `CFBundleIdentifier`, `CFBundleVersion`, `Path`.
    fn manifest_application(&mut self, key: &str, entry: Option<&Dictionary>, path: &str) {
        let from_entry = entry.and_then(|e| dict_str(e, "CFBundleIdentifier"));
        let key = key.trim();
        let Some(id) = [Some(key), from_entry.as_deref()]
            .into_iter()
            .flatten()
            .find(|id| is_bundle_id(id))
        else {
            return self.not_an_id(path, "Applications", key);
        };
        let mut app = App::new(
            Platform::Ios,
            id,
            evidence(path, FORMAT, format!("Applications: {id}")),
        );
        if let Some(entry) = entry {
            app.build = dict_str(entry, "CFBundleVersion");
            app.path = dict_str(entry, "Path");
        }
        self.apps.insert(app);
    }

    /// `Manifest.db`: every `AppDomain-<bundle id>`. Apple's own (`com.apple.*`) that no
    /// plist lists as a user app are marked as system apps.
    fn manifest_db(&mut self, path: &Path, encrypted: bool) {
        let shown = path.display().to_string();
        let domains = match manifest_db::app_domains(path) {
            Ok(found) => found,
            Err(IosError::NotSqlite { .. }) if encrypted => {
                return self.warnings.push(encrypted_warning(path));
            }
            Err(e) => return self.errors.push(e),
        };
        for id in domains.apps {
            if !is_bundle_id(&id) {
                self.not_an_id(&shown, "domain", &format!("AppDomain-{id}"));
                continue;
            }
            let system = id.starts_with("com.apple.") && !self.apps.contains(&id);
            let excerpt = format!("domain {}{id}", manifest_db::APP_DOMAIN_PREFIX);
            let mut app = App::new(Platform::Ios, &id, evidence(&shown, FORMAT, excerpt));
            app.flags.system = system;
            self.apps.insert(app);
        }
        for id in domains.plugins.iter().filter(|id| is_bundle_id(id)) {
            self.plugin(id);
        }
        if domains.cut {
            self.warnings.push(format!(
                "{shown}: more than {} app domains: only the first were read",
                manifest_db::MAX_DOMAINS
            ));
        }
    }

    /// An extension (`AppDomainPlugin-com.foo.app.Share`) becomes a component of the app
    /// whose id is the longest dot-boundary prefix of its own; without one it is dropped.
    fn plugin(&mut self, id: &str) {
        let mut owner = id;
        while let Some((prefix, _)) = owner.rsplit_once('.') {
            owner = prefix;
            if let Some(app) = self.apps.get_mut(owner) {
                if app.components.len() < MAX_COMPONENTS
                    && !app.components.iter().any(|c| c.id == id)
                {
                    app.components.push(Component {
                        id: id.to_owned(),
                        kind: "appex".to_owned(),
                        path: format!("{}{id}", manifest_db::PLUGIN_DOMAIN_PREFIX),
                    });
                }
                return;
            }
        }
    }

    fn add(&mut self, id: &str, path: &str, key: &str) {
        let app = App::new(
            Platform::Ios,
            id,
            evidence(path, FORMAT, format!("{key}: {id}")),
        );
        self.apps.insert(app);
    }

    /// An entry that is not a bundle id (a Team ID such as `8K2NU5962N`): never an app.
    /// Only an id-like value is quoted (a Team ID); anything else, which could be
    /// personal data, is not.
    fn not_an_id(&mut self, path: &str, key: &str, value: &str) {
        let id_like = value.len() <= 64
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        let message = if id_like {
            format!("{path}: {key} entry `{value}` is not a bundle id (a Team ID?): skipped")
        } else {
            format!("{path}: an entry of {key} is not a bundle id: skipped")
        };
        self.not_ids.push(&mut self.warnings, message);
    }

    fn finish(mut self, dir: &Path, encrypted: bool) -> Backup {
        self.not_ids
            .finish(&mut self.warnings, "entries that are not bundle ids");
        let folder = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| dir.display().to_string());
        let name = self.facts.device_name.clone().unwrap_or(folder);
        let mut properties = self.facts.into_properties();
        if encrypted {
            properties.push(("backup_encrypted".to_owned(), "true".to_owned()));
        }
        let device = Device {
            id: String::new(),
            id_source: crate::model::IdSource::FileName,
            also_from: Vec::new(),
            source: dir.display().to_string(),
            name,
            platform: Platform::Ios,
            format: FORMAT.to_owned(),
            properties,
            apps: self.apps.into_vec(),
            apps_unkept: 0,
            warnings: self.warnings,
        };
        Backup {
            device,
            errors: self.errors,
        }
    }
}

/// Device facts of `Info.plist` (spaced key names).
fn info_facts(dict: &Dictionary) -> Facts {
    let get = |key: &str| dict_str(dict, key);
    Facts {
        device_name: get("Device Name").or_else(|| get("Display Name")),
        product_type: get("Product Type"),
        ios_version: get("Product Version"),
        build: get("Build Version"),
        serial: get("Serial Number"),
        udid: get("Unique Identifier").or_else(|| get("Target Identifier")),
        last_backup_date: date(dict, "Last Backup Date"),
    }
}

/// A plist date as ISO 8601 (`2021-12-03T19:33:13Z`).
fn date(dict: &Dictionary, key: &str) -> Option<String> {
    dict.get(key)
        .and_then(Value::as_date)
        .map(|d| d.to_xml_format())
}
