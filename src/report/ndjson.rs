//! `--format ndjson`: one JSON object per line, for SIEM ingestion. Every line has
//! a `type`: `device`, `finding`, `data_left_behind`, `app` (with `--inventory`),
//! `error`, `skipped`, `removed` (with `--baseline`), and a last `summary`.

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
        for r in result.removed.iter().flatten() {
            line(
                out,
                &json!({"type": "removed", "device": r.device, "app_id": r.app_id, "rule": r.rule_id}),
            )?;
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
