//! Identifiers: one way of matching each, patterns that compile.

use super::{Ctx, normalize_digest};
use crate::rules::diagnostic::{Code, Diagnostic, Label};
use crate::rules::schema::IdentifierRaw;
use crate::rules::{Field, Identifier, Pattern};
use serde_saphyr::Spanned;

/// One identifier checked: exactly one way of matching, not empty, a pattern
/// that compiles. `None` (with a diagnostic) when it cannot be used.
pub(super) fn identifier(
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
    let text = field_text(ctx, i.field, kind, text, label.clone(), owner)?;
    let pattern = pattern(ctx, kind, text, label)?;
    Some(Identifier {
        platform: i.platform,
        field: i.field,
        pattern,
        confidence: i.confidence,
        note: i.note.clone(),
    })
}

/// The pattern text of a `field` identifier: certificate digests as lowercase hex
/// without separators, and an exact SHA-1 must be 40 hex digits.
fn field_text(
    ctx: &mut Ctx<'_>,
    field: Field,
    kind: &str,
    text: String,
    label: Option<Label>,
    owner: &str,
) -> Option<String> {
    match field {
        Field::CertSha256 => Some(normalize_digest(&text)),
        Field::CertSha1 => {
            let digest = normalize_digest(&text);
            let only_hex = text
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == ' ');
            if kind == "exact" && (digest.len() != 40 || !only_hex) {
                ctx.push(
                    Diagnostic::error(
                        Code::BadPattern,
                        format!(
                            "a cert_sha1 identifier of {owner} must be 40 hex digits \
                             (colons allowed); found `{text}`"
                        ),
                    )
                    .at(label),
                );
                return None;
            }
            Some(digest)
        }
        _ => Some(text),
    }
}

/// The pattern of `kind`; globs and regexes must compile.
fn pattern(ctx: &mut Ctx<'_>, kind: &str, text: String, label: Option<Label>) -> Option<Pattern> {
    Some(match kind {
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
            if let Err(e) = crate::rules::compile::check_regex(&text).map_err(|e| e.to_string()) {
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
    })
}
