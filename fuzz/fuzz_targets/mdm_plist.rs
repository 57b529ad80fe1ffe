#![no_main]
use appaudit::collect::ios::listing::{Format, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for format in [
        Format::MdmInstalledApplicationList,
        Format::MdmManagedApplicationList,
        Format::MdmDeviceInformation,
    ] {
        let _ = parse(format, data, "fuzz");
    }
});
