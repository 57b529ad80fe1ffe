#![no_main]
//! Binary AndroidManifest.xml (AXML) of an APK.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = appaudit::collect::android::apk::parse_manifest(data);
});
