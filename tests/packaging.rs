//! What packages ship besides the binary: the version line, shell completions, man
//! pages, and the Homebrew and winget manifests under docs/packaging/. The .deb and
//! .rpm themselves are built, installed and removed by .ci/package.sh.
//!
//! Checks that need man/groff print `skipped` when absent; APPAUDIT_REQUIRE_MAN=1 (set
//! in CI) makes that a failure. The same holds for ruby, zsh and fish with
//! APPAUDIT_REQUIRE_PACKAGING_CHECKERS=1.
#![allow(clippy::unwrap_used)]

mod common;

use common::appaudit;
use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `program` when it is on PATH; else `skipped` (or a failure when `require_var` is 1).
fn checker(program: &str, require_var: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        if std::env::var(require_var).as_deref() == Ok("1") {
            panic!("{program} is required ({require_var}=1) but not installed");
        }
        eprintln!("skipped: {program} is not installed");
    }
    found
}

fn stdout_of(args: &[&str]) -> (i32, String) {
    let out = appaudit().args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn version_states_the_built_in_rules_and_json_carries_the_same() {
    let (code, check) = stdout_of(&["rules", "check"]);
    assert_eq!(code, 0, "{check}");
    // "ok: 36 regimes, 148 covered apps, 17 policies; 0 warning(s)"
    let words: Vec<&str> = check.split_whitespace().collect();
    let (regimes, apps) = (words[1], words[3]);
    let (_, json) = common::scan_json(&["fixtures/scan/pm_list_tiktok.txt"]);
    let reviewed = json["context"]["rules_reviewed"].as_str().unwrap();
    let expected = format!(
        "appaudit {} (rules reviewed {reviewed}: {regimes} regimes, {apps} apps)\n",
        env!("CARGO_PKG_VERSION")
    );
    for flag in ["--version", "-V"] {
        assert_eq!(stdout_of(&[flag]), (0, expected.clone()), "{flag}");
    }
    let tool = &json["tool"];
    assert_eq!(tool["name"], "appaudit");
    assert_eq!(tool["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(tool["rules_reviewed"], reviewed);
    assert_eq!(tool["regimes"].to_string(), regimes);
    assert_eq!(tool["apps"].to_string(), apps);
}

#[test]
fn tool_describes_the_built_in_rules_whatever_rules_a_scan_uses() {
    // The site rules without their policy, which names an embedded regime.
    let site = std::fs::read_to_string(root().join("fixtures/scan/site_policy.yaml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("site.yaml");
    std::fs::write(&rules, &site[..site.find("policies:").unwrap()]).unwrap();
    let (_, own) = common::scan_json(&[
        "--no-default-rules",
        "--rules",
        rules.to_str().unwrap(),
        "fixtures/scan/pm_list_site.txt",
    ]);
    let (_, default) = common::scan_json(&["fixtures/scan/pm_list_site.txt"]);
    assert_eq!(own["tool"], default["tool"]);
    assert_eq!(own["context"]["rules_reviewed"], "2026-11-01");
    assert_ne!(own["tool"]["rules_reviewed"], "2026-11-01");
}

#[test]
fn completions_are_printed_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let (code, script) = stdout_of(&["completions", shell]);
        assert_eq!(code, 0, "{shell}");
        assert!(script.contains("appaudit"), "{shell}: {script}");
        assert!(script.contains("scan"), "{shell}: no subcommands");
    }
    let dir = tempfile::tempdir().unwrap();
    for (shell, program, args) in [("zsh", "zsh", ["-n"]), ("fish", "fish", ["--no-execute"])] {
        if !checker(program, "APPAUDIT_REQUIRE_PACKAGING_CHECKERS") {
            continue;
        }
        let file = dir.path().join(shell);
        std::fs::write(&file, stdout_of(&["completions", shell]).1).unwrap();
        let out = Command::new(program)
            .args(args)
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{program} rejects the script: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn bash_completion_completes_a_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("appaudit.bash");
    std::fs::write(&script, stdout_of(&["completions", "bash"]).1).unwrap();
    // Load the script, find the function `complete -p` names, call it as bash would
    // for `appaudit sc<TAB>` and print COMPREPLY.
    let driver = format!(
        r#"source '{}' || exit 3
spec=$(complete -p appaudit) || exit 4
fn=$(sed -E 's/.*-F ([^ ]+).*/\1/' <<<"$spec")
COMP_WORDS=(appaudit sc); COMP_CWORD=1; COMP_LINE='appaudit sc'; COMP_POINT=${{#COMP_LINE}}
"$fn" appaudit sc appaudit
printf '%s\n' "${{COMPREPLY[@]}}""#,
        script.display()
    );
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-c", &driver])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let words: Vec<&str> = stdout.split_whitespace().collect();
    assert_eq!(words, ["scan"], "COMPREPLY for `appaudit sc`");
}

#[test]
fn man_pages_cover_every_subcommand_and_render_without_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("man");
    let (code, _) = stdout_of(&["man", "--out", out_dir.to_str().unwrap()]);
    assert_eq!(code, 0);
    let mut pages: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    for page in [
        "appaudit.1",
        "appaudit-scan.1",
        "appaudit-adb.1",
        "appaudit-ios.1",
        "appaudit-rules.1",
        "appaudit-rules-check.1",
        "appaudit-rules-list.1",
        "appaudit-rules-show.1",
        "appaudit-rules-export.1",
        "appaudit-policies.1",
        "appaudit-policies-list.1",
        "appaudit-completions.1",
    ] {
        assert!(pages.iter().any(|p| p == page), "{page} missing: {pages:?}");
    }
    assert!(
        !pages.iter().any(|p| p == "appaudit-man.1"),
        "hidden `man` has a page"
    );
    let scan = std::fs::read_to_string(out_dir.join("appaudit-scan.1")).unwrap();
    assert!(scan.contains("policy"), "appaudit-scan.1 lacks --policy");

    if checker("man", "APPAUDIT_REQUIRE_MAN") {
        for page in &pages {
            let path = out_dir.join(page);
            let out = Command::new("man")
                .args(["-l", "--warnings"])
                .arg(&path)
                .env("MANWIDTH", "80")
                .env("MAN_KEEP_FORMATTING", "0")
                .output()
                .unwrap();
            assert!(out.status.success(), "man -l {page} failed");
            assert_eq!(String::from_utf8_lossy(&out.stderr), "", "man -l {page}");
            assert!(String::from_utf8_lossy(&out.stdout).contains("appaudit"));
        }
    }
    if checker("groff", "APPAUDIT_REQUIRE_MAN") {
        for page in &pages {
            let out = Command::new("groff")
                .args(["-man", "-ww", "-z"])
                .arg(out_dir.join(page))
                .output()
                .unwrap();
            assert!(out.status.success(), "groff {page} failed");
            assert_eq!(String::from_utf8_lossy(&out.stderr), "", "groff {page}");
        }
    }
}

#[test]
fn homebrew_formula_is_valid_ruby() {
    let formula = root().join("docs/packaging/homebrew/appaudit.rb");
    let text = std::fs::read_to_string(&formula).unwrap();
    for needle in [
        "depends_on \"rust\" => :build",
        "system \"cargo\", \"install\", *std_cargo_args",
        "test do",
        "license any_of: [\"MIT\", \"Apache-2.0\"]",
    ] {
        assert!(text.contains(needle), "formula lacks {needle}");
    }
    if checker("ruby", "APPAUDIT_REQUIRE_PACKAGING_CHECKERS") {
        let out = Command::new("ruby")
            .arg("-c")
            .arg(&formula)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "ruby -c: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A winget manifest read as JSON, with its release-time placeholders replaced by
/// values of the right shape (the placeholders themselves must not pass validation).
fn winget_manifest(name: &str) -> serde_json::Value {
    let path = root().join("docs/packaging/winget").join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let filled = text
        .replace(
            "FILL_AT_RELEASE_INSTALLER_URL",
            "https://example.invalid/appaudit-x86_64-pc-windows-msvc.zip",
        )
        .replace(
            "FILL_AT_RELEASE_INSTALLER_SHA256",
            &"0123456789ABCDEF".repeat(4),
        );
    let left = filled
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .any(|l| l.contains("FILL_AT_RELEASE"));
    assert!(!left, "{name}: unknown placeholder");
    serde_saphyr::from_str(&filled).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn winget_schema(kind: &str) -> jsonschema::Validator {
    let path = root()
        .join("fixtures/packaging/winget-schemas-1.10.0")
        .join(format!("manifest.{kind}.1.10.0.json"));
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

#[test]
fn winget_manifests_follow_the_official_schemas() {
    for (file, kind) in [
        ("appaudit.appaudit.yaml", "version"),
        ("appaudit.appaudit.installer.yaml", "installer"),
        ("appaudit.appaudit.locale.en-US.yaml", "defaultLocale"),
    ] {
        let manifest = winget_manifest(file);
        let errors: Vec<String> = winget_schema(kind)
            .iter_errors(&manifest)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{file}: {errors:#?}");
        assert_eq!(manifest["PackageIdentifier"], "appaudit.appaudit", "{file}");
        assert_eq!(
            manifest["PackageVersion"],
            env!("CARGO_PKG_VERSION"),
            "{file}: PackageVersion must follow Cargo.toml's version"
        );
    }
    // The placeholders are there to be filled: as committed, the installer does not validate.
    let raw: serde_json::Value = serde_saphyr::from_str(
        &std::fs::read_to_string(
            root().join("docs/packaging/winget/appaudit.appaudit.installer.yaml"),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(!winget_schema("installer").is_valid(&raw));
}
