"""The benchmark database: settings, creation and the data set shared by bench/orders.py
and bench/pages_scale.py.

Everything runs against a dedicated PostgreSQL database (``dms_bench`` by default), never
the project's own one. ``configure()`` must run before Django is imported; ``load()``
fills a freshly migrated database with

* 3 warehouses serving the provinces between them (one is the default),
* 1,000 active distributors (30 % tier 1, 70 % tier 2) spread over every province,
  each with one portal user (distributor administrator) and one API token,
* 2,000 active products (every tenth one ordered in multiples of 6), a base price list,
  one price list per tier, a distributor price list for 200 distributors, 10 running
  promotions, stock in every warehouse (received through the ledger) and reorder rules
  that the benchmark never crosses.

Bulk inserts, not services: the loader builds a data set, it does not exercise the code
under test. The ledger invariant (on hand = sum of the moves) holds for what it writes.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "dms_bench")
WORK = Path(os.environ.get("BENCH_DIR", "/tmp/dms-bench"))
TOKENS_FILE = WORK / "clients.json"
HOT_SKU = "BENCH-HOT"
N_DISTRIBUTORS = 1000
N_PRODUCTS = 2000


def bench_env(**extra) -> dict:
    """The environment of every benchmark process (the loader, gunicorn, in-process runs):
    production-like — DEBUG and DMS_DEV off, a secret key, Redis cache (the documented
    production set-up; the throttle lives in it), auto-approval without an amount limit."""
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": f"{PG_SERVER}/{DB_NAME}",
        "SECRET_KEY": "bench-not-secret-0123456789abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "0",
        "DMS_DEV": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DMS_VAR_DIR": str(WORK / "var"),
        "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/9"),
        "ORDER_AUTO_APPROVE": "1",
        "ORDER_AUTO_APPROVE_LIMIT": "",
        # The per-user throttle still runs (same cost), but never answers 429 to a client
        # that a busy keep-alive thread happens to serve 100 times a second.
        "API_RATE": "1000000/min",
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    env.update(extra)
    return env


def configure(**extra):
    WORK.mkdir(parents=True, exist_ok=True)
    os.environ.update(bench_env(**extra))  # never the caller's DATABASE_URL
    sys.path.insert(0, str(ROOT))


def psql(sql: str, db: str = "postgres") -> str:
    out = subprocess.run(["psql", f"{PG_SERVER}/{db}", "-XAtqc", sql], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def database_exists() -> bool:
    return psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'") == "1"


def recreate_database():
    psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB_NAME}")


def migrate():
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def _credit_code(i: int) -> str:
    from dms.distributors.validators import USCC_ALPHABET, uscc_check_char

    body = f"91{i:06d}" + "".join(USCC_ALPHABET[(i * 7 + k * 13) % len(USCC_ALPHABET)] for k in range(9))
    return body + uscc_check_char(body)


def _districts() -> list[str]:
    """One district code per province (valid region codes)."""
    from dms.core import regions

    out = []
    for code, _name in regions.provinces():
        node = code
        while True:
            kids = regions.children(node)
            if not kids:
                break
            node = kids[0][0]
        out.append(node)
    return out


def load(seed: int = 7) -> dict:
    """Fill the (migrated, empty) benchmark database; returns what the clients need."""
    import random
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from dms.accounts.models import ApiToken, User
    from dms.catalog.models import PriceList, PriceListItem, Product, Promotion
    from dms.distributors.models import Distributor, Tier
    from dms.inventory.models import ReorderRule, StockLevel, StockMove, Warehouse

    rnd = random.Random(seed)
    started = time.monotonic()
    today = timezone.localdate()
    now = timezone.now()
    with scopes_disabled(), transaction.atomic():
        districts = _districts()
        thirds = [districts[i::3] for i in range(3)]
        warehouses = Warehouse.objects.bulk_create([
            Warehouse(code=f"WH{i + 1}", name=f"仓库{i + 1}", provinces=[d[:2] for d in thirds[i]], is_default=i == 0)
            for i in range(3)
        ])
        tiers = {t.level: t for t in Tier.objects.all()}
        distributors = Distributor.objects.bulk_create([
            Distributor(code=f"B{i:05d}", name=f"压测经销商{i:04d}", credit_code=_credit_code(i),
                        tier=tiers[1] if i % 10 < 3 else tiers[2], region_code=districts[i % len(districts)],
                        status=Distributor.Status.ACTIVE, status_changed_at=now)
            for i in range(N_DISTRIBUTORS)
        ])
        password = make_password("Bench-pass-123")
        users = User.objects.bulk_create([
            User(username=f"bench{i:04d}", email=f"bench{i:04d}@example.com", password=password, distributor=d)
            for i, d in enumerate(distributors)
        ])
        group = Group.objects.get(name="distributor_admin")
        User.groups.through.objects.bulk_create([User.groups.through(user=u, group=group) for u in users])
        tokens = [ApiToken.issue(u) for u in users]

        products = Product.objects.bulk_create([
            Product(sku=HOT_SKU if i == 0 else f"BENCH-{i:05d}", name=f"压测产品{i:05d}", unit="箱",
                    base_price=Decimal(rnd.randrange(1000, 50000)) / 100, multiple=6 if i % 10 == 9 else 1,
                    moq=6 if i % 10 == 9 else 1)
            for i in range(N_PRODUCTS)
        ])
        base = PriceList.objects.create(name="基础价", kind=PriceList.Kind.BASE, valid_from=today.replace(day=1))
        tier_lists = [PriceList.objects.create(name=f"{t.name}价", kind=PriceList.Kind.TIER, tier=t,
                                               valid_from=today.replace(day=1)) for t in tiers.values()]
        items = [PriceListItem(price_list=base, product=p, price=p.base_price) for p in products]
        for k, pl in enumerate(tier_lists):
            factor = Decimal("0.85") if k == 0 else Decimal("0.92")
            items += [PriceListItem(price_list=pl, product=p, price=(p.base_price * factor).quantize(Decimal("0.01")))
                      for p in products]
        for d in distributors[::5]:
            pl = PriceList.objects.create(name=f"{d.code} 专享价", kind=PriceList.Kind.DISTRIBUTOR, distributor=d,
                                          valid_from=today.replace(day=1))
            items += [PriceListItem(price_list=pl, product=p, price=(p.base_price * Decimal("0.8")).quantize(
                Decimal("0.01"))) for p in rnd.sample(products, 20)]
        PriceListItem.objects.bulk_create(items, batch_size=5000)
        for k in range(10):
            promo = Promotion.objects.create(name=f"压测促销{k}", rule=Promotion.Rule.PERCENT_OFF, value=Decimal(5),
                                             starts_at=now - timezone.timedelta(days=1),
                                             ends_at=now + timezone.timedelta(days=365))
            promo.products.set(rnd.sample(products, 10))
            if k % 2:
                promo.tiers.set([tiers[1]])

        levels, moves, rules = [], [], []
        for w in warehouses:
            for p in products:
                qty = 1_000_000_000 if p.sku == HOT_SKU else 10_000_000
                levels.append(StockLevel(warehouse=w, product=p, on_hand=qty))
                moves.append(StockMove(warehouse=w, product=p, kind=StockMove.Kind.RECEIPT, on_hand_delta=qty,
                                       reference="BENCH-LOAD", reason="benchmark data", created_at=now))
            rules += [ReorderRule(warehouse=w, product=p, reorder_point=1000, target_level=5000)
                      for p in products[::4]]
        StockLevel.objects.bulk_create(levels, batch_size=5000)
        StockMove.objects.bulk_create(moves, batch_size=5000)
        ReorderRule.objects.bulk_create(rules, batch_size=5000)

    clients = {
        "tokens": tokens,
        "products": [[p.pk, p.multiple] for p in products if p.sku != HOT_SKU],
        "hot_product": products[0].pk,
    }
    TOKENS_FILE.write_text(json.dumps(clients))
    with transaction.atomic():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"loaded {N_DISTRIBUTORS} distributors, {N_PRODUCTS} products in {time.monotonic() - started:.1f}s",
          flush=True)
    return clients


def setup(force: bool = False):
    """Create, migrate and load the benchmark database unless it is already there."""
    configure()
    if not force and database_exists() and TOKENS_FILE.exists():
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)  # migrations added since the data set was loaded
        return json.loads(TOKENS_FILE.read_text())
    recreate_database()
    import django

    django.setup()
    migrate()
    return load()


if __name__ == "__main__":
    setup(force="--reload" in sys.argv)
