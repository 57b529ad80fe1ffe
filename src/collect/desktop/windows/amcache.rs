//! `Windows\AppCompat\Programs\Amcache.hve`: `Root\InventoryApplication`, the
//! compatibility appraiser's inventory of installed programs and Store apps.

use super::appx::{common_name, family_name_from_full_name};
use super::hive::SubKey;
use crate::model::{App, Evidence, Platform, UserState};

pub const KEY: &str = r"Root\InventoryApplication";
pub const FORMAT: &str = "amcache";

/// One Amcache inventory entry as an app, or `None` for entries that name no
/// program (`Source=File` rows without a `Name`).
///
/// The id is what the other sources call the same app, so that duplicates merge:
/// the Uninstall subkey name (last part of `RegistryKeyPath`) for programs, the
/// package family name for Store apps, else Amcache's own `ProgramId`.
/// `user` maps a `HKEY_USERS\<SID>\...` key path's SID to the user.
pub fn app(
    key: &SubKey,
    evidence_path: &str,
    user: &dyn Fn(&str) -> Option<UserState>,
) -> Option<App> {
    let v = &key.values;
    let name = v.str("Name")?;
    let source = v.str("Source").unwrap_or_default();
    let registry_path = v.str("RegistryKeyPath");
    let family = v
        .str("PackageFullName")
        .and_then(|f| family_name_from_full_name(&f));
    let uninstall_key = registry_path
        .as_deref()
        .filter(|p| p.to_ascii_lowercase().contains(r"\uninstall\"))
        .and_then(|p| p.rsplit('\\').next())
        .filter(|k| !k.is_empty())
        .map(str::to_string);
    let id = if source.eq_ignore_ascii_case("AppxPackage") {
        family.clone().or(uninstall_key.clone())
    } else {
        uninstall_key.clone().or(family.clone())
    }
    .or_else(|| v.str("ProgramId"))
    .unwrap_or_else(|| key.name.clone());
    let mut app = App::new(
        Platform::Windows,
        id,
        Evidence {
            path: evidence_path.to_string(),
            line: None,
            format: FORMAT.to_string(),
            excerpt: Some(format!(
                "{KEY}\\{} Source={source}{}",
                key.name,
                registry_path
                    .as_deref()
                    .map(|p| format!(" RegistryKeyPath={p}"))
                    .unwrap_or_default()
            )),
        },
    );
    app.name = Some(name);
    app.version = v.str("Version");
    app.publisher = v.str("Publisher").map(|p| {
        if p.starts_with("CN=") || p.starts_with("cn=") {
            common_name(&p)
        } else {
            p
        }
    });
    app.path = v.str("RootDirPath");
    app.flags.system = v
        .str("InboxModernApp")
        .is_some_and(|x| x.eq_ignore_ascii_case("true"));
    if let Some(sid) = registry_path.as_deref().and_then(user_sid) {
        app.users.extend(user(sid));
    }
    Some(app)
}

/// `HKEY_USERS\S-1-5-21-...\Software\...` -> `S-1-5-21-...`.
fn user_sid(path: &str) -> Option<&str> {
    let mut parts = path.split('\\');
    let hive = parts.next()?;
    if !(hive.eq_ignore_ascii_case("HKEY_USERS") || hive.eq_ignore_ascii_case("HKU")) {
        return None;
    }
    parts.next().filter(|s| s.starts_with("S-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sids_from_key_paths() {
        assert_eq!(
            user_sid(r"HKEY_USERS\S-1-5-21-1-2-3-1000\Software\Microsoft"),
            Some("S-1-5-21-1-2-3-1000")
        );
        assert_eq!(user_sid(r"HKEY_LOCAL_MACHINE\Software"), None);
    }
}
