//! `appaudit adb`: scan the devices attached to the local adb server. The scan is the
//! library's ([`crate::scan::run_live`]); this command only reads arguments and prints.

use super::audit::{self, AuditArgs};
use super::{Context, EXIT_ERROR};
use crate::collect::android::adb::Adb;
use crate::collect::live::LiveRequest;
use crate::matcher::Matcher;
use crate::scan::{Progress, ScanRequest, ScanResult};
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Debug)]
pub struct AdbArgs {
    /// Scan only this device (repeatable); by default every attached device.
    #[arg(long = "serial", short = 's', value_name = "SERIAL")]
    pub serials: Vec<String>,
    /// Keep the raw output of every command, with a manifest.json (command, time,
    /// SHA-256), under DIR/<serial>/; `appaudit scan DIR` re-runs the audit offline.
    #[arg(long, value_name = "DIR")]
    pub save: Option<PathBuf>,
    /// The adb program to run.
    #[arg(long, value_name = "PATH", env = "APPAUDIT_ADB", default_value = "adb")]
    pub adb: PathBuf,
    /// Seconds each adb command may take before it is stopped.
    #[arg(long, value_name = "SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout: u64,
    #[command(flatten)]
    pub audit: AuditArgs,
}

/// Notes for people on stderr, unless `-q` (`appaudit ios` prints them too).
pub(super) struct Notes {
    pub(super) quiet: bool,
}

impl Progress for Notes {
    fn note(&self, message: &str) {
        if !self.quiet {
            eprintln!("appaudit: {message}");
        }
    }
}

/// Runs a live scan (`appaudit adb`, `appaudit ios`): prepares the rules, runs
/// `scan` with notes on stderr, and prints and exits as the audit says.
pub(super) fn run_scan<E: std::fmt::Display>(
    args: &AuditArgs,
    ctx: &Context,
    scan: impl FnOnce(&ScanRequest, &Matcher, &Notes) -> Result<ScanResult, E>,
) -> Result<i32> {
    let prepared = match audit::prepare(args, ctx) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let request = ScanRequest {
        filter: prepared.filter.clone(),
        inventory: args.keeps_inventory(),
        ..ScanRequest::default()
    };
    let notes = Notes { quiet: ctx.quiet };
    match scan(&request, &prepared.matcher, &notes) {
        Ok(result) => audit::conclude(result, args, ctx, &prepared),
        Err(e) => {
            eprintln!("appaudit: error: {e}");
            Ok(EXIT_ERROR)
        }
    }
}

pub fn run(args: &AdbArgs, ctx: &Context) -> Result<i32> {
    let live = LiveRequest {
        adb: Adb {
            program: args.adb.clone(),
            timeout: Duration::from_secs(args.timeout),
        },
        serials: args.serials.clone(),
        save: args.save.clone(),
    };
    run_scan(&args.audit, ctx, |request, matcher, notes| {
        crate::scan::run_live(&live, request, matcher, notes)
    })
}
