//! Exceptions that expire: approved, documented allowances for a covered app on
//! some devices (`--exceptions FILE`). An exception in force marks the findings it
//! names as `excepted` (shown, but not counted for the exit code); an expired one
//! applies no more and is reported; one that names no finding is reported as unused.
//!
//! The file is read and checked like rule files ([`load`]: every problem a
//! [`Diagnostic`] with a stable code and `file:line:column`), against the rules
//! the scan loaded; [`apply`] marks a scan's findings. See `docs/exceptions.md`.

mod apply;
mod schema;
mod validate;

pub use apply::apply;

use crate::model::{Device, Finding};
use crate::rules::RuleSet;
use crate::rules::diagnostic::{Code, Diagnostic, Sources};
use crate::rules::load::{parse_spanned, read_rule_file};
use globset::GlobMatcher;
use std::path::Path;

/// What an exception names on a device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Findings of this covered-app rule (`wechat`).
    Rule(String),
    /// Findings of this app identifier (`com.tencent.mm`), ignoring case.
    App(String),
    /// Findings under this regime, when it is every regime that counts for them.
    Regime(String),
}

impl Target {
    /// `rule`, `app` or `regime`.
    pub fn kind(&self) -> &'static str {
        match self {
            Target::Rule(_) => "rule",
            Target::App(_) => "app",
            Target::Regime(_) => "regime",
        }
    }

    /// The rule id, app identifier or regime id.
    pub fn id(&self) -> &str {
        match self {
            Target::Rule(s) | Target::App(s) | Target::Regime(s) => s,
        }
    }
}

/// One validated exception.
#[derive(Clone, Debug)]
pub struct Exception {
    /// The device ids or globs, as written.
    pub devices: Vec<String>,
    /// The same, compiled (case-insensitive).
    matchers: Vec<GlobMatcher>,
    /// What it names.
    pub target: Target,
    /// Why it was approved.
    pub reason: String,
    /// Who approved it.
    pub approved_by: String,
    /// The ticket, when given.
    pub ticket: Option<String>,
    /// The day it was approved, when given (`YYYY-MM-DD`).
    pub approved: Option<String>,
    /// The last day it applies (`YYYY-MM-DD`).
    pub expires: String,
    /// Where it is written: `exceptions.yaml:3`.
    pub origin: String,
}

impl Exception {
    /// Whether it names `device`, by its id or its name.
    pub fn names_device(&self, device: &Device) -> bool {
        self.matchers
            .iter()
            .any(|m| m.is_match(&device.id) || m.is_match(&device.name))
    }

    /// Whether it still applies on `day` (`YYYY-MM-DD`): `expires` is the last day.
    pub fn in_force_on(&self, day: &str) -> bool {
        day <= self.expires.as_str()
    }

    /// Whether its target is about `finding` (for a regime: one of its regimes).
    pub fn touches(&self, finding: &Finding) -> bool {
        match &self.target {
            Target::Rule(id) => finding.rule.id == *id,
            Target::App(id) => finding.app.id.eq_ignore_ascii_case(id),
            Target::Regime(id) => finding.regimes.iter().any(|r| *r.id == **id),
        }
    }
}

/// Every exception of one file, in file order.
#[derive(Clone, Debug, Default)]
pub struct ExceptionSet {
    /// The file, as given.
    pub file: String,
    /// The exceptions.
    pub exceptions: Vec<Exception>,
}

/// The outcome of loading an exceptions file: the exceptions (when there were no
/// errors), every diagnostic, and the text they quote.
#[derive(Debug)]
pub struct Loaded {
    /// The validated exceptions; `None` when any diagnostic is an error.
    pub set: Option<ExceptionSet>,
    /// Every problem found, errors and warnings.
    pub diagnostics: Vec<Diagnostic>,
    /// The file's text, so diagnostics can be rendered with quotes.
    pub sources: Sources,
}

impl Loaded {
    /// Whether any diagnostic is an error (and so `set` is `None`).
    pub fn has_errors(&self) -> bool {
        crate::rules::diagnostic::any_error(&self.diagnostics)
    }
}

/// Reads, parses and checks the exceptions file at `path` against `rules`, on the
/// day `as_of` (`YYYY-MM-DD`: the scan's day, for expiry limits without
/// `approved`). Never stops at the first problem.
pub fn load(path: &Path, rules: &RuleSet, as_of: &str) -> Loaded {
    let mut sources = Sources::default();
    let mut diagnostics = Vec::new();
    let name = path.display().to_string();
    let set = match read_rule_file(path) {
        Ok(text) => {
            let id = sources.add(name.clone(), text);
            parse_spanned::<schema::ExceptionFile>(id, &sources, &["exceptions"], &mut diagnostics)
                .map(|file| {
                    let mut ctx = validate::Ctx {
                        sources: &sources,
                        source: id,
                        rules,
                        as_of,
                        diagnostics: &mut diagnostics,
                    };
                    ExceptionSet {
                        file: name.clone(),
                        exceptions: validate::validate(&mut ctx, &file),
                    }
                })
        }
        Err(e) => {
            diagnostics.push(Diagnostic::error(
                Code::Io,
                format!("{name}: cannot read exceptions: {e}"),
            ));
            None
        }
    };
    let has_errors = crate::rules::diagnostic::any_error(&diagnostics);
    Loaded {
        set: set.filter(|_| !has_errors),
        diagnostics,
        sources,
    }
}

#[cfg(test)]
mod tests;
