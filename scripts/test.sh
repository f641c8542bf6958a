#!/usr/bin/env bash
# The whole test suite, on a fresh machine: formatting, lints, unit, fixture, CLI, property
# and connector tests. Installs what it needs: the Rust components and the real peers the
# connector tests run against (scripts/peers/install.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "scripts/test.sh: cargo is not installed; install Rust (https://rustup.rs) first" >&2
  exit 1
fi
if command -v rustup >/dev/null 2>&1; then
  rustup component add rustfmt clippy >/dev/null 2>&1 || true
fi

echo "== real peers for the connector tests"
bash scripts/peers/install.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy (warnings are errors)"
cargo clippy --locked --all-targets -- -D warnings
echo "== cargo test (every etl run's output kept for the leak scan)"
leak_log="$(mktemp -d)"
trap 'rm -rf "$leak_log"' EXIT
ROSTER_ETL_LEAK_LOG="$leak_log" cargo test --locked
echo "== leak scan: no output of the suite shows a fixture personnummer or a secret"
ROSTER_ETL_LEAK_SCAN="$leak_log" cargo test --locked --test leak_scan
