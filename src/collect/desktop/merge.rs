//! The same app seen by two sources (a dpkg package and its `.desktop` file, a
//! Windows program in both the SOFTWARE hive and Amcache, one bundle reached by
//! two paths) becomes one app with every piece of evidence.
//!
//! Apps are keyed by platform and normalized id (trimmed, lower-case); the first
//! one seen keeps its values and gains what the later ones add.

use crate::model::App;
use std::collections::HashMap;

/// The key two apps must share to be one.
pub fn key(app: &App) -> (crate::model::Platform, String) {
    (app.platform, app.id.trim().to_lowercase())
}

/// Merges apps with the same key, in first-seen order.
pub fn merge(apps: Vec<App>) -> Vec<App> {
    let mut out: Vec<App> = Vec::with_capacity(apps.len());
    let mut index: HashMap<(crate::model::Platform, String), usize> = HashMap::new();
    for app in apps {
        match index.get(&key(&app)) {
            Some(&i) => merge_into(&mut out[i], app),
            None => {
                index.insert(key(&app), out.len());
                out.push(app);
            }
        }
    }
    out
}

/// Fills what `into` lacks from `from` and unites evidence, components and users.
pub fn merge_into(into: &mut App, from: App) {
    fn fill<T>(slot: &mut Option<T>, value: Option<T>) {
        if slot.is_none() {
            *slot = value;
        }
    }
    fill(&mut into.name, from.name);
    fill(&mut into.version, from.version);
    fill(&mut into.build, from.build);
    fill(&mut into.publisher, from.publisher);
    fill(&mut into.team_id, from.team_id);
    fill(&mut into.installer, from.installer);
    fill(&mut into.uid, from.uid);
    fill(&mut into.first_install_time, from.first_install_time);
    fill(&mut into.last_update_time, from.last_update_time);
    fill(&mut into.path, from.path);
    for cert in from.cert_sha256 {
        if !into.cert_sha256.contains(&cert) {
            into.cert_sha256.push(cert);
        }
    }
    for user in from.users {
        if !into.users.contains(&user) {
            into.users.push(user);
        }
    }
    for component in from.components {
        if !into.components.iter().any(|c| c.path == component.path) {
            into.components.push(component);
        }
    }
    into.flags.system |= from.flags.system;
    into.flags.side_loaded |= from.flags.side_loaded;
    // Enabled somewhere, or installed somewhere, wins.
    into.flags.disabled &= from.flags.disabled;
    into.flags.data_only &= from.flags.data_only;
    into.flags.hidden_system &= from.flags.hidden_system;
    for evidence in from.evidence {
        if !into.evidence.contains(&evidence) {
            into.evidence.push(evidence);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::{Evidence, Platform};

    fn app(platform: Platform, id: &str, path: &str) -> App {
        App::new(
            platform,
            id,
            Evidence {
                path: path.into(),
                line: None,
                format: "t".into(),
                excerpt: None,
            },
        )
    }

    #[test]
    fn same_platform_and_id_merge_case_insensitively() {
        let mut a = app(Platform::Windows, "WeChat", "SOFTWARE");
        a.version = Some("3.9".into());
        let mut b = app(Platform::Windows, "wechat ", "Amcache.hve");
        b.publisher = Some("Tencent".into());
        b.version = Some("3.8".into());
        let c = app(Platform::Linux, "wechat", "status");
        let merged = merge(vec![a, b, c]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].version.as_deref(), Some("3.9"));
        assert_eq!(merged[0].publisher.as_deref(), Some("Tencent"));
        assert_eq!(merged[0].evidence.len(), 2);
        assert_eq!(merged[1].platform, Platform::Linux);
    }
}
