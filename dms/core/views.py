from django.conf import settings
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """The process is alive."""
    return JsonResponse({"status": "ok"})


def _check_database():
    conn = connections.create_connection("default")
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(conn)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        return "ok" if not plan else f"{len(plan)} migrations not applied"
    finally:
        conn.close()


def _check_broker():
    if not settings.CELERY_BROKER_CONFIGURED:
        return "not configured"
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


@never_cache
def readyz(request):
    """Ready for traffic: a fresh database connection works, migrations are applied and
    the broker answers when one is configured. 503 otherwise."""
    checks = {}
    for name, check in (("database", _check_database), ("broker", _check_broker)):
        try:
            checks[name] = check()
        except Exception as exc:  # noqa: BLE001 - any failure means not ready
            checks[name] = f"error: {exc.__class__.__name__}"
    ok = all(v in ("ok", "not configured") for v in checks.values())
    return JsonResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503)


def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin)."""
    from django.templatetags.static import static

    return redirect(static("img/favicon.svg"), permanent=True)


def home(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if request.user.distributor_id:
        return redirect("portal:dashboard")
    return redirect("backoffice:dashboard")
