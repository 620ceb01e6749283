//! File paths as PHP functions receive them: stream-wrapper recognition and
//! the `realpath` a plugin sees.
//!
//! Attackers reach files through wrappers as often as through plain paths
//! (`php://filter/resource=/etc/passwd`, `compress.zlib:///etc/passwd`,
//! `phar://upload.jpg/x`), so every file check reports which wrapper was
//! used and which local file it ends up touching. `realpath` must exist for
//! files that do not exist yet (a write target, a path traversal probe):
//! the longest existing prefix is resolved on the file system (symlinks
//! included, as the kernel would) and the rest is normalised lexically.

use std::path::{Path, PathBuf};

/// What a path argument refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// Lower-case wrapper name when the path uses one (`php`, `phar`, `file`,
    /// `http`, `compress.zlib`, `data` ...); `None` for a plain path.
    pub scheme: Option<String>,
    /// The local file the operation ends up touching, as written (relative
    /// paths stay relative); `None` when there is none (`php://memory`,
    /// `data:`, network URLs, unknown wrappers).
    pub local: Option<Vec<u8>>,
    /// A network URL (`http`, `https`, `ftp`, `ftps`): reading it is an
    /// outbound request.
    pub remote: bool,
}

impl Target {
    fn plain(p: &[u8]) -> Target {
        Target {
            scheme: None,
            local: Some(p.to_vec()),
            remote: false,
        }
    }
}

/// Nesting of wrappers we follow (`compress.zlib://php://filter/...`).
const MAX_NESTING: usize = 8;

/// The scheme of a `scheme://` path as PHP's wrapper lookup sees it
/// (letters, digits, `+`, `-`, `.`), lower-cased, and the rest after `://`.
/// `data:` is recognised without slashes (RFC 2397), as PHP does.
pub fn split_scheme(p: &[u8]) -> Option<(String, &[u8])> {
    let n = p
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        .count();
    if n == 0 {
        return None;
    }
    let scheme = String::from_utf8_lossy(&p[..n]).to_ascii_lowercase();
    let rest = &p[n..];
    if let Some(r) = rest.strip_prefix(b"://") {
        return Some((scheme, r));
    }
    if scheme == "data" && rest.first() == Some(&b':') {
        return Some((scheme, &rest[1..]));
    }
    None
}

/// Recognises the wrapper of a path and the local file behind it.
pub fn target(p: &[u8]) -> Target {
    target_at(p, 0)
}

fn target_at(p: &[u8], depth: usize) -> Target {
    let Some((scheme, rest)) = split_scheme(p) else {
        return Target::plain(p);
    };
    let inner = |q: &[u8]| -> Option<Vec<u8>> {
        if depth >= MAX_NESTING {
            return None;
        }
        target_at(q, depth + 1).local
    };
    let local = match scheme.as_str() {
        // file:///etc/passwd, file://localhost/etc/passwd
        "file" => {
            let r = rest.strip_prefix(b"localhost").unwrap_or(rest);
            Some(r.to_vec())
        }
        "php" => php_stream_local(rest).and_then(inner),
        "compress.zlib" | "compress.bzip2" | "glob" => inner(rest),
        "zip" => {
            let archive = rest.split(|&b| b == b'#').next().unwrap_or(rest);
            inner(archive)
        }
        "phar" => Some(rest.to_vec()),
        _ => None,
    };
    Target {
        remote: matches!(scheme.as_str(), "http" | "https" | "ftp" | "ftps"),
        scheme: Some(scheme),
        local,
    }
}

/// For `php://...`: the path of `php://filter/.../resource=<path>`; other
/// php:// streams (input, memory, temp, stdin, fd ...) touch no file.
fn php_stream_local(rest: &[u8]) -> Option<&[u8]> {
    let lower: Vec<u8> = rest.iter().map(u8::to_ascii_lowercase).collect();
    if !lower.starts_with(b"filter/") {
        return None;
    }
    let key = b"/resource=";
    let at = lower.windows(key.len()).position(|w| w == key)?;
    Some(&rest[at + key.len()..])
}

/// Lexical normalisation of an absolute path: collapses `//`, `.` and `..`
/// (never above `/`), keeps no trailing slash.
pub fn normalize(p: &[u8]) -> Vec<u8> {
    let mut parts: Vec<&[u8]> = Vec::new();
    for seg in p.split(|&b| b == b'/') {
        match seg {
            b"" | b"." => {}
            b".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let mut out = Vec::with_capacity(p.len() + 1);
    for s in &parts {
        out.push(b'/');
        out.extend_from_slice(s);
    }
    if out.is_empty() {
        out.push(b'/');
    }
    out
}

/// Joins a relative path to `cwd`; absolute paths are returned as they are.
pub fn absolute(p: &[u8], cwd: &[u8]) -> Vec<u8> {
    if p.first() == Some(&b'/') {
        return p.to_vec();
    }
    let mut out = cwd.to_vec();
    if out.last() != Some(&b'/') {
        out.push(b'/');
    }
    out.extend_from_slice(p);
    out
}

#[cfg(unix)]
fn to_path(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    Path::new(std::ffi::OsStr::from_bytes(b)).to_path_buf()
}

#[cfg(not(unix))]
fn to_path(b: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(b).into_owned())
}

#[cfg(unix)]
fn from_path(p: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    p.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn from_path(p: &Path) -> Vec<u8> {
    p.to_string_lossy().into_owned().into_bytes()
}

/// Longest path we resolve; PATH_MAX on Linux.
const MAX_PATH: usize = 4096;

/// The absolute, resolved path of a plain local path, whether or not it
/// exists. Dot segments are removed lexically first, as PHP's stream layer
/// does before it opens a file (`expand_filepath`), then the longest
/// existing prefix is resolved by the file system (symlinks) and the rest
/// appended. Empty for an empty path or one containing NUL (PHP refuses
/// those).
pub fn realpath(p: &[u8], cwd: &[u8]) -> Vec<u8> {
    if p.is_empty() || p.contains(&0) || p.len() > MAX_PATH {
        return Vec::new();
    }
    let abs = normalize(&absolute(p, cwd));
    if let Ok(r) = std::fs::canonicalize(to_path(&abs)) {
        return from_path(&r);
    }
    // Walk up from the full path until an ancestor resolves.
    let comps: Vec<&[u8]> = abs
        .split(|&b| b == b'/')
        .filter(|c| !c.is_empty())
        .collect();
    for keep in (0..comps.len()).rev() {
        let mut head = Vec::new();
        for c in &comps[..keep] {
            head.push(b'/');
            head.extend_from_slice(c);
        }
        if head.is_empty() {
            head.push(b'/');
        }
        if let Ok(r) = std::fs::canonicalize(to_path(&head)) {
            let mut joined = from_path(&r);
            for c in &comps[keep..] {
                joined.push(b'/');
                joined.extend_from_slice(c);
            }
            return normalize(&joined);
        }
    }
    normalize(&abs)
}

/// `realpath` of what a path argument touches: the local file behind a
/// wrapper, resolved; empty when no local file is involved. For `phar://`
/// the archive part is resolved and the entry kept.
pub fn resolve(p: &[u8], cwd: &[u8]) -> Vec<u8> {
    let t = target(p);
    let Some(local) = t.local else {
        return Vec::new();
    };
    if t.scheme.as_deref() == Some("phar") {
        return resolve_phar(&local, cwd);
    }
    realpath(&local, cwd)
}

/// `phar://` paths name an archive and an entry inside it; the archive is
/// the longest prefix that is an existing file.
fn resolve_phar(p: &[u8], cwd: &[u8]) -> Vec<u8> {
    let abs = absolute(p, cwd);
    let mut cut = abs.len();
    loop {
        let head = &abs[..cut];
        if to_path(head).is_file() {
            let mut out = realpath(head, cwd);
            let rest = &abs[cut..];
            if !rest.is_empty() {
                let inner = normalize(rest);
                if inner != b"/" {
                    out.extend_from_slice(&inner);
                }
            }
            return out;
        }
        match abs[..cut].iter().rposition(|&b| b == b'/') {
            Some(i) if i > 0 => cut = i,
            _ => return realpath(p, cwd),
        }
    }
}

/// File names a web server would run as PHP (upload or write target of a
/// web shell).
pub fn is_script(p: &[u8]) -> bool {
    let name = p.rsplit(|&b| b == b'/').next().unwrap_or(p);
    // Trailing dots and spaces are dropped by some servers and file systems.
    let trimmed = name.len()
        - name
            .iter()
            .rev()
            .take_while(|b| matches!(b, b'.' | b' '))
            .count();
    let name = &name[..trimmed];
    let Some(dot) = name.iter().rposition(|&b| b == b'.') else {
        return false;
    };
    let ext = name[dot + 1..].to_ascii_lowercase();
    matches!(
        ext.as_slice(),
        b"php"
            | b"php3"
            | b"php4"
            | b"php5"
            | b"php7"
            | b"php8"
            | b"phtml"
            | b"pht"
            | b"phar"
            | b"phps"
            | b"inc"
    ) || name.eq_ignore_ascii_case(b".htaccess")
        || name.eq_ignore_ascii_case(b".user.ini")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn s(b: &[u8]) -> &str {
        std::str::from_utf8(b).unwrap()
    }

    #[test]
    fn schemes() {
        assert_eq!(split_scheme(b"http://a/b").unwrap().0, "http");
        assert_eq!(
            split_scheme(b"Compress.Zlib:///x").unwrap(),
            ("compress.zlib".into(), &b"/x"[..])
        );
        assert_eq!(split_scheme(b"data:text/plain,hi").unwrap().0, "data");
        assert!(split_scheme(b"/etc/passwd").is_none());
        assert!(split_scheme(b"c:/x").is_none());
        assert!(split_scheme(b"a b://x").is_none());
    }

    #[test]
    fn wrappers_and_their_files() {
        let t = target(b"php://filter/read=convert.base64-encode/resource=/etc/passwd");
        assert_eq!(t.scheme.as_deref(), Some("php"));
        assert_eq!(t.local.as_deref(), Some(&b"/etc/passwd"[..]));
        assert!(!t.remote);
        assert_eq!(target(b"php://input").local, None);
        assert_eq!(target(b"PHP://memory").scheme.as_deref(), Some("php"));
        assert_eq!(
            target(b"file:///etc/hosts").local.as_deref(),
            Some(&b"/etc/hosts"[..])
        );
        assert_eq!(
            target(b"compress.zlib://php://filter/resource=a.txt")
                .local
                .as_deref(),
            Some(&b"a.txt"[..])
        );
        assert_eq!(
            target(b"zip:///tmp/a.zip#shell.php").local.as_deref(),
            Some(&b"/tmp/a.zip"[..])
        );
        assert_eq!(
            target(b"phar:///tmp/a.phar/x.php").local.as_deref(),
            Some(&b"/tmp/a.phar/x.php"[..])
        );
        assert_eq!(target(b"data://text/plain;base64,SGk=").local, None);
        assert!(target(b"https://example.com/").remote);
        assert!(target(b"ftp://example.com/").remote);
        assert!(!target(b"gopher://x/").remote);
        assert_eq!(target(b"relative/x.txt"), Target::plain(b"relative/x.txt"));
    }

    #[test]
    fn lexical() {
        assert_eq!(s(&normalize(b"/a/./b//c/../d/")), "/a/b/d");
        assert_eq!(s(&normalize(b"/../../etc/passwd")), "/etc/passwd");
        assert_eq!(s(&normalize(b"/")), "/");
        assert_eq!(s(&absolute(b"x/y", b"/srv")), "/srv/x/y");
        assert_eq!(s(&absolute(b"/x", b"/srv")), "/x");
    }

    #[test]
    fn realpath_of_missing_files() {
        let dir = std::env::temp_dir().join(format!("rasp-path-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("real")).unwrap();
        let real = std::fs::canonicalize(dir.join("real")).unwrap();
        let real_b = from_path(&real);
        #[cfg(unix)]
        std::os::unix::fs::symlink(&real, dir.join("link")).ok();
        let cwd = from_path(&dir);
        // Existing file.
        assert_eq!(realpath(b"real", &cwd), real_b);
        // Missing file under an existing dir.
        let mut want = real_b.clone();
        want.extend_from_slice(b"/new.php");
        assert_eq!(realpath(b"real/new.php", &cwd), want);
        // Through a symlink and with dot segments in the missing part.
        #[cfg(unix)]
        assert_eq!(realpath(b"link/a/../new.php", &cwd), want);
        // `..` after a symlink is lexical, as in PHP's fopen: link/.. is the
        // directory holding the link, not the parent of its target.
        #[cfg(unix)]
        {
            let mut parent = from_path(&std::fs::canonicalize(&dir).unwrap());
            parent.extend_from_slice(b"/x.txt");
            assert_eq!(realpath(b"link/../x.txt", &cwd), parent);
        }
        // Traversal far above the root.
        assert_eq!(
            s(&realpath(b"/../../../../etc/../etc/passwd", b"/")),
            "/etc/passwd"
        );
        assert_eq!(realpath(b"", &cwd), b"");
        assert_eq!(realpath(b"a\0b", &cwd), b"");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn resolve_wrappers() {
        assert_eq!(
            s(&resolve(b"php://filter/resource=/etc/../etc/hosts", b"/")),
            "/etc/hosts"
        );
        assert_eq!(resolve(b"http://x/", b"/"), b"");
        assert_eq!(resolve(b"php://input", b"/"), b"");
        let dir = std::env::temp_dir().join(format!("rasp-phar-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.phar"), b"x").unwrap();
        let real = from_path(&std::fs::canonicalize(dir.join("a.phar")).unwrap());
        let mut p = b"phar://".to_vec();
        p.extend_from_slice(&from_path(&dir));
        p.extend_from_slice(b"/a.phar/sub/../x.php");
        let mut want = real.clone();
        want.extend_from_slice(b"/x.php");
        assert_eq!(resolve(&p, b"/"), want);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn scripts() {
        for p in [
            "/var/www/a.php",
            "x.PHP",
            "shell.phtml",
            "a.php5",
            "a.phar",
            ".htaccess",
            "x/.user.ini",
            "a.php.",
        ] {
            assert!(is_script(p.as_bytes()), "{p}");
        }
        for p in ["a.txt", "php", "a.php.txt", "/x/y", "a.jpg"] {
            assert!(!is_script(p.as_bytes()), "{p}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(p in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = target(&p);
            let n = normalize(&p);
            prop_assert!(n.starts_with(b"/"));
            prop_assert!(!n.windows(2).any(|w| w == b"//"));
            let _ = is_script(&p);
        }

        #[test]
        fn normalized_has_no_dot_segments(p in "(/|a|b|\\.|\\.\\.){0,40}") {
            let n = normalize(p.as_bytes());
            for seg in n.split(|&b| b == b'/') {
                prop_assert!(seg != b"." && seg != b"..");
            }
        }
    }
}
