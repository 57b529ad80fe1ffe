//! `--format html`: one self-contained page for managers (no network): totals,
//! bar charts of findings by regime and by device, a sortable table with each
//! finding's evidence and legal sources.

use super::Report;
use super::document::{self, FindingDoc};
use crate::model::ScanResult;
use minijinja::value::Serde;
use minijinja::{Environment, Value, context};
use serde::Serialize;
use std::io::{self, Write};

/// The `html` format: one self-contained page with inline CSS and JavaScript.
pub struct HtmlReport;

const TEMPLATE: &str = include_str!("templates/report.html");

#[derive(Serialize)]
struct Row<'a> {
    device: &'a str,
    device_id: &'a str,
    finding: FindingDoc<'a>,
}

#[derive(Serialize)]
struct DeviceCount<'a> {
    name: &'a str,
    source: &'a str,
    findings: usize,
}

impl Report for HtmlReport {
    fn write(&self, result: &ScanResult, out: &mut dyn Write) -> Result<(), super::ReportError> {
        let doc = document::document(result, false);
        let rows: Vec<Row> = result
            .findings()
            .map(|(d, f)| Row {
                device: &d.device.name,
                device_id: &d.device.id,
                finding: FindingDoc::new(f),
            })
            .collect();
        let left_behind: Vec<Row> = result
            .devices
            .iter()
            .flat_map(|d| {
                d.data_left_behind.iter().map(move |f| Row {
                    device: &d.device.name,
                    device_id: &d.device.id,
                    finding: FindingDoc::new(f),
                })
            })
            .collect();
        let mut by_device: Vec<DeviceCount> = result
            .devices
            .iter()
            .map(|d| DeviceCount {
                name: &d.device.name,
                source: &d.device.source,
                findings: d.findings.iter().filter(|f| !f.is_excepted()).count(),
            })
            .filter(|d| d.findings > 0)
            .collect();
        by_device.sort_by(|a, b| b.findings.cmp(&a.findings).then(a.name.cmp(b.name)));
        // A chart of thousands of devices is unreadable; the table has them all.
        by_device.truncate(50);
        let max_regime = doc
            .summary
            .by_regime
            .iter()
            .map(|r| r.findings)
            .max()
            .unwrap_or(1)
            .max(1);
        let max_device = by_device
            .iter()
            .map(|d| d.findings)
            .max()
            .unwrap_or(1)
            .max(1);

        let mut env = Environment::new();
        env.add_template("report.html", TEMPLATE)
            .map_err(io::Error::other)?;
        let template = env.get_template("report.html").map_err(io::Error::other)?;
        let page = template
            .render(context! {
                doc => Value::from(Serde(&doc)),
                rows => Value::from(Serde(&rows)),
                left_behind => Value::from(Serde(&left_behind)),
                by_device => Value::from(Serde(&by_device)),
                max_regime => max_regime,
                max_device => max_device,
            })
            .map_err(io::Error::other)?;
        Ok(out.write_all(page.as_bytes())?)
    }
}
