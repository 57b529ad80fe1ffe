//! A capture of one device over adb: the raw output of each command, and how it
//! becomes a [`Device`].
//!
//! `appaudit adb` fills a [`Manifest`] live; `--save DIR` writes each output to
//! `DIR/<serial>/<file>` beside a `manifest.json` (device, serial, command, file,
//! UTC time, SHA-256). `appaudit scan DIR/<serial>` reads the folder back through
//! [`load`], and both go through [`build`], so a saved capture gives the same
//! findings as the live scan that wrote it.

use super::{AppSet, dumpsys, getprop, mark_side_loaded, pm_list};
use crate::collect::CollectError;
use crate::collect::InputError;
use crate::collect::capture_manifest::{self, SavedEntry};
pub use crate::collect::capture_manifest::{MANIFEST, sha256_hex, utc_from_unix, utc_now};
use crate::model::{App, Device, Platform, UserState};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// The `Device::format` of a live or saved adb capture.
pub const FORMAT: &str = "adb";
/// `Manifest::kind`: tells our manifest from any other `manifest.json`.
pub const KIND: &str = "appaudit-adb-capture";

/// What a command of the capture asked the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// `getprop`: model, Android version, security patch.
    Getprop,
    /// `pm list users`: users and profiles.
    Users,
    /// `pm list packages -f -i -U --show-versioncode --user N` (or a fallback).
    Packages,
    /// `pm list packages -d --user N`: disabled apps.
    Disabled,
    /// `pm list packages -s --user N`: system apps.
    System,
    /// `dumpsys package`: details and per-user states.
    Dumpsys,
}

/// One command run on the device and where its output is kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// What the output is (package list, dumpsys, users...).
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// The user (`--user N`) the command was run for, if any.
    pub user: Option<u32>,
    /// The command line as run on the host (`adb -s SERIAL shell pm list users`).
    pub command: String,
    /// The file, relative to the capture folder, that holds the output (stdout).
    pub file: String,
    /// When the command finished, UTC (`2026-11-21T10:00:00Z`).
    pub time: String,
    /// SHA-256 of the output, lowercase hex.
    pub sha256: String,
    /// The size of the output in bytes.
    pub bytes: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// The command's exit code, when it ended.
    pub exit_code: Option<i32>,
    /// What the command printed on stderr, if anything.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub stderr: String,
    /// A later command replaced this one (a fallback for an older Android).
    #[serde(default, skip_serializing_if = "is_false")]
    pub superseded: bool,
    /// The output itself (not in the manifest: in `file`).
    #[serde(skip)]
    pub output: String,
}

impl SavedEntry for Entry {
    fn file_and_sha256(&self) -> (&str, &str) {
        (&self.file, &self.sha256)
    }

    fn output(&self) -> &[u8] {
        self.output.as_bytes()
    }

    fn set_output(&mut self, bytes: Vec<u8>) {
        self.output = String::from_utf8_lossy(&bytes).into_owned();
    }
}

fn is_false(b: &bool) -> bool {
    !*b
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
    /// The serial number of the device captured.
    pub serial: String,
    /// The model, from `getprop` (`ro.product.model`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// When the capture started, UTC.
    pub started: String,
    /// Problems met while capturing (a timeout, the device gone): the capture is incomplete.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// Every command run, with its output file.
    pub entries: Vec<Entry>,
}

impl Manifest {
    /// An empty capture of device `serial`, started now.
    pub fn new(serial: &str) -> Self {
        Manifest {
            kind: KIND.to_owned(),
            version: 1,
            tool: concat!("appaudit ", env!("CARGO_PKG_VERSION")).to_owned(),
            serial: serial.to_owned(),
            device: None,
            started: utc_now(),
            problems: Vec::new(),
            entries: Vec::new(),
        }
    }

    /// Records the output of a command; the file name is derived from role and user.
    pub fn push(
        &mut self,
        role: Role,
        user: Option<u32>,
        command: String,
        stdout: &[u8],
        stderr: &str,
        exit_code: Option<i32>,
    ) {
        let base = file_base(role, user);
        let taken = self
            .entries
            .iter()
            .filter(|e| e.file.starts_with(&base))
            .count();
        // Earlier attempts of the same listing are superseded by this one.
        for entry in &mut self.entries {
            if entry.role == role && entry.user == user {
                entry.superseded = true;
            }
        }
        let file = if taken == 0 {
            format!("{base}.txt")
        } else {
            format!("{base}.{}.txt", taken + 1)
        };
        self.entries.push(Entry {
            role,
            user,
            command,
            file,
            time: utc_now(),
            sha256: sha256_hex(stdout),
            bytes: stdout.len() as u64,
            exit_code,
            stderr: stderr.trim().to_owned(),
            superseded: false,
            output: String::from_utf8_lossy(stdout).into_owned(),
        });
    }

    /// The current (not superseded) entries of one role.
    pub fn current(&self, role: Role) -> impl Iterator<Item = &Entry> {
        self.entries
            .iter()
            .filter(move |e| e.role == role && !e.superseded)
    }

    /// Writes every output and `manifest.json` into `dir` (created if needed).
    pub fn save(&self, dir: &Path) -> Result<(), CollectError> {
        capture_manifest::save(dir, &self.entries, self)
    }
}

fn file_base(role: Role, user: Option<u32>) -> String {
    let name = match role {
        Role::Getprop => "getprop",
        Role::Users => "pm_list_users",
        Role::Packages => "pm_list_packages",
        Role::Disabled => "pm_list_packages_disabled",
        Role::System => "pm_list_packages_system",
        Role::Dumpsys => "dumpsys_package",
    };
    match user {
        Some(user) => format!("{name}_user{user}"),
        None => name.to_owned(),
    }
}

/// A user or profile from `pm list users`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserInfo {
    /// The user id (`0` is the owner).
    pub id: u32,
    /// The user's or profile's name (`Owner`, `Work profile`).
    pub name: String,
    /// Whether the user was running at capture time.
    pub running: bool,
}

/// Parses `pm list users`: `UserInfo{0:Owner:c13} running`, `UserInfo{10:Work profile:1030}`.
/// The name may itself contain `:`; the flags follow the last one.
pub fn parse_users(text: &str) -> Vec<UserInfo> {
    let mut users = Vec::new();
    for line in crate::collect::text::lines(text) {
        let Some(rest) = line.trim().strip_prefix("UserInfo{") else {
            continue;
        };
        let Some((inner, tail)) = rest.rsplit_once('}') else {
            continue;
        };
        let Some((id, rest)) = inner.split_once(':') else {
            continue;
        };
        let Ok(id) = id.trim().parse() else { continue };
        let name = rest.rsplit_once(':').map_or(rest, |(name, _flags)| name);
        if users.iter().any(|u: &UserInfo| u.id == id) {
            continue;
        }
        users.push(UserInfo {
            id,
            name: name.trim().to_owned(),
            running: tail.contains("running"),
        });
    }
    users
}

/// Turns a capture into a device. `label` names the source of an entry in evidence
/// (the command when live, the saved file when read back).
pub fn build(manifest: &Manifest, source: &str, label: &dyn Fn(&Entry) -> String) -> Device {
    let mut warnings = Vec::new();
    let properties = manifest
        .current(Role::Getprop)
        .next()
        .map(|e| getprop::device_properties(&e.output))
        .unwrap_or_default();
    let prop = |key: &str| {
        properties
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let model = prop("model").or_else(|| manifest.device.clone());
    let users = capture_users(manifest);
    let profiles: BTreeMap<u32, String> = users
        .iter()
        .filter(|u| !u.name.is_empty())
        .map(|u| (u.id, u.name.clone()))
        .collect();

    let (apps, listed_any) = listed_apps(manifest, label, &mut warnings);
    let mut apps = apps.into_vec();
    apply_lists(manifest, &mut apps);
    for app in &mut apps {
        name_profiles(app, &profiles);
        app.settle_user_flags();
    }
    mark_side_loaded(&mut apps);
    if !listed_any {
        warnings.push("no package list could be read from this device".to_owned());
    }

    let device_properties = device_properties(manifest, properties, &users);
    Device {
        id: String::new(),
        id_source: crate::model::IdSource::FileName,
        also_from: Vec::new(),
        source: source.to_owned(),
        name: model.unwrap_or_else(|| manifest.serial.clone()),
        platform: Platform::Android,
        format: FORMAT.to_owned(),
        properties: device_properties,
        apps,
        apps_unkept: 0,
        warnings,
    }
}

/// The device's users: those `pm list users` names, then those a package list was
/// run for without being named (old Android).
fn capture_users(manifest: &Manifest) -> Vec<UserInfo> {
    let mut users: Vec<UserInfo> = manifest
        .current(Role::Users)
        .next()
        .map(|e| parse_users(&e.output))
        .unwrap_or_default();
    // Users that were listed without `pm list users` naming them (old Android).
    for entry in manifest.current(Role::Packages) {
        if let Some(id) = entry.user
            && !users.iter().any(|u| u.id == id)
        {
            users.push(UserInfo {
                id,
                name: String::new(),
                running: false,
            });
        }
    }
    users
}

/// The apps of every package list and dumpsys of the capture, merged; and whether
/// any list could be read.
fn listed_apps(
    manifest: &Manifest,
    label: &dyn Fn(&Entry) -> String,
    warnings: &mut Vec<String>,
) -> (AppSet<'static>, bool) {
    let mut apps = AppSet::default();
    let mut listed_any = false;
    for entry in manifest.current(Role::Packages) {
        let user = entry.user.unwrap_or(0);
        match pm_list::parse(&entry.output, &label(entry)) {
            Some(mut parsed) => {
                listed_any = true;
                for app in &mut parsed.apps {
                    app.users.push(UserState {
                        user,
                        installed: Some(true),
                        ..UserState::default()
                    });
                }
                // Lines that are not packages are expected in failed attempts only.
                parsed.merge_into(&mut apps, warnings, &entry.file);
            }
            None => warnings.push(format!(
                "{}: no package listed for user {user}{}",
                entry.file,
                first_error_line(entry)
                    .map(|l| format!(" ({l})"))
                    .unwrap_or_default()
            )),
        }
    }
    for entry in manifest.current(Role::Dumpsys) {
        match dumpsys::parse(&entry.output, &label(entry)) {
            Some(parsed) => {
                listed_any = true;
                parsed.merge_into(&mut apps, warnings, &entry.file);
            }
            None => warnings.push(format!("{}: no package section", entry.file)),
        }
    }
    (apps, listed_any)
}

/// Marks the apps of the disabled (`pm list packages -d`) and system (`-s`) lists.
fn apply_lists(manifest: &Manifest, apps: &mut [App]) {
    for entry in manifest.current(Role::Disabled) {
        let user = entry.user.unwrap_or(0);
        let ids = listed_ids(&entry.output);
        for app in apps.iter_mut().filter(|a| ids.contains(a.id.as_str())) {
            match app.users.iter_mut().find(|u| u.user == user) {
                Some(state) => {
                    state.enabled.get_or_insert(2);
                }
                None => app.users.push(UserState {
                    user,
                    installed: Some(true),
                    enabled: Some(2),
                    ..UserState::default()
                }),
            }
        }
    }
    for entry in manifest.current(Role::System) {
        let ids = listed_ids(&entry.output);
        for app in apps.iter_mut().filter(|a| ids.contains(a.id.as_str())) {
            app.flags.system = true;
        }
    }
}

/// The device's facts: serial, `getprop` values, users and the capture time.
fn device_properties(
    manifest: &Manifest,
    properties: Vec<(String, String)>,
    users: &[UserInfo],
) -> Vec<(String, String)> {
    let mut device_properties = Vec::new();
    device_properties.push(("adb_serial".to_owned(), manifest.serial.clone()));
    for (key, value) in properties {
        if key != "serial" {
            device_properties.push((key, value));
        }
    }
    for user in users {
        let name = if user.name.is_empty() {
            "(unnamed)"
        } else {
            &user.name
        };
        device_properties.push((format!("user.{}", user.id), name.to_owned()));
    }
    device_properties.push(("captured".to_owned(), manifest.started.clone()));
    device_properties
}

fn name_profiles(app: &mut App, profiles: &BTreeMap<u32, String>) {
    for state in &mut app.users {
        if state.profile.is_none() {
            state.profile = profiles.get(&state.user).cloned();
        }
    }
    app.users.sort_by_key(|u| u.user);
}

fn listed_ids(output: &str) -> HashSet<&str> {
    crate::collect::text::lines(output)
        .filter_map(|l| l.trim().strip_prefix("package:"))
        .map(|rest| {
            let first = rest.split_whitespace().next().unwrap_or_default();
            first.rsplit_once('=').map_or(first, |(_, name)| name)
        })
        .filter(|id| !id.is_empty())
        .collect()
}

fn first_error_line(entry: &Entry) -> Option<String> {
    entry
        .stderr
        .lines()
        .chain(crate::collect::text::lines(&entry.output))
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(crate::collect::text::excerpt)
}

/// Whether `dir` holds a saved capture (a `manifest.json`; its kind is checked on load).
pub fn is_capture_folder(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir.join(MANIFEST)).is_ok_and(|m| m.is_file())
}

/// Reads a saved capture folder back. Problems recorded live, outputs that changed
/// since the capture (SHA-256) and unreadable files are errors beside the device.
pub fn load(dir: &Path) -> Result<(Device, Vec<InputError>), InputError> {
    let mut manifest: Manifest = capture_manifest::read_manifest(dir, "appaudit capture manifest")?;
    if manifest.kind != KIND {
        return Err(InputError::new(
            &dir.join(MANIFEST),
            format!(
                "not an appaudit capture manifest: kind is `{}`, expected `{KIND}`",
                manifest.kind
            ),
        ));
    }
    let mut errors = Vec::new();
    for problem in &manifest.problems {
        errors.push(InputError::new(
            dir,
            format!("capture incomplete: {problem}"),
        ));
    }
    let entries = std::mem::take(&mut manifest.entries);
    manifest.entries = capture_manifest::read_entries(dir, entries, &mut errors);
    let label = |entry: &Entry| dir.join(&entry.file).display().to_string();
    let device = build(&manifest, &dir.display().to_string(), &label);
    Ok((device, errors))
}

/// A folder saved by `appaudit adb --save`, as a
/// [`FolderSource`](crate::collect::source::FolderSource).
pub struct Source;

impl crate::collect::source::FolderSource for Source {
    fn sniff(&self, dir: &Path) -> bool {
        is_capture_folder(dir)
    }

    fn read(
        &self,
        dir: &Path,
        _: &crate::collect::Options,
    ) -> (Option<crate::collect::source::Found>, Vec<InputError>) {
        match load(dir) {
            Ok((device, errors)) => (Some(device.into()), errors),
            Err(error) => (None, vec![error]),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc_from_unix(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_from_unix(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc_from_unix(1_700_000_000), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn users_and_profiles() {
        let text = "Users:\n\tUserInfo{0:Owner:c13} running\n\tUserInfo{10:Work profile:1030} running\n\
                    \tUserInfo{150:Secure Folder:10001030}\n\tUserInfo{11:Ann: the guest:404}\n";
        let users = parse_users(text);
        let names: Vec<(u32, &str, bool)> = users
            .iter()
            .map(|u| (u.id, u.name.as_str(), u.running))
            .collect();
        assert_eq!(
            names,
            [
                (0, "Owner", true),
                (10, "Work profile", true),
                (150, "Secure Folder", false),
                (11, "Ann: the guest", false)
            ]
        );
    }

    fn sample() -> Manifest {
        let mut m = Manifest::new("R58N123");
        m.push(
            Role::Getprop,
            None,
            "adb -s R58N123 shell getprop".into(),
            b"[ro.product.model]: [SM-S918B]\n[ro.build.version.release]: [14]\n",
            "",
            Some(0),
        );
        m.push(
            Role::Users,
            None,
            "adb -s R58N123 shell pm list users".into(),
            b"Users:\n\tUserInfo{0:Owner:c13} running\n\tUserInfo{10:Work profile:1030} running\n",
            "",
            Some(0),
        );
        m.push(
            Role::Packages,
            Some(0),
            "pm list packages --user 0".into(),
            b"Error: Unknown option: --show-versioncode\n",
            "",
            Some(255),
        );
        m.push(
            Role::Packages,
            Some(0),
            "pm list packages --user 0".into(),
            b"package:/data/app/a/base.apk=com.whatsapp  installer=com.android.vending uid:10100\n",
            "",
            Some(0),
        );
        m.push(
            Role::Packages,
            Some(10),
            "pm list packages --user 10".into(),
            b"package:/data/app/b/base.apk=com.zhiliaoapp.musically  installer=null uid:1010200\n\
              package:/data/app/a/base.apk=com.whatsapp  installer=com.android.vending uid:1010100\n",
            "",
            Some(0),
        );
        m.push(
            Role::Disabled,
            Some(10),
            "pm list packages -d --user 10".into(),
            b"package:com.whatsapp\n",
            "",
            Some(0),
        );
        m
    }

    #[test]
    fn builds_users_profiles_and_fallbacks() {
        let m = sample();
        assert_eq!(m.entries[2].file, "pm_list_packages_user0.txt");
        assert!(m.entries[2].superseded);
        assert_eq!(m.entries[3].file, "pm_list_packages_user0.2.txt");
        let device = build(&m, "adb:R58N123", &|e| e.command.clone());
        assert_eq!(device.name, "SM-S918B");
        let mut device = device;
        device.settle_identity();
        assert_eq!(device.id, "R58N123");
        assert_eq!(device.id_source, crate::model::IdSource::AdbSerial);
        assert_eq!(device.format, "adb");
        let tiktok = device
            .apps
            .iter()
            .find(|a| a.id == "com.zhiliaoapp.musically")
            .unwrap();
        assert_eq!(tiktok.users.len(), 1);
        assert_eq!(tiktok.users[0].user, 10);
        assert_eq!(tiktok.users[0].profile.as_deref(), Some("Work profile"));
        assert!(tiktok.flags.side_loaded);
        let whatsapp = device.apps.iter().find(|a| a.id == "com.whatsapp").unwrap();
        let users: Vec<(u32, Option<u8>)> =
            whatsapp.users.iter().map(|u| (u.user, u.enabled)).collect();
        assert_eq!(users, [(0, None), (10, Some(2))]);
        assert!(!whatsapp.flags.disabled);
        assert!(!whatsapp.flags.side_loaded);
        assert!(
            device
                .properties
                .contains(&("user.10".to_owned(), "Work profile".to_owned()))
        );
    }

    #[test]
    fn save_and_load_give_the_same_device() {
        let m = sample();
        let dir = tempfile::tempdir().unwrap();
        m.save(dir.path()).unwrap();
        assert!(is_capture_folder(dir.path()));
        let (loaded, errors) = load(dir.path()).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        let live = build(&m, "adb:R58N123", &|e| e.command.clone());
        let ids = |d: &Device| {
            d.apps
                .iter()
                .map(|a| (a.id.clone(), a.users.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&loaded), ids(&live));
        assert_eq!(loaded.name, live.name);
        assert_eq!(loaded.properties, live.properties);

        // A changed output is an error, and the device is still read.
        std::fs::write(dir.path().join("pm_list_users.txt"), "Users:\n").unwrap();
        let (_, errors) = load(dir.path()).unwrap();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.starts_with("changed since the capture"));
    }

    #[test]
    fn foreign_manifest_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(MANIFEST), r#"{"name": "x"}"#).unwrap();
        let err = load(dir.path()).unwrap_err();
        assert!(err.message.starts_with("not an appaudit capture manifest"));
        std::fs::write(
            dir.path().join(MANIFEST),
            r#"{"kind":"x","version":1,"tool":"t","serial":"s","started":"t","entries":[]}"#,
        )
        .unwrap();
        let err = load(dir.path()).unwrap_err();
        assert!(err.message.contains("kind is `x`"), "{}", err.message);
    }

    #[test]
    fn entry_outside_the_folder_is_refused() {
        let mut m = sample();
        m.entries[0].file = "../getprop.txt".into();
        let dir = tempfile::tempdir().unwrap();
        let json = serde_json::to_string(&m).unwrap();
        std::fs::write(dir.path().join(MANIFEST), json).unwrap();
        let (_, errors) = load(dir.path()).unwrap();
        assert!(
            errors
                .iter()
                .any(|e| e.message.contains("not a file inside the folder"))
        );
    }
}
