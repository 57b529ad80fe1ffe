//! Command-line definitions and one module per command. This layer turns
//! arguments into library calls and outcomes into exit codes; it holds no logic
//! of its own.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;

mod adb;
mod audit;
mod config;
mod exceptions;
mod ios;
mod meta;
mod output;
mod progress;
mod rules;
mod scan;
mod values;

/// Exit codes, as documented in the README.
pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_FOUND: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "appaudit",
    version,
    about = "Find apps covered by laws, orders and contract clauses on a device, with evidence",
    long_about = "Find apps covered by laws, executive orders and contract clauses (FAR 52.204-27, \
EO 13942/13943/13971, ...) on Android phones (saved package dumps, adb captures, androidqf, \
bugreports), iPhones and iPads (backups, app listings, live over USB), macOS, Windows and Linux \
machines and disk images, and osquery, Fleet and CSV inventories; with the legal context and \
the evidence line.\n\n\
Exit codes: 0 no covered app installed and every input read; 1 a covered app found; \
2 an input or rule file could not be read, or the scan could not run (2 outranks 1)."
)]
pub struct Cli {
    /// More detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Only errors on stderr; no progress.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// When to colour output for people.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// `auto` colours only a terminal, and never when NO_COLOR is set.
    pub fn enabled(self, is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan dumps and captures for covered apps.
    Scan(scan::ScanArgs),
    /// Scan the Android devices attached over adb (read-only), optionally saving the captures.
    Adb(adb::AdbArgs),
    /// Scan the iPhones and iPads attached over USB (read-only), optionally saving the captures.
    Ios(ios::IosArgs),
    /// Check, list and show rules.
    #[command(subcommand)]
    Rules(rules::RulesCommand),
    /// Policies: named selections of regimes for a kind of user.
    #[command(subcommand)]
    Policies(rules::PoliciesCommand),
    /// Approved exceptions that expire (see docs/exceptions.md).
    #[command(subcommand)]
    Exceptions(exceptions::ExceptionsCommand),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) to stdout.
    Completions(meta::CompletionsArgs),
    /// Write the man pages (appaudit.1, appaudit-scan.1, ...) into a folder.
    #[command(hide = true)]
    Man(meta::ManArgs),
}

/// Which rules to load; shared by every command that reads rules.
#[derive(Args, Debug, Clone, Default)]
pub struct RuleArgs {
    /// Add a rule file or a folder of .yaml rule files (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// Do not load the rules embedded in appaudit.
    #[arg(long)]
    pub no_default_rules: bool,
}

impl RuleArgs {
    pub fn load_options(&self) -> crate::rules::LoadOptions {
        crate::rules::LoadOptions {
            paths: self.rules.clone(),
            no_default_rules: self.no_default_rules,
        }
    }
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayVersion => {
            // The long line needs the rules loaded, so only `--version` pays for it.
            println!("{}", meta::version_line());
            return EXIT_CLEAN;
        }
        Err(e) => {
            let code = if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            };
            let _ = e.print();
            return code;
        }
    };
    init_logging(cli.verbose, cli.quiet);
    let color_out = cli.color.enabled(std::io::stdout().is_terminal());
    let color_err = cli.color.enabled(std::io::stderr().is_terminal());
    let ctx = Context {
        color_out,
        color_err,
        quiet: cli.quiet,
    };
    let result = match cli.command {
        Command::Scan(args) => scan::run(&args, &ctx),
        Command::Adb(args) => adb::run(&args, &ctx),
        Command::Ios(args) => ios::run(&args, &ctx),
        Command::Rules(cmd) => rules::run_rules(cmd, &ctx),
        Command::Policies(cmd) => rules::run_policies(cmd, &ctx),
        Command::Exceptions(cmd) => exceptions::run(cmd, &ctx),
        Command::Completions(args) => meta::completions(&args),
        Command::Man(args) => meta::man(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => EXIT_CLEAN,
        Err(e) => {
            eprintln!("appaudit: error: {e:#}");
            EXIT_ERROR
        }
    }
}

/// What every command needs to know about the terminal.
pub struct Context {
    pub color_out: bool,
    pub color_err: bool,
    pub quiet: bool,
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn init_logging(verbose: u8, quiet: bool) {
    use tracing_subscriber::EnvFilter;
    let default = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("appaudit={default}")));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}
