//! The machine appaudit runs on: which OS, where its root is, what it is called.
//!
//! A live scan reads the real root (`/`, or the system drive on Windows) through
//! the same file collectors as an offline image, so both paths are one code path.

use super::Os;
use std::path::PathBuf;

/// The OS appaudit was built for, if it is one of the desktop systems.
pub fn host_os() -> Option<Os> {
    if cfg!(target_os = "macos") {
        Some(Os::Macos)
    } else if cfg!(windows) {
        Some(Os::Windows)
    } else if cfg!(target_os = "linux") {
        Some(Os::Linux)
    } else {
        None
    }
}

/// The root folder of this machine: `/`, or `%SystemDrive%\` on Windows.
pub fn root() -> PathBuf {
    if cfg!(windows) {
        let drive = std::env::var("SystemDrive").unwrap_or_else(|_| "C:".to_owned());
        PathBuf::from(format!("{drive}\\"))
    } else {
        PathBuf::from("/")
    }
}

/// This machine's name, when it can be read without running anything.
pub fn hostname() -> Option<String> {
    let from_env = ["COMPUTERNAME", "HOSTNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok());
    let from_file = || {
        ["/proc/sys/kernel/hostname", "/etc/hostname"]
            .iter()
            .find_map(|p| std::fs::read_to_string(p).ok())
    };
    from_env
        .or_else(from_file)
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}
