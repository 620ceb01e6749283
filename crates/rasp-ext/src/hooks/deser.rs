//! Object injection: `unserialize()` and phar metadata.
//!
//! A `deserialization` check runs when the payload would instantiate at
//! least one class (`clazz`), honouring `allowed_classes`; payloads of
//! plain arrays and scalars (sessions, caches) cost one scan and no check.
//! Phar metadata is read from the archive's manifest before
//! `getMetadata()` unserializes it.

use ext_php_rs::types::Zval;
use rasp_core::serialized::{self, Allowed};
use rasp_core::CheckType;
use serde_json::json;

use super::Flow;
use crate::check;
use crate::zend::{self, lossy, Call};

/// Bytes of the payload shown to plugins.
const MAX_DATA: usize = 64 * 1024;
/// Bytes of a phar read to find its manifest (stubs are small).
const MAX_PHAR: u64 = 16 << 20;

/// `allowed_classes` of an options array.
fn allowed(options: Option<&Zval>) -> Allowed {
    let Some(v) = options.and_then(|o| zend::array_get(o, "allowed_classes")) else {
        return Allowed::All;
    };
    if zend::is_array(v) {
        let mut names = Vec::new();
        zend::for_each(v, |_, c| {
            if let Some(b) = zend::str_bytes(c) {
                names.push(lossy(b));
            }
            names.len() < 4096
        });
        return Allowed::Only(names);
    }
    match zend::truthy(v) {
        Some(false) => Allowed::None,
        _ => Allowed::All,
    }
}

fn deserialization(data: &[u8], allowed: &Allowed, function: &str) -> Flow {
    let clazz = serialized::classes(data, allowed);
    if clazz.is_empty() {
        return Flow::Continue;
    }
    check::run(CheckType::Deserialization, || {
        json!({
            "data": lossy(&data[..data.len().min(MAX_DATA)]),
            "clazz": clazz,
            "function": function,
        })
    })
}

/// `unserialize($data, $options)`.
pub fn unserialize(call: &Call) -> Flow {
    let Some(data) = call.arg_str(1) else {
        return Flow::Continue;
    };
    // Cheap pre-filter: no object or enum tag, no class.
    if !data
        .windows(2)
        .any(|w| matches!(w, [b'O' | b'C' | b'E', b':']))
        || !check::wanted(CheckType::Deserialization)
    {
        return Flow::Continue;
    }
    deserialization(data, &allowed(call.arg(2)), "unserialize")
}

fn read_head(path: &[u8]) -> Option<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::ffi::OsStrExt;
    let f = std::fs::File::open(std::path::Path::new(std::ffi::OsStr::from_bytes(path))).ok()?;
    let mut buf = Vec::new();
    f.take(MAX_PHAR).read_to_end(&mut buf).ok()?;
    Some(buf)
}

fn string_method(obj: &ext_php_rs::types::ZendObject, name: &str) -> Option<Vec<u8>> {
    zend::call_method(obj, name, &[]).and_then(|z| zend::str_bytes(&z).map(<[u8]>::to_vec))
}

/// `Phar::getMetadata($options)` (also PharData).
pub fn phar_metadata(call: &Call) -> Flow {
    if !check::wanted(CheckType::Deserialization) {
        return Flow::Continue;
    }
    let Some(this) = call.this() else {
        return Flow::Continue;
    };
    let meta = string_method(this, "getpath")
        .and_then(|p| read_head(&p))
        .and_then(|f| rasp_core::phar::metadata(&f, None));
    match meta {
        Some(m) => deserialization(&m, &allowed(call.arg(1)), "Phar::getMetadata"),
        None => Flow::Continue,
    }
}

/// Splits `phar:///path/a.phar/dir/x.txt` into the archive file and the
/// entry name inside it.
fn split_phar_path(p: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let rest = p.strip_prefix(b"phar://")?;
    let mut cut = rest.len();
    while let Some(i) = rest[..cut].iter().rposition(|&b| b == b'/') {
        if i == 0 {
            break;
        }
        let head = &rest[..i];
        use std::os::unix::ffi::OsStrExt;
        if std::path::Path::new(std::ffi::OsStr::from_bytes(head)).is_file() {
            return Some((head.to_vec(), rest[i + 1..].to_vec()));
        }
        cut = i;
    }
    None
}

/// `PharFileInfo::getMetadata($options)`.
pub fn phar_file_metadata(call: &Call) -> Flow {
    if !check::wanted(CheckType::Deserialization) {
        return Flow::Continue;
    }
    let Some(this) = call.this() else {
        return Flow::Continue;
    };
    let meta = string_method(this, "getpathname")
        .and_then(|p| split_phar_path(&p))
        .and_then(|(archive, entry)| {
            read_head(&archive).and_then(|f| rasp_core::phar::metadata(&f, Some(&entry)))
        });
    match meta {
        Some(m) => deserialization(&m, &allowed(call.arg(1)), "PharFileInfo::getMetadata"),
        None => Flow::Continue,
    }
}
