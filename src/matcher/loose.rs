//! Globs and regexes of one platform and field, behind a literal prefilter.
//!
//! A glob set or a regex set gets slower as patterns are added, so with thousands
//! of rules it would dominate matching. Most patterns hold a literal that every
//! match must contain (`*tiktok*`, `^com\.zhiliaoapp\.`): one Aho-Corasick
//! automaton over those literals tells which few patterns can match a value, and
//! only those are run. Patterns without such a literal are always run.
//!
//! The literals are compared ignoring ASCII case, as the patterns are compiled
//! case-insensitively. Unicode case folding can make a non-ASCII character match
//! an ASCII one (the Kelvin sign and `k`), so a value that is not plain ASCII
//! skips the prefilter and goes through the whole set, as before.

use super::{MatcherError, Target};
pub(super) use crate::rules::compile::{
    REGEX_NEST_LIMIT, REGEX_SIZE_LIMIT, compile_glob, compile_regex,
};
use aho_corasick::{AhoCorasick, MatchKind};
use globset::{Glob, GlobMatcher, GlobSet, GlobSetBuilder};
use regex::{Regex, RegexSet, RegexSetBuilder};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use std::collections::HashMap;
use std::sync::OnceLock;

/// Literals shorter than this are not worth filtering on: they occur everywhere.
const MIN_LITERAL: usize = 3;
/// A regex with more alternative literals than this is always run instead.
const MAX_LITERALS_PER_REGEX: usize = 32;

/// With fewer patterns than this, one set is cheaper than the prefilter.
const PREFILTER_FROM: usize = 64;

pub(super) struct LoosePatterns {
    targets: Vec<Target>,
    sources: Sources,
    /// Each pattern compiled alone, when the prefilter first picks it.
    one_by_one: Vec<OnceLock<Option<OnePattern>>>,
    /// All patterns at once: built at once without a prefilter, else when the
    /// first value that skips the prefilter comes (`None`: it could not be built).
    all: OnceLock<Option<AnySet>>,
    prefilter: Option<Prefilter>,
}

enum Sources {
    Globs(Vec<Glob>),
    Regexes(Vec<String>),
}

struct Prefilter {
    automaton: AhoCorasick,
    /// For each automaton pattern (a distinct literal), the patterns that need it.
    patterns_of: Vec<Vec<usize>>,
    /// Patterns without a literal to filter on.
    always: Vec<usize>,
}

enum OnePattern {
    Glob(GlobMatcher),
    Regex(Regex),
}

impl OnePattern {
    fn is_match(&self, value: &str) -> bool {
        match self {
            OnePattern::Glob(g) => g.is_match(value),
            OnePattern::Regex(r) => r.is_match(value),
        }
    }
}

enum AnySet {
    Glob(GlobSet),
    Regex(RegexSet),
}

impl LoosePatterns {
    /// Globs, compiled with [`compile_glob`].
    pub(super) fn globs(globs: Vec<(Glob, Target)>) -> Result<Self, MatcherError> {
        Self::globs_filtered_from(globs, PREFILTER_FROM)
    }

    fn globs_filtered_from(globs: Vec<(Glob, Target)>, from: usize) -> Result<Self, MatcherError> {
        let literals = globs
            .iter()
            .map(|(g, _)| glob_literal(g.glob()).map(|l| vec![l]))
            .collect();
        let (globs, targets) = globs.into_iter().unzip();
        Self::new(Sources::Globs(globs), targets, literals, from)
    }

    /// Regexes, compiled as [`compile_regex`] does.
    pub(super) fn regexes(patterns: Vec<(String, Target)>) -> Result<Self, MatcherError> {
        Self::regexes_filtered_from(patterns, PREFILTER_FROM)
    }

    fn regexes_filtered_from(
        patterns: Vec<(String, Target)>,
        from: usize,
    ) -> Result<Self, MatcherError> {
        let literals = patterns.iter().map(|(p, _)| regex_literals(p)).collect();
        let (patterns, targets) = patterns.into_iter().unzip();
        Self::new(Sources::Regexes(patterns), targets, literals, from)
    }

    /// `prefilter_from`: the number of patterns from which the prefilter is used.
    fn new(
        sources: Sources,
        targets: Vec<Target>,
        literals: Vec<Option<Vec<String>>>,
        prefilter_from: usize,
    ) -> Result<Self, MatcherError> {
        let prefilter = if targets.len() >= prefilter_from {
            Prefilter::new(literals)?
        } else {
            None
        };
        let patterns = LoosePatterns {
            one_by_one: (0..targets.len()).map(|_| OnceLock::new()).collect(),
            targets,
            sources,
            all: OnceLock::new(),
            prefilter,
        };
        if patterns.prefilter.is_none() {
            // Without a prefilter the set is all there is: build it now, and
            // report a failure now.
            let all = patterns.build_all()?;
            let _ = patterns.all.set(Some(all));
        }
        Ok(patterns)
    }

    fn build_all(&self) -> Result<AnySet, MatcherError> {
        match &self.sources {
            Sources::Globs(globs) => {
                let mut builder = GlobSetBuilder::new();
                for glob in globs {
                    builder.add(glob.clone());
                }
                builder
                    .build()
                    .map(AnySet::Glob)
                    .map_err(MatcherError::GlobSet)
            }
            Sources::Regexes(patterns) => RegexSetBuilder::new(patterns)
                .case_insensitive(true)
                .size_limit(REGEX_SIZE_LIMIT * 4)
                .nest_limit(REGEX_NEST_LIMIT)
                .build()
                .map(AnySet::Regex)
                .map_err(MatcherError::RegexSet),
        }
    }

    /// Pattern `i` alone, compiled on first use (`None` if it does not compile:
    /// validation compiled it already, so this is not expected).
    fn one(&self, i: usize) -> Option<&OnePattern> {
        self.one_by_one[i]
            .get_or_init(|| {
                let one = match &self.sources {
                    Sources::Globs(globs) => Ok(OnePattern::Glob(globs[i].compile_matcher())),
                    Sources::Regexes(patterns) => {
                        compile_regex(&patterns[i]).map(OnePattern::Regex)
                    }
                };
                one.inspect_err(|e| tracing::warn!("pattern not used: {e}"))
                    .ok()
            })
            .as_ref()
    }

    fn test(&self, i: usize, value: &str, hit: &mut dyn FnMut(Target)) {
        if self.one(i).is_some_and(|p| p.is_match(value)) {
            hit(self.targets[i]);
        }
    }

    /// Calls `hit` for every pattern that matches `value`, in pattern order.
    pub(super) fn matches(&self, value: &str, hit: &mut dyn FnMut(Target)) {
        if let Some(prefilter) = &self.prefilter
            && value.is_ascii()
        {
            for i in prefilter.candidates(value) {
                self.test(i, value, hit);
            }
            return;
        }
        let all = self.all.get_or_init(|| {
            self.build_all()
                .inspect_err(|e| tracing::warn!("{e}; patterns tried one by one"))
                .ok()
        });
        match all {
            Some(AnySet::Glob(set)) => {
                for i in set.matches(value) {
                    hit(self.targets[i]);
                }
            }
            Some(AnySet::Regex(set)) => {
                for i in set.matches(value).iter() {
                    hit(self.targets[i]);
                }
            }
            None => {
                for i in 0..self.targets.len() {
                    self.test(i, value, hit);
                }
            }
        }
    }
}

impl Prefilter {
    /// `literals[i]`: the literals one of which every match of pattern `i` contains,
    /// or `None` when it has none worth filtering on.
    fn new(literals: Vec<Option<Vec<String>>>) -> Result<Option<Self>, MatcherError> {
        let mut always = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut distinct: Vec<String> = Vec::new();
        let mut patterns_of: Vec<Vec<usize>> = Vec::new();
        for (pattern, literals) in literals.into_iter().enumerate() {
            let Some(literals) = literals else {
                always.push(pattern);
                continue;
            };
            for literal in literals {
                let literal = literal.to_ascii_lowercase();
                let slot = *index.entry(literal.clone()).or_insert_with(|| {
                    distinct.push(literal);
                    patterns_of.push(Vec::new());
                    distinct.len() - 1
                });
                if patterns_of[slot].last() != Some(&pattern) {
                    patterns_of[slot].push(pattern);
                }
            }
        }
        if distinct.is_empty() {
            return Ok(None);
        }
        let automaton = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&distinct)
            .map_err(MatcherError::Prefilter)?;
        Ok(Some(Prefilter {
            automaton,
            patterns_of,
            always,
        }))
    }

    /// The patterns that may match `value`, ascending, each once.
    fn candidates(&self, value: &str) -> Vec<usize> {
        let mut out = self.always.clone();
        for found in self.automaton.find_overlapping_iter(value) {
            out.extend_from_slice(&self.patterns_of[found.pattern().as_usize()]);
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The longest run of literal characters that every match of `glob` contains,
/// if it is long enough and plain ASCII. Only the part before the first `[` or
/// `{` is read: what follows a class or an alternation is not always required.
fn glob_literal(glob: &str) -> Option<String> {
    let mut runs = vec![String::new()];
    let mut chars = glob.chars();
    while let Some(c) = chars.next() {
        match c {
            '[' | '{' => break,
            '*' | '?' => runs.push(String::new()),
            '\\' => {
                // The escaped character is left out (it is literal only on unix).
                chars.next();
                runs.push(String::new());
            }
            c => {
                if let Some(run) = runs.last_mut() {
                    run.push(c);
                }
            }
        }
    }
    runs.into_iter()
        .filter(|run| run.len() >= MIN_LITERAL && run.is_ascii())
        .max_by_key(String::len)
}

/// Literals one of which every match of `pattern` contains (its possible
/// prefixes, or else suffixes), if they are few, long enough and plain ASCII.
fn regex_literals(pattern: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::ParserBuilder::new()
        .nest_limit(REGEX_NEST_LIMIT)
        .build()
        .parse(pattern)
        .ok()?;
    for kind in [ExtractKind::Prefix, ExtractKind::Suffix] {
        let seq = Extractor::new().kind(kind).extract(&hir);
        let Some(literals) = seq.literals() else {
            continue;
        };
        if literals.is_empty() || literals.len() > MAX_LITERALS_PER_REGEX {
            continue;
        }
        let usable = literals
            .iter()
            .all(|l| l.as_bytes().len() >= MIN_LITERAL && l.as_bytes().is_ascii());
        if usable {
            return Some(
                literals
                    .iter()
                    .map(|l| String::from_utf8_lossy(l.as_bytes()).into_owned())
                    .collect(),
            );
        }
    }
    None
}

/// Checks that the prefilter finds what the whole set finds: `patterns` (globs
/// or regexes; those that do not compile are dropped) against every value.
/// For the `matcher_prefilter` fuzz target.
pub(super) fn check_prefilter(
    globs: bool,
    patterns: &[&str],
    values: &[&str],
) -> Result<(), MatcherError> {
    let glob = |p: &str| compile_glob(p).ok();
    let target = |rule| Target {
        rule,
        identifier: 0,
    };
    let built = if globs {
        let globs: Vec<(Glob, Target)> = patterns
            .iter()
            .filter_map(|p| glob(p))
            .enumerate()
            .map(|(i, g)| (g, target(i)))
            .collect();
        LoosePatterns::globs_filtered_from(globs, 0)
    } else {
        let regexes: Vec<(String, Target)> = patterns
            .iter()
            .filter(|p| compile_regex(p).is_ok())
            .enumerate()
            .map(|(i, p)| (p.to_string(), target(i)))
            .collect();
        LoosePatterns::regexes_filtered_from(regexes, 0)
    };
    // A set over its size limit is reported by the matcher; nothing to compare.
    let Ok(filtered) = built else { return Ok(()) };
    let Ok(all) = filtered.build_all() else {
        return Ok(());
    };
    for value in values {
        let mut with = Vec::new();
        filtered.matches(value, &mut |t| with.push(t.rule));
        let without: Vec<usize> = match &all {
            AnySet::Glob(set) => set.matches(value),
            AnySet::Regex(set) => set.matches(value).iter().collect(),
        };
        if with != without {
            return Err(MatcherError::PrefilterMismatch {
                value: value.to_string(),
                with,
                without,
                patterns: patterns.iter().map(|p| p.to_string()).collect(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn target(rule: usize) -> Target {
        Target {
            rule,
            identifier: 0,
        }
    }

    /// The patterns, padded with ones that never match when `filtered`, so
    /// that the prefilter is used.
    fn padded(patterns: &[&str], filtered: bool, pad: &dyn Fn(usize) -> String) -> Vec<String> {
        let mut all: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
        while filtered && all.len() < PREFILTER_FROM {
            all.push(pad(all.len()));
        }
        all
    }

    fn globs(patterns: &[&str], filtered: bool) -> LoosePatterns {
        let globs = padded(patterns, filtered, &|i| format!("never{i}matches*"))
            .iter()
            .enumerate()
            .map(|(i, p)| (compile_glob(p).unwrap(), target(i)))
            .collect();
        let set = LoosePatterns::globs(globs).unwrap();
        assert_eq!(set.prefilter.is_some(), filtered);
        set
    }

    fn regexes(patterns: &[&str], filtered: bool) -> LoosePatterns {
        let patterns = padded(patterns, filtered, &|i| format!("^never{i}matches"))
            .into_iter()
            .enumerate()
            .map(|(i, p)| (p, target(i)))
            .collect();
        let set = LoosePatterns::regexes(patterns).unwrap();
        assert_eq!(set.prefilter.is_some(), filtered);
        set
    }

    fn hits(patterns: &LoosePatterns, value: &str) -> Vec<usize> {
        let mut out = Vec::new();
        patterns.matches(value, &mut |t| out.push(t.rule));
        out
    }

    #[test]
    fn glob_literals_are_required_parts() {
        assert_eq!(glob_literal("*tiktok*").as_deref(), Some("tiktok"));
        assert_eq!(glob_literal("com.ss.*.ugc").as_deref(), Some("com.ss."));
        assert_eq!(glob_literal("a*b?c").as_deref(), None);
        // After a class or an alternation nothing is taken.
        assert_eq!(glob_literal("{wechat,weixin}*").as_deref(), None);
        assert_eq!(glob_literal("x[ab]cdefgh").as_deref(), None);
        assert_eq!(glob_literal("\\*abcd").as_deref(), Some("abcd"));
        assert_eq!(glob_literal("*微信*"), None);
    }

    #[test]
    fn regex_literals_are_prefixes_or_suffixes() {
        assert_eq!(
            regex_literals(r"^com\.zhiliaoapp\.").unwrap(),
            vec!["com.zhiliaoapp.".to_owned()]
        );
        let both = regex_literals(r"^(com\.tencent\.mm|com\.tencent\.mobileqq)$").unwrap();
        assert_eq!(both.len(), 2);
        assert!(regex_literals(r".*").is_none());
        assert!(regex_literals(r"\w+").is_none());
        // No usable prefix, but a suffix.
        assert_eq!(
            regex_literals(r"[a-z]+\.bytedance$").unwrap(),
            vec![".bytedance".to_owned()]
        );
    }

    #[test]
    fn filtered_globs_match_as_the_set_does() {
        for filtered in [false, true] {
            let set = globs(&["*tiktok*", "com.ss.*", "*.?", "{a,b}*"], filtered);
            assert_eq!(hits(&set, "com.zhiliaoapp.TikTok"), vec![0]);
            assert_eq!(hits(&set, "a.b"), vec![2, 3]);
            assert_eq!(hits(&set, "COM.SS.android"), vec![1]);
            assert_eq!(hits(&set, "bee"), vec![3]);
            assert_eq!(hits(&set, "nothing"), Vec::<usize>::new());
            // Not ASCII: the whole set, with Unicode case folding (Kelvin sign).
            assert_eq!(hits(&set, "\u{212A}tiktok"), vec![0]);
        }
    }

    #[test]
    fn filtered_regexes_match_as_the_set_does() {
        for filtered in [false, true] {
            let set = regexes(
                &[r"^com\.tencent\.", r"kaspersky", r"^x.$", r"(?-i)^ABC"],
                filtered,
            );
            assert_eq!(hits(&set, "com.Tencent.mm"), vec![0]);
            assert_eq!(hits(&set, "com.KASPERSKY.kav"), vec![1]);
            assert_eq!(hits(&set, "xy"), vec![2]);
            assert_eq!(hits(&set, "abc"), Vec::<usize>::new());
            assert_eq!(hits(&set, "ABCD"), vec![3]);
            assert_eq!(hits(&set, "\u{212A}aspersky"), vec![1]);
        }
    }
}
