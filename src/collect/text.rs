//! Lenient decoding of input bytes into text.
//!
//! Captures come from phones, Windows shells and forensic tools: they may carry a
//! BOM, CRLF line ends, stray NUL bytes or a few invalid UTF-8 sequences. All of
//! that is accepted; only data that is clearly not text is refused.

pub use crate::collect::read::file_kind;
use crate::collect::read::{Links, ReadFailure, open_bounded, read_bounded};
use std::io::Read;
use std::path::Path;

/// Files larger than this are refused when read whole; streamed files are read
/// up to this many bytes.
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// Bytes read at the start of a file to tell its format; a file no longer than this
/// is decoded whole, a longer one can be streamed line by line ([`TextInput`]).
pub const HEAD_BYTES: usize = 64 * 1024;

/// A streamed line longer than this is cut (the rest of it is skipped), so that a
/// file without line breaks cannot make memory grow.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Bytes read from the file at a time when streaming.
const CHUNK_BYTES: usize = 256 * 1024;

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
    // Valid UTF-8 (the usual case) is checked once, then copied without the lossy walk.
    let valid = std::str::from_utf8(bytes).ok();
    let sample = &bytes[..bytes.len().min(SAMPLE_BYTES)];
    let binary = match valid {
        Some(_) => control_bytes(sample) * 10 > sample.len(),
        None => looks_binary(sample),
    };
    if binary {
        return Err("binary data, not text");
    }
    let mut text = match valid {
        Some(text) => text.to_owned(),
        None => String::from_utf8_lossy(bytes).into_owned(),
    };
    if text.contains('\0') {
        text.retain(|c| c != '\0');
    }
    non_empty(text)
}

/// Why a file gave no text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// It could not be read: I/O error, permissions, not a regular file, too large.
    #[error("{0}")]
    Unreadable(String),
    /// It was read but holds no text: empty, or binary data.
    #[error("{0}")]
    NotText(&'static str),
}

/// Reads a regular file (refusing FIFOs, devices and huge files) and decodes it.
pub fn read_text_file(path: &Path) -> Result<String, ReadError> {
    let bytes = read_bounded(path, MAX_FILE_BYTES, Links::Follow).map_err(read_failure)?;
    decode(&bytes).map_err(ReadError::NotText)
}

/// A text file opened for reading: its decoded head (to tell the format), and
/// either its whole text (small files, UTF-16) or a stream of its lines.
///
/// Streaming keeps memory bounded whatever the file size: lines are decoded one at
/// a time with the same leniency as [`decode`] (BOM stripped, invalid UTF-8 replaced,
/// NULs dropped, `\r\n` ends), and line numbers stay those of the file.
pub struct TextInput {
    /// The decoded start of the file: all of it when [`TextInput::is_complete`],
    /// otherwise the first [`HEAD_BYTES`] cut after the last full line.
    head: String,
    body: Body,
}

enum Body {
    Complete,
    Stream {
        /// The raw bytes already read (BOM stripped); the file continues after them.
        raw_head: Vec<u8>,
        /// The rest of the file, limited to the length it had when opened.
        rest: std::io::Take<std::fs::File>,
    },
}

/// What [`TextInput::for_each_line`] saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LineStats {
    /// How many lines there were.
    pub lines: u64,
    /// A line held something other than whitespace.
    pub any_text: bool,
    /// Lines longer than [`MAX_LINE_BYTES`], cut.
    pub cut_lines: u64,
}

impl TextInput {
    /// Opens a regular file (refusing FIFOs, devices and huge files) and reads its head.
    /// Errors are those of [`read_text_file`]; for a streamed file, "empty" can only be
    /// told once it has been read ([`LineStats::any_text`]).
    pub fn open(path: &Path) -> Result<TextInput, ReadError> {
        let unreadable = |e: std::io::Error| ReadError::Unreadable(format!("cannot read: {e}"));
        let (mut file, len) =
            open_bounded(path, MAX_FILE_BYTES, Links::Follow).map_err(read_failure)?;
        let mut raw = vec![0u8; HEAD_BYTES];
        let mut filled = 0;
        while filled < raw.len() {
            match file.read(&mut raw[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(unreadable(e)),
            }
        }
        raw.truncate(filled);
        let stream =
            filled == HEAD_BYTES && len > HEAD_BYTES as u64 && decode_utf16_order(&raw).is_none();
        if !stream {
            // Small (or UTF-16, or of unknown length): read whole, as `read_text_file` does.
            file.take(MAX_FILE_BYTES + 1 - filled as u64)
                .read_to_end(&mut raw)
                .map_err(unreadable)?;
            if raw.len() as u64 > MAX_FILE_BYTES {
                return Err(too_large(raw.len() as u64));
            }
            let head = decode(&raw).map_err(ReadError::NotText)?;
            return Ok(TextInput {
                head,
                body: Body::Complete,
            });
        }
        let raw = match raw.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) => rest.to_vec(),
            None => raw,
        };
        if looks_binary(&raw) {
            return Err(ReadError::NotText("binary data, not text"));
        }
        // The head as text: up to its last full line.
        let cut = memchr::memrchr(b'\n', &raw).map_or(raw.len(), |i| i + 1);
        let mut head = String::from_utf8_lossy(&raw[..cut]).into_owned();
        head.retain(|c| c != '\0');
        // Read no more than the file held when opened: one that keeps growing ends.
        let rest_len = len.saturating_sub(filled as u64);
        Ok(TextInput {
            head,
            body: Body::Stream {
                raw_head: raw,
                rest: file.take(rest_len),
            },
        })
    }

    /// The decoded head (the whole text when complete).
    pub fn head(&self) -> &str {
        &self.head
    }

    /// Whether [`TextInput::head`] is the whole file.
    pub fn is_complete(&self) -> bool {
        matches!(self.body, Body::Complete)
    }

    /// The whole text, for formats that are not read line by line. A streamed file is
    /// read to its end here (within [`MAX_FILE_BYTES`]) and decoded as [`decode`] does.
    pub fn into_string(self) -> Result<String, ReadError> {
        match self.body {
            Body::Complete => Ok(self.head),
            Body::Stream { mut raw_head, rest } => {
                let mut rest = rest;
                rest.read_to_end(&mut raw_head)
                    .map_err(|e| ReadError::Unreadable(format!("cannot read: {e}")))?;
                decode(&raw_head).map_err(ReadError::NotText)
            }
        }
    }

    /// The whole file as bytes, for formats read record by record (CSV, JSON arrays)
    /// rather than line by line: a complete input gives its decoded text, a streamed
    /// one its raw bytes (BOM stripped, the head first, then the rest of the file as it
    /// is read). Raw bytes may still hold NULs and invalid UTF-8: the reader decodes
    /// them with the leniency of [`decode`] (UTF-16 files are always complete).
    pub fn into_reader(self) -> Box<dyn Read + Send> {
        match self.body {
            Body::Complete => Box::new(std::io::Cursor::new(self.head.into_bytes())),
            Body::Stream { raw_head, rest } => Box::new(std::io::Cursor::new(raw_head).chain(rest)),
        }
    }

    /// Calls `f(number, line)` for every line (numbered from 1, without its `\n` or
    /// `\r\n`), reading the file in chunks. Memory stays within a few chunks and
    /// [`MAX_LINE_BYTES`]. A read error stops the stream and is returned.
    pub fn for_each_line(self, mut f: impl FnMut(u64, &str)) -> Result<LineStats, ReadError> {
        let mut stats = LineStats::default();
        let mut emit = |number: u64, line: &str| {
            stats.lines = number;
            if !stats.any_text {
                stats.any_text = !line.trim().is_empty();
            }
            f(number, line);
        };
        match self.body {
            Body::Complete => {
                let mut number = 0;
                let mut rest = self.head.as_str();
                // As `lines`, but without the empty piece after a final line break.
                while !rest.is_empty() {
                    let (line, tail) = rest.split_once('\n').unwrap_or((rest, ""));
                    rest = tail;
                    number += 1;
                    emit(number, line.strip_suffix('\r').unwrap_or(line));
                }
                Ok(stats)
            }
            Body::Stream { raw_head, rest } => {
                let streamed = for_each_line_in(raw_head, rest, f)
                    .map_err(|e| ReadError::Unreadable(format!("cannot read: {e}")))?;
                Ok(streamed)
            }
        }
    }
}

/// Calls `f(number, line)` for every line of a text that has no file of its own (an
/// entry of a zip): `head`, bytes already read from it (a UTF-8 BOM stripped), then
/// the rest `reader` gives. Lines are decoded as in a streamed file: invalid UTF-8
/// replaced, NULs dropped, lines over [`MAX_LINE_BYTES`] cut. A read error stops
/// the stream and is returned as it was.
pub fn for_each_line_in(
    head: Vec<u8>,
    reader: impl Read,
    mut f: impl FnMut(u64, &str),
) -> std::io::Result<LineStats> {
    let mut stats = LineStats::default();
    let mut emit = |number: u64, line: &str| {
        stats.lines = number;
        if !stats.any_text {
            stats.any_text = !line.trim().is_empty();
        }
        f(number, line);
    };
    let mut reader = LineReader::new(head, reader);
    let mut scratch = Vec::new();
    let cut = reader.run(|number, raw| match raw {
        RawLine::Text(line) => emit(number, line.strip_suffix('\r').unwrap_or(line)),
        RawLine::Bytes(bytes) => emit(number, &decode_line(bytes, &mut scratch)),
    })?;
    stats.cut_lines = cut;
    Ok(stats)
}

/// Whether the first bytes of a text are UTF-16 (a BOM, or the zero bytes of ASCII),
/// which is only read whole.
pub fn is_utf16(head: &[u8]) -> bool {
    decode_utf16_order(head).is_some()
}

/// Whether the first bytes of a text say it is binary data (as [`decode`] tells it).
pub fn head_is_binary(head: &[u8]) -> bool {
    looks_binary(&head[..head.len().min(SAMPLE_BYTES)])
}

/// A reader that keeps the last bytes it passed on, so that a record parser reading
/// through it (the `csv` crate) can quote the line a record started on as evidence
/// without the file being held whole.
pub(crate) struct RecentBytes<R> {
    inner: R,
    /// The bytes most recently read, the first of them at offset `start` of the stream.
    kept: Vec<u8>,
    start: u64,
}

/// How much of the stream [`RecentBytes`] keeps: a record's first line can be quoted
/// while it started less than this many bytes before what was read last.
const RECENT_BYTES: usize = 256 * 1024;

impl<R: Read> RecentBytes<R> {
    pub(crate) fn new(inner: R) -> Self {
        RecentBytes {
            inner,
            kept: Vec::new(),
            start: 0,
        }
    }

    /// The excerpt ([`excerpt`]) of the line holding stream offset `at`, decoded as
    /// [`decode`] would; `None` when its start was read too long ago. Only the line's
    /// part already read is quoted (an excerpt keeps 400 characters anyway).
    pub(crate) fn excerpt_at(&self, at: u64) -> Option<String> {
        let at = usize::try_from(at.checked_sub(self.start)?).ok()?;
        let before = self.kept.get(..at)?;
        let from = match memchr::memrchr(b'\n', before) {
            Some(i) => i + 1,
            // The line started before the bytes kept (unless they are the stream's start).
            None if self.start > 0 => return None,
            None => 0,
        };
        let to = memchr::memchr(b'\n', &self.kept[at..]).map_or(self.kept.len(), |i| at + i);
        let mut scratch = Vec::new();
        Some(excerpt(&decode_line(&self.kept[from..to], &mut scratch)))
    }
}

impl<R: Read> Read for RecentBytes<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.kept.len() + n > 2 * RECENT_BYTES {
            // Keep the last RECENT_BYTES only: memory stays bounded, copies amortised.
            let drop = (self.kept.len() + n)
                .saturating_sub(RECENT_BYTES)
                .min(self.kept.len());
            self.kept.drain(..drop);
            self.start += drop as u64;
        }
        self.kept
            .extend_from_slice(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}

/// One line of raw bytes as text: `\r` end removed, NULs dropped, invalid UTF-8 replaced.
pub(crate) fn decode_line<'a>(
    bytes: &'a [u8],
    scratch: &'a mut Vec<u8>,
) -> std::borrow::Cow<'a, str> {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    let bytes = if memchr::memchr(0, bytes).is_some() {
        scratch.clear();
        scratch.extend(bytes.iter().filter(|b| **b != 0));
        scratch.as_slice()
    } else {
        bytes
    };
    // The validation of `from_utf8` is much faster than the lossy walk on valid text.
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// A line as [`LineReader`] gives it: already checked as text, or raw bytes.
enum RawLine<'a> {
    Text(&'a str),
    Bytes(&'a [u8]),
}

/// Splits a byte stream into lines without copying them, in bounded memory.
struct LineReader<R> {
    reader: R,
    buf: Vec<u8>,
    /// Start of the current line in `buf`.
    start: usize,
    /// End of the bytes in `buf`.
    end: usize,
}

impl<R: Read> LineReader<R> {
    fn new(head: Vec<u8>, reader: R) -> Self {
        let end = head.len();
        LineReader {
            reader,
            buf: head,
            start: 0,
            end,
        }
    }

    /// Makes room (moves the current line to the front of the buffer, `scan` with it)
    /// and reads a chunk after it; returns how many bytes were read, 0 at the end.
    #[inline]
    fn fill(&mut self, scan: &mut usize) -> std::io::Result<usize> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            *scan -= self.start;
            self.start = 0;
        }
        if self.buf.len() < self.end + CHUNK_BYTES {
            self.buf.resize(self.end + CHUNK_BYTES, 0);
        }
        loop {
            match self.reader.read(&mut self.buf[self.end..]) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Calls `f` for every line; returns how many lines were cut.
    fn run(&mut self, mut f: impl FnMut(u64, RawLine<'_>)) -> std::io::Result<u64> {
        let mut number = 0u64;
        let mut cut_lines = 0u64;
        // Searched up to here for a line break.
        let mut scan = 0usize;
        // The current line is longer than MAX_LINE_BYTES: only its start is kept.
        let mut cut = false;
        loop {
            if !cut {
                // Fast path: the complete lines of the buffer are valid UTF-8 without NULs,
                // checked at once rather than line by line.
                let region = &self.buf[self.start..self.end];
                if let Some(last) = memchr::memrchr(b'\n', region)
                    && memchr::memchr(0, &region[..last]).is_none()
                    && let Ok(text) = std::str::from_utf8(&region[..last])
                {
                    // memchr finds line breaks faster than `str::split` (a char searcher).
                    let mut from = 0;
                    for newline in memchr::memchr_iter(b'\n', text.as_bytes()) {
                        number += 1;
                        f(
                            number,
                            RawLine::Text(text.get(from..newline).unwrap_or_default()),
                        );
                        from = newline + 1;
                    }
                    number += 1;
                    f(number, RawLine::Text(text.get(from..).unwrap_or_default()));
                    self.start += last + 1;
                    scan = self.start;
                }
            }
            while let Some(i) = memchr::memchr(b'\n', &self.buf[scan..self.end]) {
                let newline = scan + i;
                let line_end = if cut {
                    self.start + MAX_LINE_BYTES
                } else {
                    newline
                };
                number += 1;
                f(number, RawLine::Bytes(&self.buf[self.start..line_end]));
                self.start = newline + 1;
                scan = self.start;
                cut = false;
            }
            // No line break after `scan`.
            if !cut && self.end - self.start > MAX_LINE_BYTES {
                cut = true;
                cut_lines += 1;
            }
            if cut {
                // Keep the line's first bytes only.
                self.end = self.start + MAX_LINE_BYTES;
            }
            scan = self.end;
            let n = self.fill(&mut scan)?;
            if n == 0 {
                if self.end > self.start {
                    number += 1;
                    f(number, RawLine::Bytes(&self.buf[self.start..self.end]));
                }
                return Ok(cut_lines);
            }
            self.end += n;
        }
    }
}

/// A failed bounded read, in the words text inputs have always used.
fn read_failure(e: ReadFailure) -> ReadError {
    match e {
        ReadFailure::TooLarge(len) => too_large(len),
        ReadFailure::Grew => too_large(MAX_FILE_BYTES + 1),
        e => ReadError::Unreadable(e.to_string()),
    }
}

fn too_large(len: u64) -> ReadError {
    ReadError::Unreadable(format!(
        "file is too large ({len} bytes; the limit is 1 GiB)"
    ))
}

/// Lines without their `\n` or `\r\n` ends; the n-th item is line n+1 of the file.
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l))
}

/// A line as evidence: trimmed, and cut short when absurdly long (garbage input).
pub fn excerpt(line: &str) -> String {
    const MAX_CHARS: usize = 400;
    let line = line.trim();
    // No more bytes than the limit: no more characters either (no need to count them).
    if line.len() <= MAX_CHARS {
        return line.to_owned();
    }
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
    let control = control_bytes(sample);
    let suspicious = control + invalid_utf8_bytes(sample);
    suspicious * 10 > sample.len()
}

fn control_bytes(sample: &[u8]) -> usize {
    sample.iter().filter(|b| is_binary_control(**b)).count()
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
    let (order, body) = decode_utf16_order(bytes)?;
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

/// The byte order of UTF-16 input and its bytes after the BOM; `None` when not UTF-16.
fn decode_utf16_order(bytes: &[u8]) -> Option<(Utf16, &[u8])> {
    let (order, body) = if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        (Utf16::Le, rest)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        (Utf16::Be, rest)
    } else {
        (guess_utf16(&bytes[..bytes.len().min(SAMPLE_BYTES)])?, bytes)
    };
    Some((order, body))
}

fn guess_utf16(sample: &[u8]) -> Option<Utf16> {
    // Most inputs hold no NUL at all: not UTF-16, without counting.
    if sample.len() < 8 || memchr::memchr(0, sample).is_none() {
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

    fn streamed(bytes: &[u8]) -> (Vec<(u64, String)>, LineStats) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.txt");
        std::fs::write(&path, bytes).unwrap();
        let input = TextInput::open(&path).unwrap();
        assert!(!input.is_complete());
        let mut lines = Vec::new();
        let stats = input
            .for_each_line(|n, l| lines.push((n, l.to_owned())))
            .unwrap();
        (lines, stats)
    }

    #[test]
    fn streams_like_decode_over_chunk_boundaries() {
        // Lines of every length around the chunk sizes, CRLF, NULs and bad UTF-8.
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        for i in 0..40_000u32 {
            let line = match i % 5 {
                0 => format!("package:com.a{i}\r\n"),
                1 => format!("  Package [x{i}] (ab):\n"),
                2 => format!("wi\0th nul {i}\n"),
                3 => format!("bad \u{e9} {}\n", "y".repeat(i as usize % 97)),
                _ => "\n".to_owned(),
            };
            bytes.extend_from_slice(line.as_bytes());
        }
        bytes.extend_from_slice(b"bad\xFFbyte\nlast line without break");
        let whole = decode(&bytes).unwrap();
        let expected: Vec<(u64, String)> = lines(&whole)
            .enumerate()
            .map(|(i, l)| (i as u64 + 1, l.to_owned()))
            .collect();
        let (got, stats) = streamed(&bytes);
        assert_eq!(got, expected);
        assert!(stats.any_text);
        assert_eq!(stats.cut_lines, 0);
    }

    #[test]
    fn streaming_cuts_huge_lines() {
        let mut bytes = b"first\n".to_vec();
        bytes.extend(std::iter::repeat_n(b'a', 3 * MAX_LINE_BYTES + 17));
        bytes.extend_from_slice(b"\nthird\n");
        bytes.extend(std::iter::repeat_n(b'b', 2 * MAX_LINE_BYTES));
        let (got, stats) = streamed(&bytes);
        assert_eq!(got.len(), 4);
        assert_eq!(got[1].1.len(), MAX_LINE_BYTES);
        assert_eq!(got[2], (3, "third".to_owned()));
        assert_eq!(got[3].1.len(), MAX_LINE_BYTES);
        assert_eq!(stats.cut_lines, 2);
    }

    #[test]
    fn streaming_refuses_binary_and_sees_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bin");
        let noise: Vec<u8> = (0u8..=255).cycle().take(200_000).collect();
        std::fs::write(&path, noise).unwrap();
        assert_eq!(
            TextInput::open(&path).err(),
            Some(ReadError::NotText("binary data, not text"))
        );
        let (got, stats) = streamed(&vec![b'\n'; 100_000]);
        assert_eq!(got.len(), 100_000);
        assert!(!stats.any_text);
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
