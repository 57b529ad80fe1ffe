//! Where a command's report goes: stdout, or a file written atomically
//! (a reader never sees half a report, and a failed run leaves no partial file).

use anyhow::{Context as _, Result};
use std::io::{self, Write};
use std::path::Path;

/// Calls `write` with stdout or with a temporary file that replaces `path` on success.
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
        Some(path) => {
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            let mut tmp = tempfile::NamedTempFile::new_in(dir)
                .with_context(|| format!("cannot write the report in {}", dir.display()))?;
            {
                let mut buf = io::BufWriter::new(tmp.as_file_mut());
                write(&mut buf).with_context(|| format!("cannot write {}", path.display()))?;
                buf.flush()?;
            }
            tmp.persist(path)
                .map_err(|e| e.error)
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok(())
        }
    }
}
