#!/usr/bin/env bash
# Runs the .phpt suite with PHP's own run-tests.php against the built extension.
#   php-tests/run-phpt.sh [path/to/librasp.so] [run-tests.php args, e.g. a test file]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ext=$(realpath "${1:-$here/../target/release/librasp.so}")
shift || true
[ -f "$ext" ] || { echo "run-phpt: $ext not found; run 'make build' first" >&2; exit 1; }
php=${PHP:-php8.2}
runner=$($php -r 'echo PHP_EXTENSION_DIR;' | sed 's#/[^/]*$##')/$($php -r 'echo basename(PHP_EXTENSION_DIR);')/build/run-tests.php
[ -f "$runner" ] || runner=$(ls /usr/lib/php/*/build/run-tests.php | head -1)
[ -f "$runner" ] || { echo "run-phpt: run-tests.php not found; install php8.2-dev" >&2; exit 1; }
cgi=$(command -v php-cgi8.2 || command -v php-cgi || true)
[ -n "$cgi" ] || { echo "run-phpt: php-cgi not found; install php8.2-cgi" >&2; exit 1; }

# Fresh log directories: tests read what they caused.
for r in "$here"/fixtures/roots/*/; do rm -rf "$r/logs"; mkdir -p "$r/logs"; done
# Scratch files of the tests (fixtures/helpers.inc rasp_tmp()).
scratch=${TMPDIR:-/tmp}/rasp-phpt
rm -rf "$scratch"

# Test databases on 127.0.0.1 (SQL tests skip when they are not up);
# stopped again when the run ends, also on failure. RASP_DB_KEEP=1 keeps them.
db_started=
if [ "${RASP_DB:-1}" = 1 ]; then
  if "$here/db/start.sh"; then db_started=1; else echo "run-phpt: test databases not started; database tests will skip" >&2; fi
fi
cleanup() {
  rm -rf "$scratch"
  if [ -n "$db_started" ] && [ "${RASP_DB_KEEP:-0}" != 1 ]; then "$here/db/stop.sh"; fi
}
trap cleanup EXIT

export TEST_PHP_EXECUTABLE=$(command -v $php)
export TEST_PHP_CGI_EXECUTABLE=$cgi
export NO_INTERACTION=1
export REPORT_EXIT_STATUS=1
export RASP_TEST_FIXTURES="$here/fixtures"
# For tests that start a PHP of their own (request end, response).
export RASP_TEST_EXT="$ext"
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=("$here/phpt")
set +e
$php "$runner" -q --show-diff -j"${PHPT_JOBS:-2}" \
  -d "extension=$ext" -d "rasp.root_dir=$here/fixtures/roots/test" "${tests[@]}"
rc=$?
exit $rc
