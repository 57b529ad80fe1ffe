//! The rules as the formats other tools read: queries for the engines fleets already
//! run (an osquery pack, Fleet GitOps policies: [`osquery`], translated by [`sql`]),
//! MDM block lists (Intune compliance policies: [`intune`]; an Android Management API
//! policy fragment: [`amapi`]) and threat-intelligence indicators for MVT ([`stix2`]).
//!
//! Every export takes the same [`RegimeFilter`]: with a policy, only the apps covered
//! by the regimes it binds, naming only those regimes; without one, every regime.
//!
//! | identifier | SQL (osquery, Fleet) |
//! |---|---|
//! | `exact` | `lower(v) = 'x'` |
//! | `prefix` | `lower(v) = 'x'`, or `substr(lower(v), 1, n) = 'x'` followed by an ASCII separator |
//! | `glob` | `lower(v) GLOB 'x'` (one `GLOB` per `{a,b}` alternative) |
//! | `regex` | `regex_match(lower(v), 'x', 0) IS NOT NULL` (osquery's function; ECMAScript syntax) |
//!
//! The MDM and STIX2 exports carry only exact Android package names and iOS bundle
//! ids: Intune, the Android Management API and MVT compare whole identifiers.

pub mod amapi;
pub mod intune;
pub mod osquery;
pub mod sql;
pub mod stix2;

pub use osquery::{
    FleetPolicy, OsqueryPack, PackQuery, fleet_policies, fleet_policies_yaml, osquery_pack,
    osquery_pack_json,
};
pub use sql::{
    PACK_INTERVAL, TableQuery, glob_to_sqlite, identifier_sql, literal, regex_to_osquery,
    table_queries,
};

use crate::model::Platform;
use crate::rules::policy::RegimeFilter;
use crate::rules::{AppRule, Confidence, Coverage, Field, Pattern, Regime, RuleSet};

/// A rule that the filter keeps, with the regimes it shows.
struct Selected<'r> {
    rule: &'r AppRule,
    regimes: Vec<(&'r Regime, Coverage, Option<&'r str>)>,
    /// The policy the export is scoped to: its regimes are binding, and say so.
    policy: Option<&'r str>,
}

fn select<'r>(rules: &'r RuleSet, filter: &'r RegimeFilter) -> Vec<Selected<'r>> {
    let mut selected = Vec::new();
    for rule in &rules.apps {
        let mut regimes: Vec<(&Regime, Coverage, Option<&str>)> = Vec::new();
        for r in rule.regimes.iter().filter(|r| filter.selects(&r.id)) {
            if let Some(regime) = rules.regime(&r.id) {
                regimes.push((regime, r.coverage, None));
            }
        }
        for feature in &rule.features {
            for id in feature.regimes.iter().filter(|id| filter.selects(id)) {
                if regimes.iter().any(|(r, _, _)| &r.id == id) {
                    continue;
                }
                if let Some(regime) = rules.regime(id) {
                    regimes.push((regime, Coverage::Named, Some(feature.name.as_str())));
                }
            }
        }
        if !regimes.is_empty() {
            selected.push(Selected {
                rule,
                regimes,
                policy: filter.policy.as_deref(),
            });
        }
    }
    selected
}

/// The first part of an instrument, as reports show it
/// ("FAR 52.204-27 (JUN 2023); ..." -> "FAR 52.204-27", "Executive Order 13942" -> "EO 13942").
pub fn short_instrument(instrument: &str) -> String {
    let first = instrument.split(';').next().unwrap_or(instrument);
    first
        .split(" (")
        .next()
        .unwrap_or(first)
        .trim()
        .replace("Executive Order ", "EO ")
}

/// A regime in a few words: "FAR 52.204-27: in force — binds federal contractors".
fn regime_summary(regime: &Regime) -> String {
    let mut line = format!(
        "{}: {}",
        short_instrument(&regime.instrument),
        regime.describe_status(&regime.status)
    );
    if !regime.applies_to.is_empty() {
        line.push_str(&format!(" — binds {}", regime.applies_to));
    }
    line
}

/// One regime as an export names it, with its role: "FAR 52.204-27: in force — binds
/// federal contractors; binding under policy us-federal-contractor". Without a policy
/// every regime is context, as in `scan`.
fn regime_line(selected: &Selected<'_>, entry: &(&Regime, Coverage, Option<&str>)) -> String {
    let (regime, coverage, feature) = entry;
    let mut line = regime_summary(regime);
    if *coverage == Coverage::Possible {
        line.push_str(" (may cover it by its wording)");
    }
    if let Some(feature) = feature {
        line.push_str(&format!(" (covers {feature}, built into the app)"));
    }
    match selected.policy {
        Some(policy) => line.push_str(&format!("; binding under policy {policy}")),
        None => line.push_str("; context (no policy scope)"),
    }
    line
}

/// Whom the regimes bind in this export, as a sentence: "Policy P lists these regimes
/// as binding." or, without a policy, that they are context.
fn role_sentence(selected: &Selected<'_>) -> String {
    match selected.policy {
        Some(policy) => format!("Policy {policy} lists these regimes as binding."),
        None => "No policy scope: these regimes are context, not a verdict on whom they bind."
            .to_owned(),
    }
}

/// The regimes of a selected rule, each with its role, joined for a description.
fn regimes_text(selected: &Selected<'_>) -> String {
    selected
        .regimes
        .iter()
        .map(|entry| regime_line(selected, entry))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The rule's exact identifiers of `field` on `platform`, in rule order, without
/// repeats (compared without case); only `confirmed` ones unless `review` is true.
fn exact_values(rule: &AppRule, platform: Platform, field: Field, review: bool) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for ident in &rule.identifiers {
        let Pattern::Exact(value) = &ident.pattern else {
            continue;
        };
        if ident.platform != platform || ident.field != field {
            continue;
        }
        if !review && ident.confidence != Confidence::Confirmed {
            continue;
        }
        if !out.iter().any(|v| v.eq_ignore_ascii_case(value)) {
            out.push(value);
        }
    }
    out
}

/// The day the rule was last checked: its own `last_reviewed`, else the newest of its
/// regimes', else the newest of the whole rule set; `None` when nothing says.
fn review_date<'r>(selected: &Selected<'r>, rules: &'r RuleSet) -> Option<&'r str> {
    selected.rule.last_reviewed.as_deref().or_else(|| {
        selected
            .regimes
            .iter()
            .filter_map(|(r, _, _)| r.last_reviewed.as_deref())
            .max()
            .or_else(|| rules.reviewed_as_of())
    })
}

/// The store page a rule's sources give for app `id` on `platform`: a Google Play URL
/// whose `id=` is this package, or (iOS) the rule's only App Store URL when `id` is its
/// only iOS bundle id. Never made up: `None` when the sources give none.
fn store_url<'r>(rule: &'r AppRule, platform: Platform, id: &str) -> Option<&'r str> {
    let urls = rule.sources.iter().map(|s| s.url.as_str());
    match platform {
        Platform::Android => urls
            .filter(|u| u.starts_with("https://play.google.com/store/apps/details?"))
            .find(|u| {
                u.split(['?', '&'])
                    .any(|p| p.strip_prefix("id=").is_some_and(|v| v == id))
            }),
        Platform::Ios => {
            let apple: Vec<&str> = urls
                .filter(|u| u.starts_with("https://apps.apple.com/"))
                .collect();
            let ids = exact_values(rule, Platform::Ios, Field::Id, true);
            (apple.len() == 1 && ids.len() == 1 && ids[0] == id).then(|| apple[0])
        }
        _ => None,
    }
}
