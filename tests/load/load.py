#!/usr/bin/env python3
"""Load test of `quarry serve`: N concurrent clients for D seconds on 127.0.0.1, mixing
small and heavy hunting queries; reports status counts, p50/p99 latency per query kind,
and the server's peak RSS. Standard library only.

    tests/load/load.py --quarry target/release/quarry --data DIR --tenant T [--clients 50] [--seconds 60]

DIR must hold a store with tenant T (e.g. `quarry generate --tenant T --devices 30
--days 30 --data DIR`). The server runs with a configuration whose quotas are high enough
that the run measures the engine, not the rate limit (429s are still counted).
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

SMALL = [
    "DeviceInfo | summarize arg_max(Timestamp, DeviceName, OSPlatform) by DeviceId | count",
    "DeviceProcessEvents | where Timestamp > ago(1h) | where FileName =~ 'powershell.exe' | take 10",
    "EmailEvents | where Subject has 'invoice' | project Timestamp, Subject | take 20",
    "print x = 1",
]
HEAVY = [
    "DeviceProcessEvents | where ProcessCommandLine has_any ('-enc', 'bypass', 'hidden') | summarize count() by DeviceName, bin(Timestamp, 1h)",
    "DeviceNetworkEvents | summarize Connections = count(), Ports = dcount(RemotePort) by DeviceName, RemoteUrl | top 20 by Connections",
    "DeviceProcessEvents | join kind=inner (DeviceNetworkEvents | where RemotePort == 443) on DeviceId, $left.ProcessId == $right.InitiatingProcessId | summarize count() by FileName | top 10 by count_",
]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def config_text(tenant, data):
    return f"""
[server]
data = "{data}"
max_concurrent_queries = 4
memory_limit_mb = 4096
[identity]
builtin = true
[[identity.clients]]
client_id = "load"
client_secret = "load-secret"
tenant = "{tenant}"
roles = ["AdvancedHunting.Read.All"]
[[tenants]]
id = "{tenant}"
[tenants.quotas]
calls_per_minute = 1000000
cpu_seconds_per_cycle = 1000000.0
max_concurrent_queries = 4
"""


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(p / 100.0 * (len(values) - 1)))))
    return values[k]


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quarry", default="target/release/quarry")
    ap.add_argument("--data", required=True)
    ap.add_argument("--tenant", required=True)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    a = ap.parse_args()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cfg = tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False)
    cfg.write(config_text(a.tenant, os.path.abspath(a.data)))
    cfg.close()
    env = dict(os.environ, QUARRY_HTTP=f"127.0.0.1:{port}", QUARRY_HTTPS="off", QUARRY_PUBLIC_URL=base)
    server = subprocess.Popen([a.quarry, "serve", "--config", cfg.name], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        form = ("grant_type=client_credentials&client_id=load&client_secret=load-secret"
                "&scope=https://api.security.microsoft.com/.default").encode()
        token = json.loads(urllib.request.urlopen(f"{base}/{a.tenant}/oauth2/v2.0/token", form).read())["access_token"]

        lock = threading.Lock()
        latencies = {"small": [], "heavy": []}
        statuses = {}
        peak = [0]
        stop = time.monotonic() + a.seconds

        def client(i):
            n = 0
            while time.monotonic() < stop:
                heavy = (i + n) % 5 == 0
                q = (HEAVY if heavy else SMALL)[(i + n) % (3 if heavy else 4)]
                n += 1
                req = urllib.request.Request(base + "/api/advancedhunting/run",
                                             data=json.dumps({"Query": q}).encode(),
                                             headers={"Authorization": "Bearer " + token,
                                                      "Content-Type": "application/json"})
                t0 = time.monotonic()
                try:
                    with urllib.request.urlopen(req, timeout=600) as r:
                        r.read()
                        status = r.status
                except urllib.error.HTTPError as e:
                    e.read()
                    status = e.code
                except OSError as e:
                    status = f"error: {type(e).__name__}"
                took = time.monotonic() - t0
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
                    if status == 200:
                        latencies["heavy" if heavy else "small"].append(took)

        def sampler():
            while time.monotonic() < stop:
                peak[0] = max(peak[0], rss_kib(server.pid))
                time.sleep(0.5)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(a.clients)]
        threads.append(threading.Thread(target=sampler))
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        total = sum(statuses.values())
        print(f"load: {a.clients} clients, {elapsed:.1f} s, {total} requests ({total / elapsed:.1f}/s), cpus {os.cpu_count()}")
        print("status counts: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0]))))
        for kind, values in latencies.items():
            print(f"{kind:5} queries: {len(values)} ok, p50 {percentile(values, 50) * 1000:.0f} ms, "
                  f"p99 {percentile(values, 99) * 1000:.0f} ms, max {max(values, default=0) * 1000:.0f} ms")
        print(f"server peak RSS: {peak[0] / 1024:.0f} MiB")
        bad = {k: v for k, v in statuses.items() if k not in (200, 429)}
        if bad:
            print(f"FAIL: responses other than 200 and 429: {bad}")
            return 1
        return 0
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        os.unlink(cfg.name)


if __name__ == "__main__":
    sys.exit(main())
