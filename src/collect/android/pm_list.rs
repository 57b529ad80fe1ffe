//! `adb shell pm list packages` output, with any of `-f -i -U -u --show-versioncode`.
//!
//! AOSP prints `"package:" [sourceDir "="] name [" versionCode:" N] ["  installer=" X] [" uid:" N]`.
//! The optional fields are read as `key:value` / `key=value` tokens so their order
//! does not matter.

use super::{AppSet, LineParse, ListingSource, Parsed, WarningCap, is_package_name};
use crate::collect::InputFormat::PmList;
use crate::collect::text::{ReadError, TextInput, excerpt, lines};
use crate::model::{App, AppFilter, Evidence, Platform};

/// The `Evidence::format` and `Device::format` of this source.
pub const FORMAT: &str = "pm-list-packages";

/// One `package:` line, split into its fields.
#[derive(Debug, Default, PartialEq, Eq)]
struct PackageLine<'a> {
    name: &'a str,
    path: Option<&'a str>,
    version_code: Option<&'a str>,
    installer: Option<&'a str>,
    uid: Option<u64>,
}

/// Parses `pm list packages` output; `None` when no line is a package line.
pub fn parse(text: &str, source: &str) -> Option<Parsed> {
    super::parse_text(LineParser::new(source), text)
}

/// Parses `pm list packages` output line by line from a file, in bounded memory
/// (the streaming twin of [`parse`]); `Ok(None)` when no line is a package line.
/// Only the apps `keep` wants are kept; the others are counted.
pub fn parse_input(
    input: TextInput,
    source: &str,
    keep: &dyn AppFilter,
) -> Result<Option<Parsed>, ReadError> {
    super::parse_streamed(LineParser::filtered(source, keep), input)
}

/// The warning for lines too long to keep whole.
pub(crate) fn cut_lines_warning(cut_lines: u64) -> Option<String> {
    (cut_lines > 0).then(|| {
        format!(
            "{cut_lines} line(s) longer than {} bytes were cut (garbage in the file?)",
            crate::collect::text::MAX_LINE_BYTES
        )
    })
}

/// A `pm list packages` parser fed one line at a time.
pub struct LineParser<'s> {
    source: &'s str,
    apps: AppSet<'s>,
    warnings: Vec<String>,
    other_lines: WarningCap,
    found: bool,
    /// An app holding only a package name, reused to ask the filter about each line.
    probe: App,
}

impl<'s> LineParser<'s> {
    /// A parser naming `source` in evidence.
    pub fn new(source: &'s str) -> Self {
        LineParser {
            source,
            apps: AppSet::default(),
            warnings: Vec::new(),
            other_lines: WarningCap::new(5),
            found: false,
            probe: App::new(Platform::Android, String::new(), Evidence::placeholder()),
        }
    }

    /// A parser that keeps only the apps `keep` wants.
    pub fn filtered(source: &'s str, keep: &'s dyn AppFilter) -> Self {
        LineParser {
            apps: AppSet::filtered(keep),
            ..LineParser::new(source)
        }
    }
}

impl LineParse for LineParser<'_> {
    /// Reads line `number` (from 1) of the file, without its line break.
    fn line(&mut self, number: u64, raw: &str) {
        let line = raw.trim();
        if line.is_empty() {
            return;
        }
        let Some(rest) = line.strip_prefix("package:") else {
            if self.other_lines.shown < self.other_lines.max {
                self.other_lines
                    .push(&mut self.warnings, other_line_warning(number, line));
            } else {
                // Only counted: no message is built for lines past the cap.
                self.other_lines.dropped += 1;
            }
            return;
        };
        self.found = true;
        let fields = split_line(rest);
        if fields.name.is_empty() {
            self.warnings.push(format!(
                "line {number}: package line without a package name"
            ));
            return;
        }
        if !is_package_name(fields.name) {
            self.warnings.push(format!(
                "line {number}: `{}` is not a valid package name (undecodable bytes?)",
                fields.name
            ));
        }
        // Only the package name can match a rule: an app no rule could match is
        // counted without being built.
        self.probe.id.clear();
        self.probe.id.push_str(fields.name);
        if !self.apps.wants(&self.probe) {
            self.apps.pass_over(&self.probe, fields.installer.is_some());
            return;
        }
        self.apps.insert(to_app(&fields, self.source, number, line));
    }

    /// The apps read; `None` when no line was a package line.
    fn finish(mut self) -> Option<Parsed> {
        self.other_lines
            .finish(&mut self.warnings, "lines that are not package lines");
        let (apps, unkept) = self.apps.into_parts();
        self.found.then(|| Parsed {
            apps,
            warnings: self.warnings,
            properties: Vec::new(),
            unkept,
        })
    }
}

/// Whether `text` looks like `pm list packages` output: a `package:` line comes first,
/// after at most a few other lines (error output such as a stack trace is not counted).
pub fn sniff(text: &str) -> bool {
    const MAX_OTHER_LINES: usize = 5;
    let mut other = 0;
    for line in lines(text).map(str::trim).filter(|l| !l.is_empty()) {
        if is_package_line(line) {
            return true;
        }
        if !looks_like_error_output(line) {
            other += 1;
            if other > MAX_OTHER_LINES {
                return false;
            }
        }
    }
    false
}

/// Lines `pm` prints when a listing fails (`Exception occurred...`, `at com.android...`).
fn looks_like_error_output(line: &str) -> bool {
    line.contains("Exception")
        || line.starts_with("at ")
        || line.starts_with("Caused by")
        || line.starts_with("... ")
        || line.starts_with("Error")
}

/// Whether a trimmed line is a `package:` line with something after the prefix.
pub(crate) fn is_package_line(line: &str) -> bool {
    line.strip_prefix("package:")
        .is_some_and(|rest| rest.starts_with(|c: char| !c.is_whitespace()))
}

fn other_line_warning(number: u64, line: &str) -> String {
    let hint = if line.contains("does not have permission to access user") {
        " (the apps of that user or profile are missing: list them with `--user N`)"
    } else {
        ""
    };
    format!("line {number}: not a package line: {}{hint}", excerpt(line))
}

fn split_line(rest: &str) -> PackageLine<'_> {
    let (first, tail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    // APK paths contain `=` and `==`: the name follows the last one.
    let (path, name) = match first.rsplit_once('=') {
        Some((path, name)) => (Some(path).filter(|p| !p.is_empty()), name),
        None => (None, first),
    };
    let mut fields = PackageLine {
        name,
        path,
        ..PackageLine::default()
    };
    for token in tail.split_whitespace() {
        let Some(split) = token.find([':', '=']) else {
            continue;
        };
        let (key, value) = (&token[..split], &token[split + 1..]);
        match key {
            "versionCode" => fields.version_code = Some(value).filter(|v| !v.is_empty()),
            "installer" => fields.installer = Some(value).filter(|v| !v.is_empty() && *v != "null"),
            // `uid:10179,10180` when the app has several users: the first is the app's own.
            "uid" => fields.uid = value.split(',').next().and_then(|u| u.parse().ok()),
            _ => {}
        }
    }
    fields
}

fn to_app(fields: &PackageLine<'_>, source: &str, number: u64, line: &str) -> App {
    let evidence = Evidence {
        path: source.to_owned(),
        line: Some(number),
        format: FORMAT.to_owned(),
        excerpt: Some(excerpt(line)),
    };
    let mut app = App::new(Platform::Android, fields.name, evidence);
    app.path = fields.path.map(str::to_owned);
    app.build = fields.version_code.map(str::to_owned);
    app.installer = fields.installer.map(str::to_owned);
    app.uid = fields.uid;
    app
}

/// What a forced `--input-format pm-list` says of a file with no package line.
pub(crate) const EXPECTED: &str =
    "expected `pm list packages` output: no line starts with `package:`";

/// `pm list packages` output, as a [`TextSource`](crate::collect::source::TextSource).
pub static SOURCE: ListingSource =
    ListingSource::new(FORMAT, PmList, EXPECTED, sniff, parse, parse_input);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::collect::text::read_text_file;
    use crate::test_support::own_fixture;

    fn parse_str(text: &str) -> Parsed {
        parse(text, "t.txt").unwrap()
    }

    fn fixture(name: &str) -> (String, Parsed) {
        let path = own_fixture(&format!("android/{name}"));
        let text = read_text_file(&path).unwrap();
        let source = path.display().to_string();
        let parsed = parse(&text, &source).unwrap();
        (source, parsed)
    }

    fn ids(parsed: &Parsed) -> Vec<&str> {
        parsed.apps.iter().map(|a| a.id.as_str()).collect()
    }

    #[test]
    fn splits_paths_with_equals_at_the_last_one() {
        let p = parse_str(
            "package:/data/app/~~3C_xWLE9kUDXzsvFP08Bxg==/com.android.vending-DofoMR6flGYqx_ZDkx5etg==/base.apk=com.android.vending\n",
        );
        let app = &p.apps[0];
        assert_eq!(app.id, "com.android.vending");
        assert_eq!(
            app.path.as_deref(),
            Some(
                "/data/app/~~3C_xWLE9kUDXzsvFP08Bxg==/com.android.vending-DofoMR6flGYqx_ZDkx5etg==/base.apk"
            )
        );
    }

    #[test]
    fn reads_every_optional_field_in_any_order() {
        let line = "package:/data/app/x==/base.apk=com.tencent.mm versionCode:2400  installer=com.android.vending uid:10179,10180";
        let p = parse_str(line);
        let app = &p.apps[0];
        assert_eq!(app.build.as_deref(), Some("2400"));
        assert_eq!(app.installer.as_deref(), Some("com.android.vending"));
        assert_eq!(app.uid, Some(10179));
        let swapped = parse_str("package:com.tencent.mm uid:10179 versionCode:2400");
        assert_eq!(swapped.apps[0].build.as_deref(), Some("2400"));
        assert_eq!(swapped.apps[0].uid, Some(10179));
        assert_eq!(swapped.apps[0].path, None);
    }

    #[test]
    fn installer_null_is_none() {
        let p = parse_str("package:com.whatsapp  installer=null\n");
        assert_eq!(p.apps[0].installer, None);
    }

    #[test]
    fn not_pm_list_without_package_lines() {
        assert!(parse("hello\nworld\n", "t").is_none());
        assert!(parse("Exception occurred while executing 'list':\n", "t").is_none());
    }

    #[test]
    fn f_flag_fixture_with_two_level_paths() {
        let (source, p) = fixture("pm_list_f.txt");
        assert_eq!(
            ids(&p),
            [
                "com.android.vending",
                "com.zhiliaoapp.musically",
                "com.google.android.networkstack.tethering",
                "com.android.settings",
            ]
        );
        let tiktok = &p.apps[1];
        assert_eq!(
            tiktok.path.as_deref(),
            Some("/data/app/com.zhiliaoapp.musically-tGjjEKVhybKZGvikmQziBw==/base.apk")
        );
        assert_eq!(tiktok.evidence[0].path, source);
        assert_eq!(tiktok.evidence[0].line, Some(2));
        assert_eq!(tiktok.evidence[0].format, FORMAT);
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn i_flag_fixture() {
        let (_, p) = fixture("pm_list_i.txt");
        assert_eq!(p.apps.len(), 4);
        let wechat = p.apps.iter().find(|a| a.id == "com.tencent.mm").unwrap();
        assert_eq!(wechat.installer.as_deref(), Some("com.android.vending"));
        let wps = p
            .apps
            .iter()
            .find(|a| a.id == "cn.wps.moffice_eng")
            .unwrap();
        assert_eq!(wps.installer, None);
        assert_eq!(wps.path, None);
    }

    #[test]
    fn u_upper_flag_fixture() {
        let (_, p) = fixture("pm_list_uid.txt");
        let alipay = p
            .apps
            .iter()
            .find(|a| a.id == "com.eg.android.AlipayGphone")
            .unwrap();
        assert_eq!(alipay.uid, Some(10231));
        assert!(p.apps.iter().all(|a| a.uid.is_some()));
    }

    #[test]
    fn versioncode_fixture() {
        let (_, p) = fixture("pm_list_versioncode.txt");
        let tiktok = p
            .apps
            .iter()
            .find(|a| a.id == "com.zhiliaoapp.musically")
            .unwrap();
        assert_eq!(tiktok.build.as_deref(), Some("2023405030"));
    }

    #[test]
    fn all_flags_fixture() {
        let (_, p) = fixture("pm_list_all_flags.txt");
        let tiktok = p
            .apps
            .iter()
            .find(|a| a.id == "com.zhiliaoapp.musically")
            .unwrap();
        assert_eq!(
            tiktok.path.as_deref(),
            Some(
                "/data/app/~~Qm9vS2luZ0ZvclRoZUZsYWc==/com.zhiliaoapp.musically-dGlrdG9rX2Zha2VfcGF0aA==/base.apk"
            )
        );
        assert_eq!(tiktok.build.as_deref(), Some("2023405030"));
        assert_eq!(tiktok.installer.as_deref(), Some("com.android.vending"));
        assert_eq!(tiktok.uid, Some(10245));
        // An APEX package prints no uid.
        let tethering = p
            .apps
            .iter()
            .find(|a| a.id == "com.google.android.networkstack.tethering")
            .unwrap();
        assert_eq!(tethering.uid, None);
        assert_eq!(tethering.installer, None);
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn crlf_fixture() {
        let (_, p) = fixture("pm_list_crlf.txt");
        assert_eq!(
            ids(&p),
            ["com.whatsapp", "com.tencent.mm", "us.zoom.videomeetings"]
        );
        let wechat = &p.apps[1];
        assert_eq!(wechat.installer.as_deref(), Some("com.android.vending"));
        assert_eq!(wechat.uid, Some(10190));
        assert_eq!(
            wechat.evidence[0].excerpt.as_deref(),
            Some("package:com.tencent.mm  installer=com.android.vending uid:10190")
        );
    }

    #[test]
    fn security_exception_becomes_a_warning() {
        let (_, p) = fixture("pm_list_security_exception.txt");
        assert_eq!(p.apps.len(), 3);
        assert!(
            p.warnings[0].starts_with("line 1: not a package line: Exception occurred"),
            "{:?}",
            p.warnings
        );
        assert!(p.warnings[1].contains("access user 10"), "{:?}", p.warnings);
        assert!(p.warnings[1].contains("--user N"));
        // The stack trace is capped.
        assert!(p.warnings.last().unwrap().starts_with("... and "));
        assert_eq!(p.apps[0].evidence[0].line, Some(12));
    }

    #[test]
    fn bare_u_flag_fixture_and_duplicates_merge() {
        let (_, p) = fixture("pm_list_u_users.txt");
        assert_eq!(
            ids(&p),
            [
                "com.google.android.ims",
                "com.zhiliaoapp.musically",
                "com.google.android.gm",
                "com.tencent.mm",
            ]
        );
        let tiktok = &p.apps[1];
        let lines: Vec<Option<u64>> = tiktok.evidence.iter().map(|e| e.line).collect();
        assert_eq!(lines, [Some(2), Some(6)]);
    }

    #[test]
    fn invalid_utf8_in_a_package_line_is_kept_with_a_warning() {
        let bytes = std::fs::read(own_fixture("android/garbage/pm_list_invalid_utf8.txt")).unwrap();
        let text = crate::collect::text::decode(&bytes).unwrap();
        let p = parse(&text, "x").unwrap();
        assert_eq!(p.apps.len(), 3);
        assert_eq!(p.apps[1].id, "com.ex\u{FFFD}mple.app");
        assert_eq!(p.warnings.len(), 1);
        assert!(p.warnings[0].starts_with("line 2: "), "{:?}", p.warnings);
    }

    #[test]
    fn clean_fixture_has_only_uncovered_apps() {
        let (_, p) = fixture("clean_pm_list.txt");
        assert_eq!(
            ids(&p),
            [
                "com.whatsapp",
                "com.google.android.gm",
                "us.zoom.videomeetings",
                "com.microsoft.office.outlook",
            ]
        );
    }

    #[test]
    fn sniffs() {
        assert!(sniff("\n\npackage:com.tencent.mm\n"));
        let text = read_text_file(&own_fixture("android/pm_list_security_exception.txt")).unwrap();
        assert!(sniff(&text));
        assert!(sniff("WARNING: linker: x\npackage:a\n"));
        assert!(!sniff("a\nb\nc\nd\ne\nf\npackage:a\n"));
        assert!(!sniff("Exception occurred while executing 'list':\n"));
        assert!(!sniff("package:\n"));
    }

    #[test]
    fn package_line_shape() {
        assert!(is_package_line("package:com.x"));
        assert!(!is_package_line("package:"));
        assert!(!is_package_line("package: x"));
        assert!(!is_package_line("packages:"));
    }
}
