//! Regimes: status, whom they bind and where, sources.

use super::{Ctx, check_date, sources_of};
use crate::rules::diagnostic::{Code, Diagnostic};
use crate::rules::schema::{RegimeRaw, RegimeStatus};
use crate::rules::{Regime, Source, Status};

/// A regime checked: dates, status, scope, sources and review date.
pub(super) fn regime(ctx: &mut Ctx<'_>, source: usize, raw: &RegimeRaw) -> Regime {
    check_date(ctx, source, &raw.date, "date");
    let status = status(ctx, source, raw);
    check_scope(ctx, source, raw);
    let sources = sources_and_review(ctx, source, raw);
    Regime {
        id: raw.id.value.clone(),
        short: raw
            .short
            .clone()
            .unwrap_or_else(|| crate::rules::instrument::short_instrument(&raw.instrument)),
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

/// The regime's status, with `revoked:` required exactly when it is revoked.
fn status(ctx: &mut Ctx<'_>, source: usize, raw: &RegimeRaw) -> Status {
    match (raw.status.value, &raw.revoked) {
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
    }
}

/// At least one source, each an http(s) URL, and a `last_reviewed` date.
fn sources_and_review(ctx: &mut Ctx<'_>, source: usize, raw: &RegimeRaw) -> Vec<Source> {
    let id_label = ctx.label(source, &raw.id);
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
    sources
}

pub(super) fn plain_status(status: RegimeStatus) -> Status {
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
        && !crate::rules::jurisdiction::is_known(code)
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
