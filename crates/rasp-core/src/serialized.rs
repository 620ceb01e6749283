//! Class names in a PHP `serialize()` payload, for `deserialization` checks.
//!
//! Object injection works by making `unserialize()` instantiate classes the
//! attacker picks (their `__wakeup`, `__unserialize`, `__destruct` are the
//! gadgets). We walk the payload's structure the way PHP's parser does, so a
//! string value that merely looks like `O:4:"Evil"` is not a class, and we
//! honour `allowed_classes`: a class PHP would turn into
//! `__PHP_Incomplete_Class` is not instantiated and not reported. On
//! malformed input we stop where PHP would stop, keeping the classes seen
//! until then (PHP has created those objects already).

/// `unserialize()`'s `allowed_classes` option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Allowed {
    /// `true` (the default): every class.
    All,
    /// `false`: no class.
    None,
    /// A list of names (compared case-insensitively, as PHP does).
    Only(Vec<String>),
}

impl Allowed {
    fn permits(&self, class: &str) -> bool {
        match self {
            Allowed::All => true,
            Allowed::None => false,
            Allowed::Only(list) => list.iter().any(|c| c.eq_ignore_ascii_case(class)),
        }
    }
}

/// PHP's default `unserialize_max_depth`.
pub const MAX_DEPTH: usize = 4096;
/// Distinct class names reported.
pub const MAX_CLASSES: usize = 256;

/// Classes `unserialize($data, ['allowed_classes' => ...])` would
/// instantiate, in order of first appearance, without duplicates.
pub fn classes(data: &[u8], allowed: &Allowed) -> Vec<String> {
    let mut p = Parser { b: data, i: 0 };
    let mut out: Vec<String> = Vec::new();
    let mut add = |name: &[u8]| {
        let name = String::from_utf8_lossy(name).into_owned();
        let name = name.strip_prefix('\\').map(str::to_string).unwrap_or(name);
        if allowed.permits(&name)
            && out.len() < MAX_CLASSES
            && !out.iter().any(|c| c.eq_ignore_ascii_case(&name))
        {
            out.push(name);
        }
    };
    // Values still expected by each open container.
    let mut open: Vec<usize> = Vec::new();
    loop {
        if let Some(&0) = open.last() {
            if p.next() != Some(b'}') {
                break;
            }
            open.pop();
            if open.is_empty() {
                break;
            }
            continue;
        }
        if let Some(top) = open.last_mut() {
            *top -= 1;
        }
        let Some(tag) = p.next() else { break };
        if p.next() != Some(if tag == b'N' { b';' } else { b':' }) {
            break;
        }
        let ok = match tag {
            b'N' => true,
            b'b' | b'i' | b'd' | b'r' | b'R' => p.skip_past(b';'),
            b's' => p.string().is_some() && p.expect(b";"),
            b'S' => p.escaped_string() && p.expect(b";"),
            b'E' => {
                p.string().is_some_and(|v| {
                    let class = v.split(|&c| c == b':').next().unwrap_or(v);
                    add(class);
                    true
                }) && p.expect(b";")
            }
            b'a' => match p.count().filter(|_| p.expect(b"{")) {
                Some(n) if open.len() < MAX_DEPTH => {
                    open.push(n.saturating_mul(2));
                    true
                }
                _ => false,
            },
            b'O' => match p.string() {
                Some(name) => {
                    add(name);
                    match p
                        .expect(b":")
                        .then(|| p.count())
                        .flatten()
                        .filter(|_| p.expect(b"{"))
                    {
                        Some(n) if open.len() < MAX_DEPTH => {
                            open.push(n.saturating_mul(2));
                            true
                        }
                        _ => false,
                    }
                }
                None => false,
            },
            b'C' => match p.string() {
                Some(name) => {
                    add(name);
                    // Opaque payload of Serializable::unserialize().
                    match p
                        .expect(b":")
                        .then(|| p.count())
                        .flatten()
                        .filter(|_| p.expect(b"{"))
                    {
                        Some(n) if n <= p.b.len() - p.i => {
                            p.i += n;
                            p.expect(b"}")
                        }
                        _ => false,
                    }
                }
                None => false,
            },
            _ => false,
        };
        if !ok || open.is_empty() {
            break;
        }
    }
    out
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn next(&mut self) -> Option<u8> {
        let c = *self.b.get(self.i)?;
        self.i += 1;
        Some(c)
    }

    fn expect(&mut self, s: &[u8]) -> bool {
        if self.b[self.i..].starts_with(s) {
            self.i += s.len();
            true
        } else {
            false
        }
    }

    fn skip_past(&mut self, c: u8) -> bool {
        match self.b[self.i..].iter().take(400).position(|&x| x == c) {
            Some(n) => {
                self.i += n + 1;
                true
            }
            None => false,
        }
    }

    /// `[+]digits:` -> number (the colon is consumed).
    fn count(&mut self) -> Option<usize> {
        if self.b.get(self.i) == Some(&b'+') {
            self.i += 1;
        }
        let start = self.i;
        while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
        if self.i == start || self.i - start > 19 {
            return None;
        }
        let n: usize = std::str::from_utf8(&self.b[start..self.i])
            .ok()?
            .parse()
            .ok()?;
        self.expect(b":").then_some(n)
    }

    /// `len:"<len bytes>"` -> the bytes.
    fn string(&mut self) -> Option<&[u8]> {
        let n = self.count()?;
        if !self.expect(b"\"") || n > self.b.len() - self.i {
            return None;
        }
        let s = &self.b[self.i..self.i + n];
        self.i += n;
        self.expect(b"\"").then_some(s)
    }

    /// `S:len:"..."` with `\xx` hex escapes; len counts decoded bytes.
    fn escaped_string(&mut self) -> bool {
        let Some(n) = self.count() else { return false };
        if !self.expect(b"\"") {
            return false;
        }
        for _ in 0..n {
            match self.next() {
                Some(b'\\') => {
                    if self.b.len() - self.i < 2 {
                        return false;
                    }
                    self.i += 2;
                }
                Some(_) => {}
                None => return false,
            }
        }
        self.expect(b"\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn all(s: &str) -> Vec<String> {
        classes(s.as_bytes(), &Allowed::All)
    }

    #[test]
    fn objects_anywhere_in_the_structure() {
        assert_eq!(
            all(r#"O:4:"Evil":1:{s:1:"a";O:5:"Inner":0:{}}"#),
            ["Evil", "Inner"]
        );
        assert_eq!(
            all(r#"a:2:{i:0;O:1:"A":0:{}s:1:"k";a:1:{i:0;O:1:"B":0:{}}}"#),
            ["A", "B"]
        );
        assert_eq!(
            all(r#"C:11:"ArrayObject":21:{x:i:0;a:0:{};m:a:0:{}}"#),
            ["ArrayObject"]
        );
        assert_eq!(all(r#"E:11:"Suit:Hearts";"#), ["Suit"]);
        assert_eq!(all(r#"O:+4:"Evil":0:{}"#), ["Evil"]);
        assert_eq!(all(r#"O:5:"\Evil":0:{}"#), ["Evil"]);
    }

    #[test]
    fn strings_that_look_like_objects_are_not_objects() {
        assert!(all(r#"s:16:"O:4:"Evil":0:{}";"#).is_empty());
        assert!(all(r#"a:1:{i:0;s:16:"O:4:"Evil":0:{}";}"#).is_empty());
        assert!(all(r#"S:3:"\4f:";"#).is_empty());
        assert!(all("i:5;").is_empty());
        assert!(all("b:1;").is_empty());
        assert!(all("N;").is_empty());
    }

    #[test]
    fn allowed_classes() {
        let p = r#"a:2:{i:0;O:1:"A":0:{}i:1;O:1:"B":0:{}}"#;
        assert!(classes(p.as_bytes(), &Allowed::None).is_empty());
        assert_eq!(
            classes(p.as_bytes(), &Allowed::Only(vec!["b".into()])),
            ["B"]
        );
    }

    #[test]
    fn stops_where_php_stops() {
        // The first object is built before the parser hits the garbage.
        assert_eq!(
            all(r#"a:2:{i:0;O:1:"A":0:{}i:1;#garbage O:1:"B":0:{}}"#),
            ["A"]
        );
        assert_eq!(all(r#"O:9:"Truncated"#), Vec::<String>::new());
        assert_eq!(all(r#"O:1:"A":1:{s:1:"x";"#), ["A"]);
        // Only one top-level value is read.
        assert_eq!(all(r#"i:1;O:1:"A":0:{}"#), Vec::<String>::new());
    }

    #[test]
    fn duplicates_and_references() {
        assert_eq!(
            all(r#"a:3:{i:0;O:1:"A":0:{}i:1;r:2;i:2;O:1:"a":0:{}}"#),
            ["A"]
        );
    }

    #[test]
    fn deep_and_huge_inputs_are_bounded() {
        let deep = "a:1:{i:0;".repeat(100_000);
        assert!(all(&deep).is_empty());
        assert!(all("a:99999999999:{").is_empty());
        assert!(all("s:99999999999999999999999:\"x\";").is_empty());
    }

    proptest! {
        #[test]
        fn never_panics(b in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = classes(&b, &Allowed::All);
        }

        #[test]
        fn finds_every_nested_class(names in proptest::collection::vec("[A-Za-z_][A-Za-z0-9_]{0,10}", 1..6)) {
            let mut s = format!("a:{}:{{", names.len());
            for (i, n) in names.iter().enumerate() {
                s.push_str(&format!("i:{i};O:{}:\"{n}\":1:{{s:1:\"p\";s:3:\"O:1\";}}", n.len()));
            }
            s.push('}');
            let got = classes(s.as_bytes(), &Allowed::All);
            let mut want: Vec<String> = Vec::new();
            for n in &names {
                if !want.iter().any(|w| w.eq_ignore_ascii_case(n)) { want.push(n.clone()); }
            }
            prop_assert_eq!(got, want);
        }
    }
}
