#!/usr/bin/env bash
# Detection rate and false positives of the official plugin, end to end:
# starts the shared e2e stack (MariaDB, php-fpm, nginx, the vulnerable app)
# with a built librasp.so, runs the yardstick over the corpus, stops the
# stack and prints the table. Builds nothing.
#
#   scripts/e2e/run-measure.sh [--ext SO] [--corpus DIR] [--json OUT] [--classes sql,cmd,...] [--keep]
#                              [-- extra measure.py options]
#
# Environment:
#   RASP_E2E_DIR         directory of stack.sh and measure.py (default ../shared/e2e)
#   RASP_MEASURE_ROOT    rasp.root_dir to create (default /tmp/rasp-measure-root)
#   E2E_DIR, E2E_HTTP_PORT, E2E_FPM_PORT, E2E_DB_PORT
#                        passed to stack.sh (its defaults: /tmp/rasp-e2e, 8071, 9071, 3371)
# Needs once: sudo $RASP_E2E_DIR/stack.sh install (packages, sqlglot, bashlex).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
e2e=${RASP_E2E_DIR:-$repo/../shared/e2e}
ext=$repo/target/release/librasp.so
corpus=""
json=""
classes=""
keep=0
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --ext) ext=$2; shift 2 ;;
    --corpus) corpus=$2; shift 2 ;;
    --json) json=$2; shift 2 ;;
    --classes) classes=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-measure.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

die() { echo "run-measure.sh: $*" >&2; exit 2; }
[ -f "$e2e/stack.sh" ] && [ -f "$e2e/measure.py" ] ||
  die "no stack.sh/measure.py in $e2e: set RASP_E2E_DIR to the shared e2e directory"
corpus=${corpus:-$(cd "$e2e/.." && pwd)/corpus}
[ -d "$corpus" ] || die "corpus $corpus not found: pass --corpus DIR"
[ -f "$ext" ] || die "$ext not found: build it first (make build, or cargo build --release -p rasp-ext)"
ext=$(cd "$(dirname "$ext")" && pwd)/$(basename "$ext")
command -v php-fpm8.2 >/dev/null && command -v nginx >/dev/null && command -v mariadbd >/dev/null ||
  die "php-fpm8.2, nginx or mariadbd missing: run '$e2e/stack.sh install' once (as root)"
python3 -c 'import sqlglot, bashlex' 2>/dev/null || die "python modules sqlglot and bashlex missing: pip install sqlglot bashlex"

# The root dir: config, the official plugin, logs writable by php-fpm's user.
root=${RASP_MEASURE_ROOT:-/tmp/rasp-measure-root}
rm -rf "$root"
mkdir -p "$root/conf" "$root/plugins" "$root/logs"
cat >"$root/conf/rasp.yml" <<'YML'
# written by scripts/e2e/run-measure.sh: defaults, blocking mode
block.status_code: 400
YML
cp "$repo/plugins/official/plugin.js" "$root/plugins/official.js"
chmod -R a+rX "$root"
if id www-data >/dev/null 2>&1; then chown -R www-data "$root/logs"; else chmod -R a+rwX "$root/logs"; fi

port=${E2E_HTTP_PORT:-8071}
stop() { "$e2e/stack.sh" stop >/dev/null 2>&1 || true; }
[ "$keep" = 1 ] || trap stop EXIT
"$e2e/stack.sh" start --ext "$ext" --ini "rasp.root_dir=$root"

args=(--url "http://127.0.0.1:$port/index.php" --corpus "$corpus")
[ -n "$json" ] && args+=(--json "$json")
[ -n "$classes" ] && args+=(--classes "$classes")
out=$(mktemp)
RASP_E2E_DIR=$e2e python3 "$repo/scripts/e2e/measure.py" "${args[@]}" "${extra[@]}" | tee "$out"

echo
echo "machine: $(uname -srm), $(nproc) cores, $(php-fpm8.2 -v | head -1 | cut -d' ' -f1-2), $(mariadbd --version | awk '{print $3}')"
echo "plugin: $(grep -m1 -o "plugin.version = '[^']*'" "$repo/plugins/official/plugin.js"), extension: $ext"
echo "alarms: $root/logs/alarm/"
rm -f "$out"
