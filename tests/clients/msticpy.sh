#!/usr/bin/env bash
# msticpy's Defender query providers ("MDE", "M365D", "M365DGraph") against a fresh
# `quarry serve` over HTTPS, installed from PyPI into the clients' venv.
CHECK_NAME=msticpy
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

clients_venv msticpy
quarry_start
# msticpy uses httpx, which trusts SSL_CERT_FILE; the MSAL/requests paths trust
# REQUESTS_CA_BUNDLE.
SSL_CERT_FILE="$QUARRY_CERT" REQUESTS_CA_BUNDLE="$QUARRY_CERT" \
QUARRY_TENANT="$QUARRY_TENANT" QUARRY_CLIENT_ID="$QUARRY_CLIENT_ID" \
QUARRY_CLIENT_SECRET="$QUARRY_CLIENT_SECRET" \
    "$VENV_PY" "$CLIENTS_DIR/msticpy_check.py" "$QUARRY_HTTPS_URL"
echo "msticpy: OK"
