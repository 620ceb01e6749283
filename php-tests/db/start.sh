#!/usr/bin/env bash
# Starts the test databases on 127.0.0.1 with their own data under
# $RASP_DB_DIR (default /tmp/rasp-test-db): MariaDB on port 13306 and
# PostgreSQL on port 15432, each with a `rasptest` database. Idempotent: a
# running server is reused; data dirs are created once and kept, so later
# starts take a second or two. Connection settings: php-tests/db/env.sh.
#   php-tests/db/start.sh [mariadb|pgsql]...   (default: both)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"
dir=$RASP_DB_DIR
mkdir -p "$dir"
chmod 755 "$dir"
want=("$@")
[ ${#want[@]} -gt 0 ] || want=(mariadb pgsql)

# Run a command as the service user when we are root (the servers refuse
# to run as root), as ourselves otherwise.
as_user() {
  local u=$1; shift
  if [ "$(id -u)" = 0 ]; then runuser -u "$u" -- "$@"; else "$@"; fi
}

wait_for() { # seconds, command...
  local n=$(( $1 * 10 )); shift
  while [ $n -gt 0 ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; n=$((n - 1)); done
  return 1
}

start_mariadb() {
  local d=$dir/mariadb sock=$RASP_MYSQL_SOCKET u=mysql
  [ "$(id -u)" = 0 ] || u=$(id -un)
  command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || { echo "db: mariadbd not installed (scripts/setup-deps.sh test)" >&2; return 1; }
  local client=(mariadb --no-defaults -uroot -p"$RASP_MYSQL_ROOT_PASSWORD" -h127.0.0.1 -P"$RASP_MYSQL_PORT")
  if "${client[@]}" -e 'SELECT 1' >/dev/null 2>&1; then echo "db: mariadb already up on $RASP_MYSQL_PORT"; return 0; fi
  if [ ! -d "$d/data/mysql" ]; then
    rm -rf "$d"; mkdir -p "$d/data"; [ "$(id -u)" = 0 ] && chown -R mysql:mysql "$d"
    as_user "$u" mariadb-install-db --no-defaults --datadir="$d/data" --auth-root-authentication-method=normal \
      --skip-test-db --skip-name-resolve >"$d/install.log" 2>&1 || { echo "db: mariadb-install-db failed, see $d/install.log" >&2; return 1; }
    local fresh=1
  fi
  as_user "$u" /usr/sbin/mariadbd --no-defaults --datadir="$d/data" --socket="$sock" --port="$RASP_MYSQL_PORT" \
    --bind-address=127.0.0.1 --pid-file="$d/mariadb.pid" --log-error="$d/error.log" --skip-name-resolve \
    --innodb-buffer-pool-size=32M --innodb-log-file-size=8M --skip-log-bin --performance-schema=OFF >/dev/null 2>&1 &
  wait_for 15 test -S "$sock" || { echo "db: mariadb did not start, see $d/error.log" >&2; return 1; }
  local sql="CREATE DATABASE IF NOT EXISTS $RASP_MYSQL_DB;
    CREATE USER IF NOT EXISTS '$RASP_MYSQL_USER'@'%' IDENTIFIED BY '$RASP_MYSQL_PASSWORD';
    CREATE USER IF NOT EXISTS '$RASP_MYSQL_USER'@'localhost' IDENTIFIED BY '$RASP_MYSQL_PASSWORD';
    GRANT ALL ON $RASP_MYSQL_DB.* TO '$RASP_MYSQL_USER'@'%';
    GRANT ALL ON $RASP_MYSQL_DB.* TO '$RASP_MYSQL_USER'@'localhost';
    CREATE USER IF NOT EXISTS 'root'@'127.0.0.1';
    ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY '$RASP_MYSQL_ROOT_PASSWORD';
    GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
    ALTER USER 'root'@'localhost' IDENTIFIED BY '$RASP_MYSQL_ROOT_PASSWORD';
    FLUSH PRIVILEGES;"
  if [ -n "${fresh:-}" ]; then
    # Fresh install: root has no password yet; connect over the socket.
    mariadb --no-defaults -uroot -S "$sock" -e "$sql" || { echo "db: mariadb setup failed" >&2; return 1; }
  fi
  wait_for 10 "${client[@]}" -e 'SELECT 1' || { echo "db: cannot log in to mariadb as root" >&2; return 1; }
  echo "db: mariadb up on 127.0.0.1:$RASP_MYSQL_PORT"
}

start_pgsql() {
  local d=$dir/pgsql u=postgres bin
  [ "$(id -u)" = 0 ] || u=$(id -un)
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$bin" ] || { echo "db: postgresql not installed (scripts/setup-deps.sh test)" >&2; return 1; }
  if PGPASSWORD=$RASP_PG_PASSWORD "$bin/psql" -h127.0.0.1 -p"$RASP_PG_PORT" -U"$RASP_PG_USER" -d"$RASP_PG_DB" -Atc 'SELECT 1' >/dev/null 2>&1; then
    echo "db: postgresql already up on $RASP_PG_PORT"; return 0
  fi
  if [ ! -f "$d/data/PG_VERSION" ]; then
    rm -rf "$d"; mkdir -p "$d/data" "$d/sock"; [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$d"
    as_user "$u" "$bin/initdb" -D "$d/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --no-sync >"$d/initdb.log" 2>&1 || { echo "db: initdb failed, see $d/initdb.log" >&2; return 1; }
    local fresh=1
  fi
  as_user "$u" "$bin/pg_ctl" -D "$d/data" -l "$d/server.log" -w -t 15 \
    -o "-p $RASP_PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$d/sock -c fsync=off -c shared_buffers=16MB" \
    start >/dev/null || { echo "db: postgresql did not start, see $d/server.log" >&2; return 1; }
  if [ -n "${fresh:-}" ]; then
    as_user "$u" "$bin/psql" -h "$d/sock" -p "$RASP_PG_PORT" -U postgres -q -v ON_ERROR_STOP=1 <<SQL || { echo "db: postgresql setup failed" >&2; return 1; }
ALTER USER postgres PASSWORD '$RASP_PG_ROOT_PASSWORD';
CREATE USER $RASP_PG_USER PASSWORD '$RASP_PG_PASSWORD';
CREATE DATABASE $RASP_PG_DB OWNER $RASP_PG_USER;
SQL
  fi
  echo "db: postgresql up on 127.0.0.1:$RASP_PG_PORT"
}


rc=0
for w in "${want[@]}"; do
  case "$w" in
    mariadb|mysql) start_mariadb || rc=1 ;;
    pgsql|postgresql) start_pgsql || rc=1 ;;
    *) echo "usage: $0 [mariadb|pgsql]..." >&2; exit 2 ;;
  esac
done
exit $rc
