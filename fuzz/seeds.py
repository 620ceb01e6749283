#!/usr/bin/env python3
"""Seeds the corpora of the structured fuzz targets from the repository's
own test material (run by run.sh when a corpus directory is empty).

  rasp_yml   every rasp.yml in the tree and the YAML blocks of the docs
  js_bridge  the official plugin's test fixtures (plugins/official/tests),
             in the target's section format (see fuzz_targets/js_bridge.rs)

    seeds.py TARGET CORPUS_DIR
"""

import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def check_types():
    with open(os.path.join(REPO, "crates", "rasp-core", "src", "check.rs")) as f:
        src = f.read()
    body = src[src.index("check_types! {"):]
    body = body[:body.index("}")]
    return re.findall(r'=>\s*"([A-Za-z_]+)"', body)


def write(corpus, name, data):
    with open(os.path.join(corpus, name), "wb") as f:
        f.write(data)


def seed_rasp_yml(corpus):
    n = 0
    for path in glob.glob(os.path.join(REPO, "**", "rasp.yml"), recursive=True):
        if "/target" in path or "/fuzz/" in path:
            continue
        with open(path, "rb") as f:
            write(corpus, f"file-{n}", f.read()[:4096])
        n += 1
    for doc in glob.glob(os.path.join(REPO, "docs", "*.md")):
        with open(doc) as f:
            for block in re.findall(r"```ya?ml\n(.*?)```", f.read(), re.S):
                write(corpus, f"doc-{n}", block.encode()[:4096])
                n += 1
    return n


def enc(s):
    return str(s).encode("utf-8", "surrogatepass")


def seed_js_bridge(corpus):
    types = check_types()
    n = 0
    for path in sorted(glob.glob(os.path.join(REPO, "plugins", "official", "tests", "*.json"))):
        with open(path) as f:
            doc = json.load(f)
        cases = doc.get("cases", []) if isinstance(doc, dict) else doc
        for case in cases:
            t = case.get("type")
            if t not in types:
                continue
            recs = []
            for k, v in (case.get("params") or {}).items():
                if isinstance(v, list):
                    recs.append(enc(k) + b"=" + b"\x1d".join(enc(x) for x in v))
                else:
                    recs.append(enc(k) + b"=" + enc(v))
            ctx = case.get("context") or {}
            params = []
            for k, vals in (ctx.get("parameter") or {}).items():
                for v in vals if isinstance(vals, list) else [vals]:
                    params.append(enc(k) + b"=" + enc(v))
            headers = [enc(k) + b"=" + enc(v) for k, v in (ctx.get("header") or {}).items()]
            body = enc(json.dumps(ctx["json"])) if ctx.get("json") else enc(ctx.get("body", ""))
            data = bytes([types.index(t)]) + b"\x1e".join(
                [b"\x1f".join(recs), b"\x1f".join(params), b"\x1f".join(headers), body])
            if len(data) <= 4096:
                write(corpus, f"fixture-{n}", data)
                n += 1
    return n


if __name__ == "__main__":
    target, corpus = sys.argv[1], sys.argv[2]
    os.makedirs(corpus, exist_ok=True)
    n = {"rasp_yml": seed_rasp_yml, "js_bridge": seed_js_bridge}[target](corpus)
    print(f"seeded {n} inputs into {corpus}")
