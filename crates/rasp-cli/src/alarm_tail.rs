//! `rasp alarm tail`: alarm log lines, readable.
//!
//! Reads `<root>/logs/alarm/alarm.log.<day>` (the newest day, or a file
//! given directly), prints the last N alarms as two lines each, and with
//! `-f` follows the log across day rotation and truncation. Lines that are
//! not alarm JSON (a damaged file, a line still being written) never stop
//! it: they are shown as such and skipped; an incomplete last line is only
//! printed once it is complete.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rasp_log::LogKind;
use serde_json::Value;

pub struct Options {
    /// Root dir or an alarm log file.
    pub target: PathBuf,
    pub lines: usize,
    pub follow: bool,
    pub color: bool,
    /// Only alarms of these check types / actions (empty: all).
    pub types: Vec<String>,
    pub action: Option<String>,
    /// Print the raw JSON lines (filtered) instead.
    pub json: bool,
    /// Stop following after this long (tests); None: until interrupted.
    pub follow_for: Option<Duration>,
}

/// The newest alarm file under a root dir (or the file itself).
pub fn newest_file(target: &Path) -> Result<Option<PathBuf>, String> {
    if target.is_file() {
        return Ok(Some(target.to_path_buf()));
    }
    if !target.is_dir() {
        return Err(format!(
            "{} is neither a root dir nor an alarm log file; pass rasp.root_dir (e.g. /var/lib/php-rasp)",
            target.display()
        ));
    }
    let dir = alarm_dir(target);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            return Err(format!(
            "cannot list {}: {e}; the logs belong to the php-fpm user: run `sudo rasp alarm tail` \
                 (or as that user: sudo -u www-data rasp alarm tail)",
            dir.display()
        ))
        }
        Err(e) => return Err(format!("cannot list {}: {e}", dir.display())),
    };
    Ok(entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            LogKind::Alarm
                .day_of_file_name(&name)
                .map(|d| (d, e.path()))
        })
        .max_by_key(|(d, _)| *d)
        .map(|(_, p)| p))
}

fn alarm_dir(root: &Path) -> PathBuf {
    // A logs/ dir or the alarm/ dir itself also work.
    if root.file_name().is_some_and(|n| n == "alarm") {
        return root.to_path_buf();
    }
    if root.join("alarm").is_dir() && !root.join("logs").is_dir() {
        return root.join("alarm");
    }
    LogKind::Alarm.dir(&rasp_log::files::logs_dir(root))
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn clip(text: &str, max: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() <= max {
        one_line
    } else {
        let mut s: String = one_line.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// One alarm as two lines; `None` when the line is filtered out.
pub fn format_line(line: &str, opts: &Options) -> Option<String> {
    let paint = Paint { on: opts.color };
    let trimmed = line.trim_end_matches(['\n', '\r']);
    if trimmed.trim().is_empty() {
        return None;
    }
    let v: Value = match serde_json::from_str(trimmed) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            if !opts.types.is_empty() || opts.action.is_some() {
                return None;
            }
            return Some(paint.wrap(
                "2",
                &format!(
                    "?  not an alarm line ({} bytes): {}",
                    trimmed.len(),
                    clip(trimmed, 100)
                ),
            ));
        }
    };
    let ty = s(&v, "attack_type");
    let action = s(&v, "intercept_state");
    if !opts.types.is_empty() && !opts.types.iter().any(|t| t == ty) {
        return None;
    }
    if opts.action.as_deref().is_some_and(|a| a != action) {
        return None;
    }
    if opts.json {
        return Some(trimmed.to_string());
    }
    // 2026-11-23T16:45:46.123+00:00 -> 2026-11-23 16:45:46
    let time = s(&v, "event_time");
    let time = if time.len() >= 19 {
        format!("{} {}", &time[..10], &time[11..19])
    } else if time.is_empty() {
        "-".to_string()
    } else {
        time.to_string()
    };
    let rid = s(&v, "request_id");
    let rid: String = if rid.is_empty() {
        "-".into()
    } else {
        rid.chars().take(12).collect()
    };
    let shown_action = match action {
        "block" => paint.wrap("1;31", "BLOCK"),
        "log" => paint.wrap("33", "LOG  "),
        "" => "?    ".to_string(),
        other => format!("{other:<5}"),
    };
    let plugin = s(&v, "plugin_name");
    let algorithm = s(&v, "plugin_algorithm");
    let who = match (plugin.is_empty(), algorithm.is_empty()) {
        (true, true) => "-".to_string(),
        (false, true) => plugin.to_string(),
        (true, false) => algorithm.to_string(),
        (false, false) => format!("{plugin}/{algorithm}"),
    };
    let ip = match (s(&v, "client_ip"), s(&v, "attack_source")) {
        ("", "") => "-".to_string(),
        ("", peer) => peer.to_string(),
        (client, _) => client.to_string(),
    };
    let method = s(&v, "request_method").to_ascii_uppercase();
    let url = s(&v, "url");
    let target = if url.is_empty() {
        "(no request: CLI)".to_string()
    } else {
        format!("{method} {}", clip(url, 200))
    };
    let message = clip(s(&v, "plugin_message"), 300);
    let confidence = v
        .get("plugin_confidence")
        .and_then(Value::as_f64)
        .map(|c| format!(" ({c})"))
        .unwrap_or_default();
    let mut out = format!(
        "{time}  {shown_action} {:<16} {who}{confidence}  {}  {ip}  {target}\n    {message}",
        paint.wrap("1", ty),
        paint.wrap("2", &format!("req {rid}")),
    );
    if let Some(n) = v.get("suppressed_lines").and_then(Value::as_u64) {
        out.push_str(&format!(
            "\n    ({n} earlier alarm lines were dropped by the rate limit)"
        ));
    }
    Some(out)
}

/// Reads complete lines from `buf`, keeping an incomplete tail.
fn take_lines(buf: &mut Vec<u8>) -> Vec<String> {
    let mut out = Vec::new();
    while let Some(nl) = buf.iter().position(|&b| b == b'\n') {
        let line: Vec<u8> = buf.drain(..=nl).collect();
        out.push(String::from_utf8_lossy(&line).into_owned());
    }
    out
}

fn emit(out: &mut dyn Write, lines: &[String], opts: &Options) -> std::io::Result<usize> {
    let mut n = 0;
    for l in lines {
        if let Some(text) = format_line(l, opts) {
            writeln!(out, "{text}")?;
            n += 1;
        }
    }
    out.flush()?;
    Ok(n)
}

/// The last `n` shown alarms of a file, and the offset read up to.
fn tail_of(path: &Path, opts: &Options) -> Result<(Vec<String>, u64, Vec<u8>), String> {
    let mut f = File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut data = Vec::new();
    f.read_to_end(&mut data)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let end = data.len() as u64;
    let complete = data.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let partial = data[complete..].to_vec();
    let mut buf = data[..complete].to_vec();
    let lines = take_lines(&mut buf);
    let kept: Vec<String> = lines
        .into_iter()
        .filter(|l| format_line(l, opts).is_some())
        .collect();
    let skip = kept.len().saturating_sub(opts.lines);
    Ok((kept[skip..].to_vec(), end, partial))
}

/// Runs the command; returns the number of alarms printed.
pub fn run(opts: &Options, out: &mut dyn Write) -> Result<usize, String> {
    let given_file = opts.target.is_file();
    let mut file = newest_file(&opts.target)?;
    let mut printed = 0;
    let mut offset = 0u64;
    let mut pending: Vec<u8> = Vec::new();
    match &file {
        Some(path) => {
            let (lines, end, partial) = tail_of(path, opts)?;
            printed += emit(out, &lines, opts).map_err(|e| e.to_string())?;
            offset = end;
            pending = partial;
        }
        None => {
            if !opts.follow {
                let _ = writeln!(
                    out,
                    "no alarm log yet under {} (alarms are written to logs/alarm/alarm.log.<day>)",
                    alarm_dir(&opts.target).display()
                );
                return Ok(0);
            }
        }
    }
    if !opts.follow {
        return Ok(printed);
    }
    let started = std::time::Instant::now();
    loop {
        if opts.follow_for.is_some_and(|d| started.elapsed() >= d) {
            return Ok(printed);
        }
        std::thread::sleep(Duration::from_millis(200));
        // A newer day's file: finish the old one, then switch.
        if !given_file {
            let newest = newest_file(&opts.target)?;
            if newest.is_some() && newest != file {
                if let Some(old) = &file {
                    printed += drain_from(old, &mut offset, &mut pending, out, opts)?;
                }
                file = newest;
                offset = 0;
                pending.clear();
            }
        }
        if let Some(path) = &file {
            printed += drain_from(path, &mut offset, &mut pending, out, opts)?;
        }
    }
}

/// Prints what was appended to `path` since `offset`.
fn drain_from(
    path: &Path,
    offset: &mut u64,
    pending: &mut Vec<u8>,
    out: &mut dyn Write,
    opts: &Options,
) -> Result<usize, String> {
    let Ok(mut f) = File::open(path) else {
        return Ok(0);
    };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    if len < *offset {
        // Truncated or replaced: start over.
        *offset = 0;
        pending.clear();
    }
    if len == *offset {
        return Ok(0);
    }
    f.seek(SeekFrom::Start(*offset))
        .map_err(|e| e.to_string())?;
    let mut data = Vec::new();
    f.take(len - *offset)
        .read_to_end(&mut data)
        .map_err(|e| e.to_string())?;
    *offset += data.len() as u64;
    pending.extend_from_slice(&data);
    let lines = take_lines(pending);
    emit(out, &lines, opts).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> Options {
        Options {
            target: PathBuf::new(),
            lines: 10,
            follow: false,
            color: false,
            types: vec![],
            action: None,
            json: false,
            follow_for: None,
        }
    }

    const ALARM: &str = r#"{"event_type":"attack","event_time":"2026-11-23T16:45:46.123+00:00","request_id":"6f1d2c3b4a5e4f60a1b2c3d4e5f60718","request_method":"GET","url":"http://shop.example/item.php?id=1%27","path":"/item.php","target":"shop.example","server_ip":"10.0.0.2","attack_source":"203.0.113.9","client_ip":"","header":{},"parameter":{},"body":"","attack_type":"sql","attack_params":{},"intercept_state":"block","plugin_name":"official","plugin_message":"SQL injection: user input changed the query structure","plugin_confidence":90,"plugin_algorithm":"sql_userinput","server_hostname":"web1","server_type":"php","server_version":"8.2","rasp_version":"0.1.0","rasp_id":""}"#;

    #[test]
    fn formats_the_fields() {
        let s = format_line(ALARM, &opts()).unwrap();
        assert!(s.starts_with("2026-11-23 16:45:46  BLOCK sql"), "{s}");
        for needle in [
            "official/sql_userinput (90)",
            "req 6f1d2c3b4a5e",
            "203.0.113.9",
            "GET http://shop.example/item.php?id=1%27",
            "\n    SQL injection",
        ] {
            assert!(s.contains(needle), "{needle} in {s}");
        }
    }

    #[test]
    fn tolerates_garbage_and_filters() {
        let s = format_line("{\"event_type\":\"att", &opts()).unwrap();
        assert!(s.contains("not an alarm line"), "{s}");
        assert!(format_line("", &opts()).is_none());
        assert!(format_line("[1,2]", &opts())
            .unwrap()
            .contains("not an alarm line"));
        let mut o = opts();
        o.types = vec!["command".into()];
        assert!(format_line(ALARM, &o).is_none());
        assert!(format_line("garbage", &o).is_none());
        o.types = vec!["sql".into()];
        o.action = Some("log".into());
        assert!(format_line(ALARM, &o).is_none());
        o.action = Some("block".into());
        o.json = true;
        assert_eq!(format_line(ALARM, &o).unwrap(), ALARM);
        // Missing fields and control characters do not break the layout.
        let s = format_line(r#"{"plugin_message":"a\nb\u001b[31m"}"#, &opts()).unwrap();
        assert!(
            s.contains("(no request: CLI)") && s.contains("a b [31m"),
            "{s}"
        );
        assert_eq!(s.lines().count(), 2, "{s}");
    }

    #[test]
    fn incomplete_lines_wait() {
        let mut buf = b"one\ntwo\nthr".to_vec();
        assert_eq!(take_lines(&mut buf), ["one\n", "two\n"]);
        assert_eq!(buf, b"thr");
    }
}
