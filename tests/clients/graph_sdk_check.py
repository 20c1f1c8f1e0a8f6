"""Microsoft's Graph Python SDK (msgraph-sdk) against a running `quarry serve`.

azure-identity's ClientSecretCredential gets the token from the server's built-in
identity provider (``authority=BASE``, instance discovery off: MSAL then reads
``BASE/{tenant}/v2.0/.well-known/openid-configuration`` and posts to its token endpoint),
and the Graph client's base URL is pointed at the server, so
``client.security.microsoft_graph_security_run_hunting_query.post(...)`` posts to
``BASE/v1.0/security/microsoft.graph.security.runHuntingQuery``.

azure-identity insists on https: the runner trusts the server's self-signed certificate
through REQUESTS_CA_BUNDLE (azure-core's requests transport) and SSL_CERT_FILE (the
SDK's httpx client).

Also checked: a query error surfaces as the SDK's ODataError (HTTP 400, code
BadRequest), and a delegated token from UsernamePasswordCredential (the password grant)
sees only the devices of the user's role (the demo analyst: workstations, not dc01).

Usage: python graph_sdk_check.py BASE_URL   (an https URL, e.g. https://127.0.0.1:8443)
"""

import asyncio
import os
import sys

import urllib.parse
import warnings

import msal

from azure.identity import ClientSecretCredential, UsernamePasswordCredential
from msgraph import GraphServiceClient
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.security.hunting_query_results import HuntingQueryResults
from msgraph.generated.security.microsoft_graph_security_run_hunting_query.run_hunting_query_post_request_body import (  # noqa: E501
    RunHuntingQueryPostRequestBody,
)

BASE = sys.argv[1].rstrip("/")
TENANT = os.environ.get("QUARRY_TENANT", "demo")
CLIENT_ID = os.environ.get("QUARRY_CLIENT_ID", "quarry-demo-app")
CLIENT_SECRET = os.environ.get("QUARRY_CLIENT_SECRET", "quarry-demo-secret")
USER = os.environ.get("QUARRY_USER", "analyst@demo.quarry")
PASSWORD = os.environ.get("QUARRY_PASSWORD", "quarry-demo-password")
SCOPES = ["https://graph.microsoft.com/.default"]

QUERY = (
    "DeviceProcessEvents"
    " | summarize Events = count(), Last = max(Timestamp) by DeviceName"
    " | order by DeviceName asc"
)


async def main() -> int:
    from importlib.metadata import version

    print(
        "msgraph-sdk: "
        + ", ".join(f"{p} {version(p)}" for p in ("msgraph-sdk", "azure-identity", "msal"))
    )
    credential = ClientSecretCredential(
        tenant_id=TENANT,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        authority=BASE,
        disable_instance_discovery=True,
    )
    # The token on its own first, so that an identity-provider problem shows as one.
    token = credential.get_token(*SCOPES)
    assert token.token.count(".") == 2, "not a JWT"

    client = GraphServiceClient(credential, scopes=SCOPES)
    client.request_adapter.base_url = f"{BASE}/v1.0"

    body = RunHuntingQueryPostRequestBody(query=QUERY)
    result = await client.security.microsoft_graph_security_run_hunting_query.post(body)
    assert isinstance(result, HuntingQueryResults), f"not HuntingQueryResults: {result!r}"
    schema = [(c.name, c.type) for c in result.schema or []]
    assert schema == [("DeviceName", "String"), ("Events", "Int64"), ("Last", "DateTime")], schema
    rows = [r.additional_data for r in result.results or []]
    assert rows, "no rows"
    for row in rows:
        assert set(row) == {"DeviceName", "Events", "Last"}, row
        assert int(row["Events"]) > 0, row
    print(
        f"msgraph-sdk: {len(rows)} rows from {BASE}/v1.0/security/"
        f"microsoft.graph.security.runHuntingQuery, e.g. {rows[0]}"
    )

    # The same with a timespan, as the SDK sends it.
    body = RunHuntingQueryPostRequestBody(query=QUERY, timespan="P30D")
    result = await client.security.microsoft_graph_security_run_hunting_query.post(body)
    assert result.results, "no rows with timespan P30D"
    print(f"msgraph-sdk: {len(result.results)} rows with timespan P30D")
    app_devices = {r["DeviceName"] for r in rows}

    # A query error is the SDK's ODataError.
    body = RunHuntingQueryPostRequestBody(query="DeviceProcessEvents | where NoSuchColumn == 1")
    try:
        await client.security.microsoft_graph_security_run_hunting_query.post(body)
        raise AssertionError("a query naming an unknown column succeeded")
    except ODataError as e:
        assert e.response_status_code == 400, e.response_status_code
        assert e.error is not None and e.error.code == "BadRequest", e.error
        assert "NoSuchColumn" in (e.error.message or ""), e.error.message
        print(f"msgraph-sdk: query error -> ODataError 400 {e.error.code}: {e.error.message}")

    # Delegated: the password grant through MSAL, and the user's device scope.
    # MSAL first asks https://{host}/common/userrealm/{user} whether the user is
    # federated, with the authority's host but not its port (msal/authority.py,
    # user_realm_discovery), so on any port but 443 that request misses the server. Mark
    # the host as one without user realm discovery, as MSAL itself does after a 404.
    msal.authority.Authority._domains_without_user_realm_discovery.add(  # noqa: SLF001
        urllib.parse.urlparse(BASE).hostname
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        user_credential = UsernamePasswordCredential(
            client_id=CLIENT_ID,
            username=USER,
            password=PASSWORD,
            tenant_id=TENANT,
            authority=BASE,
            disable_instance_discovery=True,
        )
    user_client = GraphServiceClient(user_credential, scopes=SCOPES)
    user_client.request_adapter.base_url = f"{BASE}/v1.0"
    body = RunHuntingQueryPostRequestBody(query=QUERY)
    result = await user_client.security.microsoft_graph_security_run_hunting_query.post(body)
    user_devices = {r.additional_data["DeviceName"] for r in result.results or []}
    assert user_devices, "the delegated user sees no rows"
    assert user_devices < app_devices, (user_devices, app_devices)
    assert not any(d.startswith("dc") for d in user_devices), user_devices
    print(
        f"msgraph-sdk: delegated ({USER}) sees {len(user_devices)} of "
        f"{len(app_devices)} devices: {sorted(user_devices)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
