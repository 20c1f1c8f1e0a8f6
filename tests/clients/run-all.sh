#!/usr/bin/env bash
# Runs every client check in tests/clients (each starts and stops its own `quarry serve`)
# and prints a summary line per client. Exits non-zero when any check fails.
#
#   tests/clients/run-all.sh                  # builds quarry (debug) first
#   QUARRY_BIN=target/release/quarry tests/clients/run-all.sh
#
# Needs python3 (with venv), curl, cargo, and PyPI for the first run's pip install.
set -uo pipefail
CHECK_NAME=run-all
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set +e

quarry_bin || exit 1
clients_venv msticpy msgraph-sdk azure-identity || exit 1

checks=(curl msticpy graph_sdk)
declare -A status seconds
logs="$(mktemp -d "${TMPDIR:-/tmp}/quarry-clients-logs.XXXXXX")"
for c in "${checks[@]}"; do
    echo "=== $c"
    start=$SECONDS
    "$CLIENTS_DIR/$c.sh" 2>&1 | tee "$logs/$c.log"
    rc=${PIPESTATUS[0]}
    seconds[$c]=$((SECONDS - start))
    if [[ $rc == 0 ]]; then status[$c]=PASS; else status[$c]="FAIL (exit $rc)"; fi
done

echo "=== summary"
failed=0
for c in "${checks[@]}"; do
    printf '%-10s %-16s %3ss\n' "$c" "${status[$c]}" "${seconds[$c]}"
    [[ ${status[$c]} == PASS ]] || failed=$((failed + 1))
done
echo "$(( ${#checks[@]} - failed )) passed, $failed failed"
if [[ $failed == 0 ]]; then rm -rf "$logs"; else echo "logs: $logs"; fi
exit $(( failed > 0 ))
