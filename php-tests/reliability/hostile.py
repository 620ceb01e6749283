#!/usr/bin/env python3
"""Hostile-input suite: oversized and malformed requests through nginx and
php-fpm (one worker, so its memory is attributable), each sent to an app
case that reaches a hooked call, so the extension copies the request and
builds the context.

For each input: the HTTP status (a defined result: the expected page, or
the block page for attacks), the request time and the worker's peak RSS
during the request (VmHWM, reset before each request through
/proc/PID/clear_refs), with the extension active and, as a baseline, with
rasp.enabled=0 (same binary, same PHP settings). Time and memory are
reported, never asserted tightly: the machine is shared. The suite fails
on a crash, a wrong status, or a request slower than LIMIT_S.

    hostile.py EXT [--short] [--json OUT] [--only NAME,...]
"""

import argparse
import json
import os
import statistics
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fcgi  # noqa: E402
from stack import Stack, loadavg  # noqa: E402

LIMIT_S = 30.0
PHP_INI = {
    "post_max_size": "64M",
    "upload_max_filesize": "64M",
    "memory_limit": "1024M",
    "max_input_vars": "200000",
    "max_input_time": "120",
}
INJ = "1 or 1=1"


def form(pairs):
    return "&".join(f"{urllib.parse.quote_plus(k)}={urllib.parse.quote_plus(v)}" for k, v in pairs).encode()


def post(path, body, ctype="application/x-www-form-urlencoded", extra=None):
    h = {"Content-Type": ctype}
    h.update(extra or {})
    return ("POST", path, body, h)


def raw_request(port_placeholder_path, lines, body=b""):
    return ("RAW", port_placeholder_path, lines, body)


def inputs(short):
    mb = 1 << 20
    big = 8 * mb if short else 50 * mb
    n_params = 20_000 if short else 100_000
    out = []

    def add(name, req, want, note="", known=None):
        out.append(dict(name=name, req=req, want=want, note=note, known=known))

    add(f"{big // mb} MB raw body (octet-stream)", post("/index.php?case=touch", b"A" * big,
                                                       "application/octet-stream"), 200)
    add(f"{big // mb} MB form body, one parameter", post("/index.php?case=touch", b"big=" + b"A" * big), 200)
    add(f"{big // mb} MB form body + SQL injection in `v`",
        post("/index.php?case=sql", form([("v", INJ)]) + b"&big=" + b"A" * big), 400)
    add(f"{n_params // 1000}k parameters", post("/index.php?case=touch",
                                                form((f"p{i}", f"v{i}") for i in range(n_params))), 200)
    add(f"{n_params // 1000}k parameters, injection first",
        post("/index.php?case=sql", form([("v", INJ)] + [(f"p{i}", f"v{i}") for i in range(n_params)])), 400)
    add(f"{n_params // 1000}k parameters, injection last",
        post("/index.php?case=sql", form([(f"p{i}", f"v{i}") for i in range(n_params)] + [("v", INJ)])), 400,
        "beyond context.max_values (5000): the value is not in the context", known="G1")
    add("1 MB single parameter", post("/index.php?case=touch", form([("v", "A" * mb)])), 200)
    add("1 MB parameter: injection after 64 KiB of blanks",
        post("/index.php?case=sql", form([("v", "1" + " " * (mb - 20) + INJ)])), 400,
        "context.max_value_bytes (64 KiB) clips the value before the injection", known="G2")
    deep_a = b"[" * 10_000 + b"]" * 10_000
    add("JSON body 10k levels deep (arrays)", post("/index.php?case=json", deep_a, "application/json"), 200)
    deep_o = b'{"a":' * 10_000 + b"1" + b"}" * 10_000
    add("JSON body 10k levels deep (objects)", post("/index.php?case=json", deep_o, "application/json"), 200)
    deep_fit = b"[" * 6000 + b"]" * 6000
    add("JSON 6k deep, fits body.maxbytes (JS re-parses it)",
        post("/index.php?case=json", deep_fit, "text/plain"), 200)
    pad = json.dumps({"pad": [f"x{i}" for i in range(6000)], "v": INJ}).encode()
    add("JSON: 6000 padding values, then the injection",
        post("/index.php?case=json", pad, "application/json"), 400,
        "JSON leaves share the max_values budget; `v` comes after it is spent", known="G1")
    add("query with a[]...[] nested 10k levels",
        ("GET", "/index.php?case=touch&" + "a" + "[]" * 10_000 + "=1", None, {}), 200)
    add("500 headers of 100 bytes",
        ("GET", "/index.php?case=touch", None, {f"X-H{i}": "h" * 100 for i in range(500)}), 200)
    add("3000 cookies", ("GET", "/index.php?case=touch", None,
                         {"Cookie": "; ".join(f"c{i}=v{i}" for i in range(3000))}), 200)
    junk = b"\x00\xff\xfe\xc3\x28\xed\xa0\x80\xf4\x90\x80\x80"
    # Through nginx: it refuses NUL in the path and in header values (400,
    # before PHP), so those bytes go in percent-encoded where it passes them.
    add("invalid UTF-8 and NUL (where nginx passes them) in path, query, headers, cookie, body", ("RAW", None, [
        b"POST /index.php/%FF%FE\xff\xc3\x28?case=touch&k%FF%00=v%FE%00%C3%28&\xff\xfe=\xed\xa0\x80 HTTP/1.1",
        b"Host: 127.0.0.1",
        b"X-Bad: \xff\xfe\xc3\x28\xed\xa0\x80\xf4\x90\x80\x80",
        b"X-\xff\xfe: value",
        b"User-Agent: \xc3\x28\xa0\xa1",
        b"Cookie: c\xff=\xfe\xff; d=\xed\xa0\x80; e=%00%FF",
        b"Content-Type: application/x-www-form-urlencoded",
        b"Connection: close",
    ], b"f%FF%00=%00%FE%FFv&g=" + urllib.parse.quote_from_bytes(junk).encode() + b"&h=\xff\x00"), 200)
    # FastCGI straight to php-fpm: NUL and invalid UTF-8 in every CGI
    # variable, as a laxer web server could pass them.
    fc = {
        b"REQUEST_METHOD": b"POST",
        b"REQUEST_URI": b"/index.php/\x00\xff\xfe?case=touch&k\x00\xff=v\x00\xfe",
        b"QUERY_STRING": b"case=touch&k%00%FF=v%00%FE&\x00\xff=\xed\xa0\x80",
        b"SERVER_PROTOCOL": b"HTTP/1.1\x00\xff",
        b"HTTP_HOST": b"h\x00\xff.example:80\xfe",
        b"HTTP_X_BAD": junk,
        b"HTTP_X_\xff\x00NAME": b"v\x00",
        b"HTTP_COOKIE": b"c\x00=\xff\x00; d\xff=\x00",
        b"HTTP_USER_AGENT": b"\x00" * 10 + b"\xff" * 10,
        b"HTTP_X_FORWARDED_FOR": b"\x00\xff, 1.2.3.4",
        b"REMOTE_ADDR": b"10.0.0.1\x00\xff",
        b"SERVER_NAME": b"\x00\xff",
        b"HTTPS": b"\x00",
        b"CONTENT_TYPE": b"application/x-www-form-urlencoded\x00\xff",
    }
    add("FastCGI: NUL and invalid UTF-8 in every CGI variable and the body",
        ("FCGI", "touch", dict(fc), b"f%00%FF=%00%FE&\x00\xff=\xed\xa0\x80"), 200)
    fa = dict(fc)
    fa.update({b"REQUEST_URI": b"/index.php?case=sql&v=1%20or%201%3D1\x00\xff",
               b"QUERY_STRING": b"case=sql&v=1%20or%201%3D1&k%00%FF=\x00\xff"})
    add("FastCGI: SQL injection, NUL and invalid UTF-8 in every other field",
        ("FCGI", "sql", fa, b"f%00%FF=%00%FE"), 400)
    add("invalid UTF-8 and NUL in a JSON body", post("/index.php?case=json",
                                                      b'{"v":"1\\u0000\xff\xfe\xed\xa0\x80","k\xff":"\\ud800"}',
                                                      "application/json"), 200)
    add("injection wrapped in NUL and invalid UTF-8",
        ("GET", "/index.php?case=sql&v=" + urllib.parse.quote_from_bytes(b"1 or 1=1 \xff\xfe"), None, {}), 400)
    add("multipart: invalid UTF-8 and NUL in file name and field",
        post("/index.php?case=touch",
             b"--B\r\nContent-Disposition: form-data; name=\"f\xff\"; filename=\"a\xfe\x00b.php\"\r\n"
             b"Content-Type: application/x-php\r\n\r\n<?php \x00\xff ?>\r\n--B\r\n"
             b"Content-Disposition: form-data; name=\"v\"\r\n\r\n\xff\x00\r\n--B--\r\n",
             "multipart/form-data; boundary=B"), 200)
    vals = [f"name{i:05d}" for i in range(1000)]
    add("10k-character SQL with 1000 request values",
        post("/index.php?case=bigsql", form((f"p{i}", v) for i, v in enumerate(vals))), 200)
    add("10k-character SQL with 1000 values, one an injection",
        post("/index.php?case=bigsql", form([(f"p{i}", v) for i, v in enumerate(vals[:500])] +
                                            [("p500", "x') OR ('1'='1")] +
                                            [(f"p{i}", v) for i, v in enumerate(vals[501:], 501)])), 400)
    # Short values occur many times in the query: occurrences, not values,
    # drive the cost (each is bounded by meta.max_occurrences).
    vals2 = [f"{i:02d}" for i in range(100)] + [f"{i:05d}{i:05d}" for i in range(900)]
    add("10k-character SQL, 1000 values occurring hundreds of times",
        post("/index.php?case=bigsql", form((f"p{i}", v) for i, v in enumerate(vals2))), 200)
    return out


def send(s, item):
    kind, path, body, headers = item["req"]
    if kind == "FCGI":
        params = dict(body)
        params[b"SCRIPT_FILENAME"] = os.path.join(s.work, "app", "index.php").encode()
        params[b"DOCUMENT_ROOT"] = os.path.join(s.work, "app").encode()
        params[b"GATEWAY_INTERFACE"] = b"CGI/1.1"
        status, out, _err, elapsed = fcgi.request(s.fport, params, headers, timeout=LIMIT_S + 30)
        return status, elapsed, out
    if kind == "RAW":
        data = b"\r\n".join(body) + b"\r\n"
        payload = headers
        data = data + f"Content-Length: {len(payload)}\r\n\r\n".encode() + payload
        status, elapsed = s.raw(data, timeout=LIMIT_S + 30)
        return status, elapsed, b""
    r = s.request(kind, path, body=body, headers=headers, timeout=LIMIT_S + 30)
    return r.status, r.elapsed, r.body


def reset_hwm(pid):
    with open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("5")


def status_kib(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0])
    return out


def measure(s, item, reps):
    w = s.workers_pids()[0]
    res = []
    for _ in range(reps):
        reset_hwm(w)
        status, elapsed, body = send(s, item)
        st = status_kib(w)
        res.append((status, elapsed, st["VmHWM"], st["VmRSS"]))
    return dict(status=[r[0] for r in res], time=statistics.median(r[1] for r in res),
                peak=max(r[2] for r in res), rss=res[-1][3], worker=w)


def _parses(line):
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ext")
    ap.add_argument("--short", action="store_true")
    ap.add_argument("--json")
    ap.add_argument("--only", default="")
    ap.add_argument("--reps", type=int, default=0)
    a = ap.parse_args()
    reps = a.reps or (1 if a.short else 3)
    items = inputs(a.short)
    if a.only:
        keys = a.only.split(",")
        items = [i for i in items if any(k in i["name"] for k in keys)]
    load0 = loadavg()
    on = Stack(a.ext, plugins=("official",), workers=1, php_ini=PHP_INI, name="hostile-on").start()
    off = Stack(a.ext, plugins=("official",), workers=1, php_ini=dict(PHP_INI, **{"rasp.enabled": "0"}),
                name="hostile-off").start()
    rows, failed = [], 0
    try:
        for s in (on, off):  # warm up: engine restored, opcache primed
            for _ in range(3):
                s.get("/index.php?case=sql&v=1")
        for item in items:
            before = len(on.log_lines("rasp"))
            m_on = measure(on, item, reps)
            m_off = measure(off, item, reps)
            faults = [l for l in on.log_lines("rasp")[before:] if '"WARN"' in l or '"ERROR"' in l]
            ok_status = all(x == item["want"] for x in m_on["status"])
            problems = []
            if not ok_status:
                problems.append(f"status {m_on['status']} (want {item['want']})")
            if m_on["time"] > LIMIT_S:
                problems.append(f"took {m_on['time']:.1f} s")
            if on.crashes():
                problems.append("crash: " + on.crashes()[0])
            if on.workers_pids() != [m_on["worker"]]:
                problems.append("the worker was replaced")
            verdict = "ok" if not problems else (f"XFAIL {item['known']}" if item["known"] and ok_status is False
                                                 and len(problems) == 1 else "FAIL")
            if item["known"] and not problems:
                verdict = f"XPASS {item['known']}"
            if verdict == "FAIL":
                failed += 1
            row = dict(name=item["name"], verdict=verdict, problems=problems, note=item["note"],
                       status_on=m_on["status"][0], status_off=m_off["status"][0],
                       ms_on=m_on["time"] * 1000, ms_off=m_off["time"] * 1000,
                       peak_on=m_on["peak"] / 1024, peak_off=m_off["peak"] / 1024,
                       rss_on=m_on["rss"] / 1024, rss_off=m_off["rss"] / 1024,
                       faults=[f[:200] for f in faults[:2]])
            rows.append(row)
            print(f"{verdict:8} {item['name']}: {row['status_on']} ({row['status_off']} without), "
                  f"{row['ms_on']:.0f} ms ({row['ms_off']:.0f}), peak {row['peak_on']:.0f} MiB "
                  f"({row['peak_off']:.0f}), after {row['rss_on']:.0f} MiB; {'; '.join(problems)}", flush=True)
            for f in faults[:2]:
                print("         logged:", f[:200])
        # Every alarm written under this input is one parseable JSON object.
        bad = [l[:120] for l in on.log_lines("alarm") if not _parses(l)]
        if bad:
            failed += 1
            print("FAIL     unparseable alarm lines:", bad[:3])
        else:
            print(f"ok       all {len(on.log_lines('alarm'))} alarm lines parse as JSON objects")
    finally:
        on.stop()
        off.stop()
    print(f"\nload average {load0} -> {loadavg()}, {reps} repetition(s) each, times are medians\n")
    print("| input | result (without rasp) | time ms, rasp on / off | worker peak RSS MiB, on / off | notes |")
    print("|---|---|---|---|---|")
    for r in rows:
        v = "" if r["verdict"] == "ok" else f"**{r['verdict']}** "
        print(f"| {r['name']} | {v}{r['status_on']} ({r['status_off']}) | {r['ms_on']:.0f} / {r['ms_off']:.0f} | "
              f"{r['peak_on']:.0f} / {r['peak_off']:.0f} | {'; '.join(r['problems'] + ([r['note']] if r['note'] else []))} |")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(dict(load=[load0, loadavg()], reps=reps, rows=rows), f, indent=1)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
