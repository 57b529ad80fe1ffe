//! A backup's `Manifest.db`: SQLite, table `Files(fileID, domain, relativePath, flags,
//! file)`. Each app has a container domain `AppDomain-<bundle id>`; app groups
//! (`AppDomainGroup-`) and extensions (`AppDomainPlugin-<extension id>`) are not apps:
//! an extension is a component of the app whose id prefixes its own.
//!
//! Only the distinct app domains are read, with SQL, so memory stays bounded whatever
//! the number of file rows. The database is opened read-only and `immutable` (no lock,
//! no journal, nothing written beside it).

use super::IosError;
use rusqlite::{Connection, OpenFlags};
use std::io::Read;
use std::path::Path;

/// The prefix of an app's container domain.
pub const APP_DOMAIN_PREFIX: &str = "AppDomain-";

/// Most app domains read from one database; a real phone has a few hundred.
pub const MAX_DOMAINS: usize = 100_000;

/// The 16 bytes every SQLite 3 database starts with.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// The prefix of an app extension's container domain.
pub const PLUGIN_DOMAIN_PREFIX: &str = "AppDomainPlugin-";

/// The app and extension domains of a `Manifest.db`, what follows the prefix in each
/// (a bundle id, not yet checked), in database order.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Domains {
    /// From `AppDomain-<id>`: the apps.
    pub apps: Vec<String>,
    /// From `AppDomainPlugin-<id>`: app extensions, components of their app.
    pub plugins: Vec<String>,
    /// More than [`MAX_DOMAINS`] domains: the rest were not read.
    pub cut: bool,
}

/// Reads the distinct app and extension domains of a backup's `Manifest.db`.
pub fn app_domains(db: &Path) -> Result<Domains, IosError> {
    let path = db.display().to_string();
    check_header(db, &path)?;
    let bad = |e: rusqlite::Error| IosError::BadDatabase {
        path: path.clone(),
        message: e.to_string(),
    };
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(sqlite_uri(db), flags).map_err(bad)?;
    // `LIKE` is case-insensitive and `AppDomainGroup-` matches neither pattern; the
    // exact prefixes are checked below.
    let mut stmt = conn
        .prepare(
            "SELECT DISTINCT domain FROM Files \
             WHERE domain LIKE 'AppDomain-%' OR domain LIKE 'AppDomainPlugin-%'",
        )
        .map_err(bad)?;
    let mut rows = stmt.query([]).map_err(bad)?;
    let mut domains = Domains::default();
    while let Some(row) = rows.next().map_err(bad)? {
        if domains.apps.len() + domains.plugins.len() == MAX_DOMAINS {
            domains.cut = true;
            break;
        }
        // A domain stored as a blob or NULL (hostile input) is neither.
        let Ok(domain) = row.get::<_, String>(0) else {
            continue;
        };
        if let Some(id) = domain.strip_prefix(APP_DOMAIN_PREFIX) {
            domains.apps.push(id.to_owned());
        } else if let Some(id) = domain.strip_prefix(PLUGIN_DOMAIN_PREFIX) {
            domains.plugins.push(id.to_owned());
        }
    }
    Ok(domains)
}

/// Refuses an empty file and one that is not SQLite (an encrypted backup's database,
/// a 1 GiB file of zeros) from its first bytes, before SQLite reads it.
fn check_header(db: &Path, path: &str) -> Result<(), IosError> {
    let unreadable = |e: std::io::Error| IosError::Unreadable {
        path: path.to_owned(),
        message: e.to_string(),
    };
    let meta = std::fs::metadata(db).map_err(unreadable)?;
    if !meta.is_file() {
        let kind = crate::collect::text::file_kind(&meta.file_type());
        return Err(IosError::Unreadable {
            path: path.to_owned(),
            message: format!("not a regular file ({kind})"),
        });
    }
    if meta.len() == 0 {
        return Err(IosError::Empty {
            path: path.to_owned(),
        });
    }
    let mut head = Vec::with_capacity(SQLITE_MAGIC.len());
    std::fs::File::open(db)
        .map_err(unreadable)?
        .take(SQLITE_MAGIC.len() as u64)
        .read_to_end(&mut head)
        .map_err(unreadable)?;
    if head != SQLITE_MAGIC {
        return Err(IosError::NotSqlite {
            path: path.to_owned(),
        });
    }
    Ok(())
}

/// A `file:` URI for SQLite with `immutable=1`: the path made absolute, `\` turned
/// into `/` and every byte outside the unreserved set percent-encoded (`?`, `#`, `%`
/// and spaces would otherwise change the URI's meaning).
fn sqlite_uri(db: &Path) -> String {
    let absolute = std::path::absolute(db).unwrap_or_else(|_| db.to_path_buf());
    let bytes = absolute.as_os_str().as_encoded_bytes();
    let mut uri = String::from("file:");
    // A Windows drive path (`C:/...`) needs a leading slash in a URI.
    if bytes.get(1) == Some(&b':') {
        uri.push('/');
    }
    for &b in bytes {
        match b {
            b'\\' => uri.push('/'),
            b'/' | b':' | b'-' | b'.' | b'_' | b'~' => uri.push(char::from(b)),
            _ if b.is_ascii_alphanumeric() => uri.push(char::from(b)),
            _ => uri.push_str(&format!("%{b:02X}")),
        }
    }
    uri.push_str("?mode=ro&immutable=1");
    uri
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use super::*;

    /// A Manifest.db with the real schema and the given domains, in a temporary folder.
    pub(crate) fn make_db(dir: &Path, domains: &[&str]) -> std::path::PathBuf {
        let path = dir.join("Manifest.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, \
             flags INTEGER, file BLOB); CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB);",
        )
        .unwrap();
        for (i, domain) in domains.iter().enumerate() {
            for file in 0..3 {
                conn.execute(
                    "INSERT INTO Files VALUES (?1, ?2, ?3, 1, NULL)",
                    (format!("{i}-{file}"), domain, format!("Library/f{file}")),
                )
                .unwrap();
            }
        }
        path
    }

    #[test]
    fn distinct_app_domains_only() {
        let dir = tempfile::tempdir().unwrap();
        let db = make_db(
            dir.path(),
            &[
                "AppDomain-com.zhiliaoapp.musically",
                "AppDomainGroup-group.com.zhiliaoapp",
                "AppDomainPlugin-com.zhiliaoapp.musically.ShareExtension",
                "HomeDomain",
                "appdomain-lower.case",
                "AppDomain-com.apple.mobilesafari",
            ],
        );
        let before = std::fs::read(&db).unwrap();
        let domains = app_domains(&db).unwrap();
        assert_eq!(
            domains.apps,
            ["com.zhiliaoapp.musically", "com.apple.mobilesafari"]
        );
        assert_eq!(domains.plugins, ["com.zhiliaoapp.musically.ShareExtension"]);
        assert!(!domains.cut);
        // Nothing written: same bytes, no journal beside it.
        assert_eq!(std::fs::read(&db).unwrap(), before);
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn odd_paths_are_escaped() {
        let dir = tempfile::tempdir().unwrap();
        let odd = dir.path().join("a b?c#d%e é");
        std::fs::create_dir(&odd).unwrap();
        let db = make_db(&odd, &["AppDomain-com.example.app"]);
        assert_eq!(app_domains(&db).unwrap().apps, ["com.example.app"]);
    }

    #[test]
    fn broken_databases_are_typed_errors() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("Manifest.db");
        std::fs::write(&db, b"").unwrap();
        assert!(matches!(app_domains(&db), Err(IosError::Empty { .. })));
        std::fs::write(&db, vec![0x5au8; 4096]).unwrap();
        let err = app_domains(&db).unwrap_err();
        assert!(matches!(err, IosError::NotSqlite { .. }));
        assert!(err.to_string().starts_with(&db.display().to_string()));
        // SQLite, another schema.
        std::fs::remove_file(&db).unwrap();
        Connection::open(&db)
            .unwrap()
            .execute_batch("CREATE TABLE Other (x TEXT);")
            .unwrap();
        let err = app_domains(&db).unwrap_err();
        assert!(matches!(err, IosError::BadDatabase { .. }), "{err}");
        // A valid header, then garbage.
        let mut bytes = SQLITE_MAGIC.to_vec();
        bytes.extend(std::iter::repeat_n(0xffu8, 8192));
        std::fs::write(&db, bytes).unwrap();
        assert!(matches!(
            app_domains(&db),
            Err(IosError::BadDatabase { .. })
        ));
        assert!(matches!(
            app_domains(dir.path()),
            Err(IosError::Unreadable { .. })
        ));
    }

    #[test]
    fn huge_sparse_file_is_refused_quickly() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("Manifest.db");
        let file = std::fs::File::create(&db).unwrap();
        file.set_len(1 << 30).unwrap();
        let start = std::time::Instant::now();
        assert!(matches!(app_domains(&db), Err(IosError::NotSqlite { .. })));
        assert!(start.elapsed().as_secs() < 5);
    }
}
