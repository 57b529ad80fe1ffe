//! `iTunesMetadata`: the App Store record of an app, embedded in a backup's
//! `Info.plist` `Applications` entries (and `iTunesMetadata.plist` in app bundles).
//!
//! It also holds the owner's Apple ID, `DSPersonID`, names and purchase details. Only
//! the keys of [`StoreMetadata`] are copied out, by name; the record is never printed,
//! logged or quoted in an error.

use super::{dict_bool, dict_str, is_third_party_installer};

/// The app facts of an `iTunesMetadata` record, and nothing else of it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoreMetadata {
    /// `softwareVersionBundleId`.
    pub bundle_id: Option<String>,
    /// `itemName`.
    pub name: Option<String>,
    /// `bundleShortVersionString`.
    pub version: Option<String>,
    /// `bundleVersion`.
    pub build: Option<String>,
    /// `artistName`: the developer or vendor.
    pub publisher: Option<String>,
    /// `sourceApp`: the app that installed it (`com.apple.AppStore`, AltStore...).
    pub source_app: Option<String>,
    /// `isFactoryInstall`: installed at the factory.
    pub factory_install: bool,
}

impl StoreMetadata {
    /// Installed by a third-party installer (AltStore, SideStore...), never by Apple's.
    pub fn side_loaded(&self) -> bool {
        !self.factory_install
            && self
                .source_app
                .as_deref()
                .is_some_and(is_third_party_installer)
    }
}

/// Why a record could not be read; deliberately without detail (the parser's
/// message could quote personal data).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadMetadata;

/// Reads an `Applications` entry's `iTunesMetadata` (data holding a plist, or a
/// dictionary); `Ok(None)` when the entry has none.
pub fn read_entry(entry: &plist::Value) -> Result<Option<StoreMetadata>, BadMetadata> {
    let Some(metadata) = entry.as_dictionary().and_then(|d| d.get("iTunesMetadata")) else {
        return Ok(None);
    };
    match metadata {
        plist::Value::Data(bytes) => read_record(bytes).map(Some),
        plist::Value::Dictionary(dict) => Ok(Some(pick(dict))),
        _ => Err(BadMetadata),
    }
}

/// Reads an `iTunesMetadata` plist (XML or binary).
pub fn read_record(bytes: &[u8]) -> Result<StoreMetadata, BadMetadata> {
    let value = plist::Value::from_reader(std::io::Cursor::new(bytes)).map_err(|_| BadMetadata)?;
    value.as_dictionary().map(pick).ok_or(BadMetadata)
}

/// The allow-listed keys; everything else of the record is dropped here.
fn pick(dict: &plist::Dictionary) -> StoreMetadata {
    StoreMetadata {
        bundle_id: dict_str(dict, "softwareVersionBundleId"),
        name: dict_str(dict, "itemName"),
        version: dict_str(dict, "bundleShortVersionString"),
        build: dict_str(dict, "bundleVersion"),
        publisher: dict_str(dict, "artistName"),
        source_app: dict_str(dict, "sourceApp"),
        factory_install: dict_bool(dict, "isFactoryInstall"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn record(pairs: &[(&str, plist::Value)]) -> Vec<u8> {
        let dict: plist::Dictionary = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        let mut out = Vec::new();
        plist::Value::Dictionary(dict)
            .to_writer_binary(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn picks_app_keys_only() {
        let bytes = record(&[
            ("itemName", "AltStore App".into()),
            ("bundleShortVersionString", "2.0".into()),
            ("artistName", "Riley".into()),
            ("sourceApp", "com.rileytestut.AltStore".into()),
            ("AppleID", "owner@example.com".into()),
        ]);
        let meta = read_record(&bytes).unwrap();
        assert_eq!(meta.name.as_deref(), Some("AltStore App"));
        assert_eq!(meta.version.as_deref(), Some("2.0"));
        assert!(meta.side_loaded());
        assert!(!format!("{meta:?}").contains("owner@example.com"));
    }

    #[test]
    fn apple_installers_and_factory_are_not_side_loaded() {
        for source in ["com.apple.AppStore", "com.apple.datausage.atc", "", "junk"] {
            let meta = read_record(&record(&[("sourceApp", source.into())])).unwrap();
            assert!(!meta.side_loaded(), "{source}");
        }
        let meta = read_record(&record(&[
            ("sourceApp", "com.SideStore.SideStore".into()),
            ("isFactoryInstall", true.into()),
        ]))
        .unwrap();
        assert!(!meta.side_loaded());
        assert!(read_record(&record(&[])).unwrap().source_app.is_none());
    }

    #[test]
    fn broken_records() {
        assert_eq!(read_record(b"bplist00\x01\x02"), Err(BadMetadata));
        let entry = plist::Value::Dictionary(
            [("iTunesMetadata".to_owned(), plist::Value::Boolean(true))]
                .into_iter()
                .collect(),
        );
        assert_eq!(read_entry(&entry), Err(BadMetadata));
        assert_eq!(read_entry(&plist::Value::Boolean(true)), Ok(None));
    }
}
