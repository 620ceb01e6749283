//! Cost of writing one line from a PHP worker, and of shipping.
//!
//! ```text
//! CARGO_TARGET_DIR=/work/target-log cargo bench -p rasp-log --bench write
//! ```
//!
//! Files go to a temporary directory (on the same file system as `$TMPDIR`).

use std::collections::BTreeMap;
use std::io::Read;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rasp_log::*;
use serde_json::{json, Map};

fn request() -> RequestInfo {
    let mut header = BTreeMap::new();
    for (k, v) in [
        ("host", "shop.example"),
        ("user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"),
        ("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
        ("accept-language", "en-US,en;q=0.5"),
        ("cookie", "PHPSESSID=0123456789abcdef0123456789abcdef"),
    ] {
        header.insert(k.to_string(), v.to_string());
    }
    let mut parameter = Map::new();
    parameter.insert("id".into(), json!("1' OR '1'='1"));
    parameter.insert("page".into(), json!("2"));
    RequestInfo {
        request_id: "6f1d2c3b4a5e4f60a1b2c3d4e5f60718".into(),
        request_method: "GET".into(),
        url: "http://shop.example/item.php?id=1%27%20OR%20%271%27%3D%271&page=2".into(),
        path: "/item.php".into(),
        target: "shop.example".into(),
        server_ip: "10.0.0.2".into(),
        attack_source: "203.0.113.9".into(),
        client_ip: "198.51.100.7".into(),
        header,
        parameter,
        body: String::new(),
    }
}

fn alarm() -> Alarm {
    let mut attack_params = Map::new();
    attack_params.insert(
        "query".into(),
        json!("SELECT * FROM items WHERE id='1' OR '1'='1' LIMIT 20 OFFSET 20"),
    );
    attack_params.insert("server".into(), json!("mysql"));
    Alarm {
        attack_type: "sql".into(),
        attack_params,
        stack: (0..8)
            .map(|i| format!("/var/www/shop/src/Controller/Item{i}.php@{} query", 10 + i))
            .collect(),
        intercept_state: InterceptState::Block,
        plugin_name: "official".into(),
        plugin_message: "SQL injection: user input changed the structure of the query".into(),
        plugin_confidence: 90.0,
        plugin_algorithm: "sql_userinput".into(),
    }
}

fn server() -> ServerInfo {
    ServerInfo {
        server_hostname: "web1".into(),
        server_version: "8.3.14".into(),
        rasp_version: "0.1.0".into(),
        rasp_id: "c0ffee".into(),
    }
}

fn unlimited() -> LogConfig {
    let mut c = LogConfig::default();
    c.rate_limit.alarm.burst = 0;
    c.rate_limit.plugin.burst = 0;
    c.rate_limit.rasp.burst = 0;
    c
}

fn writes(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let logs = Arc::new(
        Logs::builder(dir.path())
            .config(&unlimited())
            .server(server())
            .build(),
    );
    let (a, r) = (alarm(), request());
    let mut g = c.benchmark_group("write");
    g.throughput(Throughput::Elements(1));
    g.bench_function("alarm", |b| b.iter(|| logs.alarm(&a, Some(&r))));
    g.bench_function("alarm_cli", |b| b.iter(|| logs.alarm(&a, None)));
    g.bench_function("plugin", |b| {
        b.iter(|| logs.plugin("official", "checking query SELECT * FROM items"))
    });

    // The same alarm into /dev/null: formatting plus a bare write(2), without
    // the file system.
    let null_dir = tempfile::tempdir().unwrap();
    let null_logs = Logs::builder(null_dir.path())
        .config(&unlimited())
        .server(server())
        .build();
    null_logs.alarm(&a, None);
    let file = null_logs.status()[0].current_file.clone().unwrap();
    std::fs::remove_file(&file).unwrap();
    std::os::unix::fs::symlink("/dev/null", &file).unwrap();
    let null_logs = Logs::builder(null_dir.path())
        .config(&unlimited())
        .server(server())
        .build();
    g.bench_function("alarm_to_dev_null", |b| {
        b.iter(|| null_logs.alarm(&a, Some(&r)))
    });
    g.bench_function("serialize_only", |b| {
        let mut buf = Vec::with_capacity(4096);
        b.iter(|| {
            buf.clear();
            serde_json::to_writer(
                &mut buf,
                &(&a.attack_params, &r.header, &r.parameter, &a.stack),
            )
            .unwrap();
            buf.len()
        })
    });

    let limited = Logs::builder(dir.path()).server(server()).build();
    for _ in 0..1000 {
        limited.alarm(&a, Some(&r)); // empty the bucket
    }
    g.bench_function("alarm_suppressed", |b| {
        b.iter(|| limited.alarm(&a, Some(&r)))
    });

    use tracing_subscriber::layer::SubscriberExt;
    let subscriber = tracing_subscriber::registry().with(RaspLayer::new(logs.clone()));
    tracing::subscriber::with_default(subscriber, || {
        g.bench_function("tracing_event", |b| {
            b.iter(|| tracing::warn!(function = "mysqli_query", errno = 2, "hook failed"))
        });
        g.bench_function("tracing_disabled_level", |b| {
            b.iter(|| tracing::debug!(function = "mysqli_query", "not written"))
        });
    });
    g.finish();
    let st = &logs.status()[0];
    if let Some(avg) = st.bytes_written.checked_div(st.lines_written) {
        eprintln!("average alarm line: {avg} bytes");
    }
}

/// Ships 20 000 alarms (about 27 MB) to a local TCP sink that discards them,
/// with the default poll budget (a checkpoint fsync every 4 MiB).
fn shipping(c: &mut Criterion) {
    const N: u64 = 20_000;
    let dir = tempfile::tempdir().unwrap();
    let logs = Logs::builder(dir.path())
        .config(&unlimited())
        .server(server())
        .build();
    let (a, r) = (alarm(), request());
    for _ in 0..N {
        logs.alarm(&a, Some(&r));
    }
    let bytes = logs.status()[0].bytes_written;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 1 << 16];
                while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
            });
        }
    });
    let mut g = c.benchmark_group("ship");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes));
    let mut round = 0;
    g.bench_function("tcp_20k_alarms", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                round += 1;
                let sink =
                    SinkConfig::new(format!("bench{round}"), format!("tcp://127.0.0.1:{port}"));
                let mut shipper = Shipper::new(dir.path(), &sink).unwrap();
                let start = Instant::now();
                let mut sent = 0;
                while sent < N {
                    sent += shipper.poll_once().lines_sent;
                }
                total += start.elapsed();
            }
            total
        })
    });
    g.finish();
}

criterion_group!(benches, writes, shipping);
criterion_main!(benches);
