import datetime as dt

import pytest
from django.utils import timezone

from dms.core.testing.factories import bearer, portal_user
from dms.visits.models import Visit, VisitAction

from .factories import completed, planned

pytestmark = pytest.mark.django_db
URL = "/api/v1/visits/"


def _post(client, url, user, data=None):
    return client.post(url, data or {}, content_type="application/json", **bearer(user))


def test_staff_plan_update_complete_and_cancel(client, channel_manager, distributor):
    day = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = _post(client, URL, channel_manager, {"distributor": distributor.pk, "planned_date": day,
                                                    "type": "video", "topics": "季度复盘"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["manager"], body["internal_notes"]) == ("planned", channel_manager.pk, "")
    pk = body["id"]
    response = client.patch(f"{URL}{pk}/", {"type": "phone"}, content_type="application/json",
                            **bearer(channel_manager))
    assert response.json()["type"] == "phone"
    response = _post(client, f"{URL}{pk}/complete/", channel_manager, {
        "visit_date": timezone.localdate().isoformat(), "internal_notes": "内部",
        "actions": [{"description": "补货", "owner_type": "distributor"}]})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "completed" and len(response.json()["actions"]) == 1
    assert _post(client, f"{URL}{pk}/cancel/", channel_manager).json()["error"]["code"] == "invalid_transition"
    other = planned(distributor)
    assert _post(client, f"{URL}{other.pk}/cancel/", channel_manager, {"reason": "改期"}).json()["status"] == "cancelled"


def test_validation_errors_use_the_error_shape_and_change_nothing(client, channel_manager, distributor,
                                                                   other_distributor):
    response = _post(client, URL, channel_manager, {"distributor": other_distributor.pk, "planned_date": "2026-01-01"})
    assert response.status_code == 400 and "distributor" in response.json()["error"]["fields"]
    visit = planned(distributor)
    response = _post(client, f"{URL}{visit.pk}/complete/", channel_manager,
                     {"visit_date": timezone.localdate().isoformat()})
    assert response.status_code == 400 and "topics" in response.json()["error"]["fields"]
    assert Visit.objects.get(pk=visit.pk).status == Visit.Status.PLANNED


def test_list_filters_and_ordering(client, admin_user, distributor, other_distributor):
    completed(distributor)
    planned(other_distributor)
    response = client.get(URL, {"status": "planned", "ordering": "-planned"}, **bearer(admin_user))
    body = response.json()
    assert body["count"] == 1 and body["results"][0]["distributor"] == other_distributor.pk


def test_distributor_token_sees_only_its_completed_visits_without_notes(client, distributor, other_distributor):
    mine = completed(distributor, internal_notes="INTERNAL-ONLY", actions=[
        {"description": "补货", "owner_type": "distributor"}])
    future = planned(distributor)
    theirs = completed(other_distributor)
    user = portal_user(distributor)
    body = client.get(URL, **bearer(user)).json()
    assert [v["id"] for v in body["results"]] == [mine.pk]
    assert "internal_notes" not in body["results"][0] and "INTERNAL-ONLY" not in str(body)
    assert client.get(f"{URL}{future.pk}/", **bearer(user)).status_code == 404
    assert client.get(f"{URL}{theirs.pk}/", **bearer(user)).status_code == 404
    assert _post(client, URL, user, {"distributor": distributor.pk, "planned_date": "2026-01-01"}).status_code == 403
    assert _post(client, f"{URL}{mine.pk}/cancel/", user).status_code == 403


def test_distributor_marks_its_action_done_through_the_api(client, distributor, admin_user):
    visit = completed(distributor, actions=[{"description": "补货", "owner_type": "distributor"},
                                            {"description": "寄样", "owner_type": "staff",
                                             "owner_user_id": admin_user.pk}])
    user = portal_user(distributor)
    listed = client.get("/api/v1/visit-actions/", **bearer(user)).json()["results"]
    assert [a["description"] for a in listed] == ["补货"]
    response = _post(client, f"/api/v1/visit-actions/{listed[0]['id']}/done/", user)
    assert response.status_code == 200 and response.json()["status"] == "done"
    staff_action = visit.actions.get(owner_type="staff")
    assert _post(client, f"/api/v1/visit-actions/{staff_action.pk}/done/", user).status_code == 404
    assert VisitAction.objects.get(pk=staff_action.pk).status == VisitAction.Status.OPEN
