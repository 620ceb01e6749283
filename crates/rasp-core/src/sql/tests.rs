//! One test per lexical rule and dialect, plus the classic injections.

use super::*;
use TokenKind::*;

fn tokens_with(dialect: SqlDialect, options: SqlOptions, q: &str) -> Vec<(&str, TokenKind, bool)> {
    let mut out = Vec::new();
    let status = SqlTokenizer::new(dialect, options).tokenize(q.as_bytes(), &mut out);
    assert_eq!(status, TokenizeStatus::Complete);
    out.iter()
        .map(|t| (&q[t.range()], t.kind, t.unterminated))
        .collect()
}

fn tokens(dialect: SqlDialect, q: &str) -> Vec<(&str, TokenKind, bool)> {
    tokens_with(dialect, SqlOptions::default(), q)
}

/// Just the token texts.
fn texts(dialect: SqlDialect, q: &str) -> Vec<&str> {
    tokens(dialect, q).into_iter().map(|(s, _, _)| s).collect()
}

fn kinds(dialect: SqlDialect, q: &str) -> Vec<TokenKind> {
    tokens(dialect, q).into_iter().map(|(_, k, _)| k).collect()
}

/// How many tokens the occurrence of `value` in `q` overlaps: the quantity
/// the injection check looks at.
fn tokens_spanned(dialect: SqlDialect, options: SqlOptions, q: &str, value: &str) -> usize {
    let at = q.find(value).expect("value occurs in query");
    let (a, b) = (at as u32, (at + value.len()) as u32);
    let mut out = Vec::new();
    SqlTokenizer::new(dialect, options).tokenize(q.as_bytes(), &mut out);
    out.iter().filter(|t| t.start < b && a < t.stop).count()
}

fn spanned(dialect: SqlDialect, q: &str, value: &str) -> usize {
    tokens_spanned(dialect, SqlOptions::default(), q, value)
}

use SqlDialect::*;

#[test]
fn from_server_maps_php_driver_names() {
    for (name, d) in [
        ("mysql", Mysql),
        ("MariaDB", Mysql),
        ("mysqli", Mysql),
        ("pgsql", Pgsql),
        ("Postgres", Pgsql),
        ("postgresql", Pgsql),
        ("sqlite", Sqlite),
        ("SQLITE3", Sqlite),
        ("sqlsrv", Mssql),
        ("dblib", Mssql),
        ("mssql", Mssql),
        ("oci", Oracle),
        ("Oracle", Oracle),
        ("odbc", Generic),
        ("firebird", Generic),
        ("", Generic),
    ] {
        assert_eq!(SqlDialect::from_server(name), d, "{name}");
    }
}

#[test]
fn empty_and_blank_input_have_no_tokens() {
    for d in SqlDialect::ALL {
        assert!(texts(d, "").is_empty());
        assert!(texts(d, " \t\r\n\x0b\x0c").is_empty());
    }
}

#[test]
fn simple_select() {
    assert_eq!(
        tokens(Mysql, "SELECT a, b FROM t WHERE id = 42;"),
        vec![
            ("SELECT", Word, false),
            ("a", Word, false),
            (",", Punctuation, false),
            ("b", Word, false),
            ("FROM", Word, false),
            ("t", Word, false),
            ("WHERE", Word, false),
            ("id", Word, false),
            ("=", Operator, false),
            ("42", Number, false),
            (";", Punctuation, false),
        ]
    );
}

// ---- the classic injection shapes ------------------------------------------

#[test]
fn tautology_in_string_spans_five_tokens() {
    let q = "SELECT * FROM u WHERE name = 'x' OR '1'='1'";
    for d in SqlDialect::ALL {
        assert_eq!(spanned(d, q, "x' OR '1'='1"), 5, "{d:?}");
    }
}

#[test]
fn tautology_in_number_spans_five_tokens() {
    for d in SqlDialect::ALL {
        assert_eq!(
            spanned(d, "SELECT * FROM u WHERE id = 1 or 1=1", "1 or 1=1"),
            5,
            "{d:?}"
        );
    }
}

#[test]
fn tautology_inside_a_string_stays_one_token() {
    for d in SqlDialect::ALL {
        assert_eq!(
            spanned(d, "SELECT * FROM u WHERE id = '1 or 1=1'", "1 or 1=1"),
            1,
            "{d:?}"
        );
    }
}

#[test]
fn obrien_doubled_quote_is_one_string_everywhere() {
    for d in SqlDialect::ALL {
        let q = "SELECT 1 WHERE name = 'O''Brien'";
        assert_eq!(texts(d, q).last(), Some(&"'O''Brien'"), "{d:?}");
        assert_eq!(spanned(d, q, "O''Brien"), 1);
    }
}

#[test]
fn obrien_backslash_quote_is_one_string_in_mysql() {
    let q = r"SELECT 1 WHERE name = 'O\'Brien'";
    assert_eq!(texts(Mysql, q).last(), Some(&r"'O\'Brien'"));
    assert_eq!(spanned(Mysql, q, r"O\'Brien"), 1);
}

#[test]
fn obrien_backslash_quote_breaks_the_string_in_standard_sql() {
    let q = r"SELECT 1 WHERE name = 'O\'Brien'";
    for d in [Pgsql, Sqlite, Mssql, Oracle, Generic] {
        let t = tokens(d, q);
        assert_eq!(t[t.len() - 3], (r"'O\'", String, false), "{d:?}");
        assert_eq!(t[t.len() - 2], ("Brien", Word, false), "{d:?}");
        assert_eq!(t[t.len() - 1], ("'", String, true), "{d:?}");
        assert!(spanned(d, q, r"O\'Brien") > 1);
    }
}

#[test]
fn mysql_no_backslash_escapes_makes_backslash_literal() {
    let opts = SqlOptions {
        no_backslash_escapes: true,
        ..SqlOptions::default()
    };
    let t = tokens_with(Mysql, opts, r"'O\'Brien'");
    assert_eq!(
        t,
        vec![
            (r"'O\'", String, false),
            ("Brien", Word, false),
            ("'", String, true)
        ]
    );
}

#[test]
fn pg_standard_conforming_strings_off_enables_backslash() {
    let opts = SqlOptions {
        standard_conforming_strings: false,
        ..SqlOptions::default()
    };
    assert_eq!(
        tokens_with(Pgsql, opts, r"'O\'Brien'"),
        vec![(r"'O\'Brien'", String, false)]
    );
}

#[test]
fn stacked_query_is_separate_tokens() {
    let q = "SELECT * FROM t WHERE id = 1; DROP TABLE users";
    for d in SqlDialect::ALL {
        assert_eq!(spanned(d, q, "1; DROP TABLE users"), 5, "{d:?}");
    }
}

#[test]
fn comment_after_string_is_a_comment_token() {
    let q = "SELECT * FROM u WHERE name = 'a' -- comment\nAND x = 1";
    for d in SqlDialect::ALL {
        let t = tokens(d, q);
        assert!(t.contains(&("-- comment", Comment, false)), "{d:?}: {t:?}");
        assert_eq!(spanned(d, q, "a' -- comment"), 2);
    }
}

#[test]
fn unterminated_string_runs_to_end() {
    for d in SqlDialect::ALL {
        let t = tokens(d, "SELECT 'abc");
        assert_eq!(t[1], ("'abc", String, true), "{d:?}");
    }
}

#[test]
fn doubled_quote_at_end_is_unterminated() {
    for d in SqlDialect::ALL {
        assert_eq!(tokens(d, "'ab''"), vec![("'ab''", String, true)], "{d:?}");
    }
}

// ---- comments ---------------------------------------------------------------

#[test]
fn mysql_dash_dash_needs_whitespace_or_control() {
    assert_eq!(
        kinds(Mysql, "1--1"),
        vec![Number, Operator, Operator, Number]
    );
    assert_eq!(texts(Mysql, "1 -- x"), vec!["1", "-- x"]);
    assert_eq!(texts(Mysql, "1 --\tx"), vec!["1", "--\tx"]);
    assert_eq!(texts(Mysql, "1 --\x01x"), vec!["1", "--\x01x"]);
    assert_eq!(
        tokens(Mysql, "1 --"),
        vec![("1", Number, false), ("--", Comment, false)]
    );
    assert_eq!(texts(Mysql, "1 --\nx"), vec!["1", "--", "x"]);
}

#[test]
fn dash_dash_needs_nothing_elsewhere() {
    for d in [Pgsql, Sqlite, Mssql, Oracle, Generic] {
        assert_eq!(texts(d, "1--1"), vec!["1", "--1"], "{d:?}");
    }
}

#[test]
fn line_comment_stops_before_newline() {
    for d in SqlDialect::ALL {
        assert_eq!(texts(d, "a -- b\nc"), vec!["a", "-- b", "c"], "{d:?}");
    }
    assert_eq!(texts(Pgsql, "a --b\rc"), vec!["a", "--b", "c"]);
    assert_eq!(texts(Mysql, "a -- b\rc"), vec!["a", "-- b\rc"]);
}

#[test]
fn hash_is_a_comment_only_in_mysql() {
    assert_eq!(
        tokens(Mysql, "1 # x\n2"),
        vec![
            ("1", Number, false),
            ("# x", Comment, false),
            ("2", Number, false)
        ]
    );
    assert_eq!(kinds(Mysql, "'a'#"), vec![String, Comment]);
    assert_eq!(kinds(Pgsql, "1 # 2"), vec![Number, Operator, Number]);
    assert_eq!(texts(Pgsql, "a #> '{b}'"), vec!["a", "#>", "'{b}'"]);
    assert_eq!(tokens(Sqlite, "#x"), vec![("#x", Variable, false)]);
    assert_eq!(tokens(Mssql, "#tmp")[0], ("#tmp", Word, false));
    assert_eq!(tokens(Mssql, "##tmp")[0], ("##tmp", Word, false));
    assert_eq!(tokens(Generic, "#")[0], ("#", Other, false));
}

#[test]
fn block_comments() {
    for d in SqlDialect::ALL {
        assert_eq!(
            tokens(d, "a/* x */b"),
            vec![
                ("a", Word, false),
                ("/* x */", Comment, false),
                ("b", Word, false)
            ]
        );
        assert_eq!(
            tokens(d, "a /* x"),
            vec![("a", Word, false), ("/* x", Comment, true)]
        );
        assert_eq!(tokens(d, "/**/"), vec![("/**/", Comment, false)]);
        assert_eq!(tokens(d, "/*/"), vec![("/*/", Comment, true)]);
    }
}

#[test]
fn pg_and_mssql_comments_nest() {
    for d in [Pgsql, Mssql] {
        assert_eq!(
            texts(d, "/* a /* b */ c */ d"),
            vec!["/* a /* b */ c */", "d"],
            "{d:?}"
        );
        assert_eq!(tokens(d, "/* /* */"), vec![("/* /* */", Comment, true)]);
    }
    for d in [Mysql, Sqlite, Oracle, Generic] {
        assert_eq!(
            texts(d, "/* a /* b */ c */ d"),
            vec!["/* a /* b */", "c", "*", "/", "d"],
            "{d:?}"
        );
    }
}

#[test]
fn mysql_version_comment_exposes_its_content() {
    assert_eq!(
        tokens(Mysql, "1 /*!50000union*/ select"),
        vec![
            ("1", Number, false),
            ("/*!50000", VersionComment, false),
            ("union", Word, false),
            ("*/", VersionComment, false),
            ("select", Word, false),
        ]
    );
    assert_eq!(
        texts(Mysql, "/*! SELECT 1 */"),
        vec!["/*!", "SELECT", "1", "*/"]
    );
    // Four digits are not a version: they are content.
    assert_eq!(texts(Mysql, "/*!5000 1*/"), vec!["/*!", "5000", "1", "*/"]);
    // A value that contains the executable comment spans several tokens.
    assert_eq!(
        spanned(
            Mysql,
            "SELECT 1 /*!50000union*/ select 2",
            "/*!50000union*/"
        ),
        3
    );
}

#[test]
fn mysql_version_comment_content_can_hold_strings_and_comments() {
    assert_eq!(
        texts(Mysql, "/*!'*/' /* c */ x*/y"),
        vec!["/*!", "'*/'", "/* c */", "x", "*/", "y"]
    );
}

#[test]
fn mysql_unterminated_version_comment_marks_the_opener() {
    assert_eq!(
        tokens(Mysql, "/*!50000 union select"),
        vec![
            ("/*!50000", VersionComment, true),
            ("union", Word, false),
            ("select", Word, false),
        ]
    );
}

#[test]
fn mariadb_version_comment() {
    assert_eq!(
        texts(Mysql, "/*M!100100 x */"),
        vec!["/*M!100100", "x", "*/"]
    );
}

#[test]
fn star_slash_outside_version_comment_is_two_operators() {
    assert_eq!(
        kinds(Mysql, "2*/1"),
        vec![Number, Operator, Operator, Number]
    );
}

#[test]
fn version_comments_are_plain_comments_outside_mysql() {
    for d in [Pgsql, Sqlite, Mssql, Oracle, Generic] {
        assert_eq!(
            tokens(d, "/*!50000union*/"),
            vec![("/*!50000union*/", Comment, false)],
            "{d:?}"
        );
    }
}

#[test]
fn hints_are_one_version_comment_token() {
    for d in [Mysql, Oracle] {
        assert_eq!(
            tokens(d, "SELECT /*+ INDEX(t i) */ 1"),
            vec![
                ("SELECT", Word, false),
                ("/*+ INDEX(t i) */", VersionComment, false),
                ("1", Number, false)
            ],
            "{d:?}"
        );
    }
    assert_eq!(kinds(Pgsql, "/*+ x */"), vec![Comment]);
}

// ---- strings ----------------------------------------------------------------

#[test]
fn mysql_double_quotes_are_strings_unless_ansi_quotes() {
    assert_eq!(
        tokens(Mysql, r#""a\"b""#),
        vec![(r#""a\"b""#, String, false)]
    );
    assert_eq!(
        tokens(Mysql, r#""a""b""#),
        vec![(r#""a""b""#, String, false)]
    );
    let ansi = SqlOptions {
        ansi_quotes: true,
        ..SqlOptions::default()
    };
    assert_eq!(
        tokens_with(Mysql, ansi, r#""a""b""#),
        vec![(r#""a""b""#, QuotedIdentifier, false)]
    );
    assert_eq!(
        tokens_with(Mysql, ansi, r#""a\"b""#),
        vec![
            (r#""a\""#, QuotedIdentifier, false),
            ("b", Word, false),
            ("\"", QuotedIdentifier, true)
        ]
    );
}

#[test]
fn double_quotes_are_identifiers_elsewhere() {
    for d in [Pgsql, Sqlite, Mssql, Oracle, Generic] {
        assert_eq!(
            tokens(d, r#""a""b" x"#)[0],
            (r#""a""b""#, QuotedIdentifier, false),
            "{d:?}"
        );
        assert_eq!(
            tokens(d, r#""ab"#),
            vec![(r#""ab"#, QuotedIdentifier, true)]
        );
    }
}

#[test]
fn backslash_at_end_of_mysql_string_is_unterminated() {
    assert_eq!(tokens(Mysql, r"'abc\"), vec![(r"'abc\", String, true)]);
    assert_eq!(tokens(Mysql, r"'abc\'"), vec![(r"'abc\'", String, true)]);
}

#[test]
fn national_hex_and_bit_strings() {
    for d in [Mysql, Pgsql, Mssql, Oracle, Generic] {
        assert_eq!(
            tokens(d, "N'x''y' 1")[0],
            ("N'x''y'", String, false),
            "{d:?}"
        );
        assert_eq!(tokens(d, "n'x'")[0], ("n'x'", String, false), "{d:?}");
    }
    assert_eq!(texts(Sqlite, "N'x'"), vec!["N", "'x'"]);
    for d in [Mysql, Pgsql, Sqlite, Generic] {
        assert_eq!(
            tokens(d, "X'1F' x'2e'"),
            vec![("X'1F'", String, false), ("x'2e'", String, false)]
        );
    }
    for d in [Mysql, Pgsql, Generic] {
        assert_eq!(tokens(d, "B'0101'")[0], ("B'0101'", String, false), "{d:?}");
    }
    // Hex strings do not take doubled quotes: `X'1F'` then a new string.
    assert_eq!(texts(Pgsql, "X'1F''a'"), vec!["X'1F'", "'a'"]);
    // A prefix letter glued to a longer word is just part of the word.
    assert_eq!(texts(Pgsql, "abcE'x'"), vec!["abcE", "'x'"]);
}

#[test]
fn mysql_national_string_takes_backslash_escapes() {
    assert_eq!(tokens(Mysql, r"N'a\'b'"), vec![(r"N'a\'b'", String, false)]);
}

#[test]
fn mysql_charset_introducer_is_a_word_then_a_string() {
    assert_eq!(
        texts(Mysql, "_utf8mb4'x' _latin1 0x41"),
        vec!["_utf8mb4", "'x'", "_latin1", "0x41"]
    );
}

#[test]
fn pg_escape_strings_take_backslashes() {
    assert_eq!(
        tokens(Pgsql, r"E'O\'Brien' x"),
        vec![(r"E'O\'Brien'", String, false), ("x", Word, false)]
    );
    assert_eq!(
        tokens(Pgsql, r"e'a''b\\'"),
        vec![(r"e'a''b\\'", String, false)]
    );
    // Not in other dialects.
    assert_eq!(texts(Mysql, "E'x'"), vec!["E", "'x'"]);
}

#[test]
fn pg_unicode_strings_and_identifiers() {
    assert_eq!(
        tokens(Pgsql, r#"U&'d\0061t' U&"d!0061" x"#),
        vec![
            (r"U&'d\0061t'", String, false),
            (r#"U&"d!0061""#, QuotedIdentifier, false),
            ("x", Word, false)
        ]
    );
    assert_eq!(tokens(Pgsql, r"u&'\'")[0], (r"u&'\'", String, false));
    assert_eq!(texts(Pgsql, "U&x"), vec!["U", "&", "x"]);
}

#[test]
fn pg_dollar_quoting() {
    assert_eq!(
        tokens(Pgsql, "SELECT $$it's ' -- not a comment$$, 1"),
        vec![
            ("SELECT", Word, false),
            ("$$it's ' -- not a comment$$", String, false),
            (",", Punctuation, false),
            ("1", Number, false),
        ]
    );
    assert_eq!(
        texts(Pgsql, "$fn$ a $x$ b $fn$ c"),
        vec!["$fn$ a $x$ b $fn$", "c"]
    );
    assert_eq!(
        tokens(Pgsql, "$a$ x $b$"),
        vec![("$a$ x $b$", String, true)]
    );
    assert_eq!(tokens(Pgsql, "$$"), vec![("$$", String, true)]);
    assert_eq!(tokens(Pgsql, "$$$$"), vec![("$$$$", String, false)]);
    // A tag followed by a longer tag-like run is not the terminator.
    assert_eq!(texts(Pgsql, "$ab$ $abc$ $ab$"), vec!["$ab$ $abc$ $ab$"]);
    assert_eq!(texts(Pgsql, "$ab$ $a$ab$"), vec!["$ab$ $a$ab$"]);
}

#[test]
fn pg_positional_params_and_lone_dollar() {
    assert_eq!(
        tokens(Pgsql, "$1 $23"),
        vec![("$1", Variable, false), ("$23", Variable, false)]
    );
    assert_eq!(
        tokens(Pgsql, "$foo"),
        vec![("$", Other, false), ("foo", Word, false)]
    );
    // `$` inside an identifier does not start a dollar quote.
    assert_eq!(texts(Pgsql, "a$$b$$"), vec!["a$$b$$"]);
}

#[test]
fn dollar_elsewhere() {
    assert_eq!(
        tokens(Mysql, "$a $$"),
        vec![("$a", Word, false), ("$$", Word, false)]
    );
    assert_eq!(
        tokens(Sqlite, "$a $"),
        vec![("$a", Variable, false), ("$", Other, false)]
    );
    assert_eq!(tokens(Mssql, "$action"), vec![("$action", Word, false)]);
    assert_eq!(tokens(Oracle, "$"), vec![("$", Other, false)]);
}

#[test]
fn oracle_q_quotes() {
    assert_eq!(
        tokens(Oracle, "q'[it's]' x"),
        vec![("q'[it's]'", String, false), ("x", Word, false)]
    );
    assert_eq!(tokens(Oracle, "Q'{a}'"), vec![("Q'{a}'", String, false)]);
    assert_eq!(
        tokens(Oracle, "q'!a'b!'"),
        vec![("q'!a'b!'", String, false)]
    );
    assert_eq!(tokens(Oracle, "nq'(x)'"), vec![("nq'(x)'", String, false)]);
    assert_eq!(tokens(Oracle, "q'<x"), vec![("q'<x", String, true)]);
    assert_eq!(tokens(Oracle, "q'éaé'"), vec![("q'éaé'", String, false)]);
    // Whitespace cannot delimit: `q` is a word and the quote a string.
    assert_eq!(texts(Oracle, "q' x'"), vec!["q", "' x'"]);
    // Only Oracle has them.
    assert_eq!(texts(Mysql, "q'[x]'"), vec!["q", "'[x]'"]);
}

// ---- identifiers ------------------------------------------------------------

#[test]
fn backtick_identifiers() {
    for d in [Mysql, Sqlite, Generic] {
        assert_eq!(
            tokens(d, "`a``b`.c"),
            vec![
                ("`a``b`", QuotedIdentifier, false),
                (".", Punctuation, false),
                ("c", Word, false)
            ]
        );
        assert_eq!(tokens(d, "`ab"), vec![("`ab", QuotedIdentifier, true)]);
    }
    assert_eq!(tokens(Pgsql, "`a`")[0], ("`", Operator, false));
    assert_eq!(tokens(Mssql, "`a`")[0], ("`", Other, false));
}

#[test]
fn bracket_identifiers() {
    assert_eq!(
        tokens(Mssql, "[a]]b] x"),
        vec![("[a]]b]", QuotedIdentifier, false), ("x", Word, false)]
    );
    assert_eq!(tokens(Mssql, "[ab"), vec![("[ab", QuotedIdentifier, true)]);
    assert_eq!(texts(Sqlite, "[a]]b]"), vec!["[a]", "]", "b", "]"]);
    assert_eq!(
        kinds(Pgsql, "a[1]"),
        vec![Word, Punctuation, Number, Punctuation]
    );
    assert_eq!(kinds(Mysql, "[a]"), vec![Punctuation, Word, Punctuation]);
}

#[test]
fn non_ascii_is_identifier_text() {
    for d in SqlDialect::ALL {
        assert_eq!(
            texts(d, "SELECT café, 名前 FROM t"),
            vec!["SELECT", "café", ",", "名前", "FROM", "t"],
            "{d:?}"
        );
    }
}

#[test]
fn mysql_identifiers_may_start_with_digits() {
    assert_eq!(tokens(Mysql, "1union"), vec![("1union", Word, false)]);
    assert_eq!(
        tokens(Mysql, "1e5union"),
        vec![("1e5", Number, false), ("union", Word, false)]
    );
    assert_eq!(tokens(Mysql, "1e"), vec![("1e", Word, false)]);
    assert_eq!(
        tokens(Mysql, "1.5union"),
        vec![("1.5", Number, false), ("union", Word, false)]
    );
    assert_eq!(texts(Pgsql, "1union"), vec!["1", "union"]);
    assert_eq!(tokens(Sqlite, "1union"), vec![("1union", Other, false)]);
}

#[test]
fn mysql_dot_after_identifier_separates() {
    assert_eq!(texts(Mysql, "t.5"), vec!["t", ".", "5"]);
    assert_eq!(texts(Mysql, "t .5"), vec!["t", ".5"]);
    assert_eq!(texts(Pgsql, "t.5"), vec!["t", ".5"]);
}

// ---- numbers ----------------------------------------------------------------

#[test]
fn numbers() {
    for d in SqlDialect::ALL {
        for n in [
            "0", "42", "1.5", "1.", ".5", "1e10", "1E+10", "1.5e-3", ".5e3",
        ] {
            assert_eq!(tokens(d, n), vec![(n, Number, false)], "{d:?} {n}");
        }
    }
}

#[test]
fn hex_and_binary_numbers() {
    assert_eq!(
        tokens(Mysql, "0x1F 0b101"),
        vec![("0x1F", Number, false), ("0b101", Number, false)]
    );
    // MySQL: `0X`, and `0x` running into letters, are identifiers.
    assert_eq!(tokens(Mysql, "0X1F"), vec![("0X1F", Word, false)]);
    assert_eq!(tokens(Mysql, "0x1g"), vec![("0x1g", Word, false)]);
    assert_eq!(tokens(Mysql, "0x"), vec![("0x", Word, false)]);
    assert_eq!(
        tokens(Pgsql, "0x1F 0o17 0B11 1_000"),
        vec![
            ("0x1F", Number, false),
            ("0o17", Number, false),
            ("0B11", Number, false),
            ("1_000", Number, false),
        ]
    );
    assert_eq!(tokens(Sqlite, "0x1F"), vec![("0x1F", Number, false)]);
    assert_eq!(tokens(Sqlite, "0b1"), vec![("0b1", Other, false)]);
    assert_eq!(texts(Oracle, "0x1F"), vec!["0", "x1F"]);
}

#[test]
fn pg_range_dots_are_not_a_decimal_point() {
    assert_eq!(texts(Pgsql, "1..10"), vec!["1", "..", "10"]);
    assert_eq!(texts(Pgsql, "a..5"), vec!["a", "..", "5"]);
}

#[test]
fn minus_is_not_part_of_a_number() {
    for d in SqlDialect::ALL {
        assert_eq!(texts(d, "-1"), vec!["-", "1"], "{d:?}");
    }
}

// ---- operators --------------------------------------------------------------

#[test]
fn mysql_operators() {
    assert_eq!(
        texts(Mysql, "a<=>b<=c>=d<>e!=f||g&&h:=i->j->>k<<l>>m"),
        vec![
            "a", "<=>", "b", "<=", "c", ">=", "d", "<>", "e", "!=", "f", "||", "g", "&&", "h",
            ":=", "i", "->", "j", "->>", "k", "<<", "l", ">>", "m"
        ]
    );
    assert_eq!(texts(Mysql, "a=-1"), vec!["a", "=", "-", "1"]);
}

#[test]
fn pg_operators_follow_scan_l() {
    assert_eq!(texts(Pgsql, "a::int"), vec!["a", "::", "int"]);
    assert_eq!(texts(Pgsql, "a=-1"), vec!["a", "=", "-", "1"]);
    assert_eq!(texts(Pgsql, "a<>-1"), vec!["a", "<>", "-", "1"]);
    assert_eq!(texts(Pgsql, "a@-1"), vec!["a", "@-", "1"]);
    assert_eq!(
        texts(Pgsql, "a @> b ->> 'k' ?| c"),
        vec!["a", "@>", "b", "->>", "'k'", "?|", "c"]
    );
    assert_eq!(texts(Pgsql, "a=--x\nb"), vec!["a", "=", "--x", "b"]);
    assert_eq!(texts(Pgsql, "a+/*x*/b"), vec!["a", "+", "/*x*/", "b"]);
    assert_eq!(
        texts(Pgsql, "a*-+-+-b"),
        vec!["a", "*", "-", "+", "-", "+", "-", "b"]
    );
    assert_eq!(texts(Pgsql, "a<=>b"), vec!["a", "<=>", "b"]);
    assert_eq!(texts(Pgsql, "a!=b"), vec!["a", "!=", "b"]);
}

#[test]
fn other_dialect_operators() {
    assert_eq!(
        texts(Sqlite, "a==b||c->>d"),
        vec!["a", "==", "b", "||", "c", "->>", "d"]
    );
    assert_eq!(
        texts(Mssql, "a+=1 b!<c x::y"),
        vec!["a", "+=", "1", "b", "!<", "c", "x", "::", "y"]
    );
    assert_eq!(
        texts(Oracle, "a||b x:=1 c**2"),
        vec!["a", "||", "b", "x", ":=", "1", "c", "**", "2"]
    );
}

// ---- variables and placeholders --------------------------------------------

#[test]
fn mysql_variables() {
    assert_eq!(
        tokens(Mysql, "@a @'b c' @@version @`x` @a.b @"),
        vec![
            ("@a", Variable, false),
            ("@'b c'", Variable, false),
            ("@@version", Variable, false),
            ("@`x`", Variable, false),
            ("@a.b", Variable, false),
            ("@", Operator, false),
        ]
    );
    assert_eq!(
        texts(Mysql, "@@global.max_connections"),
        vec!["@@global", ".", "max_connections"]
    );
}

#[test]
fn placeholders() {
    for d in [Mysql, Sqlite, Mssql, Oracle, Generic] {
        assert_eq!(tokens(d, "?")[0], ("?", Variable, false), "{d:?}");
        assert_eq!(tokens(d, ":name")[0], (":name", Variable, false), "{d:?}");
    }
    assert_eq!(tokens(Sqlite, "?12")[0], ("?12", Variable, false));
    assert_eq!(tokens(Oracle, ":1")[0], (":1", Variable, false));
    assert_eq!(texts(Pgsql, "a[1:2]"), vec!["a", "[", "1", ":", "2", "]"]);
    assert_eq!(tokens(Pgsql, "?")[0], ("?", Operator, false));
}

#[test]
fn mssql_variables() {
    assert_eq!(
        tokens(Mssql, "@p1 @@ROWCOUNT"),
        vec![("@p1", Variable, false), ("@@ROWCOUNT", Variable, false)]
    );
}

#[test]
fn sqlite_parameters() {
    assert_eq!(
        kinds(Sqlite, "@a :b $c #d ?1 ?"),
        vec![Variable, Variable, Variable, Variable, Variable, Variable]
    );
    assert_eq!(tokens(Sqlite, "@")[0], ("@", Other, false));
    // `@@x` is an illegal `@`, then `@x`.
    assert_eq!(
        tokens(Sqlite, "@@x"),
        vec![("@", Other, false), ("@x", Variable, false)]
    );
    // Tcl forms.
    assert_eq!(
        tokens(Sqlite, "$a::b(c d) $x(1) @a(b)"),
        vec![
            ("$a::b(c", Other, false),
            ("d", Word, false),
            (")", Punctuation, false),
            ("$x(1)", Variable, false),
            ("@a(b)", Variable, false),
        ]
    );
    assert_eq!(texts(Generic, "@a(b)"), vec!["@a", "(", "b", ")"]);
}

// ---- other ------------------------------------------------------------------

#[test]
fn stray_characters_are_other() {
    assert_eq!(tokens(Pgsql, "\\"), vec![("\\", Other, false)]);
    assert_eq!(tokens(Mysql, "\x00"), vec![("\x00", Other, false)]);
    assert_eq!(tokens(Mysql, r"\N"), vec![(r"\N", Word, false)]);
    assert_eq!(kinds(Mysql, r"\x"), vec![Other, Word]);
}

#[test]
fn max_tokens_truncates() {
    let opts = SqlOptions {
        max_tokens: 3,
        ..SqlOptions::default()
    };
    let tk = SqlTokenizer::new(Mysql, opts);
    let mut out = Vec::new();
    assert_eq!(
        tk.tokenize(b"a b c".as_slice(), &mut out),
        TokenizeStatus::Complete
    );
    assert_eq!(out.len(), 3);
    assert_eq!(
        tk.tokenize(b"a b c d".as_slice(), &mut out),
        TokenizeStatus::Truncated
    );
    assert_eq!(out.len(), 3);
    let zero = SqlTokenizer::new(
        Mysql,
        SqlOptions {
            max_tokens: 0,
            ..opts
        },
    );
    assert_eq!(
        zero.tokenize(b"".as_slice(), &mut out),
        TokenizeStatus::Complete
    );
    assert_eq!(
        zero.tokenize(b"x".as_slice(), &mut out),
        TokenizeStatus::Truncated
    );
}

#[test]
fn output_vector_is_cleared() {
    let tk = SqlTokenizer::new(Mysql, SqlOptions::default());
    let mut out = Vec::new();
    tk.tokenize(b"a b c".as_slice(), &mut out);
    tk.tokenize(b"d".as_slice(), &mut out);
    assert_eq!(out.len(), 1);
}

#[test]
fn utf16_offsets_are_code_units() {
    let q = "SELECT '😀' , x";
    let units: Vec<u16> = q.encode_utf16().collect();
    let mut out = Vec::new();
    SqlTokenizer::new(Mysql, SqlOptions::default()).tokenize(&units, &mut out);
    let spans: Vec<(u32, u32)> = out.iter().map(|t| (t.start, t.stop)).collect();
    assert_eq!(spans, vec![(0, 6), (7, 11), (12, 13), (14, 15)]);
}

#[test]
fn lone_surrogates_are_identifier_text() {
    let units = [b'a' as u16, 0xD800, b' ' as u16, 0xDC00, b'\'' as u16];
    let mut out = Vec::new();
    SqlTokenizer::new(Pgsql, SqlOptions::default()).tokenize(&units, &mut out);
    let spans: Vec<(u32, u32, TokenKind)> = out.iter().map(|t| (t.start, t.stop, t.kind)).collect();
    assert_eq!(spans, vec![(0, 2, Word), (3, 4, Word), (4, 5, String)]);
}

#[test]
fn latin1_bytes_are_identifier_text() {
    let q = b"SELECT caf\xe9 FROM t";
    let mut out = Vec::new();
    SqlTokenizer::new(Mysql, SqlOptions::default()).tokenize(q.as_slice(), &mut out);
    assert_eq!(out.len(), 4);
    assert_eq!(out[1].range(), 7..11);
}

#[test]
fn token_kind_names_are_stable() {
    assert_eq!(Word.as_str(), "word");
    assert_eq!(VersionComment.as_str(), "version_comment");
    assert_eq!(QuotedIdentifier.as_str(), "quoted_identifier");
}

#[test]
fn long_operator_and_dollar_runs_are_linear() {
    // These would be quadratic with naive rescanning; keep them fast.
    let big = SqlOptions {
        max_tokens: usize::MAX,
        ..SqlOptions::default()
    };
    let ops = "-+".repeat(200_000);
    assert_eq!(tokens_with(Pgsql, big, &ops).len(), 400_000);
    let ops = "=-".repeat(200_000);
    assert_eq!(texts(Pgsql, &ops).len(), 2);
    let dollars = format!("$aaaa$ {} ", "$aaa".repeat(100_000));
    assert_eq!(tokens(Pgsql, &dollars).len(), 1);
}
