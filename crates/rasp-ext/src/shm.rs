//! The shared-memory segment between the agent and the PHP workers.
//!
//! Created at MINIT as an anonymous shared mapping, so the agent and every
//! worker forked later see the same pages. The agent publishes *generations*:
//! a V8 startup snapshot of the plugins, the whitelist automaton and the
//! validated rasp.yml text, written into one of two slots. Workers compare the
//! published generation number at RINIT (one atomic load) and, when it moved,
//! copy the snapshot out and match the whitelist in place.
//!
//! Every read is validated twice: a sequence number around each slot (odd
//! while the agent writes it, bumped after) and a checksum over every
//! payload. A torn read is retried; a corrupt one is refused and logged, and
//! the worker keeps what it had. V8 aborts the process on a corrupt snapshot,
//! so nothing reaches it unverified.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

const MAGIC: u64 = 0x5241_5350_5348_4d31; // "RASPSHM1"
const HEADER_LEN: usize = 4096;
/// Largest publication (snapshot + whitelist + config). Pages are only
/// backed once written (MAP_NORESERVE).
pub const SLOT_LEN: usize = 96 << 20;
const SEGMENT_LEN: usize = HEADER_LEN + 2 * SLOT_LEN;

/// Where each part of a publication sits inside its slot.
#[repr(C)]
struct SlotDesc {
    /// Odd while the agent writes the slot; even and bumped when done.
    seq: AtomicU64,
    generation: AtomicU64,
    published_ms: AtomicU64,
    types: AtomicU64,
    snapshot_len: AtomicU64,
    whitelist_len: AtomicU64,
    config_len: AtomicU64,
    info_len: AtomicU64,
    checksum: AtomicU64,
}

#[repr(C)]
struct Header {
    magic: AtomicU64,
    /// Slot holding the newest generation (0 or 1).
    current: AtomicU32,
    agent_pid: AtomicU32,
    /// The agent's last sign of life (unix ms).
    heartbeat_ms: AtomicU64,
    restarts: AtomicU32,
    /// Newest published generation number (what workers poll).
    generation: AtomicU64,
    slots: [SlotDesc; 2],
    /// Why the last build was refused (bytes), for php --ri and workers.
    last_error_len: AtomicU32,
    last_error_at_ms: AtomicU64,
    /// Keys of findings already reported by some process (0 = free).
    reported: [AtomicU64; REPORTED_SLOTS],
}

const REPORTED_SLOTS: usize = 128;

const ERROR_AREA: usize = 1024;
const ERROR_OFF: usize = HEADER_LEN - ERROR_AREA;

/// One publication as the agent hands it over.
pub struct Publication<'a> {
    pub generation: u64,
    pub types: u64,
    pub snapshot: &'a [u8],
    pub whitelist: &'a [u8],
    pub config: &'a [u8],
    /// Plugin names and versions (JSON) for php --ri.
    pub info: &'a [u8],
}

/// A validated copy of what a generation holds (everything but the whitelist,
/// which stays in shared memory).
pub struct Generation {
    pub generation: u64,
    pub published_ms: u64,
    /// Shared with the engines restored from it (V8 reads the blob for as
    /// long as an isolate lives): one copy per process, not one per engine.
    pub snapshot: std::sync::Arc<[u8]>,
    pub config: String,
    /// The slot and its sequence number when read, to match the whitelist
    /// in place and notice if the slot is reused meanwhile.
    pub slot: usize,
    pub seq: u64,
    pub whitelist_len: usize,
}

pub struct Segment {
    base: *mut u8,
}

// SAFETY: the segment is plain memory shared by processes; all shared
// state is accessed through atomics or seqlock-validated copies.
unsafe impl Send for Segment {}
// SAFETY: as above.
unsafe impl Sync for Segment {}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// FNV-1a over several parts; corruption detection, not security.
fn checksum(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for &b in *p {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= p.len() as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl Segment {
    /// Maps a fresh segment (MINIT, before any fork).
    pub fn create() -> std::io::Result<Segment> {
        // SAFETY: an anonymous shared mapping with no address hint; the result
        // is checked against MAP_FAILED.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                SEGMENT_LEN,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        let seg = Segment { base: p as *mut u8 };
        seg.header().magic.store(MAGIC, Ordering::Release);
        Ok(seg)
    }

    fn header(&self) -> &Header {
        // SAFETY: the mapping is at least HEADER_LEN bytes, page-aligned, zeroed
        // at creation, and Header (atomics only) fits in it.
        unsafe { &*(self.base as *const Header) }
    }

    fn slot_ptr(&self, slot: usize) -> *mut u8 {
        // SAFETY: slot is 0 or 1; both slots lie inside the mapping.
        unsafe { self.base.add(HEADER_LEN + slot.min(1) * SLOT_LEN) }
    }

    pub fn valid(&self) -> bool {
        self.header().magic.load(Ordering::Acquire) == MAGIC
    }

    pub fn generation(&self) -> u64 {
        self.header().generation.load(Ordering::Acquire)
    }

    /// Agent: writes a generation into the slot not in use and makes it current.
    pub fn publish(&self, p: &Publication) -> Result<(), String> {
        let total = p.snapshot.len() + p.whitelist.len() + p.config.len() + p.info.len();
        if total > SLOT_LEN {
            return Err(format!(
                "generation too large for shared memory: {total} bytes > {SLOT_LEN}"
            ));
        }
        let h = self.header();
        let slot = 1 - (h.current.load(Ordering::Acquire) as usize).min(1);
        let d = &h.slots[slot];
        let seq = d.seq.load(Ordering::Acquire);
        d.seq.store(seq | 1, Ordering::Release);
        std::sync::atomic::fence(Ordering::SeqCst);
        let mut off = 0usize;
        for part in [p.snapshot, p.whitelist, p.config, p.info] {
            // SAFETY: total <= SLOT_LEN, so [off, off+len) is inside this slot;
            // the agent is the only writer.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    part.as_ptr(),
                    self.slot_ptr(slot).add(off),
                    part.len(),
                )
            };
            off += part.len();
        }
        d.generation.store(p.generation, Ordering::Relaxed);
        d.published_ms.store(now_ms(), Ordering::Relaxed);
        d.types.store(p.types, Ordering::Relaxed);
        d.snapshot_len
            .store(p.snapshot.len() as u64, Ordering::Relaxed);
        d.whitelist_len
            .store(p.whitelist.len() as u64, Ordering::Relaxed);
        d.config_len.store(p.config.len() as u64, Ordering::Relaxed);
        d.info_len.store(p.info.len() as u64, Ordering::Relaxed);
        d.checksum.store(
            checksum(&[p.snapshot, p.whitelist, p.config, p.info]),
            Ordering::Relaxed,
        );
        std::sync::atomic::fence(Ordering::SeqCst);
        d.seq.store((seq | 1) + 1, Ordering::Release);
        h.current.store(slot as u32, Ordering::Release);
        h.generation.store(p.generation, Ordering::Release);
        Ok(())
    }

    /// Copies `len` bytes at `off` of a slot (racy by design; validated by
    /// the caller through the sequence number and checksum).
    fn copy_out(&self, slot: usize, off: usize, len: usize) -> Vec<u8> {
        let mut v = vec![0u8; len];
        if off.saturating_add(len) <= SLOT_LEN {
            // SAFETY: the range is inside the slot (checked above); the agent
            // may be writing concurrently, which the seqlock detects.
            unsafe {
                std::ptr::copy_nonoverlapping(self.slot_ptr(slot).add(off), v.as_mut_ptr(), len)
            };
        }
        v
    }

    /// Worker: a validated copy of the current generation, or why not.
    pub fn read(&self) -> Result<Option<Generation>, String> {
        for _ in 0..8 {
            let h = self.header();
            if h.generation.load(Ordering::Acquire) == 0 {
                return Ok(None);
            }
            let slot = (h.current.load(Ordering::Acquire) as usize).min(1);
            let d = &h.slots[slot];
            let seq = d.seq.load(Ordering::Acquire);
            if seq & 1 == 1 {
                std::thread::yield_now();
                continue;
            }
            let lens = [
                d.snapshot_len.load(Ordering::Relaxed) as usize,
                d.whitelist_len.load(Ordering::Relaxed) as usize,
                d.config_len.load(Ordering::Relaxed) as usize,
                d.info_len.load(Ordering::Relaxed) as usize,
            ];
            if lens
                .iter()
                .try_fold(0usize, |a, &l| a.checked_add(l))
                .map_or(true, |t| t > SLOT_LEN)
            {
                return Err("shared memory descriptor is corrupt (lengths out of range)".into());
            }
            let generation = d.generation.load(Ordering::Relaxed);
            let published_ms = d.published_ms.load(Ordering::Relaxed);
            let sum = d.checksum.load(Ordering::Relaxed);
            let snapshot = self.copy_out(slot, 0, lens[0]);
            let whitelist = self.copy_out(slot, lens[0], lens[1]);
            let config = self.copy_out(slot, lens[0] + lens[1], lens[2]);
            let info = self.copy_out(slot, lens[0] + lens[1] + lens[2], lens[3]);
            std::sync::atomic::fence(Ordering::SeqCst);
            if d.seq.load(Ordering::Acquire) != seq {
                continue; // the agent rewrote the slot meanwhile
            }
            if checksum(&[&snapshot, &whitelist, &config, &info]) != sum {
                return Err(format!("shared memory generation {generation} fails its checksum; keeping the current one"));
            }
            return Ok(Some(Generation {
                generation,
                published_ms,
                snapshot: snapshot.into(),
                config: String::from_utf8_lossy(&config).into_owned(),
                slot,
                seq,
                whitelist_len: lens[1],
            }));
        }
        Err("shared memory kept changing while being read".into())
    }

    /// Matches the whitelist of generation `g` in place; None if the slot was
    /// reused since `g` was read (the caller then re-reads the generation).
    pub fn whitelist_lookup(
        &self,
        g: &Generation,
        host: &[u8],
        path: &[u8],
    ) -> Option<rasp_core::CheckTypeSet> {
        let d = &self.header().slots[g.slot];
        if d.seq.load(Ordering::Acquire) != g.seq {
            return None;
        }
        // SAFETY: [snapshot_len, +whitelist_len) of the slot was validated by
        // the checksum when `g` was read; the seq check before and after tells
        // whether the agent reused the slot while we matched.
        let bytes = unsafe {
            std::slice::from_raw_parts(self.slot_ptr(g.slot).add(g.snapshot.len()), g.whitelist_len)
        };
        let set = match rasp_whitelist::WhitelistView::new(bytes) {
            Ok(view) => view.lookup_bytes(host, path),
            Err(_) => return None,
        };
        std::sync::atomic::fence(Ordering::SeqCst);
        (d.seq.load(Ordering::Acquire) == g.seq).then_some(set)
    }

    pub fn heartbeat(&self) {
        self.header()
            .heartbeat_ms
            .store(now_ms(), Ordering::Release);
    }

    pub fn heartbeat_age_ms(&self) -> u64 {
        now_ms().saturating_sub(self.header().heartbeat_ms.load(Ordering::Acquire))
    }

    pub fn set_agent_pid(&self, pid: u32) {
        self.header().agent_pid.store(pid, Ordering::Release);
    }

    pub fn agent_pid(&self) -> u32 {
        self.header().agent_pid.load(Ordering::Acquire)
    }

    /// True for the first process that claims `key` (non-zero): findings
    /// are reported once per PHP master, not once per worker. When the table
    /// is full, everyone reports (duplicates beat silence).
    pub fn claim_once(&self, key: u64) -> bool {
        let key = key.max(1);
        for slot in self.header().reported.iter() {
            match slot.compare_exchange(0, key, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return true,
                Err(existing) if existing == key => return false,
                Err(_) => continue,
            }
        }
        true
    }

    /// Supervisor: counts an agent restart.
    pub fn note_restart(&self) {
        self.header().restarts.fetch_add(1, Ordering::AcqRel);
    }

    pub fn restarts(&self) -> u32 {
        self.header().restarts.load(Ordering::Acquire)
    }

    /// Agent: records why the newest build was refused (empty clears it).
    pub fn set_last_error(&self, msg: &str) {
        let h = self.header();
        let b = &msg.as_bytes()[..msg.len().min(ERROR_AREA)];
        h.last_error_len.store(0, Ordering::Release);
        // SAFETY: ERROR_AREA bytes at ERROR_OFF lie inside the header page
        // after the Header struct; only the agent writes them.
        unsafe { std::ptr::copy_nonoverlapping(b.as_ptr(), self.base.add(ERROR_OFF), b.len()) };
        h.last_error_at_ms.store(now_ms(), Ordering::Relaxed);
        h.last_error_len.store(b.len() as u32, Ordering::Release);
    }

    pub fn last_error(&self) -> Option<String> {
        let len = (self.header().last_error_len.load(Ordering::Acquire) as usize).min(ERROR_AREA);
        if len == 0 {
            return None;
        }
        let mut v = vec![0u8; len];
        // SAFETY: inside the header page, see set_last_error.
        unsafe { std::ptr::copy_nonoverlapping(self.base.add(ERROR_OFF), v.as_mut_ptr(), len) };
        Some(String::from_utf8_lossy(&v).into_owned())
    }
}

const _: () = assert!(std::mem::size_of::<Header>() <= ERROR_OFF);
