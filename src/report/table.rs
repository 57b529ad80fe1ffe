//! `--format table`: for people. A table of covered apps per device, what left
//! data behind, what could not be read, then a one-line summary.

use super::{Report, ReportOptions, document};
use crate::model::{Confidence, Finding, RegimeRole};
use crate::model::{DeviceResult, ScanResult};
use anstyle::{AnsiColor, Style};
use comfy_table::{ContentArrangement, Table, presets};
use std::io::{self, Write};

/// `--format table`: the report for people on a terminal.
pub struct TableReport {
    /// Colour; the inventory is not shown in tables.
    pub options: ReportOptions,
}

/// Above this many devices, devices with nothing to say are only counted.
const FLEET_DEVICES: usize = 20;

const BOLD: Style = Style::new().bold();
const RED: Style = AnsiColor::Red.on_default().bold();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const GREEN: Style = AnsiColor::Green.on_default();

impl TableReport {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.options.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }

    /// Covered apps across a fleet, and what the baseline says is gone.
    fn fleet_and_baseline(
        &self,
        result: &ScanResult,
        s: &document::Summary,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        if s.devices > 1 && !s.by_app.is_empty() {
            writeln!(
                out,
                "{}",
                self.paint(BOLD, "Covered apps across the fleet:")
            )?;
            for a in &s.by_app {
                writeln!(
                    out,
                    "  {:<32} {} device{}",
                    a.name,
                    a.devices,
                    plural(a.devices)
                )?;
            }
            writeln!(out)?;
        }
        if let Some(removed) = &result.removed {
            writeln!(
                out,
                "Baseline: only findings new since it are shown; {} removed since:",
                removed.len()
            )?;
            for r in removed {
                writeln!(out, "  {} on {} ({})", r.app_id, r.device, r.rule_id)?;
            }
            writeln!(out)?;
        }
        Ok(())
    }

    /// What could not be read, and what was passed over.
    fn problems(&self, result: &ScanResult, out: &mut dyn Write) -> io::Result<()> {
        if !result.errors.is_empty() {
            writeln!(out, "{}", self.paint(RED, "Could not be read:"))?;
            for e in &result.errors {
                writeln!(out, "  {}: {}", e.path, e.message)?;
            }
            writeln!(out)?;
        }
        if !result.skipped.is_empty() {
            writeln!(out, "Passed over (not a recognised input):")?;
            for e in &result.skipped {
                writeln!(out, "  {}: {}", e.path, e.message)?;
            }
            writeln!(out)?;
        }
        Ok(())
    }

    fn device(&self, d: &DeviceResult, out: &mut dyn Write) -> io::Result<()> {
        let dev = &d.device;
        let mut facts = vec![
            dev.platform.to_string(),
            dev.format.clone(),
            format!("{} apps", d.apps_scanned),
        ];
        facts.extend(
            dev.properties
                .iter()
                .filter(|(k, _)| k == "model" || k == "android_version" || k == "ios_version")
                .map(|(k, v)| format!("{k} {v}")),
        );
        // How old the evidence is: a backup can be months old.
        if let Some((_, date)) = dev.properties.iter().find(|(k, _)| k == "last_backup_date") {
            facts.push(format!("backed up {date}"));
        }
        writeln!(
            out,
            "{} {}  ({})",
            self.paint(BOLD, "Device"),
            self.paint(BOLD, &dev.name),
            facts.join(", ")
        )?;
        writeln!(out, "  source: {}", dev.source)?;
        if d.findings.is_empty() {
            writeln!(out, "  {}", self.paint(GREEN, "no covered app installed"))?;
        } else {
            writeln!(out, "{}", findings_table(&d.findings))?;
            for f in &d.findings {
                for feature in &f.features {
                    writeln!(out, "  note: {}", feature.text)?;
                }
                if let Some(e) = &f.exception {
                    let style = if e.is_applied() { GREEN } else { YELLOW };
                    let what = format!("{} ({}):", f.rule.name, f.app.id);
                    writeln!(out, "  {what} {}", self.paint(style, &e.describe()))?;
                }
            }
        }
        if !d.data_left_behind.is_empty() {
            writeln!(
                out,
                "  {}",
                self.paint(
                    YELLOW,
                    "data left behind (covered, but installed for no user):"
                )
            )?;
            for f in &d.data_left_behind {
                writeln!(
                    out,
                    "    {} ({}) {}",
                    f.rule.name,
                    f.app.id,
                    evidence_place(f)
                )?;
            }
        }
        for w in &dev.warnings {
            writeln!(out, "  {} {w}", self.paint(YELLOW, "warning:"))?;
        }
        writeln!(out)
    }
}

impl Report for TableReport {
    fn write(&self, result: &ScanResult, out: &mut dyn Write) -> Result<(), super::ReportError> {
        writeln!(out, "{}\n", result.context.scope_line())?;
        // In a fleet, clean devices are counted, not listed one by one.
        let fleet = result.devices.len() > FLEET_DEVICES;
        let mut clean = 0usize;
        for d in &result.devices {
            let quiet = d.findings.is_empty()
                && d.data_left_behind.is_empty()
                && d.device.warnings.is_empty();
            if fleet && quiet {
                clean += 1;
            } else {
                self.device(d, out)?;
            }
        }
        if clean > 0 {
            writeln!(
                out,
                "{} device{} with no covered app installed (not listed).\n",
                clean,
                plural(clean)
            )?;
        }
        self.problems(result, out)?;
        super::exception_lines(result, |line| writeln!(out, "{line}"))?;
        let s = document::summary(result);
        self.fleet_and_baseline(result, &s, out)?;
        let found = format!(
            "{} covered app{} found ({} confirmed, {} to review)",
            s.findings,
            plural(s.findings),
            s.confirmed,
            s.review
        );
        let found = if s.findings > 0 {
            self.paint(RED, &found)
        } else {
            self.paint(GREEN, &found)
        };
        let unread = format!("{} input{} could not be read", s.errors, plural(s.errors));
        let unread = if s.errors > 0 {
            self.paint(RED, &unread)
        } else {
            unread
        };
        let excepted = s
            .excepted
            .map(|n| format!(", {n} excepted"))
            .unwrap_or_default();
        writeln!(
            out,
            "Scanned {} device{}, {} apps: {found}{excepted}; {unread}.",
            s.devices,
            plural(s.devices),
            s.apps_scanned
        )?;
        let freshness = result.context.freshness_line();
        if result.context.rules_stale_days.is_some() {
            writeln!(out, "{}", self.paint(YELLOW, &freshness))?;
        } else {
            writeln!(out, "{freshness}")?;
        }
        Ok(())
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn findings_table(findings: &[Finding]) -> Table {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(vec![
            "Covered app",
            "Identifier",
            "Version",
            "Regimes",
            "Confidence",
            "Evidence",
        ]);
    for f in findings {
        let mut regimes: Vec<String> = Vec::new();
        let binding = f.regimes.iter().any(|r| r.role == RegimeRole::Binding);
        for r in &f.regimes {
            // Binding regimes come first; a marker parts them from the context.
            if binding && r.role == RegimeRole::Context && !regimes.iter().any(|l| l == CONTEXT) {
                regimes.push(CONTEXT.to_string());
            }
            let mut line = r.line();
            if let Some(v) = &r.via_feature {
                line = line.replacen(':', &format!(" (via {v}):"), 1);
            }
            if r.coverage == "possible" {
                line = line.replacen(':', " [possible]:", 1);
            }
            regimes.push(line);
        }
        let confidence = match (&f.confidence, &f.reason) {
            (Confidence::Review, Some(reason)) => format!("review: {reason}"),
            (c, _) => c.as_str().to_string(),
        };
        let users: Vec<String> = f
            .app
            .users
            .iter()
            .filter(|u| u.installed != Some(false))
            .map(|u| match &u.profile {
                Some(p) => format!("{} ({p})", u.user),
                None => u.user.to_string(),
            })
            .collect();
        let mut ident = f.app.id.clone();
        if !users.is_empty() {
            ident.push_str(&format!("\nuser {}", users.join(", ")));
        }
        if f.matched.field != "id" {
            ident.push_str(&format!(
                "\nmatched on {} `{}`",
                f.matched.field.replace('_', " "),
                f.matched.value
            ));
        }
        let version = match (&f.app.version, &f.app.build) {
            (Some(v), Some(b)) => format!("{v} ({b})"),
            (Some(v), None) => v.clone(),
            (None, Some(b)) => b.clone(),
            (None, None) => "-".to_string(),
        };
        table.add_row(vec![
            f.rule.name.clone(),
            ident,
            version,
            regimes.join("\n"),
            confidence,
            evidence_cell(f),
        ]);
    }
    table
}

/// Parts binding regimes from context ones in a finding's regime cell.
const CONTEXT: &str = "context:";

fn evidence_place(f: &Finding) -> String {
    match f.app.evidence.first() {
        Some(e) => match e.line {
            Some(l) => format!("{}:{l}", e.path),
            None => e.path.clone(),
        },
        None => "-".to_string(),
    }
}

fn evidence_cell(f: &Finding) -> String {
    let mut cell = evidence_place(f);
    if let Some(excerpt) = f.app.evidence.first().and_then(|e| e.excerpt.as_ref()) {
        let short: String = excerpt.chars().take(60).collect();
        let ellipsis = if excerpt.chars().count() > 90 {
            "…"
        } else {
            ""
        };
        cell.push_str(&format!("\n{short}{ellipsis}"));
    }
    if f.app.evidence.len() > 1 {
        cell.push_str(&format!("\n(+{} more)", f.app.evidence.len() - 1));
    }
    cell
}
