//! Device facts of an iPhone or iPad: from a backup's `Info.plist`, the `Lockdown`
//! dictionary of `Manifest.plist`, or `ideviceinfo` output (lockdown keys).

/// Marketing names of common product types (`iPhone9,3` is an iPhone 7). A type not
/// listed keeps its raw value as the model.
const MODELS: &[(&str, &str)] = &[
    ("iPhone8,1", "iPhone 6s"),
    ("iPhone8,2", "iPhone 6s Plus"),
    ("iPhone8,4", "iPhone SE (1st generation)"),
    ("iPhone9,1", "iPhone 7"),
    ("iPhone9,3", "iPhone 7"),
    ("iPhone9,2", "iPhone 7 Plus"),
    ("iPhone9,4", "iPhone 7 Plus"),
    ("iPhone10,1", "iPhone 8"),
    ("iPhone10,4", "iPhone 8"),
    ("iPhone10,2", "iPhone 8 Plus"),
    ("iPhone10,5", "iPhone 8 Plus"),
    ("iPhone10,3", "iPhone X"),
    ("iPhone10,6", "iPhone X"),
    ("iPhone11,2", "iPhone XS"),
    ("iPhone11,4", "iPhone XS Max"),
    ("iPhone11,6", "iPhone XS Max"),
    ("iPhone11,8", "iPhone XR"),
    ("iPhone12,1", "iPhone 11"),
    ("iPhone12,3", "iPhone 11 Pro"),
    ("iPhone12,5", "iPhone 11 Pro Max"),
    ("iPhone12,8", "iPhone SE (2nd generation)"),
    ("iPhone13,1", "iPhone 12 mini"),
    ("iPhone13,2", "iPhone 12"),
    ("iPhone13,3", "iPhone 12 Pro"),
    ("iPhone13,4", "iPhone 12 Pro Max"),
    ("iPhone14,4", "iPhone 13 mini"),
    ("iPhone14,5", "iPhone 13"),
    ("iPhone14,2", "iPhone 13 Pro"),
    ("iPhone14,3", "iPhone 13 Pro Max"),
    ("iPhone14,6", "iPhone SE (3rd generation)"),
    ("iPhone14,7", "iPhone 14"),
    ("iPhone14,8", "iPhone 14 Plus"),
    ("iPhone15,2", "iPhone 14 Pro"),
    ("iPhone15,3", "iPhone 14 Pro Max"),
    ("iPhone15,4", "iPhone 15"),
    ("iPhone15,5", "iPhone 15 Plus"),
    ("iPhone16,1", "iPhone 15 Pro"),
    ("iPhone16,2", "iPhone 15 Pro Max"),
    ("iPhone17,1", "iPhone 16 Pro"),
    ("iPhone17,2", "iPhone 16 Pro Max"),
    ("iPhone17,3", "iPhone 16"),
    ("iPhone17,4", "iPhone 16 Plus"),
    ("iPhone17,5", "iPhone 16e"),
    ("iPad7,11", "iPad (7th generation)"),
    ("iPad7,12", "iPad (7th generation)"),
    ("iPad11,6", "iPad (8th generation)"),
    ("iPad11,7", "iPad (8th generation)"),
    ("iPad12,1", "iPad (9th generation)"),
    ("iPad12,2", "iPad (9th generation)"),
    ("iPad13,18", "iPad (10th generation)"),
    ("iPad13,19", "iPad (10th generation)"),
    ("iPad13,16", "iPad Air (5th generation)"),
    ("iPad13,17", "iPad Air (5th generation)"),
    ("iPad14,1", "iPad mini (6th generation)"),
    ("iPad14,2", "iPad mini (6th generation)"),
];

/// The marketing name of a product type (`iPhone14,2` → `iPhone 13 Pro`), if known.
pub fn model_name(product_type: &str) -> Option<&'static str> {
    MODELS
        .iter()
        .find(|(kind, _)| *kind == product_type)
        .map(|(_, name)| *name)
}

/// What is known about one device; every field is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// The name the owner gave it (`Device Name`, `DeviceName`).
    pub device_name: Option<String>,
    /// `Product Type` / `ProductType`: `iPhone9,3`.
    pub product_type: Option<String>,
    /// `Product Version` / `ProductVersion`: `14.3`.
    pub ios_version: Option<String>,
    /// `Build Version` / `BuildVersion`: `18C66`.
    pub build: Option<String>,
    /// `Serial Number` / `SerialNumber`.
    pub serial: Option<String>,
    /// `Unique Identifier` (else `Target Identifier`) / `UniqueDeviceID`.
    pub udid: Option<String>,
    /// When the backup was made, ISO 8601 (`2021-12-03T19:33:13Z`).
    pub last_backup_date: Option<String>,
}

/// Lockdown key names as `ideviceinfo` and `Manifest.plist` `Lockdown` spell them.
const LOCKDOWN_KEYS: [&str; 6] = [
    "DeviceName",
    "ProductType",
    "ProductVersion",
    "BuildVersion",
    "SerialNumber",
    "UniqueDeviceID",
];

impl Facts {
    /// Facts from lockdown keys (`DeviceName`, `ProductType`...), looked up with `get`.
    pub fn from_lockdown(get: impl Fn(&str) -> Option<String>) -> Self {
        let [name, product, version, build, serial, udid] = LOCKDOWN_KEYS.map(&get);
        Facts {
            device_name: name,
            product_type: product,
            ios_version: version,
            build,
            serial,
            udid,
            last_backup_date: None,
        }
    }

    /// Fills the facts this one lacks from `other`.
    pub fn fill_from(&mut self, other: Facts) {
        let fill = |slot: &mut Option<String>, value: Option<String>| {
            if slot.is_none() {
                *slot = value;
            }
        };
        fill(&mut self.device_name, other.device_name);
        fill(&mut self.product_type, other.product_type);
        fill(&mut self.ios_version, other.ios_version);
        fill(&mut self.build, other.build);
        fill(&mut self.serial, other.serial);
        fill(&mut self.udid, other.udid);
        fill(&mut self.last_backup_date, other.last_backup_date);
    }

    /// As `Device::properties`: `device_name`, `model` (the marketing name, else the
    /// product type), `product_type`, `ios_version`, `build`, `serial`, `udid`,
    /// `last_backup_date`, each only when known.
    pub fn into_properties(self) -> Vec<(String, String)> {
        let model = self
            .product_type
            .as_deref()
            .map(|t| model_name(t).unwrap_or(t).to_owned());
        [
            ("device_name", self.device_name),
            ("model", model),
            ("product_type", self.product_type),
            ("ios_version", self.ios_version),
            ("build", self.build),
            ("serial", self.serial),
            ("udid", self.udid),
            ("last_backup_date", self.last_backup_date),
        ]
        .into_iter()
        .filter_map(|(key, value)| value.map(|v| (key.to_owned(), v)))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_and_raw_types() {
        assert_eq!(model_name("iPhone9,3"), Some("iPhone 7"));
        assert_eq!(model_name("iPhone14,2"), Some("iPhone 13 Pro"));
        assert_eq!(model_name("iPhone99,1"), None);
        let facts = Facts {
            product_type: Some("iPhone99,1".to_owned()),
            ..Facts::default()
        };
        assert_eq!(
            facts.into_properties(),
            [
                ("model".to_owned(), "iPhone99,1".to_owned()),
                ("product_type".to_owned(), "iPhone99,1".to_owned())
            ]
        );
    }

    #[test]
    fn fill_keeps_known_values() {
        let mut a = Facts {
            device_name: Some("A".to_owned()),
            ..Facts::default()
        };
        a.fill_from(Facts::from_lockdown(|k| Some(format!("v-{k}"))));
        assert_eq!(a.device_name.as_deref(), Some("A"));
        assert_eq!(a.udid.as_deref(), Some("v-UniqueDeviceID"));
        assert_eq!(a.last_backup_date, None);
    }
}
