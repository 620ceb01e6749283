//! Building the double-array trie and its bytes.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use rasp_core::CheckTypeSet;

use crate::format::{checksum, WhitelistView, CHECKSUM_LEN, FORMAT_VERSION, HEADER_LEN, MAGIC};
use crate::key::RequestKey;
use crate::pattern::{canonicalize, ErrorKind, WhitelistError};

/// Collects patterns, then builds a [`Whitelist`].
///
/// Patterns are normalized as they are added (see the crate docs), so an
/// invalid one is reported by [`add`](WhitelistBuilder::add) with the
/// operator's spelling. Patterns that normalize to the same key are merged:
/// their check-type sets are OR-ed, whatever order they come in.
#[derive(Clone, Debug, Default)]
pub struct WhitelistBuilder {
    keys: BTreeMap<String, u64>,
}

impl WhitelistBuilder {
    /// An empty builder.
    pub fn new() -> WhitelistBuilder {
        WhitelistBuilder::default()
    }

    /// Adds `pattern`, which skips `types` for requests under it.
    ///
    /// An empty `types` is accepted and has no effect.
    pub fn add(
        &mut self,
        pattern: &str,
        types: CheckTypeSet,
    ) -> Result<&mut WhitelistBuilder, WhitelistError> {
        let key = canonicalize(pattern)?;
        *self.keys.entry(key).or_insert(0) |= types.0;
        Ok(self)
    }

    /// Distinct patterns after normalization.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no pattern was added.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Builds the trie and its serialized form.
    pub fn build(&self) -> Result<Whitelist, WhitelistError> {
        let keys: Vec<(&[u8], u64)> = self.keys.iter().map(|(k, &v)| (k.as_bytes(), v)).collect();
        let bytes = DoubleArray::build(&keys)?.into_bytes(keys.len());
        let patterns = self
            .keys
            .iter()
            .map(|(k, &v)| {
                let shown = if k.is_empty() {
                    "*".to_string()
                } else {
                    k.clone()
                };
                (shown, CheckTypeSet(v))
            })
            .collect();
        Ok(Whitelist { bytes, patterns })
    }
}

/// A built whitelist: its serialized bytes plus, for diagnostics, its
/// patterns in canonical form.
///
/// The agent builds this once per `rasp.yml` change and publishes
/// [`as_bytes`](Whitelist::as_bytes); workers match with a
/// [`WhitelistView`] over the published bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Whitelist {
    bytes: Vec<u8>,
    patterns: Vec<(String, CheckTypeSet)>,
}

impl fmt::Debug for Whitelist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Whitelist")
            .field("patterns", &self.patterns)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

impl Whitelist {
    /// Builds a whitelist from `(pattern, types)` pairs; the first invalid
    /// pattern is returned as the error.
    pub fn build<'p, I>(entries: I) -> Result<Whitelist, WhitelistError>
    where
        I: IntoIterator<Item = (&'p str, CheckTypeSet)>,
    {
        let mut builder = WhitelistBuilder::new();
        for (pattern, types) in entries {
            builder.add(pattern, types)?;
        }
        builder.build()
    }

    /// The serialized whitelist (see the format in the crate docs).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.bytes.clone()
    }

    /// The serialized whitelist, borrowed.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// A matcher over this whitelist's own bytes (no checksum pass: they
    /// were just built).
    pub fn view(&self) -> WhitelistView<'_> {
        match WhitelistView::parse(&self.bytes, false) {
            Ok(view) => view,
            Err(e) => unreachable!("a built whitelist has a valid header: {e}"),
        }
    }

    /// Same as [`WhitelistView::lookup`].
    pub fn lookup(&self, host: &str, path: &str) -> CheckTypeSet {
        self.view().lookup_key(&RequestKey::new(host, path))
    }

    /// The patterns in canonical form (`*`, `host[:port]/path` or `/path`),
    /// sorted, duplicates merged.
    pub fn patterns(&self) -> impl ExactSizeIterator<Item = (&str, CheckTypeSet)> + '_ {
        self.patterns.iter().map(|(p, s)| (p.as_str(), *s))
    }

    /// Distinct patterns.
    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    /// Whether there is no pattern (every lookup is empty).
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}

/// Slots per block; children of a node share one block (XOR stays in it).
const BLOCK: usize = 256;
/// How many blocks are searched for free slots at most. Older blocks, and
/// blocks that keep failing, are closed for good: that keeps building
/// linear in the number of nodes at the cost of a few unused slots.
const OPEN_BLOCKS: usize = 16;
/// Failed searches after which a block is closed.
const MAX_FAILS: u16 = 16;
/// The value index is 24 bits, stored plus one.
const MAX_VALUES: usize = (1 << 24) - 1;

struct DoubleArray {
    base: Vec<u32>,
    word: Vec<u32>,
    /// Free slots, one bit each.
    free: Vec<u64>,
    /// Base values not taken by any node (bases must be distinct).
    untaken: Vec<u64>,
    /// Open blocks, oldest first, with their failure counts.
    open: Vec<(usize, u16)>,
    values: Vec<u64>,
    value_index: HashMap<u64, u32>,
}

struct Work {
    node: u32,
    lo: usize,
    hi: usize,
    depth: usize,
    acc: u64,
}

#[inline]
fn bit(bits: &[u64], i: usize) -> bool {
    bits[i / 64] & (1 << (i % 64)) != 0
}

#[inline]
fn clear(bits: &mut [u64], i: usize) {
    bits[i / 64] &= !(1 << (i % 64));
}

impl DoubleArray {
    /// `keys` sorted and distinct.
    fn build(keys: &[(&[u8], u64)]) -> Result<DoubleArray, WhitelistError> {
        let mut da = DoubleArray {
            base: Vec::new(),
            word: Vec::new(),
            free: Vec::new(),
            untaken: Vec::new(),
            open: Vec::new(),
            values: Vec::new(),
            value_index: HashMap::new(),
        };
        da.add_block()?;
        clear(&mut da.free, 0); // the root
        clear(&mut da.untaken, 0); // base 0 means "leaf"
        let mut stack = vec![Work {
            node: 0,
            lo: 0,
            hi: keys.len(),
            depth: 0,
            acc: 0,
        }];
        let mut labels = Vec::new();
        let mut ranges = Vec::new();
        while let Some(w) = stack.pop() {
            let mut lo = w.lo;
            let mut acc = w.acc;
            // Sorted: the key equal to the prefix, if any, comes first.
            if lo < w.hi && keys[lo].0.len() == w.depth {
                acc |= keys[lo].1;
                lo += 1;
            }
            let index = da.intern(acc)?;
            da.word[w.node as usize] = (da.word[w.node as usize] & 0xFF) | (index + 1) << 8;
            if lo == w.hi {
                continue; // leaf: base stays 0
            }
            labels.clear();
            ranges.clear();
            let mut start = lo;
            for i in lo + 1..=w.hi {
                if i == w.hi || keys[i].0[w.depth] != keys[start].0[w.depth] {
                    labels.push(keys[start].0[w.depth]);
                    ranges.push((start, i));
                    start = i;
                }
            }
            let base = da.find_base(&labels)?;
            da.base[w.node as usize] = base;
            clear(&mut da.untaken, base as usize);
            for (&c, &(lo, hi)) in labels.iter().zip(&ranges).rev() {
                let child = base ^ u32::from(c);
                clear(&mut da.free, child as usize);
                da.word[child as usize] = u32::from(c);
                stack.push(Work {
                    node: child,
                    lo,
                    hi,
                    depth: w.depth + 1,
                    acc,
                });
            }
        }
        // Trailing free slots are never reached by a valid walk.
        let last = da.word.iter().rposition(|&w| w != 0).unwrap_or(0);
        da.base.truncate(last + 1);
        da.word.truncate(last + 1);
        Ok(da)
    }

    fn add_block(&mut self) -> Result<usize, WhitelistError> {
        let block = self.base.len() / BLOCK;
        let len = self.base.len() + BLOCK;
        if len as u64 > 1 << 32 {
            return Err(WhitelistError::global(ErrorKind::TooLarge));
        }
        self.base.resize(len, 0);
        self.word.resize(len, 0);
        self.free.resize(len / 64, u64::MAX);
        self.untaken.resize(len / 64, u64::MAX);
        if self.open.len() == OPEN_BLOCKS {
            self.open.remove(0);
        }
        self.open.push((block, 0));
        Ok(block)
    }

    fn intern(&mut self, bits: u64) -> Result<u32, WhitelistError> {
        if let Some(&i) = self.value_index.get(&bits) {
            return Ok(i);
        }
        if self.values.len() >= MAX_VALUES {
            return Err(WhitelistError::global(ErrorKind::TooManyDistinctSets));
        }
        let i = self.values.len() as u32;
        self.values.push(bits);
        self.value_index.insert(bits, i);
        Ok(i)
    }

    /// A base such that `base ^ c` is free for every label and no other
    /// node has it: searched in the open blocks, else in a new block (where
    /// any label set fits, as none of its slots or bases is taken).
    fn find_base(&mut self, labels: &[u8]) -> Result<u32, WhitelistError> {
        let mut i = 0;
        while i < self.open.len() {
            let (block, fails) = self.open[i];
            if let Some(base) = self.fit_in_block(block, labels) {
                return Ok(base);
            }
            if fails + 1 >= MAX_FAILS || self.block_is_full(block) {
                self.open.remove(i);
            } else {
                self.open[i].1 += 1;
                i += 1;
            }
        }
        let block = self.add_block()?;
        let base = (block * BLOCK) as u32;
        debug_assert!(bit(&self.untaken, base as usize));
        debug_assert!(labels
            .iter()
            .all(|&c| bit(&self.free, (base ^ u32::from(c)) as usize)));
        Ok(base)
    }

    fn block_is_full(&self, block: usize) -> bool {
        self.free[block * 4..block * 4 + 4].iter().all(|&w| w == 0)
    }

    fn fit_in_block(&self, block: usize, labels: &[u8]) -> Option<u32> {
        let c0 = usize::from(labels[0]);
        for w in block * 4..block * 4 + 4 {
            let mut bits = self.free[w];
            while bits != 0 {
                let slot = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let base = slot ^ c0;
                if bit(&self.untaken, base)
                    && labels[1..]
                        .iter()
                        .all(|&c| bit(&self.free, base ^ usize::from(c)))
                {
                    return Some(base as u32);
                }
            }
        }
        None
    }

    fn into_bytes(self, pattern_count: usize) -> Vec<u8> {
        let nodes = self.base.len();
        let total = HEADER_LEN + nodes * 8 + self.values.len() * 8 + CHECKSUM_LEN;
        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(HEADER_LEN as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&(nodes as u32).to_le_bytes());
        out.extend_from_slice(&(self.values.len() as u32).to_le_bytes());
        out.extend_from_slice(&(pattern_count.min(u32::MAX as usize) as u32).to_le_bytes());
        out.extend_from_slice(&(total as u64).to_le_bytes());
        debug_assert_eq!(out.len(), HEADER_LEN);
        for (&base, &word) in self.base.iter().zip(&self.word) {
            out.extend_from_slice(&base.to_le_bytes());
            out.extend_from_slice(&word.to_le_bytes());
        }
        for v in &self.values {
            out.extend_from_slice(&v.to_le_bytes());
        }
        let sum = checksum(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        debug_assert_eq!(out.len(), total);
        out
    }
}
