//! Properties that hold for every input, checked with proptest.
//!
//! * Tokenizing never panics, whatever the units (any bytes, any `u16`
//!   including lone surrogates, empty input).
//! * Tokens are non-empty, sorted, non-overlapping and within bounds.
//! * Coverage: SQL leaves only ASCII whitespace outside tokens; the shell
//!   leaves only blanks and `\`-newline line continuations. So nothing an
//!   attacker sends can hide between tokens.
//! * `Truncated` is reported exactly when the token cap was hit.
//! * UTF-8 and UTF-16 input of the same text give the same tokens, with
//!   offsets mapped between the encodings.
//! * Shell depth moves by one, and only at substitution openers and closers.

mod common;

use common::*;
use proptest::prelude::*;
use rasp_core::shell::{ShellToken, ShellTokenKind, ShellTokenizer};
use rasp_core::sql::{SqlDialect, SqlOptions, SqlTokenizer, Token, TokenizeStatus};
use rasp_core::text::CodeUnit;

fn option_sets() -> Vec<SqlOptions> {
    let mut sets = Vec::new();
    for bits in 0..8u8 {
        sets.push(SqlOptions {
            no_backslash_escapes: bits & 1 != 0,
            standard_conforming_strings: bits & 2 == 0,
            ansi_quotes: bits & 4 != 0,
            ..SqlOptions::default()
        });
    }
    sets
}

fn is_sql_space<U: CodeUnit>(u: U) -> bool {
    matches!(u.ascii(), Some(b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C))
}

fn check_sql<U: CodeUnit>(input: &[U], tokens: &[Token], status: TokenizeStatus, max: usize) {
    let mut covered_to = 0usize;
    for t in tokens {
        let (a, b) = (t.start as usize, t.stop as usize);
        assert!(
            a < b && b <= input.len(),
            "token {t:?} out of bounds {}",
            input.len()
        );
        assert!(a >= covered_to, "token {t:?} overlaps or is out of order");
        assert!(
            !is_sql_space(input[a]),
            "token {t:?} starts with whitespace"
        );
        for u in &input[covered_to..a] {
            assert!(is_sql_space(*u), "uncovered non-whitespace before {t:?}");
        }
        covered_to = b;
    }
    match status {
        TokenizeStatus::Complete => {
            for u in &input[covered_to..] {
                assert!(is_sql_space(*u), "uncovered non-whitespace at the end");
            }
        }
        TokenizeStatus::Truncated => assert_eq!(tokens.len(), max),
    }
}

fn sql_all<U: CodeUnit>(input: &[U]) {
    let mut out = Vec::new();
    for dialect in SqlDialect::ALL {
        for options in option_sets() {
            let status = SqlTokenizer::new(dialect, options).tokenize(input, &mut out);
            check_sql(input, &out, status, options.max_tokens);
        }
    }
    // A small cap exercises truncation everywhere.
    let small = SqlOptions {
        max_tokens: 3,
        ..SqlOptions::default()
    };
    for dialect in SqlDialect::ALL {
        let status = SqlTokenizer::new(dialect, small).tokenize(input, &mut out);
        check_sql(input, &out, status, 3);
    }
}

fn check_shell<U: CodeUnit>(
    input: &[U],
    tokens: &[ShellToken],
    status: TokenizeStatus,
    max: usize,
) {
    let byte = |i: usize| input.get(i).and_then(|u| u.ascii());
    let gap_ok = |from: usize, to: usize| {
        (from..to).all(|i| match byte(i) {
            Some(b' ' | b'\t') => true,
            Some(b'\\') => byte(i + 1) == Some(b'\n') && i + 1 < to,
            Some(b'\n') => i > from && byte(i - 1) == Some(b'\\'),
            _ => false,
        })
    };
    let mut covered_to = 0usize;
    let mut prev: Option<&ShellToken> = None;
    for t in tokens {
        let (a, b) = (t.start as usize, t.stop as usize);
        assert!(
            a < b && b <= input.len(),
            "token {t:?} out of bounds {}",
            input.len()
        );
        assert!(a >= covered_to, "token {t:?} overlaps or is out of order");
        assert!(gap_ok(covered_to, a), "uncovered text before {t:?}");
        if let Some(p) = prev {
            if t.depth > p.depth {
                assert_eq!(t.depth, p.depth + 1, "{p:?} -> {t:?}");
                assert!(
                    matches!(
                        p.kind,
                        ShellTokenKind::CommandSubstitution | ShellTokenKind::ProcessSubstitution
                    ),
                    "depth rose after {p:?}"
                );
            }
        }
        covered_to = b;
        prev = Some(t);
    }
    match status {
        TokenizeStatus::Complete => {
            assert!(gap_ok(covered_to, input.len()), "uncovered text at the end")
        }
        TokenizeStatus::Truncated => assert_eq!(tokens.len(), max),
    }
}

fn shell_all<U: CodeUnit>(input: &[U]) {
    let mut out = Vec::new();
    for max in [usize::MAX, 3] {
        let status = ShellTokenizer { max_tokens: max }.tokenize(input, &mut out);
        check_shell(input, &out, status, max);
    }
}

/// Tokens of `s` as UTF-8 and as UTF-16 are the same, offsets mapped.
fn sql_widths_agree(s: &str) {
    let map = utf16_index_map(s);
    let wide: Vec<u16> = s.encode_utf16().collect();
    let (mut narrow_out, mut wide_out) = (Vec::new(), Vec::new());
    for dialect in SqlDialect::ALL {
        for options in option_sets() {
            let tk = SqlTokenizer::new(dialect, options);
            tk.tokenize(s.as_bytes(), &mut narrow_out);
            tk.tokenize(&wide, &mut wide_out);
            let mapped: Vec<Token> = narrow_out
                .iter()
                .map(|t| Token {
                    start: map[t.start as usize] as u32,
                    stop: map[t.stop as usize] as u32,
                    ..*t
                })
                .collect();
            assert_eq!(mapped, wide_out, "{dialect:?} {options:?} {s:?}");
        }
    }
}

fn shell_widths_agree(s: &str) {
    let map = utf16_index_map(s);
    let wide: Vec<u16> = s.encode_utf16().collect();
    let narrow_out = rasp_core::shell::cmd_tokenize(s);
    let mut wide_out = Vec::new();
    ShellTokenizer::default().tokenize(&wide, &mut wide_out);
    let mapped: Vec<ShellToken> = narrow_out
        .iter()
        .map(|t| ShellToken {
            start: map[t.start as usize] as u32,
            stop: map[t.stop as usize] as u32,
            ..*t
        })
        .collect();
    assert_eq!(mapped, wide_out, "{s:?}");
}

/// Strings built from SQL and shell fragments plus random characters, so
/// that the interesting constructs are common.
fn fragment_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => prop::sample::select(SQL_FRAGMENTS).prop_map(str::to_owned),
        3 => prop::sample::select(SHELL_FRAGMENTS).prop_map(str::to_owned),
        2 => "[ -~]{1,4}",
        1 => "[\t\n\r\u{b}\u{c} ]{1,2}",
        1 => "[\\\\'\"`$#@*/()-]{1,3}",
        1 => "[éß名😀\u{a0}\u{feff}]",
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn sql_any_bytes(input in prop::collection::vec(any::<u8>(), 0..256)) {
        sql_all(&input);
    }

    #[test]
    fn sql_any_utf16(input in prop::collection::vec(any::<u16>(), 0..128)) {
        sql_all(&input);
    }

    #[test]
    fn sql_fragments(s in fragment_text()) {
        sql_all(s.as_bytes());
        sql_widths_agree(&s);
    }

    #[test]
    fn sql_any_string_widths_agree(s in any::<String>()) {
        sql_widths_agree(&s);
    }

    #[test]
    fn shell_any_bytes(input in prop::collection::vec(any::<u8>(), 0..256)) {
        shell_all(&input);
    }

    #[test]
    fn shell_any_utf16(input in prop::collection::vec(any::<u16>(), 0..128)) {
        shell_all(&input);
    }

    #[test]
    fn shell_fragments(s in fragment_text()) {
        shell_all(s.as_bytes());
        shell_widths_agree(&s);
    }

    #[test]
    fn shell_any_string_widths_agree(s in any::<String>()) {
        shell_widths_agree(&s);
    }
}

#[test]
fn fixtures_keep_the_invariants() {
    for line in fixture_lines(SQL_ATTACKS)
        .into_iter()
        .chain(fixture_lines(CMD_ATTACKS))
    {
        sql_all(line.as_bytes());
        shell_all(line.as_bytes());
        sql_widths_agree(line);
        shell_widths_agree(line);
    }
}
