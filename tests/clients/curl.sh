#!/usr/bin/env bash
# Plain curl against a fresh `quarry serve`: a client-credentials token from the v2 token
# endpoint (form body), then queries to Defender's /api/advancedhunting/run, MDE's
# /api/advancedqueries/run and Graph's runHuntingQuery, all over HTTPS trusting the
# server's self-signed certificate. Each answer must carry rows.
CHECK_NAME=curl
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

quarry_start
base="$QUARRY_HTTPS_URL"
curl_() { curl -sS --fail-with-body --cacert "$QUARRY_CERT" "$@"; }

# Defender and MDE: a token for the Defender API.
token_json="$(curl_ -X POST "$base/$QUARRY_TENANT/oauth2/v2.0/token" \
    -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-urlencode grant_type=client_credentials \
    --data-urlencode "client_id=$QUARRY_CLIENT_ID" \
    --data-urlencode "client_secret=$QUARRY_CLIENT_SECRET" \
    --data-urlencode scope=https://api.security.microsoft.com/.default)"
token="$(python3 -c '
import json, sys
t = json.loads(sys.argv[1])
assert t["token_type"] == "Bearer", t
assert int(t["expires_in"]) > 0, t
print(t["access_token"])' "$token_json")"

query='DeviceProcessEvents | summarize Events = count() by DeviceName | order by DeviceName asc'

# Checks an answer: rows in `results_key`, every row has every column of the schema.
check_rows() { # LABEL SCHEMA_KEY NAME_KEY RESULTS_KEY JSON
    python3 -c '
import json, sys
label, schema_key, name_key, results_key, text = sys.argv[1:]
body = json.loads(text)
schema = body[schema_key]
rows = body[results_key]
names = [c[name_key] for c in schema]
assert names == ["DeviceName", "Events"], (label, schema)
assert isinstance(rows, list) and rows, (label, "no rows", body)
for r in rows:
    assert set(r) == set(names), (label, r)
    assert isinstance(r["Events"], int) and r["Events"] > 0, (label, r)
print(f"{label}: {len(rows)} rows, e.g. {rows[0]}")' "$@"
}

body="$(python3 -c 'import json, sys; print(json.dumps({"Query": sys.argv[1]}))' "$query")"
out="$(curl_ -X POST "$base/api/advancedhunting/run" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d "$body")"
check_rows "advancedhunting/run" Schema Name Results "$out"
python3 -c 'import json, sys; assert "ExecutionTime" in json.loads(sys.argv[1])["Stats"]' "$out"

out="$(curl_ -X POST "$base/api/advancedqueries/run" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d "$body")"
check_rows "advancedqueries/run" Schema Name Results "$out"

# Graph: a token for Microsoft Graph, and the lower-case body Graph's docs show.
token_json="$(curl_ -X POST "$base/$QUARRY_TENANT/oauth2/v2.0/token" \
    --data-urlencode grant_type=client_credentials \
    --data-urlencode "client_id=$QUARRY_CLIENT_ID" \
    --data-urlencode "client_secret=$QUARRY_CLIENT_SECRET" \
    --data-urlencode scope=https://graph.microsoft.com/.default)"
token="$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["access_token"])' "$token_json")"
body="$(python3 -c 'import json, sys; print(json.dumps({"query": sys.argv[1]}))' "$query")"
for path in v1.0/security/runHuntingQuery beta/security/microsoft.graph.security.runHuntingQuery; do
    out="$(curl_ -X POST "$base/$path" -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/json' -d "$body")"
    check_rows "$path" schema name results "$out"
    python3 -c '
import json, sys
ctx = json.loads(sys.argv[1])["@odata.context"]
assert ctx.endswith("#microsoft.graph.security.huntingQueryResults"), ctx' "$out"
done

echo "curl: OK"
