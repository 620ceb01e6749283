//! Damaged bytes are refused when a view is created; nothing panics.

use rasp_core::CheckTypeSet;
use rasp_whitelist::{FormatError, Whitelist, WhitelistView, FORMAT_VERSION};

fn small() -> Whitelist {
    Whitelist::build([
        (
            "example.com/admin/",
            CheckTypeSet::from_names(["sql", "command"]).unwrap(),
        ),
        ("Api.example.com:8080/health", CheckTypeSet::all()),
        ("/static/", CheckTypeSet::from_names(["readFile"]).unwrap()),
        ("*", CheckTypeSet::from_names(["xss_echo"]).unwrap()),
    ])
    .unwrap()
}

const PROBES: &[(&str, &str)] = &[
    ("example.com", "/admin/x"),
    ("api.example.com:8080", "/health"),
    ("x", "/static/a"),
    ("", ""),
    ("\u{fc}", "\u{0}\u{ff}/..//%2e"),
];

fn probe(view: &WhitelistView<'_>) {
    for (h, p) in PROBES {
        let _ = view.lookup(h, p);
    }
}

#[test]
fn every_single_byte_flip_is_refused() {
    let bytes = small().to_bytes();
    assert!(WhitelistView::new(&bytes).is_ok());
    for i in 0..bytes.len() {
        for flip in [0x01u8, 0x10, 0x80, 0xFF] {
            let mut b = bytes.clone();
            b[i] ^= flip;
            match WhitelistView::new(&b) {
                Ok(view) => {
                    probe(&view);
                    panic!("flip {flip:#x} at byte {i} was accepted");
                }
                Err(e) => assert!(!e.to_string().is_empty()),
            }
        }
    }
}

#[test]
fn every_truncation_is_refused() {
    let bytes = small().to_bytes();
    for n in 0..bytes.len() {
        let err = WhitelistView::new(&bytes[..n]).unwrap_err();
        if n >= 8 {
            assert!(matches!(err, FormatError::Truncated { .. }), "{n}: {err:?}");
        }
    }
}

#[test]
fn other_versions_and_junk_are_refused_with_advice() {
    let mut bytes = small().to_bytes();
    bytes[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    let err = WhitelistView::new(&bytes).unwrap_err();
    assert_eq!(err, FormatError::UnsupportedVersion(FORMAT_VERSION + 1));
    assert!(err.to_string().contains("same php-rasp release"), "{err}");
    assert_eq!(
        WhitelistView::new(b"not a whitelist at all, really").unwrap_err(),
        FormatError::BadMagic
    );
    assert!(WhitelistView::new(&[]).is_err());
    let mut rng = 0x1234_5678_u64;
    for len in 0..300 {
        let junk: Vec<u8> = (0..len)
            .map(|_| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                rng as u8
            })
            .collect();
        if let Ok(view) = WhitelistView::new(&junk) {
            probe(&view);
        }
    }
}
