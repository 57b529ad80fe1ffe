//! How rule patterns compile: validation (here in `rules`) and the matcher (above
//! `rules`) must agree, so the one definition lives here, below the matcher.

use globset::{Glob, GlobBuilder};
use regex::{Regex, RegexBuilder};

/// Limit on the compiled size of one regex from a (possibly third-party) rule file.
pub const REGEX_SIZE_LIMIT: usize = 10 * 1024 * 1024;
/// Limit on the nesting depth of one regex from a rule file.
pub const REGEX_NEST_LIMIT: u32 = 64;

/// One glob as the rules ask: case-insensitive, `*` crossing `/`.
pub fn compile_glob(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern)
        .case_insensitive(true)
        .literal_separator(false)
        .build()
}

/// Whether [`compile_regex`] accepts `pattern`, with its very error when not, at a
/// fraction of the cost: the same parse and the same size-limited NFAs, but no full
/// DFA, which `regex` builds for small patterns (1.4 million instructions each) and
/// which can never fail a build. Validation uses it; 200 regexes took 7% of the load
/// of a 20,000-rule file.
pub fn check_regex(pattern: &str) -> Result<(), regex::Error> {
    use regex_automata::{MatchKind, meta, util::syntax};
    // The configuration `RegexBuilder::build` makes from the options of `compile_regex`.
    let config = meta::Config::new()
        .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
        .hybrid_cache_capacity(2 * (1 << 20))
        .match_kind(MatchKind::LeftmostFirst)
        .utf8_empty(true)
        .dfa(false);
    let syntax = syntax::Config::new()
        .case_insensitive(true)
        .nest_limit(REGEX_NEST_LIMIT)
        .utf8(true);
    match meta::Builder::new()
        .configure(config)
        .syntax(syntax)
        .build(pattern)
    {
        Ok(_) => Ok(()),
        // How `regex` turns a build error into its own (`Error::from_meta_build_error`).
        Err(e) => Err(match (e.size_limit(), e.syntax_error()) {
            (Some(limit), _) => regex::Error::CompiledTooBig(limit),
            (None, Some(syntax)) => regex::Error::Syntax(syntax.to_string()),
            (None, None) => regex::Error::Syntax(e.to_string()),
        }),
    }
}

/// One regex as the rules ask: case-insensitive, within the size limits.
pub fn compile_regex(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .size_limit(REGEX_SIZE_LIMIT)
        .nest_limit(REGEX_NEST_LIMIT)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_regex_agrees_with_compile_regex() {
        let long = format!("({})", "a|".repeat(5000) + "b");
        let cases = [
            r"^org\.rx2\.[a-z]+$",
            r"com\.(ss|zhiliaoapp)\..*",
            "abc",
            "",
            "(",
            "[z-a]",
            r"\p{Nope}",
            r"\w{1000}{1000}",
            r"(?i)\bword\b",
            "a{5,3}",
            "(((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((a)))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))",
            &long,
            r"\d{100}\w{100}",
            "\\",
            r"(?P<n>a)(?P<n>b)",
        ];
        let mut errors = Vec::new();
        for pattern in cases {
            let slow = compile_regex(pattern)
                .map(|_| ())
                .map_err(|e| e.to_string());
            let fast = check_regex(pattern).map_err(|e| e.to_string());
            assert_eq!(fast, slow, "{pattern}");
            errors.extend(fast.err());
        }
        // Both kinds of error are among the cases.
        assert!(errors.iter().any(|e| e.contains("exceeds size limit")));
        assert!(errors.iter().any(|e| e.contains("regex parse error")));
    }
}
