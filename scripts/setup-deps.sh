#!/usr/bin/env bash
# Installs everything php-rasp needs to build and test on Debian 12 (bookworm).
#
#   scripts/setup-deps.sh [build|test|demo|all]
#
# build: PHP 8.2 headers, clang for bindgen, Debian's libnode (V8 10.2) unpacked
#        into .deps/libnode (the nodesource Node.js on these machines owns
#        /usr/include/node and conflicts with libnode-dev, so we never install
#        libnode-dev system-wide).
# demo:  build + php-fpm and nginx.
# test:  demo + MariaDB, PostgreSQL, rsyslog and the PHP database extensions.
# Idempotent and quiet when everything is already there.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
what=${1:-all}
export DEBIAN_FRONTEND=noninteractive

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

pkgs_build=(php8.2-dev php8.2-cli php8.2-opcache clang libclang-dev g++ make pkg-config curl ca-certificates
  # libnode108's own C library dependencies (the .deb is unpacked, not installed)
  libuv1 libicu72 libc-ares2 libnghttp2-14 libbrotli1 libssl3 zlib1g)
pkgs_demo=(php8.2-fpm php8.2-sqlite3 php8.2-mysql php8.2-curl php8.2-xml nginx-light)
pkgs_test=(php8.2-pgsql php8.2-soap php8.2-cgi php8.2-mbstring mariadb-server mariadb-client postgresql rsyslog python3 python3-yaml wrk)

want=("${pkgs_build[@]}")
case "$what" in
  build) ;;
  demo) want+=("${pkgs_demo[@]}") ;;
  test|all) want+=("${pkgs_demo[@]}" "${pkgs_test[@]}") ;;
  *) echo "usage: $0 [build|demo|test|all]" >&2; exit 2 ;;
esac
# `make test-types` runs TypeScript (npm) on Node.js: Debian's nodejs + npm,
# unless a Node.js with npm is there already. A nodesource nodejs package
# ships npm itself and conflicts with Debian's npm: never add npm to it.
if [ "$what" = test ] || [ "$what" = all ]; then
  if ! command -v npm >/dev/null 2>&1; then
    if dpkg-query -W -f='${Version}' nodejs 2>/dev/null | grep -q nodesource; then
      echo "setup: nodejs from nodesource without npm: reinstall it (its package ships npm); make test-types needs npm" >&2
    else
      want+=(nodejs npm)
    fi
  fi
fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  as_root apt-get update -qq
  # Keep Debian's services from starting on install: tests start their own on 127.0.0.1.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod +x /usr/sbin/policy-rc.d
    trap 'as_root rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  as_root apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian's V8: libnode108 + libnode-dev, unpacked into a build-local prefix.
prefix="$here/.deps/libnode"
lib="$prefix/usr/lib/x86_64-linux-gnu/libnode.so.108"
hdr="$prefix/usr/include/node/v8.h"
if [ ! -f "$lib" ] || [ ! -f "$hdr" ]; then
  echo "setup: fetching Debian libnode108 + libnode-dev into $prefix"
  tmp=$(mktemp -d)
  (cd "$tmp" && chmod 777 . && apt-get download libnode108 libnode-dev >/dev/null 2>&1 \
     || { as_root apt-get update -qq && apt-get download libnode108 libnode-dev >/dev/null; })
  rm -rf "$prefix" && mkdir -p "$prefix"
  for f in "$tmp"/libnode*.deb; do dpkg-deb -x "$f" "$prefix"; done
  rm -rf "$tmp"
  [ -f "$lib" ] && [ -f "$hdr" ] || { echo "setup: libnode unpack failed: $lib or $hdr missing" >&2; exit 1; }
fi
echo "setup: ok ($what)"
