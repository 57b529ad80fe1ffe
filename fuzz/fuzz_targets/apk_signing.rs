#![no_main]
//! The APK signing block and PKCS#7 (v1) certificates.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = appaudit::collect::android::apk::parse_signing_block(data);
    let _ = appaudit::collect::android::apk::pkcs7_certificates(data);
    let _ = appaudit::collect::android::apk::signing_block_certs(&mut std::io::Cursor::new(data));
});
