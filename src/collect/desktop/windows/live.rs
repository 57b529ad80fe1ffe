//! Live Windows: the registry API for the machine hive and every loaded user
//! hive (`HKEY_USERS\<SID>`), and the files of users who are not logged on.
//!
//! [`collect_live`] is longer than 80 lines on purpose: it is one ordered sequence of
//! registry reads (machine views, then each loaded user, then users' files) whose
//! order decides which source wins a merge, and it is built and tested only on
//! Windows; split into parts, that order would no longer read top to bottom.

use super::hive::{SubKey, Val, Values};
use super::{Gathered, Profile, amcache_hve, appx, collect_user_files, uninstall, windows_apps};
use crate::collect::InputError;
use crate::model::UserState;
use std::path::{Path, PathBuf};
use winreg::RegKey;
use winreg::enums::{
    HKEY_LOCAL_MACHINE, HKEY_USERS, KEY_READ, KEY_WOW64_32KEY, KEY_WOW64_64KEY, REG_DWORD,
    REG_EXPAND_SZ, REG_MULTI_SZ, REG_QWORD, REG_SZ,
};
use winreg::types::FromRegValue;

const MAX_SUBKEYS: usize = 100_000;

/// Scans the Windows machine appaudit runs on.
pub fn collect_live() -> Gathered {
    let mut found = Gathered::default();
    let hklm = RegKey::predef(HKEY_LOCAL_MACHINE);
    for (key, value, property) in [
        (
            r"SOFTWARE\Microsoft\Cryptography",
            "MachineGuid",
            "machine_guid",
        ),
        (
            r"SYSTEM\CurrentControlSet\Control\ComputerName\ComputerName",
            "ComputerName",
            "computer_name",
        ),
    ] {
        let read = hklm
            .open_subkey_with_flags(key, KEY_READ | KEY_WOW64_64KEY)
            .and_then(|k| k.get_value::<String, _>(value));
        if let Ok(text) = read {
            found.properties.push((property.to_owned(), text));
        }
    }
    let machine_key = format!(r"SOFTWARE\{}", uninstall::MACHINE_64);
    for (flag, shown) in [
        (
            KEY_WOW64_64KEY,
            format!(r"HKLM\SOFTWARE\{}", uninstall::MACHINE_64),
        ),
        (
            KEY_WOW64_32KEY,
            format!(r"HKLM\SOFTWARE\{}", uninstall::MACHINE_32),
        ),
    ] {
        uninstall_key(
            &hklm,
            &machine_key,
            flag,
            r"HKLM\SOFTWARE",
            &shown,
            None,
            &mut found,
        );
    }

    let profiles = profile_list(&hklm);
    let hku = RegKey::predef(HKEY_USERS);
    let loaded: Vec<String> = hku
        .enum_keys()
        .flatten()
        .filter(|k| k.starts_with("S-") && !k.ends_with("_Classes"))
        .collect();
    for sid in &loaded {
        let profile = profiles
            .iter()
            .find(|(s, _)| s.eq_ignore_ascii_case(sid))
            .and_then(|(_, image)| image.rsplit('\\').next().map(str::to_string));
        let state = UserState {
            user: super::rid(sid).unwrap_or(0),
            installed: Some(true),
            profile: profile.or_else(|| Some(sid.clone())),
            ..UserState::default()
        };
        let root = format!(r"HKU\{sid}");
        uninstall_key(
            &hku,
            &format!(r"{sid}\{}", uninstall::USER),
            KEY_WOW64_64KEY,
            &root,
            &format!(r"{root}\{}", uninstall::USER),
            Some(state.clone()),
            &mut found,
        );
        let classes = format!(r"{sid}_Classes\{}", appx::REPOSITORY);
        if let Some(subkeys) = subkeys(&hku, &classes, KEY_WOW64_64KEY, &root, &mut found) {
            let packages = appx::repository_packages(&subkeys);
            found.apps.extend(appx::repository_apps(
                &packages,
                &format!(r"HKU\{sid}_Classes"),
                &format!(r"HKU\{sid}_Classes\{}", appx::REPOSITORY),
                Some(state),
            ));
        }
    }

    // Users who are not logged on: their hive files, read offline.
    let system_drive = std::env::var("SystemDrive").unwrap_or_else(|_| "C:".to_string());
    let root = PathBuf::from(format!(r"{system_drive}\"));
    let mut users = Vec::new();
    for (sid, image) in &profiles {
        let dir = PathBuf::from(expand(image, &system_drive));
        let name = image.rsplit('\\').next().unwrap_or(sid).to_string();
        users.push(Profile {
            name,
            dir,
            sid: Some(sid.clone()),
        });
    }
    for (index, user) in users.iter().enumerate() {
        let logged_on = user
            .sid
            .as_deref()
            .is_some_and(|s| loaded.iter().any(|l| l.eq_ignore_ascii_case(s)));
        if !logged_on && user.dir.is_dir() {
            collect_user_files(user, index, &mut found);
        }
    }

    // Store packages on disk and Amcache are cross-checks: on a live machine
    // WindowsApps needs administrator rights and Amcache is held open by Windows.
    let mut extra = Gathered::default();
    windows_apps(&root, &mut extra);
    amcache_hve(&root, &users, &profiles, &mut extra);
    found.apps.extend(extra.apps);
    found.warnings.extend(extra.warnings);
    found.warnings.extend(
        extra
            .errors
            .into_iter()
            .map(|e| format!("{e} (not read on this live system)")),
    );
    found
}

/// Whether `root` is the drive this Windows runs from (`C:\`, `C:`, `\\?\C:\`).
pub(super) fn is_system_root(root: &Path) -> bool {
    let drive = std::env::var("SystemDrive").unwrap_or_else(|_| "C:".to_string());
    let canonical = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let text = canonical.to_string_lossy().to_ascii_lowercase();
    let text = text
        .trim_start_matches(r"\\?\")
        .trim_end_matches(['\\', '/']);
    text == drive.to_ascii_lowercase().trim_end_matches(['\\', '/'])
}

/// `%SystemDrive%\Users\x` -> `C:\Users\x`.
fn expand(path: &str, system_drive: &str) -> String {
    let lower = path.to_ascii_lowercase();
    match lower.strip_prefix("%systemdrive%") {
        Some(rest) => format!("{system_drive}{}", &path[path.len() - rest.len()..]),
        None => path.to_string(),
    }
}

/// SID -> ProfileImagePath of the accounts (service accounts left out).
fn profile_list(hklm: &RegKey) -> Vec<(String, String)> {
    let Ok(list) = hklm.open_subkey_with_flags(
        r"SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList",
        KEY_READ | KEY_WOW64_64KEY,
    ) else {
        return Vec::new();
    };
    list.enum_keys()
        .flatten()
        .filter(|s| {
            s.starts_with("S-") && !matches!(s.as_str(), "S-1-5-18" | "S-1-5-19" | "S-1-5-20")
        })
        .filter_map(|sid| {
            let key = list.open_subkey_with_flags(&sid, KEY_READ).ok()?;
            let image: String = key.get_value("ProfileImagePath").ok()?;
            Some((sid, image))
        })
        .collect()
}

/// The subkeys (with values) of `path` under `base`; `None` when absent.
fn subkeys(
    base: &RegKey,
    path: &str,
    flag: u32,
    evidence_root: &str,
    found: &mut Gathered,
) -> Option<Vec<SubKey>> {
    let key = match base.open_subkey_with_flags(path, KEY_READ | flag) {
        Ok(k) => k,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            found.errors.push(InputError::new(
                Path::new(&format!(r"{evidence_root}\{path}")),
                format!("cannot open registry key: {e}"),
            ));
            return None;
        }
    };
    let mut out = Vec::new();
    for name in key.enum_keys().flatten().take(MAX_SUBKEYS) {
        let Ok(sub) = key.open_subkey_with_flags(&name, KEY_READ | flag) else {
            continue;
        };
        let mut values = Values::default();
        for (vname, value) in sub.enum_values().flatten() {
            let val = match value.vtype {
                REG_SZ | REG_EXPAND_SZ | REG_MULTI_SZ => String::from_reg_value(&value)
                    .map(|s| Val::Str(s.lines().next().unwrap_or("").to_string()))
                    .unwrap_or(Val::Other),
                REG_DWORD => u32::from_reg_value(&value)
                    .map(|n| Val::Num(u64::from(n)))
                    .unwrap_or(Val::Other),
                REG_QWORD => u64::from_reg_value(&value)
                    .map(Val::Num)
                    .unwrap_or(Val::Other),
                _ => Val::Other,
            };
            values.insert(&vname, val);
        }
        out.push(SubKey { name, values });
    }
    Some(out)
}

fn uninstall_key(
    base: &RegKey,
    path: &str,
    flag: u32,
    evidence_root: &str,
    shown: &str,
    user: Option<UserState>,
    found: &mut Gathered,
) {
    let Some(subkeys) = subkeys(base, path, flag, evidence_root, found) else {
        return;
    };
    for sub in subkeys {
        let excerpt = format!(r"{shown}\{}", sub.name);
        if let Ok(app) =
            uninstall::app(&sub.name, &sub.values, evidence_root, excerpt, user.clone())
        {
            found.apps.push(app);
        }
    }
}
