//! Policies: which regimes a kind of user cares about.

use super::RuleSet;
use std::collections::HashSet;

/// The regimes a scan reports: all of them, or those of one policy.
#[derive(Clone, Debug, Default)]
pub struct RegimeFilter {
    only: Option<HashSet<String>>,
    pub policy: Option<String>,
}

impl RegimeFilter {
    /// Every regime.
    pub fn all() -> Self {
        RegimeFilter::default()
    }

    /// The regimes of policy `id`; an error naming the known policies when it does not exist.
    pub fn for_policy(rules: &RuleSet, id: &str) -> Result<Self, super::RulesError> {
        match rules.policy(id) {
            Some(p) => Ok(RegimeFilter {
                only: Some(p.regimes.iter().cloned().collect()),
                policy: Some(p.id.clone()),
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

    pub fn allows(&self, regime: &str) -> bool {
        self.only.as_ref().is_none_or(|s| s.contains(regime))
    }
}
