//! Big rule files parsed in parts on several cores: a 20,000-rule file spends most of
//! its load in the YAML parser, which is single-threaded.

use super::load::RULE_SECTIONS;
use super::schema::RuleFile;
use rayon::prelude::*;
use serde_saphyr::Options;
use serde_saphyr::budget::BudgetReport;
use std::ops::Range;

/// A rule file is parsed in parts on several cores only when each part gets this much.
pub(super) const MIN_PART_BYTES: usize = 256 * 1024;

/// Parses a big rule file in `parts` pieces at once, cut before top-level list items,
/// and joins them: what parsing it whole gives, places included, or `None` whenever
/// that cannot be promised, and the caller parses it whole (which also makes every
/// diagnostic of a file that does not parse).
///
/// A part keeps the byte offsets, lines and columns of the file: the text before it
/// is blanked (each byte but `\n` a space) except its list's `key:` line. Only plain
/// files are cut: top-level keys `version`, `regimes`, `apps` and `policies` each at
/// most once, no anchors (an alias could name one in another part), no directives or
/// document markers. Any part that fails sends the file to the whole parse. The
/// parse budget holds for the whole file when the sums of the parts' counters do,
/// since every event of the whole file is in some part.
pub(super) fn parse_in_parts(
    text: &str,
    parts: usize,
    options: fn() -> Options,
) -> Option<RuleFile> {
    let cuts = cut_points(text, parts)?;
    let limits = options().budget.unwrap_or_default();
    let results: Vec<Option<(RuleFile, BudgetReport)>> = cuts
        .par_iter()
        .enumerate()
        .map(|(i, cut)| {
            let end = cuts.get(i + 1).map_or(text.len(), |next| next.start);
            let report = std::rc::Rc::new(std::cell::RefCell::new(None));
            let sink = report.clone();
            let options = options().with_budget_report(move |r: BudgetReport| {
                *sink.borrow_mut() = Some(r);
            });
            let parsed = match cut.header.clone() {
                None => serde_saphyr::from_str_with_options::<RuleFile>(&text[..end], options),
                Some(header) => {
                    let part = blanked(text, header, cut.start, end);
                    serde_saphyr::from_str_with_options::<RuleFile>(&part, options)
                }
            };
            let report = report.borrow_mut().take()?;
            Some((parsed.ok()?, report))
        })
        .collect();
    let mut whole = RuleFile::default();
    let mut sum = BudgetReport::default();
    for (file, report) in results.into_iter().collect::<Option<Vec<_>>>()? {
        if file.version.is_some() {
            whole.version = file.version;
        }
        whole.regimes.extend(file.regimes);
        whole.apps.extend(file.apps);
        whole.policies.extend(file.policies);
        sum.events += report.events;
        sum.aliases += report.aliases;
        sum.anchors += report.anchors;
        sum.recorded_anchor_events += report.recorded_anchor_events;
        sum.recorded_anchor_bytes += report.recorded_anchor_bytes;
        sum.nodes += report.nodes;
        sum.total_scalar_bytes += report.total_scalar_bytes;
        sum.merge_keys += report.merge_keys;
    }
    // Depth and documents are the same in a part as in the whole file.
    let within = sum.events <= limits.max_events
        && sum.aliases <= limits.max_aliases
        && sum.anchors <= limits.max_anchors
        && sum.recorded_anchor_events <= limits.max_recorded_anchor_events
        && sum.recorded_anchor_bytes <= limits.max_recorded_anchor_bytes
        && sum.nodes <= limits.max_nodes
        && sum.total_scalar_bytes <= limits.max_total_scalar_bytes
        && sum.merge_keys <= limits.max_merge_keys;
    within.then_some(whole)
}

/// Where a part of a rule file starts, and the byte range of the `key:` line of the
/// list it starts in (`None` for the first part, which is the file's own beginning).
struct Cut {
    start: usize,
    header: Option<Range<usize>>,
}

/// Up to `parts` places to cut `text` at, each the start of a top-level list item
/// near an even share of the bytes; `None` when the file is not plain enough to cut
/// (see [`parse_in_parts`]) or has no place to cut.
fn cut_points(text: &str, parts: usize) -> Option<Vec<Cut>> {
    if text.starts_with('\u{feff}') {
        return None;
    }
    let bytes = text.as_bytes();
    // `&` starting a node is an anchor; one inside a word (`?a=1&b=2`) is not.
    let anchor = memchr::memchr_iter(b'&', bytes).any(|at| {
        at == 0
            || matches!(
                bytes[at - 1],
                b' ' | b'\t' | b'\n' | b'\r' | b'[' | b'{' | b','
            )
    });
    if anchor {
        return None;
    }
    let mut cuts = vec![Cut {
        start: 0,
        header: None,
    }];
    let mut keys_seen: Vec<&str> = Vec::new();
    let mut section: Option<Range<usize>> = None;
    let mut item_indent: Option<usize> = None;
    let mut line_start = 0;
    while line_start < text.len() {
        let line_end =
            memchr::memchr(b'\n', &bytes[line_start..]).map_or(text.len(), |i| line_start + i + 1);
        let line = &text[line_start..line_end];
        let start = line_start;
        line_start = line_end;
        let content = line.trim_end();
        let unindented = content.trim_start_matches(' ');
        if unindented.is_empty() || unindented.starts_with('#') {
            continue;
        }
        let indent = content.len() - unindented.len();
        if indent == 0 {
            let key = if content.starts_with("version:") {
                section = None;
                "version"
            } else {
                let key = RULE_SECTIONS
                    .iter()
                    .find(|k| content.strip_suffix(':') == Some(**k))?;
                section = Some(start..line_end);
                item_indent = None;
                key
            };
            if keys_seen.contains(&key) {
                return None;
            }
            keys_seen.push(key);
            continue;
        }
        // Content under `version:` or before any key, or indented with tabs: not cut.
        let header = section.clone()?;
        if unindented.starts_with('\t') {
            return None;
        }
        if unindented.starts_with("- ") || unindented == "-" {
            let first = *item_indent.get_or_insert(indent);
            let share = text.len() * cuts.len() / parts;
            if indent == first && start >= share && cuts.len() < parts {
                cuts.push(Cut {
                    start,
                    header: Some(header),
                });
            }
        }
    }
    (cuts.len() >= 2).then_some(cuts)
}

/// `text[..end]` with every byte before `start`, except the `header` line, made a
/// space (newlines kept): a part parses with the places it has in the whole file.
fn blanked(text: &str, header: Range<usize>, start: usize, end: usize) -> String {
    let blank = |b: &u8| if *b == b'\n' { '\n' } else { ' ' };
    let mut part = String::with_capacity(end);
    part.extend(text.as_bytes()[..header.start].iter().map(blank));
    part.push_str(&text[header.clone()]);
    part.extend(text.as_bytes()[header.end..start].iter().map(blank));
    part.push_str(&text[start..end]);
    part
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::rules::diagnostic::Sources;
    use crate::rules::load::{LoadOptions, ParsedFile, load, parse_options, parse_spanned};
    use crate::rules::validate;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn load_text(text: &str) -> crate::rules::Loaded {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.yaml");
        std::fs::write(&path, text).unwrap();
        load(&LoadOptions {
            paths: vec![path],
            no_default_rules: true,
        })
    }

    /// A rule file of `apps` apps with a bit of everything a cut must keep: comments,
    /// a multi-line plain note right before the next item, block scalars, flow maps,
    /// non-ASCII text, warnings (no `last_reviewed`) and errors with places (an id
    /// used twice, an unknown regime, a bad date) far into the file, and policies.
    fn many_apps(apps: usize) -> String {
        let mut text = String::from(
            "# generated\nversion: 1\nregimes:\n  - id: r\n    title: T\n    instrument: I\n    \
             kind: law\n    date: 2024-01-01\n    issuer: X\n    binds: Y\n    applies_to: Z\n    \
             status: in-force\n    last_reviewed: 2026-01-01\n    sources:\n      \
             - url: https://example.org/?a=1&b=2\napps:\n",
        );
        for i in 0..apps {
            let id = if i == apps - 3 { 5 } else { i };
            text.push_str(&format!("  - id: app-{id}\n    name: App {i} é\n"));
            let regime = if i % 11 == 4 { "nope" } else { "r" };
            text.push_str(&format!("    regimes: [{regime}]\n"));
            match i % 7 {
                0 => {}
                3 => text.push_str("    last_reviewed: 2026-13-01\n"),
                _ => text.push_str("    last_reviewed: 2026-01-01\n"),
            }
            text.push_str(&format!(
                "    identifiers:\n      - {{platform: android, exact: org.app{i}}}\n      \
                 # a comment\n      - platform: ios\n        prefix: org.app{i}\n"
            ));
            if i % 5 == 0 {
                text.push_str("    notes: |\n      block\n        kept\n\n");
            } else {
                text.push_str("    notes: a plain note\n      that goes on\n");
            }
        }
        text.push_str("policies:\n  - id: p\n    title: P\n    regimes: [r]\n");
        text
    }

    /// What validating `file` (or the whole parse of `text`) gives: the rule set and
    /// the diagnostics with their places.
    fn validated(text: &str, file: Option<RuleFile>) -> (serde_json::Value, String) {
        let mut sources = Sources::default();
        let id = sources.add("r.yaml".into(), text.to_string());
        let mut diagnostics = Vec::new();
        let parsed = match file {
            Some(file) => ParsedFile { source: id, file },
            None => {
                let file = parse_spanned(id, &sources, RULE_SECTIONS, &mut diagnostics);
                ParsedFile {
                    source: id,
                    file: file.unwrap(),
                }
            }
        };
        let rules = validate::validate(&[parsed], &sources, &mut diagnostics);
        (
            serde_json::to_value(rules).unwrap(),
            format!("{diagnostics:#?}"),
        )
    }

    #[test]
    fn a_file_parsed_in_parts_is_the_file_parsed_whole() {
        let text = many_apps(300);
        let whole = validated(&text, None);
        assert!(whole.1.contains("app-5") && whole.1.contains("nope") && whole.1.contains("13"));
        for parts in [2, 3, 8] {
            let file = parse_in_parts(&text, parts, parse_options).expect("a plain file is cut");
            assert_eq!(validated(&text, Some(file)), whole, "{parts} parts");
        }
        // Through `load`, as a file big enough to be cut.
        let big = many_apps(3000);
        assert!(big.len() >= 2 * MIN_PART_BYTES);
        let loaded = load_text(&big);
        let whole = validated(&big, None);
        let path = loaded.sources.name(0).to_string();
        assert_eq!(
            format!("{:#?}", loaded.diagnostics).replace(&path, "r.yaml"),
            whole.1,
            "diagnostics of a file loaded in parts"
        );
    }

    #[test]
    fn files_that_cannot_be_cut_are_parsed_whole() {
        let text = many_apps(40);
        let cut = |t: &str| parse_in_parts(t, 2, parse_options).is_some();
        assert!(cut(&text));
        // An anchor, a key given twice, a document marker, an unknown key, a flow list,
        // a list item that does not parse.
        assert!(!cut(&text.replace("name: App 3 é", "name: &n App 3")));
        assert!(!cut(&format!("{text}apps:\n  - id: again\n")));
        assert!(!cut(&format!("---\n{text}")));
        assert!(!cut(&format!("{text}other: 1\n")));
        assert!(!cut(&text.replace("apps:\n", "apps: [\n")));
        assert!(!cut(&text.replace("name: App 30 é", "nmae: App 30")));
        // The budget holds for the whole file: parts each under it, together over it.
        let nodes = std::rc::Rc::new(std::cell::Cell::new(0));
        let seen = nodes.clone();
        let options = parse_options().with_budget_report(move |r: BudgetReport| seen.set(r.nodes));
        serde_saphyr::from_str_with_options::<RuleFile>(&text, options).unwrap();
        // Read on the pool's threads, hence a static.
        static MAX_NODES: AtomicUsize = AtomicUsize::new(0);
        fn tight() -> Options {
            let mut options = parse_options();
            if let Some(budget) = options.budget.as_mut() {
                budget.max_nodes = MAX_NODES.load(Ordering::Relaxed);
            }
            options
        }
        MAX_NODES.store(nodes.get() * 2 / 3, Ordering::Relaxed);
        assert!(serde_saphyr::from_str_with_options::<RuleFile>(&text, tight()).is_err());
        assert!(parse_in_parts(&text, 3, tight).is_none());
        // With room for the few nodes each part adds (its list's key), the parts are used.
        MAX_NODES.store(nodes.get() + 20, Ordering::Relaxed);
        assert!(parse_in_parts(&text, 3, tight).is_some());
    }
}
