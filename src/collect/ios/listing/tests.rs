//! Tests of the listing parsers on `fixtures/ios/listings` and broken input.
#![allow(clippy::unwrap_used)]

use super::*;
use crate::model::App;
use crate::test_support::{own_fixture, shared_fixture};

fn listing(name: &str) -> (Vec<u8>, String) {
    let path = own_fixture(&format!("ios/listings/{name}"));
    (std::fs::read(&path).unwrap(), path.display().to_string())
}

/// Detects and parses a fixture, checking the detected format.
fn parsed(name: &str, format: Format) -> Parsed {
    let (bytes, path) = listing(name);
    assert_eq!(detect(&bytes), Some(format), "{name}");
    let (found, parsed) = parse_any(&bytes, &path).unwrap().unwrap();
    assert_eq!(found, format);
    for app in &parsed.apps {
        assert_eq!(app.evidence[0].format, format.as_str());
        assert_eq!(app.evidence[0].path, path);
    }
    parsed
}

fn find<'a>(parsed: &'a Parsed, id: &str) -> &'a App {
    parsed.apps.iter().find(|a| a.id == id).unwrap()
}

fn ids(parsed: &Parsed) -> Vec<&str> {
    parsed.apps.iter().map(|a| a.id.as_str()).collect()
}

fn fields(app: &App) -> (Option<&str>, Option<&str>, Option<&str>) {
    (
        app.name.as_deref(),
        app.version.as_deref(),
        app.build.as_deref(),
    )
}

#[test]
fn ideviceinstaller_1_1_0() {
    let parsed = parsed("ideviceinstaller-1.1.0.txt", Format::InstallerLegacy);
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    assert_eq!(parsed.apps.len(), 5);
    let tiktok = find(&parsed, "com.zhiliaoapp.musically");
    assert_eq!(
        fields(tiktok),
        (
            Some("TikTok - Videos, Music & LIVE"),
            Some("345007"),
            Some("345007")
        )
    );
    assert_eq!(tiktok.evidence[0].line, Some(2));
    assert_eq!(
        find(&parsed, "com.tencent.xin").name.as_deref(),
        Some("微信")
    );
    assert_eq!(
        find(&parsed, "com.example.quotes").name.as_deref(),
        Some("Say \"Hi\", Bob")
    );
    assert_eq!(
        fields(find(&parsed, "com.example.noversion")),
        (Some("No Version App"), None, None)
    );
}

#[test]
fn ideviceinstaller_1_1_1_unescaped_quotes_and_crlf() {
    let parsed = parsed("ideviceinstaller-1.1.1.txt", Format::InstallerCsv);
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    assert_eq!(parsed.apps.len(), 5);
    assert_eq!(
        fields(find(&parsed, "com.example.quotes")),
        (Some("Say \"Hi\", Bob"), Some("21"), Some("21"))
    );
    assert_eq!(
        fields(find(&parsed, "com.zhiliaoapp.musically")),
        (
            Some("TikTok - Videos, Music & LIVE"),
            Some("345007"),
            Some("345007")
        )
    );
    assert_eq!(
        fields(find(&parsed, "com.example.noversion")),
        (Some("No Version, Inc"), None, None)
    );
}

#[test]
fn ideviceinstaller_1_2_escapes() {
    let parsed = parsed("ideviceinstaller-1.2.txt", Format::InstallerCsv);
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    assert_eq!(parsed.apps.len(), 6);
    assert_eq!(
        fields(find(&parsed, "com.example.quotes")),
        (Some("Say \"Hi\", Bob"), Some("2.1"), None)
    );
    assert_eq!(
        find(&parsed, "com.tencent.xin").name.as_deref(),
        Some("微信")
    );
    assert_eq!(
        fields(find(&parsed, "com.example.noversion")),
        (Some("No Version"), None, None)
    );
    // UTF-16 as PowerShell's `>` writes it.
    let (bytes, path) = listing("ideviceinstaller-1.2.txt");
    let text = String::from_utf8(bytes).unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(detect(&utf16), Some(Format::InstallerCsv));
    assert_eq!(installer::parse_csv(&utf16, &path).unwrap(), parsed);
}

#[test]
fn csv_rows_with_odd_values() {
    let text = "CFBundleIdentifier, CFBundleShortVersionString, CFBundleDisplayName, IsAppClip\n\
                com.a.b, \"1.0\", \"Tab\\there \\u00e9\", false\n\
                com.c.d, \"2\", \"Doubled \"\"quotes\"\"\", true\n\
                not a row\n\
                8K2NU5962N, \"1\", \"x\", false\n";
    let parsed = installer::parse_csv(text.as_bytes(), "l.txt").unwrap();
    assert_eq!(ids(&parsed), ["com.a.b", "com.c.d"]);
    assert_eq!(parsed.apps[0].name.as_deref(), Some("Tab\there é"));
    assert_eq!(parsed.apps[1].name.as_deref(), Some("Doubled \"quotes\""));
    assert_eq!(parsed.warnings.len(), 2);
    assert!(parsed.warnings[0].starts_with("line 4:"));
}

#[test]
fn ideviceinstaller_xml_and_json() {
    for (name, format) in [
        ("ideviceinstaller-xml.plist", Format::InstallerXml),
        ("ideviceinstaller-json.json", Format::InstallerJson),
    ] {
        let parsed = parsed(name, format);
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
        assert_eq!(parsed.apps.len(), 5, "{name}");
        let tiktok = find(&parsed, "com.zhiliaoapp.musically");
        assert_eq!(
            fields(tiktok),
            (
                Some("TikTok - Videos, Music & LIVE"),
                Some("34.5.0"),
                Some("345007")
            )
        );
        assert_eq!(tiktok.team_id.as_deref(), Some("ABCDE12345"));
        assert!(!tiktok.flags.side_loaded && !tiktok.flags.system);
        assert!(find(&parsed, "com.example.enterprise").flags.side_loaded);
        let safari = find(&parsed, "com.apple.mobilesafari");
        assert!(safari.flags.system && !safari.flags.side_loaded);
        assert_eq!(
            find(&parsed, "com.example.quotes").name.as_deref(),
            Some("Say \"Hi\", Bob")
        );
    }
}

#[test]
fn pymobiledevice3_apps_list() {
    let parsed = parsed("pymobiledevice3-apps.json", Format::Pymobiledevice3);
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    assert_eq!(parsed.apps.len(), 6);
    let settings = find(&parsed, "com.apple.Preferences");
    assert!(settings.flags.system);
    assert_eq!(settings.version.as_deref(), Some("1"));
    assert!(find(&parsed, "com.example.enterprise").flags.side_loaded);
    assert_eq!(
        find(&parsed, "com.tencent.xin").team_id.as_deref(),
        Some("ABCDE12345")
    );
}

#[test]
fn mdm_installed_application_list() {
    let parsed = parsed(
        "mdm-installed-application-list.plist",
        Format::MdmInstalledApplicationList,
    );
    assert_eq!(
        ids(&parsed),
        [
            "com.zhiliaoapp.musically",
            "com.example.adhoc",
            "com.example.marketplace",
            "com.example.appstore"
        ]
    );
    let side_loaded: Vec<bool> = parsed.apps.iter().map(|a| a.flags.side_loaded).collect();
    assert_eq!(side_loaded, [false, true, true, false]);
    assert_eq!(
        fields(&parsed.apps[0]),
        (Some("TikTok"), Some("34.5.0"), Some("345007"))
    );
    assert_eq!(
        parsed.apps[2].installer.as_deref(),
        Some("com.rileytestut.AltStore")
    );
    assert_eq!(
        parsed.properties,
        [("udid".to_owned(), "00008110-000A1B2C3D4E5F60".to_owned())]
    );
    // The control character is dropped from the name; an item has no identifier.
    assert_eq!(parsed.apps[3].name.as_deref(), Some("Store App"));
    assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
    assert!(parsed.warnings[0].contains("without a valid Identifier"));
    // NUL bytes, which no XML may hold, are dropped too.
    let (bytes, _) = listing("mdm-installed-application-list.plist");
    let text = String::from_utf8(bytes).unwrap();
    let nul = text.replace("<string>TikTok</string>", "<string>Tik\0Tok</string>");
    let parsed = mdm::parse(nul.as_bytes(), "nul.plist").unwrap();
    assert_eq!(parsed.apps[0].name.as_deref(), Some("TikTok"));
}

#[test]
fn ideviceinfo_facts() {
    let parsed = parsed("ideviceinfo.txt", Format::Ideviceinfo);
    assert!(parsed.apps.is_empty());
    let expected = [
        ("device_name", "Fixture iPhone"),
        ("model", "iPhone 13 Pro"),
        ("product_type", "iPhone14,2"),
        ("ios_version", "17.5.1"),
        ("build", "21F90"),
        ("serial", "FAKESERIAL01"),
        ("udid", "00008110-000A1B2C3D4E5F60"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    assert_eq!(parsed.properties, expected);
    // `ideviceinfo -x`: a plist.
    let dict: plist::Dictionary = [
        ("DeviceName", "Fixture iPhone"),
        ("ProductType", "iPhone14,2"),
        ("UniqueDeviceID", "00008110-000A1B2C3D4E5F60"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), plist::Value::from(*v)))
    .collect();
    let mut xml = Vec::new();
    plist::Value::Dictionary(dict)
        .to_writer_xml(&mut xml)
        .unwrap();
    assert_eq!(detect(&xml), Some(Format::Ideviceinfo));
    let parsed = parse(Format::Ideviceinfo, &xml, "info.plist").unwrap();
    assert_eq!(parsed.properties[1], expected[1]);
    assert_eq!(parsed.properties.len(), 4);
}

#[test]
fn other_inputs_are_not_claimed() {
    let others: [&[u8]; 7] = [
        b"package:com.zhiliaoapp.musically\n",
        b"",
        b"Packages:\n  Package [com.a] (123):\n",
        br#"[{"name":"TikTok","bundle_identifier":"com.zhiliaoapp.musically"}]"#,
        br#"<?xml version="1.0"?><plist version="1.0"><dict><key>CFBundleIdentifier</key><string>com.x.y</string></dict></plist>"#,
        b"DeviceName: only one key\n",
        b"\x00\x01\x02binary\xff",
    ];
    for bytes in others {
        assert_eq!(detect(bytes), None, "{}", String::from_utf8_lossy(bytes));
    }
    // MVT's backup Info.plist is a binary plist, not a listing.
    if let Some(path) =
        shared_fixture("ios/third_party/mvt-project+mvt/tests/artifacts/ios_backup/Info.plist")
    {
        assert_eq!(detect(&std::fs::read(path).unwrap()), None);
    }
}

#[test]
fn broken_listings_are_typed_errors() {
    let (xml, _) = listing("ideviceinstaller-xml.plist");
    let err = parse(Format::InstallerXml, &xml[..xml.len() / 2], "cut.plist").unwrap_err();
    assert!(matches!(err, IosError::BadPlist { .. }));
    assert!(err.to_string().starts_with("cut.plist: "));
    let (json, _) = listing("pymobiledevice3-apps.json");
    let err = parse(Format::Pymobiledevice3, &json[..json.len() / 2], "cut.json").unwrap_err();
    assert!(matches!(err, IosError::BadFormat { .. }));
    assert!(!err.to_string().contains("zhiliaoapp"));
    let err = parse(Format::InstallerJson, b"{\"a\": 1}", "obj.json").unwrap_err();
    assert!(matches!(err, IosError::BadFormat { .. }));
    let err = parse(Format::InstallerCsv, b"  \n", "empty.txt").unwrap_err();
    assert!(matches!(err, IosError::Empty { .. }));
    let err = parse(Format::Ideviceinfo, b"hello: world\n", "info.txt").unwrap_err();
    assert!(matches!(err, IosError::BadFormat { .. }));
    let err = parse(
        Format::MdmInstalledApplicationList,
        b"<plist><dict/></plist>",
        "m.plist",
    );
    assert!(err.is_err());
    // A listing cut short says so.
    let parsed = installer::parse_legacy(b"Total: 3 apps\ncom.a.b - A 1\n", "cut.txt").unwrap();
    assert_eq!(parsed.apps.len(), 1);
    assert!(parsed.warnings[0].contains("says 3 apps but has 1"));
}

mod shared_mdm {
    use super::super::*;
    use crate::test_support::shared_fixture;

    fn read(relative: &str) -> Option<(Format, Parsed)> {
        let path = shared_fixture(&format!("mdm/third_party/{relative}"))?;
        let bytes = std::fs::read(&path).expect("readable");
        parse_any(&bytes, "f").expect("parses")
    }

    fn property<'p>(parsed: &'p Parsed, key: &str) -> Option<&'p str> {
        parsed
            .properties
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn zentral_installed_application_list() {
        let Some((format, parsed)) =
            read("zentralopensource+zentral/tests/mdm/testdata/installed_application_list.plist")
        else {
            return;
        };
        assert_eq!(format, Format::MdmInstalledApplicationList);
        let apps: Vec<(&str, Option<&str>, Option<&str>)> = parsed
            .apps
            .iter()
            .map(|a| (a.id.as_str(), a.name.as_deref(), a.version.as_deref()))
            .collect();
        assert_eq!(
            apps,
            [
                ("com.apple.mail", Some("Mail"), Some("16.0")),
                ("com.apple.dt.Xcode", Some("Xcode"), Some("14.0")),
            ]
        );
        assert_eq!(
            property(&parsed, "udid"),
            Some("9353BC9A-5CF9-4C9E-9AD4-8D1E41D5FE3E")
        );
        assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
        assert!(parsed.warnings[0].contains("1 InstalledApplicationList item"));
    }

    #[test]
    fn zentral_device_information_is_facts_only() {
        let Some((format, parsed)) =
            read("zentralopensource+zentral/tests/mdm/testdata/device_information.plist")
        else {
            return;
        };
        assert_eq!(format, Format::MdmDeviceInformation);
        assert!(parsed.apps.is_empty());
        assert_eq!(property(&parsed, "serial"), Some("Z3C2FCE2C0"));
        assert_eq!(
            property(&parsed, "udid"),
            Some("9353BC9A-5CF9-4C9E-9AD4-8D1E41D5FE3E")
        );
        assert_eq!(property(&parsed, "device_name"), Some("Yolo"));
    }

    #[test]
    fn zentral_managed_application_list() {
        let Some((format, parsed)) =
            read("zentralopensource+zentral/tests/mdm/testdata/managed_application_list.plist")
        else {
            return;
        };
        assert_eq!(format, Format::MdmManagedApplicationList);
        let ids: Vec<&str> = parsed.apps.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["com.acme.myenterpriseapp"]);
        assert_eq!(parsed.apps[0].version, None);
        assert_eq!(
            property(&parsed, "udid"),
            Some("B79EE23C-F5C1-489E-ADC2-DB4A7B3D54FF")
        );
    }

    #[test]
    fn mcfedr_responses() {
        let Some((_, parsed)) = read("mcfedr+plist/tests/fixtures/mdm_request.xml") else {
            return;
        };
        assert_eq!(parsed.apps.len(), 411);
        let version = |id: &str| {
            let app = parsed.apps.iter().find(|a| a.id == id).expect(id);
            (app.version.clone(), app.build.clone(), app.name.clone())
        };
        let onepiece = version("jp.appstars.onepiece.lank");
        assert_eq!(onepiece.0.as_deref(), Some("2.2"));
        assert!(onepiece.1.unwrap().chars().all(|c| !c.is_control()));
        assert_eq!(version("iadpachi").0.as_deref(), Some("1.0"));
        assert_eq!(version("com.cisco.binarygame").0.as_deref(), Some("1.0"));
        let first = &parsed.apps[0];
        assert_eq!(first.id, "com.cisco.Cisco-Air-Provision");
        assert_eq!(
            (first.version.as_deref(), first.build.as_deref()),
            (Some("1.4"), Some("1.4.1"))
        );
        let last = &parsed.apps[410];
        assert_eq!(last.id, "jp.co.dentsu.magastore.ns.flick");
        assert_eq!(last.name.as_deref(), Some("flick!"));
        assert_eq!(version("jp.naver.line").0.as_deref(), Some("5.9.5"));
        assert_eq!(property(&parsed, "udid"), Some("DEVICE_UDID"));
        let Some((_, small)) = read("mcfedr+plist/tests/fixtures/mdm_request_1.xml") else {
            return;
        };
        assert_eq!(small.apps.len(), 8);
        let line = small
            .apps
            .iter()
            .find(|a| a.id == "jp.naver.line")
            .expect("LINE");
        assert_eq!(
            (line.version.as_deref(), line.build.as_deref()),
            (Some("7.1.2"), Some("2017.0302.1935"))
        );
    }
}
