//! The one model every collector produces and every matcher and report reads.
//!
//! Collectors fill [`App`]s from their sources; nothing downstream knows which
//! source an app came from except through its [`Evidence`].

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

// Types that two or more parts share live below them all, in their own files.
mod exception;
mod identity;
mod input_error;
mod merge;
mod osquery;
mod scan_result;
pub use exception::{ExceptionInfo, ExceptionNote, ExceptionState, ExceptionsOutcome};
pub use identity::{ID_PROPERTIES, IdSource, file_name, identify};
pub use input_error::InputError;
pub use merge::{AppFilter, AppSet, KeepAll, MAX_MERGED, Unkept, app_key, merge_apps};
pub use osquery::OsqueryTable;
pub use scan_result::{
    BaselineDiff, BuiltinRules, DeviceResult, NotScanned, Outcome, Removed, ScanResult,
};

/// The operating system an app is installed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// Android phones and tablets.
    Android,
    /// iPhone and iPad (iOS apps on Apple silicon Macs too).
    Ios,
    /// macOS.
    Macos,
    /// Windows.
    Windows,
    /// Linux.
    Linux,
}

impl Platform {
    /// Every platform, in the order reports list them.
    pub const ALL: [Platform; 5] = [
        Platform::Android,
        Platform::Ios,
        Platform::Macos,
        Platform::Windows,
        Platform::Linux,
    ];

    /// The platform's name in reports and rules (`android`).
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Android => "android",
            Platform::Ios => "ios",
            Platform::Macos => "macos",
            Platform::Windows => "windows",
            Platform::Linux => "linux",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an app was seen: the file (or command) and the 1-based line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The file path, or the command that produced the text (`adb shell ...`).
    pub path: String,
    /// 1-based line number, when the source is line oriented.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The format that was parsed there, e.g. `dumpsys-package`.
    pub format: String,
    /// The line (or a short excerpt) as it stood in the source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
}

impl Evidence {
    /// Evidence to fill in later, or of an app only asked about and counted (never
    /// reported): empty, it allocates nothing.
    pub fn placeholder() -> Self {
        Evidence {
            path: String::new(),
            line: None,
            format: String::new(),
            excerpt: None,
        }
    }
}

/// The state of an app for one user or profile (Android `User N:` lines, `--user N`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserState {
    /// The user or profile id (Android `0` is the owner; Windows the account's RID).
    pub user: u32,
    /// `installed=` of the user line; `None` when the source does not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installed: Option<bool>,
    /// Android component-enabled state: 0 default, 1 enabled, 2 disabled,
    /// 3 disabled by user, 4 disabled until used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Hidden for this user (Android `hidden=`).
    pub hidden: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// When it was installed for this user, as the source printed it.
    pub first_install_time: Option<String>,
    /// The name of the user or profile (`Owner`, `Work profile`, `Secure Folder`), when
    /// the source lists users (`pm list users`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
}

impl UserState {
    /// Disabled for this user (Android states 2, 3 and 4).
    pub fn is_disabled(&self) -> bool {
        matches!(self.enabled, Some(2..=4))
    }
}

/// Boolean facts about an app.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppFlags {
    /// Part of the system image (Android `SYSTEM` pkgFlag, `pm list -s`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub system: bool,
    /// Disabled for every user that has it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub disabled: bool,
    /// Listed under Android's `Hidden system packages:` (an updated system app's original).
    #[serde(default, skip_serializing_if = "is_false")]
    pub hidden_system: bool,
    /// Known to the system but not installed for any user: only its data is left behind.
    #[serde(default, skip_serializing_if = "is_false")]
    pub data_only: bool,
    /// Not a system app, and installed by no installer (adb, MDM push...) or by a
    /// browser, file manager or the system package installer rather than an app store.
    #[serde(default, skip_serializing_if = "is_false")]
    pub side_loaded: bool,
    /// The inventory gave no identifier (bundle id, package name, uninstall key): `id`
    /// is the app's name, and rules match it by name only, for review.
    #[serde(default, skip_serializing_if = "is_false")]
    pub no_id: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One installed (or formerly installed) app as a collector saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct App {
    /// The platform the app is on.
    pub platform: Platform,
    /// Package name, bundle id, uninstall key, package id: what the platform calls the app.
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The name people see.
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The version people see (`versionName`, `CFBundleShortVersionString`).
    pub version: Option<String>,
    /// Android versionCode, CFBundleVersion: the machine-readable build number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The publisher or developer, as the source names it.
    pub publisher: Option<String>,
    /// Apple signing Team ID (macOS, iOS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<String>,
    /// The package that installed it (Android installer, e.g. `com.android.vending`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installer: Option<String>,
    /// Linux uid or similar numeric owner id, as the source printed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// When it was first installed, as the source printed it.
    pub first_install_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// When it was last updated, as the source printed it.
    pub last_update_time: Option<String>,
    /// Install location: APK path, bundle path, install folder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// SHA-256 digests of the signing certificates, lowercase hex.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cert_sha256: Vec<String>,
    /// SHA-1 digests of the signing certificates, lowercase hex (what the Android
    /// Management API reports).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cert_sha1: Vec<String>,
    /// Per-user or per-profile state, when the source knows it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<UserState>,
    #[serde(default)]
    /// Boolean facts (system, disabled, side-loaded...).
    pub flags: AppFlags,
    /// Bundles nested inside the app (macOS helper apps, extensions, XPC services,
    /// frameworks): part of it, not apps of their own. Rules match their ids too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Component>,
    /// Where the app was seen: at least one place, at most 64 after merging.
    pub evidence: Vec<Evidence>,
}

/// A bundle nested inside an app (`Contents/MacOS/Mini Program.app`, an `.appex`...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Component {
    /// Its bundle id (`com.tencent.xinWeChat.MiniProgram`).
    pub id: String,
    /// The bundle's extension: `app`, `appex`, `xpc`, `framework`, `bundle`, `plugin`...
    pub kind: String,
    /// Where it is inside the machine.
    pub path: String,
}

impl App {
    /// A new app with only its platform, identifier and one piece of evidence.
    pub fn new(platform: Platform, id: impl Into<String>, evidence: Evidence) -> Self {
        App {
            platform,
            id: id.into(),
            name: None,
            version: None,
            build: None,
            publisher: None,
            team_id: None,
            installer: None,
            uid: None,
            first_install_time: None,
            last_update_time: None,
            path: None,
            cert_sha256: Vec::new(),
            cert_sha1: Vec::new(),
            users: Vec::new(),
            flags: AppFlags::default(),
            components: Vec::new(),
            evidence: vec![evidence],
        }
    }

    /// Installed for at least one user (or the source does not track users).
    pub fn is_installed(&self) -> bool {
        !self.flags.data_only
    }

    /// Derives `data_only` and `disabled` from the per-user states.
    pub fn settle_user_flags(&mut self) {
        if self.users.is_empty() {
            return;
        }
        let installed: Vec<&UserState> = self
            .users
            .iter()
            .filter(|u| u.installed != Some(false))
            .collect();
        self.flags.data_only = installed.is_empty();
        if !installed.is_empty() && installed.iter().all(|u| u.is_disabled()) {
            self.flags.disabled = true;
        }
    }

    /// Users (profiles) for which the app is installed.
    pub fn installed_users(&self) -> impl Iterator<Item = u32> + '_ {
        self.users
            .iter()
            .filter(|u| u.installed != Some(false))
            .map(|u| u.user)
    }
}

/// One device (phone, computer, machine image) and the apps found on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    /// The device's own identity, from its data (a serial number, a UDID, a
    /// MachineGuid...), else its file name: see [`IdSource`].
    #[serde(default)]
    pub id: String,
    /// Where `id` was taken from.
    #[serde(default)]
    pub id_source: IdSource,
    /// The input it came from: a file, a folder, or `adb:<serial>`.
    pub source: String,
    /// Other inputs of this scan read as the same device (same own `id`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_from: Vec<String>,
    /// A short name for people: the model or computer name, else the file or folder name.
    pub name: String,
    /// The platform of the device.
    pub platform: Platform,
    /// The format the collector recognised, e.g. `dumpsys-package`.
    pub format: String,
    /// Facts about the device itself (model, Android version...), as `key -> value`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<(String, String)>,
    /// The apps found on it (empty in a scan result unless the inventory was asked for).
    pub apps: Vec<App>,
    /// Apps read but not kept, as no rule could match them ([`AppFilter`]): counted
    /// in what was scanned, never listed.
    #[serde(skip)]
    pub apps_unkept: usize,
    /// Problems that did not stop this device from being read (a truncated block...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl Device {
    /// Sets `id` and `id_source` from the properties, unless the collector did.
    pub fn settle_identity(&mut self) {
        if self.id.is_empty() {
            (self.id, self.id_source) = identify(&self.properties, &self.source);
        }
    }

    /// The value of the device property `key`, if any.
    pub fn property(&self, key: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// How sure a finding is: `confirmed` needs no second look; `review` asks a person.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    #[default]
    /// Matched by an identifier that names the app: no second look needed.
    Confirmed,
    /// Matched loosely (a pattern, a vendor rule): a person should look.
    Review,
}

impl Confidence {
    /// The confidence's name in reports (`confirmed`).
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Confirmed => "confirmed",
            Confidence::Review => "review",
        }
    }
}

/// Whether a covered app found on a device is installed or only left its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingState {
    /// Installed for at least one user.
    Installed,
    /// Known to the system but installed for no user (Android `installed=false`).
    DataLeftBehind,
}

/// The rule a finding came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleInfo {
    /// The covered-app rule's stable id (`tiktok`), as in the rule files.
    pub id: String,
    /// The app's name as the rule gives it (`TikTok`).
    pub name: String,
    /// The company behind the app (`ByteDance Ltd.`), when the rule names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// `app` for a named app, `vendor` for "any app of this company".
    pub kind: String,
}

/// Whether a regime binds the user the scan is scoped to, or is shown as context.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RegimeRole {
    /// In force, and listed by the scan's policy as binding its kind of user.
    Binding,
    /// Anything else: no scope set, outside the policy, revoked, lifted, guidance.
    #[default]
    Context,
}

/// One regime behind a finding, with its status today.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegimeInfo {
    /// The regime's stable id (`us-far-52.204-27`), as rules and policies refer to it.
    /// (The regime's own texts are shared by every finding: a fleet of findings costs
    /// a pointer each, not a copy of the legal prose.)
    pub id: Arc<str>,
    /// A short name for tables: `EO 13942`, `FAR 52.204-27`.
    pub short: Arc<str>,
    /// The instrument's full title.
    pub title: Arc<str>,
    /// The legal instrument's citation (`Executive Order 13971`, `FAR 52.204-27 (JUN 2023)`).
    pub instrument: Arc<str>,
    /// How it binds: `law`, `executive-order`, `contract-clause`, `directive`, `guidance`,
    /// `determination` or `administrative-order` (`unspecified` when the rule gives none).
    /// `guidance` is never binding.
    #[serde(default)]
    pub kind: String,
    /// Where it applies, as a country or subdivision code: `US`, `US-TX`, `IN`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
    /// `in-force`, `revoked`, `informational` or `lifted`, for this app.
    pub status: String,
    /// For people: "in force", "in force in India", "revoked 2021-06-09 by EO 14034".
    pub status_text: String,
    /// Whom it binds, in full, as the rule states it (`applies_to` is the short form).
    pub binds: Arc<str>,
    /// Whom it binds, in a few words: "federal contractors".
    #[serde(default)]
    pub applies_to: Arc<str>,
    /// `binding` for the scan's scope, else `context`.
    #[serde(default)]
    pub role: RegimeRole,
    /// Coverage that follows a company: "while owned by ByteDance (since 2021-03-22)".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ownership: Option<String>,
    /// `named` when the regime names the app, `possible` when read into its words.
    pub coverage: String,
    /// The rule's note on how this regime covers the app (e.g. why coverage is only
    /// `possible`), when it gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Set when the regime covers a function inside the app rather than the app itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via_feature: Option<String>,
    /// URLs of the regime's legal sources, then those the rule gives for this app's own
    /// status (a revocation or lifting).
    pub sources: Arc<[String]>,
}

impl RegimeInfo {
    /// `binding` or `context`.
    pub fn role_str(&self) -> &'static str {
        match self.role {
            RegimeRole::Binding => "binding",
            RegimeRole::Context => "context",
        }
    }

    /// The line every report prints: "FAR 52.204-27: in force — binds federal contractors".
    pub fn line(&self) -> String {
        let mut line = format!("{}: {}", self.short, self.status_text);
        // A revoked regime, or one lifted for this app, binds no one any more.
        let ended = self.status == "revoked" || self.status == "lifted";
        if !self.applies_to.is_empty() && !ended {
            line.push_str(" — binds ");
            line.push_str(&self.applies_to);
        }
        if let Some(ownership) = &self.ownership {
            line.push_str(&format!(" ({ownership})"));
        }
        line
    }
}

/// What every report states about the rules and the scope it was made with.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditContext {
    /// The day coverage was judged on (`YYYY-MM-DD`).
    pub as_of: String,
    /// The newest `last_reviewed` date of the rules: "rules reviewed as of".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules_reviewed: Option<String>,
    /// Days from `rules_reviewed` to `as_of` when more than the freshness limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules_stale_days: Option<i64>,
    /// The policy that scopes the scan, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// Where the scope came from: `--policy`, `APPAUDIT_POLICY`, a config file, or `none`.
    pub scope_from: String,
}

impl AuditContext {
    /// "Scope: ..." for people.
    pub fn scope_line(&self) -> String {
        match &self.policy {
            Some(p) => format!(
                "Scope: policy {p} (from {}): its regimes bind you; others are context.",
                self.scope_from
            ),
            None => "Scope: none set, so every regime is shown as context, not as a violation \
                     (choose one with --policy, APPAUDIT_POLICY or appaudit.toml)."
                .to_string(),
        }
    }

    /// "Rules reviewed as of ...", with a warning when they are stale.
    pub fn freshness_line(&self) -> String {
        let date = self.rules_reviewed.as_deref().unwrap_or("(no date)");
        match self.rules_stale_days {
            Some(days) => format!(
                "Rules reviewed as of {date}: {days} days before {}; laws change, update appaudit or check the regimes.",
                self.as_of
            ),
            None => format!("Rules reviewed as of {date}."),
        }
    }
}

/// Which identifier of the rule matched which value of the app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchInfo {
    /// The platform the matching identifier is for.
    pub platform: Platform,
    /// The field of the app that matched: `id`, `name`, `publisher`, `team_id`,
    /// `cert_sha256` or `cert_sha1`.
    pub field: String,
    /// `exact`, `prefix`, `glob`, `regex`, or `extends` (an iOS bundle id continuing a
    /// covered exact id at a dot: a re-signed build, to review).
    pub kind: String,
    /// The identifier's pattern as written in the rule.
    pub pattern: String,
    /// The app's value it matched (the id of a nested component counts as the app's id).
    pub value: String,
}

/// A covered function shipped inside the app (WeChat Pay in WeChat).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureInfo {
    /// The function's name (`WeChat Pay`).
    pub name: String,
    /// Ids of the regimes that cover the function (those the scan's scope allows).
    pub regimes: Vec<String>,
    /// A sentence for people: the rule's note, or "WeChat is installed; WeChat Pay is a
    /// built-in function of WeChat".
    pub text: String,
}

/// A covered app found on a device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The app as collected, with the evidence of where it was seen.
    pub app: App,
    /// The covered-app rule that matched it.
    pub rule: RuleInfo,
    /// The regimes that cover the app, as they stand for it: binding ones first.
    pub regimes: Vec<RegimeInfo>,
    /// `confirmed`, or `review` with the [`reason`](Finding::reason).
    pub confidence: Confidence,
    /// Why a finding needs review, when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Which identifier of the rule matched which value of the app (`match` in reports).
    #[serde(rename = "match")]
    pub matched: MatchInfo,
    /// Covered functions inside the app (WeChat Pay in WeChat).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<FeatureInfo>,
    /// Installed, or only its data left behind (which does not fail a scan).
    pub state: FindingState,
    /// The approved exception that names it (`--exceptions`): `applied` excepts it
    /// (it does not count for the exit code), `expired` no longer does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception: Option<ExceptionInfo>,
}

impl Finding {
    /// Whether an exception in force excepts it: it is shown, but does not count.
    pub fn is_excepted(&self) -> bool {
        self.exception
            .as_ref()
            .is_some_and(ExceptionInfo::is_applied)
    }
}
