#![no_main]
//! A `--rules` file (YAML, with the parser's budgets) loaded alone (the embedded set
//! would make each run a hundred times slower), its diagnostics rendered, its rules
//! compiled.
use libfuzzer_sys::fuzz_target;
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    let Ok(mut file) = tempfile::Builder::new().suffix(".yaml").tempfile() else {
        return;
    };
    if file.write_all(data).and_then(|()| file.flush()).is_err() {
        return;
    }
    let options = appaudit::rules::LoadOptions {
        paths: vec![file.path().to_path_buf()],
        no_default_rules: true,
    };
    let loaded = appaudit::rules::load(&options);
    let _ = appaudit::rules::diagnostic::render_text(&loaded.diagnostics, &loaded.sources, false);
    if let Some(rules) = loaded.rules {
        let _ = appaudit::matcher::Matcher::new(rules);
    }
});
