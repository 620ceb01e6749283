//! Many threads and many processes appending to the same log: every line must
//! arrive whole.
//!
//! The child processes are this test binary itself, re-run with
//! `RASP_LOG_CHILD_ROOT` set: the `child_writer` test then writes instead of
//! doing nothing.

mod common;

use std::collections::HashMap;
use std::process::Command;
use std::sync::Arc;

use common::*;
use rasp_log::*;
use serde_json::Value;

const LINES: usize = 10_000;

/// Writes `LINES` alarms tagged with `writer` (and big bodies if asked).
fn write_many(logs: &Logs, writer: &str, lines: usize, body_len: usize) {
    let mut r = request(0);
    r.body = "x".repeat(body_len);
    for i in 0..lines {
        r.request_id = format!("{writer}:{i}");
        assert_eq!(logs.alarm(&alarm(), Some(&r)), WriteOutcome::Written);
    }
}

/// Checks that every line parses and each writer's sequence is complete.
fn check(root: &std::path::Path, writers: &[String], lines: usize, body_len: usize) {
    let all = read_lines(root, LogKind::Alarm);
    assert_eq!(all.len(), writers.len() * lines);
    let mut seen: HashMap<String, Vec<usize>> = HashMap::new();
    for line in &all {
        let v: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("interleaved or torn line ({e}): {:.200}", line));
        assert_eq!(v["body"].as_str().unwrap().len(), body_len);
        let id = v["request_id"].as_str().unwrap();
        let (w, i) = id.rsplit_once(':').unwrap();
        seen.entry(w.to_string())
            .or_default()
            .push(i.parse().unwrap());
    }
    for w in writers {
        let mut got = seen.remove(w).unwrap_or_default();
        got.sort_unstable();
        assert_eq!(got, (0..lines).collect::<Vec<_>>(), "writer {w}");
    }
}

#[test]
fn threads_do_not_interleave() {
    let dir = tempfile::tempdir().unwrap();
    let logs = Arc::new(logs_unlimited(dir.path(), None));
    let writers: Vec<String> = (0..8).map(|t| format!("thread{t}")).collect();
    std::thread::scope(|s| {
        for w in &writers {
            let logs = logs.clone();
            s.spawn(move || write_many(&logs, w, LINES, 0));
        }
    });
    check(dir.path(), &writers, LINES, 0);
}

fn spawn_children(root: &std::path::Path, n: usize, lines: usize, body_len: usize) -> Vec<String> {
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..n)
        .map(|c| {
            Command::new(&exe)
                .args(["child_writer", "--exact", "--nocapture", "--test-threads=1"])
                .env("RASP_LOG_CHILD_ROOT", root)
                .env("RASP_LOG_CHILD_NAME", format!("proc{c}"))
                .env("RASP_LOG_CHILD_LINES", lines.to_string())
                .env("RASP_LOG_CHILD_BODY", body_len.to_string())
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    (0..n).map(|c| format!("proc{c}")).collect()
}

#[test]
fn processes_do_not_interleave() {
    let dir = tempfile::tempdir().unwrap();
    let writers = spawn_children(dir.path(), 4, LINES, 0);
    check(dir.path(), &writers, LINES, 0);
}

/// Lines far above PIPE_BUF (64 KiB bodies) from several processes: shows the
/// single-write guarantee of this file system for large lines.
#[test]
fn processes_do_not_interleave_large_lines() {
    let dir = tempfile::tempdir().unwrap();
    let writers = spawn_children(dir.path(), 4, 300, 64 << 10);
    check(dir.path(), &writers, 300, 64 << 10);
}

/// Not a test on its own: the body of a child process.
#[test]
fn child_writer() {
    let Ok(root) = std::env::var("RASP_LOG_CHILD_ROOT") else {
        return;
    };
    let name = std::env::var("RASP_LOG_CHILD_NAME").unwrap();
    let lines: usize = std::env::var("RASP_LOG_CHILD_LINES")
        .unwrap()
        .parse()
        .unwrap();
    let body: usize = std::env::var("RASP_LOG_CHILD_BODY")
        .unwrap()
        .parse()
        .unwrap();
    let logs = logs_unlimited(std::path::Path::new(&root), None);
    write_many(&logs, &name, lines, body);
}
