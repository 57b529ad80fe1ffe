#![no_main]
//! The streaming path: a file read in chunks (the input is repeated past the 64 KiB
//! head so that the line reader, not the whole-text decoder, runs), through detection.
use libfuzzer_sys::fuzz_target;
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    let Ok(mut file) = tempfile::NamedTempFile::new() else {
        return;
    };
    let mut written = 0;
    while written <= 70_000 && !data.is_empty() {
        if file.write_all(data).is_err() {
            return;
        }
        written += data.len();
    }
    let _ = file.flush();
    let _ = appaudit::collect::detect::collect(file.path(), Default::default());
    let _ = appaudit::collect::detect::collect(file.path(), appaudit::collect::InputFormat::PmList);
});
