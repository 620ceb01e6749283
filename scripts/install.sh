#!/usr/bin/env bash
# `make install` / `make uninstall`: installs php-rasp the way PHP extensions
# are installed on Debian, and removes exactly what it installed.
#
#   scripts/install.sh install|uninstall
#
# What `install` puts where (defaults; every path can be overridden, see below):
#   $EXTENSION_DIR/rasp.so                 `php-config8.2 --extension-dir`
#   $LIBNODE_DIR/libnode.so.108            /usr/local/lib/php-rasp (in rasp.so's RUNPATH)
#   $PREFIX/bin/rasp                       the command line (config check, plugin test, doctor ...)
#   $PREFIX/share/php-rasp/types/rasp.d.ts plugin API declarations for editors
#   $PHP_MODS_AVAILABLE/rasp.ini           extension=rasp.so + rasp.root_dir
#   <conf.d>/99-rasp.ini                   a symlink to it, for each SAPI in $PHP_CONF_DIRS
#   $ROOT_DIR/conf/rasp.yml                only if absent (an operator's file is never replaced)
#   $ROOT_DIR/plugins/official.js          the official plugin (replaced by a newer install)
#   $ROOT_DIR/logs/                        owned by $FPM_USER (the agent runs as the owner of logs/)
#   $PREFIX/share/php-rasp/install-manifest  what was added, for `uninstall`
#
# `uninstall` reads the manifest and removes what install added: files it
# installed (unless changed since: those are kept and named), links, and the
# directories it created when they are empty. PURGE=1 also removes the root
# dir's logs and changed files.
#
# Variables (environment or `make install VAR=...`):
#   DESTDIR             staging root for packaging (paths inside files stay final)
#   PREFIX              /usr/local
#   EXT, RASP_BIN       the built extension and CLI (target/release/librasp.so, target/release/rasp)
#   LIBNODE             Debian's libnode.so.108 the extension was linked with (.deps/libnode/...)
#   PHP_CONFIG          php-config8.2
#   EXTENSION_DIR       `$PHP_CONFIG --extension-dir`
#   LIBNODE_DIR         /usr/local/lib/php-rasp; must be in rasp.so's RUNPATH, or equal to
#                       EXTENSION_DIR (RUNPATH $ORIGIN)
#   PHP_ETC             /etc/php/8.2
#   PHP_MODS_AVAILABLE  $PHP_ETC/mods-available when it exists; empty: write 99-rasp.ini files
#                       directly into each conf.d (the official php Docker images)
#   PHP_CONF_DIRS       the conf.d of each SAPI present among cli fpm apache2 cgi
#   INI_PRIORITY        99
#   ROOT_DIR            /var/lib/php-rasp (the rasp.root_dir default)
#   FPM_USER            www-data
#   PURGE               1: uninstall also removes logs and changed files
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
action=${1:-}

DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr/local}
EXT=${EXT:-$repo/target/release/librasp.so}
RASP_BIN=${RASP_BIN:-$(dirname "$EXT")/rasp}
LIBNODE=${LIBNODE:-$repo/.deps/libnode/usr/lib/x86_64-linux-gnu/libnode.so.108}
PHP_CONFIG=${PHP_CONFIG:-php-config8.2}
PHP_ETC=${PHP_ETC:-/etc/php/8.2}
LIBNODE_DIR=${LIBNODE_DIR:-/usr/local/lib/php-rasp}
ROOT_DIR=${ROOT_DIR:-/var/lib/php-rasp}
FPM_USER=${FPM_USER:-www-data}
INI_PRIORITY=${INI_PRIORITY:-99}
PURGE=${PURGE:-}
share="$PREFIX/share/php-rasp"
manifest="$share/install-manifest"

die() { echo "install: $*" >&2; exit 1; }
say() { echo "  $*"; }

php_ext_dir() {
  command -v "$PHP_CONFIG" >/dev/null 2>&1 || die "$PHP_CONFIG not found: install php8.2-dev (scripts/setup-deps.sh build) or pass EXTENSION_DIR=..."
  "$PHP_CONFIG" --extension-dir
}

# --- the manifest: "file <path> <sha256>", "link <path>", "dir <path>"; final paths.
declare -A seen=()
entries=()
record() { # kind path [sha]
  local key="$1 $2"
  if [ -z "${seen[$key]:-}" ]; then seen[$key]=1; entries+=("$*"); else
    # refresh the checksum of a file installed again
    local i; for i in "${!entries[@]}"; do case "${entries[$i]}" in "$1 $2"|"$1 $2 "*) entries[$i]="$*";; esac; done
  fi
}
load_manifest() {
  [ -f "$DESTDIR$manifest" ] || return 0
  local line; while IFS= read -r line; do [ -n "$line" ] && case "$line" in \#*) ;; *) record $line ;; esac; done <"$DESTDIR$manifest"
}

mkdirs() { # create a directory and record every parent we create
  local d="$1" mode="${2:-0755}" missing=() p
  p="$d"; while [ "$p" != / ] && [ ! -d "$DESTDIR$p" ]; do missing=("$p" "${missing[@]}"); p=$(dirname "$p"); done
  for p in "${missing[@]}"; do
    install -d -m "$mode" "$DESTDIR$p"
    # With DESTDIR (packaging), directories the real system has are not ours.
    if [ -z "$DESTDIR" ] || [ ! -d "$p" ]; then record dir "$p"; fi
  done
}

put() { # src dest mode
  local src="$1" dest="$2" mode="$3"
  mkdirs "$(dirname "$dest")"
  install -m "$mode" "$src" "$DESTDIR$dest"
  record file "$dest" "$(sha256sum <"$DESTDIR$dest" | cut -d' ' -f1)"
  say "$dest"
}

runpath_of() { readelf -d "$1" 2>/dev/null | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p'; }

do_install() {
  [ -f "$EXT" ] || die "$EXT not found: run \`make build\` first (or pass EXT=/path/to/librasp.so)"
  [ -f "$RASP_BIN" ] || die "$RASP_BIN not found: run \`make build\` first (or pass RASP_BIN=...)"
  [ -f "$LIBNODE" ] || die "$LIBNODE not found: run scripts/setup-deps.sh build (or pass LIBNODE=...)"
  EXTENSION_DIR=${EXTENSION_DIR:-$(php_ext_dir)}
  local rp; rp=$(runpath_of "$EXT")
  if [ "$LIBNODE_DIR" != "$EXTENSION_DIR" ] && ! tr ':' '\n' <<<"$rp" | grep -qxF "$LIBNODE_DIR"; then
    die "LIBNODE_DIR=$LIBNODE_DIR is not in the RUNPATH of $EXT ($rp): rasp.so would not find libnode.so.108. Use LIBNODE_DIR=/usr/local/lib/php-rasp or LIBNODE_DIR=\$EXTENSION_DIR"
  fi
  if [ -z "${PHP_MODS_AVAILABLE+x}" ]; then
    if [ -d "$DESTDIR$PHP_ETC/mods-available" ] || [ -d "$PHP_ETC/mods-available" ]; then PHP_MODS_AVAILABLE="$PHP_ETC/mods-available"; else PHP_MODS_AVAILABLE=""; fi
  fi
  if [ -z "${PHP_CONF_DIRS+x}" ]; then
    PHP_CONF_DIRS=""
    for sapi in cli fpm apache2 cgi; do
      if [ -d "$DESTDIR$PHP_ETC/$sapi/conf.d" ] || [ -d "$PHP_ETC/$sapi/conf.d" ]; then PHP_CONF_DIRS+=" $PHP_ETC/$sapi/conf.d"; fi
    done
  fi
  [ -n "${PHP_CONF_DIRS// /}" ] || echo "install: note: no conf.d found under $PHP_ETC; add extension=rasp.so to your php.ini yourself (or pass PHP_CONF_DIRS=...)" >&2

  local v
  for v in PREFIX EXTENSION_DIR LIBNODE_DIR PHP_ETC ROOT_DIR; do
    case "${!v}" in /*) ;; *) die "$v=${!v} must be an absolute path" ;; esac
  done
  [ -z "$DESTDIR" ] || install -d "$DESTDIR"
  load_manifest
  echo "install: php-rasp${DESTDIR:+ into DESTDIR=$DESTDIR}"
  put "$EXT" "$EXTENSION_DIR/rasp.so" 0644
  put "$LIBNODE" "$LIBNODE_DIR/libnode.so.108" 0644
  put "$RASP_BIN" "$PREFIX/bin/rasp" 0755
  put "$repo/plugins/types/rasp.d.ts" "$share/types/rasp.d.ts" 0644

  # The ini: the extension by name when it sits in PHP's own extension_dir.
  local php_dir="" ext_line
  php_dir=$("$PHP_CONFIG" --extension-dir 2>/dev/null || true)
  if [ "$EXTENSION_DIR" = "$php_dir" ]; then ext_line="extension=rasp.so"; else ext_line="extension=$EXTENSION_DIR/rasp.so"; fi
  local ini; ini=$(mktemp)
  cat >"$ini" <<INI
; php-rasp: runtime application self-protection (docs/configuration.md)
; priority=$INI_PRIORITY
$ext_line
; conf/rasp.yml, plugins/*.js and logs/ live here
rasp.root_dir=$ROOT_DIR
INI
  if [ -n "$PHP_MODS_AVAILABLE" ]; then
    put "$ini" "$PHP_MODS_AVAILABLE/rasp.ini" 0644
    for d in $PHP_CONF_DIRS; do
      mkdirs "$d"
      ln -sfn "$PHP_MODS_AVAILABLE/rasp.ini" "$DESTDIR$d/$INI_PRIORITY-rasp.ini"
      record link "$d/$INI_PRIORITY-rasp.ini"
      say "$d/$INI_PRIORITY-rasp.ini -> $PHP_MODS_AVAILABLE/rasp.ini"
    done
  else
    for d in $PHP_CONF_DIRS; do put "$ini" "$d/$INI_PRIORITY-rasp.ini" 0644; done
  fi
  rm -f "$ini"

  # The root dir.
  mkdirs "$ROOT_DIR/conf"
  mkdirs "$ROOT_DIR/plugins"
  if [ -e "$DESTDIR$ROOT_DIR/conf/rasp.yml" ] && ! grep -q "^file $ROOT_DIR/conf/rasp.yml " "$DESTDIR$manifest" 2>/dev/null; then
    say "$ROOT_DIR/conf/rasp.yml exists: kept"
  elif [ -e "$DESTDIR$ROOT_DIR/conf/rasp.yml" ]; then
    say "$ROOT_DIR/conf/rasp.yml: kept (installed earlier)"
  else
    local yml; yml=$(mktemp)
    cat >"$yml" <<'YML'
# php-rasp configuration. Every key, its type and default: `rasp config keys`
# and docs/configuration.md. Check changes with `rasp config check` before
# they reach a live root dir; they apply without restarting PHP.
block:
  status_code: 400
plugin:
  timeout:
    millis: 100
  # Log attacks instead of blocking them, to observe before enforcing.
  monitor_mode: false
# URL prefix -> check types to skip, e.g.
# whitelist:
#   "example.com/admin/": [sql]
YML
    put "$yml" "$ROOT_DIR/conf/rasp.yml" 0644
    rm -f "$yml"
  fi
  put "$repo/plugins/official/plugin.js" "$ROOT_DIR/plugins/official.js" 0644
  if [ ! -d "$DESTDIR$ROOT_DIR/logs" ]; then
    install -d -m 0750 "$DESTDIR$ROOT_DIR/logs"
    record dir "$ROOT_DIR/logs"
  fi
  if id -u "$FPM_USER" >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    chown "$FPM_USER:$(id -gn "$FPM_USER")" "$DESTDIR$ROOT_DIR/logs"
    say "$ROOT_DIR/logs (owner $FPM_USER)"
  else
    say "$ROOT_DIR/logs (NOT chowned: run as root with an existing FPM_USER=$FPM_USER, or chown it to the php-fpm user)"
  fi

  record root "$ROOT_DIR"
  mkdirs "$share"
  { echo "# php-rasp install manifest: what \`make install\` added (final paths). Used by \`make uninstall\`."
    printf '%s\n' "${entries[@]}"; } >"$DESTDIR$manifest"
  cat <<MSG
install: done. Next:
  php -m | grep rasp                        # php-cli loads it
  systemctl reload php8.2-fpm               # php-fpm loads it (restart if it was running before)
  rasp doctor                               # checks the whole installation
MSG
}

do_uninstall() {
  [ -f "$DESTDIR$manifest" ] || die "no install manifest at $DESTDIR$manifest: nothing installed with this PREFIX${DESTDIR:+/DESTDIR}"
  load_manifest
  echo "uninstall: php-rasp${DESTDIR:+ from DESTDIR=$DESTDIR}"
  local i e kind path sha root="" remaining=()
  for e in "${entries[@]}"; do read -r kind path sha <<<"$e"; [ "$kind" = root ] && root=$path; done
  rm -f "$DESTDIR$manifest"
  # Files and links first (newest first), then directories, deepest first.
  for ((i = ${#entries[@]} - 1; i >= 0; i--)); do
    read -r kind path sha <<<"${entries[$i]}"
    case "$kind" in
      file)
        [ -e "$DESTDIR$path" ] || continue
        if [ "$(sha256sum <"$DESTDIR$path" | cut -d' ' -f1)" = "$sha" ] || [ -n "$PURGE" ]; then
          rm -f "$DESTDIR$path"; say "removed $path"
        else
          say "kept $path: changed since install (PURGE=1 removes it)"; remaining+=("${entries[$i]}")
        fi ;;
      link)
        if [ -L "$DESTDIR$path" ]; then rm -f "$DESTDIR$path"; say "removed $path"; fi ;;
    esac
  done
  if [ -n "$PURGE" ] && [ -n "$root" ] && [ -d "$DESTDIR$root/logs" ] && printf '%s\n' "${entries[@]}" | grep -qxF "dir $root/logs"; then
    rm -rf "$DESTDIR$root/logs"; say "removed $root/logs (PURGE)"
  fi
  local dirs=()
  for e in "${entries[@]}"; do read -r kind path sha <<<"$e"; [ "$kind" = dir ] && dirs+=("$path"); done
  while IFS= read -r path; do
    [ -n "$path" ] && [ -d "$DESTDIR$path" ] || continue
    if rmdir "$DESTDIR$path" 2>/dev/null; then
      say "removed $path/"
    else
      case "$path" in
        "$root"/logs) say "kept $path/: holds the logs written since (PURGE=1 removes them)"; remaining+=("dir $path") ;;
        "$root"|"$root"/*) say "kept $path/: holds files make install did not add"; remaining+=("dir $path") ;;
        *) say "kept $path/: not empty" ;;
      esac
    fi
  done < <(printf '%s\n' "${dirs[@]}" | awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2-)
  if [ ${#remaining[@]} -gt 0 ]; then
    # Keep a manifest of what is left, so that `make uninstall PURGE=1` can finish.
    for e in "${entries[@]}"; do
      read -r kind path sha <<<"$e"
      if [ "$kind" = dir ] && [ ! -d "$DESTDIR$path" ] && case "$share/" in "$path"/*) true ;; *) false ;; esac; then
        remaining+=("dir $path")
      fi
    done
    [ -n "$root" ] && remaining+=("root $root")
    install -d "$DESTDIR$share"
    { echo "# php-rasp install manifest: what \`make uninstall\` left (final paths)."
      printf '%s\n' "${remaining[@]}"; } >"$DESTDIR$manifest"
    if [ -n "$PURGE" ]; then
      echo "uninstall: done; kept what is named above: files make install did not add (remove them yourself)"
    else
      echo "uninstall: done; kept what is named above (\`make uninstall PURGE=1\` removes it)"
    fi
  else
    echo "uninstall: done"
  fi
  echo "  reload or restart php-fpm (systemctl reload php8.2-fpm) so that its workers drop the extension"
}

case "$action" in
  install) do_install ;;
  uninstall) do_uninstall ;;
  *) echo "usage: $0 install|uninstall (see the variables at the top of this file)" >&2; exit 2 ;;
esac
