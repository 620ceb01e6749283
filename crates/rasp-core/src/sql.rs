//! A SQL tokenizer that draws token boundaries where the database does.
//!
//! # Why this exists
//!
//! The SQL injection check that matters most (`sql_userinput` in the
//! plugins) does not parse SQL. It finds each request parameter inside the
//! query the application is about to run, and asks which tokens that
//! occurrence overlaps. A value that stays inside one token (a string literal,
//! a number, an identifier) was data; a value that spans two or more tokens,
//! or cuts a token open (an unterminated string or comment), changed the
//! query's structure. That test is only as good as the token boundaries: if
//! we think `'O\'Brien'` is one string but the server thinks the string ends
//! at the backslash, an attacker gets to write SQL that we call data. So the
//! rules here follow each server's *lexer* (MySQL's `sql_lex.cc`,
//! PostgreSQL's `scan.l`, SQLite's `tokenize.c`, ...) rather than any SQL
//! grammar, and [`SqlDialect`] plus [`SqlOptions`] select the rules.
//!
//! # What a token is
//!
//! A [`Token`] is a half-open range of code units (see [`crate::text`]) plus
//! a [`TokenKind`]. Tokens come out sorted, non-empty and non-overlapping;
//! every code unit that no token covers is ASCII whitespace (space, tab,
//! `\n`, `\r`, vertical tab, form feed). Comments are tokens, because an
//! attacker who opens one has changed the query. A string, comment or quoted
//! identifier that never closes becomes one token running to the end of the
//! input, with [`Token::unterminated`] set.
//!
//! Kinds are a courtesy: the boundaries are the contract. Keywords and bare
//! identifiers are both [`TokenKind::Word`], because only a parser knows
//! which is which, and the injection check does not care.
//!
//! # MySQL executable comments
//!
//! MySQL runs the inside of `/*! ... */` and `/*!50000 ... */` as SQL (when
//! the server is at least the given version, which for an attacker's payload
//! it always is). Emitting the whole thing as one comment token would let
//! `/*!50000union*/ select` pass as "one token" of harmless comment. So the
//! tokenizer does what MySQL does: the opener (`/*!`, plus its version digits)
//! is one [`TokenKind::VersionComment`] token, the content is tokenized as
//! ordinary SQL, and the closing `*/` is a second `VersionComment` token. A
//! value that reaches into or across an executable comment therefore spans
//! several tokens. If the comment never closes, the *opener* is marked
//! unterminated. MariaDB's `/*M!` form is treated the same way.
//!
//! Optimizer hints (`/*+ ... */`, MySQL and Oracle) are not SQL inside, so
//! they are one `VersionComment` token from `/*+` to `*/`.
//!
//! # Dialects in one paragraph each
//!
//! * **MySQL/MariaDB**: `'` and `"` strings with backslash escapes (off with
//!   `NO_BACKSLASH_ESCAPES`; `ANSI_QUOTES` makes `"` an identifier quote);
//!   backtick identifiers; `#` comments; `-- ` needs a whitespace or control
//!   character after the dashes; block comments do not nest; identifiers may
//!   start with a digit (`1union` is one word) and `0x`/`0b` literals that run
//!   into letters are identifiers too; `@var`, `@'var'`, `@@sysvar`.
//! * **PostgreSQL**: `"` identifiers; `'` strings with backslash escapes only
//!   when `standard_conforming_strings` is off; `E'..'` escape strings;
//!   `$tag$ .. $tag$` dollar quoting; `U&'..'`; block comments nest; operators
//!   are any run of operator characters, split the way `scan.l` splits them
//!   (so `#` is an operator and `=-1` is `=` then `-`); `$1` parameters.
//! * **SQLite**: `"`, backtick and `[..]` identifiers; `?NNN`, `:x`, `@x`,
//!   `$x`, `#x` parameters; a number running into letters is one illegal
//!   token ([`TokenKind::Other`]).
//! * **SQL Server**: `[..]` identifiers with `]]` doubling; `@var`,
//!   `@@var` and `#temp` names; block comments nest.
//! * **Oracle**: `q'[..]'` alternative quoting; `:bind` variables; hints.
//! * **Generic** (ODBC and other unknown servers): ANSI SQL, `"`
//!   identifiers, `''` doubling only, plus the common operators.
//!
//! # Known simplifications
//!
//! Adjacent string literals that PostgreSQL glues together across a newline
//! (`'a'\n'b'`) are two tokens here; MySQL's multi-byte character sets where
//! a trailing byte can be `\` (GBK, Big5, SJIS) are not modelled, because
//! the tokenizer sees bytes without the connection's character set.
//!
//! # Cost
//!
//! One forward pass; no allocation except the caller's output vector; look-
//! ahead is bounded, and the two constructs whose naive scanning is
//! quadratic (PostgreSQL operator runs and dollar-quote terminators) are
//! scanned in a way that visits each unit a bounded number of times.

use crate::text::{addressable, CodeUnit, END, NON_ASCII};
pub use crate::text::{TokenizeStatus, DEFAULT_MAX_TOKENS};

#[cfg(test)]
mod tests;

/// The SQL server whose lexer we imitate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SqlDialect {
    /// MySQL and MariaDB.
    Mysql,
    /// PostgreSQL.
    Pgsql,
    /// SQLite 3.
    Sqlite,
    /// Microsoft SQL Server (T-SQL).
    Mssql,
    /// Oracle.
    Oracle,
    /// Anything else: ANSI SQL rules.
    Generic,
}

impl SqlDialect {
    /// Every dialect, for tests and fuzzers that try them all.
    pub const ALL: [SqlDialect; 6] = [
        SqlDialect::Mysql,
        SqlDialect::Pgsql,
        SqlDialect::Sqlite,
        SqlDialect::Mssql,
        SqlDialect::Oracle,
        SqlDialect::Generic,
    ];

    /// Maps a server name as PHP spells it (PDO driver names, extension
    /// names) to a dialect. Case-insensitive; unknown names are `Generic`.
    pub fn from_server(server: &str) -> SqlDialect {
        const NAMES: &[(&str, SqlDialect)] = &[
            ("mysql", SqlDialect::Mysql),
            ("mariadb", SqlDialect::Mysql),
            ("mysqli", SqlDialect::Mysql),
            ("pgsql", SqlDialect::Pgsql),
            ("postgres", SqlDialect::Pgsql),
            ("postgresql", SqlDialect::Pgsql),
            ("sqlite", SqlDialect::Sqlite),
            ("sqlite3", SqlDialect::Sqlite),
            ("sqlsrv", SqlDialect::Mssql),
            ("dblib", SqlDialect::Mssql),
            ("mssql", SqlDialect::Mssql),
            ("oci", SqlDialect::Oracle),
            ("oracle", SqlDialect::Oracle),
        ];
        let server = server.trim();
        NAMES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(server))
            .map_or(SqlDialect::Generic, |&(_, dialect)| dialect)
    }

    /// The canonical lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            SqlDialect::Mysql => "mysql",
            SqlDialect::Pgsql => "pgsql",
            SqlDialect::Sqlite => "sqlite",
            SqlDialect::Mssql => "mssql",
            SqlDialect::Oracle => "oracle",
            SqlDialect::Generic => "generic",
        }
    }
}

/// Server settings that move token boundaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SqlOptions {
    /// MySQL `sql_mode` contains `NO_BACKSLASH_ESCAPES`: `\` is an ordinary
    /// character inside strings.
    pub no_backslash_escapes: bool,
    /// PostgreSQL `standard_conforming_strings` (on by default since 9.1):
    /// `\` is an ordinary character inside `'...'`. When off, `'...'`
    /// strings take backslash escapes like `E'...'`.
    pub standard_conforming_strings: bool,
    /// MySQL `sql_mode` contains `ANSI_QUOTES`: `"x"` is an identifier.
    pub ansi_quotes: bool,
    /// Stop after this many tokens and report [`TokenizeStatus::Truncated`].
    pub max_tokens: usize,
}

impl Default for SqlOptions {
    fn default() -> Self {
        SqlOptions {
            no_backslash_escapes: false,
            standard_conforming_strings: true,
            ansi_quotes: false,
            max_tokens: DEFAULT_MAX_TOKENS,
        }
    }
}

/// One token: the code units `start..stop` of the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Token {
    /// Offset of the first code unit.
    pub start: u32,
    /// Offset one past the last code unit.
    pub stop: u32,
    /// What the token is.
    pub kind: TokenKind,
    /// The string, comment or quoted identifier runs to the end of the input
    /// without its closing delimiter (for a MySQL executable comment: the
    /// opener of a comment that never closes).
    pub unterminated: bool,
}

impl Token {
    /// The token's range, for slicing the input.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.stop as usize
    }
}

/// What a token is. Only as precise as a lexer can be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A keyword or a bare identifier.
    Word,
    /// A quoted identifier: `` `x` ``, `"x"` (where that is an identifier),
    /// `[x]`.
    QuotedIdentifier,
    /// A string literal of any form: `'x'`, `"x"` (MySQL), `N'x'`, `X'ff'`,
    /// `B'01'`, `E'x'`, `U&'x'`, `$$x$$`, `q'[x]'`.
    String,
    /// A numeric literal: `1`, `1.5`, `.5e-3`, `0x1F`, `0b101`.
    Number,
    /// An operator: `=`, `<=>`, `::`, `||`, `->>`, PostgreSQL's `@>`, ...
    Operator,
    /// `(`, `)`, `,`, `;`, `.`, and brackets or braces where they are not
    /// quotes.
    Punctuation,
    /// `-- x`, `# x` (MySQL), `/* x */`.
    Comment,
    /// The opener (`/*!50000`) and closer (`*/`) of a MySQL executable
    /// comment, or a whole optimizer hint `/*+ ... */`.
    VersionComment,
    /// A variable or placeholder: `@x`, `@@x`, `$1`, `:name`, `?`.
    Variable,
    /// Anything the server's lexer would reject or we do not classify: a
    /// stray backslash, a control character, SQLite's `1abc`.
    Other,
}

impl TokenKind {
    /// A stable lower-case name, as exposed to plugins.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Word => "word",
            TokenKind::QuotedIdentifier => "quoted_identifier",
            TokenKind::String => "string",
            TokenKind::Number => "number",
            TokenKind::Operator => "operator",
            TokenKind::Punctuation => "punctuation",
            TokenKind::Comment => "comment",
            TokenKind::VersionComment => "version_comment",
            TokenKind::Variable => "variable",
            TokenKind::Other => "other",
        }
    }
}

/// Tokenizes `query` as `dialect` with default [`SqlOptions`]. For tests and
/// Rust callers that tokenize once; hot paths keep a [`SqlTokenizer`] and an
/// output vector.
pub fn sql_tokenize(query: &str, dialect: SqlDialect) -> Vec<Token> {
    let mut out = Vec::new();
    SqlTokenizer::new(dialect, SqlOptions::default()).tokenize(query.as_bytes(), &mut out);
    out
}

/// A tokenizer configured for one dialect and set of options. Cheap to keep
/// around and to share between threads; `tokenize` takes `&self`.
#[derive(Clone, Debug)]
pub struct SqlTokenizer {
    dialect: SqlDialect,
    options: SqlOptions,
    rules: Rules,
}

impl SqlTokenizer {
    /// Builds the rule set for `dialect` under `options`.
    pub fn new(dialect: SqlDialect, options: SqlOptions) -> Self {
        SqlTokenizer {
            dialect,
            options,
            rules: Rules::new(dialect, &options),
        }
    }

    /// The dialect this tokenizer imitates.
    pub fn dialect(&self) -> SqlDialect {
        self.dialect
    }

    /// The options this tokenizer was built with.
    pub fn options(&self) -> &SqlOptions {
        &self.options
    }

    /// Clears `out` and fills it with the tokens of `input`.
    pub fn tokenize<U: CodeUnit>(&self, input: &[U], out: &mut Vec<Token>) -> TokenizeStatus {
        out.clear();
        let (s, cut) = addressable(input);
        let mut scanner = Scanner {
            s,
            rules: &self.rules,
            out,
            max_tokens: self.options.max_tokens,
            version_open: None,
            pg_single_from: 0,
            pg_single_end: 0,
        };
        match scanner.run() {
            Ok(()) if !cut => TokenizeStatus::Complete,
            _ => TokenizeStatus::Truncated,
        }
    }
}

// Character class bits, one byte per ASCII character plus NON_ASCII and END.
const SPACE: u8 = 1;
const IDENT_START: u8 = 2;
const IDENT: u8 = 4;
const DIGIT: u8 = 8;
/// PostgreSQL's `op_chars`.
const PG_OP: u8 = 16;
/// The first character of one of the dialect's multi-character operators.
const OPERATOR_START: u8 = 32;

/// What `#` means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hash {
    LineComment,
    PgOperator,
    NamedVariable,
    Identifier,
    Other,
}

/// What `@` means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum At {
    Mysql,
    PgOperator,
    NamedVariable,
    /// T-SQL: `@` starts an identifier-shaped variable name.
    IdentifierVariable,
    Other,
}

/// What `$` means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dollar {
    /// `$1` parameters and `$tag$` quoting.
    Pg,
    /// Starts an identifier (MySQL).
    Identifier,
    NamedVariable,
    /// `$` followed by identifier characters is a word (`$action`).
    Pseudocolumn,
    Other,
}

/// What `[` means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bracket {
    Punctuation,
    /// SQLite: an identifier up to the first `]`.
    UntilClose,
    /// T-SQL: an identifier, `]]` for a literal `]`.
    Doubled,
}

/// What a number running straight into identifier characters is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DigitLetter {
    /// MySQL: the whole run is one identifier (`1union`, `0xZZ`).
    Identifier,
    /// SQLite: the whole run is one illegal token.
    Illegal,
    /// Everyone else: a number, then a word.
    Split,
}

/// The lexical rules of one dialect under one set of options, flattened into
/// flags and tables so the scanner never matches on the dialect.
#[derive(Clone, Debug)]
struct Rules {
    class: [u8; 256],
    /// `'..'` and `".."`-strings take backslash escapes.
    backslash_escapes: bool,
    double_quote_is_string: bool,
    backtick_identifiers: bool,
    bracket: Bracket,
    hash: Hash,
    at: At,
    dollar: Dollar,
    question_digits: bool,
    /// SQLite: `$a::b` and `@a(x)` are one variable.
    tcl_variables: bool,
    colon_digits: bool,
    double_colon: bool,
    colon_equals: bool,
    /// MySQL wants whitespace or a control character after `--`.
    dash_dash_needs_space: bool,
    /// Line comments also end at `\r`.
    line_comment_ends_at_cr: bool,
    nested_comments: bool,
    version_comments: bool,
    hint_comments: bool,
    pg_operators: bool,
    operators: &'static [&'static [u8]],
    national_strings: bool,
    hex_strings: bool,
    bit_strings: bool,
    escape_strings: bool,
    unicode_strings: bool,
    q_quotes: bool,
    hex_lower: bool,
    hex_upper: bool,
    bin_lower: bool,
    bin_upper: bool,
    octal: bool,
    digit_underscores: bool,
    digit_letter: DigitLetter,
    /// MySQL: after an identifier, `.5` is `.` then `5`.
    dot_after_identifier: bool,
    /// MySQL: `\N` is NULL.
    backslash_n: bool,
}

// Multi-character operators, longest first so the first match is the longest.
const MYSQL_OPERATORS: &[&[u8]] = &[
    b"<=>", b"->>", b"<=", b">=", b"<>", b"!=", b"<<", b">>", b"&&", b"||", b":=", b"->",
];
const SQLITE_OPERATORS: &[&[u8]] = &[
    b"->>", b"||", b"==", b"!=", b"<>", b"<=", b">=", b"<<", b">>", b"->",
];
const MSSQL_OPERATORS: &[&[u8]] = &[
    b"!=", b"<>", b"!<", b"!>", b"<=", b">=", b"+=", b"-=", b"*=", b"/=", b"%=", b"&=", b"^=",
    b"|=", b"::", b"||",
];
const ORACLE_OPERATORS: &[&[u8]] = &[
    b"||", b"<>", b"!=", b"^=", b"~=", b"<=", b">=", b":=", b"=>", b"**",
];
const GENERIC_OPERATORS: &[&[u8]] = &[
    b"<=>", b"->>", b"||", b"<>", b"!=", b"<=", b">=", b"<<", b">>", b"::", b"->", b":=", b"=>",
    b"&&", b"==",
];

impl Rules {
    fn new(dialect: SqlDialect, options: &SqlOptions) -> Rules {
        use SqlDialect::*;
        let mut class = [0u8; 256];
        for b in [b' ', b'\t', b'\n', b'\r', 0x0B, 0x0C] {
            class[b as usize] |= SPACE;
        }
        for b in (b'a'..=b'z').chain(b'A'..=b'Z').chain([b'_', NON_ASCII]) {
            class[b as usize] |= IDENT_START | IDENT;
        }
        for b in b'0'..=b'9' {
            class[b as usize] |= DIGIT | IDENT;
        }
        // `$` continues identifiers everywhere but starts them only in MySQL.
        class[b'$' as usize] |= IDENT;
        match dialect {
            Mysql => class[b'$' as usize] |= IDENT_START,
            Mssql => {
                for b in [b'@', b'#'] {
                    class[b as usize] |= IDENT_START | IDENT;
                }
            }
            Oracle => class[b'#' as usize] |= IDENT,
            _ => {}
        }
        for &b in b"~!@#^&|`?+-*/%<>=" {
            class[b as usize] |= PG_OP;
        }
        let operators: &'static [&'static [u8]] = match dialect {
            Mysql => MYSQL_OPERATORS,
            Pgsql => &[],
            Sqlite => SQLITE_OPERATORS,
            Mssql => MSSQL_OPERATORS,
            Oracle => ORACLE_OPERATORS,
            Generic => GENERIC_OPERATORS,
        };
        for op in operators {
            class[op[0] as usize] |= OPERATOR_START;
        }
        // Every non-ASCII unit is an identifier character; `u8` input
        // indexes this table with its raw byte (see `CodeUnit::table_index`).
        for b in NON_ASCII as usize + 1..256 {
            class[b] = class[NON_ASCII as usize];
        }
        let mysql = dialect == Mysql;
        let pg = dialect == Pgsql;
        Rules {
            class,
            backslash_escapes: match dialect {
                Mysql => !options.no_backslash_escapes,
                Pgsql => !options.standard_conforming_strings,
                _ => false,
            },
            double_quote_is_string: mysql && !options.ansi_quotes,
            backtick_identifiers: matches!(dialect, Mysql | Sqlite | Generic),
            bracket: match dialect {
                Mssql => Bracket::Doubled,
                Sqlite => Bracket::UntilClose,
                _ => Bracket::Punctuation,
            },
            hash: match dialect {
                Mysql => Hash::LineComment,
                Pgsql => Hash::PgOperator,
                Sqlite => Hash::NamedVariable,
                Mssql => Hash::Identifier,
                Oracle | Generic => Hash::Other,
            },
            at: match dialect {
                Mysql => At::Mysql,
                Pgsql => At::PgOperator,
                Sqlite | Generic => At::NamedVariable,
                Mssql => At::IdentifierVariable,
                Oracle => At::Other,
            },
            dollar: match dialect {
                Mysql => Dollar::Identifier,
                Pgsql => Dollar::Pg,
                Sqlite | Generic => Dollar::NamedVariable,
                Mssql => Dollar::Pseudocolumn,
                Oracle => Dollar::Other,
            },
            question_digits: dialect == Sqlite,
            tcl_variables: dialect == Sqlite,
            colon_digits: matches!(dialect, Oracle | Sqlite | Generic),
            double_colon: matches!(dialect, Pgsql | Mssql | Generic),
            colon_equals: matches!(dialect, Mysql | Pgsql | Oracle | Generic),
            dash_dash_needs_space: mysql,
            line_comment_ends_at_cr: !matches!(dialect, Mysql | Sqlite),
            nested_comments: matches!(dialect, Pgsql | Mssql),
            version_comments: mysql,
            hint_comments: matches!(dialect, Mysql | Oracle),
            pg_operators: pg,
            operators,
            national_strings: dialect != Sqlite,
            hex_strings: matches!(dialect, Mysql | Pgsql | Sqlite | Generic),
            bit_strings: matches!(dialect, Mysql | Pgsql | Generic),
            escape_strings: pg,
            unicode_strings: pg,
            q_quotes: dialect == Oracle,
            hex_lower: dialect != Oracle,
            hex_upper: !matches!(dialect, Mysql | Oracle),
            bin_lower: matches!(dialect, Mysql | Pgsql | Generic),
            bin_upper: matches!(dialect, Pgsql | Generic),
            octal: pg,
            digit_underscores: pg,
            digit_letter: match dialect {
                Mysql => DigitLetter::Identifier,
                Sqlite => DigitLetter::Illegal,
                _ => DigitLetter::Split,
            },
            dot_after_identifier: mysql,
            backslash_n: mysql,
        }
    }
}

/// The output vector is full.
struct Full;

/// One tokenize call's state.
struct Scanner<'a, U> {
    s: &'a [U],
    rules: &'a Rules,
    out: &'a mut Vec<Token>,
    max_tokens: usize,
    /// Index in `out` of the opener of the MySQL executable comment we are
    /// inside, if any.
    version_open: Option<usize>,
    /// `pg_single_from..pg_single_end` is the tail of an operator run that
    /// PostgreSQL splits into one-character `+`/`-` operators; remembered so
    /// the run is not rescanned for each of them.
    pg_single_from: usize,
    pg_single_end: usize,
}

type Scan = (usize, TokenKind, bool);

impl<U: CodeUnit> Scanner<'_, U> {
    /// The class byte at `i`, or [`END`].
    #[inline(always)]
    fn at(&self, i: usize) -> u8 {
        match self.s.get(i) {
            Some(u) => u.byte(),
            None => END,
        }
    }

    /// The class bits of the unit at `i`; none past the end.
    #[inline(always)]
    fn class(&self, i: usize) -> u8 {
        match self.s.get(i) {
            Some(u) => self.rules.class[u.table_index()],
            None => 0,
        }
    }

    /// The first position from `i` whose unit lacks all of `bits`.
    #[inline(always)]
    fn skip_class(&self, i: usize, bits: u8) -> usize {
        let class = &self.rules.class;
        match self.s.get(i..) {
            Some(rest) => {
                i + rest
                    .iter()
                    .position(|u| class[u.table_index()] & bits == 0)
                    .unwrap_or(rest.len())
            }
            None => i,
        }
    }

    #[inline]
    fn push(
        &mut self,
        start: usize,
        stop: usize,
        kind: TokenKind,
        unterminated: bool,
    ) -> Result<(), Full> {
        if self.out.len() >= self.max_tokens {
            return Err(Full);
        }
        debug_assert!(start < stop && stop <= self.s.len());
        self.out.push(Token {
            start: start as u32,
            stop: stop as u32,
            kind,
            unterminated,
        });
        Ok(())
    }

    fn run(&mut self) -> Result<(), Full> {
        let len = self.s.len();
        let mut i = 0;
        loop {
            i = self.skip_class(i, SPACE);
            if i >= len {
                break;
            }
            let (stop, kind, unterminated) = self.token_at(i);
            self.push(i, stop, kind, unterminated)?;
            i = stop;
        }
        if let Some(opener) = self.version_open {
            self.out[opener].unterminated = true;
        }
        Ok(())
    }

    /// Scans the token that starts at `i` (not whitespace, not the end).
    fn token_at(&mut self, i: usize) -> Scan {
        use TokenKind::*;
        let r = self.rules;
        let b = self.at(i);
        match b {
            b'\'' => self.string(i + 1, b'\'', r.backslash_escapes),
            b'"' if r.double_quote_is_string => self.string(i + 1, b'"', r.backslash_escapes),
            b'"' => self.quoted(i + 1, b'"', false, QuotedIdentifier),
            b'`' if r.backtick_identifiers => self.quoted(i + 1, b'`', false, QuotedIdentifier),
            b'[' => match r.bracket {
                Bracket::Punctuation => (i + 1, Punctuation, false),
                Bracket::UntilClose => self.until(i + 1, b']', QuotedIdentifier),
                Bracket::Doubled => self.quoted(i + 1, b']', false, QuotedIdentifier),
            },
            b'(' | b')' | b',' | b';' | b']' | b'{' | b'}' => (i + 1, Punctuation, false),
            b'.' => self.dot(i),
            b'0'..=b'9' => self.number(i),
            b'-' if self.at(i + 1) == b'-' && self.dash_dash_is_comment(i + 2) => {
                (self.line_comment(i + 2), Comment, false)
            }
            b'/' if self.at(i + 1) == b'*' => self.block_comment(i),
            b'*' if self.version_open.is_some() && self.at(i + 1) == b'/' => {
                self.version_open = None;
                (i + 2, VersionComment, false)
            }
            b'#' => match r.hash {
                Hash::LineComment => (self.line_comment(i + 1), Comment, false),
                Hash::PgOperator => self.pg_operator(i),
                Hash::NamedVariable => self.named_variable(i),
                Hash::Identifier => (self.skip_class(i + 1, IDENT), Word, false),
                Hash::Other => (i + 1, Other, false),
            },
            b'@' => match r.at {
                At::Mysql => self.mysql_variable(i),
                At::PgOperator => self.pg_operator(i),
                At::NamedVariable => self.named_variable(i),
                At::IdentifierVariable => (self.skip_class(i + 1, IDENT), Variable, false),
                At::Other => (i + 1, Other, false),
            },
            b'$' => match r.dollar {
                Dollar::Pg => self.pg_dollar(i),
                Dollar::Identifier => (self.skip_class(i + 1, IDENT), Word, false),
                Dollar::NamedVariable => self.named_variable(i),
                Dollar::Pseudocolumn => match self.skip_class(i + 1, IDENT) {
                    stop if stop > i + 1 => (stop, Word, false),
                    _ => (i + 1, Other, false),
                },
                Dollar::Other => (i + 1, Other, false),
            },
            b'?' if r.pg_operators => self.pg_operator(i),
            b'?' if r.question_digits => (self.skip_class(i + 1, DIGIT), Variable, false),
            b'?' => (i + 1, Variable, false),
            b':' => self.colon(i),
            b'\\' if r.backslash_n && self.at(i + 1) == b'N' => (i + 2, Word, false),
            b'+' | b'-' | b'*' | b'/' | b'%' | b'<' | b'>' | b'=' | b'!' | b'~' | b'^' | b'&'
            | b'|' => self.operator(i),
            b'`' if r.pg_operators => self.pg_operator(i),
            _ if self.class(i) & IDENT_START != 0 => self.word(i),
            _ => (i + 1, Other, false),
        }
    }

    /// A quoted run whose closing quote may be doubled, and whose content
    /// may take backslash escapes; `i` is just past the opening quote.
    #[inline]
    fn quoted(&self, mut i: usize, quote: u8, backslash: bool, kind: TokenKind) -> Scan {
        let len = self.s.len();
        while i < len {
            let b = self.s[i].byte();
            if b == quote {
                if self.at(i + 1) != quote {
                    return (i + 1, kind, false);
                }
                i += 2;
            } else if backslash && b == b'\\' {
                i += 2;
            } else {
                i += 1;
            }
        }
        (len, kind, true)
    }

    fn string(&self, i: usize, quote: u8, backslash: bool) -> Scan {
        self.quoted(i, quote, backslash, TokenKind::String)
    }

    /// A quoted run that ends at the first `close`, no escapes.
    fn until(&self, i: usize, close: u8, kind: TokenKind) -> Scan {
        let len = self.s.len();
        match (i..len).find(|&j| self.s[j].byte() == close) {
            Some(j) => (j + 1, kind, false),
            None => (len, kind, true),
        }
    }

    fn dash_dash_is_comment(&self, after: usize) -> bool {
        if !self.rules.dash_dash_needs_space {
            return true;
        }
        // MySQL: my_isspace or my_iscntrl, and the end of input counts.
        matches!(self.at(after), 0..=0x20 | 0x7F | END)
    }

    /// A line comment whose body starts at `i`; returns where it stops (the
    /// newline is not part of it).
    fn line_comment(&self, i: usize) -> usize {
        let cr = self.rules.line_comment_ends_at_cr;
        let len = self.s.len();
        (i..len)
            .find(|&j| {
                let b = self.s[j].byte();
                b == b'\n' || (cr && b == b'\r')
            })
            .unwrap_or(len)
    }

    /// `/*` at `i`: an executable comment opener, a hint, or a comment.
    fn block_comment(&mut self, i: usize) -> Scan {
        let r = self.rules;
        let body = i + 2;
        if r.version_comments {
            let (bang, max_digits) = match (self.at(body), self.at(body + 1)) {
                (b'!', _) => (Some(body + 1), 5),
                (b'M', b'!') => (Some(body + 2), 6),
                _ => (None, 0),
            };
            if let Some(digits) = bang {
                let run = self.skip_class(digits, DIGIT).min(digits + max_digits) - digits;
                // MySQL takes exactly five digits as a version, MariaDB five or six.
                let version = if run >= 5 { run } else { 0 };
                if self.version_open.is_none() {
                    self.version_open = Some(self.out.len());
                }
                return (digits + version, TokenKind::VersionComment, false);
            }
        }
        if r.hint_comments && self.at(body) == b'+' {
            let (stop, unterminated) = self.comment_end(body + 1, false);
            return (stop, TokenKind::VersionComment, unterminated);
        }
        let (stop, unterminated) = self.comment_end(body, r.nested_comments);
        (stop, TokenKind::Comment, unterminated)
    }

    /// Finds the `*/` that closes a comment whose body starts at `i`.
    fn comment_end(&self, mut i: usize, nested: bool) -> (usize, bool) {
        let len = self.s.len();
        let mut depth = 1usize;
        while i < len {
            match (self.s[i].byte(), self.at(i + 1)) {
                (b'*', b'/') => {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        return (i, false);
                    }
                }
                (b'/', b'*') if nested => {
                    depth += 1;
                    i += 2;
                }
                _ => i += 1,
            }
        }
        (len, true)
    }

    fn dot(&self, i: usize) -> Scan {
        // PostgreSQL's `dot_dot`, as in PL/pgSQL's `FOR i IN 1..10`.
        if self.rules.pg_operators && self.at(i + 1) == b'.' {
            return (i + 2, TokenKind::Punctuation, false);
        }
        if self.class(i + 1) & DIGIT != 0 && !self.dot_separates(i) {
            let stop = self.skip_digits(i + 1);
            let stop = self.exponent(stop);
            return self.number_suffix(stop);
        }
        (i + 1, TokenKind::Punctuation, false)
    }

    /// MySQL reads `t.5` as `t`, `.`, `5`: a dot right after an identifier
    /// separates qualified names.
    fn dot_separates(&self, i: usize) -> bool {
        self.rules.dot_after_identifier
            && self.out.last().is_some_and(|t| {
                t.stop as usize == i
                    && matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdentifier)
            })
    }

    fn skip_digits(&self, mut i: usize) -> usize {
        loop {
            i = self.skip_class(i, DIGIT);
            if self.rules.digit_underscores && self.at(i) == b'_' && self.class(i + 1) & DIGIT != 0
            {
                i += 1;
            } else {
                return i;
            }
        }
    }

    /// An optional exponent at `i`; returns where the number ends.
    fn exponent(&self, i: usize) -> usize {
        if self.at(i) | 0x20 != b'e' {
            return i;
        }
        let mut j = i + 1;
        if matches!(self.at(j), b'+' | b'-') {
            j += 1;
        }
        if self.class(j) & DIGIT != 0 {
            self.skip_digits(j)
        } else {
            i
        }
    }

    fn number(&self, i: usize) -> Scan {
        let r = self.rules;
        let mysql = r.digit_letter == DigitLetter::Identifier;
        if self.at(i) == b'0' {
            let radix_digits: Option<fn(u8) -> bool> = match self.at(i + 1) {
                b'x' if r.hex_lower => Some(|b| b.is_ascii_hexdigit()),
                b'X' if r.hex_upper => Some(|b| b.is_ascii_hexdigit()),
                b'b' if r.bin_lower => Some(|b| b == b'0' || b == b'1'),
                b'B' if r.bin_upper => Some(|b| b == b'0' || b == b'1'),
                b'o' | b'O' if r.octal => Some(|b| (b'0'..=b'7').contains(&b)),
                _ => None,
            };
            if let Some(is_digit) = radix_digits {
                let mut j = i + 2;
                loop {
                    if is_digit(self.at(j)) {
                        j += 1;
                    } else if r.digit_underscores && self.at(j) == b'_' && is_digit(self.at(j + 1))
                    {
                        j += 2;
                    } else {
                        break;
                    }
                }
                if mysql && (j == i + 2 || self.class(j) & IDENT != 0) {
                    return (self.skip_class(i, IDENT), TokenKind::Word, false);
                }
                if j > i + 2 {
                    return self.number_suffix(j);
                }
            }
        }
        let j = self.skip_digits(i);
        if mysql && self.class(j) & IDENT != 0 {
            let exp = self.exponent(j);
            if exp > j {
                return (exp, TokenKind::Number, false);
            }
            return (self.skip_class(j, IDENT), TokenKind::Word, false);
        }
        let mut j = j;
        // PostgreSQL reads `1..10` as an integer and `..`.
        if self.at(j) == b'.' && !(r.pg_operators && self.at(j + 1) == b'.') {
            j = self.skip_digits(j + 1);
        }
        self.number_suffix(self.exponent(j))
    }

    /// A number ends at `stop`; SQLite rejects identifier characters glued
    /// to it as one illegal token.
    fn number_suffix(&self, stop: usize) -> Scan {
        if self.rules.digit_letter == DigitLetter::Illegal && self.class(stop) & IDENT != 0 {
            return (self.skip_class(stop, IDENT), TokenKind::Other, false);
        }
        (stop, TokenKind::Number, false)
    }

    /// An identifier or keyword, or a prefixed string (`N'`, `X'`, `E'`,
    /// `U&'`, `q'`).
    fn word(&self, i: usize) -> Scan {
        use TokenKind::*;
        let r = self.rules;
        let next = self.at(i + 1);
        let quote_next = next == b'\'';
        // Prefixed strings (`N'`, `X'`, `U&'`, `q'`, `nq'`) need one of
        // these next; ordinary words skip the prefix checks.
        if !matches!(next, b'\'' | b'&' | b'q' | b'Q') {
            return (self.skip_class(i + 1, IDENT), Word, false);
        }
        match self.at(i) | 0x20 {
            b'n' if quote_next && r.national_strings => {
                return self.string(i + 2, b'\'', r.backslash_escapes)
            }
            b'n' if r.q_quotes && next | 0x20 == b'q' && self.at(i + 2) == b'\'' => {
                if let Some(scan) = self.q_quote(i + 3) {
                    return scan;
                }
            }
            b'x' if quote_next && r.hex_strings => return self.until(i + 2, b'\'', String),
            b'b' if quote_next && r.bit_strings => return self.until(i + 2, b'\'', String),
            b'e' if quote_next && r.escape_strings => return self.string(i + 2, b'\'', true),
            b'u' if r.unicode_strings && next == b'&' => match self.at(i + 2) {
                b'\'' => return self.string(i + 3, b'\'', false),
                b'"' => return self.quoted(i + 3, b'"', false, QuotedIdentifier),
                _ => {}
            },
            b'q' if quote_next && r.q_quotes => {
                if let Some(scan) = self.q_quote(i + 2) {
                    return scan;
                }
            }
            _ => {}
        }
        (self.skip_class(i + 1, IDENT), Word, false)
    }

    /// Oracle's `q'<d>...<d>'`, `d` at `i`. `None` if `d` cannot be a
    /// delimiter, in which case `q` is just a word.
    fn q_quote(&self, i: usize) -> Option<Scan> {
        let len = self.s.len();
        let open = self.at(i);
        if matches!(open, b' ' | b'\t' | b'\n' | b'\r' | END) {
            return None;
        }
        if open != NON_ASCII {
            let close = match open {
                b'[' => b']',
                b'{' => b'}',
                b'<' => b'>',
                b'(' => b')',
                other => other,
            };
            return Some(
                match (i + 1..len).find(|&j| self.s[j].byte() == close && self.at(j + 1) == b'\'') {
                    Some(j) => (j + 2, TokenKind::String, false),
                    None => (len, TokenKind::String, true),
                },
            );
        }
        // A non-ASCII delimiter is one character: its first unit and up to
        // three continuation units.
        let mut end = i + 1;
        while end < len && end < i + 4 && self.s[end].is_continuation() {
            end += 1;
        }
        let delim = &self.s[i..end];
        let n = delim.len();
        let mut j = end;
        while j + n <= len {
            if &self.s[j..j + n] == delim && self.at(j + n) == b'\'' {
                return Some((j + n + 1, TokenKind::String, false));
            }
            j += 1;
        }
        Some((len, TokenKind::String, true))
    }

    /// `@` in MySQL: `@name`, `@'name'`, `@@name`.
    fn mysql_variable(&self, i: usize) -> Scan {
        let r = self.rules;
        match self.at(i + 1) {
            b'@' => (self.skip_class(i + 2, IDENT), TokenKind::Variable, false),
            q @ (b'\'' | b'"') => {
                let (stop, _, unterminated) =
                    self.quoted(i + 2, q, r.backslash_escapes, TokenKind::Variable);
                (stop, TokenKind::Variable, unterminated)
            }
            b'`' => self.quoted(i + 2, b'`', false, TokenKind::Variable),
            _ => {
                let mut j = i + 1;
                while self.class(j) & IDENT != 0 || self.at(j) == b'.' {
                    j += 1;
                }
                if j > i + 1 {
                    (j, TokenKind::Variable, false)
                } else {
                    (i + 1, TokenKind::Operator, false)
                }
            }
        }
    }

    /// A one-character sigil followed by identifier characters (SQLite's
    /// `:x @x $x #x`); the sigil alone is not a token SQLite accepts. SQLite
    /// also takes Tcl's forms: `::` inside the name, and a `(...)` suffix
    /// that runs to `)` or the first whitespace (illegal without the `)`).
    fn named_variable(&self, i: usize) -> Scan {
        let mut j = i + 1;
        let mut named = false;
        loop {
            if self.class(j) & IDENT != 0 {
                named = true;
                j += 1;
            } else if !self.rules.tcl_variables {
                break;
            } else if self.at(j) == b':' && self.at(j + 1) == b':' {
                j += 2;
            } else if self.at(j) == b'(' && named {
                j += 1;
                while !matches!(self.at(j), b')' | END) && self.class(j) & SPACE == 0 {
                    j += 1;
                }
                if self.at(j) == b')' {
                    return (j + 1, TokenKind::Variable, false);
                }
                return (j, TokenKind::Other, false);
            } else {
                break;
            }
        }
        if named {
            (j, TokenKind::Variable, false)
        } else {
            (j, TokenKind::Other, false)
        }
    }

    fn colon(&self, i: usize) -> Scan {
        let r = self.rules;
        if r.tcl_variables {
            return self.named_variable(i);
        }
        let next = self.at(i + 1);
        if (next == b':' && r.double_colon) || (next == b'=' && r.colon_equals) {
            return (i + 2, TokenKind::Operator, false);
        }
        let class = self.class(i + 1);
        if class & IDENT_START != 0 || (r.colon_digits && class & DIGIT != 0) {
            return (self.skip_class(i + 1, IDENT), TokenKind::Variable, false);
        }
        (i + 1, TokenKind::Operator, false)
    }

    /// `$` in PostgreSQL: `$1`, or a dollar quote `$tag$...$tag$`, or a lone
    /// `$` (which PostgreSQL rejects).
    fn pg_dollar(&self, i: usize) -> Scan {
        let len = self.s.len();
        let after = i + 1;
        if self.class(after) & DIGIT != 0 {
            return (self.skip_class(after, DIGIT), TokenKind::Variable, false);
        }
        // A tag is an identifier without `$`; the empty tag is allowed.
        let mut tag_end = after;
        if self.class(after) & IDENT_START != 0 {
            tag_end += 1;
            while self.class(tag_end) & IDENT != 0 && self.at(tag_end) != b'$' {
                tag_end += 1;
            }
        }
        if self.at(tag_end) != b'$' {
            return (i + 1, TokenKind::Other, false);
        }
        let tag = &self.s[after..tag_end];
        let mut j = tag_end + 1;
        while j < len {
            if self.s[j].byte() != b'$' {
                j += 1;
                continue;
            }
            // Compare the tag after this `$`. The tag holds no `$`, so on a
            // mismatch after `k` matching units no terminator can start
            // inside them: resume at the mismatch, which keeps this linear.
            let rest = &self.s[j + 1..];
            let k = tag.iter().zip(rest).take_while(|(a, b)| a == b).count();
            if k == tag.len() && self.at(j + 1 + k) == b'$' {
                return (j + 2 + k, TokenKind::String, false);
            }
            j += 1 + k;
        }
        (len, TokenKind::String, true)
    }

    /// An operator from the dialect's fixed list, or one character.
    fn operator(&mut self, i: usize) -> Scan {
        if self.rules.pg_operators {
            return self.pg_operator(i);
        }
        let first = self.at(i);
        if self.class(i) & OPERATOR_START == 0 {
            return (i + 1, TokenKind::Operator, false);
        }
        for op in self.rules.operators {
            if op[0] == first
                && op[1..]
                    .iter()
                    .enumerate()
                    .all(|(k, &c)| self.at(i + 1 + k) == c)
            {
                return (i + op.len(), TokenKind::Operator, false);
            }
        }
        (i + 1, TokenKind::Operator, false)
    }

    /// PostgreSQL's operator rule: the longest run of `op_chars`, cut before
    /// any `--` or `/*` inside it, and with trailing `+`/`-` dropped unless
    /// the operator has a character SQL's own operators lack (so `=-1` is
    /// `=` then `-1`, but `@-` is one operator).
    fn pg_operator(&mut self, i: usize) -> Scan {
        if (self.pg_single_from..self.pg_single_end).contains(&i) {
            return (i + 1, TokenKind::Operator, false);
        }
        let mut end = i + 1;
        while self.class(end) & PG_OP != 0 {
            let pair = (self.at(end - 1), self.at(end));
            if pair == (b'-', b'-') || pair == (b'/', b'*') {
                end -= 1;
                break;
            }
            end += 1;
        }
        let plus_minus = |b: u8| b == b'+' || b == b'-';
        if end - i > 1 && plus_minus(self.at(end - 1)) {
            let special = (i..end - 1).any(|k| {
                matches!(
                    self.at(k),
                    b'~' | b'!' | b'@' | b'#' | b'^' | b'&' | b'|' | b'`' | b'?' | b'%'
                )
            });
            if !special {
                let mut stop = end;
                while stop - i > 1 && plus_minus(self.at(stop - 1)) {
                    stop -= 1;
                }
                // What is left is all `+`/`-`, each its own operator.
                self.pg_single_from = stop;
                self.pg_single_end = end;
                return (stop, TokenKind::Operator, false);
            }
        }
        (end, TokenKind::Operator, false)
    }
}
