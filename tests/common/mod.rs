//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use assert_cmd::Command;
use std::path::PathBuf;

/// The built `appaudit`, run from the crate root with a clean environment for colour and logs.
pub fn appaudit() -> Command {
    let mut cmd = Command::cargo_bin("appaudit").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("RUST_LOG")
        .env_remove("CLICOLOR_FORCE")
        // A user's scope settings must not change what the tests see.
        .env_remove("APPAUDIT_POLICY")
        .env_remove("APPAUDIT_CONFIG")
        .env_remove("APPAUDIT_AS_OF")
        // The table fits COLUMNS when set; tests that want a width set it.
        .env_remove("COLUMNS")
        .env("NO_COLOR", "1");
    cmd
}

/// A path under `../shared/fixtures`, or `None` (printed as skipped) when the folder is
/// absent. With `APPAUDIT_REQUIRE_SHARED_FIXTURES=1`, as in CI, absence fails.
pub fn shared_fixture(relative: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures")
        .join(relative);
    if path.exists() {
        return Some(path);
    }
    if std::env::var("APPAUDIT_REQUIRE_SHARED_FIXTURES").as_deref() == Ok("1") {
        panic!("shared fixture {} is missing", path.display());
    }
    eprintln!("skipped: shared fixture {} is absent", path.display());
    None
}

pub const MVT: &str = "android/third_party/mvt/tests/artifacts";

/// The published JSON Schema of the report, compiled once per test binary.
pub fn report_schema() -> &'static jsonschema::Validator {
    static SCHEMA: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/report.schema.json");
        let schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        jsonschema::validator_for(&schema).unwrap()
    })
}

/// Fails the test when `doc` does not follow the published report schema.
pub fn assert_follows_schema(doc: &serde_json::Value) {
    let errors: Vec<String> = report_schema()
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "report does not follow docs/report.schema.json: {errors:#?}"
    );
}

/// Runs a JSON scan and returns (exit code, parsed report), checked against the schema.
pub fn scan_json(args: &[&str]) -> (i32, serde_json::Value) {
    let out = appaudit()
        .arg("scan")
        .arg("--format")
        .arg("json")
        .args(args)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_follows_schema(&doc);
    (code, doc)
}

/// The app ids of every installed finding in a JSON report, sorted.
pub fn finding_ids(doc: &serde_json::Value) -> Vec<String> {
    let mut ids: Vec<String> = doc["devices"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["findings"].as_array().unwrap().iter())
        .map(|f| f["app"]["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

/// The app `id` of a device of a JSON report; fails the test naming the id when absent.
pub fn app_of<'d>(device: &'d serde_json::Value, id: &str) -> &'d serde_json::Value {
    device["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| panic!("no app {id}"))
}
