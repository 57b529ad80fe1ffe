//! `--format json`: the whole report as one versioned JSON document.

use super::{Report, ReportOptions, document};
use crate::model::ScanResult;
use std::io::{self, Write};

/// The `json` format: the [`Document`](super::document::Document), pretty-printed.
pub struct JsonReport {
    /// With `inventory`, every device lists all its apps under `apps`.
    pub options: ReportOptions,
}

impl Report for JsonReport {
    fn write(&self, result: &ScanResult, out: &mut dyn Write) -> Result<(), super::ReportError> {
        let doc = document::document(result, self.options.inventory);
        serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
        Ok(writeln!(out)?)
    }
}
