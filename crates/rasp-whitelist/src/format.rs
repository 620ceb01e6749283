//! The serialized whitelist and the zero-copy matcher that reads it.
//!
//! # Layout (version 1)
//!
//! All integers are little-endian; every section starts at a multiple of 8.
//!
//! ```text
//! offset  size  field
//!      0     8  magic            0x89 "RASPWL" 0x0A
//!      8     4  version          1
//!     12     4  header_len       40 (bytes before the nodes)
//!     16     4  flags            0 (a reader rejects bits it does not know)
//!     20     4  node_count       n >= 1
//!     24     4  value_count      v >= 1
//!     28     4  pattern_count    distinct patterns after normalization
//!     32     8  total_len        header_len + 8n + 8v + 8
//!     40    8n  nodes            per node: base u32, then label u8 | value_index+1 << 8 (u32)
//!      .    8v  values           CheckTypeSet bits (u64) per value index
//!      .     8  checksum         over every byte before it
//! ```
//!
//! The nodes are a double-array trie. Node 0 is the root. From node `s` on
//! byte `c`, the child is node `t = base(s) ^ c`; it exists iff the label of
//! `t` is `c` and `t` is in use (its second word is at least 256). That is
//! sound because the builder gives every inner node a distinct base, so the
//! only node that can sit at `base(s) ^ c` with label `c` is `s`'s child.
//! `base == 0` marks a leaf. XOR keeps the children of a node inside one
//! 256-node block, 2 KiB, which is one or two cache lines per step in
//! practice and the reason for XOR over the textbook `base + c`.
//!
//! A node's value is not the set of its own pattern but the union of the
//! sets of every pattern on the path from the root to it. A lookup is then
//! "walk as far as the key allows and read one value", with no OR per byte.
//!
//! The checksum is a 4-lane multiply-xorshift hash over 8-byte words. Every
//! step is a bijection of the lane state, so any change confined to one
//! aligned word (in particular any single corrupted byte) is always caught,
//! and a changed length is caught by `total_len`. It guards against torn or
//! stale writes and bugs, not against an attacker who can write the shared
//! memory (who could as well write a valid whitelist).

use std::fmt;

use rasp_core::CheckTypeSet;

use crate::key::RequestKey;

/// First bytes of a serialized whitelist.
pub const MAGIC: [u8; 8] = *b"\x89RASPWL\n";
/// Version of the layout written by [`Whitelist::to_bytes`](crate::Whitelist::to_bytes).
pub const FORMAT_VERSION: u32 = 1;
pub(crate) const HEADER_LEN: usize = 40;
pub(crate) const NODE_LEN: usize = 8;
pub(crate) const VALUE_LEN: usize = 8;
pub(crate) const CHECKSUM_LEN: usize = 8;
/// A used node's second word is at least this (value index + 1 above the label).
pub(crate) const USED: u32 = 1 << 8;

/// Why bytes are not a usable whitelist.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FormatError {
    /// Fewer bytes than the header, or than the header says the data has.
    Truncated {
        /// Bytes needed.
        needed: u64,
        /// Bytes given.
        got: usize,
    },
    /// The bytes do not start with [`MAGIC`].
    BadMagic,
    /// Written by a php-rasp with another format version.
    UnsupportedVersion(u32),
    /// Header fields that contradict each other or this version.
    BadHeader(&'static str),
    /// The checksum does not match the data.
    ChecksumMismatch,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const REPUBLISH: &str = "the whitelist in shared memory is damaged or was \
            overwritten while being read; it is ignored until the agent publishes it \
            again (restart the agent if this persists)";
        match self {
            FormatError::Truncated { needed, got } => {
                write!(
                    f,
                    "whitelist data is truncated ({got} of {needed} bytes); {REPUBLISH}"
                )
            }
            FormatError::BadMagic => write!(
                f,
                "bytes are not a php-rasp whitelist (bad magic); check that the agent \
                 and the extension use the same shared memory name"
            ),
            FormatError::UnsupportedVersion(v) => write!(
                f,
                "whitelist format version {v} is not supported (this build reads \
                 version {FORMAT_VERSION}); run the agent and the extension from the \
                 same php-rasp release"
            ),
            FormatError::BadHeader(what) => {
                write!(f, "whitelist header is invalid ({what}); {REPUBLISH}")
            }
            FormatError::ChecksumMismatch => write!(f, "whitelist checksum mismatch; {REPUBLISH}"),
        }
    }
}

impl std::error::Error for FormatError {}

/// A whitelist matched in place, from bytes it borrows.
///
/// This is what a PHP worker holds: [`WhitelistView::new`] checks the header
/// and the checksum of the bytes once (a few milliseconds for 100,000
/// patterns, see the crate docs), and [`lookup`](WhitelistView::lookup) then
/// reads the trie directly from the borrowed bytes. No copy is made, so the
/// memory is the shared mapping, counted once for all workers.
///
/// Every read is bounds-checked and every walk is bounded by the length of
/// the request key, so even bytes that pass the checksum but were crafted to
/// be nonsense can only produce a wrong set, never a panic or a hang.
#[derive(Clone, Copy)]
pub struct WhitelistView<'a> {
    nodes: &'a [u8],
    values: &'a [u8],
    pattern_count: u32,
}

impl<'a> WhitelistView<'a> {
    /// Validates `bytes` (magic, version, lengths, checksum) and returns a
    /// matcher over them.
    ///
    /// `bytes` may be longer than the whitelist (a shared mapping rounded up
    /// to pages); bytes past `total_len` are ignored.
    pub fn new(bytes: &'a [u8]) -> Result<WhitelistView<'a>, FormatError> {
        WhitelistView::parse(bytes, true)
    }

    pub(crate) fn parse(bytes: &'a [u8], verify: bool) -> Result<WhitelistView<'a>, FormatError> {
        if bytes.len() < MAGIC.len() {
            return Err(FormatError::Truncated {
                needed: HEADER_LEN as u64,
                got: bytes.len(),
            });
        }
        if bytes[..MAGIC.len()] != MAGIC {
            return Err(FormatError::BadMagic);
        }
        let Some(header) = bytes.get(..HEADER_LEN) else {
            return Err(FormatError::Truncated {
                needed: HEADER_LEN as u64,
                got: bytes.len(),
            });
        };
        let version = read_u32(header, 8).unwrap_or(0);
        if version != FORMAT_VERSION {
            return Err(FormatError::UnsupportedVersion(version));
        }
        let field = |at| u64::from(read_u32(header, at).unwrap_or(0));
        let (header_len, flags, nodes, values, patterns) =
            (field(12), field(16), field(20), field(24), field(28));
        let total_len = read_u64(header, 32).unwrap_or(0);
        if header_len < HEADER_LEN as u64 || header_len % 8 != 0 {
            return Err(FormatError::BadHeader("header_len"));
        }
        if flags != 0 {
            return Err(FormatError::BadHeader("unknown flags"));
        }
        if nodes == 0 || values == 0 {
            return Err(FormatError::BadHeader("empty node or value table"));
        }
        // All fields are u32, so none of this can overflow a u64.
        let nodes_len = nodes * NODE_LEN as u64;
        let values_len = values * VALUE_LEN as u64;
        if header_len + nodes_len + values_len + CHECKSUM_LEN as u64 != total_len {
            return Err(FormatError::BadHeader(
                "total_len does not match the counts",
            ));
        }
        let data = match usize::try_from(total_len).ok().and_then(|n| bytes.get(..n)) {
            Some(data) => data,
            None => {
                return Err(FormatError::Truncated {
                    needed: total_len,
                    got: bytes.len(),
                })
            }
        };
        let (body, sum) = data.split_at(data.len() - CHECKSUM_LEN);
        if verify && read_u64(sum, 0) != Some(checksum(body)) {
            return Err(FormatError::ChecksumMismatch);
        }
        // Lengths were checked against total_len, which fits in the slice.
        let nodes_start = header_len as usize;
        let values_start = nodes_start + nodes_len as usize;
        Ok(WhitelistView {
            nodes: &body[nodes_start..values_start],
            values: &body[values_start..],
            pattern_count: patterns as u32,
        })
    }

    /// The check types to skip for a request: the union of the sets of all
    /// patterns that are prefixes of its key. See [`RequestKey`] for how
    /// `host` and `path` are normalized.
    pub fn lookup(&self, host: &str, path: &str) -> CheckTypeSet {
        self.lookup_key(&RequestKey::new(host, path))
    }

    /// Like [`lookup`](WhitelistView::lookup), for a raw path that need not
    /// be UTF-8, as PHP's `REQUEST_URI` is. See [`RequestKey::from_bytes`].
    pub fn lookup_bytes(&self, host: &[u8], path: &[u8]) -> CheckTypeSet {
        self.lookup_key(&RequestKey::from_bytes(host, path))
    }

    /// Like [`lookup`](WhitelistView::lookup), for a key normalized already.
    pub fn lookup_key(&self, key: &RequestKey<'_>) -> CheckTypeSet {
        let Some(root) = self.node(0) else {
            return CheckTypeSet::EMPTY;
        };
        let (name, port, slash, path) = key.parts();
        let mut bits = 0;
        // Host key: lower-cased name, `:port`, then the path.
        if key.has_host() {
            let mut cur = root;
            let _ = self.walk(&mut cur, name.as_bytes(), true)
                && (port.is_empty()
                    || (self.step(&mut cur, b':') && self.walk(&mut cur, port.as_bytes(), false)))
                && (!slash || self.step(&mut cur, b'/'))
                && self.walk(&mut cur, path, false);
            bits |= self.value(cur.word);
        }
        // Path key, for patterns starting with `/` (and `*`, at the root).
        let mut cur = root;
        let _ = (!slash || self.step(&mut cur, b'/')) && self.walk(&mut cur, path, false);
        bits |= self.value(cur.word);
        CheckTypeSet(bits)
    }

    /// Distinct patterns (after normalization) in the whitelist.
    pub fn pattern_count(&self) -> usize {
        self.pattern_count as usize
    }

    /// Slots of the double array (used or not); the trie's size is
    /// `8 * node_count()` bytes.
    pub fn node_count(&self) -> usize {
        self.nodes.len() / NODE_LEN
    }

    #[inline]
    fn node(&self, i: u32) -> Option<Cursor> {
        let off = (i as usize).checked_mul(NODE_LEN)?;
        let b: &[u8; NODE_LEN] = self
            .nodes
            .get(off..off.checked_add(NODE_LEN)?)?
            .try_into()
            .ok()?;
        Some(Cursor {
            base: u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            word: u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
        })
    }

    #[inline]
    fn step(&self, cur: &mut Cursor, c: u8) -> bool {
        if cur.base == 0 {
            return false;
        }
        match self.node(cur.base ^ u32::from(c)) {
            Some(next) if next.word & 0xFF == u32::from(c) && next.word >= USED => {
                *cur = next;
                true
            }
            _ => false,
        }
    }

    #[inline]
    fn walk(&self, cur: &mut Cursor, bytes: &[u8], lower: bool) -> bool {
        for &c in bytes {
            let c = if lower { c.to_ascii_lowercase() } else { c };
            if !self.step(cur, c) {
                return false;
            }
        }
        true
    }

    #[inline]
    fn value(&self, word: u32) -> u64 {
        let index = (word >> 8).wrapping_sub(1) as usize;
        index
            .checked_mul(VALUE_LEN)
            .and_then(|off| read_u64(self.values, off))
            .unwrap_or(0)
    }
}

impl fmt::Debug for WhitelistView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WhitelistView")
            .field("pattern_count", &self.pattern_count)
            .field("node_count", &self.node_count())
            .field("value_count", &(self.values.len() / VALUE_LEN))
            .finish()
    }
}

/// Where a walk is: the current node's two words.
#[derive(Clone, Copy)]
struct Cursor {
    base: u32,
    word: u32,
}

fn read_u32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(s.try_into().ok()?))
}

fn read_u64(b: &[u8], at: usize) -> Option<u64> {
    let s = b.get(at..at.checked_add(8)?)?;
    Some(u64::from_le_bytes(s.try_into().ok()?))
}

/// Checksum of a serialized whitelist (everything before the trailer).
pub(crate) fn checksum(data: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    #[inline(always)]
    fn mix(x: u64) -> u64 {
        let x = x.wrapping_mul(K);
        x ^ (x >> 32)
    }
    fn word(c: &[u8]) -> u64 {
        let mut w = [0u8; 8];
        w[..c.len()].copy_from_slice(c);
        u64::from_le_bytes(w)
    }
    let mut lanes = [
        0x5241_5350_574C_0001_u64,
        0x5241_5350_574C_0002,
        0x5241_5350_574C_0003,
        0x5241_5350_574C_0004,
    ];
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
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reseal(bytes: &mut [u8]) {
        let n = bytes.len() - CHECKSUM_LEN;
        let sum = checksum(&bytes[..n]);
        bytes[n..].copy_from_slice(&sum.to_le_bytes());
    }

    /// Bytes that pass the checksum but whose trie is garbage: lookups may
    /// answer anything but must return, without panicking.
    #[test]
    fn adversarial_bodies_with_valid_checksums_do_not_panic() {
        let wl = crate::Whitelist::build([
            ("example.com/admin/", CheckTypeSet::all()),
            ("/static/", CheckTypeSet(1)),
            ("*", CheckTypeSet(2)),
        ])
        .unwrap();
        let good = wl.to_bytes();
        let mut rng = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let probes = [
            ("example.com", "/admin/x"),
            ("Example.com:8080", "/static/a/b/c/d/e/f"),
            ("", ""),
            ("x", "/\u{0}\u{ff}%2e%2e"),
        ];
        for round in 0..2000 {
            let mut b = good.clone();
            let body = HEADER_LEN..b.len() - CHECKSUM_LEN;
            match round % 4 {
                // Random body.
                0 => b[body].iter_mut().for_each(|x| *x = next() as u8),
                // A few random words, e.g. bases pointing far away.
                1 => {
                    for _ in 0..4 {
                        let at = HEADER_LEN + (next() as usize % (body.len() / 4)) * 4;
                        b[at..at + 4].copy_from_slice(&(next() as u32).to_le_bytes());
                    }
                }
                // Every node used, labels matching anything.
                2 => {
                    for node in b[HEADER_LEN..body.end].chunks_exact_mut(8).take(1 << 20) {
                        node[4..]
                            .copy_from_slice(&(0xFFFF_FF00 | (next() as u32 & 0xFF)).to_le_bytes());
                    }
                }
                // Value indexes past the value table.
                _ => {
                    for node in b[HEADER_LEN..body.end].chunks_exact_mut(8) {
                        node[7] = 0xFF;
                    }
                }
            }
            reseal(&mut b);
            let view = WhitelistView::new(&b).expect("checksum was recomputed");
            for (h, p) in probes {
                let _ = view.lookup(h, p);
            }
        }
        // Header counts that agree with total_len but not with the data:
        // impossible to express, total_len pins them. A header with huge
        // counts is refused, not allocated.
        let mut b = good.clone();
        b[20..24].copy_from_slice(&u32::MAX.to_le_bytes());
        let values = u64::from(read_u32(&b, 24).unwrap());
        let total = HEADER_LEN as u64 + 8 * u64::from(u32::MAX) + 8 * values + 8;
        b[32..40].copy_from_slice(&total.to_le_bytes());
        assert!(matches!(
            WhitelistView::new(&b),
            Err(FormatError::Truncated { .. })
        ));
    }

    #[test]
    fn checksum_sees_every_single_byte_change() {
        let data: Vec<u8> = (0..200u32).map(|i| (i * 37 % 251) as u8).collect();
        let sum = checksum(&data);
        for i in 0..data.len() {
            for flip in [1u8, 0x80, 0xFF] {
                let mut d = data.clone();
                d[i] ^= flip;
                assert_ne!(checksum(&d), sum, "byte {i} flip {flip:#x}");
            }
        }
        for n in 0..data.len() {
            assert_ne!(checksum(&data[..n]), sum);
        }
        // A trailing zero byte is not the same as no byte.
        assert_ne!(checksum(&[1, 2, 3]), checksum(&[1, 2, 3, 0]));
    }
}
