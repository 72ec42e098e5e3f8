"""A small closed-loop HTTP/1.1 load generator (wrk is not installed here).

N clients, each with its own token and its own connection, send one request, wait for
the answer, send the next. Connections are kept alive unless the server closes them
(gunicorn's sync worker answers ``Connection: close`` to every request; the reconnect is
then part of the latency, as it would be for a real client). Only answers that complete
inside the measured window (after the warm-up) count. The generator reports its own CPU
time so that its share of the two cores is known.

    python bench/loadgen.py --port 8111 --kind orders --clients 32 --warmup 5 --duration 30

Kinds: ``healthz`` (GET /healthz/), ``me`` (GET /api/v1/me/, an authenticated DRF request),
``orders`` (POST /api/v1/orders/, 5 random lines, submit, Idempotency-Key), ``hot`` (the
same with one shared product on every order). Prints one JSON object.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import resource
import time
import uuid

HOST = "127.0.0.1"


def _request(kind: str, token: str, data: dict, rnd: random.Random) -> bytes:
    if kind == "healthz":
        return b"GET /healthz/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    auth = f"Authorization: Bearer {token}\r\n"
    if kind == "me":
        return f"GET /api/v1/me/ HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Accept: application/json\r\n\r\n".encode()
    picks = rnd.sample(data["products"], 5 if kind == "orders" else 4)
    lines = [{"product": pid, "quantity": multiple * rnd.randint(1, 4)} for pid, multiple in picks]
    if kind == "hot":
        lines.insert(rnd.randint(0, 4), {"product": data["hot_product"], "quantity": rnd.randint(1, 4)})
    body = json.dumps({"lines": lines, "submit": True}).encode()
    head = (f"POST /api/v1/orders/ HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Content-Type: application/json\r\n"
            f"Accept: application/json\r\nIdempotency-Key: {uuid.uuid4().hex}\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


async def _read_response(reader) -> tuple[int, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length, close = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection" and value.strip().lower() == b"close":
            close = True
    if length:
        await reader.readexactly(length)
    return status, close


async def _client(kind, token, data, seed, start_at, stop_at, results):
    rnd = random.Random(seed)
    reader = writer = None
    while True:
        payload = _request(kind, token, data, rnd)
        t0 = time.monotonic()
        if t0 >= stop_at:
            break
        if writer is None:
            reader, writer = await asyncio.open_connection(HOST, results["port"])
        writer.write(payload)
        try:
            status, close = await _read_response(reader)
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()
            reader = writer = None
            results["errors"] += 1
            continue
        t1 = time.monotonic()
        results["all_status"][status] = results["all_status"].get(status, 0) + 1
        if start_at <= t1 <= stop_at:
            results["lat"].append(t1 - t0)
            results["status"][status] = results["status"].get(status, 0) + 1
        if close:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def _run(args, tokens, data, begin):
    start_at = begin + args.warmup
    stop_at = start_at + args.duration
    results = {"lat": [], "status": {}, "all_status": {}, "errors": 0, "port": args.port}
    await asyncio.gather(*[
        _client(args.kind, tokens[i], data, args.seed * 7919 + i, start_at, stop_at, results)
        for i in range(len(tokens))
    ])
    return results


def _worker(args, tokens, data, begin, queue):
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    results = asyncio.run(_run(args, tokens, data, begin))
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    results["cpu"] = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    del results["port"]
    queue.put(results)


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--kind", choices=["healthz", "me", "orders", "hot"], required=True)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--procs", type=int, default=1, help="generator processes (clients are split)")
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--offset", type=int, default=0, help="first token to use")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", default=os.environ.get("BENCH_CLIENTS", "/tmp/dms-bench/clients.json"))
    args = parser.parse_args(argv)
    with open(args.data) as fh:
        data = json.load(fh)
    tokens = [data["tokens"][(args.offset + i) % len(data["tokens"])] for i in range(args.clients)]
    procs = max(1, min(args.procs, args.clients))
    begin = time.monotonic() + 0.2
    queue = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=_worker, args=(args, tokens[i::procs], data, begin, queue))
               for i in range(procs)]
    for w in workers:
        w.start()
    parts = [queue.get() for _ in workers]
    for w in workers:
        w.join()
    lat = sorted(x for p in parts for x in p["lat"])
    status, all_status = {}, {}
    for p in parts:
        for k, v in p["status"].items():
            status[k] = status.get(k, 0) + v
        for k, v in p["all_status"].items():
            all_status[k] = all_status.get(k, 0) + v
    print(json.dumps({
        "kind": args.kind, "clients": args.clients, "procs": procs, "duration": args.duration,
        "requests": len(lat), "rps": len(lat) / args.duration,
        "p50_ms": percentile(lat, 50) * 1000, "p95_ms": percentile(lat, 95) * 1000,
        "p99_ms": percentile(lat, 99) * 1000, "max_ms": (lat[-1] * 1000) if lat else None,
        "status": status, "all_status": all_status, "errors": sum(p["errors"] for p in parts),
        "generator_cpu_s": sum(p["cpu"] for p in parts),
    }))


if __name__ == "__main__":
    main()
