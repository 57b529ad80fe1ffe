//! The compiled rule set: every identifier of every rule, compiled once into
//! structures whose cost per app does not grow with the number of rules
//! (hash maps for exact values and separator-bounded prefixes; globs and regexes
//! behind one literal prefilter per platform and field, see [`loose`]).
//!
//! The matcher knows nothing of files: it takes [`App`]s and gives [`Finding`]s.

use crate::model::{
    App, AppFilter, Confidence, FeatureInfo, Finding, FindingState, MatchInfo, Platform,
    RegimeInfo, RegimeRole, RuleInfo,
};
use crate::rules::policy::RegimeFilter;
use crate::rules::validate::normalize_digest;
use crate::rules::{
    AppRule, Coverage, Field, InstrumentKind, Owner, Pattern, RegimeRef, RuleKind, RuleSet, Status,
};
use globset::Glob;
use loose::LoosePatterns;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

mod error;
mod loose;
mod names;
pub use error::MatcherError;

/// Compiles one regex the way the matcher will, for validation messages (the one
/// definition is [`crate::rules::compile::compile_regex`]).
pub fn compile_regex(pattern: &str) -> Result<(), MatcherError> {
    loose::compile_regex(pattern)
        .map(|_| ())
        .map_err(MatcherError::from)
}

/// Checks that the literal prefilter of globs (`globs`) or regexes finds, for
/// every value, exactly what one set of all the patterns finds. Used by the
/// `matcher_prefilter` fuzz target; not part of the stable interface.
#[doc(hidden)]
pub fn check_prefilter(
    globs: bool,
    patterns: &[&str],
    values: &[&str],
) -> Result<(), MatcherError> {
    loose::check_prefilter(globs, patterns, values)
}

/// Which rule and which of its identifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Target {
    rule: usize,
    identifier: usize,
}

/// All patterns of one platform and one field.
#[derive(Default)]
struct Tier {
    exact: HashMap<String, Vec<Target>, FastHash>,
    prefix: HashMap<String, Vec<Target>, FastHash>,
    globs: Option<LoosePatterns>,
    regexes: Option<LoosePatterns>,
}

/// The rule set compiled for matching: built once, then [`Matcher::match_app`] per app.
pub struct Matcher {
    rules: RuleSet,
    tiers: HashMap<(Platform, Field), Tier, FastHash>,
    /// Rule names, for apps an inventory knows by name only.
    names: names::NameIndex,
    /// Each regime's texts, made once and shared by every finding under it.
    texts: HashMap<String, RegimeTexts>,
}

/// The parts of a [`RegimeInfo`] that are the same in every finding.
struct RegimeTexts {
    id: Arc<str>,
    short: Arc<str>,
    title: Arc<str>,
    instrument: Arc<str>,
    binds: Arc<str>,
    applies_to: Arc<str>,
    sources: Arc<[String]>,
}

impl RegimeTexts {
    fn of(regime: &crate::rules::Regime) -> Self {
        RegimeTexts {
            id: regime.id.as_str().into(),
            short: regime.short.as_str().into(),
            title: regime.title.as_str().into(),
            instrument: regime.instrument.as_str().into(),
            binds: regime.binds.as_str().into(),
            applies_to: regime.applies_to.as_str().into(),
            sources: regime.sources.iter().map(|s| s.url.clone()).collect(),
        }
    }
}

/// Every app value is hashed several times (exact, then each prefix): SipHash's
/// resistance to flooding is not needed for keys that come from the rules.
type FastHash = foldhash::fast::RandomState;

impl AppFilter for Matcher {
    fn wants(&self, app: &App) -> bool {
        self.could_match(app)
    }
}

/// A pattern that matched a value of an app.
#[derive(Clone, Debug)]
struct Hit {
    target: Target,
    value: String,
    /// An iOS bundle id that continues a covered one at a dot (`....musically.QWER789`):
    /// a re-signed or renamed build, to review.
    extends: bool,
    /// The rule's own app name (or a name identifier) that an app known by name only
    /// matched ([`names`]); `target.identifier` is then one of the rule's identifiers
    /// on the app's platform, which only says that the rule has one there.
    by_name: Option<String>,
}

impl Matcher {
    /// Compiles the rule set. Patterns were checked by validation, so a failure
    /// here (e.g. the regex set outgrowing its size limit) is reported, not panicked on.
    pub fn new(rules: RuleSet) -> Result<Self, MatcherError> {
        let mut globs: HashMap<(Platform, Field), Vec<(Glob, Target)>> = HashMap::new();
        let mut regexes: HashMap<(Platform, Field), Vec<(String, Target)>> = HashMap::new();
        let mut tiers: HashMap<(Platform, Field), Tier, FastHash> = HashMap::default();

        for (r, rule) in rules.apps.iter().enumerate() {
            for (i, ident) in rule.identifiers.iter().enumerate() {
                let key = (ident.platform, ident.field);
                let target = Target {
                    rule: r,
                    identifier: i,
                };
                let tier = tiers.entry(key).or_default();
                match &ident.pattern {
                    Pattern::Exact(v) => tier
                        .exact
                        .entry(normalize(ident.field, v).into_owned())
                        .or_default()
                        .push(target),
                    Pattern::Prefix(v) => tier
                        .prefix
                        .entry(normalize(ident.field, v).into_owned())
                        .or_default()
                        .push(target),
                    Pattern::Glob(g) => {
                        let glob =
                            loose::compile_glob(g).map_err(|source| MatcherError::BadGlob {
                                rule: rule.id.clone(),
                                glob: g.clone(),
                                source,
                            })?;
                        globs.entry(key).or_default().push((glob, target));
                    }
                    Pattern::Regex(x) => regexes.entry(key).or_default().push((x.clone(), target)),
                }
            }
        }
        for (key, globs) in globs {
            tiers.entry(key).or_default().globs = Some(LoosePatterns::globs(globs)?);
        }
        for (key, patterns) in regexes {
            tiers.entry(key).or_default().regexes = Some(LoosePatterns::regexes(patterns)?);
        }
        let texts = rules
            .regimes
            .iter()
            .map(|r| (r.id.clone(), RegimeTexts::of(r)))
            .collect();
        Ok(Matcher {
            names: names::NameIndex::new(&rules),
            rules,
            tiers,
            texts,
        })
    }

    /// The rules the matcher was built from.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// The findings for one app under `filter`, at most one per rule.
    pub fn match_app(&self, app: &App, filter: &RegimeFilter) -> Vec<Finding> {
        let mut hits = self.hits(app);
        if app.flags.no_id {
            let by_name = self.names.hits(&self.rules, app);
            // The app's own name says which app it is; a publisher alone says less.
            if !by_name.is_empty() {
                hits.retain(|h| {
                    let rule = &self.rules.apps[h.target.rule];
                    rule.identifiers[h.target.identifier].field != Field::Publisher
                });
            }
            hits.extend(by_name);
        }
        if hits.is_empty() {
            return Vec::new();
        }
        // Best hit per rule: confirmed before review, exact before looser kinds.
        let mut best: Vec<Hit> = Vec::new();
        for hit in hits {
            match best.iter_mut().find(|b| b.target.rule == hit.target.rule) {
                Some(b) if self.rank(&hit) < self.rank(b) => *b = hit,
                Some(_) => {}
                None => best.push(hit),
            }
        }
        let named_app_found = best
            .iter()
            .any(|h| self.rules.apps[h.target.rule].kind == RuleKind::App);
        best.retain(|h| !named_app_found || self.rules.apps[h.target.rule].kind == RuleKind::App);
        best.sort_by_key(|h| h.target.rule);
        best.into_iter()
            .filter_map(|h| self.finding(app, &h, filter))
            .collect()
    }

    /// Whether any rule could match `app` whatever its flags and the regimes asked
    /// for: what a collector must keep of it (see [`AppFilter`]).
    pub fn could_match(&self, app: &App) -> bool {
        !self.hits(app).is_empty()
            || (app.flags.no_id && !self.names.hits(&self.rules, app).is_empty())
    }

    fn rank(&self, hit: &Hit) -> (Confidence, bool, u8) {
        if hit.by_name.is_some() {
            return (Confidence::Review, true, 4);
        }
        let ident = &self.rules.apps[hit.target.rule].identifiers[hit.target.identifier];
        let kind = match ident.pattern {
            Pattern::Exact(_) => 0,
            Pattern::Prefix(_) => 1,
            Pattern::Glob(_) => 2,
            Pattern::Regex(_) => 3,
        };
        (ident.confidence, hit.extends, kind)
    }

    fn hits(&self, app: &App) -> Vec<Hit> {
        let mut hits = Vec::new();
        for (field, value) in app_values(app) {
            // An app known by name only has no id to match: its `id` is its name.
            if app.flags.no_id && field == Field::Id {
                continue;
            }
            let Some(tier) = self.tiers.get(&(app.platform, field)) else {
                continue;
            };
            let norm = normalize(field, value);
            let mut found = |targets: &[Target], extends: bool| {
                hits.extend(targets.iter().map(|t| Hit {
                    target: *t,
                    value: value.to_string(),
                    extends,
                    by_name: None,
                }));
            };
            if let Some(t) = tier.exact.get(norm.as_ref()) {
                found(t, false);
            } else if app.platform == Platform::Ios && field == Field::Id {
                // Re-signing tools append to the bundle id; the longest covered id it
                // continues at a dot is the one to review.
                if let Some(t) = boundary_prefixes(&norm)
                    .filter(|p| p.len() < norm.len() && norm.as_bytes().get(p.len()) == Some(&b'.'))
                    .filter_map(|p| tier.exact.get(p))
                    .last()
                {
                    found(t, true);
                }
            }
            let mut push = |targets: &[Target]| found(targets, false);
            if !tier.prefix.is_empty() {
                for candidate in boundary_prefixes(&norm) {
                    if let Some(t) = tier.prefix.get(candidate) {
                        push(t);
                    }
                }
            }
            for loose in [&tier.globs, &tier.regexes].into_iter().flatten() {
                loose.matches(value, &mut |t| push(std::slice::from_ref(&t)));
            }
        }
        hits
    }

    fn finding(&self, app: &App, hit: &Hit, filter: &RegimeFilter) -> Option<Finding> {
        let rule = &self.rules.apps[hit.target.rule];
        let mut regimes: Vec<RegimeInfo> = Vec::new();
        for r in rule.regimes.iter().filter(|r| filter.allows(&r.id)) {
            if let Some(info) = self.regime_info(rule, r, None, filter) {
                regimes.push(info);
            }
        }
        // Under a policy, a finding needs a regime the policy lists as binding;
        // its context regimes only stand beside one.
        if filter.is_scoped() && !regimes.iter().any(|r| filter.lists_as_binding(&r.id)) {
            regimes.clear();
        }
        let features = self.features(rule, filter, &mut regimes);
        if regimes.is_empty() {
            return None;
        }
        // Binding regimes first, context after; the rule's order within each.
        regimes.sort_by_key(|r| r.role);
        let (confidence, reason, matched) = self.how(app, hit, &regimes);
        Some(Finding {
            app: app.clone(),
            rule: RuleInfo {
                id: rule.id.clone(),
                name: rule.name.clone(),
                vendor: rule.vendor.clone(),
                kind: match rule.kind {
                    RuleKind::App => "app".into(),
                    RuleKind::Vendor => "vendor".into(),
                },
            },
            regimes,
            confidence,
            reason,
            matched,
            features,
            state: if app.is_installed() {
                FindingState::Installed
            } else {
                FindingState::DataLeftBehind
            },

            exception: None,
        })
    }

    /// How sure the finding is, why, and what matched what. An app the inventory knows
    /// by name only is always to review, whatever matched.
    fn how(
        &self,
        app: &App,
        hit: &Hit,
        regimes: &[RegimeInfo],
    ) -> (Confidence, Option<String>, MatchInfo) {
        let rule = &self.rules.apps[hit.target.rule];
        let ident = &rule.identifiers[hit.target.identifier];
        let mut matched = MatchInfo {
            platform: ident.platform,
            field: ident.field.as_str().to_string(),
            kind: if hit.extends {
                "extends".to_string()
            } else {
                ident.pattern.kind().to_string()
            },
            pattern: ident.pattern.text().to_string(),
            value: hit.value.clone(),
        };
        if let Some(name) = &hit.by_name {
            matched.platform = app.platform;
            matched.field = Field::Name.as_str().to_string();
            matched.kind = "exact".to_string();
            matched.pattern = name.clone();
        }
        if app.flags.no_id {
            return (
                Confidence::Review,
                Some(names::NAME_ONLY_REASON.to_string()),
                matched,
            );
        }
        let (confidence, reason) = if hit.extends {
            (
                Confidence::Review,
                Some(format!(
                    "the bundle id continues the covered `{}`: a re-signed or renamed build of {}?",
                    ident.pattern.text(),
                    rule.name
                )),
            )
        } else {
            judge(rule.kind, ident.confidence, regimes, rule)
        };
        (confidence, reason, matched)
    }

    /// The covered functions inside the app whose regimes the filter allows; their
    /// regimes join the finding's unless the app itself is already covered by them.
    fn features(
        &self,
        rule: &AppRule,
        filter: &RegimeFilter,
        regimes: &mut Vec<RegimeInfo>,
    ) -> Vec<FeatureInfo> {
        let mut features = Vec::new();
        for feature in &rule.features {
            let allowed: Vec<&String> = feature
                .regimes
                .iter()
                .filter(|r| filter.allows(r))
                .collect();
            if allowed.is_empty() {
                continue;
            }
            for r in &allowed {
                if regimes
                    .iter()
                    .any(|x| *x.id == ***r && x.via_feature.is_none())
                {
                    continue;
                }
                let by_feature = RegimeRef {
                    id: r.to_string(),
                    coverage: Coverage::Named,
                    note: None,
                    status: None,
                    status_sources: Vec::new(),
                    through_owner: None,
                };
                if let Some(info) =
                    self.regime_info(rule, &by_feature, Some(feature.name.clone()), filter)
                {
                    regimes.push(info);
                }
            }
            features.push(FeatureInfo {
                name: feature.name.clone(),
                regimes: allowed.iter().map(|s| s.to_string()).collect(),
                text: feature.note.clone().unwrap_or_else(|| {
                    format!(
                        "{} is installed; {} is a built-in function of {}",
                        rule.name, feature.name, rule.name
                    )
                }),
            });
        }
        features
    }

    /// How regime `r` stands for this app on the filter's day: its own status or
    /// the app's, ownership that has passed on, and whether it binds the scope.
    fn regime_info(
        &self,
        rule: &AppRule,
        r: &RegimeRef,
        via_feature: Option<String>,
        filter: &RegimeFilter,
    ) -> Option<RegimeInfo> {
        let regime = self.rules.regime(&r.id)?;
        let texts = self.texts.get(&r.id)?;
        let mut status = r.status.clone().unwrap_or_else(|| regime.status.clone());
        let mut ownership = None;
        if let Some(name) = &r.through_owner {
            let periods: Vec<&Owner> = rule.owners.iter().filter(|o| &o.name == name).collect();
            match periods.iter().find(|o| o.owns_on(&filter.as_of)) {
                Some(o) => ownership = Some(format!("while owned by {name}, {}", o.period())),
                None => {
                    let ended = periods.iter().filter_map(|o| o.to.clone()).max();
                    ownership = Some(format!("covers it only while owned by {name}"));
                    if status == Status::InForce {
                        status = Status::Lifted {
                            date: ended.unwrap_or_default(),
                            by: format!("the end of {name}'s ownership"),
                        };
                    }
                }
            }
        }
        let role = if status == Status::InForce
            && regime.kind != Some(InstrumentKind::Guidance)
            && filter.lists_as_binding(&regime.id)
        {
            RegimeRole::Binding
        } else {
            RegimeRole::Context
        };
        let sources = if r.status_sources.is_empty() {
            texts.sources.clone()
        } else {
            texts
                .sources
                .iter()
                .cloned()
                .chain(r.status_sources.iter().map(|s| s.url.clone()))
                .collect()
        };
        Some(RegimeInfo {
            id: texts.id.clone(),
            short: texts.short.clone(),
            title: texts.title.clone(),
            instrument: texts.instrument.clone(),
            kind: regime
                .kind
                .map_or("unspecified", InstrumentKind::as_str)
                .to_string(),
            jurisdiction: regime.jurisdiction.clone(),
            status: status.label().to_string(),
            status_text: regime.describe_status(&status),
            binds: texts.binds.clone(),
            applies_to: texts.applies_to.clone(),
            role,
            ownership,
            coverage: match r.coverage {
                Coverage::Named => "named".into(),
                Coverage::Possible => "possible".into(),
            },
            note: r.note.clone(),
            via_feature,
            sources,
        })
    }
}

/// A finding is `confirmed` only when a verified identifier of a named app
/// matched and some regime names the app outright; otherwise it says why not.
fn judge(
    kind: RuleKind,
    identifier: Confidence,
    regimes: &[RegimeInfo],
    rule: &crate::rules::AppRule,
) -> (Confidence, Option<String>) {
    if kind == RuleKind::Vendor {
        let vendor = rule.vendor.as_deref().unwrap_or(&rule.name);
        return (
            Confidence::Review,
            Some(format!(
                "not a named app: matched by vendor ({vendor}); check whether it is developed or provided by {vendor}"
            )),
        );
    }
    if identifier == Confidence::Review {
        return (
            Confidence::Review,
            Some("the identifier is likely but not verified for this app".to_string()),
        );
    }
    // Under a scope, only the regimes that bind it decide; context never confirms.
    let binding: Vec<&RegimeInfo> = regimes
        .iter()
        .filter(|r| r.role == RegimeRole::Binding)
        .collect();
    let deciding: Vec<&RegimeInfo> = if binding.is_empty() {
        regimes.iter().collect()
    } else {
        binding
    };
    if deciding.iter().all(|r| r.coverage == "possible") {
        return (
            Confidence::Review,
            Some(
                "the regimes do not name this app; they may cover it by their wording".to_string(),
            ),
        );
    }
    (Confidence::Confirmed, None)
}

/// The values of an app that rules can match, by field.
fn app_values(app: &App) -> impl Iterator<Item = (Field, &str)> {
    std::iter::once((Field::Id, app.id.as_str()))
        .chain(app.name.as_deref().map(|n| (Field::Name, n)))
        .chain(app.publisher.as_deref().map(|p| (Field::Publisher, p)))
        .chain(app.team_id.as_deref().map(|t| (Field::TeamId, t)))
        .chain(
            app.cert_sha256
                .iter()
                .map(|c| (Field::CertSha256, c.as_str())),
        )
        .chain(app.cert_sha1.iter().map(|c| (Field::CertSha1, c.as_str())))
        // Bundles nested in the app (helpers, extensions) are matched as the app.
        .chain(app.components.iter().map(|c| (Field::Id, c.id.as_str())))
}

fn normalize(field: Field, value: &str) -> Cow<'_, str> {
    match field {
        Field::CertSha256 | Field::CertSha1 => Cow::Owned(normalize_digest(value)),
        // Publishers are spelt with and without spaces and stops ("Co.,Ltd",
        // "Co., Ltd."): only letters and digits count.
        Field::Publisher => Cow::Owned(
            value
                .chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect(),
        ),
        _ => {
            let value = value.trim();
            // Most identifiers are lower-case ASCII already: no copy.
            if value
                .bytes()
                .any(|b| b.is_ascii_uppercase() || !b.is_ascii())
            {
                Cow::Owned(value.to_lowercase())
            } else {
                Cow::Borrowed(value)
            }
        }
    }
}

/// Every prefix of `value` that ends at a separator (just before or just after
/// a non-alphanumeric character), and `value` itself.
fn boundary_prefixes(value: &str) -> impl Iterator<Item = &str> {
    value
        .char_indices()
        .filter(|(_, c)| !c.is_alphanumeric())
        .flat_map(move |(i, c)| [&value[..i], &value[..i + c.len_utf8()]])
        .chain(std::iter::once(value))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::Evidence;

    #[test]
    fn publishers_compare_without_spacing_or_punctuation() {
        let a = normalize(Field::Publisher, "Zhuhai Kingsoft Office Software Co.,Ltd");
        let b = normalize(
            Field::Publisher,
            "Zhuhai Kingsoft Office Software Co., Ltd.",
        );
        assert_eq!(a, b);
        assert_eq!(
            normalize(Field::Publisher, "北京度友科技有限公司 "),
            "北京度友科技有限公司"
        );
        assert_ne!(a, normalize(Field::Publisher, "Kingsoft Corp."));
    }

    #[test]
    fn prefixes_stop_at_separators() {
        let p: Vec<&str> = boundary_prefixes("com.ss.android.ugc").collect();
        assert!(p.contains(&"com.ss.android"));
        assert!(p.contains(&"com.ss.android."));
        assert!(!p.contains(&"com.ss.andr"));
        assert_eq!(p.last(), Some(&"com.ss.android.ugc"));
    }

    fn app(id: &str) -> App {
        App::new(
            Platform::Android,
            id,
            Evidence {
                path: "t".into(),
                line: Some(1),
                format: "test".into(),
                excerpt: None,
            },
        )
    }

    #[test]
    fn embedded_rules_match_tiktok_and_not_neighbours() {
        let loaded = crate::rules::load(&Default::default());
        let m = Matcher::new(loaded.rules.unwrap()).unwrap();
        let all = RegimeFilter::all();
        let f = m.match_app(&app("com.zhiliaoapp.musically"), &all);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule.id, "tiktok");
        assert!(m.match_app(&app("com.whatsapp"), &all).is_empty());
        let neighbour = m.match_app(&app("com.zhiliaoapp.musicallyx"), &all);
        assert!(neighbour.iter().all(|f| f.rule.id != "tiktok"));
        assert!(m.match_app(&app("com.zhiliaoappx"), &all).is_empty());
    }
}
