//! Helpers for unit tests that read the team's shared real-world fixtures.

use std::path::PathBuf;

/// The path of a file under `../shared/fixtures`, or `None` (with a note) when the
/// folder is absent. With `APPAUDIT_REQUIRE_SHARED_FIXTURES=1` (as in CI) absence fails.
pub fn shared_fixture(relative: &str) -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    let path = root.join(relative);
    if path.exists() {
        return Some(path);
    }
    if std::env::var("APPAUDIT_REQUIRE_SHARED_FIXTURES").as_deref() == Ok("1") {
        panic!(
            "shared fixture {} is missing and APPAUDIT_REQUIRE_SHARED_FIXTURES=1",
            path.display()
        );
    }
    eprintln!("skipped: shared fixture {} is absent", path.display());
    None
}

/// A fixture written by the team, under `fixtures/` in this crate.
pub fn own_fixture(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(relative)
}
