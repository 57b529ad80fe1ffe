//! `--format markdown`: a report to paste into a ticket or a wiki page.

use super::{Report, document};
use crate::model::{DeviceResult, ScanResult};
use crate::model::{Finding, RegimeRole};
use std::io::Write;

/// `--format markdown`: the scope and freshness lines, a summary, a table of findings
/// per device (regimes linked to their source), what could not be read.
pub struct MarkdownReport;

/// Table cells cannot hold `|` or line breaks.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn finding_row(f: &Finding) -> String {
    let regimes: Vec<String> = f
        .regimes
        .iter()
        .map(|r| {
            let role = match r.role {
                RegimeRole::Binding => "**binds you** ",
                RegimeRole::Context => "",
            };
            let line = cell(&r.line());
            match r.sources.first() {
                Some(url) => format!("{role}[{}]({url})", line),
                None => format!("{role}{line}"),
            }
        })
        .collect();
    let evidence = f
        .app
        .evidence
        .first()
        .map(|e| match e.line {
            Some(l) => format!("`{}:{l}`", cell(&e.path)),
            None => format!("`{}`", cell(&e.path)),
        })
        .unwrap_or_default();
    let mut confidence = match &f.reason {
        Some(r) => format!("{} ({})", f.confidence.as_str(), cell(r)),
        None => f.confidence.as_str().to_string(),
    };
    if let Some(e) = &f.exception {
        confidence.push_str(&format!("<br>**{}**", cell(&e.describe())));
    }
    format!(
        "| {} | `{}` | {} | {} | {} | {} |",
        cell(&f.rule.name),
        cell(&f.app.id),
        cell(
            f.app
                .version
                .as_deref()
                .or(f.app.build.as_deref())
                .unwrap_or("-")
        ),
        regimes.join("<br>"),
        confidence,
        evidence
    )
}

impl Report for MarkdownReport {
    fn write(&self, result: &ScanResult, out: &mut dyn Write) -> Result<(), super::ReportError> {
        let s = document::summary(result);
        writeln!(out, "# appaudit report\n")?;
        writeln!(out, "{}\n", result.context.scope_line())?;
        writeln!(out, "{}\n", result.context.freshness_line())?;
        let excepted = s
            .excepted
            .map(|n| format!(", {n} excepted"))
            .unwrap_or_default();
        writeln!(
            out,
            "{} device(s), {} apps scanned: **{} covered app(s) found** ({} confirmed, {} to review) on {} device(s){excepted}; {} input(s) could not be read.\n",
            s.devices,
            s.apps_scanned,
            s.findings,
            s.confirmed,
            s.review,
            s.devices_with_findings,
            s.errors
        )?;
        super::exception_lines(result, |line| writeln!(out, "{line}"))?;
        if s.devices > 1 && !s.by_app.is_empty() {
            // First what a manager asks: which covered apps, on how many devices.
            writeln!(
                out,
                "## Covered apps across the fleet\n\n| App | Rule | Devices | Confirmed | To review |\n|---|---|---:|---:|---:|"
            )?;
            for a in &s.by_app {
                writeln!(
                    out,
                    "| {} | `{}` | {} | {} | {} |",
                    cell(&a.name),
                    cell(&a.rule),
                    a.devices,
                    a.confirmed,
                    a.review
                )?;
            }
            writeln!(out)?;
        }
        for d in &result.devices {
            device(d, out)?;
        }
        if !result.errors.is_empty() {
            writeln!(out, "## Could not be read\n")?;
            for e in &result.errors {
                writeln!(out, "- `{}`: {}", cell(&e.path), cell(&e.message))?;
            }
            writeln!(out)?;
        }
        if let Some(diff) = &result.baseline {
            baseline(diff, out)?;
        }
        Ok(())
    }
}

/// A device's heading, its findings table, notes and data left behind.
fn device(d: &DeviceResult, out: &mut dyn Write) -> Result<(), super::ReportError> {
    writeln!(
        out,
        "## {} ({}, {} apps)\n\nId: `{}` (from {}). Source: `{}`\n",
        cell(&d.device.name),
        d.device.platform,
        d.apps_scanned,
        cell(&d.device.id),
        d.device.id_source,
        cell(&d.device.source)
    )?;
    if !d.device.also_from.is_empty() {
        let others: Vec<String> = d
            .device
            .also_from
            .iter()
            .map(|s| format!("`{}`", cell(s)))
            .collect();
        writeln!(
            out,
            "The same device was also read from {}.\n",
            others.join(", ")
        )?;
    }
    if d.findings.is_empty() {
        writeln!(out, "No covered app installed.\n")?;
    } else {
        writeln!(
            out,
            "| Covered app | Identifier | Version | Regimes | Confidence | Evidence |"
        )?;
        writeln!(out, "|---|---|---|---|---|---|")?;
        for f in &d.findings {
            writeln!(out, "{}", finding_row(f))?;
        }
        writeln!(out)?;
        for feature in d.findings.iter().flat_map(|f| &f.features) {
            writeln!(out, "- {}", feature.text)?;
        }
    }
    if !d.data_left_behind.is_empty() {
        writeln!(out, "Data left behind (installed for no user):\n")?;
        for f in &d.data_left_behind {
            writeln!(out, "- {} (`{}`)", cell(&f.rule.name), cell(&f.app.id))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// What the baseline says: gone, still there, not scanned this time.
fn baseline(diff: &crate::model::BaselineDiff, out: &mut dyn Write) -> std::io::Result<()> {
    for (title, list) in [
        ("Removed since the baseline", &diff.removed),
        ("Still there since the baseline", &diff.still_present),
    ] {
        if list.is_empty() {
            continue;
        }
        writeln!(out, "## {title}\n")?;
        for r in list {
            let until = r
                .excepted_until
                .as_ref()
                .map(|d| format!(", excepted until {d}"))
                .unwrap_or_default();
            writeln!(
                out,
                "- `{}` on `{}` ({}{until})",
                cell(&r.app_id),
                cell(super::baseline_device(r)),
                cell(&r.rule_id)
            )?;
        }
        writeln!(out)?;
    }
    if !diff.not_scanned.is_empty() {
        writeln!(out, "## Not scanned this time\n")?;
        for d in &diff.not_scanned {
            writeln!(out, "- {}", cell(&super::not_scanned_line(d)))?;
        }
        writeln!(out)?;
    }
    Ok(())
}
