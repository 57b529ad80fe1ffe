//! The one merge: the same app seen twice (two sources, two lines, two paths) becomes
//! one app. Android, desktop and import collectors all merge here; [`AppSet`] lists
//! the rule for each field.

use super::{App, Evidence, Platform, UserState};
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;

/// Most evidence entries (and certificates) one app keeps when merged: unbounded,
/// each merge of a hostile input repeating one package would scan all the others.
pub const MAX_MERGED: usize = 64;

/// The key two apps must share to be one app.
pub fn app_key(app: &App) -> (Platform, String) {
    let id = app.id.trim();
    match app.platform {
        Platform::Android => (app.platform, id.to_owned()),
        _ => (app.platform, id.to_lowercase()),
    }
}

impl App {
    /// Merges what `from` knows of the same app into `self`, by the rule per field
    /// that [`AppSet`] lists.
    pub fn merge(&mut self, from: App) {
        fill(&mut self.name, from.name);
        fill(&mut self.version, from.version);
        fill(&mut self.build, from.build);
        fill(&mut self.publisher, from.publisher);
        fill(&mut self.team_id, from.team_id);
        fill(&mut self.installer, from.installer);
        fill(&mut self.uid, from.uid);
        fill(&mut self.first_install_time, from.first_install_time);
        fill(&mut self.last_update_time, from.last_update_time);
        fill(&mut self.path, from.path);
        unite(&mut self.cert_sha256, from.cert_sha256, MAX_MERGED);
        unite(&mut self.cert_sha1, from.cert_sha1, MAX_MERGED);
        unite(&mut self.evidence, from.evidence, MAX_MERGED);
        for user in from.users {
            merge_user(&mut self.users, user);
        }
        for component in from.components {
            if !self.components.iter().any(|c| c.path == component.path) {
                self.components.push(component);
            }
        }
        self.flags.system |= from.flags.system;
        self.flags.side_loaded |= from.flags.side_loaded;
        self.flags.hidden_system &= from.flags.hidden_system;
        self.flags.no_id &= from.flags.no_id;
        if self.users.is_empty() {
            self.flags.disabled &= from.flags.disabled;
            self.flags.data_only &= from.flags.data_only;
        } else {
            self.flags.disabled = false;
            self.settle_user_flags();
        }
    }
}

/// Apps keyed by [`app_key`] in first-seen order; a repeated app is merged into the
/// first by [`App::merge`], one rule per field:
///
/// | field | rule |
/// |---|---|
/// | identity | same [`Platform`] and id; ids compare trimmed and case-insensitively, except Android package names, which are case-sensitive |
/// | `name`, `version`, `build`, `publisher`, `team_id`, `installer`, `uid`, times, `path` | the first value seen wins; later sources fill gaps |
/// | `cert_sha256`, `cert_sha1` | united, first-seen order, at most [`MAX_MERGED`] |
/// | `users` | merged by user id: a user seen twice keeps its first values and gains the missing ones |
/// | `components` | united by path |
/// | `evidence` | united, first-seen order, at most [`MAX_MERGED`] (a package listed a million times keeps its first places) |
/// | `flags.system`, `flags.side_loaded` | either source says so |
/// | `flags.hidden_system` | both say so (listed as active by one: not only a hidden copy) |
/// | `flags.no_id` | both say so (a source that knows the real id wins) |
/// | `flags.disabled` | disabled for every installed user when users are known; else both sources say so |
/// | `flags.data_only` | installed for no user when users are known; else both sources say so |
#[derive(Default)]
pub struct AppSet<'f> {
    apps: Vec<App>,
    index: HashMap<(Platform, String), usize, foldhash::fast::RandomState>,
    keep: Option<&'f dyn AppFilter>,
    /// Key hashes of the apps kept by a filtered set: an app the filter does not want
    /// whose hash is not here cannot merge into a kept one, so needs no key of its own.
    kept: HashSet<u64, foldhash::fast::FixedState>,
    unkept: Unkept,
}

impl std::fmt::Debug for AppSet<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppSet")
            .field("apps", &self.apps)
            .field("filtered", &self.keep.is_some())
            .field("unkept", &self.unkept)
            .finish()
    }
}

impl<'f> AppSet<'f> {
    /// A set that keeps only the apps `keep` wants; the others are counted, not kept.
    pub fn filtered(keep: &'f dyn AppFilter) -> Self {
        AppSet {
            keep: Some(keep),
            ..AppSet::default()
        }
    }

    /// Adds `app`, or merges it into the app with the same key. In a filtered set, an
    /// app the filter does not want (and whose key is not kept already) is only counted.
    pub fn insert(&mut self, app: App) {
        let wanted = self.wants(&app);
        self.insert_judged(app, wanted, None::<fn() -> Evidence>);
    }

    /// [`AppSet::insert`] of an app whose evidence is made only when the set keeps it or
    /// merges it into one it kept: `evidence()` becomes the app's one evidence entry. A
    /// filtered read of millions of rows then does not quote the rows it drops.
    pub fn insert_with(&mut self, app: App, evidence: impl FnOnce() -> Evidence) {
        let wanted = self.wants(&app);
        self.insert_judged(app, wanted, Some(evidence));
    }

    /// [`AppSet::insert`] of an app the filter was already asked about (`wanted`, on
    /// another thread); `evidence`, when given, makes its one evidence entry as
    /// [`AppSet::insert_with`] does.
    pub fn insert_judged(
        &mut self,
        mut app: App,
        wanted: bool,
        evidence: Option<impl FnOnce() -> Evidence>,
    ) {
        if !wanted && self.keep.is_some() {
            let hash = key_hash(&app);
            let kept = self
                .kept
                .contains(&hash)
                .then(|| self.index.get(&app_key(&app)));
            match kept.flatten() {
                Some(&i) => {
                    set_evidence(&mut app, evidence);
                    self.apps[i].merge(app);
                }
                None => self.unkept.add(hash, app.installer.is_some()),
            }
            return;
        }
        set_evidence(&mut app, evidence);
        let key = app_key(&app);
        if let Some(&i) = self.index.get(&key) {
            self.apps[i].merge(app);
            return;
        }
        if self.keep.is_some() {
            self.kept.insert(key_hash(&app));
        }
        self.index.insert(key, self.apps.len());
        self.apps.push(app);
    }

    /// Counts `app`, which the filter does not want, without merging or keeping it:
    /// for parsers that stop reading an app once the filter said no (`has_installer`:
    /// its listing named an installer).
    pub fn pass_over(&mut self, app: &App, has_installer: bool) {
        let hash = key_hash(app);
        debug_assert!(!self.kept.contains(&hash), "a kept app is not passed over");
        self.unkept.add(hash, has_installer);
    }

    /// Whether this set keeps `app` (always, unless it is filtered).
    pub fn wants(&self, app: &App) -> bool {
        self.keep.is_none_or(|keep| keep.wants(app))
    }

    /// Adds what another set (of the same device) did not keep.
    pub fn add_unkept(&mut self, other: Unkept) {
        self.unkept.absorb(other);
    }

    /// The apps kept, in first-seen order.
    pub fn into_vec(self) -> Vec<App> {
        self.apps
    }

    /// The apps kept, in first-seen order, and what was not kept.
    pub fn into_parts(self) -> (Vec<App>, Unkept) {
        (self.apps, self.unkept)
    }
}

/// Makes `app`'s one evidence entry with `evidence`, when given (the allocation of the
/// placeholder entry is reused).
fn set_evidence(app: &mut App, evidence: Option<impl FnOnce() -> Evidence>) {
    if let Some(evidence) = evidence {
        app.evidence.clear();
        app.evidence.push(evidence());
    }
}

/// Tells collectors, as they read, which apps are worth keeping. A scan without an
/// inventory keeps only the apps a rule could match, so a device of 100,000 apps costs
/// the memory of its findings; the others are only counted ([`Unkept`]).
pub trait AppFilter: Sync {
    /// Whether `app`, as read so far, must be kept. It must say yes to an app when
    /// any value it holds (id, name, certificate...) could match, whatever its flags:
    /// merging never adds a value that neither listing of the app had.
    fn wants(&self, app: &App) -> bool;
}

/// Keeps every app (the inventory, and every caller that wants all the apps).
pub struct KeepAll;

impl AppFilter for KeepAll {
    fn wants(&self, _app: &App) -> bool {
        true
    }
}

/// What a filtered [`AppSet`] saw of the apps it did not keep: their keys, as 64-bit
/// hashes (8 bytes an app, so counting stays exact when two files of one device list
/// the same apps), and whether any had an installer (what marks side-loading).
///
/// The hashes are appended, and sorted and deduplicated only when the list would
/// grow (and when counted): an append costs far less than a hash-set insert when
/// the rows of 10,000 devices come shuffled, and repeats still cannot make it grow
/// past twice the number of distinct apps.
#[derive(Clone, Debug, Default)]
pub struct Unkept {
    keys: Vec<u64>,
    any_installer: bool,
}

impl Unkept {
    fn add(&mut self, hash: u64, has_installer: bool) {
        if self.keys.len() == self.keys.capacity() && self.keys.len() >= 1024 {
            self.compact();
        }
        self.keys.push(hash);
        self.any_installer |= has_installer;
    }

    fn absorb(&mut self, other: Unkept) {
        if self.keys.is_empty() {
            self.keys = other.keys;
        } else {
            self.keys.extend(other.keys);
        }
        self.any_installer |= other.any_installer;
    }

    fn compact(&mut self) {
        self.keys.sort_unstable();
        self.keys.dedup();
    }

    /// Whether an app not kept had an installer.
    pub fn any_installer(&self) -> bool {
        self.any_installer
    }

    /// How many apps were not kept, leaving out those of `kept` (an app a later
    /// listing kept after all).
    pub fn count_besides(&mut self, kept: &[App]) -> usize {
        if self.keys.is_empty() {
            return 0;
        }
        self.compact();
        let kept: usize = kept
            .iter()
            .filter(|app| self.keys.binary_search(&key_hash(app)).is_ok())
            .count();
        self.keys.len() - kept
    }
}

/// The hash of [`app_key`] (the same as hashing the key itself), without building
/// the key when the id needs no lower-casing: this runs for every app not kept.
fn key_hash(app: &App) -> u64 {
    // A fixed seed: hashes of one device's files must agree across threads.
    let hasher = foldhash::fast::FixedState::with_seed(0x5eed);
    let id = app.id.trim();
    let as_is = app.platform == Platform::Android
        || !id.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii());
    if as_is {
        hasher.hash_one((app.platform, id))
    } else {
        hasher.hash_one((app.platform, id.to_lowercase()))
    }
}

/// Merges apps with the same key, in first-seen order.
pub fn merge_apps(apps: Vec<App>) -> Vec<App> {
    // Most sources list each app once (streaming parsers merge as they read): only
    // when a key repeats is a merged copy made, so a 100 MB dump is not held twice.
    let mut keys = std::collections::HashSet::with_capacity(apps.len());
    if apps.iter().all(|app| keys.insert(app_key(app))) {
        return apps;
    }
    drop(keys);
    let mut set = AppSet::default();
    for app in apps {
        set.insert(app);
    }
    set.into_vec()
}

fn merge_user(users: &mut Vec<UserState>, user: UserState) {
    match users.iter_mut().find(|u| u.user == user.user) {
        Some(known) => {
            fill(&mut known.installed, user.installed);
            fill(&mut known.enabled, user.enabled);
            fill(&mut known.hidden, user.hidden);
            fill(&mut known.first_install_time, user.first_install_time);
            fill(&mut known.profile, user.profile);
        }
        None => users.push(user),
    }
}

fn fill<T>(slot: &mut Option<T>, value: Option<T>) {
    if slot.is_none() {
        *slot = value;
    }
}

fn unite<T: PartialEq>(into: &mut Vec<T>, from: Vec<T>, max: usize) {
    for item in from {
        if into.len() < max && !into.contains(&item) {
            into.push(item);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Component, Evidence};

    fn evidence(path: &str, line: u64) -> Evidence {
        Evidence {
            path: path.into(),
            line: Some(line),
            format: "x".into(),
            excerpt: None,
        }
    }

    fn app(platform: Platform, id: &str, line: u64) -> App {
        App::new(platform, id, evidence("f", line))
    }

    fn user(user: u32, installed: bool, enabled: Option<u8>) -> UserState {
        UserState {
            user,
            installed: Some(installed),
            enabled,
            ..UserState::default()
        }
    }

    #[test]
    fn the_key_hash_is_the_hash_of_the_key() {
        let hasher = foldhash::fast::FixedState::with_seed(0x5eed);
        for (platform, id) in [
            (Platform::Android, " com.A.b "),
            (Platform::Windows, "WeChat"),
            (Platform::Macos, "com.tencent.xinwechat"),
            (Platform::Linux, "Ärger"),
        ] {
            let app = app(platform, id, 1);
            assert_eq!(key_hash(&app), hasher.hash_one(app_key(&app)), "{id}");
        }
    }

    #[test]
    fn a_filtered_set_merges_into_what_it_kept_and_counts_the_rest() {
        struct Named(&'static str);
        impl AppFilter for Named {
            fn wants(&self, app: &App) -> bool {
                app.name.as_deref() == Some(self.0)
            }
        }
        let keep = Named("WeChat");
        let mut set = AppSet::filtered(&keep);
        let mut wanted = app(Platform::Windows, "wechat", 1);
        wanted.name = Some("WeChat".into());
        set.insert(wanted);
        // Not wanted by itself, but the same key as a kept app: merged.
        set.insert(app(Platform::Windows, "WECHAT", 2));
        let mut other = app(Platform::Windows, "Notepad", 3);
        other.installer = Some("x".into());
        set.insert(other);
        set.insert(app(Platform::Windows, "notepad", 4));
        let (apps, mut unkept) = set.into_parts();
        assert_eq!(apps.len(), 1);
        assert_eq!(apps[0].evidence.len(), 2);
        assert_eq!(unkept.count_besides(&apps), 1);
        assert!(unkept.any_installer());
    }

    #[test]
    fn first_value_wins_and_gaps_are_filled() {
        let mut a = app(Platform::Android, "com.tencent.mm", 1);
        a.installer = Some("com.android.vending".into());
        let mut b = app(Platform::Android, "com.tencent.mm", 7);
        b.installer = Some("other".into());
        b.build = Some("2400".into());
        b.team_id = Some("T".into());
        a.merge(b);
        assert_eq!(a.installer.as_deref(), Some("com.android.vending"));
        assert_eq!(a.build.as_deref(), Some("2400"));
        assert_eq!(a.team_id.as_deref(), Some("T"));
        assert_eq!(a.evidence.len(), 2);
    }

    #[test]
    fn identity_ignores_case_except_on_android() {
        let merged = merge_apps(vec![
            app(Platform::Windows, "WeChat", 1),
            app(Platform::Windows, "wechat ", 2),
            app(Platform::Linux, "wechat", 3),
            app(Platform::Android, "com.a", 4),
            app(Platform::Android, "com.A", 5),
        ]);
        let ids: Vec<_> = merged.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["WeChat", "wechat", "com.a", "com.A"]);
        assert_eq!(merged[0].evidence.len(), 2);
    }

    #[test]
    fn users_merge_by_id() {
        let mut a = app(Platform::Windows, "x", 1);
        a.users = vec![UserState {
            user: 1001,
            installed: Some(true),
            ..UserState::default()
        }];
        let mut b = app(Platform::Windows, "x", 2);
        b.users = vec![
            UserState {
                user: 1001,
                installed: Some(true),
                profile: Some("alice".into()),
                ..UserState::default()
            },
            user(1002, true, None),
        ];
        a.merge(b);
        assert_eq!(a.users.len(), 2);
        assert_eq!(a.users[0].profile.as_deref(), Some("alice"));
    }

    #[test]
    fn disabled_only_when_disabled_for_every_user() {
        let mut a = app(Platform::Android, "p", 1);
        a.users = vec![user(0, true, Some(3))];
        a.settle_user_flags();
        assert!(a.flags.disabled);
        let mut b = app(Platform::Android, "p", 2);
        b.users = vec![user(10, true, Some(1))];
        a.merge(b);
        assert!(!a.flags.disabled, "enabled for user 10");

        let mut c = app(Platform::Android, "q", 1);
        c.users = vec![user(0, true, Some(2))];
        let mut d = app(Platform::Android, "q", 2);
        d.users = vec![user(10, true, Some(4)), user(11, false, None)];
        c.merge(d);
        assert!(c.flags.disabled, "disabled for both installed users");
    }

    #[test]
    fn without_users_disabled_and_data_only_need_both_sources() {
        let mut a = app(Platform::Linux, "snap", 1);
        a.flags.disabled = true;
        a.flags.data_only = true;
        let mut b = app(Platform::Linux, "snap", 2);
        b.flags.disabled = true;
        a.merge(b);
        assert!(a.flags.disabled);
        assert!(!a.flags.data_only);
        a.merge(app(Platform::Linux, "snap", 3));
        assert!(!a.flags.disabled);
    }

    #[test]
    fn data_only_when_installed_for_no_user() {
        let mut a = app(Platform::Android, "p", 1);
        let mut b = app(Platform::Android, "p", 2);
        b.users = vec![user(0, false, None)];
        a.merge(b);
        assert!(a.flags.data_only);
        let mut c = app(Platform::Android, "p", 3);
        c.users = vec![user(10, true, None)];
        a.merge(c);
        assert!(!a.flags.data_only);
    }

    #[test]
    fn system_and_side_loaded_when_either_says_so() {
        let mut a = app(Platform::Android, "p", 1);
        let mut b = app(Platform::Android, "p", 2);
        b.flags.system = true;
        b.flags.side_loaded = true;
        a.merge(b);
        assert!(a.flags.system && a.flags.side_loaded);
    }

    #[test]
    fn hidden_system_only_when_both_say_so() {
        let mut a = app(Platform::Android, "p", 1);
        a.flags.hidden_system = true;
        let mut b = app(Platform::Android, "p", 2);
        b.flags.hidden_system = true;
        a.merge(b);
        assert!(a.flags.hidden_system);
        a.merge(app(Platform::Android, "p", 3));
        assert!(!a.flags.hidden_system);
    }

    #[test]
    fn evidence_and_certificates_are_capped() {
        let mut a = app(Platform::Android, "p", 0);
        for line in 1..200 {
            let mut b = app(Platform::Android, "p", line);
            b.cert_sha256 = vec![format!("{line:064x}")];
            a.merge(b);
        }
        assert_eq!(a.evidence.len(), MAX_MERGED);
        assert_eq!(a.evidence[1].line, Some(1));
        assert_eq!(a.cert_sha256.len(), MAX_MERGED);
    }

    #[test]
    fn components_unite_by_path() {
        let component = |id: &str, path: &str| Component {
            id: id.into(),
            kind: "app".into(),
            path: path.into(),
        };
        let mut a = app(Platform::Macos, "com.tencent.xinWeChat", 1);
        a.components = vec![component("h", "/A.app/h.app")];
        let mut b = app(Platform::Macos, "com.tencent.xinWeChat", 2);
        b.components = vec![
            component("h2", "/A.app/h.app"),
            component("m", "/A.app/m.app"),
        ];
        a.merge(b);
        assert_eq!(a.components.len(), 2);
        assert_eq!(a.components[0].id, "h");
    }
}
