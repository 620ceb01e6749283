//! Throughput of the tokenizers on the inputs they see on the hot path:
//! a typical ~200-byte query, a 10 KB query (a bulk INSERT), and a typical
//! shell command, as UTF-8 bytes and as UTF-16 (what V8 hands over).
//!
//! `CARGO_TARGET_DIR=/work/target-tok cargo bench -p rasp-core --bench tokenizers`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rasp_core::shell::ShellTokenizer;
use rasp_core::sql::{SqlDialect, SqlOptions, SqlTokenizer};
use std::hint::black_box;

/// The inputs, shared with the `instructions` bench: a ~200-byte SELECT, a
/// 10 KB bulk INSERT, and a typical shell command.
const QUERY: &str = include_str!("query_200b.sql");
const BIG_QUERY: &str = include_str!("query_10kb.sql");
const COMMAND: &str = include_str!("command.sh");

fn sql(c: &mut Criterion) {
    let mut group = c.benchmark_group("sql");
    for (name, query) in [
        ("query_200b", QUERY.trim_end()),
        ("query_10kb", BIG_QUERY.trim_end()),
    ] {
        let wide: Vec<u16> = query.encode_utf16().collect();
        group.throughput(Throughput::Bytes(query.len() as u64));
        for dialect in [SqlDialect::Mysql, SqlDialect::Pgsql] {
            let tk = SqlTokenizer::new(dialect, SqlOptions::default());
            let mut out = Vec::new();
            group.bench_with_input(
                BenchmarkId::new(format!("{name}/utf8"), dialect.as_str()),
                query,
                |b, q| b.iter(|| tk.tokenize(black_box(q.as_bytes()), &mut out)),
            );
            group.bench_with_input(
                BenchmarkId::new(format!("{name}/utf16"), dialect.as_str()),
                &wide,
                |b, q| b.iter(|| tk.tokenize(black_box(q.as_slice()), &mut out)),
            );
        }
    }
    group.finish();
}

fn shell(c: &mut Criterion) {
    let mut group = c.benchmark_group("shell");
    let command = COMMAND.trim_end();
    group.throughput(Throughput::Bytes(command.len() as u64));
    let tk = ShellTokenizer::default();
    let mut out = Vec::new();
    let wide: Vec<u16> = command.encode_utf16().collect();
    group.bench_function("command/utf8", |b| {
        b.iter(|| tk.tokenize(black_box(command.as_bytes()), &mut out))
    });
    group.bench_function("command/utf16", |b| {
        b.iter(|| tk.tokenize(black_box(wide.as_slice()), &mut out))
    });
    group.finish();
}

criterion_group!(benches, sql, shell);
criterion_main!(benches);
