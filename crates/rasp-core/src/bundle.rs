//! What a root dir holds for the engine: the plugins and rasp.yml.
//!
//! The agent rebuilds when this changes; workers without an agent poll for
//! changes. Both need to know cheaply *whether* something changed (a
//! fingerprint of names, sizes and mtimes) and, before building, that the
//! content is complete: an editor may be half-way through writing a file, so
//! a bundle is only used when two reads a moment apart give the same bytes.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Plugins larger than this are refused (a plugin is code, not data).
pub const MAX_PLUGIN_BYTES: u64 = 16 << 20;
/// Plugin files read per root dir.
pub const MAX_PLUGINS: usize = 256;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginFile {
    /// Full path, shown in load errors (`/.../plugins/official.js:12:5`).
    pub name: String,
    pub source: String,
}

/// The plugins (sorted by file name) and rasp.yml of a root dir.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    pub plugins: Vec<PluginFile>,
    /// `conf/rasp.yml`, if present.
    pub config: Option<String>,
    /// Hash of all content: equal bundles have equal hashes.
    pub content_hash: u64,
}

pub fn plugin_dir(root: &Path) -> PathBuf {
    root.join("plugins")
}

pub fn config_path(root: &Path) -> PathBuf {
    root.join("conf").join("rasp.yml")
}

fn plugin_paths(root: &Path) -> Result<Vec<PathBuf>, String> {
    let dir = plugin_dir(root);
    let entries = std::fs::read_dir(&dir)
        .map_err(|e| format!("cannot read plugin directory {}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "js")
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                && p.is_file()
        })
        .collect();
    files.sort();
    if files.len() > MAX_PLUGINS {
        return Err(format!(
            "{} holds {} plugins; at most {MAX_PLUGINS} are loaded",
            dir.display(),
            files.len()
        ));
    }
    Ok(files)
}

/// Reads plugins and config. Errors name the file and say what is wrong.
pub fn read_bundle(root: &Path) -> Result<Bundle, String> {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let mut plugins = Vec::new();
    for p in plugin_paths(root)? {
        let meta = std::fs::metadata(&p)
            .map_err(|e| format!("cannot read plugin {}: {e}", p.display()))?;
        if meta.len() > MAX_PLUGIN_BYTES {
            return Err(format!(
                "plugin {} is {} bytes; the limit is {MAX_PLUGIN_BYTES}",
                p.display(),
                meta.len()
            ));
        }
        let bytes =
            std::fs::read(&p).map_err(|e| format!("cannot read plugin {}: {e}", p.display()))?;
        let source = String::from_utf8(bytes).map_err(|e| {
            format!(
                "plugin {} is not UTF-8 (byte {}); save it as UTF-8",
                p.display(),
                e.utf8_error().valid_up_to()
            )
        })?;
        p.hash(&mut h);
        source.hash(&mut h);
        plugins.push(PluginFile {
            name: p.display().to_string(),
            source,
        });
    }
    let cp = config_path(root);
    let config = match std::fs::read_to_string(&cp) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("cannot read {}: {e}", cp.display())),
    };
    config.hash(&mut h);
    Ok(Bundle {
        plugins,
        config,
        content_hash: h.finish(),
    })
}

/// Cheap change detector: names, sizes and modification times of the
/// plugin files and rasp.yml (no content read).
pub fn fingerprint(root: &Path) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let stamp = |p: &Path, h: &mut std::collections::hash_map::DefaultHasher| {
        if let Ok(m) = std::fs::metadata(p) {
            m.len().hash(h);
            m.modified()
                .ok()
                .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
                .hash(h);
        } else {
            0u8.hash(h);
        }
    };
    if let Ok(paths) = plugin_paths(root) {
        for p in paths {
            p.hash(&mut h);
            stamp(&p, &mut h);
        }
    }
    stamp(&config_path(root), &mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("rasp-bundle-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("plugins")).unwrap();
        std::fs::create_dir_all(d.join("conf")).unwrap();
        d
    }

    #[test]
    fn reads_sorted_js_only() {
        let r = root("sorted");
        std::fs::write(r.join("plugins/b.js"), "b").unwrap();
        std::fs::write(r.join("plugins/a.js"), "a").unwrap();
        std::fs::write(r.join("plugins/notes.txt"), "x").unwrap();
        std::fs::write(r.join("plugins/.swap.js"), "x").unwrap();
        let b = read_bundle(&r).unwrap();
        let names: Vec<_> = b.plugins.iter().map(|p| p.source.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert!(b.config.is_none());
        std::fs::remove_dir_all(r).unwrap();
    }

    #[test]
    fn content_hash_and_fingerprint_follow_changes() {
        let r = root("hash");
        std::fs::write(r.join("plugins/a.js"), "one").unwrap();
        let a = read_bundle(&r).unwrap();
        let f1 = fingerprint(&r);
        assert_eq!(a.content_hash, read_bundle(&r).unwrap().content_hash);
        std::fs::write(r.join("plugins/a.js"), "two!").unwrap();
        assert_ne!(a.content_hash, read_bundle(&r).unwrap().content_hash);
        assert_ne!(f1, fingerprint(&r));
        std::fs::write(r.join("conf/rasp.yml"), "block.status_code: 403\n").unwrap();
        assert_eq!(
            read_bundle(&r).unwrap().config.as_deref(),
            Some("block.status_code: 403\n")
        );
        std::fs::remove_dir_all(r).unwrap();
    }

    #[test]
    fn errors_name_the_file() {
        let r = root("errors");
        std::fs::write(r.join("plugins/bad.js"), [0xff, 0xfe]).unwrap();
        let e = read_bundle(&r).unwrap_err();
        assert!(e.contains("bad.js") && e.contains("UTF-8"), "{e}");
        std::fs::remove_dir_all(r.join("plugins")).unwrap();
        assert!(read_bundle(&r)
            .unwrap_err()
            .contains("cannot read plugin directory"));
        std::fs::remove_dir_all(r).unwrap();
    }
}
