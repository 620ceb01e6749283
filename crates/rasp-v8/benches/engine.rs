//! The V8 side of a check, with the official plugin (block mode):
//! - `restore`: an isolate restored from the plugin snapshot (what a php-fpm
//!   worker does on its first check and after a plugin reload);
//! - `snapshot_build`: what the agent does once per plugin/config change;
//! - `sql_check`: one SQL check with a 20-parameter request. `first` is the
//!   first check of a request (the context JSON is passed and parsed, the
//!   plugin collects the request values); `later` is any further check of
//!   the same request (context already in the isolate), as in production
//!   where the engine passes the context once per request serial;
//! - `noop`: the same round trip with a plugin that returns at once.
//!
//! `CARGO_TARGET_DIR=/work/target-bench cargo bench -p rasp-v8 --bench engine`
//! Percentiles (p50/p99) of the same cases: `--bench latency`.

mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rasp_core::CheckType;
use rasp_v8::{Engine, PluginSource, Snapshot};

use common::*;

fn restore(c: &mut Criterion) {
    let plugins = official_plugin();
    let snap = Snapshot::build(&plugins, &opts()).expect("snapshot");
    let mut g = c.benchmark_group("isolate");
    g.sample_size(30);
    g.bench_function("restore_from_snapshot", |b| {
        b.iter_with_large_drop(|| {
            Engine::from_snapshot(black_box(&snap), &opts()).expect("restore")
        })
    });
    g.bench_function("restore_and_drop", |b| {
        b.iter(|| drop(Engine::from_snapshot(black_box(&snap), &opts()).expect("restore")))
    });
    g.sample_size(10);
    g.bench_function("snapshot_build", |b| {
        b.iter(|| Snapshot::build(black_box(&plugins), &opts()).expect("snapshot"))
    });
    g.finish();
    eprintln!("snapshot size: {} bytes", snap.as_bytes().len());
}

fn sql_check(c: &mut Criterion) {
    let snap = Snapshot::build(&official_plugin(), &opts()).expect("snapshot");
    let mut engine = Engine::from_snapshot(&snap, &opts()).expect("restore");
    let ctx = context_json();
    let attack_ctx = attack_context_json();
    let search = params_json(SEARCH_SQL);
    let plain = params_json(PLAIN_SQL);
    let attack = params_json(ATTACK_SQL);
    let big_query = big_sql();
    let big = params_json(&big_query);
    let mut serial = 1u64;

    // Sanity: the plugin judges these as expected.
    let out = engine.check(CheckType::Sql, &search, serial, || ctx.clone());
    assert!(out.verdicts.is_empty() && out.fault.is_none(), "{out:?}");
    serial += 1;
    let out = engine.check(CheckType::Sql, &attack, serial, || attack_ctx.clone());
    assert_eq!(out.verdicts.len(), 1, "{out:?}");
    serial += 1;

    let mut g = c.benchmark_group("sql_check");
    g.bench_function("search_first_of_request", |b| {
        b.iter(|| {
            serial += 1;
            engine.check(CheckType::Sql, black_box(&search), serial, || ctx.clone())
        })
    });
    engine.check(CheckType::Sql, &search, serial, || ctx.clone());
    g.bench_function("search_later", |b| {
        b.iter(|| engine.check(CheckType::Sql, black_box(&search), serial, || ctx.clone()))
    });
    let search_ns = params_without_stack(SEARCH_SQL);
    let stack = stack_json();
    g.bench_function("search_later_stack_apart", |b| {
        b.iter(|| {
            engine.check_with_stack(
                CheckType::Sql,
                black_box(&search_ns),
                &stack,
                serial,
                || ctx.clone(),
            )
        })
    });
    g.bench_function("plain_later", |b| {
        b.iter(|| engine.check(CheckType::Sql, black_box(&plain), serial, || ctx.clone()))
    });
    g.bench_function("plain_first_of_request", |b| {
        b.iter(|| {
            serial += 1;
            engine.check(CheckType::Sql, black_box(&plain), serial, || ctx.clone())
        })
    });
    serial += 1;
    engine.check(CheckType::Sql, &attack, serial, || attack_ctx.clone());
    g.bench_function("attack_block_later", |b| {
        b.iter(|| {
            engine.check(CheckType::Sql, black_box(&attack), serial, || {
                attack_ctx.clone()
            })
        })
    });
    serial += 1;
    engine.check(CheckType::Sql, &search, serial, || ctx.clone());
    g.sample_size(20);
    g.throughput(Throughput::Bytes(big_query.len() as u64));
    g.bench_function("bulk_insert_70kb_later", |b| {
        b.iter(|| engine.check(CheckType::Sql, black_box(&big), serial, || ctx.clone()))
    });
    g.finish();

    let noop = Snapshot::build(
        &[PluginSource {
            name: "noop.js".into(),
            source: NOOP_PLUGIN.into(),
        }],
        &opts(),
    )
    .expect("snapshot");
    let mut noop = Engine::from_snapshot(&noop, &opts()).expect("restore");
    let mut g = c.benchmark_group("noop_plugin");
    g.bench_function("search_first_of_request", |b| {
        b.iter(|| {
            serial += 1;
            noop.check(CheckType::Sql, black_box(&search), serial, || ctx.clone())
        })
    });
    g.bench_function("search_later", |b| {
        b.iter(|| noop.check(CheckType::Sql, black_box(&search), serial, || ctx.clone()))
    });
    let search_ns = params_without_stack(SEARCH_SQL);
    let stack = stack_json();
    g.bench_function("search_later_stack_apart", |b| {
        b.iter(|| {
            noop.check_with_stack(
                CheckType::Sql,
                black_box(&search_ns),
                &stack,
                serial,
                || ctx.clone(),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, sql_check, restore);
criterion_main!(benches);
