//! A STIX 2.1 bundle that MVT reads with `--iocs`: per covered app rule, one `malware`
//! object named after the app, one `indicator` per exact Android or iOS id
//! (`[app:id = '...']`) and per signing-certificate SHA-256
//! (`[app:cert.sha256 = '...']`), each tied to the app by an `indicates` relationship.
//!
//! MVT groups indicators by the `malware` (or `report`) object they indicate, and names
//! that object in its alerts, so the app's name is what an MVT alert shows. The object
//! is not a claim that the app is malware: its description says which regimes cover it.
//!
//! Ids are UUIDv5 of the rule id and value, and `created`/`modified`/`valid_from` the
//! rule's review date, so the same rules always give the same bytes.
// TODO(cert_sha1): export `app:cert.sha1` indicators once rules can carry SHA-1 digests.

use super::{Selected, exact_values, regimes_text, review_date, select};
use crate::model::Platform;
use crate::rules::policy::RegimeFilter;
use crate::rules::{Field, RuleSet, RulesError};
use serde_json::{Value, json};
use uuid::Uuid;

/// The namespace of every id this export writes (UUIDv5 of the project's URL).
fn namespace() -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        b"https://github.com/appaudit/appaudit/stix2",
    )
}

/// `type--uuid`, the UUID derived from `name`.
fn stix_id(kind: &str, name: &str) -> String {
    format!("{kind}--{}", Uuid::new_v5(&namespace(), name.as_bytes()))
}

/// A value MVT can read back: its parser splits the pattern at `=` and drops quotes.
fn fits_pattern(value: &str) -> bool {
    !value.is_empty()
        && !value
            .chars()
            .any(|c| matches!(c, '\'' | '\\' | '=' | '[' | ']') || c.is_control())
}

/// The indicator patterns of one rule: `(object path, value)`, without repeats.
fn patterns<'r>(selected: &Selected<'r>) -> Vec<(&'static str, &'r str)> {
    let rule = selected.rule;
    let mut out: Vec<(&'static str, &'r str)> = Vec::new();
    let ids = [Platform::Android, Platform::Ios]
        .into_iter()
        .flat_map(|p| exact_values(rule, p, Field::Id, true));
    for id in ids {
        if !out.iter().any(|(_, v)| v.eq_ignore_ascii_case(id)) {
            out.push(("app:id", id));
        }
    }
    let certs = [Platform::Android, Platform::Ios]
        .into_iter()
        .flat_map(|p| exact_values(rule, p, Field::CertSha256, true));
    for cert in certs {
        if !out.iter().any(|(_, v)| v.eq_ignore_ascii_case(cert)) {
            out.push(("app:cert.sha256", cert));
        }
    }
    out.retain(|(_, v)| fits_pattern(v));
    out
}

/// The rule's review date as a STIX timestamp; the newest regime date when no review
/// date is known at all.
fn timestamp(selected: &Selected<'_>, rules: &RuleSet) -> String {
    let day = review_date(selected, rules)
        .or_else(|| {
            selected
                .regimes
                .iter()
                .map(|(r, _, _)| r.date.as_str())
                .max()
        })
        .unwrap_or("1970-01-01");
    format!("{day}T00:00:00.000Z")
}

/// The objects for one rule: its malware object, then each indicator and relationship.
fn rule_objects(selected: &Selected<'_>, rules: &RuleSet) -> Vec<Value> {
    let rule = selected.rule;
    let found = patterns(selected);
    if found.is_empty() {
        return Vec::new();
    }
    let time = timestamp(selected, rules);
    let malware = stix_id("malware", &format!("rule/{}", rule.id));
    let mut objects = vec![json!({
        "type": "malware",
        "spec_version": "2.1",
        "id": malware,
        "created": time,
        "modified": time,
        "name": rule.name,
        "description": format!(
            "Not malware: appaudit rule {} ({}), an app covered by: {}",
            rule.id,
            rule.vendor.as_deref().unwrap_or("vendor unknown"),
            regimes_text(selected)
        ),
        "is_family": false,
    })];
    for (path, value) in found {
        let key = format!("rule/{}/{path}/{}", rule.id, value.to_lowercase());
        let indicator = stix_id("indicator", &key);
        objects.push(json!({
            "type": "indicator",
            "spec_version": "2.1",
            "id": indicator,
            "created": time,
            "modified": time,
            "name": format!("{} ({path} {value})", rule.name),
            "indicator_types": ["unknown"],
            "pattern": format!("[{path} = '{value}']"),
            "pattern_type": "stix",
            "pattern_version": "2.1",
            "valid_from": time,
        }));
        objects.push(json!({
            "type": "relationship",
            "spec_version": "2.1",
            "id": stix_id("relationship", &key),
            "created": time,
            "modified": time,
            "relationship_type": "indicates",
            "source_ref": indicator,
            "target_ref": malware,
        }));
    }
    objects
}

/// The bundle for every rule the filter keeps that has an exact Android or iOS id or a
/// certificate digest.
pub fn bundle(rules: &RuleSet, filter: &RegimeFilter) -> Value {
    let objects: Vec<Value> = select(rules, filter)
        .iter()
        .flat_map(|s| rule_objects(s, rules))
        .collect();
    let scope = filter.policy.as_deref().unwrap_or("all");
    json!({
        "type": "bundle",
        "id": stix_id("bundle", &format!("bundle/{scope}")),
        "objects": objects,
    })
}

/// The bundle as pretty JSON, with a final newline.
pub fn bundle_json(rules: &RuleSet, filter: &RegimeFilter) -> Result<String, RulesError> {
    serde_json::to_string_pretty(&bundle(rules, filter))
        .map(|s| s + "\n")
        .map_err(|e| format!("cannot write the bundle: {e}").into())
}
