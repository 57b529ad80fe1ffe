//! `--format table`: for people. The covered apps of each device, what left data
//! behind, what could not be read, then a one-line summary.
//!
//! With a width (the terminal's, or `COLUMNS`), findings are a grid when it fits without
//! breaking a word, else a short block each; identifiers, paths and versions are never
//! broken. Without one (a file, a pipe without `COLUMNS`) the grid takes the width it
//! needs, one line per regime.

use super::{Report, ReportOptions, document};
use crate::model::{DeviceResult, ScanResult};
use anstyle::{AnsiColor, Style};
use std::io::{self, Write};

mod blocks;
mod finding;
mod grid;
mod wrap;

/// `--format table`: the report for people on a terminal.
pub struct TableReport {
    /// Colour and width; the inventory is not shown in tables.
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

    /// Writes `units` (words, or whole paths and identifiers) as lines that fit the width,
    /// the first indented by `indent`, the others by `hang`; on one line without a width.
    fn say(
        &self,
        out: &mut dyn Write,
        units: &[&str],
        indent: usize,
        hang: usize,
    ) -> io::Result<()> {
        let max = self.options.width.unwrap_or(usize::MAX);
        for line in wrap::fill(units, " ", max, indent, hang) {
            writeln!(out, "{line}")?;
        }
        Ok(())
    }

    /// Writes prose `text`, wrapped between words to the width.
    fn prose(&self, out: &mut dyn Write, text: &str, indent: usize, hang: usize) -> io::Result<()> {
        self.say(out, &wrap::words(text), indent, hang)
    }

    /// Covered apps across a fleet (as the JSON's `summary.by_app`: app, rule, devices,
    /// how many confirmed), and what the baseline says is gone. It comes last, above the
    /// totals, where a terminal leaves it in view.
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
            let name_w = s
                .by_app
                .iter()
                .map(|a| wrap::width(&a.name))
                .max()
                .unwrap_or(0);
            let rule_w = s
                .by_app
                .iter()
                .map(|a| wrap::width(&a.rule))
                .max()
                .unwrap_or(0);
            for a in &s.by_app {
                let name = format!("{}{}", a.name, " ".repeat(name_w - wrap::width(&a.name)));
                let rule = format!("({}){}", a.rule, " ".repeat(rule_w - wrap::width(&a.rule)));
                let devices = format!("{} device{}:", a.devices, plural(a.devices));
                let split = format!("{} confirmed, {} to review", a.confirmed, a.review);
                let mut units = vec![name.as_str(), rule.as_str(), devices.as_str()];
                units.extend(wrap::words(&split));
                self.say(out, &units, 2, 4)?;
            }
            writeln!(out)?;
        }
        if let Some(diff) = &result.baseline {
            self.baseline(diff, out)?;
        }
        Ok(())
    }

    /// What the baseline says: findings gone, still there, devices not scanned.
    fn baseline(&self, diff: &crate::model::BaselineDiff, out: &mut dyn Write) -> io::Result<()> {
        let text = format!(
            "Baseline: only findings new since it are shown; {} still there, {} removed, {} device{} not scanned this time.",
            diff.still_present.len(),
            diff.removed.len(),
            diff.not_scanned.len(),
            plural(diff.not_scanned.len())
        );
        self.prose(out, &text, 0, 2)?;
        for (what, list) in [
            ("removed:", &diff.removed),
            ("still there:", &diff.still_present),
        ] {
            for r in list {
                let rule = format!("({})", r.rule_id);
                let device = super::baseline_device(r);
                let mut units = vec![what, r.app_id.as_str(), "on", device, &rule];
                let until = r
                    .excepted_until
                    .as_ref()
                    .map(|d| format!("excepted until {d}"));
                units.extend(until.as_deref());
                self.say(out, &units, 2, 4)?;
            }
        }
        for d in &diff.not_scanned {
            let line = format!("not scanned this time: {}", super::not_scanned_line(d));
            self.prose(out, &line, 2, 4)?;
        }
        writeln!(out)
    }

    /// What could not be read, and what was passed over.
    fn problems(&self, result: &ScanResult, out: &mut dyn Write) -> io::Result<()> {
        let lists = [
            (&result.errors, self.paint(RED, "Could not be read:")),
            (
                &result.skipped,
                "Passed over (not a recognised input):".to_string(),
            ),
        ];
        for (list, title) in lists {
            if list.is_empty() {
                continue;
            }
            writeln!(out, "{title}")?;
            for e in list.iter() {
                let path = format!("{}:", e.path);
                let mut units = vec![path.as_str()];
                units.extend(wrap::words(&e.message));
                self.say(out, &units, 2, 4)?;
            }
            writeln!(out)?;
        }
        Ok(())
    }

    /// The device's name and facts, then where it was read from. Each fact of identity
    /// is a line of its own under the name.
    fn device_header(&self, d: &DeviceResult, out: &mut dyn Write) -> io::Result<()> {
        let dev = &d.device;
        let mut facts = vec![
            dev.platform.to_string(),
            dev.format.clone(),
            format!("{} apps", d.apps_scanned),
        ];
        facts.extend(
            dev.properties
                .iter()
                // The model is not repeated when it is already the device's name.
                .filter(|(k, v)| {
                    (k == "model" && *v != dev.name) || k == "android_version" || k == "ios_version"
                })
                .map(|(k, v)| format!("{k} {v}")),
        );
        // How old the evidence is: a backup can be months old.
        if let Some((_, date)) = dev.properties.iter().find(|(k, _)| k == "last_backup_date") {
            facts.push(format!("backed up {date}"));
        }
        let facts = format!("({})", facts.join(", "));
        let max = self.options.width.unwrap_or(usize::MAX);
        let device = self.paint(BOLD, "Device");
        let name = self.paint(BOLD, &dev.name);
        // `Device NAME  (facts)`, or the facts beneath when the line would not fit.
        if wrap::width(&format!("Device {}  {facts}", dev.name)) <= max {
            writeln!(out, "{device} {name}  {facts}")?;
        } else {
            writeln!(out, "{device} {name}")?;
            self.prose(out, &facts, 2, 3)?;
        }
        let id = format!("({})", id_origin(dev.id_source));
        self.say(out, &["id:", dev.id.as_str(), &id], 2, 4)?;
        self.say(out, &["source:", dev.source.as_str()], 2, 4)?;
        if !dev.also_from.is_empty() {
            let mut units = vec!["also read from:"];
            units.extend(dev.also_from.iter().map(String::as_str));
            self.say(out, &units, 2, 4)?;
        }
        Ok(())
    }

    fn device(&self, d: &DeviceResult, out: &mut dyn Write) -> io::Result<()> {
        self.device_header(d, out)?;
        if d.findings.is_empty() {
            writeln!(out, "  {}", self.paint(GREEN, "no covered app installed"))?;
        } else {
            let shown: Vec<finding::Shown> = d.findings.iter().map(finding::show).collect();
            match grid::render(&shown, self.options.width) {
                Some(table) => {
                    writeln!(out, "{table}")?;
                    for note in shown.iter().flat_map(|s| &s.notes) {
                        self.prose(out, &format!("note: {note}"), 2, 4)?;
                    }
                }
                None => {
                    let max = self.options.width.unwrap_or(usize::MAX);
                    let bold = |t: &str| self.paint(BOLD, t);
                    for s in &shown {
                        writeln!(out)?;
                        for line in blocks::render(s, max, &bold) {
                            writeln!(out, "{line}")?;
                        }
                    }
                    if !d.data_left_behind.is_empty() || !d.device.warnings.is_empty() {
                        writeln!(out)?;
                    }
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
                let id = format!("({})", f.app.id);
                let place = finding::place(f);
                let mut units = wrap::words(&f.rule.name);
                units.extend([id.as_str(), place.as_str()]);
                self.say(out, &units, 4, 6)?;
            }
        }
        let max = self.options.width.unwrap_or(usize::MAX);
        for w in &d.device.warnings {
            let text = format!("warning: {w}");
            for (i, line) in wrap::fill(&wrap::words(&text), " ", max, 2, 4)
                .iter()
                .enumerate()
            {
                match line.strip_prefix("  warning:") {
                    Some(rest) if i == 0 => {
                        writeln!(out, "  {}{rest}", self.paint(YELLOW, "warning:"))?
                    }
                    _ => writeln!(out, "{line}")?,
                }
            }
        }
        writeln!(out)
    }

    /// The totals line and the rules' freshness.
    fn totals(
        &self,
        result: &ScanResult,
        s: &document::Summary,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let found = format!(
            "{} covered app{} found ({} confirmed, {} to review)",
            s.findings,
            plural(s.findings),
            s.confirmed,
            s.review
        );
        let found_style = if s.findings > 0 { RED } else { GREEN };
        let unread = format!("{} input{} could not be read", s.errors, plural(s.errors));
        let excepted = s
            .excepted
            .map(|n| format!(", {n} excepted"))
            .unwrap_or_default();
        let text = format!(
            "Scanned {} device{}, {} apps: {found}{excepted}; {unread}.",
            s.devices,
            plural(s.devices),
            s.apps_scanned
        );
        let max = self.options.width.unwrap_or(usize::MAX);
        for line in wrap::fill(&wrap::words(&text), " ", max, 0, 2) {
            // Colour applies to whole phrases; a phrase cut by the wrap stays plain.
            let mut line = line.replacen(&found, &self.paint(found_style, &found), 1);
            if s.errors > 0 {
                line = line.replacen(&unread, &self.paint(RED, &unread), 1);
            }
            writeln!(out, "{line}")?;
        }
        let freshness = result.context.freshness_line();
        for line in wrap::fill(&wrap::words(&freshness), " ", max, 0, 2) {
            if result.context.rules_stale_days.is_some() {
                writeln!(out, "{}", self.paint(YELLOW, &line))?;
            } else {
                writeln!(out, "{line}")?;
            }
        }
        Ok(())
    }
}

impl Report for TableReport {
    fn write(&self, result: &ScanResult, out: &mut dyn Write) -> Result<(), super::ReportError> {
        self.prose(out, &result.context.scope_line(), 0, 2)?;
        writeln!(out)?;
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
            let text = format!(
                "{} device{} with no covered app installed (not listed).",
                clean,
                plural(clean)
            );
            self.prose(out, &text, 0, 2)?;
            writeln!(out)?;
        }
        self.problems(result, out)?;
        super::exception_lines(result, |line| self.prose(out, line, 0, 2))?;
        let s = document::summary(result);
        self.fleet_and_baseline(result, &s, out)?;
        self.totals(result, &s, out)?;
        Ok(())
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Where a device's id comes from, for people.
fn id_origin(source: crate::model::IdSource) -> String {
    match source {
        crate::model::IdSource::FileName => {
            "its file name: the input names no serial or host".to_owned()
        }
        other => format!("from its {other}"),
    }
}
