from celery import shared_task
from django_scopes import scopes_disabled


@shared_task
def evaluate_stock_task(pairs: list[list[int]]) -> None:
    from .services import evaluate_stock

    with scopes_disabled():
        evaluate_stock([tuple(p) for p in pairs])
