//! Checks parsed rule files as a whole and builds the [`RuleSet`].
//!
//! Every problem becomes a [`Diagnostic`]; validation never stops early.

mod app;
mod identifier;
mod regime;

use super::diagnostic::{Code, Diagnostic, Label, Sources};
use super::load::ParsedFile;
use super::schema::SourceRaw;
use super::{Field, Identifier, RuleSet, Source};
use crate::model::Platform;
use serde_saphyr::Spanned;
use std::collections::HashMap;

/// Platform, field, pattern kind and lowercased pattern: what makes an identifier the same.
type IdentifierKey = (Platform, Field, &'static str, String);

/// foldhash rather than SipHash: ids and identifiers are hashed once per rule, which
/// showed in the load of big rule files. Only looked up, never iterated.
type FastHash = foldhash::fast::RandomState;

struct Ctx<'a> {
    sources: &'a Sources,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn label<T>(&self, source: usize, spanned: &Spanned<T>) -> Option<Label> {
        self.sources.label(source, &spanned.referenced)
    }

    fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }
}

/// Checks every parsed file as a whole and builds the rule set; every problem is
/// pushed to `diagnostics` (validation never stops early).
pub fn validate(
    files: &[ParsedFile],
    sources: &Sources,
    diagnostics: &mut Vec<Diagnostic>,
) -> RuleSet {
    let mut ctx = Ctx {
        sources,
        diagnostics,
    };
    let mut set = RuleSet::default();
    check_versions(&mut ctx, files);
    let regime_seen = regimes(&mut ctx, files, &mut set);
    apps(&mut ctx, files, &regime_seen, &mut set);
    policies(&mut ctx, files, &regime_seen, &mut set);
    set
}

/// Ids seen so far, with where each was first defined.
type Seen = HashMap<String, Option<Label>, FastHash>;

fn check_versions(ctx: &mut Ctx<'_>, files: &[ParsedFile]) {
    for f in files {
        if let Some(v) = &f.file.version
            && v.value != 1
        {
            let label = ctx.label(f.source, v);
            ctx.push(
                Diagnostic::error(
                    Code::BadVersion,
                    format!("rule file version {} is not supported (only 1)", v.value),
                )
                .at(label),
            );
        }
    }
}

fn regimes(ctx: &mut Ctx<'_>, files: &[ParsedFile], set: &mut RuleSet) -> Seen {
    let mut seen = Seen::default();
    for f in files {
        for raw in &f.file.regimes {
            let label = ctx.label(f.source, &raw.value.id);
            // A duplicate is still checked, so all its problems show at once.
            let unique = check_unique(ctx, &mut seen, "regime", &raw.value.id.value, label);
            let checked = regime::regime(ctx, f.source, &raw.value);
            if unique {
                set.regimes.push(checked);
            }
        }
    }
    seen
}

fn apps(ctx: &mut Ctx<'_>, files: &[ParsedFile], regimes: &Seen, set: &mut RuleSet) {
    let mut seen = Seen::default();
    let mut identifier_owner: HashMap<IdentifierKey, (String, Option<Label>), FastHash> =
        HashMap::default();
    for f in files {
        for raw in &f.file.apps {
            let label = ctx.label(f.source, &raw.value.id);
            let unique = check_unique(ctx, &mut seen, "app", &raw.value.id.value, label);
            let (rule, labels) = app::app_rule(ctx, f.source, &raw.value, regimes);
            if !unique {
                continue;
            }
            for (ident, here) in rule.identifiers.iter().zip(labels) {
                check_identifier_owner(ctx, &mut identifier_owner, &rule.id, ident, here);
            }
            set.apps.push(rule);
        }
    }
}

/// An identifier may stand on one app only: a second app with it is an error
/// showing both places.
fn check_identifier_owner(
    ctx: &mut Ctx<'_>,
    owners: &mut HashMap<IdentifierKey, (String, Option<Label>), FastHash>,
    rule: &str,
    ident: &Identifier,
    here: Option<Label>,
) {
    let key = (
        ident.platform,
        ident.field,
        ident.pattern.kind(),
        ident.pattern.text().to_lowercase(),
    );
    match owners.get(&key) {
        Some((owner, first)) if owner != rule => {
            let msg = format!(
                "identifier {} `{}` ({}) is on two apps: `{owner}` and `{rule}`",
                ident.pattern.kind(),
                ident.pattern.text(),
                ident.platform,
            );
            let first = first.clone();
            ctx.push(
                Diagnostic::error(Code::DuplicateIdentifier, msg)
                    .at(here)
                    .also(first.map(|mut l| {
                        l.message = Some("first used here".into());
                        l
                    })),
            );
        }
        Some(_) => {}
        None => {
            owners.insert(key, (rule.to_string(), here));
        }
    }
}

fn policies(ctx: &mut Ctx<'_>, files: &[ParsedFile], regimes: &Seen, set: &mut RuleSet) {
    let mut seen = Seen::default();
    for f in files {
        for raw in &f.file.policies {
            let label = ctx.label(f.source, &raw.value.id);
            let unique = check_unique(ctx, &mut seen, "policy", &raw.value.id.value, label);
            let checked = app::policy(ctx, f.source, &raw.value, regimes, &set.regimes);
            if unique {
                set.policies.push(checked);
            }
        }
    }
}

/// Records `id`; reports a duplicate with both places. Returns whether it was new.
fn check_unique(
    ctx: &mut Ctx<'_>,
    seen: &mut Seen,
    what: &str,
    id: &str,
    label: Option<Label>,
) -> bool {
    if let Some(first) = seen.get(id) {
        let first = first.clone().map(|mut l| {
            l.message = Some("first defined here".into());
            l
        });
        ctx.push(
            Diagnostic::error(Code::DuplicateId, format!("duplicate {what} id `{id}`"))
                .at(label)
                .also(first),
        );
        return false;
    }
    if id.trim().is_empty() {
        ctx.push(Diagnostic::error(Code::DuplicateId, format!("empty {what} id")).at(label));
        return false;
    }
    seen.insert(id.to_string(), label);
    true
}

fn check_date(ctx: &mut Ctx<'_>, source: usize, date: &Spanned<String>, what: &str) {
    if !is_iso_date(&date.value) {
        let label = ctx.label(source, date);
        ctx.push(
            Diagnostic::error(
                Code::BadDate,
                format!(
                    "{what} `{}` is not a date of the form YYYY-MM-DD",
                    date.value
                ),
            )
            .at(label),
        );
    }
}

/// `YYYY-MM-DD` with a plausible month and day.
pub fn is_iso_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
        return false;
    }
    let (m, d) = (m.parse::<u32>().unwrap_or(0), d.parse::<u32>().unwrap_or(0));
    (1..=12).contains(&m) && (1..=31).contains(&d)
}

fn sources_of(ctx: &mut Ctx<'_>, source: usize, raw: &[SourceRaw]) -> Vec<Source> {
    raw.iter()
        .map(|s| {
            let url = s.url.value.trim();
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                let label = ctx.label(source, &s.url);
                ctx.push(
                    Diagnostic::error(
                        Code::MissingSource,
                        format!("source url `{url}` must start with https:// or http://"),
                    )
                    .at(label),
                );
            }
            Source {
                url: url.to_string(),
                title: s.title.clone(),
            }
        })
        .collect()
}

fn check_regime_exists(
    ctx: &mut Ctx<'_>,
    known: &Seen,
    id: &str,
    label: Option<Label>,
    owner: &str,
) {
    if !known.contains_key(id) {
        let mut names: Vec<&String> = known.keys().collect();
        names.sort();
        let hint = closest(id, &names)
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default();
        ctx.push(
            Diagnostic::error(
                Code::UnknownRegime,
                format!("{owner} names regime `{id}`, which no rule file defines{hint}"),
            )
            .at(label),
        );
    }
}

/// The known name sharing the longest common prefix with `id`, if it is a close one
/// (for "did you mean" hints).
pub fn closest<'a>(id: &str, names: &[&'a String]) -> Option<&'a String> {
    names
        .iter()
        .map(|n| {
            let common = n
                .chars()
                .zip(id.chars())
                .take_while(|(a, b)| a == b)
                .count();
            (common, *n)
        })
        .filter(|(common, _)| *common >= 4)
        // The longest shared prefix; of those, the name closest in length.
        .max_by_key(|(common, n)| (*common, std::cmp::Reverse(n.len().abs_diff(id.len()))))
        .map(|(_, n)| n)
}

/// Certificate digests compare as lowercase hex without separators.
pub fn normalize_digest(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_hexdigit())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The policy name that means "every regime, no scope" on the command line.
pub const ALL_POLICIES: &str = "all";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert!(is_iso_date("2021-06-09"));
        assert!(!is_iso_date("2021-6-9"));
        assert!(!is_iso_date("2021-13-01"));
        assert!(!is_iso_date("June 2021"));
    }

    #[test]
    fn digests_normalise() {
        assert_eq!(normalize_digest("AB:cd:01"), "abcd01");
    }
}
