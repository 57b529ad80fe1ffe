//! `--format csv`: one row per finding, for spreadsheets. Columns are documented
//! in docs/report-format.md; multi-valued cells are joined with `; `.

use super::Report;
use crate::model::ScanResult;
use crate::model::{Device, ExceptionInfo, Finding, FindingState, RegimeRole};
use std::io::Write;

/// The `csv` format: a header, then one row per finding, installed ones first and
/// data left behind after them, device by device.
pub struct CsvReport;

/// The column names, in order: the first row of every CSV report.
pub const HEADER: [&str; 25] = [
    "device",
    "device_source",
    "platform",
    "app_id",
    "app_name",
    "version",
    "users",
    "rule_id",
    "rule",
    "regimes",
    "status",
    "confidence",
    "reason",
    "state",
    "evidence",
    "sources",
    "binding_regimes",
    "rules_reviewed",
    "exception",
    "exception_reason",
    "exception_approved_by",
    "exception_ticket",
    "exception_expires",
    "device_id",
    "device_id_source",
];

fn row(device: &Device, f: &Finding, rules_reviewed: &str) -> Vec<String> {
    let evidence = f
        .app
        .evidence
        .iter()
        .map(|e| match e.line {
            Some(l) => format!("{}:{l}", e.path),
            None => e.path.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ");
    let join = |it: &mut dyn Iterator<Item = String>| it.collect::<Vec<_>>().join("; ");
    vec![
        device.name.clone(),
        device.source.clone(),
        f.app.platform.to_string(),
        f.app.id.clone(),
        f.app.name.clone().unwrap_or_default(),
        f.app
            .version
            .clone()
            .or_else(|| f.app.build.clone())
            .unwrap_or_default(),
        join(&mut f.app.installed_users().map(|u| u.to_string())),
        f.rule.id.clone(),
        f.rule.name.clone(),
        join(&mut f.regimes.iter().map(|r| r.id.to_string())),
        join(
            &mut f
                .regimes
                .iter()
                .map(|r| format!("{} ({}): {}", r.id, r.role_str(), r.line())),
        ),
        f.confidence.as_str().to_string(),
        f.reason.clone().unwrap_or_default(),
        match f.state {
            FindingState::Installed => "installed".to_string(),
            FindingState::DataLeftBehind => "data-left-behind".to_string(),
        },
        evidence,
        join(&mut f.regimes.iter().flat_map(|r| r.sources.first().cloned())),
        join(
            &mut f
                .regimes
                .iter()
                .filter(|r| r.role == RegimeRole::Binding)
                .map(|r| r.id.to_string()),
        ),
        rules_reviewed.to_string(),
        match &f.exception {
            Some(e) if e.is_applied() => "excepted".to_string(),
            Some(_) => "expired".to_string(),
            None => String::new(),
        },
        exception_field(f, |e| Some(&e.reason)),
        exception_field(f, |e| Some(&e.approved_by)),
        exception_field(f, |e| e.ticket.as_ref()),
        exception_field(f, |e| Some(&e.expires)),
        device.id.clone(),
        device.id_source.to_string(),
    ]
}

/// One field of the finding's exception, or an empty cell.
fn exception_field(f: &Finding, field: impl Fn(&ExceptionInfo) -> Option<&String>) -> String {
    f.exception
        .as_ref()
        .and_then(field)
        .cloned()
        .unwrap_or_default()
}

impl Report for CsvReport {
    fn write(&self, result: &ScanResult, out: &mut dyn Write) -> Result<(), super::ReportError> {
        let mut w = csv::Writer::from_writer(out);
        let reviewed = result.context.rules_reviewed.as_deref().unwrap_or("");
        w.write_record(HEADER)?;
        for d in &result.devices {
            for f in d.findings.iter().chain(&d.data_left_behind) {
                w.write_record(row(&d.device, f, reviewed))?;
            }
        }
        Ok(w.flush()?)
    }
}
