//! The osquery pack and the Fleet GitOps policies.

use super::sql::{PACK_INTERVAL, TableQuery, rule_queries};
use super::{Selected, regime_line, role_sentence, select, short_instrument};
use crate::model::Platform;
use crate::rules::RulesError;
use crate::rules::policy::RegimeFilter;
use crate::rules::{AppRule, Coverage, RuleKind, RuleSet, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Fleet's and osquery's name for a platform.
fn osquery_platform(platform: Platform) -> &'static str {
    match platform {
        Platform::Macos => "darwin",
        Platform::Windows => "windows",
        Platform::Linux => "linux",
        Platform::Android => "android",
        Platform::Ios => "ios",
    }
}

fn platform_label(platform: Platform) -> &'static str {
    match platform {
        Platform::Macos => "macOS",
        Platform::Windows => "Windows",
        Platform::Linux => "Linux",
        Platform::Android => "Android",
        Platform::Ios => "iOS",
    }
}

/// "EO 13943: revoked 2021-06-09 by EO 14034; context (no policy scope); source: URL ...".
fn regime_lines(selected: &Selected<'_>) -> Vec<String> {
    selected
        .regimes
        .iter()
        .map(|entry| {
            let mut line = regime_line(selected, entry);
            let urls: Vec<&str> = entry.0.sources.iter().map(|s| s.url.as_str()).collect();
            if !urls.is_empty() {
                line.push_str(&format!("; source: {}", urls.join(" ")));
            }
            line
        })
        .collect()
}

fn rule_label(rule: &AppRule) -> String {
    match rule.kind {
        RuleKind::App => format!("{} ({})", rule.name, rule.id),
        RuleKind::Vendor => format!(
            "apps of {} ({}, a vendor rule: a match needs review)",
            rule.vendor.as_deref().unwrap_or(&rule.name),
            rule.id
        ),
    }
}

fn description(selected: &Selected<'_>, queries: &[&TableQuery]) -> String {
    let rule = selected.rule;
    let mut text = format!(
        "appaudit rule {}. Covered by: {}.",
        rule_label(rule),
        regime_lines(selected).join(" | ")
    );
    if rule
        .identifiers
        .iter()
        .any(|i| i.confidence == crate::model::Confidence::Review)
    {
        text.push_str(" Some identifiers are likely but not verified: review matches.");
    }
    let untranslated: Vec<&str> = queries
        .iter()
        .flat_map(|q| q.untranslated.iter().map(String::as_str))
        .collect();
    if !untranslated.is_empty() {
        text.push_str(&format!(
            " Not checked here (no osquery column): {}.",
            untranslated.join("; ")
        ));
    }
    text
}

/// An osquery pack, as osquery reads it from `--config_path` or a `packs` entry.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct OsqueryPack {
    /// The queries by name, `appaudit_<rule id>_<table>`.
    pub queries: BTreeMap<String, PackQuery>,
}

/// One scheduled query of an osquery pack: one covered-app rule over one table.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct PackQuery {
    /// The SQL; each row it returns is a covered app installed on the host, with an
    /// `appaudit_rule` column naming the rule.
    pub query: String,
    /// How often it runs, in seconds ([`PACK_INTERVAL`]).
    pub interval: u64,
    /// The osquery platform where its table exists (`darwin`, `windows`, `linux`), so
    /// osquery schedules it only there.
    pub platform: String,
    /// Log every result each time (not only changes): presence is what matters.
    pub snapshot: bool,
    /// The rule, every regime with its status and legal sources, and the identifiers
    /// SQL could not express.
    pub description: String,
    /// Why a row matters and what to do about it, for the people reading the log.
    pub value: String,
}

/// One pack query per covered app rule and osquery table.
pub fn osquery_pack(rules: &RuleSet, filter: &RegimeFilter) -> OsqueryPack {
    let mut queries = BTreeMap::new();
    for selected in select(rules, filter) {
        let table_queries = rule_queries(selected.rule);
        for query in &table_queries {
            let base = format!(
                "appaudit_{}_{}",
                name_part(&selected.rule.id),
                query.table.name()
            );
            let mut name = base.clone();
            let mut n = 2;
            while queries.contains_key(&name) {
                name = format!("{base}_{n}");
                n += 1;
            }
            let value = format!(
                "A row is an installed app that {} covers; remove it, or record why it may stay. {}",
                selected
                    .regimes
                    .iter()
                    .map(|(r, _, _)| short_instrument(&r.instrument))
                    .collect::<Vec<_>>()
                    .join(", "),
                role_sentence(&selected)
            );
            queries.insert(
                name,
                PackQuery {
                    query: query.sql.clone(),
                    interval: PACK_INTERVAL,
                    platform: osquery_platform(query.table.platform()).to_owned(),
                    snapshot: true,
                    description: description(&selected, &[query]),
                    value,
                },
            );
        }
    }
    OsqueryPack { queries }
}

/// A rule id as part of a query name: letters, digits and `_`.
fn name_part(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// The pack as pretty JSON, with a final newline.
pub fn osquery_pack_json(rules: &RuleSet, filter: &RegimeFilter) -> Result<String, RulesError> {
    serde_json::to_string_pretty(&osquery_pack(rules, filter))
        .map(|s| s + "\n")
        .map_err(|e| format!("cannot write the pack: {e}").into())
}

/// What to do on a failing host: remove the app, under which regimes (with their
/// status and role), with the sources.
fn resolution(selected: &Selected<'_>, subject: &str) -> String {
    let rule = selected.rule;
    let instruments: Vec<String> = selected
        .regimes
        .iter()
        .map(|(r, _, _)| {
            format!(
                "{} ({})",
                short_instrument(&r.instrument),
                r.status.describe()
            )
        })
        .collect();
    let sources: Vec<&str> = selected
        .regimes
        .iter()
        .flat_map(|(r, _, _)| r.sources.iter().map(|s| s.url.as_str()))
        .collect();
    let mut resolution = format!(
        "Remove {subject} from this device; it is covered by {}.",
        instruments.join(", ")
    );
    resolution.push(' ');
    resolution.push_str(&role_sentence(selected));
    if rule.kind == RuleKind::Vendor {
        resolution.push_str(" First check that the app found is one of this vendor's.");
    }
    if !sources.is_empty() {
        resolution.push_str(&format!(" Sources: {}", sources.join(" ")));
    }
    resolution
}

/// One Fleet policy, as a GitOps `policies` entry (or a `lib/*.policies.yml` item).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct FleetPolicy {
    /// `appaudit: no <app> (<platform>)`, unique within the export.
    pub name: String,
    /// The rule, every regime with its status and legal sources, and the identifiers
    /// SQL could not express.
    pub description: String,
    /// What to do on a failing host: remove the app, under which regimes, with sources.
    pub resolution: String,
    /// Returns one row, and so passes, when no covered app is installed.
    pub query: String,
    /// The osquery platform it runs on: `darwin`, `windows` or `linux`.
    pub platform: String,
    /// True when the rule names the app (not a vendor) and a regime in force names it
    /// outright.
    pub critical: bool,
}

/// One policy per covered app rule and platform: a host passes when none of the
/// rule's apps is installed.
pub fn fleet_policies(rules: &RuleSet, filter: &RegimeFilter) -> Vec<FleetPolicy> {
    let mut policies: Vec<FleetPolicy> = Vec::new();
    for selected in select(rules, filter) {
        let rule = selected.rule;
        let queries = rule_queries(rule);
        for platform in [Platform::Macos, Platform::Windows, Platform::Linux] {
            let of_platform: Vec<&TableQuery> = queries
                .iter()
                .filter(|q| q.table.platform() == platform)
                .collect();
            if of_platform.is_empty() {
                continue;
            }
            let absent: Vec<String> = of_platform
                .iter()
                .map(|q| {
                    format!(
                        "NOT EXISTS (SELECT 1 FROM {} WHERE {})",
                        q.table.name(),
                        q.condition
                    )
                })
                .collect();
            let query = format!("SELECT 1 WHERE {};", absent.join(" AND "));
            let subject = match rule.kind {
                RuleKind::App => rule.name.clone(),
                RuleKind::Vendor => {
                    format!("apps of {}", rule.vendor.as_deref().unwrap_or(&rule.name))
                }
            };
            let resolution = resolution(&selected, &subject);
            let mut name = format!("appaudit: no {subject} ({})", platform_label(platform));
            if policies.iter().any(|p| p.name == name) {
                name = format!(
                    "appaudit: no {subject} ({}, rule {})",
                    platform_label(platform),
                    rule.id
                );
            }
            let critical = rule.kind == RuleKind::App
                && selected.regimes.iter().any(|(r, coverage, _)| {
                    r.status == Status::InForce && *coverage == Coverage::Named
                });
            policies.push(FleetPolicy {
                name,
                description: description(&selected, &of_platform),
                resolution,
                query,
                platform: osquery_platform(platform).to_owned(),
                critical,
            });
        }
    }
    policies
}

/// The policies as a GitOps YAML list (for `policies:` or a `lib/*.policies.yml` file).
pub fn fleet_policies_yaml(rules: &RuleSet, filter: &RegimeFilter) -> Result<String, RulesError> {
    let policies = fleet_policies(rules, filter);
    let body = serde_saphyr::to_string(&policies)
        .map_err(|e| format!("cannot write the policies: {e}"))?;
    Ok(format!(
        "# Fleet policies generated by appaudit {}: a host passes when no covered app is installed.\n\
         # Reference this file from default.yml or a team file: `policies: [{{path: ./lib/appaudit.policies.yml}}]`.\n{body}",
        env!("CARGO_PKG_VERSION")
    ))
}
