//! The rule files as written: YAML types that keep where each value stood.
//!
//! Every struct rejects unknown fields, so a typo is an error, not a silently
//! ignored key. Checks that need more than one value (ids that must be unique,
//! regimes that must exist, regexes that must compile) live in `validate.rs`.

use crate::model::Platform;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

/// One rule file: any mix of regimes, covered apps and policies.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// Format version of the file; only 1 exists.
    #[serde(default)]
    pub version: Option<Spanned<u32>>,
    #[serde(default)]
    pub regimes: Vec<Spanned<RegimeRaw>>,
    #[serde(default)]
    pub apps: Vec<Spanned<AppRuleRaw>>,
    #[serde(default)]
    pub policies: Vec<Spanned<PolicyRaw>>,
}

/// A legal instrument (law, order, contract clause, ban) that covers apps.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegimeRaw {
    pub id: Spanned<String>,
    /// A short name for tables, e.g. `EO 13942`, `FAR 52.204-27`.
    #[serde(default)]
    pub short: Option<String>,
    pub title: String,
    pub instrument: String,
    /// Date it was signed or took effect, `YYYY-MM-DD`.
    pub date: Spanned<String>,
    pub issuer: String,
    /// Country or state code, e.g. `US`, `US-TX`, `IN`.
    #[serde(default)]
    pub jurisdiction: Option<String>,
    /// Whom it binds, in plain words.
    pub binds: String,
    pub status: Spanned<RegimeStatus>,
    #[serde(default)]
    pub revoked: Option<Spanned<RevokedRaw>>,
    #[serde(default)]
    pub sources: Vec<SourceRaw>,
    #[serde(default)]
    pub last_reviewed: Option<Spanned<String>>,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RegimeStatus {
    /// Binds someone today.
    InForce,
    /// Was withdrawn; kept so reports can say so.
    Revoked,
    /// Context only: binds no device user (e.g. a law aimed at app stores).
    Informational,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokedRaw {
    pub date: Spanned<String>,
    pub by: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceRaw {
    pub url: Spanned<String>,
    #[serde(default)]
    pub title: Option<String>,
}

/// A covered app (or a vendor whose apps are covered) and how to recognise it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppRuleRaw {
    pub id: Spanned<String>,
    pub name: String,
    #[serde(default)]
    pub vendor: Option<String>,
    /// `app` for a named app; `vendor` for "any app of this company".
    #[serde(default)]
    pub kind: RuleKind,
    pub regimes: Spanned<Vec<Spanned<RegimeRefRaw>>>,
    pub identifiers: Spanned<Vec<Spanned<IdentifierRaw>>>,
    /// Covered functions that ship inside this app (WeChat Pay inside WeChat).
    #[serde(default)]
    pub features: Vec<Spanned<FeatureRaw>>,
    #[serde(default)]
    pub sources: Vec<SourceRaw>,
    #[serde(default)]
    pub last_reviewed: Option<Spanned<String>>,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleKind {
    #[default]
    App,
    Vendor,
}

/// A regime named by id, or with how surely it covers the app.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RegimeRefRaw {
    Id(String),
    Detailed(RegimeRefDetailed),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegimeRefDetailed {
    pub id: String,
    #[serde(default)]
    pub coverage: Coverage,
    #[serde(default)]
    pub note: Option<String>,
}

/// How surely a regime covers an app.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Coverage {
    /// The regime names the app (or its vendor) outright.
    #[default]
    Named,
    /// Read into the regime's words (e.g. "any successor application ... by ByteDance").
    Possible,
}

/// How surely an identifier belongs to the app: `confirmed` (verified in sources
/// that tie it to the app) or `review` (likely; a person should look).
pub use crate::model::Confidence;

/// Which field of an installed app an identifier is matched against.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Package name, bundle id, uninstall key, package id.
    #[default]
    Id,
    /// Display name.
    Name,
    /// Publisher / vendor / developer.
    Publisher,
    /// Apple signing Team ID.
    TeamId,
    /// SHA-256 of a signing certificate (hex, colons allowed).
    CertSha256,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Name => "name",
            Field::Publisher => "publisher",
            Field::TeamId => "team_id",
            Field::CertSha256 => "cert_sha256",
        }
    }
}

/// One way to recognise the app on one platform: exactly one of
/// `exact`, `prefix`, `glob`, `regex`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentifierRaw {
    pub platform: Platform,
    #[serde(default)]
    pub field: Field,
    #[serde(default)]
    pub exact: Option<Spanned<String>>,
    /// Matches the value itself or anything that continues it after a
    /// separator (`com.ss.android` matches `com.ss.android.ugc.aweme`, not `com.ss.androidx`).
    #[serde(default)]
    pub prefix: Option<Spanned<String>>,
    #[serde(default)]
    pub glob: Option<Spanned<String>>,
    #[serde(default)]
    pub regex: Option<Spanned<String>>,
    #[serde(default)]
    pub confidence: Confidence,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureRaw {
    pub name: String,
    pub regimes: Vec<Spanned<String>>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A named selection of regimes for a kind of user.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyRaw {
    pub id: Spanned<String>,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    pub regimes: Vec<Spanned<String>>,
}
