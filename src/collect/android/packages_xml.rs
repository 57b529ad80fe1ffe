//! Android's `/data/system/packages.xml`: text XML (Android 11 and older) or binary
//! ABX (Android 12+, magic `ABX\0`, read with the `android-abx` crate).
//!
//! Each `<package name= codePath= version= installer= flags= ft= ut= userId=>` is an
//! app; `<updated-package>` is the original of an updated system app (Android's
//! hidden system package). `version` is the versionCode; `flags` bit 0 is SYSTEM;
//! `ft`/`ut` are install and update times in hex milliseconds.

use super::{AppSet, Parsed};
use crate::collect::CollectError;
use crate::collect::text::excerpt;
use crate::model::{App, Evidence, Platform};
use std::path::Path;

/// The `Evidence::format` and `Device::format` of this source.
pub const FORMAT: &str = "packages-xml";
const MAX_BYTES: u64 = 256 * 1024 * 1024;
/// `ApplicationInfo.FLAG_SYSTEM`.
const FLAG_SYSTEM: u64 = 1;

/// Whether the first bytes of a file are a `packages.xml` (ABX, or text with `<packages>`).
pub fn sniff(head: &[u8]) -> bool {
    if head.starts_with(&android_abx::MAGIC) {
        return true;
    }
    let text = String::from_utf8_lossy(head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head));
    let text = text.trim_start();
    text.starts_with('<') && text.contains("<packages")
}

/// Reads a `packages.xml` file in either form.
pub fn read_file(path: &Path) -> Result<Parsed, CollectError> {
    use crate::collect::read::{Links, ReadFailure, read_bounded};
    let bytes = read_bounded(path, MAX_BYTES, Links::Follow).map_err(|e| match e {
        ReadFailure::TooLarge(_) | ReadFailure::Grew => {
            CollectError::from(format!("packages.xml larger than {MAX_BYTES} bytes"))
        }
        e => CollectError::from(e.to_string()),
    })?;
    parse(&bytes, &path.display().to_string())
}

/// Parses `packages.xml` bytes, text or ABX.
pub fn parse(bytes: &[u8], source: &str) -> Result<Parsed, CollectError> {
    let elements = if bytes.starts_with(&android_abx::MAGIC) {
        abx_elements(bytes).map_err(|e| format!("binary packages.xml (ABX): {e}"))?
    } else {
        let text = String::from_utf8_lossy(bytes);
        text_elements(&text).map_err(|e| format!("packages.xml: {e}"))?
    };
    let mut apps = AppSet::default();
    let mut hidden = Vec::new();
    let mut found_root = false;
    for element in &elements {
        match element.name.as_str() {
            "packages" => found_root = true,
            "package" | "updated-package" => {
                let Some(app) = to_app(element, source) else {
                    continue;
                };
                if element.name == "package" {
                    apps.insert(app);
                } else {
                    hidden.push(app);
                }
            }
            _ => {}
        }
    }
    if !found_root {
        return Err("expected Android packages.xml: no <packages> element"
            .to_owned()
            .into());
    }
    for mut app in hidden {
        app.flags.hidden_system = true;
        app.flags.system = true;
        apps.insert(app);
    }
    Ok(Parsed {
        apps: apps.into_vec(),
        warnings: Vec::new(),
        ..Parsed::default()
    })
}

/// A start tag and its attributes as text, with the 1-based line when known.
struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    line: Option<u64>,
}

impl Element {
    fn get(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    fn excerpt(&self) -> String {
        let mut out = format!("<{}", self.name);
        for key in ["name", "codePath", "version", "installer", "flags"] {
            if let Some(value) = self.get(key) {
                out.push_str(&format!(" {key}=\"{value}\""));
            }
        }
        out.push('>');
        excerpt(&out)
    }
}

fn to_app(element: &Element, source: &str) -> Option<App> {
    let name = element.get("name")?;
    let evidence = Evidence {
        path: source.to_owned(),
        line: element.line,
        format: FORMAT.to_owned(),
        excerpt: Some(element.excerpt()),
    };
    let mut app = App::new(Platform::Android, name, evidence);
    app.path = element.get("codePath").map(str::to_owned);
    app.build = element.get("version").map(str::to_owned);
    app.installer = element
        .get("installer")
        .or_else(|| element.get("installInitiator"))
        .filter(|i| *i != "null")
        .map(str::to_owned);
    app.uid = element
        .get("userId")
        .or_else(|| element.get("sharedUserId"))
        .and_then(|u| u.parse().ok());
    app.flags.system = element
        .get("flags")
        .and_then(number)
        .is_some_and(|f| f & FLAG_SYSTEM != 0);
    app.first_install_time = element.get("ft").and_then(hex_millis);
    app.last_update_time = element.get("ut").and_then(hex_millis);
    Some(app)
}

/// A decimal (possibly negative, as Java ints print) or `0x` hex number.
fn number(value: &str) -> Option<u64> {
    let value = value.trim();
    if let Some(hex) = value.strip_prefix("0x") {
        return u64::from_str_radix(hex, 16).ok();
    }
    value
        .parse::<u64>()
        .ok()
        .or_else(|| value.parse::<i64>().ok().map(|v| v as u32 as u64))
}

/// `ft="18d6b1a2c00"`: milliseconds since 1970 in hex, as UTC text.
fn hex_millis(value: &str) -> Option<String> {
    let millis = u64::from_str_radix(value.trim().trim_start_matches("0x"), 16).ok()?;
    (millis > 0).then(|| crate::collect::capture_manifest::utc_from_unix(millis / 1000))
}

fn text_elements(text: &str) -> Result<Vec<Element>, CollectError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut elements = Vec::new();
    let mut line = 1u64;
    let mut counted = 0usize;
    loop {
        let start = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader.read_event().map_err(|e| {
            let at = usize::try_from(reader.error_position()).unwrap_or(0);
            let line = text.get(..at).map_or(0, |t| t.matches('\n').count() + 1);
            format!("not valid XML near line {line}: {e}")
        })?;
        match event {
            Event::Start(tag) | Event::Empty(tag) => {
                if let Some(before) = text.get(counted..start) {
                    line += before.matches('\n').count() as u64;
                    counted = start;
                }
                let name = tag.name().as_ref().to_owned();
                let mut attributes = Vec::new();
                for attribute in tag.attributes().flatten() {
                    let key = attribute.key.as_ref().to_owned();
                    let value = attribute
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map(|v| v.into_owned())
                        .unwrap_or_else(|_| attribute.value.to_string());
                    attributes.push((key, value));
                }
                elements.push(Element {
                    name,
                    attributes,
                    line: Some(line),
                });
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(elements)
}

fn abx_elements(bytes: &[u8]) -> Result<Vec<Element>, CollectError> {
    let mut parser = android_abx::AbxParser::new(bytes).map_err(|e| e.to_string())?;
    let mut elements = Vec::new();
    while let Some(event) = parser.next_event().map_err(|e| e.to_string())? {
        if let android_abx::Event::StartTag { name, attributes } = event {
            elements.push(Element {
                name: name.to_string(),
                attributes: attributes
                    .iter()
                    .map(|a| (a.name.to_string(), a.as_str().into_owned()))
                    .collect(),
                line: None,
            });
        }
    }
    Ok(elements)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use android_abx::{Attribute, AttributeValue, Event};

    const TEXT: &str = r#"<?xml version='1.0' encoding='utf-8' standalone='yes' ?>
<packages>
    <version sdkVersion="30" databaseVersion="3" fingerprint="x" />
    <package name="com.zhiliaoapp.musically" codePath="/data/app/~~a==/com.zhiliaoapp.musically-b==" nativeLibraryPath="/x" publicFlags="810073668" privateFlags="0" ft="18d6b1a2c00" it="18d6b1a2c00" ut="18d6b1a2c00" version="2023904030" userId="10245" installer="com.android.vending">
        <sigs count="1" schemeVersion="3">
            <cert index="0" key="308201" />
        </sigs>
    </package>
    <package name="com.android.chrome" codePath="/product/app/Chrome" flags="3" version="636717833" userId="10140" isOrphaned="true" />
    <package name="com.example.apk" codePath="/data/app/x" flags="0" version="7" userId="10250" installer="com.google.android.packageinstaller" />
    <updated-package name="com.android.chrome" codePath="/system/app/Chrome" flags="1" version="1" userId="10140" />
</packages>
"#;

    #[test]
    fn text_packages_xml() {
        assert!(sniff(TEXT.as_bytes()));
        let p = parse(TEXT.as_bytes(), "packages.xml").unwrap();
        let ids: Vec<&str> = p.apps.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "com.zhiliaoapp.musically",
                "com.android.chrome",
                "com.example.apk"
            ]
        );
        let tiktok = &p.apps[0];
        assert_eq!(tiktok.build.as_deref(), Some("2023904030"));
        assert_eq!(tiktok.installer.as_deref(), Some("com.android.vending"));
        assert_eq!(tiktok.uid, Some(10245));
        assert_eq!(
            tiktok.first_install_time.as_deref(),
            Some("2024-02-02T18:34:53Z")
        );
        assert_eq!(tiktok.evidence[0].line, Some(4));
        assert!(!tiktok.flags.system);
        assert!(p.apps[1].flags.system);
        assert!(!p.apps[1].flags.hidden_system);
        assert_eq!(p.apps[1].evidence.len(), 2);
        assert_eq!(p.apps[2].evidence[0].line, Some(10));
    }

    #[test]
    fn abx_packages_xml() {
        let string = |s: &str| AttributeValue::String(s.into());
        let events = vec![
            Event::StartDocument,
            Event::StartTag {
                name: "packages".into(),
                attributes: vec![],
            },
            Event::StartTag {
                name: "package".into(),
                attributes: vec![
                    Attribute {
                        name: "name".into(),
                        value: string("com.tencent.mm"),
                    },
                    Attribute {
                        name: "codePath".into(),
                        value: string("/data/app/~~x==/com.tencent.mm-y=="),
                    },
                    Attribute {
                        name: "version".into(),
                        value: AttributeValue::Long(2400),
                    },
                    Attribute {
                        name: "flags".into(),
                        value: AttributeValue::Int(0),
                    },
                    Attribute {
                        name: "installer".into(),
                        value: string("com.android.vending"),
                    },
                    Attribute {
                        name: "ft".into(),
                        value: AttributeValue::LongHex(0x18d6b1a2c00),
                    },
                ],
            },
            Event::EndTag {
                name: "package".into(),
            },
            Event::EndTag {
                name: "packages".into(),
            },
            Event::EndDocument,
        ];
        let bytes = android_abx::events_to_abx(&events).unwrap();
        assert!(sniff(&bytes));
        let p = parse(&bytes, "packages.xml").unwrap();
        assert_eq!(p.apps.len(), 1);
        let wechat = &p.apps[0];
        assert_eq!(wechat.id, "com.tencent.mm");
        assert_eq!(wechat.build.as_deref(), Some("2400"));
        assert_eq!(wechat.installer.as_deref(), Some("com.android.vending"));
        assert_eq!(
            wechat.first_install_time.as_deref(),
            Some("2024-02-02T18:34:53Z")
        );
        assert_eq!(wechat.evidence[0].line, None);
        // Truncated ABX is an error, not a panic.
        let err = parse(&bytes[..bytes.len() / 2], "p")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("binary packages.xml (ABX)"), "{err}");
    }

    #[test]
    fn broken_xml_and_other_xml() {
        let err = parse(b"<packages><package name=\"a\"", "p")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("packages.xml: not valid XML"), "{err}");
        let err = parse(b"<?xml version='1.0'?><manifest package=\"x\"/>", "p")
            .unwrap_err()
            .to_string();
        assert!(err.contains("no <packages>"), "{err}");
        assert!(!sniff(b"<?xml version='1.0'?><manifest/>"));
    }
}
