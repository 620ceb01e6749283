//! Build, open and lookup costs of the whitelist, for 10, 1k and 100k
//! prefixes, comparing the two ways a PHP worker can use what the agent
//! publishes:
//!
//! (a) `daachorse`: deserialize the published automaton into private memory
//!     once per generation per worker, then match with its stepper;
//! (b) this crate: validate the published bytes once, then walk the
//!     double-array trie in place (zero-copy).
//!
//! Run: `CARGO_TARGET_DIR=/work/target-wl cargo bench -p rasp-whitelist --bench whitelist`
//! (add `-- --quick` for a faster, noisier pass). The size and memory table
//! is printed first; criterion then prints the timings.

#[path = "../tests/support/mod.rs"]
mod support;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use rasp_whitelist::{RequestKey, Whitelist, WhitelistView};

const SIZES: &[usize] = &[10, 1_000, 100_000];
const REQUESTS: usize = 4_096;
const SEED: u64 = 42;

struct Corpus {
    n: usize,
    whitelist: Whitelist,
    bytes: Vec<u8>,
    daac_bytes: Vec<u8>,
    requests: Vec<(String, String)>,
}

fn corpus(n: usize) -> Corpus {
    let patterns = support::patterns(n, SEED);
    let whitelist = Whitelist::build(patterns.iter().map(|(p, s)| (p.as_str(), *s))).unwrap();
    let bytes = whitelist.to_bytes();
    let daac_bytes = support::Daac::build(&whitelist).serialize();
    let requests = support::requests(&patterns, REQUESTS, SEED);
    Corpus {
        n,
        whitelist,
        bytes,
        daac_bytes,
        requests,
    }
}

/// Resident set size of this process, from /proc (Linux only).
fn rss_bytes() -> Option<usize> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: usize = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

const CHILD_ENV: &str = "RASP_WL_RSS_CHILD";

/// Child mode: `a|b:<file>`. Loads the published bytes (standing in for
/// the shared mapping, already resident), then measures how much resident
/// memory opening them the (a) or (b) way adds, lookups included, in a
/// fresh process so that no freed heap can be reused.
fn rss_child(spec: &str) {
    let (mode, file) = spec.split_once(':').unwrap();
    let bytes = std::fs::read(file).unwrap();
    let requests = support::requests(&support::patterns(1_000, SEED), REQUESTS, SEED);
    let before = rss_bytes().unwrap_or(0);
    let mut hits = 0u32;
    if mode == "a" {
        let daac = support::Daac::deserialize(&bytes);
        for (h, p) in &requests {
            hits += daac.lookup(h, p).0.count_ones();
        }
        let after = rss_bytes().unwrap_or(0);
        black_box(&daac);
        println!("{}", after.saturating_sub(before));
    } else {
        let view = WhitelistView::new(&bytes).unwrap();
        for (h, p) in &requests {
            hits += view.lookup(h, p).0.count_ones();
        }
        let after = rss_bytes().unwrap_or(0);
        println!("{}", after.saturating_sub(before));
    }
    black_box(hits);
}

/// Runs this executable in child mode and returns the RSS it added.
fn rss_added(mode: &str, bytes: &[u8], n: usize) -> Option<usize> {
    let file = std::env::temp_dir().join(format!(
        "rasp-wl-bench-{}-{mode}-{n}.bin",
        std::process::id()
    ));
    std::fs::write(&file, bytes).ok()?;
    let out = std::process::Command::new(std::env::current_exe().ok()?)
        .env(CHILD_ENV, format!("{mode}:{}", file.display()))
        .output()
        .ok();
    let _ = std::fs::remove_file(&file);
    String::from_utf8(out?.stdout).ok()?.trim().parse().ok()
}

fn kib(n: usize) -> String {
    format!("{:.1} KiB", n as f64 / 1024.0)
}

fn print_figures(corpora: &[Corpus]) {
    println!();
    println!(
        "rasp-whitelist figures (seed {SEED}; one-shot timings, criterion below is authoritative)"
    );
    println!(
        "{:>8} {:>9} {:>10} {:>12} {:>12} {:>11} {:>13} {:>13} {:>12} {:>12}",
        "prefixes",
        "distinct",
        "build",
        "(b) bytes",
        "(b) private",
        "(b) RSS +",
        "(a) bytes",
        "(a) private",
        "(a) RSS +",
        "(a) x32"
    );
    for c in corpora {
        let t = Instant::now();
        let built = Whitelist::build(c.whitelist.patterns()).unwrap();
        let build = t.elapsed();
        assert_eq!(built.as_bytes(), c.bytes.as_slice());

        let daac = support::Daac::deserialize(&c.daac_bytes);
        let rss = |mode, bytes: &[u8]| rss_added(mode, bytes, c.n).map_or("n/a".into(), kib);
        let (rss_a, rss_b) = (rss("a", &c.daac_bytes), rss("b", &c.bytes));
        let view = WhitelistView::new(&c.bytes).unwrap();
        // (b) allocates nothing: the view is two slices and a count.
        let private_b = std::mem::size_of_val(&view);
        println!(
            "{:>8} {:>9} {:>10} {:>12} {:>10} B {:>11} {:>13} {:>13} {:>12} {:>12}",
            c.n,
            c.whitelist.len(),
            format!("{:.2?}", build),
            kib(c.bytes.len()),
            private_b,
            rss_b,
            kib(c.daac_bytes.len()),
            kib(daac.heap_bytes()),
            rss_a,
            kib(32 * daac.heap_bytes()),
        );
        // Agreement check on the bench corpus itself.
        for (h, p) in c.requests.iter().take(512) {
            assert_eq!(view.lookup(h, p), daac.lookup(h, p), "{h} {p}");
        }
        drop(daac);
    }
    println!(
        "(b) private = heap a worker allocates for (b): none, the view borrows the shared bytes."
    );
    println!("(a) private = daachorse heap_bytes() of one deserialized copy, per worker; x32 = 32 workers.");
    println!("RSS + = resident memory added in a fresh process by opening the published bytes and");
    println!("        doing {REQUESTS} lookups (the bytes themselves, i.e. the shared mapping, not counted).");
    println!();
}

fn bench(c: &mut Criterion, corpora: &[Corpus]) {
    let mut g = c.benchmark_group("build");
    for corpus in corpora {
        if corpus.n >= 100_000 {
            g.sample_size(10).measurement_time(Duration::from_secs(10));
        }
        let patterns: Vec<_> = corpus
            .whitelist
            .patterns()
            .map(|(p, s)| (p.to_string(), s))
            .collect();
        g.bench_with_input(BenchmarkId::new("ours", corpus.n), &patterns, |b, pats| {
            b.iter(|| Whitelist::build(pats.iter().map(|(p, s)| (p.as_str(), *s))).unwrap())
        });
    }
    g.finish();

    let mut g = c.benchmark_group("open");
    for corpus in corpora {
        if corpus.n >= 100_000 {
            g.sample_size(20);
        }
        g.bench_with_input(
            BenchmarkId::new("b_view_new", corpus.n),
            &corpus.bytes,
            |b, bytes| b.iter(|| WhitelistView::new(black_box(bytes)).unwrap().node_count()),
        );
        g.bench_with_input(
            BenchmarkId::new("a_daachorse_deserialize", corpus.n),
            &corpus.daac_bytes,
            |b, bytes| b.iter(|| support::Daac::deserialize(black_box(bytes))),
        );
    }
    g.finish();

    let mut g = c.benchmark_group("lookup");
    for corpus in corpora {
        let view = WhitelistView::new(&corpus.bytes).unwrap();
        let daac = support::Daac::deserialize(&corpus.daac_bytes);
        let reqs = &corpus.requests;
        g.bench_function(BenchmarkId::new("b_view", corpus.n), |b| {
            let mut i = 0;
            b.iter(|| {
                let (h, p) = &reqs[i % REQUESTS];
                i += 1;
                view.lookup(black_box(h), black_box(p))
            })
        });
        g.bench_function(BenchmarkId::new("a_daachorse", corpus.n), |b| {
            let mut i = 0;
            b.iter(|| {
                let (h, p) = &reqs[i % REQUESTS];
                i += 1;
                daac.lookup(black_box(h), black_box(p))
            })
        });
        // Normalization alone, to see what part of a lookup is the walk.
        g.bench_function(BenchmarkId::new("request_key_only", corpus.n), |b| {
            let mut i = 0;
            b.iter(|| {
                let (h, p) = &reqs[i % REQUESTS];
                i += 1;
                RequestKey::new(black_box(h), black_box(p))
            })
        });
    }
    g.finish();
}

fn main() {
    if let Ok(spec) = std::env::var(CHILD_ENV) {
        return rss_child(&spec);
    }
    let corpora: Vec<Corpus> = SIZES.iter().map(|&n| corpus(n)).collect();
    print_figures(&corpora);
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    bench(&mut c, &corpora);
    c.final_summary();
}
