//! Embeds every rule file under `rules/` so the binary works with no setup.
//!
//! Each file is parsed here, at build time: a file that is not valid YAML fails the
//! build, and the binary gets its contents as JSON beside the YAML text, so loading
//! the embedded rules at start needs no YAML parse (the text is kept to quote it
//! when a user's rule clashes with an embedded one).

use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from("rules");
    println!("cargo::rerun-if-changed=rules");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into()));
    let mut out = String::from("&[\n");
    // Counted for `appaudit --version` and reports, so that neither loads the rules.
    let (mut reviewed, mut regimes, mut apps) = (None::<String>, 0usize, 0usize);
    for (i, file) in files.iter().enumerate() {
        println!("cargo::rerun-if-changed={}", file.display());
        let name = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .display()
            .to_string();
        let abs = std::fs::canonicalize(file).unwrap_or_else(|_| file.clone());
        let json = out_dir.join(format!("embedded_rule_{i}.json"));
        let value = to_json(file);
        let list = |key: &str| value.get(key).and_then(|v| v.as_array()).cloned();
        let file_regimes = list("regimes").unwrap_or_default();
        regimes += file_regimes.len();
        apps += list("apps").map_or(0, |a| a.len());
        for date in file_regimes
            .iter()
            .filter_map(|r| r.get("last_reviewed").and_then(|d| d.as_str()))
        {
            if reviewed.as_deref().is_none_or(|newest| newest < date) {
                reviewed = Some(date.to_string());
            }
        }
        write(&json, &value.to_string());
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?}), include_str!({:?})),\n",
            abs.display().to_string(),
            json.display().to_string()
        ));
    }
    out.push_str("]\n");
    write(&out_dir.join("embedded_rules.rs"), &out);
    write(
        &out_dir.join("embedded_summary.rs"),
        &format!("({reviewed:?}, {regimes}, {apps})\n"),
    );
}

/// The YAML file as JSON; panics (fails the build) when it is not valid YAML.
fn to_json(file: &Path) -> serde_json::Value {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => panic!("cannot read {}: {e}", file.display()),
    };
    let value: serde_json::Value = match serde_saphyr::from_str(&text) {
        Ok(v) => v,
        Err(e) => panic!("{} is not valid YAML: {e}", file.display()),
    };
    value
}

fn write(path: &Path, text: &str) {
    if let Err(e) = std::fs::write(path, text) {
        panic!("cannot write {}: {e}", path.display());
    }
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo::rerun-if-changed={}", path.display());
            collect(&path, files);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            files.push(path);
        }
    }
}
