#!/usr/bin/env bash
# Acceptance check "PHP's behaviour is unchanged": runs compat/cases.php
# (every hooked function, valid and invalid calls, error paths, named and
# by-reference arguments) without and with the extension (plugin root
# fixtures/roots/compat: every check registered, every answer "ignore")
# and diffs the transcripts. Twice: plain CLI (include hook: opcode
# handler) and with opcache + JIT (include hook: compile).
#   php-tests/compat/run.sh [path/to/librasp.so]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ext=$(realpath "${1:-$here/../../target/release/librasp.so}")
[ -f "$ext" ] || { echo "compat: $ext not found; run 'make build' first" >&2; exit 1; }
php=${PHP:-php8.2}
work=$(mktemp -d "${TMPDIR:-/tmp}/rasp-compat.XXXXXX")
root=$here/../fixtures/roots/compat
rm -rf "$root/logs"; mkdir -p "$root/logs"

db_started=
if [ "${RASP_DB:-1}" = 1 ] && "$here/../db/start.sh" >/dev/null 2>&1; then db_started=1; fi
. "$here/../db/env.sh"
port=$(( 20000 + RANDOM % 20000 ))
$php -n -S 127.0.0.1:$port "$here/router.php" >/dev/null 2>&1 &
srv=$!
cleanup() {
  kill "$srv" 2>/dev/null || true
  rm -rf "$work"
  if [ -n "$db_started" ] && [ "${RASP_DB_KEEP:-0}" != 1 ]; then "$here/../db/stop.sh"; fi
}
trap cleanup EXIT
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done

run() { # name, php args...
  local name=$1; shift
  rm -rf "$work/run"; mkdir -p "$work/run"
  RASP_COMPAT_DIR="$work/run" RASP_COMPAT_HTTP="http://127.0.0.1:$port" \
    $php -d sendmail_path=/bin/true -d phar.readonly=0 -d display_startup_errors=1 "$@" "$here/cases.php" \
    >"$work/$name.out" 2>&1 || true
}
jit=(-d opcache.enable_cli=1 -d opcache.jit_buffer_size=16M -d opcache.jit=tracing)
rasp=(-d "extension=$ext" -d "rasp.root_dir=$root")
run plain
run rasp "${rasp[@]}"
run plain-jit "${jit[@]}"
run rasp-jit "${jit[@]}" "${rasp[@]}"

rc=0
for pair in "plain rasp" "plain-jit rasp-jit"; do
  set -- $pair
  cases=$(grep -c '^  \(=>\|threw\)' "$work/$1.out" || true)
  if diff -u "$work/$1.out" "$work/$2.out" >"$work/diff"; then
    echo "compat: $2: identical to $1 ($cases cases)"
  else
    echo "compat: $2 differs from $1:"; cat "$work/diff"; rc=1
  fi
done
grep -q '^done$' "$work/rasp.out" || { echo "compat: cases.php did not finish:"; tail -5 "$work/rasp.out"; rc=1; }
alarms=$(cat "$root"/logs/alarm/* 2>/dev/null | wc -l || true)
echo "compat: checks the plugin saw per run:"
grep -ho 'SEEN .*' "$root"/logs/plugin/* 2>/dev/null | sed 's/^/  /' || true
echo "compat: alarms of built-in checks (log mode): $alarms"
exit $rc
