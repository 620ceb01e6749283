//! File system entry points: reads, writes, deletes, copies, renames, links,
//! directory listings and uploads.
//!
//! Every check carries the path as given and the `realpath` it ends up at,
//! also for files that do not exist yet and for files behind a stream
//! wrapper (`php://filter/resource=`, `compress.zlib://`, `phar://` ...).
//! A read of an http(s)/ftp URL is an outbound request: it becomes an
//! `ssrf` check instead of `readFile`.

use std::borrow::Cow;
use std::cell::RefCell;

use ext_php_rs::types::Zval;
use rasp_core::path;
use rasp_core::CheckType;
use serde_json::json;

use super::{net, Flow};
use crate::check;
use crate::zend::{self, lossy, Call};

/// A path argument PHP would accept (it rejects empty paths and NUL bytes
/// before touching anything, so those need no check).
fn arg_path<'a>(call: &'a Call, n: usize) -> Option<Cow<'a, [u8]>> {
    call.arg(n)
        .and_then(zend::path_arg)
        .filter(|p| !p.is_empty() && !p.contains(&0))
}

fn realpath(p: &[u8]) -> String {
    lossy(&path::resolve(p, &zend::cwd()))
}

fn protocol(p: &[u8]) -> String {
    path::split_scheme(p).map(|(s, _)| s).unwrap_or_default()
}

/// readFile / writeFile / deleteFile / directory: `{path, realpath, protocol}`.
fn file_check(t: CheckType, p: &[u8], function: &str) -> Flow {
    check::run_gated(t, &[("path", p)], || {
        json!({
            "path": lossy(p),
            "realpath": realpath(p),
            "protocol": protocol(p),
            "function": function,
        })
    })
}

/// php:// streams that are no file (memory, temp, input, output, stdio,
/// fd): not file system access, and frameworks open php://temp a lot.
fn not_a_file(t: &path::Target) -> bool {
    t.scheme.as_deref() == Some("php") && t.local.is_none()
}

/// A read: `ssrf` for network URLs, `readFile` otherwise.
fn read(p: &[u8], function: &str) -> Flow {
    let t = path::target(p);
    if t.remote {
        return net::ssrf_url(function, p);
    }
    if not_a_file(&t) {
        return Flow::Continue;
    }
    if !check::wanted(CheckType::ReadFile) {
        return Flow::Continue;
    }
    file_check(CheckType::ReadFile, p, function)
}

fn write(p: &[u8], function: &str) -> Flow {
    let t = path::target(p);
    if t.remote && net::ssrf_url(function, p) == Flow::Skip {
        return Flow::Skip;
    }
    if not_a_file(&t) {
        return Flow::Continue;
    }
    if !check::wanted(CheckType::WriteFile) {
        return Flow::Continue;
    }
    file_check(CheckType::WriteFile, p, function)
}

/// Functions whose first argument is a file that is read:
/// file_get_contents, file, readfile, highlight_file/show_source,
/// parse_ini_file, gzfile, readgzfile.
pub fn read_first(call: &Call) -> Flow {
    match arg_path(call, 1) {
        Some(p) => read(&p, &call.function_name()),
        None => Flow::Continue,
    }
}

/// Whether an fopen mode writes (`w`, `a`, `x`, `c`, or `+`).
fn writes(mode: &[u8]) -> bool {
    mode.iter()
        .any(|b| matches!(b, b'w' | b'a' | b'x' | b'c' | b'+'))
}

fn open(p: &[u8], mode: &[u8], function: &str) -> Flow {
    if writes(mode) {
        write(p, function)
    } else {
        read(p, function)
    }
}

/// `fopen($filename, $mode)`, `gzopen($filename, $mode)`.
pub fn fopen(call: &Call) -> Flow {
    let (Some(p), Some(mode)) = (arg_path(call, 1), call.arg_str(2)) else {
        return Flow::Continue;
    };
    open(&p, mode, &call.function_name())
}

/// `new SplFileObject($filename, $mode = 'r')`.
pub fn spl_file_object(call: &Call) -> Flow {
    let Some(p) = arg_path(call, 1) else {
        return Flow::Continue;
    };
    let mode = call.arg_str(2).unwrap_or(b"r");
    open(&p, mode, "SplFileObject::__construct")
}

/// `file_put_contents($filename, $data, $flags)`; also the built-in
/// `webshell_file_put_contents`: request data written to a script.
pub fn file_put_contents(call: &Call) -> Flow {
    let Some(p) = arg_path(call, 1) else {
        return Flow::Continue;
    };
    if check::native_wanted(CheckType::WebshellFilePutContents) {
        if let Some(data) = call.arg_str(2) {
            let target = path::target(&p);
            let script = target.local.as_deref().is_some_and(path::is_script);
            if script && check::from_request(data) {
                let flow = check::native(
                    CheckType::WebshellFilePutContents,
                    "request data written verbatim to a PHP script (web shell upload)",
                    || {
                        json!({
                            "path": lossy(&p),
                            "realpath": realpath(&p),
                            "content": lossy(&data[..data.len().min(4096)]),
                        })
                    },
                );
                if flow == Flow::Skip {
                    return flow;
                }
            }
        }
    }
    write(&p, "file_put_contents")
}

thread_local! {
    /// Stream handles already reported by fwrite in this request.
    static WRITTEN: RefCell<(u64, Vec<i64>)> = const { RefCell::new((0, Vec::new())) };
}

/// `fwrite($stream, $data)` / `fputs`: the file behind the stream, once per
/// stream and request (a log file gets thousands of writes).
pub fn fwrite(call: &Call) -> Flow {
    if !check::wanted(CheckType::WriteFile) {
        return Flow::Continue;
    }
    let Some((handle, p)) = call.arg(1).and_then(zend::stream_path) else {
        return Flow::Continue;
    };
    // Seen already (checked, or not a file): the common case, decided
    // before any parsing.
    let serial = crate::request::serial();
    let first = WRITTEN.with(|w| {
        let mut w = w.borrow_mut();
        if w.0 != serial {
            *w = (serial, Vec::new());
        }
        if w.1.contains(&handle) {
            false
        } else {
            if w.1.len() < 4096 {
                w.1.push(handle);
            }
            true
        }
    });
    if !first {
        return Flow::Continue;
    }
    let t = path::target(p);
    let plain = t.scheme.is_none() || t.scheme.as_deref() == Some("file");
    if !plain || t.local.is_none() {
        return Flow::Continue;
    }
    file_check(CheckType::WriteFile, p, &call.function_name())
}

/// `unlink($filename)`, `rmdir($directory)`.
pub fn delete(call: &Call) -> Flow {
    let Some(p) = arg_path(call, 1) else {
        return Flow::Continue;
    };
    if !check::wanted(CheckType::DeleteFile) {
        return Flow::Continue;
    }
    file_check(CheckType::DeleteFile, &p, &call.function_name())
}

/// opendir, scandir, dir, glob and the directory iterators.
pub fn directory(call: &Call) -> Flow {
    let Some(p) = arg_path(call, 1) else {
        return Flow::Continue;
    };
    if !check::wanted(CheckType::Directory) {
        return Flow::Continue;
    }
    file_check(CheckType::Directory, &p, &call.function_name())
}

/// A resolved path, or the argument itself when no local file is behind it
/// (a URL as copy source).
fn resolved_or_given(p: &[u8]) -> String {
    let r = path::resolve(p, &zend::cwd());
    if r.is_empty() {
        lossy(p)
    } else {
        lossy(&r)
    }
}

fn two_paths(t: CheckType, from: &[u8], to: &[u8], function: &str, source: String) -> Flow {
    check::run(t, || {
        json!({
            "source": source,
            "dest": resolved_or_given(to),
            "source_path": lossy(from),
            "dest_path": lossy(to),
            "function": function,
        })
    })
}

/// `copy($from, $to)`: a URL source is also an outbound request.
pub fn copy(call: &Call) -> Flow {
    let (Some(from), Some(to)) = (arg_path(call, 1), arg_path(call, 2)) else {
        return Flow::Continue;
    };
    if path::target(&from).remote && net::ssrf_url("copy", &from) == Flow::Skip {
        return Flow::Skip;
    }
    if !check::wanted(CheckType::Copy) {
        return Flow::Continue;
    }
    two_paths(
        CheckType::Copy,
        &from,
        &to,
        "copy",
        resolved_or_given(&from),
    )
}

/// `rename($from, $to)`.
pub fn rename(call: &Call) -> Flow {
    let (Some(from), Some(to)) = (arg_path(call, 1), arg_path(call, 2)) else {
        return Flow::Continue;
    };
    if !check::wanted(CheckType::Rename) {
        return Flow::Continue;
    }
    two_paths(
        CheckType::Rename,
        &from,
        &to,
        "rename",
        resolved_or_given(&from),
    )
}

/// `symlink($target, $link)`, `link($target, $link)`: reported as `copy`
/// (the link makes the target's content reachable under a new name). A
/// relative symlink target is relative to the link's directory.
pub fn link(call: &Call) -> Flow {
    let (Some(target), Some(link)) = (arg_path(call, 1), arg_path(call, 2)) else {
        return Flow::Continue;
    };
    if !check::wanted(CheckType::Copy) {
        return Flow::Continue;
    }
    let function = call.function_name();
    let source = if function == "symlink" && target.first() != Some(&b'/') {
        let link_abs = path::absolute(&link, &zend::cwd());
        let dir = match link_abs.iter().rposition(|&b| b == b'/') {
            Some(0) => b"/".to_vec(),
            Some(i) => link_abs[..i].to_vec(),
            None => zend::cwd(),
        };
        lossy(&path::realpath(&target, &dir))
    } else {
        resolved_or_given(&target)
    };
    two_paths(CheckType::Copy, &target, &link, &function, source)
}

/// The `$_FILES` entry whose `tmp_name` is `tmp`: (field name, client file
/// name). Arrays of uploads (`name="f[]"`) are searched too.
fn upload_entry(tmp: &[u8]) -> Option<(String, String)> {
    let files = zend::files()?;
    let mut found = None;
    zend::for_each(files, |field, entry| {
        let tmp_names = zend::array_get(entry, "tmp_name");
        let names = zend::array_get(entry, "name");
        match tmp_names {
            Some(t) if zend::str_bytes(t) == Some(tmp) => {
                let name = names
                    .and_then(zend::str_bytes)
                    .map(lossy)
                    .unwrap_or_default();
                found = Some((lossy(&field.to_bytes()), name));
            }
            Some(t) if zend::is_array(t) => {
                zend::for_each(t, |k, v| {
                    if zend::str_bytes(v) == Some(tmp) {
                        let name = names
                            .and_then(|n| match &k {
                                zend::Key::Int(i) => array_index(n, *i),
                                zend::Key::Str(s) => zend::array_get(n, &lossy(s)),
                            })
                            .and_then(zend::str_bytes)
                            .map(lossy)
                            .unwrap_or_default();
                        found = Some((lossy(&field.to_bytes()), name));
                        return false;
                    }
                    true
                });
            }
            _ => {}
        }
        found.is_none()
    });
    found
}

fn array_index(z: &Zval, i: i64) -> Option<&Zval> {
    let mut out = None;
    zend::for_each(z, |k, v| {
        if matches!(k, zend::Key::Int(n) if n == i) {
            out = Some(v);
            return false;
        }
        true
    });
    out
}

/// Bytes of an upload shown to plugins.
const UPLOAD_HEAD: usize = 4096;

/// `move_uploaded_file($from, $to)`: only real uploads (PHP refuses others).
pub fn move_uploaded_file(call: &Call) -> Flow {
    let (Some(from), Some(to)) = (call.arg_str(1), arg_path(call, 2)) else {
        return Flow::Continue;
    };
    if !check::wanted(CheckType::FileUpload) {
        return Flow::Continue;
    }
    let Some((field, name)) = upload_entry(from) else {
        return Flow::Continue;
    };
    check::run(CheckType::FileUpload, || {
        let mut head = Vec::new();
        if let Ok(f) = std::fs::File::open(std::ffi::OsStr::new(&*lossy(from))) {
            use std::io::Read;
            let _ = f.take(UPLOAD_HEAD as u64).read_to_end(&mut head);
        }
        json!({
            "name": field,
            "filename": name,
            "dest_path": lossy(&to),
            "dest_realpath": realpath(&to),
            "content": lossy(&head),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::writes;

    #[test]
    fn fopen_modes() {
        for m in ["w", "wb", "a", "a+", "x", "c+", "r+", "rb+"] {
            assert!(writes(m.as_bytes()), "{m}");
        }
        for m in ["r", "rb", "rt", ""] {
            assert!(!writes(m.as_bytes()), "{m}");
        }
    }
}
