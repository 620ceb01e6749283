#!/usr/bin/env python3
"""Draws the soak's memory series: RSS of each php-fpm worker (and of the
agent) against requests served.  Needs matplotlib (reliability.sh makes a
venv for it).

    plot.py SOAK_JSON OUT_PNG
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    data = json.load(open(sys.argv[1]))
    series, workers, summ = data["series"], data["workers"], data["summary"]
    x = [s[0] for s in series]
    fig, ax = plt.subplots(figsize=(9, 4.8), dpi=110)
    for i, p in enumerate(workers):
        ax.plot(x, [s[2][str(p)] / 1024 for s in series], label=f"worker {i + 1} (pid {p})", linewidth=1.4)
    ax.plot(x, [s[3] / 1024 for s in series], label="agent", linestyle="--", color="grey", linewidth=1.2)
    ax.set_xlabel("requests served (all workers)")
    ax.set_ylabel("RSS (MiB)")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.set_title(f"php-fpm soak: {summ['requests']} requests ({summ['attacks']} attacks), 4 workers, "
                 f"{summ['rps']} req/s, load {summ['load'][0].split()[0]}", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(sys.argv[2])
    print("wrote", sys.argv[2])


if __name__ == "__main__":
    main()
