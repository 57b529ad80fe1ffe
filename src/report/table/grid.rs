//! The grid layout: one row per finding (comfy-table), used when it fits the width
//! without breaking a word.

use super::finding::Shown;
use super::wrap::{elide_middle, width, words};
use comfy_table::{ColumnConstraint, ContentArrangement, Table, Width, presets};

const HEADER: [&str; 6] = [
    "Covered app",
    "Identifier",
    "Version",
    "Regimes",
    "Confidence",
    "Evidence",
];

/// Columns in the order their spare width is handed out: the regimes' prose, which
/// wraps best, last.
const GROWS: [usize; 6] = [0, 2, 5, 1, 4, 3];

/// The longest excerpt a grid cell shows; longer ones lose their middle.
const EXCERPT: usize = 61;

/// A line of a cell: an unbreakable unit, or prose that may wrap between words.
enum Line {
    Unit(String),
    Prose(String),
}

/// The rendered grid of `shown`, or `None` when it does not fit `max` columns without
/// breaking a word. Without `max`, the grid takes the width it needs (no wrapping).
pub fn render(shown: &[Shown], max: Option<usize>) -> Option<String> {
    let rows: Vec<[Vec<Line>; 6]> = shown.iter().map(cells).collect();
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(HEADER.to_vec());
    for row in &rows {
        table.add_row(row.iter().map(|c| join(c)).collect::<Vec<_>>());
    }
    let Some(max) = max else {
        return Some(table.to_string());
    };
    let widths = column_widths(&rows, max)?;
    for (i, w) in widths.iter().enumerate() {
        let w = u16::try_from(w + 2).ok()?;
        if let Some(column) = table.column_mut(i) {
            column.set_constraint(ColumnConstraint::Absolute(Width::Fixed(w)));
        }
    }
    let text = table.to_string();
    text.lines().all(|l| width(l) <= max).then_some(text)
}

/// The content width of each column within `max`, or `None` when even the narrowest
/// columns that keep every word whole do not fit.
fn column_widths(rows: &[[Vec<Line>; 6]], max: usize) -> Option<Vec<usize>> {
    let mut natural: Vec<usize> = HEADER.iter().map(|h| width(h)).collect();
    let mut least: Vec<usize> = HEADER
        .iter()
        .map(|h| words(h).iter().map(|w| width(w)).max().unwrap_or(0))
        .collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            for line in cell {
                let (text, unit) = match line {
                    Line::Unit(t) => (t, width(t)),
                    Line::Prose(t) => (t, words(t).iter().map(|w| width(w)).max().unwrap_or(0)),
                };
                natural[i] = natural[i].max(width(text));
                least[i] = least[i].max(unit);
            }
        }
    }
    // Prose squeezed into a sliver is unreadable: it keeps some room.
    least[3] = least[3].max(natural[3].min(30));
    least[4] = least[4].max(natural[4].min(16));
    // Borders: one per column and one more; padding: one space each side.
    let frame = 3 * HEADER.len() + 1;
    if frame + natural.iter().sum::<usize>() <= max {
        return Some(natural);
    }
    let mut spare = max.checked_sub(frame + least.iter().sum::<usize>())?;
    let mut widths = least;
    for i in GROWS {
        let more = (natural[i] - widths[i]).min(spare);
        widths[i] += more;
        spare -= more;
    }
    Some(widths)
}

fn join(cell: &[Line]) -> String {
    cell.iter()
        .map(|l| match l {
            Line::Unit(t) | Line::Prose(t) => t.as_str(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The six cells of a finding's row.
fn cells(s: &Shown) -> [Vec<Line>; 6] {
    let mut ident = vec![Line::Unit(s.id.clone())];
    ident.extend(s.details.iter().map(|d| Line::Prose(d.clone())));
    let confidence = match &s.reason {
        Some(_) => Line::Prose(s.confidence_text()),
        None => Line::Unit(s.confidence.to_string()),
    };
    let mut evidence = vec![Line::Unit(s.place.clone())];
    if let Some(excerpt) = &s.excerpt {
        evidence.push(Line::Unit(elide_middle(excerpt, EXCERPT)));
    }
    if s.more > 0 {
        evidence.push(Line::Unit(format!("(+{} more)", s.more)));
    }
    [
        vec![Line::Unit(s.name.clone())],
        ident,
        vec![Line::Unit(s.version.clone())],
        s.regime_lines().into_iter().map(Line::Prose).collect(),
        vec![confidence],
        evidence,
    ]
}
