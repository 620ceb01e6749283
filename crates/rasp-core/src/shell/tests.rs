//! One test per shell rule, plus the classic injections.

use super::*;
use ShellTokenKind::*;

fn tokens(cmd: &str) -> Vec<(&str, ShellTokenKind)> {
    let mut out = Vec::new();
    assert_eq!(
        ShellTokenizer::default().tokenize(cmd.as_bytes(), &mut out),
        TokenizeStatus::Complete
    );
    out.iter().map(|t| (&cmd[t.range()], t.kind)).collect()
}

fn texts(cmd: &str) -> Vec<&str> {
    tokens(cmd).into_iter().map(|(s, _)| s).collect()
}

/// (text, kind, unterminated, depth)
fn full(cmd: &str) -> Vec<(&str, ShellTokenKind, bool, u16)> {
    cmd_tokenize(cmd)
        .iter()
        .map(|t| (&cmd[t.range()], t.kind, t.unterminated, t.depth))
        .collect()
}

/// How many tokens the first occurrence of `value` in `cmd` overlaps.
fn spanned(cmd: &str, value: &str) -> usize {
    let at = cmd.find(value).expect("value occurs in command");
    let (a, b) = (at as u32, (at + value.len()) as u32);
    cmd_tokenize(cmd)
        .iter()
        .filter(|t| t.start < b && a < t.stop)
        .count()
}

#[test]
fn empty_and_blank() {
    assert!(texts("").is_empty());
    assert!(texts(" \t ").is_empty());
    assert!(texts("\\\n").is_empty());
}

#[test]
fn words_split_on_blanks() {
    assert_eq!(
        tokens("ls -la  /tmp\t x"),
        vec![("ls", Word), ("-la", Word), ("/tmp", Word), ("x", Word)]
    );
}

#[test]
fn quotes_do_not_split_words() {
    assert_eq!(
        texts(r#"a"b c"d 'e f'g h\ i"#),
        vec![r#"a"b c"d"#, "'e f'g", r"h\ i"]
    );
    assert_eq!(
        texts(r#"echo "a;b|c&d" 'x;y'"#),
        vec!["echo", r#""a;b|c&d""#, "'x;y'"]
    );
}

#[test]
fn single_quotes_are_literal() {
    assert_eq!(texts(r"echo 'a\' b"), vec!["echo", r"'a\'", "b"]);
    assert_eq!(
        texts("echo '$(id) `id` $x'"),
        vec!["echo", "'$(id) `id` $x'"]
    );
}

#[test]
fn backslash_escapes_metacharacters() {
    assert_eq!(
        texts(r"echo a\;b \| c\&\&d"),
        vec!["echo", r"a\;b", r"\|", r"c\&\&d"]
    );
    assert_eq!(texts(r"echo \$(id)"), vec!["echo", r"\$", "(", "id", ")"]);
}

#[test]
fn double_quote_escapes() {
    assert_eq!(texts(r#"echo "a\"b" c"#), vec!["echo", r#""a\"b""#, "c"]);
    assert_eq!(texts(r#"echo "a\$(id)""#), vec!["echo", r#""a\$(id)""#]);
    assert_eq!(texts(r#"echo "a\\" b"#), vec!["echo", r#""a\\""#, "b"]);
}

#[test]
fn line_continuation() {
    assert_eq!(texts("echo a\\\nb"), vec!["echo", "a\\\nb"]);
    assert_eq!(texts("echo a \\\n b"), vec!["echo", "a", "b"]);
}

#[test]
fn control_operators() {
    assert_eq!(
        tokens("a;b&c&&d||e|f|&g"),
        vec![
            ("a", Word),
            (";", Operator),
            ("b", Word),
            ("&", Operator),
            ("c", Word),
            ("&&", Operator),
            ("d", Word),
            ("||", Operator),
            ("e", Word),
            ("|", Operator),
            ("f", Word),
            ("|&", Operator),
            ("g", Word),
        ]
    );
    assert_eq!(
        texts("case x in a) b;; c) d;& e) f;;& esac"),
        vec![
            "case", "x", "in", "a", ")", "b", ";;", "c", ")", "d", ";&", "e", ")", "f", ";;&",
            "esac"
        ]
    );
}

#[test]
fn newline_is_an_operator() {
    assert_eq!(
        tokens("a\nb"),
        vec![("a", Word), ("\n", Operator), ("b", Word)]
    );
    assert_eq!(spanned("ping -c1 x\nid", "x\nid"), 3);
}

#[test]
fn classic_injections_span_several_tokens() {
    assert_eq!(spanned("ping -c1 127.0.0.1; id", "127.0.0.1; id"), 3);
    assert_eq!(spanned("ping -c1 127.0.0.1 && id", "127.0.0.1 && id"), 3);
    assert_eq!(spanned("ping -c1 127.0.0.1 | id", "127.0.0.1 | id"), 3);
    assert_eq!(spanned("ping -c1 127.0.0.1 || id", "127.0.0.1 || id"), 3);
    assert_eq!(spanned("cat a$(id)b", "$(id)"), 3);
    assert_eq!(spanned("cat a`id`b", "`id`"), 3);
    assert_eq!(spanned("cat ${IFS}x", "${IFS}x"), 2);
    assert_eq!(spanned("cat 'abc'", "abc"), 1);
    assert_eq!(spanned("cat 'a;b'", "a;b"), 1);
    assert_eq!(spanned("cat 'a'; id #'", "a'; id #"), 4);
    assert_eq!(spanned("cat \"x\"", "x"), 1);
}

#[test]
fn comments_start_only_at_word_start() {
    assert_eq!(
        tokens("echo a#b #c d"),
        vec![("echo", Word), ("a#b", Word), ("#c d", Comment)]
    );
    assert_eq!(
        tokens("echo x # c\ny"),
        vec![
            ("echo", Word),
            ("x", Word),
            ("# c", Comment),
            ("\n", Operator),
            ("y", Word)
        ]
    );
    assert_eq!(
        tokens("echo $#"),
        vec![("echo", Word), ("$#", ParameterExpansion)]
    );
    assert_eq!(tokens("#"), vec![("#", Comment)]);
}

#[test]
fn redirections() {
    assert_eq!(
        tokens("a >f >>g <h <>i >|j 2>&1 >&- 3<&0 &>k &>>l 2>m"),
        vec![
            ("a", Word),
            (">", Redirect),
            ("f", Word),
            (">>", Redirect),
            ("g", Word),
            ("<", Redirect),
            ("h", Word),
            ("<>", Redirect),
            ("i", Word),
            (">|", Redirect),
            ("j", Word),
            ("2>&1", Redirect),
            (">&-", Redirect),
            ("3<&0", Redirect),
            ("&>", Redirect),
            ("k", Word),
            ("&>>", Redirect),
            ("l", Word),
            ("2>", Redirect),
            ("m", Word),
        ]
    );
    // Digits are a descriptor only when they are the whole word so far.
    assert_eq!(texts("echo a2>x"), vec!["echo", "a2", ">", "x"]);
    assert_eq!(texts("echo 2 >x"), vec!["echo", "2", ">", "x"]);
    assert_eq!(texts("a >&file"), vec!["a", ">&", "file"]);
    assert_eq!(texts("a <<<word"), vec!["a", "<<<", "word"]);
}

#[test]
fn heredoc_with_quoted_delimiter_is_literal() {
    let cmd = "cat <<'EOF'\n$(id) `x`\nEOF\necho done";
    assert_eq!(
        full(cmd),
        vec![
            ("cat", Word, false, 0),
            ("<<", Redirect, false, 0),
            ("'EOF'", Word, false, 0),
            ("\n", Operator, false, 0),
            ("$(id) `x`\nEOF\n", HereDoc, false, 0),
            ("echo", Word, false, 0),
            ("done", Word, false, 0),
        ]
    );
    assert_eq!(spanned(cmd, "$(id) `x`"), 1);
}

#[test]
fn heredoc_with_unquoted_delimiter_expands() {
    assert_eq!(
        full("cat <<EOF\na $(id) b\nEOF"),
        vec![
            ("cat", Word, false, 0),
            ("<<", Redirect, false, 0),
            ("EOF", Word, false, 0),
            ("\n", Operator, false, 0),
            ("a ", HereDoc, false, 0),
            ("$(", CommandSubstitution, false, 0),
            ("id", Word, false, 1),
            (")", CommandSubstitution, false, 0),
            (" b\nEOF", HereDoc, false, 0),
        ]
    );
}

#[test]
fn heredoc_strip_tabs_and_several_bodies() {
    assert_eq!(
        texts("cat <<-A <<\"B\"; x\n\tone\n\tA\ntwo\nB\ny"),
        vec![
            "cat",
            "<<-",
            "A",
            "<<",
            "\"B\"",
            ";",
            "x",
            "\n",
            "\tone\n\tA\n",
            "two\nB\n",
            "y"
        ]
    );
}

#[test]
fn heredoc_delimiter_must_be_the_whole_line() {
    assert_eq!(
        texts("cat <<E\nEE\n E\nE\nz"),
        vec!["cat", "<<", "E", "\n", "EE\n E\nE\n", "z"]
    );
}

#[test]
fn unterminated_heredoc() {
    assert_eq!(
        full("cat <<'E'\nbody"),
        vec![
            ("cat", Word, false, 0),
            ("<<", Redirect, false, 0),
            ("'E'", Word, false, 0),
            ("\n", Operator, false, 0),
            ("body", HereDoc, true, 0),
        ]
    );
    assert_eq!(
        full("cat <<E\nbody").last(),
        Some(&("body", HereDoc, true, 0))
    );
}

#[test]
fn heredoc_inside_command_substitution() {
    assert_eq!(
        texts("x=$(cat <<E\n)\nE\n) y"),
        vec!["x=", "$(", "cat", "<<", "E", "\n", ")\nE\n", ")", "y"]
    );
}

#[test]
fn command_substitution_splits_the_word() {
    assert_eq!(
        full("echo a$(id)b"),
        vec![
            ("echo", Word, false, 0),
            ("a", Word, false, 0),
            ("$(", CommandSubstitution, false, 0),
            ("id", Word, false, 1),
            (")", CommandSubstitution, false, 0),
            ("b", Word, false, 0),
        ]
    );
}

#[test]
fn nested_command_substitutions() {
    assert_eq!(
        full("a $(b $(c) \"$(d)\")"),
        vec![
            ("a", Word, false, 0),
            ("$(", CommandSubstitution, false, 0),
            ("b", Word, false, 1),
            ("$(", CommandSubstitution, false, 1),
            ("c", Word, false, 2),
            (")", CommandSubstitution, false, 1),
            ("\"", Word, false, 1),
            ("$(", CommandSubstitution, false, 1),
            ("d", Word, false, 2),
            (")", CommandSubstitution, false, 1),
            ("\"", Word, false, 1),
            (")", CommandSubstitution, false, 0),
        ]
    );
}

#[test]
fn quotes_inside_substitutions_are_matched() {
    assert_eq!(
        texts(r#"echo "$(echo ")")""#),
        vec!["echo", "\"", "$(", "echo", "\")\"", ")", "\""]
    );
    assert_eq!(
        texts("echo $(echo ')')"),
        vec!["echo", "$(", "echo", "')'", ")"]
    );
}

#[test]
fn subshells_inside_substitutions() {
    assert_eq!(texts("$( (a) )"), vec!["$(", "(", "a", ")", ")"]);
    assert_eq!(
        kinds("$( (a) )"),
        vec![
            CommandSubstitution,
            Operator,
            Word,
            Operator,
            CommandSubstitution
        ]
    );
}

fn kinds(cmd: &str) -> Vec<ShellTokenKind> {
    tokens(cmd).into_iter().map(|(_, k)| k).collect()
}

#[test]
fn case_patterns_do_not_close_a_substitution() {
    let cmd = "x=$(case $y in a) echo hi;; (b) echo esac;; esac) z";
    let t = tokens(cmd);
    assert_eq!(t[t.len() - 2], (")", CommandSubstitution));
    assert_eq!(t[t.len() - 1], ("z", Word));
    // `case` as an argument is not the keyword.
    let t = tokens("x=$(echo case a) y");
    assert_eq!(t[t.len() - 2], (")", CommandSubstitution));
}

#[test]
fn unmatched_close_paren_at_top_level_is_an_operator() {
    assert_eq!(tokens("a)"), vec![("a", Word), (")", Operator)]);
}

#[test]
fn comment_inside_substitution_hides_the_paren() {
    assert_eq!(
        full("echo $(a # )\n)"),
        vec![
            ("echo", Word, false, 0),
            ("$(", CommandSubstitution, false, 0),
            ("a", Word, false, 1),
            ("# )", Comment, false, 1),
            ("\n", Operator, false, 1),
            (")", CommandSubstitution, false, 0),
        ]
    );
}

#[test]
fn backticks() {
    assert_eq!(
        full("echo a`id`b"),
        vec![
            ("echo", Word, false, 0),
            ("a", Word, false, 0),
            ("`", CommandSubstitution, false, 0),
            ("id", Word, false, 1),
            ("`", CommandSubstitution, false, 0),
            ("b", Word, false, 0),
        ]
    );
    assert_eq!(texts("`id`"), vec!["`", "id", "`"]);
}

#[test]
fn backtick_ends_at_first_unescaped_backtick_whatever_the_quotes() {
    // bash and dash both end the substitution inside the double quotes.
    assert_eq!(
        full("echo `echo \"a`\" b\""),
        vec![
            ("echo", Word, false, 0),
            ("`", CommandSubstitution, false, 0),
            ("echo", Word, false, 1),
            ("\"a", Word, true, 1),
            ("`", CommandSubstitution, false, 0),
            ("\" b\"", Word, false, 0),
        ]
    );
    assert_eq!(
        texts(r"echo `echo \`id\``"),
        vec!["echo", "`", "echo", r"\`id\`", "`"]
    );
}

#[test]
fn backtick_inside_double_quotes() {
    assert_eq!(
        texts("echo \"a`id`b\""),
        vec!["echo", "\"a", "`", "id", "`", "b\""]
    );
}

#[test]
fn unterminated_backtick() {
    assert_eq!(
        full("echo `id"),
        vec![
            ("echo", Word, false, 0),
            ("`", CommandSubstitution, true, 0),
            ("id", Word, false, 1)
        ]
    );
}

#[test]
fn parameter_expansions() {
    assert_eq!(
        tokens("echo $x ${IFS} $1 $@ $? $$ $! $- $* $# ${#x} $10"),
        vec![
            ("echo", Word),
            ("$x", ParameterExpansion),
            ("${IFS}", ParameterExpansion),
            ("$1", ParameterExpansion),
            ("$@", ParameterExpansion),
            ("$?", ParameterExpansion),
            ("$$", ParameterExpansion),
            ("$!", ParameterExpansion),
            ("$-", ParameterExpansion),
            ("$*", ParameterExpansion),
            ("$#", ParameterExpansion),
            ("${#x}", ParameterExpansion),
            ("$1", ParameterExpansion),
            ("0", Word),
        ]
    );
    assert_eq!(
        tokens("cat${IFS}/etc/passwd"),
        vec![
            ("cat", Word),
            ("${IFS}", ParameterExpansion),
            ("/etc/passwd", Word)
        ]
    );
    assert_eq!(
        tokens("a$IFS$9b"),
        vec![
            ("a", Word),
            ("$IFS", ParameterExpansion),
            ("$9", ParameterExpansion),
            ("b", Word)
        ]
    );
    assert_eq!(
        tokens("echo \"$x\""),
        vec![
            ("echo", Word),
            ("\"", Word),
            ("$x", ParameterExpansion),
            ("\"", Word)
        ]
    );
}

#[test]
fn lone_dollar_is_literal() {
    assert_eq!(
        texts("echo $ a$ $% \"$\""),
        vec!["echo", "$", "a$", "$%", "\"$\""]
    );
}

#[test]
fn brace_expansion_with_nested_substitution() {
    assert_eq!(
        full("echo ${x:-$(id)}"),
        vec![
            ("echo", Word, false, 0),
            ("${x:-", ParameterExpansion, false, 0),
            ("$(", CommandSubstitution, false, 0),
            ("id", Word, false, 1),
            (")", CommandSubstitution, false, 0),
            ("}", ParameterExpansion, false, 0),
        ]
    );
    // Quotes inside braces are matched; braces are not counted.
    assert_eq!(texts("echo ${x:-\"}\"}"), vec!["echo", "${x:-\"}\"}"]);
    assert_eq!(texts("echo ${x:-{a}b}"), vec!["echo", "${x:-{a}", "b}"]);
    assert_eq!(
        full("echo ${x"),
        vec![
            ("echo", Word, false, 0),
            ("${x", ParameterExpansion, true, 0)
        ]
    );
}

#[test]
fn arithmetic_expansion() {
    assert_eq!(
        tokens("echo $((1+(2*3)))x"),
        vec![
            ("echo", Word),
            ("$((1+(2*3)))", ArithmeticExpansion),
            ("x", Word)
        ]
    );
    assert_eq!(
        tokens("echo $(( $n + 1 ))"),
        vec![
            ("echo", Word),
            ("$(( ", ArithmeticExpansion),
            ("$n", ParameterExpansion),
            (" + 1 ))", ArithmeticExpansion),
        ]
    );
    assert_eq!(full("$((1"), vec![("$((1", ArithmeticExpansion, true, 0)]);
}

#[test]
fn process_substitution() {
    assert_eq!(
        full("diff <(ls a) >(cat)"),
        vec![
            ("diff", Word, false, 0),
            ("<(", ProcessSubstitution, false, 0),
            ("ls", Word, false, 1),
            ("a", Word, false, 1),
            (")", ProcessSubstitution, false, 0),
            (">(", ProcessSubstitution, false, 0),
            ("cat", Word, false, 1),
            (")", ProcessSubstitution, false, 0),
        ]
    );
}

#[test]
fn ansi_c_quotes() {
    assert_eq!(texts(r"echo $'a\'b' c"), vec!["echo", r"$'a\'b'", "c"]);
    assert_eq!(texts(r#"echo "$'a" b"#), vec!["echo", r#""$'a""#, "b"]);
}

#[test]
fn unterminated_quotes() {
    assert_eq!(
        full("echo 'abc"),
        vec![("echo", Word, false, 0), ("'abc", Word, true, 0)]
    );
    assert_eq!(
        full("echo \"abc"),
        vec![("echo", Word, false, 0), ("\"abc", Word, true, 0)]
    );
    assert_eq!(
        full("echo \"a$x b"),
        vec![
            ("echo", Word, false, 0),
            ("\"a", Word, true, 0),
            ("$x", ParameterExpansion, false, 0),
            (" b", Word, true, 0)
        ]
    );
    assert_eq!(
        full("echo $(id"),
        vec![
            ("echo", Word, false, 0),
            ("$(", CommandSubstitution, true, 0),
            ("id", Word, false, 1)
        ]
    );
    assert_eq!(full("a\\"), vec![("a\\", Word, false, 0)]);
}

#[test]
fn assignments_are_words() {
    assert_eq!(
        tokens("A=1 B=$(id) cmd"),
        vec![
            ("A=1", Word),
            ("B=", Word),
            ("$(", CommandSubstitution),
            ("id", Word),
            (")", CommandSubstitution),
            ("cmd", Word),
        ]
    );
}

#[test]
fn non_ascii_is_word_text() {
    assert_eq!(
        texts("echo café 名前;x"),
        vec!["echo", "café", "名前", ";", "x"]
    );
}

#[test]
fn utf16_and_lone_surrogates() {
    let units: Vec<u16> = "echo é;$(id)".encode_utf16().collect();
    let mut out = Vec::new();
    ShellTokenizer::default().tokenize(&units, &mut out);
    let spans: Vec<(u32, u32)> = out.iter().map(|t| (t.start, t.stop)).collect();
    assert_eq!(
        spans,
        vec![(0, 4), (5, 6), (6, 7), (7, 9), (9, 11), (11, 12)]
    );
    let units = [0xD800u16, b' ' as u16, 0xDC00];
    ShellTokenizer::default().tokenize(&units, &mut out);
    assert_eq!(out.len(), 2);
}

#[test]
fn max_tokens_truncates() {
    let t = ShellTokenizer { max_tokens: 2 };
    let mut out = Vec::new();
    assert_eq!(
        t.tokenize(b"a b".as_slice(), &mut out),
        TokenizeStatus::Complete
    );
    assert_eq!(
        t.tokenize(b"a b c".as_slice(), &mut out),
        TokenizeStatus::Truncated
    );
    assert_eq!(out.len(), 2);
}

#[test]
fn deep_nesting_does_not_recurse() {
    let n = 200_000;
    let cmd = format!("{}x{}", "$(".repeat(n), ")".repeat(n));
    let mut out = Vec::new();
    let t = ShellTokenizer {
        max_tokens: usize::MAX,
    };
    assert_eq!(
        t.tokenize(cmd.as_bytes(), &mut out),
        TokenizeStatus::Complete
    );
    assert_eq!(out.len(), 2 * n + 1);
    assert_eq!(out[n].depth, u16::MAX);
    assert!(out.iter().all(|t| !t.unterminated));
    let open = "\"$(".repeat(n);
    t.tokenize(open.as_bytes(), &mut out);
    assert!(out[0].unterminated);
}

#[test]
fn kind_names_are_stable() {
    assert_eq!(CommandSubstitution.as_str(), "command_substitution");
    assert_eq!(HereDoc.as_str(), "heredoc");
}
