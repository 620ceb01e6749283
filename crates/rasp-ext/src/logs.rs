//! Where the extension's logs go: alarm, policy, plugin and rasp logs under
//! `<root_dir>/logs/`, one JSON object per line (the plugin log is text).

use std::io::Write;

use rasp_core::{CheckType, Verdict};
use serde_json::{json, Value};

use crate::{request, state};

fn today_utc() -> (String, String) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs() as i64;
    let days = secs.div_euclid(86_400);
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    let sod = secs.rem_euclid(86_400);
    let date = format!("{y:04}-{m:02}-{d:02}");
    let time = format!(
        "{date}T{:02}:{:02}:{:02}.{:03}+00:00",
        sod / 3600,
        sod / 60 % 60,
        sod % 60,
        now.subsec_millis()
    );
    (date, time)
}

fn append(kind: &str, line: &str) {
    let Some(s) = state::settings() else {
        return;
    };
    let dir = s.root_dir.join("logs").join(kind);
    let (date, _) = today_utc();
    let path = dir.join(format!("{kind}.log.{date}"));
    let mut buf = Vec::with_capacity(line.len() + 1);
    buf.extend_from_slice(line.as_bytes());
    buf.push(b'\n');
    let open = || {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
    };
    let file = open().or_else(|_| {
        let _ = std::fs::create_dir_all(&dir);
        open()
    });
    match file {
        Ok(mut f) => {
            let _ = f.write_all(&buf);
        }
        Err(e) => eprintln!("php-rasp: cannot write {}: {e}", path.display()),
    }
}

pub fn plugin(line: &str) {
    let (_, time) = today_utc();
    append(
        "plugin",
        &format!("{time} [pid {}] {line}", std::process::id()),
    );
}

pub fn rasp(level: &str, message: &str) {
    let (_, time) = today_utc();
    append(
        "rasp",
        &json!({"time": time, "level": level, "pid": std::process::id(), "message": message})
            .to_string(),
    );
}

pub fn alarm(t: CheckType, params: &Value, verdict: &Verdict, state: &str) {
    let input = request::input();
    let cfg = state::config();
    let (_, time) = today_utc();
    let (ctx, _) = rasp_core::context::build_context(&input, &cfg.context);
    let line = json!({
        "event_type": "attack",
        "event_time": time,
        "request_id": input.request_id,
        "request_method": input.method.to_ascii_lowercase(),
        "url": input.url(),
        "path": String::from_utf8_lossy(input.path()),
        "target": input.hostname(),
        "server_ip": input.server_addr,
        "attack_source": input.remote_addr,
        "client_ip": input.client_ip(&cfg.context.clientip_header),
        "header": ctx["header"],
        "parameter": ctx["parameter"],
        "body": ctx["body"],
        "attack_type": t.as_str(),
        "attack_params": params,
        "intercept_state": state,
        "plugin_name": verdict.plugin,
        "plugin_message": verdict.message,
        "plugin_confidence": verdict.confidence,
        "plugin_algorithm": verdict.algorithm,
        "server_hostname": hostname(),
        "server_type": "php",
        "server_version": input.php_version,
        "rasp_version": env!("CARGO_PKG_VERSION"),
    });
    append("alarm", &line.to_string());
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}
