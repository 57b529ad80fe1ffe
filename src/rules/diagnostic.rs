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
        let level = self.severity.as_str();
        format!("{place}{level}[{}]: {}", self.code.as_str(), self.message)
    }
}

/// The text of every rule source, so diagnostics can quote it.
#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

/// One source: its name, text, and where each of its lines starts, so that a place
/// is found in O(log lines) and a diagnostic quotes only its own lines.
#[derive(Debug)]
struct SourceFile {
    name: String,
    text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// The 0-based line that holds byte `at`.
    fn line_of(&self, at: usize) -> usize {
        self.line_starts
            .partition_point(|&s| s <= at)
            .saturating_sub(1)
    }

    /// The byte where 0-based line `line` starts (the text's end past the last line).
    fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len())
    }
}

impl Sources {
    /// Keeps the text of a source named `name` and returns its id.
    pub fn add(&mut self, name: String, text: String) -> usize {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        self.files.push(SourceFile {
            name,
            text,
            line_starts,
        });
        self.files.len() - 1
    }

    /// The name (path) of source `id`, or `<unknown>`.
    pub fn name(&self, id: usize) -> &str {
        self.files
            .get(id)
            .map(|f| f.name.as_str())
            .unwrap_or("<unknown>")
    }

    /// The text of source `id` (empty when there is none).
    pub fn text(&self, id: usize) -> &str {
        self.files.get(id).map(|f| f.text.as_str()).unwrap_or("")
    }

    /// The lines of source `id` that hold every byte range of `spans`: the text of
    /// those whole lines, the 1-based number of the first, and the byte it starts at.
    /// Rendering quotes this window rather than the whole file, so N diagnostics
    /// cost O(N), not O(N × file size).
    fn window<'b>(
        &self,
        id: usize,
        spans: impl Iterator<Item = &'b Range<usize>>,
    ) -> (&str, usize, usize) {
        let Some(file) = self.files.get(id) else {
            return ("", 1, 0);
        };
        let (mut lo, mut hi) = (usize::MAX, 0);
        for span in spans {
            lo = lo.min(span.start);
            hi = hi.max(span.end.max(span.start));
        }
        if lo == usize::MAX {
            return (file.text.as_str(), 1, 0);
        }
        let first = file.line_of(lo);
        let start = file.line_start(first);
        let end = snap_to_char(&file.text, file.line_start(file.line_of(hi) + 1));
        (&file.text[start..end.max(start)], first + 1, start)
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
            .unwrap_or_else(|| self.offset_of(id, loc.line(), loc.column()));
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

    /// The byte offset of a 1-based line and column in source `id`.
    fn offset_of(&self, id: usize, line: u64, column: u64) -> usize {
        let Some(file) = self.files.get(id) else {
            return 0;
        };
        let line_start = file.line_start(line.saturating_sub(1) as usize);
        let col: usize = file.text[line_start..]
            .chars()
            .take(column.saturating_sub(1) as usize)
            .map(char::len_utf8)
            .sum();
        line_start + col
    }
}

fn snap_to_char(text: &str, mut at: usize) -> usize {
    while at < text.len() && !text.is_char_boundary(at) {
        at += 1;
    }
    at.min(text.len())
}

/// Renders diagnostics the way compilers do: header, location, quoted lines, caret.
pub fn render_text(diags: &[Diagnostic], sources: &Sources, color: bool) -> String {
    let renderer = renderer(color);
    let mut out = String::new();
    for diag in diags {
        render_one(&mut out, &renderer, diag, sources);
    }
    out
}

/// Like [`render_text`], but a [`Code`] found more than `limit` times is shown once,
/// in full, followed by one line that counts the others and names `lister`, the
/// command that lists them all (`appaudit rules check`): 20,000 apps without
/// `last_reviewed` take a few lines of a scan's stderr, not 200,000.
pub fn render_summarised(
    diags: &[Diagnostic],
    sources: &Sources,
    color: bool,
    limit: usize,
    lister: &str,
) -> String {
    let mut counts: foldhash::HashMap<Code, usize> = foldhash::HashMap::default();
    for diag in diags {
        *counts.entry(diag.code).or_default() += 1;
    }
    let renderer = renderer(color);
    let mut out = String::new();
    let mut shown: foldhash::HashSet<Code> = foldhash::HashSet::default();
    for diag in diags {
        let count = counts.get(&diag.code).copied().unwrap_or(0);
        if count <= limit {
            render_one(&mut out, &renderer, diag, sources);
        } else if shown.insert(diag.code) {
            render_one(&mut out, &renderer, diag, sources);
            out.push_str(&format!(
                "{}[{}]: {} more like this one (same code); `{lister}` lists them all\n\n",
                diag.severity.as_str(),
                diag.code.as_str(),
                thousands(count - 1),
            ));
        }
    }
    out
}

impl Severity {
    /// `error` or `warning`, as diagnostics print it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// `20000` as `20,000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn renderer(color: bool) -> Renderer {
    if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
}

/// Renders one diagnostic; each snippet quotes only the lines its labels are on.
fn render_one(out: &mut String, renderer: &Renderer, diag: &Diagnostic, sources: &Sources) {
    let level = match diag.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let title = level
        .primary_title(diag.message.as_str())
        .id(diag.code.as_str());
    let mut group = Group::with_title(title);
    if let Some(primary) = &diag.primary {
        let same: Vec<&Label> = diag
            .secondary
            .iter()
            .filter(|l| l.source == primary.source)
            .collect();
        let spans = std::iter::once(&primary.bytes).chain(same.iter().map(|l| &l.bytes));
        let (text, line, base) = sources.window(primary.source, spans);
        let mut snippet = Snippet::source(text)
            .line_start(line)
            .path(primary.path.as_str())
            .annotation(label_annotation(AnnotationKind::Primary, primary, base));
        for extra in same {
            snippet = snippet.annotation(label_annotation(AnnotationKind::Context, extra, base));
        }
        group = group.element(snippet);
        for extra in diag.secondary.iter().filter(|l| l.source != primary.source) {
            let (text, line, base) = sources.window(extra.source, std::iter::once(&extra.bytes));
            group = group.element(
                Snippet::source(text)
                    .line_start(line)
                    .path(extra.path.as_str())
                    .annotation(label_annotation(AnnotationKind::Context, extra, base)),
            );
        }
    }
    out.push_str(&renderer.render(&[group]));
    out.push_str("\n\n");
}

/// The annotation of `label` in a window of its source that starts at byte `base`.
fn label_annotation(
    kind: AnnotationKind,
    label: &Label,
    base: usize,
) -> annotate_snippets::Annotation<'_> {
    let bytes = label.bytes.start.saturating_sub(base)..label.bytes.end.saturating_sub(base);
    let annotation = kind.span(bytes);
    match &label.message {
        Some(m) => annotation.label(m.as_str()),
        None => annotation,
    }
}

/// Whether any of `diagnostics` is an error (a load with one yields nothing).
pub fn any_error(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity == Severity::Error)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn label(sources: &Sources, id: usize, bytes: Range<usize>, message: Option<&str>) -> Label {
        let file = &sources.files[id];
        let line = file.line_of(bytes.start);
        Label {
            source: id,
            path: sources.name(id).to_string(),
            line: line as u64 + 1,
            column: (bytes.start - file.line_start(line)) as u64 + 1,
            bytes,
            message: message.map(str::to_string),
        }
    }

    /// The rendering of before: every snippet quotes its whole source.
    fn render_whole(diag: &Diagnostic, sources: &Sources) -> String {
        let primary = diag.primary.as_ref().unwrap();
        let mut snippet = Snippet::source(sources.text(primary.source))
            .path(primary.path.as_str())
            .annotation(label_annotation(AnnotationKind::Primary, primary, 0));
        for extra in &diag.secondary {
            snippet = snippet.annotation(label_annotation(AnnotationKind::Context, extra, 0));
        }
        let title = Level::WARNING
            .primary_title(diag.message.as_str())
            .id(diag.code.as_str());
        let group = Group::with_title(title).element(snippet);
        format!("{}\n\n", Renderer::plain().render(&[group]))
    }

    #[test]
    fn a_window_holds_only_the_labelled_lines() {
        let mut sources = Sources::default();
        let text: String = (0..10_000).map(|i| format!("line {i}\n")).collect();
        let id = sources.add("big.yaml".into(), text.clone());
        let at = text.find("line 5000\n").unwrap();
        let (window, line, base) = sources.window(id, std::iter::once(&(at + 5..at + 9)));
        assert_eq!((window, line, base), ("line 5000\n", 5001, at));
        // Lookups by line use the index too: line 5001, column 6.
        assert_eq!(sources.offset_of(id, 5001, 6), at + 5);
    }

    #[test]
    fn windowed_rendering_matches_whole_source_rendering() {
        let mut sources = Sources::default();
        let text = "apps:\n  - id: a\n    name: Ä\n\n  - id: b\n    regimes: [x]\nlast: no newline";
        let id = sources.add("r.yaml".into(), text.to_string());
        let cases: Vec<(Range<usize>, Option<Range<usize>>)> = vec![
            (0..4, None),
            (13..14, Some(38..39)),
            (25..28, None),
            (text.len() - 10..text.len(), Some(0..4)),
            (text.len()..text.len(), None),
            (8..30, None),
        ];
        for (primary, secondary) in cases {
            let diag = Diagnostic::warning(Code::Parse, "m")
                .at(Some(label(&sources, id, primary, None)))
                .also(secondary.map(|b| label(&sources, id, b, Some("here"))));
            assert_eq!(
                render_text(std::slice::from_ref(&diag), &sources, false),
                render_whole(&diag, &sources),
                "{diag:?}"
            );
        }
    }

    #[test]
    fn many_of_one_code_are_summarised() {
        let mut sources = Sources::default();
        let text: String = (0..30).map(|i| format!("- id: a{i}\n")).collect();
        let id = sources.add("r.yaml".into(), text);
        let mut diags: Vec<Diagnostic> =
            (0..25)
                .map(|i| {
                    Diagnostic::warning(Code::MissingLastReviewed, format!("app a{i}"))
                        .at(Some(label(&sources, id, i * 10..i * 10 + 5, None)))
                })
                .collect();
        diags.push(Diagnostic::error(Code::BadDate, "bad date"));
        let out = render_summarised(&diags, &sources, false, 20, "appaudit rules check");
        assert!(out.contains("app a0"), "{out}");
        assert!(!out.contains("app a1\n"), "{out}");
        assert!(out.contains(
            "warning[missing-last-reviewed]: 24 more like this one (same code); \
             `appaudit rules check` lists them all"
        ));
        assert!(out.contains("bad date"));
        assert_eq!(render_summarised(&diags[..20], &sources, false, 20, "x"), {
            render_text(&diags[..20], &sources, false)
        });
        assert_eq!(thousands(19_999), "19,999");
    }
}
