#![allow(clippy::unwrap_used)]
//! Tests of the embedded rule data (`rules/`): it loads clean, every identifier
//! finds its own rule with the confidence the docs promise, popular uncovered apps
//! find nothing, and the facts the reports depend on hold.

use appaudit::matcher::Matcher;
use appaudit::model::{App, Confidence, Evidence, Finding, Platform};
use appaudit::rules::policy::RegimeFilter;
use appaudit::rules::{
    AppRule, Coverage, Field, LoadOptions, Pattern, RuleKind, RuleSet, Status, load,
};
use std::collections::HashSet;
use std::path::PathBuf;

fn rules() -> RuleSet {
    let loaded = load(&LoadOptions::default());
    assert!(
        loaded.diagnostics.is_empty(),
        "the embedded rules have diagnostics: {:#?}",
        loaded.diagnostics
    );
    loaded.rules.unwrap()
}

fn matcher() -> Matcher {
    Matcher::new(rules()).unwrap()
}

fn evidence() -> Evidence {
    Evidence {
        path: "tests/rules_data.rs".into(),
        line: None,
        format: "test".into(),
        excerpt: None,
    }
}

/// An app whose `field` holds `value`; other fields get a placeholder that matches nothing.
fn app_with(platform: Platform, field: Field, value: &str) -> Option<App> {
    const PLACEHOLDER: &str = "appaudit-test-placeholder";
    let app = match field {
        Field::Id => App::new(platform, value, evidence()),
        Field::Name => {
            let mut app = App::new(platform, PLACEHOLDER, evidence());
            app.name = Some(value.to_string());
            app
        }
        Field::Publisher => {
            let mut app = App::new(platform, PLACEHOLDER, evidence());
            app.publisher = Some(value.to_string());
            app
        }
        Field::CertSha256 => {
            let mut app = App::new(platform, PLACEHOLDER, evidence());
            app.cert_sha256 = vec![value.to_string()];
            app
        }
        Field::CertSha1 => {
            let mut app = App::new(platform, PLACEHOLDER, evidence());
            app.cert_sha1 = vec![value.to_string()];
            app
        }
        Field::TeamId => {
            let mut app = App::new(platform, PLACEHOLDER, evidence());
            app.team_id = Some(value.to_string());
            app
        }
    };
    Some(app)
}

fn android(id: &str) -> App {
    App::new(Platform::Android, id, evidence())
}

fn platform_of(s: &str) -> Platform {
    match s {
        "android" => Platform::Android,
        "ios" => Platform::Ios,
        "macos" => Platform::Macos,
        "windows" => Platform::Windows,
        "linux" => Platform::Linux,
        other => panic!("unknown platform `{other}`"),
    }
}

fn field_of(s: &str) -> Field {
    match s {
        "id" => Field::Id,
        "name" => Field::Name,
        "publisher" => Field::Publisher,
        "team_id" => Field::TeamId,
        "cert_sha256" => Field::CertSha256,
        "cert_sha1" => Field::CertSha1,
        other => panic!("unknown field `{other}`"),
    }
}

/// A value the pattern must match: the exact value, or a prefix continued after a separator.
fn sample(pattern: &Pattern) -> Option<String> {
    match pattern {
        Pattern::Exact(v) => Some(v.clone()),
        Pattern::Prefix(p) if p.ends_with(|c: char| !c.is_alphanumeric()) => Some(format!("{p}x")),
        Pattern::Prefix(p) => Some(format!("{p}.x")),
        Pattern::Glob(_) | Pattern::Regex(_) => None,
    }
}

/// What the docs promise: confirmed iff a confirmed identifier of an `app` rule matched
/// and some regime (directly or through a feature) names the app.
fn expected_confidence(rule: &AppRule, finding: &Finding) -> Confidence {
    let m = &finding.matched;
    let ident = rule
        .identifiers
        .iter()
        .find(|i| {
            i.platform == m.platform
                && i.field.as_str() == m.field
                && i.pattern.kind() == m.kind
                && i.pattern.text() == m.pattern
        })
        .unwrap_or_else(|| panic!("{}: matched identifier {m:?} is not on the rule", rule.id));
    let named = rule.regimes.iter().any(|r| r.coverage == Coverage::Named)
        || rule.features.iter().any(|f| !f.regimes.is_empty());
    if rule.kind == RuleKind::App && ident.confidence == Confidence::Confirmed && named {
        Confidence::Confirmed
    } else {
        Confidence::Review
    }
}

#[test]
fn embedded_rules_load_without_diagnostics() {
    let loaded = load(&LoadOptions::default());
    let text: Vec<String> = loaded
        .diagnostics
        .iter()
        .map(|d| format!("{d:?}"))
        .collect();
    assert!(text.is_empty(), "{}", text.join("\n"));
    assert!(loaded.rules.is_some());
}

#[test]
fn every_regime_has_sources_and_every_rule_a_review_date() {
    let rules = rules();
    for r in &rules.regimes {
        assert!(!r.sources.is_empty(), "regime {} has no source", r.id);
        for s in &r.sources {
            assert!(
                s.url.starts_with("https://") || s.url.starts_with("http://"),
                "{}: {}",
                r.id,
                s.url
            );
        }
        assert!(
            r.last_reviewed.is_some(),
            "regime {} has no last_reviewed",
            r.id
        );
        if let Status::Revoked { date, by } = &r.status {
            assert!(
                !date.is_empty() && !by.is_empty(),
                "regime {} is revoked without date/by",
                r.id
            );
        }
    }
    for a in &rules.apps {
        assert!(
            a.last_reviewed.is_some(),
            "app {} has no last_reviewed",
            a.id
        );
        assert!(!a.regimes.is_empty(), "app {} names no regime", a.id);
        assert!(!a.identifiers.is_empty(), "app {} has no identifiers", a.id);
        for r in a
            .regimes
            .iter()
            .map(|r| &r.id)
            .chain(a.features.iter().flat_map(|f| &f.regimes))
        {
            assert!(
                rules.regime(r).is_some(),
                "app {} names missing regime {r}",
                a.id
            );
        }
    }
    for p in &rules.policies {
        for r in &p.regimes {
            assert!(
                rules.regime(r).is_some(),
                "policy {} names missing regime {r}",
                p.id
            );
        }
    }
}

#[test]
fn no_identifier_is_on_two_rules() {
    let rules = rules();
    let mut seen: HashSet<(Platform, &str, &str, String)> = HashSet::new();
    for a in &rules.apps {
        let mut own = HashSet::new();
        for i in &a.identifiers {
            let key = (
                i.platform,
                i.field.as_str(),
                i.pattern.kind(),
                i.pattern.text().to_lowercase(),
            );
            if own.insert(key.clone()) {
                assert!(
                    seen.insert(key.clone()),
                    "{key:?} is on two rules (second: {})",
                    a.id
                );
            }
        }
    }
}

#[test]
fn ids_other_tests_and_users_depend_on_exist() {
    let rules = rules();
    for id in [
        "us-eo-13942",
        "us-eo-13943",
        "us-eo-13971",
        "us-eo-14034",
        "us-far-52.204-27",
        "us-far-52.204-23",
        "us-bis-kaspersky-2024",
        "us-pafaca-2024",
    ] {
        assert!(rules.regime(id).is_some(), "regime {id}");
    }
    for id in [
        "tiktok",
        "wechat",
        "tencent-qq",
        "alipay",
        "camscanner",
        "shareit",
        "vmate",
        "wps-office",
    ] {
        assert!(rules.app(id).is_some(), "app {id}");
    }
    for id in [
        "us-federal-contractor",
        "us-federal-agency",
        "us-orders-2020-2021",
        "texas",
        "virginia",
        "new-york",
        "ohio",
        "india",
        "deepseek",
    ] {
        assert!(RegimeFilter::for_policy(&rules, id).is_ok(), "policy {id}");
    }
}

#[test]
fn every_identifier_finds_its_own_rule_with_the_promised_confidence() {
    let m = matcher();
    let all = RegimeFilter::all();
    let mut checked = 0;
    let mut skipped = Vec::new();
    for rule in &m.rules().apps {
        for ident in &rule.identifiers {
            let Some(value) = sample(&ident.pattern) else {
                skipped.push(format!("{} {}", rule.id, ident.pattern.text()));
                continue;
            };
            let Some(app) = app_with(ident.platform, ident.field, &value) else {
                skipped.push(format!("{} {}:{}", rule.id, ident.field.as_str(), value));
                continue;
            };
            let findings = m.match_app(&app, &all);
            let finding = findings
                .iter()
                .find(|f| f.rule.id == rule.id)
                .unwrap_or_else(|| {
                    panic!(
                        "{} {} `{value}` ({}) does not find rule {}; found {:?}",
                        ident.platform,
                        ident.field.as_str(),
                        ident.pattern.kind(),
                        rule.id,
                        findings.iter().map(|f| &f.rule.id).collect::<Vec<_>>()
                    )
                });
            assert_eq!(
                finding.confidence,
                expected_confidence(rule, finding),
                "{}: `{value}` ({:?})",
                rule.id,
                finding.reason
            );
            checked += 1;
        }
    }
    let total: usize = m.rules().apps.iter().map(|a| a.identifiers.len()).sum();
    assert_eq!(checked + skipped.len(), total);
    assert!(checked >= 200, "only {checked} identifiers checked");
    assert!(skipped.is_empty(), "identifiers not checked: {skipped:?}");
}

#[test]
fn popular_uncovered_apps_find_nothing() {
    let m = matcher();
    let all = RegimeFilter::all();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules");
    let mut count = 0;
    for name in [
        "uncovered.txt",
        "uncovered-android.txt",
        "uncovered-apple.txt",
    ] {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let parts: Vec<&str> = line.split('\t').collect();
            let [platform, field, value] = parts.as_slice() else {
                panic!(
                    "{}:{}: expected platform<TAB>field<TAB>value",
                    path.display(),
                    n + 1
                );
            };
            let app = app_with(platform_of(platform), field_of(field), value)
                .unwrap_or_else(|| panic!("{}:{}: field cannot be tested", path.display(), n + 1));
            let findings = m.match_app(&app, &all);
            assert!(
                findings.is_empty(),
                "{}:{}: `{value}` matched {:?}",
                path.display(),
                n + 1,
                findings
                    .iter()
                    .map(|f| (&f.rule.id, &f.matched.pattern))
                    .collect::<Vec<_>>()
            );
            count += 1;
        }
    }
    assert!(count >= 1000, "only {count} uncovered apps");
}

#[test]
fn named_rules_carry_the_regimes_of_vendor_rules_that_also_match_them() {
    // A named rule wins over a vendor rule, so it must not lose the vendor's regimes
    // (a Tencent app without the Texas regime would vanish under `--policy texas`).
    let rules = rules();
    let covers = |prefix: &str, value: &str| {
        let (p, v) = (prefix.to_lowercase(), value.to_lowercase());
        v == p
            || (v.starts_with(&p)
                && (p.ends_with(|c: char| !c.is_alphanumeric())
                    || v[p.len()..].starts_with(|c: char| !c.is_alphanumeric())))
    };
    for vendor in rules.apps.iter().filter(|a| a.kind == RuleKind::Vendor) {
        for app in rules.apps.iter().filter(|a| a.kind == RuleKind::App) {
            let hit = app.identifiers.iter().any(|i| {
                vendor.identifiers.iter().any(|v| {
                    v.platform == i.platform
                        && v.field == i.field
                        && match (&v.pattern, &i.pattern) {
                            (Pattern::Prefix(p), Pattern::Exact(x)) => covers(p, x),
                            (Pattern::Exact(a), Pattern::Exact(b)) => a.eq_ignore_ascii_case(b),
                            _ => false,
                        }
                })
            });
            if !hit {
                continue;
            }
            let have: HashSet<&str> = app.regimes.iter().map(|r| &*r.id).collect();
            for r in &vendor.regimes {
                assert!(
                    have.contains(r.id.as_str()),
                    "{} is matched by vendor rule {} but lacks its regime {}",
                    app.id,
                    vendor.id,
                    r.id
                );
            }
        }
    }
}

#[test]
fn tiktok_is_named_by_the_far_clause_and_the_revoked_order() {
    let m = matcher();
    let f = m.match_app(&android("com.zhiliaoapp.musically"), &RegimeFilter::all());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].rule.id, "tiktok");
    assert_eq!(f[0].confidence, Confidence::Confirmed);
    let status = |id: &str| {
        f[0].regimes
            .iter()
            .find(|r| &*r.id == id && r.via_feature.is_none())
            .map(|r| (r.status.clone(), r.coverage.clone()))
    };
    assert_eq!(
        status("us-far-52.204-27"),
        Some(("in-force".into(), "named".into()))
    );
    assert_eq!(
        status("us-eo-13942"),
        Some(("revoked".into(), "named".into()))
    );
}

#[test]
fn federal_contractor_policy_selects_tiktok_and_kaspersky_not_alipay() {
    let m = matcher();
    let contractor = RegimeFilter::for_policy(m.rules(), "us-federal-contractor").unwrap();
    let tiktok = m.match_app(&android("com.zhiliaoapp.musically"), &contractor);
    assert_eq!(tiktok.len(), 1);
    let binding = |f: &appaudit::model::Finding| -> HashSet<String> {
        f.regimes
            .iter()
            .filter(|r| r.role == appaudit::model::RegimeRole::Binding)
            .map(|r| r.id.to_string())
            .collect()
    };
    assert_eq!(
        binding(&tiktok[0]),
        HashSet::from(["us-far-52.204-27".to_string()])
    );
    // Context regimes follow the binding one and never bind.
    assert_eq!(&*tiktok[0].regimes[0].id, "us-far-52.204-27");
    let kaspersky = m.match_app(&android("com.kms.free"), &contractor);
    assert_eq!(kaspersky.len(), 1);
    assert_eq!(kaspersky[0].confidence, Confidence::Confirmed);
    let ids: HashSet<&str> = kaspersky[0].regimes.iter().map(|r| &*r.id).collect();
    assert_eq!(
        ids,
        HashSet::from(["us-far-52.204-23", "us-bis-kaspersky-2024"])
    );
    // BIS binds Kaspersky and its resellers, not the contractor: context.
    assert_eq!(
        binding(&kaspersky[0]),
        HashSet::from(["us-far-52.204-23".to_string()])
    );
    assert!(
        m.match_app(&android("com.eg.android.AlipayGphone"), &contractor)
            .is_empty()
    );
}

#[test]
fn capcut_is_only_possibly_covered_by_the_far_clause() {
    let m = matcher();
    let f = m.match_app(&android("com.lemon.lvoverseas"), &RegimeFilter::all());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].rule.id, "capcut");
    let far = f[0]
        .regimes
        .iter()
        .find(|r| &*r.id == "us-far-52.204-27")
        .unwrap();
    assert_eq!(far.coverage, "possible");
    // Under the contractor policy the only regime is a possible one: a review finding.
    let contractor = RegimeFilter::for_policy(m.rules(), "us-federal-contractor").unwrap();
    let f = m.match_app(&android("com.lemon.lvoverseas"), &contractor);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].confidence, Confidence::Review);
}

#[test]
fn unnamed_bytedance_apps_are_review_findings_of_the_vendor_rule() {
    let m = matcher();
    let f = m.match_app(
        &android("com.ss.android.ugc.someunknownapp"),
        &RegimeFilter::all(),
    );
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].rule.id, "bytedance");
    assert_eq!(f[0].rule.kind, "vendor");
    assert_eq!(f[0].confidence, Confidence::Review);
    assert!(
        m.match_app(&android("com.ssandroid.x"), &RegimeFilter::all())
            .is_empty()
    );
    assert!(
        m.match_app(&android("com.lemonade.app"), &RegimeFilter::all())
            .is_empty()
    );
}

#[test]
fn named_apps_win_over_vendor_rules() {
    let m = matcher();
    for (id, rule) in [
        ("com.tencent.mm", "wechat"),
        ("com.ss.android.ugc.aweme", "douyin"),
        ("com.kms.free", "kaspersky-android"),
        ("com.baidu.searchbox", "baidu-search"),
    ] {
        let f = m.match_app(&android(id), &RegimeFilter::all());
        assert_eq!(
            f.iter().map(|f| f.rule.id.as_str()).collect::<Vec<_>>(),
            vec![rule],
            "{id}"
        );
    }
}

#[test]
fn wechat_reports_wechat_pay() {
    let m = matcher();
    let f = m.match_app(&android("com.tencent.mm"), &RegimeFilter::all());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].features[0].name, "WeChat Pay");
    let texas = RegimeFilter::for_policy(m.rules(), "texas").unwrap();
    let f = m.match_app(&android("com.tencent.mobileqq"), &texas);
    assert_eq!(f.len(), 1);
    assert!(f[0].features.iter().any(|x| x.name == "QQ Wallet"));
}

#[test]
fn desktop_identifiers_match_on_their_fields() {
    let m = matcher();
    let all = RegimeFilter::all();
    let win = |field, value| app_with(Platform::Windows, field, value).unwrap();
    let one = |app: &App| {
        m.match_app(app, &all)
            .into_iter()
            .map(|f| (f.rule.id, f.confidence))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        one(&win(Field::Id, "WeChat")),
        vec![("wechat".into(), Confidence::Confirmed)]
    );
    assert_eq!(
        one(&win(Field::Id, "weixin")),
        vec![("wechat".into(), Confidence::Confirmed)]
    );
    assert_eq!(
        one(&win(Field::Name, "腾讯QQ")),
        vec![("tencent-qq".into(), Confidence::Confirmed)]
    );
    assert_eq!(
        one(&win(Field::Publisher, "AO Kaspersky Lab")),
        vec![("kaspersky".into(), Confidence::Review)]
    );
    assert_eq!(
        one(&win(
            Field::Id,
            "BytedancePte.Ltd.TikTok_1.0.0.0_x64__6yccndn6064se"
        )),
        vec![("tiktok".into(), Confidence::Confirmed)]
    );
    // CapCut with its publisher: the named rule wins over the vendor publisher match.
    let mut capcut = win(Field::Id, "CapCut");
    capcut.publisher = Some("Bytedance Pte. Ltd.".into());
    assert_eq!(one(&capcut), vec![("capcut".into(), Confidence::Confirmed)]);
    let linux = App::new(Platform::Linux, "com.tencent.WeChat", evidence());
    assert_eq!(one(&linux), vec![("wechat".into(), Confidence::Confirmed)]);
    let mac = App::new(
        Platform::Macos,
        "com.kingsoft.wpsoffice.mac.global",
        evidence(),
    );
    assert_eq!(
        one(&mac),
        vec![("wps-office".into(), Confidence::Confirmed)]
    );
}

#[test]
fn kaspersky_replacements_and_deepseek_lookalikes_do_not_match() {
    let m = matcher();
    let all = RegimeFilter::all();
    for (platform, field, value) in [
        (Platform::Windows, Field::Name, "UltraAV"),
        (Platform::Windows, Field::Name, "UltraVPN"),
        (Platform::Windows, Field::Publisher, "Pango"),
        (Platform::Macos, Field::Id, "com.deepseek.dsh.desktop"),
        (Platform::Macos, Field::Id, "ai.deepseek.dsh.desktop"),
    ] {
        let app = app_with(platform, field, value).unwrap();
        assert!(m.match_app(&app, &all).is_empty(), "{value}");
    }
    // DeepSeek Harness is published by deepseek-ai: a DeepSeek product.
    let harness = App::new(Platform::Macos, "com.deepseek.dsh", evidence());
    let f = m.match_app(&harness, &all);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].rule.id, "deepseek-harness");
    assert_eq!(f[0].confidence, Confidence::Confirmed);
}

#[test]
fn policies_select_the_regimes_of_their_family() {
    let rules = rules();
    let policy = |id: &str| rules.policy(id).unwrap().regimes.clone();
    assert_eq!(policy("texas").len(), 3);
    assert!(policy("texas").iter().all(|r| r.starts_with("us-tx-")));
    assert!(policy("virginia").iter().all(|r| r.starts_with("us-va-")));
    let india: HashSet<String> = policy("india").into_iter().collect();
    let in_regimes: HashSet<String> = rules
        .regimes
        .iter()
        .filter(|r| r.jurisdiction.as_deref() == Some("IN"))
        .map(|r| r.id.clone())
        .collect();
    assert_eq!(india, in_regimes);
    // Every regime that names DeepSeek is in the deepseek policy.
    let deepseek_policy = rules.policy("deepseek").unwrap();
    let deepseek: HashSet<String> = deepseek_policy
        .regimes
        .iter()
        .chain(&deepseek_policy.context)
        .cloned()
        .collect();
    for r in &rules.app("deepseek").unwrap().regimes {
        assert!(
            deepseek.contains(&r.id),
            "{} missing from the deepseek policy",
            r.id
        );
    }
    let orders = policy("us-orders-2020-2021");
    for r in &orders {
        let status = &rules.regime(r).unwrap().status;
        assert!(
            matches!(status, Status::Revoked { .. } | Status::Informational),
            "{r} is historical"
        );
    }
}

#[test]
fn desktop_identifiers_from_manifests_find_their_rules() {
    let m = matcher();
    let all = RegimeFilter::all();
    let rule_of = |platform: Platform, field: Field, value: &str| -> Vec<String> {
        let app = app_with(platform, field, value).unwrap();
        m.match_app(&app, &all)
            .into_iter()
            .map(|f| f.rule.id)
            .collect()
    };
    for (platform, field, value, rule) in [
        (Platform::Windows, Field::Id, "WeMeet", "tencent-meeting"),
        (
            Platform::Macos,
            Field::Id,
            "com.tencent.meeting",
            "tencent-meeting",
        ),
        (Platform::Linux, Field::Id, "wemeet", "tencent-meeting"),
        (Platform::Windows, Field::Id, "企业微信", "wecom"),
        (
            Platform::Windows,
            Field::Publisher,
            "Lark Technologies Pte. Ltd.",
            "lark",
        ),
        (
            Platform::Windows,
            Field::Publisher,
            "Beijing Feishu Technology Co., Ltd.",
            "lark",
        ),
        (
            Platform::Macos,
            Field::Id,
            "com.bytedance.macos.feishu",
            "lark",
        ),
        (
            Platform::Linux,
            Field::Id,
            "bytedance-feishu-stable",
            "lark",
        ),
        (
            Platform::Macos,
            Field::Id,
            "com.bytedance.douyin.desktop",
            "douyin",
        ),
        (
            Platform::Windows,
            Field::Id,
            "tiktoklivestudio",
            "tiktok-live-studio",
        ),
        (
            Platform::Linux,
            Field::Id,
            "com.alibabainc.dingtalk",
            "dingtalk",
        ),
        (
            Platform::Macos,
            Field::Id,
            "com.quark.clouddrive.desktop",
            "quark",
        ),
        (Platform::Windows, Field::Id, "百度云管家", "baidu-netdisk"),
        (
            Platform::Linux,
            Field::Id,
            "kesl",
            "kaspersky-endpoint-security",
        ),
        (
            Platform::Linux,
            Field::Id,
            "klnagent64",
            "kaspersky-security-center-agent",
        ),
        (
            Platform::Windows,
            Field::Name,
            "Kaspersky Endpoint Security 10 for Windows",
            "kaspersky-endpoint-security",
        ),
        (
            Platform::Windows,
            Field::Name,
            "Kaspersky Security Center 10 Network Agent",
            "kaspersky-security-center-agent",
        ),
        (
            Platform::Windows,
            Field::Name,
            "DeepSeek Harness 0.1.7-nightly.20260801",
            "deepseek-harness",
        ),
        (
            Platform::Windows,
            Field::Id,
            "1bf39983-50d0-5fe0-9ef4-cece76f67c5e",
            "deepseek-harness",
        ),
        // Publishers compare without spacing and punctuation.
        (
            Platform::Windows,
            Field::Publisher,
            "Zhuhai Kingsoft Office Software Co., Ltd.",
            "wps-office",
        ),
        (
            Platform::Android,
            Field::Id,
            "com.tiktok.lite.go",
            "tiktok-lite",
        ),
        (Platform::Android, Field::Id, "com.lemon.lv", "jianying"),
        (Platform::Android, Field::Id, "com.larus.nova", "doubao"),
        (Platform::Android, Field::Id, "com.aliyun.tongyi", "qwen"),
    ] {
        assert_eq!(
            rule_of(platform, field, value),
            vec![rule.to_string()],
            "{value}"
        );
    }
    // A short uninstall key alone is a review finding, not a confirmed one.
    let tim = app_with(Platform::Windows, Field::Id, "TIM").unwrap();
    let f = m.match_app(&tim, &all);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].confidence, Confidence::Review);
    // The ByteDance vendor rule no longer claims com.lemon.*.
    assert!(rule_of(Platform::Android, Field::Id, "com.lemon.customfont").is_empty());
}

#[test]
fn every_regime_says_its_kind_and_whom_it_binds() {
    let rules = rules();
    for r in &rules.regimes {
        assert!(r.kind.is_some(), "{} has no kind", r.id);
        assert!(!r.applies_to.is_empty(), "{} has no applies_to", r.id);
        assert!(r.last_reviewed.is_some(), "{} has no last_reviewed", r.id);
    }
    // Guidance never binds: no policy lists it as binding.
    for p in &rules.policies {
        for id in &p.regimes {
            let kind = rules.regime(id).unwrap().kind;
            assert_ne!(
                kind,
                Some(appaudit::rules::InstrumentKind::Guidance),
                "{}",
                p.id
            );
        }
    }
    assert_eq!(rules.reviewed_as_of(), Some("2026-12-02"));
}
