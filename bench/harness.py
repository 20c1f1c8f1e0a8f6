#!/usr/bin/env python3
"""Quarry benchmark harness: generate -> ingest (Quarry and DuckDB) -> query suite on
Quarry and its peers -> a markdown table and a JSON file of raw figures.

Run it through `bench/run`, which prepares the virtualenv. See README.md, "Benchmarks".
"""
from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import math
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
QUERIES = HERE / "queries"
TENANT = "bench"

# Events per device-day are about 1,650 at --volume 1 (the generator's mix of servers and
# workstations), so `default` is about 10 M events (25 GB of envelope JSON).
SCALES = {
    "smoke": dict(devices=3, days=2, volume=0.2, runs=1),
    "small": dict(devices=10, days=30, volume=0.2, runs=5),
    "medium": dict(devices=20, days=30, volume=1.0, runs=5),
    "large": dict(devices=60, days=30, volume=1.0, runs=5),
    "default": dict(devices=200, days=30, volume=1.0, runs=5),
}

SYSTEMS = ["quarry", "duckdb", "duckdb-kql", "chdb"]


def log(*a):
    print("[bench]", *a, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- machine


def machine_info(threads: int) -> dict:
    mem_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "threads": threads,
        "loadavg_at_start": os.getloadavg(),
    }


# --------------------------------------------------------------------------- processes


def _vm_hwm_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def run_measured(cmd, stdout=None, stderr=None, env=None):
    """Runs cmd; returns (exit code, wall s, cpu s (user+sys), peak RSS MiB).

    Peak RSS is the child's VmHWM, sampled every 5 ms until it exits: wait4's ru_maxrss
    would also count the RSS this (forking) Python process had at fork time.
    """
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, env=env)
    hwm = 0
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        v = _vm_hwm_kib(p.pid)
        if v:
            hwm = max(hwm, v)
        time.sleep(0.005)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, wall, ru.ru_utime + ru.ru_stime, hwm / 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- queries


class Query:
    def __init__(self, kql_path: Path):
        self.name = kql_path.stem
        text = kql_path.read_text()
        self.ordered = False
        self.order_key: str | None = None
        self.approx: list[str] = []
        body = []
        for line in text.splitlines():
            s = line.strip()
            if s.startswith("//"):
                c = s[2:].strip()
                if c == "ordered":
                    self.ordered = True
                elif c.startswith("ordered-by:"):
                    self.ordered = True
                    self.order_key = c[11:].strip()
                elif c.startswith("approx:"):
                    self.approx = [x.strip() for x in c[7:].split(",") if x.strip()]
                continue
            body.append(line)
        self.kql = "\n".join(body).strip() + "\n"
        self.sql = kql_path.with_suffix(".sql").read_text()
        self.path = kql_path


def load_queries(only: str | None) -> list[Query]:
    qs = [Query(p) for p in sorted(QUERIES.glob("*.kql"))]
    if only:
        pat = re.compile(only)
        qs = [q for q in qs if pat.search(q.name)]
    return qs


# --------------------------------------------------------------------------- results


def norm_time_str(s: str) -> str:
    """ISO or ClickHouse datetime text -> 'YYYY-MM-DDTHH:MM:SS.ffffff' (UTC, truncated to us)."""
    s = s.strip().replace(" ", "T")
    if s.endswith("Z"):
        s = s[:-1]
    s = re.sub(r"[+-]00:?00$", "", s)
    if "." in s:
        head, frac = s.split(".", 1)
    else:
        head, frac = s, ""
    frac = (frac + "000000")[:6]
    return f"{head}.{frac}"


def norm_value(v, is_time=False):
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, dt.datetime):
        if v.tzinfo is not None:
            v = v.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return v.strftime("%Y-%m-%dT%H:%M:%S.%f")
    if isinstance(v, (int,)):
        return v
    if isinstance(v, float):
        if math.isnan(v):
            return None
        if v.is_integer() and abs(v) < 2**53:
            return int(v)
        return round(v, 6)
    if hasattr(v, "as_tuple"):  # Decimal
        return norm_value(float(v))
    if isinstance(v, (dict, list)):
        return json.dumps(v, sort_keys=True, separators=(",", ":"))
    if isinstance(v, str):
        if v == "":
            return None
        if is_time:
            return norm_time_str(v)
        return v
    return str(v)


class Result:
    def __init__(self, columns, rows, time_cols=()):
        self.columns = list(columns)
        tc = set(time_cols)
        self.rows = [
            tuple(norm_value(v, c in tc) for c, v in zip(self.columns, r)) for r in rows
        ]


def _close(a, b, approx):
    if a == b:
        return True
    if approx and isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) <= max(1, 0.02 * max(abs(a), abs(b)))
    if isinstance(a, float) or isinstance(b, float):
        try:
            return abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(a)))
        except (TypeError, ValueError):
            return False
    return False


def compare(q: Query, got: Result, want: Result) -> str | None:
    """None when equal; otherwise a short description of the first difference."""
    if len(got.columns) != len(want.columns):
        return f"column count {len(got.columns)} vs {len(want.columns)}: {got.columns} vs {want.columns}"
    if len(got.rows) != len(want.rows):
        return f"row count {len(got.rows)} vs {len(want.rows)}"
    approx = {i for i, c in enumerate(want.columns) if c in q.approx}
    approx |= {i for i, c in enumerate(got.columns) if c in q.approx}
    a, b = got.rows, want.rows

    def key(r):
        return tuple(
            (0, "") if v is None else (1, repr(v)) for i, v in enumerate(r) if i not in approx
        )

    if q.order_key and q.order_key in want.columns and want.rows:
        # Sorted and limited on one key: the key sequence must agree exactly; rows that
        # tie on the key may come in any order, and at the cut-off any of them may be kept.
        k = want.columns.index(q.order_key)
        if [r[k] for r in a] != [r[k] for r in b]:
            return f"order key {q.order_key!r} sequence differs: {[r[k] for r in a][:5]} vs {[r[k] for r in b][:5]}"
        last = b[-1][k]
        groups_a: dict = {}
        groups_b: dict = {}
        for r in a:
            groups_a.setdefault(repr(r[k]), []).append(r)
        for r in b:
            groups_b.setdefault(repr(r[k]), []).append(r)
        a2, b2 = [], []
        for g in groups_b:
            if g == repr(last):
                continue
            a2 += sorted(groups_a.get(g, []), key=key)
            b2 += sorted(groups_b[g], key=key)
        a, b = a2, b2
    elif not q.ordered:
        a, b = sorted(a, key=key), sorted(b, key=key)
    for n, (ra, rb) in enumerate(zip(a, b)):
        for i, (x, y) in enumerate(zip(ra, rb)):
            if not _close(x, y, i in approx):
                return f"row {n} column {want.columns[i]!r}: {x!r} vs {y!r}"
    return None


# --------------------------------------------------------------------------- systems


class QuarryServer:
    def __init__(self, binary: str, data: Path, workdir: Path, threads: int):
        self.binary = binary
        self.port = free_port()
        self.cfg = workdir / "quarry-bench.toml"
        self.cfg.write_text(
            f"""# Written by bench/harness.py: one tenant, no quotas in the way, long retention.
[server]
http = "127.0.0.1:{self.port}"
https = "127.0.0.1:{free_port()}"
data = "{data}"
max_concurrent_queries = 1
memory_limit_mb = 8192

[identity]
builtin = true
token_minutes = 1440

[[identity.clients]]
client_id = "bench-app"
client_secret = "bench-secret"
tenant = "{TENANT}"
roles = ["AdvancedHunting.Read.All"]

[[tenants]]
id = "{TENANT}"
retention_days = 36500

[tenants.quotas]
calls_per_minute = 1000000
cpu_seconds_per_cycle = 1000000000.0
cycle_minutes = 15
timeout_seconds = 3600
max_rows = 1000000000
max_result_bytes = 100000000000
max_concurrent_queries = 1
"""
        )
        self.log = open(workdir / "quarry-serve.log", "w")
        self.proc = subprocess.Popen(
            [binary, "serve", "--config", str(self.cfg)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 120
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("quarry serve did not start; see quarry-serve.log")
            time.sleep(0.2)
        # Minted once the server is up, so that the two never race to create the key.
        minted = subprocess.run(
            [binary, "token", "--config", str(self.cfg), "--client-id", "bench-app"],
            capture_output=True,
            text=True,
        )
        if minted.returncode != 0:
            raise RuntimeError(f"quarry token failed: {minted.stderr.strip()}")
        self.token = minted.stdout.strip()
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=3600)

    def run(self, kql: str):
        body = json.dumps({"Query": kql}).encode()
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json",
        }
        t0 = time.perf_counter()
        try:
            self.conn.request("POST", "/api/advancedhunting/run", body, headers)
            resp = self.conn.getresponse()
            data = resp.read()
        except (http.client.HTTPException, OSError):
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=3600)
            raise
        elapsed = time.perf_counter() - t0
        doc = json.loads(data)
        if resp.status != 200:
            err = doc.get("error", {})
            raise RuntimeError(f"HTTP {resp.status}: {err.get('message', data[:300])}")
        return elapsed, doc

    @staticmethod
    def result(doc) -> Result:
        cols = [c["Name"] for c in doc["Schema"]]
        tcols = [c["Name"] for c in doc["Schema"] if c["Type"] == "DateTime"]
        rows = [[r.get(c) for c in cols] for r in doc["Results"]]
        return Result(cols, rows, tcols)

    def peak_memory(self, doc):
        try:
            return doc["Stats"]["resource_usage"]["memory"]["peak_per_node"]
        except (KeyError, TypeError):
            return None

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def table_globs(data: Path) -> dict[str, str]:
    base = data / "tenants" / TENANT / "tables"
    return {
        d.name: str(d / "*" / "*.parquet")
        for d in sorted(base.iterdir())
        if d.is_dir() and any(d.glob("*/*.parquet"))
    }


def duckdb_connect(globs, threads, kql=False):
    import duckdb

    if kql:
        import duckdb_kql

        con = duckdb_kql.connect()
    else:
        con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    con.execute("SET TimeZone = 'UTC'")
    for t, g in globs.items():
        con.execute(f"CREATE VIEW \"{t}\" AS SELECT * FROM read_parquet('{g}')")
    return con


class DuckDB:
    name = "duckdb"

    def __init__(self, globs, threads):
        self.con = duckdb_connect(globs, threads)

    def run(self, q: Query):
        t0 = time.perf_counter()
        rel = self.con.sql(q.sql)
        rows = rel.fetchall()
        elapsed = time.perf_counter() - t0
        return elapsed, Result(rel.columns, rows)


class DuckDBKql:
    name = "duckdb-kql"

    def __init__(self, globs, threads):
        import duckdb_kql

        self.mod = duckdb_kql
        self.con = duckdb_connect(globs, threads, kql=True)

    def run(self, q: Query):
        t0 = time.perf_counter()
        rel = self.mod.query(self.con, q.kql)
        rows = rel.fetchall()
        elapsed = time.perf_counter() - t0
        return elapsed, Result(rel.columns, rows)


class Chdb:
    name = "chdb"

    def __init__(self, globs, threads, workdir: Path):
        from chdb import session

        path = workdir / "chdb-session"
        shutil.rmtree(path, ignore_errors=True)
        self.s = session.Session(str(path))
        self.s.query("CREATE DATABASE IF NOT EXISTS bench ENGINE = Atomic")
        for t, g in globs.items():
            self.s.query(
                f"CREATE VIEW bench.{t} AS SELECT * FROM file('{g}', Parquet)"
            )
        self.s.query("USE bench")
        self.s.query(f"SET max_threads = {threads}")
        self.s.query("SET output_format_json_quote_64bit_integers = 0")
        self.s.query("SET session_timezone = 'UTC'")
        self.s.query("SET allow_experimental_kusto_dialect = 1")
        self.s.query("SET dialect = 'kusto'")

    def run(self, q: Query):
        t0 = time.perf_counter()
        r = self.s.query(q.kql, "JSONCompact")
        text = r.bytes() if hasattr(r, "bytes") else str(r).encode()
        elapsed = time.perf_counter() - t0
        doc = json.loads(text) if text.strip() else {"meta": [], "data": []}
        cols = [m["name"] for m in doc["meta"]]
        tcols = [m["name"] for m in doc["meta"] if "DateTime" in m["type"]]
        return elapsed, Result(cols, doc["data"], tcols)


def short_error(e: BaseException) -> str:
    s = f"{type(e).__name__}: {e}".strip().splitlines()
    s = " ".join(x.strip() for x in s if x.strip())
    return s[:300]


# --------------------------------------------------------------------------- ingestion


DUCKDB_INGEST = r"""
import duckdb, json, sys, time
parts, db, threads = json.loads(sys.argv[1]), sys.argv[2], int(sys.argv[3])
con = duckdb.connect(db)
con.execute(f"SET threads = {threads}")
con.execute("SET memory_limit = '6GB'")
con.execute("SET preserve_insertion_order = false")
# One part file at a time through a staging table; each Defender table's structure is
# inferred (json_group_structure) from the first part that holds it.
structures = {}
for part in parts:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE raw AS "
        "SELECT r->>'category' AS category, r->'properties' AS properties "
        "FROM (SELECT unnest(json_extract(json, '$.records[*]')) AS r "
        f"FROM read_ndjson_objects('{part}', maximum_object_size = 16777216))"
    )
    for (cat,) in con.execute("SELECT DISTINCT category FROM raw").fetchall():
        table = cat.split('-', 1)[1]
        if table not in structures:
            s = con.execute("SELECT json_group_structure(properties) FROM raw WHERE category = ?", [cat]).fetchone()[0]
            structures[table] = s
            con.execute(f'CREATE TABLE "{table}" AS SELECT unnest(json_transform(properties, ?)) FROM raw WHERE category = ?', [s, cat])
        else:
            con.execute(f'INSERT INTO "{table}" SELECT unnest(json_transform(properties, ?)) FROM raw WHERE category = ?', [structures[table], cat])
con.execute("DROP TABLE raw")
con.execute("CHECKPOINT")
n = sum(con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in structures)
con.close()
print(n)
"""


def ingest_quarry(binary, parts, data, workdir):
    shutil.rmtree(data, ignore_errors=True)
    # Deleting a previous store leaves the file system work to do (freeing thousands of
    # inodes, journal commits): let it finish before the clock starts, not during the run.
    os.sync()
    time.sleep(2)
    out = workdir / "quarry-ingest.log"
    with open(out, "w") as f:
        code, wall, cpu, rss = run_measured(
            [binary, "ingest", "--data", str(data), "--tenant", TENANT, *map(str, parts)],
            stdout=f,
            stderr=subprocess.STDOUT,
        )
    text = out.read_text()
    m = re.search(r"ingested (\d+) records", text)
    if code != 0 or not m:
        raise RuntimeError(f"quarry ingest failed ({code}): {text[-2000:]}")
    n = int(m.group(1))
    return {"events": n, "wall_s": wall, "cpu_s": cpu, "peak_rss_mib": rss}


def ingest_duckdb(parts, workdir, threads):
    db = workdir / "duckdb-ingest.duckdb"
    for p in workdir.glob("duckdb-ingest.duckdb*"):
        p.unlink()
    script = workdir / "duckdb_ingest.py"
    script.write_text(DUCKDB_INGEST)
    outp = workdir / "duckdb-ingest.out"
    with open(outp, "w") as f:
        code, wall, cpu, rss = run_measured(
            [sys.executable, str(script), json.dumps([str(p) for p in parts]), str(db), str(threads)],
            stdout=f,
            stderr=subprocess.STDOUT,
        )
    text = outp.read_text()
    if code != 0:
        raise RuntimeError(f"duckdb ingest failed: {text[-2000:]}")
    n = int(text.strip().splitlines()[-1])
    size = sum(p.stat().st_size for p in workdir.glob("duckdb-ingest.duckdb*"))
    for p in workdir.glob("duckdb-ingest.duckdb*"):
        p.unlink()
    return {"events": n, "wall_s": wall, "cpu_s": cpu, "peak_rss_mib": rss, "bytes": size}


def split_lines(stream, work: Path, part_bytes: int):
    """Copies line-delimited envelopes into events-NNN.json files of about part_bytes."""
    n, size, out = 0, 0, None
    for line in stream:
        if out is None or size >= part_bytes:
            if out:
                out.close()
            out = open(work / f"events-{n:03}.json", "wb")
            n, size = n + 1, 0
        out.write(line)
        size += len(line)
    if out:
        out.close()


def warm_page_cache(data: Path) -> int:
    total = 0
    for p in data.rglob("*.parquet"):
        with open(p, "rb") as f:
            while chunk := f.read(1 << 22):
                total += len(chunk)
    return total


# --------------------------------------------------------------------------- report


def fmt_ms(s):
    if s is None:
        return "—"
    ms = s * 1000
    return f"{ms:.0f}" if ms >= 100 else f"{ms:.1f}" if ms >= 1 else f"{ms:.2f}"


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    if not xs:
        return None
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def render(report) -> str:
    systems = report["systems"]
    peers = [s for s in systems if s != "quarry"]
    m = report["machine"]
    sc = report["scale"]
    L = []
    L.append(f"## Quarry benchmark — scale `{sc['name']}`")
    L.append("")
    L.append(
        f"Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB memory; "
        f"{m['threads']} threads for every system. Dataset: {sc['devices']} devices × "
        f"{sc['days']} days × volume {sc['volume']} (seed {sc['seed']}) = "
        f"{report['ingest']['quarry']['events']:,} events. Load average at start / end: "
        f"{m['loadavg_at_start'][0]:.2f} / {m.get('loadavg_at_end', [0])[0]:.2f} "
        "(other work on the machine shows here)."
    )
    L.append("")
    L.append(
        "Timing rule: " + report["timing_rule"]
    )
    L.append("")
    ing = report["ingest"]
    gen = report.get("generate", {})
    L.append(f"### Ingestion (the same {gen.get('files', '?')} envelope files, {gen.get('bytes', 0) / 1e9:.2f} GB)")
    L.append("")
    L.append("| system | events | wall s | events/s | events/s per core (wall × cores) | events per CPU-second | peak RSS MiB |")
    L.append("|---|---:|---:|---:|---:|---:|---:|")
    for s, r in ing.items():
        if not r or "error" in r:
            L.append(f"| {s} | error: {r.get('error') if r else 'skipped'} | | | | | |")
            continue
        eps = r["events"] / r["wall_s"]
        L.append(
            f"| {s} | {r['events']:,} | {r['wall_s']:.2f} | {eps:,.0f} | "
            f"{eps / m['cores']:,.0f} | {r['events'] / max(r['cpu_s'], 1e-9):,.0f} | {r['peak_rss_mib']:.0f} |"
        )
    L.append("")
    L.append("Quarry: `quarry ingest` (write-ahead log, acknowledged when durable, then Parquet). "
             "DuckDB: per file, `read_ndjson_objects` into a staging table, then one typed table per "
             "Defender table (`json_group_structure` of its first file + `json_transform`, so times "
             "stay VARCHAR) in a DuckDB database file (memory_limit 6 GB), then CHECKPOINT. "
             "Per core: events/s divided by the machine's cores; per CPU-second: events over user+sys time.")
    L.append("")
    L.append(f"### Queries (median of {report['runs']} warm runs, ms)")
    L.append("")
    head = "| query | rows | quarry | " + " | ".join(peers) + " | " + " | ".join(
        f"quarry/{p}" for p in peers
    ) + " | quarry peak RSS MiB | check vs DuckDB |"
    L.append(head)
    L.append("|" + "---|" * (4 + 2 * len(peers) + 1))
    ratios = {p: [] for p in peers}
    for q in report["queries"]:
        res = q["results"]
        qr = res.get("quarry", {})
        cells = [q["name"], str(qr.get("rows", "—")), cell(qr)]
        for p in peers:
            cells.append(cell(res.get(p, {})))
        for p in peers:
            a, b = qr.get("median_s"), res.get(p, {}).get("median_s")
            if a and b and not res.get(p, {}).get("error"):
                r = a / b
                ratios[p].append(r)
                cells.append(f"{r:.2f}")
            else:
                cells.append("—")
        rss = q.get("quarry_cli", {}).get("peak_rss_mib")
        cells.append(f"{rss:.0f}" if rss else "—")
        cells.append(q.get("check", "—"))
        L.append("| " + " | ".join(cells) + " |")
    gm = ["**geometric mean**", "", ""]
    for p in peers:
        gm.append("")
    for p in peers:
        g = geomean(ratios[p])
        gm.append(f"**{g:.2f}** ({len(ratios[p])} q)" if g else "—")
    gm += ["", ""]
    L.append("| " + " | ".join(gm) + " |")
    L.append("")
    L.append(
        "Ratios are Quarry time / peer time (below 1: Quarry faster), over the queries both "
        "ran. `unsupported` = the peer rejected or failed the query (reason in the JSON); "
        "a peer time marked `≠` returned a different result from DuckDB's SQL twin. "
        "Quarry peak RSS is the VmHWM of one `quarry query --data` CLI run of the query "
        "(process start-up included), sampled every 5 ms."
    )
    mism = [q for q in report["queries"] if q.get("check", "").startswith("MISMATCH")]
    if mism:
        L.append("")
        L.append(f"### ⚠ {len(mism)} RESULT MISMATCH(ES) between Quarry and DuckDB")
        L.append("")
        for q in mism:
            L.append(f"- **{q['name']}**: {q.get('check_detail')}")
    errs = [
        (q["name"], s, r["error"])
        for q in report["queries"]
        for s, r in q["results"].items()
        if r.get("error")
    ]
    if errs:
        L.append("")
        L.append("### Errors and unsupported queries")
        L.append("")
        for n, s, e in errs:
            L.append(f"- {n} on {s}: {e}")
    return "\n".join(L) + "\n"


def cell(r):
    if not r:
        return "—"
    if r.get("error"):
        return "unsupported" if r.get("unsupported") else "ERROR"
    t = fmt_ms(r.get("median_s"))
    if r.get("check") and r["check"] != "ok":
        t += " ≠"
    return t


# --------------------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", choices=list(SCALES), default="default")
    ap.add_argument("--devices", type=int)
    ap.add_argument("--days", type=int)
    ap.add_argument("--volume", type=float)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--runs", type=int, help="timed warm runs per query and system")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--quarry", default=str(ROOT / "target" / "release" / "quarry"))
    ap.add_argument("--out", default=str(HERE / "out"))
    ap.add_argument("--no-peers", action="store_true", help="only Quarry and DuckDB (the checker)")
    ap.add_argument("--no-duckdb-ingest", action="store_true")
    ap.add_argument("--reuse", action="store_true", help="reuse generated data and store when present")
    ap.add_argument("--queries", help="regex over query names")
    ap.add_argument("--part-mb", type=int, default=512,
                    help="split the generated envelopes into files of about this size "
                         "(one quarry ingest argument each)")
    ap.add_argument("--strict", action="store_true", help="exit 1 on a Quarry error or mismatch")
    a = ap.parse_args()

    sc = dict(SCALES[a.scale])
    for k in ("devices", "days", "volume"):
        if getattr(a, k) is not None:
            sc[k] = getattr(a, k)
    runs = a.runs or sc["runs"]
    binary = a.quarry
    if not os.path.exists(binary):
        sys.exit(f"no Quarry binary at {binary} (cargo build --release -p quarry, or --quarry PATH)")

    work = Path(a.out) / a.scale
    work.mkdir(parents=True, exist_ok=True)
    data = work / "data"
    params = {"devices": sc["devices"], "days": sc["days"], "volume": sc["volume"], "seed": a.seed}
    stamp = work / "params.json"
    stamp_ok = a.reuse and stamp.exists() and json.loads(stamp.read_text()) == params
    reuse = stamp_ok and any(work.glob("events-*.json"))
    # The envelope files of the default scale (25 GB) may have been deleted to free the
    # disk: then --reuse reruns the queries over the store already ingested.
    store_only = (stamp_ok and not reuse and data.exists()
                  and (work / "ingest-quarry.json").exists())

    systems = ["quarry", "duckdb"] + ([] if a.no_peers else ["duckdb-kql", "chdb"])
    report = {
        "started": dt.datetime.now(dt.timezone.utc).isoformat(),
        "machine": machine_info(a.threads),
        "scale": {"name": a.scale, **params},
        "runs": runs,
        "systems": systems,
        "versions": {"quarry": subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()},
        "timing_rule": (
            "every system is already running and holds no result cache: Quarry as one "
            "`quarry serve` process timed per HTTP request (request to full JSON body), "
            "DuckDB / duckdb-kql / chdb in-process from Python, timed from submitting the "
            "query to all rows fetched. Process start-up is excluded for every system. "
            "Each query runs once unmeasured (warm-up, result check), then the median of the "
            "timed runs is reported. All systems read the same Parquet files Quarry wrote, "
            "warm in the page cache."
        ),
    }

    # 1. generate
    if reuse or store_only:
        log(f"reusing {work}/events-*.json" if reuse else f"reusing the store in {data}")
        report["generate"] = json.loads((work / "generate.json").read_text())
    else:
        log(f"generating {params} -> {work}/events-NNN.json")
        for p in work.glob("events*.json"):
            p.unlink()
        t0 = time.perf_counter()
        gen = subprocess.Popen(
            [binary, "generate", "--tenant", TENANT, "--devices", str(sc["devices"]),
             "--days", str(sc["days"]), "--seed", str(a.seed), "--volume", str(sc["volume"]),
             "--out", "-"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        split_lines(gen.stdout, work, a.part_mb << 20)
        if gen.wait() != 0:
            sys.exit("quarry generate failed")
        wall = time.perf_counter() - t0
        parts = sorted(work.glob("events-*.json"))
        report["generate"] = {"wall_s": wall, "bytes": sum(p.stat().st_size for p in parts),
                              "files": len(parts)}
        (work / "generate.json").write_text(json.dumps(report["generate"]))
        stamp.write_text(json.dumps(params))
        shutil.rmtree(data, ignore_errors=True)

    parts = sorted(work.glob("events-*.json"))

    # 2. ingest
    report["ingest"] = {}
    if (reuse or store_only) and data.exists() and (work / "ingest-quarry.json").exists():
        report["ingest"]["quarry"] = json.loads((work / "ingest-quarry.json").read_text())
    else:
        log("ingesting into Quarry")
        report["ingest"]["quarry"] = ingest_quarry(binary, parts, data, work)
        (work / "ingest-quarry.json").write_text(json.dumps(report["ingest"]["quarry"]))
    log(f"quarry ingest: {report['ingest']['quarry']}")
    if store_only:
        report["ingest"]["duckdb"] = {"error": "not run: the envelope files were deleted"}
    elif not a.no_duckdb_ingest:
        log("ingesting into DuckDB")
        try:
            report["ingest"]["duckdb"] = ingest_duckdb(parts, work, a.threads)
        except Exception as e:  # noqa: BLE001
            report["ingest"]["duckdb"] = {"error": short_error(e)}
        log(f"duckdb ingest: {report['ingest']['duckdb']}")

    # 3. queries
    log(f"warming the page cache: {warm_page_cache(data) / 1e6:.0f} MB of Parquet")
    globs = table_globs(data)
    qs = load_queries(a.queries)
    import duckdb

    report["versions"]["duckdb"] = duckdb.__version__
    peers = {"duckdb": DuckDB(globs, a.threads)}
    if not a.no_peers:
        try:
            import duckdb_kql

            report["versions"]["duckdb-kql"] = getattr(duckdb_kql, "__version__", "?")
            peers["duckdb-kql"] = DuckDBKql(globs, a.threads)
        except Exception as e:  # noqa: BLE001
            report["versions"]["duckdb-kql"] = f"unavailable: {short_error(e)}"
        try:
            import chdb

            report["versions"]["chdb"] = getattr(chdb, "__version__", "?")
            peers["chdb"] = Chdb(globs, a.threads, work)
        except Exception as e:  # noqa: BLE001
            report["versions"]["chdb"] = f"unavailable: {short_error(e)}"

    server = QuarryServer(binary, data.resolve(), work, a.threads)
    report["queries"] = []
    try:
        for q in qs:
            log(f"query {q.name}")
            entry = {"name": q.name, "results": {}}
            truth = None
            # DuckDB SQL twin: the reference result.
            for sname, sysobj in peers.items():
                r = {}
                try:
                    _, res = sysobj.run(q)
                    times = [sysobj.run(q)[0] for _ in range(runs)]
                    r = {"median_s": statistics.median(times), "times_s": times, "rows": len(res.rows)}
                    if sname == "duckdb":
                        truth = res
                    elif truth is not None:
                        diff = compare(q, res, truth)
                        r["check"] = "ok" if diff is None else "mismatch"
                        if diff:
                            r["check_detail"] = diff
                except Exception as e:  # noqa: BLE001
                    r = {"error": short_error(e), "unsupported": sname != "duckdb"}
                entry["results"][sname] = r
            # Quarry through the server.
            r = {}
            try:
                _, doc = server.run(q.kql)
                res = QuarryServer.result(doc)
                times = [server.run(q.kql)[0] for _ in range(runs)]
                r = {"median_s": statistics.median(times), "times_s": times, "rows": len(res.rows),
                     "server_peak_memory_bytes": server.peak_memory(doc)}
                if truth is not None:
                    diff = compare(q, res, truth)
                    entry["check"] = "ok" if diff is None else "MISMATCH"
                    if diff:
                        entry["check_detail"] = diff
                        log(f"  MISMATCH {q.name}: {diff}")
                else:
                    entry["check"] = "no reference"
            except Exception as e:  # noqa: BLE001
                r = {"error": short_error(e)}
                entry["check"] = "Quarry error"
            entry["results"]["quarry"] = r
            # Peak RSS: one CLI run per query.
            code, wall, cpu, rss = run_measured(
                [binary, "query", "--data", str(data), "--tenant", TENANT, "-f", str(q.path)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            entry["quarry_cli"] = {"exit": code, "wall_s": wall, "cpu_s": cpu, "peak_rss_mib": rss}
            report["queries"].append(entry)
    finally:
        server.stop()

    report["finished"] = dt.datetime.now(dt.timezone.utc).isoformat()
    report["machine"]["loadavg_at_end"] = os.getloadavg()
    md = render(report)
    (work / "results.json").write_text(json.dumps(report, indent=2))
    (work / "results.md").write_text(md)
    print(md)
    log(f"wrote {work / 'results.md'} and {work / 'results.json'}")
    bad = [q for q in report["queries"] if q.get("check") not in ("ok",)]
    if a.strict and bad:
        log(f"{len(bad)} queries failed or mismatched: {[q['name'] for q in bad]}")
        sys.exit(1)


if __name__ == "__main__":
    main()
