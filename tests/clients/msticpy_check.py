"""msticpy's Defender query providers against a running `quarry serve`.

msticpy (3.x) builds its URLs like this (msticpy/data/drivers/mdatp_driver.py,
msticpy/auth/cloud_mappings.py):

* token URL: ``AzureCloudConfig().authority_uri + "{tenantId}/oauth2/v2.0/token"``. The
  authority is ``authentication.loginEndpoint`` of the cloud metadata document that
  msticpy fetches from ``{Azure.resource_manager_url}/metadata/endpoints?api-version=latest``
  (msticpyconfig.yaml). Pointing ``resource_manager_url`` at Quarry makes msticpy read
  Quarry's own metadata document, whose login endpoint is Quarry.
* API root: ``apiRoot`` from the provider's settings (msticpyconfig.yaml or connect()
  kwargs), then ``/api/advancedqueries/run`` for "MDE" and "M365D" (msticpy sends M365D to
  the MDE API, the Defender one being deprecated) and ``/v1.0/security/runHuntingQuery``
  for "M365DGraph". The token scope stays the real one
  (``https://api.securitycenter.microsoft.com/.default``, or Graph's resource id from the
  metadata document), which Quarry accepts.

This script writes that msticpyconfig.yaml, points MSTICPYCONFIG at it, and runs a
query through each provider. TLS: msticpy talks through httpx, which trusts
SSL_CERT_FILE (set by the runner to Quarry's self-signed certificate).

Usage: python msticpy_check.py BASE_URL   (e.g. https://127.0.0.1:8443)
"""

import atexit
import os
import shutil
import sys
import tempfile
import warnings

BASE = sys.argv[1].rstrip("/")
TENANT = os.environ.get("QUARRY_TENANT", "demo")
CLIENT_ID = os.environ.get("QUARRY_CLIENT_ID", "quarry-demo-app")
CLIENT_SECRET = os.environ.get("QUARRY_CLIENT_SECRET", "quarry-demo-secret")

CONFIG = f"""\
Azure:
  cloud: global
  resource_manager_url: {BASE}/
  auth_methods: [env]
DataProviders:
  MicrosoftDefender:
    Args:
      TenantId: {TENANT}
      ClientId: {CLIENT_ID}
      ClientSecret: {CLIENT_SECRET}
      apiRoot: {BASE}
"""

config_dir = tempfile.mkdtemp(prefix="quarry-msticpy.")
atexit.register(shutil.rmtree, config_dir, ignore_errors=True)
config_path = os.path.join(config_dir, "msticpyconfig.yaml")
with open(config_path, "w", encoding="utf-8") as f:
    f.write(CONFIG)
os.environ["MSTICPYCONFIG"] = config_path

warnings.simplefilter("ignore")

import msticpy  # noqa: E402
import pandas as pd  # noqa: E402
from msticpy.data import QueryProvider  # noqa: E402

print(f"msticpy: msticpy {msticpy.__version__}")

QUERY = (
    "DeviceProcessEvents"
    " | summarize Events = count(), Last = max(Timestamp) by DeviceName"
    " | order by DeviceName asc"
)

failures = 0
for environment in ("MDE", "M365D", "M365DGraph"):
    try:
        provider = QueryProvider(environment)
        driver = provider._query_provider  # noqa: SLF001 - to show where it goes
        assert driver.oauth_url.startswith(BASE + "/"), (
            f"msticpy's token URL {driver.oauth_url} is not the server's: it did not read "
            f"{BASE}/metadata/endpoints"
        )
        provider.connect()  # settings from msticpyconfig.yaml
        assert driver.request_uri.startswith(BASE + "/"), driver.request_uri
        df = provider.exec_query(QUERY)
        assert isinstance(df, pd.DataFrame), f"not a DataFrame: {df!r}"
        assert len(df) > 0, "no rows"
        assert {"DeviceName", "Events", "Last"} <= set(df.columns), list(df.columns)
        assert (df["Events"] > 0).all(), df
        # msticpy turns the schema's DateTime columns into pandas datetimes.
        assert pd.api.types.is_datetime64_any_dtype(df["Last"]), df.dtypes
        print(
            f"msticpy {environment}: {len(df)} rows from "
            f"{driver.request_uri}{driver.api_suffix} "
            f"(token from {driver.oauth_url.format(tenantId=TENANT)})"
        )
    except Exception as e:  # noqa: BLE001 - report every provider
        failures += 1
        print(f"msticpy {environment}: FAILED: {type(e).__name__}: {e}")

sys.exit(1 if failures else 0)
