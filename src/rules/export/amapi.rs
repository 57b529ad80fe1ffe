//! An Android Management API policy fragment that blocks the covered apps:
//! `{"applications": [{"packageName": ..., "installType": "BLOCKED"}]}`, to merge
//! into a `Policy` (`enterprises.policies.patch`).
//!
//! Only exact, confirmed package names of named apps (AMAPI compares whole names).

use super::{exact_values, select};
use crate::model::Platform;
use crate::rules::policy::RegimeFilter;
use crate::rules::{Field, RuleKind, RuleSet, RulesError};
use serde::{Deserialize, Serialize};

/// The part of an AMAPI `Policy` this export writes.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct PolicyFragment {
    /// One `ApplicationPolicy` per covered package.
    pub applications: Vec<ApplicationPolicy>,
}

/// AMAPI `ApplicationPolicy`, with only the fields that block an app.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationPolicy {
    /// The package name (`com.zhiliaoapp.musically`).
    pub package_name: String,
    /// Always `BLOCKED`: the app is uninstalled and cannot be installed.
    pub install_type: String,
}

/// The fragment blocking every exact Android package of the rules the filter keeps.
pub fn policy_fragment(rules: &RuleSet, filter: &RegimeFilter) -> PolicyFragment {
    let mut applications: Vec<ApplicationPolicy> = Vec::new();
    for s in select(rules, filter)
        .iter()
        .filter(|s| s.rule.kind == RuleKind::App)
    {
        for id in exact_values(s.rule, Platform::Android, Field::Id, false) {
            if applications.iter().any(|a| a.package_name == id) {
                continue;
            }
            applications.push(ApplicationPolicy {
                package_name: id.to_owned(),
                install_type: "BLOCKED".to_owned(),
            });
        }
    }
    PolicyFragment { applications }
}

/// The fragment as pretty JSON, with a final newline.
pub fn policy_fragment_json(rules: &RuleSet, filter: &RegimeFilter) -> Result<String, RulesError> {
    serde_json::to_string_pretty(&policy_fragment(rules, filter))
        .map(|s| s + "\n")
        .map_err(|e| format!("cannot write the policy: {e}").into())
}
