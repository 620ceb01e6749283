#!/usr/bin/env python3
"""Soak: N requests mixing benign and attack traffic against the test app
under php-fpm (4 workers, agent) + nginx, from C concurrent clients.

Checked: every response has the expected status (attacks 400, benign 200);
no worker crashed (fpm log) or was replaced; every attack request has
exactly one alarm line (matched by request id, from X-Request-ID) and no
benign request has one, with the rate limit's suppressed-line counts
accounted for; worker RSS is sampled every S requests and written as a
series (plot.py draws it).

    soak.py EXT [--requests N] [--clients C] [--sample S] [--json OUT]
"""

import argparse
import json
import os
import random
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stack import Stack, loadavg, proc_status  # noqa: E402

Q = urllib.parse.quote


def traffic(rng):
    """(method, path, body, headers, attack?) of one request."""
    k = rng.random()
    i = rng.randrange(1, 10_000)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    if k < 0.14:
        return "GET", f"/index.php?case=sql&v={i}", None, {}, False
    if k < 0.26:
        return "GET", f"/index.php?case=sqlstr&v=" + Q(rng.choice(["alice", "bob smith", "é ü", "50% off"])), None, {}, False
    if k < 0.36:
        return "GET", f"/index.php?case=cmdq&v=" + Q(rng.choice(["hello; id", "a|b", "$(x)", "plain"])), None, {}, False
    if k < 0.44:
        return "GET", f"/index.php?case=cmd&v=hello{i}", None, {}, False
    if k < 0.52:
        return "POST", "/index.php?case=json", json.dumps({"v": i, "tags": ["a", "b"]}).encode(), \
            {"Content-Type": "application/json"}, False
    if k < 0.60:
        body = urllib.parse.urlencode({f"p{j}": f"value {j}" for j in range(rng.randrange(1, 200))}).encode()
        return "POST", "/index.php?case=touch", body, form, False
    if k < 0.70:
        return "GET", "/index.php?case=sql&v=" + Q(rng.choice([f"{i} or 1=1", f"{i} union select 1", f"-{i} OR {i}={i}"])), \
            None, {}, True
    if k < 0.80:
        return "GET", "/index.php?case=sqlstr&v=" + Q(rng.choice(["x' OR '1'='1", "a' UNION SELECT sqlite_version() --",
                                                                  f"{i}' or 'a'='a"])), None, {}, True
    if k < 0.90:
        return "GET", "/index.php?case=cmd&v=" + Q(rng.choice([f"a;id", "x|cat /etc/passwd", f"$(sleep {i})", "`id`"])), \
            None, {}, True
    return "POST", "/index.php?case=json", json.dumps({"v": f"{i} or 1=1"}).encode(), \
        {"Content-Type": "application/json"}, True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ext")
    ap.add_argument("--requests", type=int, default=30_000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--sample", type=int, default=500)
    ap.add_argument("--json")
    a = ap.parse_args()

    s = Stack(a.ext, plugins=("official",), workers=4, name="soak").start()
    lock = threading.Lock()
    done = [0]
    results = []  # (attack, status, request id, elapsed)
    series = []   # (requests done, seconds, {pid: rss KiB}, agent rss KiB)
    errors = []
    workers = sorted(s.workers_pids())
    t0 = time.monotonic()
    load0 = loadavg()

    def sample():
        rss = {p: (proc_status(p) or {}).get("VmRSS", 0) for p in workers}
        ag = s.agent_pid()
        series.append((done[0], time.monotonic() - t0, rss, (proc_status(ag) or {}).get("VmRSS", 0) if ag else 0))

    def client(n, seed):
        rng = random.Random(seed)
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=60)
        for _ in range(n):
            method, path, body, headers, attack = traffic(rng)
            t = time.monotonic()
            try:
                conn.request(method, path, body=body, headers=headers)
                r = conn.getresponse()
                r.read()
                rid = r.getheader("X-Request-ID") or ""
                status = r.status
                if r.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=60)
            except Exception as e:  # noqa: BLE001 - every failure is counted
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=60)
                status, rid = None, ""
                with lock:
                    errors.append(repr(e))
            with lock:
                results.append((attack, status, rid, time.monotonic() - t, path))
                done[0] += 1
                if done[0] % a.sample == 0:
                    sample()
        conn.close()

    try:
        sample()
        per = a.requests // a.clients
        ts = [threading.Thread(target=client, args=(per, 1000 + c)) for c in range(a.clients)]
        [t.start() for t in ts]
        [t.join() for t in ts]
        elapsed = time.monotonic() - t0
        time.sleep(1.0)
        sample()
        alarms = s.alarms()
        counted = sum(al.get("suppressed_lines", 0) for al in alarms)
        attack_ids = {r[2] for r in results if r[0]}
        logged = {al.get("request_id") for al in alarms}
        if len(attack_ids - logged) > counted:
            # A worker reports the lines its rate limit dropped after its last
            # alarm line in the rasp log, at the end of a request once the
            # report interval (60 s) has passed: wait, then give every worker
            # a request so that it reports.
            time.sleep(61)
            for _ in range(40):
                s.get("/index.php?case=sql&v=1")
        crashes = s.crashes()
        workers_after = sorted(s.workers_pids())
        rasp_lines = s.log_lines("rasp")
        fpm_log = s.fpm_log()
    finally:
        left = s.stop()

    attacks = [r for r in results if r[0]]
    benign = [r for r in results if not r[0]]
    wrong = [r for r in results if r[1] != (400 if r[0] else 200)]
    by_id = {}
    for al in alarms:
        by_id.setdefault(al.get("request_id", ""), []).append(al)
    suppressed = sum(al.get("suppressed_lines", 0) for al in alarms)
    # ... and the counts reported in the rasp log ("N alarm log line(s)
    # suppressed by rate limit").
    for l in rasp_lines:
        if "alarm log line(s) suppressed by rate limit" in l:
            try:
                suppressed += json.loads(l[l.index("{"):])["fields"]["suppressed_lines"]
            except (ValueError, KeyError):
                pass
    missing = [r for r in attacks if len(by_id.get(r[2], [])) != 1]
    # Known bug B5: the watchdog counts wall-clock time, so on a busy machine
    # a check is cut off at 100 ms having had little CPU, and the request
    # goes on unjudged. Misses whose check timed out are attributed to it.
    timed_out = {l.split("(request ")[1][:32] for l in rasp_lines if "timed out" in l and "(request " in l}
    b5 = [r for r in missing if r[2] in timed_out]
    # The alarm log's rate limit (docs/logs.md: 50 lines per second per
    # worker after a burst of 200) drops lines on purpose and counts them
    # (suppressed_lines): that many attacks may lack their line. Duplicates
    # never pass.
    duplicated = [r for r in attacks if len(by_id.get(r[2], [])) > 1]
    unlogged = [r for r in missing if r[2] not in timed_out and not by_id.get(r[2])]
    missing_other = duplicated + (unlogged if len(unlogged) > suppressed else [])
    wrong_other = [r for r in wrong if r[2] not in timed_out]
    benign_ids = {r[2] for r in benign}
    false_alarms = [al for al in alarms if al.get("request_id") in benign_ids]
    no_id = [r for r in results if len(r[2]) != 32]
    lat = sorted(r[3] for r in results)
    first, last = series[1] if len(series) > 2 else series[0], series[-1]
    growth = {p: (last[2][p] - first[2][p]) / 1024 for p in workers}
    summary = dict(
        requests=len(results), attacks=len(attacks), benign=len(benign), seconds=round(elapsed, 1),
        rps=round(len(results) / elapsed, 1), load=[load0, loadavg()], errors=len(errors), error_samples=errors[:3],
        wrong_status=len(wrong), wrong_samples=[(r[4], r[1]) for r in wrong[:5]], alarm_lines=len(alarms),
        suppressed_lines=suppressed, attacks_without_exactly_one_alarm=len(missing),
        attacks_unexplained=len(missing_other),
        missing_samples=[r[4] for r in missing[:5]], missed_because_check_timed_out_B5=len(b5),
        alarms_on_benign=len(false_alarms),
        responses_without_request_id=len(no_id), crashes=crashes[:3], workers_replaced=workers_after != workers,
        helpers_left=left, p50_ms=round(lat[len(lat) // 2] * 1000, 1), p99_ms=round(lat[int(len(lat) * 0.99)] * 1000, 1),
        max_ms=round(lat[-1] * 1000, 1), rss_first_mib={p: round(first[2][p] / 1024, 1) for p in workers},
        rss_last_mib={p: round(last[2][p] / 1024, 1) for p in workers},
        rss_growth_mib={p: round(v, 1) for p, v in growth.items()},
        plugin_faults=sum(1 for l in rasp_lines if "timed out" in l or "heap limit" in l or "engine error" in l),
        plugin_fault_samples=[l[:200] for l in rasp_lines if "timed out" in l or "heap limit" in l
                              or "engine error" in l][:3],
        fpm_warnings=[l for l in fpm_log.splitlines() if "WARNING" in l][:5],
    )
    print(json.dumps(summary, indent=1))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(dict(summary=summary, series=series, workers=workers), f)
    ok = (not errors and not wrong_other and not missing_other and not false_alarms and not crashes
          and not summary["workers_replaced"] and not left and not no_id)
    print("soak:", "ok" if ok else "FAIL", f"(XFAIL B5: {len(b5)} attack(s) passed unjudged after a timeout)" if b5 else "")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
