"""Tenant isolation on every page, HTMX fragment and download, generated from the URL
resolver: a route added later is covered without anyone remembering it (the test fails
until its parameter is mapped below).

For every route: a user of another distributor, and a channel manager who does not own
the distributor, get 404 on anything that names the first distributor's objects, and
none of its identifiers appear in any page they can open.
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dms.core.testing import isolation
from dms.core.testing.factories import UserFactory, portal_user
from dms.distributors import services
from dms.notifications.services import notify

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# route name -> which of the first distributor's objects its int parameter names
ROUTE_OBJECTS = {
    "distributors:detail": "distributor",
    "distributors:edit": "distributor",
    "distributors:transition": "distributor",
    "distributors:contact_create": "distributor",
    "distributors:contact_edit": "contact",
    "distributors:contact_delete": "contact",
    "distributors:user_create": "distributor",
    "distributors:user_toggle": "user",
    "distributors:qualification_create": "distributor",
    "distributors:qualification_verify": "qualification",
    "distributors:qualification_file": "qualification",
    "distributors:contract_create": "distributor",
    "distributors:contract": "contract",
    "distributors:contract_renew": "contract",
    "distributors:contract_transition": "contract",
    "distributors:contract_file": "contract",
    "distributors:review": "review",
    "logistics:detail": "shipment",
    "logistics:dispatch": "shipment",
    "logistics:cancel": "shipment",
    "logistics:add_event": "shipment",
    "logistics:delivery_note": "shipment",
    "logistics:pick_list": "shipment",
    "logistics:resolve": "discrepancy",
    "portal:contact_edit": "contact",
    "portal:qualification_file": "qualification",
    "portal:contract": "contract",
    "portal:contract_file": "contract",
    "portal:user_toggle": "user",
    "notifications:open": "notification",
    # catalog: a distributor's own price list is its data
    "catalog:price_list_detail": "price_list",
    "catalog:price_list_edit": "price_list",
    "catalog:price_list_status": "price_list",
    "catalog:price_list_item_remove": "price_list",
    "catalog:price_list_export": "price_list",
    "catalog:price_import": "price_list",
    "portal:order": "order",
    "portal:order_events": "order",
    "portal:order_edit": "order",
    "portal:order_cancel": "order",
    "portal:order_copy": "order",
    "portal:return_create": "order",
    "portal:shipment": "shipment",
    "portal:shipment_confirm": "shipment",
    "portal:shipment_discrepancy": "shipment",
    "portal:delivery_note": "shipment",
    "portal:return_cancel": "return",
    "orders:detail": "order",
    "orders:events": "order",
    "orders:edit": "order",
    "orders:copy": "order",
    "orders:submit": "order",
    "orders:approve": "order",
    "orders:reject": "order",
    "orders:cancel": "order",
    "orders:return_detail": "return",
    "orders:return_decide": "return",
    "orders:return_receive": "return",
    **isolation.merged("PAGE_ROUTES"),
}
STRING_PARAMS = {"action": "suspend"}
# Routes whose parameters are not tenant objects.
NOT_TENANT = {"accounts:password_reset_confirm", "admin:view_on_site", "admin:app_list", "set_language",
              "logistics:webhook"}
# Brand-wide inventory set-up and documents: every member of staff with the stock permission
# sees them (no distributor's data); distributor users get 404 from staff_view.
NOT_TENANT |= {"inventory:document_detail", "inventory:suggestion_close", "inventory:reorder_rule_edit",
               "inventory:reorder_rule_active", "inventory:warehouse_edit", "inventory:warehouse_active"}
# products, categories and promotions belong to the brand, not to a distributor
NOT_TENANT |= {"catalog:product_detail", "catalog:product_edit", "catalog:product_status", "catalog:product_image",
               "catalog:category_edit", "catalog:category_delete", "catalog:promotion_edit",
               "catalog:promotion_status"}
NOT_TENANT |= isolation.merged("PAGE_NOT_TENANT")
SKIP_PREFIXES = ("admin:", "api", "djdt")


def walk(resolver=None, namespace="", prefix=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from walk(p, ns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", list(p.pattern.converters) or list(p.pattern.regex.groupindex)


ROUTES = sorted({(name, tuple(params)) for name, params in walk() if not name.startswith(SKIP_PREFIXES)})


def _order_shipment_return(distributor, user):
    """An order of the distributor, shipped (one shipment), with a return requested."""
    from dms.core.testing.factories import ProductFactory, stock
    from dms.logistics import services as logistics
    from dms.logistics.models import Carrier
    from dms.orders import services as orders

    product = ProductFactory()
    stock(product, 10)
    order = orders.create_order(distributor=distributor, lines=[{"product": product.pk, "quantity": 2}], submit=True)
    shipment = logistics.create_shipment(order_id=order.pk, actor=None)
    logistics.dispatch_shipment(shipment_id=shipment.pk, carrier=Carrier.objects.create(code="ISO", name="ISO"),
                                tracking_number="A-TRACK-777", actor=None)
    ret = orders.request_return(order_id=order.pk, lines={order.lines.get().pk: 1}, reason="damaged", actor=user)
    return order, shipment, ret


def _discrepancy(shipment_id, user):
    from dms.logistics import services as logistics

    return logistics.report_discrepancy(shipment_id=shipment_id, description="A-CASE-777", actor=user).pk


@pytest.fixture
def world(distributor, channel_manager, make_staff):
    """The first distributor with one object of every kind, and the outsiders."""
    today = dt.date.today()
    a_user = portal_user(distributor, "distributor_admin", username="a_admin", email="a_admin@a.example.com")
    contact = services.add_contact(distributor_id=distributor.pk, name="甲方联系人", phone="13800000001")
    qualification = services.add_qualification(
        distributor_id=distributor.pk, type="business_licence", number="A-LICENCE-777",
        valid_to=today + dt.timedelta(days=20), file=SimpleUploadedFile("a.pdf", PDF))
    contract = services.create_contract(
        distributor_id=distributor.pk, number="A-CONTRACT-777", start_date=today - dt.timedelta(days=300),
        end_date=today + dt.timedelta(days=30), signed_file=SimpleUploadedFile("c.pdf", PDF), activate=True)
    distributor.next_review_date = today
    distributor.save()
    services.open_due_reviews(today)
    notification = notify([a_user], title="A-NOTE-777")[0]
    order, shipment, ret = _order_shipment_return(distributor, a_user)
    objects = {
        "distributor": distributor.pk, "contact": contact.pk, "qualification": qualification.pk,
        "contract": contract.pk, "review": distributor.reviews.get().pk, "user": a_user.pk,
        "notification": notification.pk, "order": order.pk, "shipment": shipment.pk, "return": ret.pk,
    }
    other = services.create_distributor(name="乙方", credit_code="91110108551385082Q", tier=1,
                                        channel_manager=make_staff("channel_manager", username="cm_other"))
    outsiders = {
        "other distributor admin": portal_user(other, "distributor_admin", username="b_admin"),
        "other channel manager": other.channel_manager,
    }
    secrets = [distributor.code, distributor.name, distributor.credit_code, "A-LICENCE-777", "A-CONTRACT-777",
               "A-NOTE-777", "甲方联系人", ret.number, "A-TRACK-777"]
    objects["discrepancy"] = _discrepancy(objects["shipment"], a_user)
    secrets.append("A-CASE-777")
    objects["price_list"] = _price_list(distributor)
    secrets.append("A-PRICELIST-777")
    more_objects, more_secrets = isolation.victim_objects(
        distributor=distributor, owner=a_user, staff=make_staff("admin", username="a_staff_admin"))
    objects.update(more_objects)
    secrets.extend(more_secrets)
    return objects, outsiders, secrets


def _price_list(distributor):
    from dms.catalog import services as catalog_services
    from dms.core.testing.factories import ProductFactory

    price_list = catalog_services.create_price_list(name="A-PRICELIST-777", kind="distributor",
                                                    distributor=distributor, valid_from=dt.date.today())
    catalog_services.set_price_list_item(price_list_id=price_list.pk, product_id=ProductFactory().pk, price="1.00")
    return price_list.pk


def test_every_parameterised_route_is_mapped():
    unmapped = [
        (name, params) for name, params in ROUTES
        if params and name not in NOT_TENANT and name not in ROUTE_OBJECTS
        and not set(params) <= set(STRING_PARAMS)
    ]
    assert unmapped == [], f"Map these routes' parameters in ROUTE_OBJECTS: {unmapped}"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other distributor admin", "other channel manager"])
def test_outsiders_get_404_and_see_nothing(client, world, who):
    objects, outsiders, secrets = world
    client.force_login(outsiders[who])
    checked = 0
    for name, params in ROUTES:
        if name in NOT_TENANT:
            continue
        kwargs = {}
        for param in params:
            if param in STRING_PARAMS:
                kwargs[param] = STRING_PARAMS[param]
            else:
                kwargs[param] = objects[ROUTE_OBJECTS[name]]
        url = reverse(name, kwargs=kwargs)
        missing = reverse(name, kwargs={k: (v if k in STRING_PARAMS else 10**9) for k, v in kwargs.items()})
        for method in ("get", "post"):
            client.force_login(outsiders[who])  # some routes (log out) end the session
            response = getattr(client, method)(url, HTTP_HX_REQUEST="true" if method == "get" else "")
            body = b"".join(response.streaming_content) if response.streaming else response.content
            text = body.decode("utf-8", "replace")
            if set(kwargs) - set(STRING_PARAMS):
                # Someone else's object answers exactly like one that does not exist: 404, or
                # 403/405 when the role or method is refused whatever the object.
                client.force_login(outsiders[who])
                baseline = getattr(client, method)(missing).status_code
                assert response.status_code in (404, 403, 405), f"{who} {method.upper()} {url} -> {response.status_code}"
                assert response.status_code == baseline, f"{who} {method.upper()} {url}: {response.status_code} != {baseline}"
            leaked = [s for s in secrets if s in text]
            assert not leaked, f"{who} {method.upper()} {url} shows {leaked}"
            checked += 1
    assert checked > 40


@pytest.mark.django_db
def test_the_owner_can_open_them(client, world, distributor):
    """The same walk as the owner proves the 404s above come from scoping, not broken pages."""
    objects, _outsiders, _secrets = world
    owner = UserFactory(roles=["admin"])
    client.force_login(owner)
    for name in ("distributors:detail", "distributors:contract", "distributors:review", "distributors:contract_file",
                 "distributors:qualification_file", "orders:detail", "orders:events", "orders:return_detail",
                 "logistics:detail", "logistics:pick_list"):
        response = client.get(reverse(name, args=[objects[ROUTE_OBJECTS[name]]]))
        assert response.status_code == 200, name
    client.force_login(distributor.users.get(username="a_admin"))
    for name in ("portal:contract", "portal:contract_file", "portal:qualification_file"):
        response = client.get(reverse(name, args=[objects[ROUTE_OBJECTS[name]]]))
        assert response.status_code == 200, name
