//! Fuzzes the SQL tokenizer: every dialect and option set, as bytes and as
//! UTF-16 units, checking the invariants the detection relies on (tokens in
//! bounds, sorted, non-overlapping, only whitespace between them).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rasp_core::sql::{SqlDialect, SqlOptions, SqlTokenizer, Token, TokenizeStatus};
use rasp_core::text::CodeUnit;

fn check<U: CodeUnit>(input: &[U], tokens: &[Token], status: TokenizeStatus) {
    let space = |u: U| matches!(u.ascii(), Some(b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C));
    let mut covered = 0usize;
    for t in tokens {
        let (a, b) = (t.start as usize, t.stop as usize);
        assert!(a < b && b <= input.len());
        assert!(a >= covered);
        assert!(input[covered..a].iter().all(|&u| space(u)));
        covered = b;
    }
    if status == TokenizeStatus::Complete {
        assert!(input[covered..].iter().all(|&u| space(u)));
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let options = SqlOptions {
        no_backslash_escapes: flags & 1 != 0,
        standard_conforming_strings: flags & 2 == 0,
        ansi_quotes: flags & 4 != 0,
        max_tokens: if flags & 8 != 0 { 7 } else { usize::MAX },
    };
    let wide: Vec<u16> = rest
        .chunks(2)
        .map(|c| u16::from_le_bytes([c[0], *c.get(1).unwrap_or(&0)]))
        .collect();
    let mut out = Vec::new();
    for dialect in SqlDialect::ALL {
        let tk = SqlTokenizer::new(dialect, options);
        let status = tk.tokenize(rest, &mut out);
        check(rest, &out, status);
        let status = tk.tokenize(&wide, &mut out);
        check(&wide, &out, status);
    }
});
