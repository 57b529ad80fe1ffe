//! `appaudit scan`.

use super::audit::{self, AuditArgs};
use super::{Context, EXIT_ERROR};
use crate::collect::InputFormat;
use crate::scan::ScanRequest;
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
    pub audit: AuditArgs,
}

pub fn run(args: &ScanArgs, ctx: &Context) -> Result<i32> {
    if args.paths.is_empty() {
        eprintln!(
            "appaudit: error: no input given: name a dump file or folder, e.g. `appaudit scan packages.txt` \
(scanning the machine appaudit runs on is not available yet)"
        );
        return Ok(EXIT_ERROR);
    }
    let prepared = match audit::prepare(&args.audit, ctx) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let request = ScanRequest {
        inputs: args.paths.clone(),
        input_format: args.input_format,
        filter: prepared.filter.clone(),
        inventory: args.audit.inventory,
    };
    let progress = super::progress::Bar::new(ctx);
    let result = crate::scan::run(&request, &prepared.matcher, &progress);
    audit::conclude(result, &args.audit, ctx, &prepared)
}
