//! Jurisdiction codes (`US`, `US-TX`, `IN`) and the places people read.

/// The place a jurisdiction code names, for "in force in Texas". `None` for US
/// federal law (the default audience) and for codes this table does not know.
pub fn place(code: Option<&str>) -> Option<&'static str> {
    let code = code?;
    KNOWN
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(code))
        .and_then(|(_, name)| *name)
}

/// Whether the code is one this table knows (validation warns on others).
pub fn is_known(code: &str) -> bool {
    KNOWN.iter().any(|(c, _)| c.eq_ignore_ascii_case(code))
}

/// Codes and places. US federal law has no place: reports print "in force".
const KNOWN: &[(&str, Option<&str>)] = &[
    ("US", None),
    ("US-AL", Some("Alabama")),
    ("US-AR", Some("Arkansas")),
    ("US-GA", Some("Georgia")),
    ("US-IA", Some("Iowa")),
    ("US-KS", Some("Kansas")),
    ("US-MT", Some("Montana")),
    ("US-NC", Some("North Carolina")),
    ("US-ND", Some("North Dakota")),
    ("US-NE", Some("Nebraska")),
    ("US-NV", Some("Nevada")),
    ("US-NY", Some("New York")),
    ("US-OH", Some("Ohio")),
    ("US-OK", Some("Oklahoma")),
    ("US-OR", Some("Oregon")),
    ("US-PA", Some("Pennsylvania")),
    ("US-SD", Some("South Dakota")),
    ("US-TN", Some("Tennessee")),
    ("US-TX", Some("Texas")),
    ("US-VA", Some("Virginia")),
    ("AU", Some("Australia")),
    ("IN", Some("India")),
    ("IT", Some("Italy")),
    ("KR", Some("South Korea")),
    ("TW", Some("Taiwan")),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn federal_has_no_place_states_do() {
        assert_eq!(place(Some("US")), None);
        assert_eq!(place(Some("us-tx")), Some("Texas"));
        assert_eq!(place(Some("IN")), Some("India"));
        assert_eq!(place(Some("XX")), None);
        assert!(!is_known("XX"));
    }
}
