#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = appaudit::collect::desktop::linux::rpm::parse_header(data);
});
