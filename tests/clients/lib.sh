# Shared helpers for the client checks in tests/clients. Source it; don't run it.
#
#   quarry_start        builds (unless QUARRY_BIN is set) and starts `quarry serve` on free
#                       127.0.0.1 ports with a temporary data directory holding a little
#                       generated data; sets QUARRY_HTTP_URL, QUARRY_HTTPS_URL, QUARRY_CERT,
#                       QUARRY_TMP, and stops the server (and removes the data) on exit.
#   clients_venv PKG..  creates (once) the venv tests/clients/.venv (or $CLIENTS_VENV) and
#                       pip-installs the packages into it; sets VENV_PY.
#
# Environment: QUARRY_BIN (a built quarry binary; default: `cargo build -p quarry`),
# CLIENTS_VENV (venv directory), CLIENTS_DATA=fixture (load tests/clients/fixture.py's
# events instead of `quarry generate`'s), KEEP_TMP=1 (keep the data directory and logs).

set -euo pipefail

CLIENTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$CLIENTS_DIR/../.." && pwd)"

# The demo tenant and credentials of the embedded default configuration.
QUARRY_TENANT=demo
QUARRY_CLIENT_ID=quarry-demo-app
QUARRY_CLIENT_SECRET=quarry-demo-secret

log() { printf '[%s] %s\n' "${CHECK_NAME:-clients}" "$*" >&2; }

quarry_bin() {
    if [[ -z "${QUARRY_BIN:-}" ]]; then
        log "building quarry (cargo build -p quarry)"
        (cd "$REPO_ROOT" && cargo build -q -p quarry) >&2
        QUARRY_BIN="$REPO_ROOT/target/debug/quarry"
    fi
    [[ -x "$QUARRY_BIN" ]] || { log "no quarry binary at $QUARRY_BIN"; return 1; }
    QUARRY_BIN="$(cd "$(dirname "$QUARRY_BIN")" && pwd)/$(basename "$QUARRY_BIN")"
    export QUARRY_BIN
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

QUARRY_PID=""
quarry_stop() {
    if [[ -n "$QUARRY_PID" ]] && kill -0 "$QUARRY_PID" 2>/dev/null; then
        kill "$QUARRY_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$QUARRY_PID" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$QUARRY_PID" 2>/dev/null || true
        wait "$QUARRY_PID" 2>/dev/null || true
    fi
    QUARRY_PID=""
    if [[ -n "${QUARRY_TMP:-}" && -d "$QUARRY_TMP" ]]; then
        if [[ "${KEEP_TMP:-0}" == 1 ]]; then
            log "kept $QUARRY_TMP"
        else
            rm -rf "$QUARRY_TMP"
        fi
    fi
}

quarry_start() {
    quarry_bin
    QUARRY_TMP="$(mktemp -d "${TMPDIR:-/tmp}/quarry-clients.XXXXXX")"
    trap quarry_stop EXIT
    trap 'exit 130' INT TERM
    local data="$QUARRY_TMP/data"
    # A little data: two days of three devices from the generator, or the fixture when
    # this build has no generator.
    if [[ "${CLIENTS_DATA:-generate}" != fixture ]] && "$QUARRY_BIN" generate --help >/dev/null 2>&1; then
        "$QUARRY_BIN" generate --tenant "$QUARRY_TENANT" --devices 3 --days 2 --volume 0.2 \
            --out "$QUARRY_TMP/events.json" >"$QUARRY_TMP/generate.log" 2>&1 \
            || { cat "$QUARRY_TMP/generate.log" >&2; return 1; }
    else
        python3 "$CLIENTS_DIR/fixture.py" >"$QUARRY_TMP/events.json"
    fi
    "$QUARRY_BIN" ingest --data "$data" --tenant "$QUARRY_TENANT" "$QUARRY_TMP/events.json" \
        >"$QUARRY_TMP/ingest.log" 2>&1 || { cat "$QUARRY_TMP/ingest.log" >&2; return 1; }
    local http_port https_port
    http_port="$(free_port)"
    https_port="$(free_port)"
    while [[ "$https_port" == "$http_port" ]]; do https_port="$(free_port)"; done
    QUARRY_HTTP_URL="http://127.0.0.1:$http_port"
    QUARRY_HTTPS_URL="https://127.0.0.1:$https_port"
    QUARRY_HTTP="127.0.0.1:$http_port" QUARRY_HTTPS="127.0.0.1:$https_port" QUARRY_DATA="$data" \
        QUARRY_PUBLIC_URL="$QUARRY_HTTPS_URL" RUST_LOG="${RUST_LOG:-warn}" \
        "$QUARRY_BIN" serve >"$QUARRY_TMP/serve.log" 2>&1 &
    QUARRY_PID=$!
    for _ in $(seq 1 150); do
        if curl -fsS "$QUARRY_HTTP_URL/healthz" >/dev/null 2>&1 && [[ -s "$data/tls/cert.pem" ]] \
            && curl -fsS --cacert "$data/tls/cert.pem" "$QUARRY_HTTPS_URL/healthz" >/dev/null 2>&1; then
            QUARRY_CERT="$data/tls/cert.pem"
            export QUARRY_HTTP_URL QUARRY_HTTPS_URL QUARRY_CERT QUARRY_TMP
            log "quarry serving $QUARRY_HTTP_URL and $QUARRY_HTTPS_URL (pid $QUARRY_PID, data $data)"
            return 0
        fi
        if ! kill -0 "$QUARRY_PID" 2>/dev/null; then
            log "quarry serve exited:"; cat "$QUARRY_TMP/serve.log" >&2; return 1
        fi
        sleep 0.2
    done
    log "quarry serve did not come up:"; cat "$QUARRY_TMP/serve.log" >&2
    return 1
}

clients_venv() {
    local venv="${CLIENTS_VENV:-$CLIENTS_DIR/.venv}"
    if [[ ! -x "$venv/bin/python" ]]; then
        log "creating the venv $venv"
        python3 -m venv "$venv"
    fi
    VENV_PY="$venv/bin/python"
    if ! "$VENV_PY" -c 'import sys, importlib.metadata as m; [m.version(p) for p in sys.argv[1:]]' "$@" 2>/dev/null; then
        log "pip install $*"
        "$VENV_PY" -m pip install -q "$@" >&2
    fi
    export VENV_PY
}
