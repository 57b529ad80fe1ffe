#![no_main]
//! A registry hive (regf) as `Windows/System32/config/SOFTWARE` of an offline Windows
//! root, read by the Windows collector (hive, Uninstall keys, AppX repository).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(root) = tempfile::tempdir() else {
        return;
    };
    let config = root.path().join("Windows/System32/config");
    if std::fs::create_dir_all(&config).is_err()
        || std::fs::write(config.join("SOFTWARE"), data).is_err()
    {
        return;
    }
    let _ = appaudit::collect::desktop::windows::collect(root.path());
});
