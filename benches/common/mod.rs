//! Inputs for the benches, generated in memory (the same shapes as bench/gen.py).
#![allow(dead_code)]

use std::fmt::Write;

pub const COVERED: [&str; 3] = [
    "com.zhiliaoapp.musically",
    "com.tencent.mm",
    "cn.wps.moffice_eng",
];

pub fn package_name(i: usize) -> String {
    if i % 997 == 3 {
        COVERED[(i / 997) % COVERED.len()].to_owned()
    } else {
        format!("com.vendor{}.app{i}", i % 97)
    }
}

/// `pm list packages -f -i -U --show-versioncode` output of `n` packages.
pub fn pm_list(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        let name = package_name(i);
        let _ = writeln!(
            s,
            "package:/data/app/~~{i:022x}==/{name}-{i:022x}==/base.apk={name} versionCode:{} installer=com.android.vending uid:{}",
            i * 7 + 1,
            10000 + i
        );
    }
    s
}

/// A `dumpsys package` of `n` packages (about 2.2 KB each, as bench/gen.py writes).
pub fn dumpsys(n: usize) -> String {
    let mut s = String::from(
        "DUMP OF SERVICE package:\nActivity Resolver Table:\n  Non-Data Actions:\n      android.intent.action.MAIN:\n        1a2b3c com.a/.Main filter 4d5e6f\n\nPackages:\n",
    );
    for i in 0..n {
        let name = package_name(i);
        let _ = write!(
            s,
            "  Package [{name}] ({i:07x}):\n    userId={}\n    pkg=Package{{{i:07x} {name}}}\n    codePath=/data/app/~~{i:021x}==/{name}-{i:014x}==\n    resourcePath=/data/app/~~{i:021x}==/{name}-{i:014x}==\n    primaryCpuAbi=arm64-v8a\n    versionCode={} minSdk=26 targetSdk=34\n    versionName=1.{}.0\n    splits=[base]\n    apkSigningVersion=3\n    flags=[ HAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP ]\n    privateFlags=[ PRIVATE_FLAG_ACTIVITIES_RESIZE_MODE_RESIZEABLE ]\n    dataDir=/data/user/0/{name}\n    timeStamp=2024-05-06 07:08:09\n    lastUpdateTime=2024-05-06 07:08:09\n    installerPackageName=com.android.vending\n    signatures=PackageSignatures{{{i:07x} version:3, signatures:[{i:07x}], past signatures:[]}}\n    pkgFlags=[ HAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP ]\n    requested permissions:\n      android.permission.INTERNET\n      android.permission.CAMERA\n      android.permission.RECORD_AUDIO\n      android.permission.READ_CONTACTS\n    install permissions:\n      android.permission.INTERNET: granted=true\n    User 0: ceDataInode={} installed=true hidden=false suspended=false stopped=false notLaunched=false enabled=0 instant=false virtual=false\n      firstInstallTime=2024-02-03 10:11:12\n      gids=[3003]\n      runtime permissions:\n        android.permission.CAMERA: granted=true, flags=[ USER_SET ]\n",
            10000 + i,
            i * 7 + 1,
            i % 50,
            100000 + i
        );
    }
    s.push_str("-".repeat(78).as_str());
    s.push('\n');
    s
}

/// An androidqf `packages.json` of `n` packages.
pub fn androidqf(n: usize) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| {
            let name = package_name(i);
            format!(
                r#"{{"name": "{name}", "files": [{{"path": "/data/app/~~x==/{name}-y==/base.apk", "local_name": "", "md5": "", "sha1": "", "sha256": "{i:064x}", "sha512": "", "error": "", "verified_certificate": true, "certificate": {{"Md5": "", "Sha1": "", "Sha256": "{i:064x}", "ValidFrom": "", "ValidTo": "", "Issuer": "", "Subject": "", "SignatureAlgorithm": "", "SerialNumber": 1}}, "certificate_error": "", "trusted_certificate": false}}], "installer": "com.android.vending", "uid": {}, "disabled": false, "system": false, "third_party": true}}"#,
                10000 + i
            )
        })
        .collect();
    format!("[{}]", items.join(",\n"))
}

/// A text `packages.xml` of `n` packages.
pub fn packages_xml(n: usize) -> String {
    let mut s =
        String::from("<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<packages>\n");
    for i in 0..n {
        let name = package_name(i);
        let _ = writeln!(
            s,
            "<package name=\"{name}\" codePath=\"/data/app/{name}-1\" nativeLibraryPath=\"/data/app/{name}-1/lib\" publicFlags=\"940097092\" privateFlags=\"0\" ft=\"18c6a0b1e20\" it=\"18c6a0b1e20\" ut=\"18c6a0b1e20\" version=\"{}\" userId=\"{}\" installer=\"com.android.vending\">\n<sigs count=\"1\"><cert index=\"{i}\" /></sigs>\n<perms><item name=\"android.permission.INTERNET\" granted=\"true\" flags=\"0\" /></perms>\n</package>",
            i + 1,
            10000 + i
        );
    }
    s.push_str("</packages>\n");
    s
}

/// osquery `apps` rows.
pub fn osquery_apps(n: usize) -> String {
    let rows: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"bundle_identifier":"com.example.mac{i}","bundle_name":"App {i}","bundle_short_version":"1.{i}","bundle_version":"{i}","name":"App {i}.app","path":"/Applications/App {i}.app"}}"#
            )
        })
        .collect();
    format!("[{}]", rows.join(",\n"))
}

/// A Fleet software JSON.
pub fn fleet(n: usize) -> String {
    let rows: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"id": {i}, "name": "Program {i}", "version": "1.{i}", "source": "programs", "vendor": "Vendor {}", "generated_cpe": "", "vulnerabilities": null}}"#,
                i % 50
            )
        })
        .collect();
    format!("{{\"count\": {n}, \"software\": [{}]}}", rows.join(",\n"))
}

/// A CSV app inventory.
pub fn csv(n: usize) -> String {
    let mut s = String::from("Device Name,Platform,App Name,Bundle ID,App Version,Publisher\n");
    for i in 0..n {
        let _ = writeln!(
            s,
            "host-{},Android,App {i},{},1.{i},Vendor",
            i % 100,
            package_name(i)
        );
    }
    s
}

/// A rule file of `n` generated app rules (exact, prefix, glob and regex patterns).
pub fn rules_yaml(n: usize) -> String {
    let mut s = String::from(
        "version: 1\nregimes:\n  - id: bench-regime\n    title: \"Generated regime\"\n    instrument: \"Benchmark\"\n    date: 2024-01-01\n    issuer: \"appaudit benchmarks\"\n    binds: \"Nobody\"\n    status: in-force\n    last_reviewed: 2026-11-21\n    sources:\n      - url: https://example.org/benchmark\napps:\n",
    );
    for i in 0..n {
        let ident = match i % 20 {
            0 => format!("{{platform: android, prefix: org.gen{i}}}"),
            1 => format!("{{platform: android, glob: \"org.glob{i}.*\"}}"),
            2 if i % 100 == 2 => {
                format!("{{platform: android, regex: \"^org\\\\.rx{i}\\\\.[a-z]+$\"}}")
            }
            _ => format!("{{platform: android, exact: org.gen.app{i}}}"),
        };
        let _ = write!(
            s,
            "  - id: gen-{i}\n    name: Generated {i}\n    regimes: [bench-regime]\n    last_reviewed: 2026-11-21\n    identifiers:\n      - {ident}\n"
        );
    }
    s.push_str("  - id: gen-tiktok\n    name: TikTok\n    regimes: [bench-regime]\n    last_reviewed: 2026-11-21\n    identifiers:\n      - {platform: android, exact: com.zhiliaoapp.musically}\n");
    s
}

/// A bundle id of the generated iOS inputs; every 1,000th is TikTok's.
pub fn bundle_id(i: usize) -> String {
    if i % 1_000 == 7 {
        "com.zhiliaoapp.musically".to_string()
    } else {
        format!("com.example{}.app{i}", i % 97)
    }
}

/// `ideviceinstaller` 1.2 output (CSV-like) of `n` apps.
pub fn ideviceinstaller_csv(n: usize) -> String {
    let mut text =
        String::from("CFBundleIdentifier, CFBundleShortVersionString, CFBundleDisplayName\n");
    for i in 0..n {
        text.push_str(&format!("{}, \"1.{i}\", \"App {i}\"\n", bundle_id(i)));
    }
    text
}

/// `pymobiledevice3 apps list` JSON of `n` apps.
pub fn pymobiledevice3_json(n: usize) -> String {
    let apps: serde_json::Map<String, serde_json::Value> = (0..n)
        .map(|i| {
            (
                bundle_id(i),
                serde_json::json!({
                    "ApplicationType": "User",
                    "CFBundleIdentifier": bundle_id(i),
                    "CFBundleShortVersionString": format!("1.{i}"),
                    "CFBundleDisplayName": format!("App {i}"),
                    "SignerIdentity": "Apple iPhone OS Application Signing",
                }),
            )
        })
        .collect();
    serde_json::Value::Object(apps).to_string()
}

/// A backup folder: an `Info.plist` listing `apps` apps and a `Manifest.db` with
/// `files_per_app` rows in each app's domain (plus as many in Apple's domains).
pub fn ios_backup(dir: &std::path::Path, apps: usize, files_per_app: usize) {
    let mut info = plist::Dictionary::new();
    info.insert("Device Name".into(), "Bench iPhone".into());
    info.insert("Product Type".into(), "iPhone14,2".into());
    info.insert(
        "Installed Applications".into(),
        plist::Value::Array((0..apps).map(|i| bundle_id(i).into()).collect()),
    );
    plist::Value::Dictionary(info)
        .to_file_binary(dir.join("Info.plist"))
        .expect("write Info.plist");
    let db = rusqlite::Connection::open(dir.join("Manifest.db")).expect("create Manifest.db");
    db.execute_batch(
        "CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, file BLOB);
         CREATE INDEX FilesDomainIdx ON Files(domain);",
    )
    .expect("schema");
    let tx = db.unchecked_transaction().expect("transaction");
    {
        let mut insert = tx
            .prepare("INSERT INTO Files VALUES (?1, ?2, ?3, 1, NULL)")
            .expect("insert");
        for i in 0..apps {
            for f in 0..files_per_app {
                let domain = if f % 2 == 0 {
                    format!("AppDomain-{}", bundle_id(i))
                } else {
                    format!("HomeDomain-{}", f % 50)
                };
                insert
                    .execute((format!("{i:08}{f:08}"), domain, format!("Library/f{f}")))
                    .expect("row");
            }
        }
    }
    tx.commit().expect("commit");
}
