//! Tokenizing time grows linearly with the input, also for inputs built to
//! make a naive scanner rescan (operator runs, dollar quotes, nesting,
//! here-documents, unterminated constructs).
//!
//! Each case tokenizes about two million units and must finish within a
//! budget of a few seconds. Linear scanning takes well under a second here
//! even unoptimised; quadratic scanning of two million units takes minutes
//! (10^12 steps), so the budget separates the two by orders of magnitude
//! without depending on how busy the machine is. (Ratios between two sizes
//! proved too noisy: deep nesting steps from cache to memory at these
//! sizes, and the machine is shared.)

use rasp_core::shell::ShellTokenizer;
use rasp_core::sql::{SqlDialect, SqlOptions, SqlTokenizer};
use std::time::{Duration, Instant};

const SIZE: usize = 2_000_000;
const BUDGET: Duration = Duration::from_secs(5);

fn assert_linear(name: &str, make: &dyn Fn(usize) -> String, run: &mut dyn FnMut(&[u8])) {
    let input = make(SIZE);
    let t = Instant::now();
    run(input.as_bytes());
    let took = t.elapsed();
    assert!(
        took < BUDGET,
        "{name}: {} units took {took:?} ({:.0} ns per unit)",
        input.len(),
        took.as_nanos() as f64 / input.len() as f64
    );
}

/// Builds an input of about the given length.
type Maker = Box<dyn Fn(usize) -> String>;

fn repeat(unit: &'static str) -> impl Fn(usize) -> String {
    move |n| unit.repeat(n / unit.len().max(1) + 1)
}

#[test]
fn sql_is_linear_on_adversarial_inputs() {
    let cases: &[(&str, SqlDialect, Maker)] = &[
        (
            "pg +/- operator runs",
            SqlDialect::Pgsql,
            Box::new(repeat("-+")),
        ),
        (
            "pg mixed operator runs",
            SqlDialect::Pgsql,
            Box::new(repeat("=-@-")),
        ),
        (
            "pg dollar quote near-misses",
            SqlDialect::Pgsql,
            Box::new(|n| format!("$abcd$ {}", "$abc".repeat(n / 4))),
        ),
        (
            "pg many dollar quotes",
            SqlDialect::Pgsql,
            Box::new(repeat("$a$$a$")),
        ),
        (
            "pg nested comments",
            SqlDialect::Pgsql,
            Box::new(repeat("/*")),
        ),
        (
            "mysql version openers",
            SqlDialect::Mysql,
            Box::new(repeat("/*!")),
        ),
        (
            "mysql backslashes",
            SqlDialect::Mysql,
            Box::new(|n| format!("'{}", "\\'".repeat(n / 2))),
        ),
        (
            "mysql digit identifiers",
            SqlDialect::Mysql,
            Box::new(repeat("0x1g")),
        ),
        (
            "mysql dotted variables",
            SqlDialect::Mysql,
            Box::new(repeat("@a.")),
        ),
        ("quotes", SqlDialect::Mysql, Box::new(repeat("'"))),
        (
            "oracle q-quotes",
            SqlDialect::Oracle,
            Box::new(repeat("q'[")),
        ),
        (
            "sqlite tcl variables",
            SqlDialect::Sqlite,
            Box::new(repeat("$a(")),
        ),
        (
            "sqlite illegal runs",
            SqlDialect::Sqlite,
            Box::new(repeat("1a")),
        ),
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
        assert_linear(name, make.as_ref(), &mut |input| {
            tk.tokenize(input, &mut out);
        });
    }
}

#[test]
fn shell_is_linear_on_adversarial_inputs() {
    let cases: &[(&str, Maker)] = &[
        ("nested $(", Box::new(repeat("$("))),
        (
            "nested $( closed",
            Box::new(|n| format!("{}x{}", "$(".repeat(n / 3), ")".repeat(n / 3))),
        ),
        ("nested quotes and $(", Box::new(repeat("\"$("))),
        ("nested ${", Box::new(repeat("${"))),
        ("nested $((", Box::new(repeat("$(("))),
        ("backticks", Box::new(repeat("`a"))),
        (
            "unterminated backtick with nesting",
            Box::new(|n| format!("`{}", "\"$(".repeat(n / 3))),
        ),
        ("words with nesting", Box::new(repeat("a$(b)"))),
        (
            "assignment words with nesting",
            Box::new(|n| format!("a={}", "$(b ".repeat(n / 4))),
        ),
        ("case words", Box::new(repeat("$(case x in "))),
        ("subshells", Box::new(repeat("("))),
        ("heredoc registrations", Box::new(repeat("<<E "))),
        (
            "heredoc bodies",
            Box::new(|n| format!("cat <<EOF\n{}", "EO\n".repeat(n / 3))),
        ),
        (
            "many heredocs",
            Box::new(|n| format!("{}\n{}", "<<E".repeat(n / 6), "E\n".repeat(n / 6))),
        ),
        (
            "long delimiter",
            Box::new(|n| format!("cat <<{}\n{}", "D".repeat(n / 2), "\n".repeat(n / 2))),
        ),
        ("line continuations", Box::new(repeat("\\\n"))),
        ("single quotes", Box::new(repeat("'"))),
        ("descriptors", Box::new(repeat("1 2>&"))),
    ];
    let tk = ShellTokenizer {
        max_tokens: usize::MAX,
    };
    for (name, make) in cases {
        let mut out = Vec::new();
        assert_linear(name, make.as_ref(), &mut |input| {
            tk.tokenize(input, &mut out);
        });
    }
}
