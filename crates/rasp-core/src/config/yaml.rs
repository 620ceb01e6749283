//! A YAML tree that remembers where each node came from.
//!
//! Operators edit `rasp.yml` by hand, on production machines, under
//! pressure. Every error must therefore name the line and the key; serde's
//! derive gives neither reliably for nested, dotted or aliased keys, so we
//! load YAML into this small spanned tree and validate it ourselves.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A YAML value with its 1-based source line.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub line: usize,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in file order; keys are scalars rendered as strings.
    Map(Vec<(String, Node)>),
}

impl Node {
    /// A short name of the value's type for error messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// The node as JSON (for opaque subtrees handed to plugins or serde).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(v) => J::Array(v.iter().map(Node::to_json).collect()),
            Value::Map(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
        }
    }
}

/// A YAML syntax error with its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Nesting deeper than this is refused (a config has no reason for it, and
/// an attacker-supplied file must not exhaust the stack).
const MAX_DEPTH: usize = 64;
/// Nodes in the loaded tree, counting alias expansions ("billion laughs").
const MAX_NODES: usize = 1_000_000;

enum Frame {
    Seq(usize, Vec<Node>),
    Map(usize, Vec<(String, Node)>, Option<(String, usize)>),
}

struct Builder {
    stack: Vec<Frame>,
    anchors: Vec<Option<(Node, usize)>>,
    /// Nodes created so far, aliases counted at their expanded size.
    nodes: usize,
    /// Anchor id of each open collection, to register it when it closes.
    open_anchors: Vec<usize>,
    root: Option<Node>,
    error: Option<SyntaxError>,
}

fn scalar(s: String, style: TScalarStyle) -> Value {
    if style != TScalarStyle::Plain {
        return Value::Str(s);
    }
    match s.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ => {
            if let Ok(i) = s.parse::<i64>() {
                Value::Int(i)
            } else if s.bytes().any(|b| b.is_ascii_digit()) && !s.contains(char::is_alphabetic) {
                s.parse::<f64>().map_or(Value::Str(s), Value::Float)
            } else {
                Value::Str(s)
            }
        }
    }
}

impl Builder {
    fn push_value(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq(_, items)) => items.push(node),
            Some(Frame::Map(_, entries, pending)) => match pending.take() {
                None => {
                    // A key. Only scalars make sense as keys in a config.
                    let key = match node.value {
                        Value::Str(s) => s,
                        Value::Int(i) => i.to_string(),
                        Value::Bool(b) => b.to_string(),
                        Value::Float(f) => f.to_string(),
                        Value::Null => String::new(),
                        _ => {
                            self.error.get_or_insert(SyntaxError {
                                line: node.line,
                                column: 0,
                                message:
                                    "a mapping key must be a plain value, not a list or mapping"
                                        .into(),
                            });
                            String::new()
                        }
                    };
                    *pending = Some((key, node.line));
                }
                Some((key, key_line)) => {
                    // A block mapping or list starts on the line after its key;
                    // errors about the value read best at the key's line.
                    let mut node = node;
                    if matches!(node.value, Value::Map(_) | Value::Seq(_)) {
                        node.line = key_line;
                    }
                    entries.push((key, node))
                }
            },
        }
    }

    fn register_anchor(&mut self, id: usize, node: &Node) {
        if id == 0 {
            return;
        }
        if self.anchors.len() <= id {
            self.anchors.resize(id + 1, None);
        }
        self.anchors[id] = Some((node.clone(), count(node)));
    }

    /// Charges `n` nodes; false (and an error) once the budget is spent.
    fn charge(&mut self, n: usize, line: usize) -> bool {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            self.error.get_or_insert(SyntaxError {
                line,
                column: 0,
                message: format!("more than {MAX_NODES} values (after expanding aliases)"),
            });
            return false;
        }
        true
    }
}

fn count(node: &Node) -> usize {
    1 + match &node.value {
        Value::Seq(v) => v.iter().map(count).sum(),
        Value::Map(m) => m.iter().map(|(_, v)| count(v)).sum(),
        _ => 0,
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let line = mark.line();
        match ev {
            Event::Scalar(s, style, anchor, _) => {
                if !self.charge(1, line) {
                    return;
                }
                let node = Node {
                    line,
                    value: scalar(s, style),
                };
                self.register_anchor(anchor, &node);
                self.push_value(node);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    self.error = Some(SyntaxError {
                        line,
                        column: mark.col() + 1,
                        message: format!("nested deeper than {MAX_DEPTH} levels"),
                    });
                    return;
                }
                if !self.charge(1, line) {
                    return;
                }
                self.open_anchors.push(anchor);
                self.stack.push(if matches!(ev, Event::SequenceStart(..)) {
                    Frame::Seq(line, Vec::new())
                } else {
                    Frame::Map(line, Vec::new(), None)
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match self.stack.pop() {
                    Some(Frame::Seq(l, items)) => Node {
                        line: l,
                        value: Value::Seq(items),
                    },
                    Some(Frame::Map(l, entries, _)) => Node {
                        line: l,
                        value: Value::Map(entries),
                    },
                    None => return,
                };
                let anchor = self.open_anchors.pop().unwrap_or(0);
                self.register_anchor(anchor, &node);
                self.push_value(node);
            }
            Event::Alias(id) => {
                // Charge the expanded size before cloning anything.
                let size = self
                    .anchors
                    .get(id)
                    .and_then(|a| a.as_ref())
                    .map(|(_, n)| *n);
                let Some(size) = size else {
                    self.error = Some(SyntaxError {
                        line,
                        column: mark.col() + 1,
                        message: "alias to an unknown or unfinished anchor".into(),
                    });
                    return;
                };
                if !self.charge(size, line) {
                    return;
                }
                if let Some(Some((node, _))) = self.anchors.get(id) {
                    let mut node = node.clone();
                    node.line = line;
                    self.push_value(node);
                }
            }
            _ => {}
        }
    }
}

/// Parses one YAML document. An empty document is an empty mapping.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut b = Builder {
        stack: Vec::new(),
        anchors: Vec::new(),
        open_anchors: Vec::new(),
        root: None,
        error: None,
        nodes: 0,
    };
    let mut parser = Parser::new_from_str(text);
    if let Err(e) = parser.load(&mut b, false) {
        return Err(SyntaxError {
            line: e.marker().line(),
            column: e.marker().col() + 1,
            message: e.info().to_string(),
        });
    }
    if let Some(e) = b.error {
        return Err(e);
    }
    Ok(b.root.unwrap_or(Node {
        line: 1,
        value: Value::Map(Vec::new()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_types() {
        let n = parse("a: 1\nb:\n  c: true\n  d: 'x'\n  e: [1, two]\n").unwrap();
        let Value::Map(m) = &n.value else { panic!() };
        assert_eq!(m[0].0, "a");
        assert_eq!(m[0].1.value, Value::Int(1));
        assert_eq!(m[0].1.line, 1);
        let Value::Map(b) = &m[1].1.value else {
            panic!()
        };
        assert_eq!(b[0].1.value, Value::Bool(true));
        assert_eq!(b[0].1.line, 3);
        assert_eq!(b[1].1.value, Value::Str("x".into()));
        assert!(matches!(b[2].1.value, Value::Seq(ref v) if v.len() == 2));
    }

    #[test]
    fn block_values_carry_their_key_line() {
        let n = parse("a:\n  b: 1\nc:\n  - x\n").unwrap();
        let Value::Map(m) = &n.value else { panic!() };
        assert_eq!(m[0].1.line, 1);
        assert_eq!(m[1].1.line, 3);
    }

    #[test]
    fn quoted_numbers_stay_strings() {
        let n = parse("a: '400'\nb: 1.5\nc: 1.2.3\n").unwrap();
        let Value::Map(m) = &n.value else { panic!() };
        assert_eq!(m[0].1.value, Value::Str("400".into()));
        assert_eq!(m[1].1.value, Value::Float(1.5));
        assert_eq!(m[2].1.value, Value::Str("1.2.3".into()));
    }

    #[test]
    fn syntax_errors_have_lines() {
        let e = parse("a: 1\nb: [1, 2\n").unwrap_err();
        assert!(e.line >= 2, "{e:?}");
        let e = parse("a:\n  - b\n c: d\n").unwrap_err();
        assert!(e.line >= 3, "{e:?}");
    }

    #[test]
    fn empty_is_empty_map() {
        assert_eq!(parse("").unwrap().value, Value::Map(vec![]));
        assert_eq!(
            parse("# only a comment\n").unwrap().value,
            Value::Map(vec![])
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut doc = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            doc += &format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n");
        }
        let e = parse(&doc).unwrap_err();
        assert!(e.message.contains("values"), "{e:?}");
    }

    #[test]
    fn aliases_resolve() {
        let n = parse("base: &b {x: 1}\nother: *b\n").unwrap();
        let Value::Map(m) = &n.value else { panic!() };
        assert_eq!(m[1].1.line, 2);
        assert!(matches!(m[1].1.value, Value::Map(ref v) if v[0].0 == "x"));
    }
}
