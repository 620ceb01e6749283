//! Latency distribution (p50, p90, p99, p99.9, max) of the cases in
//! `engine.rs`, timed one by one: criterion reports means and medians, the
//! targets are about percentiles. Prints a table and, with
//! `RASP_BENCH_JSON=path`, writes the figures as JSON for bench/report.py.
//!
//! `CARGO_TARGET_DIR=/work/target-bench cargo bench -p rasp-v8 --bench latency`

mod common;

use std::rc::Rc;
use std::time::{Duration, Instant};

use rasp_core::inputs::{InputOptions, RequestInputs};
use rasp_core::CheckType;
use rasp_v8::{Engine, PluginSource, Snapshot};

use common::*;

struct Stats {
    name: String,
    n: usize,
    /// Mean CPU time of this thread per call: unlike wall time, it leaves
    /// out the time the thread waited for a CPU on a loaded machine.
    cpu: Duration,
    p50: Duration,
    p90: Duration,
    p99: Duration,
    p999: Duration,
    max: Duration,
}

fn stats(name: &str, (mut v, cpu): (Vec<Duration>, Duration)) -> Stats {
    if v.is_empty() {
        v.push(Duration::ZERO);
    }
    v.sort();
    let at = |q: f64| v[((v.len() as f64 * q) as usize).min(v.len() - 1)];
    Stats {
        name: name.to_string(),
        n: v.len(),
        cpu,
        p50: at(0.50),
        p90: at(0.90),
        p99: at(0.99),
        p999: at(0.999),
        max: *v.last().unwrap(),
    }
}

fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: valid out-pointer; CLOCK_THREAD_CPUTIME_ID always exists on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// `RASP_BENCH_ONLY=k` runs only the k-th case (from 0, in the table's
/// order), for `perf record`; the others print zeros.
fn skip() -> bool {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let i = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::env::var("RASP_BENCH_ONLY")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|only| only != i)
}

/// Wall time of each call, and the mean thread CPU time per call.
fn time(n: usize, mut f: impl FnMut()) -> (Vec<Duration>, Duration) {
    // RASP_BENCH_REPEAT=k runs each case k times longer (for perf record).
    if skip() {
        return (Vec::new(), Duration::ZERO);
    }
    let n = n * std::env::var("RASP_BENCH_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    for _ in 0..(n / 10).max(3) {
        f(); // warm-up: JIT tiers, inline caches
    }
    let cpu0 = thread_cpu();
    let wall = (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    // Less the two clock reads per call (about 50 ns together).
    (wall, (thread_cpu() - cpu0) / n as u32)
}

/// A list, its options, and their JSON once the natives asked by it.
type BuiltList = (Option<String>, InputOptions, Rc<RequestInputs>);

/// A request's value lists, one per options, built on first use: the gate
/// asks by options, the natives by the options' JSON.
struct RequestLists {
    context: serde_json::Value,
    built: std::cell::RefCell<Vec<BuiltList>>,
}

impl RequestLists {
    fn by_options(&self, opts: &InputOptions) -> Rc<RequestInputs> {
        if let Some((_, _, l)) = self.built.borrow().iter().find(|(_, o, _)| o == opts) {
            return l.clone();
        }
        let list = Rc::new(RequestInputs::from_context(&self.context, opts));
        self.built
            .borrow_mut()
            .push((None, opts.clone(), list.clone()));
        list
    }

    fn by_json(&self, json: &str) -> Option<Rc<RequestInputs>> {
        let mut built = self.built.borrow_mut();
        if let Some((_, _, l)) = built.iter().find(|(j, _, _)| j.as_deref() == Some(json)) {
            return Some(l.clone());
        }
        let v: serde_json::Value = serde_json::from_str(json).ok()?;
        let opts = InputOptions::from_json(&v);
        if let Some(at) = built.iter().position(|(_, o, _)| *o == opts) {
            built[at].0 = Some(json.to_string());
            return Some(built[at].2.clone());
        }
        let list = Rc::new(RequestInputs::from_context(&self.context, &opts));
        built.push((Some(json.to_string()), opts, list.clone()));
        Some(list)
    }
}

fn main() {
    // `cargo bench` passes --bench; nothing else to parse.
    let quick = std::env::args().any(|a| a == "--quick");
    let n = if quick { 2_000 } else { 20_000 };
    let mut out = Vec::new();

    let plugins = official_plugin();
    let snap = Snapshot::build(&plugins, &opts()).expect("snapshot");
    let mut engine = Engine::from_snapshot(&snap, &opts()).expect("restore");
    let ctx = context_json();
    let attack_ctx = attack_context_json();
    let search = params_json(SEARCH_SQL);
    let plain = params_json(PLAIN_SQL);
    let attack = params_json(ATTACK_SQL);
    let big_query = big_sql();
    let big = params_json(&big_query);
    let mut serial = 1u64;

    let check = |e: &mut Engine, p: &str, serial: u64, c: &str| {
        let o = e.check(CheckType::Sql, p, serial, || c.to_string());
        assert!(o.fault.is_none(), "{o:?}");
    };

    out.push(stats(
        "sql check, search query, first check of a request (20 params)",
        time(n, || {
            serial += 1;
            check(&mut engine, &search, serial, &ctx)
        }),
    ));
    // As in the extension: RASP.request_inputs() and RASP.inputs_in()
    // answered from the request values the embedder built for its gates
    // (built once here: the same request every time; the gate bench
    // measures building them), not by parsing the context JSON again.
    {
        // One list per options, shared by the gate and the natives as the
        // extension shares its request's lists.
        let lists = Rc::new(RequestLists {
            context: serde_json::from_str(&ctx).expect("context"),
            built: Default::default(),
        });
        let source = lists.clone();
        rasp_v8::set_request_inputs_source(Some(Box::new(move |opts_json: &str| {
            source.by_json(opts_json)
        })));
        let gate = engine
            .gate(CheckType::Sql)
            .cloned()
            .expect("the official plugin gates sql");
        out.push(stats(
            "sql check, search query, first check, values from the embedder",
            time(n, || {
                serial += 1;
                check(&mut engine, &search, serial, &ctx)
            }),
        ));
        // As the extension calls it: the context fetched only if a handler
        // reads it, the stack likewise.
        let search_ns = params_without_stack(SEARCH_SQL);
        let lazy_ctx = std::rc::Rc::new(ctx.clone());
        // The gate first (its search of the request values), then the
        // check with what the gate found, as rasp-ext's check::decide.
        let as_extension = |e: &mut Engine, query: &str, params: &str, serial: u64| {
            let field = |k: &str| (k == "query").then_some(std::borrow::Cow::Borrowed(query));
            let pass = gate.passes_noting(field, |o| lists.by_options(o));
            assert!(pass.is_some(), "the gate lets the query through");
            let c = lazy_ctx.clone();
            let o = e.check_lazy_noting(
                CheckType::Sql,
                params,
                serial,
                pass.as_ref(),
                stack_json,
                move || (*c).clone(),
            );
            assert!(o.fault.is_none(), "{o:?}");
        };
        out.push(stats(
            "sql check, search query, first check, as the extension (lazy)",
            time(n, || {
                serial += 1;
                as_extension(&mut engine, SEARCH_SQL, &search_ns, serial)
            }),
        ));
        out.push(stats(
            "sql check, search query, later check, as the extension (lazy)",
            time(n, || {
                as_extension(&mut engine, SEARCH_SQL, &search_ns, serial)
            }),
        ));
        // Distinct queries, as a page's events are (nothing answered from
        // the last event's search); their params written beforehand, as the
        // extension's hook does before the timed part here.
        let distinct: Vec<(String, String)> = (0..4096)
            .map(|k| {
                let q = format!("{SEARCH_SQL} /* {k} */");
                let p = params_without_stack(&q);
                (q, p)
            })
            .collect();
        let mut k = 0usize;
        out.push(stats(
            "sql check, search query, later check, lazy, a new query each time",
            time(n, || {
                k += 1;
                let (q, p) = &distinct[k % distinct.len()];
                as_extension(&mut engine, q, p, serial)
            }),
        ));
        rasp_v8::set_request_inputs_source(None);
    }
    out.push(stats(
        "sql check, search query, later check of the request",
        time(n, || check(&mut engine, &search, serial, &ctx)),
    ));
    out.push(stats(
        "sql check, query without request values, later check",
        time(n, || check(&mut engine, &plain, serial, &ctx)),
    ));
    let search_ns = params_without_stack(SEARCH_SQL);
    let plain_ns = params_without_stack(PLAIN_SQL);
    let stack = stack_json();
    let check_stack = |e: &mut Engine, p: &str, serial: u64, c: &str| {
        let o = e.check_with_stack(CheckType::Sql, p, &stack, serial, || c.to_string());
        assert!(o.fault.is_none(), "{o:?}");
    };
    out.push(stats(
        "sql check, search query, later check, stack passed apart",
        time(n, || check_stack(&mut engine, &search_ns, serial, &ctx)),
    ));
    out.push(stats(
        "sql check, query without request values, later, stack apart",
        time(n, || check_stack(&mut engine, &plain_ns, serial, &ctx)),
    ));
    out.push(stats(
        "sql check, query without request values, first check",
        time(n, || {
            serial += 1;
            check(&mut engine, &plain, serial, &ctx)
        }),
    ));
    serial += 1;
    out.push(stats(
        "sql check, injection blocked, later check",
        time(n, || check(&mut engine, &attack, serial, &attack_ctx)),
    ));
    serial += 1;
    out.push(stats(
        &format!(
            "sql check, {} KB bulk INSERT with a request value",
            big_query.len() / 1000
        ),
        time(if quick { 20 } else { 200 }, || {
            check(&mut engine, &big, serial, &ctx)
        }),
    ));

    let noop = Snapshot::build(
        &[PluginSource {
            name: "noop.js".into(),
            source: NOOP_PLUGIN.into(),
        }],
        &opts(),
    )
    .expect("snapshot");
    let mut noop = Engine::from_snapshot(&noop, &opts()).expect("restore");
    out.push(stats(
        "V8 round trip only (plugin returns at once), first check",
        time(n, || {
            serial += 1;
            check(&mut noop, &search, serial, &ctx)
        }),
    ));
    out.push(stats(
        "V8 round trip only (plugin returns at once), later check",
        time(n, || check(&mut noop, &search, serial, &ctx)),
    ));
    out.push(stats(
        "V8 round trip only, later check, stack passed apart",
        time(n, || check_stack(&mut noop, &search_ns, serial, &ctx)),
    ));
    drop(noop);

    let m = if quick { 20 } else { 200 };
    out.push(stats(
        "isolate restore from snapshot (official plugin)",
        time(m, || {
            drop(Engine::from_snapshot(&snap, &opts()).expect("restore"))
        }),
    ));
    // What the first request a worker serves pays: restore, then a check
    // (the first call into a fresh isolate compiles the dispatcher lazily).
    out.push(stats(
        "isolate restore + first sql check (official plugin)",
        time(m, || {
            let mut e = Engine::from_snapshot(&snap, &opts()).expect("restore");
            check(&mut e, &search, 1, &ctx);
            drop(e)
        }),
    ));
    out.push(stats(
        "snapshot build (official plugin)",
        time(if quick { 3 } else { 20 }, || {
            Snapshot::build(&plugins, &opts()).expect("snapshot");
        }),
    ));

    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!("snapshot: {} bytes", snap.as_bytes().len());
    println!(
        "{:<64} {:>7} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "case", "n", "cpu us", "p50 us", "p90 us", "p99 us", "p99.9 us", "max us"
    );
    for s in &out {
        println!(
            "{:<64} {:>7} {:>10.2} {:>10.2} {:>10.2} {:>10.2} {:>10.2} {:>10.2}",
            s.name,
            s.n,
            us(s.cpu),
            us(s.p50),
            us(s.p90),
            us(s.p99),
            us(s.p999),
            us(s.max)
        );
    }
    if let Ok(path) = std::env::var("RASP_BENCH_JSON") {
        let rows: Vec<_> = out
            .iter()
            .map(|s| {
                serde_json::json!({
                    "case": s.name, "n": s.n, "cpu_us": us(s.cpu), "p50_us": us(s.p50), "p90_us": us(s.p90),
                    "p99_us": us(s.p99), "p999_us": us(s.p999), "max_us": us(s.max),
                })
            })
            .collect();
        let doc = serde_json::json!({ "snapshot_bytes": snap.as_bytes().len(), "cases": rows });
        std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).expect("write json");
    }
}
