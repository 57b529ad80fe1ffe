//! APK files: the package name and version from the binary `AndroidManifest.xml`
//! (AXML), and the SHA-256 of the signing certificates from the APK Signing Block
//! (v2, v3, v3.1) or, for v1-only APKs, from `META-INF/*.RSA|DSA|EC` (PKCS #7).
//!
//! Only what a rule can match is read; no resource table (`resources.arsc`) is
//! resolved, so a label given as a resource reference is left out. Every length read
//! from the file is checked against the bytes that are there.

use crate::collect::CollectError;
use crate::collect::capture_manifest::sha256_hex;
use crate::model::{App, Evidence, Platform};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// The `Evidence::format` and `Device::format` of this source.
pub const FORMAT: &str = "apk";
const MAX_MANIFEST_BYTES: u64 = 16 * 1024 * 1024;
const MAX_SIGNATURE_FILE_BYTES: u64 = 4 * 1024 * 1024;
const MAX_SIGNING_BLOCK_BYTES: u64 = 64 * 1024 * 1024;
const MAX_ENTRIES: usize = 100_000;

/// `android:versionCode` and `android:versionName` resource ids (used when the
/// attribute names are stripped, as obfuscators do).
const ATTR_VERSION_CODE: u32 = 0x0101_021b;
const ATTR_VERSION_NAME: u32 = 0x0101_021c;

/// Signing Block ids of the schemes that carry certificates.
const SCHEME_V2: u32 = 0x7109_871a;
const SCHEME_V3: u32 = 0xf053_68c0;
const SCHEME_V31: u32 = 0x1b93_ad61;

/// Reads an APK into one app.
pub fn read(path: &Path) -> Result<App, CollectError> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let mut archive =
        zip::ZipArchive::new(file).map_err(|e| format!("APK is not a valid zip: {e}"))?;
    if archive.len() > MAX_ENTRIES {
        return Err(format!("APK holds more than {MAX_ENTRIES} entries").into());
    }
    let manifest_bytes = read_entry(&mut archive, "AndroidManifest.xml", MAX_MANIFEST_BYTES)?;
    let manifest = parse_manifest(&manifest_bytes)
        .map_err(|e| format!("AndroidManifest.xml in the APK: {e}"))?;
    let mut certs = Vec::new();
    let mut file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    match signing_block_certs(&mut file) {
        Ok(found) => certs.extend(found),
        Err(e) => return Err(format!("APK Signing Block: {e}").into()),
    }
    if certs.is_empty() {
        let names: Vec<String> = archive
            .file_names()
            .filter_map(Result::ok)
            .filter(|n| is_v1_signature(n))
            .map(|n| n.into_owned())
            .collect();
        for name in names {
            let bytes = read_entry(&mut archive, &name, MAX_SIGNATURE_FILE_BYTES)?;
            let found =
                pkcs7_certificates(&bytes).map_err(|e| format!("{name} in the APK: {e}"))?;
            certs.extend(found);
        }
    }
    let mut digests: Vec<String> = Vec::new();
    for cert in certs {
        let digest = sha256_hex(&cert);
        if !digests.contains(&digest) {
            digests.push(digest);
        }
    }
    let excerpt = format!(
        "package=\"{}\" versionCode=\"{}\" versionName=\"{}\"",
        manifest.package,
        manifest.version_code.as_deref().unwrap_or(""),
        manifest.version_name.as_deref().unwrap_or("")
    );
    let evidence = Evidence {
        path: path.display().to_string(),
        line: None,
        format: FORMAT.to_owned(),
        excerpt: Some(excerpt),
    };
    let mut app = App::new(Platform::Android, manifest.package, evidence);
    app.version = manifest.version_name;
    app.build = manifest.version_code;
    app.path = Some(path.display().to_string());
    app.cert_sha256 = digests;
    Ok(app)
}

fn is_v1_signature(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    upper.starts_with("META-INF/")
        && !upper["META-INF/".len()..].contains('/')
        && (upper.ends_with(".RSA") || upper.ends_with(".DSA") || upper.ends_with(".EC"))
}

fn read_entry<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    name: &str,
    cap: u64,
) -> Result<Vec<u8>, CollectError> {
    let entry = archive
        .by_name(name)
        .map_err(|e| format!("{name} in the APK: {e}"))?;
    if entry.size() > cap {
        return Err(format!("{name} in the APK is larger than {cap} bytes").into());
    }
    let mut bytes = Vec::new();
    entry
        .take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{name} in the APK: cannot read: {e}"))?;
    if bytes.len() as u64 > cap {
        return Err(format!("{name} in the APK is larger than {cap} bytes").into());
    }
    Ok(bytes)
}

/// What is read from `AndroidManifest.xml`.
#[derive(Debug, PartialEq, Eq)]
pub struct Manifest {
    /// The package name (`package=`).
    pub package: String,
    /// `android:versionCode`, when given.
    pub version_code: Option<String>,
    /// `android:versionName`, when given.
    pub version_name: Option<String>,
}

/// A cursor over little-endian bytes that never reads past the end.
struct Bytes<'a> {
    data: &'a [u8],
}

impl<'a> Bytes<'a> {
    fn u16(&self, at: usize) -> Result<u16, CollectError> {
        self.slice(at, 2).map(|b| u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&self, at: usize) -> Result<u32, CollectError> {
        self.slice(at, 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&self, at: usize) -> Result<u64, CollectError> {
        self.slice(at, 8).map(|b| {
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            u64::from_le_bytes(a)
        })
    }

    fn slice(&self, at: usize, len: usize) -> Result<&'a [u8], CollectError> {
        at.checked_add(len)
            .and_then(|end| self.data.get(at..end))
            .ok_or_else(|| format!("truncated: {len} bytes at offset {at} past the end").into())
    }
}

/// Parses a binary `AndroidManifest.xml` for the `<manifest>` element's attributes.
#[doc(hidden)] // public for the fuzz targets only
pub fn parse_manifest(data: &[u8]) -> Result<Manifest, CollectError> {
    let b = Bytes { data };
    if b.u16(0)? != 0x0003 {
        return Err("not a binary XML document (AXML)".to_owned().into());
    }
    let header = b.u16(2)? as usize;
    let end = (b.u32(4)? as usize).min(data.len());
    let mut strings: Vec<String> = Vec::new();
    let mut resource_ids: Vec<u32> = Vec::new();
    let mut at = header;
    while at + 8 <= end {
        let kind = b.u16(at)?;
        let chunk_header = b.u16(at + 2)? as usize;
        let size = b.u32(at + 4)? as usize;
        if size < 8 || at.checked_add(size).is_none_or(|e| e > data.len()) {
            return Err(format!("bad chunk size {size} at offset {at}").into());
        }
        match kind {
            0x0001 => strings = string_pool(&b, at)?,
            0x0180 => {
                resource_ids = (at + chunk_header..at + size)
                    .step_by(4)
                    .filter_map(|i| b.u32(i).ok())
                    .collect();
            }
            0x0102 => {
                let name = b.u32(at + chunk_header + 4)? as usize;
                if strings.get(name).map(String::as_str) == Some("manifest") {
                    return manifest_attributes(&b, at, chunk_header, &strings, &resource_ids);
                }
            }
            _ => {}
        }
        at += size;
    }
    Err("no <manifest> element".to_owned().into())
}

fn manifest_attributes(
    b: &Bytes<'_>,
    at: usize,
    chunk_header: usize,
    strings: &[String],
    resource_ids: &[u32],
) -> Result<Manifest, CollectError> {
    let ext = at + chunk_header;
    let attribute_start = b.u16(ext + 8)? as usize;
    let attribute_size = (b.u16(ext + 10)? as usize).max(20);
    let count = b.u16(ext + 12)? as usize;
    let mut manifest = Manifest {
        package: String::new(),
        version_code: None,
        version_name: None,
    };
    for i in 0..count {
        let a = ext + attribute_start + i * attribute_size;
        let name_index = b.u32(a + 4)? as usize;
        let raw = b.u32(a + 8)?;
        let data_type = b.slice(a + 15, 1)?[0];
        let data = b.u32(a + 16)?;
        let name = strings.get(name_index).map_or("", String::as_str);
        let id = resource_ids.get(name_index).copied();
        let string_value = || {
            let index = if data_type == 0x03 { data } else { raw };
            strings.get(index as usize).cloned()
        };
        let value = || match data_type {
            0x03 => string_value(),
            0x10 => Some((data as i32).to_string()),
            0x11 => Some(format!("0x{data:x}")),
            _ if raw != u32::MAX => string_value(),
            _ => None,
        };
        if name == "package" && id.is_none_or(|id| id == 0) {
            manifest.package = value().unwrap_or_default();
        } else if name == "versionCode" || id == Some(ATTR_VERSION_CODE) {
            manifest.version_code = value();
        } else if name == "versionName" || id == Some(ATTR_VERSION_NAME) {
            manifest.version_name = value();
        }
    }
    if !super::is_package_name(&manifest.package) {
        return Err(format!(
            "<manifest> has no valid package name (`{}`)",
            manifest.package
        )
        .into());
    }
    Ok(manifest)
}

fn string_pool(b: &Bytes<'_>, at: usize) -> Result<Vec<String>, CollectError> {
    let count = b.u32(at + 8)? as usize;
    let flags = b.u32(at + 16)?;
    let strings_start = at + b.u32(at + 20)? as usize;
    let utf8 = flags & 0x100 != 0;
    if count > 1_000_000 {
        return Err(format!("string pool claims {count} strings").into());
    }
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let offset = strings_start + b.u32(at + 28 + i * 4)? as usize;
        out.push(if utf8 {
            utf8_string(b, offset)?
        } else {
            utf16_string(b, offset)?
        });
    }
    Ok(out)
}

fn utf8_string(b: &Bytes<'_>, at: usize) -> Result<String, CollectError> {
    // The length in UTF-16 units, then in bytes: one byte each, two when the high bit is set.
    let (_, at) = utf8_len(b, at)?;
    let (len, at) = utf8_len(b, at)?;
    Ok(String::from_utf8_lossy(b.slice(at, len)?).into_owned())
}

fn utf8_len(b: &Bytes<'_>, at: usize) -> Result<(usize, usize), CollectError> {
    let first = b.slice(at, 1)?[0] as usize;
    if first & 0x80 == 0 {
        return Ok((first, at + 1));
    }
    let second = b.slice(at + 1, 1)?[0] as usize;
    Ok((((first & 0x7f) << 8) | second, at + 2))
}

fn utf16_string(b: &Bytes<'_>, mut at: usize) -> Result<String, CollectError> {
    let mut len = b.u16(at)? as usize;
    at += 2;
    if len & 0x8000 != 0 {
        len = ((len & 0x7fff) << 16) | b.u16(at)? as usize;
        at += 2;
    }
    let units: Vec<u16> = (0..len)
        .map(|i| b.u16(at + i * 2))
        .collect::<Result<_, _>>()?;
    Ok(String::from_utf16_lossy(&units))
}

/// The certificates (DER) of the v2/v3/v3.1 APK Signing Block; empty when there is none.
#[doc(hidden)] // public for the fuzz targets only
pub fn signing_block_certs<F: Read + Seek>(file: &mut F) -> Result<Vec<Vec<u8>>, CollectError> {
    let io = |e: std::io::Error| format!("cannot read: {e}");
    let len = file.seek(SeekFrom::End(0)).map_err(io)?;
    // End of central directory: 22 bytes plus a comment of up to 65535.
    let tail_len = len.min(22 + 65_535);
    file.seek(SeekFrom::Start(len - tail_len)).map_err(io)?;
    let mut tail = vec![0u8; tail_len as usize];
    file.read_exact(&mut tail).map_err(io)?;
    let Some(eocd) = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| tail[i..].starts_with(b"PK\x05\x06"))
    else {
        return Err("no end of central directory".to_owned().into());
    };
    let cd_offset = u64::from(Bytes { data: &tail }.u32(eocd + 16)?);
    if cd_offset < 32 || cd_offset > len {
        return Ok(Vec::new());
    }
    let mut footer = [0u8; 24];
    file.seek(SeekFrom::Start(cd_offset - 24)).map_err(io)?;
    file.read_exact(&mut footer).map_err(io)?;
    if &footer[8..] != b"APK Sig Block 42" {
        return Ok(Vec::new());
    }
    let size = Bytes { data: &footer }.u64(0)?;
    if !(24..=MAX_SIGNING_BLOCK_BYTES).contains(&size) || size + 8 > cd_offset {
        return Err(format!("bad signing block size {size}").into());
    }
    let start = cd_offset - size - 8;
    file.seek(SeekFrom::Start(start)).map_err(io)?;
    let mut block = vec![0u8; (size + 8) as usize];
    file.read_exact(&mut block).map_err(io)?;
    parse_signing_block(&block)
}

/// Parses a whole signing block (size, ID-value pairs, size, magic).
#[doc(hidden)] // public for the fuzz targets only
pub fn parse_signing_block(block: &[u8]) -> Result<Vec<Vec<u8>>, CollectError> {
    let b = Bytes { data: block };
    let pairs_end = block.len().saturating_sub(24);
    let mut at = 8;
    let mut by_scheme: Vec<(u32, Vec<Vec<u8>>)> = Vec::new();
    while at + 12 <= pairs_end {
        let len = usize::try_from(b.u64(at)?).map_err(|e| e.to_string())?;
        // Checked: a length near 2^64 would wrap `at` back and loop forever.
        let end = at.checked_add(8).and_then(|x| x.checked_add(len));
        let Some(end) = end.filter(|end| len >= 4 && *end <= pairs_end) else {
            return Err(format!("bad pair length {len} at offset {at}").into());
        };
        let id = b.u32(at + 8)?;
        if matches!(id, SCHEME_V2 | SCHEME_V3 | SCHEME_V31) {
            let value = b.slice(at + 12, len - 4)?;
            by_scheme.push((id, scheme_certs(value)?));
        }
        at = end;
    }
    let mut certs = Vec::new();
    // The newest scheme first: its signer is the one Android checks.
    for scheme in [SCHEME_V31, SCHEME_V3, SCHEME_V2] {
        for (_, found) in by_scheme.iter().filter(|(id, _)| *id == scheme) {
            for cert in found {
                if !certs.contains(cert) {
                    certs.push(cert.clone());
                }
            }
        }
    }
    Ok(certs)
}

/// A sequence of `u32`-length-prefixed items.
fn prefixed(data: &[u8]) -> Result<Vec<&[u8]>, CollectError> {
    let b = Bytes { data };
    let mut items = Vec::new();
    let mut at = 0;
    while at < data.len() {
        let len = b.u32(at)? as usize;
        items.push(b.slice(at + 4, len)?);
        at += 4 + len;
    }
    Ok(items)
}

/// v2/v3 value: signers; each signer starts with its signed data, which holds the
/// digests and then the certificates.
fn scheme_certs(value: &[u8]) -> Result<Vec<Vec<u8>>, CollectError> {
    let b = Bytes { data: value };
    let signers_len = b.u32(0)? as usize;
    let mut certs = Vec::new();
    for signer in prefixed(b.slice(4, signers_len)?)? {
        let sb = Bytes { data: signer };
        let signed = sb.slice(4, sb.u32(0)? as usize)?;
        let db = Bytes { data: signed };
        let digests_len = db.u32(0)? as usize;
        let certs_at = 4 + digests_len;
        let certs_len = db.u32(certs_at)? as usize;
        for cert in prefixed(db.slice(certs_at + 4, certs_len)?)? {
            certs.push(cert.to_vec());
        }
    }
    Ok(certs)
}

/// One DER element: its tag, the whole element, its content, and what follows it.
type Der<'a> = (u8, &'a [u8], &'a [u8], &'a [u8]);

fn der(data: &[u8]) -> Result<Der<'_>, CollectError> {
    let tag = *data.first().ok_or("truncated DER")?;
    let first = *data.get(1).ok_or("truncated DER")?;
    let (len, header) = if first & 0x80 == 0 {
        (first as usize, 2)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 {
            return Err("unsupported DER length (indefinite or too long)"
                .to_owned()
                .into());
        }
        let bytes = data.get(2..2 + n).ok_or("truncated DER")?;
        (
            bytes.iter().fold(0usize, |a, b| (a << 8) | *b as usize),
            2 + n,
        )
    };
    let end = header.checked_add(len).ok_or("bad DER length")?;
    let content = data.get(header..end).ok_or("truncated DER")?;
    let whole = &data[..end];
    Ok((tag, whole, content, &data[end..]))
}

/// The certificates of a PKCS #7 SignedData (v1 `META-INF/CERT.RSA`).
#[doc(hidden)] // public for the fuzz targets only
pub fn pkcs7_certificates(data: &[u8]) -> Result<Vec<Vec<u8>>, CollectError> {
    let (tag, _, content_info, _) = der(data)?;
    if tag != 0x30 {
        return Err("not PKCS #7: expected a SEQUENCE".to_owned().into());
    }
    let (_, _, _oid, rest) = der(content_info)?;
    let (tag, _, explicit, _) = der(rest)?;
    if tag != 0xa0 {
        return Err("not PKCS #7 SignedData".to_owned().into());
    }
    let (_, _, signed_data, _) = der(explicit)?;
    let (_, _, _version, rest) = der(signed_data)?;
    let (_, _, _digest_algorithms, rest) = der(rest)?;
    let (_, _, _content, rest) = der(rest)?;
    let (tag, _, mut certs, _) = der(rest)?;
    if tag != 0xa0 {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    while !certs.is_empty() {
        let (_, whole, _, rest) = der(certs)?;
        out.push(whole.to_vec());
        certs = rest;
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    /// A minimal binary manifest: `<manifest package= versionCode= versionName=>`.
    /// With `stripped`, the version attribute names are empty and only the resource
    /// map tells them (as obfuscated APKs do).
    pub(crate) fn axml(package: &str, code: u32, name: &str, stripped: bool) -> Vec<u8> {
        let (vc, vn) = if stripped {
            ("", "")
        } else {
            ("versionCode", "versionName")
        };
        // Index 0, 1 are the version attributes (so the resource map covers them).
        let strings = [vc, vn, "package", "manifest", package, name];
        let mut pool_data = Vec::new();
        let mut offsets = Vec::new();
        for s in strings {
            offsets.push(pool_data.len() as u32);
            let units: Vec<u16> = s.encode_utf16().collect();
            pool_data.extend((units.len() as u16).to_le_bytes());
            for u in units {
                pool_data.extend(u.to_le_bytes());
            }
            pool_data.extend([0, 0]);
        }
        while pool_data.len() % 4 != 0 {
            pool_data.push(0);
        }
        let strings_start = 28 + 4 * strings.len() as u32;
        let mut pool = Vec::new();
        pool.extend(1u16.to_le_bytes());
        pool.extend(28u16.to_le_bytes());
        pool.extend((strings_start + pool_data.len() as u32).to_le_bytes());
        pool.extend((strings.len() as u32).to_le_bytes());
        pool.extend(0u32.to_le_bytes());
        pool.extend(0u32.to_le_bytes()); // UTF-16
        pool.extend(strings_start.to_le_bytes());
        pool.extend(0u32.to_le_bytes());
        for o in offsets {
            pool.extend(o.to_le_bytes());
        }
        pool.extend(pool_data);
        let mut map = Vec::new();
        map.extend(0x0180u16.to_le_bytes());
        map.extend(8u16.to_le_bytes());
        map.extend(16u32.to_le_bytes());
        map.extend(ATTR_VERSION_CODE.to_le_bytes());
        map.extend(ATTR_VERSION_NAME.to_le_bytes());
        let attr = |name: u32, raw: u32, kind: u8, data: u32| {
            let mut a = Vec::new();
            a.extend(u32::MAX.to_le_bytes());
            a.extend(name.to_le_bytes());
            a.extend(raw.to_le_bytes());
            a.extend(8u16.to_le_bytes());
            a.push(0);
            a.push(kind);
            a.extend(data.to_le_bytes());
            a
        };
        let mut element = Vec::new();
        element.extend(0x0102u16.to_le_bytes());
        element.extend(16u16.to_le_bytes());
        element.extend((16 + 20 + 3 * 20u32).to_le_bytes());
        element.extend(1u32.to_le_bytes());
        element.extend(u32::MAX.to_le_bytes());
        element.extend(u32::MAX.to_le_bytes()); // ns
        element.extend(3u32.to_le_bytes()); // name: manifest
        element.extend(20u16.to_le_bytes());
        element.extend(20u16.to_le_bytes());
        element.extend(3u16.to_le_bytes());
        element.extend([0u8; 6]);
        element.extend(attr(2, 4, 0x03, 4));
        element.extend(attr(0, u32::MAX, 0x10, code));
        element.extend(attr(1, 5, 0x03, 5));
        let mut doc = Vec::new();
        doc.extend(3u16.to_le_bytes());
        doc.extend(8u16.to_le_bytes());
        doc.extend(((8 + pool.len() + map.len() + element.len()) as u32).to_le_bytes());
        doc.extend(pool);
        doc.extend(map);
        doc.extend(element);
        doc
    }

    /// A DER element.
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        if content.len() < 0x80 {
            out.push(content.len() as u8);
        } else {
            out.push(0x82);
            out.extend((content.len() as u16).to_be_bytes());
        }
        out.extend(content);
        out
    }

    /// A stand-in X.509 certificate: only its bytes matter for the digest.
    pub(crate) fn fake_cert(seed: u8) -> Vec<u8> {
        tlv(0x30, &[seed; 40])
    }

    fn pkcs7(certs: &[Vec<u8>]) -> Vec<u8> {
        let oid = tlv(
            0x06,
            &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02],
        );
        let mut signed = tlv(0x02, &[1]);
        signed.extend(tlv(0x31, &[]));
        signed.extend(tlv(0x30, &tlv(0x06, &[0x2a])));
        signed.extend(tlv(0xa0, &certs.concat()));
        signed.extend(tlv(0x31, &[]));
        let mut info = oid;
        info.extend(tlv(0xa0, &tlv(0x30, &signed)));
        tlv(0x30, &info)
    }

    fn prefix(data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_le_bytes().to_vec();
        out.extend(data);
        out
    }

    /// An APK Signing Block with one v2 signer holding `certs`.
    fn signing_block(id: u32, certs: &[Vec<u8>]) -> Vec<u8> {
        let digests = prefix(&[]);
        let certs_seq = prefix(&certs.iter().map(|c| prefix(c)).collect::<Vec<_>>().concat());
        let mut signed = digests;
        signed.extend(certs_seq);
        signed.extend(prefix(&[]));
        let mut signer = prefix(&signed);
        signer.extend(prefix(&[])); // signatures
        signer.extend(prefix(&[])); // public key
        let value = prefix(&prefix(&signer));
        let mut pairs = ((value.len() + 4) as u64).to_le_bytes().to_vec();
        pairs.extend(id.to_le_bytes());
        pairs.extend(value);
        let size = (pairs.len() + 8 + 16) as u64;
        let mut block = size.to_le_bytes().to_vec();
        block.extend(pairs);
        block.extend(size.to_le_bytes());
        block.extend(b"APK Sig Block 42");
        block
    }

    pub(crate) fn apk(entries: &[(&str, Vec<u8>)], block: Option<Vec<u8>>) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in entries {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(data).unwrap();
        }
        let mut bytes = w.finish().unwrap().into_inner();
        if let Some(block) = block {
            let eocd = (0..bytes.len() - 21)
                .rev()
                .find(|&i| bytes[i..].starts_with(b"PK\x05\x06"))
                .unwrap();
            let cd = u32::from_le_bytes(bytes[eocd + 16..eocd + 20].try_into().unwrap()) as usize;
            let new_cd = (cd + block.len()) as u32;
            bytes.splice(cd..cd, block.iter().copied());
            let eocd = eocd + block.len();
            bytes[eocd + 16..eocd + 20].copy_from_slice(&new_cd.to_le_bytes());
        }
        bytes
    }

    #[test]
    fn manifest_names_and_stripped_names() {
        let m = parse_manifest(&axml(
            "com.zhiliaoapp.musically",
            2023904030,
            "39.4.3",
            false,
        ))
        .unwrap();
        assert_eq!(m.package, "com.zhiliaoapp.musically");
        assert_eq!(m.version_code.as_deref(), Some("2023904030"));
        assert_eq!(m.version_name.as_deref(), Some("39.4.3"));
        let m = parse_manifest(&axml("com.example.x", 7, "1.0", true)).unwrap();
        assert_eq!(m.version_code.as_deref(), Some("7"));
        assert_eq!(m.version_name.as_deref(), Some("1.0"));
        // Truncated and foreign bytes are errors.
        let full = axml("com.example.x", 7, "1.0", false);
        for cut in [4, 20, 100, full.len() - 10] {
            assert!(parse_manifest(&full[..cut]).is_err(), "{cut}");
        }
        assert!(parse_manifest(b"<manifest/>").is_err());
    }

    #[test]
    fn v2_signing_block_in_an_apk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mod.apk");
        let manifest = axml("com.renamed.tok", 1, "1.0", false);
        let bytes = apk(
            &[
                ("AndroidManifest.xml", manifest),
                ("classes.dex", b"dex\n035\0".to_vec()),
            ],
            Some(signing_block(SCHEME_V2, &[fake_cert(7)])),
        );
        std::fs::write(&path, bytes).unwrap();
        let app = read(&path).unwrap();
        assert_eq!(app.id, "com.renamed.tok");
        assert_eq!(app.cert_sha256, [sha256_hex(&fake_cert(7))]);
        assert_eq!(app.evidence[0].format, "apk");
    }

    #[test]
    fn v1_signature_when_no_block() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.apk");
        let bytes = apk(
            &[
                (
                    "AndroidManifest.xml",
                    axml("com.tencent.mm", 1080, "6.3.31", false),
                ),
                ("META-INF/CERT.RSA", pkcs7(&[fake_cert(1), fake_cert(2)])),
            ],
            None,
        );
        std::fs::write(&path, bytes).unwrap();
        let app = read(&path).unwrap();
        assert_eq!(
            app.cert_sha256,
            [sha256_hex(&fake_cert(1)), sha256_hex(&fake_cert(2))]
        );
        assert_eq!(app.version.as_deref(), Some("6.3.31"));
    }

    #[test]
    fn broken_signing_data_is_an_error_not_a_panic() {
        let block = signing_block(SCHEME_V3, &[fake_cert(3)]);
        assert_eq!(parse_signing_block(&block).unwrap(), [fake_cert(3)]);
        for cut in 9..block.len() - 24 {
            let mut broken = block[..cut].to_vec();
            broken.extend(&block[block.len() - 24..]);
            let _ = parse_signing_block(&broken);
        }
        assert!(pkcs7_certificates(&[0x30, 0x85, 1]).is_err());
        assert!(pkcs7_certificates(&[]).is_err());
    }

    /// Writes the APK fixtures under `fixtures/android/apk/` (run by hand:
    /// `cargo test --lib write_apk_fixtures -- --ignored`).
    #[test]
    #[ignore = "writes fixtures; run by hand"]
    fn write_apk_fixtures() {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/android/apk");
        std::fs::create_dir_all(&dir).unwrap();
        let renamed = apk(
            &[
                (
                    "AndroidManifest.xml",
                    axml("com.example.renamed.tok", 3, "3.0-mod", false),
                ),
                ("classes.dex", b"dex\n035\0".to_vec()),
            ],
            Some(signing_block(SCHEME_V2, &[fake_cert(7)])),
        );
        std::fs::write(dir.join("renamed_v2_signed.apk"), renamed).unwrap();
        let old = apk(
            &[
                (
                    "AndroidManifest.xml",
                    axml("com.tencent.mm", 1080, "6.3.31", true),
                ),
                ("META-INF/CERT.RSA", pkcs7(&[fake_cert(1)])),
            ],
            None,
        );
        std::fs::write(dir.join("wechat_v1_signed.apk"), old).unwrap();
        println!("cert 7: {}", sha256_hex(&fake_cert(7)));
        println!("cert 1: {}", sha256_hex(&fake_cert(1)));
    }
}
