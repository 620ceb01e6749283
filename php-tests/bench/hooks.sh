#!/usr/bin/env bash
# Measures what the hooks cost (figures in docs/hooks.md): include/eval in
# both hook modes (opcode handler, compile hook), with and without the
# opcache JIT, a CPU-bound loop to show the JIT being disabled, and hot
# hooked functions when nothing is checked.
#   php-tests/bench/hooks.sh [path/to/librasp.so]             ns/op, best of $RUNS
#   METRIC=instructions php-tests/bench/hooks.sh [librasp.so]  instructions/op
# Instructions are counted with valgrind (callgrind) as the difference of
# two runs of different length, so start-up cancels out; unlike wall-clock
# time they do not depend on what else the machine is doing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ext=$(realpath "${1:-$here/../../target/release/librasp.so}")
php=${PHP:-php8.2}
runs=${RUNS:-5}
for r in "$here"/roots/*/; do rm -rf "$r/logs"; mkdir -p "$r/logs"; done
opc=(-d opcache.enable_cli=1 -d opcache.jit_buffer_size=0)
jit=(-d opcache.enable_cli=1 -d opcache.jit_buffer_size=64M -d opcache.jit=tracing)

metric=${METRIC:-time}
instructions() { # case iterations php-args...: instructions per iteration
  local c=$1 n=$2; shift 2
  local small=$(( n / 4 )) a b
  ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null --smc-check=all $php "$@" 2>&1 | sed -n 's/.*Collected : //p'; }
  a=$(ir "$@" "$here/bench.php" "$c" "$small")
  b=$(ir "$@" "$here/bench.php" "$c" "$n")
  awk "BEGIN{printf \"%.0f\", ($b - $a) / ($n - $small)}"
}

best() { # case iterations php-args...
  if [ "$metric" = instructions ]; then instructions "$@"; return; fi
  local c=$1 n=$2; shift 2
  local b=
  for _ in $(seq "$runs"); do
    v=$($php "$@" "$here/bench.php" "$c" "$n" 2>/dev/null | awk '{print $2}')
    if [ -z "$b" ] || awk "BEGIN{exit !($v < $b)}"; then b=$v; fi
  done
  echo "$b"
}
ext_args() { echo "-d extension=$ext -d rasp.root_dir=$here/roots/$1"; }

printf '%-14s %-10s %10s %14s %14s %14s %14s\n' case opcache "no ext" "opcode/none" "compile/none" "opcode/check" "compile/check"
if [ "$metric" = instructions ]; then
  list=("include 4000" "include_once 4000" "eval 4000" "jit 4" "fwrite 40000" "array_map 40000" "strlen 100000")
else
  list=("include 200000" "include_once 200000" "eval 200000" "jit 20" "fwrite 2000000" "array_map 2000000" "strlen 5000000")
fi
for c in "${list[@]}"; do
  set -- $c
  for mode in opcache jit; do
    if [ $mode = jit ]; then o=("${jit[@]}"); else o=("${opc[@]}"); fi
    base=$(best "$1" "$2" "${o[@]}")
    row=()
    for r in none-opcode none-compile include-opcode include-compile; do
      row+=("$(best "$1" "$2" "${o[@]}" $(ext_args $r))")
    done
    printf '%-14s %-10s %10s %14s %14s %14s %14s\n' "$1" "$mode" "$base" "${row[@]}"
  done
done
if [ "$metric" = instructions ]; then echo "(instructions per operation, callgrind;"; else echo "(ns per operation, best of $runs;"; fi
echo " 'none': no plugin handles the type, the hook only looks;"
echo " 'check': a plugin handles include/eval/readFile/writeFile and ignores; opcode = user opcode handler,"
echo " which makes PHP turn the JIT off; compile = zend_compile_file/string wrapped at the first RINIT)"
