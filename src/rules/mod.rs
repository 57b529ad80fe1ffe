//! Rules as data: the regimes (laws, orders, clauses), the apps they cover and
//! how to recognise those apps, and policies that select regimes for a kind of user.
//!
//! Files are parsed into span-keeping raw types ([`schema`]), then checked as a
//! whole ([`validate`]) into a [`RuleSet`], with every problem collected as a
//! [`Diagnostic`].

pub mod compile;
pub mod diagnostic;
mod error;
pub use error::RulesError;
pub mod export;
pub mod jurisdiction;
pub mod load;
pub mod policy;
pub mod schema;
pub mod validate;

pub use diagnostic::{Code, Diagnostic, Severity, Sources};
pub use load::{LoadOptions, Loaded, load};
pub use schema::{Confidence, Coverage, Field, InstrumentKind, RegimeStatus, RuleKind};

use crate::model::Platform;
use serde::Serialize;

/// A validated regime.
#[derive(Clone, Debug, Serialize)]
pub struct Regime {
    pub id: String,
    /// A short name for tables (given, or the first part of the instrument).
    pub short: String,
    pub title: String,
    pub instrument: String,
    /// Law, executive order, contract clause, directive, guidance... (`None` when a
    /// site rule does not say).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<InstrumentKind>,
    pub date: String,
    pub issuer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
    pub binds: String,
    /// Whom it binds, in a few words ("federal contractors"); empty when not given.
    pub applies_to: String,
    pub status: Status,
    pub sources: Vec<Source>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_reviewed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// The rule file it came from.
    pub origin: String,
}

/// Whether a regime (or a regime for one app) binds anyone today.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Status {
    /// Binds someone today.
    InForce,
    /// Withdrawn on `date` by `by`.
    Revoked {
        /// When, `YYYY-MM-DD`.
        date: String,
        /// The instrument that withdrew it.
        by: String,
    },
    /// Context only: binds no device user.
    Informational,
    /// No longer reaches one app (the regime itself still stands).
    Lifted {
        /// Since when, `YYYY-MM-DD`.
        date: String,
        /// What lifted it.
        by: String,
    },
}

impl Status {
    /// The machine name: `in-force`, `revoked`, `informational`, `lifted`.
    pub fn label(&self) -> &'static str {
        match self {
            Status::InForce => "in-force",
            Status::Revoked { .. } => "revoked",
            Status::Informational => "informational",
            Status::Lifted { .. } => "lifted",
        }
    }

    /// "in force", "revoked 2021-06-09 by EO 14034", "informational",
    /// "lifted 2026-01-22 by ...".
    pub fn describe(&self) -> String {
        match self {
            Status::InForce => "in force".to_string(),
            Status::Revoked { date, by } => format!("revoked {date} by {by}"),
            Status::Informational => "informational".to_string(),
            Status::Lifted { date, by } => format!("lifted {date} by {by}"),
        }
    }
}

impl Regime {
    /// The status as people read it, with the place for regimes outside US
    /// federal law: "in force in India", "revoked 2021-06-09 by EO 14034".
    pub fn describe_status(&self, status: &Status) -> String {
        let text = status.describe();
        match (status, jurisdiction::place(self.jurisdiction.as_deref())) {
            (Status::InForce, Some(place)) => format!("{text} in {place}"),
            _ => text,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Source {
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// A covered app (or vendor) rule, validated.
#[derive(Clone, Debug, Serialize)]
pub struct AppRule {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    pub kind: RuleKind,
    pub regimes: Vec<RegimeRef>,
    pub identifiers: Vec<Identifier>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<Feature>,
    /// Who owned the publisher when: regimes that follow a company use it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub owners: Vec<Owner>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_reviewed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    pub origin: String,
}

/// A regime as one app rule names it.
#[derive(Clone, Debug, Serialize)]
pub struct RegimeRef {
    /// The regime's id.
    pub id: String,
    /// Whether the regime names the app or is read into its words.
    pub coverage: Coverage,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The regime's state for this app, when it differs from the regime's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Sources for that state.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub status_sources: Vec<Source>,
    /// The regime reaches the app only while this owner owns it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub through_owner: Option<String>,
}

/// One owner of an app's publisher over a period (dates inclusive, `YYYY-MM-DD`).
#[derive(Clone, Debug, Serialize)]
pub struct Owner {
    /// The owning company.
    pub name: String,
    /// First day; `None` when unknown or from the start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The day ownership passed on; `None` while it lasts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Owner {
    /// Whether this owner held the app on `day` (`YYYY-MM-DD`; ISO dates compare as text).
    pub fn owns_on(&self, day: &str) -> bool {
        self.from.as_deref().is_none_or(|from| from <= day)
            && self.to.as_deref().is_none_or(|to| day < to)
    }

    /// "since 2021-03-01", "2021-03-01 to 2026-05-01", "until 2025-12-29".
    pub fn period(&self) -> String {
        match (&self.from, &self.to) {
            (Some(f), Some(t)) => format!("{f} to {t}"),
            (Some(f), None) => format!("since {f}"),
            (None, Some(t)) => format!("until {t}"),
            (None, None) => "dates unknown".to_string(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pattern {
    Exact(String),
    Prefix(String),
    Glob(String),
    Regex(String),
}

impl Pattern {
    pub fn kind(&self) -> &'static str {
        match self {
            Pattern::Exact(_) => "exact",
            Pattern::Prefix(_) => "prefix",
            Pattern::Glob(_) => "glob",
            Pattern::Regex(_) => "regex",
        }
    }

    pub fn text(&self) -> &str {
        match self {
            Pattern::Exact(s) | Pattern::Prefix(s) | Pattern::Glob(s) | Pattern::Regex(s) => s,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Identifier {
    pub platform: Platform,
    pub field: Field,
    pub pattern: Pattern,
    pub confidence: Confidence,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Feature {
    pub name: String,
    pub regimes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Policy {
    pub id: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Regimes that bind this kind of user.
    pub regimes: Vec<String>,
    /// Regimes shown beside them as context only.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<String>,
    pub origin: String,
}

/// Every loaded and validated rule.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RuleSet {
    pub regimes: Vec<Regime>,
    pub apps: Vec<AppRule>,
    pub policies: Vec<Policy>,
}

impl RuleSet {
    pub fn regime(&self, id: &str) -> Option<&Regime> {
        self.regimes.iter().find(|r| r.id == id)
    }

    pub fn app(&self, id: &str) -> Option<&AppRule> {
        self.apps.iter().find(|a| a.id == id)
    }

    pub fn policy(&self, id: &str) -> Option<&Policy> {
        self.policies.iter().find(|p| p.id == id)
    }

    /// The newest `last_reviewed` date of any regime: how fresh the legal data is.
    pub fn reviewed_as_of(&self) -> Option<&str> {
        self.regimes
            .iter()
            .filter_map(|r| r.last_reviewed.as_deref())
            .max()
    }
}
