#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = appaudit::collect::import::intune::sniff(&text);
    let _ = appaudit::collect::import::intune::parse(&text, "fuzz");
});
