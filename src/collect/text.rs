//! Lenient decoding of input bytes into text.
//!
//! Captures come from phones, Windows shells and forensic tools: they may carry a
//! BOM, CRLF line ends, stray NUL bytes or a few invalid UTF-8 sequences. All of
//! that is accepted; only data that is clearly not text is refused.

use std::io::Read;
use std::path::Path;

/// Files larger than this are refused (they are read fully into memory for now).
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// How much of the start of the input is inspected to tell text from binary.
const SAMPLE_BYTES: usize = 64 * 1024;

/// Decodes input bytes as text.
///
/// Strips a UTF-8 BOM, decodes UTF-16 (with a BOM, or plainly UTF-16 as PowerShell's
/// `>` writes it), replaces invalid UTF-8 with U+FFFD and drops NUL bytes (they are
/// never line breaks, so line numbers stay those of the file).
pub fn decode(bytes: &[u8]) -> Result<String, &'static str> {
    if let Some(text) = decode_utf16(bytes) {
        if looks_binary_text(&text) {
            return Err("binary data, not text");
        }
        return non_empty(text);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace() || *b == 0) {
        return Err("empty file");
    }
    if looks_binary(&bytes[..bytes.len().min(SAMPLE_BYTES)]) {
        return Err("binary data, not text");
    }
    let mut text = String::from_utf8_lossy(bytes).into_owned();
    if text.contains('\0') {
        text.retain(|c| c != '\0');
    }
    non_empty(text)
}

/// Why a file gave no text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadError {
    /// It could not be read: I/O error, permissions, not a regular file, too large.
    Unreadable(String),
    /// It was read but holds no text: empty, or binary data.
    NotText(&'static str),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Unreadable(message) => f.write_str(message),
            ReadError::NotText(message) => f.write_str(message),
        }
    }
}

/// Reads a regular file (refusing FIFOs, devices and huge files) and decodes it.
pub fn read_text_file(path: &Path) -> Result<String, ReadError> {
    let unreadable = |e: std::io::Error| ReadError::Unreadable(format!("cannot read: {e}"));
    // Check the kind before opening: opening a FIFO would block.
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        let kind = file_kind(&meta.file_type());
        return Err(ReadError::Unreadable(format!(
            "not a regular file ({kind})"
        )));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let mut bytes = Vec::new();
    // The file may grow between stat and read: never read past the cap.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    decode(&bytes).map_err(ReadError::NotText)
}

fn too_large(len: u64) -> ReadError {
    ReadError::Unreadable(format!(
        "file is too large ({len} bytes; the limit is 1 GiB)"
    ))
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

/// Lines without their `\n` or `\r\n` ends; the n-th item is line n+1 of the file.
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l))
}

/// A line as evidence: trimmed, and cut short when absurdly long (garbage input).
pub fn excerpt(line: &str) -> String {
    const MAX_CHARS: usize = 400;
    let line = line.trim();
    match line.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_owned(),
    }
}

fn non_empty(text: String) -> Result<String, &'static str> {
    if text.trim().is_empty() {
        Err("empty file")
    } else {
        Ok(text)
    }
}

/// More than 10% of the sample is control bytes or invalid UTF-8 (NULs are not
/// counted: real dumps carry a few, and they are dropped).
fn looks_binary(sample: &[u8]) -> bool {
    let control = sample.iter().filter(|b| is_binary_control(**b)).count();
    let suspicious = control + invalid_utf8_bytes(sample);
    suspicious * 10 > sample.len()
}

/// The same test on decoded text (UTF-16 input), over its first characters.
fn looks_binary_text(text: &str) -> bool {
    let sample = text.chars().take(SAMPLE_BYTES / 2);
    let (mut total, mut bad) = (0usize, 0usize);
    for c in sample {
        total += 1;
        let control = u8::try_from(c).is_ok_and(is_binary_control);
        bad += usize::from(control || c == char::REPLACEMENT_CHARACTER);
    }
    bad * 10 > total
}

fn is_binary_control(b: u8) -> bool {
    matches!(b, 0x01..=0x08 | 0x0b | 0x0e..=0x1a | 0x1c..=0x1f | 0x7f)
}

/// Number of bytes in invalid UTF-8 sequences; a sequence cut by the sample end is fine.
fn invalid_utf8_bytes(mut bytes: &[u8]) -> usize {
    let mut invalid = 0;
    loop {
        match std::str::from_utf8(bytes) {
            Ok(_) => return invalid,
            Err(e) => match e.error_len() {
                None => return invalid,
                Some(len) => {
                    invalid += len;
                    bytes = &bytes[e.valid_up_to() + len..];
                }
            },
        }
    }
}

#[derive(Clone, Copy)]
enum Utf16 {
    Le,
    Be,
}

/// Decodes UTF-16 text: with a BOM, or without one when most odd (or even) bytes are NUL.
fn decode_utf16(bytes: &[u8]) -> Option<String> {
    let (order, body) = if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        (Utf16::Le, rest)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        (Utf16::Be, rest)
    } else {
        (guess_utf16(&bytes[..bytes.len().min(SAMPLE_BYTES)])?, bytes)
    };
    let units = body.chunks_exact(2).map(|pair| match order {
        Utf16::Le => u16::from_le_bytes([pair[0], pair[1]]),
        Utf16::Be => u16::from_be_bytes([pair[0], pair[1]]),
    });
    let mut text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    text.retain(|c| c != '\0');
    Some(text)
}

fn guess_utf16(sample: &[u8]) -> Option<Utf16> {
    if sample.len() < 8 {
        return None;
    }
    let pairs = sample.len() / 2;
    let even_nul = sample.iter().step_by(2).filter(|b| **b == 0).count();
    let odd_nul = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|b| **b == 0)
        .count();
    // ASCII text in UTF-16 has a NUL in every unit's high byte and almost none elsewhere.
    if odd_nul * 10 > pairs * 9 && even_nul * 20 < pairs {
        Some(Utf16::Le)
    } else if even_nul * 10 > pairs * 9 && odd_nul * 20 < pairs {
        Some(Utf16::Be)
    } else {
        None
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn strips_bom_and_keeps_crlf_for_the_parsers() {
        let text = decode(b"\xEF\xBB\xBFpackage:a\r\npackage:b\r\n").unwrap();
        assert_eq!(text, "package:a\r\npackage:b\r\n");
        let lines: Vec<&str> = lines(&text).collect();
        assert_eq!(lines, ["package:a", "package:b", ""]);
    }

    #[test]
    fn drops_nul_bytes_without_moving_lines() {
        let text = decode(b"one\ntw\0\0o\nthree").unwrap();
        assert_eq!(lines(&text).collect::<Vec<_>>(), ["one", "two", "three"]);
    }

    #[test]
    fn replaces_invalid_utf8() {
        let text = decode(b"package:com.ex\xFFample\n").unwrap();
        assert_eq!(text, "package:com.ex\u{FFFD}ample\n");
    }

    #[test]
    fn refuses_empty_and_whitespace() {
        assert_eq!(decode(b""), Err("empty file"));
        assert_eq!(decode(b" \r\n\t\n"), Err("empty file"));
        assert_eq!(decode(b"\xEF\xBB\xBF\n"), Err("empty file"));
        assert_eq!(decode(b"\0\0\0\0\0\0\0\0\0\0"), Err("empty file"));
    }

    #[test]
    fn refuses_binary() {
        let zip_like: Vec<u8> = (0u8..=255).cycle().take(4096).collect();
        assert_eq!(decode(&zip_like), Err("binary data, not text"));
        // This test's own executable.
        let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        assert_eq!(decode(&exe), Err("binary data, not text"));
    }

    #[test]
    fn decodes_utf16_from_powershell() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "package:com.tencent.mm\r\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode(&bytes).unwrap(), "package:com.tencent.mm\r\n");
        // Without a BOM too.
        assert_eq!(decode(&bytes[2..]).unwrap(), "package:com.tencent.mm\r\n");
        let be: Vec<u8> = "package:x\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(decode(&be).unwrap(), "package:x\n");
        // A BOM does not make binary data text.
        let mut fake = vec![0xFF, 0xFE];
        fake.extend((0u16..300).flat_map(|u| (u % 31 + 1).to_le_bytes()));
        assert_eq!(decode(&fake), Err("binary data, not text"));
    }

    #[test]
    fn excerpt_trims_and_caps() {
        assert_eq!(excerpt("  package:a \r"), "package:a");
        let long = "é".repeat(1000);
        assert_eq!(excerpt(&long).chars().count(), 401);
    }

    #[test]
    fn refuses_fifo_without_opening_it() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !matches!(made, Ok(s) if s.success()) {
            eprintln!("skipped: mkfifo unavailable");
            return;
        }
        assert_eq!(
            read_text_file(&fifo),
            Err(ReadError::Unreadable(
                "not a regular file (fifo)".to_owned()
            ))
        );
    }
}
