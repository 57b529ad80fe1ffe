//! Reading rule files: the set embedded in the binary, and files or folders
//! named with `--rules`. Parsing is bounded (aliases, depth, size) because rule
//! files may come from third parties.

use super::diagnostic::{Code, Diagnostic, Sources};
use super::parts::MIN_PART_BYTES;
use super::schema::RuleFile;
use super::{RuleSet, validate};
use crate::model::BuiltinRules;
use serde_saphyr::options::AliasLimits;
use serde_saphyr::{Budget, Options};
use std::path::{Path, PathBuf};

/// The rule files under `rules/`, embedded at build time (see `build.rs`): each file's
/// name, its YAML text, and its contents as JSON (parsed from the YAML by the build).
pub static EMBEDDED: &[(&str, &str, &str)] =
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// The embedded rules as validation makes them, written by `build.rs` (`None` when
/// it could not): [`load`] of the embedded set alone reads this and validates nothing.
/// Unit tests `embedded_rules_from_json_are_those_from_yaml` and
/// `embedded_rules_load_without_problems` validate the embedded files and compare.
static EMBEDDED_RULESET: Option<&str> = include!(concat!(env!("OUT_DIR"), "/embedded_ruleset.rs"));

/// A rule file larger than this is refused before parsing.
const MAX_RULE_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Which rules to load: the embedded set, extra files and folders, or both.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Extra rule files or folders (`--rules`).
    pub paths: Vec<PathBuf>,
    /// Drop the embedded set (`--no-default-rules`).
    pub no_default_rules: bool,
}

/// The outcome of loading: the rule set (when there were no errors), every
/// diagnostic, and the sources they quote.
#[derive(Debug)]
pub struct Loaded {
    /// The validated rules; `None` when any diagnostic is an error.
    pub rules: Option<RuleSet>,
    /// Every problem found, errors and warnings, in the order found.
    pub diagnostics: Vec<Diagnostic>,
    /// The text of every rule file read, so diagnostics can be rendered with quotes.
    pub sources: Sources,
}

impl Loaded {
    /// Whether any diagnostic is an error (and so `rules` is `None`).
    pub fn has_errors(&self) -> bool {
        super::diagnostic::any_error(&self.diagnostics)
    }
}

/// The embedded rules as the build counted them (see `build.rs`): the newest
/// `last_reviewed` of a regime, the number of regimes and of apps.
static EMBEDDED_SUMMARY: (Option<&str>, usize, usize) =
    include!(concat!(env!("OUT_DIR"), "/embedded_summary.rs"));

/// The rules embedded in appaudit, counted: their newest review date, regimes and
/// apps. Counted at build time, so `--version` and a scan with `--no-default-rules`
/// load no embedded rule for it (unit test
/// `builtin_counts_are_those_of_the_loaded_embedded_rules`).
pub fn builtin() -> BuiltinRules {
    let (reviewed, regimes, apps) = EMBEDDED_SUMMARY;
    BuiltinRules {
        reviewed: reviewed.map(str::to_string),
        regimes,
        apps,
    }
}

/// Reads, parses and validates the rules `options` ask for. Never stops at the first
/// problem: every file is read and every diagnostic collected.
///
/// The embedded set alone is the rule set the build wrote (see [`EMBEDDED_RULESET`]).
/// With other files, the embedded files are read from the JSON the build made of them:
/// no YAML parse at start. That JSON has no places, so when validation finds any problem the embedded
/// files are parsed again from their YAML and validated again, and every diagnostic is
/// the same as if they had been parsed with their places from the start.
pub fn load(options: &LoadOptions) -> Loaded {
    if !options.no_default_rules
        && options.paths.is_empty()
        && let Some(rules) = EMBEDDED_RULESET.and_then(|json| serde_json::from_str(json).ok())
    {
        // The embedded rules alone: validated by the unit tests, so no diagnostic and
        // no source to quote.
        return Loaded {
            rules: Some(rules),
            diagnostics: Vec::new(),
            sources: Sources::default(),
        };
    }
    let mut sources = Sources::default();
    let mut diagnostics = Vec::new();
    let mut files = Vec::new();

    let embedded = if options.no_default_rules {
        0
    } else {
        for (name, text, json) in EMBEDDED {
            let id = sources.add(format!("<embedded>/{name}"), (*text).to_string());
            match serde_json::from_str::<RuleFile>(json) {
                Ok(file) => files.push(ParsedFile { source: id, file }),
                Err(_) => files.extend(parse_source(id, &sources, &mut diagnostics)),
            }
        }
        files.len()
    };
    let mut indicators: Vec<super::stix2::Imported> = Vec::new();
    for path in &options.paths {
        for file in rule_files(path, &mut diagnostics) {
            match read_rule_file(&file) {
                Ok(text) if super::stix2::is_stix2(&file, &text) => {
                    indicators.extend(read_stix2(&file, &text, &mut diagnostics));
                }
                Ok(text) => {
                    let id = sources.add(file.display().to_string(), text);
                    files.extend(parse_source(id, &sources, &mut diagnostics));
                }
                Err(message) => diagnostics.push(Diagnostic::error(
                    Code::Io,
                    format!("{}: {message}", file.display()),
                )),
            }
        }
    }

    let mut found = Vec::new();
    let mut rules = validate::validate(&files, &sources, &mut found);
    if !found.is_empty() && embedded > 0 {
        for parsed in &mut files[..embedded] {
            let mut ignored = Vec::new();
            if let Some(spanned) = parse_source(parsed.source, &sources, &mut ignored) {
                *parsed = spanned;
            }
        }
        found.clear();
        rules = validate::validate(&files, &sources, &mut found);
    }
    diagnostics.extend(found);
    add_indicators(&mut rules, indicators);
    let has_errors = diagnostics
        .iter()
        .any(|d| d.severity == super::Severity::Error);
    Loaded {
        rules: (!has_errors).then_some(rules),
        diagnostics,
        sources,
    }
}

/// `path` itself, or the `.yaml`/`.yml` files below it, sorted for stable output.
fn rule_files(path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            diagnostics.push(Diagnostic::error(
                Code::Io,
                format!("{}: cannot read rules: {e}", path.display()),
            ));
            return Vec::new();
        }
    };
    if !meta.is_dir() {
        return vec![path.to_path_buf()];
    }
    let mut found = Vec::new();
    let mut pending = vec![(path.to_path_buf(), 0usize)];
    while let Some((dir, depth)) = pending.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) => {
                diagnostics.push(Diagnostic::error(
                    Code::Io,
                    format!("{}: cannot read folder: {e}", dir.display()),
                ));
                continue;
            }
        };
        for entry in entries.flatten() {
            let p = entry.path();
            // symlink_metadata: a link to a folder is not followed (no loops).
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() && depth < 16 {
                pending.push((p, depth + 1));
            } else if kind.is_file() && is_yaml(&p) {
                found.push(p);
            }
        }
    }
    found.sort();
    if found.is_empty() {
        diagnostics.push(Diagnostic::warning(
            Code::Io,
            format!(
                "{}: no .yaml or .yml rule files in this folder",
                path.display()
            ),
        ));
    }
    found
}

fn is_yaml(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("yaml") | Some("yml") | Some("stix2")
    )
}

/// A STIX2 indicator file as rules; a diagnostic when it cannot be read or holds no
/// app indicator.
fn read_stix2(
    file: &Path,
    text: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<super::stix2::Imported> {
    match super::stix2::import(&file.display().to_string(), text) {
        Ok(imported) => {
            if imported.apps.is_empty() {
                diagnostics.push(Diagnostic::warning(
                    Code::Parse,
                    format!(
                        "{}: no app indicator ([app:id = ...] or [app:cert.sha256 = ...]) in this STIX2 file: nothing to match",
                        file.display()
                    ),
                ));
            }
            Some(imported)
        }
        Err(e) => {
            diagnostics.push(Diagnostic::error(
                Code::Parse,
                format!("{}: {e}", file.display()),
            ));
            None
        }
    }
}

/// Adds the indicator files' regimes and rules after the rule files', renaming a
/// regime or rule whose id is taken (`-2`, `-3`...).
fn add_indicators(rules: &mut super::RuleSet, indicators: Vec<super::stix2::Imported>) {
    for mut imported in indicators {
        let base = imported.regime.id.clone();
        let mut n = 2;
        while rules.regime(&imported.regime.id).is_some() {
            imported.regime.id = format!("{base}-{n}");
            n += 1;
        }
        for mut app in imported.apps {
            app.regimes[0].id = imported.regime.id.clone();
            app.id = app.id.replacen(&base, &imported.regime.id, 1);
            let stem = app.id.clone();
            let mut n = 2;
            while rules.app(&app.id).is_some() {
                app.id = format!("{stem}-{n}");
                n += 1;
            }
            rules.apps.push(app);
        }
        rules.regimes.push(imported.regime);
    }
}

/// Reads a rule-like file (rules, exceptions): a regular UTF-8 file of bounded size.
pub fn read_rule_file(path: &Path) -> Result<String, super::RulesError> {
    use super::RulesError;
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(RulesError::NotRegularFile);
    }
    if meta.len() > MAX_RULE_FILE_BYTES {
        return Err(RulesError::TooLarge {
            size: meta.len(),
            limit: MAX_RULE_FILE_BYTES,
        });
    }
    let bytes = std::fs::read(path)?;
    String::from_utf8(bytes).map_err(|e| RulesError::NotUtf8(e.utf8_error().valid_up_to()))
}

/// Parsing limits for files from third parties (aliases, anchors, depth, nodes).
pub fn parse_options() -> Options {
    // Room for a 20,000-rule pack, far below what an alias bomb would need.
    let mut budget = Budget::default();
    budget.max_aliases = 1_000;
    budget.max_anchors = 1_000;
    budget.max_depth = 32;
    budget.max_nodes = 2_000_000;
    let mut aliases = AliasLimits::default();
    aliases.max_total_replayed_events = 100_000;
    let mut options = Options::default();
    options.budget = Some(budget);
    options.alias_limits = aliases;
    // Nothing reads comments: not collecting them makes a parse about a tenth faster.
    options.emit_comments = false;
    options
}

/// A parsed file, tagged with its source id.
pub struct ParsedFile {
    /// The file's id in [`Sources`].
    pub source: usize,
    /// Its contents, as written.
    pub file: RuleFile,
}

fn parse_source(
    id: usize,
    sources: &Sources,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<ParsedFile> {
    let text = sources.text(id);
    let parts = (text.len() / MIN_PART_BYTES).min(rayon::current_num_threads());
    if parts >= 2
        && let Some(file) = super::parts::parse_in_parts(text, parts, parse_options)
    {
        return Some(ParsedFile { source: id, file });
    }
    parse_spanned::<RuleFile>(id, sources, RULE_SECTIONS, diagnostics)
        .map(|file| ParsedFile { source: id, file })
}

/// The top-level lists of a rule file, whose items are parsed one by one after an error.
pub(super) const RULE_SECTIONS: &[&str] = &["regimes", "apps", "policies"];

/// Parses source `id` as a `T` (a rule or exceptions file). On failure every item of
/// the top-level lists named in `sections` is parsed on its own, so a file with three
/// mistakes gets three diagnostics, each with its line and column.
pub fn parse_spanned<T: serde::de::DeserializeOwned>(
    id: usize,
    sources: &Sources,
    sections: &[&str],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<T> {
    let text = sources.text(id);
    match serde_saphyr::from_str_with_options::<T>(text, parse_options()) {
        Ok(file) => Some(file),
        Err(first) => {
            let mut found = recover_item_errors::<T>(id, sources, sections);
            if found.is_empty() {
                found.push(to_diagnostic(&first, id, sources, true));
            }
            diagnostics.extend(found);
            None
        }
    }
}

fn to_diagnostic(
    err: &serde_saphyr::Error,
    id: usize,
    sources: &Sources,
    same_bytes: bool,
) -> Diagnostic {
    let message = err.without_snippet().to_string();
    let message = strip_location_prefix(&message);
    let code = if message.contains("budget") || message.contains("recursion limit") {
        Code::Limit
    } else {
        Code::Parse
    };
    let label = err.location().and_then(|loc| {
        if same_bytes {
            sources.label(id, &loc)
        } else {
            sources.label_by_line(id, &loc)
        }
    });
    Diagnostic::error(code, message).at(label)
}

/// serde-saphyr puts "line L column C" before or after its messages; our label says that already.
fn strip_location_prefix(message: &str) -> String {
    let m = message.trim();
    let mut m = m.strip_prefix("error: ").unwrap_or(m);
    if let Some(rest) = m.strip_prefix("line ")
        && let Some(pos) = rest.find(": ")
        && rest[..pos].contains("column")
    {
        m = &rest[pos + 2..];
    }
    if let Some(pos) = m.rfind(" at line ")
        && m[pos..].contains(", column ")
    {
        m = &m[..pos];
    }
    m.to_string()
}

/// After a failed parse, parse each top-level list item on its own so that a
/// file with three mistakes reports three, not one. Items are cut at lines that
/// start a new `- ` entry at the item's indentation; line numbers are kept by
/// padding the slice with the lines before it.
fn recover_item_errors<T: serde::de::DeserializeOwned>(
    id: usize,
    sources: &Sources,
    sections: &[&str],
) -> Vec<Diagnostic> {
    let text = sources.text(id);
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out: Vec<Diagnostic> = Vec::new();
    let mut section: Option<&str> = None;
    let mut item_start: Option<usize> = None;
    let mut item_indent = 0usize;

    let flush =
        |section: Option<&str>, start: Option<usize>, end: usize, out: &mut Vec<Diagnostic>| {
            let (Some(section), Some(start)) = (section, start) else {
                return;
            };
            // The section key takes the line before the item, so line numbers match the file.
            let mut doc = "\n".repeat(start.saturating_sub(1));
            doc.push_str(&format!("{section}:\n"));
            for line in &lines[start..end] {
                doc.push_str(line);
            }
            if let Err(e) = serde_saphyr::from_str_with_options::<T>(&doc, parse_options()) {
                let d = to_diagnostic(&e, id, sources, false);
                if !out
                    .iter()
                    .any(|o| o.primary == d.primary && o.message == d.message)
                {
                    out.push(d);
                }
            }
        };

    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_end();
        if trimmed.is_empty() || trimmed.trim_start().starts_with('#') {
            continue;
        }
        let indent = trimmed.len() - trimmed.trim_start().len();
        if indent == 0 {
            flush(section, item_start, i, &mut out);
            item_start = None;
            section = sections
                .iter()
                .find(|k| trimmed.strip_suffix(':') == Some(**k))
                .copied();
            if section.is_none() && !trimmed.starts_with("version:") {
                // Unknown top-level content: let the whole-file error speak.
                return Vec::new();
            }
            continue;
        }
        if section.is_some() && trimmed.trim_start().starts_with("- ") {
            if item_start.is_none() {
                item_indent = indent;
            }
            if indent == item_indent {
                flush(section, item_start, i, &mut out);
                item_start = Some(i);
            }
        }
    }
    flush(section, item_start, lines.len(), &mut out);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> Loaded {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.yaml");
        std::fs::write(&path, text).unwrap();
        load(&LoadOptions {
            paths: vec![path],
            no_default_rules: true,
        })
    }

    #[test]
    fn embedded_json_is_the_embedded_yaml() {
        for (name, text, json) in EMBEDDED {
            let from_json: serde_json::Value = serde_json::from_str(json).unwrap();
            let from_yaml: serde_json::Value = serde_saphyr::from_str(text).unwrap();
            assert_eq!(from_json, from_yaml, "{name}");
            // Every embedded file reads from its JSON: no YAML parse at start.
            serde_json::from_str::<RuleFile>(json).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn embedded_rules_from_json_are_those_from_yaml() {
        // The set the build wrote, and the one validated from the JSON files (the path
        // taken when other rule files are loaded too; a file with no rules is added).
        let loaded = load(&LoadOptions::default());
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.yaml");
        std::fs::write(&empty, "version: 1\n").unwrap();
        let with_file = load(&LoadOptions {
            paths: vec![empty],
            no_default_rules: false,
        });
        assert!(
            with_file.diagnostics.is_empty(),
            "{:?}",
            with_file.diagnostics
        );
        let (from_yaml, diagnostics) = validate_embedded();
        assert!(diagnostics.is_empty());
        let from_yaml = serde_json::to_value(from_yaml).unwrap();
        assert_eq!(
            serde_json::to_value(loaded.rules.unwrap()).unwrap(),
            from_yaml
        );
        assert_eq!(
            serde_json::to_value(with_file.rules.unwrap()).unwrap(),
            from_yaml
        );
    }

    #[test]
    fn a_clash_with_an_embedded_rule_quotes_the_embedded_place() {
        let loaded = load(&LoadOptions {
            paths: vec![],
            no_default_rules: false,
        });
        assert!(loaded.diagnostics.is_empty());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.yaml");
        let app = "apps:\n  - id: tiktok\n    name: T\n    regimes: [us-eo-13942]\n    \
                   last_reviewed: 2026-01-01\n    identifiers:\n      \
                   - {platform: android, exact: org.example.t}\n";
        std::fs::write(&path, app).unwrap();
        let loaded = load(&LoadOptions {
            paths: vec![path],
            no_default_rules: false,
        });
        let clash = loaded
            .diagnostics
            .iter()
            .find(|d| d.code == Code::DuplicateId)
            .unwrap();
        let first = clash.secondary.first().unwrap();
        assert!(
            first.path.starts_with("<embedded>/") && first.line > 0,
            "{clash:?}"
        );
    }

    #[test]
    fn builtin_counts_are_those_of_the_loaded_embedded_rules() {
        let loaded = load(&LoadOptions::default());
        let rules = loaded.rules.unwrap();
        let counted = builtin();
        assert_eq!(counted.reviewed.as_deref(), rules.reviewed_as_of());
        assert_eq!(counted.regimes, rules.regimes.len());
        assert_eq!(counted.apps, rules.apps.len());
    }

    #[test]
    fn embedded_rules_load_without_problems() {
        assert!(EMBEDDED_RULESET.is_some(), "build.rs wrote no rule set");
        let loaded = load(&LoadOptions::default());
        assert!(loaded.rules.unwrap().apps.len() >= 8);
        // Validated as with a user's file: the set above skipped validation.
        let (rules, diagnostics) = validate_embedded();
        let problems: Vec<String> = diagnostics.iter().map(|d| d.one_line()).collect();
        assert!(problems.is_empty(), "{problems:#?}");
        assert!(rules.apps.len() >= 8);
    }

    /// The embedded files parsed from their YAML and validated, as any rule file.
    fn validate_embedded() -> (RuleSet, Vec<Diagnostic>) {
        let mut sources = Sources::default();
        let mut diagnostics = Vec::new();
        let files: Vec<ParsedFile> = EMBEDDED
            .iter()
            .filter_map(|(name, text, _)| {
                let id = sources.add(format!("<embedded>/{name}"), (*text).to_string());
                parse_source(id, &sources, &mut diagnostics)
            })
            .collect();
        let rules = validate::validate(&files, &sources, &mut diagnostics);
        (rules, diagnostics)
    }

    #[test]
    fn every_unknown_field_is_reported_with_its_line() {
        let text = "apps:\n  - id: a\n    name: A\n    regimes: [x]\n    identifiers: []\n    bogus: 1\n  - id: b\n    nmae: B\n";
        let loaded = load_text(text);
        let lines: Vec<u64> = loaded
            .diagnostics
            .iter()
            .filter_map(|d| d.primary.as_ref().map(|l| l.line))
            .collect();
        assert_eq!(lines, vec![6, 8], "{:#?}", loaded.diagnostics);
        assert!(loaded.has_errors());
    }

    #[test]
    fn alias_bomb_is_refused() {
        // Thousands of aliases of one anchor: over the alias budget.
        let mut text = String::from("policies:\n  - id: p\n    title: &a0 t\n    regimes: [");
        let aliases: Vec<&str> = std::iter::repeat_n("*a0", 5000).collect();
        text.push_str(&aliases.join(","));
        text.push_str("]\n");
        let loaded = load_text(&text);
        assert!(
            loaded.diagnostics.iter().any(|d| d.code == Code::Limit),
            "{:#?}",
            loaded.diagnostics
        );
    }

    #[test]
    fn deep_nesting_is_refused_with_limit_code() {
        let text = format!("apps: {}", "[".repeat(5000));
        let loaded = load_text(&text);
        assert!(
            loaded.diagnostics.iter().any(|d| d.code == Code::Limit),
            "{:#?}",
            loaded.diagnostics
        );
    }

    #[test]
    fn location_prefix_is_stripped() {
        assert_eq!(strip_location_prefix("line 3 column 4: bad"), "bad");
        assert_eq!(strip_location_prefix("plain"), "plain");
        assert_eq!(
            strip_location_prefix("unknown field `x` at line 5, column 5"),
            "unknown field `x`"
        );
    }
}
