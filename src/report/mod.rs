//! Reports: one module per format behind one trait. Reports read a
//! [`ScanResult`]; they know nothing of collectors or rule files.

use crate::scan::ScanResult;
use std::io::{self, Write};

pub mod document;
pub mod json;
pub mod table;

/// Output formats for `appaudit scan --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    /// A readable table per device, then a summary (default).
    #[default]
    Table,
    /// One versioned JSON document (see docs/report-format.md).
    Json,
}

/// Options every report may honour.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReportOptions {
    /// Colour for people (never in files or pipes).
    pub color: bool,
    /// List every app of every device, not only the covered ones.
    pub inventory: bool,
}

pub trait Report {
    fn write(&self, result: &ScanResult, out: &mut dyn Write) -> io::Result<()>;
}

pub fn reporter(format: Format, options: ReportOptions) -> Box<dyn Report> {
    match format {
        Format::Table => Box::new(table::TableReport { options }),
        Format::Json => Box::new(json::JsonReport { options }),
    }
}
