//! Live capture over the `adb` program (Android platform-tools).
//!
//! appaudit shells out to `adb` rather than speaking the adb protocol: admins have it
//! installed, and it handles USB permissions, serials and the server. Every command is
//! read-only (`getprop`, `pm list users`, `pm list packages`, `dumpsys package`); see
//! [`is_read_only`]. Each run of `adb` is killed after the timeout.

use super::capture::{Manifest, Role};
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use wait_timeout::ChildExt;

/// The largest output read from one command.
const MAX_OUTPUT_BYTES: u64 = crate::collect::text::MAX_FILE_BYTES;

/// How to install adb, for the "not found" message.
pub const INSTALL_HINT: &str = "install Android platform-tools (Debian/Ubuntu: `apt install adb`; \
Fedora: `dnf install android-tools`; macOS: `brew install android-platform-tools`; Windows: \
`winget install Google.PlatformTools` or unzip platform-tools from developer.android.com and add \
it to PATH), or name it with --adb PATH";

/// The `adb` program and the time each command may take.
#[derive(Clone, Debug)]
pub struct Adb {
    /// The adb program to run.
    pub program: PathBuf,
    /// How long one command may take before it is stopped.
    pub timeout: Duration,
}

/// What one run of `adb` gave.
#[derive(Clone, Debug, Default)]
pub struct Output {
    /// What the command printed on stdout.
    pub stdout: Vec<u8>,
    /// What the command printed on stderr, decoded lossily.
    pub stderr: String,
    /// `None` when killed (timeout) or ended by a signal.
    pub code: Option<i32>,
    /// The command was stopped after the timeout.
    pub timed_out: bool,
}

/// Why `adb` could not be run at all.
#[derive(Debug)]
pub enum RunError {
    /// The adb program could not be found or started.
    NotFound(PathBuf),
    /// The command could not be run or read (the message says why).
    Failed(String),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::NotFound(program) => {
                write!(f, "adb not found (`{}`): {INSTALL_HINT}", program.display())
            }
            RunError::Failed(message) => f.write_str(message),
        }
    }
}

impl Adb {
    /// Runs `adb ARGS...`; output goes through temporary files so a command that
    /// never closes its output (or leaves children behind) cannot block us.
    pub fn run(&self, args: &[&str]) -> Result<Output, RunError> {
        let program = self.program.display().to_string();
        let io = |e: std::io::Error| RunError::Failed(format!("cannot run {program}: {e}"));
        let stdout = tempfile::tempfile().map_err(io)?;
        let stderr = tempfile::tempfile().map_err(io)?;
        let spawned = Command::new(&self.program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(stdout.try_clone().map_err(io)?)
            .stderr(stderr.try_clone().map_err(io)?)
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(RunError::NotFound(self.program.clone()));
            }
            Err(e) => return Err(io(e)),
        };
        let (code, timed_out) = match child.wait_timeout(self.timeout).map_err(io)? {
            Some(status) => (status.code(), false),
            None => {
                // Best effort: it may have ended in between.
                let _ = child.kill();
                let _ = child.wait();
                (None, true)
            }
        };
        Ok(Output {
            stdout: read_back(stdout).map_err(io)?,
            stderr: String::from_utf8_lossy(&read_back(stderr).map_err(io)?).into_owned(),
            code,
            timed_out,
        })
    }
}

fn read_back(mut file: std::fs::File) -> std::io::Result<Vec<u8>> {
    file.rewind()?;
    let mut bytes = Vec::new();
    file.take(MAX_OUTPUT_BYTES).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// One line of `adb devices -l`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attached {
    /// The device's serial number.
    pub serial: String,
    /// `device`, `unauthorized`, `offline`, `no permissions`, `recovery`...
    pub state: String,
    /// `model:` of the line, `_` turned back into spaces as adb does not.
    pub model: Option<String>,
}

/// Parses `adb devices -l` (lines after `List of devices attached`).
pub fn parse_devices(text: &str) -> Vec<Attached> {
    let mut devices = Vec::new();
    let mut listing = false;
    for line in crate::collect::text::lines(text) {
        let line = line.trim();
        if line.starts_with("List of devices attached") {
            listing = true;
            continue;
        }
        if !listing || line.is_empty() || line.starts_with('*') {
            continue;
        }
        let mut words = line.split_whitespace();
        let (Some(serial), Some(state)) = (words.next(), words.next()) else {
            continue;
        };
        let rest: Vec<&str> = words.collect();
        let state = if state == "no" && rest.first() == Some(&"permissions") {
            "no permissions".to_owned()
        } else {
            state.to_owned()
        };
        let model = rest
            .iter()
            .find_map(|w| w.strip_prefix("model:"))
            .map(|m| m.replace('_', " "));
        devices.push(Attached {
            serial: serial.to_owned(),
            state,
            model,
        });
    }
    devices
}

/// Why a device in a state other than `device` cannot be scanned, for people.
pub fn state_message(state: &str) -> String {
    match state {
        "unauthorized" => "device is unauthorized: unlock it, accept the \"Allow USB debugging\" \
prompt, then run again"
            .to_owned(),
        "offline" => {
            "device is offline: reconnect the cable (or run `adb reconnect`) and run again"
                .to_owned()
        }
        "no permissions" => "no permission to open the USB device: add a udev rule (or the \
`plugdev` group) for it, or run `adb kill-server` and start adb as a user that may open it"
            .to_owned(),
        other => format!("device is in `{other}` state, not ready (expected `device`)"),
    }
}

/// The commands appaudit sends to a device. All read; none installs, removes or sets.
pub fn is_read_only(shell: &[&str]) -> bool {
    matches!(
        shell,
        ["getprop"]
            | ["pm", "list", "users"]
            | ["pm", "list", "packages", ..]
            | ["dumpsys", "package"]
    )
}

/// The flags of `pm list packages`, then the fallbacks for older Android versions that
/// lack `--show-versioncode`, `-U` or `-i`.
const LISTINGS: [&[&str]; 4] = [
    &["-f", "-i", "-U", "--show-versioncode"],
    &["-f", "-i", "-U"],
    &["-f", "-i"],
    &["-f"],
];

/// Why a device's capture stopped early.
#[derive(Debug)]
enum Stop {
    /// adb itself failed (device gone, offline...) or the command timed out.
    Device(String),
    /// adb could not be run any more.
    Run(RunError),
}

/// Captures one device. `Err` only when adb itself cannot be run; problems with the
/// device (gone, timed out) are in `Manifest::problems` with what was read before.
pub fn capture(adb: &Adb, serial: &str) -> Result<Manifest, RunError> {
    let mut manifest = Manifest::new(serial);
    match capture_into(adb, serial, &mut manifest) {
        Ok(()) => Ok(manifest),
        Err(Stop::Device(message)) => {
            manifest.problems.push(message);
            Ok(manifest)
        }
        Err(Stop::Run(e)) => Err(e),
    }
}

fn capture_into(adb: &Adb, serial: &str, manifest: &mut Manifest) -> Result<(), Stop> {
    let getprop = shell(adb, serial, &["getprop"])?;
    manifest.push(
        Role::Getprop,
        None,
        getprop.0.clone(),
        &getprop.1.stdout,
        &getprop.1.stderr,
        getprop.1.code,
    );
    manifest.device =
        super::getprop::device_properties(&String::from_utf8_lossy(&getprop.1.stdout))
            .into_iter()
            .find(|(k, _)| k == "model")
            .map(|(_, v)| v);
    let (command, users_out) = shell(adb, serial, &["pm", "list", "users"])?;
    let users = super::capture::parse_users(&String::from_utf8_lossy(&users_out.stdout));
    manifest.push(
        Role::Users,
        None,
        command,
        &users_out.stdout,
        &users_out.stderr,
        users_out.code,
    );
    let mut ids: Vec<u32> = users.iter().map(|u| u.id).collect();
    if ids.is_empty() {
        // Android before 4.2 has one user and no `pm list users`.
        ids.push(0);
    }
    for &user in &ids {
        let user_arg = user.to_string();
        for flags in LISTINGS {
            let mut args = vec!["pm", "list", "packages"];
            args.extend_from_slice(flags);
            args.extend(["--user", user_arg.as_str()]);
            let (command, out) = shell(adb, serial, &args)?;
            let failed = listing_failed(&out);
            manifest.push(
                Role::Packages,
                Some(user),
                command,
                &out.stdout,
                &out.stderr,
                out.code,
            );
            if !failed {
                break;
            }
        }
        for (flag, role) in [("-d", Role::Disabled), ("-s", Role::System)] {
            let args = ["pm", "list", "packages", flag, "--user", user_arg.as_str()];
            let (command, out) = shell(adb, serial, &args)?;
            if !listing_failed(&out) {
                manifest.push(
                    role,
                    Some(user),
                    command,
                    &out.stdout,
                    &out.stderr,
                    out.code,
                );
            }
        }
    }
    let (command, out) = shell(adb, serial, &["dumpsys", "package"])?;
    manifest.push(
        Role::Dumpsys,
        None,
        command,
        &out.stdout,
        &out.stderr,
        out.code,
    );
    Ok(())
}

/// Runs `adb -s SERIAL shell ARGS...`; adb's own failures and timeouts stop the device.
fn shell(adb: &Adb, serial: &str, args: &[&str]) -> Result<(String, Output), Stop> {
    debug_assert!(is_read_only(args), "not a read-only command: {args:?}");
    let mut full = vec!["-s", serial, "shell"];
    full.extend_from_slice(args);
    let command = format!("{} {}", adb.program.display(), full.join(" "));
    tracing::debug!(%command, "running");
    let out = adb.run(&full).map_err(Stop::Run)?;
    if out.timed_out {
        return Err(Stop::Device(format!(
            "`{command}` timed out after {} s (raise --timeout, or check the device)",
            adb.timeout.as_secs()
        )));
    }
    if let Some(error) = adb_error(&out) {
        return Err(Stop::Device(format!("`{command}` failed: {error}")));
    }
    Ok((command, out))
}

/// adb's own error (not the device command's): `error: device 'X' not found`,
/// `error: device offline`, `adb: error: ...`.
fn adb_error(out: &Output) -> Option<String> {
    if out.code == Some(0) {
        return None;
    }
    out.stderr
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("error:") || l.starts_with("adb: error:"))
        .map(crate::collect::text::excerpt)
}

/// Whether a `pm list packages` run failed (unknown option, exception, no listing).
fn listing_failed(out: &Output) -> bool {
    let text = String::from_utf8_lossy(&out.stdout);
    let has_package =
        crate::collect::text::lines(&text).any(|l| super::pm_list::is_package_line(l.trim()));
    let error_text = |t: &str| {
        t.contains("Unknown option")
            || t.contains("Error:")
            || t.contains("Exception")
            || t.contains("Unknown command")
    };
    if has_package {
        // An exception for one part of the list can precede a good listing.
        return false;
    }
    error_text(&text) || error_text(&out.stderr) || out.code.is_some_and(|c| c != 0)
}

/// The folder to save a device's capture in: `DIR/<serial>` (characters that cannot be
/// in a file name replaced), or `DIR/<serial>-<time>` when that one is already used.
pub fn save_folder(dir: &Path, serial: &str, started: &str) -> PathBuf {
    let clean: String = serial
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let clean = if clean.trim_matches('.').is_empty() {
        "device".to_owned()
    } else {
        clean
    };
    let first = dir.join(&clean);
    let used = std::fs::read_dir(&first).is_ok_and(|mut d| d.next().is_some())
        || std::fs::symlink_metadata(&first).is_ok_and(|m| !m.is_dir());
    if !used {
        return first;
    }
    let stamp: String = started
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    dir.join(format!("{clean}-{stamp}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn devices_list() {
        let text = "* daemon not running; starting now at tcp:5037\n* daemon started successfully\n\
List of devices attached\n\
R58N123 device usb:1-1 product:dm3qxeea model:SM_S918B device:dm3q transport_id:1\n\
emulator-5554\toffline transport_id:2\n\
0123 unauthorized usb:1-2 transport_id:3\n\
ZY22 no permissions (user in plugdev group; are your udev rules wrong?); see [http://developer.android.com/tools/device.html] usb:1-3\n\n";
        let devices = parse_devices(text);
        let states: Vec<(&str, &str)> = devices
            .iter()
            .map(|d| (d.serial.as_str(), d.state.as_str()))
            .collect();
        assert_eq!(
            states,
            [
                ("R58N123", "device"),
                ("emulator-5554", "offline"),
                ("0123", "unauthorized"),
                ("ZY22", "no permissions")
            ]
        );
        assert_eq!(devices[0].model.as_deref(), Some("SM S918B"));
        assert!(parse_devices("List of devices attached\n\n").is_empty());
    }

    #[test]
    fn only_read_only_commands() {
        assert!(is_read_only(&["pm", "list", "packages", "-f"]));
        assert!(is_read_only(&["dumpsys", "package"]));
        assert!(!is_read_only(&["pm", "uninstall", "x"]));
        assert!(!is_read_only(&["settings", "put", "global", "x", "1"]));
    }

    #[test]
    fn listing_failures() {
        let out = |stdout: &str, stderr: &str, code| Output {
            stdout: stdout.as_bytes().to_vec(),
            stderr: stderr.to_owned(),
            code: Some(code),
            timed_out: false,
        };
        assert!(!listing_failed(&out("package:a\n", "", 0)));
        assert!(listing_failed(&out("", "Error: Unknown option: -U", 255)));
        assert!(listing_failed(&out(
            "Unknown option: --show-versioncode\n",
            "",
            0
        )));
        assert!(listing_failed(&out("", "", 1)));
        assert!(!listing_failed(&out(
            "java.lang.SecurityException: x\npackage:a\n",
            "",
            0
        )));
    }

    #[test]
    fn adb_errors_are_told_from_device_errors() {
        let out = Output {
            stderr: "error: device 'X' not found\n".into(),
            code: Some(1),
            ..Output::default()
        };
        assert_eq!(
            adb_error(&out).as_deref(),
            Some("error: device 'X' not found")
        );
        let pm = Output {
            stderr: "Error: Unknown option: -U\n".into(),
            code: Some(255),
            ..Output::default()
        };
        assert_eq!(adb_error(&pm), None);
    }

    #[test]
    fn save_folders() {
        let dir = tempfile::tempdir().unwrap();
        let t = "2026-11-21T10:00:00Z";
        assert_eq!(
            save_folder(dir.path(), "192.168.1.5:5555", t),
            dir.path().join("192.168.1.5_5555")
        );
        std::fs::create_dir(dir.path().join("R58")).unwrap();
        assert_eq!(save_folder(dir.path(), "R58", t), dir.path().join("R58"));
        std::fs::write(dir.path().join("R58/x"), "").unwrap();
        assert_eq!(
            save_folder(dir.path(), "R58", t),
            dir.path().join("R58-20261121T100000Z")
        );
        assert_eq!(save_folder(dir.path(), "..", t), dir.path().join("device"));
    }
}
