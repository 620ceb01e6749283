//! Fuzzes the whitelist: building from arbitrary patterns and type sets,
//! matching arbitrary (non-UTF-8) hosts and paths against the serialized
//! bytes, compared with a naive reference over the canonical patterns; and
//! `WhitelistView::new` over arbitrary and bit-flipped bytes (what a worker
//! would read from a corrupt shared-memory slot): never a panic or hang.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use rasp_core::CheckTypeSet;
use rasp_whitelist::{RequestKey, Whitelist, WhitelistBuilder, WhitelistView};

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    patterns: Vec<(&'a str, u64)>,
    requests: Vec<(&'a [u8], &'a [u8])>,
    flips: Vec<(u16, u8)>,
    raw: &'a [u8],
}

fn starts_with(key: impl Iterator<Item = u8>, prefix: &[u8]) -> bool {
    let mut key = key;
    prefix.iter().all(|&p| key.next() == Some(p))
}

/// Every canonical pattern that is a byte prefix of the request's key.
fn naive(wl: &Whitelist, key: &RequestKey<'_>) -> CheckTypeSet {
    let mut bits = 0;
    for (pattern, set) in wl.patterns() {
        let hit = pattern == "*"
            || (key.has_host() && starts_with(key.host_key(), pattern.as_bytes()))
            || starts_with(key.path_key(), pattern.as_bytes());
        if hit {
            bits |= set.0;
        }
    }
    CheckTypeSet(bits)
}

/// The trailer checksum of the serialized format (mirrors the crate's
/// private `format::checksum`), so flipped bytes can be resealed and reach
/// the trie walk instead of being refused at validation.
fn reseal(bytes: &mut [u8]) {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    fn mix(x: u64) -> u64 {
        let x = x.wrapping_mul(K);
        x ^ (x >> 32)
    }
    fn word(c: &[u8]) -> u64 {
        let mut w = [0u8; 8];
        w[..c.len()].copy_from_slice(c);
        u64::from_le_bytes(w)
    }
    if bytes.len() < 8 {
        return;
    }
    let n = bytes.len() - 8;
    let data = &bytes[..n];
    let mut lanes = [0x5241_5350_574C_0001_u64, 0x5241_5350_574C_0002, 0x5241_5350_574C_0003, 0x5241_5350_574C_0004];
    let mut blocks = data.chunks_exact(32);
    for block in &mut blocks {
        for (lane, w) in lanes.iter_mut().zip(block.chunks_exact(8)) {
            *lane = mix(*lane ^ word(w));
        }
    }
    for (lane, w) in lanes.iter_mut().zip(blocks.remainder().chunks(8)) {
        *lane = mix(*lane ^ word(w));
    }
    let mut h = mix(data.len() as u64 ^ 0x6368_6563_6b73_756d);
    for lane in lanes {
        h = mix(h ^ mix(lane));
    }
    bytes[n..].copy_from_slice(&h.to_le_bytes());
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(input) = Input::arbitrary(&mut u) else { return };
    let all = CheckTypeSet::all().0;
    let mut builder = WhitelistBuilder::new();
    for (p, types) in input.patterns.iter().take(64) {
        let _ = builder.add(p, CheckTypeSet(types & all));
    }
    if let Ok(wl) = builder.build() {
        let bytes = wl.to_bytes();
        let view = WhitelistView::new(&bytes).expect("freshly built bytes validate");
        for (host, path) in input.requests.iter().take(16) {
            let key = RequestKey::from_bytes(host, path);
            let got = view.lookup_key(&key);
            assert_eq!(got, naive(&wl, &key), "host {host:?} path {path:?} patterns {:?}", wl.patterns().collect::<Vec<_>>());
            assert_eq!(got, view.lookup_bytes(host, path));
        }
        // Bit flips after building: validation or a lookup, never a panic.
        let mut bad = bytes.clone();
        for (at, x) in &input.flips {
            if !bad.is_empty() {
                let i = *at as usize % bad.len();
                bad[i] ^= x;
            }
        }
        if !input.flips.is_empty() {
            assert!(bad == bytes || WhitelistView::new(&bad).is_err(), "a flipped byte passed the checksum");
        }
        reseal(&mut bad);
        if let Ok(v) = WhitelistView::new(&bad) {
            for (host, path) in input.requests.iter().take(4) {
                let _ = v.lookup_bytes(host, path);
            }
        }
    }
    // Arbitrary bytes as a published whitelist.
    if let Ok(v) = WhitelistView::new(input.raw) {
        for (host, path) in input.requests.iter().take(4) {
            let _ = v.lookup_bytes(host, path);
        }
    }
});
