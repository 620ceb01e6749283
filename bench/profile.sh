#!/usr/bin/env bash
# Where the extension's time goes in a php-fpm worker under load: starts the
# bench stack (bench/run.sh start), drives one endpoint of the protected side
# with wrk and records the workers with perf. Prints the top symbols, with
# the share of samples inside librasp.so and libnode.so.
#   bench/profile.sh [path] [seconds]      e.g. bench/profile.sh / 20
#   (RASP_EXT as for bench/run.sh; the stack is left running: bench/run.sh stop)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${BENCH_DIR:-/tmp/rasp-bench}
path=${1:-/}
secs=${2:-20}
port=${3:-${BENCH_WP_ON:-8192}}
[ -f "$dir/run/fpm-on.pid" ] || "$here/run.sh" start >/dev/null
master=$(cat "$dir/run/fpm-on.pid")
pids=$(pgrep -P "$master" | paste -sd, -)
out="$dir/perf-$(echo "$path" | tr -c 'a-zA-Z0-9' _).data"
wrk -t2 -c4 -d"$((secs + 4))s" "http://127.0.0.1:$port$path" >/dev/null &
wrk_pid=$!
sleep 2
perf record -q -F 499 -g -p "$pids" -o "$out" -- sleep "$secs" 2>/dev/null
wait "$wrk_pid" || true
perf report -i "$out" --no-children --sort dso --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -12
echo "--- top symbols (self)"
perf report -i "$out" --no-children --sort dso,symbol --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | head -40
echo "--- inclusive, librasp.so entry points"
perf report -i "$out" --children --sort symbol --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' |
  grep -E 'rasp::|wrapper|handler|compile_file|rasp_v8|Engine' | head -25
echo "perf data: $out"
