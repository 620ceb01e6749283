#!/usr/bin/env bash
# docs/quickstart.md, performed on this machine. Every step of the guide runs
# as written, with one difference: everything is installed under a temporary
# prefix instead of /usr, /etc and /var (other php-fpm instances on this
# machine must not pick up a conf.d link while the test runs), and php-fpm and
# nginx run on free ports on 127.0.0.1 instead of as system services.
#
#  1. `make install` (the Makefile target, with path overrides) of the built
#     extension and CLI; the installed rasp.so finds the installed libnode, also
#     with the build tree's libnode hidden (a private mount namespace);
#  2. php-cli and php-fpm load it through the installed conf.d link;
#     `rasp doctor` has no FAIL;
#  3. the quickstart page and nginx site of the guide: a normal request works,
#     the SQL injection is blocked (400, alarm, `rasp alarm tail`);
#  4. the guide's one-rule plugin passes `rasp plugin test` with its fixture
#     and `rasp config check`;
#  5. copied into plugins/, it takes effect without restarting php-fpm (same
#     master pid);
#  6. `make uninstall PURGE=1` removes everything; nothing is left running.
# The files of the guide (php-tests/quickstart/files) must appear verbatim in
# docs/quickstart.md, so the guide and this test cannot drift apart.
#
#   php-tests/quickstart/run.sh        (env: EXT, RASP_BIN to test other builds; KEEP=1 keeps the temp dir)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
EXT=$(realpath "${EXT:-$repo/target/release/librasp.so}")
RASP_BIN=$(realpath "${RASP_BIN:-$(dirname "$EXT")/rasp}")
files="$here/files"
guide="$repo/docs/quickstart.md"
tmp=$(mktemp -d /tmp/rasp-quickstart.XXXXXX)
chmod 755 "$tmp"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
step() { echo "quickstart: $*"; }
fail() {
  echo "quickstart test: FAIL: $*" >&2
  for f in "$tmp/fpm.log" "$tmp/nginx.log"; do [ -f "$f" ] && { echo "--- $f" >&2; tail -15 "$f" >&2; }; done
  exit 1
}

[ -f "$EXT" ] || fail "$EXT not built (make build)"
[ -f "$RASP_BIN" ] || fail "$RASP_BIN not built (make build)"

# The guide holds these files verbatim.
for f in quickstart.php rasp-quickstart deny-sqlmap.js tests/deny-sqlmap.json; do
  python3 - "$files/$f" "$guide" <<'PY' || fail "docs/quickstart.md does not contain php-tests/quickstart/files/$f verbatim"
import sys
body = open(sys.argv[1]).read()
sys.exit(0 if body in open(sys.argv[2]).read() else 1)
PY
done

# The install layout of the guide, moved under $tmp.
prefix="$tmp/usr/local"
extdir="$tmp/usr/lib/php/20220829"
etc="$tmp/etc/php/8.2"
root="$tmp/var/lib/php-rasp"
www="$tmp/www"
install_vars=(PREFIX="$prefix" EXTENSION_DIR="$extdir" LIBNODE_DIR="$extdir" PHP_ETC="$etc"
  PHP_MODS_AVAILABLE="$etc/mods-available" PHP_CONF_DIRS="$etc/cli/conf.d $etc/fpm/conf.d"
  ROOT_DIR="$root" FPM_USER=www-data EXT="$EXT" RASP_BIN="$RASP_BIN")
rasp="$prefix/bin/rasp"
cli_ini=":$etc/cli/conf.d"   # PHP_INI_SCAN_DIR: the system's conf.d plus ours
fpm_ini=":$etc/fpm/conf.d"
fpm_pid() { cat "$tmp/fpm.pid" 2>/dev/null || true; }

cleanup() {
  set +e
  [ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null
  local m; m=$(fpm_pid)
  if [ -n "$m" ]; then kill "$m" 2>/dev/null; for _ in $(seq 50); do kill -0 "$m" 2>/dev/null || break; sleep 0.1; done; fi
  if [ -f "$prefix/share/php-rasp/install-manifest" ]; then
    make -s -C "$repo" uninstall PURGE=1 "${install_vars[@]}" >/dev/null 2>&1
  fi
  [ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT

# 1. make install
step "make install (under $tmp)"
make -s -C "$repo" install "${install_vars[@]}" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log" >&2; fail "make install failed"; }
for f in "$extdir/rasp.so" "$extdir/libnode.so.108" "$rasp" "$prefix/share/php-rasp/types/rasp.d.ts" \
         "$etc/mods-available/rasp.ini" "$root/conf/rasp.yml" "$root/plugins/official.js"; do
  [ -f "$f" ] || fail "make install did not install $f"
done
for d in cli fpm; do
  [ "$(readlink "$etc/$d/conf.d/99-rasp.ini")" = "$etc/mods-available/rasp.ini" ] || fail "no $d conf.d link to rasp.ini"
done
grep -qx "extension=$extdir/rasp.so" "$etc/mods-available/rasp.ini" || fail "rasp.ini lacks the extension line: $(cat "$etc/mods-available/rasp.ini")"
grep -qx "rasp.root_dir=$root" "$etc/mods-available/rasp.ini" || fail "rasp.ini lacks rasp.root_dir"
[ "$(stat -c %U "$root/logs")" = www-data ] || fail "$root/logs is not owned by www-data"
lib=$(ldd "$extdir/rasp.so" | awk '/libnode.so.108/ {print $3}')
[ "$lib" = "$extdir/libnode.so.108" ] || fail "the installed rasp.so resolves libnode to '$lib', not the installed copy"
! grep -q "not found" <<<"$(ldd "$extdir/rasp.so")" || fail "unresolved libraries: $(ldd "$extdir/rasp.so" | grep 'not found')"
# With the build tree's libnode hidden, the installed extension still loads.
if unshare --mount --propagation private true 2>/dev/null; then
  out=$(unshare --mount --propagation private bash -c "mount -t tmpfs tmpfs '$repo/.deps' && PHP_INI_SCAN_DIR='$cli_ini' php8.2 -m" 2>&1) || fail "php with .deps hidden: $out"
  grep -qx rasp <<<"$out" || fail "with the build tree's libnode hidden, php-cli does not load the installed extension: $out"
  hidden="the build tree's libnode hidden too"
else
  hidden="(no mount namespace here: the .deps-hidden check was skipped)"
fi

# The default layout (DESTDIR-staged): with the staged /usr/local/lib in place
# of the real one and the build tree's libnode hidden, the extension and the
# rasp command find libnode in /usr/local/lib/php-rasp, as after a real install.
if [ "$hidden" = "the build tree's libnode hidden too" ]; then
  dest="$tmp/destdir"
  make -s -C "$repo" install DESTDIR="$dest" EXT="$EXT" RASP_BIN="$RASP_BIN" >"$tmp/install-destdir.log" 2>&1 \
    || { cat "$tmp/install-destdir.log" >&2; fail "make install DESTDIR failed"; }
  ext_default="$dest$(php-config8.2 --extension-dir)/rasp.so"
  [ -f "$ext_default" ] && [ -f "$dest/usr/local/lib/php-rasp/libnode.so.108" ] && [ -f "$dest/usr/local/bin/rasp" ] \
    && [ -L "$dest/etc/php/8.2/fpm/conf.d/99-rasp.ini" ] || fail "the default layout is incomplete: $(cd "$dest" && find . -type f -o -type l)"
  out=$(unshare --mount --propagation private bash -c "mount -t tmpfs tmpfs '$repo/.deps' && mount --bind '$dest/usr/local/lib' /usr/local/lib \
    && ldd '$ext_default' | grep libnode && php8.2 -n -d extension='$ext_default' -m | grep -x rasp \
    && '$dest/usr/local/bin/rasp' config check '$dest/var/lib/php-rasp'" 2>&1) \
    || fail "the default layout does not work without the build tree: $out"
  grep -q "libnode.so.108 => /usr/local/lib/php-rasp/libnode.so.108" <<<"$out" || fail "default layout: $out"
  grep -q "config check: ok" <<<"$out" || fail "default layout, installed rasp: $out"
  make -s -C "$repo" uninstall DESTDIR="$dest" PURGE=1 >/dev/null 2>&1 || fail "make uninstall DESTDIR failed"
  left=$(find "$dest" -type f -o -type l | sort || true)
  [ -z "$left" ] || fail "make uninstall DESTDIR left: $left"
  hidden="$hidden; the default layout (DESTDIR) works without the build tree, rasp included"
fi

# 2. php-cli and php-fpm load it
step "php-cli and php-fpm load the installed extension"
out=$(PHP_INI_SCAN_DIR="$cli_ini" php8.2 -m 2>&1)
grep -qx rasp <<<"$out" || fail "php -m does not list rasp: $out"
# As the php-fpm user: php --ri loads the plugins and may write the plugin
# log, and root would leave root-owned files in logs/ (rasp doctor checks).
out=$(runuser -u www-data -- env PHP_INI_SCAN_DIR="$cli_ini" php8.2 --ri rasp 2>&1)
grep -q "protection => active" <<<"$out" || fail "php --ri rasp: $out"
out=$(RASP_NO_AGENT=1 PHP_INI_SCAN_DIR="$fpm_ini" php-fpm8.2 -m 2>&1)
grep -qx rasp <<<"$out" || fail "php-fpm8.2 -m does not list rasp: $out"
mkdir -p "$www"
cp "$files/quickstart.php" "$www/quickstart.php"
chmod -R a+rX "$tmp/var" "$www"
cat >"$tmp/fpm.conf" <<CONF
[global]
pid = $tmp/fpm.pid
error_log = $tmp/fpm.log
daemonize = yes
[www]
listen = $tmp/php8.2-fpm.sock
listen.owner = www-data
listen.group = www-data
pm = static
pm.max_children = 2
user = www-data
group = www-data
catch_workers_output = yes
CONF
PHP_INI_SCAN_DIR="$fpm_ini" php-fpm8.2 --fpm-config "$tmp/fpm.conf" || fail "php-fpm did not start"
# The guide's nginx site, with its paths moved under $tmp; Debian's nginx
# layout (snippets/fastcgi-php.conf includes fastcgi.conf) beside it.
mkdir -p "$tmp/nginx/snippets"
cp /etc/nginx/snippets/fastcgi-php.conf "$tmp/nginx/snippets/"
cp /etc/nginx/fastcgi.conf "$tmp/nginx/"
sed -e "s#listen 127.0.0.1:8080;#listen 127.0.0.1:$port;#" -e "s#root /var/www/html;#root $www;#" \
    -e "s#unix:/run/php/php8.2-fpm.sock#unix:$tmp/php8.2-fpm.sock#" \
    "$files/rasp-quickstart" >"$tmp/nginx/site.conf"
cat >"$tmp/nginx/nginx.conf" <<CONF
user www-data;
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $tmp/body; fastcgi_temp_path $tmp/fcgi;
  proxy_temp_path $tmp/proxy; uwsgi_temp_path $tmp/uwsgi; scgi_temp_path $tmp/scgi;
  include $tmp/nginx/site.conf;
}
CONF
nginx -c "$tmp/nginx/nginx.conf" || fail "nginx did not start"
url="http://127.0.0.1:$port/quickstart.php"
for _ in $(seq 100); do curl -fs "$url?id=1" >/dev/null 2>&1 && break; sleep 0.1; done
master=$(fpm_pid)
doctor=$(PHP_INI_SCAN_DIR="$fpm_ini" "$rasp" doctor --root "$root" --ext "$extdir/rasp.so" --fpm-user www-data 2>&1) \
  || fail "rasp doctor reports a FAIL:
$doctor"
grep -q "OK    php-fpm (php-fpm8.2) configuration loads the extension" <<<"$doctor" || fail "doctor: $doctor"
grep -q "rasp-agent process" <<<"$doctor" || fail "doctor sees no agent: $doctor"
echo "$doctor" >"$tmp/doctor.txt"

# 3. an attack blocked
step "a normal request passes, the SQL injection is blocked"
[ "$(curl -s "$url?id=1")" = "users: alice" ] || fail "normal request: $(curl -s "$url?id=1")"
code=$(curl -s -o "$tmp/blocked.html" -w '%{http_code}' "$url?id=1%20or%201=1")
[ "$code" = 400 ] || fail "the injection got $code: $(head -c 300 "$tmp/blocked.html")"
grep -q "Request blocked" "$tmp/blocked.html" || fail "no block page: $(head -c 300 "$tmp/blocked.html")"
tail=$("$rasp" alarm tail "$root" -n 1 --color never)
echo "$tail" >"$tmp/alarm-1.txt"
grep -q "BLOCK sql" <<<"$tail" && grep -q "official/sql_userinput" <<<"$tail" && grep -q "GET $url?id=1%20or%201=1" <<<"$tail" \
  || fail "rasp alarm tail does not show the blocked injection: $tail"
[ "$(curl -s -A 'sqlmap/1.7.2#stable (https://sqlmap.org)' "$url?id=1")" = "users: alice" ] || fail "sqlmap's benign request is blocked before the plugin exists"

# 4. a one-rule plugin, tested
step "the one-rule plugin passes rasp plugin test and rasp config check"
mine="$tmp/home/my-plugins"
mkdir -p "$mine/tests"
cp "$files/deny-sqlmap.js" "$mine/"
cp "$files/tests/deny-sqlmap.json" "$mine/tests/"
out=$(cd "$tmp/home" && "$rasp" plugin test -p my-plugins/deny-sqlmap.js) || fail "rasp plugin test: $out"
grep -q "^2 passed, 0 failed$" <<<"$out" || fail "rasp plugin test: $out"
mkdir -p "$tmp/next"
cp -r "$root/conf" "$root/plugins" "$tmp/next/"
cp "$mine/deny-sqlmap.js" "$tmp/next/plugins/"
out=$("$rasp" config check "$tmp/next") || fail "rasp config check of the staged root: $out"
grep -q "2 files compiled" <<<"$out" && grep -q "deny-sqlmap" <<<"$out" || fail "rasp config check: $out"

# 5. reload without restart
step "copied into plugins/, the rule applies without restarting php-fpm"
cp "$mine/deny-sqlmap.js" "$root/plugins/"
ok=0
for _ in $(seq 50); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -A 'sqlmap/1.7.2#stable (https://sqlmap.org)' "$url?id=1")
  [ "$code" = 400 ] && { ok=1; break; }
  sleep 0.1
done
[ "$ok" = 1 ] || fail "the new plugin did not take effect within 5 s (last status $code)"
[ "$(fpm_pid)" = "$master" ] && kill -0 "$master" || fail "php-fpm was restarted"
[ "$(curl -s "$url?id=2")" = "users: bob" ] || fail "normal requests broke after the reload"
tail=$("$rasp" alarm tail "$root" -n 1 --color never)
echo "$tail" >"$tmp/alarm-2.txt"
grep -q "deny-sqlmap/deny_sqlmap (100)" <<<"$tail" || fail "the alarm of the new rule: $tail"

# 6. uninstall
step "make uninstall PURGE=1"
kill "$(cat "$tmp/nginx.pid")"; rm -f "$tmp/nginx.pid"
kill "$master"; for _ in $(seq 50); do kill -0 "$master" 2>/dev/null || break; sleep 0.1; done
kill -0 "$master" 2>/dev/null && fail "php-fpm did not stop"
sleep 0.5
for p in $(pgrep -x rasp-agent || true) $(pgrep -x rasp-supervisor || true); do
  tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null | grep -q "$tmp" && fail "agent $p still runs after php-fpm stopped"
done
rm "$root/plugins/deny-sqlmap.js"   # the guide's uninstall removes the own plugin first
make -s -C "$repo" uninstall PURGE=1 "${install_vars[@]}" >"$tmp/uninstall.log" 2>&1 || { cat "$tmp/uninstall.log" >&2; fail "make uninstall failed"; }
left=$(cd "$tmp" && find usr etc var/lib -mindepth 1 \( -type f -o -type l \) 2>/dev/null | sort || true)
[ -z "$left" ] || fail "make uninstall left: $left"
[ ! -e "$root" ] || fail "make uninstall PURGE=1 left $root"

echo "quickstart test: ok (make install into a temp prefix; libnode found next to rasp.so, $hidden; php-cli and php-fpm load it; rasp doctor without FAIL; attack blocked with 400 and shown by rasp alarm tail; one-rule plugin: rasp plugin test 2/2, rasp config check ok; hot reload with php-fpm master $master unchanged; make uninstall PURGE=1 left nothing)"
