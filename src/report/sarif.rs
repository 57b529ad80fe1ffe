//! `--format sarif`: SARIF 2.1.0 for code-scanning dashboards. Each covered app
//! rule that produced a finding is a SARIF rule; each finding a result located at
//! its evidence line. Inputs that could not be read are tool notifications.

use super::Report;
use crate::model::ScanResult;
use crate::model::{Confidence, Finding, RegimeRole};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// The `sarif` format: one SARIF 2.1.0 run; each installed covered app is a result.
pub struct SarifReport;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// `error` when a regime that binds the scan's scope covers a confirmed finding;
/// `warning` for one to review or only under context regimes (no scope set);
/// `note` when every regime is revoked or lifted.
fn level(f: &Finding) -> &'static str {
    let binding = f.regimes.iter().any(|r| r.role == RegimeRole::Binding);
    let all_ended = f
        .regimes
        .iter()
        .all(|r| r.status == "revoked" || r.status == "lifted");
    match (binding, all_ended, f.confidence) {
        (_, true, _) => "note",
        (true, _, Confidence::Confirmed) => "error",
        _ => "warning",
    }
}

fn message(f: &Finding, device: &str) -> String {
    let regimes: Vec<String> = f
        .regimes
        .iter()
        .map(|r| format!("{} ({}, {})", r.line(), r.role_str(), r.instrument))
        .collect();
    let mut text = format!(
        "{} ({}) is installed on {device}; covered by {}.",
        f.rule.name,
        f.app.id,
        regimes.join("; ")
    );
    if let Some(reason) = &f.reason {
        text.push_str(&format!(" Review: {reason}."));
    }
    for feature in &f.features {
        text.push_str(&format!(" {}.", feature.text));
    }
    if let Some(e) = &f.exception {
        text.push_str(&format!(" {}.", e.describe()));
    }
    text
}

fn rule(f: &Finding) -> Value {
    let help: Vec<String> = f
        .regimes
        .iter()
        .map(|r| format!("{}: {} — binds {}", r.instrument, r.status_text, r.binds))
        .collect();
    let mut rule = json!({
        "id": f.rule.id,
        "name": f.rule.name.replace(' ', ""),
        "shortDescription": {"text": format!("Covered app: {}", f.rule.name)},
        "fullDescription": {"text": help.join("\n")},
        "properties": {"vendor": f.rule.vendor, "kind": f.rule.kind},
    });
    if let Some(url) = f.regimes.iter().flat_map(|r| r.sources.first()).next() {
        rule["helpUri"] = json!(url);
    }
    rule
}

fn result(f: &Finding, device: &crate::model::Device, rule_index: usize) -> Value {
    let locations: Vec<Value> = f
        .app
        .evidence
        .iter()
        .map(|e| {
            let mut physical = json!({"artifactLocation": {"uri": uri(&e.path)}});
            if let Some(line) = e.line {
                physical["region"] = json!({"startLine": line.max(1)});
                if let Some(excerpt) = &e.excerpt {
                    physical["region"]["snippet"] = json!({"text": excerpt});
                }
            }
            json!({"physicalLocation": physical})
        })
        .collect();
    let mut result = json!({
        "ruleId": f.rule.id,
        "ruleIndex": rule_index,
        "level": level(f),
        "message": {"text": message(f, &device.name)},
        "locations": locations,
        // The device's own id, so a finding keeps its fingerprint from scan to scan.
        "partialFingerprints": {"appaudit/v1": format!("{}|{}|{}", device.id, f.app.id, f.rule.id)},
        "properties": {
            "device": device.name,
            "deviceId": device.id,
            "deviceIdSource": device.id_source,
            "platform": f.app.platform,
            "appId": f.app.id,
            "version": f.app.version,
            "confidence": f.confidence,
            "regimes": f.regimes.iter().map(|r| json!({"id": r.id, "status": r.status})).collect::<Vec<_>>(),
        },
    });
    if let Some(e) = &f.exception {
        result["properties"]["exception"] = json!(e);
        if e.is_applied() {
            // An approved exception outside the tool: SARIF viewers show it as suppressed.
            result["suppressions"] = json!([{
                "kind": "external",
                "status": "accepted",
                "justification": e.describe(),
                "properties": {
                    "approvedBy": e.approved_by,
                    "ticket": e.ticket,
                    "expires": e.expires,
                    "origin": e.origin,
                },
            }]);
        }
    }
    result
}

/// Exceptions that expired (warnings) or named no finding (notes), as notifications.
fn exception_notifications(scan: &ScanResult) -> Vec<Value> {
    let Some(outcome) = &scan.exceptions else {
        return Vec::new();
    };
    let expired = outcome.expired.iter().map(|e| ("warning", e));
    let unused = outcome.unused.iter().map(|e| ("note", e));
    expired
        .chain(unused)
        .map(|(level, e)| json!({"level": level, "message": {"text": format!("{}: {}", e.origin, e.message)}}))
        .collect()
}

/// A relative path stays relative (SARIF viewers resolve it against the run); an
/// absolute one becomes a `file://` URI. Spaces and `#`/`%` are escaped.
fn uri(path: &str) -> String {
    let escaped: String = path
        .chars()
        .map(|c| match c {
            ' ' => "%20".to_string(),
            '%' => "%25".to_string(),
            '#' => "%23".to_string(),
            '\\' => "/".to_string(),
            c => c.to_string(),
        })
        .collect();
    if escaped.starts_with('/') {
        format!("file://{escaped}")
    } else {
        escaped
    }
}

impl Report for SarifReport {
    fn write(&self, scan: &ScanResult, out: &mut dyn Write) -> Result<(), super::ReportError> {
        let mut rules: BTreeMap<&str, (usize, Value)> = BTreeMap::new();
        for (_, f) in scan.findings() {
            let next = rules.len();
            rules.entry(&f.rule.id).or_insert_with(|| (next, rule(f)));
        }
        let results: Vec<Value> = scan
            .findings()
            .map(|(d, f)| {
                let index = rules.get(f.rule.id.as_str()).map(|r| r.0).unwrap_or(0);
                result(f, &d.device, index)
            })
            .collect();
        let mut ordered: Vec<(usize, Value)> = rules.into_values().collect();
        ordered.sort_by_key(|r| r.0);
        let mut notifications: Vec<Value> = scan
            .errors
            .iter()
            .map(|e| {
                json!({
                    "level": "error",
                    "message": {"text": format!("{}: {}", e.path, e.message)},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(&e.path)}}}],
                })
            })
            .collect();
        notifications.extend(exception_notifications(scan));
        let doc = json!({
            "$schema": SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": env!("CARGO_PKG_NAME"),
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "rules": ordered.into_iter().map(|r| r.1).collect::<Vec<_>>(),
                }},
                "invocations": [{
                    "executionSuccessful": scan.errors.is_empty(),
                    "toolExecutionNotifications": notifications,
                }],
                "properties": {
                    "rulesReviewedAsOf": scan.context.rules_reviewed,
                    "asOf": scan.context.as_of,
                    "policy": scan.context.policy,
                    "scope": scan.context.scope_line(),
                },
                "results": results,
            }],
        });
        serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
        Ok(writeln!(out)?)
    }
}
