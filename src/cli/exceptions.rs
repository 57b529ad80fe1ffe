//! `appaudit exceptions check`: validate an exceptions file without scanning.

use super::rules::{ListFormat, conclude_check};
use super::{Context, EXIT_ERROR, RuleArgs};
use crate::rules::diagnostic::render_text;
use anyhow::Result;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum ExceptionsCommand {
    /// Validate an exceptions file (against the rules it names) without scanning.
    Check {
        /// The exceptions file (YAML, see docs/exceptions.md).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[command(flatten)]
        rules: RuleArgs,
        /// Check expiry limits and past expiries on this day (YYYY-MM-DD) instead of today.
        #[arg(long, value_name = "DATE", env = "APPAUDIT_AS_OF", value_parser = super::audit::parse_day)]
        as_of: Option<String>,
        /// `table` renders diagnostics for people; `json` lists them for tools.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
}

pub fn run(cmd: ExceptionsCommand, ctx: &Context) -> Result<i32> {
    let ExceptionsCommand::Check {
        file,
        rules,
        as_of,
        format,
    } = cmd;
    let loaded_rules = crate::rules::load(&rules.load_options());
    let Some(set) = &loaded_rules.rules else {
        eprint!(
            "{}",
            render_text(
                &loaded_rules.diagnostics,
                &loaded_rules.sources,
                ctx.color_err
            )
        );
        eprintln!("appaudit: error: the rules could not be loaded");
        return Ok(EXIT_ERROR);
    };
    let as_of = as_of.unwrap_or_else(crate::rules::policy::today);
    let loaded = crate::exceptions::load(&file, set, &as_of);
    let ok = loaded.set.as_ref().map(|set| {
        format!(
            "ok: {} exception(s), checked on {as_of}",
            set.exceptions.len()
        )
    });
    conclude_check(&loaded.diagnostics, &loaded.sources, ok, format, ctx)
}
