//! Recovers `rasp.*` pool settings that php-fpm drops.
//!
//! When a pool loads the extension itself (`php_admin_value[extension] =
//! rasp.so`), php-fpm applies the pool's values in reverse file order inside
//! each worker: a `php_admin_value[rasp.root_dir]` written after the
//! extension line is applied before the extension exists and is discarded
//! ("Unable to set php_admin_value"). Operators reasonably write the lines
//! in that order, so we read them back from the pool's config file: the
//! master's process title names it, the worker's title names the pool.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// `rasp.*` values of this worker's pool, or empty when not in php-fpm.
pub fn pool_rasp_settings() -> HashMap<String, String> {
    let Some((config, pool)) = locate() else {
        return HashMap::new();
    };
    let mut files = Vec::new();
    collect_files(&config, &mut files, 0);
    let mut out = HashMap::new();
    for f in files {
        if let Ok(text) = std::fs::read_to_string(&f) {
            parse_pool(&text, &pool, &mut out);
        }
    }
    out
}

/// True in a php-fpm worker whose pool loaded the extension itself (MINIT
/// runs after the fork, in each worker, not in the master).
pub fn loaded_in_worker() -> bool {
    cmdline(std::process::id()).is_some_and(|c| c.starts_with("php-fpm: pool "))
}

fn cmdline(pid: u32) -> Option<String> {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
    Some(String::from_utf8_lossy(&raw[..end]).trim().to_string())
}

/// (master config file, pool name) from the process titles php-fpm sets.
fn locate() -> Option<(PathBuf, String)> {
    let me = cmdline(std::process::id())?;
    let pool = me.strip_prefix("php-fpm: pool ")?.trim().to_string();
    let master = cmdline(std::os::unix::process::parent_id())?;
    let inner = master
        .strip_prefix("php-fpm: master process (")?
        .strip_suffix(')')?;
    Some((PathBuf::from(inner), pool))
}

/// The config file and every file it includes (`include=` with `*` globs).
fn collect_files(path: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 4 || out.iter().any(|p| p == path) {
        return;
    }
    let Ok(text) = std::fs::read_to_string(path) else {
        return;
    };
    out.push(path.to_path_buf());
    for line in text.lines() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("include") else {
            continue;
        };
        let Some(pattern) = rest.trim_start().strip_prefix('=') else {
            continue;
        };
        let pattern = pattern.trim().trim_matches('"');
        let pattern = if Path::new(pattern).is_relative() {
            path.parent().unwrap_or(Path::new("/")).join(pattern)
        } else {
            PathBuf::from(pattern)
        };
        for inc in expand_glob(&pattern) {
            collect_files(&inc, out, depth + 1);
        }
    }
}

/// Expands a `*` in the file-name part (what php-fpm's includes use).
fn expand_glob(pattern: &Path) -> Vec<PathBuf> {
    let name = pattern
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some((pre, post)) = name.split_once('*') else {
        return vec![pattern.to_path_buf()];
    };
    let dir = pattern.parent().unwrap_or(Path::new("/"));
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    n.len() >= pre.len() + post.len() && n.starts_with(pre) && n.ends_with(post)
                })
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// Collects `php_admin_value[rasp.x]` / `php_value[rasp.x]` of section `[pool]`.
fn parse_pool(text: &str, pool: &str, out: &mut HashMap<String, String>) {
    let mut in_pool = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with(';') || line.starts_with('#') || line.is_empty() {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            in_pool = section.trim() == pool;
            continue;
        }
        if !in_pool {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        let name = key
            .strip_prefix("php_admin_value[")
            .or_else(|| key.strip_prefix("php_value["))
            .and_then(|k| k.strip_suffix(']'));
        if let Some(name) = name.filter(|n| n.starts_with("rasp.")) {
            let v = value.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|x| x.strip_suffix('"'))
                .unwrap_or(v);
            out.insert(name.to_string(), v.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_this_pool() {
        let conf = "[global]\npid = x\n[app]\nphp_admin_value[extension] = /x/rasp.so\nphp_admin_value[rasp.root_dir] = /srv/rasp\n\
                    ; php_admin_value[rasp.enabled] = 0\n[other]\nphp_value[rasp.root_dir] = /nope\n";
        let mut out = HashMap::new();
        parse_pool(conf, "app", &mut out);
        assert_eq!(
            out.get("rasp.root_dir").map(String::as_str),
            Some("/srv/rasp")
        );
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn includes_are_followed() {
        let dir = std::env::temp_dir().join(format!("rasp-fpm-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("pool.d")).unwrap();
        std::fs::write(dir.join("main.conf"), "[global]\ninclude=pool.d/*.conf\n").unwrap();
        std::fs::write(
            dir.join("pool.d/www.conf"),
            "[www]\nphp_admin_value[rasp.root_dir] = \"/r\"\n",
        )
        .unwrap();
        let mut files = Vec::new();
        collect_files(&dir.join("main.conf"), &mut files, 0);
        assert_eq!(files.len(), 2);
        let mut out = HashMap::new();
        parse_pool(
            &std::fs::read_to_string(&files[1]).unwrap(),
            "www",
            &mut out,
        );
        assert_eq!(out["rasp.root_dir"], "/r");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
