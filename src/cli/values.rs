//! The command line's spelling of library enums. clap stays in the CLI: the library's
//! enums carry no clap derive, and these map onto them one to one.

use clap::ValueEnum;

/// Output formats for `appaudit scan --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// A readable table per device, then a summary (default).
    #[default]
    Table,
    /// One versioned JSON document (see docs/report-format.md).
    Json,
    /// One JSON object per line (devices, findings, errors, summary), for SIEMs.
    Ndjson,
    /// One row per finding, for spreadsheets.
    Csv,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// Markdown, for tickets and wikis.
    Markdown,
    /// One self-contained HTML page for managers.
    Html,
    /// A CycloneDX 1.6 JSON SBOM: every app of every device, findings as annotations.
    Cyclonedx,
}

impl From<Format> for crate::report::Format {
    fn from(f: Format) -> Self {
        use crate::report::Format as F;
        match f {
            Format::Table => F::Table,
            Format::Json => F::Json,
            Format::Ndjson => F::Ndjson,
            Format::Csv => F::Csv,
            Format::Sarif => F::Sarif,
            Format::Markdown => F::Markdown,
            Format::Html => F::Html,
            Format::Cyclonedx => F::Cyclonedx,
        }
    }
}

/// What the user says an input is; `Auto` detects it from the content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum InputFormat {
    /// Detect from the content (not the file name).
    #[default]
    Auto,
    /// `adb shell pm list packages` output, with any flags.
    PmList,
    /// `adb shell dumpsys package`, a whole `dumpsys`, or a bugreport's dumpstate text.
    Dumpsys,
    /// androidqf `packages.json`.
    Androidqf,
    /// osquery JSON results of `apps`, `programs`, `deb_packages` or `rpm_packages`.
    Osquery,
    /// Fleet's software JSON (`{"software": [...]}`, a host, or hosts with software).
    Fleet,
    /// A CSV app inventory (an MDM's discovered-apps export); see docs/imports.md.
    Csv,
}

impl From<InputFormat> for crate::collect::InputFormat {
    fn from(f: InputFormat) -> Self {
        use crate::collect::InputFormat as F;
        match f {
            InputFormat::Auto => F::Auto,
            InputFormat::PmList => F::PmList,
            InputFormat::Dumpsys => F::Dumpsys,
            InputFormat::Androidqf => F::Androidqf,
            InputFormat::Osquery => F::Osquery,
            InputFormat::Fleet => F::Fleet,
            InputFormat::Csv => F::Csv,
        }
    }
}

/// The operating system of a machine root.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, ValueEnum)]
pub enum Os {
    Macos,
    Windows,
    Linux,
}

impl From<Os> for crate::collect::desktop::Os {
    fn from(os: Os) -> Self {
        use crate::collect::desktop::Os as O;
        match os {
            Os::Macos => O::Macos,
            Os::Windows => O::Windows,
            Os::Linux => O::Linux,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CLI and library enums must list the same values in the same order.
    #[test]
    fn every_value_maps_to_the_library_value_of_the_same_name() {
        for f in Format::value_variants() {
            let name = f.to_possible_value().expect("named").get_name().to_owned();
            assert_eq!(
                format!("{:?}", crate::report::Format::from(*f)).to_lowercase(),
                name
            );
        }
        for f in InputFormat::value_variants() {
            let name = f
                .to_possible_value()
                .expect("named")
                .get_name()
                .replace('-', "");
            assert_eq!(
                format!("{:?}", crate::collect::InputFormat::from(*f)).to_lowercase(),
                name
            );
        }
        for os in Os::value_variants() {
            let name = os.to_possible_value().expect("named").get_name().to_owned();
            assert_eq!(crate::collect::desktop::Os::from(*os).as_str(), name);
        }
    }
}
