#!/usr/bin/env bash
# Microsoft's Graph Python SDK (msgraph-sdk) with azure-identity's ClientSecretCredential
# against a fresh `quarry serve` over HTTPS, installed from PyPI into the clients' venv.
CHECK_NAME=graph-sdk
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

clients_venv msgraph-sdk azure-identity
quarry_start
REQUESTS_CA_BUNDLE="$QUARRY_CERT" SSL_CERT_FILE="$QUARRY_CERT" \
QUARRY_TENANT="$QUARRY_TENANT" QUARRY_CLIENT_ID="$QUARRY_CLIENT_ID" \
QUARRY_CLIENT_SECRET="$QUARRY_CLIENT_SECRET" \
    "$VENV_PY" "$CLIENTS_DIR/graph_sdk_check.py" "$QUARRY_HTTPS_URL"
echo "graph-sdk: OK"
