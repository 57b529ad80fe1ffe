//! Rule identifiers as SQL over osquery's tables: one condition per covered app rule and
//! table, reading the same columns the osquery import reads.

use super::select;
use crate::model::OsqueryTable as Table;
use crate::rules::RulesError;
use crate::rules::policy::RegimeFilter;
use crate::rules::{AppRule, Field, Identifier, Pattern, RuleSet};

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

/// The queries of every rule the filter keeps, rule by rule, table by table.
pub fn table_queries(rules: &RuleSet, filter: &RegimeFilter) -> Vec<TableQuery> {
    select(rules, filter)
        .iter()
        .flat_map(|s| rule_queries(s.rule))
        .collect()
}

pub(super) fn rule_queries(rule: &AppRule) -> Vec<TableQuery> {
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
        (_, Field::CertSha256) => Err("osquery's software tables have no signing certificate"),
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
