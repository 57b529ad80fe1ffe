//! `appaudit ios`: scan the iPhones and iPads attached over USB with libimobiledevice's
//! tools. The scan is the library's ([`crate::scan::run_ios`]); this command only reads
//! arguments and prints.

use super::Context;
use super::adb::run_scan;
use super::audit::AuditArgs;
use crate::collect::ios::live::IosRequest;
use crate::collect::ios::usb::Tools;
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Debug)]
pub struct IosArgs {
    /// Scan only this device (repeatable); by default every attached device.
    #[arg(long = "udid", short = 'u', value_name = "UDID")]
    pub udids: Vec<String>,
    /// Keep the raw output of every command, with a manifest.json (commands, tool
    /// versions, time, SHA-256), under DIR/<UDID>/; `appaudit scan DIR` re-runs the
    /// audit offline.
    #[arg(long, value_name = "DIR")]
    pub save: Option<PathBuf>,
    /// The idevice_id program to run (lists the devices attached).
    #[arg(
        long = "idevice-id",
        value_name = "PATH",
        env = "APPAUDIT_IDEVICE_ID",
        default_value = "idevice_id"
    )]
    pub idevice_id: PathBuf,
    /// The ideviceinfo program to run (device facts).
    #[arg(
        long,
        value_name = "PATH",
        env = "APPAUDIT_IDEVICEINFO",
        default_value = "ideviceinfo"
    )]
    pub ideviceinfo: PathBuf,
    /// The ideviceinstaller program to run (the app list; 1.1 and 1.2 are told apart).
    #[arg(
        long,
        value_name = "PATH",
        env = "APPAUDIT_IDEVICEINSTALLER",
        default_value = "ideviceinstaller"
    )]
    pub ideviceinstaller: PathBuf,
    /// Seconds each command may take before it is stopped.
    #[arg(long, value_name = "SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout: u64,
    #[command(flatten)]
    pub audit: AuditArgs,
}

pub fn run(args: &IosArgs, ctx: &Context) -> Result<i32> {
    let live = IosRequest {
        tools: Tools {
            idevice_id: args.idevice_id.clone(),
            ideviceinfo: args.ideviceinfo.clone(),
            ideviceinstaller: args.ideviceinstaller.clone(),
            timeout: Duration::from_secs(args.timeout),
        },
        udids: args.udids.clone(),
        save: args.save.clone(),
    };
    run_scan(&args.audit, ctx, |request, matcher, notes| {
        crate::scan::run_ios(&live, request, matcher, notes)
    })
}
