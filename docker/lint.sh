#!/usr/bin/env bash
# `make test-docker-lint`: no Docker engine runs on the build machines, so the
# image cannot be built here. This keeps docker/ honest without one:
#
#  1. every package of scripts/setup-deps.sh's build set is installed by the
#     Dockerfile's build stage, or listed below with what stands in for it;
#     libnode108's libraries are in the runtime stage too;
#  2. the setup steps have their counterparts: Debian's libnode unpacked into
#     .deps/libnode, the cargo build of `make build`, `make install`;
#  3. a hadolint-like subset of Dockerfile rules (pinned base images, apt-get
#     with -y --no-install-recommends and list cleanup in the same RUN, no ADD,
#     absolute WORKDIR, named build stage used by COPY --from, Rust not older
#     than the workspace's rust-version);
#  4. compose.yml parses as YAML and has the php (built from docker/Dockerfile),
#     nginx (published on 127.0.0.1 only) and mariadb services, with every
#     mounted file present and every dependency defined;
#  5. the files the image copies exist, and the demo's rasp.yml passes
#     `rasp config check` when the CLI is built.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
df="$here/Dockerfile"
errors=0
bad() { echo "docker lint: $*" >&2; errors=$((errors + 1)); }

# Packages of setup-deps.sh that the Docker build gets another way.
declare -A stand_in=(
  [php8.2-dev]="php-config"                    # the php image's own PHP headers and php-config
  [php8.2-cli]="FROM \${PHP_IMAGE} AS build"   # the php image's own php binary
  [php8.2-opcache]="docker-php-ext-enable opcache"
  [php8.2-fpm]="ARG PHP_IMAGE=php:8.2-fpm-bookworm"
  [php8.2-mysql]="docker-php-ext-install"
  [php8.2-sqlite3]="sqlite3 and pdo_sqlite are built into the php image"
  [php8.2-curl]="curl is built into the php image"
  [php8.2-xml]="xml is built into the php image"
  [nginx-light]="image: nginx:"                # its own container (compose.yml)
)

# The Dockerfile's stages as text: build = up to the second FROM.
build_stage=$(awk '/^FROM /{n++} n==1' "$df")
runtime_stage=$(awk '/^FROM /{n++} n>=2' "$df")
# Words installed by apt-get in a stage (continuation lines joined).
apt_words() { sed -e ':a' -e '/\\$/N; s/\\\n//; ta' <<<"$1" | grep -o 'apt-get install[^&]*' | tr ' ' '\n' | grep -v '^-' | grep -v '^$' || true; }
build_apt=$(apt_words "$build_stage")
runtime_apt=$(apt_words "$runtime_stage")

# 1. packages
# The lines of a bash array assignment `name=(...)` (to its line ending in ")").
array_src() { awk -v n="$1" '$0 ~ "^" n "=\\(" {on=1} on {print} on && $0 !~ /^[[:space:]]*#/ && /\)[[:space:]]*$/ {exit}' "$repo/scripts/setup-deps.sh"; }
pkgs() { bash -c "$(array_src "$1"); printf '%s\n' \"\${$1[@]}\""; }
build_pkgs=$(pkgs pkgs_build)
demo_pkgs=$(pkgs pkgs_demo)
[ -n "$build_pkgs" ] || bad "cannot read pkgs_build from scripts/setup-deps.sh"
for p in $build_pkgs; do
  if grep -qx "$p" <<<"$build_apt"; then continue; fi
  if [ -n "${stand_in[$p]:-}" ]; then
    grep -qF "${stand_in[$p]}" "$df" || bad "setup-deps.sh installs $p; the Dockerfile has neither it nor its stand-in (${stand_in[$p]})"
    continue
  fi
  bad "setup-deps.sh build installs $p but the Dockerfile's build stage does not (add it, or a stand-in in docker/lint.sh)"
done
# libnode108's libraries: the comment line in setup-deps.sh names them; they
# are what the runtime stage needs.
libnode_libs=$(array_src pkgs_build | sed -n '/libnode108/,$p' | tail -n +2 | tr -d ')' | tr ' ' '\n' | grep -v '^$')
[ -n "$libnode_libs" ] || bad "cannot find libnode108's libraries in setup-deps.sh"
for p in $libnode_libs; do
  grep -qx "$p" <<<"$runtime_apt" || bad "the runtime stage lacks $p (libnode108 needs it at run time)"
done
for p in $demo_pkgs; do
  grep -qx "$p" <<<"$build_apt$runtime_apt" && continue
  [ -n "${stand_in[$p]:-}" ] || { bad "setup-deps.sh demo installs $p; add it or a stand-in to docker/lint.sh"; continue; }
  if ! grep -qF "${stand_in[$p]}" "$df" "$here/compose.yml" && [[ "${stand_in[$p]}" != *"built into"* ]]; then
    bad "setup-deps.sh demo installs $p; its stand-in (${stand_in[$p]}) is missing"
  fi
done

# 2. steps
grep -q 'apt-get download libnode108 libnode-dev' "$repo/scripts/setup-deps.sh" || bad "setup-deps.sh no longer downloads libnode108 libnode-dev: update the Dockerfile and this check"
grep -q 'apt-get download libnode108 libnode-dev' <<<"$build_stage" || bad "the build stage does not download libnode108 libnode-dev"
grep -q 'dpkg-deb -x "$f" /src/.deps/libnode' <<<"$build_stage" || bad "the build stage does not unpack libnode into /src/.deps/libnode"
make_build=$(sed -n '/^build:/,/^$/p' "$repo/Makefile" | grep -o 'cargo build.*\|$(CARGO) build.*' | sed 's/$(CARGO)/cargo/')
[ -n "$make_build" ] || bad "cannot find the cargo build of \`make build\` in the Makefile"
grep -qF "RUN $make_build" <<<"$build_stage" || bad "the build stage does not run \`$make_build\` (the Makefile's build)"
grep -q 'RUN make install DESTDIR=/out' <<<"$build_stage" || bad "the build stage does not install with \`make install DESTDIR=/out\`"
grep -q '^COPY --from=build /out/ /' <<<"$runtime_stage" || bad "the runtime stage does not copy the staged install (COPY --from=build /out/ /)"

# 3. Dockerfile rules
while IFS= read -r line; do
  img=${line#FROM }; img=${img%% *}
  case "$img" in
    '${PHP_IMAGE}') ;;
    *:latest|*[!:]) bad "unpinned base image: $line" ;;
  esac
done < <(grep '^FROM ' "$df")
grep -q '^ARG PHP_IMAGE=php:8.2-fpm-bookworm$' "$df" || bad "PHP_IMAGE must default to php:8.2-fpm-bookworm"
grep -q '^FROM ${PHP_IMAGE} AS build$' "$df" || bad "the first stage must be FROM \${PHP_IMAGE} AS build"
[ "$(grep -c '^FROM ' "$df")" = 2 ] || bad "expected two stages (build, runtime)"
grep -q '^ADD ' "$df" && bad "use COPY, not ADD"
grep -q 'apt-get upgrade\|apt-get dist-upgrade' "$df" && bad "no apt-get upgrade in images (pin the base image instead)"
grep -E '^WORKDIR ' "$df" | grep -vqE '^WORKDIR /' && bad "WORKDIR must be absolute"
# Each RUN with apt-get: -y and --no-install-recommends, lists removed in the same RUN.
runs=$(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$df" | grep '^RUN ' || true)
while IFS= read -r r; do
  case "$r" in *"apt-get install"*)
    [[ "$r" == *"-y"* && "$r" == *"--no-install-recommends"* ]] || bad "apt-get install without -y --no-install-recommends: ${r:0:80}..." ;;
  esac
  case "$r" in *"apt-get update"*)
    [[ "$r" =~ rm\ -rf[^\&]*/var/lib/apt/lists/\* ]] || bad "apt-get update without removing /var/lib/apt/lists/* in the same RUN: ${r:0:80}..." ;;
  esac
  case "$r" in *"curl "*"| sh"*)
    [[ "$r" == *"--proto '=https'"* ]] || bad "piping curl to sh needs --proto '=https': ${r:0:80}..." ;;
  esac
done <<<"$runs"
rust=$(sed -n 's/^ARG RUST_VERSION=//p' "$df")
msrv=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' "$repo/Cargo.toml")
if [ -z "$rust" ] || [ "$(printf '%s\n%s\n' "$msrv" "$rust" | sort -V | head -1)" != "$msrv" ]; then
  bad "ARG RUST_VERSION=$rust is older than the workspace's rust-version $msrv"
fi
# Files the image copies.
while IFS= read -r src; do
  [ -e "$repo/$src" ] || bad "the Dockerfile copies $src, which does not exist"
done < <(grep '^COPY ' "$df" | grep -v -- '--from' | awk '{print $2}' | grep -v '^\.$')
ign="$here/Dockerfile.dockerignore"
for p in target/ .deps/ '**/node_modules/'; do grep -qxF "$p" "$ign" || bad "Dockerfile.dockerignore must exclude $p"; done

# 4. compose.yml
python3 - "$here/compose.yml" "$here" <<'PY' || errors=$((errors + 1))
import os, sys
try:
    import yaml
except ImportError:
    sys.exit("docker lint: python3-yaml is missing (scripts/setup-deps.sh test installs it)")
path, here = sys.argv[1], sys.argv[2]
try:
    doc = yaml.safe_load(open(path))
except yaml.YAMLError as e:
    sys.exit(f"docker lint: compose.yml is not valid YAML: {e}")
problems = []
services = (doc or {}).get("services") or {}
for name in ("php", "nginx", "mariadb"):
    if name not in services:
        problems.append(f"compose.yml lacks the service {name}")
php = services.get("php", {})
build = php.get("build") or {}
if not isinstance(build, dict) or build.get("dockerfile") != "docker/Dockerfile" or build.get("context") != "..":
    problems.append("service php must build docker/Dockerfile with context ..")
for port in (services.get("nginx", {}).get("ports") or []):
    if not str(port).startswith("127.0.0.1:"):
        problems.append(f"nginx publishes {port}: bind it to 127.0.0.1")
if not services.get("nginx", {}).get("ports"):
    problems.append("nginx publishes no port")
for sname, s in services.items():
    img = s.get("image", "")
    if img and ":" not in img or img.endswith(":latest"):
        problems.append(f"service {sname}: unpinned image {img}")
    deps = s.get("depends_on") or []
    for d in (deps.keys() if isinstance(deps, dict) else deps):
        if d not in services:
            problems.append(f"service {sname} depends on {d}, which is not defined")
    for v in s.get("volumes") or []:
        src = str(v).split(":")[0]
        if src.startswith("."):
            if not os.path.exists(os.path.join(here, src)):
                problems.append(f"service {sname} mounts {src}, which does not exist in docker/")
        elif src not in (doc.get("volumes") or {}):
            problems.append(f"service {sname} uses volume {src}, which is not declared")
if "healthcheck" not in services.get("mariadb", {}):
    problems.append("mariadb needs a healthcheck (php waits for it)")
for p in problems:
    print(f"docker lint: {p}", file=sys.stderr)
sys.exit(1 if problems else 0)
PY

# 5. the demo config
rasp_bin=${RASP_BIN:-$repo/target/release/rasp}
if [ -x "$rasp_bin" ]; then
  "$rasp_bin" config check -q "$here/rasp.yml" >/dev/null || bad "docker/rasp.yml does not pass rasp config check: $("$rasp_bin" config check "$here/rasp.yml")"
fi
for s in "$here"/*.sh; do bash -n "$s" || bad "$s: syntax error"; done
php -l "$here/app/shop.php" >/dev/null || bad "docker/app/shop.php: PHP syntax error"

if [ "$errors" -gt 0 ]; then echo "docker lint: FAIL ($errors problems)" >&2; exit 1; fi
echo "docker lint: ok (Dockerfile follows setup-deps.sh: $(wc -w <<<"$build_pkgs") build packages, libnode unpack, cargo build, make install; compose.yml: php, nginx, mariadb)"
