//! The block layout, used when the grid does not fit: each finding is a few lines, the
//! way cargo-deny prints a diagnostic. App and identifier on one line, regimes beneath,
//! evidence last; identifiers, paths and versions are never broken.
//!
//! ```text
//! TikTok  com.zhiliaoapp.musically  2023904030  confirmed
//!   FAR 52.204-27: in force — binds executive agencies and federal contractors
//!   context: PAFACA (2024): lifted 2026-01-22 by ...
//!   evidence: fixtures/scan/pm_list_tiktok.txt:1
//!             package:/data/app/~~Qm9v…musically-...==/base.apk=com.zhiliaoapp.musically
//! ```

use super::finding::{CONTEXT, Shown};
use super::wrap::{elide_middle, fill, width, words};

/// Where the evidence lines start: after `  evidence: `.
const EVIDENCE: &str = "  evidence: ";

/// Excerpts are never shortened below this width (they overflow instead).
const LEAST_EXCERPT: usize = 24;

/// The lines of one finding's block within `max` columns; `bold` paints the app's name.
pub fn render(s: &Shown, max: usize, bold: &dyn Fn(&str) -> String) -> Vec<String> {
    let mut head = vec![s.name.as_str(), s.id.as_str()];
    if s.version != "-" {
        head.push(&s.version);
    }
    head.push(s.confidence);
    let mut lines = fill(&head, "  ", max, 0, 2);
    if let Some(first) = lines.first_mut()
        && let Some(rest) = first.strip_prefix(s.name.as_str())
    {
        *first = format!("{}{rest}", bold(&s.name));
    }
    for d in &s.details {
        lines.extend(fill(&words(d), " ", max, 2, 4));
    }
    if let Some(reason) = &s.reason {
        lines.extend(prose(&format!("{}: {reason}", s.confidence), max, 2, 4));
    }
    for r in &s.binding {
        lines.extend(prose(r, max, 2, 4));
    }
    // With binding regimes, a `context:` label parts the others from them.
    let label = if s.binding.is_empty() { "" } else { CONTEXT };
    let hang = if label.is_empty() { 2 } else { 3 + label.len() };
    for (i, r) in s.context.iter().enumerate() {
        let text = if i == 0 && !label.is_empty() {
            format!("{label} {r}")
        } else {
            r.clone()
        };
        let indent = if i == 0 { 2 } else { hang };
        lines.extend(prose(&text, max, indent, hang + 2));
    }
    for n in &s.notes {
        lines.extend(prose(&format!("note: {n}"), max, 2, 4));
    }
    lines.extend(evidence(s, max));
    lines
}

fn prose(text: &str, max: usize, indent: usize, hang: usize) -> Vec<String> {
    fill(&words(text), " ", max, indent, hang)
}

/// `evidence: path:line`, the excerpt under it (its middle elided to fit), `(+N more)`.
/// A path too long for the line gets a line of its own.
fn evidence(s: &Shown, max: usize) -> Vec<String> {
    let pad = " ".repeat(EVIDENCE.len());
    let mut lines = Vec::new();
    if EVIDENCE.len() + width(&s.place) <= max {
        lines.push(format!("{EVIDENCE}{}", s.place));
    } else {
        lines.push(EVIDENCE.trim_end().to_string());
        lines.push(format!("    {}", s.place));
    }
    if let Some(excerpt) = &s.excerpt {
        let room = max.saturating_sub(EVIDENCE.len()).max(LEAST_EXCERPT);
        lines.push(format!("{pad}{}", elide_middle(excerpt, room)));
    }
    if s.more > 0 {
        lines.push(format!("{pad}(+{} more)", s.more));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desktop() -> Shown {
        Shown {
            name: "TikTok LIVE Studio".into(),
            id: "TikTok LIVE Studio 0.56.2".into(),
            version: "0.56.2".into(),
            confidence: "review",
            reason: Some("matched on the display name only, not on a bundle id".into()),
            details: vec!["matched on name `TikTok LIVE Studio`".into()],
            binding: vec!["FAR 52.204-27: in force — binds executive agencies and federal contractors".into()],
            context: vec!["Texas prohibited technologies (2022): in force in Texas".into()],
            place: "C:\\Program Files\\TikTok LIVE Studio\\resources\\app.asar.unpacked\\TikTok LIVE Studio.exe:1".into(),
            excerpt: Some(format!("{}TikTok LIVE Studio.exe", "x".repeat(120))),
            more: 2,
            notes: vec![],
        }
    }

    #[test]
    fn blocks_never_break_a_unit_and_fit_but_for_a_lone_path() {
        let s = desktop();
        for max in [40, 80, 100] {
            let lines = render(&s, max, &|t| t.to_string());
            let text = lines.join("\n");
            for unit in [&s.id, &s.version, &s.place] {
                assert!(
                    lines.iter().any(|l| l.contains(unit.as_str())),
                    "{unit} at {max}:\n{text}"
                );
            }
            for line in &lines {
                assert!(
                    width(line) <= max || line.trim() == s.place,
                    "{max}:\n{text}"
                );
            }
            // The excerpt loses its middle, never its end.
            assert!(
                lines
                    .iter()
                    .any(|l| l.contains('…') && l.ends_with("Studio.exe")),
                "{text}"
            );
            assert!(text.contains("(+2 more)"));
            assert!(text.contains("  context: Texas"), "{text}");
        }
    }
}
