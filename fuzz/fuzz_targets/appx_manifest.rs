#![no_main]
//! An `AppxManifest.xml` staged under `Program Files/WindowsApps/<package>/` of an
//! offline Windows root, read by the Windows collector.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(root) = tempfile::tempdir() else {
        return;
    };
    let package = root
        .path()
        .join("Program Files/WindowsApps/Fuzz.Package_1.0.0.0_x64__8wekyb3d8bbwe");
    if std::fs::create_dir_all(&package).is_err()
        || std::fs::write(package.join("AppxManifest.xml"), data).is_err()
    {
        return;
    }
    let _ = appaudit::collect::desktop::windows::collect(root.path());
});
