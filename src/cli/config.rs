//! The default scope: `--policy`, else `APPAUDIT_POLICY`, else `policy` in
//! `appaudit.toml` (the working directory's, or `--config FILE`), else none.

use anyhow::{Context as _, Result, bail};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The file looked for in the working directory when `--config` is not given.
pub const DEFAULT_CONFIG: &str = "appaudit.toml";

/// `appaudit.toml`: settings a site keeps beside its evidence.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The policy that scopes every scan (`appaudit policies list`; `all` for none).
    #[serde(default)]
    pub policy: Option<String>,
}

/// The policy to scope the scan to, and where that choice came from.
pub struct Scope {
    /// `None`: no scope, every regime is context.
    pub policy: Option<String>,
    /// `--policy`, `APPAUDIT_POLICY`, the config file's path, or `none`.
    pub from: String,
}

/// Resolves the scope in order of precedence. A config file that was asked for
/// but is missing, or that does not parse, is an error naming its path.
pub fn scope(flag: Option<&str>, config: Option<&Path>) -> Result<Scope> {
    if let Some(p) = flag {
        return Ok(Scope {
            policy: Some(p.to_string()),
            from: "--policy".into(),
        });
    }
    if let Ok(p) = std::env::var("APPAUDIT_POLICY")
        && !p.trim().is_empty()
    {
        return Ok(Scope {
            policy: Some(p.trim().to_string()),
            from: "APPAUDIT_POLICY".into(),
        });
    }
    let (path, required): (PathBuf, bool) = match config {
        Some(p) => (p.to_path_buf(), true),
        None => (PathBuf::from(DEFAULT_CONFIG), false),
    };
    if !required && !path.is_file() {
        return Ok(Scope {
            policy: None,
            from: "none".into(),
        });
    }
    let config = read(&path)?;
    Ok(match config.policy {
        Some(p) => Scope {
            policy: Some(p),
            from: path.display().to_string(),
        },
        None => Scope {
            policy: None,
            from: "none".into(),
        },
    })
}

fn read(path: &Path) -> Result<Config> {
    let meta = std::fs::metadata(path)
        .with_context(|| format!("config file {}: cannot read it", path.display()))?;
    if !meta.is_file() || meta.len() > 1024 * 1024 {
        bail!(
            "config file {}: not a regular file of at most 1 MiB",
            path.display()
        );
    }
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "config file {}: cannot read it as UTF-8 text",
            path.display()
        )
    })?;
    toml::from_str(&text).with_context(|| format!("config file {} is not valid", path.display()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn flag_wins_and_unknown_keys_are_errors() {
        let s = scope(Some("texas"), None).unwrap();
        assert_eq!(
            (s.policy.as_deref(), s.from.as_str()),
            (Some("texas"), "--policy")
        );
        assert!(toml::from_str::<Config>("polcy = \"x\"").is_err());
        let c: Config = toml::from_str("policy = \"us-federal-contractor\"").unwrap();
        assert_eq!(c.policy.as_deref(), Some("us-federal-contractor"));
    }

    #[test]
    fn a_missing_named_config_is_an_error() {
        let err = scope(None, Some(Path::new("/nonexistent/appaudit.toml")));
        assert!(err.is_err_and(|e| format!("{e:#}").contains("/nonexistent/appaudit.toml")));
    }
}
