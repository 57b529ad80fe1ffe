#![no_main]
//! Differential: the matcher's literal prefilter for globs and regexes must find
//! exactly what one glob set or regex set of the same patterns finds. The input's
//! first byte picks globs or regexes; its lines before an empty line are
//! patterns, the lines after it values.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let (patterns, values) = text.split_once("\n\n").unwrap_or((&text, ""));
    let patterns: Vec<&str> = patterns.lines().take(200).collect();
    let values: Vec<&str> = values.lines().take(50).collect();
    if let Err(e) = appaudit::matcher::check_prefilter(kind % 2 == 0, &patterns, &values) {
        panic!("{e}");
    }
});
