#!/usr/bin/env bash
# Runs the fuzz targets with libFuzzer (cargo fuzz, nightly Rust), one after another.
#   scripts/fuzz.sh                  every target, 30 minutes or 10 million runs each
#   scripts/fuzz.sh csv 60           one target for 60 seconds
# New inputs go to fuzz/corpus-run/TARGET (not committed); crashes to fuzz/artifacts/TARGET.
# Afterwards, `cargo +nightly fuzz cmin TARGET fuzz/corpus-run/TARGET` minimizes a corpus.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
targets=("${1:-csv mapping pipeline}")
seconds="${2:-1800}"
for target in ${targets[@]}; do
    mkdir -p "corpus-run/$target"
    echo "== $target: up to $seconds s or 10 000 000 runs"
    cargo +nightly fuzz run -O "$target" "corpus-run/$target" "corpus/$target" -- \
        -max_total_time="$seconds" -runs=10000000 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1
done
