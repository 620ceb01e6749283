//! The operator docs stay navigable: every relative link of the quick
//! start, install, configuration and FAQ pages (and docker/README.md) names
//! a file that exists, and every `#anchor` a heading of that file.

use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// GitHub's heading anchors: lower case, spaces to `-`, punctuation dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(text: &str) -> Vec<String> {
    let mut in_code = false;
    let mut out = Vec::new();
    for l in text.lines() {
        if l.starts_with("```") {
            in_code = !in_code;
        }
        if !in_code && l.starts_with('#') {
            out.push(slug(l.trim_start_matches('#')));
        }
    }
    out
}

fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_code = false;
    for l in text.lines() {
        if l.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        let mut rest = l;
        while let Some(i) = rest.find("](") {
            rest = &rest[i + 2..];
            if let Some(end) = rest.find(')') {
                out.push(rest[..end].to_string());
                rest = &rest[end..];
            }
        }
    }
    out
}

#[test]
fn relative_links_resolve() {
    let mut checked = 0;
    for doc in [
        "docs/quickstart.md",
        "docs/install.md",
        "docs/configuration.md",
        "docs/faq.md",
        "docs/plugin-api.md",
        "docker/README.md",
        "README.md",
    ] {
        let path = repo().join(doc);
        let text = std::fs::read_to_string(&path).unwrap();
        let dir = path.parent().unwrap();
        for link in links(&text) {
            if link.starts_with("http://")
                || link.starts_with("https://")
                || link.starts_with("mailto:")
            {
                continue;
            }
            let (file, anchor) = link.split_once('#').unwrap_or((link.as_str(), ""));
            let target: PathBuf = if file.is_empty() {
                path.clone()
            } else {
                dir.join(file)
            };
            assert!(
                target.exists(),
                "{doc}: link to {link}: {} does not exist",
                target.display()
            );
            if !anchor.is_empty() && target.extension().is_some_and(|e| e == "md") {
                let t = std::fs::read_to_string(&target).unwrap();
                assert!(
                    anchors(&t).iter().any(|a| a == anchor),
                    "{doc}: link to {link}: no heading with anchor #{anchor} in {}",
                    target
                        .strip_prefix(repo())
                        .unwrap_or(Path::new(file))
                        .display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 30, "{checked}");
}

#[test]
fn slugs() {
    assert_eq!(
        slug(" Testing plugins: `rasp plugin test`"),
        "testing-plugins-rasp-plugin-test"
    );
    assert_eq!(
        slug("What happens when something goes wrong? (what fails open, and why)"),
        "what-happens-when-something-goes-wrong-what-fails-open-and-why"
    );
    assert_eq!(
        slug("Packaging: DESTDIR, .deb, PIE and pecl"),
        "packaging-destdir-deb-pie-and-pecl"
    );
}
