//! snaps: `var/lib/snapd/state.json` (`data.snaps.<name>`: active, current
//! revision, type) and each snap's `meta/snap.yaml` (its only version) under
//! `/snap/<name>/<revision>/` (or `/var/lib/snapd/snap/` on Fedora and Arch).
//! Without a state file, the mounted `/snap/*/current` folders are read.

use super::super::Gathered;
use super::super::walk::{Kind, Root};
use crate::collect::CollectError;
use crate::model::{App, Evidence, Platform};
use serde_saphyr::{Budget, Options};
use std::path::{Path, PathBuf};

/// The `Evidence::format` of snaps.
pub const FORMAT: &str = "snap";
const MAX_STATE_BYTES: u64 = 256 * 1024 * 1024;
const MAX_YAML_BYTES: u64 = 4 * 1024 * 1024;

const MOUNT_DIRS: &[&str] = &["/snap", "/var/lib/snapd/snap"];

/// What a `snap.yaml` says.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SnapYaml {
    /// `name:`.
    pub name: Option<String>,
    /// `version:`.
    pub version: Option<String>,
    /// `title:`.
    pub title: Option<String>,
    /// The names under `apps:`.
    pub apps: Vec<String>,
}

fn yaml_options() -> Options {
    let mut budget = Budget::default();
    budget.max_aliases = 100;
    budget.max_anchors = 100;
    budget.max_depth = 32;
    budget.max_nodes = 200_000;
    let mut options = Options::default();
    options.budget = Some(budget);
    options
}

/// Parses `meta/snap.yaml` (with resource budgets).
pub fn parse_snap_yaml(text: &str) -> Result<SnapYaml, CollectError> {
    let value: serde_json::Value = serde_saphyr::from_str_with_options(text, yaml_options())
        .map_err(|e| format!("malformed snap.yaml: {e}"))?;
    let scalar = |key: &str| -> Option<String> {
        match value.get(key)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    Ok(SnapYaml {
        name: scalar("name"),
        version: scalar("version"),
        title: scalar("title"),
        apps: value
            .get("apps")
            .and_then(|a| a.as_object())
            .map(|a| a.keys().cloned().collect())
            .unwrap_or_default(),
    })
}

/// One snap from `state.json`.
#[derive(Debug, PartialEq, Eq)]
struct StateSnap {
    name: String,
    revision: Option<String>,
    active: bool,
    kind: Option<String>,
    channel: Option<String>,
}

fn parse_state(text: &str) -> Result<Vec<StateSnap>, CollectError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("malformed state.json: {e}"))?;
    let Some(snaps) = value.pointer("/data/snaps").and_then(|s| s.as_object()) else {
        return Ok(Vec::new());
    };
    let text_of = |v: Option<&serde_json::Value>| match v {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    Ok(snaps
        .iter()
        .map(|(name, s)| StateSnap {
            name: name.clone(),
            revision: text_of(s.get("current")),
            active: s.get("active").and_then(|a| a.as_bool()).unwrap_or(false),
            kind: text_of(s.get("type")),
            channel: text_of(s.get("channel")),
        })
        .collect())
}

/// Reads the snaps of a root.
pub fn collect(root: &Root, found: &mut Gathered) {
    let state = Path::new("/var/lib/snapd/state.json");
    let mut from_state = Vec::new();
    let mut state_host = None;
    match root.read(state, MAX_STATE_BYTES) {
        Ok(Some((host, bytes))) => match parse_state(&String::from_utf8_lossy(&bytes)) {
            Ok(snaps) => {
                from_state = snaps;
                state_host = Some(host);
            }
            Err(e) => found.errors.push(crate::collect::InputError::new(&host, e)),
        },
        Ok(None) => {}
        Err(e) => found.errors.push(e),
    }
    if let Some(state_host) = state_host {
        for snap in from_state {
            let yaml = snap_yaml(root, &snap.name, snap.revision.as_deref(), found);
            let mut app = App::new(
                Platform::Linux,
                &snap.name,
                Evidence {
                    path: state_host.display().to_string(),
                    line: None,
                    format: FORMAT.to_owned(),
                    excerpt: Some(state_excerpt(&snap)),
                },
            );
            app.build = snap.revision.clone();
            app.flags.disabled = !snap.active;
            fill_from_yaml(&mut app, yaml);
            found.apps.push(app);
        }
        return;
    }
    // No state file: the mounted snaps.
    for dir in MOUNT_DIRS {
        let entries = match root.list(Path::new(dir)) {
            Ok(e) => e,
            Err(e) => {
                found.errors.push(e);
                continue;
            }
        };
        for entry in entries.iter().filter(|e| e.kind == Kind::Dir) {
            let name = entry.name_str().into_owned();
            if name == "bin" {
                continue;
            }
            if let Some(yaml) = snap_yaml(root, &name, None, found) {
                let mut app = App::new(
                    Platform::Linux,
                    yaml.1.name.clone().unwrap_or_else(|| name.clone()),
                    Evidence {
                        path: yaml.0.display().to_string(),
                        line: None,
                        format: FORMAT.to_owned(),
                        excerpt: Some(format!("snap {name}")),
                    },
                );
                app.build = root
                    .resolve(&entry.inner.join("current"))
                    .ok()
                    .flatten()
                    .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
                fill_from_yaml(&mut app, Some(yaml));
                found.apps.push(app);
            }
        }
    }
}

/// How a snap stands in `state.json`, as an evidence excerpt.
fn state_excerpt(snap: &StateSnap) -> String {
    format!(
        "data.snaps.{}: revision {}{}{}",
        snap.name,
        snap.revision.as_deref().unwrap_or("?"),
        snap.kind
            .as_deref()
            .map(|k| format!(", type {k}"))
            .unwrap_or_default(),
        snap.channel
            .as_deref()
            .map(|c| format!(", channel {c}"))
            .unwrap_or_default(),
    )
}

fn fill_from_yaml(app: &mut App, yaml: Option<(PathBuf, SnapYaml)>) {
    app.installer = Some("snap".to_owned());
    if let Some((host, yaml)) = yaml {
        app.version = yaml.version;
        app.name = yaml.title.or(yaml.name);
        let evidence = Evidence {
            path: host.display().to_string(),
            line: None,
            format: FORMAT.to_owned(),
            excerpt: app.version.as_ref().map(|v| format!("version: {v}")),
        };
        if !app.evidence.contains(&evidence) {
            app.evidence.push(evidence);
        }
        app.path = host
            .parent()
            .and_then(Path::parent)
            .map(|p| p.display().to_string());
    }
}

/// The `snap.yaml` of a snap revision (or `current`), if mounted.
fn snap_yaml(
    root: &Root,
    name: &str,
    revision: Option<&str>,
    found: &mut Gathered,
) -> Option<(PathBuf, SnapYaml)> {
    for dir in MOUNT_DIRS {
        for rev in revision.into_iter().chain(std::iter::once("current")) {
            let inner = Path::new(dir).join(name).join(rev).join("meta/snap.yaml");
            match root.read(&inner, MAX_YAML_BYTES) {
                Ok(Some((host, bytes))) => {
                    return match parse_snap_yaml(&String::from_utf8_lossy(&bytes)) {
                        Ok(yaml) => Some((host, yaml)),
                        Err(e) => {
                            found.warnings.push(format!("{}: {e}", host.display()));
                            None
                        }
                    };
                }
                Ok(None) => {}
                Err(e) => {
                    found.warnings.push(e.to_string());
                    return None;
                }
            }
        }
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::test_support::shared_fixture;

    #[test]
    fn real_snap_yaml() {
        let Some(path) =
            shared_fixture("desktop/third_party/snapd/linux/basic-desktop/meta/snap.yaml")
        else {
            return;
        };
        let yaml = parse_snap_yaml(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(yaml.name.as_deref(), Some("basic-desktop"));
        assert_eq!(yaml.version.as_deref(), Some("1.0"));
        assert_eq!(yaml.apps, ["echo", "echoecho"]);
    }

    #[test]
    fn yaml_bombs_and_garbage_are_refused() {
        let bomb = "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n\
                    c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\n\
                    e: &e [*d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e]\n\
                    g: [*f, *f, *f, *f, *f, *f, *f, *f]\n";
        assert!(parse_snap_yaml(bomb).is_err());
        assert!(parse_snap_yaml("name: [unclosed").is_err());
        let state = r#"{"data":{"snaps":{"spotify":{"active":true,"current":"80","type":"app",
            "sequence":[{"name":"spotify","revision":80}]}}}}"#;
        let snaps = parse_state(state).unwrap();
        assert_eq!(snaps[0].name, "spotify");
        assert_eq!(snaps[0].revision.as_deref(), Some("80"));
        assert!(snaps[0].active);
    }
}
