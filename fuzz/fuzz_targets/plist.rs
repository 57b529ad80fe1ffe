#![no_main]
//! macOS Info.plist (XML or binary) and a Mach-O code signature blob.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = appaudit::collect::desktop::macos::parse_plist(data);
    let _ = appaudit::collect::desktop::macos::signature_team_id(data);
});
