//! The boundaries between the library's parts, enforced: every `crate::` path in
//! `src/` is read and an edge the table below does not allow fails the test,
//! naming the file and line.
//!
//! ```text
//! cli -> scan -> collect, matcher, report      matcher -> rules
//! cli -> exceptions -> rules
//! everything -> model                          nothing -> cli; no cycles
//! ```
//!
//! Inside a part, its sub-modules (`collect::android`, `collect::detect`...) must
//! not import each other in a cycle either.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The parts each part may use (besides itself, `model` and the test-only helpers).
const ALLOWED: &[(&str, &[&str])] = &[
    ("model", &[]),
    ("rules", &[]),
    ("matcher", &["rules"]),
    ("collect", &[]),
    ("report", &[]),
    ("baseline", &[]),
    ("exceptions", &["rules"]),
    (
        "scan",
        &["collect", "matcher", "report", "rules", "baseline"],
    ),
    (
        "cli",
        &[
            "scan",
            "collect",
            "matcher",
            "report",
            "rules",
            "baseline",
            "exceptions",
        ],
    ),
];

/// Usable from anywhere: the model everything shares, and `#[cfg(test)]` helpers.
const SHARED: &[&str] = &["model", "test_support"];

/// One `crate::` path: where it is and its first two segments.
#[derive(Debug)]
struct Use {
    line: usize,
    segments: Vec<String>,
}

/// The part a file of `src/` belongs to: its first path component, without `.rs`.
fn part_of(relative: &Path) -> String {
    let first = relative
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default();
    first.trim_end_matches(".rs").to_owned()
}

/// The sub-module of its part a file belongs to (`collect/android/pm_list.rs` ->
/// `android`); `None` for the part's own `mod.rs` or a single-file part.
fn submodule_of(relative: &Path) -> Option<String> {
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    match parts.as_slice() {
        [_, file] if file == "mod.rs" => None,
        [_, file, ..] => Some(file.trim_end_matches(".rs").to_owned()),
        _ => None,
    }
}

/// Every `crate::` path in `text` (use trees expanded), with 1-based line numbers.
/// Plain `//` comments are skipped; doc comments count (their links are edges too).
fn crate_paths(text: &str) -> Vec<Use> {
    let cleaned: String = text
        .lines()
        .map(|l| {
            let t = l.trim_start();
            if t.starts_with("//") && !t.starts_with("///") && !t.starts_with("//!") {
                " ".repeat(l.len())
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let bytes = cleaned.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = cleaned[from..].find("crate::") {
        let at = from + found;
        from = at + "crate::".len();
        let before = at.checked_sub(1).map(|i| bytes[i]);
        if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$') {
            continue;
        }
        let line = cleaned[..at].matches('\n').count() + 1;
        let mut pos = from;
        for segments in use_tree(bytes, &mut pos) {
            out.push(Use {
                line,
                segments: segments.into_iter().take(2).collect(),
            });
        }
    }
    out
}

/// Parses a use tree (`a::b`, `a::{b, c::d}`, `{a, b}`) from `pos`; returns its paths.
fn use_tree(bytes: &[u8], pos: &mut usize) -> Vec<Vec<String>> {
    skip_space(bytes, pos);
    if bytes.get(*pos) == Some(&b'{') {
        *pos += 1;
        let mut paths = Vec::new();
        loop {
            skip_space(bytes, pos);
            match bytes.get(*pos) {
                None => return paths,
                Some(b'}') => {
                    *pos += 1;
                    return paths;
                }
                Some(b',') => *pos += 1,
                Some(_) => {
                    let start = *pos;
                    paths.extend(use_tree(bytes, pos));
                    if *pos == start {
                        *pos += 1; // not a path (`*`, `self as x`): step over it
                    }
                }
            }
        }
    }
    let start = *pos;
    while bytes
        .get(*pos)
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
    {
        *pos += 1;
    }
    if *pos == start {
        return Vec::new();
    }
    let ident = String::from_utf8_lossy(&bytes[start..*pos]).into_owned();
    if ident == "self" {
        return Vec::new();
    }
    if bytes.get(*pos..*pos + 2) == Some(b"::") {
        *pos += 2;
        let rest = use_tree(bytes, pos);
        if rest.is_empty() {
            return vec![vec![ident]];
        }
        return rest
            .into_iter()
            .map(|mut r| {
                r.insert(0, ident.clone());
                r
            })
            .collect();
    }
    vec![vec![ident]]
}

fn skip_space(bytes: &[u8], pos: &mut usize) {
    while bytes.get(*pos).is_some_and(|b| b.is_ascii_whitespace()) {
        *pos += 1;
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("src/ is readable")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Whether `module` names a sub-module of `part` (a file or folder under `src/part/`).
fn is_submodule(src: &Path, part: &str, module: &str) -> bool {
    let dir = src.join(part);
    dir.join(format!("{module}.rs")).is_file() || dir.join(module).is_dir()
}

/// Checks the files given as (path relative to `src`, text); returns one message per
/// forbidden edge and per cycle between sub-modules of a part.
fn check(src: &Path, files: &[(PathBuf, String)]) -> Vec<String> {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut problems = Vec::new();
    // part -> sub-module -> (used sub-module -> first place it is used)
    let mut inner: BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>> = BTreeMap::new();
    for (relative, text) in files {
        let from = part_of(relative);
        let Some(may_use) = allowed.get(from.as_str()) else {
            continue; // lib.rs, main.rs, test_support.rs: the crate's roots and helpers
        };
        for u in crate_paths(text) {
            let place = format!("src/{}:{}", relative.display(), u.line);
            let to = u.segments[0].as_str();
            let is_part = allowed.contains_key(to) || SHARED.contains(&to);
            if to == from || SHARED.contains(&to) || !is_part {
                if to == from
                    && let (Some(sub), Some(used)) = (submodule_of(relative), u.segments.get(1))
                    && used != &sub
                    && is_submodule(src, &from, used)
                {
                    inner
                        .entry(from.clone())
                        .or_default()
                        .entry(sub)
                        .or_default()
                        .entry(used.clone())
                        .or_insert(place);
                }
                continue;
            }
            if !may_use.contains(&to) {
                problems.push(format!(
                    "{place}: `{from}` must not use `{to}` (crate::{})",
                    u.segments.join("::")
                ));
            }
        }
    }
    for (part, graph) in &inner {
        problems.extend(cycles(part, graph));
    }
    problems
}

/// One message per cycle found among the sub-modules of `part`.
fn cycles(part: &str, graph: &BTreeMap<String, BTreeMap<String, String>>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut reported = BTreeSet::new();
    for start in graph.keys() {
        // Depth-first from `start`, looking for a way back to it.
        let mut stack: Vec<(String, Vec<String>)> = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((node, path)) = stack.pop() {
            for (next, place) in graph.get(&node).into_iter().flatten() {
                if next == start {
                    let mut ring = path.clone();
                    ring.sort();
                    if reported.insert(ring) {
                        problems.push(format!(
                            "{place}: cycle in `{part}`: {} -> {start}",
                            path.join(" -> ")
                        ));
                    }
                } else if seen.insert(next.clone()) {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
    problems
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_part_crosses_a_boundary() {
    let src = src_dir();
    let mut paths = Vec::new();
    rust_files(&src, &mut paths);
    let files: Vec<(PathBuf, String)> = paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("source is UTF-8");
            (p.strip_prefix(&src).expect("under src").to_path_buf(), text)
        })
        .collect();
    assert!(files.len() > 50, "found only {} files", files.len());
    let problems = check(&src, &files);
    assert!(
        problems.is_empty(),
        "forbidden edges:\n{}",
        problems.join("\n")
    );
}

#[test]
fn a_forbidden_import_is_named_with_file_and_line() {
    let src = src_dir();
    let files = vec![
        (
            PathBuf::from("report/document.rs"),
            "//! A report.\n\nuse crate::model::Finding;\nuse crate::{collect::InputError, model};\n"
                .to_owned(),
        ),
        (
            PathBuf::from("rules/export.rs"),
            "fn f() { let _ = crate::matcher::Matcher::new; }\n// crate::cli in a comment\n"
                .to_owned(),
        ),
        (
            PathBuf::from("model.rs"),
            "/// See [`crate::cli::main`].\npub struct X;\n".to_owned(),
        ),
    ];
    let problems = check(&src, &files);
    assert_eq!(
        problems,
        [
            "src/report/document.rs:4: `report` must not use `collect` (crate::collect::InputError)",
            "src/rules/export.rs:1: `rules` must not use `matcher` (crate::matcher::Matcher)",
            "src/model.rs:1: `model` must not use `cli` (crate::cli::main)",
        ]
    );
}

#[test]
fn a_cycle_between_submodules_is_named() {
    let src = src_dir();
    let files = vec![
        (
            PathBuf::from("collect/detect.rs"),
            "use crate::collect::android::pm_list;\n".to_owned(),
        ),
        (
            PathBuf::from("collect/android/binary.rs"),
            "\nuse crate::collect::detect::device;\n".to_owned(),
        ),
    ];
    let problems = check(&src, &files);
    assert_eq!(
        problems,
        ["src/collect/detect.rs:1: cycle in `collect`: android -> detect -> android"]
    );
}

#[test]
fn clap_stays_in_the_cli() {
    let src = src_dir();
    let mut paths = Vec::new();
    rust_files(&src, &mut paths);
    let mut problems = Vec::new();
    for path in &paths {
        let relative = path.strip_prefix(&src).expect("under src");
        if matches!(part_of(relative).as_str(), "cli" | "main") {
            continue;
        }
        let text = std::fs::read_to_string(path).expect("source is UTF-8");
        for (i, line) in text.lines().enumerate() {
            if line.contains("clap::") || line.contains("ValueEnum") || line.contains("use clap") {
                problems.push(format!(
                    "src/{}:{}: clap outside the CLI",
                    relative.display(),
                    i + 1
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The opening `//!` comment of a file.
fn opening_comment(text: &str) -> String {
    text.lines()
        .take_while(|l| l.starts_with("//!"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// (name, first line, length in lines) of every function before the test module.
fn long_functions(text: &str, max: usize) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let end = lines
        .iter()
        .position(|l| l.starts_with("#[cfg(test)]"))
        .unwrap_or(lines.len());
    let mut out = Vec::new();
    let mut i = 0;
    while i < end {
        let line = lines[i];
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let after_vis = trimmed
            .strip_prefix("pub(crate) ")
            .or_else(|| trimmed.strip_prefix("pub(super) "))
            .or_else(|| trimmed.strip_prefix("pub "))
            .unwrap_or(trimmed);
        let Some(rest) = after_vis.strip_prefix("fn ") else {
            i += 1;
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let close = format!("{indent}}}");
        let Some(last) = (i..end).find(|&j| lines[j] == close) else {
            break;
        };
        if last - i + 1 > max {
            out.push((name, i + 1, last - i + 1));
        }
        i = last + 1;
    }
    out
}

#[test]
fn files_and_functions_stay_small() {
    let src = src_dir();
    let mut paths = Vec::new();
    rust_files(&src, &mut paths);
    let mut problems = Vec::new();
    for path in &paths {
        let relative = path.strip_prefix(&src).expect("under src");
        let name = relative.display().to_string().replace('\\', "/");
        if name.ends_with("tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(path).expect("source is UTF-8");
        let why = opening_comment(&text);
        let lines = text.lines().count();
        if lines > 800 && !why.contains("800 lines") {
            problems.push(format!("src/{name}: {lines} lines (more than 800)"));
        }
        for (function, line, length) in long_functions(&text, 80) {
            let explained = why.contains(&format!("`{function}`")) && why.contains("80 lines");
            if !explained {
                problems.push(format!(
                    "src/{name}:{line}: fn {function} is {length} lines (more than 80; \
                     split it, or say why in the file's opening comment)"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn errors_are_typed_outside_the_cli() {
    let src = src_dir();
    let mut paths = Vec::new();
    rust_files(&src, &mut paths);
    let mut problems = Vec::new();
    for path in &paths {
        let relative = path.strip_prefix(&src).expect("under src");
        if matches!(part_of(relative).as_str(), "cli" | "main") {
            continue;
        }
        let text = std::fs::read_to_string(path).expect("source is UTF-8");
        for (i, line) in text.lines().enumerate() {
            let place = format!("src/{}:{}", relative.display(), i + 1);
            if line.contains("anyhow") {
                problems.push(format!("{place}: anyhow outside the CLI"));
            }
            if line.contains("-> Result<") && line.trim_end().ends_with(", String> {") {
                problems.push(format!(
                    "{place}: Result<_, String>: use the part's error type"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
