//! External entities of an XML document, for `xxe` checks.
//!
//! An XXE attack needs the parser to fetch something: the external DTD of
//! the DOCTYPE, or an external general or parameter entity. All of them are
//! declared in the prolog, before the root element, so we scan only the
//! DOCTYPE (bounded) and never build a tree. Parameter entities whose value
//! declares further entities (`<!ENTITY % a "<!ENTITY &#x25; b SYSTEM ...>">`)
//! are scanned too, since they become declarations when referenced.

/// How an external resource is declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `<!DOCTYPE root SYSTEM "x.dtd">`: the external DTD subset.
    Doctype,
    /// `<!ENTITY name SYSTEM "uri">`.
    General,
    /// `<!ENTITY % name SYSTEM "uri">`.
    Parameter,
}

impl Kind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Doctype => "doctype",
            Kind::General => "general",
            Kind::Parameter => "parameter",
        }
    }
}

/// One external resource the document asks the parser to load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalEntity {
    pub kind: Kind,
    /// Entity (or root element) name.
    pub name: String,
    /// The system identifier: the URI that would be fetched.
    pub system: String,
    /// The public identifier, when declared with PUBLIC.
    pub public: Option<String>,
}

/// Bytes of a document we look at: the prolog is at the start.
pub const MAX_SCAN: usize = 1 << 20;
/// Entities reported per document.
pub const MAX_ENTITIES: usize = 64;
const MAX_NESTED: usize = 3;

/// Decodes a UTF-16 document (by BOM or by `<\0` / `\0<` start) to UTF-8;
/// other encodings are scanned as bytes (every keyword we need is ASCII).
fn as_utf8(doc: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let doc = &doc[..doc.len().min(MAX_SCAN)];
    let le = doc.starts_with(&[0xFF, 0xFE]) || doc.starts_with(b"<\0");
    let be = doc.starts_with(&[0xFE, 0xFF]) || doc.starts_with(b"\0<");
    if !(le || be) {
        let body = doc.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(doc);
        return std::borrow::Cow::Borrowed(body);
    }
    let units: Vec<u16> = doc
        .chunks_exact(2)
        .map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        })
        .collect();
    let s: String = char::decode_utf16(units)
        .map(|r| r.unwrap_or('\u{FFFD}'))
        .collect();
    std::borrow::Cow::Owned(s.trim_start_matches('\u{FEFF}').as_bytes().to_vec())
}

/// The external entities and DTD declared in a document's DOCTYPE.
pub fn external_entities(doc: &[u8]) -> Vec<ExternalEntity> {
    let text = as_utf8(doc);
    let mut out = Vec::new();
    let Some(start) = find_doctype(&text) else {
        return out;
    };
    let mut s = Scanner {
        b: &text,
        i: start + b"<!DOCTYPE".len(),
    };
    s.ws();
    let root = s.name();
    s.ws();
    if let Some((public, system)) = s.external_id() {
        out.push(ExternalEntity {
            kind: Kind::Doctype,
            name: root,
            system,
            public,
        });
    }
    s.ws();
    if s.peek() == Some(b'[') {
        s.i += 1;
        subset(&mut s, &mut out, 0);
    }
    out
}

/// Position of `<!DOCTYPE` outside comments and processing instructions.
fn find_doctype(b: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        let rest = &b[i..];
        if rest.starts_with(b"<!--") {
            i += find(&rest[4..], b"-->").map_or(b.len(), |e| e + 7);
        } else if rest.starts_with(b"<?") {
            i += find(&rest[2..], b"?>").map_or(b.len(), |e| e + 4);
        } else if rest.len() >= 9 && rest[..9].eq_ignore_ascii_case(b"<!DOCTYPE") {
            return Some(i);
        } else if rest.get(1).is_some_and(|c| c.is_ascii_alphabetic()) {
            return None; // the root element: no DOCTYPE
        } else {
            i += 1;
        }
    }
    None
}

fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).position(|w| w == n)
}

/// Parses markup declarations of an internal subset until its `]`.
fn subset(s: &mut Scanner, out: &mut Vec<ExternalEntity>, depth: usize) {
    while s.i < s.b.len() && out.len() < MAX_ENTITIES {
        let rest = &s.b[s.i..];
        if rest[0] == b']' {
            return;
        }
        if rest.starts_with(b"<!--") {
            s.i += find(&rest[4..], b"-->").map_or(rest.len(), |e| e + 7);
        } else if rest.starts_with(b"<?") {
            s.i += find(&rest[2..], b"?>").map_or(rest.len(), |e| e + 4);
        } else if rest.len() >= 8 && rest[..8].eq_ignore_ascii_case(b"<!ENTITY") {
            s.i += 8;
            entity(s, out, depth);
        } else if rest.starts_with(b"<!") {
            s.skip_decl();
        } else {
            s.i += 1;
        }
    }
}

fn entity(s: &mut Scanner, out: &mut Vec<ExternalEntity>, depth: usize) {
    s.ws();
    let mut kind = Kind::General;
    if s.peek() == Some(b'%') {
        kind = Kind::Parameter;
        s.i += 1;
        s.ws();
    }
    let name = s.name();
    s.ws();
    if let Some((public, system)) = s.external_id() {
        out.push(ExternalEntity {
            kind,
            name,
            system,
            public,
        });
    } else if let Some(value) = s.quoted() {
        // An entity value may itself declare entities once referenced.
        if depth < MAX_NESTED {
            let decoded = char_refs(value.as_bytes());
            if find(&decoded, b"<!ENTITY").is_some() || find(&decoded, b"<!entity").is_some() {
                let mut inner = Scanner { b: &decoded, i: 0 };
                subset(&mut inner, out, depth + 1);
            }
        }
    }
    s.skip_decl();
}

/// Replaces `&#NN;` and `&#xHH;` references (the way `%` hides in values).
fn char_refs(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'&' && b.get(i + 1) == Some(&b'#') {
            if let Some(end) = b[i..].iter().take(12).position(|&c| c == b';') {
                let body = &b[i + 2..i + end];
                let n = match body.first() {
                    Some(b'x' | b'X') => {
                        u32::from_str_radix(std::str::from_utf8(&body[1..]).unwrap_or("x"), 16).ok()
                    }
                    _ => std::str::from_utf8(body).ok().and_then(|d| d.parse().ok()),
                };
                if let Some(c) = n.and_then(char::from_u32) {
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    i += end + 1;
                    continue;
                }
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    fn name(&mut self) -> String {
        let start = self.i;
        while self.peek().is_some_and(|c| {
            !c.is_ascii_whitespace() && !matches!(c, b'[' | b'>' | b'"' | b'\'' | b'%')
        }) {
            self.i += 1;
        }
        String::from_utf8_lossy(&self.b[start..self.i]).into_owned()
    }

    fn keyword(&mut self, k: &[u8]) -> bool {
        let end = self.i + k.len();
        if end <= self.b.len() && self.b[self.i..end].eq_ignore_ascii_case(k) {
            self.i = end;
            true
        } else {
            false
        }
    }

    fn quoted(&mut self) -> Option<String> {
        let q = self.peek().filter(|c| *c == b'"' || *c == b'\'')?;
        let start = self.i + 1;
        let end = self.b[start..]
            .iter()
            .position(|&c| c == q)
            .map_or(self.b.len(), |e| start + e);
        self.i = (end + 1).min(self.b.len());
        Some(String::from_utf8_lossy(&self.b[start..end]).into_owned())
    }

    /// `SYSTEM "uri"` or `PUBLIC "pubid" "uri"`: (public, system).
    fn external_id(&mut self) -> Option<(Option<String>, String)> {
        let save = self.i;
        if self.keyword(b"SYSTEM") {
            self.ws();
            if let Some(sys) = self.quoted() {
                return Some((None, sys));
            }
        } else if self.keyword(b"PUBLIC") {
            self.ws();
            if let Some(public) = self.quoted() {
                self.ws();
                let sys = self.quoted().unwrap_or_default();
                return Some((Some(public), sys));
            }
        }
        self.i = save;
        None
    }

    /// Skips to the `>` closing the current declaration, over quoted strings.
    fn skip_decl(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                b'"' | b'\'' => {
                    self.quoted();
                }
                b'>' => {
                    self.i += 1;
                    return;
                }
                _ => self.i += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn names(doc: &str) -> Vec<(Kind, String, String)> {
        external_entities(doc.as_bytes())
            .into_iter()
            .map(|e| (e.kind, e.name, e.system))
            .collect()
    }

    #[test]
    fn classic_xxe() {
        let d = r#"<?xml version="1.0"?><!DOCTYPE foo [<!ELEMENT foo ANY><!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>"#;
        assert_eq!(
            names(d),
            vec![(Kind::General, "xxe".into(), "file:///etc/passwd".into())]
        );
    }

    #[test]
    fn external_dtd_and_parameter_entities() {
        let d = "<!DOCTYPE r SYSTEM 'http://evil/x.dtd' [\n <!ENTITY % p PUBLIC \"-//X//EN\" \"http://evil/p\">\n %p;\n]>\n<r/>";
        let got = external_entities(d.as_bytes());
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].kind, Kind::Doctype);
        assert_eq!(got[0].system, "http://evil/x.dtd");
        assert_eq!(got[1].kind, Kind::Parameter);
        assert_eq!(got[1].public.as_deref(), Some("-//X//EN"));
        assert_eq!(got[1].system, "http://evil/p");
    }

    #[test]
    fn nested_declarations_in_values() {
        let d = r#"<!DOCTYPE r [<!ENTITY % a "<!ENTITY &#x25; b SYSTEM 'file:///etc/shadow'>"> %a;]><r/>"#;
        assert_eq!(
            names(d),
            vec![(Kind::Parameter, "b".into(), "file:///etc/shadow".into())]
        );
    }

    #[test]
    fn harmless_documents() {
        assert!(names("<r>&amp;</r>").is_empty());
        assert!(names(r#"<!DOCTYPE r [<!ENTITY a "internal">]><r>&a;</r>"#).is_empty());
        assert!(names("<!-- <!DOCTYPE x SYSTEM 'y'> --><r/>").is_empty());
        assert!(names("<r><![CDATA[<!DOCTYPE x SYSTEM 'y'>]]></r>").is_empty());
        assert!(names("").is_empty());
    }

    #[test]
    fn comments_and_quotes_inside_subset() {
        let d = r#"<!DOCTYPE r [<!-- ]> --><!ATTLIST r a CDATA "]>"><!ENTITY e SYSTEM "x">]><r/>"#;
        assert_eq!(names(d), vec![(Kind::General, "e".into(), "x".into())]);
    }

    #[test]
    fn utf16_documents() {
        let d = r#"<!DOCTYPE r [<!ENTITY e SYSTEM "file:///x">]><r/>"#;
        let mut le = vec![0xFF, 0xFE];
        for u in d.encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(external_entities(&le).len(), 1);
        let be: Vec<u8> = d.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        assert_eq!(external_entities(&be).len(), 1);
    }

    #[test]
    fn bounded() {
        let mut d = String::from("<!DOCTYPE r [");
        for i in 0..1000 {
            d.push_str(&format!("<!ENTITY e{i} SYSTEM \"x{i}\">"));
        }
        d.push_str("]><r/>");
        assert_eq!(external_entities(d.as_bytes()).len(), MAX_ENTITIES);
    }

    proptest! {
        #[test]
        fn never_panics(b in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = external_entities(&b);
            let mut d = b"<!DOCTYPE a [".to_vec();
            d.extend_from_slice(&b);
            let _ = external_entities(&d);
        }

        #[test]
        fn finds_declared_entity(name in "[a-z]{1,8}", uri in "[a-z:/.]{1,30}") {
            let d = format!("<?xml version='1.0'?>\n<!DOCTYPE r [ <!ENTITY {name} SYSTEM \"{uri}\"> ]><r>&{name};</r>");
            let got = external_entities(d.as_bytes());
            prop_assert_eq!(got.len(), 1);
            prop_assert_eq!(&got[0].system, &uri);
        }
    }
}
