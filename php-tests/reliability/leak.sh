#!/usr/bin/env bash
# Leak check: the .phpt suite (a subset) under valgrind memcheck, php-cli
# and php-cgi with the release extension, through PHP's own run-tests.php -m.
#
#   php-tests/reliability/leak.sh EXT [OUT_DIR] [phpt dir or file ...]
#
# RASP_PHPT_ROOT=path/to/php-tests takes the suite from another checkout
# (the one EXT was built from; default: this one).
# The suite runs from a copy of php-tests/{phpt,fixtures} whose roots get
# `plugin.timeout.millis: 3000` (V8 under valgrind is ~50x slower; with the
# default 100 ms every check would time out and the normal paths would not
# run). USE_ZEND_ALLOC=0 lets valgrind see PHP's own allocations.
# --undef-value-errors=no: V8's JIT code reads its own uninitialised stack
# slots on purpose, and those frames (???) cannot be suppressed by name;
# invalid reads, writes and frees are still reported. pcre.jit=0: PCRE's
# JIT reads 16-byte words past the end of subjects (a known valgrind false
# positive in PHP's own CI, which turns JIT off the same way).
#
# Every "definitely/indirectly lost" record valgrind prints is classified by
# leak-classify.py: *ours* when a frame of the record lies in the extension
# (librasp.so: our Rust code and the V8 shim compiled into it), else PHP or
# libnode noise. Suppressions for the noise that needs no triage are in
# valgrind.supp. Fails if any leak is attributable to the extension.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ext=$(realpath "${1:?usage: leak.sh EXT [OUT_DIR] [tests...]}")
out=${2:-$(mktemp -d /tmp/rasp-leak.XXXXXX)}
shift 2 || shift $#
mkdir -p "$out"
php=${PHP:-php8.2}
runner=$(ls /usr/lib/php/*/build/run-tests.php | head -1)
cgi=$(command -v php-cgi8.2 || command -v php-cgi)
command -v valgrind >/dev/null || { echo "leak.sh: valgrind not installed (apt-get install valgrind)" >&2; exit 2; }

tmp=$(mktemp -d /tmp/rasp-leak-suite.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/php-tests"
src=${RASP_PHPT_ROOT:-$here/..}
cp -r "$src/phpt" "$src/fixtures" "$tmp/php-tests/"
for r in "$tmp"/php-tests/fixtures/roots/*/; do
  rm -rf "$r/logs"; mkdir -p "$r/logs" "$r/conf"
  [ "$(basename "$r")" = broken-config ] && continue
  printf '\nplugin.timeout.millis: 3000\n' >>"$r/conf/rasp.yml"
done
tests=()
for t in "$@"; do tests+=("$tmp/php-tests/phpt/${t#*phpt/}"); done
[ ${#tests[@]} -gt 0 ] || tests=("$tmp/php-tests/phpt/basic" "$tmp/php-tests/phpt/command" "$tmp/php-tests/phpt/sql" "$tmp/php-tests/phpt/web")

export TEST_PHP_EXECUTABLE=$(command -v "$php")
export TEST_PHP_CGI_EXECUTABLE=$cgi
export NO_INTERACTION=1
export RASP_TEST_FIXTURES="$tmp/php-tests/fixtures"
export VALGRIND_OPTS="--undef-value-errors=no --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --num-callers=40 --smc-check=all-non-file --suppressions=$here/valgrind.supp"
start=$(date +%s); load0=$(cut -d' ' -f1-3 /proc/loadavg)
set +e
"$php" "$runner" -q -m -j"${PHPT_JOBS:-2}" -d pcre.jit=0 -d "extension=$ext" -d "rasp.root_dir=$tmp/php-tests/fixtures/roots/test" \
  "${tests[@]}" >"$out/run-tests.txt" 2>&1
set -e
end=$(date +%s)
find "$tmp/php-tests/phpt" \( -name "*.mem" -o -name "*.diff" \) -exec cp {} "$out/" \; 2>/dev/null || true
ntests=$(grep -cE '^(PASS|FAIL|SKIP|LEAK|XFAIL|BORK)' "$out/run-tests.txt" || true)
echo "leak.sh: $ntests tests under valgrind in $((end - start)) s (load $load0 -> $(cut -d' ' -f1-3 /proc/loadavg)); logs in $out"
grep -E '^(LEAK|FAIL)' "$out/run-tests.txt" | head -40 || true
python3 "$here/leak-classify.py" "$ext" "$out"
