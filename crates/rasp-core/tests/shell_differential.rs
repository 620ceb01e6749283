//! Differential test: our shell token boundaries against `brush-parser`'s
//! tokenizer (the tokenizer of the brush shell, an independent bash-
//! compatible implementation), on generated commands and attack payloads
//! pasted into command templates.
//!
//! brush emits shell *words* and operators; we emit word pieces split around
//! expansions, with the commands inside substitutions as tokens of their
//! own. [`shell_words`] maps our tokens back to words (dropping tokens
//! inside substitutions, gluing pieces), so both sides describe the same
//! thing. The remaining normalisations are listed in `tests/DIFFERENTIAL.md`.
//! Run with `DIFF_VERBOSE=1 cargo test --test shell_differential --
//! --nocapture` to see the figures and examples.

mod common;

use common::*;
use rasp_core::shell::{cmd_tokenize, ShellTokenKind};

type Span = (usize, usize);

/// Our tokens as shell words and operators, in char offsets.
fn shell_words(q: &str) -> Vec<Span> {
    use ShellTokenKind::*;
    let map = char_index_map(q);
    let bytes = q.as_bytes();
    let mut out: Vec<Span> = Vec::new();
    let mut prev_word = false;
    // A substitution opener at depth 0 is waiting for its closer.
    let mut open = false;
    for t in cmd_tokenize(q) {
        if t.depth > 0 {
            continue;
        }
        let (a, b) = (t.start as usize, t.stop as usize);
        match t.kind {
            // brush drops comments (S1).
            Comment => {
                prev_word = false;
            }
            Operator => {
                out.push((map[a], map[b]));
                prev_word = false;
            }
            Redirect => {
                // S2: brush splits descriptors off redirections: `2>&1` is
                // `2`, `>&`, `1`.
                let mut op_a = a;
                while bytes[op_a].is_ascii_digit() {
                    op_a += 1;
                }
                let mut op_b = b;
                if bytes[b - 1].is_ascii_digit() || bytes[b - 1] == b'-' {
                    while bytes[op_b - 1] != b'&' {
                        op_b -= 1;
                    }
                }
                for (x, y) in [(a, op_a), (op_a, op_b), (op_b, b)] {
                    if x < y {
                        out.push((map[x], map[y]));
                    }
                }
                prev_word = false;
            }
            _ => {
                let substitution = matches!(t.kind, CommandSubstitution | ProcessSubstitution);
                let glue = prev_word && (open || out.last().is_some_and(|&(_, y)| y == map[a]));
                if glue {
                    out.last_mut().expect("a previous word").1 = map[b];
                } else {
                    out.push((map[a], map[b]));
                }
                if substitution {
                    open = !open;
                }
                prev_word = true;
            }
        }
    }
    out
}

/// brush's tokens as char spans.
fn brush_words(q: &str) -> Option<Vec<Span>> {
    // bash leaves extglob off in `bash -c`, and so does `sh -c`.
    let options = brush_parser::TokenizerOptions {
        enable_extended_globbing: false,
        ..Default::default()
    };
    let tokens = brush_parser::tokenize_str_with_options(q, &options).ok()?;
    let chars: Vec<char> = q.chars().collect();
    Some(
        tokens
            .iter()
            .map(|t| {
                let (text, span) = match t {
                    brush_parser::Token::Word(w, s) => (w, s),
                    brush_parser::Token::Operator(w, s) => (w, s),
                };
                let (mut a, b) = (span.start.index, span.end.index);
                // S6: brush starts a word at the line continuation before it.
                while text != "\n" && a + 1 < b {
                    match chars[a] {
                        '\\' if chars[a + 1] == '\n' => a += 2,
                        '\n' if a > 0 && chars[a - 1] == '\\' => a += 1,
                        ' ' | '\t' => a += 1,
                        _ => break,
                    }
                }
                // S1: brush's newline token spans the comment before it.
                if text == "\n" && b > a + 1 && chars[b - 1] == '\n' {
                    (b - 1, b)
                } else {
                    (a, b)
                }
            })
            .collect(),
    )
}

/// Inputs left out, and why.
fn skip_reason(q: &str) -> Option<&'static str> {
    let tokens = cmd_tokenize(q);
    // S3: brush reorders here-document bodies after their delimiter (and
    // exhausts memory on some here-document operators without a body, such
    // as `<<$( (a) ) x`).
    let heredoc_operator = |t: &rasp_core::shell::ShellToken| {
        let op = q[t.range()].trim_start_matches(|c: char| c.is_ascii_digit());
        t.kind == ShellTokenKind::Redirect && op.starts_with("<<") && !op.starts_with("<<<")
    };
    if tokens
        .iter()
        .any(|t| t.kind == ShellTokenKind::HereDoc || heredoc_operator(t))
    {
        return Some("here-document");
    }
    // S4: brush's tokenizer has no process substitution: `<(ls)` is `<`,
    // `(`, `ls`, `)` there, one word in bash (`echo a<(true)` prints
    // `a/dev/fd/63`).
    if tokens
        .iter()
        .any(|t| t.kind == ShellTokenKind::ProcessSubstitution)
    {
        return Some("process substitution");
    }
    // S5: brush's tokenizer ends `$(` at a `case` pattern's `)`; bash and
    // dash do not (`x=$(case a in a) echo hi;; esac)` works in both).
    if tokens
        .iter()
        .any(|t| t.depth > 0 && t.kind == ShellTokenKind::Word && &q[t.range()] == "case")
    {
        return Some("case inside a substitution");
    }
    None
}

#[derive(Default)]
struct Tally {
    compared: usize,
    agreed: usize,
    rejected: usize,
    skipped: usize,
    examples: Vec<String>,
}

fn compare(tally: &mut Tally, q: &str) {
    if skip_reason(q).is_some() {
        tally.skipped += 1;
        return;
    }
    let Some(theirs) = brush_words(q) else {
        tally.rejected += 1;
        return;
    };
    let ours = shell_words(q);
    tally.compared += 1;
    if ours == theirs {
        tally.agreed += 1;
    } else if tally.examples.len() < 400 {
        let chars: Vec<char> = q.chars().collect();
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
            show(&ours),
            show(&theirs)
        ));
    }
}

#[test]
fn shell_agrees_with_brush() {
    let mut inputs: Vec<String> = Vec::new();
    for payload in fixture_lines(CMD_ATTACKS) {
        for template in SHELL_TEMPLATES {
            inputs.push(template.replace("{}", payload));
        }
    }
    let mut rng = Rng::new(0x5EED_5E11);
    for _ in 0..14_000 {
        inputs.push(gen_shell(&mut rng));
    }
    let mut tally = Tally::default();
    for q in &inputs {
        compare(&mut tally, q);
    }
    let rate = 100.0 * tally.agreed as f64 / tally.compared.max(1) as f64;
    println!(
        "shell: {} inputs compared, {} agree ({rate:.2}%), {} rejected by brush, {} skipped (here-documents, \
         process substitutions, case in substitutions)",
        tally.compared, tally.agreed, tally.rejected, tally.skipped
    );
    if std::env::var_os("DIFF_VERBOSE").is_some() {
        for e in &tally.examples {
            println!("  {e}");
        }
    }
    assert!(tally.compared >= 10_000);
    assert!(rate >= 99.5, "agreement fell");
}
