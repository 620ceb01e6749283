//! Shipping to a real rsyslog daemon.
//!
//! Needs `rsyslogd` (Debian package `rsyslog`) on `PATH` or in `/usr/sbin`.
//! It is ignored by default; run it with
//!
//! ```text
//! cargo test -p rasp-log --test rsyslog -- --ignored
//! ```
//!
//! The test starts its own `rsyslogd -n` with a generated configuration in a
//! temporary directory (imtcp and imudp on free 127.0.0.1 ports, omfile into
//! that directory), ships alarms over TCP (octet counting and newline framing)
//! and UDP, and checks what rsyslog parsed: facility, severity, APP-NAME,
//! MSGID and the JSON message itself.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use rasp_log::*;
use serde_json::Value;

struct Rsyslogd(Child);

impl Drop for Rsyslogd {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn rsyslogd_path() -> Option<String> {
    for p in ["/usr/sbin/rsyslogd", "/usr/local/sbin/rsyslogd"] {
        if Path::new(p).exists() {
            return Some(p.to_string());
        }
    }
    let out = Command::new("sh")
        .args(["-c", "command -v rsyslogd"])
        .output()
        .ok()?;
    let p = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!p.is_empty()).then_some(p)
}

fn start(dir: &Path, tcp: u16, udp: u16) -> Rsyslogd {
    let bin = rsyslogd_path().expect("rsyslogd not found; install the Debian package rsyslog");
    let d = dir.display();
    let conf = format!(
        r#"
global(workDirectory="{d}" maxMessageSize="64k")
module(load="imtcp")
module(load="imudp")
template(name="fields" type="list") {{
  property(name="inputname") constant(value=" ")
  property(name="syslogfacility") constant(value=" ")
  property(name="syslogseverity") constant(value=" ")
  property(name="app-name") constant(value=" ")
  property(name="msgid") constant(value=" ")
  property(name="msg" droplastlf="on") constant(value="\n")
}}
ruleset(name="rasp") {{
  action(type="omfile" file="{d}/out.log" template="fields" flushOnTXEnd="on" asyncWriting="off")
}}
input(type="imtcp" address="127.0.0.1" port="{tcp}" ruleset="rasp")
input(type="imudp" address="127.0.0.1" port="{udp}" ruleset="rasp")
"#
    );
    let conf_path = dir.join("rsyslog.conf");
    std::fs::write(&conf_path, conf).unwrap();
    let check = Command::new(&bin)
        .args(["-N1", "-f"])
        .arg(&conf_path)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "config check failed: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let child = Command::new(&bin)
        .arg("-n")
        .arg("-f")
        .arg(&conf_path)
        .arg("-i")
        .arg(dir.join("rsyslogd.pid"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let daemon = Rsyslogd(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", tcp)).is_err() {
        assert!(
            Instant::now() < deadline,
            "rsyslogd did not start listening"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    daemon
}

fn received(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("out.log"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
#[ignore = "needs rsyslogd; run with --ignored"]
fn rsyslog_receives_alarms_over_tcp_and_udp() {
    let work = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    let (tcp, udp) = (free_port(), free_port());
    let _daemon = start(work.path(), tcp, udp);

    let logs = logs_unlimited(root.path(), None);
    for i in 0..1000 {
        logs.alarm(&alarm(), Some(&request(i)));
    }
    let mut big = request(1000);
    big.body = "B".repeat(20_000);
    logs.alarm(&alarm(), Some(&big));

    let mut octet = sink("octet", &format!("tcp://127.0.0.1:{tcp}"));
    octet.facility = Facility::parse("local3").unwrap();
    octet.tag = "rasp-octet".into();
    let mut newline = sink("newline", &format!("tcp://127.0.0.1:{tcp}"));
    newline.framing = Framing::Newline;
    newline.tag = "rasp-newline".into();
    let mut dgram = sink("udp", &format!("udp://127.0.0.1:{udp}"));
    dgram.tag = "rasp-udp".into();
    dgram.udp_max_bytes = 4096;

    for s in [&octet, &newline, &dgram] {
        let mut shipper = Shipper::new(root.path(), s)
            .unwrap()
            .with_poll_budget(64 << 10);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let r = shipper.poll_once();
            if shipper.totals().lines_sent == 1001 && !r.more {
                break;
            }
            assert!(Instant::now() < deadline, "{}: {r:?}", s.name);
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    let deadline = Instant::now() + Duration::from_secs(30);
    while received(work.path()).len() < 3003 {
        assert!(
            Instant::now() < deadline,
            "rsyslog wrote {} of 3003 lines",
            received(work.path()).len()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let lines = received(work.path());
    assert_eq!(lines.len(), 3003);
    for (tag, input, facility) in [
        ("rasp-octet", "imtcp", "19"),
        ("rasp-newline", "imtcp", "16"),
        ("rasp-udp", "imudp", "16"),
    ] {
        let mine: Vec<&String> = lines
            .iter()
            .filter(|l| l.split(' ').nth(3) == Some(tag))
            .collect();
        assert_eq!(mine.len(), 1001, "{tag}");
        let mut ids = Vec::new();
        for l in &mine {
            let parts: Vec<&str> = l.splitn(6, ' ').collect();
            assert_eq!(parts[0], input);
            assert_eq!(parts[1], facility, "{tag}");
            assert_eq!(parts[2], "4", "warning");
            assert_eq!(parts[4], "alarm");
            let msg = parts[5];
            if tag == "rasp-udp" && msg.len() > 3000 {
                assert!(
                    msg.ends_with("...[truncated]"),
                    "{:.100}",
                    &msg[msg.len() - 100..]
                );
                continue;
            }
            let v: Value =
                serde_json::from_str(msg).unwrap_or_else(|e| panic!("{tag}: {e}: {msg:.200}"));
            ids.push(v["request_id"].as_str().unwrap().to_string());
        }
        let want: Vec<String> = (0..if tag == "rasp-udp" { 1000 } else { 1001 })
            .map(|i| format!("req-{i:08}"))
            .collect();
        ids.sort();
        assert_eq!(ids, want, "{tag}");
    }
}
