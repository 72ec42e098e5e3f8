import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from dms.logistics import services
from dms.logistics.models import Carrier, Shipment, TrackingEvent
from dms.orders.models import Order

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(carrier):
    return carrier.issue_webhook_token()


@pytest.fixture
def dispatched(distributor, make_order, admin_user, carrier):
    order = make_order(distributor, 2)
    s = services.create_shipment(order_id=order.pk, actor=admin_user)
    return services.dispatch_shipment(shipment_id=s.pk, carrier=carrier, tracking_number="SF8001", actor=admin_user)


def _post(client, body, token=None, code="SF"):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(reverse("logistics:webhook", args=[code]), data, content_type="application/json", **headers)


def _events(delivered=False):
    t = timezone.now().replace(microsecond=0) - dt.timedelta(hours=5)
    events = [{"time": t.isoformat(), "location": "深圳", "description": "已揽收", "delivered": False},
              {"time": (t + dt.timedelta(hours=2)).isoformat(), "location": "广州", "description": "运输中"}]
    if delivered:
        events.append({"time": (t + dt.timedelta(hours=4)).isoformat(), "location": "广州",
                       "description": "已签收", "delivered": True})
    return events


def test_carrier_posts_events_once_and_delivery_marks_delivered(client, token, dispatched):
    body = {"tracking_number": "SF8001", "events": _events(delivered=True)}
    response = _post(client, body, token)
    assert response.status_code == 200
    assert response.json() == {"shipment": dispatched.number, "status": "delivered", "created": 3}
    again = _post(client, body, token)
    assert again.status_code == 200 and again.json()["created"] == 0
    events = TrackingEvent.objects.filter(shipment=dispatched, source=TrackingEvent.Source.CARRIER)
    assert events.count() == 3
    dispatched.refresh_from_db()
    assert dispatched.status == Shipment.Status.DELIVERED
    assert Order.objects.get(pk=dispatched.order_id).delivered_at is not None


def test_needs_the_carriers_token(client, token, dispatched, carrier):
    body = {"tracking_number": "SF8001", "events": _events()}
    assert _post(client, body).status_code == 401
    wrong = _post(client, body, "not-the-token")
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "not_authenticated"
    other = Carrier.objects.create(code="JDX", name="京东")
    other_token = other.issue_webhook_token()
    assert _post(client, body, other_token).status_code == 401  # JD's token is not SF's
    assert _post(client, body, other_token, code="JDX").status_code == 404  # and SF's shipment is not JD's
    assert _post(client, body, token, code="NOPE").status_code == 404
    assert not TrackingEvent.objects.filter(source=TrackingEvent.Source.CARRIER).exists()


def test_a_carrier_without_a_token_accepts_nothing(client, dispatched, carrier):
    assert carrier.webhook_token_hash == ""
    assert _post(client, {"tracking_number": "SF8001", "events": _events()}, "anything").status_code == 401


def test_unknown_tracking_number_is_404(client, token, dispatched):
    response = _post(client, {"tracking_number": "SF0000", "events": _events()}, token)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("body, field", [
    ("{not json", "body"),
    ([1, 2], "body"),
    ({"events": []}, "tracking_number"),
    ({"tracking_number": "SF8001"}, "events"),
    ({"tracking_number": "SF8001", "events": [{"time": "yesterday", "description": "x"}]}, "events.0.time"),
    ({"tracking_number": "SF8001", "events": [{"time": "2026-01-01T08:00:00+08:00"}]}, "events.0.description"),
    ({"tracking_number": "SF8001", "events": [{"time": "2026-01-01T08:00:00+08:00", "description": "x",
                                               "delivered": "yes"}]}, "events.0.delivered"),
])
def test_malformed_bodies_are_400_and_store_nothing(client, token, dispatched, body, field):
    response = _post(client, body, token)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not TrackingEvent.objects.filter(source=TrackingEvent.Source.CARRIER).exists()


def test_one_bad_event_stores_none(client, token, dispatched):
    events = [*_events(), {"time": "bad", "description": "x"}]
    assert _post(client, {"tracking_number": "SF8001", "events": events}, token).status_code == 400
    assert not TrackingEvent.objects.filter(source=TrackingEvent.Source.CARRIER).exists()


def test_get_is_not_allowed_and_no_session_is_needed(client, admin_user, token, dispatched):
    assert client.get(reverse("logistics:webhook", args=["SF"])).status_code == 405
    client.force_login(admin_user)  # a session alone is no credential
    assert _post(client, {"tracking_number": "SF8001", "events": _events()}).status_code == 401


def test_admin_action_shows_a_new_token_once(client, admin_user, carrier):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    response = client.post(reverse("admin:logistics_carrier_changelist"),
                           {"action": "issue_webhook_token", "_selected_action": [carrier.pk]}, follow=True)
    assert response.status_code == 200
    carrier.refresh_from_db()
    shown = [str(m) for m in response.context["messages"]]
    token = next(m.split("<code>")[1].split("</code>")[0] for m in shown if "<code>" in m)
    assert carrier.check_webhook_token(token)
    assert token not in carrier.webhook_token_hash
    assert token not in client.get(reverse("admin:logistics_carrier_changelist")).content.decode()


def test_seeded_carriers():
    assert set(Carrier.objects.values_list("code", flat=True)) >= {"SF", "JD", "DEPPON"}
    assert "{number}" in Carrier.objects.get(code="JD").tracking_url
