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
mod instrument;
pub mod jurisdiction;
pub mod load;
mod parts;
pub mod policy;
pub mod schema;
pub mod stix2;
pub mod validate;

pub use diagnostic::{Code, Diagnostic, Severity, Sources};
pub use load::{LoadOptions, Loaded, builtin, load};
pub use schema::{Confidence, Coverage, Field, InstrumentKind, RegimeStatus, RuleKind};

use crate::model::Platform;
use serde::{Deserialize, Serialize};

/// A validated regime.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Regime {
    /// Unique, stable id (`us-eo-13971`) that apps, features and policies refer to.
    pub id: String,
    /// A short name for tables (given, or the first part of the instrument).
    pub short: String,
    /// The instrument's full title.
    pub title: String,
    /// The instrument's citation (`Executive Order 13971`); reports show its first part.
    pub instrument: String,
    /// Law, executive order, contract clause, directive, guidance... (`None` when a
    /// site rule does not say).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<InstrumentKind>,
    /// The day it was signed or took effect, `YYYY-MM-DD`.
    pub date: String,
    /// Who issued it ("President of the United States", a legislature, an agency).
    pub issuer: String,
    /// Where it applies, as a code (`US`, `US-TX`, `IN`); reports name places other than
    /// US federal law ("in force in Texas").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
    /// Whom it binds, in full.
    pub binds: String,
    /// Whom it binds, in a few words ("federal contractors"); empty when not given.
    pub applies_to: String,
    /// Whether it binds anyone today (an app rule may give its own state for one app).
    pub status: Status,
    /// The legal texts it was read from (at least one; http(s) URLs).
    #[serde(default)]
    pub sources: Vec<Source>,
    /// When a person last checked it against its sources, `YYYY-MM-DD`; the newest of
    /// these dates is what reports call "rules reviewed as of".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_reviewed: Option<String>,
    /// Free text from the rule file (e.g. why no primary source was found).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// The rule file it came from.
    pub origin: String,
}

/// Whether a regime (or a regime for one app) binds anyone today.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

/// A document a rule cites: the legal text, or a page that supports an identifier or a
/// state.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Source {
    /// Its address, an http(s) URL.
    pub url: String,
    /// What the document is ("Federal Register, 86 FR 1249"), when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// A covered app (or vendor) rule, validated.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AppRule {
    /// Unique, stable rule id (`wechat`): findings, baselines and `rules show` use it.
    pub id: String,
    /// The name reports show: the app's (`WeChat`), or for a vendor rule a description
    /// such as "Tencent app (not individually named)".
    pub name: String,
    /// The company behind the app (`Tencent Holdings Ltd.`), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// A named app, or any app of a vendor (whose findings always need review).
    pub kind: RuleKind,
    /// The regimes that cover the app, with how and, where it differs, their state for it.
    #[serde(default)]
    pub regimes: Vec<RegimeRef>,
    /// The ways to recognise the app on each platform (at least one).
    #[serde(default)]
    pub identifiers: Vec<Identifier>,
    /// Covered functions that ship inside the app (WeChat Pay inside WeChat).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<Feature>,
    /// Who owned the publisher when: regimes that follow a company use it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owners: Vec<Owner>,
    /// Sources for the identifiers (where the package names or publishers were found).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    /// When a person last checked the rule, `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_reviewed: Option<String>,
    /// Free text from the rule file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// The rule file it came from (`<embedded>/...` for the built-in set).
    pub origin: String,
}

/// A regime as one app rule names it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RegimeRef {
    /// The regime's id.
    pub id: String,
    /// Whether the regime names the app or is read into its words.
    pub coverage: Coverage,
    /// Why or how the regime covers this app, for people (findings show it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The regime's state for this app, when it differs from the regime's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Sources for that state.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub status_sources: Vec<Source>,
    /// The regime reaches the app only while this owner owns it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub through_owner: Option<String>,
}

/// One owner of an app's publisher over a period (dates inclusive, `YYYY-MM-DD`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Owner {
    /// The owning company.
    pub name: String,
    /// First day; `None` when unknown or from the start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The day ownership passed on; `None` while it lasts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Sources for the ownership and its dates (an acquisition, a divestiture).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    /// Free text about the ownership.
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

/// How an identifier matches a value, with its text (trimmed; a certificate digest as
/// lowercase hex without separators). All matching ignores case.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pattern {
    /// The whole value.
    Exact(String),
    /// The value itself, or the value continued after a separator (any character that is
    /// not a letter or digit): `com.ss.android` matches `com.ss.android.ugc.aweme`, not
    /// `com.ss.androidx`.
    Prefix(String),
    /// A shell glob over the whole value (`*`, `?`, `[...]`, `{a,b}`).
    Glob(String),
    /// A regular expression in Rust `regex` syntax, unanchored.
    Regex(String),
}

impl Pattern {
    /// The way it matches, as rule files and reports name it: `exact`, `prefix`, `glob`,
    /// `regex`.
    pub fn kind(&self) -> &'static str {
        match self {
            Pattern::Exact(_) => "exact",
            Pattern::Prefix(_) => "prefix",
            Pattern::Glob(_) => "glob",
            Pattern::Regex(_) => "regex",
        }
    }

    /// The pattern's text, without its kind.
    pub fn text(&self) -> &str {
        match self {
            Pattern::Exact(s) | Pattern::Prefix(s) | Pattern::Glob(s) | Pattern::Regex(s) => s,
        }
    }
}

/// One validated way to recognise an app on one platform.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Identifier {
    /// The platform whose apps it is matched against.
    pub platform: Platform,
    /// The field of the installed app it is matched against (`id` by default).
    pub field: Field,
    /// How it matches, and what.
    pub pattern: Pattern,
    /// `confirmed` when verified for this app; `review` when only likely, which makes
    /// its findings ones to review.
    pub confidence: Confidence,
    /// Free text about the identifier ("WeChat and Weixin share the package").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A covered function that ships inside an app (WeChat Pay inside WeChat): a finding
/// on the app notes it, under the regimes that cover the function.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Feature {
    /// The function's name (`WeChat Pay`).
    pub name: String,
    /// Ids of the regimes that cover the function.
    #[serde(default)]
    pub regimes: Vec<String>,
    /// The sentence findings show; without one they say that the app is installed and
    /// the function is built into it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A validated policy: a named selection of regimes for a kind of user, which a scan
/// can be scoped to (`--policy`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Policy {
    /// Unique, stable id (`us-federal-contractor`), as `--policy` names it.
    pub id: String,
    /// A title for people ("US federal contractor").
    pub title: String,
    /// What the policy is for, in a sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Regimes that bind this kind of user.
    #[serde(default)]
    pub regimes: Vec<String>,
    /// Regimes shown beside them as context only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<String>,
    /// The rule file it came from.
    pub origin: String,
}

/// Every loaded and validated rule.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RuleSet {
    /// Every regime, in load order (embedded files first, then `--rules` paths).
    #[serde(default)]
    pub regimes: Vec<Regime>,
    /// Every covered-app and vendor rule, in load order.
    #[serde(default)]
    pub apps: Vec<AppRule>,
    /// Every policy, in load order.
    #[serde(default)]
    pub policies: Vec<Policy>,
}

impl RuleSet {
    /// The regime with this id, if one is loaded.
    pub fn regime(&self, id: &str) -> Option<&Regime> {
        self.regimes.iter().find(|r| r.id == id)
    }

    /// The app rule with this id, if one is loaded.
    pub fn app(&self, id: &str) -> Option<&AppRule> {
        self.apps.iter().find(|a| a.id == id)
    }

    /// The policy with this id, if one is loaded.
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
