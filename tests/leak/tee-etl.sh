#!/usr/bin/env bash
# Runs the etl binary ($1) with the rest of the arguments, keeping for the leak scan
# (tests/leak_scan.rs) what it printed, the reports it wrote and the secrets it was given.
# Used by tests/common when ROSTER_ETL_LEAK_LOG names a folder (scripts/test.sh sets it).
# Runs asked to show personal data (--show-sensitive, export) are not kept.
set -uo pipefail
bin="$1"
shift
keep=yes
reports=()
previous=""
for arg in "$@"; do
    case "$arg" in
        --show-sensitive | export) keep=no ;;
        --report=*) reports+=("${arg#--report=}") ;;
    esac
    if [ "$previous" = "--report" ]; then reports+=("$arg"); fi
    previous="$arg"
done
if [ "$keep" = no ]; then
    exec "$bin" "$@"
fi
log="$ROSTER_ETL_LEAK_LOG/$(date +%s%N)-$$"
printf '%s\n' "$PWD" "$@" > "$log.args"
env | grep -E '^[A-Z0-9_]*(TOKEN|SECRET|PASSWORD|PASSWD)[A-Z0-9_]*=' | cut -d= -f2- > "$log.secrets"
"$bin" "$@" > >(tee "$log.out") 2> >(tee "$log.err" >&2)
status=$?
for report in "${reports[@]}"; do
    if [ -f "$report" ]; then cat "$report" >> "$log.reports"; fi
done
exit "$status"
