//! Shipping to real sockets on 127.0.0.1.

mod common;

use std::collections::HashSet;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use rasp_log::*;
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(30);

fn write_alarms(logs: &Logs, range: std::ops::Range<usize>) {
    for i in range {
        assert_eq!(
            logs.alarm(&alarm(), Some(&request(i))),
            WriteOutcome::Written
        );
    }
}

fn expected(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("req-{i:08}")).collect()
}

fn unique(ids: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    ids.iter()
        .filter(|id| seen.insert((*id).clone()))
        .cloned()
        .collect()
}

#[test]
fn tcp_octet_counting_delivers_1000_alarms_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let logs = logs_unlimited(dir.path(), None);
    write_alarms(&logs, 0..1000);
    let collector = TcpCollector::start(TcpFraming::Octet);
    let mut shipper = Shipper::new(dir.path(), &sink("siem", &collector.url()))
        .unwrap()
        .with_hostname("web1");
    let totals = ship_until(&mut shipper, WAIT, || collector.count() >= 1000);
    assert_eq!(totals.lines_sent, 1000);
    let messages = collector.messages();
    assert_eq!(ids(&messages), expected(0..1000));
    let lines = read_lines(dir.path(), LogKind::Alarm);
    for (m, line) in messages.iter().zip(&lines) {
        let s = parse_syslog(m);
        assert_eq!(s.pri, 16 * 8 + 4);
        assert_eq!(s.hostname, "web1");
        assert_eq!(s.app, "php-rasp");
        assert_eq!(
            (s.procid.as_str(), s.msgid.as_str(), s.sd.as_str()),
            ("-", "alarm", "-")
        );
        assert_eq!(&s.msg, line, "the MSG is the log line, byte for byte");
        let v: Value = serde_json::from_str(&s.msg).unwrap();
        assert_eq!(
            s.timestamp,
            v["event_time"].as_str().unwrap(),
            "TIMESTAMP is the event time"
        );
    }
    let cp = shipper.checkpoint(LogKind::Alarm).unwrap().clone();
    let file = logs.status()[0].current_file.clone().unwrap();
    assert_eq!(cp.offset, std::fs::metadata(&file).unwrap().len());
    let state = std::fs::read_to_string(dir.path().join("logs/.ship/siem.state")).unwrap();
    assert!(state.contains(&cp.file), "{state}");
}

#[test]
fn tcp_newline_framing_and_several_logs() {
    let dir = tempfile::tempdir().unwrap();
    let logs = logs_unlimited(dir.path(), None);
    write_alarms(&logs, 0..100);
    for _ in 0..50 {
        logs.policy(&policy(), None);
        logs.plugin("official", "line with a\nnewline");
    }
    let collector = TcpCollector::start(TcpFraming::Newline);
    let mut s = sink("siem", &collector.url());
    s.framing = Framing::Newline;
    s.facility = Facility(1);
    s.tag = "rasp-test".into();
    s.logs = vec![LogKind::Alarm, LogKind::Policy, LogKind::Plugin];
    let mut shipper = Shipper::new(dir.path(), &s).unwrap();
    ship_until(&mut shipper, WAIT, || collector.count() >= 200);
    std::thread::sleep(Duration::from_millis(50));
    let messages = collector.messages();
    assert_eq!(messages.len(), 200);
    let parsed: Vec<Syslog> = messages.iter().map(|m| parse_syslog(m)).collect();
    assert_eq!(
        parsed
            .iter()
            .filter(|s| s.msgid == "alarm" && s.pri == 8 + 4)
            .count(),
        100
    );
    assert_eq!(
        parsed
            .iter()
            .filter(|s| s.msgid == "policy" && s.pri == 8 + 5)
            .count(),
        50
    );
    let plugin: Vec<&Syslog> = parsed.iter().filter(|s| s.msgid == "plugin").collect();
    assert_eq!(plugin.len(), 50);
    assert!(plugin
        .iter()
        .all(|s| s.pri == 8 + 6 && s.app == "rasp-test"));
    assert!(plugin[0].msg.ends_with("[official] line with a\\nnewline"));
    assert_eq!(plugin[0].timestamp, plugin[0].msg[..29]);
}

#[test]
fn udp_delivers_1000_alarms_and_truncates_big_ones() {
    let dir = tempfile::tempdir().unwrap();
    let logs = logs_unlimited(dir.path(), None);
    write_alarms(&logs, 0..1000);
    let mut big = request(1000);
    big.body = "é".repeat(5000);
    logs.alarm(&alarm(), Some(&big));
    let collector = UdpCollector::start_on(0);
    let mut s = sink("udp", &collector.url());
    s.udp_max_bytes = 4096;
    // Small rounds, so a busy machine's receive buffer is not overrun.
    let mut shipper = Shipper::new(dir.path(), &s)
        .unwrap()
        .with_poll_budget(32 << 10);
    let totals = ship_until(&mut shipper, WAIT, || collector.count() >= 1001);
    assert_eq!(totals.lines_sent, 1001);
    assert_eq!(totals.lines_truncated, 1);
    let messages = collector.messages.lock().unwrap().clone();
    let texts: Vec<String> = messages
        .iter()
        .map(|m| String::from_utf8(m.clone()).expect("valid UTF-8"))
        .collect();
    assert_eq!(ids(&texts[..1000]), expected(0..1000));
    let last = &texts[1000];
    assert!(
        last.len() <= 4096 && last.ends_with("...[truncated]"),
        "{}",
        last.len()
    );
    assert_eq!(parse_syslog(last).msgid, "alarm");
}

#[test]
fn collector_down_then_up_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let logs = logs_unlimited(dir.path(), None);
    let port = free_port();
    let s = sink("siem", &format!("tcp://127.0.0.1:{port}"));
    let mut shipper = Shipper::new(dir.path(), &s).unwrap();
    write_alarms(&logs, 0..500);
    for _ in 0..5 {
        let r = shipper.poll_once();
        assert!(!r.connected);
        assert!(r.error.as_deref().unwrap_or("").contains("connect") || r.error.is_none());
        assert_eq!(r.lines_sent, 0);
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(shipper.checkpoint(LogKind::Alarm).unwrap().offset, 0);
    let collector = TcpCollector::start_on(port, TcpFraming::Octet);
    ship_until(&mut shipper, WAIT, || collector.count() >= 500);
    assert_eq!(ids(&collector.messages()), expected(0..500));
}

#[test]
fn udp_collector_down_then_up_loses_nothing_on_localhost() {
    let dir = tempfile::tempdir().unwrap();
    let logs = logs_unlimited(dir.path(), None);
    let port = free_port();
    let s = sink("udp", &format!("udp://127.0.0.1:{port}"));
    let mut shipper = Shipper::new(dir.path(), &s).unwrap();
    // A single datagram first: its send succeeds and only the ICMP error that
    // follows shows that nobody listens.
    write_alarms(&logs, 0..1);
    for n in [1, 50] {
        write_alarms(&logs, 1..n);
        for _ in 0..3 {
            let r = shipper.poll_once();
            assert_eq!(r.lines_sent, 0, "{r:?}");
            std::thread::sleep(Duration::from_millis(60));
        }
    }
    let collector = UdpCollector::start_on(port);
    ship_until(&mut shipper, WAIT, || collector.count() >= 50);
    let texts: Vec<String> = collector
        .messages
        .lock()
        .unwrap()
        .iter()
        .map(|m| String::from_utf8(m.clone()).unwrap())
        .collect();
    let got = ids(&texts);
    assert_eq!(unique(&got), expected(0..50), "at least once, in order");
}

#[test]
fn collector_hang_up_between_batches_is_noticed() {
    let dir = tempfile::tempdir().unwrap();
    let logs = logs_unlimited(dir.path(), None);
    let collector = TcpCollector::start(TcpFraming::Octet);
    let mut shipper = Shipper::new(dir.path(), &sink("siem", &collector.url())).unwrap();
    write_alarms(&logs, 0..300);
    ship_until(&mut shipper, WAIT, || collector.count() >= 300);
    // The collector closes the connection (FIN). A plain write would still
    // succeed once; the probe must catch it.
    collector
        .hang_up
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let deadline = Instant::now() + WAIT;
    while collector.hang_up.load(std::sync::atomic::Ordering::SeqCst) {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(50));
    write_alarms(&logs, 300..600);
    ship_until(&mut shipper, WAIT, || collector.count() >= 600);
    let got = ids(&collector.messages());
    assert_eq!(unique(&got), expected(0..600));
    assert!(shipper.totals().disconnects >= 1);
    assert_eq!(*collector.connections.lock().unwrap(), 2);
}

#[test]
fn collector_killed_and_restarted_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let logs = logs_unlimited(dir.path(), None);
    let collector = TcpCollector::start(TcpFraming::Octet);
    let port = collector.port;
    let mut shipper = Shipper::new(dir.path(), &sink("siem", &collector.url())).unwrap();
    write_alarms(&logs, 0..200);
    ship_until(&mut shipper, WAIT, || collector.count() >= 200);
    let first = collector.stop();
    write_alarms(&logs, 200..400);
    for _ in 0..5 {
        shipper.poll_once();
        std::thread::sleep(Duration::from_millis(20));
    }
    let collector = TcpCollector::start_on(port, TcpFraming::Octet);
    let mut all = first.clone();
    ship_until(&mut shipper, WAIT, || {
        let got = ids(&collector.messages());
        unique(&[ids(&first), got].concat()).len() >= 400
    });
    all.extend(collector.messages());
    assert_eq!(unique(&ids(&all)), expected(0..400));
}

#[test]
fn spool_limit_drops_the_oldest_and_counts_them() {
    use tracing_subscriber::layer::SubscriberExt;
    let dir = tempfile::tempdir().unwrap();
    let logs = Arc::new(logs_unlimited(dir.path(), None));
    write_alarms(&logs, 0..500);
    let lines = read_lines(dir.path(), LogKind::Alarm);
    let len = lines[0].len() as u64 + 1;
    assert!(
        lines.iter().all(|l| l.len() as u64 + 1 == len),
        "equal-length lines"
    );
    let port = free_port();
    let mut s = sink("siem", &format!("tcp://127.0.0.1:{port}"));
    s.spool_max_bytes = 100 * len + len / 2;
    let mut shipper = Shipper::new(dir.path(), &s).unwrap();
    let subscriber = tracing_subscriber::registry().with(RaspLayer::new(logs.clone()));
    let report = tracing::subscriber::with_default(subscriber, || shipper.poll_once());
    assert_eq!(report.lines_dropped, 400);
    assert_eq!(report.bytes_dropped, 400 * len);
    assert_eq!(report.backlog_bytes, 100 * len);
    assert_eq!(shipper.dropped_lines_ever(), 400);
    let rasp = read_lines(dir.path(), LogKind::Rasp);
    let warn: Value = serde_json::from_str(
        rasp.iter()
            .find(|l| l.contains("spool limit"))
            .expect("reported"),
    )
    .unwrap();
    assert_eq!(warn["fields"]["dropped_lines"], 400);
    assert_eq!(warn["fields"]["sink"], "siem");
    // Within the limit nothing more is dropped; the newest 100 arrive.
    assert_eq!(shipper.poll_once().lines_dropped, 0);
    let collector = TcpCollector::start_on(port, TcpFraming::Octet);
    ship_until(&mut shipper, WAIT, || collector.count() >= 100);
    assert_eq!(ids(&collector.messages()), expected(400..500));
    // The count survives a restart.
    drop(shipper);
    let shipper = Shipper::new(dir.path(), &s).unwrap();
    assert_eq!(shipper.dropped_lines_ever(), 400);
}

#[test]
fn restart_resumes_from_the_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let logs = logs_unlimited(dir.path(), None);
    let collector = TcpCollector::start(TcpFraming::Octet);
    let s = sink("siem", &collector.url());
    write_alarms(&logs, 0..200);
    {
        let mut a = Shipper::new(dir.path(), &s).unwrap();
        ship_until(&mut a, WAIT, || collector.count() >= 200);
    }
    write_alarms(&logs, 200..500);
    let mut b = Shipper::new(dir.path(), &s).unwrap();
    ship_until(&mut b, WAIT, || collector.count() >= 500);
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(
        ids(&collector.messages()),
        expected(0..500),
        "no loss and, after a clean stop, no duplicates"
    );
    assert_eq!(b.totals().lines_sent, 300);
}

#[test]
fn restart_while_collector_down_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let logs = logs_unlimited(dir.path(), None);
    let port = free_port();
    let s = sink("siem", &format!("tcp://127.0.0.1:{port}"));
    write_alarms(&logs, 0..300);
    {
        let mut a = Shipper::new(dir.path(), &s).unwrap();
        for _ in 0..3 {
            a.poll_once();
        }
    }
    let collector = TcpCollector::start_on(port, TcpFraming::Octet);
    let mut b = Shipper::new(dir.path(), &s).unwrap();
    ship_until(&mut b, WAIT, || collector.count() >= 300);
    assert_eq!(ids(&collector.messages()), expected(0..300));
}

#[test]
fn partial_last_line_waits_until_complete() {
    let dir = tempfile::tempdir().unwrap();
    let logs = logs_unlimited(dir.path(), None);
    write_alarms(&logs, 0..3);
    let path = logs.status()[0].current_file.clone().unwrap();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    f.write_all(b"{\"event_type\":\"attack\",\"request_id\":\"req-")
        .unwrap();
    let collector = TcpCollector::start(TcpFraming::Octet);
    let mut shipper = Shipper::new(dir.path(), &sink("siem", &collector.url())).unwrap();
    ship_until(&mut shipper, WAIT, || collector.count() >= 3);
    for _ in 0..3 {
        shipper.poll_once();
    }
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(collector.count(), 3);
    f.write_all(b"00000003\"}\n").unwrap();
    ship_until(&mut shipper, WAIT, || collector.count() >= 4);
    assert_eq!(ids(&collector.messages()), expected(0..4));
}

#[test]
fn follows_files_across_days_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FakeClock::parse("2026-11-20T12:00:00.000+00:00").unwrap();
    let logs = logs_unlimited(dir.path(), Some(Arc::new(clock.clone())));
    write_alarms(&logs, 0..10);
    clock.advance(Duration::from_secs(86_400));
    write_alarms(&logs, 10..20);
    clock.advance(Duration::from_secs(3 * 86_400));
    write_alarms(&logs, 20..30);
    let collector = TcpCollector::start(TcpFraming::Octet);
    let mut shipper = Shipper::new(dir.path(), &sink("siem", &collector.url()))
        .unwrap()
        .with_rotation_grace(Duration::ZERO);
    ship_until(&mut shipper, WAIT, || collector.count() >= 30);
    assert_eq!(ids(&collector.messages()), expected(0..30));
    assert_eq!(
        shipper.checkpoint(LogKind::Alarm).unwrap().file,
        "alarm.log.2026-11-24"
    );
    // More lines on the last day follow.
    write_alarms(&logs, 30..35);
    ship_until(&mut shipper, WAIT, || collector.count() >= 35);
    assert_eq!(ids(&collector.messages()), expected(0..35));
}

#[test]
fn run_until_stops_when_asked() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = tempfile::tempdir().unwrap();
    let logs = logs_unlimited(dir.path(), None);
    write_alarms(&logs, 0..50);
    let collector = TcpCollector::start(TcpFraming::Octet);
    let s = sink("siem", &collector.url());
    let stop = Arc::new(AtomicBool::new(false));
    let root = dir.path().to_path_buf();
    let stop2 = stop.clone();
    let t = std::thread::spawn(move || {
        let mut shipper = Shipper::new(&root, &s)
            .unwrap()
            .with_poll_interval(Duration::from_millis(10));
        shipper.run_until(&stop2)
    });
    let deadline = Instant::now() + WAIT;
    while collector.count() < 50 {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(10));
    }
    write_alarms(&logs, 50..60);
    while collector.count() < 60 {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(10));
    }
    stop.store(true, Ordering::SeqCst);
    let totals = t.join().unwrap();
    assert_eq!(totals.lines_sent, 60);
}

#[test]
fn over_long_lines_are_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let logs = logs_unlimited(dir.path(), None);
    logs.plugin("p", "before");
    logs.plugin("p", &"L".repeat(MAX_LINE + 300_000));
    logs.plugin("p", "after");
    logs.plugin("p", &"M".repeat(MAX_LINE - 100)); // fits
    let collector = TcpCollector::start(TcpFraming::Octet);
    let mut s = sink("siem", &collector.url());
    s.logs = vec![LogKind::Plugin];
    let mut shipper = Shipper::new(dir.path(), &s).unwrap();
    let totals = ship_until(&mut shipper, WAIT, || collector.count() >= 3);
    assert_eq!(totals.lines_oversize, 1);
    let msgs: Vec<String> = collector
        .messages()
        .iter()
        .map(|m| parse_syslog(m).msg)
        .collect();
    assert!(msgs[0].ends_with("[p] before"));
    assert!(msgs[1].ends_with("[p] after"));
    assert!(msgs[2].ends_with(&"M".repeat(1000)));
    let file = logs.status()[2].current_file.clone().unwrap();
    assert_eq!(
        shipper.checkpoint(LogKind::Plugin).unwrap().offset,
        std::fs::metadata(file).unwrap().len()
    );
}

#[test]
fn incomplete_tail_of_an_old_day_is_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FakeClock::parse("2026-11-20T12:00:00.000+00:00").unwrap();
    let logs = logs_unlimited(dir.path(), Some(Arc::new(clock.clone())));
    write_alarms(&logs, 0..5);
    let old = logs.status()[0].current_file.clone().unwrap();
    std::fs::OpenOptions::new()
        .append(true)
        .open(&old)
        .unwrap()
        .write_all(b"{\"torn")
        .unwrap();
    clock.advance(Duration::from_secs(86_400));
    write_alarms(&logs, 5..10);
    let collector = TcpCollector::start(TcpFraming::Octet);
    let mut shipper = Shipper::new(dir.path(), &sink("siem", &collector.url()))
        .unwrap()
        .with_rotation_grace(Duration::ZERO);
    let totals = ship_until(&mut shipper, WAIT, || collector.count() >= 10);
    assert_eq!(ids(&collector.messages()), expected(0..10));
    assert_eq!((totals.lines_dropped, totals.bytes_dropped), (1, 6));
}
