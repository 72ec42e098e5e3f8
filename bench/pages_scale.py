"""Portal and back-office order pages with 1,000,000 orders in the database.

    .venv/bin/python bench/pages_scale.py [--orders 1000000] [--requests 60]

Uses the benchmark database of bench/orders.py (bench/benchdb.py; created and loaded if
missing), adds ``--orders`` historical orders with two lines each in SQL
(``INSERT … SELECT … FROM generate_series``, not through the ORM — a million orders load
in about a minute), spread evenly over the 1,000 distributors and two years, then measures
in-process (Django test client, production-like settings, PostgreSQL) the server time of

* the portal catalogue and order list (and a later page, and a status filter) for a
  distributor user,
* the back-office order list for an administrator,

as median and p95 over ``--requests`` requests after two warm-up ones, with the SQL
statements of one request and the slowest one with its time. /healthz/ in the same run
is the baseline. Historical orders are completed (or cancelled): they hold no stock, so
the benchmark's stock checks still hold.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb  # noqa: E402

MARK = "HX"  # number prefix of the generated orders

ORDERS_SQL = """
INSERT INTO orders_order (number, distributor_id, warehouse_id, status, currency, subtotal_amount,
    discount_amount, total_amount, note, status_reason, idempotency_key, request_hash, created_at,
    submitted_at, approved_at, shipped_at, delivered_at, completed_at, updated_at, created_by_id)
SELECT '{mark}' || lpad(g::text, 10, '0'),
       d.ids[1 + g % d.n],
       w.ids[1 + g % w.n],
       CASE WHEN g % 20 = 0 THEN 'cancelled' ELSE 'completed' END,
       'CNY', 100 + g % 5000, 0, 100 + g % 5000, '', '', NULL, '',
       t, t, t, CASE WHEN g % 20 = 0 THEN NULL ELSE t + interval '1 day' END,
       CASE WHEN g % 20 = 0 THEN NULL ELSE t + interval '3 days' END,
       CASE WHEN g % 20 = 0 THEN NULL ELSE t + interval '4 days' END, t, NULL
FROM generate_series({start}, {stop}) g
CROSS JOIN (SELECT array_agg(id ORDER BY id) ids, count(*)::int n FROM distributors_distributor) d
CROSS JOIN (SELECT array_agg(id ORDER BY id) ids, count(*)::int n FROM inventory_warehouse) w
CROSS JOIN LATERAL (SELECT now() - interval '1 day' - (g * interval '63 seconds') AS t) ts
"""

LINES_SQL = """
INSERT INTO orders_orderline (order_id, product_id, quantity, unit_price, discount_amount, amount,
    shipped_quantity, returned_quantity, promotion_id)
SELECT o.id, p.ids[1 + (o.id * 7 + k * 13) % p.n], q, 50, 0, 50 * q,
       CASE WHEN o.status = 'completed' THEN q ELSE 0 END, 0, NULL
FROM orders_order o
CROSS JOIN generate_series(1, 2) k
CROSS JOIN (SELECT array_agg(id ORDER BY id) ids, count(*)::int n FROM catalog_product) p
CROSS JOIN LATERAL (SELECT 1 + (o.id + k) % 5 AS q) qq
WHERE o.number LIKE '{mark}%%' AND o.id > {after}
"""


def load_orders(target: int):
    db = benchdb.DB_NAME
    have = int(benchdb.psql(f"SELECT count(*) FROM orders_order WHERE number LIKE '{MARK}%'", db))
    if have >= target:
        print(f"{have} generated orders already loaded", flush=True)
        return
    started = time.monotonic()
    after = int(benchdb.psql("SELECT coalesce(max(id), 0) FROM orders_order", db))
    step = 250_000
    for start in range(have + 1, target + 1, step):
        stop = min(start + step - 1, target)
        benchdb.psql(ORDERS_SQL.format(mark=MARK, start=start, stop=stop), db)
        print(f"  orders {stop:,}", flush=True)
    benchdb.psql(LINES_SQL.format(mark=MARK, after=after).replace("%%", "%"), db)
    benchdb.psql("VACUUM ANALYZE orders_order", db)
    benchdb.psql("VACUUM ANALYZE orders_orderline", db)
    total = benchdb.psql("SELECT count(*) FROM orders_order", db)
    print(f"loaded {target - have:,} orders (+2 lines each) in {time.monotonic() - started:.0f}s; "
          f"{int(total):,} orders in the database", flush=True)


def measure(client, url, n):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]), default={"sql": "", "time": "0"})
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return statistics.median(times), p95, len(ctx.captured_queries), slowest


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--show-sql", action="store_true", help="print the slowest statement of each page")
    args = parser.parse_args()
    benchdb.setup()
    load_orders(args.orders)
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # pages added since the database was made

    from django.conf import settings
    from django.test import Client
    from django_scopes import scopes_disabled

    from dms.accounts.models import User

    settings.DEBUG = False
    with scopes_disabled():
        dist_user = User.objects.select_related("distributor").get(username="bench0042")
        admin, _created = User.objects.get_or_create(username="bench_admin", defaults={
            "is_superuser": True, "is_staff": True, "email": "bench_admin@example.com"})
        from django.contrib.auth.models import Group

        admin.groups.add(Group.objects.get(name="admin"))
        count = dist_user.distributor.orders.count()
    portal, office, anon = Client(), Client(), Client()
    portal.force_login(dist_user)
    office.force_login(admin)
    for c in (portal, office, anon):
        c.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    cases = [
        (anon, "—", "/healthz/"),
        (portal, "distributor", "/portal/catalogue/"),
        (portal, "distributor", "/portal/catalogue/?q=压测产品01"),
        (portal, "distributor", "/portal/orders/"),
        (portal, "distributor", "/portal/orders/?page=20"),
        (portal, "distributor", "/portal/orders/?status=cancelled"),
        (office, "admin", "/backoffice/orders/"),
        (office, "admin", "/backoffice/orders/?page=500"),
        (office, "admin", "/backoffice/orders/?status=cancelled"),
        (office, "admin", "/backoffice/orders/?q=HX0000500000"),
    ]
    total = benchdb.psql("SELECT count(*) FROM orders_order", benchdb.DB_NAME)
    print(f"\n{int(total):,} orders in the database; the distributor user's distributor has {count:,}; "
          f"{args.requests} requests per URL, in-process, PostgreSQL\n")
    print("| page | as | median ms | p95 ms | SQL statements | slowest statement ms |")
    print("|---|---|---:|---:|---:|---:|")
    for client, who, url in cases:
        try:
            median, p95, queries, slowest = measure(client, url, args.requests)
        except AssertionError as exc:
            print(f"| `{url}` | {who} | failed: {exc} | | | |", flush=True)
            continue
        print(f"| `{url}` | {who} | {median:.1f} | {p95:.1f} | {queries} | {float(slowest['time']) * 1000:.1f} |",
              flush=True)
        if args.show_sql and slowest["sql"]:
            print("    slowest:", " ".join(slowest["sql"].split())[:400], flush=True)


if __name__ == "__main__":
    main()
