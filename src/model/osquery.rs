//! The osquery software tables: imports read their rows and `rules export` queries
//! them, so the names and columns live in the model, below both.

use super::Platform;

/// The osquery tables that hold installed software and that appaudit reads and queries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OsqueryTable {
    /// macOS `apps`: bundles in the known application folders.
    Apps,
    /// Windows `programs`: the Uninstall registry keys.
    Programs,
    /// Linux `deb_packages`.
    DebPackages,
    /// Linux `rpm_packages`.
    RpmPackages,
}

impl OsqueryTable {
    /// Every table, in the order exports list them.
    pub const ALL: [OsqueryTable; 4] = [
        OsqueryTable::Apps,
        OsqueryTable::Programs,
        OsqueryTable::DebPackages,
        OsqueryTable::RpmPackages,
    ];

    /// The table's name in osquery.
    pub fn name(self) -> &'static str {
        match self {
            OsqueryTable::Apps => "apps",
            OsqueryTable::Programs => "programs",
            OsqueryTable::DebPackages => "deb_packages",
            OsqueryTable::RpmPackages => "rpm_packages",
        }
    }

    /// The platform whose software the table lists.
    pub fn platform(self) -> Platform {
        match self {
            OsqueryTable::Apps => Platform::Macos,
            OsqueryTable::Programs => Platform::Windows,
            OsqueryTable::DebPackages | OsqueryTable::RpmPackages => Platform::Linux,
        }
    }

    /// The tables of one platform (none for Android and iOS: osquery has none).
    pub fn for_platform(platform: Platform) -> &'static [OsqueryTable] {
        match platform {
            Platform::Macos => &[OsqueryTable::Apps],
            Platform::Windows => &[OsqueryTable::Programs],
            Platform::Linux => &[OsqueryTable::DebPackages, OsqueryTable::RpmPackages],
            Platform::Android | Platform::Ios => &[],
        }
    }

    /// The `Evidence::format` of rows of this table.
    pub fn format(self) -> &'static str {
        match self {
            OsqueryTable::Apps => "osquery-apps",
            OsqueryTable::Programs => "osquery-programs",
            OsqueryTable::DebPackages => "osquery-deb_packages",
            OsqueryTable::RpmPackages => "osquery-rpm_packages",
        }
    }

    /// The table a row came from, told by its columns (`SELECT *` or a few named ones).
    pub fn from_columns(has: impl Fn(&str) -> bool) -> Option<OsqueryTable> {
        if has("bundle_identifier") || has("bundle_short_version") {
            Some(OsqueryTable::Apps)
        } else if has("identifying_number")
            || has("uninstall_string")
            || has("install_source")
            || (has("publisher") && !has("arch"))
        {
            Some(OsqueryTable::Programs)
        } else if has("maintainer") || has("admindir") || has("revision") || has("priority") {
            Some(OsqueryTable::DebPackages)
        } else if has("release") || has("sha1") || has("epoch") {
            Some(OsqueryTable::RpmPackages)
        } else {
            None
        }
    }
}
