//! `adb shell dumpsys package` output, alone or inside a whole `dumpsys`, an androidqf
//! `dumpsys.txt` or a bugreport's dumpstate text.
//!
//! Only the `Packages:` and `Hidden system packages:` sections are read. Each package
//! block starts at `  Package [name] (hash):`; its keys sit on lines indented by four,
//! and per-user details on deeper lines under `User N:`.

use super::{AppSet, LineParse, ListingSource, Parsed, getprop};
use crate::collect::InputFormat::Dumpsys;
use crate::collect::text::{ReadError, TextInput, excerpt, lines};
use crate::model::{App, AppFilter, Evidence, Platform, UserState};

/// The `Evidence::format` and `Device::format` of this source.
pub const FORMAT: &str = "dumpsys-package";

/// The line that ends a service's section in a whole dumpsys (78 dashes; bugreports print 79).
/// The shorter `--------- 2.9s was the duration of dumpsys package` line does not end it.
const DELIMITER: &str =
    "------------------------------------------------------------------------------";

/// Parses the package sections of `text`; `None` when there is no `Package [...]` block.
pub fn parse(text: &str, source: &str) -> Option<Parsed> {
    super::parse_text(LineParser::new(source), text)
}

/// Parses the package sections of a file line by line, in bounded memory (the
/// streaming twin of [`parse`]); `Ok(None)` when there is no `Package [...]` block.
/// Only the apps `keep` wants are kept; the others are counted.
pub fn parse_input(
    input: TextInput,
    source: &str,
    keep: &dyn AppFilter,
) -> Result<Option<Parsed>, ReadError> {
    super::parse_streamed(LineParser::filtered(source, keep), input)
}

/// A `dumpsys` parser fed one line at a time.
///
/// When the text holds `DUMP OF SERVICE package:` sections, only they are read (each
/// up to the 78-dash delimiter); otherwise the whole text is. As a header may come
/// late, the text before the first one is read on the side and dropped when one comes.
pub struct LineParser<'s> {
    /// Apps of the service sections.
    service: Parser<'s>,
    /// Apps of the text outside any service section, while no header has been seen.
    outside: Option<(Parser<'s>, SectionState)>,
    /// The service section being read.
    current: Option<SectionState>,
    /// Device facts from `getprop` lines outside the package service (a dumpstate's
    /// `SYSTEM PROPERTIES` section).
    properties: Vec<(String, String)>,
}

impl<'s> LineParser<'s> {
    /// A parser naming `source` in evidence.
    pub fn new(source: &'s str) -> Self {
        LineParser {
            service: Parser::new(source),
            outside: Some((Parser::new(source), SectionState::default())),
            current: None,
            properties: Vec::new(),
        }
    }

    /// A parser that keeps only the apps `keep` wants.
    pub fn filtered(source: &'s str, keep: &'s dyn AppFilter) -> Self {
        LineParser {
            service: Parser::filtered(source, keep),
            outside: Some((Parser::filtered(source, keep), SectionState::default())),
            current: None,
            properties: Vec::new(),
        }
    }
}

impl LineParse for LineParser<'_> {
    /// Reads line `number` (from 1) of the file, without its line break.
    fn line(&mut self, number: u64, line: &str) {
        if is_service_header(line) {
            // Text outside service sections no longer counts.
            self.outside = None;
            if let Some(state) = self.current.take() {
                state.end(&mut self.service, false);
            }
            self.current = Some(SectionState::default());
            return;
        }
        if let Some(state) = self.current.as_mut() {
            if line.starts_with(DELIMITER) {
                if let Some(state) = self.current.take() {
                    state.end(&mut self.service, false);
                }
            } else {
                state.line(&mut self.service, number, line);
            }
        } else {
            if line.starts_with("[ro.") {
                getprop::add_device_property(line, &mut self.properties);
            }
            if let Some((parser, state)) = self.outside.as_mut() {
                state.line(parser, number, line);
            }
        }
    }

    /// The apps read; `None` when no package block was found.
    fn finish(self) -> Option<Parsed> {
        let parsed = match self.outside {
            Some((mut parser, state)) => {
                state.end(&mut parser, true);
                parser.finish()
            }
            None => {
                let mut service = self.service;
                if let Some(state) = self.current {
                    state.end(&mut service, true);
                }
                service.finish()
            }
        };
        parsed.map(|mut parsed| {
            parsed.properties = self.properties;
            parsed
        })
    }
}

/// Whether `text` looks like a dumpsys holding the package service.
pub fn sniff(text: &str) -> bool {
    let (mut header, mut block) = (false, false);
    for line in lines(text) {
        if is_service_header(line) {
            return true;
        }
        header |= line.trim_end() == "Packages:";
        block |= package_header(line).is_some();
        if header && block {
            return true;
        }
    }
    false
}

/// `DUMP OF SERVICE package:`, also with a priority word (`DUMP OF SERVICE HIGH package:`).
fn is_service_header(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("DUMP OF SERVICE ") else {
        return false;
    };
    let words: Vec<&str> = rest.split_whitespace().collect();
    words.len() <= 2 && words.last() == Some(&"package:")
}

/// The package name of a `  Package [name] (hash):` line.
fn package_header(line: &str) -> Option<&str> {
    // Most lines are indented deeper: one byte tells.
    if line.as_bytes().get(2) != Some(&b'P') {
        return None;
    }
    let rest = line.strip_prefix("  Package [")?;
    let (name, tail) = rest.split_once(']')?;
    let hash = tail.trim_end().strip_prefix(" (")?.strip_suffix("):")?;
    let is_hash = !hash.is_empty() && hash.chars().all(|c| c.is_ascii_hexdigit());
    (!name.is_empty() && is_hash).then_some(name)
}

#[derive(Clone, Copy, PartialEq, Eq, Default)]
enum Section {
    #[default]
    Other,
    Packages,
    Hidden,
}

/// Where the reading of one section (a service section, or the whole text) is.
#[derive(Default)]
struct SectionState {
    section: Section,
    block: Option<Block>,
}

impl SectionState {
    fn line(&mut self, parser: &mut Parser<'_>, number: u64, line: &str) {
        // Byte loops rather than `trim`: this runs for every line of dumps of 100 MB.
        let bytes = line.as_bytes();
        let indent = bytes.iter().take_while(|b| **b == b' ').count();
        let Some(&first) = bytes.get(indent) else {
            return;
        };
        // Other whitespace after the spaces: the line may still be blank.
        let unusual = first.is_ascii_whitespace() || !first.is_ascii();
        if unusual && line[indent..].trim().is_empty() {
            return;
        }
        if indent == 0 {
            parser.close(self.block.take());
            self.section = section_of(line);
            return;
        }
        if self.section == Section::Other {
            return;
        }
        if let Some(name) = package_header(line) {
            parser.close(self.block.take());
            self.block = Some(parser.open(name, number, line, self.section));
        } else if indent < 4 {
            // Another two-space header (`  APEX session state:`): the block is over.
            parser.close(self.block.take());
        } else if let Some(block) = self.block.as_mut() {
            // A passed-over block reads only its own keys: no need to trim the others.
            if block.passed_over && indent > 4 {
                return;
            }
            let rest = if unusual {
                line[indent..].trim()
            } else {
                line[indent..].trim_end()
            };
            block.read(rest, indent);
        }
    }

    /// The section is over: at the end of the text, or at a delimiter.
    fn end(self, parser: &mut Parser<'_>, at_end_of_text: bool) {
        if let Some(open) = &self.block
            && at_end_of_text
            && !open.complete
        {
            parser.warnings.push(format!(
                "file ends inside the block of package {} (truncated?)",
                open.app.id
            ));
        }
        parser.close(self.block);
    }
}

/// One package block being read.
struct Block {
    app: App,
    /// No rule could match the package (a dumpsys block holds no value a rule
    /// matches but its name): only what counting it needs is read.
    passed_over: bool,
    /// A passed-over block named an installer (what side-loading marks need).
    has_installer: bool,
    hidden: bool,
    /// Saw `versionCode=` or a `User N:` line: the block is not cut short.
    complete: bool,
    /// Index in `app.users` of the `User N:` line that deeper lines belong to.
    current_user: Option<usize>,
    first_install_time: Option<String>,
}

struct Parser<'a> {
    source: &'a str,
    active: AppSet<'a>,
    /// Hidden packages to keep, merged last (into their active listing, if any).
    hidden: Vec<App>,
    warnings: Vec<String>,
    found: bool,
    /// An app holding only a package name, reused to ask the filter about each block.
    probe: App,
}

impl<'a> Parser<'a> {
    fn new(source: &'a str) -> Self {
        Parser {
            source,
            active: AppSet::default(),
            hidden: Vec::new(),
            warnings: Vec::new(),
            found: false,
            probe: App::new(Platform::Android, String::new(), Evidence::placeholder()),
        }
    }

    fn filtered(source: &'a str, keep: &'a dyn AppFilter) -> Self {
        Parser {
            active: AppSet::filtered(keep),
            ..Parser::new(source)
        }
    }

    fn open(&mut self, name: &str, number: u64, line: &str, section: Section) -> Block {
        self.found = true;
        self.probe.id.clear();
        self.probe.id.push_str(name);
        if !self.active.wants(&self.probe) {
            return Block {
                app: App::new(Platform::Android, name, Evidence::placeholder()),
                passed_over: true,
                has_installer: false,
                hidden: section == Section::Hidden,
                complete: false,
                current_user: None,
                first_install_time: None,
            };
        }
        let evidence = Evidence {
            path: self.source.to_owned(),
            line: Some(number),
            format: FORMAT.to_owned(),
            excerpt: Some(excerpt(line)),
        };
        Block {
            app: App::new(Platform::Android, name, evidence),
            passed_over: false,
            has_installer: false,
            hidden: section == Section::Hidden,
            complete: false,
            current_user: None,
            first_install_time: None,
        }
    }

    fn close(&mut self, block: Option<Block>) {
        let Some(block) = block else { return };
        if block.passed_over {
            self.active.pass_over(&block.app, block.has_installer);
            return;
        }
        let mut app = block.app;
        // The install time of user 0 (the owner) is the app's; older dumps print one per package.
        let user_time = |user: Option<u32>| {
            app.users
                .iter()
                .filter(|u| user.is_none_or(|n| u.user == n))
                .find_map(|u| u.first_install_time.clone())
        };
        app.first_install_time = user_time(Some(0))
            .or(block.first_install_time)
            .or_else(|| user_time(None));
        app.settle_user_flags();
        if block.hidden {
            app.flags.hidden_system = true;
            // One not kept is only counted: no listing of it is kept either (a filter
            // judges by package name alone here), so nothing would merge with it.
            if self.active.wants(&app) {
                self.hidden.push(app);
            } else {
                self.active.insert(app);
            }
        } else {
            self.active.insert(app);
        }
    }

    fn finish(mut self) -> Option<Parsed> {
        if !self.found {
            return None;
        }
        // An updated system app is listed twice; the merge clears `hidden_system`.
        for app in std::mem::take(&mut self.hidden) {
            self.active.insert(app);
        }
        let (apps, unkept) = self.active.into_parts();
        Some(Parsed {
            apps,
            warnings: self.warnings,
            properties: Vec::new(),
            unkept,
        })
    }
}

fn section_of(line: &str) -> Section {
    match line.trim_end() {
        "Packages:" => Section::Packages,
        "Hidden system packages:" => Section::Hidden,
        _ => Section::Other,
    }
}

impl Block {
    fn read(&mut self, line: &str, indent: usize) {
        if self.passed_over {
            if indent == 4 {
                self.read_passed_over(line);
            }
            return;
        }
        if indent > 4 {
            self.read_user_detail(line);
            return;
        }
        self.current_user = None;
        if let Some(user) = parse_user_line(line) {
            self.complete = true;
            self.current_user = Some(self.app.users.len());
            self.app.users.push(user);
            return;
        }
        let Some(at) = memchr::memchr(b'=', line.as_bytes()) else {
            return;
        };
        let (key, value) = (&line[..at], &line[at + 1..]);
        let first_token = || value.split_whitespace().next().map(str::to_owned);
        let app = &mut self.app;
        match key {
            "userId" | "appId" => app.uid = value.trim().parse().ok(),
            "codePath" => app.path = non_empty(value),
            "versionCode" => {
                self.complete = true;
                app.build = first_token();
            }
            "versionName" => app.version = non_empty(value),
            "firstInstallTime" => self.first_install_time = non_empty(value),
            "lastUpdateTime" => app.last_update_time = non_empty(value),
            "installerPackageName" => app.installer = non_empty(value).filter(|v| v != "null"),
            "pkgFlags" | "flags" => {
                app.flags.system |= value
                    .trim_matches(|c: char| c == '[' || c == ']' || c.is_whitespace())
                    .split_whitespace()
                    .any(|flag| flag == "SYSTEM");
            }
            _ => {}
        }
    }

    /// A line of a passed-over block: only whether it is complete and names an installer.
    fn read_passed_over(&mut self, line: &str) {
        if let Some(installer) = line.strip_prefix("installerPackageName=") {
            self.has_installer = non_empty(installer).is_some_and(|v| v != "null");
        } else if line.starts_with("versionCode=") || line.starts_with("User ") {
            self.complete = true;
        }
    }

    /// A line under `User N:` (Android 10+ prints the install time there).
    fn read_user_detail(&mut self, line: &str) {
        let Some(user) = self.current_user.and_then(|i| self.app.users.get_mut(i)) else {
            return;
        };
        if let Some(time) = line.strip_prefix("firstInstallTime=") {
            user.first_install_time = non_empty(time);
        }
    }
}

/// `User 10: ceDataInode=... installed=true hidden=false ... enabled=0 ...`.
fn parse_user_line(line: &str) -> Option<UserState> {
    let (number, rest) = line.strip_prefix("User ")?.split_once(':')?;
    let mut state = UserState {
        user: number.trim().parse().ok()?,
        ..UserState::default()
    };
    for (key, value) in rest.split_whitespace().filter_map(|t| t.split_once('=')) {
        match key {
            "installed" => state.installed = value.parse().ok(),
            // Android 4.4 called it `blocked`.
            "hidden" | "blocked" => state.hidden = value.parse().ok(),
            "enabled" => state.enabled = value.parse().ok(),
            _ => {}
        }
    }
    Some(state)
}

fn non_empty(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// What a forced `--input-format dumpsys` says of a file with no package block.
pub(crate) const EXPECTED: &str =
    "expected `dumpsys package` output: no `Package [...]` block in a `Packages:` section";

/// `dumpsys package` output, as a [`TextSource`](crate::collect::source::TextSource).
pub static SOURCE: ListingSource =
    ListingSource::new(FORMAT, Dumpsys, EXPECTED, sniff, parse, parse_input);

#[cfg(test)]
mod tests;
