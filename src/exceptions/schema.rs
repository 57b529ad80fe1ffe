//! The exceptions file as written: YAML types that keep where each value stood.
//! Unknown keys are refused; every required value is optional here so that a
//! missing one is a diagnostic with its own code, not a bare parse error.

use serde::Deserialize;
use serde_saphyr::Spanned;

/// One exceptions file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExceptionFile {
    /// Format version of the file; only 1 exists.
    #[serde(default)]
    pub version: Option<Spanned<u32>>,
    /// The `exceptions:` list.
    #[serde(default)]
    pub exceptions: Vec<Spanned<ExceptionRaw>>,
}

/// One approved exception, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExceptionRaw {
    /// Device ids or names, or globs over them (`R58N*`).
    #[serde(default)]
    pub devices: Option<Spanned<Vec<Spanned<String>>>>,
    /// A covered-app rule id (`wechat`).
    #[serde(default)]
    pub rule: Option<Spanned<String>>,
    /// An app identifier (`com.tencent.mm`).
    #[serde(default)]
    pub app: Option<Spanned<String>>,
    /// A regime id (`us-tx-prohibited-2022`).
    #[serde(default)]
    pub regime: Option<Spanned<String>>,
    /// Why the app is allowed there.
    #[serde(default)]
    pub reason: Option<Spanned<String>>,
    /// Who approved it.
    #[serde(default)]
    pub approved_by: Option<Spanned<String>>,
    /// The ticket or change record.
    #[serde(default)]
    pub ticket: Option<Spanned<String>>,
    /// The day it was approved, `YYYY-MM-DD`.
    #[serde(default)]
    pub approved: Option<Spanned<String>>,
    /// The last day it applies, `YYYY-MM-DD`.
    #[serde(default)]
    pub expires: Option<Spanned<String>>,
}
