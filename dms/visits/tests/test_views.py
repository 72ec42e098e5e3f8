import datetime as dt
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dms.core.testing.factories import portal_user
from dms.visits import services
from dms.visits.models import Visit, VisitAction, VisitPhoto
from dms.visits.tests.isolation import PNG

from .factories import completed, planned

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def record(distributor, channel_manager):
    return completed(distributor, actor=channel_manager, topics="PUBLIC-TOPIC", internal_notes="INTERNAL-ONLY",
                     problems="SHELF-GAP", actions=[
                         {"description": "DIST-ACTION", "owner_type": "distributor",
                          "due_date": timezone.localdate() - dt.timedelta(days=1)},
                         {"description": "STAFF-ACTION", "owner_type": "staff", "owner_user_id": channel_manager.pk}])


def test_list_filters_sorts_and_exports(client, channel_manager, admin_user, distributor, other_distributor,
                                        record):
    late = planned(distributor, days_ahead=-2, actor=channel_manager, topics="LATE-ONE")
    planned(other_distributor, actor=None, topics="NOT-MINE")
    planned(distributor, actor=admin_user, manager_id=admin_user.pk, topics="BY-A-COLLEAGUE")
    client.force_login(channel_manager)
    page = client.get(reverse("visits:list")).content.decode()
    assert "PUBLIC-TOPIC" in page and "LATE-ONE" in page and "NOT-MINE" not in page
    assert "BY-A-COLLEAGUE" in page  # his distributor's visit, whoever makes it
    page = client.get(reverse("visits:list"), {"status": "overdue"}, HTTP_HX_REQUEST="true").content.decode()
    assert "LATE-ONE" in page and "PUBLIC-TOPIC" not in page and "<html" not in page
    page = client.get(reverse("visits:list"), {"search": "shelf"}).content.decode()
    assert "PUBLIC-TOPIC" in page and "LATE-ONE" not in page
    assert client.get(reverse("visits:list"), {"sort": "-distributor", "type": "phone"}).status_code == 200
    response = client.get(reverse("visits:list"), {"export": "xlsx"})
    rows = list(load_workbook(BytesIO(response.content)).active.values)
    assert len(rows) == 4 and any("INTERNAL-ONLY" in map(str, r) for r in rows)
    assert late.is_overdue


def test_admin_sees_every_manager_and_can_filter(client, admin_user, record, other_distributor):
    other = planned(other_distributor, topics="OTHER-CM")
    client.force_login(admin_user)
    page = client.get(reverse("visits:list")).content.decode()
    assert "PUBLIC-TOPIC" in page and "OTHER-CM" in page
    page = client.get(reverse("visits:list"), {"manager": other.manager_id}).content.decode()
    assert "OTHER-CM" in page and "PUBLIC-TOPIC" not in page


def test_calendar_colours_and_manager_choice(client, admin_user, channel_manager, distributor, record):
    today = timezone.localdate()
    planned(distributor, days_ahead=0, actor=channel_manager, topics="x")
    client.force_login(admin_user)
    page = client.get(reverse("visits:calendar"), {"month": f"{today:%Y-%m}"}).content.decode()
    assert 'class="e planned"' in page  # today's planned visit
    assert distributor.name in page and "cm1" in page  # the manager picker
    page = client.get(reverse("visits:calendar"), {"month": "2020-02", "manager": channel_manager.pk}).content
    assert distributor.name not in page.decode()
    assert client.get(reverse("visits:calendar"), {"month": "garbage"}).status_code == 200
    client.force_login(channel_manager)
    page = client.get(reverse("visits:calendar")).content.decode()
    assert "cal-manager" not in page and distributor.name in page


def test_due_list_and_planning_from_it(client, channel_manager, distributor):
    distributor.status_changed_at = timezone.now() - dt.timedelta(days=40)
    distributor.save(update_fields=["status_changed_at"])
    client.force_login(channel_manager)
    page = client.get(reverse("visits:due")).content.decode()
    assert distributor.name in page and "10 days overdue" in page
    url = reverse("visits:create") + f"?distributor={distributor.pk}"
    assert client.get(url).status_code == 200
    response = client.post(reverse("visits:create"), {"distributor": distributor.pk, "type": "on_site",
                                                      "planned_date": timezone.localdate().isoformat()})
    visit = Visit.objects.get()
    assert response.url == reverse("visits:detail", args=[visit.pk])
    assert distributor.name in client.get(reverse("visits:due"), {"state": "all"}).content.decode()


def test_record_an_unplanned_visit(client, channel_manager, distributor):
    client.force_login(channel_manager)
    assert client.get(reverse("visits:create"), {"record": "1"}).status_code == 200
    data = {"record": "1", "distributor": distributor.pk, "visit_date": timezone.localdate().isoformat(),
            "type": "video", "topics": "视频沟通", "participants": "王总"}
    response = client.post(reverse("visits:create"), data)
    assert response.status_code == 302
    assert Visit.objects.get().status == Visit.Status.COMPLETED
    bad = client.post(reverse("visits:create"), {**data, "topics": ""})
    assert bad.status_code == 400 and Visit.objects.count() == 1


def test_visit_page_complete_actions_and_photos(client, channel_manager, distributor, admin_user):
    visit = planned(distributor, days_ahead=-1, actor=channel_manager)
    client.force_login(channel_manager)
    page = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "Record the visit" in page and "Overdue" in page
    bad = client.post(reverse("visits:complete", args=[visit.pk]), {"visit_date": "", "type": "on_site"})
    assert bad.status_code == 400
    client.post(reverse("visits:complete", args=[visit.pk]), {
        "visit_date": timezone.localdate().isoformat(), "type": "on_site", "topics": "旺季备货",
        "internal_notes": "内部", "staff_participants": [admin_user.pk]})
    visit.refresh_from_db()
    assert visit.status == Visit.Status.COMPLETED
    client.post(reverse("visits:action_add", args=[visit.pk]), {"description": "补货", "owner_type": "distributor"})
    assert client.post(reverse("visits:action_add", args=[visit.pk]),
                       {"description": "寄样", "owner_type": "staff"}).status_code == 400
    action = VisitAction.objects.get()
    client.post(reverse("visits:action_done", args=[action.pk]), {"next": "actions"})
    action.refresh_from_db()
    assert action.status == VisitAction.Status.DONE
    client.post(reverse("visits:photo_add", args=[visit.pk]), {"photo": SimpleUploadedFile("a.png", PNG)})
    assert client.post(reverse("visits:photo_add", args=[visit.pk]),
                       {"photo": SimpleUploadedFile("a.png", b"MZ-not-an-image")}).status_code == 400
    photo = VisitPhoto.objects.get()
    response = client.get(reverse("visits:photo", args=[photo.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    page = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "旺季备货" in page and "内部" in page and reverse("visits:photo", args=[photo.pk]) in page


def test_edit_and_cancel(client, channel_manager, distributor):
    visit = planned(distributor, actor=channel_manager)
    client.force_login(channel_manager)
    assert client.get(reverse("visits:edit", args=[visit.pk])).status_code == 200
    new_date = timezone.localdate() + dt.timedelta(days=20)
    client.post(reverse("visits:edit", args=[visit.pk]), {"planned_date": new_date.isoformat(), "type": "phone",
                                                           "topics": "改期"})
    visit.refresh_from_db()
    assert (visit.planned_date, visit.type) == (new_date, "phone")
    client.post(reverse("visits:cancel", args=[visit.pk]), {"reason": "客户出差"})
    visit.refresh_from_db()
    assert visit.status == Visit.Status.CANCELLED and visit.cancel_reason == "客户出差"
    assert client.get(reverse("visits:edit", args=[visit.pk])).status_code == 302


def test_action_list_highlights_overdue(client, channel_manager, record):
    client.force_login(channel_manager)
    page = client.get(reverse("visits:actions")).content.decode()
    assert "DIST-ACTION" in page and 'class="overdue"' in page
    page = client.get(reverse("visits:actions"), {"owner": "mine"}).content.decode()
    assert "STAFF-ACTION" in page and "DIST-ACTION" not in page
    page = client.get(reverse("visits:actions"), {"overdue": "true"}).content.decode()
    assert "DIST-ACTION" in page and "STAFF-ACTION" not in page


def test_roles_without_visits_are_refused(client, make_staff, record):
    client.force_login(make_staff("warehouse"))
    assert client.get(reverse("visits:list")).status_code == 403
    assert client.get(reverse("visits:detail", args=[record.pk])).status_code == 403


def test_dashboards_show_the_panels(client, channel_manager, distributor, record):
    client.force_login(channel_manager)
    page = client.get(reverse("backoffice:dashboard")).content.decode()
    assert "Visits due soon" in page and "Open visit actions" in page
    client.force_login(portal_user(distributor))
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert "Open actions from visits" in page


# --- portal --------------------------------------------------------------------------


def test_portal_history_shows_completed_visits_without_internal_notes(client, distributor, channel_manager, record):
    planned(distributor, actor=channel_manager, topics="PLANNED-ONLY")
    user = portal_user(distributor, "distributor_staff")
    client.force_login(user)
    pages = [client.get(reverse("visits_portal:list")), client.get(reverse("visits_portal:detail", args=[record.pk]))]
    for response in pages:
        text = response.content.decode()
        assert response.status_code == 200
        assert "PUBLIC-TOPIC" in text and "INTERNAL-ONLY" not in text and "PLANNED-ONLY" not in text
    assert "DIST-ACTION" in pages[0].content.decode()
    assert "STAFF-ACTION" not in pages[0].content.decode()


def test_portal_marks_its_action_done(client, distributor, record):
    client.force_login(portal_user(distributor))
    ours = record.actions.get(owner_type="distributor")
    staffs = record.actions.get(owner_type="staff")
    response = client.post(reverse("visits_portal:action_done", args=[ours.pk]), {"next": "visit"})
    assert response.url == reverse("visits_portal:detail", args=[record.pk])
    ours.refresh_from_db()
    assert ours.status == VisitAction.Status.DONE
    assert client.post(reverse("visits_portal:action_done", args=[staffs.pk])).status_code == 404


def test_portal_cannot_reach_planned_visits_or_their_photos(client, distributor, channel_manager):
    visit = planned(distributor, actor=channel_manager)
    photo = services.add_photo(visit_id=visit.pk, upload=SimpleUploadedFile("p.png", PNG), actor=channel_manager)
    client.force_login(portal_user(distributor))
    assert client.get(reverse("visits_portal:detail", args=[visit.pk])).status_code == 404
    assert client.get(reverse("visits_portal:photo", args=[photo.pk])).status_code == 404
    assert client.get(reverse("visits:detail", args=[visit.pk])).status_code == 404
