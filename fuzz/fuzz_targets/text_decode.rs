#![no_main]
//! Lenient decoding (BOM, UTF-16, NULs, invalid UTF-8) and format detection.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = appaudit::collect::text::decode(data) {
        let _ = appaudit::collect::detect::sniff(&text);
    }
});
