#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = appaudit::collect::desktop::linux::dpkg::parse(&text, "fuzz", false);
    let _ = appaudit::collect::desktop::linux::dpkg::parse(&text, "fuzz", true);
    let _ = appaudit::collect::desktop::linux::dpkg::desktop_files(&text).count();
});
