//! Windows: installed programs from the SOFTWARE hive (64- and 32-bit Uninstall
//! keys), every user's NTUSER.DAT and UsrClass.dat, Store/MSIX manifests, and
//! Amcache; live through the registry API on Windows.
//!
//! Offline, everything is read from the files under a root folder (a mounted
//! image or a copied tree), so it works on any host. Each source returns its
//! own apps with precise evidence; the same app seen by two sources is merged
//! by the caller. See `docs/windows.md`.

mod amcache;
mod appx;
mod hive;
#[cfg(windows)]
mod live;
mod uninstall;

pub use appx::{family_name_from_full_name, parse_manifest, publisher_id};
#[cfg(windows)]
pub use live::collect_live;

use super::Gathered;
use crate::collect::InputError;
use crate::model::{App, UserState};
use hive::Hive;
use std::path::{Path, PathBuf};

/// User folders under `Users` that are not accounts.
const NOT_ACCOUNTS: [&str; 4] = ["public", "default", "default user", "all users"];

/// At most this many user profiles and WindowsApps packages are read.
const MAX_USERS: usize = 10_000;
const MAX_PACKAGES: usize = 100_000;

/// Reads a Windows root folder (the folder holding `Windows\`, `Users\`, `Program Files\`).
///
/// On Windows, when `root` is the running system's own drive (`%SystemDrive%\`),
/// its hives are held open by the system, so this reads the live registry
/// instead ([`collect_live`]).
pub fn collect(root: &Path) -> Gathered {
    #[cfg(windows)]
    if live::is_system_root(root) {
        return collect_live();
    }
    let mut found = Gathered::default();
    let mut profiles = Vec::new();
    match resolve(root, &["Windows", "System32", "config", "SOFTWARE"]) {
        Some(path) => {
            if let Some(mut hive) = open_hive(&path, &mut found) {
                machine_uninstall(&mut hive, &path, &mut found);
                profiles = profile_list(&mut hive);
                if let Some(guid) = key_value(&mut hive, "Microsoft", "Cryptography", "MachineGuid")
                {
                    found.properties.push(("machine_guid".to_owned(), guid));
                }
            }
        }
        None => found.warnings.push(format!(
            "{}: no Windows/System32/config/SOFTWARE hive: machine-wide programs not read",
            root.display()
        )),
    }
    computer_name(root, &mut found);
    let users = discover_users(root, &profiles);
    for (index, user) in users.iter().enumerate() {
        collect_user_files(user, index, &mut found);
    }
    windows_apps(root, &mut found);
    amcache_hve(root, &users, &profiles, &mut found);
    found
}

/// A user profile folder and what is known of its account.
#[derive(Clone, Debug)]
pub(crate) struct Profile {
    /// The folder name (`alice`), shown as the user's profile.
    pub name: String,
    pub dir: PathBuf,
    pub sid: Option<String>,
}

impl Profile {
    /// The account's RID (last part of its SID) when known, else `1 + index`.
    fn state(&self, sid: Option<&str>, index: usize) -> UserState {
        UserState {
            user: sid
                .or(self.sid.as_deref())
                .and_then(rid)
                .unwrap_or(u32::try_from(index + 1).unwrap_or(u32::MAX)),
            installed: Some(true),
            profile: Some(self.name.clone()),
            ..UserState::default()
        }
    }
}

/// `S-1-5-21-...-1001` -> 1001.
fn rid(sid: &str) -> Option<u32> {
    sid.rsplit('-').next()?.parse().ok()
}

/// Opens a hive, recording its warnings, or records the error naming it.
fn open_hive(path: &Path, found: &mut Gathered) -> Option<Hive> {
    match hive::open(path) {
        Ok((hive, warnings)) => {
            found.warnings.extend(warnings);
            Some(hive)
        }
        Err(e) => {
            found.errors.push(InputError::new(
                path,
                format!("cannot read registry hive: {e}"),
            ));
            None
        }
    }
}

/// The string value `value` of the key `key` under `parent` in a hive.
fn key_value(hive: &mut Hive, parent: &str, key: &str, value: &str) -> Option<String> {
    let subkeys = hive.subkeys(parent).ok()??;
    let found = subkeys.iter().find(|k| k.name.eq_ignore_ascii_case(key))?;
    found.values.str(value).filter(|v| !v.trim().is_empty())
}

/// The computer's name, from the SYSTEM hive's first control set (read only when
/// the hive is there: a missing SYSTEM hive is no error, the name is then unknown).
fn computer_name(root: &Path, found: &mut Gathered) {
    let Some(path) = resolve(root, &["Windows", "System32", "config", "SYSTEM"]) else {
        return;
    };
    let Some(mut hive) = open_hive(&path, found) else {
        return;
    };
    for set in ["ControlSet001", "ControlSet002"] {
        let parent = format!(r"{set}\Control\ComputerName");
        if let Some(name) = key_value(&mut hive, &parent, "ComputerName", "ComputerName") {
            found.properties.push(("computer_name".to_owned(), name));
            return;
        }
    }
}

/// The 64- and 32-bit Uninstall keys of the SOFTWARE hive.
fn machine_uninstall(hive: &mut Hive, path: &Path, found: &mut Gathered) {
    for key in [uninstall::MACHINE_64, uninstall::MACHINE_32] {
        uninstall_key(
            hive,
            path,
            key,
            &format!(r"HKLM\SOFTWARE\{key}"),
            None,
            found,
        );
    }
}

/// Every program under one Uninstall key of a hive.
fn uninstall_key(
    hive: &mut Hive,
    path: &Path,
    key: &str,
    shown_key: &str,
    user: Option<UserState>,
    found: &mut Gathered,
) -> usize {
    let subkeys = match hive.subkeys(key) {
        Ok(Some(s)) => s,
        Ok(None) => return 0,
        Err(e) => {
            found.errors.push(InputError::new(path, e));
            return 0;
        }
    };
    let before = found.apps.len();
    let evidence_path = path.display().to_string();
    for sub in subkeys {
        let excerpt = format!(r"{shown_key}\{}", sub.name);
        if let Ok(app) = uninstall::app(
            &sub.name,
            &sub.values,
            &evidence_path,
            excerpt,
            user.clone(),
        ) {
            found.apps.push(app);
        }
    }
    found.apps.len() - before
}

/// `SID -> ProfileImagePath` of the accounts in the SOFTWARE hive's ProfileList
/// (service accounts left out).
fn profile_list(hive: &mut Hive) -> Vec<(String, String)> {
    let Ok(Some(subkeys)) = hive.subkeys(r"Microsoft\Windows NT\CurrentVersion\ProfileList") else {
        return Vec::new();
    };
    subkeys
        .into_iter()
        .filter(|k| {
            k.name.starts_with("S-")
                && !matches!(k.name.as_str(), "S-1-5-18" | "S-1-5-19" | "S-1-5-20")
        })
        .filter_map(|k| Some((k.name.clone(), k.values.str("ProfileImagePath")?)))
        .collect()
}

/// The user folders of a root: every folder under `Users` (logged-off users
/// too: only files are read) and every ProfileList folder found inside the root.
pub(crate) fn discover_users(root: &Path, profiles: &[(String, String)]) -> Vec<Profile> {
    let mut users: Vec<Profile> = Vec::new();
    if let Some(dir) = resolve(root, &["Users"]) {
        let mut entries: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_type().map(|t| t.is_dir()).unwrap_or(false))
            .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
            .filter(|(n, _)| !NOT_ACCOUNTS.contains(&n.to_ascii_lowercase().as_str()))
            .collect();
        entries.sort();
        users.extend(entries.into_iter().map(|(name, dir)| Profile {
            name,
            dir,
            sid: None,
        }));
    }
    for (sid, image) in profiles {
        let Some(dir) = resolve_windows_path(root, image) else {
            continue;
        };
        let same = |p: &Profile| {
            p.dir == dir
                || (p.dir.parent() == dir.parent()
                    && p.name.eq_ignore_ascii_case(
                        &dir.file_name().unwrap_or_default().to_string_lossy(),
                    ))
        };
        match users.iter_mut().find(|p| same(p)) {
            Some(p) => p.sid = Some(sid.clone()),
            None => users.push(Profile {
                name: dir
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                dir,
                sid: Some(sid.clone()),
            }),
        }
    }
    users.truncate(MAX_USERS);
    users
}

/// One user's UsrClass.dat (AppX repository) and NTUSER.DAT (Uninstall keys).
pub(crate) fn collect_user_files(user: &Profile, index: usize, found: &mut Gathered) {
    let mut sid = user.sid.clone();
    let usrclass = resolve(
        &user.dir,
        &["AppData", "Local", "Microsoft", "Windows", "UsrClass.dat"],
    );
    if let Some(path) = usrclass
        && let Some(mut hive) = open_hive(&path, found)
    {
        // The root key is `<SID>_Classes`: the account, when ProfileList did not say.
        if sid.is_none() {
            sid = hive
                .root_name
                .strip_suffix("_Classes")
                .filter(|s| s.starts_with("S-"))
                .map(str::to_string);
        }
        let shown = format!(
            r"{}\Software\Classes\{}",
            user_hive_name(sid.as_deref()),
            appx::REPOSITORY
        );
        match hive.subkeys(appx::REPOSITORY) {
            Ok(Some(subkeys)) => {
                let packages = appx::repository_packages(&subkeys);
                let state = user.state(sid.as_deref(), index);
                found.apps.extend(appx::repository_apps(
                    &packages,
                    &path.display().to_string(),
                    &shown,
                    Some(state),
                ));
            }
            Ok(None) => {}
            Err(e) => found.errors.push(InputError::new(&path, e)),
        }
    }
    if let Some(path) = resolve(&user.dir, &["NTUSER.DAT"])
        && let Some(mut hive) = open_hive(&path, found)
    {
        let state = user.state(sid.as_deref(), index);
        user_uninstall(&mut hive, &path, sid.as_deref(), state, found);
    }
}

/// `HKU\<SID>` when the account is known, else `HKCU`.
fn user_hive_name(sid: Option<&str>) -> String {
    sid.map(|s| format!(r"HKU\{s}"))
        .unwrap_or_else(|| "HKCU".to_string())
}

/// A user hive's Uninstall key. A hive whose root is the user's `Software` key
/// (an export of that key alone) is read too.
fn user_uninstall(
    hive: &mut Hive,
    path: &Path,
    sid: Option<&str>,
    state: UserState,
    found: &mut Gathered,
) {
    let shown = format!(r"{}\{}", user_hive_name(sid), uninstall::USER);
    let key = if hive.root_name.eq_ignore_ascii_case("Software") {
        uninstall::USER.trim_start_matches(r"Software\")
    } else {
        uninstall::USER
    };
    uninstall_key(hive, path, key, &shown, Some(state), found);
}

/// `Program Files\WindowsApps\*\AppxManifest.xml`: Store/MSIX packages staged on
/// the machine, one app per package family (resource packs left out).
fn windows_apps(root: &Path, found: &mut Gathered) {
    let Some(dir) = resolve(root, &["Program Files", "WindowsApps"]) else {
        return;
    };
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) => {
            found.errors.push(InputError::new(
                &dir,
                format!("cannot list Store packages: {e}"),
            ));
            return;
        }
    };
    let mut dirs: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_type().map(|t| t.is_dir()).unwrap_or(false))
        .map(|e| e.path())
        .collect();
    dirs.sort();
    let mut apps: Vec<App> = Vec::new();
    for package in dirs.into_iter().take(MAX_PACKAGES) {
        let Some(manifest) = resolve(&package, &["AppxManifest.xml"]) else {
            continue;
        };
        match appx::manifest_app(&manifest, &package) {
            Ok(Some(app)) => match apps.iter_mut().find(|a| a.id == app.id) {
                Some(existing) => {
                    if appx::newer(
                        app.version.as_deref().unwrap_or(""),
                        existing.version.as_deref(),
                    ) {
                        existing.version = app.version.clone();
                        existing.path = app.path.clone();
                    }
                    existing.evidence.extend(app.evidence);
                }
                None => apps.push(app),
            },
            Ok(None) => {}
            Err(e) => found.errors.push(InputError::new(
                &manifest,
                format!("cannot read package manifest: {e}"),
            )),
        }
    }
    found.apps.extend(apps);
}

/// `Windows\AppCompat\Programs\Amcache.hve` `Root\InventoryApplication`.
fn amcache_hve(
    root: &Path,
    users: &[Profile],
    profiles: &[(String, String)],
    found: &mut Gathered,
) {
    let Some(path) = resolve(root, &["Windows", "AppCompat", "Programs", "Amcache.hve"]) else {
        return;
    };
    let Some(mut hive) = open_hive(&path, found) else {
        return;
    };
    let subkeys = match hive.subkeys(amcache::KEY) {
        Ok(Some(s)) => s,
        Ok(None) => return,
        Err(e) => {
            found.errors.push(InputError::new(&path, e));
            return;
        }
    };
    let user = |sid: &str| -> Option<UserState> {
        if let Some((i, p)) = users.iter().enumerate().find(|(_, p)| {
            p.sid
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case(sid))
        }) {
            return Some(p.state(Some(sid), i));
        }
        // A profile no longer on disk: the folder name from ProfileList, if any.
        let profile = profiles
            .iter()
            .find(|(s, _)| s.eq_ignore_ascii_case(sid))
            .and_then(|(_, image)| image.rsplit('\\').next().map(str::to_string));
        Some(UserState {
            user: rid(sid)?,
            installed: Some(true),
            profile,
            ..UserState::default()
        })
    };
    let evidence_path = path.display().to_string();
    for sub in &subkeys {
        if let Some(app) = amcache::app(sub, &evidence_path, &user) {
            found.apps.push(app);
        }
    }
}

/// `root/a/b/c`, each part matched case-insensitively (images copied to Linux
/// keep Windows' mixed case), never through a symbolic link.
pub(crate) fn resolve(root: &Path, parts: &[&str]) -> Option<PathBuf> {
    let mut path = root.to_path_buf();
    for part in parts {
        let exact = path.join(part);
        path = match std::fs::symlink_metadata(&exact) {
            Ok(m) if !m.file_type().is_symlink() => exact,
            Ok(_) => return None,
            Err(_) => std::fs::read_dir(&path)
                .ok()?
                .flatten()
                .find(|e| {
                    e.file_name().to_string_lossy().eq_ignore_ascii_case(part)
                        && e.file_type().map(|t| !t.is_symlink()).unwrap_or(false)
                })?
                .path(),
        };
    }
    Some(path)
}

/// A path as Windows wrote it (`C:\Users\alice`, `%SystemDrive%\Users\alice`)
/// inside `root`, when it is on the system drive.
pub(crate) fn resolve_windows_path(root: &Path, windows: &str) -> Option<PathBuf> {
    let lower = windows.to_ascii_lowercase();
    let rest = if let Some(r) = lower.strip_prefix("%systemdrive%") {
        &windows[windows.len() - r.len()..]
    } else if windows.len() >= 2 && windows.as_bytes()[1] == b':' && lower.starts_with('c') {
        &windows[2..]
    } else {
        return None;
    };
    let parts: Vec<&str> = rest
        .split(['\\', '/'])
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.contains(&"..") || parts.is_empty() {
        return None;
    }
    let resolved = resolve(root, &parts)?;
    resolved.is_dir().then_some(resolved)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
