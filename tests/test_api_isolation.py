"""Tenant isolation of the whole /api/v1/ surface, generated from the URL patterns.

Every route under /api/v1/ with a path parameter is called (with each method it
answers) by an outsider — a user of another distributor, and another distributor's
channel manager — using the victim distributor's object ids. Each call must be a 404 that
reveals none of the victim's identifiers, and change nothing. Routes are found by walking
the URL resolver, so a new route is covered as soon as it exists; a route with a
parameter the walker cannot fill fails the test until ``OBJECT_FOR_SEGMENT`` learns it.
"""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from dms.catalog.models import PriceList, PriceListItem
from dms.core.testing import isolation
from dms.core.testing.factories import ContractFactory, DistributorFactory, bearer, portal_user
from dms.distributors import services
from dms.distributors.models import Contract, Distributor, Qualification, Review
from dms.notifications.models import Notification
from dms.notifications.services import notify
from dms.orders.models import Order, ReturnRequest

pytestmark = pytest.mark.django_db

API_PREFIX = "api/v1/"
PDF = b"%PDF-1.4\n%%EOF\n"
METHODS = ("get", "post", "put", "patch", "delete")
# Which object a path parameter names is read from the path segment before it.
OBJECT_FOR_SEGMENT = {
    "distributors": "distributor",
    "qualifications": "qualification",
    "contracts": "contract",
    "users": "user",
    "reviews": "review",
    "notifications": "notification",
    "orders": "order",
    "returns": "return",
    "shipments": "shipment",
    "products": "product",
    "price-lists": "price_list",
    **isolation.merged("API_SEGMENTS"),
}
# Brand-wide objects every distributor may read (a product, its price for the caller):
# their routes are walked for the owner but not required to be 404 for outsiders.
SHARED_RESOURCES = {"products"} | isolation.merged("API_SHARED")
# Collections distributor users may not read at all (403 by design: the brand's books).
PORTAL_FORBIDDEN = {"api/v1/stock/", "api/v1/stock/moves/"} | isolation.merged("API_PORTAL_FORBIDDEN")
PARAM = re.compile(r"\(\?P<(?P<regex_name>\w+)>[^)]*\)|<(?:\w+:)?(?P<route_name>\w+)>")


def api_routes():
    """(template, callback) of every URL pattern below /api/v1/, from the root resolver."""
    found = []

    def walk(patterns, prefix):
        for p in patterns:
            piece = str(p.pattern).removeprefix("^").removesuffix("$").removesuffix(r"\Z")
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + piece)
            elif isinstance(p, URLPattern) and (prefix + piece).startswith(API_PREFIX):
                found.append((prefix + piece, p.callback))

    walk(get_resolver().url_patterns, "")
    return found


def methods_of(callback):
    actions = getattr(callback, "actions", None)
    if actions is not None:  # a viewset route
        return sorted(actions)
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    return [m for m in METHODS if view_class is not None and hasattr(view_class, m)]


def fill(template, objects_for):
    """Fill each parameter with the id of the object its segment names.

    ``objects_for(position, count)`` returns the object set to use for the parameter at
    ``position`` of ``count``. Returns the URL or raises LookupError."""
    params = list(PARAM.finditer(template))
    url, last = "", 0
    for i, match in enumerate(params):
        before = template[last:match.start()]
        segment = (url + before).rstrip("/").rsplit("/", 1)[-1]
        kind = OBJECT_FOR_SEGMENT.get(segment)
        if kind is None:
            raise LookupError(f"cannot fill {match.group(0)} after “{segment}/” in {template}")
        url += before + str(objects_for(i, len(params))[kind])
        last = match.end()
    url += template[last:]
    if re.search(r"[\\^$()?*+\[\]{}|<>]", url):
        raise LookupError(f"unresolved pattern syntax left in {url} (from {template})")
    return "/" + url


def param_routes():
    return [(t, cb) for t, cb in api_routes() if PARAM.search(t)]


@pytest.fixture
def victim(channel_manager, admin_user):
    """Distributor A with one of everything, managed by cm1."""
    d = DistributorFactory(code="VICTIM0001", name="甲方机密经销商", legal_name="甲方机密有限公司",
                           channel_manager=channel_manager)
    owner = portal_user(d, "distributor_admin", username="victim-admin")
    qualification = services.add_qualification(
        distributor_id=d.pk, type="business_licence", number="VQ-SECRET-77",
        file=SimpleUploadedFile("v.pdf", PDF, content_type="application/pdf"))
    contract = ContractFactory(distributor=d, number="VC-SECRET-88", start_date="2026-01-01", end_date="2036-12-31",
                               signed_file=SimpleUploadedFile("s.pdf", PDF))
    review = Review.objects.create(distributor=d, kind=Review.Kind.PERIODIC)
    notification = notify([owner], title=f"{d.name} 的合同即将到期")[0]
    order, shipment, ret = _victim_orders(d, owner, admin_user)
    price_list = PriceList.objects.create(name="甲方专属价目表", kind=PriceList.Kind.DISTRIBUTOR, distributor=d,
                                          valid_from="2026-01-01")
    product = order.lines.get().product
    PriceListItem.objects.create(price_list=price_list, product=product, price="77.70")
    ids = {"distributor": d.pk, "qualification": qualification.pk, "contract": contract.pk, "user": owner.pk,
           "review": review.pk, "notification": notification.pk, "order": order.pk, "shipment": shipment.pk,
           "return": ret.pk, "product": product.pk, "price_list": price_list.pk}
    secrets = [d.code, d.name, d.legal_name, d.credit_code, "VQ-SECRET-77", "VC-SECRET-88", "victim-admin",
               order.number, shipment.number, "VT-SECRET-99", ret.number, "甲方专属价目表", "77.70"]
    more_ids, more_secrets = isolation.victim_objects(distributor=d, owner=owner, staff=admin_user)
    ids.update(more_ids)
    secrets.extend(more_secrets)
    return {"distributor": d, "owner": owner, "ids": ids, "secrets": secrets}


def _victim_orders(d, owner, admin_user):
    """An order of the victim, shipped (tracking number VT-SECRET-99), with a return requested."""
    from dms.core.testing.factories import ProductFactory, stock
    from dms.logistics import services as logistics
    from dms.logistics.models import Carrier
    from dms.orders import services as orders

    product = ProductFactory()
    stock(product, 10)
    order = orders.create_order(distributor=d, lines=[{"product": product.pk, "quantity": 4}], submit=True,
                                actor=owner)
    shipment = logistics.create_shipment(order_id=order.pk, actor=admin_user)
    carrier = Carrier.objects.create(code="VSF", name="顺丰")
    logistics.dispatch_shipment(shipment_id=shipment.pk, carrier=carrier, tracking_number="VT-SECRET-99",
                                actor=admin_user)
    ret = orders.request_return(order_id=order.pk, lines={order.lines.get().pk: 1}, reason="damaged", actor=owner)
    return order, shipment, ret


def outsider_cases(other_distributor, other_dist_admin):
    other_cm = other_distributor.channel_manager
    own = {"distributor": other_distributor.pk}
    return [("other distributor's admin", other_dist_admin, own), ("other channel manager", other_cm, own)]


def leaks(response, secrets):
    text = response.content.decode("utf-8", "replace")
    return [s for s in secrets if s in text or json.dumps(s)[1:-1] in text]


def test_walker_sees_the_api(victim):
    templates = [t for t, _ in param_routes()]
    assert len(templates) >= 20
    for expected in ["distributors/(?P<pk>", "distributors/(?P<distributor_pk>\\d+)/qualifications/(?P<pk>",
                     "/contracts/(?P<pk>\\d+)/renew/", "/users/(?P<pk>\\d+)/deactivate/", "reviews/(?P<pk>",
                     "notifications/(?P<pk>"]:
        assert any(expected in t for t in templates), expected


def test_walker_fails_on_a_parameter_it_cannot_fill():
    with pytest.raises(LookupError):
        fill("api/v1/widgets/(?P<pk>\\d+)/", lambda i, n: {})


def test_owner_reaches_every_route_the_walker_builds(client, victim):
    """Control: the URLs the walk builds are real — the victim's own user gets each GET."""
    headers = bearer(victim["owner"])
    for template, callback in param_routes():
        if "get" not in methods_of(callback):
            continue
        url = fill(template, lambda i, n: victim["ids"])
        assert client.get(url, **headers).status_code == 200, url


@pytest.mark.parametrize("outsider", [0, 1], ids=["other-distributor-user", "other-channel-manager"])
def test_every_object_route_is_404_for_outsiders(client, victim, other_distributor, other_dist_admin, outsider):
    label, user, own = outsider_cases(other_distributor, other_dist_admin)[outsider]
    headers = bearer(user)
    calls, unfillable = 0, []
    for template, callback in param_routes():
        if template.removeprefix(API_PREFIX).split("/", 1)[0] in SHARED_RESOURCES:
            continue
        variants = [lambda i, n: victim["ids"]]
        if PARAM.findall(template)[1:]:
            # own parent, victim's child: the child must be looked up below the parent
            variants.append(lambda i, n: {**victim["ids"], **own} if i < n - 1 else victim["ids"])
        for objects_for in variants:
            try:
                url = fill(template, objects_for)
            except LookupError as exc:
                unfillable.append(str(exc))
                break
            for method in methods_of(callback):
                response = getattr(client, method)(url, data={}, content_type="application/json", **headers)
                calls += 1
                assert response.status_code == 404, f"{label}: {method.upper()} {url} -> {response.status_code}"
                assert not leaks(response, victim["secrets"]), f"{label}: {method.upper()} {url} leaks"
    assert not unfillable, unfillable
    assert calls >= 25

    d = Distributor.objects.get(pk=victim["distributor"].pk)
    assert d.status == Distributor.Status.ACTIVE and d.name == "甲方机密经销商"
    assert Qualification.objects.get(pk=victim["ids"]["qualification"]).verification_status == "pending"
    assert Contract.objects.get(pk=victim["ids"]["contract"]).status == Contract.Status.ACTIVE
    assert Review.objects.get(pk=victim["ids"]["review"]).status == Review.Status.PENDING
    victim["owner"].refresh_from_db()
    assert victim["owner"].is_active
    assert Notification.objects.get(pk=victim["ids"]["notification"]).read_at is None
    assert Order.objects.get(pk=victim["ids"]["order"]).status == Order.Status.SHIPPED
    assert ReturnRequest.objects.get(pk=victim["ids"]["return"]).status == ReturnRequest.Status.REQUESTED
    assert Order.objects.filter(distributor=victim["distributor"]).count() == 1


@pytest.mark.parametrize("outsider", [0, 1], ids=["other-distributor-user", "other-channel-manager"])
def test_collections_do_not_list_the_victim(client, victim, other_distributor, other_dist_admin, outsider):
    _label, user, _own = outsider_cases(other_distributor, other_dist_admin)[outsider]
    headers = bearer(user)
    for template, callback in api_routes():
        if PARAM.search(template) or "get" not in methods_of(callback):
            continue
        response = client.get("/" + template, **headers)
        if template in PORTAL_FORBIDDEN and user.distributor_id:
            assert response.status_code == 403, template
            continue
        assert response.status_code == 200, template
        assert not leaks(response, victim["secrets"]), template


def test_channel_manager_gets_404_on_another_managers_distributor(client, victim, other_distributor):
    other_cm = other_distributor.channel_manager
    response = client.get(f"/api/v1/distributors/{victim['distributor'].pk}/", **bearer(other_cm))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    # while his own is there
    assert client.get(f"/api/v1/distributors/{other_distributor.pk}/", **bearer(other_cm)).status_code == 200
