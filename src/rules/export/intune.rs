//! Intune device-compliance policies with restricted apps: Microsoft Graph
//! `#microsoft.graph.iosCompliancePolicy` and `#microsoft.graph.androidCompliancePolicy`
//! (Graph beta), whose `restrictedApps` lists `appListItem`s (`name`, `publisher`,
//! `appStoreUrl`, `appId`), at most [`MAX_RESTRICTED_APPS`] per policy.
//!
//! Only exact, confirmed identifiers of named apps: bundle ids on iOS, package names on
//! Android. A device that has one of them installed is not compliant.

use super::{Selected, exact_values, regime_summary, role_sentence, select, store_url};
use crate::model::Platform;
use crate::rules::policy::RegimeFilter;
use crate::rules::{Field, RuleKind, RuleSet, RulesError};
use serde::{Deserialize, Serialize};

/// Most entries Graph accepts in one policy's `restrictedApps`.
pub const MAX_RESTRICTED_APPS: usize = 100;

/// One compliance policy, as `POST /beta/deviceManagement/deviceCompliancePolicies`
/// takes it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CompliancePolicy {
    /// `#microsoft.graph.iosCompliancePolicy` or `#microsoft.graph.androidCompliancePolicy`.
    #[serde(rename = "@odata.type")]
    pub odata_type: String,
    /// `appaudit — <scope> (<platform>)`, numbered `(1 of 2)` when split.
    pub display_name: String,
    /// The regimes behind the list, each with its status and role.
    pub description: String,
    /// The apps a compliant device must not have.
    pub restricted_apps: Vec<AppListItem>,
    /// Graph requires one scheduled action when a policy is created: mark the device
    /// not compliant at once (`block`, no grace period).
    pub scheduled_actions_for_rule: Vec<ScheduledAction>,
}

/// Graph `appListItem`: one restricted app.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AppListItem {
    /// Always `#microsoft.graph.appListItem`.
    #[serde(rename = "@odata.type")]
    pub odata_type: String,
    /// The app's name, as the rule gives it.
    pub name: String,
    /// The app's vendor, when the rule names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// The store page, only when the rule's sources give it for this id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_store_url: Option<String>,
    /// The bundle id (iOS) or package name (Android).
    pub app_id: String,
}

/// Graph `deviceComplianceScheduledActionForRule`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ScheduledAction {
    /// The rule name Microsoft's samples use for a policy's default action.
    pub rule_name: String,
    /// What happens to a device that is not compliant.
    pub scheduled_action_configurations: Vec<ActionItem>,
}

/// Graph `deviceComplianceActionItem`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ActionItem {
    /// `block`: mark the device not compliant.
    pub action_type: String,
    /// Hours before the action: 0.
    pub grace_period_hours: u32,
    /// No notification template.
    pub notification_template_id: String,
    /// No one copied.
    #[serde(rename = "notificationMessageCCList")]
    pub notification_message_cc_list: Vec<String>,
}

/// The restricted apps of every selected rule on `platform`, with the regime lines
/// behind them (each once).
fn items(selected: &[Selected<'_>], platform: Platform) -> (Vec<AppListItem>, Vec<String>) {
    let mut apps: Vec<AppListItem> = Vec::new();
    let mut regimes: Vec<String> = Vec::new();
    for s in selected.iter().filter(|s| s.rule.kind == RuleKind::App) {
        let ids = exact_values(s.rule, platform, Field::Id, false);
        for id in &ids {
            if apps.iter().any(|a| a.app_id.eq_ignore_ascii_case(id)) {
                continue;
            }
            apps.push(AppListItem {
                odata_type: "#microsoft.graph.appListItem".to_owned(),
                name: s.rule.name.clone(),
                publisher: s.rule.vendor.clone(),
                app_store_url: store_url(s.rule, platform, id).map(str::to_owned),
                app_id: (*id).to_owned(),
            });
        }
        if !ids.is_empty() {
            for (regime, _, _) in &s.regimes {
                let line = regime_summary(regime);
                if !regimes.contains(&line) {
                    regimes.push(line);
                }
            }
        }
    }
    (apps, regimes)
}

/// The compliance policies for iOS and Android: one per platform, split into numbered
/// policies of at most [`MAX_RESTRICTED_APPS`] apps.
pub fn compliance_policies(rules: &RuleSet, filter: &RegimeFilter) -> Vec<CompliancePolicy> {
    let selected = select(rules, filter);
    let scope = filter.policy.as_deref().unwrap_or("all regimes");
    let role = selected.first().map(role_sentence).unwrap_or_default();
    let mut out = Vec::new();
    for (platform, odata, label) in [
        (Platform::Ios, "#microsoft.graph.iosCompliancePolicy", "iOS"),
        (
            Platform::Android,
            "#microsoft.graph.androidCompliancePolicy",
            "Android",
        ),
    ] {
        let (apps, regimes) = items(&selected, platform);
        let chunks: Vec<&[AppListItem]> = apps.chunks(MAX_RESTRICTED_APPS).collect();
        for (n, chunk) in chunks.iter().enumerate() {
            let part = if chunks.len() > 1 {
                format!(" ({} of {})", n + 1, chunks.len())
            } else {
                String::new()
            };
            out.push(CompliancePolicy {
                odata_type: odata.to_owned(),
                display_name: format!("appaudit — {scope} ({label}){part}"),
                description: format!(
                    "Apps covered by: {}. {} Generated by appaudit {}; exact {} only.",
                    regimes.join(" | "),
                    role,
                    env!("CARGO_PKG_VERSION"),
                    match platform {
                        Platform::Ios => "bundle ids",
                        _ => "package names",
                    }
                ),
                restricted_apps: chunk.to_vec(),
                scheduled_actions_for_rule: vec![ScheduledAction {
                    rule_name: "PasswordRequired".to_owned(),
                    scheduled_action_configurations: vec![ActionItem {
                        action_type: "block".to_owned(),
                        grace_period_hours: 0,
                        notification_template_id: String::new(),
                        notification_message_cc_list: Vec::new(),
                    }],
                }],
            });
        }
    }
    out
}

/// The policies as a pretty JSON array, with a final newline.
pub fn compliance_policies_json(
    rules: &RuleSet,
    filter: &RegimeFilter,
) -> Result<String, RulesError> {
    serde_json::to_string_pretty(&compliance_policies(rules, filter))
        .map(|s| s + "\n")
        .map_err(|e| format!("cannot write the policies: {e}").into())
}
