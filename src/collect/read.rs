//! The one bounded file reader: every collector that reads a whole file reads it
//! here, with the same rules. Only a regular file is read (a FIFO would block, a
//! device never ends); it is refused when larger than the limit, and never read past
//! it even when it grows meanwhile; a final symbolic link is followed only when the
//! caller says so (walks under a machine root never follow one).
//!
//! Callers turn a [`ReadFailure`] into their own words, so messages stay theirs.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::Path;

/// Whether a final symbolic link is followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Links {
    /// Follow it: the user named the path (or the walk checked it already).
    Follow,
    /// Refuse it, and never block on a FIFO swapped in: paths found by a walk.
    NoFollow,
}

/// Why a bounded read failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadFailure {
    /// The file could not be opened or read.
    #[error("cannot read: {0}")]
    Io(#[from] io::Error),
    /// Not a regular file; the kind it is (`folder`, `FIFO`, `symbolic link`...).
    #[error("not a regular file ({0})")]
    NotRegular(&'static str),
    /// Larger than the limit (its size then, in bytes).
    #[error("{0} bytes: larger than the limit")]
    TooLarge(u64),
    /// It grew past the limit while being read.
    #[error("grew past the size limit while being read")]
    Grew,
}

/// Opens a regular file of at most `limit` bytes; returns it and its size.
pub fn open_bounded(path: &Path, limit: u64, links: Links) -> Result<(File, u64), ReadFailure> {
    // Check the kind before opening: opening a FIFO would block.
    let meta = match links {
        Links::Follow => fs::metadata(path)?,
        Links::NoFollow => fs::symlink_metadata(path)?,
    };
    if !meta.is_file() {
        return Err(ReadFailure::NotRegular(file_kind(&meta.file_type())));
    }
    if meta.len() > limit {
        return Err(ReadFailure::TooLarge(meta.len()));
    }
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    if links == Links::NoFollow {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(path)?;
    // It may have been swapped between the check and the open.
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadFailure::NotRegular(file_kind(&meta.file_type())));
    }
    Ok((file, meta.len()))
}

/// Reads a whole regular file of at most `limit` bytes.
pub fn read_bounded(path: &Path, limit: u64, links: Links) -> Result<Vec<u8>, ReadFailure> {
    let (file, len) = open_bounded(path, limit, links)?;
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    // The file may grow between stat and read: never read past the limit.
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadFailure::Grew);
    }
    Ok(bytes)
}

/// A short name for what a non-regular file is, for error messages.
pub fn file_kind(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "fifo";
        }
        if kind.is_socket() {
            return "socket";
        }
        if kind.is_block_device() {
            return "block device";
        }
        if kind.is_char_device() {
            return "character device";
        }
    }
    if kind.is_symlink() {
        "symbolic link"
    } else if kind.is_dir() {
        "folder"
    } else if kind.is_file() {
        "file"
    } else {
        "special file"
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_within_the_limit_and_refuses_beyond() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"12345").unwrap();
        assert_eq!(read_bounded(&path, 5, Links::NoFollow).unwrap(), b"12345");
        assert!(matches!(
            read_bounded(&path, 4, Links::Follow),
            Err(ReadFailure::TooLarge(5))
        ));
        assert!(matches!(
            read_bounded(dir.path(), 4, Links::Follow),
            Err(ReadFailure::NotRegular(_))
        ));
        assert!(matches!(
            read_bounded(&dir.path().join("missing"), 4, Links::Follow),
            Err(ReadFailure::Io(_))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"x").unwrap();
        let link = dir.path().join("l");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        assert_eq!(read_bounded(&link, 5, Links::Follow).unwrap(), b"x");
        assert!(matches!(
            read_bounded(&link, 5, Links::NoFollow),
            Err(ReadFailure::NotRegular(_))
        ));
    }
}
