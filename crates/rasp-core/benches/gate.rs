//! What an event costs that no plugin needs to see: the official plugin's
//! `sql` gate (a request value in the query, or a word sql_policy looks
//! for) against a request with 20 parameters, and the per-request cost of
//! building the request values it searches.
//!
//! A hostile request shows the bound: 5,000 parameters and 100 events.
//!
//! `cargo bench -p rasp-core --bench gate`

use std::hint::black_box;
use std::rc::Rc;

use criterion::{criterion_group, criterion_main, Criterion};
use rasp_core::gate::Gate;
use rasp_core::inputs::{InputOptions, RequestInputs};
use serde_json::{json, Value};

const QUERY: &str = include_str!("query_200b.sql");

fn context() -> Value {
    let mut params = serde_json::Map::new();
    for i in 0..20 {
        params.insert(
            format!("p{i}"),
            json!([format!("value-{i}-{}", "x".repeat(i))]),
        );
    }
    params.insert("id".into(), json!(["4242"]));
    json!({
        "parameter": params,
        "cookie": { "session": "3f2a9c0d1e", "theme": "dark" },
        "header": { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0", "host": "shop.example.com" },
        "json": {},
    })
}

fn meta() -> Value {
    json!({ "min_length": 1, "decode_values": true, "max_decode_length": 16384,
            "headers": ["user-agent", "referer", "x-forwarded-for", "x-real-ip", "host"] })
}

fn sql_gate() -> Gate {
    let words = [
        "union",
        "/*!",
        "/*m!",
        "outfile",
        "dumpfile",
        "load_file",
        "benchmark",
        "sleep",
        "pg_sleep",
        "sys_exec",
        "sys_eval",
        "xp_cmdshell",
        "xp_dirtree",
        "xp_regread",
        "sp_oacreate",
        "pg_read_file",
        "pg_read_binary_file",
        "pg_ls_dir",
        "lo_import",
        "lo_export",
        "dblink_connect",
        "utl_http",
        "utl_inaddr",
        "dbms_pipe",
        "waitfor",
        "load_extension",
    ];
    let when =
        json!([{ "param": "query", "input": meta() }, { "param": "query", "contains": words }]);
    Gate::from_handlers(&[Some(Gate::parse_when(&when).expect("valid"))]).expect("gate")
}

fn gate(c: &mut Criterion) {
    let ctx = context();
    let g = sql_gate();
    let opts = InputOptions::from_json(&meta());
    let inputs = Rc::new(RequestInputs::from_context(&ctx, &opts));
    let quiet = json!({ "query": QUERY.trim_end(), "server": "mysql" });
    let hit =
        json!({ "query": QUERY.trim_end().replace("OFFSET 40", "OFFSET 4242"), "server": "mysql" });
    // What the extension runs: passes_noting, which for a passing event
    // also finds which values occur (here the same query every time, so
    // after the first search its answer is the one kept).
    assert!(
        g.passes_noting_params(&quiet, |_| inputs.clone()).is_none(),
        "the bench query holds no request value"
    );
    assert!(g.passes_noting_params(&hit, |_| inputs.clone()).is_some());
    let mut group = c.benchmark_group("gate");
    group.bench_function("sql_skipped", |b| {
        b.iter(|| g.passes_noting_params(black_box(&quiet), |_| inputs.clone()))
    });
    group.bench_function("sql_passed", |b| {
        b.iter(|| g.passes_noting_params(black_box(&hit), |_| inputs.clone()))
    });
    group.bench_function("request_inputs_build", |b| {
        b.iter(|| {
            let i = RequestInputs::from_context(black_box(&ctx), &opts);
            i.occurs_in("x", 1)
        })
    });
    group.finish();

    // A hostile request: 5,000 parameters (three values each with their
    // URL- and HTML-decoded forms), then 100 gated events.
    let vals: Vec<String> = (0..5000)
        .map(|i| format!("v{i}%41&amp;{}", "x".repeat(i % 20)))
        .collect();
    let hostile = json!({ "parameter": { "a": vals } });
    let mut group = c.benchmark_group("gate_hostile");
    group.sample_size(10);
    group.bench_function("5000_params_build_and_100_events", |b| {
        b.iter(|| {
            let i = RequestInputs::from_context(black_box(&hostile), &opts);
            (0..100)
                .filter(|n| i.occurs_in(&format!("/var/www/wp-includes/file-{n}.php"), 2))
                .count()
        })
    });
    group.finish();
}

criterion_group!(benches, gate);
criterion_main!(benches);
