#!/usr/bin/env bash
# php-fpm with 4 workers, nginx in front, mixed benign and attack traffic in
# parallel. Fails on a wrong status, a worker that never served, a crash in
# the fpm log, or a process left behind.
#   php-tests/fpm/run.sh [path/to/librasp.so] [master|pool]
# master (default): the extension is loaded in the master with -d and the
# workers are forked after MINIT; pool: each worker loads it from the pool's
# php_admin_value[extension] (PHP then runs MINIT and RINIT in the worker
# before any request exists).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ext=$(realpath "${1:-$here/../../target/release/librasp.so}")
load=${2:-master}
work=$(mktemp -d /tmp/rasp-fpm-test.XXXXXX)
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port); fport=$(free_port)
fail() { echo "fpm test: FAIL: $*" >&2; tail -20 "$work/fpm.log" >&2 || true; exit 1; }

root="$work/root"; mkdir -p "$root"/{conf,plugins,logs}
cp "$here/../../plugins/official/plugin.js" "$root/plugins/official.js"
# Workers run as www-data: serve a copy, the clone may sit under a private home.
cp -r "$here/app" "$work/app"
chmod -R a+rX "$work"; chown -R www-data:www-data "$root/logs"
cat >"$work/fpm.conf" <<CONF
[global]
pid = $work/fpm.pid
error_log = $work/fpm.log
daemonize = yes
[test]
listen = 127.0.0.1:$fport
pm = static
pm.max_children = 4
user = www-data
group = www-data
catch_workers_output = yes
CONF
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $work/body; fastcgi_temp_path $work/fcgi;
  server {
    listen 127.0.0.1:$port;
    root $work/app;
    location / {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME \$document_root/index.php;
      fastcgi_pass 127.0.0.1:$fport;
    }
  }
}
CONF
cleanup() {
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  [ -f "$work/fpm.pid" ] && kill "$(cat "$work/fpm.pid")" 2>/dev/null || true
  sleep 0.5; rm -rf "$work"
}
trap cleanup EXIT

if [ "$load" = pool ]; then
  printf 'php_admin_value[extension] = %s\nphp_admin_value[rasp.root_dir] = %s\n' "$ext" "$root" >>"$work/fpm.conf"
  php-fpm8.2 --fpm-config "$work/fpm.conf"
else
  php-fpm8.2 --fpm-config "$work/fpm.conf" -d "extension=$ext" -d "rasp.root_dir=$root"
fi
nginx -c "$work/nginx.conf"
url="http://127.0.0.1:$port/index.php"
for _ in $(seq 50); do curl -fs "$url?case=pid" >/dev/null && break; sleep 0.1; done
master=$(cat "$work/fpm.pid")

# Requests: case, value, expected status.
reqs="$work/reqs"; : >"$reqs"
for i in $(seq 1 60); do
  echo "sql $i 200" >>"$reqs"
  echo "sql 1%20or%201%3D1 400" >>"$reqs"
  echo "cmd hello$i 200" >>"$reqs"
  echo "cmd a%3Bid 400" >>"$reqs"
  echo "pid x 200" >>"$reqs"
done
results=$(xargs -P 8 -L 1 sh -c 'code=$(curl -s -o /dev/null -w "%{http_code}" "'"$url"'?case=$0&v=$1"); echo "$0 $1 $2 $code"' <"$reqs")
bad=$(echo "$results" | awk '$3 != $4' | head -5)
[ -z "$bad" ] || fail "unexpected statuses (case value want got):"$'\n'"$bad"
total=$(echo "$results" | wc -l)

pids=$(for _ in $(seq 40); do curl -s "$url?case=pid"; echo; done | sort -u | grep -c . || true)
[ "$pids" -ge 2 ] || fail "only $pids worker(s) answered"
workers=$(pgrep -P "$master" | wc -l)
[ "$workers" -eq 4 ] || fail "expected 4 workers, found $workers"
grep -qiE "SIGSEGV|SIGABRT|SIGBUS|exited on signal|core dumped" "$work/fpm.log" && fail "a worker crashed"
# Request ids: every response carries one, all distinct, and the page sees the same one.
ids=$(python3 - "$port" <<'PY'
import http.client, sys, threading
port, seen, bad, lock = int(sys.argv[1]), set(), [0], threading.Lock()
def run(n):
    c = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    for _ in range(n):
        c.request('GET', '/index.php?case=rid')
        r = c.getresponse(); body = r.read().decode()
        h = r.getheader('X-Request-ID') or ''
        with lock:
            if h != body or len(h) != 32: bad[0] += 1
            seen.add(h)
ts = [threading.Thread(target=run, args=(2500,)) for _ in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]
print(len(seen), bad[0])
PY
)
[ "$ids" = "10000 0" ] || fail "request ids over 10000 requests: distinct, mismatched = $ids"
alarms=$(cat "$root"/logs/alarm/*.log.* 2>/dev/null | wc -l)
[ "$alarms" -eq 120 ] || fail "expected 120 alarms (one per attack), found $alarms"

kill "$master"; for _ in $(seq 50); do kill -0 "$master" 2>/dev/null || break; sleep 0.1; done
left=$(pgrep -f "php-fpm: pool test" | wc -l || true)
[ "$left" -eq 0 ] || fail "$left php-fpm processes left after stop"
echo "fpm test ($load): ok ($total requests, $pids workers answered, $alarms alarms, no crash; 10000 distinct request ids in X-Request-ID)"
