//! Tests on real hives (the team's shared third-party fixtures) and on the
//! crate's own Windows root under `fixtures/windows/root`.

use super::*;
use crate::test_support::{own_fixture, shared_fixture};
use std::io::BufReader;

const REGIPY: &str = "desktop/third_party/regipy/windows";

/// Decompresses a shared `.xz` fixture to `dest` (creating its folders).
fn unxz(fixture: &str, dest: &Path) -> bool {
    let Some(src) = shared_fixture(fixture) else {
        return false;
    };
    std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
    let mut input = BufReader::new(std::fs::File::open(src).unwrap());
    let mut out = std::fs::File::create(dest).unwrap();
    lzma_rs::xz_decompress(&mut input, &mut out).unwrap();
    true
}

fn app<'a>(found: &'a Gathered, id: &str) -> &'a App {
    found.apps.iter().find(|a| a.id == id).unwrap_or_else(|| {
        panic!(
            "no app `{id}` in {:?}",
            found.apps.iter().map(|a| &a.id).collect::<Vec<_>>()
        )
    })
}

#[test]
fn per_user_uninstall_keys_of_a_logged_off_user() {
    let root = tempfile::tempdir().unwrap();
    let hive = root.path().join("Users/tony/NTUSER.DAT");
    if !unxz(&format!("{REGIPY}/ntuser_software_partial.xz"), &hive) {
        return;
    }
    let found = collect(root.path());
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    let mut ids: Vec<&str> = found.apps.iter().map(|a| a.id.as_str()).collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "OneDriveSetup.exe",
            "Python 3.7.0 (Anaconda3 5.3.0 64-bit)",
            "distorm3-py3.7",
            "gitkraken",
            "{771FD6B0-FA20-440A-A002-3B3BAC16DC50}_is1",
        ]
    );
    let g = app(&found, "gitkraken");
    assert_eq!(g.name.as_deref(), Some("GitKraken"));
    assert_eq!(g.version.as_deref(), Some("5.0.4"));
    assert_eq!(g.publisher.as_deref(), Some("Axosoft, LLC"));
    assert_eq!(
        g.path.as_deref(),
        Some(r"C:\Users\tony\AppData\Local\gitkraken")
    );
    assert_eq!(g.first_install_time.as_deref(), Some("2019-04-10"));
    assert_eq!(g.users.len(), 1);
    assert_eq!(g.users[0].profile.as_deref(), Some("tony"));
    let e = &g.evidence[0];
    assert_eq!(e.path, hive.display().to_string());
    assert_eq!(e.line, None);
    assert_eq!(e.format, "windows-uninstall");
    assert_eq!(
        e.excerpt.as_deref(),
        Some(r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\gitkraken")
    );
    assert_eq!(
        app(&found, "OneDriveSetup.exe").version.as_deref(),
        Some("20.028.0206.0009")
    );
    assert_eq!(
        app(&found, "{771FD6B0-FA20-440A-A002-3B3BAC16DC50}_is1")
            .name
            .as_deref(),
        Some("Microsoft Visual Studio Code (User)")
    );
}

#[test]
fn ntuser_without_uninstall_key_gives_nothing_and_no_error() {
    let root = tempfile::tempdir().unwrap();
    if !unxz(
        &format!("{REGIPY}/NTUSER.DAT.xz"),
        &root.path().join("Users/bob/NTUSER.DAT"),
    ) {
        return;
    }
    let found = collect(root.path());
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    assert!(found.apps.is_empty(), "{:?}", found.apps);
}

#[test]
fn appx_repository_in_usrclass() {
    let root = tempfile::tempdir().unwrap();
    let hive = root
        .path()
        .join("Users/tony/AppData/Local/Microsoft/Windows/UsrClass.dat");
    if !unxz(&format!("{REGIPY}/UsrClass.dat.xz"), &hive) {
        return;
    }
    // The raw repository: 86 package full names.
    let (mut h, _) = hive::open(&hive).unwrap();
    let subkeys = h.subkeys(appx::REPOSITORY).unwrap().unwrap();
    let packages = appx::repository_packages(&subkeys);
    assert_eq!(subkeys.len(), 86);
    assert_eq!(packages.len(), 86);
    assert!(
        packages
            .iter()
            .any(|p| p.full_name == "Microsoft.SkypeApp_12.1811.248.0_x64__kzf8qxf38zg5c")
    );

    // As apps: one per package family (x64 + x86 frameworks are one app).
    let found = collect(root.path());
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    assert_eq!(found.apps.len(), 75);
    let skype = app(&found, "Microsoft.SkypeApp_kzf8qxf38zg5c");
    assert_eq!(skype.version.as_deref(), Some("12.1811.248.0"));
    assert_eq!(skype.name, None, "`@{{...}}` resource names are not shown");
    assert_eq!(
        skype.users[0].user, 1001,
        "RID from the hive's `<SID>_Classes` root"
    );
    assert_eq!(skype.users[0].profile.as_deref(), Some("tony"));
    assert_eq!(skype.evidence[0].format, "windows-appx-repository");
    assert!(skype.evidence[0].excerpt.as_deref().unwrap().ends_with(
        r"AppModel\Repository\Packages\Microsoft.SkypeApp_12.1811.248.0_x64__kzf8qxf38zg5c"
    ));
    assert!(
        app(&found, "Microsoft.WindowsStore_8wekyb3d8bbwe")
            .version
            .is_some()
    );
    let print = app(&found, "Windows.PrintDialog_cw5n1h2txyewy");
    assert!(print.flags.system);
    let vclibs = app(&found, "Microsoft.VCLibs.140.00_8wekyb3d8bbwe");
    assert_eq!(vclibs.evidence.len(), 2);
    let onedrive = app(&found, "microsoft.microsoftskydrive_8wekyb3d8bbwe");
    assert_eq!(onedrive.name.as_deref(), Some("OneDrive"));
}

#[test]
fn amcache_inventory_application() {
    let root = tempfile::tempdir().unwrap();
    let hive = root.path().join("Windows/AppCompat/Programs/Amcache.hve");
    if !unxz(&format!("{REGIPY}/amcache.hve.xz"), &hive) {
        return;
    }
    let (mut h, _) = hive::open(&hive).unwrap();
    assert_eq!(h.subkeys(amcache::KEY).unwrap().unwrap().len(), 74);
    let found = collect(root.path());
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    // One of the 74 entries (`Source=File`) names no program.
    assert_eq!(found.apps.len(), 73);
    let seven = app(&found, "7-Zip");
    assert_eq!(seven.name.as_deref(), Some("7-Zip 16.04 (x64)"));
    assert_eq!(seven.version.as_deref(), Some("16.04"));
    assert_eq!(seven.publisher.as_deref(), Some("Igor Pavlov"));
    assert_eq!(seven.path.as_deref(), Some(r"%programfiles%\7-zip"));
    assert_eq!(seven.evidence[0].format, "amcache");
    let wireshark = app(&found, "Wireshark");
    assert!(
        wireshark.evidence[0]
            .excerpt
            .as_deref()
            .unwrap()
            .contains("Wow6432Node")
    );
    let onedrive = app(&found, "OneDriveSetup.exe");
    assert_eq!(onedrive.users[0].user, 1000);
    let messaging = app(&found, "Microsoft.Messaging_8wekyb3d8bbwe");
    assert_eq!(
        messaging.publisher.as_deref(),
        Some("Microsoft Corporation")
    );
    assert!(messaging.flags.system);
}

#[test]
fn store_manifest_in_windows_apps() {
    let Some(src) = shared_fixture(
        "desktop/third_party/DebugView-Store-Portable/windows/Microsoft.WinDbg/AppxManifest.xml",
    ) else {
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let dir = root
        .path()
        .join("Program Files/WindowsApps/Microsoft.WinDbg_1.2306.12001.0_x64__8wekyb3d8bbwe");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(src, dir.join("AppxManifest.xml")).unwrap();
    // A folder without a manifest and a broken manifest.
    std::fs::create_dir_all(root.path().join("Program Files/WindowsApps/Deleted")).unwrap();
    let bad = root
        .path()
        .join("Program Files/WindowsApps/Broken_1.0.0.0_x64__0000000000000");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join("AppxManifest.xml"), "<Package><Identity").unwrap();
    let found = collect(root.path());
    assert_eq!(found.apps.len(), 1);
    let a = &found.apps[0];
    assert_eq!(a.id, "Microsoft.WinDbg_8wekyb3d8bbwe");
    assert_eq!(a.name.as_deref(), Some("WinDbg"));
    assert_eq!(a.version.as_deref(), Some("1.2306.12001.0"));
    assert_eq!(found.errors.len(), 1);
    assert!(found.errors[0].path.ends_with("AppxManifest.xml"));
    assert!(found.errors[0].path.contains("Broken_"));
}

#[test]
fn unreadable_hive_is_an_error_naming_it_and_the_rest_goes_on() {
    let root = tempfile::tempdir().unwrap();
    let config = root.path().join("Windows/System32/config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("SOFTWARE"), b"not a hive").unwrap();
    let ok = root.path().join("Users/tony/NTUSER.DAT");
    if !unxz(&format!("{REGIPY}/ntuser_software_partial.xz"), &ok) {
        return;
    }
    let found = collect(root.path());
    assert_eq!(found.errors.len(), 1, "{:?}", found.errors);
    assert!(found.errors[0].path.ends_with("SOFTWARE"));
    assert_eq!(found.apps.len(), 5);
}

#[test]
fn paths_resolve_case_insensitively_and_not_through_links() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("WINDOWS/system32/Config")).unwrap();
    std::fs::write(root.path().join("WINDOWS/system32/Config/software"), b"x").unwrap();
    let p = resolve(root.path(), &["Windows", "System32", "config", "SOFTWARE"]).unwrap();
    assert!(p.ends_with("WINDOWS/system32/Config/software"));
    std::fs::create_dir_all(root.path().join("Users/alice")).unwrap();
    assert_eq!(
        resolve_windows_path(root.path(), r"%SystemDrive%\Users\alice"),
        Some(root.path().join("Users/alice"))
    );
    assert_eq!(
        resolve_windows_path(root.path(), r"C:\Users\alice"),
        Some(root.path().join("Users/alice"))
    );
    assert_eq!(resolve_windows_path(root.path(), r"D:\Users\alice"), None);
    assert_eq!(
        resolve_windows_path(root.path(), r"C:\Users\..\..\etc"),
        None
    );
    #[cfg(unix)]
    {
        let outside = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(outside.path().join("x")).unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("Users/evil")).unwrap();
        assert_eq!(resolve(root.path(), &["Users", "evil", "x"]), None);
        let users = discover_users(root.path(), &[]);
        assert_eq!(
            users.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(),
            ["alice"]
        );
    }
}

#[test]
fn own_fixture_root() {
    let root = own_fixture("windows/root");
    let found = collect(&root);
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    let wechat = app(&found, "WeChat");
    assert_eq!(wechat.publisher.as_deref(), Some("腾讯科技(深圳)有限公司"));
    assert!(
        wechat.evidence[0]
            .excerpt
            .as_deref()
            .unwrap()
            .starts_with(r"HKLM\SOFTWARE\WOW6432Node\")
    );
    let capcut = app(&found, "CapCut");
    assert_eq!(capcut.users[0].profile.as_deref(), Some("alice"));
    assert_eq!(capcut.users[0].user, 1001);
    assert!(found.apps.iter().all(|a| a.id != "HiddenComponent"));
    assert!(found.apps.iter().all(|a| a.id != "NoDisplayName"));
}
