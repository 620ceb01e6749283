//! Writers: line shapes, rotation, rate limiting, failures, the tracing layer.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use rasp_log::*;
use serde_json::Value;

fn parse(line: &str) -> Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

fn is_stamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 29
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 | 26 => *c == b':',
            19 => *c == b'.',
            23 => *c == b'+' || *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

#[test]
fn alarm_line_has_every_key_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FakeClock::parse("2026-11-23T16:45:46.123+00:00").unwrap();
    let logs = logs_unlimited(dir.path(), Some(Arc::new(clock)));
    assert_eq!(
        logs.alarm(&alarm(), Some(&request(7))),
        WriteOutcome::Written
    );
    let lines = read_lines(dir.path(), LogKind::Alarm);
    assert_eq!(lines.len(), 1);
    let v = parse(&lines[0]);
    // serde_json::Map is sorted; read the order from the raw line.
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_by_key(|k| lines[0].find(&format!("\"{k}\":")).unwrap());
    assert_eq!(
        keys,
        [
            "event_type",
            "event_time",
            "request_id",
            "request_method",
            "url",
            "path",
            "target",
            "server_ip",
            "attack_source",
            "client_ip",
            "header",
            "parameter",
            "body",
            "attack_type",
            "attack_params",
            "intercept_state",
            "plugin_name",
            "plugin_message",
            "plugin_confidence",
            "plugin_algorithm",
            "server_hostname",
            "server_type",
            "server_version",
            "rasp_version",
            "rasp_id"
        ]
    );
    assert_eq!(v["event_type"], "attack");
    assert_eq!(v["event_time"], "2026-11-23T16:45:46.123+00:00");
    assert_eq!(v["request_id"], "req-00000007");
    assert_eq!(v["attack_source"], "203.0.113.9");
    assert_eq!(v["header"]["user-agent"], "sqlmap/1.7");
    assert_eq!(v["parameter"]["tags"][1], "b");
    assert_eq!(
        v["attack_params"]["stack"][0],
        "/var/www/item.php@12 mysqli_query"
    );
    assert_eq!(v["attack_params"]["server"], "mysql");
    assert_eq!(v["intercept_state"], "block");
    assert_eq!(v["plugin_confidence"], 90.0);
    assert_eq!(v["server_type"], "php");
    assert_eq!(v["server_version"], "8.3.14");
    assert!(dir.path().join("logs/alarm/alarm.log.2026-11-23").is_file());
}

#[test]
fn cli_alarm_has_empty_request_keys() {
    let dir = tempfile::tempdir().unwrap();
    let logs = logs_unlimited(dir.path(), None);
    let mut a = alarm();
    a.plugin_confidence = f64::NAN;
    a.attack_params
        .insert("stack".into(), Value::from("replaced"));
    logs.alarm(&a, None);
    let v = parse(&read_lines(dir.path(), LogKind::Alarm)[0]);
    for key in [
        "request_id",
        "request_method",
        "url",
        "path",
        "target",
        "server_ip",
        "attack_source",
        "client_ip",
        "body",
    ] {
        assert_eq!(v[key], "", "{key}");
    }
    assert_eq!(v["header"], serde_json::json!({}));
    assert_eq!(v["parameter"], serde_json::json!({}));
    assert_eq!(v["plugin_confidence"], 0.0);
    assert!(v["attack_params"]["stack"].is_array());
    assert!(is_stamp(v["event_time"].as_str().unwrap()));
}

#[test]
fn hostile_strings_stay_on_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let logs = logs_unlimited(dir.path(), None);
    let raw: &[u8] = b"a\nb\r\0c\"\\\x1b[31m\xff\xfe</script>\xe2\x80\xa8";
    let text = String::from_utf8_lossy(raw).into_owned();
    let mut r = request(1);
    r.body = text.clone();
    r.header.insert(text.clone(), text.clone());
    r.parameter.insert(text.clone(), Value::from(text.clone()));
    let mut a = alarm();
    a.plugin_message = text.clone();
    logs.alarm(&a, Some(&r));
    logs.plugin(&text, &text);
    let lines = read_lines(dir.path(), LogKind::Alarm);
    assert_eq!(lines.len(), 1);
    let v = parse(&lines[0]);
    assert_eq!(v["body"], Value::from(text.clone()));
    assert_eq!(v["header"][&text], Value::from(text.clone()));
    assert!(text.contains('\u{fffd}'));
    assert!(lines[0].contains("\\u0000") && lines[0].contains("\\n"));
    let plugin = read_lines(dir.path(), LogKind::Plugin);
    assert_eq!(plugin.len(), 1);
    assert!(
        plugin[0].ends_with("] a\\nb\\r\\x00c\"\\\\x1b[31m\u{fffd}\u{fffd}</script>\u{2028}"),
        "{}",
        plugin[0]
    );
}

#[test]
fn policy_lines_with_and_without_request() {
    let dir = tempfile::tempdir().unwrap();
    let logs = logs_unlimited(dir.path(), None);
    logs.policy(&policy(), None);
    logs.policy(&policy(), Some(&request(3)));
    let lines = read_lines(dir.path(), LogKind::Policy);
    let a = parse(&lines[0]);
    let b = parse(&lines[1]);
    assert_eq!(a["event_type"], "security_policy");
    assert_eq!(a["policy_id"], "3001");
    assert_eq!(a["policy_params"]["key"], "allow_url_include");
    assert!(a.get("request_id").is_none());
    assert_eq!(b["request_id"], "req-00000003");
    assert_eq!(b["client_ip"], "198.51.100.7");
    assert!(b.get("body").is_none());
}

#[test]
fn modes_of_created_files_and_dirs() {
    let dir = tempfile::tempdir().unwrap();
    let logs = logs_unlimited(dir.path(), None);
    logs.alarm(&alarm(), None);
    let file_mode = std::fs::metadata(logs.status()[0].current_file.clone().unwrap())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    let dir_mode = std::fs::metadata(dir.path().join("logs/alarm"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    // The umask can only take bits away.
    assert_eq!(file_mode & !0o640, 0, "{file_mode:o}");
    assert_eq!(dir_mode & !0o750, 0, "{dir_mode:o}");
    assert_eq!(file_mode & 0o600, 0o600);
    assert_eq!(dir_mode & 0o700, 0o700);
}

#[test]
fn daily_rotation_follows_the_fake_clock() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FakeClock::parse("2026-11-23T23:59:59.998+00:00").unwrap();
    let logs = logs_unlimited(dir.path(), Some(Arc::new(clock.clone())));
    logs.alarm(&alarm(), None);
    clock.advance(Duration::from_millis(1));
    logs.alarm(&alarm(), None);
    clock.advance(Duration::from_millis(1));
    logs.alarm(&alarm(), None);
    clock.advance(Duration::from_secs(2 * 86_400));
    logs.alarm(&alarm(), None);
    let d = dir.path().join("logs/alarm");
    let lines = |name: &str| {
        std::fs::read_to_string(d.join(name))
            .unwrap()
            .lines()
            .count()
    };
    assert_eq!(lines("alarm.log.2026-11-23"), 2);
    assert_eq!(lines("alarm.log.2026-11-24"), 1);
    assert_eq!(lines("alarm.log.2026-11-26"), 1);
    let times: Vec<String> = read_lines(dir.path(), LogKind::Alarm)
        .iter()
        .map(|l| parse(l)["event_time"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(times[1], "2026-11-23T23:59:59.999+00:00");
    assert_eq!(times[2], "2026-11-24T00:00:00.000+00:00");
}

#[test]
fn rotation_uses_the_zone_day_and_offset() {
    let dir = tempfile::tempdir().unwrap();
    // 22:30 UTC is already the next day in UTC+02:00.
    let clock = FakeClock::parse("2026-11-23T22:30:00.000+00:00").unwrap();
    let logs = Logs::builder(dir.path())
        .clock(Arc::new(clock.clone()))
        .zone(LogZone::fixed(2 * 3600).unwrap())
        .fallback(Arc::new(|_: &str| {}))
        .build();
    logs.plugin("p", "hello");
    let line = &read_lines(dir.path(), LogKind::Plugin)[0];
    assert_eq!(line, "2026-11-24T00:30:00.000+02:00 [p] hello");
    assert!(dir
        .path()
        .join("logs/plugin/plugin.log.2026-11-24")
        .is_file());
}

#[test]
fn dst_change_keeps_the_local_day() {
    let Ok(berlin) = LogZone::named("Europe/Berlin") else {
        eprintln!("no zoneinfo for Europe/Berlin; skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // 2026-03-29 01:59:59 UTC+1, then 03:00:00 UTC+2 one second later.
    let clock = FakeClock::parse("2026-03-29T00:59:59.000+00:00").unwrap();
    let logs = Logs::builder(dir.path())
        .clock(Arc::new(clock.clone()))
        .zone(berlin)
        .fallback(Arc::new(|_: &str| {}))
        .build();
    logs.plugin("p", "before");
    clock.advance(Duration::from_secs(1));
    logs.plugin("p", "after");
    clock.advance(Duration::from_secs(21 * 3600 + 59 * 60 + 59));
    logs.plugin("p", "midnight");
    let lines = read_lines(dir.path(), LogKind::Plugin);
    assert_eq!(lines[0], "2026-03-29T01:59:59.000+01:00 [p] before");
    assert_eq!(lines[1], "2026-03-29T03:00:00.000+02:00 [p] after");
    assert_eq!(lines[2], "2026-03-30T00:59:59.000+02:00 [p] midnight");
    assert!(dir
        .path()
        .join("logs/plugin/plugin.log.2026-03-30")
        .is_file());
}

#[test]
fn rate_limit_suppresses_and_reports_on_the_next_line() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FakeClock::parse("2026-11-23T10:00:00.000+00:00").unwrap();
    let mut config = LogConfig::default();
    config.rate_limit.alarm = RateLimit {
        burst: 3,
        per_second: 2.0,
    };
    config.rate_limit.plugin = RateLimit {
        burst: 1,
        per_second: 1.0,
    };
    let logs = Logs::builder(dir.path())
        .config(&config)
        .clock(Arc::new(clock.clone()))
        .zone(LogZone::utc())
        .build();
    let outcomes: Vec<WriteOutcome> = (0..10).map(|_| logs.alarm(&alarm(), None)).collect();
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| **o == WriteOutcome::Written)
            .count(),
        3
    );
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| **o == WriteOutcome::Suppressed)
            .count(),
        7
    );
    clock.advance(Duration::from_millis(499));
    assert_eq!(logs.alarm(&alarm(), None), WriteOutcome::Suppressed);
    clock.advance(Duration::from_millis(1));
    assert_eq!(logs.alarm(&alarm(), None), WriteOutcome::Written);
    assert_eq!(logs.alarm(&alarm(), None), WriteOutcome::Suppressed);
    clock.advance(Duration::from_secs(60));
    assert_eq!(logs.alarm(&alarm(), None), WriteOutcome::Written);
    let lines: Vec<Value> = read_lines(dir.path(), LogKind::Alarm)
        .iter()
        .map(|l| parse(l))
        .collect();
    assert_eq!(lines.len(), 5);
    assert!(lines[..3]
        .iter()
        .all(|v| v.get("suppressed_lines").is_none()));
    assert_eq!(lines[3]["suppressed_lines"], 8);
    assert_eq!(lines[4]["suppressed_lines"], 1);
    assert_eq!(logs.status()[0].lines_suppressed, 9);

    logs.plugin("p", "one");
    logs.plugin("p", "two");
    logs.plugin("p", "three");
    clock.advance(Duration::from_secs(1));
    logs.plugin("p", "four");
    let plugin = read_lines(dir.path(), LogKind::Plugin);
    assert_eq!(plugin.len(), 3);
    assert!(
        plugin[1].ends_with("[php-rasp] 2 plugin log line(s) suppressed by rate limit"),
        "{}",
        plugin[1]
    );
    assert!(plugin[2].ends_with("[p] four"));
}

#[test]
fn tick_summarizes_unreported_suppressions_in_the_rasp_log() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FakeClock::parse("2026-11-23T10:00:00.000+00:00").unwrap();
    let mut config = LogConfig::default();
    config.rate_limit.policy = RateLimit {
        burst: 1,
        per_second: 0.0,
    };
    let logs = Logs::builder(dir.path())
        .config(&config)
        .clock(Arc::new(clock.clone()))
        .zone(LogZone::utc())
        .report_interval(Duration::from_secs(10))
        .build();
    for _ in 0..5 {
        logs.policy(&policy(), None);
    }
    logs.tick();
    assert!(
        read_lines(dir.path(), LogKind::Rasp).is_empty(),
        "too early"
    );
    clock.advance(Duration::from_secs(10));
    logs.tick();
    logs.tick();
    let rasp = read_lines(dir.path(), LogKind::Rasp);
    assert_eq!(rasp.len(), 1);
    let v = parse(&rasp[0]);
    assert_eq!(v["level"], "WARN");
    assert_eq!(v["fields"]["log"], "policy");
    assert_eq!(v["fields"]["suppressed_lines"], 4);
    assert_eq!(v["pid"], std::process::id());
}

#[test]
fn unwritable_dir_fails_softly_and_reports_once_per_interval() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the log directory should be: ENOTDIR even for root.
    std::fs::write(dir.path().join("logs"), b"not a dir").unwrap();
    let clock = FakeClock::parse("2026-11-23T10:00:00.000+00:00").unwrap();
    let reports = Arc::new(Mutex::new(Vec::<String>::new()));
    let r2 = reports.clone();
    let logs = Logs::builder(dir.path())
        .clock(Arc::new(clock.clone()))
        .zone(LogZone::utc())
        .fallback(Arc::new(move |m: &str| {
            r2.lock().unwrap().push(m.to_string())
        }))
        .report_interval(Duration::from_secs(60))
        .build();
    for _ in 0..100 {
        assert_eq!(logs.alarm(&alarm(), None), WriteOutcome::Failed);
        clock.advance(Duration::from_millis(100));
    }
    assert_eq!(
        reports.lock().unwrap().len(),
        1,
        "{:?}",
        reports.lock().unwrap()
    );
    assert!(reports.lock().unwrap()[0].contains("alarm log: 1 line(s) lost"));
    let st = &logs.status()[0];
    assert!(!st.healthy);
    assert_eq!(st.lines_failed, 100);
    assert!(
        st.last_error.as_deref().unwrap().contains("logs/alarm"),
        "{:?}",
        st.last_error
    );
    // After the interval, tick reports the rest.
    clock.advance(Duration::from_secs(60));
    logs.tick();
    assert_eq!(reports.lock().unwrap().len(), 2);
    assert!(
        reports.lock().unwrap()[1].contains("99 line(s) lost"),
        "{:?}",
        reports.lock().unwrap()
    );
    // Repair: the next write after the back-off works and says so.
    std::fs::remove_file(dir.path().join("logs")).unwrap();
    clock.advance(Duration::from_secs(61));
    assert_eq!(logs.alarm(&alarm(), None), WriteOutcome::Written);
    assert!(logs.status()[0].healthy);
    assert!(reports
        .lock()
        .unwrap()
        .last()
        .unwrap()
        .contains("writing works again"));
}

#[test]
fn disk_full_is_counted_not_fatal() {
    if !std::path::Path::new("/dev/full").exists() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let clock = FakeClock::parse("2026-11-23T10:00:00.000+00:00").unwrap();
    std::fs::create_dir_all(dir.path().join("logs/alarm")).unwrap();
    std::os::unix::fs::symlink(
        "/dev/full",
        dir.path().join("logs/alarm/alarm.log.2026-11-23"),
    )
    .unwrap();
    let reports = Arc::new(Mutex::new(Vec::<String>::new()));
    let r2 = reports.clone();
    let logs = Logs::builder(dir.path())
        .clock(Arc::new(clock.clone()))
        .zone(LogZone::utc())
        .fallback(Arc::new(move |m: &str| {
            r2.lock().unwrap().push(m.to_string())
        }))
        .build();
    for _ in 0..10 {
        assert_eq!(logs.alarm(&alarm(), None), WriteOutcome::Failed);
    }
    assert_eq!(logs.status()[0].lines_failed, 10);
    assert_eq!(reports.lock().unwrap().len(), 1);
    assert!(
        reports.lock().unwrap()[0].contains("No space left"),
        "{:?}",
        reports.lock().unwrap()
    );
}

#[test]
fn deleted_file_is_recreated() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FakeClock::parse("2026-11-23T10:00:00.000+00:00").unwrap();
    let logs = logs_unlimited(dir.path(), Some(Arc::new(clock.clone())));
    logs.alarm(&alarm(), None);
    let path = dir.path().join("logs/alarm/alarm.log.2026-11-23");
    std::fs::remove_file(&path).unwrap();
    logs.alarm(&alarm(), None); // still goes to the unlinked file
    clock.advance(Duration::from_secs(11));
    logs.alarm(&alarm(), None);
    assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 1);
}

#[test]
fn tracing_layer_writes_json_lines() {
    use tracing_subscriber::layer::SubscriberExt;
    let dir = tempfile::tempdir().unwrap();
    let logs = Arc::new(logs_unlimited(dir.path(), None));
    let subscriber = tracing_subscriber::registry().with(RaspLayer::new(logs.clone()));
    tracing::subscriber::with_default(subscriber, || {
        tracing::warn!(
            function = "mysqli_query",
            errno = 2,
            ok = false,
            ratio = 0.5,
            "hook failed: {}",
            "boom"
        );
        tracing::info!(target: "rasp_ext::init", "started");
        tracing::debug!("not written at INFO");
        let err = std::io::Error::other("disk on fire");
        tracing::error!(error = &err as &dyn std::error::Error, path = ?std::path::Path::new("/x"), "oops");
    });
    let lines: Vec<Value> = read_lines(dir.path(), LogKind::Rasp)
        .iter()
        .map(|l| parse(l))
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0]["level"], "WARN");
    assert_eq!(lines[0]["target"], "writer");
    assert_eq!(lines[0]["message"], "hook failed: boom");
    assert_eq!(
        lines[0]["fields"],
        serde_json::json!({"function": "mysqli_query", "errno": 2, "ok": false, "ratio": 0.5})
    );
    assert_eq!(lines[0]["pid"], std::process::id());
    assert!(is_stamp(lines[0]["time"].as_str().unwrap()));
    assert_eq!(lines[1]["target"], "rasp_ext::init");
    assert_eq!(lines[2]["fields"]["error"], "disk on fire");
    assert_eq!(lines[2]["fields"]["path"], "\"/x\"");
}

#[test]
fn status_counts_lines_and_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let logs = logs_unlimited(dir.path(), None);
    for _ in 0..3 {
        logs.alarm(&alarm(), Some(&request(1)));
    }
    let st = &logs.status()[0];
    assert_eq!(st.kind, LogKind::Alarm);
    assert_eq!(st.lines_written, 3);
    let len = std::fs::metadata(st.current_file.as_ref().unwrap())
        .unwrap()
        .len();
    assert_eq!(st.bytes_written, len);
    assert!(st.healthy && st.last_error.is_none());
}
