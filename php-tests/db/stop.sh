#!/usr/bin/env bash
# Stops the test databases started by start.sh (data dirs are kept; pass
# --clean to remove them too).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"
dir=$RASP_DB_DIR
pidf=$dir/mariadb/mariadb.pid
if [ -f "$pidf" ]; then
  pid=$(cat "$pidf")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$pidf"
fi
if [ -f "$dir/pgsql/data/postmaster.pid" ]; then
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$bin/pg_ctl" -D "$dir/pgsql/data" -m fast -w stop >/dev/null 2>&1
  else
    "$bin/pg_ctl" -D "$dir/pgsql/data" -m fast -w stop >/dev/null 2>&1
  fi
fi
[ "${1:-}" = --clean ] && rm -rf "$dir"
exit 0
