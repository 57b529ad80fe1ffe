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

/// One regex as the rules ask: case-insensitive, within the size limits.
pub fn compile_regex(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .size_limit(REGEX_SIZE_LIMIT)
        .nest_limit(REGEX_NEST_LIMIT)
        .build()
}
