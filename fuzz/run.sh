#!/usr/bin/env bash
# Runs fuzz targets for the given number of seconds each (default 600).
#
#   fuzz/run.sh [SECONDS] [TARGET ...]       all targets when none is named
#
# Targets: sql_tokenize shell_tokenize (tokenizers), rasp_yml (config
# loader + whitelist + log config), whitelist_build (build, match, corrupt
# bytes), context_build (request context under limits), js_bridge (params
# and context through V8 with the official plugin).
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). The machine has only a
# stable toolchain, so RUSTC_BOOTSTRAP unlocks the nightly flags cargo-fuzz
# passes. Corpora live in fuzz/corpus/<target> (seeded from the tests'
# fixtures when empty), crashes in fuzz/artifacts/<target>. Each run appends
# one line per target to fuzz/ledger.tsv (date, target, seconds, runs,
# coverage, corpus size, load average, result): docs/reliability.md sums it.
# FUZZ_JOBS=N runs N workers per target (default 1; the machine is shared).
set -euo pipefail

seconds="${1:-600}"
shift || true
here="$(cd "$(dirname "$0")" && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-fuzz}"
export RUSTC_BOOTSTRAP=1
jobs="${FUZZ_JOBS:-1}"
all=(sql_tokenize shell_tokenize rasp_yml whitelist_build context_build js_bridge)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

cd "$here"
seed_lines() {
    local target="$1" fixture="$2"
    mkdir -p "corpus/$target"
    if [ -z "$(ls -A "corpus/$target")" ]; then
        local n=0
        grep -v '^#!' "$fixture" | while IFS= read -r line; do
            n=$((n + 1))
            # One flag byte (dialect options / token cap) and the payload.
            printf '\0%s' "$line" > "corpus/$target/seed-$n"
        done
    fi
}
seed_lines sql_tokenize ../crates/rasp-core/tests/fixtures/sql_attacks.txt
seed_lines shell_tokenize ../crates/rasp-core/tests/fixtures/cmd_attacks.txt
for t in rasp_yml js_bridge; do
    mkdir -p "corpus/$t"
    [ -n "$(ls -A "corpus/$t")" ] || python3 seeds.py "$t" "corpus/$t"
done
for t in whitelist_build context_build; do mkdir -p "corpus/$t"; done

cargo fuzz build -O

status=0
for target in "${targets[@]}"; do
    echo "== $target for ${seconds}s ($jobs job(s)), load $(cut -d' ' -f1-3 /proc/loadavg)"
    extra=()
    [ "$jobs" -gt 1 ] && extra+=("-jobs=$jobs" "-workers=$jobs")
    [ -f "dict/$target.dict" ] && extra+=("-dict=dict/$target.dict")
    # V8 keeps pointers to its own allocations in pages LeakSanitizer does
    # not scan: its reports on js_bridge are noise (see docs/reliability.md).
    [ "$target" = js_bridge ] && extra+=("-detect_leaks=0")
    mkdir -p "artifacts/$target"
    before=$(ls "artifacts/$target" | wc -l)
    log="$(mktemp /tmp/fuzz-$target.XXXXXX)"
    set +e
    cargo fuzz run -O "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 "${extra[@]}" >"$log" 2>&1
    rc=$?
    set -e
    # With -jobs the workers log to fuzz-N.log in the current directory.
    for f in fuzz-*.log; do [ -f "$f" ] && cat "$f" >>"$log" && rm -f "$f"; done
    runs=$(grep -ho 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{s += $2} END {print s + 0}')
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
    corp=$(ls "corpus/$target" | wc -l)
    after=$(ls "artifacts/$target" | wc -l)
    result=ok
    if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then
        result="FINDING(rc=$rc, $((after - before)) new artifact(s))"
        status=1
        grep -E "panicked|ERROR|SUMMARY" "$log" | head -5 || true
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$target" "$((seconds * jobs))" "$runs" \
        "${cov:-?}" "$corp" "$(cut -d' ' -f1-3 /proc/loadavg)" "$result" >>ledger.tsv
    echo "   $result: $runs runs, cov ${cov:-?}, corpus $corp (log $log)"
done
exit "$status"
