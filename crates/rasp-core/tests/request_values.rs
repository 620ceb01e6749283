//! The extension builds its gates' request values from [`RequestValues`]
//! without making the `context` JSON tree; plugins without the embedder's
//! list build theirs from the context they receive. Both must be the same
//! list, or a gate could skip an event a plugin would have judged on a
//! request value. Checked with proptest over requests with colliding names,
//! GET and POST sharing a name, nested arrays, JSON and JSON-looking bodies,
//! invalid UTF-8, encoded values, and limits small enough to be hit.

use proptest::prelude::*;
use rasp_core::config::ContextConfig;
use rasp_core::context::{build_context, Param, RequestInput, RequestValues};
use rasp_core::inputs::{InputOptions, RequestInputs};

fn name() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::sample::select(vec!["id", "q", "a", "user", "id2"])
            .prop_map(|s| s.as_bytes().to_vec()),
        // Names that differ only past the 256-byte clip or in invalid bytes.
        Just([b"k".repeat(300), b"1".to_vec()].concat()),
        Just([b"k".repeat(300), b"2".to_vec()].concat()),
        Just(b"n\xff".to_vec()),
        Just(b"n\xfe".to_vec()),
    ]
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::sample::select(vec![
            "1",
            "alice",
            "1' OR '1'='1",
            "%27%20OR%201%3D1",
            "%2527",
            "&lt;script&gt;",
            "\\u0027x",
            "héllo wörld",
            "{\"a\":1}",
            "",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        prop::collection::vec(any::<u8>(), 0..24),
        Just("é".repeat(40).into_bytes()),
    ]
}

fn param(depth: u32) -> BoxedStrategy<Param> {
    let leaf = value().prop_map(Param::Str).boxed();
    if depth == 0 {
        return leaf;
    }
    prop_oneof![
        3 => leaf,
        1 => prop::collection::vec((name(), param(depth - 1)), 0..4).prop_map(Param::Arr),
    ]
    .boxed()
}

fn params() -> impl Strategy<Value = Vec<(Vec<u8>, Param)>> {
    prop::collection::vec((name(), param(2)), 0..8)
}

fn body() -> impl Strategy<Value = (Vec<u8>, String)> {
    let json = r#"{"user":{"name":"bob","tags":["a","%27b",null,7]},"n":5,"e":{}}"#;
    prop_oneof![
        Just((Vec::new(), String::new())),
        Just((json.as_bytes().to_vec(), "application/json".into())),
        Just((json.as_bytes().to_vec(), "text/plain".into())),
        Just((
            b"[1,\"x\",[\"y\"]]".to_vec(),
            "application/json; charset=utf-8".into()
        )),
        Just((b"{}".to_vec(), "application/json".into())),
        Just((b"{\"broken\":".to_vec(), "application/json".into())),
        Just((
            b"a=1&b=2".to_vec(),
            "application/x-www-form-urlencoded".into()
        )),
        value().prop_map(|v| (v, "text/plain".to_string())),
    ]
}

fn headers() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
    prop::collection::vec(
        (
            prop::sample::select(vec![
                "user-agent",
                "referer",
                "content-type",
                "x-forwarded-for",
            ]),
            value(),
        ),
        0..5,
    )
    .prop_map(|hs| hs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

prop_compose! {
    fn request()(get in params(), post in params(), cookies in params(), headers in headers(),
                 (body, content_type) in body()) -> RequestInput {
        RequestInput {
            request_id: "r".into(),
            method: "POST".into(),
            headers,
            get,
            post,
            cookies,
            body_len: body.len() as u64,
            body,
            content_type,
            ..Default::default()
        }
    }
}

fn config() -> impl Strategy<Value = ContextConfig> {
    (1usize..40, 2usize..64, 4usize..128).prop_map(
        |(max_values, max_value_bytes, body_maxbytes)| ContextConfig {
            body_maxbytes,
            json_maxbytes: 4096,
            max_values,
            max_value_bytes,
            clientip_header: String::new(),
        },
    )
}

fn options() -> impl Strategy<Value = InputOptions> {
    (1usize..4, any::<bool>(), 4usize..64).prop_map(|(min_length, decode, max_decode_length)| {
        InputOptions {
            min_length,
            headers: vec![
                "user-agent".into(),
                "content-type".into(),
                "x-missing".into(),
            ],
            decode,
            max_decode_length,
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn values_give_the_list_the_context_gives(input in request(), cfg in config(), opts in options()) {
        let (values, t1) = RequestValues::of(&input, &cfg);
        let (ctx, t2) = build_context(&input, &cfg);
        prop_assert_eq!(t1, t2);
        let direct = RequestInputs::from_values(&values, &opts);
        let from_tree = RequestInputs::from_context(&ctx, &opts);
        prop_assert_eq!(direct.inputs(), from_tree.inputs());
        // As a plugin gets it: the context as JSON text.
        let parsed: serde_json::Value = serde_json::from_str(&ctx.to_string()).unwrap();
        let from_text = RequestInputs::from_context(&parsed, &opts);
        prop_assert_eq!(direct.inputs(), from_text.inputs());
    }
}

/// More names than the hash index kicks in at, with GET and POST sharing
/// some: the index must find them as the scan does.
#[test]
fn many_names_merge_as_few_do() {
    let p = |i: usize| {
        (
            format!("p{}", i % 40).into_bytes(),
            Param::Str(format!("v{i}").into_bytes()),
        )
    };
    let input = RequestInput {
        get: (0..100).map(p).collect(),
        post: (50..150).map(p).collect(),
        cookies: (0..60).map(p).collect(),
        headers: (0..30)
            .map(|i| (format!("h{}", i % 20), format!("x{i}").into_bytes()))
            .collect(),
        ..Default::default()
    };
    let cfg = ContextConfig {
        body_maxbytes: 64,
        json_maxbytes: 64,
        max_values: 5000,
        max_value_bytes: 64,
        clientip_header: String::new(),
    };
    let (values, _) = RequestValues::of(&input, &cfg);
    assert_eq!(values.parameter.len(), 40);
    assert_eq!(values.parameter[3].0, "p3");
    // p3: GET 3, 43, 83, then POST 83, 123 (50..150 hits p3 at 83 and 123).
    assert_eq!(values.parameter[3].1, ["v3", "v43", "v83", "v83", "v123"]);
    assert_eq!(values.cookie.len(), 40);
    assert_eq!(values.cookie[0], ("p0".to_string(), "v40".to_string()));
    assert_eq!(values.header.len(), 20);
    assert_eq!(values.header[5], ("h5".to_string(), "x25".to_string()));
    let opts = InputOptions::default();
    // Each distinct value once, past the point where the list hashes them.
    let list = RequestInputs::from_values(&values, &opts);
    let got: Vec<&str> = list.inputs().iter().map(|i| i.value.as_str()).collect();
    let mut want: Vec<String> = Vec::new();
    let all = values
        .parameter
        .iter()
        .flat_map(|(_, vs)| vs.iter())
        .chain(values.cookie.iter().map(|(_, v)| v));
    for v in all {
        if !want.contains(v) {
            want.push(v.clone());
        }
    }
    assert_eq!(got, want);
    let (ctx, _) = build_context(&input, &cfg);
    assert_eq!(
        RequestInputs::from_values(&values, &opts).inputs(),
        RequestInputs::from_context(&ctx, &opts).inputs()
    );
}
