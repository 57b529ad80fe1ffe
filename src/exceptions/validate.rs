//! Checks a parsed exceptions file against the loaded rules and the scan's day.
//! Every problem becomes a [`Diagnostic`] with a stable `exception-*` code (or
//! `bad-date`, `bad-version`); validation never stops early.

use super::schema::{ExceptionFile, ExceptionRaw};
use super::{Exception, Target};
use crate::rules::RuleSet;
use crate::rules::diagnostic::{Code, Diagnostic, Label, Sources};
use crate::rules::policy::parse_date;
use crate::rules::validate::{closest, is_iso_date};
use globset::{GlobBuilder, GlobMatcher};
use serde_saphyr::Spanned;

/// What validation reads and where it writes its diagnostics.
pub(super) struct Ctx<'a> {
    pub sources: &'a Sources,
    pub source: usize,
    pub rules: &'a RuleSet,
    pub as_of: &'a str,
    pub diagnostics: &'a mut Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn label<T>(&self, spanned: &Spanned<T>) -> Option<Label> {
        self.sources.label(self.source, &spanned.referenced)
    }

    fn error<T>(&mut self, code: Code, at: &Spanned<T>, message: String) {
        let label = self.label(at);
        self.diagnostics
            .push(Diagnostic::error(code, message).at(label));
    }
}

/// Every exception of `file` checked; those with errors are still checked in full
/// (and dropped, since the set is not used when there are errors).
pub(super) fn validate(ctx: &mut Ctx<'_>, file: &ExceptionFile) -> Vec<Exception> {
    if let Some(v) = &file.version
        && v.value != 1
    {
        let message = format!(
            "exceptions file version {} is not supported (only 1)",
            v.value
        );
        ctx.error(Code::BadVersion, v, message);
    }
    file.exceptions
        .iter()
        .filter_map(|item| exception(ctx, item))
        .collect()
}

fn exception(ctx: &mut Ctx<'_>, item: &Spanned<ExceptionRaw>) -> Option<Exception> {
    let raw = &item.value;
    let before = ctx.diagnostics.len();
    let matchers = devices(ctx, item);
    let target = target(ctx, item);
    let reason = required_text(ctx, item, &raw.reason, "reason");
    let approved_by = required_text(ctx, item, &raw.approved_by, "approved_by");
    let approved = raw.approved.as_ref().and_then(|d| day(ctx, d, "approved"));
    let expires = expires(ctx, item, approved.as_deref());
    if crate::rules::diagnostic::any_error(&ctx.diagnostics[before..]) {
        return None;
    }
    Some(Exception {
        devices: raw
            .devices
            .as_ref()
            .map(|d| d.value.iter().map(|g| g.value.clone()).collect())
            .unwrap_or_default(),
        matchers,
        target: target?,
        reason: reason?,
        approved_by: approved_by?,
        ticket: raw
            .ticket
            .as_ref()
            .map(|t| t.value.trim().to_string())
            .filter(|t| !t.is_empty()),
        approved,
        expires: expires?,
        origin: format!(
            "{}:{}",
            ctx.sources.name(ctx.source),
            item.referenced.line()
        ),
    })
}

/// The device globs compiled; a missing or empty list, or a glob that does not
/// compile, is a diagnostic.
fn devices(ctx: &mut Ctx<'_>, item: &Spanned<ExceptionRaw>) -> Vec<GlobMatcher> {
    let Some(list) = &item.value.devices else {
        let message = "exception without `devices`: name device ids, names or globs (`\"*\"` for every device)".to_string();
        ctx.error(Code::ExceptionMissingField, item, message);
        return Vec::new();
    };
    if list.value.is_empty() {
        let message = "exception with an empty `devices` list".to_string();
        ctx.error(Code::ExceptionMissingField, list, message);
    }
    let mut out = Vec::new();
    for glob in &list.value {
        let text = glob.value.trim();
        let built = GlobBuilder::new(text)
            .case_insensitive(true)
            .literal_separator(false)
            .build();
        match built {
            Ok(g) if !text.is_empty() => out.push(g.compile_matcher()),
            Ok(_) => {
                let message = "empty device id or glob".to_string();
                ctx.error(Code::ExceptionBadGlob, glob, message);
            }
            Err(e) => {
                let message = format!("device glob `{text}` does not compile: {}", e.kind());
                ctx.error(Code::ExceptionBadGlob, glob, message);
            }
        }
    }
    out
}

/// Builds a target from its id (`Target::Rule`, `Target::App`, `Target::Regime`).
type MakeTarget = fn(String) -> Target;

/// Exactly one of `rule`, `app` and `regime`, naming a loaded rule or regime.
fn target(ctx: &mut Ctx<'_>, item: &Spanned<ExceptionRaw>) -> Option<Target> {
    let raw = &item.value;
    let given: Vec<(&Spanned<String>, MakeTarget)> = [
        (raw.rule.as_ref(), Target::Rule as MakeTarget),
        (raw.app.as_ref(), Target::App),
        (raw.regime.as_ref(), Target::Regime),
    ]
    .into_iter()
    .filter_map(|(value, make)| value.map(|v| (v, make)))
    .collect();
    let (value, make) = match given.as_slice() {
        [] => {
            let message =
                "exception names none of `rule`, `app` or `regime` (give exactly one)".to_string();
            ctx.error(Code::ExceptionTarget, item, message);
            return None;
        }
        [one] => *one,
        [_, second, ..] => {
            let message =
                "exception names more than one of `rule`, `app` and `regime` (give exactly one)"
                    .to_string();
            ctx.error(Code::ExceptionTarget, second.0, message);
            return None;
        }
    };
    let id = value.value.trim().to_string();
    let target = make(id.clone());
    if id.is_empty() {
        let message = format!("empty `{}`", target.kind());
        ctx.error(Code::ExceptionTarget, value, message);
        return None;
    }
    known(ctx, &target, value).then_some(target)
}

/// Whether the rule or regime a target names is loaded; a diagnostic (with a
/// "did you mean") when not. App identifiers need not be known.
fn known(ctx: &mut Ctx<'_>, target: &Target, at: &Spanned<String>) -> bool {
    let (ids, code): (Vec<&String>, Code) = match target {
        Target::App(_) => return true,
        Target::Rule(id) if ctx.rules.app(id).is_some() => return true,
        Target::Regime(id) if ctx.rules.regime(id).is_some() => return true,
        Target::Rule(_) => (
            ctx.rules.apps.iter().map(|a| &a.id).collect(),
            Code::ExceptionUnknownRule,
        ),
        Target::Regime(_) => (
            ctx.rules.regimes.iter().map(|r| &r.id).collect(),
            Code::ExceptionUnknownRegime,
        ),
    };
    let hint = closest(target.id(), &ids)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default();
    let message = format!(
        "exception names {} `{}`, which no loaded rule defines{hint}",
        target.kind(),
        target.id()
    );
    ctx.error(code, at, message);
    false
}

/// A text that must be there and not blank (`reason`, `approved_by`).
fn required_text(
    ctx: &mut Ctx<'_>,
    item: &Spanned<ExceptionRaw>,
    value: &Option<Spanned<String>>,
    key: &str,
) -> Option<String> {
    match value {
        Some(v) if !v.value.trim().is_empty() => Some(v.value.trim().to_string()),
        Some(v) => {
            ctx.error(Code::ExceptionMissingField, v, format!("empty `{key}`"));
            None
        }
        None => {
            let message = format!("exception without `{key}`");
            ctx.error(Code::ExceptionMissingField, item, message);
            None
        }
    }
}

/// A `YYYY-MM-DD` day that exists; a `bad-date` diagnostic otherwise.
fn day(ctx: &mut Ctx<'_>, value: &Spanned<String>, key: &str) -> Option<String> {
    let text = value.value.trim();
    if is_iso_date(text) && parse_date(text).is_some() {
        return Some(text.to_string());
    }
    let message = format!("{key} `{text}` is not a date of the form YYYY-MM-DD");
    ctx.error(Code::BadDate, value, message);
    None
}

/// `expires`: required, a date, not before `approved` and at most one year after
/// it (or, without `approved`, after the scan's day). Already past is a warning.
fn expires(
    ctx: &mut Ctx<'_>,
    item: &Spanned<ExceptionRaw>,
    approved: Option<&str>,
) -> Option<String> {
    let Some(value) = &item.value.expires else {
        let message = "exception without `expires`: every exception must end (at most one year after it was approved)".to_string();
        ctx.error(Code::ExceptionMissingExpiry, item, message);
        return None;
    };
    let expires = day(ctx, value, "expires")?;
    let (from, what) = match approved {
        Some(a) => (a.to_string(), format!("its approval on {a}")),
        None => (
            ctx.as_of.to_string(),
            format!("{} (no `approved` date given)", ctx.as_of),
        ),
    };
    let limit = one_year_after(&from)?;
    if expires > limit {
        let message = format!(
            "exception expires {expires}, more than one year after {what}: at most {limit}"
        );
        ctx.error(Code::ExceptionExpiryTooFar, value, message);
        return None;
    }
    if approved.is_some_and(|a| expires.as_str() < a) {
        let message = format!("exception expires {expires}, before it was approved ({from})");
        ctx.error(Code::ExceptionExpiryTooFar, value, message);
        return None;
    }
    if expires.as_str() < ctx.as_of {
        let label = ctx.label(value);
        let message = format!(
            "exception expired {expires} (before {}): it applies no more",
            ctx.as_of
        );
        ctx.diagnostics
            .push(Diagnostic::warning(Code::ExceptionExpired, message).at(label));
    }
    Some(expires)
}

/// The same day one year later (29 February becomes 28 February), `YYYY-MM-DD`.
pub(super) fn one_year_after(day: &str) -> Option<String> {
    let date = parse_date(day)?;
    let next = date.year().checked_add(1)?;
    let later = date
        .replace_year(next)
        .or_else(|_| date.replace_day(28).and_then(|d| d.replace_year(next)))
        .ok()?;
    Some(later.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_year_later() {
        assert_eq!(one_year_after("2026-04-01").as_deref(), Some("2027-04-01"));
        assert_eq!(one_year_after("2028-02-29").as_deref(), Some("2029-02-28"));
        assert_eq!(one_year_after("nonsense"), None);
    }
}
