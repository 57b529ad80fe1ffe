//! `--format ndjson`: one JSON object per line, for SIEM ingestion. Every line has
//! a `type`: `device`, `finding`, `data_left_behind`, `app` (with `--inventory`),
//! `error`, `skipped`, `removed` (with `--baseline`), `exception` (with `--exceptions`:
//! one that expired or named no finding), and a last `summary`.

use super::document::{self, FindingDoc};
use super::{Report, ReportOptions};
use crate::model::ScanResult;
use serde::Serialize;
use serde_json::json;
use std::io::{self, Write};

/// The `ndjson` format: one JSON object per line, each with a `type`.
pub struct NdjsonReport {
    /// With `inventory`, an `app` line follows each device for every app on it.
    pub options: ReportOptions,
}

#[derive(Serialize)]
struct FindingLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    device: &'a str,
    device_id: &'a str,
    device_name: &'a str,
    #[serde(flatten)]
    finding: FindingDoc<'a>,
}

fn line(out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

impl Report for NdjsonReport {
    fn write(&self, result: &ScanResult, out: &mut dyn Write) -> Result<(), super::ReportError> {
        for d in &result.devices {
            let dev = &d.device;
            line(
                out,
                &json!({
                    "type": "device",
                    "device": dev.source,
                    "device_id": dev.id,
                    "id_source": dev.id_source,
                    "also_from": dev.also_from,
                    "device_name": dev.name,
                    "platform": dev.platform,
                    "format": dev.format,
                    "apps_scanned": d.apps_scanned,
                    "findings": d.findings.len(),
                    "properties": dev.properties,
                    "warnings": dev.warnings,
                }),
            )?;
            for (kind, list) in [
                ("finding", &d.findings),
                ("data_left_behind", &d.data_left_behind),
            ] {
                for f in list {
                    line(
                        out,
                        &FindingLine {
                            kind,
                            device: &dev.source,
                            device_id: &dev.id,
                            device_name: &dev.name,
                            finding: FindingDoc::new(f),
                        },
                    )?;
                }
            }
            if self.options.inventory {
                for app in &dev.apps {
                    line(
                        out,
                        &json!({"type": "app", "device": dev.source, "device_name": dev.name, "app": app}),
                    )?;
                }
            }
        }
        for (kind, list) in [("error", &result.errors), ("skipped", &result.skipped)] {
            for e in list {
                line(
                    out,
                    &json!({"type": kind, "path": e.path, "message": e.message}),
                )?;
            }
        }
        if let Some(diff) = &result.baseline {
            baseline_lines(diff, out)?;
        }
        if let Some(outcome) = &result.exceptions {
            let expired = outcome.expired.iter().map(|e| ("expired", e));
            for (state, e) in expired.chain(outcome.unused.iter().map(|e| ("unused", e))) {
                line(
                    out,
                    &json!({"type": "exception", "state": state, "exception": e}),
                )?;
            }
        }
        let summary = document::summary(result);
        line(
            out,
            &json!({
                "type": "summary",
                "schema_version": document::SCHEMA_VERSION,
                "tool": document::tool(result),
                "policy": result.policy,
                "context": result.context,
                "summary": summary,
            }),
        )?;
        Ok(())
    }
}

/// What the baseline says, one line each: `removed`, `still_present`, `not_scanned`.
fn baseline_lines(diff: &crate::model::BaselineDiff, out: &mut dyn Write) -> io::Result<()> {
    for (kind, list) in [
        ("removed", &diff.removed),
        ("still_present", &diff.still_present),
    ] {
        for r in list {
            line(
                out,
                &json!({"type": kind, "device": r.device, "device_id": r.device_id, "app_id": r.app_id, "rule": r.rule_id, "excepted_until": r.excepted_until}),
            )?;
        }
    }
    for d in &diff.not_scanned {
        let mut value = serde_json::to_value(d).map_err(io::Error::other)?;
        value["type"] = json!("not_scanned");
        line(out, &value)?;
    }
    Ok(())
}
