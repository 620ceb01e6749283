//! Tokenizing time grows linearly with the input, also for inputs built to
//! make a naive scanner rescan (operator runs, dollar quotes, nesting,
//! here-documents, unterminated constructs).
//!
//! Each case is timed at size n and 8n (best of three); a linear scanner
//! takes about 8 times as long, a quadratic one 64 times. The bound, 24, is
//! loose enough for a busy machine and tight enough to catch quadratic
//! behaviour.

use rasp_core::shell::ShellTokenizer;
use rasp_core::sql::{SqlDialect, SqlOptions, SqlTokenizer};
use std::time::{Duration, Instant};

const BASE: usize = 20_000;
const FACTOR: usize = 8;
const MAX_RATIO: f64 = 24.0;

fn best_of_three(mut f: impl FnMut()) -> Duration {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .expect("three runs")
}

fn assert_linear(name: &str, make: &dyn Fn(usize) -> String, run: &dyn Fn(&[u8])) {
    let small = make(BASE);
    let large = make(BASE * FACTOR);
    let t_small = best_of_three(|| run(small.as_bytes()));
    let t_large = best_of_three(|| run(large.as_bytes()));
    // Tiny timings are noise; give the small run a floor.
    let ratio = t_large.as_secs_f64() / t_small.as_secs_f64().max(50e-6);
    assert!(
        ratio < MAX_RATIO,
        "{name}: {} units took {t_small:?}, {} units took {t_large:?} (x{ratio:.1})",
        small.len(),
        large.len()
    );
}

fn repeat(unit: &'static str) -> impl Fn(usize) -> String {
    move |n| unit.repeat(n / unit.len().max(1) + 1)
}

#[test]
fn sql_is_linear_on_adversarial_inputs() {
    let cases: &[(&str, SqlDialect, Box<dyn Fn(usize) -> String>)] = &[
        ("pg +/- operator runs", SqlDialect::Pgsql, Box::new(repeat("-+"))),
        ("pg mixed operator runs", SqlDialect::Pgsql, Box::new(repeat("=-@-"))),
        ("pg dollar quote near-misses", SqlDialect::Pgsql, Box::new(|n| format!("$abcd$ {}", "$abc".repeat(n / 4)))),
        ("pg many dollar quotes", SqlDialect::Pgsql, Box::new(repeat("$a$$a$"))),
        ("pg nested comments", SqlDialect::Pgsql, Box::new(repeat("/*"))),
        ("mysql version openers", SqlDialect::Mysql, Box::new(repeat("/*!"))),
        ("mysql backslashes", SqlDialect::Mysql, Box::new(|n| format!("'{}", "\\'".repeat(n / 2)))),
        ("mysql digit identifiers", SqlDialect::Mysql, Box::new(repeat("0x1g"))),
        ("mysql dotted variables", SqlDialect::Mysql, Box::new(repeat("@a."))),
        ("quotes", SqlDialect::Mysql, Box::new(repeat("'"))),
        ("oracle q-quotes", SqlDialect::Oracle, Box::new(repeat("q'["))),
        ("sqlite tcl variables", SqlDialect::Sqlite, Box::new(repeat("$a("))),
        ("sqlite illegal runs", SqlDialect::Sqlite, Box::new(repeat("1a"))),
    ];
    for (name, dialect, make) in cases {
        let tk = SqlTokenizer::new(
            *dialect,
            SqlOptions {
                max_tokens: usize::MAX,
                ..SqlOptions::default()
            },
        );
        let mut out = Vec::new();
        let out = std::cell::RefCell::new(&mut out);
        assert_linear(name, make.as_ref(), &|input| {
            tk.tokenize(input, &mut out.borrow_mut());
        });
    }
}

#[test]
fn shell_is_linear_on_adversarial_inputs() {
    let cases: &[(&str, Box<dyn Fn(usize) -> String>)] = &[
        ("nested $(", Box::new(repeat("$("))),
        ("nested $( closed", Box::new(|n| format!("{}x{}", "$(".repeat(n / 3), ")".repeat(n / 3)))),
        ("nested quotes and $(", Box::new(repeat("\"$("))),
        ("nested ${", Box::new(repeat("${"))),
        ("nested $((", Box::new(repeat("$(("))),
        ("backticks", Box::new(repeat("`a"))),
        ("unterminated backtick with nesting", Box::new(|n| format!("`{}", "\"$(".repeat(n / 3)))),
        ("words with nesting", Box::new(repeat("a$(b)"))),
        ("assignment words with nesting", Box::new(|n| format!("a={}", "$(b ".repeat(n / 4)))),
        ("case words", Box::new(repeat("$(case x in "))),
        ("subshells", Box::new(repeat("("))),
        ("heredoc registrations", Box::new(repeat("<<E "))),
        ("heredoc bodies", Box::new(|n| format!("cat <<EOF\n{}", "EO\n".repeat(n / 3)))),
        ("many heredocs", Box::new(|n| format!("{}\n{}", "<<E".repeat(n / 6), "E\n".repeat(n / 6)))),
        ("long delimiter", Box::new(|n| format!("cat <<{}\n{}", "D".repeat(n / 2), "\n".repeat(n / 2)))),
        ("line continuations", Box::new(repeat("\\\n"))),
        ("single quotes", Box::new(repeat("'"))),
        ("descriptors", Box::new(repeat("1 2>&"))),
    ];
    let tk = ShellTokenizer { max_tokens: usize::MAX };
    for (name, make) in cases {
        let mut out = Vec::new();
        let out = std::cell::RefCell::new(&mut out);
        assert_linear(name, make.as_ref(), &|input| {
            tk.tokenize(input, &mut out.borrow_mut());
        });
    }
}
