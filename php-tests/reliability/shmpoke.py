#!/usr/bin/env python3
"""Reads and corrupts php-rasp's shared-memory segment from outside, as root.

The segment (crates/rasp-ext/src/shm.rs) is an anonymous MAP_SHARED mapping
created by the php-fpm master at MINIT and inherited by the agent and every
worker. Writing through /proc/<pid>/mem of any of them (ptrace access, so
root or CAP_SYS_PTRACE) changes the shared pages all of them see. Nothing in
the extension is built for this: production code has no test hook.

    shmpoke.py PID show
    shmpoke.py PID flip        flip a byte in the current slot's snapshot
    shmpoke.py PID oddseq      leave the current slot's seqlock odd (writer "died" mid-write)
    shmpoke.py PID lens        make the current slot's snapshot length absurd
    shmpoke.py PID magic       wipe the segment's magic

Layout (repr(C) Header in shm.rs): magic u64 @0, current u32 @8, agent_pid
u32 @12, heartbeat_ms u64 @16, restarts u32 @24, generation u64 @32, two
SlotDesc of nine u64 each @40 and @112 (seq, generation, published_ms,
types, snapshot_len, whitelist_len, config_len, info_len, checksum).
Slot payloads start at 4096 + slot * 96 MiB.
"""

import struct
import sys

MAGIC = 0x5241_5350_5348_4D31
HEADER_LEN = 4096
SLOT_LEN = 96 << 20
SEGMENT_LEN = HEADER_LEN + 2 * SLOT_LEN
SLOT_FIELDS = ("seq", "generation", "published_ms", "types", "snapshot_len", "whitelist_len",
               "config_len", "info_len", "checksum")


def find_segment(pid):
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            parts = line.split()
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            if hi - lo != SEGMENT_LEN or "s" not in parts[1]:
                continue
            with open(f"/proc/{pid}/mem", "rb") as m:
                m.seek(lo)
                if struct.unpack("<Q", m.read(8))[0] == MAGIC:
                    return lo
    raise SystemExit(f"shmpoke: no php-rasp segment in process {pid}")


def read_header(pid, base):
    with open(f"/proc/{pid}/mem", "rb") as m:
        m.seek(base)
        raw = m.read(184)
    h = {
        "magic": struct.unpack_from("<Q", raw, 0)[0],
        "current": struct.unpack_from("<I", raw, 8)[0],
        "agent_pid": struct.unpack_from("<I", raw, 12)[0],
        "heartbeat_ms": struct.unpack_from("<Q", raw, 16)[0],
        "restarts": struct.unpack_from("<I", raw, 24)[0],
        "generation": struct.unpack_from("<Q", raw, 32)[0],
        "slots": [],
    }
    for s in range(2):
        vals = struct.unpack_from("<9Q", raw, 40 + 72 * s)
        h["slots"].append(dict(zip(SLOT_FIELDS, vals)))
    return h


def write(pid, addr, data):
    with open(f"/proc/{pid}/mem", "r+b", buffering=0) as m:
        m.seek(addr)
        m.write(data)


def poke(pid, what):
    base = find_segment(pid)
    h = read_header(pid, base)
    cur = min(h["current"], 1)
    desc = base + 40 + 72 * cur
    if what == "show":
        return h
    if what == "flip":
        at = base + HEADER_LEN + cur * SLOT_LEN + h["slots"][cur]["snapshot_len"] // 2
        with open(f"/proc/{pid}/mem", "rb") as m:
            m.seek(at)
            b = m.read(1)[0]
        write(pid, at, bytes([b ^ 0x5A]))
    elif what == "oddseq":
        write(pid, desc, struct.pack("<Q", h["slots"][cur]["seq"] | 1))
    elif what == "lens":
        write(pid, desc + 32, struct.pack("<Q", 1 << 40))
    elif what == "magic":
        write(pid, base, struct.pack("<Q", 0))
    else:
        raise SystemExit(f"shmpoke: unknown action {what}")
    return read_header(pid, base)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    print(poke(int(sys.argv[1]), sys.argv[2]))
