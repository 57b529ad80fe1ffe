//! Problems found in rule files, with stable codes and source locations.
//!
//! Loading and validation push every problem here instead of stopping at the
//! first, so one `rules check` run shows them all.

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;
use std::ops::Range;

/// How bad a problem is: errors stop the scan (exit 2); warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The rules cannot be used: `rules check` and `scan` exit with code 2.
    Error,
    /// Worth fixing (e.g. a missing `last_reviewed`), but the rules still load.
    Warning,
}

/// Stable problem codes; documented in `docs/rules.md` (the `exception-*` codes, for
/// exceptions files, in `docs/exceptions.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// The file could not be read.
    Io,
    /// Not valid YAML, or valid YAML that does not fit the schema.
    Parse,
    /// A resource limit (aliases, depth, size) was exceeded.
    Limit,
    /// Two regimes, apps or policies share an id (both places are shown), or a policy
    /// uses the reserved id `all`.
    DuplicateId,
    /// An app, feature or policy names a regime that no file defines, or an app names
    /// none.
    UnknownRegime,
    /// A regex or glob does not compile, or an identifier is empty.
    BadPattern,
    /// An identifier has none or several of exact/prefix/glob/regex, or an app has no
    /// identifiers.
    IdentifierKind,
    /// The same identifier (platform, field, kind and pattern, ignoring case) is on two
    /// different apps.
    DuplicateIdentifier,
    /// A date is not `YYYY-MM-DD`.
    BadDate,
    /// `status: revoked` without `revoked: {date, by}`, or `revoked:` with another status.
    RevokedWithoutDate,
    /// A regime without sources, or a source that is not an http(s) URL.
    MissingSource,
    /// A regime or app without `last_reviewed` (a warning).
    MissingLastReviewed,
    /// A file's `version` is other than 1.
    BadVersion,
    /// A named policy does not exist.
    UnknownPolicy,
    /// A per-app status that lacks (or should not have) `since`/`by`, or `lifted` on a whole regime.
    BadAppStatus,
    /// `through_owner` names no owner of the app, or owners' periods are malformed.
    UnknownOwner,
    /// Guidance (or a revoked regime) listed as binding in a policy.
    NotBinding,
    /// A jurisdiction code no table knows, or a missing/too long `applies_to`.
    Scope,
    /// An exception names a rule id that no loaded rule defines.
    ExceptionUnknownRule,
    /// An exception names a regime id that no loaded rule defines.
    ExceptionUnknownRegime,
    /// An exception names none, or several, of `rule`, `app` and `regime`, or an empty one.
    ExceptionTarget,
    /// An exception without `devices`, `reason` or `approved_by`, or with an empty one.
    ExceptionMissingField,
    /// A device glob of an exception does not compile.
    ExceptionBadGlob,
    /// An exception without `expires`: every exception must end.
    ExceptionMissingExpiry,
    /// An exception that expires more than one year after its approval (or, without
    /// `approved`, after the day it is checked), or before its approval.
    ExceptionExpiryTooFar,
    /// An exception whose `expires` day is already past (a warning: it applies no more).
    ExceptionExpired,
}

impl Code {
    /// The stable kebab-case code printed in diagnostics (`duplicate-id`).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Io => "io",
            Code::Parse => "parse",
            Code::Limit => "limit",
            Code::DuplicateId => "duplicate-id",
            Code::UnknownRegime => "unknown-regime",
            Code::BadPattern => "bad-pattern",
            Code::IdentifierKind => "identifier-kind",
            Code::DuplicateIdentifier => "duplicate-identifier",
            Code::BadDate => "bad-date",
            Code::RevokedWithoutDate => "revoked-without-date",
            Code::MissingSource => "missing-source",
            Code::MissingLastReviewed => "missing-last-reviewed",
            Code::BadVersion => "bad-version",
            Code::UnknownPolicy => "unknown-policy",
            Code::BadAppStatus => "bad-app-status",
            Code::UnknownOwner => "unknown-owner",
            Code::NotBinding => "not-binding",
            Code::Scope => "scope",
            Code::ExceptionUnknownRule => "exception-unknown-rule",
            Code::ExceptionUnknownRegime => "exception-unknown-regime",
            Code::ExceptionTarget => "exception-target",
            Code::ExceptionMissingField => "exception-missing-field",
            Code::ExceptionBadGlob => "exception-bad-glob",
            Code::ExceptionMissingExpiry => "exception-missing-expiry",
            Code::ExceptionExpiryTooFar => "exception-expiry-too-far",
            Code::ExceptionExpired => "exception-expired",
        }
    }
}

/// A place in a loaded source file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    /// Index into [`Sources`].
    #[serde(skip)]
    pub source: usize,
    /// The file's path (`<embedded>/...` for a built-in rule file).
    pub path: String,
    /// 1-based line.
    pub line: u64,
    /// 1-based column.
    pub column: u64,
    /// The byte range in the source text that the caret underlines.
    #[serde(skip)]
    pub bytes: Range<usize>,
    /// A note shown at this place (e.g. "first used here").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// One problem in the rule files: how bad, which [`Code`], what, and where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Whether it stops the rules from loading.
    pub severity: Severity,
    /// The stable code, for scripts and docs.
    pub code: Code,
    /// What is wrong, for people.
    pub message: String,
    /// Where it is, when it has a place in a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<Label>,
    /// Related places, e.g. the first definition of a duplicate id.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secondary: Vec<Label>,
}

impl Diagnostic {
    /// An error with this code and message, not yet placed.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
        }
    }

    /// A warning with this code and message, not yet placed.
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// Places it at `label` (no place when `None`).
    pub fn at(mut self, label: Option<Label>) -> Self {
        self.primary = label;
        self
    }

    /// Adds a related place, if there is one.
    pub fn also(mut self, label: Option<Label>) -> Self {
        self.secondary.extend(label);
        self
    }

    /// One line: `path:line:column: error[code]: message`.
    pub fn one_line(&self) -> String {
        let place = match &self.primary {
            Some(l) => format!("{}:{}:{}: ", l.path, l.line, l.column),
            None => String::new(),
        };
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        format!("{place}{level}[{}]: {}", self.code.as_str(), self.message)
    }
}

/// The text of every rule source, so diagnostics can quote it.
#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<(String, String)>,
}

impl Sources {
    /// Keeps the text of a source named `name` and returns its id.
    pub fn add(&mut self, name: String, text: String) -> usize {
        self.files.push((name, text));
        self.files.len() - 1
    }

    /// The name (path) of source `id`, or `<unknown>`.
    pub fn name(&self, id: usize) -> &str {
        self.files
            .get(id)
            .map(|f| f.0.as_str())
            .unwrap_or("<unknown>")
    }

    /// The text of source `id` (empty when there is none).
    pub fn text(&self, id: usize) -> &str {
        self.files.get(id).map(|f| f.1.as_str()).unwrap_or("")
    }

    /// A label at a serde-saphyr location in source `id`.
    pub fn label(&self, id: usize, loc: &serde_saphyr::Location) -> Option<Label> {
        self.label_from(id, loc, true)
    }

    /// Like [`Sources::label`], for a location parsed from a copy of the text whose
    /// lines and columns match the source but whose byte offsets do not.
    pub fn label_by_line(&self, id: usize, loc: &serde_saphyr::Location) -> Option<Label> {
        self.label_from(id, loc, false)
    }

    fn label_from(&self, id: usize, loc: &serde_saphyr::Location, bytes: bool) -> Option<Label> {
        if loc.line() == 0 {
            return None;
        }
        let text = self.text(id);
        let span = loc.span();
        let start = span
            .byte_offset()
            .filter(|_| bytes)
            .map(|b| b as usize)
            .unwrap_or_else(|| offset_of(text, loc.line(), loc.column()));
        let len = span.byte_len().unwrap_or(0).max(1) as usize;
        let start = start.min(text.len());
        let end = snap_to_char(text, (start + len).min(text.len()));
        Some(Label {
            source: id,
            path: self.name(id).to_string(),
            line: loc.line(),
            column: loc.column(),
            bytes: snap_to_char(text, start)..end,
            message: None,
        })
    }
}

fn offset_of(text: &str, line: u64, column: u64) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1) as usize)
        .map(str::len)
        .sum();
    let col: usize = text[line_start.min(text.len())..]
        .chars()
        .take(column.saturating_sub(1) as usize)
        .map(char::len_utf8)
        .sum();
    line_start + col
}

fn snap_to_char(text: &str, mut at: usize) -> usize {
    while at < text.len() && !text.is_char_boundary(at) {
        at += 1;
    }
    at.min(text.len())
}

/// Renders diagnostics the way compilers do: header, location, quoted lines, caret.
pub fn render_text(diags: &[Diagnostic], sources: &Sources, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for diag in diags {
        let level = match diag.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let title = level
            .primary_title(diag.message.as_str())
            .id(diag.code.as_str());
        let mut group = Group::with_title(title);
        if let Some(primary) = &diag.primary {
            let mut snippet = Snippet::source(sources.text(primary.source))
                .path(primary.path.as_str())
                .annotation(label_annotation(AnnotationKind::Primary, primary));
            for extra in diag.secondary.iter().filter(|l| l.source == primary.source) {
                snippet = snippet.annotation(label_annotation(AnnotationKind::Context, extra));
            }
            group = group.element(snippet);
            for extra in diag.secondary.iter().filter(|l| l.source != primary.source) {
                group = group.element(
                    Snippet::source(sources.text(extra.source))
                        .path(extra.path.as_str())
                        .annotation(label_annotation(AnnotationKind::Context, extra)),
                );
            }
        }
        out.push_str(&renderer.render(&[group]));
        out.push_str("\n\n");
    }
    out
}

fn label_annotation(kind: AnnotationKind, label: &Label) -> annotate_snippets::Annotation<'_> {
    let annotation = kind.span(label.bytes.clone());
    match &label.message {
        Some(m) => annotation.label(m.as_str()),
        None => annotation,
    }
}
