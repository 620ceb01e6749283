//! Inputs shared by the rasp-v8 benches: the official plugin, a request with
//! 20 parameters as the extension would capture it, and WordPress-like SQL.

#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

use rasp_core::context::{build_context, Param, RequestInput};
use rasp_core::RaspConfig;
use rasp_v8::{EngineOptions, PluginSource};

pub fn official_plugin() -> Vec<PluginSource> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../plugins/official/plugin.js");
    let source = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    vec![PluginSource {
        name: "official.js".into(),
        source,
    }]
}

/// A generous deadline: on a loaded machine a thread can wait longer than
/// the production 100 ms for a CPU, and a cut-off check is not a sample.
pub fn opts() -> EngineOptions {
    EngineOptions {
        timeout: Duration::from_millis(2000),
        heap_limit: 128 << 20,
        ..Default::default()
    }
}

fn s(v: &str) -> Param {
    Param::Str(v.as_bytes().to_vec())
}

/// A search request of a WordPress-like site: 20 parameters (GET and POST),
/// a few cookies and the usual browser headers.
pub fn request_input() -> RequestInput {
    let get: Vec<(Vec<u8>, Param)> = [
        ("s", "hello world"),
        ("paged", "2"),
        ("orderby", "date"),
        ("order", "desc"),
        ("cat", "7"),
        ("tag", "release-notes"),
        ("author", "3"),
        ("lang", "en"),
        ("utm_source", "newsletter"),
        ("utm_medium", "email"),
    ]
    .iter()
    .map(|(k, v)| (k.as_bytes().to_vec(), s(v)))
    .collect();
    let post: Vec<(Vec<u8>, Param)> = [
        (
            "comment",
            "Thanks for the write-up, it's exactly what I needed.",
        ),
        ("author_name", "O'Brien"),
        ("email", "obrien@example.org"),
        ("url", "https://example.org/blog/"),
        ("comment_post_ID", "42"),
        ("comment_parent", "0"),
        ("_wp_unfiltered_html_comment", "8c1f4e2a9b"),
        ("submit", "Post Comment"),
        ("redirect_to", "/?p=42#comments"),
        ("akismet_comment_nonce", "a1b2c3d4e5"),
    ]
    .iter()
    .map(|(k, v)| (k.as_bytes().to_vec(), s(v)))
    .collect();
    let headers = [
        ("host", "127.0.0.1:8090"),
        (
            "user-agent",
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        ),
        (
            "accept",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        ),
        ("accept-language", "en-US,en;q=0.5"),
        ("accept-encoding", "gzip, deflate"),
        ("referer", "http://127.0.0.1:8090/?p=42"),
        ("content-type", "application/x-www-form-urlencoded"),
        (
            "cookie",
            "wordpress_test_cookie=WP%20Cookie%20check; wp-settings-time-1=1700000000",
        ),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
    .collect();
    RequestInput {
        request_id: "0123456789abcdef0123456789abcdef".into(),
        method: "POST".into(),
        scheme: "http".into(),
        host: "127.0.0.1:8090".into(),
        uri: b"/?s=hello+world&paged=2&orderby=date&order=desc&cat=7&tag=release-notes&author=3&lang=en&utm_source=newsletter&utm_medium=email".to_vec(),
        query_string: b"s=hello+world&paged=2&orderby=date&order=desc&cat=7&tag=release-notes&author=3&lang=en&utm_source=newsletter&utm_medium=email".to_vec(),
        protocol: "HTTP/1.1".into(),
        remote_addr: "127.0.0.1".into(),
        server_addr: "127.0.0.1".into(),
        headers,
        get,
        post,
        cookies: vec![
            (b"wordpress_test_cookie".to_vec(), s("WP Cookie check")),
            (b"wp-settings-time-1".to_vec(), s("1700000000")),
        ],
        body: Vec::new(),
        body_len: 0,
        content_type: "application/x-www-form-urlencoded".into(),
        document_root: "/usr/share/wordpress".into(),
        php_version: "8.2.36".into(),
        os: "linux".into(),
    }
}

/// The `context` JSON the extension would pass for [`request_input`].
pub fn context_json() -> String {
    let cfg = RaspConfig::default();
    build_context(&request_input(), &cfg.context).0.to_string()
}

/// The same request with `cat=7 or 1=1` (see [`ATTACK_SQL`]).
pub fn attack_context_json() -> String {
    let cfg = RaspConfig::default();
    let mut input = request_input();
    for (k, v) in input.get.iter_mut() {
        if k == b"cat" {
            *v = s("7 or 1=1");
        }
    }
    build_context(&input, &cfg.context).0.to_string()
}

const STACK: &[&str] = &[
    "/usr/share/wordpress/wp-includes/class-wpdb.php@mysqli_query:2349",
    "/usr/share/wordpress/wp-includes/class-wpdb.php@wpdb->_do_query:2263",
    "/usr/share/wordpress/wp-includes/class-wpdb.php@wpdb->query:3151",
    "/usr/share/wordpress/wp-includes/class-wpdb.php@wpdb->get_col:3151",
    "/usr/share/wordpress/wp-includes/class-wp-query.php@WP_Query->get_posts:3383",
    "/usr/share/wordpress/wp-includes/class-wp-query.php@WP_Query->query:3881",
    "/usr/share/wordpress/wp-includes/class-wp.php@WP->query_posts:663",
    "/usr/share/wordpress/wp-includes/class-wp.php@WP->main:783",
    "/usr/share/wordpress/wp-includes/functions.php@wp:1336",
    "/usr/share/wordpress/wp-blog-header.php@require:16",
];

/// Params as the extension builds them today: the stack inside.
pub fn params_json(query: &str) -> String {
    serde_json::json!({ "query": query, "server": "mysql", "stack": STACK }).to_string()
}

/// Params without the stack, for `Engine::check_with_stack`.
pub fn params_without_stack(query: &str) -> String {
    serde_json::json!({ "query": query, "server": "mysql" }).to_string()
}

/// The stack frames as a JSON array, for `Engine::check_with_stack`.
pub fn stack_json() -> String {
    serde_json::to_string(STACK).unwrap()
}

/// The search query WordPress sends for `?s=hello world`: a request value
/// occurs in it, so the plugin tokenizes it.
pub const SEARCH_SQL: &str = "SELECT SQL_CALC_FOUND_ROWS  wp_posts.ID FROM wp_posts  WHERE 1=1  AND (((wp_posts.post_title LIKE '%hello world%') OR (wp_posts.post_excerpt LIKE '%hello world%') OR (wp_posts.post_content LIKE '%hello world%')))  AND ((wp_posts.post_type = 'post' AND (wp_posts.post_status = 'publish')))  ORDER BY wp_posts.post_title LIKE '%hello world%' DESC, wp_posts.post_date DESC LIMIT 10, 10";

/// A query with no request value in it (most of a page's queries).
pub const PLAIN_SQL: &str =
    "SELECT option_name, option_value FROM wp_options WHERE autoload = 'yes'";

/// An injection through `cat` (a numeric context): blocked.
pub const ATTACK_SQL: &str = "SELECT * FROM wp_terms WHERE term_id = 7 or 1=1";

/// A ~70 KB bulk INSERT (about 12k tokens) that carries a request value:
/// the plugin must tokenize all of it.
pub fn big_sql() -> String {
    let mut q = String::from("INSERT INTO wp_postmeta (post_id, meta_key, meta_value) VALUES ");
    let mut i = 0;
    while q.len() < 70_000 {
        if i > 0 {
            q.push_str(", ");
        }
        q.push_str(&format!("({i}, 'key_{i}', 'value number {i}')"));
        i += 1;
    }
    q.push_str(", (0, 'search', 'hello world')");
    q
}

/// A plugin that only enters V8 and returns: the fixed cost of a check.
pub const NOOP_PLUGIN: &str =
    "const p = new RASP('noop'); p.register('sql', function () { return null; });";
