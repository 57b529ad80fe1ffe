//! Hostile inputs thrown at the built binary: truncated files, NUL bytes, invalid
//! UTF-8, a 1 GiB file without a line break, deep nesting, a YAML alias bomb, a zip
//! bomb, symbolic links that loop or lead out, a FIFO and a device node, a file that
//! grows while it is read, and 100,000 empty files.
//!
//! Each run: a message naming the path, the rest of the scan completes, time bounded
//! by a generous kill timeout (not a timed assertion), peak memory bounded (measured
//! with `/usr/bin/time` when it is installed), and the scanned tree unchanged (every
//! file hashed, with its size, mode, mtime and ctime, before and after).
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use wait_timeout::ChildExt;

const BIN: &str = env!("CARGO_BIN_EXE_appaudit");
const TIKTOK_PM_LIST: &str = "package:/data/app/~~a==/com.zhiliaoapp.musically-b==/base.apk=com.zhiliaoapp.musically versionCode:1 installer=com.android.vending uid:10245\npackage:com.whatsapp\n";

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    /// Peak resident memory in KiB, when `/usr/bin/time` could measure it.
    max_rss_kib: Option<u64>,
}

/// Runs the binary, killing it after `timeout` (then the test fails naming the command).
fn run(args: &[&str], timeout: Duration) -> Run {
    let time = Path::new("/usr/bin/time");
    let mut command = if time.exists() {
        let mut c = Command::new(time);
        c.args(["-f", "APPAUDIT_MAX_RSS_KIB=%M", BIN]);
        c
    } else {
        Command::new(BIN)
    };
    command
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("start appaudit");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        String::from_utf8_lossy(&s).into_owned()
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        String::from_utf8_lossy(&s).into_owned()
    });
    let status = match child.wait_timeout(timeout).unwrap() {
        Some(status) => status,
        None => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("appaudit {args:?} did not finish within {timeout:?}: killed");
        }
    };
    let stdout = out.join().unwrap();
    let stderr = err.join().unwrap();
    let max_rss_kib = stderr
        .lines()
        .find_map(|l| l.strip_prefix("APPAUDIT_MAX_RSS_KIB="))
        .and_then(|v| v.trim().parse().ok());
    Run {
        // `time` exits with the child's code.
        code: status.code(),
        stdout,
        stderr,
        max_rss_kib,
    }
}

fn assert_memory_below(run: &Run, mib: u64, what: &str) {
    match run.max_rss_kib {
        Some(kib) => assert!(
            kib < mib * 1024,
            "{what}: peak memory {kib} KiB, expected under {mib} MiB"
        ),
        None => eprintln!("{what}: /usr/bin/time missing, peak memory not checked"),
    }
}

/// Everything about every entry below `root` (links not followed): kind, size, mode,
/// mtime, ctime and, for regular files up to 64 MiB, a SHA-256 of the content. A
/// larger file is described by its size, times and the hash of its first MiB: any
/// write to it changes its ctime, which no unprivileged program can set back.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(path) = pending.pop() {
        let meta = fs::symlink_metadata(&path).unwrap();
        let kind = meta.file_type();
        let mut line = format!(
            "mode={:o} len={} mtime={}.{} ctime={}.{}",
            meta.mode(),
            meta.len(),
            meta.mtime(),
            meta.mtime_nsec(),
            meta.ctime(),
            meta.ctime_nsec()
        );
        if kind.is_dir() {
            let mut names: Vec<PathBuf> = fs::read_dir(&path)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            names.sort();
            line.push_str(&format!(" entries={}", names.len()));
            pending.extend(names);
        } else if kind.is_symlink() {
            line.push_str(&format!(" -> {}", fs::read_link(&path).unwrap().display()));
        } else if kind.is_file() {
            let mut file = fs::File::open(&path).unwrap();
            let mut hasher = Sha256::new();
            let limit = if meta.len() <= 64 << 20 {
                u64::MAX
            } else {
                1 << 20
            };
            let mut reader = (&mut file).take(limit);
            let mut buf = vec![0u8; 1 << 16];
            loop {
                let n = reader.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                hasher.update(&buf[..n]);
            }
            let hex: String = hasher
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            line.push_str(&format!(" sha256={hex}"));
        }
        out.insert(path, line);
    }
    out
}

fn assert_unchanged(before: &BTreeMap<PathBuf, String>, root: &Path) {
    let after = snapshot(root);
    assert_eq!(before.len(), after.len(), "entries appeared or vanished");
    for (path, was) in before {
        assert_eq!(Some(was), after.get(path), "{} changed", path.display());
    }
}

fn report(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "not a JSON report ({e}); exit {:?}; stderr:\n{}",
            run.code, run.stderr
        )
    })
}

/// The message the report gives for `path` (as an error, a passed-over input or a device warning).
fn message_for(report: &serde_json::Value, path: &Path) -> Option<String> {
    let path = path.display().to_string();
    for list in ["errors", "skipped"] {
        for entry in report[list].as_array().into_iter().flatten() {
            if entry["path"].as_str() == Some(path.as_str()) {
                return Some(entry["message"].as_str().unwrap_or_default().to_owned());
            }
        }
    }
    None
}

fn device<'r>(report: &'r serde_json::Value, path: &Path) -> Option<&'r serde_json::Value> {
    let path = path.display().to_string();
    report["devices"]
        .as_array()?
        .iter()
        .find(|d| d["source"].as_str() == Some(path.as_str()))
}

fn finding_ids(device: &serde_json::Value) -> Vec<String> {
    device["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["app"]["id"].as_str().map(str::to_owned))
        .collect()
}

/// A bugreport zip: `main_entry.txt` naming a dumpstate of `dumpstate_bytes` zeros,
/// written by a streaming writer (deflated: a few MiB on disk).
fn write_zip_bomb(path: &Path, dumpstate_bytes: u64) {
    use zip::write::SimpleFileOptions;
    let file = fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .large_file(true);
    zip.start_file("main_entry.txt", options).unwrap();
    zip.write_all(b"dumpstate.txt\n").unwrap();
    zip.start_file("dumpstate.txt", options).unwrap();
    let zeros = vec![0u8; 1 << 20];
    let mut left = dumpstate_bytes;
    while left > 0 {
        let n = left.min(zeros.len() as u64) as usize;
        zip.write_all(&zeros[..n]).unwrap();
        left -= n as u64;
    }
    zip.finish().unwrap().flush().unwrap();
}

fn small_bugreport_zip(path: &Path) {
    use zip::write::SimpleFileOptions;
    let file = fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = SimpleFileOptions::default();
    zip.start_file("main_entry.txt", options).unwrap();
    zip.write_all(b"dumpstate.txt\n").unwrap();
    zip.start_file("dumpstate.txt", options).unwrap();
    let body = "DUMP OF SERVICE package:\nPackages:\n  Package [com.tencent.mm] (1a2b):\n    userId=10100\n    versionCode=1\n"
        .repeat(200);
    zip.write_all(body.as_bytes()).unwrap();
    zip.finish().unwrap();
}

/// Makes a character device like /dev/null; `false` when not allowed (not root).
fn mknod(path: &Path) -> bool {
    Command::new("mknod")
        .arg(path)
        .args(["c", "1", "3"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn hostile_folder_is_scanned_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    fs::create_dir(&root).unwrap();
    let p = |name: &str| root.join(name);

    fs::write(p("good.txt"), TIKTOK_PM_LIST).unwrap();
    // Truncated inputs: a dumpsys cut inside a block, JSON cut short, half a zip.
    fs::write(
        p("truncated_dumpsys.txt"),
        "DUMP OF SERVICE package:\nPackages:\n  Package [com.tencent.mm] (1a2b):\n    userId=10100\n    codePa",
    )
    .unwrap();
    fs::write(
        p("truncated_packages.json"),
        "[{\"name\": \"com.tencent.mm\", \"files\": [{\"path\": \"/data/app/x",
    )
    .unwrap();
    let whole_zip = dir.path().join("whole.zip");
    small_bugreport_zip(&whole_zip);
    let zip_bytes = fs::read(&whole_zip).unwrap();
    fs::write(
        p("truncated_bugreport.zip"),
        &zip_bytes[..zip_bytes.len() / 2],
    )
    .unwrap();
    // NUL bytes and invalid UTF-8.
    fs::write(
        p("nul.txt"),
        b"pack\0age:com.ten\0cent.mm\n\0\0\0\npackage:com.whatsapp\n",
    )
    .unwrap();
    fs::write(
        p("invalid_utf8.txt"),
        b"package:com.whatsapp\npackage:com.ex\xFF\xFEample\npackage:cn.wps.moffice_eng\n",
    )
    .unwrap();
    // 1 GiB without a line break: a package line, then NULs (a sparse file).
    let huge = p("huge_no_newline.txt");
    {
        let mut file = fs::File::create(&huge).unwrap();
        file.write_all(b"package:com.zhiliaoapp.musically").unwrap();
        file.set_len(1 << 30).unwrap();
    }
    // Deeply nested XML (a packages.xml) and a deeply nested plist in an app bundle.
    let depth = 100_000;
    let mut xml = String::from("<?xml version='1.0' encoding='utf-8'?>\n<packages>\n");
    xml.push_str(&"<package name=\"com.tencent.mm\">".repeat(depth));
    fs::write(p("packages.xml"), &xml).unwrap();
    // (In its own machine root: a folder holding `Applications/` is a macOS root.)
    let contents = p("mac/Applications/Deep.app/Contents");
    fs::create_dir_all(&contents).unwrap();
    let mut plist = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict><key>CFBundleIdentifier</key><string>com.tencent.xinWeChat</string><key>deep</key>",
    );
    plist.push_str(&"<array>".repeat(depth));
    plist.push_str(&"</array>".repeat(depth));
    plist.push_str("</dict></plist>\n");
    fs::write(contents.join("Info.plist"), &plist).unwrap();
    // A zip bomb: 2 GiB of zeros in the dumpstate of a bugreport zip.
    write_zip_bomb(&p("bomb_bugreport.zip"), 2 << 30);
    // Links: a loop, and one leading out of the tree to a dump that must not be read.
    std::os::unix::fs::symlink("loop_b", p("loop_a")).unwrap();
    std::os::unix::fs::symlink("loop_a", p("loop_b")).unwrap();
    let outside = dir.path().join("outside.txt");
    fs::write(&outside, "package:com.eg.android.AlipayGphone\n").unwrap();
    std::os::unix::fs::symlink(&outside, p("outside_link.txt")).unwrap();
    // A FIFO (opening it would block) and a device node (reading it never ends for some).
    let made_fifo = Command::new("mkfifo")
        .arg(p("fifo"))
        .status()
        .is_ok_and(|s| s.success());
    let made_device = mknod(&p("device"));
    if !made_device {
        eprintln!("skipped the device node: mknod needs root");
    }

    let before = snapshot(&root);
    let root_arg = root.to_str().unwrap();
    let run = run(
        &["scan", "--format", "json", root_arg],
        Duration::from_secs(120),
    );
    assert_unchanged(&before, &root);
    assert!(
        matches!(run.code, Some(0..=2)),
        "exit {:?}\n{}",
        run.code,
        run.stderr
    );
    assert_memory_below(&run, 256, "hostile folder");
    let report = report(&run);

    // The rest of the scan completes: the good dump is read and its finding reported.
    let good = device(&report, &p("good.txt")).expect("good.txt was scanned");
    assert!(finding_ids(good).contains(&"com.zhiliaoapp.musically".to_owned()));
    // Nothing was read through the link that leads out.
    assert!(
        !run.stdout.contains("AlipayGphone"),
        "the link leading out of the tree was followed"
    );

    let truncated = device(&report, &p("truncated_dumpsys.txt")).expect("truncated dumpsys");
    assert!(
        truncated["warnings"].to_string().contains("truncated"),
        "{truncated}"
    );
    for name in ["truncated_packages.json", "truncated_bugreport.zip"] {
        let message =
            message_for(&report, &p(name)).unwrap_or_else(|| panic!("no message for {name}"));
        assert!(!message.is_empty(), "{name}");
    }
    assert!(
        message_for(&report, &p("truncated_packages.json"))
            .unwrap()
            .contains("EOF while parsing")
    );
    let nul = device(&report, &p("nul.txt")).expect("nul.txt");
    assert!(
        finding_ids(nul).contains(&"com.tencent.mm".to_owned()),
        "{nul}"
    );
    let bad = device(&report, &p("invalid_utf8.txt")).expect("invalid_utf8.txt");
    assert!(finding_ids(bad).contains(&"cn.wps.moffice_eng".to_owned()));
    assert!(bad["warnings"].to_string().contains("line 2"), "{bad}");
    // The 1 GiB line is cut (its start still read), with a warning.
    let huge_device = device(&report, &huge).expect("huge file");
    assert!(
        huge_device["warnings"].to_string().contains("were cut"),
        "{huge_device}"
    );
    let bomb = message_for(&report, &p("bomb_bugreport.zip")).expect("bomb message");
    assert!(
        bomb.contains("zip bomb") || bomb.contains("limit"),
        "{bomb}"
    );
    // Deep XML: read or refused, never a crash; either way it is named.
    assert!(
        device(&report, &p("packages.xml")).is_some()
            || message_for(&report, &p("packages.xml")).is_some()
    );
    // Deep plist: the macOS root holding it is still a device (its bundle read or named).
    assert!(device(&report, &p("mac")).is_some(), "mac root missing");
    for link in ["loop_a", "loop_b", "outside_link.txt"] {
        assert_eq!(
            message_for(&report, &p(link)).as_deref(),
            Some("symbolic link, not followed"),
            "{link}"
        );
    }
    if made_fifo {
        assert_eq!(
            message_for(&report, &p("fifo")).as_deref(),
            Some("not a regular file (fifo)")
        );
    }
    if made_device {
        assert_eq!(
            message_for(&report, &p("device")).as_deref(),
            Some("not a regular file (character device)")
        );
    }
    // The same inputs named one by one on the command line.
    for name in ["loop_a", "fifo", "device", "huge_no_newline.txt"] {
        let path = p(name);
        if fs::symlink_metadata(&path).is_err() {
            continue;
        }
        let single = run_single(&path);
        assert!(
            single.contains(&path.display().to_string()),
            "{name}: {single}"
        );
    }
    assert_unchanged(&before, &root);
}

/// Scans one path; returns what the binary printed (report and messages).
fn run_single(path: &Path) -> String {
    let run = run(
        &["scan", "--format", "json", path.to_str().unwrap()],
        Duration::from_secs(60),
    );
    assert!(matches!(run.code, Some(0..=2)), "exit {:?}", run.code);
    assert_memory_below(&run, 128, &path.display().to_string());
    format!("{}{}", run.stdout, run.stderr)
}

#[test]
fn yaml_alias_bomb_in_rules_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("bomb.yaml");
    let mut yaml = String::from(
        "version: 1\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
    for pair in names.windows(2) {
        let (prev, next) = (pair[0], pair[1]);
        let refs = vec![format!("*{prev}"); 9].join(",");
        yaml.push_str(&format!("{next}: &{next} [{refs}]\n"));
    }
    yaml.push_str("apps: *j\n");
    fs::write(&rules, &yaml).unwrap();
    let dump = dir.path().join("dump.txt");
    fs::write(&dump, TIKTOK_PM_LIST).unwrap();
    let before = snapshot(dir.path());
    let run = run(
        &[
            "scan",
            "--rules",
            rules.to_str().unwrap(),
            dump.to_str().unwrap(),
        ],
        Duration::from_secs(60),
    );
    assert_unchanged(&before, dir.path());
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains(&rules.display().to_string()) || run.stderr.contains("bomb.yaml"),
        "{}",
        run.stderr
    );
    assert_memory_below(&run, 128, "alias bomb");
}

#[test]
fn file_growing_while_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("growing.txt");
    let mut body = String::from(TIKTOK_PM_LIST);
    for i in 0..200_000 {
        body.push_str(&format!("package:com.example.app{i} versionCode:{i}\n"));
    }
    fs::write(&path, &body).unwrap();
    let other = dir.path().join("other.txt");
    fs::write(&other, TIKTOK_PM_LIST).unwrap();
    let other_before = snapshot(&other);

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        let path = path.clone();
        std::thread::spawn(move || {
            let mut file = fs::OpenOptions::new().append(true).open(&path).unwrap();
            let mut written = 0u64;
            // Appends until the scan ends, about 40 MB/s at most (capped, so the disk is safe).
            let lines = b"package:com.appended.while.read versionCode:1\n".repeat(1000);
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && written < 1 << 30 {
                file.write_all(&lines).unwrap();
                written += lines.len() as u64;
                std::thread::sleep(Duration::from_millis(1));
            }
        })
    };
    let run = run(
        &["scan", "--format", "json", dir.path().to_str().unwrap()],
        Duration::from_secs(60),
    );
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().unwrap();
    assert!(matches!(run.code, Some(0..=2)), "{}", run.stderr);
    assert_memory_below(&run, 512, "growing file");
    let report = report(&run);
    let grown = device(&report, &path).expect("the growing file was read");
    assert!(finding_ids(grown).contains(&"com.zhiliaoapp.musically".to_owned()));
    assert!(device(&report, &other).is_some());
    assert_unchanged(&other_before, &other);
}

#[test]
fn tree_of_100_000_empty_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    fs::create_dir(&root).unwrap();
    for i in 0..100_000 {
        fs::File::create(root.join(format!("empty-{i:06}.txt"))).unwrap();
    }
    fs::write(root.join("phone.txt"), TIKTOK_PM_LIST).unwrap();
    let before = snapshot(&root);
    let run = run(
        &["scan", "--format", "json", root.to_str().unwrap()],
        Duration::from_secs(120),
    );
    assert_unchanged(&before, &root);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_memory_below(&run, 512, "100,000 empty files");
    let report = report(&run);
    let phone = device(&report, &root.join("phone.txt")).expect("phone.txt");
    assert!(finding_ids(phone).contains(&"com.zhiliaoapp.musically".to_owned()));
    let skipped = report["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 100_000);
    assert!(
        skipped[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("empty file")
    );
}

/// Found by the `desktop_entry` fuzz target: an architecture suffix test sliced a
/// name inside a multi-byte character.
#[test]
fn appimage_name_with_multibyte_tail() {
    let name = "[Desktop Enplicatthion$\nNa[\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}Dem";
    let _ = appaudit::collect::desktop::linux::appimage_name(name);
    let _ = appaudit::collect::desktop::linux::appimage_name("app\u{e9}x64");
    let _ = appaudit::collect::desktop::linux::appimage_name("app-\u{e9}\u{e9}86");
}

/// Found by the `apk_signing` fuzz target: a pair length near 2^64 wrapped the offset
/// back, and reading the APK signing block looped forever.
#[test]
fn apk_signing_block_with_wrapping_length_ends() {
    let data = include_bytes!("../fuzz/corpus/apk_signing/regression-wrapping-length");
    let _ = appaudit::collect::android::apk::parse_signing_block(data);
    let _ = appaudit::collect::android::apk::pkcs7_certificates(data);
    let mut block = vec![0u8; 8];
    block.extend_from_slice(&(u64::MAX - 7).to_le_bytes());
    block.extend_from_slice(&[0u8; 40]);
    assert!(appaudit::collect::android::apk::parse_signing_block(&block).is_err());
}
