#!/usr/bin/env bash
# Runs every fuzz target for the given number of seconds each (default 600).
#
#   fuzz/run.sh 600
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). The machine has only a
# stable toolchain, so RUSTC_BOOTSTRAP unlocks the nightly flags cargo-fuzz
# passes. Corpora live in fuzz/corpus/<target>, seeded from the tests'
# attack fixtures; crashes land in fuzz/artifacts/<target>.
set -euo pipefail

seconds="${1:-600}"
here="$(cd "$(dirname "$0")" && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-fuzz}"
export RUSTC_BOOTSTRAP=1

cd "$here"
seed() {
    local target="$1" fixture="$2"
    mkdir -p "corpus/$target"
    if [ -z "$(ls -A "corpus/$target")" ]; then
        local n=0
        grep -v '^#!' "$fixture" | while IFS= read -r line; do
            n=$((n + 1))
            # One flag byte (dialect options / token cap) and the payload.
            printf '\0%s' "$line" > "corpus/$target/seed-$n"
        done
    fi
}
seed sql_tokenize ../crates/rasp-core/tests/fixtures/sql_attacks.txt
seed shell_tokenize ../crates/rasp-core/tests/fixtures/cmd_attacks.txt

for target in sql_tokenize shell_tokenize; do
    echo "== $target for ${seconds}s"
    cargo fuzz run "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048
done
