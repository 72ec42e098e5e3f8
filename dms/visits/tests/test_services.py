import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dms.audit.models import AuditLog
from dms.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from dms.core.testing.factories import portal_user
from dms.distributors.models import Distributor
from dms.notifications.models import Notification
from dms.visits import services
from dms.visits.models import Visit, VisitAction, VisitPhoto
from dms.visits.tests.isolation import PNG

from .factories import completed, planned

pytestmark = pytest.mark.django_db
St = Visit.Status
TODAY = dt.date.today


def test_plan_defaults_to_the_channel_manager(distributor, admin_user):
    visit = planned(distributor, actor=admin_user, topics=" 季度复盘 ")
    assert visit.status == St.PLANNED
    assert visit.manager == distributor.channel_manager
    assert visit.topics == "季度复盘"
    assert AuditLog.objects.filter(model="visits.visit", object_id=str(visit.pk), action="create").exists()


def test_plan_refuses_an_inactive_distributor_and_changes_nothing(distributor, admin_user):
    distributor.status = Distributor.Status.SUSPENDED
    distributor.save(update_fields=["status"])
    with pytest.raises(ValidationFailed) as exc:
        planned(distributor, actor=admin_user)
    assert "distributor" in exc.value.fields
    assert not Visit.objects.exists()


def test_complete_records_the_visit_and_its_actions(distributor, channel_manager, admin_user, django_capture_on_commit_callbacks):
    visit = planned(distributor, days_ahead=-1, actor=channel_manager)
    with django_capture_on_commit_callbacks(execute=True):
        services.complete_visit(
            visit_id=visit.pk, visit_date=timezone.localdate(), actor=channel_manager, type="phone",
            participants="王总", staff_participant_ids=[admin_user.pk], topics="新品", problems="陈列不足",
            internal_notes="考虑下调授信", actions=[
                {"description": "调整陈列", "owner_type": "distributor", "due_date": TODAY() + dt.timedelta(days=7)},
                {"description": "寄送样品", "owner_type": "staff", "owner_user_id": admin_user.pk},
            ])
    visit.refresh_from_db()
    assert (visit.status, visit.type, visit.visit_date) == (St.COMPLETED, "phone", timezone.localdate())
    assert list(visit.staff_participants.all()) == [admin_user]
    assert visit.actions.count() == 2
    # a retry is a no-op
    assert services.complete_visit(visit_id=visit.pk, visit_date=TODAY(), actor=channel_manager).actions.count() == 2
    assert Notification.objects.filter(user=admin_user, category="visit").exists()  # his action


def test_complete_without_topics_or_in_the_future_changes_nothing(distributor, channel_manager):
    visit = planned(distributor, actor=channel_manager)
    with pytest.raises(ValidationFailed) as exc:
        services.complete_visit(visit_id=visit.pk, visit_date=TODAY() + dt.timedelta(days=1), actor=channel_manager,
                                actions=[{"description": "x", "owner_type": "distributor"}])
    assert set(exc.value.fields) == {"visit_date", "topics"}
    visit.refresh_from_db()
    assert visit.status == St.PLANNED and not VisitAction.objects.exists()


def test_a_bad_action_rolls_the_whole_record_back(distributor, channel_manager):
    visit = planned(distributor, actor=channel_manager, topics="复盘")
    with pytest.raises(ValidationFailed) as exc:
        services.complete_visit(visit_id=visit.pk, visit_date=TODAY(), actor=channel_manager,
                                actions=[{"description": "寄样", "owner_type": "staff"}])
    assert "actions.0.owner_user" in exc.value.fields


def test_transitions(distributor, channel_manager):
    visit = planned(distributor, actor=channel_manager)
    services.cancel_visit(visit_id=visit.pk, actor=channel_manager, reason="客户出差")
    assert services.cancel_visit(visit_id=visit.pk, actor=channel_manager).status == St.CANCELLED  # retry
    with pytest.raises(InvalidTransition):
        services.complete_visit(visit_id=visit.pk, visit_date=TODAY(), topics="x", actor=channel_manager)
    with pytest.raises(InvalidTransition):
        services.update_visit(visit_id=visit.pk, actor=channel_manager, topics="x")
    done = completed(distributor, actor=channel_manager)
    with pytest.raises(InvalidTransition):
        services.cancel_visit(visit_id=done.pk, actor=channel_manager)


def test_update_plan_and_correct_a_record(distributor, channel_manager):
    visit = planned(distributor, actor=channel_manager)
    services.update_visit(visit_id=visit.pk, actor=channel_manager, planned_date=TODAY() + dt.timedelta(days=9))
    with pytest.raises(ValidationFailed):
        services.update_visit(visit_id=visit.pk, actor=channel_manager, visit_date=TODAY())
    done = completed(distributor, actor=channel_manager)
    services.update_visit(visit_id=done.pk, actor=channel_manager, internal_notes="更正", problems="补充")
    done.refresh_from_db()
    assert (done.internal_notes, done.problems) == ("更正", "补充")


def test_distributor_marks_only_its_own_actions_done(distributor, other_distributor, channel_manager, admin_user):
    visit = completed(distributor, actor=channel_manager, actions=[
        {"description": "补货", "owner_type": "distributor"},
        {"description": "寄样", "owner_type": "staff", "owner_user_id": admin_user.pk}])
    ours, staffs = visit.actions.get(owner_type="distributor"), visit.actions.get(owner_type="staff")
    user = portal_user(distributor)
    outsider = portal_user(other_distributor)
    with pytest.raises(NotAllowed):
        services.complete_action(action_id=staffs.pk, actor=user)
    with pytest.raises(NotAllowed):
        services.complete_action(action_id=ours.pk, actor=outsider)
    done = services.complete_action(action_id=ours.pk, actor=user)
    assert (done.status, done.done_by) == (VisitAction.Status.DONE, user)
    with pytest.raises(NotAllowed):
        services.reopen_action(action_id=ours.pk, actor=user)
    assert services.reopen_action(action_id=ours.pk, actor=admin_user).status == VisitAction.Status.OPEN


def test_action_assigned_notifies_the_owner(distributor, channel_manager, admin_user,
                                            django_capture_on_commit_callbacks):
    visit = completed(distributor, actor=channel_manager)
    user = portal_user(distributor)
    with django_capture_on_commit_callbacks(execute=True):
        services.add_action(visit_id=visit.pk, actor=channel_manager, description="提交月度库存", owner_type="distributor",
                            due_date=TODAY())
        services.add_action(visit_id=visit.pk, actor=channel_manager, description="申请陈列费", owner_type="staff",
                            owner_user_id=admin_user.pk)
    assert Notification.objects.filter(user=user, body__contains="提交月度库存").exists()
    assert Notification.objects.filter(user=admin_user, body__contains="申请陈列费").exists()


def test_completion_summary_never_carries_the_internal_notes(distributor, channel_manager,
                                                             django_capture_on_commit_callbacks):
    user = portal_user(distributor)
    with django_capture_on_commit_callbacks(execute=True):
        completed(distributor, actor=channel_manager, topics="旺季备货", internal_notes="SECRET-NOTE",
                  actions=[{"description": "备货500箱", "owner_type": "distributor"}])
    notes = list(Notification.objects.filter(user=user, category="visit"))
    assert len(notes) == 1  # the summary lists the actions: no second notice
    assert "旺季备货" in notes[0].body and "备货500箱" in notes[0].body
    assert all("SECRET-NOTE" not in n.body + n.title for n in Notification.objects.all())


def test_photos_are_checked_by_content(distributor, channel_manager):
    visit = completed(distributor, actor=channel_manager)
    photo = services.add_photo(visit_id=visit.pk, upload=SimpleUploadedFile("shop.jpg", PNG), actor=channel_manager)
    # stored under a random name with the type its content has
    assert photo.file.name.startswith(f"visitphoto/{distributor.pk}/") and photo.file.name.endswith(".png")
    assert photo.original_filename == "shop.jpg"
    for name, content in (("fake.png", b"<html>not an image</html>"), ("doc.pdf", b"%PDF-1.4\n%%EOF\n")):
        with pytest.raises(ValidationFailed) as exc:
            services.add_photo(visit_id=visit.pk, upload=SimpleUploadedFile(name, content), actor=channel_manager)
        assert "photo" in exc.value.fields
    assert VisitPhoto.objects.count() == 1
