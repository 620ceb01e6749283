//! Instruction counts per byte, for a load-independent speed figure on a
//! shared machine (`valgrind --tool=callgrind`; no hardware counters here).
//!
//! ```text
//! CARGO_TARGET_DIR=/work/target-tok cargo bench -p rasp-core --bench instructions --no-run
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     /work/target-tok/release/deps/instructions-* sql-mysql-200 2>&1 | grep refs
//! ```
//!
//! Divide the `I refs` by `ITERATIONS * bytes` (both printed) for
//! instructions per byte.

use rasp_core::shell::ShellTokenizer;
use rasp_core::sql::{SqlDialect, SqlOptions, SqlTokenizer};
use std::hint::black_box;

/// Default iterations; a second argument overrides it (for timing CPU time
/// with `/usr/bin/time` instead of counting instructions).
const ITERATIONS: usize = 2_000;

fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    let iterations: usize = std::env::args()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(ITERATIONS);
    let query = include_str!("query_200b.sql").trim_end();
    let big = include_str!("query_10kb.sql").trim_end();
    let command = include_str!("command.sh").trim_end();
    let input = match which.as_str() {
        "sql-mysql-200" | "sql-pgsql-200" => query,
        "sql-mysql-10k" | "sql-pgsql-10k" => big,
        "shell" => command,
        _ => {
            eprintln!(
                "usage: instructions sql-mysql-200|sql-pgsql-200|sql-mysql-10k|sql-pgsql-10k|shell"
            );
            return;
        }
    };
    if which == "shell" {
        let tk = ShellTokenizer::default();
        let mut out = Vec::new();
        for _ in 0..iterations {
            tk.tokenize(black_box(input.as_bytes()), &mut out);
        }
    } else {
        let dialect = if which.contains("mysql") {
            SqlDialect::Mysql
        } else {
            SqlDialect::Pgsql
        };
        let tk = SqlTokenizer::new(dialect, SqlOptions::default());
        let mut out = Vec::new();
        for _ in 0..iterations {
            tk.tokenize(black_box(input.as_bytes()), &mut out);
        }
    }
    println!("{which}: {iterations} iterations x {} bytes", input.len());
}
