//! Filling lines to a width without ever breaking a unit: a unit is a word of prose or a
//! whole identifier, path or version (which may hold spaces of its own).

use unicode_width::UnicodeWidthStr;

/// The width `text` takes on a terminal (CJK characters take two columns).
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// The words of a prose `text`, each a unit that `fill` may put on another line.
pub fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

/// Lays `units` out in lines of at most `max` columns, joined by `sep`: the first line
/// indented by `indent` spaces, the others by `hang`. A unit is never broken: one longer
/// than a line gets a line of its own, which overflows.
pub fn fill(units: &[&str], sep: &str, max: usize, indent: usize, hang: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = " ".repeat(indent);
    let mut used = indent;
    let mut empty = true;
    for unit in units.iter().filter(|u| !u.is_empty()) {
        let w = width(unit);
        if !empty && used + width(sep) + w > max {
            lines.push(std::mem::replace(&mut line, " ".repeat(hang)));
            used = hang;
            empty = true;
        }
        if !empty {
            line.push_str(sep);
            used += width(sep);
        }
        line.push_str(unit);
        used += w;
        empty = false;
    }
    if !empty || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// `text` shortened to at most `max` columns by an `…` in its middle, keeping its start
/// and its end (where a package line names the package). Only for excerpts: identifiers
/// and paths are never shortened.
pub fn elide_middle(text: &str, max: usize) -> String {
    if width(text) <= max || max < 3 {
        return text.to_string();
    }
    let budget = max - 1;
    let head_budget = budget.div_ceil(2);
    let mut head = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = width(c.encode_utf8(&mut [0; 4]));
        if used + w > head_budget {
            break;
        }
        head.push(c);
        used += w;
    }
    let mut tail: Vec<char> = Vec::new();
    let mut tail_used = 0;
    for c in text.chars().rev() {
        let w = width(c.encode_utf8(&mut [0; 4]));
        if used + tail_used + w > budget {
            break;
        }
        tail.push(c);
        tail_used += w;
    }
    tail.reverse();
    format!("{head}…{}", tail.into_iter().collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_breaks_between_units_only() {
        let lines = fill(&words("aaa bbb ccc ddd"), " ", 9, 2, 4);
        assert_eq!(lines, vec!["  aaa bbb", "    ccc", "    ddd"]);
    }

    #[test]
    fn a_unit_longer_than_the_line_stands_alone() {
        let lines = fill(&["ab", "C:\\Program Files\\TikTok", "cd"], "  ", 10, 0, 2);
        assert_eq!(lines, vec!["ab", "  C:\\Program Files\\TikTok", "  cd"]);
    }

    #[test]
    fn elision_keeps_both_ends_and_the_width() {
        let e = elide_middle("package:/data/app/base.apk=com.zhiliaoapp.musically", 30);
        assert_eq!(width(&e), 30);
        assert!(e.starts_with("package:/data/"), "{e}");
        assert!(e.ends_with("musically"), "{e}");
        assert_eq!(elide_middle("short", 30), "short");
    }
}
