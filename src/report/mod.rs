//! Reports: one module per format behind one trait. Reports read a
//! [`ScanResult`]; they know nothing of collectors or rule files.

use crate::model::ScanResult;
use std::io::{self, Write};

pub mod csv;
pub mod cyclonedx;
pub mod document;
mod error;
pub use error::ReportError;
pub mod html;
pub mod json;
pub mod markdown;
pub mod ndjson;
pub mod sarif;
pub mod table;

/// Output formats for `appaudit scan --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// A readable table per device, then a summary (default).
    #[default]
    Table,
    /// One versioned JSON document (see docs/report-format.md).
    Json,
    /// One JSON object per line (devices, findings, errors, summary), for SIEMs.
    Ndjson,
    /// One row per finding, for spreadsheets.
    Csv,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// Markdown, for tickets and wikis.
    Markdown,
    /// One self-contained HTML page for managers.
    Html,
    /// A CycloneDX 1.6 JSON SBOM of every app, with the findings as annotations.
    Cyclonedx,
}

/// Options every report may honour.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReportOptions {
    /// Colour for people (never in files or pipes).
    pub color: bool,
    /// List every app of every device, not only the covered ones.
    pub inventory: bool,
    /// The columns the table report may fill (a terminal's width); `None` lets it take
    /// the width it needs, as in a file.
    pub width: Option<usize>,
}

/// A report format: turns a finished scan into bytes.
pub trait Report {
    /// Writes the whole report for `result` to `out`. Fails only when the output cannot
    /// be written or serialised; the scan's own problems are part of the report.
    fn write(&self, result: &ScanResult, out: &mut dyn Write) -> Result<(), ReportError>;
}

/// The report for `format`, honouring the `options` that format supports (`color` and
/// `width` for the table, `inventory` for JSON and NDJSON).
pub fn reporter(format: Format, options: ReportOptions) -> Box<dyn Report> {
    match format {
        Format::Table => Box::new(table::TableReport { options }),
        Format::Json => Box::new(json::JsonReport { options }),
        Format::Ndjson => Box::new(ndjson::NdjsonReport { options }),
        Format::Csv => Box::new(csv::CsvReport),
        Format::Sarif => Box::new(sarif::SarifReport),
        Format::Markdown => Box::new(markdown::MarkdownReport),
        Format::Html => Box::new(html::HtmlReport),
        Format::Cyclonedx => Box::new(cyclonedx::CycloneDxReport),
    }
}

/// How a baseline entry names its device: its own id, else its source.
pub(crate) fn baseline_device(entry: &crate::model::Removed) -> &str {
    if entry.device_id.is_empty() {
        &entry.device
    } else {
        &entry.device_id
    }
}

/// A device of the baseline not scanned this time, for people.
pub(crate) fn not_scanned_line(device: &crate::model::NotScanned) -> String {
    let id = if device.device_id.is_empty() {
        String::new()
    } else {
        format!(" (id {})", device.device_id)
    };
    format!(
        "{}{id}, {} finding{} then; read from {}",
        device.name,
        device.findings,
        if device.findings == 1 { "" } else { "s" },
        device.device
    )
}

/// The lines that text reports (table, Markdown) print about `--exceptions`: each
/// exception that expired (its findings count again) or named no finding, then a
/// blank line; nothing without exceptions or when there is nothing to say.
pub fn exception_lines(
    result: &ScanResult,
    mut line: impl FnMut(&str) -> io::Result<()>,
) -> io::Result<()> {
    let Some(outcome) = &result.exceptions else {
        return Ok(());
    };
    if outcome.expired.is_empty() && outcome.unused.is_empty() {
        return Ok(());
    }
    line(&format!("Exceptions ({}):", outcome.file))?;
    for e in &outcome.expired {
        line(&format!("- warning: {} ({})", e.message, e.origin))?;
    }
    for e in &outcome.unused {
        line(&format!("- unused: {} ({})", e.message, e.origin))?;
    }
    line("")
}
