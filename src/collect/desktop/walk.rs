//! Reading another machine's files safely: every path is resolved inside the
//! machine root like a chroot (an absolute link target starts again at the root,
//! `..` stops at the root), so no link leads out of it; a walk never visits a
//! folder twice (no loops), never opens a FIFO, socket or device (the kind is
//! checked with `symlink_metadata` before opening, and the file is opened with
//! `O_NONBLOCK | O_NOFOLLOW` and checked again), stays on the file system it
//! started on unless told otherwise, reads at most a capped number of bytes, and
//! goes on past folders it cannot read (each one is listed as an error).
//!
//! Paths come in two kinds: *inner* paths are the machine's own (`/Applications/WeChat.app`),
//! *host* paths are where the file is on this computer (`/mnt/image/Applications/WeChat.app`).

use crate::collect::InputError;
use crate::collect::read::{Links, ReadFailure, open_bounded};
use crate::collect::text::file_kind;
use std::collections::HashSet;
use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, RwLock};

/// Links followed while resolving one path before giving up (as Linux's ELOOP).
const MAX_LINK_HOPS: usize = 40;
/// Entries one walk looks at before it stops (a bound on time, not a normal limit).
const MAX_WALK_ENTRIES: usize = 2_000_000;

/// What a path inside the machine is, after links were resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A regular file.
    File,
    /// A folder.
    Dir,
    /// A FIFO, socket or device: never opened.
    Other(&'static str),
    /// A link whose target does not exist.
    Dangling,
}

/// One child of a folder.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The entry's file name.
    pub name: OsString,
    /// The path inside the machine (`/Applications/WeChat.app`).
    pub inner: PathBuf,
    /// Where it is on this computer, links resolved inside the root.
    pub host: PathBuf,
    /// Whether it is a file or a folder.
    pub kind: Kind,
    /// The entry itself is a symbolic link (resolved inside the root).
    pub via_link: bool,
}

impl Entry {
    /// The name as text (lossy).
    pub fn name_str(&self) -> std::borrow::Cow<'_, str> {
        self.name.to_string_lossy()
    }

    /// The name ends with `.ext` (ASCII case-insensitive), e.g. `has_ext("app")`.
    pub fn has_ext(&self, ext: &str) -> bool {
        has_ext(&self.name_str(), ext)
    }
}

/// `name` ends with `.ext`, ignoring ASCII case.
pub fn has_ext(name: &str, ext: &str) -> bool {
    let n = name.len();
    n > ext.len() + 1
        && name.is_char_boundary(n - ext.len() - 1)
        && name[n - ext.len() - 1..].starts_with('.')
        && name[n - ext.len()..].eq_ignore_ascii_case(ext)
}

/// What a walk's visitor wants next for a folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Read the folder's entries too.
    Descend,
    /// Do not enter the folder.
    Skip,
}

/// The root folder of a machine (`/` for this one, or a mounted image).
#[derive(Clone, Debug)]
pub struct Root {
    path: PathBuf,
    cross_file_systems: bool,
    dirs: KnownDirs,
}

impl Root {
    /// A root that walks stay on one file system under.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Root {
            path: path.into(),
            cross_file_systems: false,
            dirs: KnownDirs::default(),
        }
    }

    /// Let walks descend into other file systems (mount points).
    pub fn cross_file_systems(mut self, yes: bool) -> Self {
        self.cross_file_systems = yes;
        self
    }

    /// The entry's path under the root.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The host path of an inner path without resolving anything (for messages).
    pub fn host(&self, inner: &Path) -> PathBuf {
        let mut host = self.path.clone();
        for c in inner.components() {
            if let Component::Normal(name) = c {
                host.push(name);
            }
        }
        host
    }

    /// Resolves an inner path like a chroot would: `Ok(None)` when it (or a
    /// link on the way) does not exist. The result is never outside the root.
    pub fn resolve(&self, inner: &Path) -> io::Result<Option<PathBuf>> {
        Ok(self.stat(inner)?.map(|(host, _)| host))
    }

    /// Resolves `inner` and tells what it is; `Ok(None)` when missing.
    pub fn stat(&self, inner: &Path) -> io::Result<Option<(PathBuf, Kind)>> {
        let mut todo: Vec<OsString> = Vec::new();
        push_components(&mut todo, inner);
        let mut host = self.path.clone();
        // Components pushed onto `host` past the root (`..` never pops the root).
        let mut depth = 0usize;
        let mut kind = None;
        let mut hops = 0;
        while let Some(name) = todo.pop() {
            if name == ".." {
                if depth > 0 {
                    host.pop();
                    depth -= 1;
                }
                kind = None;
                continue;
            }
            if name == "." || name.is_empty() {
                continue;
            }
            host.push(&name);
            if self.dirs.is_known(&host) {
                depth += 1;
                kind = Some(Kind::Dir);
                continue;
            }
            let meta = match fs::symlink_metadata(&host) {
                Ok(meta) => meta,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
                Err(e) if e.raw_os_error() == Some(20) => return Ok(None), // ENOTDIR
                Err(e) => return Err(e),
            };
            if meta.file_type().is_symlink() {
                hops += 1;
                if hops > MAX_LINK_HOPS {
                    return Err(io::Error::other("too many levels of symbolic links"));
                }
                let target = fs::read_link(&host)?;
                host.pop();
                if target.has_root() {
                    host = self.path.clone();
                    depth = 0;
                }
                kind = None;
                push_components(&mut todo, &target);
            } else {
                depth += 1;
                let this = kind_of(&meta.file_type());
                if this == Kind::Dir {
                    self.dirs.remember(&host);
                }
                kind = Some(this);
            }
        }
        let kind = match kind {
            Some(kind) => kind,
            // The root itself, or a path that ended on `..`.
            None => match fs::symlink_metadata(&host) {
                Ok(meta) => kind_of(&meta.file_type()),
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(e),
            },
        };
        Ok(Some((host, kind)))
    }

    /// The host path of an inner path that is a folder, or `None`.
    pub fn dir(&self, inner: &Path) -> Option<PathBuf> {
        match self.stat(inner) {
            Ok(Some((host, Kind::Dir))) => Some(host),
            _ => None,
        }
    }

    /// The host path of an inner path that is a regular file, or `None`.
    pub fn file(&self, inner: &Path) -> Option<PathBuf> {
        match self.stat(inner) {
            Ok(Some((host, Kind::File))) => Some(host),
            _ => None,
        }
    }

    /// The children of an inner folder, sorted by name, links resolved inside
    /// the root. A missing folder has no children; an unreadable one is an error.
    pub fn list(&self, inner: &Path) -> Result<Vec<Entry>, InputError> {
        let host = match self.stat(inner) {
            Ok(Some((host, Kind::Dir))) => host,
            Ok(_) => return Ok(Vec::new()),
            Err(e) => {
                return Err(InputError::new(
                    &self.host(inner),
                    format!("cannot read folder: {e}"),
                ));
            }
        };
        self.list_host(inner, &host)
    }

    fn list_host(&self, inner: &Path, host: &Path) -> Result<Vec<Entry>, InputError> {
        let cannot = |e: io::Error| InputError::new(host, format!("cannot read folder: {e}"));
        // The kind comes from the directory entry itself (d_type on Linux), so a
        // walk stats only links, not every file: as `find` does.
        let mut children: Vec<(OsString, Option<fs::FileType>)> = Vec::new();
        for entry in fs::read_dir(host).map_err(cannot)? {
            let entry = entry.map_err(cannot)?;
            let kind = entry.file_type().ok();
            children.push((entry.file_name(), kind));
        }
        children.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out = Vec::with_capacity(children.len());
        for (name, kind) in children {
            let child_inner = inner.join(&name);
            let raw = host.join(&name);
            let kind = match kind {
                Some(kind) => kind,
                None => match fs::symlink_metadata(&raw) {
                    Ok(meta) => meta.file_type(),
                    Err(_) => continue, // vanished meanwhile
                },
            };
            let entry = if kind.is_symlink() {
                let (target, kind) = match self.stat(&child_inner) {
                    Ok(Some((target, kind))) => (target, kind),
                    Ok(None) | Err(_) => (raw, Kind::Dangling),
                };
                Entry {
                    name,
                    inner: child_inner,
                    host: target,
                    kind,
                    via_link: true,
                }
            } else {
                let kind = kind_of(&kind);
                if kind == Kind::Dir {
                    self.dirs.remember(&raw);
                }
                Entry {
                    name,
                    inner: child_inner,
                    host: raw,
                    kind,
                    via_link: false,
                }
            };
            out.push(entry);
        }
        Ok(out)
    }

    /// Walks the folder `start` (an inner path) down to `max_depth` levels: the
    /// visitor sees every entry and says whether to descend into folders. A
    /// folder is visited once (loops through links end there); folders on
    /// another file system are passed over unless crossing was asked for.
    /// Unreadable folders are added to `errors` and the walk goes on.
    pub fn walk(
        &self,
        start: &Path,
        max_depth: usize,
        errors: &mut Vec<InputError>,
        visit: &mut dyn FnMut(&Entry) -> Step,
    ) {
        let host = match self.stat(start) {
            Ok(Some((host, Kind::Dir))) => host,
            Ok(_) => return,
            Err(e) => {
                errors.push(InputError::new(
                    &self.host(start),
                    format!("cannot read folder: {e}"),
                ));
                return;
            }
        };
        let Some(id) = dir_id(&host) else { return };
        let mut visited = HashSet::new();
        visited.insert(id.clone());
        let mut budget = MAX_WALK_ENTRIES;
        let mut stack: Vec<(PathBuf, PathBuf, usize)> = vec![(start.to_path_buf(), host, 0)];
        while let Some((inner, host, depth)) = stack.pop() {
            let entries = match self.list_host(&inner, &host) {
                Ok(entries) => entries,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            // Push in reverse so folders are walked in name order.
            let mut next = Vec::new();
            for entry in entries {
                if budget == 0 {
                    errors.push(InputError::new(
                        &self.host(start),
                        format!("walk stopped after {MAX_WALK_ENTRIES} entries"),
                    ));
                    return;
                }
                budget -= 1;
                if visit(&entry) != Step::Descend || entry.kind != Kind::Dir || depth >= max_depth {
                    continue;
                }
                let Some(child) = dir_id(&entry.host) else {
                    continue;
                };
                if !self.cross_file_systems && !same_device(&child, &id) {
                    tracing::debug!(path = %entry.host.display(), "other file system, not walked");
                    continue;
                }
                if visited.insert(child) {
                    next.push((entry.inner, entry.host, depth + 1));
                }
            }
            stack.extend(next.into_iter().rev());
        }
    }

    /// Reads a regular file of at most `cap` bytes (host path from this root).
    /// FIFOs, sockets and devices are refused without being opened.
    pub fn read_host(&self, host: &Path, cap: u64) -> Result<Vec<u8>, InputError> {
        let mut file = open_regular(host, cap)?;
        let mut bytes = Vec::new();
        (&mut file)
            .take(cap + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| InputError::new(host, format!("cannot read: {e}")))?;
        if bytes.len() as u64 > cap {
            return Err(too_large(host, cap));
        }
        Ok(bytes)
    }

    /// Reads an inner file: `Ok(None)` when it does not exist.
    pub fn read(&self, inner: &Path, cap: u64) -> Result<Option<(PathBuf, Vec<u8>)>, InputError> {
        match self.stat(inner) {
            Ok(None) | Ok(Some((_, Kind::Dangling))) => Ok(None),
            Ok(Some((host, _))) => self.read_host(&host, cap).map(|b| Some((host, b))),
            Err(e) => Err(InputError::new(
                &self.host(inner),
                format!("cannot read: {e}"),
            )),
        }
    }

    /// The users' home folders: the folders in each of `parents` (e.g. `home`,
    /// `Users`), plus any extra single folders (e.g. `root`) that exist.
    pub fn homes(
        &self,
        parents: &[&str],
        extra: &[&str],
        errors: &mut Vec<InputError>,
    ) -> Vec<PathBuf> {
        let mut homes = Vec::new();
        for parent in parents {
            match self.list(&Path::new("/").join(parent)) {
                Ok(entries) => homes.extend(
                    entries
                        .into_iter()
                        .filter(|e| e.kind == Kind::Dir)
                        .map(|e| e.inner),
                ),
                Err(e) => errors.push(e),
            }
        }
        for one in extra {
            let inner = Path::new("/").join(one);
            if self.dir(&inner).is_some() {
                homes.push(inner);
            }
        }
        homes
    }
}

/// Host paths already seen to be real folders (not links), so resolving a path
/// below them does not `lstat` every component again. Shared by clones of a
/// root; bounded, after which paths are simply checked again.
#[derive(Clone, Debug, Default)]
struct KnownDirs(Arc<RwLock<HashSet<OsString, foldhash::fast::RandomState>>>);

/// Folders a root remembers at most.
const MAX_KNOWN_DIRS: usize = 100_000;

impl KnownDirs {
    fn is_known(&self, host: &Path) -> bool {
        self.0
            .read()
            .is_ok_and(|dirs| dirs.contains(host.as_os_str()))
    }

    fn remember(&self, host: &Path) {
        if let Ok(mut dirs) = self.0.write()
            && dirs.len() < MAX_KNOWN_DIRS
        {
            dirs.insert(host.as_os_str().to_os_string());
        }
    }
}

/// Opens a regular file for reading without following a final link and without
/// blocking on a FIFO; anything but a regular file (or a file over `cap`) is refused.
pub fn open_regular(host: &Path, cap: u64) -> Result<File, InputError> {
    match open_bounded(host, cap, Links::NoFollow) {
        Ok((file, _)) => Ok(file),
        Err(ReadFailure::TooLarge(_) | ReadFailure::Grew) => Err(too_large(host, cap)),
        Err(e) => Err(InputError::new(host, e.to_string())),
    }
}

fn too_large(host: &Path, cap: u64) -> InputError {
    let limit = if cap >= 1024 * 1024 {
        format!("{} MiB", cap / (1024 * 1024))
    } else {
        format!("{cap} bytes")
    };
    InputError::new(host, format!("larger than {limit}; not read"))
}

fn push_components(todo: &mut Vec<OsString>, path: &Path) {
    // `todo` is a stack: push the last component first.
    let parts: Vec<OsString> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n.to_os_string()),
            Component::ParentDir => Some(OsString::from("..")),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => None,
        })
        .collect();
    todo.extend(parts.into_iter().rev());
}

fn kind_of(kind: &fs::FileType) -> Kind {
    if kind.is_dir() {
        Kind::Dir
    } else if kind.is_file() {
        Kind::File
    } else if kind.is_symlink() {
        Kind::Dangling
    } else {
        Kind::Other(file_kind(kind))
    }
}

/// A folder's identity: (device, inode) on unix, its canonical path elsewhere.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct DirId {
    dev: u64,
    #[cfg(unix)]
    ino: u64,
    #[cfg(not(unix))]
    canonical: PathBuf,
}

#[cfg(unix)]
fn dir_id(host: &Path) -> Option<DirId> {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::symlink_metadata(host).ok()?;
    Some(DirId {
        dev: meta.dev(),
        ino: meta.ino(),
    })
}

#[cfg(not(unix))]
fn dir_id(host: &Path) -> Option<DirId> {
    let canonical = fs::canonicalize(host).ok()?;
    Some(DirId { dev: 0, canonical })
}

fn same_device(a: &DirId, b: &DirId) -> bool {
    a.dev == b.dev
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn extensions_ignore_case() {
        assert!(has_ext("WeChat.app", "app"));
        assert!(has_ext("X.APP", "app"));
        assert!(!has_ext(".app", "app"));
        assert!(!has_ext("Xapp", "app"));
        assert!(has_ext("a.AppImage", "appimage"));
    }

    #[cfg(unix)]
    #[test]
    fn links_stay_inside_the_root() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        fs::create_dir_all(root.join("etc")).unwrap();
        fs::write(root.join("etc/os-release"), "ID=inside\n").unwrap();
        fs::write(dir.path().join("secret"), "outside\n").unwrap();
        // Absolute and relative links that would leave the root on the host.
        symlink("/etc/os-release", root.join("abs")).unwrap();
        symlink("../../secret", root.join("etc/rel")).unwrap();
        symlink("loop2", root.join("loop1")).unwrap();
        symlink("loop1", root.join("loop2")).unwrap();
        let r = Root::new(&root);
        let abs = r.resolve(Path::new("/abs")).unwrap().unwrap();
        assert_eq!(abs, root.join("etc/os-release"));
        // `..` stops at the root, so the target is `/secret` inside it: missing.
        assert_eq!(r.resolve(Path::new("etc/rel")).unwrap(), None);
        assert!(r.resolve(Path::new("loop1")).is_err());
        let (_, bytes) = r.read(Path::new("abs"), 100).unwrap().unwrap();
        assert_eq!(bytes, b"ID=inside\n");
    }

    #[cfg(unix)]
    #[test]
    fn walk_never_loops_and_skips_fifos() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("a/b")).unwrap();
        symlink("/a", root.join("a/b/up")).unwrap();
        symlink("..", root.join("a/b/parent")).unwrap();
        let fifo = root.join("a/pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        let r = Root::new(root);
        let mut seen = Vec::new();
        let mut errors = Vec::new();
        r.walk(Path::new("/"), 50, &mut errors, &mut |e| {
            seen.push((e.inner.display().to_string(), e.kind));
            Step::Descend
        });
        assert!(errors.is_empty(), "{errors:?}");
        let names: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
        if matches!(made, Ok(s) if s.success()) {
            assert!(seen.contains(&("/a/pipe".to_owned(), Kind::Other("fifo"))));
            assert!(r.read(Path::new("/a/pipe"), 10).is_err());
        }
        assert!(names.contains(&"/a/b/up"), "{names:?}");
        assert!(seen.len() < 10, "{names:?}");
    }

    #[cfg(unix)]
    #[test]
    fn remembered_folders_resolve_as_before() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("a/b")).unwrap();
        fs::write(root.join("a/b/f"), "x").unwrap();
        symlink("/a/b", root.join("link")).unwrap();
        let r = Root::new(root);
        for _ in 0..2 {
            let (host, kind) = r.stat(Path::new("/a/b/f")).unwrap().unwrap();
            assert_eq!((host, kind), (root.join("a/b/f"), Kind::File));
            let (host, kind) = r.stat(Path::new("/link/f")).unwrap().unwrap();
            assert_eq!((host, kind), (root.join("a/b/f"), Kind::File));
            let (host, kind) = r.stat(Path::new("/a/b/../..")).unwrap().unwrap();
            assert_eq!((host, kind), (root.to_path_buf(), Kind::Dir));
            assert_eq!(r.stat(Path::new("/a/b/f/g")).unwrap(), None);
            assert_eq!(r.stat(Path::new("/")).unwrap().unwrap().1, Kind::Dir);
        }
    }

    #[test]
    fn size_cap_is_enforced() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("big"), vec![b'x'; 100]).unwrap();
        let r = Root::new(dir.path());
        let err = r.read(Path::new("big"), 10).unwrap_err();
        assert!(err.message.contains("not read"), "{err}");
        assert!(r.read(Path::new("missing"), 10).unwrap().is_none());
    }
}
