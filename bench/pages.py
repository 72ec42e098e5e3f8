"""Server-side cost of the main pages and API endpoints on the demo data.

Runs in-process (Django test client, no network), on a throw-away SQLite database under
/tmp (or DATABASE_URL), after `seed_demo`. For each URL: median and p95 wall time over N
requests, and the SQL statements per request. The baseline is /healthz/ measured in the
same run; the ratio column is median / baseline median. Results go to docs/bench-pages.md.

    .venv/bin/python bench/pages.py [--requests 60]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DMS_DEV", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("DMS_VAR_DIR", tempfile.mkdtemp(prefix="dms-bench-"))
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

settings.ALLOWED_HOSTS = ["*"]


def measure(client, url, n, headers=None):
    headers = headers or {}
    client.get(url, **headers)  # warm up
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url, **headers)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, **headers)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(ctx.captured_queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("seed_demo", quiet=True)
    from dms.accounts.models import ApiToken, User
    from dms.distributors.models import Contract, Distributor

    with scopes_disabled():
        d = Distributor.objects.order_by("pk").first()
        contract = Contract.objects.filter(distributor=d).first()
        admin, cm, dist = (User.objects.get(username=u) for u in ("admin", "cm_zhang", "dist1_admin"))
        token = ApiToken.issue(dist)
        staff_token = ApiToken.issue(admin)
    rows = []
    anon = Client()
    base = measure(anon, "/healthz/", args.requests)
    rows.append(("baseline: GET /healthz/", "—", base))
    cases = [
        (admin, "admin", "/backoffice/"),
        (admin, "admin", "/backoffice/distributors/"),
        (cm, "channel manager", "/backoffice/distributors/"),
        (admin, "admin", f"/backoffice/distributors/{d.pk}/"),
        (admin, "admin", "/backoffice/distributors/contracts/"),
        (admin, "admin", f"/backoffice/distributors/contracts/{contract.pk}/"),
        (admin, "admin", "/backoffice/distributors/reviews/"),
        (admin, "admin", "/backoffice/audit/"),
        (dist, "distributor", "/portal/"),
        (dist, "distributor", "/portal/qualifications/"),
    ]
    for user, who, url in cases:
        client = Client()
        client.force_login(user)
        rows.append((f"GET {url}", who, measure(client, url, args.requests)))
    api = Client()
    for who, key, url in (("admin token", staff_token, "/api/v1/distributors/?page_size=20"),
                          ("distributor token", token, "/api/v1/distributors/"),
                          ("distributor token", token, f"/api/v1/distributors/{d.pk}/contracts/")):
        rows.append((f"GET {url}", who, measure(api, url, args.requests, {"HTTP_AUTHORIZATION": f"Bearer {key}"})))

    engine = connection.vendor
    lines = [
        "# Page and API cost on the demo data",
        "",
        f"`.venv/bin/python bench/pages.py --requests {args.requests}` — in-process Django test client, "
        f"{engine} database, demo data (30 distributors), {args.requests} requests per URL after one warm-up. "
        "Times are wall-clock milliseconds inside the process (no network, no gunicorn); the ratio is the median "
        "against the /healthz/ baseline of the same run, which absorbs the machine's noise.",
        "",
        "| request | as | median ms | p95 ms | × baseline | SQL statements |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name, who, (med, p95, queries) in rows:
        lines.append(f"| {name} | {who} | {med:.1f} | {p95:.1f} | {med / base[0]:.0f} | {queries} |")
    out = ROOT / "docs" / "bench-pages.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
