//! Where a command's report goes: stdout, or a file written atomically
//! (a reader never sees half a report, and a failed run leaves no partial file).

use anyhow::{Context as _, Result};
use std::io::{self, IsTerminal as _, Write};
use std::path::Path;

/// Calls `write` with stdout or with a temporary file that replaces `path` on success.
///
/// The file gets the permissions any new file gets (0o666 less the umask, as `touch` or a
/// shell redirection would give it), or keeps those of the file it replaces.
pub fn emit(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    match path {
        None => {
            let stdout = io::stdout();
            let mut lock = stdout.lock();
            write(&mut lock)?;
            lock.flush()?;
            Ok(())
        }
        // A device, a FIFO or a link (`/dev/null`, `/dev/stdout`) is written into, never
        // replaced: renaming a report over it would swap the device or the link for a file.
        Some(path) if is_special(path) => {
            // Truncating a device or a FIFO does nothing; a file behind a link is rewritten.
            let file = std::fs::OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            let mut buf = io::BufWriter::new(file);
            write(&mut buf).with_context(|| format!("cannot write {}", path.display()))?;
            buf.flush()
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok(())
        }
        Some(path) => {
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            let mut tmp = temp_file_in(dir)
                .with_context(|| format!("cannot write the report in {}", dir.display()))?;
            {
                let mut buf = io::BufWriter::new(tmp.as_file_mut());
                write(&mut buf).with_context(|| format!("cannot write {}", path.display()))?;
                buf.flush()?;
            }
            // A report that replaces another keeps its permissions (a 0640 file stays 0640).
            if let Ok(old) = std::fs::metadata(path)
                && old.is_file()
            {
                tmp.as_file()
                    .set_permissions(old.permissions())
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            tmp.persist(path)
                .map_err(|e| e.error)
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok(())
        }
    }
}

/// Whether `path` exists as something other than a regular file (a link is not
/// followed: replacing it would replace the link).
fn is_special(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// A temporary file in `dir` created as a normal new file: on Unix with mode 0o666, which
/// the kernel narrows by the umask (tempfile's own default, 0o600, would hide the report
/// from colleagues and web servers).
fn temp_file_in(dir: &Path) -> io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".appaudit-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir)
}

/// The width people read stdout at: the terminal's; else `COLUMNS` (a script that sets
/// it); else, when stdout goes to a pipe or a file but stderr is still a terminal (`| less`,
/// `> report.txt` typed in a shell), that terminal's; else `None` (no limit).
pub fn stdout_width() -> Option<usize> {
    // `terminal_size()` asks stdout, then stderr, then stdin.
    let terminal_width = || {
        terminal_size::terminal_size()
            .map(|(terminal_size::Width(w), _)| usize::from(w))
            .filter(|w| *w > 0)
    };
    if io::stdout().is_terminal()
        && let Some(w) = terminal_width()
    {
        return Some(w);
    }
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|w| *w > 0);
    columns.or_else(|| io::stderr().is_terminal().then(terminal_width).flatten())
}
