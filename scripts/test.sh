#!/usr/bin/env bash
# The whole test suite, on a fresh machine: formatting, lints, unit, fixture, CLI and
# property tests. Installs what it needs (the Rust components; later issues add the real
# peers: Prism, scim2-server, OpenLDAP/Samba, sshd, aiosmtpd, xmllint).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "scripts/test.sh: cargo is not installed; install Rust (https://rustup.rs) first" >&2
  exit 1
fi
if command -v rustup >/dev/null 2>&1; then
  rustup component add rustfmt clippy >/dev/null 2>&1 || true
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy (warnings are errors)"
cargo clippy --locked --all-targets -- -D warnings
echo "== cargo test"
cargo test --locked
