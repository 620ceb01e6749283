#!/usr/bin/env python3
"""Classifies valgrind leak records (the .mem files run-tests.php -m
keeps) by who allocated the memory: the extension (a frame in librasp.so),
libnode/V8, or PHP itself. Exit status 1 if any leak is the extension's.

    leak-classify.py EXT MEM_DIR
"""

import collections
import glob
import os
import re
import sys

RECORD = re.compile(r"==\d+== ([\d,]+) (?:\([\d,]+ direct, [\d,]+ indirect\) )?bytes in ([\d,]+) blocks are "
                    r"(definitely|indirectly) lost.*?\n((?:==\d+==\s+(?:at|by) .*\n)+)")


def main():
    ext, d = sys.argv[1], sys.argv[2]
    so = os.path.basename(ext)
    by = collections.Counter()
    bytes_by = collections.Counter()
    ours = []
    other_errors = []
    files = sorted(glob.glob(os.path.join(d, "*.mem")))
    for f in files:
        text = open(f, errors="replace").read()
        for m in RECORD.finditer(text):
            size = int(m.group(1).replace(",", ""))
            frames = m.group(4)
            if so in frames:
                who = "extension"
                ours.append((os.path.basename(f), size, frames))
            elif "libnode" in frames:
                who = "libnode/V8"
            else:
                who = "PHP"
            by[who] += 1
            bytes_by[who] += size
        # Errors other than leaks (invalid reads/writes, uninitialised values).
        for e in re.findall(r"==\d+== (Invalid (?:read|write|free)[^\n]*|Conditional jump[^\n]*|"
                            r"Use of uninitialised[^\n]*|Syscall param[^\n]*)", text):
            other_errors.append((os.path.basename(f), e))
    print(f"leak records in {len(files)} .mem file(s):", dict(by) or "none",
          "bytes:", dict(bytes_by) or "0")
    for name, size, frames in ours[:5]:
        print(f"--- extension leak in {name}: {size} bytes\n{frames}")
    if other_errors:
        print(f"{len(other_errors)} memory error(s) other than leaks, first: {other_errors[:3]}")
    ext_errors = [e for e in other_errors if so in open(os.path.join(d, e[0]), errors='replace').read()]
    sys.exit(1 if ours or ext_errors else 0)


if __name__ == "__main__":
    main()
