//! Win32 programs: the Uninstall ("Add or remove programs") keys.

use super::hive::Values;
use crate::model::{App, Evidence, Platform, UserState};

/// `Microsoft\Windows\CurrentVersion\Uninstall` under the SOFTWARE hive (64-bit view).
pub const MACHINE_64: &str = r"Microsoft\Windows\CurrentVersion\Uninstall";
/// The 32-bit view of the same key.
pub const MACHINE_32: &str = r"WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall";
/// Per user, under NTUSER.DAT's root (`HKCU`).
pub const USER: &str = r"Software\Microsoft\Windows\CurrentVersion\Uninstall";

pub const FORMAT: &str = "windows-uninstall";

/// Why an Uninstall subkey is not an installed program of its own.
#[derive(Debug, PartialEq, Eq)]
pub enum Skip {
    /// No `DisplayName`: Windows does not list it (leftovers, helper keys).
    NoDisplayName,
    /// `SystemComponent=1`: hidden from Programs and Features, a part of another product.
    SystemComponent,
    /// An update or hotfix of another product (`ParentKeyName`, `ReleaseType`).
    Update,
}

/// The program an Uninstall subkey describes, or why it is skipped.
///
/// `excerpt` is the full key path (`HKLM\SOFTWARE\...\Uninstall\WeChat`) and
/// `evidence_path` the hive file (offline) or the hive root (live).
pub fn app(
    key_name: &str,
    values: &Values,
    evidence_path: &str,
    excerpt: String,
    user: Option<UserState>,
) -> Result<App, Skip> {
    let Some(display_name) = values.str("DisplayName") else {
        return Err(Skip::NoDisplayName);
    };
    if values.num("SystemComponent") == Some(1) {
        return Err(Skip::SystemComponent);
    }
    if values.str("ParentKeyName").is_some()
        || values.str("ReleaseType").is_some_and(|t| {
            matches!(
                t.to_ascii_lowercase().as_str(),
                "update" | "hotfix" | "security update" | "service pack"
            )
        })
    {
        return Err(Skip::Update);
    }
    let mut app = App::new(
        Platform::Windows,
        key_name,
        Evidence {
            path: evidence_path.to_string(),
            line: None,
            format: FORMAT.to_string(),
            excerpt: Some(excerpt),
        },
    );
    app.name = Some(display_name);
    app.version = values.str("DisplayVersion");
    app.publisher = values.str("Publisher");
    app.path = values.str("InstallLocation");
    app.first_install_time = values.str("InstallDate").and_then(|d| install_date(&d));
    app.users.extend(user);
    Ok(app)
}

/// `InstallDate` is `YYYYMMDD`; anything else is ignored.
fn install_date(d: &str) -> Option<String> {
    let d = d.trim();
    if d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()) {
        Some(format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..]))
    } else {
        None
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::collect::desktop::windows::hive::Val;

    fn values(pairs: &[(&str, Val)]) -> Values {
        let mut v = Values::default();
        for (k, x) in pairs {
            v.insert(k, x.clone());
        }
        v
    }

    #[test]
    fn skips_hidden_nameless_and_updates() {
        let s = |x: &str| Val::Str(x.to_string());
        let ok = values(&[
            ("DisplayName", s("WeChat")),
            ("DisplayVersion", s("3.9.12")),
        ]);
        let a = app("WeChat", &ok, "SOFTWARE", "k".into(), None).unwrap();
        assert_eq!(a.name.as_deref(), Some("WeChat"));
        assert_eq!(a.version.as_deref(), Some("3.9.12"));
        let none = values(&[("DisplayVersion", s("1"))]);
        assert_eq!(
            app("x", &none, "p", "k".into(), None),
            Err(Skip::NoDisplayName)
        );
        let blank = values(&[("DisplayName", s("  \0"))]);
        assert_eq!(
            app("x", &blank, "p", "k".into(), None),
            Err(Skip::NoDisplayName)
        );
        let hidden = values(&[("DisplayName", s("x")), ("SystemComponent", Val::Num(1))]);
        assert_eq!(
            app("x", &hidden, "p", "k".into(), None),
            Err(Skip::SystemComponent)
        );
        let shown = values(&[("DisplayName", s("x")), ("SystemComponent", Val::Num(0))]);
        assert!(app("x", &shown, "p", "k".into(), None).is_ok());
        let upd = values(&[("DisplayName", s("KB1")), ("ParentKeyName", s("Office"))]);
        assert_eq!(app("x", &upd, "p", "k".into(), None), Err(Skip::Update));
        assert_eq!(install_date("20190410").as_deref(), Some("2019-04-10"));
        assert_eq!(install_date("2019-04-10"), None);
    }
}
