#![no_main]
//! Text XML and binary ABX `packages.xml`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = appaudit::collect::android::packages_xml::sniff(data);
    let _ = appaudit::collect::android::packages_xml::parse(data, "fuzz");
    let mut abx = b"ABX\0".to_vec();
    abx.extend_from_slice(data);
    let _ = appaudit::collect::android::packages_xml::parse(&abx, "fuzz");
});
