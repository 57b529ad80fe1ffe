//! `adb shell getprop` output: `[key]: [value]` lines (a value may span lines).

use crate::collect::text::lines;

/// The properties a device report shows, as (getprop key, `Device::properties` key).
const DEVICE_KEYS: [(&str, &str); 6] = [
    ("ro.product.model", "model"),
    ("ro.product.manufacturer", "manufacturer"),
    ("ro.build.version.release", "android_version"),
    ("ro.build.version.security_patch", "security_patch"),
    ("ro.serialno", "serial"),
    ("ro.boot.serialno", "serial"),
];

/// Adds the device fact of one `[key]: [value]` line to `properties`, when its key
/// is one a report shows and it is not there yet (the first value counts).
pub fn add_device_property(line: &str, properties: &mut Vec<(String, String)>) {
    let Some((key, rest)) = line.strip_prefix('[').and_then(|l| l.split_once("]: [")) else {
        return;
    };
    let Some(value) = rest.trim_end().strip_suffix(']').map(str::trim) else {
        return;
    };
    let Some((_, name)) = DEVICE_KEYS.iter().find(|(prop, _)| *prop == key) else {
        return;
    };
    if !value.is_empty() && !properties.iter().any(|(k, _)| k == name) {
        properties.push(((*name).to_owned(), value.to_owned()));
    }
}

/// Every `[key]: [value]` pair in file order; other lines are ignored.
pub fn parse(text: &str) -> Vec<(String, String)> {
    let mut props = Vec::new();
    // A value with newlines continues until a line that ends with `]`.
    let mut open: Option<(String, String)> = None;
    for line in lines(text) {
        if let Some((key, mut value)) = open.take() {
            value.push('\n');
            match line.strip_suffix(']') {
                Some(last) => {
                    value.push_str(last);
                    props.push((key, value));
                }
                None => {
                    value.push_str(line);
                    open = Some((key, value));
                }
            }
            continue;
        }
        let Some((key, rest)) = line
            .trim_start()
            .strip_prefix('[')
            .and_then(|l| l.split_once("]: ["))
        else {
            continue;
        };
        match rest.trim_end().strip_suffix(']') {
            Some(value) => props.push((key.to_owned(), value.to_owned())),
            None => open = Some((key.to_owned(), rest.to_owned())),
        }
    }
    props
}

/// The device facts a report shows (`model`, `manufacturer`, `android_version`,
/// `security_patch`, `serial`), from the first non-empty value of each.
pub fn device_properties(text: &str) -> Vec<(String, String)> {
    let props = parse(text);
    DEVICE_KEYS
        .iter()
        .filter_map(|(prop, name)| {
            props
                .iter()
                .find(|(key, value)| key == prop && !value.trim().is_empty())
                .map(|(_, value)| ((*name).to_owned(), value.trim().to_owned()))
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::collect::text::read_text_file;
    use crate::test_support::{own_fixture, shared_fixture};

    #[test]
    fn real_getprop_files() {
        let base = "android/third_party/mvt/tests/artifacts";
        let Some(path) = shared_fixture(&format!("{base}/android_data/getprop.txt")) else {
            return;
        };
        let props = parse(&read_text_file(&path).unwrap());
        assert_eq!(props.len(), 13);
        assert_eq!(
            props[0],
            ("af.fast_track_multiplier".to_owned(), "1".to_owned())
        );
        // No ro.* keys in this trimmed capture.
        assert!(device_properties(&read_text_file(&path).unwrap()).is_empty());

        let Some(path) = shared_fixture(&format!("{base}/androidqf/getprop.txt")) else {
            return;
        };
        let props = parse(&read_text_file(&path).unwrap());
        assert_eq!(props.len(), 10);
        assert_eq!(
            props[7],
            ("dalvik.vm.heapgrowthlimit".to_owned(), "128m".to_owned())
        );
    }

    #[test]
    fn device_keys_from_own_fixture() {
        let path = own_fixture("android/androidqf_folder/getprop.txt");
        let props = device_properties(&read_text_file(&path).unwrap());
        let expected = [
            ("model", "SM-S918B"),
            ("manufacturer", "samsung"),
            ("android_version", "14"),
            ("security_patch", "2024-06-01"),
            ("serial", "R5CW00FAKE1"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(props, expected);
    }

    #[test]
    fn multi_line_values_and_crlf() {
        let text = "[a]: [1]\r\n[b]: [first\nsecond]\n[c]: []\nnoise\n[d]: [x]";
        let props = parse(text);
        let keys: Vec<(&str, &str)> = props
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            keys,
            [("a", "1"), ("b", "first\nsecond"), ("c", ""), ("d", "x")]
        );
    }
}
