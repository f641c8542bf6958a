#!/usr/bin/env bash
# Runs the bundled example end to end: validate, plan, apply, and plan again (No changes).
# Embedded state (SQLite) beside the pipeline; no server needed. The example's data is
# dated for 2026-11-21; set ETL_TODAY to run it as of another day.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release --bin etl
ETL=target/release/etl
P=examples/extens-ad/pipeline.yaml
DAY="${ETL_TODAY:-2026-11-21}"
$ETL validate "$P"
$ETL plan "$P" --today "$DAY"
$ETL apply "$P" --today "$DAY" --auto-approve
$ETL plan "$P" --today "$DAY" --detailed-exitcode
echo "OneRoster files written to examples/extens-ad/out/skolon/:"
ls examples/extens-ad/out/skolon
