//! STIX 2.1 indicator files (MVT's, stalkerware-indicators', appaudit's own export) read
//! as rules with `--rules FILE.stix2`: each `[app:id = '...']` (and
//! `[app:cert.sha256 = '...']`) indicator becomes an identifier to review, grouped into
//! one rule per `malware` or `report` object it belongs to, under one informational
//! regime named after the file. An indicator list binds no one: its findings are
//! always to review.

use super::{
    AppRule, Confidence, Field, Identifier, InstrumentKind, Pattern, Regime, RegimeRef, RuleKind,
    Source, Status,
};
use super::{Coverage, RulesError};
use crate::model::Platform;
use serde_json::Value;
use std::path::Path;

/// What one STIX2 file gives: its regime and one rule per indicated object.
#[derive(Debug)]
pub struct Imported {
    /// The file's "indicator" regime.
    pub regime: Regime,
    /// One rule per `malware`/`report` object with app indicators (and one for the
    /// indicators that belong to none).
    pub apps: Vec<AppRule>,
}

/// Whether `path` and `text` look like a STIX2 bundle: a `.stix2` file, or JSON whose
/// top-level `type` is `bundle`.
pub fn is_stix2(path: &Path, text: &str) -> bool {
    path.extension().and_then(|e| e.to_str()) == Some("stix2")
        || (text.trim_start().starts_with('{') && text.contains("\"bundle\""))
}

/// A rule-id fragment: lowercase letters, digits and `-`.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

/// The `(path, value)` of a one-comparison pattern `[path = 'value']`.
fn comparison(pattern: &str) -> Option<(String, String)> {
    let inner = pattern.trim().strip_prefix('[')?.strip_suffix(']')?;
    let (path, value) = inner.split_once('=')?;
    let value = value.trim().strip_prefix('\'')?.strip_suffix('\'')?;
    if value.contains('\'') || value.is_empty() {
        return None;
    }
    Some((path.trim().to_ascii_lowercase(), value.to_owned()))
}

/// The identifiers one pattern gives: an app id on Android and iOS, or a certificate.
fn identifiers(pattern: &str) -> Vec<Identifier> {
    let Some((path, value)) = comparison(pattern) else {
        return Vec::new();
    };
    let (field, value) = match path.replace(['\'', '-'], "").as_str() {
        "app:id" => (Field::Id, value),
        "app:cert.sha256" => (
            Field::CertSha256,
            crate::rules::validate::normalize_digest(&value),
        ),
        _ => return Vec::new(),
    };
    [Platform::Android, Platform::Ios]
        .into_iter()
        .map(|platform| Identifier {
            platform,
            field,
            pattern: Pattern::Exact(value.clone()),
            confidence: Confidence::Review,
            note: Some("from a STIX2 indicator file".to_owned()),
        })
        .collect()
}

/// The group (malware or report id) each indicator id belongs to, as MVT reads it:
/// reports' `object_refs` first, then `indicates` relationships to a malware object.
fn group_of(objects: &[Value], indicator: &str) -> Option<String> {
    let of_type = |t: &'static str| objects.iter().filter(move |o| o["type"] == t);
    for report in of_type("report") {
        let refs = report["object_refs"].as_array();
        if refs.is_some_and(|r| r.iter().any(|x| x == indicator)) {
            return report["id"].as_str().map(str::to_owned);
        }
    }
    let malware: Vec<&str> = of_type("malware")
        .filter_map(|m| m["id"].as_str())
        .collect();
    of_type("relationship")
        .filter(|r| r["source_ref"] == indicator)
        .filter_map(|r| r["target_ref"].as_str())
        .find(|t| malware.contains(t))
        .map(str::to_owned)
}

/// Reads a STIX2 bundle's app indicators as rules. `name` is the file as the user gave it.
pub fn import(name: &str, text: &str) -> Result<Imported, RulesError> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| format!("not a STIX2 JSON bundle: {e}"))?;
    let objects = doc["objects"]
        .as_array()
        .ok_or("not a STIX2 bundle: no `objects` list")?;
    let stem = Path::new(name)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(name);
    let regime = regime(name, stem, objects);
    let mut apps: Vec<AppRule> = Vec::new();
    for ind in objects.iter().filter(|o| o["type"] == "indicator") {
        let found = identifiers(ind["pattern"].as_str().unwrap_or(""));
        if found.is_empty() {
            continue;
        }
        let id = ind["id"].as_str().unwrap_or("");
        let group = group_of(objects, id);
        let object = group
            .as_deref()
            .and_then(|g| objects.iter().find(|o| o["id"] == g));
        let title = object
            .and_then(|o| o["name"].as_str())
            .unwrap_or("Indicators without a malware or report object");
        let rule_id = format!(
            "{}-{}",
            regime.id,
            slug(group.as_deref().unwrap_or("other"))
        );
        let index = match apps.iter().position(|a| a.id == rule_id) {
            Some(i) => i,
            None => {
                apps.push(rule(&regime, &rule_id, title, name));
                apps.len() - 1
            }
        };
        let rule = &mut apps[index];
        for ident in found {
            if !rule.identifiers.iter().any(|i| {
                i.platform == ident.platform
                    && i.field == ident.field
                    && i.pattern.text().eq_ignore_ascii_case(ident.pattern.text())
            }) {
                rule.identifiers.push(ident);
            }
        }
    }
    Ok(Imported { regime, apps })
}

/// The file's regime: informational guidance that binds no one.
fn regime(name: &str, stem: &str, objects: &[Value]) -> Regime {
    // The earliest day an object of the file was created: the file's own date.
    let date = objects
        .iter()
        .filter_map(|o| o["created"].as_str())
        .filter_map(|c| c.get(..10))
        .min()
        .unwrap_or_default()
        .to_owned();
    Regime {
        id: format!("indicator-{}", slug(stem)),
        short: format!("indicators {stem}"),
        title: format!("STIX2 indicator file {name}"),
        instrument: format!("Indicators {stem}"),
        kind: Some(InstrumentKind::Guidance),
        date,
        issuer: "the indicator file's author".to_owned(),
        jurisdiction: None,
        binds: "no one: a threat-intelligence indicator list".to_owned(),
        applies_to: "no one: a threat-intelligence indicator list".to_owned(),
        status: Status::Informational,
        sources: vec![Source {
            url: name.to_owned(),
            title: Some("the STIX2 file given with --rules".to_owned()),
        }],
        last_reviewed: None,
        notes: None,
        origin: name.to_owned(),
    }
}

/// An empty rule for one indicated object.
fn rule(regime: &Regime, id: &str, title: &str, name: &str) -> AppRule {
    AppRule {
        id: id.to_owned(),
        name: title.to_owned(),
        vendor: None,
        kind: RuleKind::App,
        regimes: vec![RegimeRef {
            id: regime.id.clone(),
            coverage: Coverage::Named,
            note: Some("an indicator of this file names the app".to_owned()),
            status: None,
            status_sources: Vec::new(),
            through_owner: None,
        }],
        identifiers: Vec::new(),
        features: Vec::new(),
        owners: Vec::new(),
        sources: Vec::new(),
        last_reviewed: None,
        notes: None,
        origin: name.to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn patterns_read_like_mvt() {
        assert_eq!(
            comparison("[app:id='com.a.b']"),
            Some(("app:id".into(), "com.a.b".into()))
        );
        assert_eq!(
            comparison("[app:id = 'com.a.b']"),
            Some(("app:id".into(), "com.a.b".into()))
        );
        assert_eq!(comparison("[domain-name:value='x.org'"), None);
        assert!(identifiers("[domain-name:value='x.org']").is_empty());
        let certs = identifiers("[app:cert.sha256 = 'AB:CD']");
        assert_eq!(certs[0].pattern.text(), "abcd");
        assert_eq!(certs.len(), 2);
    }
}
