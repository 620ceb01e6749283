#!/usr/bin/env bash
# The agent under php-fpm (4 workers, nginx, wrk load):
#  1. the plugin file is replaced N times during the run (atomic rename and,
#     every other time, an in-place rewrite); wrk must see zero failed
#     requests, each generation must reach every worker (lag from the rasp
#     log), and behaviour must follow the plugin;
#  2. kill -9 of the agent: the supervisor restarts it;
#  3. with RASP_AGENT_FORCE_POLL (what happens when inotify is exhausted) the
#     agent says it polls and still picks up a change;
#  4. stopping php-fpm leaves no supervisor or agent behind.
#   php-tests/agent/run.sh [librasp.so] [duration_s=20] [replacements=8]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ext=$(realpath "${1:-$here/../../target/release/librasp.so}")
duration=${2:-20}; replacements=${3:-8}
work=$(mktemp -d /tmp/rasp-agent-test.XXXXXX)
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port); fport=$(free_port)
root="$work/root"; mkdir -p "$root"/{conf,plugins,logs} "$work/app"
cp "$here/../fpm/app/index.php" "$work/app/"
chown -R www-data:www-data "$root/logs"; chmod -R a+rX "$work"
fail() { echo "agent test: FAIL: $*" >&2; tail -5 "$work/fpm.log" >&2 || true; exit 1; }

plugin() { # version marker
  cat <<JS
const p = new RASP('reload-test');
p.version = '$1';
p.register('command', function (params) {
  return params.command.indexOf('$2') >= 0 ? { action: 'block', message: '$1 blocks $2' } : { action: 'ignore' };
});
JS
}
plugin v0 MARK_A >"$root/plugins/test.js"; chmod a+r "$root/plugins/test.js"

cat >"$work/fpm.conf" <<CONF
[global]
pid = $work/fpm.pid
error_log = $work/fpm.log
daemonize = yes
[agent]
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
events { worker_connections 512; }
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
start_fpm() { env "$@" php-fpm8.2 --fpm-config "$work/fpm.conf" -d "extension=$ext" -d "rasp.root_dir=$root"; }
stop_fpm() {
  local m; m=$(cat "$work/fpm.pid" 2>/dev/null || true)
  [ -n "$m" ] && kill "$m" 2>/dev/null || true
  for _ in $(seq 50); do [ -n "$m" ] && kill -0 "$m" 2>/dev/null || break; sleep 0.1; done
}
cleanup() {
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  stop_fpm; sleep 0.3; [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
url="http://127.0.0.1:$port/index.php"
status() { curl -s -o /dev/null -w '%{http_code}' "$url?case=cmd&v=$1"; }
# pid of this test's agent / supervisor (other php-fpm instances may run their own).
ours() { for p in $(pgrep -u www-data -x "$1" || true); do
  if tr '\0' ' ' </proc/$p/cmdline 2>/dev/null | grep -q "rasp.root_dir=$root"; then echo "$p"; return 0; fi
done; return 0; }
agent_pid() { ours rasp-agent; }

start_fpm
nginx -c "$work/nginx.conf"
for _ in $(seq 100); do [ "$(status ok)" = 200 ] && break; sleep 0.1; done
[ "$(status MARK_A)" = 400 ] || fail "the first generation does not block"

# 1. replacements under load
# Each replacement takes its interval plus ~2 s of probes; wrk outlasts them all,
# so every generation is picked up by workers under load.
interval=$(awk -v d="$duration" -v n="$replacements" 'BEGIN { i = (d - 2.5 * n) / n; printf "%.2f", (i < 0.3 ? 0.3 : i) }')
wrk_secs=$(awk -v i="$interval" -v n="$replacements" 'BEGIN { printf "%d", n * (i + 2.5) + 3 }')
wrk -t2 -c8 -d"${wrk_secs}s" "$url?case=cmd&v=hello" >"$work/wrk.txt" 2>&1 &
wrk_pid=$!
wrong=0
for i in $(seq 1 "$replacements"); do
  sleep "$interval"
  if [ $((i % 2)) -eq 1 ]; then marker=MARK_B; other=MARK_A; else marker=MARK_A; other=MARK_B; fi
  if [ $((i % 4)) -lt 2 ]; then
    plugin "v$i" "$marker" >"$root/plugins/.test.js.tmp" && mv "$root/plugins/.test.js.tmp" "$root/plugins/test.js"
  else
    plugin "v$i" "$marker" >"$root/plugins/test.js"   # an editor saving in place
  fi
  sleep 1.5
  for _ in 1 2 3 4; do
    [ "$(status "$marker")" = 400 ] || wrong=$((wrong + 1))
    [ "$(status "$other")" = 200 ] || wrong=$((wrong + 1))
  done
done
wait "$wrk_pid"
[ "$wrong" -eq 0 ] || fail "$wrong probe(s) after a replacement did not follow the new plugin"
reqs=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
errs=$(grep -E "Socket errors|Non-2xx" "$work/wrk.txt" || true)
[ -z "$errs" ] || fail "failed requests during reloads: $errs"

# Lag per worker and generation, from the rasp log.
last_gen=$(grep -ho 'published generation [0-9]*' "$root"/logs/rasp/rasp.log.* | awk '{print $3}' | sort -n | tail -1)
[ "$last_gen" -ge $((replacements + 1)) ] || fail "only $last_gen generations published for $replacements replacements"
lags=$(grep -ho 'now at generation [0-9]* ([0-9]* ms' "$root"/logs/rasp/rasp.log.* | awk '{print $4, substr($5, 2)}')
workers_at_last=$(grep -h "now at generation $last_gen " "$root"/logs/rasp/rasp.log.* | grep -o '"pid":[0-9]*' | sort -u | wc -l)
max_lag=$(echo "$lags" | awk '$1 > 1 {print $2}' | sort -n | tail -1)
[ "$workers_at_last" -eq 4 ] || fail "$workers_at_last of 4 workers reached generation $last_gen"
[ "${max_lag:-99999}" -le 1000 ] || fail "a worker took ${max_lag} ms to pick up a generation"

# 2. kill -9 of the agent
a1=$(agent_pid); [ -n "$a1" ] || fail "no agent process"
kill -9 "$a1"
a2=""; for _ in $(seq 50); do a2=$(agent_pid); [ -n "$a2" ] && [ "$a2" != "$a1" ] && break; sleep 0.1; done
[ -n "$a2" ] && [ "$a2" != "$a1" ] || fail "the agent was not restarted after kill -9"

# 4. stop: nothing left behind
sup=$(ours rasp-supervisor)
stop_fpm; sleep 1
kill -0 "$a2" 2>/dev/null && fail "agent $a2 still runs after php-fpm stopped"
[ -n "$sup" ] && kill -0 "$sup" 2>/dev/null && fail "supervisor $sup still runs after php-fpm stopped"

# 3. polling fallback
start_fpm RASP_AGENT_FORCE_POLL=1
for _ in $(seq 100); do [ "$(status ok)" = 200 ] && break; sleep 0.1; done
grep -q "polling every second" "$root"/logs/rasp/rasp.log.* || fail "no polling notice in the rasp log"
plugin poll MARK_C >"$root/plugins/test.js"
ok=0; for _ in $(seq 40); do [ "$(status MARK_C)" = 400 ] && { ok=1; break; }; sleep 0.1; done
[ "$ok" = 1 ] || fail "the polling agent did not pick up a change within 4 s"

echo "agent test: ok ($reqs requests under load, 0 failed; $replacements replacements -> generation $last_gen; 4/4 workers, max lag ${max_lag} ms; kill -9 restart $a1 -> $a2; polling fallback works; nothing left after stop)"
echo "lag per (generation, ms):" $(echo "$lags" | awk '{printf "%s:%s ", $1, $2}')
