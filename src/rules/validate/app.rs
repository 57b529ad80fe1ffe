//! App rules (their regimes, per-app status, owners, features) and policies.

use super::regime::plain_status;
use super::{ALL_POLICIES, Ctx, Seen, check_date, check_regime_exists, identifier, sources_of};
use crate::rules::diagnostic::{Code, Diagnostic, Label};
use crate::rules::schema::{
    AppRuleRaw, InstrumentKind, OwnerRaw, PolicyRaw, RegimeRefDetailed, RegimeRefRaw, RegimeStatus,
};
use crate::rules::{AppRule, Feature, Identifier, Owner, Policy, Regime, RegimeRef, Status};
use serde_saphyr::Spanned;

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

/// An app rule checked, with the place of each of its identifiers (for the
/// "identifier on two apps" check).
pub(super) fn app_rule(
    ctx: &mut Ctx<'_>,
    source: usize,
    raw: &AppRuleRaw,
    regimes: &Seen,
) -> (AppRule, Vec<Option<Label>>) {
    let owner = format!("app `{}`", raw.id.value);
    let owners: Vec<Owner> = raw
        .owners
        .iter()
        .map(|o| owner_of(ctx, source, o))
        .collect();
    let refs = regime_refs(ctx, source, raw, regimes, &owners, &owner);
    let (identifiers, labels): (Vec<Identifier>, Vec<Option<Label>>) = raw
        .identifiers
        .value
        .iter()
        .filter_map(|i| {
            identifier::identifier(ctx, source, i, &owner).map(|id| (id, ctx.label(source, i)))
        })
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
    let features = features(ctx, source, raw, regimes, &owner);
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

/// The regimes an app names, each of which must exist; at least one.
fn regime_refs(
    ctx: &mut Ctx<'_>,
    source: usize,
    raw: &AppRuleRaw,
    regimes: &Seen,
    owners: &[Owner],
    owner: &str,
) -> Vec<RegimeRef> {
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
                    status: app_status(ctx, source, d, owner),
                    status_sources: sources_of(ctx, source, &d.sources),
                    through_owner: d.through_owner.as_ref().map(|t| t.value.clone()),
                }
            }
        };
        check_regime_exists(ctx, regimes, &reg.id, label, owner);
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
    refs
}

/// Covered functions inside the app; their regimes must exist.
fn features(
    ctx: &mut Ctx<'_>,
    source: usize,
    raw: &AppRuleRaw,
    regimes: &Seen,
    owner: &str,
) -> Vec<Feature> {
    raw.features
        .iter()
        .map(|f| {
            for r in &f.value.regimes {
                let label = ctx.label(source, r);
                check_regime_exists(ctx, regimes, &r.value, label, owner);
            }
            Feature {
                name: f.value.name.clone(),
                regimes: f.value.regimes.iter().map(|r| r.value.clone()).collect(),
                note: f.value.note.clone(),
            }
        })
        .collect()
}

/// A policy checked: its regimes exist, none is reserved, guidance is only context.
pub(super) fn policy(
    ctx: &mut Ctx<'_>,
    source: usize,
    raw: &PolicyRaw,
    regimes: &Seen,
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
