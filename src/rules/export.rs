//! The rules as queries for the engines fleets already run: an osquery pack
//! ([`osquery_pack`]) and Fleet GitOps policies ([`fleet_policies`]).
//!
//! Each covered app rule becomes one SQL condition per osquery table of each
//! platform it names. The condition reads the same column values that an osquery
//! import hands to the matcher (`collect::import::osquery::app_from_row`),
//! and translates each identifier the way the matcher reads it: trimmed and
//! case-insensitive (ASCII letters; SQLite's `lower()` folds no other letters).
//!
//! | identifier | SQL |
//! |---|---|
//! | `exact` | `lower(v) = 'x'` |
//! | `prefix` | `lower(v) = 'x'`, or `substr(lower(v), 1, n) = 'x'` followed by an ASCII separator |
//! | `glob` | `lower(v) GLOB 'x'` (one `GLOB` per `{a,b}` alternative) |
//! | `regex` | `regex_match(lower(v), 'x', 0) IS NOT NULL` (osquery's function; ECMAScript syntax) |
//!
//! What osquery cannot see (Android and iOS apps, Team IDs, signing certificates,
//! publishers outside Windows) is left out and named in the query's description.

use crate::model::OsqueryTable as Table;
use crate::model::Platform;
use crate::rules::RulesError;
use crate::rules::policy::RegimeFilter;
use crate::rules::{
    AppRule, Coverage, Field, Identifier, Pattern, Regime, RuleKind, RuleSet, Status,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How often osquery runs each pack query, in seconds.
pub const PACK_INTERVAL: u64 = 3600;

/// One covered app rule's query over one osquery table.
#[derive(Clone, Debug)]
pub struct TableQuery {
    /// The covered-app rule's id.
    pub rule_id: String,
    /// The osquery table it reads (`apps`, `programs`, `deb_packages`...).
    pub table: Table,
    /// The `WHERE` condition that is true for a row of a covered app.
    pub condition: String,
    /// `SELECT ... FROM table WHERE condition`: the covered rows, with the rule id.
    pub sql: String,
    /// Identifiers of this platform that SQL cannot express, with why.
    pub untranslated: Vec<String>,
}

/// A rule that the filter keeps, with the regimes it shows.
struct Selected<'r> {
    rule: &'r AppRule,
    regimes: Vec<(&'r Regime, Coverage, Option<&'r str>)>,
}

fn select<'r>(rules: &'r RuleSet, filter: &RegimeFilter) -> Vec<Selected<'r>> {
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
            selected.push(Selected { rule, regimes });
        }
    }
    selected
}

/// The queries of every rule the filter keeps, rule by rule, table by table.
pub fn table_queries(rules: &RuleSet, filter: &RegimeFilter) -> Vec<TableQuery> {
    select(rules, filter)
        .iter()
        .flat_map(|s| rule_queries(s.rule))
        .collect()
}

fn rule_queries(rule: &AppRule) -> Vec<TableQuery> {
    let mut out = Vec::new();
    for table in Table::ALL {
        let idents: Vec<&Identifier> = rule
            .identifiers
            .iter()
            .filter(|i| i.platform == table.platform())
            .collect();
        if idents.is_empty() {
            continue;
        }
        let mut conditions = Vec::new();
        let mut untranslated = Vec::new();
        for ident in idents {
            match identifier_sql(table, ident) {
                Ok(sql) => conditions.push(sql),
                Err(why) => untranslated.push(format!(
                    "{} {} `{}`: {why}",
                    ident.field.as_str(),
                    ident.pattern.kind(),
                    ident.pattern.text()
                )),
            }
        }
        untranslated.dedup();
        if conditions.is_empty() {
            continue;
        }
        let condition = format!("{} AND ({})", row_guard(table), conditions.join(" OR "));
        let sql = format!(
            "SELECT {} AS appaudit_rule, {} FROM {} WHERE {condition};",
            literal(&rule.id),
            select_columns(table),
            table.name()
        );
        out.push(TableQuery {
            rule_id: rule.id.clone(),
            table,
            condition,
            sql,
            untranslated,
        });
    }
    out
}

/// The columns a pack query returns: enough for a person to find the app.
fn select_columns(table: Table) -> &'static str {
    match table {
        Table::Apps => "name, bundle_identifier, bundle_short_version, path",
        Table::Programs => "name, version, publisher, identifying_number",
        Table::DebPackages => "name, version, arch",
        Table::RpmPackages => "name, version, release, arch",
    }
}

/// A column's text as the import reads it: trimmed (of spaces; the import trims any
/// white space). osquery's columns are never NULL; a NULL would match nothing.
fn trimmed(column: &str) -> String {
    format!("trim({column})")
}

/// The SQL value of `field` in `table`, as the import reads it; `Err` when osquery
/// has no such column.
fn value_sql(table: Table, field: Field) -> Result<String, &'static str> {
    match (table, field) {
        (Table::Apps, Field::Id) => Ok(trimmed("bundle_identifier")),
        (Table::Apps, Field::Name) => {
            let name = trimmed("name");
            Ok(format!(
                "trim(CASE WHEN {name} LIKE '%.app' THEN substr({name}, 1, length({name}) - 4) \
                 ELSE {name} END)"
            ))
        }
        (Table::Programs, Field::Id) => Ok(format!(
            "coalesce(nullif({}, ''), {})",
            trimmed("identifying_number"),
            trimmed("name")
        )),
        (Table::Programs, Field::Name) => Ok(trimmed("name")),
        (Table::Programs, Field::Publisher) => Ok(trimmed("publisher")),
        (Table::DebPackages | Table::RpmPackages, Field::Id) => Ok(trimmed("name")),
        (_, Field::TeamId) => Err("osquery's software tables have no Team ID"),
        (_, Field::CertSha256 | Field::CertSha1) => {
            Err("osquery's software tables have no signing certificate")
        }
        (Table::Apps, Field::Publisher) => Err("the apps table has no publisher"),
        (Table::DebPackages | Table::RpmPackages, Field::Name | Field::Publisher) => {
            Err("package tables have only the package name")
        }
    }
}

/// What a row needs to be an app at all (the import skips rows without an identifier).
fn row_guard(table: Table) -> String {
    format!(
        "{} <> ''",
        value_sql(table, Field::Id).unwrap_or_else(|_| "''".to_owned())
    )
}

/// A SQL string literal: single quotes doubled.
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// ASCII-only lower case: what SQLite's `lower()` does to the column.
fn fold(text: &str) -> String {
    text.to_ascii_lowercase()
}

/// One identifier as a SQL condition over `table`; `Err` says why it cannot be one.
pub fn identifier_sql(table: Table, ident: &Identifier) -> Result<String, RulesError> {
    let value = value_sql(table, ident.field)?;
    let text = ident.pattern.text();
    if text.contains('\0') {
        return Err("contains a NUL character".to_owned().into());
    }
    let lowered = format!("lower({value})");
    Ok(match &ident.pattern {
        Pattern::Exact(x) => format!("{lowered} = {}", literal(&fold(x.trim()))),
        Pattern::Prefix(p) => prefix_sql(&lowered, &fold(p.trim())),
        Pattern::Glob(g) => {
            let globs = glob_to_sqlite(g)?;
            let tests: Vec<String> = globs
                .iter()
                .map(|g| format!("{lowered} GLOB {}", literal(g)))
                .collect();
            format!("({})", tests.join(" OR "))
        }
        Pattern::Regex(r) => {
            let pattern = regex_to_osquery(r)?;
            format!(
                "regex_match({lowered}, {}, 0) IS NOT NULL",
                literal(&pattern)
            )
        }
    })
}

/// The matcher's prefix: the value itself, or the value continued after a separator
/// (a character that is not a letter or digit). Non-ASCII characters count as letters.
fn prefix_sql(value: &str, prefix: &str) -> String {
    let n = prefix.chars().count();
    let head = format!("substr({value}, 1, {n}) = {}", literal(prefix));
    if prefix.chars().last().is_some_and(|c| !c.is_alphanumeric()) {
        return head;
    }
    let next = format!("substr({value}, {}, 1)", n + 1);
    format!(
        "({value} = {} OR ({head} AND unicode({next}) < 128 AND {next} GLOB '[^a-z0-9]'))",
        literal(prefix)
    )
}

/// Most SQLite `GLOB` patterns one glob expands to (braces multiply them).
const MAX_GLOB_ALTERNATIVES: usize = 64;

/// A glob (the matcher's syntax: `*`, `?`, `[...]`, `[!...]`, `{a,b}`, `\` escapes) as
/// SQLite `GLOB` patterns over a lower-cased value: one per `{a,b}` alternative.
pub fn glob_to_sqlite(glob: &str) -> Result<Vec<String>, RulesError> {
    let chars: Vec<char> = glob.chars().collect();
    let (alternatives, end) = glob_sequence(&chars, 0, false)?;
    if end != chars.len() {
        return Err(format!("unbalanced `}}` in glob `{glob}`").into());
    }
    Ok(alternatives)
}

/// Translates `chars[at..]` up to the end (or, inside braces, up to `,` or `}`).
fn glob_sequence(
    chars: &[char],
    mut at: usize,
    in_braces: bool,
) -> Result<(Vec<String>, usize), RulesError> {
    let mut outs = vec![String::new()];
    let push =
        |outs: &mut Vec<String>, piece: &str| outs.iter_mut().for_each(|o| o.push_str(piece));
    while at < chars.len() {
        let c = chars[at];
        match c {
            ',' | '}' if in_braces => break,
            '\\' => {
                let literal = chars.get(at + 1).ok_or("glob ends with `\\`")?;
                push(&mut outs, &glob_literal(*literal));
                at += 2;
            }
            '*' | '?' => {
                push(&mut outs, &c.to_string());
                at += 1;
            }
            '[' => {
                let (class, next) = glob_class(chars, at)?;
                push(&mut outs, &class);
                at = next;
            }
            '{' => {
                let mut alternatives = Vec::new();
                at += 1;
                loop {
                    let (alts, next) = glob_sequence(chars, at, true)?;
                    alternatives.extend(alts);
                    match chars.get(next) {
                        Some(',') => at = next + 1,
                        Some('}') => {
                            at = next + 1;
                            break;
                        }
                        _ => return Err("unclosed `{` in glob".to_owned().into()),
                    }
                }
                let mut combined = Vec::new();
                for out in &outs {
                    for alt in &alternatives {
                        combined.push(format!("{out}{alt}"));
                    }
                }
                if combined.len() > MAX_GLOB_ALTERNATIVES {
                    return Err(format!(
                        "more than {MAX_GLOB_ALTERNATIVES} alternatives in braces"
                    )
                    .into());
                }
                outs = combined;
            }
            other => {
                push(&mut outs, &glob_literal(other));
                at += 1;
            }
        }
    }
    Ok((outs, at))
}

/// One literal character in a SQLite GLOB (its metacharacters in brackets).
fn glob_literal(c: char) -> String {
    match c {
        '*' | '?' | '[' => format!("[{c}]"),
        other => other.to_ascii_lowercase().to_string(),
    }
}

/// A `[...]` class starting at `chars[at]`; returns it in SQLite syntax and the index after it.
fn glob_class(chars: &[char], at: usize) -> Result<(String, usize), RulesError> {
    let mut out = String::from("[");
    let mut i = at + 1;
    if matches!(chars.get(i), Some('!' | '^')) {
        out.push('^');
        i += 1;
    }
    // A `]` first in the class is a member, not its end.
    if chars.get(i) == Some(&']') {
        out.push(']');
        i += 1;
    }
    while let Some(&c) = chars.get(i) {
        if c == ']' {
            out.push(']');
            return Ok((out, i + 1));
        }
        out.push(c.to_ascii_lowercase());
        i += 1;
    }
    Err("unclosed `[` in glob".to_owned().into())
}

/// A rule regex (Rust syntax, matched case-insensitively) as a pattern for osquery's
/// `regex_match` (C++ ECMAScript, case-sensitive) over a lower-cased value: ASCII
/// letters outside escapes are lower-cased. Rust-only syntax is refused.
pub fn regex_to_osquery(regex: &str) -> Result<String, RulesError> {
    for unsupported in ["(?", "\\p", "\\P", "\\A", "\\z", "\\Q", "[[:"] {
        if regex.contains(unsupported) {
            return Err(format!(
                "`{unsupported}` has no ECMAScript equivalent in osquery's regex_match"
            )
            .into());
        }
    }
    let mut out = String::with_capacity(regex.len());
    let mut chars = regex.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.push(c);
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    Ok(out)
}

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

/// "EO 13943: revoked 2021-06-09 by EO 14034 (source: URL ...)".
fn regime_lines(selected: &Selected<'_>) -> Vec<String> {
    selected
        .regimes
        .iter()
        .map(|(regime, coverage, feature)| {
            let mut line = format!(
                "{}: {}",
                short_instrument(&regime.instrument),
                regime.status.describe()
            );
            if *coverage == Coverage::Possible {
                line.push_str(" (may cover it by its wording)");
            }
            if let Some(feature) = feature {
                line.push_str(&format!(" (covers {feature}, built into the app)"));
            }
            let urls: Vec<&str> = regime.sources.iter().map(|s| s.url.as_str()).collect();
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
                "A row is an installed app that {} covers; remove it, or record why it may stay.",
                selected
                    .regimes
                    .iter()
                    .map(|(r, _, _)| short_instrument(&r.instrument))
                    .collect::<Vec<_>>()
                    .join(", ")
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
            if rule.kind == RuleKind::Vendor {
                resolution.push_str(" First check that the app found is one of this vendor's.");
            }
            if !sources.is_empty() {
                resolution.push_str(&format!(" Sources: {}", sources.join(" ")));
            }
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn literals_double_quotes() {
        assert_eq!(literal("O'Brien"), "'O''Brien'");
    }

    #[test]
    fn globs_translate_to_sqlite() {
        assert_eq!(
            glob_to_sqlite("com.zhiliaoapp.*").unwrap(),
            ["com.zhiliaoapp.*"]
        );
        assert_eq!(
            glob_to_sqlite("WPS {Office,Writer}?").unwrap(),
            ["wps office?", "wps writer?"]
        );
        assert_eq!(glob_to_sqlite("[!A-Z]x\\*").unwrap(), ["[^a-z]x[*]"]);
        assert_eq!(glob_to_sqlite("[]a]").unwrap(), ["[]a]"]);
        assert!(glob_to_sqlite("a{b").is_err());
        assert!(glob_to_sqlite("a[b").is_err());
        // Outside braces, `}` and `,` are plain characters.
        assert_eq!(glob_to_sqlite("a},b").unwrap(), ["a},b"]);
    }

    #[test]
    fn regexes_lower_outside_escapes() {
        assert_eq!(
            regex_to_osquery("^Cn\\.WPS\\D[A-Z]+$").unwrap(),
            "^cn\\.wps\\D[a-z]+$"
        );
        assert!(regex_to_osquery("(?i)x").is_err());
    }

    #[test]
    fn prefix_stops_at_separators() {
        let sql = prefix_sql("v", "com.tencent");
        assert!(sql.contains("substr(v, 12, 1)"), "{sql}");
        assert_eq!(prefix_sql("v", "com."), "substr(v, 1, 4) = 'com.'");
    }
}
