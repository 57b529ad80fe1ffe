//! `appaudit scan`.

use super::audit::{self, AuditArgs};
use super::values::{InputFormat, Os};
use super::{Context, EXIT_ERROR};
use crate::collect::desktop::live;
use crate::scan::ScanRequest;
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Dump files or capture folders (`pm list packages` or `dumpsys package` output,
    /// an androidqf folder or packages.json, an unzipped bugreport), inventory exports,
    /// the root folder of a macOS, Windows or Linux machine (a mounted image, a copied
    /// tree), or a folder of them. With none, the machine appaudit runs on is scanned.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The root folder of another machine (same as giving DIR as a PATH).
    #[arg(long, value_name = "DIR")]
    pub root: Vec<PathBuf>,
    /// Read folders as machine roots of this system instead of detecting it from the layout.
    #[arg(long, value_enum)]
    pub os: Option<Os>,
    /// Stay on the file system of each folder walked under a machine root (the default).
    #[arg(long, overrides_with = "cross_file_systems")]
    pub one_file_system: bool,
    /// Let walks under a machine root go into other mounted file systems.
    #[arg(long, overrides_with = "one_file_system")]
    pub cross_file_systems: bool,
    /// Treat every input as this format instead of detecting it from the content.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub input_format: InputFormat,
    #[command(flatten)]
    pub audit: AuditArgs,
}

pub fn run(args: &ScanArgs, ctx: &Context) -> Result<i32> {
    let mut inputs: Vec<PathBuf> = args.paths.iter().chain(&args.root).cloned().collect();
    let live = inputs.is_empty();
    let mut os = args.os.map(crate::collect::desktop::Os::from);
    if live {
        // This machine: its real root, read by the collectors of its own system.
        let Some(host) = os.or_else(live::host_os) else {
            eprintln!(
                "appaudit: error: no input given, and this system is not one appaudit can scan \
live: name a dump file or folder, or pass --os"
            );
            return Ok(EXIT_ERROR);
        };
        os = Some(host);
        inputs.push(live::root());
    }
    let prepared = match audit::prepare(&args.audit, ctx) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let request = ScanRequest {
        inputs,
        input_format: args.input_format.into(),
        filter: prepared.filter.clone(),
        inventory: args.audit.keeps_inventory(),
        os,
        cross_file_systems: args.cross_file_systems && !args.one_file_system,
        live,
    };
    let progress = super::progress::Bar::new(ctx);
    let result = crate::scan::run(&request, &prepared.matcher, &progress);
    let code = audit::conclude(result, &args.audit, ctx, &prepared);
    // The process ends right after this: freeing the rules and the matcher piece by
    // piece (8% of a scan of one line) would only delay the exit. They hold memory only.
    std::mem::forget(prepared);
    code
}
