#!/usr/bin/env bash
# Alarms from php-fpm workers, shipped by the agent to a real rsyslog over
# TCP (octet counting) and UDP on 127.0.0.1:
#  1. N alarms arrive complete and parseable on both inputs;
#  2. with the collector stopped, M more alarms are raised; request latency
#     during the outage is measured against before; after a restart all M
#     arrive (nothing lost, at-least-once: duplicates are counted, not failed).
#   php-tests/logship/run.sh [librasp.so] [N=1000] [M=500]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ext=$(realpath "${1:-$here/../../target/release/librasp.so}")
n=${2:-1000}; m=${3:-500}
work=$(mktemp -d /tmp/rasp-logship-test.XXXXXX)
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port); fport=$(free_port); tcp=$(free_port); udp=$(free_port)
root="$work/root"; mkdir -p "$root"/{conf,plugins,logs} "$work/app" "$work/syslog"
cp "$here/../fpm/app/index.php" "$work/app/"
cp "$here/../../plugins/official/plugin.js" "$root/plugins/official.js"
cat >"$root/conf/rasp.yml" <<YML
log:
  sinks:
    - name: collector-tcp
      url: tcp://127.0.0.1:$tcp
      reconnect_interval_ms: 200
    - name: collector-udp
      url: udp://127.0.0.1:$udp
      udp_max_bytes: 60000
      reconnect_interval_ms: 200
YML
chown -R www-data:www-data "$root/logs"; chmod -R a+rX "$work"
fail() { echo "logship test: FAIL: $*" >&2; tail -5 "$root"/logs/rasp/rasp.log.* >&2 2>/dev/null || true; exit 1; }

cat >"$work/syslog/rsyslog.conf" <<CONF
global(workDirectory="$work/syslog" maxMessageSize="64k")
module(load="imtcp")
module(load="imudp")
template(name="line" type="list") {
  property(name="inputname") constant(value=" ")
  property(name="msg" droplastlf="on") constant(value="\n")
}
ruleset(name="rasp") {
  action(type="omfile" file="$work/syslog/out.log" template="line" flushOnTXEnd="on" asyncWriting="off")
}
input(type="imtcp" address="127.0.0.1" port="$tcp" ruleset="rasp")
input(type="imudp" address="127.0.0.1" port="$udp" ruleset="rasp")
CONF
start_syslog() { rsyslogd -f "$work/syslog/rsyslog.conf" -i "$work/syslog/pid" 2>>"$work/syslog/err"; for _ in $(seq 50); do [ -s "$work/syslog/pid" ] && break; sleep 0.1; done; sleep 0.3; }
stop_syslog() { [ -s "$work/syslog/pid" ] && kill "$(cat "$work/syslog/pid")" 2>/dev/null || true; for _ in $(seq 50); do [ -e "$work/syslog/pid" ] || break; sleep 0.1; done; rm -f "$work/syslog/pid"; }

cat >"$work/fpm.conf" <<CONF
[global]
pid = $work/fpm.pid
error_log = $work/fpm.log
daemonize = yes
[ship]
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
  stop_syslog
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  [ -f "$work/fpm.pid" ] && kill "$(cat "$work/fpm.pid")" 2>/dev/null || true
  sleep 0.5; [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

start_syslog
php-fpm8.2 --fpm-config "$work/fpm.conf" -d "extension=$ext" -d "rasp.root_dir=$root"
nginx -c "$work/nginx.conf"
url="http://127.0.0.1:$port/index.php"
for _ in $(seq 100); do curl -fs "$url?case=pid" >/dev/null && break; sleep 0.1; done

attack() { # count tag -> prints per-request seconds
  seq "$1" | xargs -P 4 -I{} curl -s -o /dev/null -w '%{time_total}\n' "$url?case=cmd&v=$2{}%3Bid"
}
# count of distinct request ids received per input, among alarms whose command carries tag
received() { # input tag
  python3 - "$work/syslog/out.log" "$1" "$2" <<'PY'
import json, sys
path, inp, tag = sys.argv[1:]
ids, bad, dup = set(), 0, 0
try:
    lines = open(path, encoding='utf-8', errors='replace').read().splitlines()
except FileNotFoundError:
    lines = []
for l in lines:
    name, _, msg = l.partition(' ')
    if name != inp:
        continue
    try:
        a = json.loads(msg)
    except ValueError:
        bad += 1
        continue
    if tag in a.get('attack_params', {}).get('command', ''):
        if a['request_id'] in ids:
            dup += 1
        ids.add(a['request_id'])
print(len(ids), bad, dup)
PY
}
wait_for() { # input tag count seconds
  local got
  for _ in $(seq $(( $4 * 10 ))); do
    got=$(received "$1" "$2" | cut -d' ' -f1); [ "$got" -ge "$3" ] && return 0; sleep 0.1
  done
  return 1
}

# 1. N alarms, both transports
before=$(attack "$n" BULK | sort -n | awk '{a[NR]=$1} END {printf "%.1f %.1f", a[int(NR*0.5)]*1000, a[int(NR*0.99)]*1000}')
in_file=$(cat "$root"/logs/alarm/alarm.log.* | grep -c 'BULK' || true)
[ "$in_file" -eq "$n" ] || fail "$in_file of $n alarms in the alarm log"
wait_for imtcp BULK "$n" 30 || fail "TCP: $(received imtcp BULK) (ids, unparseable, duplicates) of $n"
wait_for imudp BULK "$n" 30 || fail "UDP: $(received imudp BULK) of $n"
read -r _ bad_t _ < <(received imtcp BULK); read -r _ bad_u _ < <(received imudp BULK)
[ "$bad_t" -eq 0 ] && [ "$bad_u" -eq 0 ] || fail "unparseable lines: tcp $bad_t, udp $bad_u"

# 2. outage
stop_syslog
during=$(attack "$m" OUTAGE | sort -n | awk '{a[NR]=$1} END {printf "%.1f %.1f", a[int(NR*0.5)]*1000, a[int(NR*0.99)]*1000}')
sleep 1
start_syslog
wait_for imtcp OUTAGE "$m" 30 || fail "after the outage, TCP got $(received imtcp OUTAGE) of $m"
wait_for imudp OUTAGE "$m" 30 || fail "after the outage, UDP got $(received imudp OUTAGE) of $m"
read -r _ _ dup_t < <(received imtcp OUTAGE); read -r _ _ dup_u < <(received imudp OUTAGE)
echo "logship test: ok ($n alarms over TCP and UDP complete and parseable; $m raised during a collector outage all arrived after restart, duplicates tcp $dup_t udp $dup_u)"
echo "request latency p50/p99 ms: before outage $before, during outage $during"
