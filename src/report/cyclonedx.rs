//! `--format cyclonedx`: a CycloneDX 1.6 JSON SBOM of every app the scan read.
//!
//! - One device: `metadata.component` is the device (`type: device`) and `components`
//!   its apps. Several devices: `components` holds each device (`type: device`) with its
//!   apps nested under it, and `metadata.component` is absent (a BOM describes one
//!   thing; a fleet is not one).
//! - Each app is `type: application` with `name`, `version`, `publisher`, a `purl`
//!   only where the package type is certain (dpkg on Debian or Ubuntu: `pkg:deb/...`),
//!   and `properties` (`appaudit:id`, `appaudit:platform`, `appaudit:path`...) so that
//!   nothing the scan read is lost.
//! - Each finding is `appaudit:finding:*` properties on its app and an `annotation`
//!   naming the rule, the regimes with their status and role, and the confidence.
//! - `serialNumber` is a UUIDv5 of the content and timestamps are the day the scan judged
//!   coverage on (`--as-of`), so the same scan gives the same bytes.

use super::{Report, ReportError};
use crate::model::{App, DeviceResult, Finding, Platform, RegimeRole, ScanResult};
use serde_json::{Value, json};
use std::io::{self, Write};

/// The `cyclonedx` format.
pub struct CycloneDxReport;

impl Report for CycloneDxReport {
    fn write(&self, result: &ScanResult, out: &mut dyn Write) -> Result<(), ReportError> {
        let bom = bom(result);
        serde_json::to_writer_pretty(&mut *out, &bom).map_err(io::Error::other)?;
        Ok(writeln!(out)?)
    }
}

/// One `{name, value}` property.
fn prop(name: &str, value: &str) -> Value {
    json!({"name": name, "value": value})
}

/// The whole BOM of `result`.
pub fn bom(result: &ScanResult) -> Value {
    let when = format!("{}T00:00:00Z", result.context.as_of);
    let mut annotations = Vec::new();
    let devices: Vec<(Value, Vec<Value>)> = result
        .devices
        .iter()
        .enumerate()
        .map(|(i, d)| device_parts(i, d, &when, &mut annotations))
        .collect();
    let tool = json!({"type": "application", "name": env!("CARGO_PKG_NAME"),
        "version": env!("CARGO_PKG_VERSION")});
    let mut metadata = json!({"tools": {"components": [tool]}});
    let components: Vec<Value> = if let [(device, apps)] = devices.as_slice() {
        metadata["component"] = device.clone();
        apps.clone()
    } else {
        devices
            .into_iter()
            .map(|(mut device, apps)| {
                if !apps.is_empty() {
                    device["components"] = Value::Array(apps);
                }
                device
            })
            .collect()
    };
    let mut bom = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": metadata,
        "components": components,
    });
    if !annotations.is_empty() {
        bom["annotations"] = Value::Array(annotations);
    }
    let content = serde_json::to_vec(&bom).unwrap_or_default();
    let serial = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, &content);
    bom["serialNumber"] = Value::String(format!("urn:uuid:{serial}"));
    bom
}

/// A device as a component, and its apps as components; findings add annotations.
fn device_parts(
    index: usize,
    d: &DeviceResult,
    when: &str,
    annotations: &mut Vec<Value>,
) -> (Value, Vec<Value>) {
    let device_ref = format!("device-{}", index + 1);
    let dev = &d.device;
    let mut properties = vec![
        prop("appaudit:device-id", &dev.id),
        prop("appaudit:platform", dev.platform.as_str()),
        prop("appaudit:source", &dev.source),
        prop("appaudit:format", &dev.format),
    ];
    for (key, value) in &dev.properties {
        properties.push(prop(&format!("appaudit:device:{key}"), value));
    }
    let device = json!({
        "type": "device",
        "bom-ref": device_ref,
        "name": dev.name,
        "properties": properties,
    });
    let mut refs: Vec<String> = Vec::new();
    let apps = dev
        .apps
        .iter()
        .map(|app| {
            let mut bom_ref = format!("{device_ref}/{}/{}", app.platform, app.id);
            if refs.contains(&bom_ref) {
                bom_ref = format!("{bom_ref}#{}", refs.len() + 1);
            }
            refs.push(bom_ref.clone());
            let findings: Vec<&Finding> = d
                .findings
                .iter()
                .chain(&d.data_left_behind)
                .filter(|f| f.app.platform == app.platform && f.app.id == app.id)
                .collect();
            for f in &findings {
                annotations.push(annotation(&bom_ref, f, when));
            }
            app_component(app, &bom_ref, &findings, dev_os(d))
        })
        .collect();
    (device, apps)
}

/// The device's operating-system name, when it gave one.
fn dev_os(d: &DeviceResult) -> Option<&str> {
    d.device.property("os")
}

/// One app as an `application` component.
fn app_component(app: &App, bom_ref: &str, findings: &[&Finding], os: Option<&str>) -> Value {
    let mut properties = vec![
        prop("appaudit:id", &app.id),
        prop("appaudit:platform", app.platform.as_str()),
    ];
    let optional = [
        ("appaudit:path", app.path.as_deref()),
        ("appaudit:build", app.build.as_deref()),
        ("appaudit:installer", app.installer.as_deref()),
        ("appaudit:team-id", app.team_id.as_deref()),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            properties.push(prop(name, value));
        }
    }
    for cert in &app.cert_sha256 {
        properties.push(prop("appaudit:cert-sha256", cert));
    }
    for (flag, set) in [
        ("system", app.flags.system),
        ("disabled", app.flags.disabled),
        ("data-only", app.flags.data_only),
        ("side-loaded", app.flags.side_loaded),
    ] {
        if set {
            properties.push(prop("appaudit:flag", flag));
        }
    }
    for f in findings {
        properties.push(prop("appaudit:finding:rule", &f.rule.id));
        properties.push(prop("appaudit:finding:confidence", f.confidence.as_str()));
        for r in &f.regimes {
            properties.push(prop(
                "appaudit:finding:regime",
                &format!("{}: {}", r.id, r.status_text),
            ));
        }
    }
    let mut c = json!({
        "type": "application",
        "bom-ref": bom_ref,
        "name": app.name.as_deref().unwrap_or(&app.id),
    });
    if let Some(v) = app.version.as_deref().or(app.build.as_deref()) {
        c["version"] = json!(v);
    }
    if let Some(p) = &app.publisher {
        c["publisher"] = json!(p);
    }
    if let Some(purl) = purl(app, os) {
        c["purl"] = json!(purl);
    }
    c["properties"] = Value::Array(properties);
    c
}

/// A finding as an annotation on its app: rule, regimes with status and role, confidence.
fn annotation(subject: &str, f: &Finding, when: &str) -> Value {
    let regimes: Vec<String> = f
        .regimes
        .iter()
        .map(|r| {
            let role = match r.role {
                RegimeRole::Binding => "binding under the scan's policy",
                RegimeRole::Context => "context",
            };
            format!("{} ({}, {role})", r.short, r.status_text)
        })
        .collect();
    let mut text = format!(
        "appaudit finding: {} ({}) matched by rule {}; regimes: {}; confidence: {}",
        f.rule.name,
        f.app.id,
        f.rule.id,
        regimes.join("; "),
        f.confidence.as_str()
    );
    if let Some(reason) = &f.reason {
        text.push_str(&format!(" ({reason})"));
    }
    if !f.app.is_installed() {
        text.push_str("; data left behind, installed for no user");
    }
    json!({
        "subjects": [subject],
        "annotator": {"component": {"type": "application", "name": env!("CARGO_PKG_NAME"),
            "version": env!("CARGO_PKG_VERSION")}},
        "timestamp": when,
        "text": text,
    })
}

/// A package URL only where the package type is certain: a dpkg package on Debian or
/// Ubuntu (`pkg:deb/debian/bash@5.2.15-2%2Bb7`). Other apps get none.
fn purl(app: &App, os: Option<&str>) -> Option<String> {
    if app.platform != Platform::Linux || !app.evidence.iter().any(|e| e.format == "dpkg-status") {
        return None;
    }
    let os = os?.to_ascii_lowercase();
    let namespace = ["debian", "ubuntu"]
        .into_iter()
        .find(|n| os.starts_with(n))?;
    let mut purl = format!(
        "pkg:deb/{namespace}/{}",
        encode(&app.id.to_ascii_lowercase())
    );
    if let Some(version) = &app.version {
        purl.push_str(&format!("@{}", encode(version)));
    }
    Some(purl)
}

/// Percent-encoding for a purl segment: everything but ASCII letters, digits, `.-_~`.
fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purl_segments_are_percent_encoded() {
        assert_eq!(encode("5.2.15-2+b7"), "5.2.15-2%2Bb7");
        assert_eq!(encode("1:2.3"), "1%3A2.3");
    }
}
