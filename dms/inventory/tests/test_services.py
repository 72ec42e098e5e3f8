"""The stock services: every change keeps on hand and reserved equal to the ledger sums,
and a change that would make either negative (or reserve more than is on hand) is
refused with InsufficientStock, writing nothing."""

import pytest

from dms.core.errors import ValidationFailed
from dms.core.testing.factories import ProductFactory, WarehouseFactory, default_warehouse
from dms.inventory import services
from dms.inventory.models import StockDocument, StockLevel, StockMove
from dms.inventory.selectors import ledger_differences
from dms.inventory.services import InsufficientStock

pytestmark = pytest.mark.django_db


def level(wh, product):
    lv = StockLevel.objects.filter(warehouse=wh, product=product).first()
    return (lv.on_hand, lv.reserved) if lv else None


def assert_ledger_matches():
    checked, bad = ledger_differences()
    assert bad == []
    assert checked == StockLevel.objects.count()


@pytest.fixture
def wh():
    return default_warehouse()


@pytest.fixture
def p1():
    return ProductFactory(sku="P1")


@pytest.fixture
def p2():
    return ProductFactory(sku="P2")


def test_receipt_adds_to_on_hand_with_a_document(wh, p1, p2, admin_user):
    doc = services.record_receipt(warehouse=wh, lines={p1.pk: 10, p2.pk: 4}, actor=admin_user, supplier="ACME")
    assert doc.kind == StockDocument.Kind.RECEIPT and doc.lines.count() == 2
    assert level(wh, p1) == (10, 0) and level(wh, p2) == (4, 0)
    moves = StockMove.objects.filter(reference=doc.number)
    assert {(m.product_id, m.kind, m.on_hand_delta, m.actor_id) for m in moves} == {
        (p1.pk, "receipt", 10, admin_user.pk), (p2.pk, "receipt", 4, admin_user.pk)}
    assert_ledger_matches()


def test_receipt_refuses_zero_negative_and_empty(wh, p1):
    for lines in ({}, {p1.pk: 0}, {p1.pk: -1}):
        with pytest.raises(ValidationFailed):
            services.record_receipt(warehouse=wh, lines=lines)
    assert not StockMove.objects.exists() and not StockDocument.objects.exists()


def test_adjust_both_ways_and_refuse_below_zero(wh, p1):
    services.record_receipt(warehouse=wh, lines={p1.pk: 5})
    move = services.adjust_stock(warehouse=wh, product_id=p1.pk, quantity=-2, reason="damaged")
    assert (move.kind, move.on_hand_delta, move.reason) == ("adjustment", -2, "damaged")
    services.adjust_stock(warehouse=wh, product_id=p1.pk, quantity=4, reason="found")
    assert level(wh, p1) == (7, 0)
    moves_before = StockMove.objects.count()
    with pytest.raises(InsufficientStock) as err:
        services.adjust_stock(warehouse=wh, product_id=p1.pk, quantity=-8, reason="lost")
    assert err.value.status == 409 and err.value.code == "insufficient_stock"
    assert err.value.short == [{"product": p1.pk, "sku": "P1", "requested": 8, "available": 7}]
    assert level(wh, p1) == (7, 0) and StockMove.objects.count() == moves_before
    assert_ledger_matches()


def test_adjust_needs_a_reason_and_a_quantity(wh, p1):
    with pytest.raises(ValidationFailed) as err:
        services.adjust_stock(warehouse=wh, product_id=p1.pk, quantity=3, reason="  ")
    assert "reason" in err.value.fields
    with pytest.raises(ValidationFailed):
        services.adjust_stock(warehouse=wh, product_id=p1.pk, quantity=0, reason="x")
    with pytest.raises(InsufficientStock):  # never stocked: nothing to take away
        services.adjust_stock(warehouse=wh, product_id=p1.pk, quantity=-1, reason="x")
    assert not StockMove.objects.exists()


def test_adjust_cannot_take_reserved_stock(wh, p1):
    services.record_receipt(warehouse=wh, lines={p1.pk: 5})
    services.reserve(warehouse_id=wh.pk, lines={p1.pk: 4}, reference="SO1")
    with pytest.raises(InsufficientStock):
        services.adjust_stock(warehouse=wh, product_id=p1.pk, quantity=-2, reason="x")
    assert level(wh, p1) == (5, 4)
    assert_ledger_matches()


def test_reserve_ship_release(wh, p1, p2):
    services.record_receipt(warehouse=wh, lines={p1.pk: 10, p2.pk: 10})
    services.reserve(warehouse_id=wh.pk, lines={p1.pk: 6, p2.pk: 2}, reference="SO1")
    assert level(wh, p1) == (10, 6)
    services.ship(warehouse_id=wh.pk, lines={p1.pk: 4}, reference="SH1")
    assert level(wh, p1) == (6, 2)
    services.release(warehouse_id=wh.pk, lines={p1.pk: 2, p2.pk: 2}, reference="SO1")
    assert level(wh, p1) == (6, 0) and level(wh, p2) == (10, 0)
    assert_ledger_matches()


def test_reserve_is_all_or_nothing(wh, p1, p2):
    from django.db import transaction

    services.record_receipt(warehouse=wh, lines={p1.pk: 10, p2.pk: 1})
    moves = StockMove.objects.count()
    # reserve runs inside the caller's transaction, which the exception rolls back
    with pytest.raises(InsufficientStock) as err, transaction.atomic():
        services.reserve(warehouse_id=wh.pk, lines={p1.pk: 5, p2.pk: 2}, reference="SO1")
    assert err.value.short == [{"product": p2.pk, "sku": "P2", "requested": 2, "available": 1}]
    assert level(wh, p1) == (10, 0) and level(wh, p2) == (1, 0)
    assert StockMove.objects.count() == moves


def test_ship_and_release_refuse_more_than_reserved(wh, p1):
    services.record_receipt(warehouse=wh, lines={p1.pk: 10})
    services.reserve(warehouse_id=wh.pk, lines={p1.pk: 3}, reference="SO1")
    count = StockMove.objects.count()
    with pytest.raises(InsufficientStock):
        services.ship(warehouse_id=wh.pk, lines={p1.pk: 4}, reference="SH1")
    with pytest.raises(InsufficientStock):
        services.release(warehouse_id=wh.pk, lines={p1.pk: 4}, reference="SO1")
    assert level(wh, p1) == (10, 3) and StockMove.objects.count() == count
    assert_ledger_matches()


def test_return_goes_back_into_stock(wh, p1):
    services.receive_return(warehouse_id=wh.pk, lines={p1.pk: 2}, reference="RT1", reason="wrong colour")
    assert level(wh, p1) == (2, 0)
    assert StockMove.objects.get(reference="RT1").kind == "return"
    assert_ledger_matches()


def test_count_replaces_on_hand_through_adjustments(wh, p1, p2):
    p3 = ProductFactory(sku="P3")
    services.record_receipt(warehouse=wh, lines={p1.pk: 10, p2.pk: 5})
    services.reserve(warehouse_id=wh.pk, lines={p2.pk: 2}, reference="SO1")
    doc = services.record_count(warehouse=wh, counted={p1.pk: 8, p2.pk: 5, p3.pk: 1}, note="monthly")
    assert level(wh, p1) == (8, 0) and level(wh, p2) == (5, 2) and level(wh, p3) == (1, 0)
    assert {(line.product_id, line.expected, line.quantity) for line in doc.lines.all()} == {
        (p1.pk, 10, 8), (p2.pk, 5, 5), (p3.pk, 0, 1)}
    assert sorted(StockMove.objects.filter(reference=doc.number).values_list("on_hand_delta", flat=True)) == [-2, 1]
    assert_ledger_matches()


def test_count_below_reserved_is_refused_and_writes_nothing(wh, p1):
    services.record_receipt(warehouse=wh, lines={p1.pk: 10})
    services.reserve(warehouse_id=wh.pk, lines={p1.pk: 6}, reference="SO1")
    moves, docs = StockMove.objects.count(), StockDocument.objects.count()
    with pytest.raises(InsufficientStock):
        services.record_count(warehouse=wh, counted={p1.pk: 5})
    assert level(wh, p1) == (10, 6)
    assert (StockMove.objects.count(), StockDocument.objects.count()) == (moves, docs)


def test_transfer_moves_available_stock(wh, p1):
    target = WarehouseFactory()
    services.record_receipt(warehouse=wh, lines={p1.pk: 10})
    services.reserve(warehouse_id=wh.pk, lines={p1.pk: 4}, reference="SO1")
    doc = services.transfer_stock(source=wh, target=target, lines={p1.pk: 6})
    assert level(wh, p1) == (4, 4) and level(target, p1) == (6, 0)
    kinds = dict(StockMove.objects.filter(reference=doc.number).values_list("kind", "on_hand_delta"))
    assert kinds == {"transfer_out": -6, "transfer_in": 6}
    assert_ledger_matches()


def test_transfer_more_than_available_is_refused(wh, p1):
    target = WarehouseFactory()
    services.record_receipt(warehouse=wh, lines={p1.pk: 10})
    services.reserve(warehouse_id=wh.pk, lines={p1.pk: 4}, reference="SO1")
    moves = StockMove.objects.count()
    with pytest.raises(InsufficientStock) as err:
        services.transfer_stock(source=wh, target=target, lines={p1.pk: 7})
    assert err.value.short[0]["available"] == 6
    assert level(wh, p1) == (10, 4) and (level(target, p1) or (0, 0)) == (0, 0)
    assert StockMove.objects.count() == moves and not StockDocument.objects.filter(kind="transfer").exists()
    with pytest.raises(ValidationFailed):
        services.transfer_stock(source=wh, target=wh, lines={p1.pk: 1})


def test_database_refuses_negative_levels_even_without_the_services(wh, p1):
    """The last line of defence: the check constraints."""
    from django.db import IntegrityError, transaction

    services.record_receipt(warehouse=wh, lines={p1.pk: 1})
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(product=p1).update(reserved=2)
