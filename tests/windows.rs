//! Windows collector on whole machine roots.
//!
//! The hives under `fixtures/windows/root` are written by the small regf writer
//! below (no tool on the team's Linux machines writes real hives). Regenerate
//! them after changing [`fixture_root`] with
//! `APPAUDIT_REGENERATE_WINDOWS_FIXTURES=1 cargo test --test windows`; the test
//! `fixture_root_is_up_to_date` fails when the committed files differ.
#![allow(clippy::unwrap_used)]

mod common;

use appaudit::collect::desktop::windows::collect;
use regf::Key;
use std::path::{Path, PathBuf};

/// A minimal writer of Windows registry hive files (regf 1.5), enough for
/// tests: one hive bin, `nk`/`vk`/`li` cells, no security cells, fixed times.
mod regf {
    /// A key, its values and its subkeys.
    #[derive(Clone, Debug, Default)]
    pub struct Key {
        pub name: String,
        pub values: Vec<(String, Value)>,
        pub subkeys: Vec<Key>,
    }

    #[derive(Clone, Debug)]
    pub enum Value {
        Sz(String),
        ExpandSz(String),
        Dword(u32),
    }

    impl Key {
        pub fn new(name: &str) -> Self {
            Key {
                name: name.to_string(),
                ..Key::default()
            }
        }

        pub fn sz(mut self, name: &str, value: &str) -> Self {
            self.values
                .push((name.to_string(), Value::Sz(value.to_string())));
            self
        }

        pub fn expand_sz(mut self, name: &str, value: &str) -> Self {
            self.values
                .push((name.to_string(), Value::ExpandSz(value.to_string())));
            self
        }

        pub fn dword(mut self, name: &str, value: u32) -> Self {
            self.values.push((name.to_string(), Value::Dword(value)));
            self
        }

        /// Adds `sub` at the `\`-separated path below this key, creating parents.
        pub fn at(mut self, path: &str, sub: Key) -> Self {
            let mut parts = path.split('\\').filter(|p| !p.is_empty());
            match parts.next() {
                None => self.subkeys.push(sub),
                Some(first) => {
                    let rest: Vec<&str> = parts.collect();
                    let i = match self
                        .subkeys
                        .iter()
                        .position(|k| k.name.eq_ignore_ascii_case(first))
                    {
                        Some(i) => i,
                        None => {
                            self.subkeys.push(Key::new(first));
                            self.subkeys.len() - 1
                        }
                    };
                    let child = std::mem::take(&mut self.subkeys[i]);
                    self.subkeys[i] = child.at(&rest.join("\\"), sub);
                }
            }
            self
        }
    }

    /// 2024-01-01T00:00:00Z as a FILETIME.
    const TIME: u64 = 133_485_408_000_000_000;

    fn name_bytes(name: &str) -> (Vec<u8>, bool) {
        if name.chars().all(|c| (c as u32) < 0x80) {
            (name.as_bytes().to_vec(), true)
        } else {
            (
                name.encode_utf16().flat_map(u16::to_le_bytes).collect(),
                false,
            )
        }
    }

    fn put_u16(buf: &mut [u8], at: usize, v: u16) {
        buf[at..at + 2].copy_from_slice(&v.to_le_bytes());
    }
    fn put_u32(buf: &mut [u8], at: usize, v: u32) {
        buf[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }
    fn put_u64(buf: &mut [u8], at: usize, v: u64) {
        buf[at..at + 8].copy_from_slice(&v.to_le_bytes());
    }

    /// Allocates a cell for `size` bytes of data; returns its offset (relative
    /// to the first hive bin) and the offset of its data in `bins`.
    fn alloc(bins: &mut Vec<u8>, size: usize) -> (u32, usize) {
        let total = (size + 4).div_ceil(8) * 8;
        let at = bins.len();
        bins.resize(at + total, 0);
        bins[at..at + 4].copy_from_slice(&(-(total as i32)).to_le_bytes());
        (at as u32, at + 4)
    }

    fn write_key(bins: &mut Vec<u8>, key: &Key, parent: u32, root: bool) -> u32 {
        let (name, compressed) = name_bytes(&key.name);
        let (offset, d) = alloc(bins, 0x4C + name.len());
        bins[d..d + 2].copy_from_slice(b"nk");
        let mut flags = if compressed { 0x20 } else { 0 };
        if root {
            flags |= 0x0C; // KEY_HIVE_ENTRY | KEY_NO_DELETE
        }
        put_u16(bins, d + 0x02, flags);
        put_u64(bins, d + 0x04, TIME);
        put_u32(bins, d + 0x10, parent);
        put_u32(bins, d + 0x1C, u32::MAX);
        put_u32(bins, d + 0x20, u32::MAX);
        put_u32(bins, d + 0x28, u32::MAX);
        put_u32(bins, d + 0x2C, u32::MAX);
        put_u32(bins, d + 0x30, u32::MAX);
        put_u16(bins, d + 0x48, name.len() as u16);
        bins[d + 0x4C..d + 0x4C + name.len()].copy_from_slice(&name);

        // Values.
        if !key.values.is_empty() {
            let mut offsets = Vec::new();
            let (mut max_name, mut max_data) = (0u32, 0u32);
            for (vname, value) in &key.values {
                let (data, kind) = match value {
                    Value::Sz(s) | Value::ExpandSz(s) => {
                        let mut b: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
                        b.extend([0, 0]);
                        (b, if matches!(value, Value::Sz(_)) { 1 } else { 2 })
                    }
                    Value::Dword(n) => (n.to_le_bytes().to_vec(), 4),
                };
                let (vn, vcompressed) = name_bytes(vname);
                max_name = max_name.max(vn.len() as u32);
                max_data = max_data.max(data.len() as u32);
                let (voff, vd) = alloc(bins, 0x14 + vn.len());
                bins[vd..vd + 2].copy_from_slice(b"vk");
                put_u16(bins, vd + 0x02, vn.len() as u16);
                if data.len() <= 4 {
                    put_u32(bins, vd + 0x04, data.len() as u32 | 0x8000_0000);
                    bins[vd + 0x08..vd + 0x08 + data.len()].copy_from_slice(&data);
                } else {
                    put_u32(bins, vd + 0x04, data.len() as u32);
                    let (doff, dd) = alloc(bins, data.len());
                    bins[dd..dd + data.len()].copy_from_slice(&data);
                    put_u32(bins, vd + 0x08, doff);
                }
                put_u32(bins, vd + 0x0C, kind);
                put_u16(bins, vd + 0x10, u16::from(vcompressed));
                bins[vd + 0x14..vd + 0x14 + vn.len()].copy_from_slice(&vn);
                offsets.push(voff);
            }
            let (loff, ld) = alloc(bins, 4 * offsets.len());
            for (i, o) in offsets.iter().enumerate() {
                put_u32(bins, ld + 4 * i, *o);
            }
            put_u32(bins, d + 0x24, offsets.len() as u32);
            put_u32(bins, d + 0x28, loff);
            put_u32(bins, d + 0x3C, max_name);
            put_u32(bins, d + 0x40, max_data);
        }

        // Subkeys, sorted as Windows sorts them (upper case).
        if !key.subkeys.is_empty() {
            let mut subs: Vec<&Key> = key.subkeys.iter().collect();
            subs.sort_by_key(|k| k.name.to_uppercase());
            let mut offsets = Vec::new();
            let mut max_name = 0u32;
            for sub in subs {
                max_name = max_name.max(name_bytes(&sub.name).0.len() as u32);
                offsets.push(write_key(bins, sub, offset, false));
            }
            let (loff, ld) = alloc(bins, 4 + 4 * offsets.len());
            bins[ld..ld + 2].copy_from_slice(b"li");
            put_u16(bins, ld + 2, offsets.len() as u16);
            for (i, o) in offsets.iter().enumerate() {
                put_u32(bins, ld + 4 + 4 * i, *o);
            }
            put_u32(bins, d + 0x14, offsets.len() as u32);
            put_u32(bins, d + 0x1C, loff);
            put_u32(bins, d + 0x34, max_name);
        }
        offset
    }

    /// The bytes of a hive file whose root key is `root`. A `dirty` hive has
    /// unequal sequence numbers, as after a crash with unflushed logs.
    pub fn write(root: &Key, dirty: bool) -> Vec<u8> {
        let mut bins = vec![0u8; 32];
        let root_offset = write_key(&mut bins, root, 0, true);
        let rem = bins.len() % 4096;
        if rem != 0 {
            let free = 4096 - rem;
            let at = bins.len();
            bins.resize(at + free, 0);
            bins[at..at + 4].copy_from_slice(&(free as i32).to_le_bytes());
        }
        let size = bins.len() as u32;
        bins[0..4].copy_from_slice(b"hbin");
        put_u32(&mut bins, 4, 0);
        put_u32(&mut bins, 8, size);
        put_u64(&mut bins, 0x14, TIME);

        let mut base = vec![0u8; 4096];
        base[0..4].copy_from_slice(b"regf");
        put_u32(&mut base, 4, if dirty { 8 } else { 7 });
        put_u32(&mut base, 8, 7);
        put_u64(&mut base, 12, TIME);
        put_u32(&mut base, 0x14, 1);
        put_u32(&mut base, 0x18, 5);
        put_u32(&mut base, 0x1C, 0);
        put_u32(&mut base, 0x20, 1);
        put_u32(&mut base, 0x24, root_offset);
        put_u32(&mut base, 0x28, size);
        put_u32(&mut base, 0x2C, 1);
        let mut sum = 0u32;
        for i in 0..127 {
            sum ^= u32::from_le_bytes(base[i * 4..i * 4 + 4].try_into().unwrap());
        }
        let sum = match sum {
            0 => 1,
            u32::MAX => u32::MAX - 1,
            s => s,
        };
        put_u32(&mut base, 0x1FC, sum);
        base.extend(bins);
        base
    }
}

const SID_ALICE: &str = "S-1-5-21-1111111111-2222222222-3333333333-1001";
const SID_BOB: &str = "S-1-5-21-1111111111-2222222222-3333333333-1002";
const UNINSTALL: &str = r"Microsoft\Windows\CurrentVersion\Uninstall";

fn program(key: &str, name: &str, version: &str, publisher: &str, location: &str) -> Key {
    Key::new(key)
        .sz("DisplayName", name)
        .sz("DisplayVersion", version)
        .sz("Publisher", publisher)
        .sz("InstallLocation", location)
        .sz("UninstallString", &format!(r"{location}\uninstall.exe"))
}

/// The files of `fixtures/windows/root`: relative path -> bytes.
fn fixture_root() -> Vec<(&'static str, Vec<u8>)> {
    let software = Key::new("ROOT")
        .at(
            UNINSTALL,
            program(
                "7-Zip",
                "7-Zip 23.01 (x64)",
                "23.01",
                "Igor Pavlov",
                r"C:\Program Files\7-Zip",
            ),
        )
        .at(
            UNINSTALL,
            program(
                "Kingsoft Office",
                "WPS Office (11.2.0.11513)",
                "11.2.0.11513",
                "Kingsoft Corp.",
                r"C:\Program Files (x86)\Kingsoft\WPS Office",
            ),
        )
        .at(
            UNINSTALL,
            Key::new("HiddenComponent")
                .sz("DisplayName", "Hidden runtime")
                .dword("SystemComponent", 1),
        )
        .at(
            UNINSTALL,
            Key::new("NoDisplayName").sz("UninstallString", r"C:\x\uninst.exe"),
        )
        .at(
            UNINSTALL,
            Key::new("KB5000001")
                .sz("DisplayName", "Update for WPS Office")
                .sz("ParentKeyName", "Kingsoft Office"),
        )
        .at(
            &format!(r"WOW6432Node\{UNINSTALL}"),
            program(
                "WeChat",
                "WeChat",
                "3.9.12.17",
                "腾讯科技(深圳)有限公司",
                r"C:\Program Files (x86)\Tencent\WeChat",
            )
            .sz("InstallDate", "20240105"),
        )
        .at(
            &format!(r"WOW6432Node\{UNINSTALL}"),
            program(
                "Notepad++",
                "Notepad++ (32-bit x86)",
                "8.6.2",
                "Notepad++ Team",
                r"C:\Program Files (x86)\Notepad++",
            ),
        )
        .at(
            r"Microsoft\Windows NT\CurrentVersion\ProfileList",
            Key::new("S-1-5-18").expand_sz(
                "ProfileImagePath",
                r"%systemroot%\system32\config\systemprofile",
            ),
        )
        .at(
            r"Microsoft\Windows NT\CurrentVersion\ProfileList",
            Key::new(SID_ALICE).expand_sz("ProfileImagePath", r"C:\Users\alice"),
        )
        .at(
            r"Microsoft\Windows NT\CurrentVersion\ProfileList",
            Key::new(SID_BOB).expand_sz("ProfileImagePath", r"%SystemDrive%\Users\bob"),
        )
        .at(
            "Microsoft",
            Key::new("Cryptography").sz("MachineGuid", "6f0b1d1e-3c1a-4e2b-9a8f-0c1d2e3f4a5b"),
        );
    let system = Key::new("ROOT").at(
        r"ControlSet001\Control\ComputerName",
        Key::new("ComputerName").sz("ComputerName", "LAPTOP-042"),
    );
    let alice = Key::new("CMI-CreateHive{D43B12B8-09B5-40DB-B4F6-F6DFEB78DAEC}").at(
        &format!(r"Software\{UNINSTALL}"),
        program(
            "CapCut",
            "CapCut",
            "1.3.2.166",
            "Bytedance Pte. Ltd.",
            r"C:\Users\alice\AppData\Local\CapCut",
        ),
    );
    let bob = Key::new("CMI-CreateHive{D43B12B8-09B5-40DB-B4F6-F6DFEB78DAEC}").at(
        &format!(r"Software\{UNINSTALL}"),
        program(
            "{771FD6B0-FA20-440A-A002-3B3BAC16DC50}_is1",
            "Microsoft Visual Studio Code (User)",
            "1.86.0",
            "Microsoft Corporation",
            r"C:\Users\bob\AppData\Local\Programs\Microsoft VS Code",
        ),
    );
    let repo =
        r"Local Settings\Software\Microsoft\Windows\CurrentVersion\AppModel\Repository\Packages";
    let package = |full: &str, display: &str, folder: &str| {
        Key::new(full)
            .sz("PackageID", full)
            .sz("DisplayName", display)
            .sz("PackageRootFolder", folder)
            .dword("SupportedUsers", 1)
    };
    let bob_classes = Key::new(&format!("{SID_BOB}_Classes"))
        .at(
            repo,
            package(
                "BytedancePte.Ltd.TikTok_1.0.61.0_x64__6yccndn6064se",
                "TikTok",
                r"C:\Program Files\WindowsApps\BytedancePte.Ltd.TikTok_1.0.61.0_x64__6yccndn6064se",
            ),
        )
        .at(
            repo,
            package(
                "Microsoft.WindowsCalculator_11.2311.0.0_x64__8wekyb3d8bbwe",
                "@{Microsoft.WindowsCalculator_11.2311.0.0_x64__8wekyb3d8bbwe?ms-resource://Microsoft.WindowsCalculator/Resources/AppStoreName}",
                r"C:\Program Files\WindowsApps\Microsoft.WindowsCalculator_11.2311.0.0_x64__8wekyb3d8bbwe",
            ),
        );
    let amcache = Key::new("{11517B7C-E79D-4e20-961B-75A811715ADD}")
        .at(
            r"Root\InventoryApplication",
            Key::new("00004a7b3c7d0a1b6f2e9d8c7b6a5f4e3d2c1b0a0000")
                .sz("Name", "WeChat")
                .sz("Version", "3.9.12.17")
                .sz("Publisher", "腾讯科技(深圳)有限公司")
                .sz("Source", "AddRemoveProgram")
                .sz(
                    "RegistryKeyPath",
                    r"HKEY_LOCAL_MACHINE\Software\Wow6432Node\Microsoft\Windows\CurrentVersion\Uninstall\WeChat",
                )
                .sz("RootDirPath", r"%programfiles(x86)%\tencent\wechat"),
        )
        .at(
            r"Root\InventoryApplication",
            Key::new("0000d2c1b0a04a7b3c7d0a1b6f2e9d8c7b6a5f4e3d2c")
                .sz("Name", "CapCut")
                .sz("Version", "1.3.2.166")
                .sz("Publisher", "Bytedance Pte. Ltd.")
                .sz("Source", "AddRemoveProgram")
                .sz(
                    "RegistryKeyPath",
                    &format!(r"HKEY_USERS\{SID_ALICE}\Software\Microsoft\Windows\CurrentVersion\Uninstall\CapCut"),
                )
                .sz("RootDirPath", r"%userprofile%\appdata\local\capcut"),
        )
        .at(
            r"Root\InventoryApplication",
            Key::new("0000ffffffffffffffffffffffffffffffffffff0000")
                .sz("Source", "File")
                .sz("RootDirPath", r"%programfiles%\tools"),
        );
    let calculator_manifest = r#"<?xml version="1.0" encoding="utf-8"?>
<Package xmlns="http://schemas.microsoft.com/appx/manifest/foundation/windows10" xmlns:uap="http://schemas.microsoft.com/appx/manifest/uap/windows10" IgnorableNamespaces="uap">
  <Identity Name="Microsoft.WindowsCalculator" Publisher="CN=Microsoft Corporation, O=Microsoft Corporation, L=Redmond, S=Washington, C=US" Version="11.2311.0.0" ProcessorArchitecture="x64" />
  <Properties>
    <DisplayName>ms-resource:AppStoreName</DisplayName>
    <PublisherDisplayName>Microsoft Corporation</PublisherDisplayName>
    <Logo>Assets\CalculatorStoreLogo.png</Logo>
  </Properties>
</Package>
"#;
    vec![
        (
            "Windows/System32/config/SOFTWARE",
            regf::write(&software, false),
        ),
        (
            "Windows/System32/config/SYSTEM",
            regf::write(&system, false),
        ),
        ("Users/alice/NTUSER.DAT", regf::write(&alice, false)),
        ("Users/bob/NTUSER.DAT", regf::write(&bob, false)),
        (
            "Users/bob/AppData/Local/Microsoft/Windows/UsrClass.dat",
            regf::write(&bob_classes, false),
        ),
        (
            "Windows/AppCompat/Programs/Amcache.hve",
            regf::write(&amcache, false),
        ),
        (
            "Program Files/WindowsApps/Microsoft.WindowsCalculator_11.2311.0.0_x64__8wekyb3d8bbwe/AppxManifest.xml",
            calculator_manifest.as_bytes().to_vec(),
        ),
        (
            "Users/Public/Desktop/desktop.ini",
            b"[.ShellClassInfo]\r\n".to_vec(),
        ),
    ]
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/windows/root")
}

#[test]
fn fixture_root_is_up_to_date() {
    let regenerate = std::env::var("APPAUDIT_REGENERATE_WINDOWS_FIXTURES").as_deref() == Ok("1");
    for (rel, bytes) in fixture_root() {
        let path = fixture_dir().join(rel);
        if regenerate {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        }
        let committed = std::fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (regenerate, see the top of tests/windows.rs)",
                path.display()
            )
        });
        assert!(
            committed == bytes,
            "{} differs from what tests/windows.rs generates (regenerate, see the top of tests/windows.rs)",
            path.display()
        );
    }
}

/// `(id, name, version, publisher, source format, profile)` of every app found, sorted.
type Row = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
);

fn rows(root: &Path) -> Vec<Row> {
    let found = collect(root);
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    let mut rows: Vec<Row> = found
        .apps
        .iter()
        .map(|a| {
            (
                a.id.clone(),
                a.name.clone(),
                a.version.clone(),
                a.publisher.clone(),
                a.evidence[0].format.clone(),
                a.users.first().and_then(|u| u.profile.clone()),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn s(x: &str) -> Option<String> {
    Some(x.to_string())
}

#[test]
fn library_reads_every_source_of_the_fixture_root() {
    let rows = rows(&fixture_dir());
    let expected: Vec<Row> = vec![
        (
            "7-Zip".into(),
            s("7-Zip 23.01 (x64)"),
            s("23.01"),
            s("Igor Pavlov"),
            "windows-uninstall".into(),
            None,
        ),
        (
            "BytedancePte.Ltd.TikTok_6yccndn6064se".into(),
            s("TikTok"),
            s("1.0.61.0"),
            None,
            "windows-appx-repository".into(),
            s("bob"),
        ),
        (
            "CapCut".into(),
            s("CapCut"),
            s("1.3.2.166"),
            s("Bytedance Pte. Ltd."),
            "amcache".into(),
            s("alice"),
        ),
        (
            "CapCut".into(),
            s("CapCut"),
            s("1.3.2.166"),
            s("Bytedance Pte. Ltd."),
            "windows-uninstall".into(),
            s("alice"),
        ),
        (
            "Kingsoft Office".into(),
            s("WPS Office (11.2.0.11513)"),
            s("11.2.0.11513"),
            s("Kingsoft Corp."),
            "windows-uninstall".into(),
            None,
        ),
        (
            "Microsoft.WindowsCalculator_8wekyb3d8bbwe".into(),
            None,
            s("11.2311.0.0"),
            None,
            "windows-appx-repository".into(),
            s("bob"),
        ),
        (
            "Microsoft.WindowsCalculator_8wekyb3d8bbwe".into(),
            None,
            s("11.2311.0.0"),
            s("Microsoft Corporation"),
            "appx-manifest".into(),
            None,
        ),
        (
            "Notepad++".into(),
            s("Notepad++ (32-bit x86)"),
            s("8.6.2"),
            s("Notepad++ Team"),
            "windows-uninstall".into(),
            None,
        ),
        (
            "WeChat".into(),
            s("WeChat"),
            s("3.9.12.17"),
            s("腾讯科技(深圳)有限公司"),
            "amcache".into(),
            None,
        ),
        (
            "WeChat".into(),
            s("WeChat"),
            s("3.9.12.17"),
            s("腾讯科技(深圳)有限公司"),
            "windows-uninstall".into(),
            None,
        ),
        (
            "{771FD6B0-FA20-440A-A002-3B3BAC16DC50}_is1".into(),
            s("Microsoft Visual Studio Code (User)"),
            s("1.86.0"),
            s("Microsoft Corporation"),
            "windows-uninstall".into(),
            s("bob"),
        ),
    ];
    assert_eq!(rows, expected);
}

#[test]
fn evidence_and_users_are_precise() {
    let found = collect(&fixture_dir());
    let wechat = found
        .apps
        .iter()
        .find(|a| a.id == "WeChat" && a.evidence[0].format == "windows-uninstall")
        .unwrap();
    assert!(
        wechat.evidence[0]
            .path
            .ends_with("Windows/System32/config/SOFTWARE")
    );
    assert_eq!(
        wechat.evidence[0].excerpt.as_deref(),
        Some(r"HKLM\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\WeChat")
    );
    assert_eq!(wechat.first_install_time.as_deref(), Some("2024-01-05"));
    let capcut = found
        .apps
        .iter()
        .find(|a| a.id == "CapCut" && a.evidence[0].format == "windows-uninstall")
        .unwrap();
    assert!(capcut.evidence[0].path.ends_with("Users/alice/NTUSER.DAT"));
    assert_eq!(
        capcut.evidence[0].excerpt.as_deref(),
        Some(
            r"HKU\S-1-5-21-1111111111-2222222222-3333333333-1001\Software\Microsoft\Windows\CurrentVersion\Uninstall\CapCut"
        )
    );
    assert_eq!(capcut.users[0].user, 1001);
    let calc = found
        .apps
        .iter()
        .find(|a| a.evidence[0].format == "appx-manifest")
        .unwrap();
    assert_eq!(calc.evidence[0].line, Some(3));
}

/// Copies the fixture root into a temp dir so a test can change it.
fn scratch_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, bytes) in fixture_root() {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    dir
}

#[test]
fn dirty_hive_without_logs_is_read_with_a_warning() {
    let root = scratch_root();
    let hive = root.path().join("Users/alice/NTUSER.DAT");
    let key = Key::new("ROOT").at(
        &format!(r"Software\{UNINSTALL}"),
        program("CapCut", "CapCut", "1.0", "Bytedance Pte. Ltd.", r"C:\x"),
    );
    std::fs::write(&hive, regf::write(&key, true)).unwrap();
    let found = collect(root.path());
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    assert!(
        found
            .apps
            .iter()
            .any(|a| a.id == "CapCut" && a.version.as_deref() == Some("1.0"))
    );
    assert!(
        found
            .warnings
            .iter()
            .any(|w| w.contains("NTUSER.DAT") && w.contains("dirty")),
        "{:?}",
        found.warnings
    );

    // A broken transaction log beside it: still read, and said so.
    std::fs::write(
        root.path().join("Users/alice/ntuser.dat.LOG1"),
        vec![7u8; 600],
    )
    .unwrap();
    let found = collect(root.path());
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    assert!(
        found
            .apps
            .iter()
            .any(|a| a.id == "CapCut" && a.version.as_deref() == Some("1.0"))
    );
}

#[test]
fn broken_hives_are_errors_naming_them_and_the_rest_is_read() {
    let root = scratch_root();
    let software = root.path().join("Windows/System32/config/SOFTWARE");
    let mut bytes = std::fs::read(&software).unwrap();
    bytes.truncate(4096 + 64);
    std::fs::write(&software, &bytes).unwrap();
    std::fs::write(root.path().join("Users/bob/NTUSER.DAT"), b"garbage").unwrap();
    let found = collect(root.path());
    let paths: Vec<&str> = found.errors.iter().map(|e| e.path.as_str()).collect();
    assert!(
        paths.iter().any(|p| p.ends_with("Users/bob/NTUSER.DAT")),
        "{paths:?}"
    );
    assert!(found.apps.iter().any(|a| a.id == "CapCut"));
    assert!(
        found
            .apps
            .iter()
            .any(|a| a.id == "BytedancePte.Ltd.TikTok_6yccndn6064se")
    );
    // No machine programs from the truncated SOFTWARE hive, and no panic.
    assert!(found.apps.iter().all(|a| a.id != "Notepad++"));
}

#[test]
fn non_ascii_key_names_and_mixed_case_folders() {
    let dir = tempfile::tempdir().unwrap();
    let key = Key::new("ROOT").at(
        UNINSTALL,
        program("微信", "微信", "4.0.0", "腾讯科技(深圳)有限公司", r"C:\x"),
    );
    let p = dir.path().join("WINDOWS/system32/CONFIG/software");
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, regf::write(&key, false)).unwrap();
    let found = collect(dir.path());
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    assert_eq!(found.apps.len(), 1);
    assert_eq!(found.apps[0].id, "微信");
    assert_eq!(found.apps[0].name.as_deref(), Some("微信"));
}

#[test]
fn empty_folder_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let found = collect(dir.path());
    assert!(found.errors.is_empty());
    assert!(found.apps.is_empty());
}

#[test]
fn shared_real_hives_in_a_root() {
    // The real per-user hive of the regipy fixtures, as a logged-off user's NTUSER.DAT.
    let Some(xz) =
        common::shared_fixture("desktop/third_party/regipy/windows/ntuser_software_partial.xz")
    else {
        return;
    };
    let root = scratch_root();
    let dest = root.path().join("Users/carol/NTUSER.DAT");
    std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
    let mut input = std::io::BufReader::new(std::fs::File::open(xz).unwrap());
    let mut out = std::fs::File::create(&dest).unwrap();
    lzma_rs::xz_decompress(&mut input, &mut out).unwrap();
    let found = collect(root.path());
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    let gk = found.apps.iter().find(|a| a.id == "gitkraken").unwrap();
    assert_eq!(gk.version.as_deref(), Some("5.0.4"));
    assert_eq!(gk.publisher.as_deref(), Some("Axosoft, LLC"));
    assert_eq!(gk.users[0].profile.as_deref(), Some("carol"));
}

/// Checks the report of `tests/wine/run.sh` (the live scan of a Wine prefix
/// with known Uninstall entries). Skipped unless the harness runs it.
#[test]
fn wine_live_report() {
    let Ok(report) = std::env::var("APPAUDIT_WINE_REPORT") else {
        eprintln!("skipped: run tests/wine/run.sh to check a live scan under Wine");
        return;
    };
    let text = std::fs::read_to_string(&report).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{report} is not JSON ({e}):\n{text}"));
    let devices = doc["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 1, "{text}");
    let device = &devices[0];
    assert_eq!(device["platform"], "windows", "{text}");
    assert_eq!(device["format"], "windows-live", "{text}");
    // Wine writes a MachineGuid at prefix creation, as Windows does at setup.
    assert_eq!(device["id_source"], "machine-guid", "{text}");
    let mut apps: Vec<(String, String, String, String)> = device["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let excerpt = a["evidence"][0]["excerpt"].as_str().unwrap_or("");
            let hive = excerpt.split('\\').next().unwrap_or("").to_string();
            (
                a["id"].as_str().unwrap().to_string(),
                a["version"].as_str().unwrap_or("").to_string(),
                a["publisher"].as_str().unwrap_or("").to_string(),
                hive,
            )
        })
        .collect();
    apps.sort();
    let row = |id: &str, v: &str, p: &str, hive: &str| {
        (
            id.to_string(),
            v.to_string(),
            p.to_string(),
            hive.to_string(),
        )
    };
    assert_eq!(
        apps,
        vec![
            row("7-Zip", "23.01", "Igor Pavlov", "HKLM"),
            row("CapCut", "1.3.2.166", "Bytedance Pte. Ltd.", "HKU"),
            row("Notepad++", "8.6.2", "Notepad++ Team", "HKLM"),
            row("WeChat", "3.9.12.17", "腾讯科技(深圳)有限公司", "HKLM"),
        ],
        "{text}"
    );
    let wechat = device["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "WeChat")
        .unwrap();
    assert_eq!(
        wechat["evidence"][0]["excerpt"],
        r"HKLM\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\WeChat"
    );
    let mut findings: Vec<(String, String)> = device["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["app"]["id"].as_str().unwrap().to_string(),
                f["rule"]["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    findings.sort();
    assert_eq!(
        findings,
        [
            ("CapCut".to_string(), "capcut".to_string()),
            ("WeChat".to_string(), "wechat".to_string())
        ],
        "{text}"
    );
    if let Ok(code) = std::env::var("APPAUDIT_WINE_EXIT") {
        assert_eq!(code, "1", "a covered app is installed: exit 1\n{text}");
    }
}

#[test]
fn binary_scans_a_windows_root() {
    let (code, doc) = common::scan_json(&["--inventory", "fixtures/windows/root"]);
    assert_eq!(code, 1, "{doc}");
    let device = &doc["devices"][0];
    assert_eq!(device["platform"], "windows");
    assert_eq!(device["format"], "windows-root");
    assert_eq!(device["id"], "6f0b1d1e-3c1a-4e2b-9a8f-0c1d2e3f4a5b");
    assert_eq!(device["id_source"], "machine-guid");
    assert_eq!(device["name"], "LAPTOP-042");
    let mut ids: Vec<&str> = device["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "7-Zip",
            "BytedancePte.Ltd.TikTok_6yccndn6064se",
            "CapCut",
            "Kingsoft Office",
            "Microsoft.WindowsCalculator_8wekyb3d8bbwe",
            "Notepad++",
            "WeChat",
            "{771FD6B0-FA20-440A-A002-3B3BAC16DC50}_is1",
        ]
    );
    assert_eq!(
        common::finding_ids(&doc),
        [
            "BytedancePte.Ltd.TikTok_6yccndn6064se",
            "CapCut",
            "Kingsoft Office",
            "WeChat"
        ]
    );
}
