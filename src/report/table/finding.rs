//! What the table report says about one finding, whatever its layout: the grid (one row
//! per finding) and the blocks (a few lines per finding) both render a [`Shown`].

use crate::model::{Confidence, Finding, RegimeRole};

/// Parts binding regimes from context ones.
pub const CONTEXT: &str = "context:";

/// One finding as the table report shows it. Every identifier, path and version is a
/// whole unit that no layout breaks.
pub struct Shown {
    /// The covered app, as its rule names it.
    pub name: String,
    /// The app's identifier (package name, bundle id, uninstall key...).
    pub id: String,
    /// Its version (and build), or `-`.
    pub version: String,
    /// `confirmed` or `review`.
    pub confidence: &'static str,
    /// Why it is to review, when it is.
    pub reason: Option<String>,
    /// Short facts shown under the identifier (users, what matched). One more line per
    /// finding (an exception, say) goes here: the grid puts it in the identifier's cell,
    /// the blocks beneath the headline.
    pub details: Vec<String>,
    /// Binding regimes first; context ones after, each a line of prose.
    pub binding: Vec<String>,
    /// Regimes that are context (all of them without a scope).
    pub context: Vec<String>,
    /// Where the app was first seen: `path:line`, or `-`.
    pub place: String,
    /// The line seen there, when the input has lines.
    pub excerpt: Option<String>,
    /// How many further places the app was seen.
    pub more: usize,
    /// Covered functions inside the app, a sentence each.
    pub notes: Vec<String>,
}

/// The one place a finding is put into words for the table report.
pub fn show(f: &Finding) -> Shown {
    let mut binding = Vec::new();
    let mut context = Vec::new();
    for r in &f.regimes {
        let mut line = r.line();
        if let Some(v) = &r.via_feature {
            line = line.replacen(':', &format!(" (via {v}):"), 1);
        }
        if r.coverage == "possible" {
            line = line.replacen(':', " [possible]:", 1);
        }
        match r.role {
            RegimeRole::Binding => binding.push(line),
            RegimeRole::Context => context.push(line),
        }
    }
    let users: Vec<String> = f
        .app
        .users
        .iter()
        .filter(|u| u.installed != Some(false))
        .map(|u| match &u.profile {
            Some(p) => format!("{} ({p})", u.user),
            None => u.user.to_string(),
        })
        .collect();
    let mut details = Vec::new();
    if !users.is_empty() {
        details.push(format!("user {}", users.join(", ")));
    }
    if f.matched.field != "id" {
        details.push(format!(
            "matched on {} `{}`",
            f.matched.field.replace('_', " "),
            f.matched.value
        ));
    }
    let version = match (&f.app.version, &f.app.build) {
        (Some(v), Some(b)) => format!("{v} ({b})"),
        (Some(v), None) => v.clone(),
        (None, Some(b)) => b.clone(),
        (None, None) => "-".to_string(),
    };
    let reason = match f.confidence {
        Confidence::Review => f.reason.clone(),
        Confidence::Confirmed => None,
    };
    Shown {
        name: f.rule.name.clone(),
        id: f.app.id.clone(),
        version,
        confidence: f.confidence.as_str(),
        reason,
        details,
        binding,
        context,
        place: place(f),
        excerpt: f.app.evidence.first().and_then(|e| e.excerpt.clone()),
        more: f.app.evidence.len().saturating_sub(1),
        notes: f
            .features
            .iter()
            .map(|x| x.text.clone())
            .chain(
                f.exception
                    .as_ref()
                    .map(|e| format!("{} ({}): {}", f.rule.name, f.app.id, e.describe())),
            )
            .collect(),
    }
}

/// Where a finding was first seen: `path:line`, the path alone, or `-`.
pub fn place(f: &Finding) -> String {
    match f.app.evidence.first() {
        Some(e) => match e.line {
            Some(l) => format!("{}:{l}", e.path),
            None => e.path.clone(),
        },
        None => "-".to_string(),
    }
}

impl Shown {
    /// The regime lines of the grid: binding ones, then `context:` and the others (no
    /// marker when nothing binds).
    pub fn regime_lines(&self) -> Vec<String> {
        let mut lines = self.binding.clone();
        if !self.binding.is_empty() && !self.context.is_empty() {
            lines.push(CONTEXT.to_string());
        }
        lines.extend(self.context.iter().cloned());
        lines
    }

    /// `confirmed`, or `review: why`.
    pub fn confidence_text(&self) -> String {
        match &self.reason {
            Some(r) => format!("{}: {r}", self.confidence),
            None => self.confidence.to_string(),
        }
    }
}
