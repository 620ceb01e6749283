//! The lines written match `schema/*.schema.json`, and the schemas reject
//! what they should.

mod common;

use std::sync::Arc;

use common::*;
use rasp_log::*;
use serde_json::Value;

fn schema(name: &str) -> jsonschema::Validator {
    let path = format!("{}/schema/{name}.schema.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn assert_valid(v: &jsonschema::Validator, line: &str) {
    let instance: Value = serde_json::from_str(line).unwrap();
    let errors: Vec<String> = v
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{line}");
}

fn samples(kind: LogKind) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let clock = FakeClock::parse("2026-11-23T16:45:46.123+00:00").unwrap();
    let mut config = LogConfig::default();
    config.rate_limit.alarm = RateLimit {
        burst: 1,
        per_second: 1.0,
    };
    config.rate_limit.policy = RateLimit {
        burst: 1,
        per_second: 1.0,
    };
    let logs = Logs::builder(dir.path())
        .config(&config)
        .server(server())
        .clock(Arc::new(clock.clone()))
        .zone(LogZone::fixed(-(3 * 3600 + 30 * 60)).unwrap())
        .build();
    let mut hostile = request(9);
    hostile.body = String::from_utf8_lossy(b"\0\x01\xff\n\"").into_owned();
    hostile.parameter.insert(
        "nested".into(),
        serde_json::json!({"a": {"b": [1, null, true]}}),
    );
    match kind {
        LogKind::Alarm => {
            logs.alarm(&alarm(), None);
            logs.alarm(&alarm(), Some(&request(1))); // suppressed
            clock.advance(std::time::Duration::from_secs(2));
            logs.alarm(&alarm(), Some(&hostile)); // carries suppressed_lines
            let mut log_only = Alarm::for_check(rasp_core::CheckType::Command);
            log_only.plugin_confidence = 100.0;
            clock.advance(std::time::Duration::from_secs(2));
            logs.alarm(&log_only, Some(&RequestInfo::default()));
        }
        LogKind::Policy => {
            logs.policy(&policy(), None);
            logs.policy(&policy(), None);
            clock.advance(std::time::Duration::from_secs(2));
            logs.policy(&policy(), Some(&hostile));
        }
        _ => unreachable!(),
    }
    read_lines(dir.path(), kind)
}

#[test]
fn alarm_lines_match_the_schema() {
    let v = schema("alarm");
    let lines = samples(LogKind::Alarm);
    assert_eq!(lines.len(), 3);
    assert!(lines[1].contains("\"suppressed_lines\":1"));
    for line in &lines {
        assert_valid(&v, line);
    }
}

#[test]
fn policy_lines_match_the_schema() {
    let v = schema("policy");
    let lines = samples(LogKind::Policy);
    assert_eq!(lines.len(), 2);
    for line in &lines {
        assert_valid(&v, line);
    }
}

#[test]
fn schemas_reject_bad_lines() {
    let alarm_schema = schema("alarm");
    let good: Value = serde_json::from_str(&samples(LogKind::Alarm)[0]).unwrap();
    assert!(alarm_schema.is_valid(&good));
    let mutate = |f: &dyn Fn(&mut serde_json::Map<String, Value>)| {
        let mut v = good.clone();
        f(v.as_object_mut().unwrap());
        alarm_schema.is_valid(&v)
    };
    assert!(!mutate(&|m| {
        m.insert("event_time".into(), "2026-11-23T16:45:46+0000".into());
    }));
    assert!(!mutate(&|m| {
        m.remove("client_ip");
    }));
    assert!(!mutate(&|m| {
        m.insert("intercept_state".into(), "allow".into());
    }));
    assert!(!mutate(&|m| {
        m["attack_params"].as_object_mut().unwrap().remove("stack");
    }));
    assert!(!mutate(&|m| {
        m.insert("surprise".into(), 1.into());
    }));

    let policy_schema = schema("policy");
    let lines = samples(LogKind::Policy);
    let mut partial: Value = serde_json::from_str(&lines[1]).unwrap();
    partial.as_object_mut().unwrap().remove("url");
    assert!(
        !policy_schema.is_valid(&partial),
        "request keys come together"
    );
}
