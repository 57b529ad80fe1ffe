//! Store / MSIX (AppX) packages: package names, the publisher id hash, the
//! per-user AppModel repository in `UsrClass.dat`, and `AppxManifest.xml`.

use super::hive::SubKey;
use crate::collect::CollectError;
use crate::model::{App, Evidence, Platform, UserState};
use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use sha2::{Digest, Sha256};
use std::path::Path;

/// Under `UsrClass.dat`'s root (which Windows mounts at `HKCU\Software\Classes`).
pub const REPOSITORY: &str =
    r"Local Settings\Software\Microsoft\Windows\CurrentVersion\AppModel\Repository\Packages";
pub const REPOSITORY_FORMAT: &str = "windows-appx-repository";
pub const MANIFEST_FORMAT: &str = "appx-manifest";
/// `publisher_id("CN=Microsoft Windows, O=Microsoft Corporation, ...")`: parts of Windows itself.
const INBOX_PUBLISHER_ID: &str = "_cw5n1h2txyewy";

/// The largest manifest read (real ones are a few KiB to a few hundred KiB).
const MAX_MANIFEST_BYTES: u64 = 8 * 1024 * 1024;

/// The 13-character publisher id Windows derives from a package's `Publisher`
/// (the signing subject): SHA-256 of its UTF-16LE bytes, the first 8 bytes read
/// as 65 bits (one zero bit appended), in Crockford's base32, lower case.
///
/// ```
/// use appaudit::collect::desktop::windows::publisher_id;
/// let microsoft = "CN=Microsoft Corporation, O=Microsoft Corporation, L=Redmond, S=Washington, C=US";
/// assert_eq!(publisher_id(microsoft), "8wekyb3d8bbwe");
/// ```
pub fn publisher_id(publisher: &str) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let utf16: Vec<u8> = publisher
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let digest = Sha256::digest(&utf16);
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    let bits = u64::from_be_bytes(first);
    (0..13)
        .map(|i| {
            // 65 bits: the 64 hash bits then a zero bit; 5 bits per character.
            let shift = 65 - 5 * (i + 1);
            let chunk = ((u128::from(bits) << 1) >> shift) & 0x1f;
            char::from(ALPHABET[chunk as usize])
        })
        .collect()
}

/// The parts of a package full name `Name_Version_Arch_ResourceId_PublisherId`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FullName<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub arch: &'a str,
    pub resource_id: &'a str,
    pub publisher_id: &'a str,
}

impl<'a> FullName<'a> {
    pub fn parse(full: &'a str) -> Option<Self> {
        let parts: Vec<&str> = full.split('_').collect();
        let [name, version, arch, resource_id, publisher_id] = parts.as_slice() else {
            return None;
        };
        if name.is_empty() || publisher_id.len() != 13 {
            return None;
        }
        Some(FullName {
            name,
            version,
            arch,
            resource_id,
            publisher_id,
        })
    }

    /// `Name_PublisherId`, what rules and `Get-AppxPackage` call the package family.
    pub fn family(&self) -> String {
        format!("{}_{}", self.name, self.publisher_id)
    }

    /// A resource pack (`split.scale-100`, a language) of another package of the same family.
    pub fn is_resource(&self) -> bool {
        !self.resource_id.is_empty() && self.resource_id != "~"
    }
}

/// The package family name of a full name, e.g.
/// `Microsoft.SkypeApp_12.1811.248.0_x64__kzf8qxf38zg5c` -> `Microsoft.SkypeApp_kzf8qxf38zg5c`.
pub fn family_name_from_full_name(full: &str) -> Option<String> {
    FullName::parse(full).map(|f| f.family())
}

/// A display string, unless it is an unresolved resource reference.
fn displayable(s: Option<String>) -> Option<String> {
    s.filter(|s| {
        let l = s.trim_start().to_ascii_lowercase();
        !l.starts_with("@{") && !l.starts_with("ms-resource:") && !l.is_empty()
    })
}

/// One package of a user's AppModel repository.
#[derive(Clone, Debug)]
pub struct RepositoryPackage {
    pub full_name: String,
    pub family: String,
    pub version: String,
    pub display_name: Option<String>,
    pub root_folder: Option<String>,
    pub resource: bool,
}

/// The packages of a repository key's subkeys (names that are not package full
/// names are skipped).
pub fn repository_packages(subkeys: &[SubKey]) -> Vec<RepositoryPackage> {
    subkeys
        .iter()
        .filter_map(|k| {
            let full = FullName::parse(&k.name)?;
            Some(RepositoryPackage {
                full_name: k.name.clone(),
                family: full.family(),
                version: full.version.to_string(),
                display_name: displayable(k.values.str("DisplayName")),
                root_folder: k.values.str("PackageRootFolder"),
                resource: full.is_resource(),
            })
        })
        .collect()
}

/// One app per package family: the x64 and x86 builds of a framework and the
/// resource packs of an app are one app with several pieces of evidence.
pub fn repository_apps(
    packages: &[RepositoryPackage],
    evidence_path: &str,
    key_prefix: &str,
    user: Option<UserState>,
) -> Vec<App> {
    let mut apps: Vec<App> = Vec::new();
    // Main packages first so their name, version and folder win.
    let mut ordered: Vec<&RepositoryPackage> = packages.iter().collect();
    ordered.sort_by_key(|p| p.resource);
    for p in ordered {
        let evidence = Evidence {
            path: evidence_path.to_string(),
            line: None,
            format: REPOSITORY_FORMAT.to_string(),
            excerpt: Some(format!("{key_prefix}\\{}", p.full_name)),
        };
        if let Some(app) = apps.iter_mut().find(|a| a.id == p.family) {
            if !p.resource {
                if newer(&p.version, app.version.as_deref()) {
                    app.version = Some(p.version.clone());
                }
                app.evidence.push(evidence);
            }
            continue;
        }
        let mut app = App::new(Platform::Windows, p.family.clone(), evidence);
        app.name = p.display_name.clone();
        app.version = Some(p.version.clone());
        app.path = p.root_folder.clone();
        // Inbox packages: under `Windows\SystemApps`, or signed `CN=Microsoft Windows`.
        app.flags.system = p.family.ends_with(INBOX_PUBLISHER_ID)
            || p.root_folder
                .as_deref()
                .is_some_and(|f| f.to_ascii_lowercase().contains(r"\windows\systemapps\"));
        app.users.extend(user.clone());
        apps.push(app);
    }
    apps
}

/// Dotted versions compared numerically: is `a` newer than `b`?
pub fn newer(a: &str, b: Option<&str>) -> bool {
    let Some(b) = b else { return true };
    let parse = |s: &str| -> Vec<u64> { s.split('.').map(|p| p.parse().unwrap_or(0)).collect() };
    parse(a) > parse(b)
}

/// What an `AppxManifest.xml` says about its package.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    pub name: String,
    pub version: Option<String>,
    pub publisher: String,
    pub arch: Option<String>,
    pub resource_id: Option<String>,
    pub display_name: Option<String>,
    pub publisher_display_name: Option<String>,
    pub framework: bool,
    pub resource_package: bool,
    /// 1-based line of the `<Identity>` element, and the element as written.
    pub identity_line: u64,
    pub identity_text: String,
}

impl Manifest {
    pub fn family(&self) -> String {
        format!("{}_{}", self.name, publisher_id(&self.publisher))
    }
}

/// Parses the text of an `AppxManifest.xml`.
pub fn parse_manifest(text: &str) -> Result<Manifest, CollectError> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut m = Manifest::default();
    let mut stack: Vec<String> = Vec::new();
    let mut seen_identity = false;
    let mut text_buf = String::new();
    loop {
        let pos = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| format!("malformed XML at byte {}: {e}", reader.error_position()))?;
        let (element, is_start) = match &event {
            Event::Start(e) => (Some(e), true),
            Event::Empty(e) => (Some(e), false),
            _ => (None, false),
        };
        if let Some(e) = element {
            if e.local_name().as_ref() == "Identity" && stack.len() == 1 && !seen_identity {
                seen_identity = true;
                for attr in e.attributes().flatten() {
                    let value = attr
                        .normalized_value(XmlVersion::Implicit1_0)
                        .map(|v| v.into_owned())
                        .unwrap_or_default();
                    match attr.key.local_name().as_ref() {
                        "Name" => m.name = value,
                        "Version" => m.version = Some(value),
                        "Publisher" => m.publisher = value,
                        "ProcessorArchitecture" => m.arch = Some(value),
                        "ResourceId" => m.resource_id = Some(value),
                        _ => {}
                    }
                }
                let start = usize::try_from(pos).unwrap_or(0).min(text.len());
                let end = usize::try_from(reader.buffer_position())
                    .unwrap_or(start)
                    .clamp(start, text.len());
                let raw = text.get(start..end).unwrap_or("");
                let tag = raw.trim_start();
                let before = text.get(..start).unwrap_or("").matches('\n').count();
                let skipped = raw[..raw.len() - tag.len()].matches('\n').count();
                m.identity_line = (before + skipped + 1) as u64;
                m.identity_text = tag.trim_end().to_string();
            }
            if is_start {
                stack.push(e.local_name().as_ref().to_string());
                text_buf.clear();
            }
            continue;
        }
        match event {
            Event::End(_) => {
                if stack.len() == 3 && stack[1] == "Properties" {
                    property(&mut m, &stack[2], text_buf.trim().to_string());
                }
                stack.pop();
            }
            Event::Text(t) => text_buf.push_str(&t.xml10_content()),
            Event::CData(t) => text_buf.push_str(&t),
            Event::GeneralRef(r) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text_buf.push(c);
                } else if let Some(v) = resolve_predefined_entity(&r.xml10_content()) {
                    text_buf.push_str(v);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }

    if !seen_identity || m.name.is_empty() || m.publisher.is_empty() {
        return Err("no <Identity Name=... Publisher=...> in the manifest"
            .to_string()
            .into());
    }
    Ok(m)
}

/// One child of `<Properties>`.
fn property(m: &mut Manifest, element: &str, value: String) {
    match element {
        "DisplayName" => m.display_name = displayable(Some(value)),
        "PublisherDisplayName" => m.publisher_display_name = displayable(Some(value)),
        "Framework" => m.framework = value.eq_ignore_ascii_case("true"),
        "ResourcePackage" => m.resource_package = value.eq_ignore_ascii_case("true"),
        _ => {}
    }
}

/// `CN=Foo Ltd, O=...` -> `Foo Ltd`; anything else as is.
pub fn common_name(dn: &str) -> String {
    dn.split(',')
        .map(str::trim)
        .find_map(|p| {
            p.strip_prefix("CN=")
                .or_else(|| p.strip_prefix("cn="))
                .map(|v| v.trim_matches('"').to_string())
        })
        .unwrap_or_else(|| dn.trim().to_string())
}

/// Reads one manifest file into an app (`None` for a resource package).
pub fn manifest_app(path: &Path, package_dir: &Path) -> Result<Option<App>, CollectError> {
    use crate::collect::read::{Links, ReadFailure, read_bounded};
    let bytes = read_bounded(path, MAX_MANIFEST_BYTES, Links::NoFollow).map_err(|e| match e {
        ReadFailure::Io(e) => CollectError::from(e.to_string()),
        ReadFailure::NotRegular(_) => CollectError::from("not a regular file"),
        ReadFailure::TooLarge(len) => format!("{len} bytes: too large for a manifest").into(),
        ReadFailure::Grew => "grew past the manifest size limit while being read".into(),
    })?;
    let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes));
    let m = parse_manifest(&text)?;
    if m.resource_package
        || m.resource_id
            .as_deref()
            .is_some_and(|r| !r.is_empty() && r != "~")
    {
        return Ok(None);
    }
    let mut app = App::new(
        Platform::Windows,
        m.family(),
        Evidence {
            path: path.display().to_string(),
            line: Some(m.identity_line),
            format: MANIFEST_FORMAT.to_string(),
            excerpt: Some(m.identity_text.clone()),
        },
    );
    app.name = m.display_name.clone();
    app.version = m.version.clone();
    app.publisher = m
        .publisher_display_name
        .clone()
        .or_else(|| Some(common_name(&m.publisher)));
    app.path = Some(package_dir.display().to_string());
    Ok(Some(app))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn publisher_ids_match_windows() {
        assert_eq!(
            publisher_id(
                "CN=Microsoft Corporation, O=Microsoft Corporation, L=Redmond, S=Washington, C=US"
            ),
            "8wekyb3d8bbwe"
        );
        // Inbox apps: `CN=Microsoft Windows, ...` -> cw5n1h2txyewy.
        assert_eq!(
            publisher_id(
                "CN=Microsoft Windows, O=Microsoft Corporation, L=Redmond, S=Washington, C=US"
            ),
            "cw5n1h2txyewy"
        );
    }

    #[test]
    fn full_names_and_families() {
        let f = FullName::parse("Microsoft.SkypeApp_12.1811.248.0_x64__kzf8qxf38zg5c").unwrap();
        assert_eq!(f.family(), "Microsoft.SkypeApp_kzf8qxf38zg5c");
        assert_eq!(f.version, "12.1811.248.0");
        assert!(!f.is_resource());
        let r = FullName::parse(
            "Microsoft.WindowsStore_11803.1001.6.0_neutral_split.scale-100_8wekyb3d8bbwe",
        )
        .unwrap();
        assert!(r.is_resource());
        assert_eq!(
            family_name_from_full_name("Windows.PrintDialog_6.2.0.0_neutral_neutral_cw5n1h2txyewy"),
            Some("Windows.PrintDialog_cw5n1h2txyewy".to_string())
        );
        assert_eq!(family_name_from_full_name("gitkraken"), None);
        assert_eq!(family_name_from_full_name("a_b_c_d_short"), None);
        assert!(newer("10.2.0", Some("9.9")));
        assert!(!newer("1.0", Some("1.0")));
    }

    #[test]
    fn windbg_manifest() {
        let Some(p) = crate::test_support::shared_fixture(
            "desktop/third_party/DebugView-Store-Portable/windows/Microsoft.WinDbg/AppxManifest.xml",
        ) else {
            return;
        };
        let text = std::fs::read_to_string(&p).unwrap();
        let m = parse_manifest(&text).unwrap();
        assert_eq!(m.name, "Microsoft.WinDbg");
        assert_eq!(m.version.as_deref(), Some("1.2306.12001.0"));
        assert_eq!(m.arch.as_deref(), Some("x64"));
        assert_eq!(m.display_name.as_deref(), Some("WinDbg"));
        assert_eq!(
            m.publisher_display_name.as_deref(),
            Some("Microsoft Corporation")
        );
        assert_eq!(m.family(), "Microsoft.WinDbg_8wekyb3d8bbwe");
        assert_eq!(m.identity_line, 11);
        assert!(
            m.identity_text
                .starts_with("<Identity Name=\"Microsoft.WinDbg\"")
        );
        let app = manifest_app(&p, p.parent().unwrap()).unwrap().unwrap();
        assert_eq!(app.id, "Microsoft.WinDbg_8wekyb3d8bbwe");
        assert_eq!(app.publisher.as_deref(), Some("Microsoft Corporation"));
        assert_eq!(app.evidence[0].line, Some(11));
    }

    #[test]
    fn manifests_with_resources_and_bad_xml() {
        let m = parse_manifest(
            r#"<?xml version="1.0"?>
<Package xmlns="http://schemas.microsoft.com/appx/manifest/foundation/windows10">
  <Identity Name="BytedancePte.Ltd.TikTok" Publisher="CN=X" Version="1.0.0.0"></Identity>
  <Properties><DisplayName>ms-resource:AppName</DisplayName>
  <PublisherDisplayName>TikTok Pte. Ltd.</PublisherDisplayName><Framework>false</Framework></Properties>
</Package>"#,
        )
        .unwrap();
        assert_eq!(m.name, "BytedancePte.Ltd.TikTok");
        assert_eq!(m.display_name, None);
        assert_eq!(
            m.publisher_display_name.as_deref(),
            Some("TikTok Pte. Ltd.")
        );
        assert_eq!(m.identity_line, 3);
        assert!(parse_manifest("<Package><Identity Name=\"x\"").is_err());
        assert!(parse_manifest("<Package><Properties/></Package>").is_err());
        assert_eq!(common_name("CN=Foo Ltd, O=Bar"), "Foo Ltd");
        assert_eq!(common_name("Foo"), "Foo");
    }
}
