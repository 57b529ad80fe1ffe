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
pub mod load;
pub mod policy;
pub mod schema;
pub mod validate;

pub use diagnostic::{Code, Diagnostic, Severity, Sources};
pub use load::{LoadOptions, Loaded, load};
pub use schema::{Confidence, Coverage, Field, RegimeStatus, RuleKind};

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
    pub date: String,
    pub issuer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
    pub binds: String,
    pub status: Status,
    pub sources: Vec<Source>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_reviewed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// The rule file it came from.
    pub origin: String,
}

/// Whether a regime binds anyone today.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Status {
    InForce,
    Revoked { date: String, by: String },
    Informational,
}

impl Status {
    pub fn label(&self) -> &'static str {
        match self {
            Status::InForce => "in-force",
            Status::Revoked { .. } => "revoked",
            Status::Informational => "informational",
        }
    }

    /// "in force", "revoked 2021-06-09 by EO 14034", "informational".
    pub fn describe(&self) -> String {
        match self {
            Status::InForce => "in force".to_string(),
            Status::Revoked { date, by } => format!("revoked {date} by {by}"),
            Status::Informational => "informational".to_string(),
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_reviewed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    pub origin: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct RegimeRef {
    pub id: String,
    pub coverage: Coverage,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
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
    pub regimes: Vec<String>,
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
}
