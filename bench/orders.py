"""The order-path benchmark: POST /api/v1/orders/ through gunicorn on PostgreSQL.

    .venv/bin/python bench/orders.py                       # 2 sync workers, the default scenarios
    .venv/bin/python bench/orders.py --worker-class gthread --threads 2
    .venv/bin/python bench/orders.py --prepared            # DB_PREPARED_STATEMENTS=1
    .venv/bin/python bench/orders.py --reload              # drop and reload the data set first

1. Creates the dedicated database ``dms_bench`` (bench/benchdb.py: 1,000 distributors,
   2,000 products, price lists, promotions, stock, one token per distributor) unless it
   is already loaded.
2. Counts the SQL statements of one order (and of the baselines) in-process with a
   ``connection.execute_wrapper`` around a Django test-client request.
3. Starts gunicorn (``config.wsgi``) with production-like settings (DEBUG and DMS_DEV off,
   Redis cache, persistent connections with health checks, auto-approval without a limit).
4. Drives it with bench/loadgen.py: /healthz/ and GET /api/v1/me/ (authenticated DRF, one
   SELECT) as baselines, then 5-line submitted orders with N = 1, 8, 32 clients and the
   hot-product scenario (one shared SKU in every order) at N = 32 — warm-up, then
   ``--duration`` seconds each.
5. Checks the 201 answers against the orders inserted, that every order was approved,
   that reserved stock equals the ledger and the open order lines, and counts the
   database sessions opened during each scenario (``pg_stat_database.sessions``) — with
   persistent connections that is 0 once the workers are warm.

Prints a Markdown table and appends every result to /tmp/dms-bench/results.jsonl.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb  # noqa: E402

ROOT = benchdb.ROOT
SCENARIOS = {
    "healthz": ("healthz", 32),
    "me": ("me", 32),
    "orders1": ("orders", 1),
    "orders8": ("orders", 8),
    "orders32": ("orders", 32),
    "hot32": ("hot", 32),
}


def _server_env(args) -> dict:
    env = {**os.environ, **benchdb.bench_env()}
    env["DB_PREPARED_STATEMENTS"] = "1" if args.prepared else "0"
    return env


# --- statements per request, in-process --------------------------------------------

def count_statements(clients: dict, show: bool = False) -> dict:
    """SQL statements of one request of each kind, counted around a test-client request
    (after two warm-up requests, so that per-process caches are as in a warm worker)."""
    import random
    import uuid

    from django.db import connection
    from django.test import Client

    rnd = random.Random(3)
    token = clients["tokens"][-1]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT": "application/json"}
    client = Client()

    def order_body(hot=False):
        picks = rnd.sample(clients["products"], 4 if hot else 5)
        lines = [{"product": pid, "quantity": m} for pid, m in picks]
        if hot:
            lines.append({"product": clients["hot_product"], "quantity": 1})
        return {"lines": lines, "submit": True}

    def post_order(hot=False):
        return client.post("/api/v1/orders/", order_body(hot), content_type="application/json",
                           headers={"Idempotency-Key": uuid.uuid4().hex}, **headers)

    requests = {
        "healthz": lambda: client.get("/healthz/"),
        "me": lambda: client.get("/api/v1/me/", **headers),
        "orders": post_order,
        "hot": lambda: post_order(hot=True),
    }
    out = {}
    for name, call in requests.items():
        call()
        call()
        statements = []

        def wrapper(execute, sql, params, many, context, statements=statements):
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(wrapper):
            response = call()
        out[name] = {"status": response.status_code, "statements": len(statements)}
        if name == "orders":
            out[name]["body"] = response.content[:300].decode(errors="replace")
        if show:
            print(f"-- {name}: HTTP {response.status_code}, {len(statements)} statements", flush=True)
            for sql in statements:
                print("   ", " ".join(sql.split())[:160], flush=True)
    connection.close()
    return out


# --- gunicorn ------------------------------------------------------------------------

def start_server(args) -> subprocess.Popen:
    cmd = [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{args.port}", "-w", str(args.workers),
           "-k", args.worker_class, "--threads", str(args.threads), "--backlog", "2048", "--keep-alive", "30",
           "--error-logfile", str(benchdb.WORK / "gunicorn.log"), "--log-level", "warning"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=_server_env(args), start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz/", timeout=1) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    raise SystemExit("gunicorn did not start; see " + str(benchdb.WORK / "gunicorn.log"))


def stop_server(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


# --- database checks -----------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pids) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICK


def server_pids(master: int) -> list[int]:
    pids = [master]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    return pids


def backend_pids() -> list[int]:
    rows = benchdb.psql(f"SELECT pid FROM pg_stat_activity WHERE datname = '{benchdb.DB_NAME}' "
                        "AND backend_type = 'client backend' AND pid <> pg_backend_pid()")
    return [int(x) for x in rows.split()]


def db_counters() -> dict:
    row = benchdb.psql(
        f"SELECT sessions, numbackends, xact_commit FROM pg_stat_database WHERE datname = '{benchdb.DB_NAME}'")
    sessions, backends, commits = (int(x) for x in row.split("|"))
    orders = int(benchdb.psql("SELECT count(*) FROM orders_order", benchdb.DB_NAME))
    return {"sessions": sessions, "backends": backends, "commits": commits, "orders": orders}


def integrity() -> dict:
    q = benchdb.psql
    db = benchdb.DB_NAME
    return {
        "statuses": q("SELECT string_agg(status || '=' || n, ',') FROM "
                      "(SELECT status, count(*) n FROM orders_order GROUP BY status) s", db),
        "reserved": int(q("SELECT coalesce(sum(reserved), 0) FROM inventory_stocklevel", db)),
        "ledger_reserved": int(q("SELECT coalesce(sum(reserved_delta), 0) FROM inventory_stockmove", db)),
        "open_line_qty": int(q("SELECT coalesce(sum(l.quantity), 0) FROM orders_orderline l JOIN orders_order o "
                               "ON o.id = l.order_id WHERE o.status IN ('submitted', 'approved')", db)),
        "oversold": int(q("SELECT count(*) FROM inventory_stocklevel WHERE reserved > on_hand", db)),
        "events": int(q("SELECT count(*) FROM orders_orderevent", db)),
        "audit": int(q("SELECT count(*) FROM audit_auditlog WHERE model = 'orders.order'", db)),
    }


# --- scenarios -----------------------------------------------------------------------

def loadgen(args, kind, clients, offset, warmup, duration) -> dict:
    cmd = [sys.executable, str(ROOT / "bench/loadgen.py"), "--port", str(args.port), "--kind", kind,
           "--clients", str(clients), "--warmup", str(warmup), "--duration", str(duration),
           "--offset", str(offset), "--procs", str(args.procs), "--data", str(benchdb.TOKENS_FILE)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_scenario(args, name: str, offset: int) -> dict:
    kind, clients = SCENARIOS[name]
    before = db_counters()
    app_pids, pg_pids = server_pids(args.server_pid), backend_pids()
    app0, pg0 = _cpu_seconds(app_pids), _cpu_seconds(pg_pids)
    result = loadgen(args, kind, clients, offset, args.warmup, args.duration)
    app1, pg1 = _cpu_seconds(app_pids), _cpu_seconds(pg_pids)
    after = db_counters()
    answered = sum(result["all_status"].values())
    result.update(
        app_cpu_ms=(app1 - app0) / answered * 1000, pg_cpu_ms=(pg1 - pg0) / answered * 1000,
        scenario=name,
        # minus the one session db_counters() itself opened after reading the counter
        new_db_sessions=after["sessions"] - before["sessions"] - 1,
        backends_after=after["backends"],
        orders_inserted=after["orders"] - before["orders"],
        created_201=result["all_status"].get("201", 0),
    )
    return result


def fmt_row(r: dict, base: dict | None) -> str:
    ratio = f"{base['rps'] / r['rps']:.1f}" if base and r["rps"] else "—"
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(r["status"].items()))
    return (f"| {r['scenario']} | {r['clients']} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {ratio} | {statuses} | {r['new_db_sessions']} | "
            f"{r['app_cpu_ms']:.2f} | {r['pg_cpu_ms']:.2f} | {r['generator_cpu_s'] / max(r['requests'], 1) * 1e3:.2f} |")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reload", action="store_true", help="drop and reload the benchmark database")
    parser.add_argument("--port", type=int, default=8111)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--prepared", action="store_true", help="DB_PREPARED_STATEMENTS=1 in the server")
    parser.add_argument("--procs", type=int, default=1, help="load-generator processes")
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--label", default="")
    parser.add_argument("--show-sql", action="store_true")
    args = parser.parse_args()
    os.environ["DB_PREPARED_STATEMENTS"] = "1" if args.prepared else "0"
    clients = benchdb.setup(force=args.reload)

    statements = count_statements(clients, show=args.show_sql)
    print("statements per request:", json.dumps({k: v["statements"] for k, v in statements.items()}), flush=True)
    wanted = [s for s in args.scenarios.split(",") if s]
    if any(SCENARIOS[s][0] in ("orders", "hot") for s in wanted) and statements["orders"]["status"] != 201:
        raise SystemExit(f"POST /api/v1/orders/ answered {statements['orders']}")

    label = args.label or (f"{args.workers}x{args.worker_class}"
                           + (f"/{args.threads}t" if args.threads > 1 or args.worker_class == "gthread" else "")
                           + (" prepared" if args.prepared else ""))
    server = start_server(args)
    results = []
    try:
        args.server_pid = server.pid
        loadgen(args, "me", 32, 500, 0, 3)  # every worker (thread) opens its connection before measuring
        for i, name in enumerate(wanted):
            r = run_scenario(args, name, offset=(i * 97) % 1000)
            r.update(label=label, statements=statements.get(SCENARIOS[name][0], {}).get("statements"))
            results.append(r)
            print(json.dumps({k: r[k] for k in ("scenario", "rps", "p50_ms", "p95_ms", "p99_ms", "status",
                                                 "app_cpu_ms", "pg_cpu_ms",
                                                 "new_db_sessions", "orders_inserted", "created_201",
                                                 "generator_cpu_s")}), flush=True)
    finally:
        stop_server(server)
    checks = integrity()
    with open(benchdb.WORK / "results.jsonl", "a") as fh:
        for r in results:
            fh.write(json.dumps({**r, "integrity": checks, "at": time.strftime("%Y-%m-%d %H:%M:%S")}) + "\n")

    base = next((r for r in results if r["scenario"] == "me"), None)
    print(f"\n{label}; statements per request: "
          + ", ".join(f"{k} {v['statements']}" for k, v in statements.items()))
    print("| scenario | clients | req/s | p50 ms | p95 ms | p99 ms | × slower than /me | answers | new DB sessions "
          "| app CPU ms/req | PostgreSQL CPU ms/req | generator CPU ms/req |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|")
    for r in results:
        print(fmt_row(r, base))
    mismatched = [r["scenario"] for r in results if r["scenario"].startswith(("orders", "hot"))
                  and r["orders_inserted"] != r["created_201"]]
    print("\nintegrity:", json.dumps(checks))
    print("201 answers = orders inserted:", "yes" if not mismatched else f"NO ({mismatched})")
    ok = checks["reserved"] == checks["ledger_reserved"] == checks["open_line_qty"] and not checks["oversold"]
    print("reserved = ledger = open order lines, nothing oversold:", "yes" if ok else "NO")


if __name__ == "__main__":
    main()
