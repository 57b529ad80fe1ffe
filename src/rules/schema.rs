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
    /// The `regimes:` list: legal instruments.
    #[serde(default)]
    pub regimes: Vec<Spanned<RegimeRaw>>,
    /// The `apps:` list: covered apps and vendors.
    #[serde(default)]
    pub apps: Vec<Spanned<AppRuleRaw>>,
    /// The `policies:` list: selections of regimes for a kind of user.
    #[serde(default)]
    pub policies: Vec<Spanned<PolicyRaw>>,
}

/// A legal instrument (law, order, contract clause, ban) that covers apps.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegimeRaw {
    /// Unique, stable id that apps and policies refer to (`us-eo-13971`).
    pub id: Spanned<String>,
    /// A short name for tables, e.g. `EO 13942`, `FAR 52.204-27`.
    #[serde(default)]
    pub short: Option<String>,
    /// The instrument's full title.
    pub title: String,
    /// The instrument's citation (`Executive Order 13971`); when `short` is not given,
    /// tables show its first part (`EO 13971`).
    pub instrument: String,
    /// What kind of instrument it is: a law binds differently from agency guidance.
    /// Optional for site rules (a warning when missing).
    #[serde(default)]
    pub kind: Option<Spanned<InstrumentKind>>,
    /// Date it was signed or took effect, `YYYY-MM-DD`.
    pub date: Spanned<String>,
    /// Who issued it ("President of the United States").
    pub issuer: String,
    /// Country or state code, e.g. `US`, `US-TX`, `IN`.
    #[serde(default)]
    pub jurisdiction: Option<String>,
    /// Whom it binds, in plain words.
    pub binds: String,
    /// Whom it binds, in a few words for a report line ("federal contractors").
    /// Optional for site rules (a warning when missing).
    #[serde(default)]
    pub applies_to: Option<Spanned<String>>,
    /// `in-force`, `revoked` or `informational` (`lifted` is only for one app).
    pub status: Spanned<RegimeStatus>,
    /// When and by what it was revoked: required exactly when `status` is `revoked`.
    #[serde(default)]
    pub revoked: Option<Spanned<RevokedRaw>>,
    /// The texts it was read from: at least one, http(s) URLs.
    #[serde(default)]
    pub sources: Vec<SourceRaw>,
    /// When a person last checked it against its sources, `YYYY-MM-DD` (a warning when
    /// missing).
    #[serde(default)]
    pub last_reviewed: Option<Spanned<String>>,
    /// Free text, e.g. why no primary source was found.
    #[serde(default)]
    pub notes: Option<String>,
}

/// Whether a regime (or a regime for one app) binds anyone today.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RegimeStatus {
    /// Binds someone today.
    InForce,
    /// Was withdrawn; kept so reports can say so.
    Revoked,
    /// Context only: binds no device user (e.g. a law aimed at app stores).
    Informational,
    /// For one app inside a regime: the regime no longer reaches it (TikTok US
    /// after PAFACA's qualified divestiture). Needs `since` and `by`.
    Lifted,
}

/// The kind of legal instrument, which says how it binds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InstrumentKind {
    /// A statute passed by a legislature.
    Law,
    /// A presidential or governor's executive order.
    ExecutiveOrder,
    /// A contract clause (FAR, DFARS): binds those whose contract carries it.
    ContractClause,
    /// A binding directive to agencies (a DHS binding operational directive, a PSPF direction).
    Directive,
    /// Agency guidance or an internal notice: not a ban, and never binding in a policy.
    Guidance,
    /// A court ruling or an agency determination (BIS ICTS final determination).
    Determination,
    /// An administrative order such as India's blocking orders.
    AdministrativeOrder,
}

impl InstrumentKind {
    /// The kebab-case name used in rule files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            InstrumentKind::Law => "law",
            InstrumentKind::ExecutiveOrder => "executive-order",
            InstrumentKind::ContractClause => "contract-clause",
            InstrumentKind::Directive => "directive",
            InstrumentKind::Guidance => "guidance",
            InstrumentKind::Determination => "determination",
            InstrumentKind::AdministrativeOrder => "administrative-order",
        }
    }
}

/// A regime's `revoked: {date, by}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokedRaw {
    /// The day it was revoked, `YYYY-MM-DD`.
    pub date: Spanned<String>,
    /// The instrument that revoked it (`EO 14034`).
    pub by: String,
}

/// A cited document: `{url, title}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceRaw {
    /// Its address; must be an http(s) URL.
    pub url: Spanned<String>,
    /// What the document is, for people.
    #[serde(default)]
    pub title: Option<String>,
}

/// A covered app (or a vendor whose apps are covered) and how to recognise it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppRuleRaw {
    /// Unique, stable rule id (`wechat`).
    pub id: Spanned<String>,
    /// The name reports show (`WeChat`).
    pub name: String,
    /// The company behind the app, when known.
    #[serde(default)]
    pub vendor: Option<String>,
    /// `app` for a named app; `vendor` for "any app of this company".
    #[serde(default)]
    pub kind: RuleKind,
    /// The regimes that cover the app: at least one, each an id or a detailed entry.
    pub regimes: Spanned<Vec<Spanned<RegimeRefRaw>>>,
    /// The ways to recognise the app: at least one.
    pub identifiers: Spanned<Vec<Spanned<IdentifierRaw>>>,
    /// Covered functions that ship inside this app (WeChat Pay inside WeChat).
    #[serde(default)]
    pub features: Vec<Spanned<FeatureRaw>>,
    /// Who has owned the app's publisher, and when: coverage that follows a
    /// company (`through_owner` on a regime) is right for the scan's date.
    #[serde(default)]
    pub owners: Vec<Spanned<OwnerRaw>>,
    /// Sources for the identifiers (optional).
    #[serde(default)]
    pub sources: Vec<SourceRaw>,
    /// When a person last checked the rule, `YYYY-MM-DD` (a warning when missing).
    #[serde(default)]
    pub last_reviewed: Option<Spanned<String>>,
    /// Free text.
    #[serde(default)]
    pub notes: Option<String>,
}

/// What a covered-app rule names: one app, or every app of a company.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleKind {
    /// A named app (the default): its findings can be `confirmed`.
    #[default]
    App,
    /// Any app of a vendor, matched by namespace or publisher: the app is not named, so
    /// its findings are always to `review`, and are dropped when a named app rule also
    /// matches.
    Vendor,
}

/// A regime named by id, or with how surely it covers the app.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RegimeRefRaw {
    /// Just the regime's id: the regime names the app, with the regime's own status.
    Id(String),
    /// A mapping with the id and how the regime covers this app.
    Detailed(Box<RegimeRefDetailed>),
}

/// A regime named with how it covers this app, and its state for this app when
/// that differs from the regime's own.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegimeRefDetailed {
    /// The regime's id.
    pub id: String,
    /// `named` (the default) or `possible`.
    #[serde(default)]
    pub coverage: Coverage,
    /// Why or how the regime covers this app; findings show it.
    #[serde(default)]
    pub note: Option<String>,
    /// The regime's state for this app only (e.g. `lifted`).
    #[serde(default)]
    pub status: Option<Spanned<RegimeStatus>>,
    /// Since when that state holds, `YYYY-MM-DD`.
    #[serde(default)]
    pub since: Option<Spanned<String>>,
    /// What brought that state about ("qualified divestiture, EO 14352").
    #[serde(default)]
    pub by: Option<String>,
    /// Sources for the app's state.
    #[serde(default)]
    pub sources: Vec<SourceRaw>,
    /// The regime reaches the app only while this owner (an `owners` name) owns it.
    #[serde(default)]
    pub through_owner: Option<Spanned<String>>,
}

/// One owner of an app's publisher over a period.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnerRaw {
    /// The owning company, as `through_owner` names it.
    pub name: String,
    /// First day of ownership, `YYYY-MM-DD`; open when unknown.
    #[serde(default)]
    pub from: Option<Spanned<String>>,
    /// Last day of ownership (the day it passed on); open while it lasts.
    #[serde(default)]
    pub to: Option<Spanned<String>>,
    /// Sources for the ownership and its dates.
    #[serde(default)]
    pub sources: Vec<SourceRaw>,
    /// Free text about the ownership.
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
    /// SHA-1 of a signing certificate (hex, colons allowed): what the Android
    /// Management API reports.
    CertSha1,
}

impl Field {
    /// The field's name in rule files and reports (`team_id`).
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Name => "name",
            Field::Publisher => "publisher",
            Field::TeamId => "team_id",
            Field::CertSha256 => "cert_sha256",
            Field::CertSha1 => "cert_sha1",
        }
    }
}

/// One way to recognise the app on one platform: exactly one of
/// `exact`, `prefix`, `glob`, `regex`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentifierRaw {
    /// The platform whose apps it is matched against.
    pub platform: Platform,
    /// The app field it is matched against (`id` by default).
    #[serde(default)]
    pub field: Field,
    /// Matches the whole value.
    #[serde(default)]
    pub exact: Option<Spanned<String>>,
    /// Matches the value itself or anything that continues it after a
    /// separator (`com.ss.android` matches `com.ss.android.ugc.aweme`, not `com.ss.androidx`).
    #[serde(default)]
    pub prefix: Option<Spanned<String>>,
    /// A shell glob over the whole value (`*`, `?`, `[...]`, `{a,b}`).
    #[serde(default)]
    pub glob: Option<Spanned<String>>,
    /// A regular expression (Rust `regex` syntax, unanchored: add `^...$`).
    #[serde(default)]
    pub regex: Option<Spanned<String>>,
    /// `confirmed` (the default) when verified for this app, `review` when only likely.
    #[serde(default)]
    pub confidence: Confidence,
    /// Free text about the identifier.
    #[serde(default)]
    pub note: Option<String>,
}

/// A covered function inside an app (`features:` of an app rule).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureRaw {
    /// The function's name (`WeChat Pay`).
    pub name: String,
    /// Ids of the regimes that cover the function.
    pub regimes: Vec<Spanned<String>>,
    /// The sentence findings show about it.
    #[serde(default)]
    pub note: Option<String>,
}

/// A named selection of regimes for a kind of user.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyRaw {
    /// Unique, stable id, as `--policy` names it (`all` is reserved).
    pub id: Spanned<String>,
    /// A title for people.
    pub title: String,
    /// What the policy is for, in a sentence.
    #[serde(default)]
    pub description: Option<String>,
    /// Regimes that bind this kind of user.
    pub regimes: Vec<Spanned<String>>,
    /// Regimes shown beside them as context only (guidance, laws aimed at others).
    #[serde(default)]
    pub context: Vec<Spanned<String>>,
}
