//! libimobiledevice's command-line tools, run read-only: `idevice_id -l` (the UDIDs
//! attached), `idevice_id UDID` (a device's name, without pairing), `ideviceinfo -u UDID`
//! (device facts), `ideviceinstaller -u UDID -l -o list_all` (1.1.x) or
//! `ideviceinstaller -u UDID list --all` (1.2) (the apps, system apps included), and
//! `--version` of each. Nothing else is ever sent; see [`is_read_only`].
//!
//! Each run goes through the same runner as adb ([`Adb::run`]): output into temporary
//! files, the tool killed after the timeout. What a tool says when a device is locked,
//! not paired or gone is told apart here ([`classify`]) and turned into advice.

use crate::collect::android::adb::{Adb, Output, RunError};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How to install the tools, for the "not found" message.
pub const INSTALL_HINT: &str = "install libimobiledevice's tools (Debian/Ubuntu: `apt install \
libimobiledevice-utils ideviceinstaller`; macOS: `brew install libimobiledevice ideviceinstaller`)";

/// One of the three tools.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    /// `idevice_id`: lists the UDIDs attached; names one device.
    IdeviceId,
    /// `ideviceinfo`: the device's lockdown values.
    Ideviceinfo,
    /// `ideviceinstaller`: the installed apps.
    Ideviceinstaller,
}

impl Tool {
    /// Every tool, in the order their versions are asked.
    pub const ALL: [Tool; 3] = [Tool::IdeviceId, Tool::Ideviceinfo, Tool::Ideviceinstaller];

    /// The program's usual name.
    pub fn name(self) -> &'static str {
        match self {
            Tool::IdeviceId => "idevice_id",
            Tool::Ideviceinfo => "ideviceinfo",
            Tool::Ideviceinstaller => "ideviceinstaller",
        }
    }

    /// The `appaudit ios` option that names its path.
    pub fn option(self) -> &'static str {
        match self {
            Tool::IdeviceId => "--idevice-id",
            Tool::Ideviceinfo => "--ideviceinfo",
            Tool::Ideviceinstaller => "--ideviceinstaller",
        }
    }
}

/// Why a tool could not be run at all (as opposed to a device it could not read).
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// The program could not be found or started.
    #[error("{} not found (`{}`): {INSTALL_HINT}, or name it with {} PATH",
        tool.name(), program.display(), tool.option())]
    NotFound {
        /// Which tool.
        tool: Tool,
        /// The program that was looked for.
        program: PathBuf,
    },
    /// The program could not be run or its output read (the message says why).
    #[error("{0}")]
    Failed(String),
}

/// The three programs and the time each run may take.
#[derive(Clone, Debug)]
pub struct Tools {
    /// The `idevice_id` program.
    pub idevice_id: PathBuf,
    /// The `ideviceinfo` program.
    pub ideviceinfo: PathBuf,
    /// The `ideviceinstaller` program.
    pub ideviceinstaller: PathBuf,
    /// How long one run may take before it is stopped.
    pub timeout: Duration,
}

/// One run: the command line as shown to people, and what it gave.
#[derive(Clone, Debug)]
pub struct Ran {
    /// `ideviceinfo -u UDID`, with the program as given.
    pub command: String,
    /// Its output, exit code and whether it timed out.
    pub output: Output,
}

impl Ran {
    /// Whether it ended in time with exit code 0.
    pub fn succeeded(&self) -> bool {
        !self.output.timed_out && self.output.code == Some(0)
    }

    /// The tool's own first words about a failure: the first line of stderr, else of
    /// stdout (`ideviceinfo` 1.3 prints "Device not found" there), shortened.
    pub fn said(&self) -> String {
        let stdout = String::from_utf8_lossy(&self.output.stdout);
        self.output
            .stderr
            .lines()
            .chain(stdout.lines())
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(crate::collect::text::excerpt)
            .unwrap_or_default()
    }
}

impl Tools {
    /// The program of `tool`.
    pub fn program(&self, tool: Tool) -> &Path {
        match tool {
            Tool::IdeviceId => &self.idevice_id,
            Tool::Ideviceinfo => &self.ideviceinfo,
            Tool::Ideviceinstaller => &self.ideviceinstaller,
        }
    }

    /// Runs `tool ARGS...` (read-only commands only).
    pub fn run(&self, tool: Tool, args: &[&str]) -> Result<Ran, ToolError> {
        debug_assert!(
            is_read_only(tool, args),
            "not a read-only command: {args:?}"
        );
        let program = self.program(tool);
        let mut command = program.display().to_string();
        for arg in args {
            command.push(' ');
            command.push_str(arg);
        }
        tracing::debug!(%command, "running");
        let runner = Adb {
            program: program.to_path_buf(),
            timeout: self.timeout,
        };
        match runner.run(args) {
            Ok(output) => Ok(Ran { command, output }),
            Err(RunError::NotFound(program)) => Err(ToolError::NotFound { tool, program }),
            Err(RunError::Failed(message)) => Err(ToolError::Failed(message)),
        }
    }

    /// The first line `tool --version` prints (`ideviceinstaller 1.1.1`), or what it
    /// printed instead (old versions have no `--version` and print their usage).
    pub fn version(&self, tool: Tool) -> Result<Ran, ToolError> {
        self.run(tool, &["--version"])
    }
}

/// The commands appaudit sends. All read; none installs, uninstalls, archives or pairs.
pub fn is_read_only(tool: Tool, args: &[&str]) -> bool {
    match (tool, args) {
        (_, ["--version"]) => true,
        // `-l`, or a UDID (its name).
        (Tool::IdeviceId, [_]) => true,
        (Tool::Ideviceinfo, ["-u", _]) => true,
        (Tool::Ideviceinstaller, ["-u", _, rest @ ..]) => {
            rest == ListStyle::Options.args() || rest == ListStyle::Commands.args()
        }
        _ => false,
    }
}

/// How this `ideviceinstaller` lists every app, system apps included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ListStyle {
    /// 1.1.x and older: `-l -o list_all`.
    Options,
    /// 1.2 and later: `list --all`.
    Commands,
}

impl ListStyle {
    /// The arguments after `-u UDID`.
    pub fn args(self) -> &'static [&'static str] {
        match self {
            ListStyle::Options => &["-l", "-o", "list_all"],
            ListStyle::Commands => &["list", "--all"],
        }
    }

    /// From what `ideviceinstaller --version` printed: `ideviceinstaller 1.2.0` and
    /// later take commands; 1.1.1 options. Versions before 1.1.1 have no `--version`
    /// and print their usage, which names `list_all` (1.1) or `COMMANDS:` (1.2).
    pub fn detect(version_output: &str) -> ListStyle {
        if let Some((major, minor)) = version_number(version_output) {
            return if (major, minor) >= (1, 2) {
                ListStyle::Commands
            } else {
                ListStyle::Options
            };
        }
        if version_output.contains("COMMANDS:") && !version_output.contains("list_all") {
            ListStyle::Commands
        } else {
            ListStyle::Options
        }
    }
}

/// `(major, minor)` of a `NAME X.Y[.Z][-suffix]` line.
fn version_number(text: &str) -> Option<(u32, u32)> {
    crate::collect::text::lines(text).find_map(|line| {
        let mut words = line.split_whitespace();
        let (_, version, None) = (words.next()?, words.next()?, words.next()) else {
            return None;
        };
        let mut parts = version.split(['.', '-', '+']);
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        Some((major, minor))
    })
}

/// The UDIDs `idevice_id -l` printed, one a line (a `(Network)` device is left out:
/// only USB devices are audited), each once.
pub fn parse_udids(text: &str) -> Vec<String> {
    let mut udids: Vec<String> = Vec::new();
    for line in crate::collect::text::lines(text) {
        let mut words = line.split_whitespace();
        let Some(udid) = words.next() else { continue };
        if words.any(|w| w == "(Network)") || !is_udid(udid) {
            continue;
        }
        if !udids.iter().any(|u| u == udid) {
            udids.push(udid.to_owned());
        }
    }
    udids
}

/// A UDID: 25 to 40 hex digits, with a dash after the first 8 on newer devices.
fn is_udid(word: &str) -> bool {
    (20..=64).contains(&word.len()) && word.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

/// Why a device refused to talk: what libimobiledevice's lockdown error says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Locked with a passcode (`Password protected`, -17; escrow bag locked, -35).
    Locked,
    /// "Don't Trust" was tapped (`User denied pairing`, -18).
    Declined,
    /// The "Trust This Computer?" prompt is waiting (`Pairing dialog response pending`, -19).
    Pending,
    /// No valid pairing with this computer (`Invalid HostID`, -21; missing pair record...).
    NotPaired,
    /// lockdownd refused and the tool did not say why (old tools).
    Unknown,
}

impl Refusal {
    /// What is wrong and what to do, after the device's label.
    pub fn advice(self) -> &'static str {
        match self {
            Refusal::Locked => {
                "is locked: unlock it (enter the passcode), tap Trust if it asks, then run again"
            }
            Refusal::Declined => {
                "did not trust this computer (\"Don't Trust\" was tapped): unplug it and plug it \
back in, unlock it, tap Trust and enter the passcode (or run `idevicepair pair`), then run again"
            }
            Refusal::Pending => {
                "is waiting for \"Trust This Computer?\": unlock it, tap Trust and enter the \
passcode (or run `idevicepair pair`), then run again"
            }
            Refusal::NotPaired => {
                "is not paired with this computer: unlock it, run `idevicepair pair` and tap \
Trust on it, then run again"
            }
            Refusal::Unknown => {
                "refused the connection (locked, not paired, or the trust prompt not accepted): \
unlock it, tap Trust, run `idevicepair pair`, then run again"
            }
        }
    }
}

/// How a run that did not succeed failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The device would not talk to this computer.
    Refused(Refusal),
    /// The device is not (or no longer) attached.
    Gone,
    /// It did not answer in time.
    TimedOut,
    /// Anything else.
    Other,
}

/// How `ran` failed; `None` when it succeeded.
pub fn classify(ran: &Ran) -> Option<Failure> {
    if ran.output.timed_out {
        return Some(Failure::TimedOut);
    }
    if ran.succeeded() {
        return None;
    }
    let text = format!(
        "{}\n{}",
        ran.output.stderr,
        String::from_utf8_lossy(&ran.output.stdout)
    )
    .to_ascii_lowercase();
    let has = |needles: &[&str]| needles.iter().any(|n| text.contains(n));
    let code = |codes: &[i32]| {
        codes
            .iter()
            .any(|c| text.contains(&format!("error code {c}")) || text.contains(&format!("({c})")))
    };
    let refusal = if has(&["password protected", "escrow"]) || code(&[-17, -35]) {
        Some(Refusal::Locked)
    } else if has(&["user denied pairing"]) || code(&[-18]) {
        Some(Refusal::Declined)
    } else if has(&["pairing dialog", "trust dialog"]) || code(&[-19]) {
        Some(Refusal::Pending)
    } else if has(&["hostid", "not paired", "pair record"]) || code(&[-20, -21, -29, -31]) {
        Some(Refusal::NotPaired)
    } else if has(&[
        "could not connect to lockdownd",
        "connecting to device failed",
    ]) {
        Some(Refusal::Unknown)
    } else {
        None
    };
    if let Some(refusal) = refusal {
        return Some(Failure::Refused(refusal));
    }
    let gone = [
        "no device found",
        "not found!",
        "device removed",
        "no device with udid",
    ];
    Some(if has(&gone) {
        Failure::Gone
    } else {
        Failure::Other
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ran(stdout: &str, stderr: &str, code: Option<i32>) -> Ran {
        Ran {
            command: "x".into(),
            output: Output {
                stdout: stdout.as_bytes().to_vec(),
                stderr: stderr.into(),
                code,
                timed_out: false,
            },
        }
    }

    #[test]
    fn list_style_from_the_version() {
        assert_eq!(
            ListStyle::detect("ideviceinstaller 1.1.1\n"),
            ListStyle::Options
        );
        assert_eq!(
            ListStyle::detect("ideviceinstaller 1.2.0\n"),
            ListStyle::Commands
        );
        assert_eq!(
            ListStyle::detect("ideviceinstaller 1.10.3-git\n"),
            ListStyle::Commands
        );
        let old = "Usage: ideviceinstaller OPTIONS\n  -l, --list-apps\tList apps\n  -o list_all\n";
        assert_eq!(ListStyle::detect(old), ListStyle::Options);
        let new = "Usage: ideviceinstaller OPTIONS\n\nCOMMANDS:\n  list   List installed apps.\n";
        assert_eq!(ListStyle::detect(new), ListStyle::Commands);
        assert_eq!(ListStyle::detect(""), ListStyle::Options);
    }

    #[test]
    fn udids() {
        let text = "00008030-001A2B3C4D5E802E\nabcdef0123456789abcdef0123456789abcdef01 (USB)\n\
                    00008101-000000000000001E (Network)\nERROR: Unable to retrieve device list!\n\
                    00008030-001A2B3C4D5E802E\n";
        assert_eq!(
            parse_udids(text),
            [
                "00008030-001A2B3C4D5E802E",
                "abcdef0123456789abcdef0123456789abcdef01"
            ]
        );
    }

    #[test]
    fn refusals_and_vanished_devices() {
        let refused = |stderr: &str| classify(&ran("", stderr, Some(255)));
        assert_eq!(
            refused("ERROR: Could not connect to lockdownd: Password protected (-17)"),
            Some(Failure::Refused(Refusal::Locked))
        );
        assert_eq!(
            refused("ERROR: Could not connect to lockdownd, error code -17"),
            Some(Failure::Refused(Refusal::Locked))
        );
        assert_eq!(
            refused("ERROR: Could not connect to lockdownd, error code -18"),
            Some(Failure::Refused(Refusal::Declined))
        );
        assert_eq!(
            refused("ERROR: Could not connect to lockdownd: Pairing dialog response pending (-19)"),
            Some(Failure::Refused(Refusal::Pending))
        );
        assert_eq!(
            refused("ERROR: Could not connect to lockdownd, error code -21"),
            Some(Failure::Refused(Refusal::NotPaired))
        );
        assert_eq!(
            refused("ERROR: Device 00008030 is not paired with this host"),
            Some(Failure::Refused(Refusal::NotPaired))
        );
        assert_eq!(
            refused("Could not connect to lockdownd. Exiting."),
            Some(Failure::Refused(Refusal::Unknown))
        );
        assert_eq!(
            refused("No device found with udid 00008030."),
            Some(Failure::Gone)
        );
        assert_eq!(
            classify(&ran("ERROR: Device 00008030 not found!\n", "", Some(255))),
            Some(Failure::Gone)
        );
        assert_eq!(refused("ERROR: boom"), Some(Failure::Other));
        assert_eq!(classify(&ran("DeviceName: x\n", "", Some(0))), None);
        let mut slow = ran("", "", None);
        slow.output.timed_out = true;
        assert_eq!(classify(&slow), Some(Failure::TimedOut));
        assert_eq!(
            ran("ERROR: Device X not found!\n", "", Some(255)).said(),
            "ERROR: Device X not found!"
        );
    }

    #[test]
    fn only_read_only_commands() {
        use Tool::*;
        assert!(is_read_only(IdeviceId, &["-l"]));
        assert!(is_read_only(Ideviceinfo, &["-u", "U"]));
        assert!(is_read_only(
            Ideviceinstaller,
            &["-u", "U", "-l", "-o", "list_all"]
        ));
        assert!(is_read_only(
            Ideviceinstaller,
            &["-u", "U", "list", "--all"]
        ));
        assert!(!is_read_only(
            Ideviceinstaller,
            &["-u", "U", "uninstall", "x"]
        ));
        assert!(!is_read_only(Ideviceinstaller, &["-u", "U", "-U", "x"]));
        assert!(!is_read_only(Ideviceinfo, &["-u", "U", "-k", "x"]));
    }
}
