//! The one JSON record locator: where each record of a JSON document stands (its
//! line, for evidence), found by a light scan of text serde_json already accepted.
//! osquery and Fleet imports and androidqf `packages.json` all use it.

use crate::collect::text::excerpt;

/// Where a JSON object that is an element of an array starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ObjectStart {
    /// How many arrays and objects enclose the `{`.
    pub depth: usize,
    /// The key whose value is the enclosing array (`None` for a top-level array).
    pub key: Option<String>,
    /// 1-based line of the `{`.
    pub line: u64,
    /// Byte offset of the `{`.
    pub offset: usize,
}

#[derive(Debug)]
enum Frame {
    Object,
    Array(Option<String>),
}

/// Every object that is an element of an array, in document order, with its line.
/// A light scan (strings, nesting, newlines) of text that serde_json has already
/// accepted; it decodes nothing and allocates only for keys of arrays.
pub(crate) fn array_objects(text: &str) -> Vec<ObjectStart> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut line: u64 = 1;
    let mut last_string: Option<(usize, usize)> = None;
    let mut pending_key: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => line += 1,
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < bytes.len() && bytes[j] != b'"' {
                    if bytes[j] == b'\\' {
                        j += 1;
                    } else if bytes[j] == b'\n' {
                        line += 1;
                    }
                    j += 1;
                }
                last_string = Some((start, j.min(bytes.len())));
                i = j;
            }
            b':' => pending_key = last_string.take(),
            b',' => {
                pending_key = None;
                last_string = None;
            }
            b'[' => {
                let key = match stack.last() {
                    Some(Frame::Object) => pending_key
                        .take()
                        .and_then(|(s, e)| text.get(s..e))
                        .map(str::to_owned),
                    _ => None,
                };
                stack.push(Frame::Array(key));
            }
            b'{' => {
                if let Some(Frame::Array(key)) = stack.last() {
                    found.push(ObjectStart {
                        depth: stack.len(),
                        key: key.clone(),
                        line,
                        offset: i,
                    });
                }
                pending_key = None;
                stack.push(Frame::Object);
            }
            b'}' | b']' => {
                stack.pop();
                pending_key = None;
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// The line of text that holds byte `offset`, as an evidence excerpt.
pub(crate) fn line_at(text: &str, offset: usize) -> String {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    excerpt(text.get(start..end).unwrap_or_default())
}

/// The line and text of the first `"key": "value"` at or after byte `from`, which is
/// on line `from_line` (a record's own key, when `from` is where the record starts).
pub(crate) fn key_line<'t>(
    text: &'t str,
    (from, from_line): (usize, u64),
    key: &str,
    value: &str,
) -> Option<(u64, &'t str)> {
    let quoted = format!("\"{key}\"");
    let from = from.min(text.len());
    let mut at = from;
    while let Some(hit) = memchr::memmem::find(&text.as_bytes()[at..], quoted.as_bytes()) {
        let start_of_key = at + hit;
        at = start_of_key + quoted.len();
        if !is_string_value(&text[at..], value) {
            continue;
        }
        // Newlines are counted from the record only, so a file of many records stays linear.
        let line = from_line
            + memchr::memchr_iter(b'\n', &text.as_bytes()[from..start_of_key]).count() as u64;
        let start = text[..start_of_key].rfind('\n').map_or(0, |i| i + 1);
        let end = text[start_of_key..]
            .find('\n')
            .map_or(text.len(), |i| start_of_key + i);
        return Some((line, &text[start..end]));
    }
    None
}

/// Whether `rest` (what follows a key) is `: "<value>"`.
fn is_string_value(rest: &str, value: &str) -> bool {
    rest.trim_start()
        .strip_prefix(':')
        .map(str::trim_start)
        .and_then(|v| v.strip_prefix('"'))
        .and_then(|v| v.strip_prefix(value))
        .is_some_and(|after| after.starts_with('"'))
}

/// One element of a streamed top-level JSON array ([`for_each_element`]).
pub(crate) struct Element<'a> {
    /// 0-based index in the array.
    pub index: usize,
    /// The element's JSON text, decoded leniently (NULs dropped, invalid UTF-8 replaced).
    pub text: &'a str,
    /// 1-based line and column (in bytes) of its first byte.
    pub line: u64,
    pub column: u64,
    /// The line it starts on (its first LINE_HEAD bytes), for [`Element::excerpt`].
    line_text: &'a [u8],
}

impl Element<'_> {
    /// The evidence excerpt of the line the element starts on ([`excerpt`]): made on
    /// demand, as most rows of a filtered read are not kept.
    pub(crate) fn excerpt(&self) -> String {
        quote(self.line_text)
    }

    /// A serde_json error in the element's text, placed in the file.
    pub(crate) fn place(&self, e: &serde_json::Error) -> crate::collect::CollectError {
        at_element(e, self.line, self.column).into()
    }

    /// The element as a JSON object; `Ok(None)` when it is valid JSON but no object.
    pub(crate) fn object(
        &self,
    ) -> Result<Option<serde_json::Map<String, serde_json::Value>>, crate::collect::CollectError>
    {
        let placed = |e: serde_json::Error| self.place(&e);
        if self.text.starts_with('{') {
            serde_json::from_str(self.text).map(Some).map_err(placed)
        } else {
            serde_json::from_str::<serde::de::IgnoredAny>(self.text)
                .map(|_| None)
                .map_err(placed)
        }
    }
}

/// A line longer than this is quoted from its first bytes (an excerpt keeps 400
/// characters): the file is not held whole to find where a line ends.
const LINE_HEAD: usize = 8 * 1024;
/// Bytes read at a time.
const CHUNK: usize = 256 * 1024;

/// Why [`for_each_element`] stopped.
#[derive(Debug)]
pub(crate) enum StreamError<E> {
    /// Not valid JSON: serde_json's words, with the line and column in the file.
    Syntax(String),
    /// The file could not be read.
    Io(std::io::Error),
    /// What the callback returned.
    Stop(E),
}

/// Reads a JSON document whose top level is an array from `reader` and calls `f` with
/// each element, in order, without holding the file whole; returns how many there were.
/// Elements are framed by a light scan (strings, nesting) and parsed by the caller with
/// serde_json ([`Element::object`]); errors carry the line and column in the whole file,
/// as `serde_json::from_str` of the whole text reports them.
pub(crate) fn for_each_element<E>(
    reader: impl std::io::Read,
    mut f: impl FnMut(Element<'_>) -> Result<(), E>,
) -> Result<usize, StreamError<E>> {
    let mut s = Scanner {
        reader,
        buf: Vec::new(),
        pos: 0,
        element_start: None,
        element_line: None,
        eof: false,
        line: 1,
        column: 1,
        line_start: Some(0),
        long_line: None,
        quoted: (0, Vec::new()),
        element_end: 0,
    };
    s.skip_ws()?;
    if s.peek()? != Some(b'[') {
        return Err(s.syntax_here("expected a JSON array"));
    }
    s.advance();
    s.skip_ws()?;
    let mut index = 0;
    if s.peek()? == Some(b']') {
        s.advance();
    } else {
        loop {
            let (line, column) = (s.line, s.column);
            if s.quoted.0 != line {
                match (s.line_start, &s.long_line) {
                    (Some(start), _) => s.element_line = Some((start, line)),
                    // The line's start is no longer in the buffer: its head was kept.
                    (None, Some(head)) => set_quoted(&mut s.quoted, line, head),
                    (None, None) => set_quoted(&mut s.quoted, line, &[]),
                }
            }
            s.element_start = Some(s.pos);
            let complete = s.skip_value()?;
            s.quote_element_line()?;
            let start = s.element_start.unwrap_or(0);
            let mut scratch = Vec::new();
            let text = crate::collect::text::decode_line(
                s.buf.get(start..s.element_end).unwrap_or_default(),
                &mut scratch,
            );
            if !complete && let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&text) {
                // Cut by the end of the file: serde_json says what it expected.
                return Err(StreamError::Syntax(at_element(&e, line, column)));
            }
            f(Element {
                index,
                text: &text,
                line,
                column,
                line_text: &s.quoted.1,
            })
            .map_err(StreamError::Stop)?;
            index += 1;
            s.element_start = None;
            if !s.more_elements()? {
                break;
            }
        }
    }
    s.skip_ws()?;
    if s.peek()?.is_some() {
        return Err(s.syntax_here("trailing characters"));
    }
    Ok(index)
}

/// A serde_json error in an element's text (which starts at `line`, `column`), placed
/// in the file.
fn at_element(e: &serde_json::Error, line: u64, column: u64) -> String {
    let message = e.to_string();
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m);
    if e.line() == 0 {
        return message.to_owned();
    }
    let at_line = line + e.line() as u64 - 1;
    let at_column = if e.line() == 1 {
        column - 1 + e.column() as u64
    } else {
        e.column() as u64
    };
    format!("{message} at line {at_line} column {at_column}")
}

/// Keeps `text` as line `line`'s, reusing the buffer.
fn set_quoted(quoted: &mut (u64, Vec<u8>), line: u64, text: &[u8]) {
    quoted.0 = line;
    quoted.1.clear();
    quoted.1.extend_from_slice(text);
}

fn quote(line: &[u8]) -> String {
    let mut scratch = Vec::new();
    excerpt(&crate::collect::text::decode_line(line, &mut scratch))
}

struct Scanner<R> {
    reader: R,
    buf: Vec<u8>,
    /// The next byte to look at.
    pos: usize,
    /// Where the element being read starts in `buf` (kept when the buffer is refilled).
    element_start: Option<usize>,
    /// Where the line of the element being read starts in `buf`, and its number, until
    /// it is quoted (kept too, no longer than LINE_HEAD).
    element_line: Option<(usize, u64)>,
    eof: bool,
    /// Line and column (1-based, in bytes) of the byte at `pos`.
    line: u64,
    column: u64,
    /// Where the line of `pos` starts in `buf`, while it is no longer than LINE_HEAD.
    line_start: Option<usize>,
    /// The first LINE_HEAD bytes of the line of `pos`, once it is longer.
    long_line: Option<Vec<u8>>,
    /// The last line quoted (its number and first bytes): elements on one line share it.
    quoted: (u64, Vec<u8>),
    /// Where the value [`Scanner::skip_value`] skipped ends (exclusive).
    element_end: usize,
}

impl<R: std::io::Read> Scanner<R> {
    /// Reads more bytes after the buffer's end, first dropping what is no longer needed;
    /// `false` at the end of the file.
    fn fill(&mut self) -> std::io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if let Some((start, line)) = self.element_line
            && self.try_quote(start, line)
        {
            self.element_line = None;
        }
        if let Some(start) = self.line_start
            && self.pos - start > LINE_HEAD
        {
            // A long line: its head is kept aside, so the buffer need not hold it.
            self.long_line = Some(self.buf[start..start + LINE_HEAD].to_vec());
            self.line_start = None;
        }
        let keep = [
            self.element_start,
            self.element_line.map(|(start, _)| start),
            self.line_start,
        ]
        .into_iter()
        .flatten()
        .fold(self.pos, usize::min);
        if keep > 0 {
            self.buf.drain(..keep);
            self.pos -= keep;
            self.element_start = self.element_start.map(|m| m - keep);
            self.element_line = self.element_line.map(|(m, line)| (m - keep, line));
            self.line_start = self.line_start.map(|l| l - keep);
            self.element_end = self.element_end.saturating_sub(keep);
        }
        let len = self.buf.len();
        self.buf.resize(len + CHUNK, 0);
        let n = loop {
            match self.reader.read(&mut self.buf[len..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.buf.truncate(len);
                    return Err(e);
                }
            }
        };
        self.buf.truncate(len + n);
        self.eof = n == 0;
        Ok(n > 0)
    }

    #[inline]
    fn peek<E>(&mut self) -> Result<Option<u8>, StreamError<E>> {
        if self.pos == self.buf.len() && !self.fill().map_err(StreamError::Io)? {
            return Ok(None);
        }
        Ok(self.buf.get(self.pos).copied())
    }

    #[inline]
    fn advance(&mut self) {
        if self.buf.get(self.pos) == Some(&b'\n') {
            self.line += 1;
            self.column = 1;
            self.line_start = Some(self.pos + 1);
            self.long_line = None;
        } else {
            self.column += 1;
        }
        self.pos += 1;
    }

    /// After an element: `true` when a comma says another follows, `false` at the `]`.
    fn more_elements<E>(&mut self) -> Result<bool, StreamError<E>> {
        self.skip_ws()?;
        match self.peek()? {
            Some(b',') => {
                self.advance();
                self.skip_ws()?;
                if self.peek()? == Some(b']') {
                    return Err(self.syntax_here("trailing comma"));
                }
                Ok(true)
            }
            Some(b']') => {
                self.advance();
                Ok(false)
            }
            None => Err(self.syntax_at_end("EOF while parsing a list")),
            Some(_) => Err(self.syntax_here("expected `,` or `]`")),
        }
    }

    /// Skips JSON whitespace (and NULs, which text decoding drops).
    fn skip_ws<E>(&mut self) -> Result<(), StreamError<E>> {
        while let Some(b' ' | b'\n' | b'\t' | b'\r' | 0) = self.peek()? {
            self.advance();
        }
        Ok(())
    }

    /// Skips one value: an object or array by its nesting (strings skipped whole), a
    /// string, or a scalar up to the next delimiter; `element_end` is where it ends.
    /// `false` when the file ended first.
    fn skip_value<E>(&mut self) -> Result<bool, StreamError<E>> {
        let mut depth = 0usize;
        let complete = loop {
            let Some(b) = self.peek()? else {
                break false;
            };
            match b {
                b'"' => {
                    self.advance();
                    if !self.skip_string()? {
                        break false;
                    }
                    if depth == 0 {
                        break true;
                    }
                }
                b'{' | b'[' => {
                    depth += 1;
                    self.advance();
                }
                b'}' | b']' if depth > 0 => {
                    depth -= 1;
                    self.advance();
                    if depth == 0 {
                        break true;
                    }
                }
                // The end of a scalar (or of nothing: serde_json then says what it expected).
                b',' | b']' | b'}' | b' ' | b'\n' | b'\t' | b'\r' if depth == 0 => break true,
                _ => self.advance(),
            }
        };
        self.element_end = self.pos;
        Ok(complete)
    }

    /// Skips the rest of a string after its opening quote; `false` at the end of the file.
    fn skip_string<E>(&mut self) -> Result<bool, StreamError<E>> {
        loop {
            if self.pos == self.buf.len() && !self.fill().map_err(StreamError::Io)? {
                return Ok(false);
            }
            let rest = &self.buf[self.pos..];
            match memchr::memchr3(b'"', b'\\', b'\n', rest) {
                Some(i) => {
                    let b = rest[i];
                    self.column += i as u64;
                    self.pos += i;
                    self.advance();
                    match b {
                        b'"' => return Ok(true),
                        b'\\' => {
                            // The escaped byte (a quote, a backslash...) is skipped too.
                            if self.peek()?.is_none() {
                                return Ok(false);
                            }
                            self.advance();
                        }
                        _ => {}
                    }
                }
                None => {
                    self.column += rest.len() as u64;
                    self.pos = self.buf.len();
                }
            }
        }
    }

    /// Keeps the line starting at `start` in the buffer as the one quoted, once the
    /// buffer holds its end or LINE_HEAD bytes of it; `false` when it does not yet.
    fn try_quote(&mut self, start: usize, line: u64) -> bool {
        let rest = self.buf.get(start..).unwrap_or_default();
        let end = match memchr::memchr(b'\n', rest) {
            Some(end) => end,
            None if rest.len() >= LINE_HEAD => LINE_HEAD,
            None => return false,
        };
        set_quoted(&mut self.quoted, line, &rest[..end]);
        true
    }

    /// Quotes the line the element just read started on, if not done yet: the buffer
    /// is read on until the line ends or is long enough to quote.
    fn quote_element_line<E>(&mut self) -> Result<(), StreamError<E>> {
        while let Some((start, line)) = self.element_line {
            if self.try_quote(start, line) {
                self.element_line = None;
            } else if !self.fill().map_err(StreamError::Io)?
                && let Some((start, line)) = self.element_line.take()
            {
                // The file ends on this line (`fill` may have moved or quoted it).
                let rest = self.buf.get(start..).unwrap_or_default();
                set_quoted(&mut self.quoted, line, rest);
            }
        }
        Ok(())
    }

    fn syntax_here<E>(&self, what: &str) -> StreamError<E> {
        StreamError::Syntax(format!(
            "{what} at line {} column {}",
            self.line, self.column
        ))
    }

    fn syntax_at_end<E>(&self, what: &str) -> StreamError<E> {
        StreamError::Syntax(format!(
            "{what} at line {} column {}",
            self.line,
            self.column.saturating_sub(1)
        ))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn finds_array_elements_with_lines_and_keys() {
        let text = "[\n  {\"a\": \"{[\\\"\", \"b\": [{\"x\": 1}]},\n  {\"c\": 2}\n]";
        let found = array_objects(text);
        let summary: Vec<(usize, Option<&str>, u64)> = found
            .iter()
            .map(|o| (o.depth, o.key.as_deref(), o.line))
            .collect();
        assert_eq!(summary, [(1, None, 2), (3, Some("b"), 2), (1, None, 3)]);
        let text = "{\"host\": {\"software\": [\n{\"name\": \"a\"},\n\n{\"name\": \"b\"}]}}";
        let lines: Vec<u64> = array_objects(text)
            .iter()
            .filter(|o| o.key.as_deref() == Some("software"))
            .map(|o| o.line)
            .collect();
        assert_eq!(lines, [2, 4]);
    }

    #[test]
    fn key_line_skips_values_that_do_not_match() {
        let text = "[{\"name\": \"com.tencent.mmx\"},\n{\"name\": \"com.tencent.mm\"}]";
        assert_eq!(
            key_line(text, (0, 1), "name", "com.tencent.mm").map(|f| f.0),
            Some(2)
        );
        assert_eq!(key_line(text, (30, 2), "name", "com.tencent.mmx"), None);
    }
}
