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

export TEST_PHP_EXECUTABLE=$(command -v $php)
export TEST_PHP_CGI_EXECUTABLE=$cgi
export NO_INTERACTION=1
export REPORT_EXIT_STATUS=1
export RASP_TEST_FIXTURES="$here/fixtures"
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=("$here/phpt")
$php "$runner" -q --show-diff -j"${PHPT_JOBS:-2}" \
  -d "extension=$ext" -d "rasp.root_dir=$here/fixtures/roots/test" "${tests[@]}"
