//! What packages and shells need from the program itself: the version line with the
//! built-in rules, shell completions and man pages, all generated from the clap
//! definitions so they never drift from the real options.

use super::{Cli, EXIT_CLEAN};
use anyhow::{Context as _, Result};
use clap::{Args, CommandFactory};
use clap_complete::Shell;
use std::io::Write;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Args, Debug)]
pub struct ManArgs {
    /// The folder to write `appaudit.1` and one page per subcommand into (created if absent).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `appaudit 0.1.0 (rules reviewed 2026-12-02: 36 regimes, 148 apps)`: the version
/// and the rules built in, as the build counted them.
pub fn version_line() -> String {
    let rules = crate::rules::builtin();
    format!(
        "{} {} (rules reviewed {}: {} regimes, {} apps)",
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
        rules.reviewed.as_deref().unwrap_or("(no date)"),
        rules.regimes,
        rules.apps
    )
}

/// `appaudit completions SHELL`: the completion script on stdout.
pub fn completions(args: &CompletionsArgs) -> Result<i32> {
    let mut cmd = Cli::command();
    // Into memory first: clap_complete panics on a write error such as a closed pipe.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, env!("CARGO_PKG_NAME"), &mut script);
    std::io::stdout().lock().write_all(&script)?;
    Ok(EXIT_CLEAN)
}

/// `appaudit man --out DIR`: `appaudit.1` and `appaudit-<subcommand>.1` for every
/// visible subcommand, nested ones too (`appaudit-rules-check.1`).
pub fn man(args: &ManArgs) -> Result<i32> {
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    clap_mangen::generate_to(Cli::command(), &args.out)
        .with_context(|| format!("cannot write man pages to {}", args.out.display()))?;
    Ok(EXIT_CLEAN)
}
