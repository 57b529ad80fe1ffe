//! Policies: which regimes a kind of user cares about, and the day they are judged on.

use super::RuleSet;
use super::validate::ALL_POLICIES;
use std::collections::HashSet;

/// The regimes a scan reports: all of them as context, or those of one policy
/// (binding) with the policy's context regimes beside them; and the day
/// (`YYYY-MM-DD`) on which ownership-dependent coverage is judged.
#[derive(Clone, Debug)]
pub struct RegimeFilter {
    only: Option<HashSet<String>>,
    context: HashSet<String>,
    /// The policy the scan is scoped to, if any.
    pub policy: Option<String>,
    /// The day coverage is judged on: today unless `--as-of` says otherwise.
    pub as_of: String,
}

impl Default for RegimeFilter {
    fn default() -> Self {
        RegimeFilter {
            only: None,
            context: HashSet::new(),
            policy: None,
            as_of: today(),
        }
    }
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    time::OffsetDateTime::now_utc().date().to_string()
}

/// Days from `earlier` to `later` (both `YYYY-MM-DD`); `None` when either is malformed.
pub fn days_between(earlier: &str, later: &str) -> Option<i64> {
    Some((parse_date(later)? - parse_date(earlier)?).whole_days())
}

/// The day `text` (`YYYY-MM-DD`) names; `None` when it names none.
pub fn parse_date(text: &str) -> Option<time::Date> {
    let mut parts = text.splitn(3, '-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

impl RegimeFilter {
    /// Every regime, none binding: the scan has no scope.
    pub fn all() -> Self {
        RegimeFilter::default()
    }

    /// The regimes of policy `id` (or every regime for `all`); an error naming the
    /// known policies when it does not exist.
    pub fn for_policy(rules: &RuleSet, id: &str) -> Result<Self, super::RulesError> {
        if id == ALL_POLICIES {
            return Ok(RegimeFilter::all());
        }
        match rules.policy(id) {
            Some(p) => Ok(RegimeFilter {
                only: Some(p.regimes.iter().cloned().collect()),
                context: p.context.iter().cloned().collect(),
                policy: Some(p.id.clone()),
                as_of: today(),
            }),
            None => {
                let known: Vec<&str> = rules.policies.iter().map(|p| p.id.as_str()).collect();
                Err(super::RulesError::UnknownPolicy {
                    id: id.to_owned(),
                    known: if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    },
                })
            }
        }
    }

    /// The same filter judged on another day.
    pub fn as_of(mut self, day: impl Into<String>) -> Self {
        self.as_of = day.into();
        self
    }

    /// Whether findings under this regime are reported (as binding or as context).
    pub fn allows(&self, regime: &str) -> bool {
        self.only.as_ref().is_none_or(|s| s.contains(regime)) || self.context.contains(regime)
    }

    /// Whether the regime is one the scope is about: every regime without a policy,
    /// else only those the policy lists as binding (never its context).
    pub fn selects(&self, regime: &str) -> bool {
        self.only.as_ref().is_none_or(|s| s.contains(regime))
    }

    /// Whether a policy scopes the scan (otherwise every regime is context).
    pub fn is_scoped(&self) -> bool {
        self.only.is_some()
    }

    /// Whether the policy lists this regime as binding (false without a policy).
    pub fn lists_as_binding(&self, regime: &str) -> bool {
        self.only.as_ref().is_some_and(|s| s.contains(regime))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_count_across_years() {
        assert_eq!(days_between("2026-06-05", "2026-12-02"), Some(180));
        assert_eq!(days_between("2025-12-31", "2026-01-01"), Some(1));
        assert_eq!(days_between("bad", "2026-01-01"), None);
        assert_eq!(today().len(), 10);
    }
}
