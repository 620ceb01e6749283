#!/usr/bin/env python3
"""Turns bench/results/ into the tables of docs/benchmarks.md and its plots.

  report.py --results bench/results --doc docs/benchmarks.md --plots docs

The generated part of the document sits between the markers
<!-- bench:results:begin --> and <!-- bench:results:end -->; the rest of the
document (method, commands, discussion) is written by hand and kept.
Plots need matplotlib (bench/run.sh install puts it in a venv).
"""
import argparse
import json
import os
import re
import statistics as st

BEGIN = "<!-- bench:results:begin -->"
END = "<!-- bench:results:end -->"
ENDPOINT_NAMES = {
    "home": "WordPress home page",
    "search": "WordPress search (`?s=hello+world`)",
    "post_comments": "WordPress post with 60 comments",
    "sql_endpoint": "SQL endpoint (one mysqli query)",
}


def load_jsonl(path):
    if not os.path.exists(path):
        return []
    return [json.loads(l) for l in open(path) if l.strip()]


def load_json(path):
    return json.load(open(path)) if os.path.exists(path) else None


def web_summary(rows):
    """Per endpoint: medians per side, paired ratios per round."""
    out = {}
    measured = [r for r in rows if r.get("side") in ("off", "on") and "round" in r]
    for name in dict.fromkeys(r["endpoint"] for r in measured):
        per = {"off": [], "on": []}
        by_round = {}
        for r in measured:
            if r["endpoint"] != name:
                continue
            w = r["wrk"]
            rps = w["requests"] / (w["duration_us"] / 1e6)
            cpu = r.get("cpu_ms")
            item = {"rps": rps, "p50": w["p50_us"] / 1000, "p99": w["p99_us"] / 1000,
                    "cpu": cpu / w["requests"] if cpu is not None and w["requests"] else None,
                    "errors": w["status_errors"] + w["timeouts"] + w["connect_errors"] + w["read_errors"],
                    "load": r.get("load_before", "")}
            per[r["side"]].append(item)
            by_round.setdefault(r["round"], {})[r["side"]] = item
        pairs = [v for v in by_round.values() if "off" in v and "on" in v]
        med = lambda side, k: st.median(x[k] for x in per[side])
        has_cpu = all(x["cpu"] is not None for s_ in per.values() for x in s_)
        cpu = {side: med(side, "cpu") for side in per} if has_cpu else None
        out[name] = {
            "cpu": cpu,
            "cpu_ratio": cpu["on"] / cpu["off"] if cpu else None,
            "paired_cpu_ratios": [p["on"]["cpu"] / p["off"]["cpu"] for p in pairs] if has_cpu else [],
            "rounds": len(pairs),
            "off": {k: med("off", k) for k in ("rps", "p50", "p99")},
            "on": {k: med("on", k) for k in ("rps", "p50", "p99")},
            "ratio_of_medians": med("on", "rps") / med("off", "rps"),
            "paired_ratios": [p["on"]["rps"] / p["off"]["rps"] for p in pairs],
            "paired_p99_delta": [p["on"]["p99"] - p["off"]["p99"] for p in pairs],
            "paired_p50_delta": [p["on"]["p50"] - p["off"]["p50"] for p in pairs],
            "errors": sum(x["errors"] for s in per.values() for x in s),
            "loads": [x["load"].split()[0] for s in per.values() for x in s if x["load"]],
            "raw": per,
        }
    return out


def fmt_load(loads):
    if not loads:
        return "?"
    v = sorted(float(x) for x in loads)
    return f"{v[0]:.1f}–{v[-1]:.1f} (median {st.median(v):.1f})"


def criterion_rows(path):
    """(name, time-mid, throughput-mid) from criterion's console output."""
    if not os.path.exists(path):
        return []
    rows, name = [], None
    text = open(path).read()
    for line in text.splitlines():
        m = re.match(r"^(\S.*?)\s+time:\s+\[(.+?)\]", line)
        if m:
            name = m.group(1).strip()
            parts = m.group(2).split()
            rows.append([name, f"{parts[2]} {parts[3]}", ""])
            continue
        m = re.match(r"^\s+time:\s+\[(.+?)\]", line)
        if m and name:
            parts = m.group(1).split()
            # "change: time: [-13.7% -13.5% -13.3%]" against an earlier run's baseline
            if len(parts) >= 6:
                rows.append([name, f"{parts[2]} {parts[3]}", ""])
            continue
        m = re.match(r"^\s+thrpt:\s+\[(.+?)\]", line)
        if m and rows:
            parts = m.group(1).split()
            if len(parts) >= 6:  # not the change against a baseline
                rows[-1][2] = f"{parts[2]} {parts[3]}"
            continue
        if line and not line[0].isspace() and "time:" not in line and not line.startswith(("Benchmarking", "Found", "Gnuplot", "Warning", "snapshot")):
            name = line.strip()
    return rows


def plots(web, plot_dir):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib missing: no plots (bench/run.sh install)")
        return []
    names = list(web)
    labels = [n.replace("_", " ") for n in names]
    x = range(len(names))
    files = []

    has_cpu = all(web[n]["cpu"] for n in names)
    if has_cpu:
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 4.5), dpi=110)
    else:
        fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110)
    w = 0.38
    off = [web[n]["off"]["rps"] for n in names]
    on = [web[n]["on"]["rps"] for n in names]
    ax.bar([i - w / 2 for i in x], off, w, label="PHP without php-rasp", color="#8c8c8c")
    ax.bar([i + w / 2 for i in x], on, w, label="with php-rasp (official plugin, block)", color="#2a7ab9")
    for i, n in enumerate(names):
        for r in web[n]["raw"]["off"]:
            ax.plot(i - w / 2, r["rps"], "k.", ms=3)
        for r in web[n]["raw"]["on"]:
            ax.plot(i + w / 2, r["rps"], "k.", ms=3)
        ax.text(i, max(off[i], on[i]) * 1.02, f"{web[n]['ratio_of_medians']:.3f}x", ha="center", fontsize=9)
    ax.set_xticks(list(x))
    ax.set_xticklabels(labels)
    # WordPress serves tens of requests per second, the SQL endpoint
    # thousands: on a linear axis the WordPress bars vanish.
    ax.set_yscale("log")
    ax.set_ylabel("requests/s (median; dots = rounds; log scale)")
    ax.set_title("Throughput, php-fpm 4 workers, wrk on 127.0.0.1")
    ax.set_ylim(0, max(off + on) * 1.15)
    ax.legend(loc="upper left", fontsize=8)
    if has_cpu:
        off = [web[n]["cpu"]["off"] for n in names]
        on = [web[n]["cpu"]["on"] for n in names]
        ax2.bar([i - w / 2 for i in x], off, w, label="without", color="#8c8c8c")
        ax2.bar([i + w / 2 for i in x], on, w, label="with php-rasp", color="#2a7ab9")
        for i, n in enumerate(names):
            ax2.text(i, max(off[i], on[i]) * 1.02, f"{1 / web[n]['cpu_ratio']:.3f}x", ha="center", fontsize=9)
        ax2.set_yscale("log")
        ax2.set_xticks(list(x))
        ax2.set_xticklabels(labels)
        ax2.set_ylabel("php-fpm CPU ms per request (log scale)")
        ax2.set_title("CPU per request (label: throughput ratio it implies)")
        ax2.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    f = os.path.join(plot_dir, "bench-throughput.png")
    fig.savefig(f)
    plt.close(fig)
    files.append(f)

    fig, axes = plt.subplots(1, 2, figsize=(10, 4.5), dpi=110)
    for ax, k, title in ((axes[0], "p50", "p50 latency"), (axes[1], "p99", "p99 latency")):
        off = [web[n]["off"][k] for n in names]
        on = [web[n]["on"][k] for n in names]
        ax.bar([i - w / 2 for i in x], off, w, label="without", color="#8c8c8c")
        ax.bar([i + w / 2 for i in x], on, w, label="with php-rasp", color="#2a7ab9")
        for i, n in enumerate(names):
            d = on[i] - off[i]
            ax.text(i, max(off[i], on[i]) * 1.02, f"{d:+.2f} ms", ha="center", fontsize=8)
        ax.set_xticks(list(x))
        ax.set_xticklabels(labels, fontsize=8)
        ax.set_yscale("log")
        ax.set_ylabel("ms (median of rounds; log scale)")
        ax.set_title(title)
        ax.set_ylim(0, max(off + on) * 1.15)
        ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    f = os.path.join(plot_dir, "bench-latency.png")
    fig.savefig(f)
    plt.close(fig)
    files.append(f)
    return files


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--doc", required=True)
    ap.add_argument("--plots", required=True)
    a = ap.parse_args()
    r = a.results
    md = []
    machine = load_json(os.path.join(r, "machine.json"))
    if machine:
        md.append(f"Run of {machine['date']} at commit `{machine['commit']}`: {machine['cpu']}, "
                  f"{machine['cores']} cores, {machine['mem_gb']} GB, Linux {machine['kernel']}, PHP {machine['php']}.\n")

    web = web_summary(load_jsonl(os.path.join(r, "web.jsonl")))
    if web:
        md.append("### Web: WordPress and the SQL endpoint (`bench/run.sh web`)\n")
        md.append("| endpoint | req/s without | req/s with | throughput ratio (medians) | paired ratios, min–max | "
                  "php-fpm CPU per request without → with | throughput ratio from CPU | "
                  "p50 without → with | p99 without → with | added p99 (median of pairs) | 1-min load during runs |")
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for n, s in web.items():
            pr = s["paired_ratios"]
            cpu_cols = (f"{s['cpu']['off']:.2f} → {s['cpu']['on']:.2f} ms | **{1 / s['cpu_ratio']:.3f}x** | "
                        if s["cpu"] else " | | ")
            md.append(
                f"| {ENDPOINT_NAMES.get(n, n)} | {s['off']['rps']:.1f} | {s['on']['rps']:.1f} | "
                f"**{s['ratio_of_medians']:.3f}x** | {min(pr):.3f}–{max(pr):.3f} | " + cpu_cols +
                f"{s['off']['p50']:.2f} → {s['on']['p50']:.2f} ms | {s['off']['p99']:.2f} → {s['on']['p99']:.2f} ms | "
                f"{st.median(s['paired_p99_delta']):+.2f} ms | {fmt_load(s['loads'])} |")
        errs = sum(s["errors"] for s in web.values())
        md.append(f"\n{next(iter(web.values()))['rounds']} rounds per endpoint; non-2xx/timeouts/socket errors in all runs: {errs}. "
                  "*Throughput ratio from CPU* = CPU time per request without / with, summed over the side's "
                  "php-fpm processes (workers, and the agent on the protected side): what the throughput ratio is "
                  "when PHP has the CPUs to itself, and much less disturbed by other load than wall-clock figures.\n")
        files = plots(web, a.plots)
        for f in files:
            md.append(f"![{os.path.basename(f)}]({os.path.relpath(f, os.path.dirname(a.doc))})\n")

    pages = load_jsonl(os.path.join(r, "pages.jsonl"))
    if pages:
        md.append("### Instructions per request (`bench/run.sh pages`, php-cgi under callgrind)\n")
        medians = "on_median" in pages[0]
        if medians:
            md.append("| endpoint | without (median) | with php-rasp (median) | ratio (throughput, CPU-bound) | added per request | "
                      "mean without → with | largest request with |")
            md.append("|---|---:|---:|---:|---:|---:|---:|")
        else:
            md.append("| endpoint | without | with php-rasp | ratio (throughput, CPU-bound) | added per request |")
            md.append("|---|---:|---:|---:|---:|")
        for p in pages:
            if medians:
                off, on = p["off_median"], p["on_median"]
            elif "requests" in p:
                off, on = p["off"], p["on"]
            else:  # older runs: two processes of n1 and n2 requests
                n = p["n2"] - p["n1"]
                off = (p["off"][1] - p["off"][0]) / n
                on = (p["on"][1] - p["on"][0]) / n
            row = (f"| {ENDPOINT_NAMES.get(p['endpoint'], p['endpoint'])} | {off / 1e6:.3f} M | {on / 1e6:.3f} M | "
                   f"**{off / on:.3f}x** | {(on - off) / 1e6:+.3f} M ({(on - off) / off * 100:+.1f} %) |")
            if medians:
                row += f" {p['off'] / 1e6:.3f} → {p['on'] / 1e6:.3f} M | {p['on_max'] / 1e6:.2f} M |"
            md.append(row)
        if "requests" in pages[0]:
            counts = ", ".join(f"{ENDPOINT_NAMES.get(p['endpoint'], p['endpoint'])}: the last {p['measured']} "
                               f"of {p['requests']}" for p in pages)
            what = ("the median" if medians else "the mean")
            md.append(f"\nOne php-cgi process per side serves the same request repeatedly (`-T`) and callgrind "
                      f"counts each request; the table gives {what} of the last requests ({counts}): a warm "
                      "worker, without start-up, the snapshot the standalone extension builds, or V8's warm-up "
                      "(its JIT tiers up over the first tens of checks). Instruction counts do not depend on "
                      "other load; for CPU-bound PHP, their ratio is the throughput ratio.\n")
            if medians:
                md.append("The mean also counts what a worker pays now and then rather than per request: V8's "
                          "garbage collections and, once per worker, TurboFan compiling a large handler on the "
                          "PHP thread (tens of millions of instructions in one request; the largest request "
                          "shows it). Over a worker's thousands of requests the mean tends to the median plus "
                          "the collections.\n")
        else:
            md.append(f"\nOne php-cgi process serves {pages[0]['n1']} and then {pages[0]['n2']} requests (`-T`); the difference "
                      "divided by the extra requests leaves out start-up (and the snapshot the standalone extension builds). "
                      "Instruction counts do not depend on other load; for CPU-bound PHP, their ratio is the throughput ratio.\n")

    mem = load_jsonl(os.path.join(r, "memory.jsonl"))
    if mem:
        md.append("### Memory per php-fpm worker (`bench/run.sh web`, after the runs above)\n")
        md.append("| side | workers | requests served by the side | RSS mean | PSS mean | private (USS) mean |")
        md.append("|---|---:|---:|---:|---:|---:|")
        means = {}
        for side in ("off", "on"):
            w = [m for m in mem if m.get("side") == side and "pid" in m]
            if not w:
                continue
            means[side] = {k: st.mean(x[k] for x in w) / 1024 for k in ("rss_kb", "pss_kb", "uss_kb")}
            md.append(f"| {'without' if side == 'off' else 'with php-rasp'} | {len(w)} | {w[0]['requests_side']} | "
                      f"{means[side]['rss_kb']:.1f} MB | {means[side]['pss_kb']:.1f} MB | {means[side]['uss_kb']:.1f} MB |")
        if "off" in means and "on" in means:
            d = {k: means["on"][k] - means["off"][k] for k in means["on"]}
            md.append(f"| **extra per worker** | | | **{d['rss_kb']:+.1f} MB** | **{d['pss_kb']:+.1f} MB** | **{d['uss_kb']:+.1f} MB** |")
        agents = sorted((m for m in mem if "agent" in m), key=lambda m: m["rss_kb"])
        if agents:
            # The supervisor (small) and the agent it forked, one pair per php-fpm master.
            rss = " and ".join(f"{m['rss_kb'] / 1024:.1f}" for m in agents)
            pss = " and ".join(f"{m['pss_kb'] / 1024:.1f}" for m in agents)
            md.append(f"\nAgent processes (a supervisor and the agent, one pair per php-fpm master, "
                      f"not per worker): RSS {rss} MB, PSS {pss} MB.")
        md.append("")

    hooked = load_json(os.path.join(r, "hooked.json"))
    cg = load_json(os.path.join(r, "hooked-callgrind.json"))
    if hooked or cg:
        md.append("### Hooked PHP calls (`bench/run.sh hooked`, PHP CLI)\n")
        md.append("*quiet*: the only plugin handles `sql`, so these calls reach no plugin; *official*: the official plugin. "
                  "Overheads are per call against PHP without the extension.\n")
        md.append("| call | without (ns) | + quiet (ns) | + official (ns) | + quiet (instructions) | + official (instructions) |")
        md.append("|---|---:|---:|---:|---:|---:|")
        cases = list((hooked or cg)["cases"])
        for c in cases:
            h = (hooked or {}).get("cases", {}).get(c)
            g = (cg or {}).get("cases", {}).get(c)
            md.append(
                f"| `{c}` | {h['ns']['off']:.1f} | {h['overhead_quiet_ns']:+.1f} | {h['overhead_official_ns']:+.1f} | "
                if h else f"| `{c}` | | | | ")
            md[-1] += (f"{g['overhead_quiet_ir']:+.0f} | {g['overhead_official_ir']:+.0f} |" if g else " | |")
        if hooked:
            md.append(f"\nWall times: median of processes alternating off/quiet/official; load {hooked['load_before'].split()[0]} before, "
                      f"{hooked['load_after'].split()[0]} after. Instruction counts do not depend on the load.\n")

    lat = load_json(os.path.join(r, "v8-latency.json"))
    if lat:
        md.append("### V8 checks, restore, snapshot (`cargo bench -p rasp-v8 --bench latency`)\n")
        md.append(f"Official plugin, block mode; request with 20 parameters; snapshot {lat['snapshot_bytes'] / 1e6:.2f} MB.\n")
        md.append("| case | n | p50 | p90 | p99 | p99.9 |")
        md.append("|---|---:|---:|---:|---:|---:|")
        for c in lat["cases"]:
            unit, f = ("ms", 1000.0) if c["p50_us"] > 1000 else ("µs", 1.0)
            md.append(f"| {c['case']} | {c['n']} | {c['p50_us'] / f:.2f} {unit} | {c['p90_us'] / f:.2f} {unit} | "
                      f"{c['p99_us'] / f:.2f} {unit} | {c['p999_us'] / f:.2f} {unit} |")
        md.append("")

    load = load_jsonl(os.path.join(r, "micro-load.json"))
    for title, fname in (("rasp-v8 criterion (`--bench engine`)", "v8-engine.txt"),
                         ("Tokenizers (`cargo bench -p rasp-core --bench tokenizers`)", "tokenizers.txt"),
                         ("Whitelist (`cargo bench -p rasp-whitelist --bench whitelist`)", "whitelist.txt")):
        rows = criterion_rows(os.path.join(r, fname))
        if rows:
            md.append(f"### {title}\n")
            md.append("| bench | time (median estimate) | throughput |")
            md.append("|---|---:|---:|")
            for n, t, thr in rows:
                md.append(f"| `{n}` | {t} | {thr} |")
            md.append("")
    if load:
        md.append("Micro-benchmarks ran with 1-min load " + ", ".join(
            f"{k.replace('load_', '')} {v.split()[0]}" for d in load for k, v in d.items()) + ".\n")

    block = BEGIN + "\n<!-- generated by bench/report.py from bench/results; do not edit by hand -->\n\n" + "\n".join(md) + "\n" + END
    doc = open(a.doc).read() if os.path.exists(a.doc) else "# Benchmarks\n\n"
    if BEGIN in doc and END in doc:
        doc = doc[:doc.index(BEGIN)] + block + doc[doc.index(END) + len(END):]
    else:
        doc = doc.rstrip() + "\n\n## Results\n\n" + block + "\n"
    open(a.doc, "w").write(doc)
    print(f"wrote {a.doc}")


if __name__ == "__main__":
    main()
