#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = appaudit::collect::android::getprop::parse(&text);
    let _ = appaudit::collect::android::capture::parse_users(&text);
    let _ = appaudit::collect::android::adb::parse_devices(&text);
});
