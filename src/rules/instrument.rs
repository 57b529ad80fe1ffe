//! The short name of a legal instrument. Shared with `build.rs`, which includes this
//! file to give the embedded regimes the names validation gives them: it must use
//! nothing of the crate.

/// The first part of an instrument: "FAR 52.204-27 (JUN 2023); ..." -> "FAR 52.204-27".
pub fn short_instrument(instrument: &str) -> String {
    let first = instrument.split(';').next().unwrap_or(instrument);
    first
        .split(" (")
        .next()
        .unwrap_or(first)
        .replace("Executive Order ", "EO ")
        .trim()
        .to_string()
}
