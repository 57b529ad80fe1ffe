//! What every auditing command shares (`scan`, `adb`): which rules and policy,
//! which report, and turning the result into a report and an exit code.

use super::values::Format;
use super::{Context, EXIT_CLEAN, EXIT_ERROR, EXIT_FOUND, RuleArgs, config, output};
use crate::baseline::Baseline;
use crate::exceptions::ExceptionSet;
use crate::matcher::Matcher;
use crate::model::{AuditContext, Confidence};
use crate::report::{ReportOptions, reporter};
use crate::rules::RuleSet;
use crate::rules::diagnostic::render_summarised;

/// More diagnostics of one code than this are summarised on a scan's stderr.
const SUMMARY_LIMIT: usize = 20;
use crate::rules::policy::{RegimeFilter, days_between};
use crate::scan::{Outcome, ScanResult};
use anyhow::Result;
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Args, Debug, Clone)]
pub struct AuditArgs {
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Scope the report to this policy: its regimes bind you, the rest is context, and
    /// only findings under it are reported (`appaudit policies list`; `all` for every
    /// regime). Default: APPAUDIT_POLICY, else `policy` in ./appaudit.toml, else none.
    #[arg(long, value_name = "NAME")]
    pub policy: Option<String>,
    /// Read the scope from this TOML file instead of ./appaudit.toml.
    #[arg(long, value_name = "FILE", env = "APPAUDIT_CONFIG")]
    pub config: Option<PathBuf>,
    /// Judge ownership-dependent coverage and the rules' freshness on this day
    /// (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE", env = "APPAUDIT_AS_OF", value_parser = parse_day)]
    pub as_of: Option<String>,
    /// Report format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also list every app of every device (JSON `apps`); `--format cyclonedx` always does.
    #[arg(long)]
    pub inventory: bool,
    /// Approved exceptions (YAML, see docs/exceptions.md): findings they name are shown
    /// as excepted and do not fail the run until the exception expires.
    #[arg(long, value_name = "FILE")]
    pub exceptions: Option<PathBuf>,
    /// Report only what is new since an earlier JSON report, and what was removed.
    #[arg(long, value_name = "OLD.json")]
    pub baseline: Option<PathBuf>,
    /// What makes exit code 1: `any` finding, `confirmed` findings only, findings under
    /// `policy:NAME`, or `never`.
    #[arg(long, value_name = "WHAT", default_value = "any", value_parser = parse_fail_on)]
    pub fail_on: FailOn,
}

/// Which findings make the exit code 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailOn {
    Any,
    Confirmed,
    Policy(String),
    Never,
}

impl AuditArgs {
    /// Whether the scan keeps every app: asked for, or needed by the format (a
    /// CycloneDX SBOM lists every app).
    pub fn keeps_inventory(&self) -> bool {
        self.inventory || self.format == Format::Cyclonedx
    }
}

pub(super) fn parse_day(text: &str) -> Result<String, String> {
    if crate::rules::validate::is_iso_date(text) && days_between(text, text).is_some() {
        Ok(text.to_string())
    } else {
        Err("expected a date of the form YYYY-MM-DD".to_string())
    }
}

/// Rules last reviewed longer ago than this are called stale in every report.
const FRESHNESS_DAYS: i64 = 180;

fn parse_fail_on(text: &str) -> Result<FailOn, String> {
    match text {
        "any" => Ok(FailOn::Any),
        "confirmed" => Ok(FailOn::Confirmed),
        "never" => Ok(FailOn::Never),
        _ => match text.strip_prefix("policy:") {
            Some(name) if !name.is_empty() => Ok(FailOn::Policy(name.to_string())),
            _ => Err("expected any, confirmed, never or policy:NAME".to_string()),
        },
    }
}

/// The compiled rules, the regimes to report, and what fails the run.
pub struct Prepared {
    pub matcher: Matcher,
    pub filter: RegimeFilter,
    /// With `--fail-on policy:NAME`: the regimes whose findings fail the run.
    pub fail_filter: Option<RegimeFilter>,
    pub baseline: Option<Baseline>,
    /// With `--exceptions`: the approved exceptions, checked against the rules.
    pub exceptions: Option<ExceptionSet>,
    /// What the report states about the rules and the scope.
    pub context: AuditContext,
}

/// Prints the problems of a rules or exceptions file on stderr: errors always, warnings
/// unless `-q`; more than a few of one kind are summarised, naming `check_command`.
fn show_problems(
    diagnostics: &[crate::rules::Diagnostic],
    sources: &crate::rules::Sources,
    ctx: &Context,
    check_command: &str,
) {
    let errors = crate::rules::diagnostic::any_error(diagnostics);
    if (!diagnostics.is_empty() && !ctx.quiet) || errors {
        eprint!(
            "{}",
            render_summarised(
                diagnostics,
                sources,
                ctx.color_err,
                SUMMARY_LIMIT,
                check_command
            )
        );
    }
}

/// Loads and compiles the rules and resolves the policy. On failure the problem
/// has been printed and the exit code is returned.
pub fn prepare(args: &AuditArgs, ctx: &Context) -> Result<Prepared, i32> {
    let loaded = crate::rules::load(&args.rules.load_options());
    show_problems(
        &loaded.diagnostics,
        &loaded.sources,
        ctx,
        "appaudit rules check",
    );
    let Some(rules) = loaded.rules else {
        eprintln!("appaudit: error: the rules could not be loaded; nothing was scanned");
        return Err(EXIT_ERROR);
    };
    let scope = config::scope(args.policy.as_deref(), args.config.as_deref()).map_err(|e| {
        eprintln!("appaudit: error: {e:#}");
        EXIT_ERROR
    })?;
    let mut filter = match &scope.policy {
        Some(name) => RegimeFilter::for_policy(&rules, name).map_err(|message| {
            eprintln!("appaudit: error: {message} (from {})", scope.from);
            EXIT_ERROR
        })?,
        None => RegimeFilter::all(),
    };
    if let Some(day) = &args.as_of {
        filter = filter.as_of(day.clone());
    }
    let context = audit_context(&rules, &filter, &scope);
    if let Some(days) = context.rules_stale_days
        && !ctx.quiet
    {
        eprintln!(
            "appaudit: warning: the rules were last reviewed {days} days before {} (more than {FRESHNESS_DAYS}): laws change; update appaudit or check the regimes",
            context.as_of
        );
    }
    let fail_filter = match &args.fail_on {
        FailOn::Policy(name) => {
            Some(RegimeFilter::for_policy(&rules, name).map_err(|message| {
                eprintln!("appaudit: error: --fail-on: {message}");
                EXIT_ERROR
            })?)
        }
        _ => None,
    };
    let baseline = match &args.baseline {
        Some(path) => Some(Baseline::load(path).map_err(|message| {
            eprintln!("appaudit: error: {message}");
            EXIT_ERROR
        })?),
        None => None,
    };
    let exceptions = match &args.exceptions {
        Some(path) => Some(load_exceptions(path, &rules, &context.as_of, ctx)?),
        None => None,
    };
    let matcher = Matcher::new(rules).map_err(|message| {
        eprintln!("appaudit: error: {message}");
        EXIT_ERROR
    })?;
    Ok(Prepared {
        matcher,
        filter,
        fail_filter,
        baseline,
        exceptions,
        context,
    })
}

/// Loads and checks `--exceptions` against the rules on the scan's day; prints its
/// diagnostics (errors always, warnings unless quiet). `Err(2)` when it has errors.
fn load_exceptions(
    path: &Path,
    rules: &RuleSet,
    as_of: &str,
    ctx: &Context,
) -> Result<ExceptionSet, i32> {
    let mut loaded = crate::exceptions::load(path, rules, as_of);
    // An expired exception is reported by the scan itself, with the devices it names.
    loaded
        .diagnostics
        .retain(|d| d.code != crate::rules::Code::ExceptionExpired);
    show_problems(
        &loaded.diagnostics,
        &loaded.sources,
        ctx,
        "appaudit exceptions check",
    );
    loaded.set.ok_or_else(|| {
        eprintln!("appaudit: error: the exceptions could not be loaded; nothing was scanned");
        EXIT_ERROR
    })
}

/// Marks the findings that `--exceptions` excepts; says on stderr which exceptions
/// expired and which named no finding.
fn apply_exceptions(result: &mut ScanResult, prepared: &Prepared, ctx: &Context) {
    let Some(set) = &prepared.exceptions else {
        return;
    };
    let outcome = crate::exceptions::apply(set, result, &prepared.context.as_of);
    if ctx.quiet {
        return;
    }
    for e in &outcome.expired {
        eprintln!("appaudit: warning: {}: {}", e.origin, e.message);
    }
    for e in &outcome.unused {
        eprintln!("appaudit: note: {}: {}", e.origin, e.message);
    }
}

/// Rules reviewed as of, their staleness on the filter's day, and the scope.
fn audit_context(rules: &RuleSet, filter: &RegimeFilter, scope: &config::Scope) -> AuditContext {
    let rules_reviewed = rules.reviewed_as_of().map(str::to_string);
    let rules_stale_days = rules_reviewed
        .as_deref()
        .and_then(|d| days_between(d, &filter.as_of))
        .filter(|days| *days > FRESHNESS_DAYS);
    AuditContext {
        as_of: filter.as_of.clone(),
        rules_reviewed,
        rules_stale_days,
        policy: filter.policy.clone(),
        scope_from: if filter.policy.is_some() {
            scope.from.clone()
        } else {
            "none".to_string()
        },
    }
}

/// Applies the baseline, writes the report and maps the outcome to the exit code.
pub fn conclude(
    mut result: ScanResult,
    args: &AuditArgs,
    ctx: &Context,
    prepared: &Prepared,
) -> Result<i32> {
    apply_exceptions(&mut result, prepared, ctx);
    if let Some(baseline) = &prepared.baseline {
        baseline.apply(&mut result);
    }
    result.context = prepared.context.clone();
    let options = ReportOptions {
        color: ctx.color_out && args.output.is_none(),
        inventory: args.keeps_inventory(),
        // A file does not depend on the terminal it was written from.
        width: match args.output {
            Some(_) => None,
            None => output::stdout_width(),
        },
    };
    let report = reporter(args.format.into(), options);
    output::emit(args.output.as_deref(), |out| {
        report.write(&result, out).map_err(|e| e.into_io())
    })?;
    let outcome = result.outcome_with(|f| match &args.fail_on {
        FailOn::Any => true,
        FailOn::Confirmed => f.confidence == Confidence::Confirmed,
        FailOn::Never => false,
        FailOn::Policy(_) => prepared
            .fail_filter
            .as_ref()
            .is_some_and(|filter| f.regimes.iter().any(|r| filter.selects(&r.id))),
    });
    Ok(match outcome {
        Outcome::Clean => EXIT_CLEAN,
        Outcome::Found => EXIT_FOUND,
        Outcome::Incomplete => EXIT_ERROR,
    })
}
