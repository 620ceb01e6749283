//! Shared by the integration tests: a seeded PRNG, input generators, the
//! attack fixtures, and offset helpers.
#![allow(dead_code)]

/// SplitMix64: tiny, seeded, reproducible. Test inputs must be the same on
/// every run so that agreement figures are comparable between runs.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// The payload lines of a fixture file (its `#!` source lines dropped).
pub fn fixture_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.starts_with("#!") && !l.is_empty())
        .collect()
}

pub const SQL_ATTACKS: &str = include_str!("../fixtures/sql_attacks.txt");
pub const CMD_ATTACKS: &str = include_str!("../fixtures/cmd_attacks.txt");

/// Byte offset -> char offset, for comparing with tokenizers that count
/// characters.
pub fn char_index_map(s: &str) -> Vec<usize> {
    // Offsets inside a multi-byte character map to that character.
    let mut map = vec![0; s.len() + 1];
    let mut chars = 0;
    for (i, slot) in map.iter_mut().enumerate() {
        if s.is_char_boundary(i) {
            *slot = chars;
            chars += 1;
        } else {
            *slot = chars - 1;
        }
    }
    map
}

/// Byte offset -> UTF-16 offset.
pub fn utf16_index_map(s: &str) -> Vec<usize> {
    let mut map = vec![usize::MAX; s.len() + 1];
    let mut units = 0;
    for (i, c) in s.char_indices() {
        map[i] = units;
        units += c.len_utf16();
    }
    map[s.len()] = units;
    map
}

/// Fragments that SQL generators glue together: ordinary SQL pieces and the
/// awkward ones where dialects differ.
pub const SQL_FRAGMENTS: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "UNION",
    "ALL",
    "AND",
    "OR",
    "NOT",
    "NULL",
    "ORDER",
    "BY",
    "LIMIT",
    "INSERT",
    "INTO",
    "VALUES",
    "sleep",
    "users",
    "t1",
    "_x",
    "a",
    "b",
    "café",
    "0",
    "1",
    "42",
    "3.14",
    ".5",
    "1e10",
    "1.5e-3",
    "2E+3",
    "0x1F",
    "0b101",
    "1e",
    "12abc",
    "'a'",
    "'O''Brien'",
    r"'O\'Brien'",
    "''",
    "'a b'",
    "'1 or 1=1'",
    "\"x\"",
    "\"a\"\"b\"",
    "N'x'",
    "X'1F'",
    "B'01'",
    "E'a'",
    "$$a$$",
    "$t$x$t$",
    "`a`",
    "`a``b`",
    "[a]",
    "-- x\n",
    "--\n",
    "# x\n",
    "/* c */",
    "/*!50000 x*/",
    "/* a /* b */ c */",
    "=",
    "<>",
    "!=",
    "<=",
    ">=",
    "<=>",
    "||",
    "&&",
    "::",
    "->",
    "->>",
    "+",
    "-",
    "*",
    "/",
    "%",
    "^",
    "~",
    "!",
    "&",
    "|",
    "<<",
    ">>",
    "@",
    "#",
    "?",
    ":",
    ":=",
    "@>",
    "(",
    ")",
    ",",
    ";",
    ".",
    "@a",
    "@@v",
    "$1",
    ":name",
    "'",
    "\"",
    "\\",
    "`",
    "/*",
    "*/",
    "--",
    "$",
    "x'",
    "e'",
    "0x",
    "1.",
    "..",
    "\t",
    "\n",
];

/// A random SQL-ish string: fragments with random (often no) separators.
pub fn gen_sql(rng: &mut Rng) -> String {
    let n = 1 + rng.below(14);
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(rng.pick(SQL_FRAGMENTS));
        match rng.below(10) {
            0..=5 => s.push(' '),
            6 => s.push('\n'),
            _ => {}
        }
    }
    s
}

/// Query templates a payload is pasted into, as an application would.
pub const SQL_TEMPLATES: &[&str] = &[
    "SELECT * FROM users WHERE name = '{}'",
    "SELECT * FROM users WHERE id = {}",
    "SELECT * FROM t WHERE a = \"{}\" LIMIT 1",
    "SELECT * FROM t ORDER BY {}",
    "{}",
];

/// Fragments for shell command generators.
pub const SHELL_FRAGMENTS: &[&str] = &[
    "ls",
    "-la",
    "/tmp",
    "echo",
    "cat",
    "id",
    "x",
    "a=b",
    "\"a b\"",
    "'c d'",
    "\"$x\"",
    "a\\ b",
    "$(id)",
    "`id`",
    "${IFS}",
    "$IFS",
    "$1",
    "$@",
    "$((1+2))",
    ";",
    "&&",
    "||",
    "|",
    "&",
    "\n",
    ">",
    ">>",
    "<",
    "2>&1",
    ">&2",
    "<<<",
    "(",
    ")",
    "{",
    "}",
    "#c",
    "a#b",
    "\\;",
    "'",
    "\"",
    "$",
    "*",
    "?",
    "[a]",
    "~",
    "!",
    "=",
    "%",
    ",",
    "..",
    "é",
    "$'x'",
    // Nesting and quoting that real payloads use.
    "\"$(echo \"a b\")\"",
    "$(echo $(id))",
    "`echo \\`id\\``",
    "${x:-$(id)}",
    "${x:-\"a b\"}",
    "$((1+(2)))",
    "$(case x in a) b;; esac)",
    "$( (a) )",
    "<(ls)",
    ">(cat)",
    "a$(id)b",
    "\"${IFS}\"",
    "$'a\\'b'",
    "\\\n",
    "#c\n",
    "$(echo ')')",
    "\"`id`\"",
    "${#x}",
    "${x/a/b}",
    "2>/dev/null",
    "&>x",
    "|&",
    ";;",
    "{ a; }",
];

pub fn gen_shell(rng: &mut Rng) -> String {
    let n = 1 + rng.below(12);
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(rng.pick(SHELL_FRAGMENTS));
        if rng.chance(70) {
            s.push(' ');
        }
    }
    s
}

/// Command templates a payload is pasted into.
pub const SHELL_TEMPLATES: &[&str] = &[
    "ping -c 1 {}",
    "ls -la '{}'",
    "echo \"{}\"",
    "nslookup {} 8.8.8.8",
    "{}",
];
