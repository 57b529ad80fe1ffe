//! Apps an inventory knows by name only (Intune `detectedApps`, a Jamf computer app
//! without a bundle id): they have no id a rule could name, so they are matched on
//! the rule's own app name and its exact `name` identifiers, whole names compared
//! ignoring case, a trailing architecture (`(x64)`) and version (`3.9.12`). When the
//! app's publisher is known and the rule names publishers on the platform, one must
//! match. Such findings are always to review (`match.field` = `name`).
//!
//! Near names (`TikTok Downloader`, `Video Downloader for TikTok`) are not the app.

use super::{FastHash, Hit, Target, normalize};
use crate::model::{App, Platform};
use crate::rules::{Field, Pattern, RuleKind, RuleSet};
use std::collections::HashMap;

/// The reason every finding of an app known by name only gives.
pub(super) const NAME_ONLY_REASON: &str =
    "matched by name only: the inventory has no bundle id or package name";

/// Rule names by platform and compared form.
#[derive(Default)]
pub(super) struct NameIndex {
    names: HashMap<(Platform, String), Vec<(Target, String)>, FastHash>,
}

impl NameIndex {
    /// The names of the named-app rules (not vendor rules), on each platform the rule
    /// has an identifier for.
    pub(super) fn new(rules: &RuleSet) -> Self {
        let mut names: HashMap<(Platform, String), Vec<(Target, String)>, FastHash> =
            HashMap::default();
        for (r, rule) in rules.apps.iter().enumerate() {
            if rule.kind != RuleKind::App {
                continue;
            }
            for platform in Platform::ALL {
                let Some(first) = rule.identifiers.iter().position(|i| i.platform == platform)
                else {
                    continue;
                };
                let target = Target {
                    rule: r,
                    identifier: first,
                };
                let exact_names = rule.identifiers.iter().filter_map(|i| match &i.pattern {
                    Pattern::Exact(name) if i.platform == platform && i.field == Field::Name => {
                        Some(name.as_str())
                    }
                    _ => None,
                });
                for name in std::iter::once(rule.name.as_str()).chain(exact_names) {
                    let slot = names.entry((platform, name_key(name))).or_default();
                    // Rules come in order, so a rule already in the slot is its last
                    // entry: looking only there keeps 20,000 rules of one name
                    // ("Generated 1", "Generated 2"... are all `generated`) linear.
                    if slot.last().is_none_or(|(t, _)| t.rule != r) {
                        slot.push((target, name.to_owned()));
                    }
                }
            }
        }
        NameIndex { names }
    }

    /// The rules whose name is the app's, and whose publishers (if any on the
    /// platform) include the app's publisher when it has one.
    pub(super) fn hits(&self, rules: &RuleSet, app: &App) -> Vec<Hit> {
        let name = app.name.as_deref().unwrap_or(&app.id);
        let Some(targets) = self.names.get(&(app.platform, name_key(name))) else {
            return Vec::new();
        };
        targets
            .iter()
            .filter(|(target, _)| publisher_fits(rules, target.rule, app))
            .map(|(target, pattern)| Hit {
                target: *target,
                value: name.to_owned(),
                extends: false,
                by_name: Some(pattern.clone()),
            })
            .collect()
    }
}

/// Whether the app's publisher is one the rule names on its platform (true when
/// either side does not say).
fn publisher_fits(rules: &RuleSet, rule: usize, app: &App) -> bool {
    let Some(publisher) = app.publisher.as_deref() else {
        return true;
    };
    let publisher = normalize(Field::Publisher, publisher);
    let mut named = rules.apps[rule]
        .identifiers
        .iter()
        .filter(|i| i.platform == app.platform && i.field == Field::Publisher)
        .filter_map(|i| match &i.pattern {
            Pattern::Exact(p) => Some((true, normalize(Field::Publisher, p).into_owned())),
            Pattern::Prefix(p) => Some((false, normalize(Field::Publisher, p).into_owned())),
            _ => None,
        })
        .peekable();
    if named.peek().is_none() {
        return true;
    }
    named.any(|(exact, p)| {
        if exact {
            publisher == p
        } else {
            publisher.starts_with(&p)
        }
    })
}

/// A name as compared: lower case, trimmed, without `.app`, a trailing architecture
/// in parentheses (`(x64)`, `(64-bit)`) or trailing version words (`3.9.12.17`, `v2`).
pub(super) fn name_key(name: &str) -> String {
    let mut key = name.trim().to_lowercase();
    if key.len() > 4 && key.ends_with(".app") {
        key.truncate(key.len() - 4);
    }
    loop {
        let trimmed = key.trim_end();
        let cut = if let Some(open) = trimmed.rfind('(')
            && trimmed.ends_with(')')
            && is_arch(&trimmed[open + 1..trimmed.len() - 1])
        {
            Some(open)
        } else {
            match trimmed.rfind(char::is_whitespace) {
                Some(space) if is_version(&trimmed[space + 1..]) => Some(space),
                _ => None,
            }
        };
        match cut {
            Some(at) if at > 0 => key.truncate(at),
            _ => return trimmed.to_owned(),
        }
    }
}

fn is_arch(text: &str) -> bool {
    matches!(
        text.trim(),
        "x64" | "x86" | "x86_64" | "amd64" | "arm64" | "64-bit" | "32-bit" | "64 bit" | "32 bit"
    )
}

/// `3.9.12.17`, `v2`, `2.24-1`: a word of digits and separators (a leading `v`).
fn is_version(word: &str) -> bool {
    let digits = word.strip_prefix('v').unwrap_or(word);
    digits.starts_with(|c: char| c.is_ascii_digit())
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '_'))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::matcher::Matcher;
    use crate::model::{Confidence, Evidence};
    use crate::rules::policy::RegimeFilter;

    fn name_only(platform: Platform, name: &str, publisher: Option<&str>) -> App {
        let evidence = Evidence {
            path: "detectedApps.json".into(),
            line: Some(1),
            format: "test".into(),
            excerpt: None,
        };
        let mut app = App::new(platform, name, evidence);
        app.name = Some(name.to_owned());
        app.publisher = publisher.map(str::to_owned);
        app.flags.no_id = true;
        app
    }

    /// (platform, name, publisher, the rule expected or none).
    const CASES: [(Platform, &str, Option<&str>, Option<&str>); 9] = [
        (
            Platform::Ios,
            "TikTok",
            Some("TikTok Pte. Ltd."),
            Some("tiktok"),
        ),
        (Platform::Android, "tiktok", None, Some("tiktok")),
        (Platform::Ios, "TikTok Downloader", None, None),
        (Platform::Android, "Video Downloader for TikTok", None, None),
        (Platform::Ios, "WeChat", None, Some("wechat")),
        (Platform::Ios, "WeChat Helper", None, None),
        (Platform::Android, "WeChat 8.0.49", None, Some("wechat")),
        // An app id the inventory did not give is never matched from the name.
        (Platform::Android, "com.zhiliaoapp.musically", None, None),
        (Platform::Macos, "Mail", Some("Apple"), None),
    ];

    #[test]
    fn exact_names_match_for_review_and_near_names_do_not() {
        let loaded = crate::rules::load(&Default::default());
        let m = Matcher::new(loaded.rules.unwrap()).unwrap();
        let all = RegimeFilter::all();
        for (platform, name, publisher, expected) in CASES {
            let found = m.match_app(&name_only(platform, name, publisher), &all);
            let rules: Vec<&str> = found.iter().map(|f| f.rule.id.as_str()).collect();
            assert_eq!(rules, expected.into_iter().collect::<Vec<_>>(), "{name}");
            for f in &found {
                assert_eq!(f.confidence, Confidence::Review, "{name}");
                assert_eq!(f.reason.as_deref(), Some(NAME_ONLY_REASON));
                assert_eq!(f.matched.field, "name");
            }
        }
    }

    #[test]
    fn a_named_publisher_must_match() {
        let loaded = crate::rules::load(&Default::default());
        let rules = loaded.rules.unwrap();
        let index = NameIndex::new(&rules);
        let live = name_only(Platform::Windows, "TikTok LIVE Studio", None);
        assert_eq!(index.hits(&rules, &live).len(), 1);
        let other = name_only(
            Platform::Windows,
            "TikTok LIVE Studio",
            Some("Someone Else"),
        );
        assert!(index.hits(&rules, &other).is_empty());
        let same = name_only(
            Platform::Windows,
            "TikTok LIVE Studio",
            Some("TikTok Pte. Ltd"),
        );
        assert_eq!(index.hits(&rules, &same).len(), 1);
    }

    #[test]
    fn keys_drop_architecture_and_version() {
        assert_eq!(name_key(" WeChat "), "wechat");
        assert_eq!(name_key("WeChat 3.9.12.17"), "wechat");
        assert_eq!(name_key("7-Zip 23.01 (x64)"), "7-zip");
        assert_eq!(name_key("TikTok.app"), "tiktok");
        assert_eq!(name_key("Kaspersky v2"), "kaspersky");
        assert_eq!(name_key("2048"), "2048");
        assert_eq!(name_key("TikTok Downloader"), "tiktok downloader");
        assert_eq!(name_key("Foo (Beta)"), "foo (beta)");
    }
}
