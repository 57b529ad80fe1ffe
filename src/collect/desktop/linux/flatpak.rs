//! flatpak installations: system-wide (`/var/lib/flatpak`) and per user
//! (`~/.local/share/flatpak`). An app is `app/<id>/<arch>/<branch>/active/`; its
//! version is only in its AppStream metainfo (`files/share/metainfo/<id>.metainfo.xml`
//! or `.appdata.xml`), as the newest `<release version>`.

use super::super::Gathered;
use super::super::walk::{Kind, Root};
use crate::collect::CollectError;
use crate::model::{App, Evidence, Platform};
use quick_xml::Reader;
use quick_xml::events::Event;
use std::path::Path;

/// The `Evidence::format` of flatpak apps.
pub const FORMAT: &str = "flatpak";
const MAX_METAINFO_BYTES: u64 = 16 * 1024 * 1024;

/// What an AppStream metainfo file says.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Metainfo {
    /// The component id (`<id>`).
    pub id: Option<String>,
    /// The English name (`<name>`).
    pub name: Option<String>,
    /// The developer's name.
    pub developer: Option<String>,
    /// The newest release's version (by date or timestamp, else the first listed).
    pub version: Option<String>,
}

/// Parses AppStream metainfo XML. Errors are malformed XML.
pub fn parse_metainfo(xml: &str) -> Result<Metainfo, CollectError> {
    let mut reader = Reader::from_str(xml);
    let mut info = Metainfo::default();
    let mut path: Vec<String> = Vec::new();
    let mut text_target: Option<&'static str> = None;
    // (sort key, version, order) of each release.
    let mut releases: Vec<(String, String)> = Vec::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("malformed metainfo XML: {e}"))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = e.local_name().as_ref().to_owned();
                let localized = e
                    .attributes()
                    .flatten()
                    .any(|a| a.key.as_ref() == "xml:lang");
                let parent = path.last().map(String::as_str);
                let depth = path.len();
                if name == "release" && parent == Some("releases") {
                    let mut version = None;
                    let mut key = String::new();
                    for a in e.attributes().flatten() {
                        let value = a.value.to_string();
                        match a.key.as_ref() {
                            "version" => version = Some(value),
                            "timestamp" => key = format!("{value:0>20}"),
                            "date" if key.is_empty() => key = date_key(&value),
                            _ => {}
                        }
                    }
                    if let Some(v) = version {
                        releases.push((key, v));
                    }
                }
                text_target = match (name.as_str(), depth, localized) {
                    ("id", 1, _) => Some("id"),
                    ("name", 1, false) => Some("name"),
                    ("developer_name", 1, false) => Some("developer"),
                    ("name", 2, false) if parent == Some("developer") => Some("developer"),
                    _ => None,
                };
                if matches!(event, Event::Start(_)) {
                    path.push(name);
                }
            }
            Event::Text(t) => {
                if let Some(target) = text_target {
                    let text = t.xml10_content().trim().to_owned();
                    if !text.is_empty() {
                        let slot = match target {
                            "id" => &mut info.id,
                            "name" => &mut info.name,
                            _ => &mut info.developer,
                        };
                        if slot.is_none() {
                            *slot = Some(text);
                        }
                    }
                }
            }
            Event::End(_) => {
                path.pop();
                text_target = None;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    // Newest first by key; without dates, the first listed (AppStream lists newest first).
    let mut best: Option<&(String, String)> = None;
    for r in &releases {
        if best.is_none_or(|b| r.0 > b.0) {
            best = Some(r);
        }
    }
    info.version = best.map(|(_, v)| v.clone());
    Ok(info)
}

/// A sortable key from an ISO date (`2026-06-09` or `2026-06-09T10:00:00Z`).
fn date_key(date: &str) -> String {
    // Seconds are not needed: a day's releases keep document order by `>`.
    let day: String = date.chars().filter(char::is_ascii_digit).take(8).collect();
    format!("{day:0>20}")
}

/// Reads one flatpak installation folder (`/var/lib/flatpak` or a user's
/// `.local/share/flatpak`); `scope` says whose it is, for the evidence.
pub fn collect(root: &Root, installation: &Path, scope: &str, found: &mut Gathered) {
    let app_dir = installation.join("app");
    let ids = match root.list(&app_dir) {
        Ok(ids) => ids,
        Err(e) => return found.errors.push(e),
    };
    for id in ids.iter().filter(|e| e.kind == Kind::Dir) {
        let arches = match root.list(&id.inner) {
            Ok(a) => a,
            Err(e) => {
                found.errors.push(e);
                continue;
            }
        };
        for arch in arches.iter().filter(|e| e.kind == Kind::Dir) {
            let branches = match root.list(&arch.inner) {
                Ok(b) => b,
                Err(e) => {
                    found.errors.push(e);
                    continue;
                }
            };
            for branch in branches.iter().filter(|e| e.kind == Kind::Dir) {
                let active = branch.inner.join("active");
                if root.dir(&active).is_none() {
                    continue;
                }
                let id_str = id.name_str().into_owned();
                let where_ = format!(
                    "app/{id_str}/{}/{} ({scope})",
                    arch.name_str(),
                    branch.name_str()
                );
                let app = read_app(root, &active, &id_str, &where_, &mut found.warnings);
                found.apps.push(app);
            }
        }
    }
}

fn read_app(root: &Root, active: &Path, id: &str, where_: &str, warnings: &mut Vec<String>) -> App {
    let candidates = [
        format!("files/share/metainfo/{id}.metainfo.xml"),
        format!("files/share/metainfo/{id}.appdata.xml"),
        format!("files/share/appdata/{id}.appdata.xml"),
        format!("files/share/appdata/{id}.metainfo.xml"),
    ];
    let mut evidence_path = root.host(active).display().to_string();
    let mut info = Metainfo::default();
    for c in &candidates {
        match root.read(&active.join(c), MAX_METAINFO_BYTES) {
            Ok(Some((host, bytes))) => {
                evidence_path = host.display().to_string();
                match parse_metainfo(&String::from_utf8_lossy(&bytes)) {
                    Ok(parsed) => info = parsed,
                    Err(e) => warnings.push(format!("{evidence_path}: {e}")),
                }
                break;
            }
            Ok(None) => {}
            Err(e) => warnings.push(e.to_string()),
        }
    }
    let mut app = App::new(
        Platform::Linux,
        id,
        Evidence {
            path: evidence_path,
            line: None,
            format: FORMAT.to_owned(),
            excerpt: Some(format!("flatpak {where_}")),
        },
    );
    app.name = info.name;
    app.version = info.version;
    app.publisher = info.developer;
    app.installer = Some("flatpak".to_owned());
    app.path = Some(active.display().to_string());
    app
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::test_support::shared_fixture;

    #[test]
    fn real_metainfo_newest_release() {
        let Some(path) = shared_fixture(
            "desktop/third_party/flathub-com.tencent.WeChat/linux/com.tencent.WeChat.metainfo.xml",
        ) else {
            return;
        };
        let info = parse_metainfo(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(info.id.as_deref(), Some("com.tencent.WeChat"));
        assert_eq!(info.name.as_deref(), Some("WeChat"));
        assert_eq!(info.developer.as_deref(), Some("Tencent"));
        assert_eq!(info.version.as_deref(), Some("4.1.1.7"));
    }

    #[test]
    fn releases_by_date_and_garbage() {
        let xml = r#"<component><id>a.b</id><releases>
            <release version="1.0" date="2020-01-01"/><release version="2.0" date="2021-05-01"/>
            </releases></component>"#;
        assert_eq!(parse_metainfo(xml).unwrap().version.as_deref(), Some("2.0"));
        assert!(parse_metainfo("<component><id>x</ide></component>").is_err());
    }
}
