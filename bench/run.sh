#!/usr/bin/env bash
# php-rasp benchmarks: the extension against bare PHP, side by side in one run.
#
#   bench/run.sh [all]      everything below, then bench/report.py
#   bench/run.sh install    apt packages (wordpress, nginx, MariaDB, wrk, valgrind) + matplotlib venv
#   bench/run.sh web        WordPress + SQL endpoint under wrk, off/on alternating, then RSS and pages
#   bench/run.sh pages      instructions per request of each endpoint (php-cgi under callgrind)
#   bench/run.sh micro      criterion/latency benches (rasp-v8, tokenizers, whitelist)
#   bench/run.sh hooked     PHP CLI: cost of a hooked call with nothing to check (+ callgrind)
#   bench/run.sh report     tables into docs/benchmarks.md, plots into docs/
#   bench/run.sh start      start the stack and leave it running (to look around); then stop
#   bench/run.sh stop       stop whatever a previous run left (normally nothing)
#
# Everything listens on 127.0.0.1 on its own ports; state lives in
# $BENCH_DIR (/tmp/rasp-bench); results go to bench/results/.
#
# Settings (environment):
#   RASP_EXT        librasp.so to measure (default: built with cargo into target/release)
#   ROUNDS=5        off/on pairs per endpoint (order alternates every round)
#   DURATION=10     seconds per wrk run;  WARMUP=5 seconds per endpoint and side
#   CONNS=4 THREADS=2   wrk connections/threads (4 = one per php-fpm worker)
#   FPM_WORKERS=4   php-fpm workers per side;  POSTS=200 COMMENTS=60
#   MEM_REQUESTS=10000  requests each side has served before RSS is read
#   ENDPOINTS="home search post_comments sql_endpoint"   SKIP_MEMORY=1
#   PAGES_ENDPOINTS="home search sql_endpoint" PAGES_REQUESTS=30 PAGES_MEASURED=10   SKIP_PAGES=1
#                   (requests per php-cgi process and how many of the last are
#                   measured; x20 and x10 for the SQL endpoint)
#   ON_YAML='...'   extra rasp.yml lines for the protected side (variants)
#   MAX_LOAD=2.5 LOAD_WAIT=1200  wait up to LOAD_WAIT s for the 1-min load to drop
#                   below MAX_LOAD before each phase (the machine is shared)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
dir=${BENCH_DIR:-/tmp/rasp-bench}
out=${BENCH_OUT:-$here/results}
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-5}
CONNS=${CONNS:-4}
THREADS=${THREADS:-2}
FPM_WORKERS=${FPM_WORKERS:-4}
POSTS=${POSTS:-200}
COMMENTS=${COMMENTS:-60}
MEM_REQUESTS=${MEM_REQUESTS:-10000}
MAX_LOAD=${MAX_LOAD:-2.5}
LOAD_WAIT=${LOAD_WAIT:-1200}
PHP=${PHP:-php8.2}
FPM=${FPM:-php-fpm8.2}
# Ports: MariaDB, php-fpm (off, on), nginx (WordPress off/on, SQL app off/on).
DB_PORT=${BENCH_DB_PORT:-3391}
FPM_OFF=${BENCH_FPM_OFF:-9191}
FPM_ON=${BENCH_FPM_ON:-9192}
WP_OFF=${BENCH_WP_OFF:-8191}
WP_ON=${BENCH_WP_ON:-8192}
APP_OFF=${BENCH_APP_OFF:-8193}
APP_ON=${BENCH_APP_ON:-8194}
WP_CONFIG=/etc/wordpress/config-raspbench.php
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$repo/target}

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
load1() { cut -d' ' -f1 /proc/loadavg; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# Waits for a quiet machine, bounded by LOAD_WAIT seconds in all (not per
# call); then measures anyway. The load is recorded next to every figure.
WAITED=0
quiet() {
  while awk -v l="$(load1)" -v m="$MAX_LOAD" 'BEGIN { exit !(l > m) }'; do
    if [ "$WAITED" -ge "$LOAD_WAIT" ]; then
      log "load $(loadavg) above $MAX_LOAD (waited ${WAITED}s in all); measuring anyway"
      return 0
    fi
    log "load $(loadavg) above $MAX_LOAD: waiting for a quieter moment"
    sleep 15; WAITED=$((WAITED + 15))
  done
}

install() {
  export DEBIAN_FRONTEND=noninteractive
  local pkgs=(wordpress nginx-light mariadb-server mariadb-client php8.2-fpm php8.2-cgi php8.2-cli php8.2-mysql
    php8.2-sqlite3 php8.2-opcache wrk valgrind curl python3-venv)
  local missing=()
  for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    # policy-rc.d: the wordpress package pulls in apache2; do not start it.
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
    apt-get install -y -qq -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null
    rm -f /usr/sbin/policy-rc.d
  fi
  if [ ! -x "$dir/venv/bin/python" ]; then
    mkdir -p "$dir"
    python3 -m venv "$dir/venv"
    "$dir/venv/bin/pip" install -q matplotlib
  fi
}

ext_path() {
  if [ -n "${RASP_EXT:-}" ]; then realpath "$RASP_EXT"; return; fi
  (cd "$repo" && cargo build --release -q -p rasp-ext >&2)
  realpath "$CARGO_TARGET_DIR/release/librasp.so"
}

# ---------------------------------------------------------------- stack --

stop() {
  for p in nginx fpm-on fpm-off db; do
    local f="$dir/run/$p.pid"
    if [ -f "$f" ]; then
      local pid; pid=$(cat "$f")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      rm -f "$f"
    fi
  done
  rm -f "$WP_CONFIG"
}

start_db() {
  mkdir -p "$dir"/{db,run,log}
  if [ ! -d "$dir/db/mysql" ]; then
    mariadb-install-db --user=root --datadir="$dir/db" --auth-root-authentication-method=normal \
      >"$dir/log/db-init.log" 2>&1
  fi
  mariadbd --no-defaults --user=root --datadir="$dir/db" --bind-address=127.0.0.1 --port="$DB_PORT" \
    --socket="$dir/run/db.sock" --pid-file="$dir/run/db.pid" --skip-log-bin --skip-name-resolve \
    --innodb-buffer-pool-size=128M --performance-schema=OFF </dev/null >"$dir/log/db.log" 2>&1 &
  for _ in $(seq 150); do
    mariadb --socket="$dir/run/db.sock" -uroot -e 'select 1' >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  log "MariaDB did not start: $(tail -5 "$dir/log/db.log")"; exit 1
}

sql() { mariadb --socket="$dir/run/db.sock" -uroot "$@"; }

setup_wordpress() {
  sql <<SQL
CREATE DATABASE IF NOT EXISTS wp_bench;
CREATE USER IF NOT EXISTS 'wp_bench'@'127.0.0.1' IDENTIFIED BY 'wp_bench';
GRANT ALL ON wp_bench.* TO 'wp_bench'@'127.0.0.1';
CREATE DATABASE IF NOT EXISTS app;
CREATE USER IF NOT EXISTS 'app'@'127.0.0.1' IDENTIFIED BY 'app';
GRANT SELECT, INSERT, UPDATE, DELETE ON app.* TO 'app'@'127.0.0.1';
CREATE TABLE IF NOT EXISTS app.users (id INT PRIMARY KEY, name VARCHAR(64), secret VARCHAR(64));
INSERT IGNORE INTO app.users VALUES (1,'alice','s3cret-a'),(2,'bob','s3cret-b'),(3,'O''Brien','s3cret-c');
SQL
  # Selected by the Debian wp-config.php through WORDPRESS_CONFIG=raspbench
  # (nginx passes it); home/siteurl follow the Host header, so the same site
  # answers on the "off" and the "on" port.
  cat >"$WP_CONFIG" <<PHP
<?php
// php-rasp benchmark site (bench/run.sh); removed by bench/run.sh stop.
define('DB_NAME', 'wp_bench');
define('DB_USER', 'wp_bench');
define('DB_PASSWORD', 'wp_bench');
define('DB_HOST', '127.0.0.1:$DB_PORT');
define('WP_HOME', 'http://' . (\$_SERVER['HTTP_HOST'] ?? '127.0.0.1:$WP_OFF'));
define('WP_SITEURL', WP_HOME);
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('AUTH_KEY', 'bench'); define('SECURE_AUTH_KEY', 'bench'); define('LOGGED_IN_KEY', 'bench');
define('NONCE_KEY', 'bench'); define('AUTH_SALT', 'bench'); define('SECURE_AUTH_SALT', 'bench');
define('LOGGED_IN_SALT', 'bench'); define('NONCE_SALT', 'bench');
// bench/run.sh pages: WordPress caches the global stylesheet in a transient
// for one minute, so whether a request rebuilds it (~30 M instructions)
// depends on the clock; SCRIPT_DEBUG turns that cache off.
if (getenv('RASP_BENCH_NO_TRANSIENTS')) define('SCRIPT_DEBUG', true);
\$table_prefix = 'wp_';
PHP
  chmod 644 "$WP_CONFIG"
  RASP_BENCH_POST_FILE="$dir/post-id" "$PHP" -d error_reporting=0 -d sendmail_path=/bin/true "$here/wp-setup.php" \
    "127.0.0.1:$WP_OFF" "$POSTS" "$COMMENTS" >&2
}

# The SQL endpoint: the e2e app (MariaDB, mysqli) when /work/shared is
# there, else the php-fpm test app (SQLite in memory).
setup_app() {
  rm -rf "$dir/app"
  local e2e="$repo/../shared/e2e/app"
  if [ -f "$e2e/index.php" ]; then
    cp -a "$e2e" "$dir/app"
    mkdir -p "$dir/app/files/tmp" "$dir/app/files/uploads"
    echo "/index.php?case=sql_mysqli_str&v=alice" >"$dir/app-path"
  else
    mkdir -p "$dir/app"; cp "$repo/php-tests/fpm/app/index.php" "$dir/app/index.php"
    echo "/index.php?case=sql&v=1" >"$dir/app-path"
  fi
  chmod -R a+rX "$dir/app"
}

setup_root() {
  local root="$dir/root"
  rm -rf "$root"; mkdir -p "$root"/{conf,plugins,logs}
  cp "$repo/plugins/official/plugin.js" "$root/plugins/official.js"
  # Block mode is the plugin's default; say so explicitly.
  printf 'plugin:\n  monitor_mode: false\n' >"$root/conf/rasp.yml"
  # ON_YAML: more rasp.yml for the protected side, e.g. a whitelist to see
  # what a check type costs: ON_YAML='whitelist: {"*": [include]}'
  [ -n "${ON_YAML:-}" ] && printf '%s\n' "$ON_YAML" >>"$root/conf/rasp.yml"
  chown -R www-data:www-data "$root/logs"
  chmod -R a+rX "$root"
}

start_fpm() { # side port [extra args]
  local side=$1 port=$2; shift 2
  cat >"$dir/fpm-$side.conf" <<CONF
[global]
pid = $dir/run/fpm-$side.pid
error_log = $dir/log/fpm-$side.log
daemonize = yes
[bench-$side]
listen = 127.0.0.1:$port
listen.backlog = 1024
pm = static
pm.max_children = $FPM_WORKERS
user = www-data
group = www-data
clear_env = no
catch_workers_output = yes
env[E2E_DB_PORT] = $DB_PORT
CONF
  # Daemons must not keep the caller's stdout open (pipes would never end).
  "$FPM" --fpm-config "$dir/fpm-$side.conf" "$@" </dev/null >>"$dir/log/fpm-$side.out" 2>&1
}

start_nginx() {
  local srv=""
  for pair in "$WP_OFF:$FPM_OFF" "$WP_ON:$FPM_ON"; do
    srv+="
  server {
    listen 127.0.0.1:${pair%%:*};
    root /usr/share/wordpress;
    index index.php;
    location / { try_files \$uri \$uri/ /index.php?\$args; }
    location ~ \\.php\$ {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
      fastcgi_param WORDPRESS_CONFIG raspbench;
      fastcgi_pass 127.0.0.1:${pair##*:};
    }
  }"
  done
  for pair in "$APP_OFF:$FPM_OFF" "$APP_ON:$FPM_ON"; do
    srv+="
  server {
    listen 127.0.0.1:${pair%%:*};
    root $dir/app;
    location ~ \\.php\$ {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
      fastcgi_pass 127.0.0.1:${pair##*:};
    }
  }"
  done
  cat >"$dir/nginx.conf" <<NGINX
worker_processes 1;
pid $dir/run/nginx.pid;
error_log $dir/log/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 100000;
  client_body_temp_path $dir/run/body;
  fastcgi_temp_path $dir/run/fastcgi;
$srv
}
NGINX
  nginx -c "$dir/nginx.conf" </dev/null >>"$dir/log/nginx.out" 2>&1
}

start_stack() {
  local ext=$1
  stop
  start_db
  setup_wordpress
  setup_app
  setup_root
  start_fpm off "$FPM_OFF"
  start_fpm on "$FPM_ON" -d "extension=$ext" -d "rasp.root_dir=$dir/root"
  start_nginx
  for port in "$WP_OFF" "$WP_ON"; do
    for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done
  done
}

# ---------------------------------------------------------------- web ---

endpoints() { # name path port-off port-on; ENDPOINTS="home sql_endpoint" picks some
  local post; post=$(cat "$dir/post-id")
  {
    echo "home / $WP_OFF $WP_ON"
    echo "search /?s=hello+world $WP_OFF $WP_ON"
    echo "post_comments /?p=$post $WP_OFF $WP_ON"
    echo "sql_endpoint $(cat "$dir/app-path") $APP_OFF $APP_ON"
  } | while read -r name rest; do
    if [ -z "${ENDPOINTS:-}" ] || [[ " $ENDPOINTS " == *" $name "* ]]; then echo "$name $rest"; fi
  done
}

# Each endpoint must answer the same with and without the extension: a
# false positive (block page) would make the "on" figures meaningless.
verify() {
  local bad=0
  while read -r name path off on; do
    local a b
    a=$(curl -s -o "$dir/v-off" -w '%{http_code}' "http://127.0.0.1:$off$path")
    b=$(curl -s -o "$dir/v-on" -w '%{http_code}' "http://127.0.0.1:$on$path")
    log "$name: off $a ($(wc -c <"$dir/v-off") bytes), on $b ($(wc -c <"$dir/v-on") bytes)"
    if [ "$a" != 200 ] || [ "$b" != 200 ]; then bad=1; fi
  done < <(endpoints)
  local attack on_code
  attack="$(cat "$dir/app-path" | sed 's/v=[^&]*/v=1%27%20or%20%271%27%3D%271/')"
  on_code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$APP_ON$attack")
  log "SQL injection on the protected side: $on_code (expect 400: block mode active)"
  [ "$on_code" = 400 ] || bad=1
  if [ -f "$dir/root/logs/rasp/rasp.log" ] || ls "$dir/root/logs/rasp/" >/dev/null 2>&1; then :; fi
  [ "$bad" = 0 ] || { log "endpoint check failed"; exit 1; }
}

# CPU time (ms, user + system) used so far by a side's php-fpm processes:
# its workers and, on the "on" side, the agent. On a shared machine wall-clock
# throughput moves with other people's load; CPU time per request hardly
# does, and at saturation throughput is its inverse.
side_pids() { # master, workers, and (on the protected side) the agent
  local master; master=$(cat "$dir/run/fpm-$1.pid")
  { pgrep -P "$master"; pgrep -f -- "--fpm-config $dir/fpm-$1.conf"; echo "$master"; } | sort -u
}

side_cpu_ms() {
  local tck; tck=$(getconf CLK_TCK)
  for pid in $(side_pids "$1"); do
    # Fields after the ")" of the command: utime is the 12th, stime the 13th.
    sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12 + $13}'
  done | awk -v t="$tck" '{s += $1} END {printf "%d", s * 1000 / t}'
}

wrk_run() { # url seconds -> JSON line
  wrk -t"$THREADS" -c"$CONNS" -d"$2s" --timeout 10s -s "$here/wrk-json.lua" "$1" | tail -1
}

web() {
  local ext; ext=$(ext_path)
  mkdir -p "$out"
  log "extension: $ext"
  start_stack "$ext"
  trap stop EXIT
  verify
  : >"$out/web.jsonl"
  quiet
  log "warm-up ($WARMUP s per endpoint and side)"
  while read -r name path off on; do
    wrk_run "http://127.0.0.1:$off$path" "$WARMUP" >/dev/null
    wrk_run "http://127.0.0.1:$on$path" "$WARMUP" >/dev/null
  done < <(endpoints)
  for round in $(seq 1 "$ROUNDS"); do
    quiet
    while read -r name path off on; do
      local order="off on"
      [ $((round % 2)) -eq 0 ] && order="on off"
      for side in $order; do
        local port=$off; [ "$side" = on ] && port=$on
        local before; before=$(loadavg)
        local cpu0; cpu0=$(side_cpu_ms "$side")
        local j; j=$(wrk_run "http://127.0.0.1:$port$path" "$DURATION")
        local cpu=$(( $(side_cpu_ms "$side") - cpu0 ))
        printf '{"round":%d,"endpoint":"%s","side":"%s","load_before":"%s","load_after":"%s","cpu_ms":%d,"wrk":%s}\n' \
          "$round" "$name" "$side" "$before" "$(loadavg)" "$cpu" "$j" >>"$out/web.jsonl"
        log "round $round $name $side: $(echo "$j" | sed 's/.*"requests":\([0-9]*\).*"p50_us":\([0-9]*\).*"p99_us":\([0-9]*\).*/\1 req, p50 \2 us, p99 \3 us/'), php-fpm CPU $cpu ms (load $before)"
      done
    done < <(endpoints)
  done
  [ "${SKIP_MEMORY:-0}" = 1 ] || memory
  [ "${SKIP_PAGES:-0}" = 1 ] || pages
  grep -hiE "SIGSEGV|SIGABRT|exited on signal|core dumped" "$dir"/log/fpm-*.log && log "a worker crashed" || true
  cp "$dir"/log/fpm-on.log "$out/fpm-on.log" 2>/dev/null || true
  stop
  trap - EXIT
}

workers() { pgrep -P "$(cat "$dir/run/fpm-$1.pid")" -f "pool bench-$1" || true; }

served() { # total requests a side has served, from the access counters of wrk runs
  python3 - "$out/web.jsonl" "$1" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("side") == sys.argv[2] or r.get("side") == sys.argv[2] + "-mem":
        n += r["wrk"]["requests"]
print(n)
PY
}

# RSS (and PSS, which splits shared pages fairly) of each worker once every
# side has served MEM_REQUESTS requests (the measured rounds count; warm-up
# requests are not counted, so this is a lower bound), mixed endpoints.
memory() {
  for side in off on; do
    local port_wp=$WP_OFF port_app=$APP_OFF
    [ "$side" = on ] && port_wp=$WP_ON port_app=$APP_ON
    while [ "$(served "$side")" -lt "$MEM_REQUESTS" ]; do
      local j
      j=$(wrk_run "http://127.0.0.1:$port_app$(cat "$dir/app-path")" 5)
      printf '{"endpoint":"sql_endpoint","side":"%s-mem","wrk":%s}\n' "$side" "$j" >>"$out/web.jsonl"
      j=$(wrk_run "http://127.0.0.1:$port_wp/?s=hello+world" 5)
      printf '{"endpoint":"search","side":"%s-mem","wrk":%s}\n' "$side" "$j" >>"$out/web.jsonl"
    done
  done
  : >"$out/memory.jsonl"
  for side in off on; do
    local n; n=$(served "$side")
    for pid in $(workers "$side"); do
      local rss pss uss
      rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
      pss=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")
      uss=$(awk '/^Private_(Clean|Dirty):/ {s += $2} END {print s}' "/proc/$pid/smaps_rollup")
      printf '{"side":"%s","pid":%d,"rss_kb":%d,"pss_kb":%d,"uss_kb":%d,"requests_side":%d}\n' \
        "$side" "$pid" "$rss" "$pss" "$uss" "$n" >>"$out/memory.jsonl"
    done
    local master; master=$(cat "$dir/run/fpm-$side.pid")
    printf '{"side":"%s","master":%d,"rss_kb":%d}\n' "$side" "$master" \
      "$(awk '/^VmRSS/ {print $2}' "/proc/$master/status")" >>"$out/memory.jsonl"
  done
  # The agent and its supervisor: started from MINIT before php-fpm
  # daemonised, so they are not children of the master.
  for pid in $(pgrep -f -- "--fpm-config $dir/fpm-on.conf"); do
    if true; then
      printf '{"side":"on","agent":%d,"cmd":"%s","rss_kb":%d,"pss_kb":%d}\n' "$pid" \
        "$(tr '\0' ' ' <"/proc/$pid/cmdline" | sed 's/"//g; s/ *$//')" \
        "$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")" \
        "$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")" >>"$out/memory.jsonl"
    fi
  done
  log "memory: $(python3 -c '
import json,sys
rows=[json.loads(l) for l in open(sys.argv[1])]
for s in ("off","on"):
    w=[r for r in rows if r.get("side")==s and "pid" in r]
    print(s, "workers:", len(w), "mean RSS %.1f MB, PSS %.1f MB;" % (sum(r["rss_kb"] for r in w)/len(w)/1024, sum(r["pss_kb"] for r in w)/len(w)/1024), end=" ")
' "$out/memory.jsonl")"
}

# ---------------------------------------------------------------- micro --

micro() {
  mkdir -p "$out"
  local crit=(-- --warm-up-time 1 --measurement-time 3 --noplot)
  quiet
  echo "{\"load_before\":\"$(loadavg)\"}" >"$out/micro-load.json"
  log "rasp-v8 latency percentiles (load $(loadavg))"
  (cd "$repo" && RASP_BENCH_JSON="$out/v8-latency.json" cargo bench -q -p rasp-v8 --bench latency) \
    | tee "$out/v8-latency.txt"
  quiet
  log "rasp-v8 criterion (load $(loadavg))"
  (cd "$repo" && cargo bench -q -p rasp-v8 --bench engine "${crit[@]}") 2>&1 | tee "$out/v8-engine.txt"
  quiet
  log "tokenizers (load $(loadavg))"
  (cd "$repo" && cargo bench -q -p rasp-core --bench tokenizers "${crit[@]}") 2>&1 | tee "$out/tokenizers.txt"
  quiet
  log "whitelist (load $(loadavg))"
  (cd "$repo" && cargo bench -q -p rasp-whitelist --bench whitelist "${crit[@]}") 2>&1 | tee "$out/whitelist.txt"
  echo "{\"load_after\":\"$(loadavg)\"}" >>"$out/micro-load.json"
}

# ---------------------------------------------------------------- pages -

# Instructions per request of each endpoint under callgrind: one php-cgi
# process serves N requests (-T) against the same database and site, and
# callgrind writes one count per request (--dump-after=
# php_request_shutdown). The mean of the last M requests is the cost of a
# request in a warm worker: start-up, the snapshot the standalone extension
# builds, and V8's warm-up (its JIT tiers up over the first tens of checks;
# a php-fpm worker serves thousands) are left out. Unlike wall-clock and CPU
# time, these counts do not move with other people's load.
page_ir() { # side script query-string uri host requests measured -> "mean median max" instructions
  local side=$1 script=$2 qs=$3 uri=$4 host=$5 n=$6 m=$7 ext_args=()
  [ "$side" = on ] && ext_args=(-d "extension=$(ext_path)" -d "rasp.root_dir=$dir/root-pages")
  local f="$dir/pages.$$.cg"
  rm -f "$f" "$f".*
  ( cd "$(dirname "$script")" &&
    env -i PATH="$PATH" WORDPRESS_CONFIG=raspbench RASP_BENCH_NO_TRANSIENTS=1 E2E_DB_PORT="$DB_PORT" HTTP_HOST="$host" \
      REQUEST_METHOD=GET REQUEST_URI="$uri" QUERY_STRING="$qs" SCRIPT_FILENAME="$script" \
      SCRIPT_NAME="/$(basename "$script")" REDIRECT_STATUS=200 SERVER_NAME=127.0.0.1 \
      SERVER_PORT="${host##*:}" REMOTE_ADDR=127.0.0.1 SERVER_PROTOCOL=HTTP/1.1 \
      HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) bench" \
      valgrind --tool=callgrind --dump-after=php_request_shutdown --callgrind-out-file="$f" \
      php-cgi8.2 -d opcache.enable=1 -d opcache.enable_cli=1 "${ext_args[@]}" -T "$n" "$script" \
      >/dev/null 2>"$dir/log/pages.err" )
  local i counts=()
  for i in $(seq $((n - m + 1)) "$n"); do
    [ -f "$f.$i" ] || { log "pages: no count for request $i (see $dir/log/pages.err)"; rm -f "$f" "$f".*; return 1; }
    counts+=("$(awk '/^(summary|totals):/ {print $2; exit}' "$f.$i")")
  done
  rm -f "$f" "$f".*
  printf '%s\n' "${counts[@]}" | sort -n | awk '{ v[NR] = $1; s += $1 } END {
    printf "%d %d %d\n", s / NR, (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[NR] }'
}

pages() {
  command -v php-cgi8.2 >/dev/null || { log "pages: php-cgi8.2 missing (bench/run.sh install)"; return 0; }
  # Its own root: the php-cgi processes run as this user, not www-data.
  rm -rf "$dir/root-pages"; mkdir -p "$dir/root-pages"/{conf,plugins,logs}
  cp "$dir/root/plugins/official.js" "$dir/root-pages/plugins/"
  cp "$dir/root/conf/rasp.yml" "$dir/root-pages/conf/"
  : >"$out/pages.jsonl"
  while read -r name path off on; do
    local script=/usr/share/wordpress/index.php host="127.0.0.1:$off"
    # WordPress pages cost ~200 M instructions each under callgrind; the
    # SQL endpoint 0.1 M, so it can afford a longer warm-up: its plugin
    # handler is compiled by TurboFan somewhere past the 200th request.
    local n=${PAGES_REQUESTS:-30} m=${PAGES_MEASURED:-10}
    if [ "$name" = sql_endpoint ]; then
      script="$dir/app/index.php"; host="127.0.0.1:$APP_OFF"; n=$((n * 20)); m=$((m * 10))
    fi
    local qs=""; [[ "$path" == *\?* ]] && qs=${path#*\?}
    log "pages: $name under callgrind ($n requests per side, the last $m measured)"
    local o p
    o=($(page_ir off "$script" "$qs" "$path" "$host" "$n" "$m")) && p=($(page_ir on "$script" "$qs" "$path" "$host" "$n" "$m")) || continue
    printf '{"endpoint":"%s","requests":%d,"measured":%d,"off":%s,"on":%s,"off_median":%s,"on_median":%s,"off_max":%s,"on_max":%s}\n' \
      "$name" "$n" "$m" "${o[0]}" "${p[0]}" "${o[1]}" "${p[1]}" "${o[2]}" "${p[2]}" >>"$out/pages.jsonl"
    log "pages: $name off ${o[*]} on ${p[*]} instructions per request (mean median max)"
  done < <(ENDPOINTS=${PAGES_ENDPOINTS:-home search sql_endpoint} endpoints)
}

# ---------------------------------------------------------------- hooked -

hooked() {
  local ext; ext=$(ext_path)
  mkdir -p "$out"
  # Two roots: one whose only plugin handles nothing the bench calls
  # (sql only), and the official plugin.
  local quiet_root="$dir/root-quiet" official_root="$dir/root-official"
  rm -rf "$quiet_root" "$official_root"
  mkdir -p "$quiet_root"/{conf,plugins,logs} "$official_root"/{conf,plugins,logs}
  echo "const p = new RASP('sql-only'); p.register('sql', function () { return null; });" \
    >"$quiet_root/plugins/sql-only.js"
  cp "$repo/plugins/official/plugin.js" "$official_root/plugins/official.js"
  quiet
  log "hooked calls, PHP CLI (load $(loadavg))"
  "$PHP" "$here/hooked_call.php" --json "$out/hooked.json" \
    --php "$PHP" --ext "$ext" --root-quiet "$quiet_root" --root-official "$official_root" \
    | tee "$out/hooked.txt"
  log "callgrind instruction counts (load $(loadavg))"
  "$PHP" "$here/hooked_call.php" --callgrind --json "$out/hooked-callgrind.json" \
    --php "$PHP" --ext "$ext" --root-quiet "$quiet_root" --root-official "$official_root" \
    | tee "$out/hooked-callgrind.txt"
}

# The machine and the commit measured, for the report's header: written by
# every part that measures, so a partial rerun is labelled with its commit.
machine() {
  mkdir -p "$out"
  { echo "{\"cpu\":\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')\","
    echo "\"cores\":$(nproc),\"mem_gb\":$(awk '/MemTotal/ {printf "%.0f", $2/1048576}' /proc/meminfo),"
    echo "\"kernel\":\"$(uname -r)\",\"php\":\"$("$PHP" -r 'echo PHP_VERSION;')\","
    echo "\"date\":\"$(date -u +%FT%TZ)\",\"commit\":\"$(cd "$repo" && git rev-parse --short HEAD 2>/dev/null || echo unknown)\"}"
  } >"$out/machine.json"
}

report() {
  local py=python3
  [ -x "$dir/venv/bin/python" ] && py="$dir/venv/bin/python"
  "$py" "$here/report.py" --results "$out" --doc "$repo/docs/benchmarks.md" --plots "$repo/docs"
}

case "${1:-all}" in
  install) install ;;
  web) machine; web ;;
  pages) machine; ext_path >/dev/null; start_stack "$(ext_path)"; trap stop EXIT; verify; mkdir -p "$out"; pages; stop; trap - EXIT ;;
  micro) machine; micro ;;
  hooked) hooked ;;
  report) report ;;
  start) start_stack "$(ext_path)"; verify; endpoints ;;
  stop) stop ;;
  all)
    install
    machine
    web
    hooked
    micro
    report
    ;;
  *) sed -n 2,25p "$0"; exit 2 ;;
esac
