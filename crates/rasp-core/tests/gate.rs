//! Request inputs (the values detection looks for) and the check gates
//! built on them.

use std::rc::Rc;

use proptest::prelude::*;
use rasp_core::gate::{Condition, Gate};
use rasp_core::inputs::{
    decoded_forms, html_decode, js_len, json_unescape, url_decode, Decoding, InputOptions,
    RequestInputs, Source,
};
use serde_json::{json, Value};

fn opts() -> InputOptions {
    InputOptions {
        min_length: 1,
        headers: vec!["user-agent".into(), "referer".into()],
        decode: true,
        max_decode_length: 16384,
    }
}

fn values(ctx: &Value, o: &InputOptions) -> Vec<(Source, String, String, Option<Decoding>)> {
    RequestInputs::from_context(ctx, o)
        .inputs()
        .iter()
        .map(|i| (i.source, i.name.clone(), i.value.clone(), i.decoded))
        .collect()
}

#[test]
fn every_source_in_order_without_duplicates() {
    let ctx = json!({
        "parameter": { "id": ["7", "8"], "q": ["a%27b"], "dup": ["7"] },
        "json": { "user": { "name": "bob", "tags": ["x", null, 3, true] } },
        "cookie": { "sid": "abc" },
        "header": { "user-agent": "curl/8", "host": "h", "referer": "r" },
        "body": "ignored: json is set",
    });
    let got = values(&ctx, &opts());
    let short: Vec<(&str, &str, &str, Option<Decoding>)> = got
        .iter()
        .map(|(s, n, v, d)| (s.as_str(), n.as_str(), v.as_str(), *d))
        .collect();
    assert_eq!(
        short,
        vec![
            ("parameter", "id", "7", None),
            ("parameter", "id", "8", None),
            ("parameter", "q", "a%27b", None),
            ("parameter", "q", "a'b", Some(Decoding::Url)),
            ("json", "user.name", "bob", None),
            ("json", "user.tags.0", "x", None),
            ("json", "user.tags.2", "3", None),
            ("json", "user.tags.3", "true", None),
            ("cookie", "sid", "abc", None),
            ("header", "user-agent", "curl/8", None),
            ("header", "referer", "r", None),
        ]
    );
}

#[test]
fn body_is_read_as_json_when_it_looks_like_json() {
    let ctx = json!({ "json": {}, "body": "  {\"a\": [\"deep\"]}" });
    let got = values(&ctx, &opts());
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].1.as_str(), got[0].2.as_str()), ("a.0", "deep"));
    let ctx = json!({ "json": {}, "body": "a=1" });
    assert!(values(&ctx, &opts()).is_empty());
    let ctx = json!({ "body": "[\"top\"" });
    assert!(values(&ctx, &opts()).is_empty(), "broken JSON is no value");
    let ctx = json!({ "json": "scalar" });
    assert_eq!(values(&ctx, &opts())[0].1, "(json)");
}

#[test]
fn min_length_counts_utf16_units_and_decoding_can_be_off() {
    let o = InputOptions {
        min_length: 2,
        decode: false,
        ..opts()
    };
    let ctx = json!({ "parameter": { "a": ["x", "é", "😀", "%41%42"] } });
    let got: Vec<String> = values(&ctx, &o).into_iter().map(|v| v.2).collect();
    assert_eq!(got, vec!["😀", "%41%42"]);
    assert_eq!(js_len("😀é"), 3);
    let o = InputOptions {
        max_decode_length: 3,
        ..opts()
    };
    let ctx = json!({ "parameter": { "a": ["%41%42"] } });
    assert_eq!(values(&ctx, &o).len(), 1, "too long to decode");
}

#[test]
fn json_walk_is_bounded_in_depth_and_leaves() {
    let mut deep = json!("bottom");
    for _ in 0..100 {
        deep = json!({ "d": deep });
    }
    assert!(values(&json!({ "json": deep }), &opts()).is_empty());
    let many: Vec<Value> = (0..20_000).map(|i| json!(format!("v{i}"))).collect();
    let got = values(&json!({ "json": many }), &opts());
    assert_eq!(got.len(), 10_000);
}

#[test]
fn url_decoding() {
    assert_eq!(url_decode("a%27%20b+c"), "a' b+c");
    assert_eq!(url_decode("%C3%A9t%C3%A9"), "été");
    // Invalid UTF-8 bytes are read as Latin-1, one by one.
    assert_eq!(url_decode("%E9t%E9"), "\u{e9}t\u{e9}");
    assert_eq!(url_decode("%C3"), "\u{c3}");
    assert_eq!(url_decode("%u0041%u00e9"), "Aé");
    assert_eq!(url_decode("%uD83D%uDE00"), "😀");
    assert_eq!(url_decode("%uD83D"), "\u{fffd}");
    assert_eq!(url_decode("100%"), "100%");
    assert_eq!(url_decode("%zz%4"), "%zz%4");
    assert_eq!(url_decode("é%2e"), "é.");
    assert_eq!(url_decode("%252e%252e%252f"), "%2e%2e%2f");
}

#[test]
fn html_decoding() {
    assert_eq!(html_decode("&lt;script&gt;"), "<script>");
    assert_eq!(html_decode("&#39;&#x27;&#X27"), "'''");
    assert_eq!(html_decode("&AMP;&amp"), "&&");
    assert_eq!(
        html_decode("&unknown; &x &#; &#0; &#x;"),
        "&unknown; &x &#; &#0; &#x;"
    );
    assert_eq!(html_decode("&#1114112;"), "&#1114112;");
    assert_eq!(html_decode("&#xD800;"), "\u{fffd}");
    assert_eq!(html_decode("a&lpar;b&rpar;"), "a(b)");
}

#[test]
fn json_unescaping() {
    assert_eq!(json_unescape(r#"a\u0027b\x27\"\\\/\n"#), "a'b'\"\\/\n");
    assert_eq!(json_unescape(r"\ud83d\ude00"), "😀");
    assert_eq!(json_unescape(r"\ud83d!"), "\u{fffd}!");
    assert_eq!(json_unescape(r"\q\u12"), r"\q\u12");
    assert_eq!(json_unescape("trailing\\"), "trailing\\");
}

#[test]
fn decoded_forms_are_distinct_and_ordered() {
    let f = decoded_forms("%2527");
    assert_eq!(
        f,
        vec![
            ("%27".to_string(), Decoding::Url),
            ("'".to_string(), Decoding::Url)
        ]
    );
    assert!(decoded_forms("plain").is_empty());
    assert!(decoded_forms("100%").is_empty(), "no change, no form");
    let f = decoded_forms(r"&lt;\x3c");
    assert_eq!(f[0], (r"<\x3c".to_string(), Decoding::Html));
    assert_eq!(f[1], ("&lt;<".to_string(), Decoding::Json));
}

#[test]
fn the_list_as_json_is_what_plugins_receive() {
    let ctx = json!({ "parameter": { "q\"k": ["a%27\"\u{1}é"] } });
    let json: Value =
        serde_json::from_str(&RequestInputs::from_context(&ctx, &opts()).to_json()).unwrap();
    assert_eq!(
        json,
        json!([
            { "source": "parameter", "name": "q\"k", "value": "a%27\"\u{1}é" },
            { "source": "parameter", "name": "q\"k", "value": "a'\"\u{1}é", "decoded": "url" },
        ])
    );
    assert_eq!(
        RequestInputs::from_context(&json!({}), &opts()).to_json(),
        "[]"
    );
}

#[test]
fn occurs_in_respects_min_length() {
    let ctx = json!({ "parameter": { "a": ["x", "etc/passwd"] } });
    let inputs = RequestInputs::from_context(&ctx, &opts());
    assert!(inputs.occurs_in("/var/www/x.php", 1));
    assert!(!inputs.occurs_in("/var/www/x.php", 2));
    assert!(inputs.occurs_in("/var/www/../../etc/passwd", 2));
    assert!(!inputs.occurs_in("", 1));
    let none = RequestInputs::from_context(&json!({}), &opts());
    assert!(none.is_empty() && !none.occurs_in("anything", 1));
}

#[test]
fn occurring_in_gives_list_positions_by_utf16_length() {
    // "é" is one UTF-16 unit and two UTF-8 bytes: min counts like JS .length.
    let ctx = json!({ "parameter": { "a": ["x", "etc/passwd", "é", "absent"] } });
    let inputs = RequestInputs::from_context(&ctx, &opts());
    let values: Vec<&str> = inputs.inputs().iter().map(|i| i.value.as_str()).collect();
    let at = |text: &str, min| -> Vec<&str> {
        let found = inputs.occurring_in(text, min);
        assert!(found.windows(2).all(|w| w[0] < w[1]), "list order");
        found.into_iter().map(|i| values[i]).collect()
    };
    assert_eq!(at("x /etc/passwd é", 1), ["x", "etc/passwd", "é"]);
    assert_eq!(at("x /etc/passwd é", 2), ["etc/passwd"]);
    assert_eq!(at("xé", 1), ["x", "é"]);
    assert!(at("", 1).is_empty());
    // Asked again (the finders are kept): the same answer.
    assert_eq!(at("x /etc/passwd é", 1), ["x", "etc/passwd", "é"]);
}

fn gate(whens: Vec<Option<Value>>) -> Option<Gate> {
    let parsed: Vec<Option<Vec<Condition>>> = whens
        .into_iter()
        .map(|w| w.map(|w| Gate::parse_when(&w).expect("valid when")))
        .collect();
    Gate::from_handlers(&parsed)
}

fn passes(g: &Gate, params: Value, ctx: &Value) -> bool {
    g.passes(&params, |o| Rc::new(RequestInputs::from_context(ctx, o)))
}

#[test]
fn gate_conditions() {
    let meta = json!({ "min_length": 1, "headers": ["user-agent"] });
    let g = gate(vec![
        Some(json!([{ "param": "path", "input": meta, "min_length": 2 }])),
        Some(json!({ "param": "path", "contains": ["://", "DATA:"] })),
    ])
    .expect("every handler has a when");
    let quiet = json!({ "parameter": { "p": ["1"] }, "header": { "user-agent": "Mozilla" } });
    assert!(!passes(
        &g,
        json!({ "path": "/www/wp-includes/x1.php" }),
        &quiet
    ));
    assert!(passes(&g, json!({ "path": "php://input" }), &quiet));
    assert!(
        passes(&g, json!({ "path": "Data:text/plain,x" }), &quiet),
        "case ignored"
    );
    assert!(
        passes(&g, json!({ "path": "/tmp/Mozilla.php" }), &quiet),
        "a header value"
    );
    // A missing or non-string param is the handler's business.
    assert!(passes(&g, json!({ "url": "x" }), &quiet));
    assert!(passes(&g, json!({ "path": 7 }), &quiet));
    // One handler without `when` sees everything.
    assert!(gate(vec![
        Some(json!({ "param": "path", "contains": ["x"] })),
        None
    ])
    .is_none());
    // `input: true` uses the default options.
    let g = gate(vec![Some(json!({ "param": "query", "input": true }))]).expect("gate");
    assert!(passes(&g, json!({ "query": "select 1" }), &quiet));
    assert!(!passes(&g, json!({ "query": "select 2" }), &quiet));
    // An empty word always matches.
    let g = gate(vec![Some(json!({ "param": "q", "contains": [""] }))]).expect("gate");
    assert!(passes(&g, json!({ "q": "z" }), &quiet));
    // Words without letters match an upper-case text as they are.
    let g = gate(vec![Some(json!({ "param": "q", "contains": [":"] }))]).expect("gate");
    assert!(passes(&g, json!({ "q": "C:\\WINDOWS" }), &quiet));
    assert!(!passes(&g, json!({ "q": "/VAR/WWW" }), &quiet));
    // JavaScript lower-cases the Kelvin sign to "k": a text holding one
    // passes for words with a "k" (and only those).
    let g = gate(vec![Some(json!({ "param": "q", "contains": ["LIKE"] }))]).expect("gate");
    assert!(passes(&g, json!({ "q": "a LI\u{212A}E b" }), &quiet));
    assert!(!passes(&g, json!({ "q": "a LIME b \u{00e2}" }), &quiet));
    let colon = gate(vec![Some(json!({ "param": "q", "contains": [":"] }))]).expect("gate");
    assert!(!passes(&colon, json!({ "q": "\u{212A}" }), &quiet));
}

#[test]
fn bad_when_values_name_the_problem() {
    for (w, want) in [
        (json!(3), "must be a condition object or an array"),
        (json!([{ "contains": ["a"] }]), "needs \"param\""),
        (json!([{ "param": "p" }]), "exactly one of"),
        (
            json!([{ "param": "p", "contains": "a" }]),
            "must be an array of strings",
        ),
        (
            json!([{ "param": "p", "contains": [1] }]),
            "must list strings",
        ),
        (
            json!([{ "param": "p", "input": 1 }]),
            "input options object",
        ),
        (
            json!([{ "param": "p", "input": {}, "regex": "x" }]),
            "unknown key \"regex\"",
        ),
    ] {
        let err = Gate::parse_when(&w).expect_err("invalid");
        assert!(err.0.contains(want), "{w}: {err}");
    }
}

proptest! {
    /// passes_noting lets through what passes_with lets through, names the
    /// handlers whose own conditions hold, and its finding is the search.
    #[test]
    fn noting_agrees_with_each_handlers_conditions(
        vals in proptest::collection::vec("[ab;']{1,3}", 0..6),
        query in "[ab;' ]{0,24}",
        missing in any::<bool>(),
    ) {
        let meta = json!({ "min_length": 1 });
        let whens = [
            json!([{ "param": "query", "input": meta, "min_length": 2 }]),
            json!([{ "param": "query", "contains": [";"] }, { "param": "other", "contains": ["b"] }]),
            json!({ "param": "query", "input": meta }),
        ];
        let g = gate(whens.iter().cloned().map(Some).collect()).expect("gate");
        let ctx = json!({ "parameter": { "v": vals } });
        let params = if missing { json!({}) } else { json!({ "query": query }) };
        let field = |k: &str| params.get(k).and_then(Value::as_str).map(std::borrow::Cow::Borrowed);
        let inputs = |o: &std::sync::Arc<InputOptions>| Rc::new(RequestInputs::from_context(&ctx, o));
        let pass = g.passes_noting(field, inputs);
        prop_assert_eq!(pass.is_some(), passes(&g, params.clone(), &ctx));
        let Some(pass) = pass else { return Ok(()) };
        for (h, w) in whens.iter().enumerate() {
            let alone = gate(vec![Some(w.clone())]).expect("gate");
            prop_assert_eq!(pass.handlers & (1 << h) != 0, passes(&alone, params.clone(), &ctx), "handler {}", h);
        }
        if let Some(f) = &pass.finding {
            let min = f.min_length;
            let want: Vec<usize> = f.inputs.inputs().iter().enumerate()
                .filter(|(_, i)| js_len(&i.value) >= min && query.contains(&i.value))
                .map(|(at, _)| at)
                .collect();
            prop_assert_eq!(&f.positions, &want);
        }
    }

    #[test]
    fn searches_agree_with_a_naive_search(
        vals in proptest::collection::vec("[ab%'/.é ]{0,6}", 0..30),
        texts in proptest::collection::vec("[ab%'/.é ]{0,80}", 40),
        min in 1usize..4,
    ) {
        // 40 texts: occurs_in past its switch from one-by-one to the
        // automaton; occurring_in one-shot for the first text, with
        // searchers for the later, remembering the last (each text twice).
        let ctx = json!({ "parameter": { "v": vals } });
        let inputs = RequestInputs::from_context(&ctx, &opts());
        for text in texts.iter().flat_map(|t| [t, t]) {
            let naive: Vec<usize> = inputs.inputs().iter().enumerate()
                .filter(|(_, i)| js_len(&i.value) >= min && text.contains(&i.value))
                .map(|(at, _)| at)
                .collect();
            prop_assert_eq!(inputs.occurs_in(text, min), !naive.is_empty());
            prop_assert_eq!(inputs.occurring_in(text, min), naive);
        }
    }

    #[test]
    fn value_rows_are_the_json_of_the_entries(
        vals in proptest::collection::vec("[a\"\\\\\u{0}-\u{1f}%é😀<&]{0,8}", 0..12),
    ) {
        let ctx = json!({ "parameter": { "n\"\\\u{1}": vals } });
        let inputs = RequestInputs::from_context(&ctx, &opts());
        let rows: Value = serde_json::from_str(&inputs.to_json()).expect("valid JSON");
        let want: Vec<Value> = inputs.inputs().iter().map(|i| {
            let mut row = json!({ "source": i.source.as_str(), "name": i.name, "value": i.value });
            if let Some(d) = i.decoded {
                row["decoded"] = json!(d.as_str());
            }
            row
        }).collect();
        prop_assert_eq!(rows, Value::Array(want));
    }

    #[test]
    fn decoders_never_panic(s in "\\PC{0,40}|[%&\\\\#;xuU0-9a-fA-F]{0,40}") {
        let _ = url_decode(&s);
        let _ = html_decode(&s);
        let _ = json_unescape(&s);
        let _ = decoded_forms(&s);
    }
}
