//! dpkg's status database (`var/lib/dpkg/status`, distroless `status.d/*`).
//!
//! A stanza is an installed package when its `Status` says `installed` (`install ok
//! installed`); `deinstall ok config-files`, `half-installed` and the like are not.
//! In `status.d/` files a stanza without `Status` is installed (distroless images
//! write none) when it has a `Version`. Empty `Package:` stanzas and stanzas
//! without a `Package` field (corrupt files) are skipped.

use crate::model::{App, Evidence, Platform};

/// The `Evidence::format` of dpkg apps.
pub const FORMAT: &str = "dpkg-status";

/// The installed packages of one status file, and what was passed over.
pub fn parse(text: &str, source: &str, status_d: bool) -> (Vec<App>, Vec<String>) {
    let mut apps = Vec::new();
    let mut warnings = Vec::new();
    let mut fields: Vec<(&str, &str, u64)> = Vec::new();
    let flush = |fields: &mut Vec<(&str, &str, u64)>, apps: &mut Vec<App>| {
        if !fields.is_empty() {
            if let Some(app) = stanza(fields, source, status_d) {
                apps.push(app);
            }
            fields.clear();
        }
    };
    let mut corrupt = 0usize;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            flush(&mut fields, &mut apps);
        } else if line.starts_with([' ', '\t']) {
            // Continuation of the previous field (descriptions, conffiles).
        } else if let Some((key, value)) = line.split_once(':') {
            fields.push((key.trim(), value.trim(), i as u64 + 1));
        } else {
            corrupt += 1;
        }
    }
    flush(&mut fields, &mut apps);
    if corrupt > 0 {
        warnings.push(format!(
            "{source}: {corrupt} line(s) that are not `Field: value` passed over"
        ));
    }
    (apps, warnings)
}

fn stanza(fields: &[(&str, &str, u64)], source: &str, status_d: bool) -> Option<App> {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v, line)| (*v, *line))
    };
    let (package, line) = get("Package")?;
    if package.is_empty() {
        return None;
    }
    let version = get("Version").map(|(v, _)| v).filter(|v| !v.is_empty());
    let installed = match get("Status") {
        Some((status, _)) => status.split_whitespace().nth(2) == Some("installed"),
        None => status_d && version.is_some(),
    };
    if !installed {
        return None;
    }
    let mut app = App::new(
        Platform::Linux,
        package,
        Evidence {
            path: source.to_owned(),
            line: Some(line),
            format: FORMAT.to_owned(),
            excerpt: Some(format!("Package: {package}")),
        },
    );
    app.version = version.map(str::to_owned);
    app.publisher = get("Maintainer")
        .map(|(m, _)| m.split('<').next().unwrap_or(m).trim().to_owned())
        .filter(|m| !m.is_empty());
    app.installer = Some("dpkg".to_owned());
    Some(app)
}

/// Names of the `.desktop` files in a package's file list (`info/<pkg>.list`).
pub fn desktop_files(list: &str) -> impl Iterator<Item = &str> {
    list.lines()
        .map(str::trim)
        .filter(|l| l.ends_with(".desktop") && l.contains("/applications/"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::test_support::shared_fixture;

    fn ids(apps: &[App]) -> Vec<(&str, Option<&str>)> {
        apps.iter()
            .map(|a| (a.id.as_str(), a.version.as_deref()))
            .collect()
    }

    #[test]
    fn real_status_files() {
        let base = "desktop/third_party/syft/linux";
        let Some(path) = shared_fixture(&format!("{base}/image-dpkg/var/lib/dpkg/status")) else {
            return;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        let (apps, _) = parse(&text, "status", false);
        assert_eq!(ids(&apps), [("libpam-runtime", Some("1.1.8-3.6"))]);
        assert_eq!(apps[0].publisher.as_deref(), Some("Steve Langasek"));
        assert_eq!(apps[0].evidence[0].line, Some(3));
        let Some(dir) = shared_fixture(&format!("{base}/status.d")) else {
            return;
        };
        let read = |n: &str| std::fs::read_to_string(dir.join(n)).unwrap();
        let (apps, _) = parse(&read("multiple"), "multiple", true);
        assert_eq!(
            ids(&apps),
            [
                ("tzdata", Some("2020a-0+deb10u1")),
                ("util-linux", Some("2.33.1-0.1"))
            ]
        );
        let (apps, _) = parse(&read("single"), "single", true);
        assert_eq!(ids(&apps), [("apt", Some("1.8.2"))]);
        let (apps, _) = parse(&read("corrupt"), "corrupt", true);
        assert!(apps.is_empty());
    }

    #[test]
    fn removed_packages_are_not_installed() {
        let text = "Package: linuxqq\nStatus: deinstall ok config-files\nVersion: 3.2\n\n\
                    Package: half\nStatus: install ok half-installed\nVersion: 1\n\n\
                    Package: wps-office\nStatus: install ok installed\nVersion: 11.1\n";
        let (apps, _) = parse(text, "status", false);
        assert_eq!(ids(&apps), [("wps-office", Some("11.1"))]);
        assert_eq!(apps[0].evidence[0].line, Some(9));
    }
}
