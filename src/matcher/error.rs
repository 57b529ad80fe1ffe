//! Why a rule set could not be compiled into a matcher.

/// Why the matcher could not be built, or (fuzzing only) disagrees with itself.
#[derive(Debug, thiserror::Error)]
pub enum MatcherError {
    /// A rule's glob does not compile.
    #[error("rule `{rule}`: bad glob `{glob}`: {source}")]
    BadGlob {
        /// The rule's id.
        rule: String,
        /// The glob as written.
        glob: String,
        /// Why it does not compile.
        source: globset::Error,
    },
    /// The globs of one platform and field do not compile together.
    #[error("cannot compile globs: {0}")]
    GlobSet(#[source] globset::Error),
    /// The regexes of one platform and field do not compile together (size limits).
    #[error("cannot compile regexes: {0}")]
    RegexSet(#[source] regex::Error),
    /// The literal prefilter over the patterns does not build.
    #[error("cannot compile the pattern prefilter: {0}")]
    Prefilter(#[source] aho_corasick::BuildError),
    /// One regex does not compile.
    #[error("{0}")]
    Regex(#[from] regex::Error),
    /// The prefilter found something other than the whole set (fuzz target check).
    #[error("value {value:?}: prefilter {with:?}, set {without:?}, patterns {patterns:?}")]
    PrefilterMismatch {
        /// The value matched.
        value: String,
        /// The rules the prefiltered patterns matched.
        with: Vec<usize>,
        /// The rules the whole set matched.
        without: Vec<usize>,
        /// The patterns tried.
        patterns: Vec<String>,
    },
}
