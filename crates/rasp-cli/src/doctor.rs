//! `rasp doctor`: is php-rasp installed and working on this machine?
//!
//! One line per check, `OK` / `WARN` / `FAIL`, and for anything not OK what
//! to do about it:
//!
//! 1. php-cli loads the extension (`php -m`), and what `php --ri rasp` says;
//! 2. php-fpm's configuration loads it (`php-fpm -m`), the pool users
//!    (`php-fpm -tt`), and whether a running php-fpm has its rasp-agent;
//! 3. the installed `rasp.so` finds `libnode.so.108` (`ldd`), and not only
//!    in a build tree;
//! 4. the root dir has conf/, plugins/ and logs/, logs/ writable by the
//!    php-fpm user;
//! 5. rasp.yml and the plugins pass `rasp config check`;
//! 6. inotify limits leave room for the agent's watcher.
//!
//! PHP binaries run with `RASP_NO_AGENT=1`, so asking php-fpm for its
//! modules never starts an agent.

use std::collections::BTreeSet;
use std::fmt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Ok => "OK  ",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
        })
    }
}

/// One line of the report.
#[derive(Debug)]
pub struct Finding {
    pub status: Status,
    pub what: String,
    /// What to do (empty for OK).
    pub fix: String,
}

fn ok(what: impl Into<String>) -> Finding {
    Finding {
        status: Status::Ok,
        what: what.into(),
        fix: String::new(),
    }
}

fn warn(what: impl Into<String>, fix: impl Into<String>) -> Finding {
    Finding {
        status: Status::Warn,
        what: what.into(),
        fix: fix.into(),
    }
}

fn fail(what: impl Into<String>, fix: impl Into<String>) -> Finding {
    Finding {
        status: Status::Fail,
        what: what.into(),
        fix: fix.into(),
    }
}

pub struct Options {
    pub php: Option<String>,
    pub fpm: Option<String>,
    pub root: Option<PathBuf>,
    pub fpm_user: Option<String>,
    pub ext: Option<PathBuf>,
    /// Skip compiling plugins (fast; tests).
    pub no_plugins: bool,
}

/// Output of a program, or why it could not run.
fn run(program: &str, args: &[&str]) -> Result<(bool, String, String), String> {
    run_as(program, args, None)
}

/// Like [`run`], as `user` when we are root: `php --ri rasp` loads the
/// plugins and may write the plugin log, and files root creates under
/// logs/ would lock the php-fpm workers out of them.
fn run_as(
    program: &str,
    args: &[&str],
    user: Option<&str>,
) -> Result<(bool, String, String), String> {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(program);
    cmd.args(args)
        .env("RASP_NO_AGENT", "1")
        .stdin(std::process::Stdio::null());
    let euid = std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(u32::MAX);
    if euid == 0 {
        if let Some((uid, gids)) = user.and_then(user_ids) {
            cmd.gid(gids[0]).uid(uid);
        }
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    Ok((
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

fn in_path(name: &str) -> bool {
    if name.contains('/') {
        return Path::new(name).is_file();
    }
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
}

fn first_in_path(names: &[&str]) -> Option<String> {
    names.iter().find(|n| in_path(n)).map(|n| n.to_string())
}

/// `[PHP Modules]` section of `php -m` lists `rasp`.
pub fn modules_have_rasp(out: &str) -> bool {
    let mut in_php = false;
    for l in out.lines() {
        let l = l.trim();
        if l.starts_with('[') {
            in_php = l == "[PHP Modules]";
            continue;
        }
        if in_php && l.eq_ignore_ascii_case("rasp") {
            return true;
        }
    }
    false
}

/// Rows `key => value` of `php --ri rasp` (continuation lines of multi-line
/// values are appended).
pub fn info_rows(out: &str) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = Vec::new();
    for l in out.lines() {
        match l.split_once(" => ") {
            Some((k, v)) => rows.push((k.trim().to_string(), v.trim().to_string())),
            None => {
                if let Some(last) = rows.last_mut() {
                    if !l.trim().is_empty() {
                        last.1.push('\n');
                        last.1.push_str(l.trim());
                    }
                }
            }
        }
    }
    rows
}

fn row<'a>(rows: &'a [(String, String)], key: &str) -> Option<&'a str> {
    rows.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// Pool users in `php-fpm -tt` output (`NOTICE:  user = www-data`).
pub fn fpm_users(out: &str) -> Vec<String> {
    let mut users = BTreeSet::new();
    for l in out.lines() {
        let l = l.trim();
        let l = l.split_once("NOTICE:").map_or(l, |(_, r)| r).trim();
        if let Some(v) = l.strip_prefix("user = ") {
            let v = v.trim();
            if !v.is_empty() && v != "undefined" {
                users.insert(v.to_string());
            }
        }
    }
    users.into_iter().collect()
}

/// uid and gids of a user from /etc/passwd and /etc/group.
fn user_ids(user: &str) -> Option<(u32, Vec<u32>)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    let (uid, gid) = passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() > 3 && f[0] == user).then(|| (f[2].parse().ok(), f[3].parse().ok()))
    })?;
    let (uid, gid): (u32, u32) = (uid?, gid?);
    let mut gids = vec![gid];
    if let Ok(group) = std::fs::read_to_string("/etc/group") {
        for l in group.lines() {
            let f: Vec<&str> = l.split(':').collect();
            if f.len() > 3 && f[3].split(',').any(|m| m == user) {
                if let Ok(g) = f[2].parse() {
                    gids.push(g);
                }
            }
        }
    }
    Some((uid, gids))
}

/// Whether `user` may write (`bit` 2) or read (`bit` 4) `path`, by mode bits.
fn user_may(path: &Path, user: &str, bit: u32) -> Option<bool> {
    let (uid, gids) = user_ids(user)?;
    let m = std::fs::metadata(path).ok()?;
    if uid == 0 {
        return Some(true);
    }
    let mode = m.mode();
    Some(if m.uid() == uid {
        mode & (bit << 6) != 0
    } else if gids.contains(&m.gid()) {
        mode & (bit << 3) != 0
    } else {
        mode & bit != 0
    })
}

fn user_name(uid: u32) -> String {
    std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|p| {
            p.lines().find_map(|l| {
                let f: Vec<&str> = l.split(':').collect();
                (f.len() > 2 && f[2] == uid.to_string()).then(|| f[0].to_string())
            })
        })
        .unwrap_or_else(|| uid.to_string())
}

/// Processes whose `comm` is one of `names`: (pid, uid).
fn processes(names: &[&str]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in dir.filter_map(Result::ok) {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let comm = std::fs::read_to_string(e.path().join("comm")).unwrap_or_default();
        let comm = comm.trim();
        if names
            .iter()
            .any(|n| comm == *n || (n.ends_with('*') && comm.starts_with(n.trim_end_matches('*'))))
        {
            let uid = std::fs::metadata(e.path())
                .map(|m| m.uid())
                .unwrap_or(u32::MAX);
            out.push((pid, uid));
        }
    }
    out
}

/// inotify instances and watches in use by processes of `uid`.
fn inotify_in_use(uid: u32) -> (usize, usize, bool) {
    let (mut instances, mut watches, mut partial) = (0, 0, false);
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return (0, 0, true);
    };
    for e in dir.filter_map(Result::ok) {
        if e.file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
            .is_none()
        {
            continue;
        }
        if std::fs::metadata(e.path()).map(|m| m.uid()).ok() != Some(uid) {
            continue;
        }
        let Ok(fds) = std::fs::read_dir(e.path().join("fd")) else {
            partial = true;
            continue;
        };
        for fd in fds.filter_map(Result::ok) {
            if std::fs::read_link(fd.path()).is_ok_and(|t| t.as_os_str() == "anon_inode:inotify") {
                instances += 1;
                let info = std::fs::read_to_string(e.path().join("fdinfo").join(fd.file_name()))
                    .unwrap_or_default();
                watches += info
                    .lines()
                    .filter(|l| l.starts_with("inotify wd:"))
                    .count();
            }
        }
    }
    (instances, watches, partial)
}

/// Entries under `logs` (two levels: kind dirs and their files) not owned
/// by `uid`.
fn foreign_entries(logs: &Path, uid: u32) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(kinds) = std::fs::read_dir(logs) else {
        return out;
    };
    for k in kinds.filter_map(Result::ok) {
        let p = k.path();
        if std::fs::symlink_metadata(&p).is_ok_and(|m| m.uid() != uid) {
            out.push(p.display().to_string());
        }
        if p.is_dir() {
            if let Ok(files) = std::fs::read_dir(&p) {
                for f in files.filter_map(Result::ok) {
                    if std::fs::symlink_metadata(f.path()).is_ok_and(|m| m.uid() != uid) {
                        out.push(f.path().display().to_string());
                    }
                }
            }
        }
    }
    out.sort();
    out
}

fn read_num(path: &str) -> Option<usize> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// All checks, in order.
pub fn diagnose(opts: &Options) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut ext_dir: Option<String> = None;
    let mut root: Option<PathBuf> = opts.root.clone();

    // Who runs PHP under php-fpm (the pools' user); PHP runs as that user here.
    let fpm = opts
        .fpm
        .clone()
        .or_else(|| first_in_path(&["php-fpm8.2", "php-fpm"]));
    let pool_users: Vec<String> = match &fpm {
        Some(f) if opts.fpm_user.is_none() => run(f, &["-tt"])
            .map(|(_, a, b)| fpm_users(&format!("{a}\n{b}")))
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let fpm_user = opts
        .fpm_user
        .clone()
        .or_else(|| pool_users.first().cloned())
        .unwrap_or_else(|| "www-data".to_string());
    let as_user = Some(fpm_user.as_str());

    // 1. php-cli
    let php = opts
        .php
        .clone()
        .or_else(|| first_in_path(&["php8.2", "php"]));
    match &php {
        None => out.push(warn(
            "php-cli: no php8.2 or php in PATH",
            "install php8.2-cli, or pass --php /path/to/php",
        )),
        Some(php) => match run_as(php, &["-m"], as_user) {
            Err(e) => out.push(fail(
                format!("php-cli: {e}"),
                "pass --php with the PHP binary",
            )),
            Ok((_, stdout, stderr)) => {
                if let Ok((_, info, _)) =
                    run_as(php, &["-r", "echo ini_get('extension_dir'), \"\\n\", (string) ini_get('rasp.root_dir'), \"\\n\";"], as_user)
                {
                    let mut l = info.lines();
                    ext_dir = l.next().map(str::to_string).filter(|s| !s.is_empty());
                    if root.is_none() {
                        root = l.next().filter(|s| !s.is_empty()).map(PathBuf::from);
                    }
                }
                if modules_have_rasp(&stdout) {
                    let ri = run_as(php, &["--ri", "rasp"], as_user)
                        .map(|r| r.1)
                        .unwrap_or_default();
                    let rows = info_rows(&ri);
                    let protection = row(&rows, "protection").unwrap_or("?");
                    let rootdir = row(&rows, "root_dir").unwrap_or("?");
                    let config = row(&rows, "config").unwrap_or("ok");
                    if protection == "active" && config == "ok" {
                        out.push(ok(format!(
                            "php-cli ({php}) loads the extension: protection active, root_dir {rootdir}"
                        )));
                    } else if protection == "active" {
                        out.push(warn(
                            format!("php-cli ({php}) loads the extension, but its config was rejected: {config}"),
                            "run `rasp config check <root_dir>` and fix what it names",
                        ));
                    } else {
                        out.push(warn(
                            format!("php-cli ({php}) loads the extension but protection is {protection} (root_dir {rootdir})"),
                            "check rasp.enabled and that rasp.root_dir exists with conf/ and plugins/ (`php --ri rasp` for details)",
                        ));
                    }
                } else {
                    let why = stderr
                        .lines()
                        .find(|l| l.contains("rasp"))
                        .map(|l| format!(" ({})", l.trim()))
                        .unwrap_or_default();
                    out.push(fail(
                        format!("php-cli ({php}) does not load the extension{why}"),
                        "`sudo make install` links rasp.ini into /etc/php/8.2/cli/conf.d; or add `extension=rasp.so` to the php.ini `php --ini` names",
                    ));
                }
            }
        },
    }

    // 2. php-fpm
    match &fpm {
        None => out.push(warn(
            "php-fpm: no php-fpm8.2 or php-fpm in PATH (skipped)",
            "install php8.2-fpm to serve PHP with php-fpm, or pass --fpm",
        )),
        Some(fpm) => {
            match run(fpm, &["-m"]) {
                Err(e) => out.push(fail(format!("php-fpm: {e}"), "pass --fpm with the php-fpm binary")),
                Ok((_, stdout, _)) if modules_have_rasp(&stdout) => {
                    out.push(ok(format!("php-fpm ({fpm}) configuration loads the extension")))
                }
                Ok(_) => out.push(fail(
                    format!("php-fpm ({fpm}) configuration does not load the extension"),
                    "`sudo make install` links rasp.ini into /etc/php/8.2/fpm/conf.d (or add `php_admin_value[extension] = rasp.so` to a pool), then `systemctl reload php8.2-fpm`",
                )),
            }
            let masters = processes(&["php-fpm*"]);
            let agents = processes(&["rasp-agent"]);
            if masters.is_empty() {
                out.push(ok(
                    "php-fpm is not running (nothing to compare with the agent)",
                ));
            } else if agents.is_empty() {
                out.push(warn(
                    format!("php-fpm runs ({} processes) but no rasp-agent process exists", masters.len()),
                    "php-fpm was started before the extension was installed, or protection is off: restart php-fpm (`systemctl restart php8.2-fpm`) and see `php --ri rasp`",
                ));
            } else {
                out.push(ok(format!(
                    "php-fpm runs with {} rasp-agent process{} (user {})",
                    agents.len(),
                    if agents.len() == 1 { "" } else { "es" },
                    agents
                        .iter()
                        .map(|(_, u)| user_name(*u))
                        .collect::<BTreeSet<_>>()
                        .into_iter()
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
    }
    // 3. the installed library and libnode
    let ext = opts
        .ext
        .clone()
        .or_else(|| ext_dir.as_ref().map(|d| Path::new(d).join("rasp.so")));
    match ext {
        None => out.push(warn("rasp.so: extension_dir unknown (no php-cli)", "pass --ext /path/to/rasp.so")),
        Some(ext) if !ext.is_file() => out.push(fail(
            format!("{} does not exist", ext.display()),
            "`make build && sudo make install` puts rasp.so into PHP's extension_dir (`php-config8.2 --extension-dir`)",
        )),
        Some(ext) => match run("ldd", &[&ext.display().to_string()]) {
            Err(e) => out.push(warn(format!("cannot check {}: {e}", ext.display()), "install libc-bin (ldd)")),
            Ok((_, stdout, _)) if stdout.contains("not found") => {
                let missing: Vec<&str> = stdout
                    .lines()
                    .filter(|l| l.contains("not found"))
                    .filter_map(|l| l.split_whitespace().next())
                    .collect();
                out.push(fail(
                    format!("{} cannot find {}", ext.display(), missing.join(", ")),
                    if missing.iter().any(|m| m.starts_with("libnode")) {
                        "`sudo make install` copies libnode.so.108 to /usr/local/lib/php-rasp/ (the extension's RUNPATH); its own dependencies: `sudo scripts/setup-deps.sh build`"
                    } else {
                        "install libnode108's dependencies: `sudo scripts/setup-deps.sh build` (libuv1 libicu72 libc-ares2 libnghttp2-14 libbrotli1 libssl3 zlib1g)"
                    },
                ));
            }
            Ok((_, stdout, _)) => {
                let line = stdout.lines().find(|l| l.contains("libnode.so"));
                match line.and_then(|l| l.split_once("=>")).map(|(_, r)| r.trim().to_string()) {
                    None => out.push(fail(
                        format!("{}: ldd shows no libnode.so.108 dependency", ext.display()),
                        "rebuild with `make build`; the extension links Debian's libnode108",
                    )),
                    Some(r) if r.starts_with("not found") => out.push(fail(
                        format!("{} cannot find libnode.so.108", ext.display()),
                        "`sudo make install` copies it to /usr/local/lib/php-rasp/ (the extension's RUNPATH); or `apt-get install libnode108`",
                    )),
                    Some(r) => {
                        let lib = r.split_whitespace().next().unwrap_or("").to_string();
                        if lib.contains("/.deps/") || lib.contains("/target/") {
                            out.push(warn(
                                format!("{} finds libnode in a build tree ({lib})", ext.display()),
                                "it breaks when that tree is removed: `sudo make install` copies libnode.so.108 to /usr/local/lib/php-rasp/",
                            ));
                        } else {
                            out.push(ok(format!("{} finds {lib}", ext.display())));
                        }
                    }
                }
            }
        },
    }

    // 4. root dir layout and permissions
    let root = root.unwrap_or_else(|| PathBuf::from("/var/lib/php-rasp"));
    if !root.is_dir() {
        out.push(fail(
            format!("root dir {} does not exist", root.display()),
            "`sudo make install` creates it with conf/rasp.yml, plugins/official.js and logs/; or set rasp.root_dir",
        ));
        return finish(out, None, &fpm_user, opts);
    }
    let logs = root.join("logs");
    let mut layout = Vec::new();
    for d in ["conf", "plugins"] {
        if !root.join(d).is_dir() {
            layout.push(d);
        }
    }
    if !layout.is_empty() {
        out.push(fail(
            format!("root dir {} lacks {}", root.display(), layout.join(" and ")),
            format!(
                "create them: install -d {}",
                layout
                    .iter()
                    .map(|d| root.join(d).display().to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        ));
    }
    if !logs.is_dir() {
        out.push(fail(
            format!("{} does not exist: no alarms are written", logs.display()),
            format!(
                "install -d -o {fpm_user} -g {fpm_user} -m 0750 {}",
                logs.display()
            ),
        ));
    } else {
        let owner = std::fs::metadata(&logs)
            .map(|m| user_name(m.uid()))
            .unwrap_or_default();
        match user_may(&logs, &fpm_user, 2) {
            None => out.push(warn(
                format!("php-fpm user {fpm_user} is unknown here; cannot check {}", logs.display()),
                "pass --fpm-user with the user of the php-fpm pools",
            )),
            Some(true) if owner == fpm_user => out.push(ok(format!(
                "{} is owned and writable by the php-fpm user {fpm_user} (the agent runs as the owner of logs/)",
                logs.display()
            ))),
            Some(true) => out.push(warn(
                format!("{} is writable by {fpm_user} but owned by {owner}: the agent runs as {owner}", logs.display()),
                format!("chown -R {fpm_user}: {}", logs.display()),
            )),
            Some(false) => out.push(fail(
                format!("{} is not writable by the php-fpm user {fpm_user} (owner {owner})", logs.display()),
                format!("chown -R {fpm_user}: {}", logs.display()),
            )),
        }
    }
    if let Some((uid, _)) = user_ids(&fpm_user) {
        let foreign = foreign_entries(&logs, uid);
        if !foreign.is_empty() {
            out.push(fail(
                format!(
                    "{} under {} belong to another user than {fpm_user} ({}{}): workers cannot write those logs",
                    foreign.len(),
                    logs.display(),
                    foreign.iter().take(3).cloned().collect::<Vec<_>>().join(", "),
                    if foreign.len() > 3 { ", ..." } else { "" }
                ),
                format!("chown -R {fpm_user}: {} (they appear when PHP runs as root with the extension, e.g. `sudo php --ri rasp`)", logs.display()),
            ));
        }
    }
    let unreadable: Vec<String> = std::fs::read_dir(root.join("plugins"))
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "js"))
                .filter(|p| user_may(p, &fpm_user, 4) == Some(false))
                .map(|p| p.display().to_string())
                .collect()
        })
        .unwrap_or_default();
    if !unreadable.is_empty() {
        out.push(fail(
            format!("not readable by {fpm_user}: {}", unreadable.join(", ")),
            "chmod a+r the plugin files",
        ));
    }
    finish(out, Some(root), &fpm_user, opts)
}

fn finish(
    mut out: Vec<Finding>,
    root: Option<PathBuf>,
    fpm_user: &str,
    opts: &Options,
) -> Vec<Finding> {
    // 5. config and plugins
    if let Some(root) = &root {
        if opts.no_plugins {
            out.push(ok("config and plugins: not checked (--no-plugins)"));
        } else {
            match crate::config_check::check_root(root) {
                Err(e) => out.push(fail(e, "")),
                Ok(r) if r.errors() == 0 => out.push(ok(format!(
                    "{}: rasp.yml and plugins pass `rasp config check`{}",
                    root.display(),
                    if r.warnings() > 0 {
                        format!(" ({} warnings)", r.warnings())
                    } else {
                        String::new()
                    }
                ))),
                Ok(r) => {
                    let first: Vec<String> =
                        r.problems.iter().take(3).map(|p| p.to_string()).collect();
                    out.push(fail(
                        format!("{} error(s) in {}: {}", r.errors(), root.display(), first.join("; ")),
                        format!("`rasp config check {}` lists them all; the extension keeps the last good configuration", root.display()),
                    ));
                }
            }
        }
    }

    // 6. inotify
    let max_watches = read_num("/proc/sys/fs/inotify/max_user_watches");
    let max_instances = read_num("/proc/sys/fs/inotify/max_user_instances");
    let user = fpm_user;
    let uid = user_ids(user).map_or(0, |(u, _)| u);
    match (max_watches, max_instances) {
        (Some(mw), Some(mi)) => {
            let (inst, watches, partial) = inotify_in_use(uid);
            let seen = if partial {
                " (only processes visible to you counted)"
            } else {
                ""
            };
            let desc = format!(
                "inotify: max_user_instances {mi} ({inst} in use by {user}), max_user_watches {mw} ({watches} in use){seen}"
            );
            if inst + 1 > mi || watches + 2 > mw {
                out.push(warn(
                    desc,
                    "the agent needs 1 instance and 2 watches per root dir; without them it polls every second: sysctl -w fs.inotify.max_user_instances=512 fs.inotify.max_user_watches=524288 (and persist in /etc/sysctl.d/)",
                ));
            } else {
                out.push(ok(desc));
            }
        }
        _ => out.push(warn(
            "inotify limits unreadable (/proc/sys/fs/inotify)",
            "the agent falls back to polling every second",
        )),
    }
    out
}

/// Prints the report; returns the number of FAILs.
pub fn print(findings: &[Finding], out: &mut dyn std::io::Write) -> usize {
    let _ = writeln!(out, "rasp doctor");
    for f in findings {
        let _ = writeln!(out, "  {}  {}", f.status, f.what);
        if !f.fix.is_empty() {
            let _ = writeln!(out, "        -> {}", f.fix);
        }
    }
    let n = |s: Status| findings.iter().filter(|f| f.status == s).count();
    let _ = writeln!(
        out,
        "doctor: {} FAIL, {} WARN, {} OK",
        n(Status::Fail),
        n(Status::Warn),
        n(Status::Ok)
    );
    n(Status::Fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_php_output() {
        let m = "[PHP Modules]\nCore\nrasp\nsqlite3\n\n[Zend Modules]\nZend OPcache\n";
        assert!(modules_have_rasp(m));
        assert!(!modules_have_rasp(
            "[PHP Modules]\nCore\n\n[Zend Modules]\nrasp\n"
        ));
        let ri = "\nrasp\n\nphp-rasp => enabled\nprotection => active\nroot_dir => /var/lib/php-rasp (php.ini)\nconfig => /x rejected, using defaults:\nline 2: block.status_code: bad\n";
        let rows = info_rows(ri);
        assert_eq!(row(&rows, "protection"), Some("active"));
        assert_eq!(row(&rows, "root_dir"), Some("/var/lib/php-rasp (php.ini)"));
        assert!(row(&rows, "config")
            .unwrap()
            .ends_with("line 2: block.status_code: bad"));
        let tt = "[24-Nov-2026 10:00:00] NOTICE: [www]\n[24-Nov-2026 10:00:00] NOTICE: \tuser = www-data\n[..] NOTICE: \tgroup = www-data\n[..] NOTICE: [api]\n[..] NOTICE: \tuser = api\n";
        assert_eq!(fpm_users(tt), ["api", "www-data"]);
    }

    #[test]
    fn permissions_by_mode_bits() {
        let d = std::env::temp_dir().join(format!("rasp-doctor-perm-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700)).unwrap();
        // root may always; `nobody` (not the owner) may not write a 0700 dir.
        assert_eq!(user_may(&d, "root", 2), Some(true));
        if std::fs::metadata(&d).unwrap().uid() != 65534 {
            assert_eq!(user_may(&d, "nobody", 2), Some(false));
        }
        assert_eq!(user_may(&d, "no-such-user-xyz", 2), None);
        std::fs::remove_dir_all(&d).unwrap();
    }
}
