//! Throughput of the tokenizers on the inputs they see on the hot path:
//! a typical ~200-byte query, a 10 KB query (a bulk INSERT), and a typical
//! shell command, as UTF-8 bytes and as UTF-16 (what V8 hands over).
//!
//! `CARGO_TARGET_DIR=/work/target-tok cargo bench -p rasp-core --bench tokenizers`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rasp_core::shell::ShellTokenizer;
use rasp_core::sql::{SqlDialect, SqlOptions, SqlTokenizer};
use std::hint::black_box;

const QUERY: &str = "SELECT u.id, u.name, u.email, p.title FROM users u \
    LEFT JOIN posts p ON p.user_id = u.id WHERE u.name = 'O''Brien' \
    AND u.status IN (1, 2, 3) AND p.created_at > '2024-01-01 00:00:00' \
    ORDER BY p.created_at DESC LIMIT 20 OFFSET 40";

const COMMAND: &str = "/usr/bin/convert '/var/www/uploads/image 01.png' -resize 800x600 \
    -quality 85 \"/var/www/cache/thumb_$(date +%s).jpg\" 2>&1 | tee -a /tmp/log";

/// A bulk INSERT of about 10 KB.
fn big_query() -> String {
    let mut q = String::from("INSERT INTO events (id, user_id, kind, payload, created_at) VALUES ");
    let mut i = 0;
    while q.len() < 10_000 {
        if i > 0 {
            q.push_str(", ");
        }
        q.push_str(&format!(
            "({i}, {}, 'click', '{{\"x\": {}, \"y\": 3.5e2}}', '2024-05-0{} 12:00:00')",
            i * 7,
            i % 13,
            i % 9 + 1
        ));
        i += 1;
    }
    q
}

fn sql(c: &mut Criterion) {
    let big = big_query();
    let mut group = c.benchmark_group("sql");
    for (name, query) in [("query_200b", QUERY), ("query_10kb", big.as_str())] {
        let wide: Vec<u16> = query.encode_utf16().collect();
        group.throughput(Throughput::Bytes(query.len() as u64));
        for dialect in [SqlDialect::Mysql, SqlDialect::Pgsql] {
            let tk = SqlTokenizer::new(dialect, SqlOptions::default());
            let mut out = Vec::new();
            group.bench_with_input(BenchmarkId::new(format!("{name}/utf8"), dialect.as_str()), query, |b, q| {
                b.iter(|| tk.tokenize(black_box(q.as_bytes()), &mut out))
            });
            group.bench_with_input(BenchmarkId::new(format!("{name}/utf16"), dialect.as_str()), &wide, |b, q| {
                b.iter(|| tk.tokenize(black_box(q.as_slice()), &mut out))
            });
        }
    }
    group.finish();
}

fn shell(c: &mut Criterion) {
    let mut group = c.benchmark_group("shell");
    group.throughput(Throughput::Bytes(COMMAND.len() as u64));
    let tk = ShellTokenizer::default();
    let mut out = Vec::new();
    let wide: Vec<u16> = COMMAND.encode_utf16().collect();
    group.bench_function("command/utf8", |b| b.iter(|| tk.tokenize(black_box(COMMAND.as_bytes()), &mut out)));
    group.bench_function("command/utf16", |b| b.iter(|| tk.tokenize(black_box(wide.as_slice()), &mut out)));
    group.finish();
}

criterion_group!(benches, sql, shell);
criterion_main!(benches);
