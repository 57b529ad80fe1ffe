//! Checks parsed rule files as a whole and builds the [`RuleSet`].
//!
//! Every problem becomes a [`Diagnostic`]; validation never stops early.

use super::diagnostic::{Code, Diagnostic, Label, Sources};
use super::load::ParsedFile;
use super::schema::{
    AppRuleRaw, IdentifierRaw, InstrumentKind, OwnerRaw, PolicyRaw, RegimeRaw, RegimeRefDetailed,
    RegimeRefRaw, RegimeStatus, SourceRaw,
};
use super::{
    AppRule, Feature, Field, Identifier, Owner, Pattern, Policy, Regime, RegimeRef, RuleSet,
    Source, Status,
};
use serde_saphyr::Spanned;
use std::collections::HashMap;

/// Platform, field, pattern kind and lowercased pattern: what makes an identifier the same.
type IdentifierKey = (String, String, String, String);

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

    let mut regime_seen: HashMap<String, Option<Label>> = HashMap::new();
    for f in files {
        for raw in &f.file.regimes {
            let label = ctx.label(f.source, &raw.value.id);
            // A duplicate is still checked, so all its problems show at once.
            let unique = check_unique(
                &mut ctx,
                &mut regime_seen,
                "regime",
                &raw.value.id.value,
                label,
            );
            let checked = regime(&mut ctx, f.source, &raw.value);
            if unique {
                set.regimes.push(checked);
            }
        }
    }

    let mut app_seen: HashMap<String, Option<Label>> = HashMap::new();
    let mut identifier_owner: HashMap<IdentifierKey, (String, Option<Label>)> = HashMap::new();
    for f in files {
        for raw in &f.file.apps {
            let label = ctx.label(f.source, &raw.value.id);
            let unique = check_unique(&mut ctx, &mut app_seen, "app", &raw.value.id.value, label);
            let (rule, labels) = app_rule(&mut ctx, f.source, &raw.value, &regime_seen);
            if !unique {
                continue;
            }
            for (ident, here) in rule.identifiers.iter().zip(labels) {
                let key = (
                    ident.platform.as_str().to_string(),
                    ident.field.as_str().to_string(),
                    ident.pattern.kind().to_string(),
                    ident.pattern.text().to_lowercase(),
                );
                match identifier_owner.get(&key) {
                    Some((owner, first)) if owner != &rule.id => {
                        let msg = format!(
                            "identifier {} `{}` ({}) is on two apps: `{owner}` and `{}`",
                            ident.pattern.kind(),
                            ident.pattern.text(),
                            ident.platform,
                            rule.id
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
                        identifier_owner.insert(key, (rule.id.clone(), here));
                    }
                }
            }
            set.apps.push(rule);
        }
    }

    let mut policy_seen: HashMap<String, Option<Label>> = HashMap::new();
    for f in files {
        for raw in &f.file.policies {
            let label = ctx.label(f.source, &raw.value.id);
            let unique = check_unique(
                &mut ctx,
                &mut policy_seen,
                "policy",
                &raw.value.id.value,
                label,
            );
            let checked = policy(&mut ctx, f.source, &raw.value, &regime_seen, &set.regimes);
            if unique {
                set.policies.push(checked);
            }
        }
    }
    set
}

/// Records `id`; reports a duplicate with both places. Returns whether it was new.
fn check_unique(
    ctx: &mut Ctx<'_>,
    seen: &mut HashMap<String, Option<Label>>,
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

fn regime(ctx: &mut Ctx<'_>, source: usize, raw: &RegimeRaw) -> Regime {
    let id_label = ctx.label(source, &raw.id);
    check_date(ctx, source, &raw.date, "date");
    let status = match (raw.status.value, &raw.revoked) {
        (RegimeStatus::Revoked, Some(r)) => {
            check_date(ctx, source, &r.value.date, "revocation date");
            Status::Revoked {
                date: r.value.date.value.clone(),
                by: r.value.by.clone(),
            }
        }
        (RegimeStatus::Revoked, None) => {
            let label = ctx.label(source, &raw.status);
            ctx.push(
                Diagnostic::error(
                    Code::RevokedWithoutDate,
                    format!(
                        "regime `{}` is revoked but says neither when nor by what: add `revoked: {{date: YYYY-MM-DD, by: ...}}`",
                        raw.id.value
                    ),
                )
                .at(label),
            );
            Status::Revoked {
                date: String::new(),
                by: String::new(),
            }
        }
        (other, Some(r)) => {
            let label = ctx.label(source, r);
            ctx.push(
                Diagnostic::error(
                    Code::RevokedWithoutDate,
                    "`revoked:` is given but `status` is not `revoked`",
                )
                .at(label),
            );
            plain_status(other)
        }
        (RegimeStatus::Lifted, _) => {
            let label = ctx.label(source, &raw.status);
            ctx.push(
                Diagnostic::error(
                    Code::BadAppStatus,
                    format!(
                        "regime `{}`: `lifted` is the state of one app inside a regime; a whole regime is `revoked`",
                        raw.id.value
                    ),
                )
                .at(label),
            );
            Status::InForce
        }
        (other, None) => plain_status(other),
    };
    check_scope(ctx, source, raw);
    if raw.sources.is_empty() {
        ctx.push(
            Diagnostic::error(
                Code::MissingSource,
                format!(
                    "regime `{}` has no sources: cite at least one",
                    raw.id.value
                ),
            )
            .at(id_label.clone()),
        );
    }
    let sources = sources_of(ctx, source, &raw.sources);
    match &raw.last_reviewed {
        Some(d) => check_date(ctx, source, d, "last_reviewed"),
        None => ctx.push(
            Diagnostic::warning(
                Code::MissingLastReviewed,
                format!("regime `{}` has no `last_reviewed` date", raw.id.value),
            )
            .at(id_label),
        ),
    }
    Regime {
        id: raw.id.value.clone(),
        short: raw
            .short
            .clone()
            .unwrap_or_else(|| short_instrument(&raw.instrument)),
        title: raw.title.clone(),
        instrument: raw.instrument.clone(),
        kind: raw.kind.as_ref().map(|k| k.value),
        date: raw.date.value.clone(),
        issuer: raw.issuer.clone(),
        jurisdiction: raw.jurisdiction.clone(),
        binds: raw.binds.clone(),
        applies_to: raw
            .applies_to
            .as_ref()
            .map(|a| a.value.trim().to_string())
            .unwrap_or_default(),
        status,
        sources,
        last_reviewed: raw.last_reviewed.as_ref().map(|d| d.value.clone()),
        notes: raw.notes.clone(),
        origin: ctx.sources.name(source).to_string(),
    }
}

/// The first part of an instrument: "FAR 52.204-27 (JUN 2023); ..." -> "FAR 52.204-27".
fn short_instrument(instrument: &str) -> String {
    let first = instrument.split(';').next().unwrap_or(instrument);
    first
        .split(" (")
        .next()
        .unwrap_or(first)
        .replace("Executive Order ", "EO ")
        .trim()
        .to_string()
}

fn plain_status(status: RegimeStatus) -> Status {
    match status {
        RegimeStatus::InForce => Status::InForce,
        RegimeStatus::Informational => Status::Informational,
        RegimeStatus::Revoked => Status::Revoked {
            date: String::new(),
            by: String::new(),
        },
        RegimeStatus::Lifted => Status::Lifted {
            date: String::new(),
            by: String::new(),
        },
    }
}

/// Longest `applies_to` that still fits a report line.
const APPLIES_TO_MAX: usize = 80;

/// Whom and where: a short `applies_to` and a jurisdiction code reports can name.
fn check_scope(ctx: &mut Ctx<'_>, source: usize, raw: &RegimeRaw) {
    let id_label = ctx.label(source, &raw.id);
    if let Some(code) = &raw.jurisdiction
        && !super::jurisdiction::is_known(code)
    {
        let label = ctx.label(source, &raw.id);
        ctx.push(
            Diagnostic::warning(
                Code::Scope,
                format!(
                    "regime `{}`: jurisdiction `{code}` is not a known code, so reports cannot name the place",
                    raw.id.value
                ),
            )
            .at(label),
        );
    }
    if raw.kind.is_none() {
        ctx.push(
            Diagnostic::warning(
                Code::Scope,
                format!(
                    "regime `{}` has no `kind` (law, executive-order, contract-clause, directive, guidance, determination, administrative-order)",
                    raw.id.value
                ),
            )
            .at(id_label.clone()),
        );
    }
    let Some(applies_to) = &raw.applies_to else {
        ctx.push(
            Diagnostic::warning(
                Code::Scope,
                format!(
                    "regime `{}` has no `applies_to`: reports cannot say whom it binds in a few words",
                    raw.id.value
                ),
            )
            .at(id_label),
        );
        return;
    };
    let text = applies_to.value.trim();
    if text.is_empty() || text.chars().count() > APPLIES_TO_MAX {
        let label = ctx.label(source, applies_to);
        ctx.push(
            Diagnostic::error(
                Code::Scope,
                format!(
                    "regime `{}`: `applies_to` must say whom it binds in 1 to {APPLIES_TO_MAX} characters (the long form goes in `binds`)",
                    raw.id.value
                ),
            )
            .at(label),
        );
    }
}

/// The state a regime has for one app, when the rule gives one.
fn app_status(
    ctx: &mut Ctx<'_>,
    source: usize,
    d: &RegimeRefDetailed,
    owner: &str,
) -> Option<Status> {
    let status = d.status.as_ref()?;
    let bad = |ctx: &mut Ctx<'_>, message: String| {
        let label = ctx.label(source, status);
        ctx.push(Diagnostic::error(Code::BadAppStatus, message).at(label));
    };
    match status.value {
        RegimeStatus::Revoked | RegimeStatus::Lifted => {
            let (Some(since), Some(by)) = (&d.since, &d.by) else {
                bad(
                    ctx,
                    format!(
                        "{owner}: regime `{}` is `{}` for this app but says neither `since` nor `by`",
                        d.id,
                        plain_status(status.value).label()
                    ),
                );
                return None;
            };
            check_date(ctx, source, since, "since");
            if d.sources.is_empty() {
                bad(
                    ctx,
                    format!(
                        "{owner}: the state of regime `{}` for this app has no sources: cite at least one",
                        d.id
                    ),
                );
            }
            let (date, by) = (since.value.clone(), by.clone());
            Some(if status.value == RegimeStatus::Revoked {
                Status::Revoked { date, by }
            } else {
                Status::Lifted { date, by }
            })
        }
        other => {
            if d.since.is_some() || d.by.is_some() {
                bad(
                    ctx,
                    format!(
                        "{owner}: `since`/`by` go with `revoked` or `lifted`, not `{}`",
                        plain_status(other).label()
                    ),
                );
            }
            Some(plain_status(other))
        }
    }
}

fn owner_of(ctx: &mut Ctx<'_>, source: usize, raw: &Spanned<OwnerRaw>) -> Owner {
    let o = &raw.value;
    for d in [&o.from, &o.to].into_iter().flatten() {
        check_date(ctx, source, d, "ownership date");
    }
    if let (Some(from), Some(to)) = (&o.from, &o.to)
        && from.value > to.value
    {
        let label = ctx.label(source, raw);
        ctx.push(
            Diagnostic::error(
                Code::UnknownOwner,
                format!("owner `{}`: `from` is after `to`", o.name),
            )
            .at(label),
        );
    }
    Owner {
        name: o.name.clone(),
        from: o.from.as_ref().map(|d| d.value.clone()),
        to: o.to.as_ref().map(|d| d.value.clone()),
        sources: sources_of(ctx, source, &o.sources),
        note: o.note.clone(),
    }
}

fn check_regime_exists(
    ctx: &mut Ctx<'_>,
    known: &HashMap<String, Option<Label>>,
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

/// The known name sharing the longest common prefix with `id`, if it is a close one.
fn closest<'a>(id: &str, names: &[&'a String]) -> Option<&'a String> {
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
        .max_by_key(|(common, _)| *common)
        .map(|(_, n)| n)
}

fn app_rule(
    ctx: &mut Ctx<'_>,
    source: usize,
    raw: &AppRuleRaw,
    regimes: &HashMap<String, Option<Label>>,
) -> (AppRule, Vec<Option<Label>>) {
    let owner = format!("app `{}`", raw.id.value);
    let owners: Vec<Owner> = raw
        .owners
        .iter()
        .map(|o| owner_of(ctx, source, o))
        .collect();
    let mut refs = Vec::new();
    for r in &raw.regimes.value {
        let label = ctx.label(source, r);
        let reg = match &r.value {
            RegimeRefRaw::Id(id) => RegimeRef {
                id: id.clone(),
                coverage: Default::default(),
                note: None,
                status: None,
                status_sources: Vec::new(),
                through_owner: None,
            },
            RegimeRefRaw::Detailed(d) => {
                if let Some(through) = &d.through_owner
                    && !owners.iter().any(|o| o.name == through.value)
                {
                    let label = ctx.label(source, through);
                    ctx.push(
                        Diagnostic::error(
                            Code::UnknownOwner,
                            format!(
                                "{owner}: regime `{}` follows owner `{}`, which is not in the app's `owners`",
                                d.id, through.value
                            ),
                        )
                        .at(label),
                    );
                }
                RegimeRef {
                    id: d.id.clone(),
                    coverage: d.coverage,
                    note: d.note.clone(),
                    status: app_status(ctx, source, d, &owner),
                    status_sources: sources_of(ctx, source, &d.sources),
                    through_owner: d.through_owner.as_ref().map(|t| t.value.clone()),
                }
            }
        };
        check_regime_exists(ctx, regimes, &reg.id, label, &owner);
        refs.push(reg);
    }
    if refs.is_empty() {
        let label = ctx.label(source, &raw.regimes);
        ctx.push(
            Diagnostic::error(
                Code::UnknownRegime,
                format!("{owner} names no regime: every covered app needs one"),
            )
            .at(label),
        );
    }
    let (identifiers, labels): (Vec<Identifier>, Vec<Option<Label>>) = raw
        .identifiers
        .value
        .iter()
        .filter_map(|i| identifier(ctx, source, i, &owner).map(|id| (id, ctx.label(source, i))))
        .unzip();
    if raw.identifiers.value.is_empty() {
        let label = ctx.label(source, &raw.identifiers);
        ctx.push(
            Diagnostic::error(
                Code::IdentifierKind,
                format!("{owner} has no identifiers, so it can never match"),
            )
            .at(label),
        );
    }
    let features = raw
        .features
        .iter()
        .map(|f| {
            for r in &f.value.regimes {
                let label = ctx.label(source, r);
                check_regime_exists(ctx, regimes, &r.value, label, &owner);
            }
            Feature {
                name: f.value.name.clone(),
                regimes: f.value.regimes.iter().map(|r| r.value.clone()).collect(),
                note: f.value.note.clone(),
            }
        })
        .collect();
    let id_label = ctx.label(source, &raw.id);
    match &raw.last_reviewed {
        Some(d) => check_date(ctx, source, d, "last_reviewed"),
        None => ctx.push(
            Diagnostic::warning(
                Code::MissingLastReviewed,
                format!("{owner} has no `last_reviewed` date"),
            )
            .at(id_label),
        ),
    }
    let rule = AppRule {
        id: raw.id.value.clone(),
        name: raw.name.clone(),
        vendor: raw.vendor.clone(),
        kind: raw.kind,
        regimes: refs,
        identifiers,
        features,
        owners,
        sources: sources_of(ctx, source, &raw.sources),
        last_reviewed: raw.last_reviewed.as_ref().map(|d| d.value.clone()),
        notes: raw.notes.clone(),
        origin: ctx.sources.name(source).to_string(),
    };
    (rule, labels)
}

fn identifier(
    ctx: &mut Ctx<'_>,
    source: usize,
    raw: &Spanned<IdentifierRaw>,
    owner: &str,
) -> Option<Identifier> {
    let i = &raw.value;
    let given: Vec<(&str, &Spanned<String>)> = [
        ("exact", &i.exact),
        ("prefix", &i.prefix),
        ("glob", &i.glob),
        ("regex", &i.regex),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
    .collect();
    let [(kind, value)] = given.as_slice() else {
        let label = ctx.label(source, raw);
        let found: Vec<&str> = given.iter().map(|(k, _)| *k).collect();
        ctx.push(
            Diagnostic::error(
                Code::IdentifierKind,
                format!(
                    "an identifier of {owner} needs exactly one of exact, prefix, glob, regex; found {}",
                    if found.is_empty() { "none".to_string() } else { found.join(", ") }
                ),
            )
            .at(label),
        );
        return None;
    };
    let text = value.value.trim().to_string();
    let label = ctx.label(source, *value);
    if text.is_empty() {
        ctx.push(
            Diagnostic::error(
                Code::BadPattern,
                format!("an identifier of {owner} is empty"),
            )
            .at(label),
        );
        return None;
    }
    let text = if i.field == Field::CertSha256 {
        normalize_digest(&text)
    } else {
        text
    };
    let pattern = match *kind {
        "exact" => Pattern::Exact(text),
        "prefix" => Pattern::Prefix(text),
        "glob" => {
            if let Err(e) = globset::Glob::new(&text) {
                ctx.push(
                    Diagnostic::error(Code::BadPattern, format!("bad glob `{text}`: {e}"))
                        .at(label),
                );
                return None;
            }
            Pattern::Glob(text)
        }
        _ => {
            if let Err(e) = super::compile::compile_regex(&text).map_err(|e| e.to_string()) {
                let first = e.lines().last().unwrap_or("invalid").trim();
                let first = first.trim_start_matches("error: ").to_string();
                ctx.push(
                    Diagnostic::error(Code::BadPattern, format!("bad regex `{text}`: {first}"))
                        .at(label),
                );
                return None;
            }
            Pattern::Regex(text)
        }
    };
    Some(Identifier {
        platform: i.platform,
        field: i.field,
        pattern,
        confidence: i.confidence,
        note: i.note.clone(),
    })
}

/// Certificate digests compare as lowercase hex without separators.
pub fn normalize_digest(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_hexdigit())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn policy(
    ctx: &mut Ctx<'_>,
    source: usize,
    raw: &PolicyRaw,
    regimes: &HashMap<String, Option<Label>>,
    built: &[Regime],
) -> Policy {
    let owner = format!("policy `{}`", raw.id.value);
    for r in raw.regimes.iter().chain(&raw.context) {
        let label = ctx.label(source, r);
        check_regime_exists(ctx, regimes, &r.value, label, &owner);
    }
    if raw.id.value == ALL_POLICIES {
        let label = ctx.label(source, &raw.id);
        ctx.push(
            Diagnostic::error(
                Code::DuplicateId,
                format!("policy id `{ALL_POLICIES}` is reserved: `--policy {ALL_POLICIES}` means every regime"),
            )
            .at(label),
        );
    }
    for r in &raw.regimes {
        let Some(regime) = built.iter().find(|g| g.id == r.value) else {
            continue;
        };
        if regime.kind == Some(InstrumentKind::Guidance) {
            let label = ctx.label(source, r);
            ctx.push(
                Diagnostic::error(
                    Code::NotBinding,
                    format!(
                        "{owner} lists `{}` as binding, but it is agency guidance, not a ban: move it to `context`",
                        regime.id
                    ),
                )
                .at(label),
            );
        }
    }
    Policy {
        id: raw.id.value.clone(),
        title: raw.title.clone(),
        description: raw.description.clone(),
        regimes: raw.regimes.iter().map(|r| r.value.clone()).collect(),
        context: raw.context.iter().map(|r| r.value.clone()).collect(),
        origin: ctx.sources.name(source).to_string(),
    }
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
