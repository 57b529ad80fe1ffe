#![no_main]
//! A zip file: bugreport or APK, through the binary-input detection.
use libfuzzer_sys::fuzz_target;
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    let Ok(mut file) = tempfile::NamedTempFile::new() else {
        return;
    };
    if file.write_all(data).and_then(|()| file.flush()).is_err() {
        return;
    }
    let _ = appaudit::collect::android::bugreport_zip::kind(file.path());
    let _ = appaudit::collect::android::bugreport_zip::read(file.path(), &appaudit::model::KeepAll);
    let _ = appaudit::collect::android::binary::collect(file.path());
});
