//! Shared by the integration tests and the benchmark (`#[path]`-included):
//! the daachorse oracle, the naive reference and a pattern generator.
#![allow(dead_code)]

use daachorse::DoubleArrayAhoCorasick;
use rasp_core::CheckTypeSet;
use rasp_whitelist::{RequestKey, Whitelist};

/// Design (a): a daachorse automaton over the canonical patterns, which a
/// worker would `deserialize` into private memory once per generation.
pub struct Daac {
    pma: DoubleArrayAhoCorasick<u32>,
    star: u32,
}

impl Daac {
    pub fn build(wl: &Whitelist) -> Daac {
        let mut star = 0;
        let mut patvals = Vec::new();
        for (pattern, set) in wl.patterns() {
            let bits = u32::try_from(set.0).expect("check types fit in a u32");
            if pattern == "*" {
                star = bits;
            } else {
                patvals.push((pattern.as_bytes().to_vec(), bits));
            }
        }
        let mut pma = if patvals.is_empty() {
            // daachorse needs at least one pattern; a NUL never occurs in a key.
            DoubleArrayAhoCorasick::with_values([(vec![0u8], 0u32)]).unwrap()
        } else {
            DoubleArrayAhoCorasick::with_values(patvals).unwrap()
        };
        pma.cache_depths().unwrap();
        Daac { pma, star }
    }

    /// `star` then the automaton, as the agent would publish it.
    pub fn serialize(&self) -> Vec<u8> {
        let mut out = self.star.to_le_bytes().to_vec();
        out.extend_from_slice(&self.pma.serialize());
        out
    }

    /// What every worker would do per generation: copy into owned arrays,
    /// then compute the depths the prefix walk needs.
    pub fn deserialize(bytes: &[u8]) -> Daac {
        let star = u32::from_le_bytes(bytes[..4].try_into().unwrap());
        let (mut pma, rest) = DoubleArrayAhoCorasick::<u32>::deserialize(&bytes[4..]).unwrap();
        assert!(rest.is_empty());
        pma.cache_depths().unwrap();
        Daac { pma, star }
    }

    /// Private heap of one deserialized copy (states, outputs, depths, ...).
    pub fn heap_bytes(&self) -> usize {
        self.pma.heap_bytes()
    }

    pub fn lookup(&self, host: &str, path: &str) -> CheckTypeSet {
        self.lookup_key(&RequestKey::new(host, path))
    }

    pub fn lookup_key(&self, key: &RequestKey<'_>) -> CheckTypeSet {
        let mut bits = self.star;
        if key.has_host() {
            bits |= self.prefix_bits(key.host_key());
        }
        bits |= self.prefix_bits(key.path_key());
        CheckTypeSet(u64::from(bits))
    }

    /// Overlapping matches that start at offset 0 of the key. Once the
    /// automaton's depth falls below the bytes consumed, it has followed a
    /// failure link: no later match can start at 0, so stop.
    fn prefix_bits(&self, bytes: impl Iterator<Item = u8>) -> u32 {
        let mut stepper = self.pma.find_overlapping_stepper();
        let mut bits = 0;
        for (i, c) in bytes.enumerate() {
            stepper.consume(c);
            if stepper.depth() != Some(i as u32 + 1) {
                break;
            }
            // The first output at a state is its longest: the state itself.
            if let Some(m) = stepper.matches().next() {
                if m.start() == 0 {
                    bits |= m.value();
                }
            }
        }
        bits
    }
}

/// The naive reference: every canonical pattern, `starts_with`.
pub fn naive(wl: &Whitelist, host: &str, path: &str) -> CheckTypeSet {
    let key = RequestKey::new(host, path);
    let host_key: Vec<u8> = key.host_key().collect();
    let path_key: Vec<u8> = key.path_key().collect();
    let mut set = CheckTypeSet::EMPTY;
    for (pattern, types) in wl.patterns() {
        let hit = if pattern == "*" {
            true
        } else if pattern.starts_with('/') {
            path_key.starts_with(pattern.as_bytes())
        } else {
            key.has_host() && host_key.starts_with(pattern.as_bytes())
        };
        if hit {
            set = set.union(types);
        }
    }
    set
}

/// Deterministic xorshift; no dependency needed for the bench corpora.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const WORDS: &[&str] = &[
    "admin",
    "api",
    "v1",
    "v2",
    "static",
    "assets",
    "images",
    "upload",
    "user",
    "users",
    "login",
    "health",
    "metrics",
    "internal",
    "report",
    "export",
    "wp-admin",
    "wp-content",
    "index.php",
    "cron",
    "ajax",
    "search",
    "cart",
    "checkout",
    "orders",
    "products",
    "media",
    "js",
    "css",
];

fn segment(rng: &mut Rng) -> String {
    let w = WORDS[rng.below(WORDS.len() as u64) as usize];
    if rng.below(3) == 0 {
        format!("{w}{}", rng.below(1000))
    } else {
        w.to_string()
    }
}

/// `n` realistic patterns: about 60% host + path, 20% host only, 20% path
/// only, over `n / 20 + 1` hosts, with random check-type sets.
pub fn patterns(n: usize, seed: u64) -> Vec<(String, CheckTypeSet)> {
    let mut rng = Rng::new(seed);
    let hosts = n / 20 + 1;
    (0..n)
        .map(|i| {
            let host = format!("shop{}.example{}.com", rng.below(hosts as u64), i % 7);
            let mut path = String::new();
            for _ in 0..1 + rng.below(4) {
                path.push('/');
                path.push_str(&segment(&mut rng));
            }
            if rng.below(2) == 0 {
                path.push('/');
            }
            let pattern = match rng.below(10) {
                0 | 1 => host,
                2 | 3 => format!("{path}/{i}"),
                _ => format!("{host}{path}"),
            };
            let bits = rng.next() & CheckTypeSet::all().0 & rng.next();
            (pattern, CheckTypeSet(bits))
        })
        .collect()
}

/// Request `(host, path)` pairs for a corpus: half derived from patterns
/// (hits, extended by a suffix), half unrelated (misses).
pub fn requests(patterns: &[(String, CheckTypeSet)], n: usize, seed: u64) -> Vec<(String, String)> {
    let mut rng = Rng::new(seed ^ 0xABCD);
    (0..n)
        .map(|i| {
            let suffix = format!("{}?id={}", segment(&mut rng), rng.below(100_000));
            if i % 2 == 0 && !patterns.is_empty() {
                let p = &patterns[rng.below(patterns.len() as u64) as usize].0;
                match p.find('/') {
                    Some(0) => ("www.example.com".to_string(), format!("{p}/{suffix}")),
                    Some(j) => (p[..j].to_string(), format!("{}/{suffix}", &p[j..])),
                    None => (p.to_string(), format!("/{suffix}")),
                }
            } else {
                (
                    format!("other{}.example.net", rng.below(50)),
                    format!("/{}/{}/{suffix}", segment(&mut rng), segment(&mut rng)),
                )
            }
        })
        .collect()
}
