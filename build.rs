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
    for (i, file) in files.iter().enumerate() {
        println!("cargo::rerun-if-changed={}", file.display());
        let name = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .display()
            .to_string();
        let abs = std::fs::canonicalize(file).unwrap_or_else(|_| file.clone());
        let json = out_dir.join(format!("embedded_rule_{i}.json"));
        write(&json, &to_json(file));
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?}), include_str!({:?})),\n",
            abs.display().to_string(),
            json.display().to_string()
        ));
    }
    out.push_str("]\n");
    write(&out_dir.join("embedded_rules.rs"), &out);
}

/// The YAML file as compact JSON; panics (fails the build) when it is not valid YAML.
fn to_json(file: &Path) -> String {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => panic!("cannot read {}: {e}", file.display()),
    };
    let value: serde_json::Value = match serde_saphyr::from_str(&text) {
        Ok(v) => v,
        Err(e) => panic!("{} is not valid YAML: {e}", file.display()),
    };
    value.to_string()
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
