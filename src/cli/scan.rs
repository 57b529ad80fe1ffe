//! `appaudit scan`.

use super::{Context, EXIT_CLEAN, EXIT_ERROR, EXIT_FOUND, RuleArgs, output};
use crate::collect::InputFormat;
use crate::matcher::Matcher;
use crate::report::{Format, ReportOptions, reporter};
use crate::rules::diagnostic::render_text;
use crate::rules::policy::RegimeFilter;
use crate::scan::{Outcome, ScanRequest};
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Dump files or capture folders: `pm list packages` or `dumpsys package` output,
    /// an androidqf folder or packages.json, an unzipped bugreport, or a folder of them.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Treat every input as this format instead of detecting it from the content.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub input_format: InputFormat,
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

pub fn run(args: &ScanArgs, ctx: &Context) -> Result<i32> {
    if args.paths.is_empty() {
        eprintln!(
            "appaudit: error: no input given: name a dump file or folder, e.g. `appaudit scan packages.txt` \
(scanning the machine appaudit runs on is not available yet)"
        );
        return Ok(EXIT_ERROR);
    }
    let loaded = crate::rules::load(&args.rules.load_options());
    if (!loaded.diagnostics.is_empty() && !ctx.quiet) || loaded.has_errors() {
        eprint!(
            "{}",
            render_text(&loaded.diagnostics, &loaded.sources, ctx.color_err)
        );
    }
    let Some(rules) = loaded.rules else {
        eprintln!("appaudit: error: the rules could not be loaded; nothing was scanned");
        return Ok(EXIT_ERROR);
    };
    let filter = match &args.policy {
        Some(name) => match RegimeFilter::for_policy(&rules, name) {
            Ok(f) => f,
            Err(message) => {
                eprintln!("appaudit: error: {message}");
                return Ok(EXIT_ERROR);
            }
        },
        None => RegimeFilter::all(),
    };
    let matcher = match Matcher::new(rules) {
        Ok(m) => m,
        Err(message) => {
            eprintln!("appaudit: error: {message}");
            return Ok(EXIT_ERROR);
        }
    };
    let request = ScanRequest {
        inputs: args.paths.clone(),
        input_format: args.input_format,
        filter,
    };
    let result = crate::scan::run(&request, &matcher);
    let options = ReportOptions {
        color: ctx.color_out && args.output.is_none(),
        inventory: args.inventory,
    };
    let report = reporter(args.format, options);
    output::emit(args.output.as_deref(), |out| report.write(&result, out))?;
    Ok(match result.outcome() {
        Outcome::Clean => EXIT_CLEAN,
        Outcome::Found => EXIT_FOUND,
        Outcome::Incomplete => EXIT_ERROR,
    })
}
