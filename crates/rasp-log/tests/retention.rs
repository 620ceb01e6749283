//! Retention with a fake clock, and its respect for unshipped files.

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use common::*;
use rasp_log::*;

const DAY: Duration = Duration::from_secs(86_400);

/// Writes `per_day` alarms on each of `days` days starting 2026-11-01.
fn ten_days(root: &std::path::Path, days: usize, per_day: usize) -> (FakeClock, SystemTime) {
    let clock = FakeClock::parse("2026-11-01T12:00:00.000+00:00").unwrap();
    let logs = logs_unlimited(root, Some(Arc::new(clock.clone())));
    for d in 0..days {
        for i in 0..per_day {
            logs.alarm(&alarm(), Some(&request(d * 1000 + i)));
            logs.plugin("p", "x");
        }
        if d + 1 < days {
            clock.advance(DAY);
        }
    }
    let now = clock.now();
    (clock, now)
}

fn names(root: &std::path::Path, kind: LogKind) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root.join("logs").join(kind.as_str()))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

#[test]
fn keeps_n_days_counting_today() {
    let dir = tempfile::tempdir().unwrap();
    let (_, now) = ten_days(dir.path(), 10, 3);
    let config = LogConfig {
        keep_days: 3,
        ..LogConfig::default()
    };
    std::fs::write(dir.path().join("logs/alarm/notes.txt"), "not a log").unwrap();
    let report = prune_at(dir.path(), &config, now, &LogZone::utc());
    assert_eq!(report.deleted.len(), 14, "7 old days of alarm and plugin");
    assert!(report.errors.is_empty());
    assert_eq!(report.lines_dropped, 0);
    assert_eq!(
        names(dir.path(), LogKind::Alarm),
        [
            "alarm.log.2026-11-08",
            "alarm.log.2026-11-09",
            "alarm.log.2026-11-10",
            "notes.txt"
        ]
    );
    assert_eq!(names(dir.path(), LogKind::Plugin).len(), 3);
    // Idempotent; a day later one more goes.
    assert!(prune_at(dir.path(), &config, now, &LogZone::utc())
        .deleted
        .is_empty());
    assert_eq!(
        prune_at(dir.path(), &config, now + DAY, &LogZone::utc())
            .deleted
            .len(),
        2
    );
}

#[test]
fn today_is_in_the_configured_zone() {
    let dir = tempfile::tempdir().unwrap();
    let (_, now) = ten_days(dir.path(), 3, 1); // files 11-01 .. 11-03, now 11-03 12:00 UTC
    let config = LogConfig {
        keep_days: 1,
        ..LogConfig::default()
    };
    // 11-03 12:00 UTC is already 11-04 in UTC+13: keep_days 1 keeps only 11-04.
    let report = prune_at(
        dir.path(),
        &config,
        now,
        &LogZone::fixed(13 * 3600).unwrap(),
    );
    assert_eq!(report.deleted.len(), 6);
}

#[test]
fn unshipped_files_are_kept_until_the_spool_limit() {
    let dir = tempfile::tempdir().unwrap();
    let (_, now) = ten_days(dir.path(), 10, 5);
    let port = free_port();
    let mut s = sink("siem", &format!("tcp://127.0.0.1:{port}"));
    s.logs = vec![LogKind::Alarm];
    // The sink has shipped up to the 3rd line of 11-05.
    let f5 = dir.path().join("logs/alarm/alarm.log.2026-11-05");
    let text = std::fs::read_to_string(&f5).unwrap();
    let offset: usize = text.split_inclusive('\n').take(3).map(str::len).sum();
    std::fs::create_dir_all(dir.path().join("logs/.ship")).unwrap();
    std::fs::write(
        dir.path().join("logs/.ship/siem.state"),
        format!(r#"{{"version":1,"logs":{{"alarm":{{"file":"alarm.log.2026-11-05","offset":{offset}}}}}}}"#),
    )
    .unwrap();
    let mut config = LogConfig {
        keep_days: 2,
        ..LogConfig::default()
    };
    config.sinks.push(s.clone());
    let report = prune_at(dir.path(), &config, now, &LogZone::utc());
    assert_eq!(report.lines_dropped, 0);
    assert_eq!(
        report.kept_unshipped.len(),
        4,
        "11-05 .. 11-08 not shipped yet"
    );
    assert_eq!(names(dir.path(), LogKind::Alarm)[0], "alarm.log.2026-11-05");
    assert_eq!(
        names(dir.path(), LogKind::Plugin).len(),
        2,
        "plugin is not shipped by this sink"
    );

    // Now a tiny spool: the unshipped old files go, and their lines are counted.
    let line_len = text.lines().next().unwrap().len() as u64 + 1;
    config.sinks[0].spool_max_bytes = 12 * line_len;
    let report = prune_at(dir.path(), &config, now, &LogZone::utc());
    assert_eq!(report.deleted.len(), 4, "{report:?}");
    assert_eq!(report.lines_dropped, 2 + 5 + 5 + 5);
    assert_eq!(
        names(dir.path(), LogKind::Alarm),
        ["alarm.log.2026-11-09", "alarm.log.2026-11-10"]
    );

    // A shipper started afterwards continues with the next file.
    let collector = TcpCollector::start_on(port, TcpFraming::Octet);
    let mut shipper = Shipper::new(dir.path(), &config.sinks[0])
        .unwrap()
        .with_rotation_grace(Duration::ZERO);
    ship_until(&mut shipper, Duration::from_secs(30), || {
        collector.count() >= 10
    });
    let ids = ids(&collector.messages());
    assert_eq!(ids.first().unwrap(), "req-00008000");
    assert_eq!(ids.last().unwrap(), "req-00009004");
}
