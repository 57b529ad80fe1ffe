//! `appaudit rules check|list|show` and `appaudit policies list`.

use super::{Context, EXIT_CLEAN, EXIT_ERROR, RuleArgs, output};
use crate::rules::diagnostic::{Diagnostic, Sources, render_text};
use crate::rules::{Loaded, RuleKind, RuleSet};
use anyhow::Result;
use clap::{Subcommand, ValueEnum};
use comfy_table::{ContentArrangement, Table, presets};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum ListFormat {
    #[default]
    Table,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// Validate rule files (with the embedded rules they may refer to) without scanning.
    Check {
        /// Rule files or folders to check.
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Check PATH alone, without the embedded rules.
        #[arg(long)]
        no_default_rules: bool,
        /// `table` renders diagnostics for people; `json` lists them for tools.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// List the loaded regimes and covered apps.
    List {
        #[command(flatten)]
        rules: RuleArgs,
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Show one covered app (identifiers, regimes, sources) or one regime.
    Show {
        /// An app rule id (e.g. `tiktok`) or a regime id (e.g. `us-far-52.204-27`).
        id: String,
        #[command(flatten)]
        rules: RuleArgs,
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Write the covered apps for osquery, Fleet, Intune, the Android Management API or
    /// MVT (see docs/exports.md).
    Export {
        /// What to write (see docs/exports.md).
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Only the apps covered by this policy's regimes (see `appaudit policies list`).
        #[arg(long, value_name = "NAME")]
        policy: Option<String>,
        #[command(flatten)]
        rules: RuleArgs,
        /// Write to FILE instead of stdout.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// What `rules export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// An osquery pack (JSON): one query per covered app and osquery table.
    OsqueryPack,
    /// Fleet GitOps policies (YAML): a host passes when no covered app is installed.
    FleetPolicies,
    /// Intune iOS and Android compliance policies (Graph JSON) with the covered apps as
    /// restricted apps.
    IntuneRestrictedApps,
    /// An Android Management API policy fragment (JSON) that blocks the covered packages.
    AndroidManagementPolicy,
    /// A STIX 2.1 bundle of the covered app ids, for MVT's `--iocs`.
    Stix2,
}

#[derive(Subcommand, Debug)]
pub enum PoliciesCommand {
    /// List the policies and the regimes each selects.
    List {
        #[command(flatten)]
        rules: RuleArgs,
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
}

pub fn run_rules(cmd: RulesCommand, ctx: &Context) -> Result<i32> {
    match cmd {
        RulesCommand::Check {
            paths,
            no_default_rules,
            format,
        } => check(paths, no_default_rules, format, ctx),
        RulesCommand::List { rules, format } => with_rules(&rules, ctx, |set| list(set, format)),
        RulesCommand::Show { id, rules, format } => {
            with_rules(&rules, ctx, |set| show(set, &id, format))
        }
        RulesCommand::Export {
            format,
            policy,
            rules,
            output,
        } => with_rules(&rules, ctx, |set| {
            export(set, format, policy.as_deref(), output.as_deref())
        }),
    }
}

pub fn run_policies(cmd: PoliciesCommand, ctx: &Context) -> Result<i32> {
    match cmd {
        PoliciesCommand::List { rules, format } => {
            with_rules(&rules, ctx, |set| policies(set, format))
        }
    }
}

fn print_diagnostics(loaded: &Loaded, ctx: &Context) {
    if !loaded.diagnostics.is_empty() {
        eprint!(
            "{}",
            render_text(&loaded.diagnostics, &loaded.sources, ctx.color_err)
        );
    }
}

/// Loads rules, reports problems, and runs `f` when they loaded.
fn with_rules(
    args: &RuleArgs,
    ctx: &Context,
    f: impl FnOnce(&RuleSet) -> Result<i32>,
) -> Result<i32> {
    let loaded = crate::rules::load(&args.load_options());
    print_diagnostics(&loaded, ctx);
    match &loaded.rules {
        Some(set) => f(set),
        None => Ok(EXIT_ERROR),
    }
}

fn check(
    paths: Vec<PathBuf>,
    no_default_rules: bool,
    format: ListFormat,
    ctx: &Context,
) -> Result<i32> {
    let loaded = crate::rules::load(&crate::rules::LoadOptions {
        paths,
        no_default_rules,
    });
    let ok = loaded.rules.as_ref().map(|set| {
        format!(
            "ok: {} regimes, {} covered apps, {} policies",
            set.regimes.len(),
            set.apps.len(),
            set.policies.len()
        )
    });
    conclude_check(&loaded.diagnostics, &loaded.sources, ok, format, ctx)
}

/// Ends a `check` command: prints the diagnostics as `format` asks, then for people
/// `ok` (what was loaded, when it loaded) or the numbers of problems; exit 2 on errors.
pub(super) fn conclude_check(
    diagnostics: &[Diagnostic],
    sources: &Sources,
    ok: Option<String>,
    format: ListFormat,
    ctx: &Context,
) -> Result<i32> {
    if let Some((errors, warnings)) = report_diagnostics(diagnostics, sources, format, ctx)? {
        match ok {
            Some(ok) => println!("{ok}; {warnings} warning(s)"),
            None => eprintln!("{errors} error(s), {warnings} warning(s)"),
        }
    }
    Ok(if crate::rules::diagnostic::any_error(diagnostics) {
        EXIT_ERROR
    } else {
        EXIT_CLEAN
    })
}

/// Prints diagnostics as `format` asks: rendered on stderr for people (then returns
/// the numbers of errors and warnings, for a closing line), or as JSON on stdout.
pub(super) fn report_diagnostics(
    diagnostics: &[Diagnostic],
    sources: &Sources,
    format: ListFormat,
    ctx: &Context,
) -> Result<Option<(usize, usize)>> {
    if format == ListFormat::Json {
        output::emit(None, |out| {
            serde_json::to_writer_pretty(&mut *out, diagnostics).map_err(std::io::Error::other)?;
            writeln!(out)
        })?;
        return Ok(None);
    }
    if !diagnostics.is_empty() {
        eprint!("{}", render_text(diagnostics, sources, ctx.color_err));
    }
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == crate::rules::Severity::Error)
        .count();
    Ok(Some((errors, diagnostics.len() - errors)))
}

fn table(header: Vec<&str>) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header);
    t
}

fn list(set: &RuleSet, format: ListFormat) -> Result<i32> {
    if format == ListFormat::Json {
        output::emit(None, |out| {
            serde_json::to_writer_pretty(&mut *out, set).map_err(std::io::Error::other)?;
            writeln!(out)
        })?;
        return Ok(EXIT_CLEAN);
    }
    let mut regimes = table(vec![
        "Regime", "Kind", "Date", "Status", "Binds", "Reviewed",
    ]);
    for r in &set.regimes {
        regimes.add_row(vec![
            r.id.clone(),
            r.kind.map_or("unspecified", |k| k.as_str()).to_string(),
            r.date.clone(),
            r.describe_status(&r.status),
            r.applies_to.clone(),
            r.last_reviewed.clone().unwrap_or_else(|| "-".to_string()),
        ]);
    }
    let mut apps = table(vec![
        "App rule",
        "Name",
        "Kind",
        "Platforms",
        "Identifiers",
        "Regimes",
    ]);
    for a in &set.apps {
        let mut platforms: Vec<&str> = a.identifiers.iter().map(|i| i.platform.as_str()).collect();
        platforms.sort();
        platforms.dedup();
        apps.add_row(vec![
            a.id.clone(),
            a.name.clone(),
            kind(a.kind).to_string(),
            platforms.join(", "),
            a.identifiers.len().to_string(),
            a.regimes
                .iter()
                .map(|r| r.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ]);
    }
    output::emit(None, |out| {
        writeln!(out, "Regimes ({})\n{regimes}\n", set.regimes.len())?;
        if let Some(date) = set.reviewed_as_of() {
            writeln!(out, "Rules reviewed as of {date}.\n")?;
        }
        writeln!(out, "Covered apps ({})\n{apps}", set.apps.len())
    })?;
    Ok(EXIT_CLEAN)
}

fn kind(k: RuleKind) -> &'static str {
    match k {
        RuleKind::App => "app",
        RuleKind::Vendor => "vendor",
    }
}

/// `rules show APP`: its identifiers, regimes (with the app's own status and
/// owners), features and notes.
fn show_app(set: &RuleSet, app: &crate::rules::AppRule, format: ListFormat) -> Result<i32> {
    if format == ListFormat::Json {
        output::emit(None, |out| {
            serde_json::to_writer_pretty(&mut *out, app).map_err(std::io::Error::other)?;
            writeln!(out)
        })?;
        return Ok(EXIT_CLEAN);
    }
    let mut idents = table(vec![
        "Platform",
        "Field",
        "Match",
        "Value",
        "Confidence",
        "Note",
    ]);
    for i in &app.identifiers {
        idents.add_row(vec![
            i.platform.to_string(),
            i.field.as_str().to_string(),
            i.pattern.kind().to_string(),
            i.pattern.text().to_string(),
            i.confidence.as_str().to_string(),
            i.note.clone().unwrap_or_default(),
        ]);
    }
    output::emit(None, |out| {
        writeln!(out, "{} ({}), {} rule", app.name, app.id, kind(app.kind))?;
        if let Some(v) = &app.vendor {
            writeln!(out, "vendor: {v}")?;
        }
        writeln!(out, "defined in: {}", app.origin)?;
        writeln!(out, "{idents}")?;
        writeln!(out, "Regimes:")?;
        for r in &app.regimes {
            let regime = set.regime(&r.id);
            let status = regime
                .map(|x| x.describe_status(r.status.as_ref().unwrap_or(&x.status)))
                .unwrap_or_default();
            writeln!(
                out,
                "  {} [{status}]: {}",
                r.id,
                regime.map(|x| x.title.as_str()).unwrap_or("")
            )?;
            if let Some(owner) = &r.through_owner {
                writeln!(out, "      only while owned by {owner}")?;
            }
            if let Some(note) = &r.note {
                writeln!(out, "      note: {note}")?;
            }
            let sources = regime.map(|x| x.sources.as_slice()).unwrap_or(&[]);
            for s in sources.iter().chain(&r.status_sources) {
                writeln!(out, "      source: {}", s.url)?;
            }
        }
        for o in &app.owners {
            writeln!(out, "Owner: {} ({})", o.name, o.period())?;
        }
        for f in &app.features {
            writeln!(
                out,
                "Feature inside it: {} ({})",
                f.name,
                f.regimes.join(", ")
            )?;
        }
        if let Some(n) = &app.notes {
            writeln!(out, "Notes: {n}")?;
        }
        Ok(())
    })?;
    Ok(EXIT_CLEAN)
}

fn show(set: &RuleSet, id: &str, format: ListFormat) -> Result<i32> {
    if let Some(app) = set.app(id) {
        return show_app(set, app, format);
    }
    if let Some(regime) = set.regime(id) {
        if format == ListFormat::Json {
            output::emit(None, |out| {
                serde_json::to_writer_pretty(&mut *out, regime).map_err(std::io::Error::other)?;
                writeln!(out)
            })?;
            return Ok(EXIT_CLEAN);
        }
        let covered: Vec<&str> = set
            .apps
            .iter()
            .filter(|a| {
                a.regimes.iter().any(|r| r.id == regime.id)
                    || a.features.iter().any(|f| f.regimes.contains(&regime.id))
            })
            .map(|a| a.id.as_str())
            .collect();
        output::emit(None, |out| {
            writeln!(out, "{} ({})", regime.title, regime.id)?;
            writeln!(out, "instrument: {}", regime.instrument)?;
            writeln!(
                out,
                "kind: {}   date: {}   issuer: {}",
                regime.kind.map_or("unspecified", |k| k.as_str()),
                regime.date,
                regime.issuer
            )?;
            writeln!(out, "status: {}", regime.describe_status(&regime.status))?;
            writeln!(out, "binds: {}", regime.binds)?;
            if let Some(reviewed) = &regime.last_reviewed {
                writeln!(out, "last reviewed: {reviewed}")?;
            }
            if let Some(notes) = &regime.notes {
                writeln!(out, "notes: {notes}")?;
            }
            for s in &regime.sources {
                writeln!(out, "source: {}", s.url)?;
            }
            writeln!(out, "covers: {}", covered.join(", "))
        })?;
        return Ok(EXIT_CLEAN);
    }
    eprintln!("appaudit: error: no app rule or regime with id `{id}` (see `appaudit rules list`)");
    Ok(EXIT_ERROR)
}

fn export(
    set: &RuleSet,
    format: ExportFormat,
    policy: Option<&str>,
    output: Option<&std::path::Path>,
) -> Result<i32> {
    use crate::rules::export;
    use crate::rules::policy::RegimeFilter;
    let filter = match policy {
        Some(id) => match RegimeFilter::for_policy(set, id) {
            Ok(filter) => filter,
            Err(message) => {
                eprintln!("appaudit: error: {message}");
                return Ok(EXIT_ERROR);
            }
        },
        None => RegimeFilter::all(),
    };
    let text = match format {
        ExportFormat::OsqueryPack => export::osquery_pack_json(set, &filter),
        ExportFormat::FleetPolicies => export::fleet_policies_yaml(set, &filter),
        ExportFormat::IntuneRestrictedApps => {
            export::intune::compliance_policies_json(set, &filter)
        }
        ExportFormat::AndroidManagementPolicy => export::amapi::policy_fragment_json(set, &filter),
        ExportFormat::Stix2 => export::stix2::bundle_json(set, &filter),
    }
    .map_err(anyhow::Error::msg)?;
    output::emit(output, |out| out.write_all(text.as_bytes()))?;
    Ok(EXIT_CLEAN)
}

fn policies(set: &RuleSet, format: ListFormat) -> Result<i32> {
    if format == ListFormat::Json {
        output::emit(None, |out| {
            serde_json::to_writer_pretty(&mut *out, &set.policies)
                .map_err(std::io::Error::other)?;
            writeln!(out)
        })?;
        return Ok(EXIT_CLEAN);
    }
    let mut t = table(vec!["Policy", "Title", "Regimes"]);
    for p in &set.policies {
        t.add_row(vec![p.id.clone(), p.title.clone(), p.regimes.join("\n")]);
    }
    output::emit(None, |out| writeln!(out, "{t}"))?;
    Ok(EXIT_CLEAN)
}
