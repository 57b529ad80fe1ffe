//! What every auditing command shares (`scan`, `adb`): which rules and policy,
//! which report, and turning the result into a report and an exit code.

use super::{Context, EXIT_CLEAN, EXIT_ERROR, EXIT_FOUND, RuleArgs, output};
use crate::matcher::Matcher;
use crate::report::{Format, ReportOptions, reporter};
use crate::rules::diagnostic::render_text;
use crate::rules::policy::RegimeFilter;
use crate::scan::{Outcome, ScanResult};
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug, Clone)]
pub struct AuditArgs {
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Report only findings under this policy's regimes (see `appaudit policies list`).
    #[arg(long, value_name = "NAME")]
    pub policy: Option<String>,
    /// Report format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also list every app of every device (JSON `apps`).
    #[arg(long)]
    pub inventory: bool,
}

/// The compiled rules and the regimes to report.
pub struct Prepared {
    pub matcher: Matcher,
    pub filter: RegimeFilter,
}

/// Loads and compiles the rules and resolves the policy. On failure the problem
/// has been printed and the exit code is returned.
pub fn prepare(args: &AuditArgs, ctx: &Context) -> Result<Prepared, i32> {
    let loaded = crate::rules::load(&args.rules.load_options());
    if (!loaded.diagnostics.is_empty() && !ctx.quiet) || loaded.has_errors() {
        eprint!(
            "{}",
            render_text(&loaded.diagnostics, &loaded.sources, ctx.color_err)
        );
    }
    let Some(rules) = loaded.rules else {
        eprintln!("appaudit: error: the rules could not be loaded; nothing was scanned");
        return Err(EXIT_ERROR);
    };
    let filter = match &args.policy {
        Some(name) => RegimeFilter::for_policy(&rules, name).map_err(|message| {
            eprintln!("appaudit: error: {message}");
            EXIT_ERROR
        })?,
        None => RegimeFilter::all(),
    };
    let matcher = Matcher::new(rules).map_err(|message| {
        eprintln!("appaudit: error: {message}");
        EXIT_ERROR
    })?;
    Ok(Prepared { matcher, filter })
}

/// Writes the report and maps the outcome to the exit code.
pub fn finish(result: &ScanResult, args: &AuditArgs, ctx: &Context) -> Result<i32> {
    let options = ReportOptions {
        color: ctx.color_out && args.output.is_none(),
        inventory: args.inventory,
    };
    let report = reporter(args.format, options);
    output::emit(args.output.as_deref(), |out| report.write(result, out))?;
    Ok(match result.outcome() {
        Outcome::Clean => EXIT_CLEAN,
        Outcome::Found => EXIT_FOUND,
        Outcome::Incomplete => EXIT_ERROR,
    })
}
