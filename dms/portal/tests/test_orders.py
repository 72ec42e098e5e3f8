"""The portal's ordering pages: catalogue with the distributor's own prices, quantity
checks while typing, the cart (the user's draft order), submitting, the order page with
its live timeline, cancelling, editing and copying."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dms.catalog.models import Category, PriceList, PriceListItem, Promotion
from dms.core.testing.factories import ProductFactory, portal_user, stock
from dms.distributors.models import Distributor
from dms.inventory.models import StockLevel
from dms.orders import services
from dms.orders.models import Order, OrderEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def oil(db):
    """MOQ 10, in multiples of 5, 200 in stock."""
    product = ProductFactory(sku="OIL-5L", name="Peanut oil 5L", moq=10, multiple=5, base_price=Decimal("100.00"))
    stock(product, 200)
    return product


@pytest.fixture
def rice(db):
    product = ProductFactory(sku="RICE-10", name="Jasmine rice 10kg", base_price=Decimal("50.00"))
    stock(product, 20)
    return product


def price_list(kind, product, price, **target):
    pl = PriceList.objects.create(name=f"{kind} list", kind=kind, valid_from=dt.date.today() - dt.timedelta(days=1),
                                  **target)
    PriceListItem.objects.create(price_list=pl, product=product, price=Decimal(price))
    return pl


def in_cart(user):
    return Order.objects.filter(created_by=user, status=Order.Status.DRAFT).order_by("-created_at").first()


def add(client, product, quantity, **extra):
    return client.post(reverse("portal:cart_add"), {"product": product.pk, "quantity": quantity}, **extra)


def cart_post(client, order, data):
    return client.post(reverse("portal:order_edit", args=[order.pk]), data)


def available(product):
    level = StockLevel.objects.get(product=product)
    return level.on_hand - level.reserved


# --- catalogue -----------------------------------------------------------------------


def test_catalogue_shows_the_distributors_own_price_not_anothers(client, dist_admin, distributor,
                                                                 other_distributor, oil, rice):
    price_list(PriceList.Kind.DISTRIBUTOR, oil, "88.00", distributor=distributor)
    price_list(PriceList.Kind.DISTRIBUTOR, oil, "77.00", distributor=other_distributor)
    price_list(PriceList.Kind.TIER, rice, "45.50", tier=distributor.tier)
    client.force_login(dist_admin)
    body = client.get(reverse("portal:catalogue")).content.decode()
    assert "¥88.00" in body and "Your price" in body
    assert "¥77.00" not in body
    assert "¥45.50" in body and "Tier price" in body
    assert "¥100.00" in body  # the list price, struck through


def test_catalogue_shows_promotions_availability_and_quantity_rules(client, dist_admin, oil, rice):
    now = timezone.now()
    promo = Promotion.objects.create(name="Spring sale", rule=Promotion.Rule.PERCENT_OFF, value=Decimal("10"),
                                     starts_at=now - dt.timedelta(days=1), ends_at=now + dt.timedelta(days=5))
    promo.products.add(oil)
    out = ProductFactory(sku="GONE-1", name="Sold out soy sauce")
    client.force_login(dist_admin)
    body = client.get(reverse("portal:catalogue")).content.decode()
    assert "Spring sale: 10% off" in body
    assert "MOQ 10" in body and "multiples of 5" in body
    assert "stock-in_stock" in body and "stock-out" in body
    # nothing in stock: the button cannot be pressed
    card = body[body.index(f'id="product-{out.pk}"'):]
    assert "disabled>Out of stock" in card[:card.index("</article>")]


def test_exact_stock_visibility_shows_the_number(client, dist_admin, rice, settings):
    settings.STOCK_VISIBILITY = "exact"
    client.force_login(dist_admin)
    assert "In stock · 20" in client.get(reverse("portal:catalogue")).content.decode()


def test_catalogue_search_and_category_filter(client, dist_admin, oil, rice):
    food = Category.objects.create(name="Food")
    grain = Category.objects.create(name="Grain", parent=food)
    rice.category = grain
    rice.save()
    client.force_login(dist_admin)
    body = client.get(reverse("portal:catalogue"), {"search": "jasmine"}).content.decode()
    assert "Jasmine rice" in body and "Peanut oil" not in body
    # a parent category includes its children; the HTMX answer is the results fragment only
    response = client.get(reverse("portal:catalogue"), {"category": food.pk}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Jasmine rice" in body and "Peanut oil" not in body
    assert "<html" not in body
    assert "No products found" in client.get(reverse("portal:catalogue"), {"search": "zzz"}).content.decode()


def test_catalogue_paginates(client, dist_admin):
    for i in range(25):
        ProductFactory(sku=f"BULK{i:03d}", name=f"Bulk item {i:03d}")
    client.force_login(dist_admin)
    first = client.get(reverse("portal:catalogue")).content.decode()
    second = client.get(reverse("portal:catalogue"), {"page": 2}).content.decode()
    assert "Bulk item 000" in first and "Bulk item 024" not in first
    assert "Bulk item 024" in second and "Page 2 of 2" in second


def test_catalogue_prices_in_a_fixed_number_of_queries(client, dist_admin, django_assert_max_num_queries):
    for i in range(20):
        ProductFactory(sku=f"Q{i:03d}")
    client.force_login(dist_admin)
    client.get(reverse("portal:catalogue"))
    with django_assert_max_num_queries(15):
        assert client.get(reverse("portal:catalogue")).status_code == 200


# --- quantity check while typing -------------------------------------------------------


@pytest.mark.parametrize(("quantity", "expected"), [
    ("7", "the minimum order quantity is 10"),
    ("12", "order in multiples of 5"),
    ("abc", "Enter a whole number"),
    ("15", "15 × ¥100.00 = <strong>¥1,500.00</strong>"),
])
def test_quantity_is_checked_while_typing(client, dist_admin, oil, quantity, expected):
    client.force_login(dist_admin)
    response = client.get(reverse("portal:check_quantity"), {"product": oil.pk, "quantity": quantity},
                          HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_catalogue_input_asks_for_the_check_with_a_debounce(client, dist_admin, oil):
    client.force_login(dist_admin)
    body = client.get(reverse("portal:catalogue")).content.decode()
    assert f'hx-get="{reverse("portal:check_quantity")}?product={oil.pk}"' in body
    assert 'hx-trigger="keyup changed delay:300ms' in body


# --- cart ----------------------------------------------------------------------------


def test_first_add_creates_a_draft_and_the_next_adds_to_it(client, dist_admin, oil, rice):
    client.force_login(dist_admin)
    response = add(client, oil, 10)
    assert response.status_code == 302
    cart = in_cart(dist_admin)
    assert cart.status == Order.Status.DRAFT and cart.distributor_id == dist_admin.distributor_id
    add(client, oil, 5)
    response = add(client, rice, 2, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Added 2. In your cart: 2." in body
    assert 'hx-swap-oob="innerHTML:.cart-count">2<' in body
    assert Order.objects.filter(created_by=dist_admin).count() == 1
    assert dict(cart.lines.values_list("product__sku", "quantity")) == {"OIL-5L": 15, "RICE-10": 2}
    # the navigation badge counts the lines
    page = client.get(reverse("portal:cart")).content.decode()
    assert '<span class="count cart-count">2</span>' in page
    assert "Peanut oil 5L" in page and "¥1,600.00" in page
    # nothing is reserved until the order is submitted
    assert available(oil) == 200


def test_adding_a_bad_quantity_says_why_and_changes_nothing(client, dist_admin, oil):
    client.force_login(dist_admin)
    response = add(client, oil, 7, HTTP_HX_REQUEST="true")
    assert "the minimum order quantity is 10" in response.content.decode()
    assert not Order.objects.exists()
    add(client, oil, 10)
    response = add(client, oil, 3, HTTP_HX_REQUEST="true")  # 13 is not a multiple of 5
    assert "order in multiples of 5" in response.content.decode()
    assert in_cart(dist_admin).lines.get().quantity == 10


def test_cart_update_shows_line_errors_and_keeps_the_cart(client, dist_admin, oil, rice):
    client.force_login(dist_admin)
    add(client, oil, 10)
    add(client, rice, 2)
    cart = in_cart(dist_admin)
    response = cart_post(client, cart, {f"qty_{oil.pk}": "12", f"qty_{rice.pk}": "4", "action": "save"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "order in multiples of 5" in body
    assert 'value="12"' in body  # what the user typed stays in the field
    assert dict(cart.lines.values_list("product_id", "quantity")) == {oil.pk: 10, rice.pk: 2}
    response = cart_post(client, cart, {f"qty_{oil.pk}": "20", f"qty_{rice.pk}": "4", "note": "Gate 3",
                                        "action": "save"})
    assert response.status_code == 302
    cart.refresh_from_db()
    assert dict(cart.lines.values_list("product_id", "quantity")) == {oil.pk: 20, rice.pk: 4}
    assert cart.note == "Gate 3" and cart.total_amount == Decimal("2200.00")


def test_remove_a_line_and_add_one_by_sku(client, dist_admin, oil, rice):
    client.force_login(dist_admin)
    add(client, oil, 10)
    cart = in_cart(dist_admin)
    cart_post(client, cart, {f"qty_{oil.pk}": "10", "add_sku": "rice-10", "add_qty": "3", "action": "save"})
    assert dict(cart.lines.values_list("product_id", "quantity")) == {oil.pk: 10, rice.pk: 3}
    cart_post(client, cart, {f"qty_{oil.pk}": "10", f"qty_{rice.pk}": "3", "remove": str(oil.pk)})
    assert list(cart.lines.values_list("product_id", flat=True)) == [rice.pk]
    response = cart_post(client, cart, {"add_sku": "NOPE", "add_qty": "1", f"qty_{rice.pk}": "3"})
    assert response.status_code == 400 and "No orderable product has the SKU" in response.content.decode()
    # removing the last line empties the cart
    cart_post(client, cart, {f"qty_{rice.pk}": "3", "remove": str(rice.pk)})
    assert in_cart(dist_admin) is None
    assert "Your cart is empty" in client.get(reverse("portal:cart")).content.decode()
    # an emptied cart is not an order in the list
    assert cart.number not in client.get(reverse("portal:orders")).content.decode()


def test_submit_approves_and_reserves(client, dist_admin, oil):
    client.force_login(dist_admin)
    add(client, oil, 10)
    cart = in_cart(dist_admin)
    response = cart_post(client, cart, {f"qty_{oil.pk}": "20", "action": "submit"})
    assert response.status_code == 302 and response["Location"] == reverse("portal:order", args=[cart.pk])
    cart.refresh_from_db()
    assert cart.status == Order.Status.APPROVED
    assert cart.lines.get().quantity == 20
    assert available(oil) == 180
    page = client.get(response["Location"]).content.decode()
    assert "is approved" in page
    assert "Approved automatically" in page  # the timeline
    assert in_cart(dist_admin) is None


def test_submit_waits_for_review_above_the_auto_approval_limit(client, dist_admin, oil, settings):
    settings.ORDER_AUTO_APPROVE_LIMIT = Decimal("500.00")
    client.force_login(dist_admin)
    add(client, oil, 10)
    cart = in_cart(dist_admin)
    response = cart_post(client, cart, {f"qty_{oil.pk}": "10", "action": "submit"})
    cart.refresh_from_db()
    assert cart.status == Order.Status.SUBMITTED
    page = client.get(response["Location"]).content.decode()
    assert "waits for review" in page and "Waiting for review" in page


def test_insufficient_stock_names_the_line_and_keeps_the_cart(client, dist_admin, oil, rice, settings):
    settings.STOCK_VISIBILITY = "exact"
    client.force_login(dist_admin)
    add(client, oil, 10)
    add(client, rice, 5)
    cart = in_cart(dist_admin)
    response = cart_post(client, cart, {f"qty_{oil.pk}": "10", f"qty_{rice.pk}": "30", "action": "submit"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Not enough stock: you asked for 30, 20 available." in body
    short = body[body.index(f'id="line-{rice.pk}"'):]
    assert "has-error" in body[body.index(f'id="line-{rice.pk}"') - 40:body.index(f'id="line-{rice.pk}"')]
    assert "Not enough stock" in short[:short.index("</article>")]
    cart.refresh_from_db()
    assert cart.status == Order.Status.DRAFT
    assert dict(cart.lines.values_list("product_id", "quantity")) == {oil.pk: 10, rice.pk: 30}
    assert available(oil) == 200 and available(rice) == 20
    # when distributors see stock levels only, the number stays hidden
    settings.STOCK_VISIBILITY = "level"
    body = cart_post(client, cart, {f"qty_{oil.pk}": "10", f"qty_{rice.pk}": "30", "action": "submit"}).content.decode()
    assert "Not enough stock for 30: lower the quantity." in body and "20 available" not in body


def test_pressing_enter_in_a_quantity_saves_rather_than_removes(client, dist_admin, oil):
    """The first submit button of the cart form (what Enter presses) is "save"."""
    client.force_login(dist_admin)
    add(client, oil, 10)
    body = client.get(reverse("portal:cart")).content.decode()
    form = body[body.index('class="o-cart"'):]
    assert form.index('name="action" value="save"') < form.index('name="remove"')


# --- suspended distributors ----------------------------------------------------------


def test_a_distributor_not_yet_active_browses_but_cannot_order(client, dist_admin, distributor, oil):
    client.force_login(dist_admin)
    add(client, oil, 10)
    cart = in_cart(dist_admin)
    Distributor.objects.filter(pk=distributor.pk).update(status=Distributor.Status.PENDING_REVIEW)
    body = client.get(reverse("portal:catalogue")).content.decode()
    assert "Peanut oil 5L" in body and "¥100.00" in body
    assert "only active distributors can place orders" in body
    assert reverse("portal:cart_add") not in body
    response = add(client, oil, 10, HTTP_HX_REQUEST="true")
    assert "only active distributors can place orders" in response.content.decode()
    response = cart_post(client, cart, {f"qty_{oil.pk}": "10", "action": "submit"})
    assert response.status_code == 403
    cart.refresh_from_db()
    assert cart.status == Order.Status.DRAFT and cart.lines.get().quantity == 10
    assert 'value="submit"' not in client.get(reverse("portal:cart")).content.decode()
    assert available(oil) == 200


def test_a_suspended_distributor_is_refused(client, dist_admin, distributor, oil):
    """Suspension ends the users' sessions (accounts backend): the POST changes nothing."""
    client.force_login(dist_admin)
    Distributor.objects.filter(pk=distributor.pk).update(status=Distributor.Status.SUSPENDED)
    response = add(client, oil, 10)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert not Order.objects.exists()
    distributor.refresh_from_db()
    with pytest.raises(services.DistributorCannotOrder):
        services.create_order(distributor=distributor, lines=[{"product": oil.pk, "quantity": 10}],
                              actor=dist_admin, submit=True)


# --- orders list and page ------------------------------------------------------------


@pytest.fixture
def placed(distributor, dist_admin, oil):
    def make(quantity=10, submit=True):
        order = services.create_order(distributor=distributor, lines=[{"product": oil.pk, "quantity": quantity}],
                                      actor=dist_admin, submit=submit)
        order.refresh_from_db()
        return order

    return make


def test_order_list_shows_own_orders_with_search_and_filters(client, dist_admin, other_dist_admin,
                                                             other_distributor, placed, oil, settings):
    mine = placed(10)
    settings.ORDER_AUTO_APPROVE_LIMIT = Decimal("0.00")
    cancelled = placed(15)
    services.cancel_order(order_id=cancelled.pk, actor=dist_admin, reason="Wrong size")
    theirs = services.create_order(distributor=other_distributor, lines=[{"product": oil.pk, "quantity": 10}],
                                   actor=other_dist_admin, submit=True)
    client.force_login(dist_admin)
    body = client.get(reverse("portal:orders")).content.decode()
    assert mine.number in body and cancelled.number in body and theirs.number not in body
    body = client.get(reverse("portal:orders"), {"status": "cancelled"}).content.decode()
    assert cancelled.number in body and mine.number not in body
    body = client.get(reverse("portal:orders"), {"search": mine.number[-4:]}, HTTP_HX_REQUEST="true").content.decode()
    assert mine.number in body and cancelled.number not in body
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert "No orders found" in client.get(reverse("portal:orders"), {"from": tomorrow}).content.decode()
    export = client.get(reverse("portal:orders"), {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_order_page_polls_its_timeline_until_final(client, dist_admin, placed):
    order = placed(10)
    client.force_login(dist_admin)
    page = client.get(reverse("portal:order", args=[order.pk])).content.decode()
    events_url = reverse("portal:order_events", args=[order.pk])
    assert f'hx-get="{events_url}?status=approved" hx-trigger="every 10s"' in page
    # the fragment: same status, no reload
    response = client.get(events_url, {"status": "approved"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "HX-Refresh" not in response
    assert "Approved automatically" in response.content.decode() and "<html" not in response.content.decode()
    # staff change the order meanwhile: the fragment shows it and reloads the page
    OrderEvent.objects.create(order=order, kind=OrderEvent.Kind.NOTE, message="Loading at dock 4")
    Order.objects.filter(pk=order.pk).update(status=Order.Status.SHIPPED)
    response = client.get(events_url, {"status": "approved"}, HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true"
    assert "Loading at dock 4" in response.content.decode()


def test_final_orders_stop_polling(client, dist_admin, placed):
    order = placed(10, submit=False)
    services.cancel_order(order_id=order.pk, actor=dist_admin, reason="no")
    client.force_login(dist_admin)
    page = client.get(reverse("portal:order", args=[order.pk])).content.decode()
    events_url = reverse("portal:order_events", args=[order.pk])
    assert events_url not in page
    fragment = client.get(events_url, HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in fragment.content.decode()


def test_cancel_before_approval_releases_the_stock(client, dist_admin, placed, oil, settings):
    settings.ORDER_AUTO_APPROVE_LIMIT = Decimal("0.00")
    order = placed(10)
    assert order.status == Order.Status.SUBMITTED and available(oil) == 190
    client.force_login(dist_admin)
    page = client.get(reverse("portal:order", args=[order.pk])).content.decode()
    assert reverse("portal:order_cancel", args=[order.pk]) in page
    # a reason is needed
    client.post(reverse("portal:order_cancel", args=[order.pk]), {"reason": " "})
    order.refresh_from_db()
    assert order.status == Order.Status.SUBMITTED
    response = client.post(reverse("portal:order_cancel", args=[order.pk]), {"reason": "Ordered twice"}, follow=True)
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED and order.status_reason == "Ordered twice"
    assert available(oil) == 200
    assert "is cancelled" in response.content.decode()


def test_cannot_cancel_after_approval(client, dist_admin, placed, oil):
    order = placed(10)
    assert order.status == Order.Status.APPROVED
    client.force_login(dist_admin)
    page = client.get(reverse("portal:order", args=[order.pk])).content.decode()
    assert reverse("portal:order_cancel", args=[order.pk]) not in page
    response = client.post(reverse("portal:order_cancel", args=[order.pk]), {"reason": "late"}, follow=True)
    order.refresh_from_db()
    assert order.status == Order.Status.APPROVED and available(oil) == 190
    assert "can no longer be cancelled here" in response.content.decode()


def test_edit_a_submitted_order(client, dist_admin, placed, oil, settings):
    settings.ORDER_AUTO_APPROVE_LIMIT = Decimal("0.00")
    order = placed(10)
    client.force_login(dist_admin)
    page = client.get(reverse("portal:order_edit", args=[order.pk])).content.decode()
    assert f"Edit order {order.number}" in page and 'value="submit"' not in page
    response = cart_post(client, order, {f"qty_{oil.pk}": "25", "action": "save"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.lines.get().quantity == 25 and order.status == Order.Status.SUBMITTED
    assert available(oil) == 175
    assert order.events.filter(kind=OrderEvent.Kind.EDITED).exists()


def test_an_approved_order_cannot_be_edited(client, dist_admin, placed, oil):
    order = placed(10)
    client.force_login(dist_admin)
    response = cart_post(client, order, {f"qty_{oil.pk}": "25", "action": "save"})
    assert response.status_code == 302 and response["Location"] == reverse("portal:order", args=[order.pk])
    assert order.lines.get().quantity == 10
    page = client.get(reverse("portal:order", args=[order.pk])).content.decode()
    assert reverse("portal:order_edit", args=[order.pk]) not in page


def test_copy_a_past_order_into_the_cart(client, dist_admin, placed, oil):
    order = placed(15)
    client.force_login(dist_admin)
    response = client.post(reverse("portal:order_copy", args=[order.pk]))
    assert response["Location"] == reverse("portal:cart")
    copy = in_cart(dist_admin)
    assert copy.pk != order.pk and copy.copied_from_id == order.pk
    assert list(copy.lines.values_list("product_id", "quantity")) == [(oil.pk, 15)]
    assert order.number in client.get(reverse("portal:order", args=[copy.pk])).content.decode()


def test_another_user_of_the_distributor_has_a_separate_cart(client, dist_admin, distributor, oil):
    colleague = portal_user(distributor, "distributor_staff", username="colleague")
    client.force_login(dist_admin)
    add(client, oil, 10)
    client.force_login(colleague)
    assert "Your cart is empty" in client.get(reverse("portal:cart")).content.decode()


# --- isolation -----------------------------------------------------------------------


def test_another_distributors_order_is_404_everywhere(client, other_dist_admin, placed):
    order = placed(10, submit=False)
    client.force_login(other_dist_admin)
    for name in ("portal:order", "portal:order_events", "portal:order_edit"):
        assert client.get(reverse(name, args=[order.pk]), HTTP_HX_REQUEST="true").status_code == 404, name
    for name in ("portal:order_edit", "portal:order_cancel", "portal:order_copy", "portal:return_create"):
        assert client.post(reverse(name, args=[order.pk]), {"reason": "x"}).status_code == 404, name
    order.refresh_from_db()
    assert order.status == Order.Status.DRAFT
    assert Order.objects.count() == 1


def test_staff_get_404_on_the_ordering_pages(client, admin_user):
    client.force_login(admin_user)
    for name in ("portal:catalogue", "portal:cart", "portal:orders", "portal:shipments", "portal:returns"):
        assert client.get(reverse(name)).status_code == 404, name
