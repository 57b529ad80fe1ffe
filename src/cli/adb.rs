//! `appaudit adb`: scan the devices attached to the local adb server. The scan is the
//! library's ([`crate::scan::run_live`]); this command only reads arguments and prints.

use super::audit::{self, AuditArgs};
use super::{Context, EXIT_ERROR};
use crate::collect::android::adb::Adb;
use crate::collect::live::LiveRequest;
use crate::scan::{Progress, ScanRequest};
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

pub fn run(args: &AdbArgs, ctx: &Context) -> Result<i32> {
    let prepared = match audit::prepare(&args.audit, ctx) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let live = LiveRequest {
        adb: Adb {
            program: args.adb.clone(),
            timeout: Duration::from_secs(args.timeout),
        },
        serials: args.serials.clone(),
        save: args.save.clone(),
    };
    let request = ScanRequest {
        filter: prepared.filter.clone(),
        inventory: args.audit.inventory,
        ..ScanRequest::default()
    };
    let notes = Notes { quiet: ctx.quiet };
    match crate::scan::run_live(&live, &request, &prepared.matcher, &notes) {
        Ok(result) => audit::conclude(result, &args.audit, ctx, &prepared),
        Err(e) => {
            eprintln!("appaudit: error: {e}");
            Ok(EXIT_ERROR)
        }
    }
}
