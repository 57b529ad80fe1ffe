//! Embeds every rule file under `rules/` so the binary works with no setup.
//!
//! Each file is parsed here, at build time: a file that is not valid YAML fails the
//! build, and the binary gets its contents as JSON beside the YAML text, so loading
//! the embedded rules at start needs no YAML parse (the text is kept to quote it
//! when a user's rule clashes with an embedded one). The build also writes the
//! embedded rules as the validated rule set (read at start when no other rule file
//! is given, so nothing is validated then) and their counts for `--version`.

// The short names validation gives instruments, from the one place they are made.
#[path = "src/rules/instrument.rs"]
mod instrument;

use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from("rules");
    println!("cargo::rerun-if-changed=rules");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into()));
    let mut out = String::from("&[\n");
    let mut parsed: Vec<(String, serde_json::Value)> = Vec::new();
    // Counted for `appaudit --version` and reports, so that neither loads the rules.
    let (mut reviewed, mut regimes, mut apps) = (None::<String>, 0usize, 0usize);
    for (i, file) in files.iter().enumerate() {
        println!("cargo::rerun-if-changed={}", file.display());
        let name = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .display()
            .to_string();
        let abs = std::fs::canonicalize(file).unwrap_or_else(|_| file.clone());
        let json = out_dir.join(format!("embedded_rule_{i}.json"));
        let value = to_json(file);
        let list = |key: &str| value.get(key).and_then(|v| v.as_array()).cloned();
        let file_regimes = list("regimes").unwrap_or_default();
        regimes += file_regimes.len();
        apps += list("apps").map_or(0, |a| a.len());
        for date in file_regimes
            .iter()
            .filter_map(|r| r.get("last_reviewed").and_then(|d| d.as_str()))
        {
            if reviewed.as_deref().is_none_or(|newest| newest < date) {
                reviewed = Some(date.to_string());
            }
        }
        write(&json, &value.to_string());
        parsed.push((name.clone(), value));
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?}), include_str!({:?})),\n",
            abs.display().to_string(),
            json.display().to_string()
        ));
    }
    out.push_str("]\n");
    write(&out_dir.join("embedded_rules.rs"), &out);
    // The rule set as validation makes it, when this script can: the binary then starts
    // without validating the embedded rules (the unit tests validate them, and check
    // that this is what validation gives).
    let ruleset = match validated(&parsed) {
        Some(set) => {
            let path = out_dir.join("embedded_ruleset.json");
            write(&path, &compact(set).to_string());
            format!("Some(include_str!({:?}))\n", path.display().to_string())
        }
        None => "None\n".to_string(),
    };
    write(&out_dir.join("embedded_ruleset.rs"), &ruleset);
    write(
        &out_dir.join("embedded_summary.rs"),
        &format!("({reviewed:?}, {regimes}, {apps})\n"),
    );
}

/// The YAML file as JSON; panics (fails the build) when it is not valid YAML.
fn to_json(file: &Path) -> serde_json::Value {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => panic!("cannot read {}: {e}", file.display()),
    };
    let value: serde_json::Value = match serde_saphyr::from_str(&text) {
        Ok(v) => v,
        Err(e) => panic!("{} is not valid YAML: {e}", file.display()),
    };
    value
}

fn write(path: &Path, text: &str) {
    if let Err(e) = std::fs::write(path, text) {
        panic!("cannot write {}: {e}", path.display());
    }
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo::rerun-if-changed={}", path.display());
            collect(&path, files);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            files.push(path);
        }
    }
}

// What follows mirrors what `src/rules/validate` makes of clean rule files (the shape
// `RuleSet` serializes to). Anything unexpected gives `None`, and the binary validates
// the embedded rules at start instead. Unit tests in `src/rules/load.rs` check that
// the result is exactly the validated rule set.

use serde_json::{Map, Value, json};

/// The validated rule set of the embedded files, in load order.
fn validated(files: &[(String, Value)]) -> Option<Value> {
    let (mut regimes, mut apps, mut policies) = (Vec::new(), Vec::new(), Vec::new());
    for (name, file) in files {
        let origin = format!("<embedded>/{name}");
        for r in list(file, "regimes")? {
            regimes.push(regime(r, &origin)?);
        }
    }
    for (name, file) in files {
        let origin = format!("<embedded>/{name}");
        for a in list(file, "apps")? {
            apps.push(app(a, &origin)?);
        }
    }
    for (name, file) in files {
        let origin = format!("<embedded>/{name}");
        for p in list(file, "policies")? {
            policies.push(policy(p, &origin)?);
        }
    }
    Some(json!({"regimes": regimes, "apps": apps, "policies": policies}))
}

/// Without nulls and empty lists (what `RuleSet` reads as absent): less JSON to read at start.
fn compact(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()))
                .map(|(k, v)| (k, compact(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(compact).collect()),
        other => other,
    }
}

/// The list under `key`: empty when absent, `None` when not a list.
fn list<'a>(v: &'a Value, key: &str) -> Option<&'a [Value]> {
    match v.get(key) {
        None | Some(Value::Null) => Some(&[]),
        Some(Value::Array(items)) => Some(items),
        Some(_) => None,
    }
}

/// A required string.
fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)?.as_str().map(str::to_string)
}

/// An optional string: `Some(None)` when absent, `None` when not a string.
fn opt_text(v: &Value, key: &str) -> Option<Option<String>> {
    match v.get(key) {
        None | Some(Value::Null) => Some(None),
        Some(Value::String(s)) => Some(Some(s.clone())),
        Some(_) => None,
    }
}

/// A list of strings.
fn texts(v: &Value, key: &str) -> Option<Vec<String>> {
    list(v, key)?
        .iter()
        .map(|s| s.as_str().map(str::to_string))
        .collect()
}

fn sources(v: &Value, key: &str) -> Option<Vec<Value>> {
    list(v, key)?
        .iter()
        .map(|s| {
            let url = text(s, "url")?.trim().to_string();
            Some(json!({"url": url, "title": opt_text(s, "title")?}))
        })
        .collect()
}

fn regime(r: &Value, origin: &str) -> Option<Value> {
    let instrument = text(r, "instrument")?;
    let status = match (text(r, "status")?.as_str(), r.get("revoked")) {
        ("in-force", None) => json!({"state": "in-force"}),
        ("informational", None) => json!({"state": "informational"}),
        ("revoked", Some(revoked)) => {
            json!({"state": "revoked", "date": text(revoked, "date")?, "by": text(revoked, "by")?})
        }
        _ => return None,
    };
    let applies_to = opt_text(r, "applies_to")?.map(|a| a.trim().to_string());
    Some(json!({
        "id": text(r, "id")?,
        "short": opt_text(r, "short")?.unwrap_or_else(|| instrument::short_instrument(&instrument)),
        "title": text(r, "title")?,
        "instrument": instrument,
        "kind": opt_text(r, "kind")?,
        "date": text(r, "date")?,
        "issuer": text(r, "issuer")?,
        "jurisdiction": opt_text(r, "jurisdiction")?,
        "binds": text(r, "binds")?,
        "applies_to": applies_to.unwrap_or_default(),
        "status": status,
        "sources": sources(r, "sources")?,
        "last_reviewed": opt_text(r, "last_reviewed")?,
        "notes": opt_text(r, "notes")?,
        "origin": origin,
    }))
}

fn app(a: &Value, origin: &str) -> Option<Value> {
    let regimes = list(a, "regimes")?
        .iter()
        .map(regime_ref)
        .collect::<Option<Vec<_>>>()?;
    let identifiers = list(a, "identifiers")?
        .iter()
        .map(identifier)
        .collect::<Option<Vec<_>>>()?;
    let features = list(a, "features")?
        .iter()
        .map(|f| {
            Some(json!({
                "name": text(f, "name")?,
                "regimes": texts(f, "regimes")?,
                "note": opt_text(f, "note")?,
            }))
        })
        .collect::<Option<Vec<_>>>()?;
    let owners = list(a, "owners")?
        .iter()
        .map(|o| {
            Some(json!({
                "name": text(o, "name")?,
                "from": opt_text(o, "from")?,
                "to": opt_text(o, "to")?,
                "sources": sources(o, "sources")?,
                "note": opt_text(o, "note")?,
            }))
        })
        .collect::<Option<Vec<_>>>()?;
    if regimes.is_empty() || identifiers.is_empty() {
        return None;
    }
    Some(json!({
        "id": text(a, "id")?,
        "name": text(a, "name")?,
        "vendor": opt_text(a, "vendor")?,
        "kind": opt_text(a, "kind")?.unwrap_or_else(|| "app".to_string()),
        "regimes": regimes,
        "identifiers": identifiers,
        "features": features,
        "owners": owners,
        "sources": sources(a, "sources")?,
        "last_reviewed": opt_text(a, "last_reviewed")?,
        "notes": opt_text(a, "notes")?,
        "origin": origin,
    }))
}

fn regime_ref(r: &Value) -> Option<Value> {
    if let Some(id) = r.as_str() {
        return Some(json!({
            "id": id, "coverage": "named", "note": null, "status": null,
            "status_sources": [], "through_owner": null,
        }));
    }
    let status = match opt_text(r, "status")?.as_deref() {
        None => Value::Null,
        Some(plain @ ("in-force" | "informational")) => {
            if r.get("since").is_some() || r.get("by").is_some() {
                return None;
            }
            json!({"state": plain})
        }
        Some(state @ ("revoked" | "lifted")) => {
            json!({"state": state, "date": text(r, "since")?, "by": text(r, "by")?})
        }
        Some(_) => return None,
    };
    Some(json!({
        "id": text(r, "id")?,
        "coverage": opt_text(r, "coverage")?.unwrap_or_else(|| "named".to_string()),
        "note": opt_text(r, "note")?,
        "status": status,
        "status_sources": sources(r, "sources")?,
        "through_owner": opt_text(r, "through_owner")?,
    }))
}

fn identifier(i: &Value) -> Option<Value> {
    let field = opt_text(i, "field")?.unwrap_or_else(|| "id".to_string());
    let mut given = ["exact", "prefix", "glob", "regex"]
        .into_iter()
        .filter(|k| i.get(*k).is_some_and(|v| !v.is_null()));
    let (Some(kind), None) = (given.next(), given.next()) else {
        return None;
    };
    let mut pattern = text(i, kind)?.trim().to_string();
    if pattern.is_empty() {
        return None;
    }
    // A cert_sha1 (which must be 40 hex digits) is left to validation.
    if field == "cert_sha1" {
        return None;
    }
    if field == "cert_sha256" {
        // `normalize_digest`: lowercase hex without separators.
        pattern = pattern
            .chars()
            .filter(|c| c.is_ascii_hexdigit())
            .map(|c| c.to_ascii_lowercase())
            .collect();
    }
    let mut by_kind = Map::new();
    by_kind.insert(kind.to_string(), Value::String(pattern));
    Some(json!({
        "platform": text(i, "platform")?,
        "field": field,
        "pattern": by_kind,
        "confidence": opt_text(i, "confidence")?.unwrap_or_else(|| "confirmed".to_string()),
        "note": opt_text(i, "note")?,
    }))
}

fn policy(p: &Value, origin: &str) -> Option<Value> {
    Some(json!({
        "id": text(p, "id")?,
        "title": text(p, "title")?,
        "description": opt_text(p, "description")?,
        "regimes": texts(p, "regimes")?,
        "context": texts(p, "context")?,
        "origin": origin,
    }))
}
