//! Fuzzes the shell tokenizer as bytes and as UTF-16 units, checking that
//! tokens are in bounds, sorted and non-overlapping, that only blanks and
//! line continuations lie between them, and that nesting depth moves by one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rasp_core::shell::{ShellToken, ShellTokenKind, ShellTokenizer, TokenizeStatus};
use rasp_core::text::CodeUnit;

fn check<U: CodeUnit>(input: &[U], tokens: &[ShellToken], status: TokenizeStatus) {
    let byte = |i: usize| input.get(i).and_then(|u| u.ascii());
    let gap_ok = |from: usize, to: usize| {
        (from..to).all(|i| match byte(i) {
            Some(b' ' | b'\t') => true,
            Some(b'\\') => byte(i + 1) == Some(b'\n') && i + 1 < to,
            Some(b'\n') => i > from && byte(i - 1) == Some(b'\\'),
            _ => false,
        })
    };
    let mut covered = 0usize;
    let mut prev: Option<&ShellToken> = None;
    for t in tokens {
        let (a, b) = (t.start as usize, t.stop as usize);
        assert!(a < b && b <= input.len());
        assert!(a >= covered);
        assert!(gap_ok(covered, a));
        if let Some(p) = prev {
            if t.depth > p.depth {
                assert_eq!(t.depth, p.depth + 1);
                assert!(matches!(
                    p.kind,
                    ShellTokenKind::CommandSubstitution | ShellTokenKind::ProcessSubstitution
                ));
            }
        }
        covered = b;
        prev = Some(t);
    }
    if status == TokenizeStatus::Complete {
        assert!(gap_ok(covered, input.len()));
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let tk = ShellTokenizer {
        max_tokens: if flags & 1 != 0 { 7 } else { usize::MAX },
    };
    let wide: Vec<u16> = rest
        .chunks(2)
        .map(|c| u16::from_le_bytes([c[0], *c.get(1).unwrap_or(&0)]))
        .collect();
    let mut out = Vec::new();
    let status = tk.tokenize(rest, &mut out);
    check(rest, &out, status);
    let status = tk.tokenize(&wide, &mut out);
    check(&wide, &out, status);
});
