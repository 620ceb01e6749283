//! The `log:` section: defaults, strictness, and sink validation messages.

use rasp_log::*;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Root {
    #[serde(default)]
    log: LogConfig,
}

fn parse(yaml: &str) -> Result<LogConfig, String> {
    serde_yaml::from_str::<Root>(yaml)
        .map(|r| r.log)
        .map_err(|e| e.to_string())
}

fn errors(config: &LogConfig) -> Vec<String> {
    config.validate().iter().map(ToString::to_string).collect()
}

#[test]
fn defaults() {
    let c = parse("{}").unwrap();
    assert_eq!(c, LogConfig::default());
    assert_eq!(c.keep_days, 7);
    assert!(!c.utc);
    assert_eq!(c.rotate, Rotate::Daily);
    assert_eq!(
        c.rate_limit.alarm,
        RateLimit {
            burst: 200,
            per_second: 50.0
        }
    );
    assert!(c.sinks.is_empty());
    assert!(c.validate().is_empty());

    let c = parse("log:\n  sinks:\n    - name: siem\n      url: tcp://127.0.0.1:514\n").unwrap();
    let s = &c.sinks[0];
    assert_eq!(s.facility, Facility::LOCAL0);
    assert_eq!(s.tag, "php-rasp");
    assert_eq!(s.framing, Framing::OctetCounting);
    assert_eq!(s.logs, vec![LogKind::Alarm, LogKind::Policy]);
    assert_eq!(s.spool_max_bytes, 256 << 20);
    assert_eq!(s.udp_max_bytes, 8192);
    assert_eq!(
        (
            s.connect_timeout_ms,
            s.write_timeout_ms,
            s.reconnect_interval_ms
        ),
        (3000, 5000, 5000)
    );
    assert!(c.validate().is_empty(), "{:?}", errors(&c));
    assert_eq!(c.usable_sinks().len(), 1);
}

#[test]
fn full_section() {
    let c = parse(
        r#"
log:
  rotate: daily
  keep_days: 30
  utc: true
  rate_limit:
    alarm: { burst: 10, per_second: 2.5 }
    rasp: { burst: 0, per_second: 0 }
  sinks:
    - name: siem
      url: udp://[::1]:5514
      facility: 13
      tag: rasp-prod
      framing: newline
      connect_timeout_ms: 100
      write_timeout_ms: 200
      reconnect_interval_ms: 300
      logs: [alarm, policy, plugin, rasp]
      spool_max_bytes: 1048576
      udp_max_bytes: 1400
"#,
    )
    .unwrap();
    assert_eq!(c.keep_days, 30);
    assert!(c.utc);
    assert_eq!(
        c.rate_limit.alarm,
        RateLimit {
            burst: 10,
            per_second: 2.5
        }
    );
    assert_eq!(c.rate_limit.policy, RateLimits::default().policy);
    let s = &c.sinks[0];
    assert_eq!(s.facility, Facility(13));
    assert_eq!(s.framing, Framing::Newline);
    assert_eq!(
        s.endpoint(),
        Some((Transport::Udp, "::1".to_string(), 5514))
    );
    assert!(c.validate().is_empty(), "{:?}", errors(&c));
}

#[test]
fn unknown_keys_are_rejected_outside_sinks() {
    assert!(parse("log:\n  keep_dayz: 3\n")
        .unwrap_err()
        .contains("keep_dayz"));
    assert!(parse("log:\n  rotate: hourly\n")
        .unwrap_err()
        .contains("hourly"));
    assert!(parse("log:\n  rate_limit:\n    alarm: { burst: 1 }\n")
        .unwrap_err()
        .contains("per_second"));
}

#[test]
fn a_broken_sink_does_not_break_the_section() {
    let c = parse(
        r#"
log:
  keep_days: 3
  sinks:
    - name: typo
      url: tcp://127.0.0.1:514
      facilty: local0
    - name: badfacility
      url: tcp://127.0.0.1:514
      facility: local9
    - name: ok
      url: tcp://127.0.0.1:514
    - name: badframing
      url: tcp://127.0.0.1:514
      framing: xml
    - name: badtype
      url: tcp://127.0.0.1:514
      spool_max_bytes: lots
"#,
    )
    .unwrap();
    assert_eq!(c.keep_days, 3, "file logging settings survive");
    assert_eq!(c.sinks.len(), 5);
    let e = errors(&c);
    assert_eq!(e.len(), 4, "{e:#?}");
    assert!(
        e[0].starts_with("log.sinks[0]") && e[0].contains("unknown field `facilty`"),
        "{}",
        e[0]
    );
    assert!(
        e[1].starts_with("log.sinks[1].facility: unknown syslog facility \"local9\""),
        "{}",
        e[1]
    );
    assert!(
        e[2].starts_with("log.sinks[3].framing: unknown variant `xml`"),
        "{}",
        e[2]
    );
    assert!(
        e[3].starts_with("log.sinks[4].spool_max_bytes: invalid type"),
        "{}",
        e[3]
    );
    let usable: Vec<&str> = c.usable_sinks().iter().map(|s| s.name.as_str()).collect();
    assert_eq!(usable, ["ok"]);
    assert!(c.sinks[1].validate().is_err());
    assert!(Shipper::new("/nonexistent", &c.sinks[1]).is_err());
}

#[test]
fn validation_messages_name_the_key_and_the_fix() {
    let c = parse(
        r#"
log:
  keep_days: 0
  rate_limit:
    plugin: { burst: 5, per_second: -1 }
  sinks:
    - name: "bad name"
      url: http://collector:514
      tag: "has space"
      connect_timeout_ms: 0
      logs: []
      spool_max_bytes: 0
      udp_max_bytes: 100000
    - name: dup
      url: tcp://collector
    - name: dup
      url: udp://collector:514
"#,
    )
    .unwrap();
    let e = errors(&c);
    let expect = [
        "log.keep_days: must be at least 1",
        "log.rate_limit.plugin.per_second: must be a number >= 0, got -1",
        "log.sinks[0].name: invalid sink name \"bad name\"",
        "log.sinks[0].url: unsupported scheme \"http\"; use tcp://host:port or udp://host:port",
        "log.sinks[0].tag: invalid tag \"has space\"",
        "log.sinks[0].connect_timeout_ms: 0 is out of range; use 1-3600000 milliseconds",
        "log.sinks[0].logs: is empty",
        "log.sinks[0].spool_max_bytes: must be at least 1",
        "log.sinks[0].udp_max_bytes: 100000 is out of range; use 480-65507",
        "log.sinks[1].url: \"tcp://collector\" has no port; use tcp://host:port or udp://host:port",
        "log.sinks[2].name: duplicate sink name \"dup\"",
    ];
    assert_eq!(e.len(), expect.len(), "{e:#?}");
    for (got, want) in e.iter().zip(expect) {
        assert!(got.starts_with(want), "\n got: {got}\nwant: {want}");
    }
    // A sink built in code has no index.
    let s = SinkConfig::new("x", "ftp://a:1");
    assert!(s.validate().unwrap_err()[0]
        .to_string()
        .starts_with("log.sinks[?].url: unsupported scheme \"ftp\""));
}

#[test]
fn serializes_back() {
    let mut c = LogConfig::default();
    c.sinks.push(SinkConfig::new("siem", "tcp://127.0.0.1:514"));
    let yaml = serde_yaml::to_string(&c).unwrap();
    assert!(yaml.contains("facility: local0"), "{yaml}");
    let back: LogConfig = serde_yaml::from_str(&yaml).unwrap();
    assert_eq!(back.sinks[0].name, "siem");
    assert!(back.validate().is_empty());
}

#[test]
fn from_json_names_the_key() {
    let c = LogConfig::from_json(serde_json::json!({"keep_days": 3, "sinks": [{"name": "a", "url": "udp://h:1", "bogus": 1}]})).unwrap();
    assert_eq!(c.keep_days, 3);
    assert!(c.validate()[0].to_string().starts_with("log.sinks[0]"));
    assert_eq!(
        LogConfig::from_json(serde_json::Value::Null).unwrap(),
        LogConfig::default()
    );
    let e = LogConfig::from_json(
        serde_json::json!({"rate_limit": {"alarm": {"burst": "many", "per_second": 1}}}),
    )
    .unwrap_err();
    assert_eq!(e.key, "log.rate_limit.alarm.burst");
    assert!(e.message.contains("invalid type"), "{e}");
    let e = LogConfig::from_json(serde_json::json!({"keep": 1})).unwrap_err();
    assert!(e.to_string().starts_with("log"), "{e}");
    assert!(e.message.contains("unknown field `keep`"), "{e}");
}
