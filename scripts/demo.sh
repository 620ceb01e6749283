#!/usr/bin/env bash
# Starts (or stops) the php-rasp demo: php-fpm with the extension and the
# official plugin, behind nginx, on 127.0.0.1.
#   scripts/demo.sh start|stop|status
# DEMO_PORT (default 8080) and DEMO_DIR (default /tmp/php-rasp-demo) can be set.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dir=${DEMO_DIR:-/tmp/php-rasp-demo}
port=${DEMO_PORT:-8080}
fport=$((port + 1))
ext="$repo/target/release/librasp.so"

stop() {
  for p in nginx fpm; do
    if [ -f "$dir/run/$p.pid" ]; then kill "$(cat "$dir/run/$p.pid")" 2>/dev/null || true; rm -f "$dir/run/$p.pid"; fi
  done
}

start() {
  [ -f "$ext" ] || { echo "demo: $ext not built; run 'make demo'" >&2; exit 1; }
  stop; sleep 0.3
  mkdir -p "$dir"/{run,log,data,root/conf,root/plugins,root/logs}
  rm -rf "$dir/app" && cp -r "$repo/demo/app" "$dir/app"
  cp "$repo/demo/conf/rasp.yml" "$dir/root/conf/rasp.yml"
  cp "$repo/plugins/official/plugin.js" "$dir/root/plugins/official.js"
  rm -f "$dir/data/users.sqlite"
  php8.2 -n -d extension=sqlite3 -r '$d = new SQLite3($argv[1]);
    $d->exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT)");
    foreach ([["alice","alice@example.com"],["bob","bob@example.com"],["O'"'"'Brien","obrien@example.com"]] as [$n,$e]) {
      $s = $d->prepare("INSERT INTO users (name, email) VALUES (?, ?)"); $s->bindValue(1,$n); $s->bindValue(2,$e); $s->execute(); }' "$dir/data/users.sqlite" 2>/dev/null \
    || php8.2 -r '$d = new SQLite3($argv[1]); $d->exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT); INSERT INTO users (name,email) VALUES (\"alice\",\"alice@example.com\"),(\"bob\",\"bob@example.com\");");' "$dir/data/users.sqlite"
  chmod -R a+rX "$dir"; chmod -R a+rwX "$dir/root/logs" "$dir/data"
  user=$(id -u -n); [ "$user" = root ] && user=www-data
  cat >"$dir/fpm.conf" <<CONF
[global]
pid = $dir/run/fpm.pid
error_log = $dir/log/fpm.log
daemonize = yes
[demo]
listen = 127.0.0.1:$fport
pm = static
pm.max_children = 2
user = $user
catch_workers_output = yes
CONF
  cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/run/nginx.pid;
error_log $dir/log/nginx.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $dir/run/body; fastcgi_temp_path $dir/run/fcgi;
  proxy_temp_path $dir/run/proxy; uwsgi_temp_path $dir/run/uwsgi; scgi_temp_path $dir/run/scgi;
  server {
    listen 127.0.0.1:$port;
    root $dir/app;
    index index.php;
    location / {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME \$document_root/index.php;
      fastcgi_pass 127.0.0.1:$fport;
    }
  }
}
CONF
  php-fpm8.2 --fpm-config "$dir/fpm.conf" -d "extension=$ext" -d "rasp.root_dir=$dir/root"
  nginx -c "$dir/nginx.conf"
  for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
  curl -fs "http://127.0.0.1:$port/" >/dev/null || { echo "demo: the app does not answer; see $dir/log/fpm.log" >&2; exit 1; }
  cat <<MSG

php-rasp demo is running: http://127.0.0.1:$port/
  (php-fpm + nginx, extension $ext, official plugin, root dir $dir/root)

A normal request:
  curl -s 'http://127.0.0.1:$port/?name=alice'
A SQL injection, blocked with status 400:
  curl -si "http://127.0.0.1:$port/?name=x'%20OR%20'1'%3D'1" | head -1

Alarms: $dir/root/logs/alarm/    Stop: make demo-stop
MSG
}

case "${1:-}" in
  start) start ;;
  stop) stop; echo "demo stopped" ;;
  status) [ -f "$dir/run/fpm.pid" ] && kill -0 "$(cat "$dir/run/fpm.pid")" 2>/dev/null && echo running || echo stopped ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
