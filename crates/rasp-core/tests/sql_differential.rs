//! Differential test: our SQL token boundaries against the `sqlparser`
//! crate's tokenizer, an independent implementation, on generated inputs and
//! attack payloads pasted into query templates.
//!
//! The two tokenizers are written for different purposes (sqlparser feeds a
//! parser; ours imitates the servers' lexers), so some differences are
//! expected and documented in `tests/DIFFERENTIAL.md`. [`normalize_ours`]
//! and [`normalize_theirs`] remove only those; every other difference counts
//! as a disagreement. Run with `DIFF_VERBOSE=1 cargo test --test
//! sql_differential -- --nocapture` to see the figures and examples.

mod common;

use common::*;
use rasp_core::sql::{SqlDialect, SqlOptions, SqlTokenizer, TokenKind};
use sqlparser::dialect::{Dialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};

type Span = (usize, usize);

/// Why an input was left out of the comparison.
#[derive(Debug, PartialEq, Eq)]
enum Skip {
    /// sqlparser returned an error (mostly unterminated strings and comments,
    /// which we tokenize and it rejects).
    Rejected,
}

fn ours(dialect: SqlDialect, q: &str) -> Vec<(Span, TokenKind)> {
    let map = char_index_map(q);
    let mut out = Vec::new();
    SqlTokenizer::new(dialect, SqlOptions::default()).tokenize(q.as_bytes(), &mut out);
    out.iter()
        .map(|t| ((map[t.start as usize], map[t.stop as usize]), t.kind))
        .collect()
}

/// sqlparser's tokens as char spans; comments kept, other whitespace dropped.
fn theirs(dialect: &dyn Dialect, q: &str) -> Result<Vec<(Span, Token)>, Skip> {
    let tokens = Tokenizer::new(dialect, q)
        .tokenize_with_location()
        .map_err(|_| Skip::Rejected)?;
    // Line starts, in chars; sqlparser counts lines by '\n'.
    let mut line_starts = vec![0usize];
    for (i, c) in q.chars().enumerate() {
        if c == '\n' {
            line_starts.push(i + 1);
        }
    }
    let index = |line: u64, column: u64| line_starts[line as usize - 1] + column as usize - 1;
    Ok(tokens
        .into_iter()
        .filter(|t| {
            !matches!(
                t.token,
                Token::Whitespace(Whitespace::Space | Whitespace::Newline | Whitespace::Tab)
                    | Token::EOF
            )
        })
        .map(|t| {
            let span = (
                index(t.span.start.line, t.span.start.column),
                index(t.span.end.line, t.span.end.column),
            );
            (span, t.token)
        })
        .collect())
}

/// How a token takes part in normalisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Comment,
    /// Made only of operator characters.
    Operator,
    Other,
}

const OPERATOR_CHARS: &str = "~!@#^&|`?+-*/%<>=:";

fn classify(text: &[char], comment: bool) -> Class {
    if comment {
        Class::Comment
    } else if text.iter().all(|c| OPERATOR_CHARS.contains(*c)) {
        Class::Operator
    } else {
        Class::Other
    }
}

/// Our tokens, with the documented differences removed.
fn normalize_ours(
    dialect: SqlDialect,
    strict: bool,
    q: &[char],
    tokens: Vec<(Span, TokenKind)>,
) -> Vec<(Span, Class)> {
    let mut out = Vec::new();
    for ((a, b), kind) in tokens {
        match kind {
            // D1: sqlparser has no `:name` placeholders, nor SQLite's `@x`
            // and `#x`: it reads the sigil, then a word.
            TokenKind::Variable
                if !strict
                    && b > a + 1
                    && (q[a] == ':' || (dialect == SqlDialect::Sqlite && "@#".contains(q[a]))) =>
            {
                out.push(((a, a + 1), Class::Operator));
                out.push(((a + 1, b), classify(&q[a + 1..b], false)));
            }
            // D7: sqlparser has no `..` token; PostgreSQL does (`dot_dot`).
            TokenKind::Punctuation
                if !strict && dialect == SqlDialect::Pgsql && b == a + 2 && q[a] == '.' =>
            {
                out.push(((a, a + 1), Class::Other));
                out.push(((a + 1, b), Class::Other));
            }
            // D2: executable comments are compared without their opener and closer.
            TokenKind::VersionComment if dialect == SqlDialect::Mysql => {}
            _ => out.push(((a, b), classify(&q[a..b], kind == TokenKind::Comment))),
        }
    }
    out
}

/// sqlparser's tokens, with the documented differences removed.
fn normalize_theirs(
    dialect: SqlDialect,
    strict: bool,
    q: &[char],
    tokens: Vec<(Span, Token)>,
) -> Vec<(Span, Class)> {
    let mut out: Vec<(Span, Class)> = Vec::new();
    for ((a, mut b), token) in tokens {
        let comment = matches!(
            token,
            Token::Whitespace(
                Whitespace::SingleLineComment { .. } | Whitespace::MultiLineComment(_)
            )
        );
        // D3: sqlparser's line comments own their newline; ours stop before it.
        if let Token::Whitespace(Whitespace::SingleLineComment { .. }) = token {
            if b > a && q[b - 1] == '\n' {
                b -= 1;
            }
        }
        if !strict
            && !comment
            && !matches!(
                token,
                Token::SingleQuotedString(_) | Token::DoubleQuotedString(_)
            )
        {
            // D8: sqlparser's MySQL dialect lets `@` continue an identifier
            // (`users@`, `42@@v`); MySQL does not. Split before an inner `@`.
            // It also takes the whitespace after a lone `@` into the token.
            if dialect == SqlDialect::Mysql {
                while b > a + 1 && q[b - 1].is_whitespace() {
                    b -= 1;
                }
                if let Some(k) = (a + 1..b).find(|&k| q[k] == '@' && q[k - 1] != '@') {
                    out.push(((a, k), classify(&q[a..k], false)));
                    out.push(((k, b), classify(&q[k..b], false)));
                    continue;
                }
            }
            // D9: sqlparser reads `?NNN` (SQLite's numbered placeholder) in
            // every dialect; elsewhere it is `?` then a number.
            if dialect != SqlDialect::Sqlite
                && q[a] == '?'
                && b > a + 1
                && q[a + 1].is_ascii_digit()
            {
                out.push(((a, a + 1), Class::Operator));
                out.push(((a + 1, b), Class::Other));
                continue;
            }
        }
        out.push(((a, b), classify(&q[a..b], comment)));
    }
    // D4: MySQL reads `--` at the very end of the query as a comment (the
    // character after it is the buffer's NUL, a control character).
    if !strict && dialect == SqlDialect::Mysql && out.len() >= 2 {
        let n = out.len();
        let ((a1, b1), _) = out[n - 2];
        let ((a2, b2), _) = out[n - 1];
        if b2 == q.len() && b1 == a2 && b1 == a1 + 1 && b2 == a2 + 1 && q[a1] == '-' && q[a2] == '-'
        {
            out.truncate(n - 2);
            out.push(((a1, b2), Class::Comment));
        }
    }
    out
}

/// Normalisations applied to both sides alike.
fn normalize_both(
    dialect: SqlDialect,
    strict: bool,
    q: &[char],
    version_regions: &[Span],
    tokens: Vec<(Span, Class)>,
) -> Vec<Span> {
    // D2: drop everything inside MySQL executable comments: sqlparser
    // re-tokenizes their content but reports positions shifted by the opener.
    let tokens = tokens
        .into_iter()
        .filter(|((a, _), _)| !version_regions.iter().any(|&(x, y)| x <= *a && *a < y));
    let mut out: Vec<(Span, Class)> = Vec::new();
    for ((a, b), class) in tokens {
        if let Some(((pa, pb), pclass)) = out.last_mut().filter(|_| !strict) {
            if *pb == a {
                // D5: runs of operator characters are compared as one unit:
                // how a run splits is dialect table work (PostgreSQL's
                // scan.l rule, `::`, `==`, `<=>`, `@>` existing or not),
                // unit-tested per dialect instead.
                let operators = *pclass == Class::Operator && class == Class::Operator;
                // D6: a number glued to identifier characters (`1e`,
                // `12abc`, `0x1Fg`, `.5FROM`) is compared as one unit:
                // MySQL reads an identifier, SQLite an illegal token,
                // sqlparser splits it in various places.
                let starts_number = q[*pa].is_ascii_digit()
                    || (q[*pa] == '.' && *pa + 1 < q.len() && q[*pa + 1].is_ascii_digit());
                let glued = dialect != SqlDialect::Pgsql
                    && starts_number
                    && *pclass != Class::Comment
                    && class == Class::Other
                    && q[a..b]
                        .iter()
                        .all(|&c| c.is_alphanumeric() || c == '_' || c == '$');
                if operators || glued {
                    *pb = b;
                    continue;
                }
            }
        }
        out.push(((a, b), class));
    }
    out.into_iter().map(|(span, _)| span).collect()
}

#[derive(Default)]
struct Tally {
    compared: usize,
    agreed: usize,
    /// Agreeing with only the representational normalisations (D2, D3).
    agreed_strict: usize,
    rejected: usize,
    examples: Vec<String>,
}

/// Char ranges of MySQL executable comments, opener through closer.
fn version_regions(q: &[char], ours: &[(Span, TokenKind)]) -> Vec<Span> {
    let mut regions = Vec::new();
    let mut open: Option<usize> = None;
    for &((a, b), kind) in ours {
        if kind != TokenKind::VersionComment {
            continue;
        }
        match open.take() {
            // Openers are `/*!...` or `/*M!...`; hints `/*+...*/` are whole.
            None if b - a >= 3 && q[a + 2] != '+' => open = Some(a),
            Some(start) => regions.push((start, b)),
            None => {}
        }
    }
    if let Some(start) = open {
        regions.push((start, usize::MAX));
    }
    regions
}

fn compare(tally: &mut Tally, ours_dialect: SqlDialect, theirs_dialect: &dyn Dialect, q: &str) {
    let theirs = match theirs(theirs_dialect, q) {
        Ok(t) => t,
        Err(Skip::Rejected) => {
            tally.rejected += 1;
            return;
        }
    };
    let chars: Vec<char> = q.chars().collect();
    let ours = ours(ours_dialect, q);
    let regions = version_regions(&chars, &ours);
    let d = ours_dialect;
    let side = |strict: bool| {
        (
            normalize_both(
                d,
                strict,
                &chars,
                &regions,
                normalize_ours(d, strict, &chars, ours.clone()),
            ),
            normalize_both(
                d,
                strict,
                &chars,
                &regions,
                normalize_theirs(d, strict, &chars, theirs.clone()),
            ),
        )
    };
    let (strict_a, strict_b) = side(true);
    if strict_a == strict_b {
        tally.agreed_strict += 1;
    }
    let (a, b) = side(false);
    tally.compared += 1;
    if a == b {
        tally.agreed += 1;
    } else if tally.examples.len() < 400 {
        let show = |spans: &[Span]| {
            spans
                .iter()
                .map(|&(x, y)| {
                    chars[x.min(chars.len())..y.min(chars.len())]
                        .iter()
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
        };
        tally.examples.push(format!(
            "{q:?}\n    ours:   {:?}\n    theirs: {:?}",
            show(&a),
            show(&b)
        ));
    }
}

fn inputs() -> Vec<String> {
    let mut inputs = Vec::new();
    for payload in fixture_lines(SQL_ATTACKS) {
        for template in SQL_TEMPLATES {
            inputs.push(template.replace("{}", payload));
        }
    }
    let mut rng = Rng::new(0x05EE_D5A1);
    for _ in 0..16_000 {
        inputs.push(gen_sql(&mut rng));
    }
    inputs
}

fn run(name: &str, ours_dialect: SqlDialect, theirs_dialect: &dyn Dialect) -> Tally {
    let mut tally = Tally::default();
    for q in inputs() {
        compare(&mut tally, ours_dialect, theirs_dialect, &q);
    }
    let rate = |n: usize| 100.0 * n as f64 / tally.compared.max(1) as f64;
    println!(
        "{name}: {} inputs compared, {} agree ({:.2}%) after normalising documented differences, \
         {} ({:.2}%) strictly; {} rejected by sqlparser",
        tally.compared,
        tally.agreed,
        rate(tally.agreed),
        tally.agreed_strict,
        rate(tally.agreed_strict),
        tally.rejected
    );
    if std::env::var_os("DIFF_VERBOSE").is_some() {
        for e in &tally.examples {
            println!("  {e}");
        }
    }
    tally
}

fn agreement(t: &Tally) -> f64 {
    t.agreed as f64 / t.compared.max(1) as f64
}

#[test]
fn mysql_agrees_with_sqlparser() {
    let t = run("mysql", SqlDialect::Mysql, &MySqlDialect {});
    assert!(t.compared >= 10_000);
    assert!(agreement(&t) >= 0.98, "agreement fell");
}

#[test]
fn postgres_agrees_with_sqlparser() {
    let t = run("pgsql", SqlDialect::Pgsql, &PostgreSqlDialect {});
    assert!(t.compared >= 10_000);
    assert!(agreement(&t) >= 0.965, "agreement fell");
}

#[test]
fn sqlite_agrees_with_sqlparser() {
    let t = run("sqlite", SqlDialect::Sqlite, &SQLiteDialect {});
    assert!(t.compared >= 10_000);
    assert!(agreement(&t) >= 0.985, "agreement fell");
}
