"""Visits: planned for a date, then completed with what was discussed and agreed — or
cancelled. Actions agreed at a visit are tracked to done by their owner (a member of staff
or the distributor). Every write is here; views, the API, jobs and the demo call these."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dms.audit.models import AuditLog
from dms.audit.services import record
from dms.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from dms.core.files import validate_document
from dms.distributors.models import Distributor

from .models import Visit, VisitAction, VisitPhoto

St = Visit.Status
RECORD_FIELDS = ("type", "participants", "topics", "problems", "internal_notes")
PLAN_FIELDS = ("type", "planned_date", "topics")
PHOTO_TYPES = {"jpg", "png"}


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


def _required(errors, name, value):
    if value in (None, "") or (isinstance(value, str) and not value.strip()):
        errors[name] = [_("This field is required.")]


def _staff_users(ids, field: str) -> list:
    """Active brand staff with these ids (distributor users are refused)."""
    ids = {int(i) for i in ids or []}
    users = list(get_user_model().objects.filter(pk__in=ids, distributor__isnull=True, is_active=True))
    if len(users) != len(ids):
        raise ValidationFailed(fields={field: [_("Choose active members of brand staff.")]})
    return users


def _clean_text(data: dict) -> dict:
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}


@transaction.atomic
def create_visit(*, distributor_id: int, planned_date: dt.date, actor, manager_id: int | None = None,
                 type: str = Visit.Type.ON_SITE, topics: str = "") -> Visit:  # noqa: A002 - the field's name
    """Plan a visit. The visiting manager defaults to the distributor's channel manager."""
    distributor = Distributor.objects.select_related("channel_manager").get(pk=distributor_id)
    errors = {}
    _required(errors, "planned_date", planned_date)
    if type not in Visit.Type.values:
        errors["type"] = [_("Choose a visit type.")]
    if distributor.status != Distributor.Status.ACTIVE:
        errors["distributor"] = [_("Only active distributors are visited.")]
    if errors:
        raise ValidationFailed(fields=errors)
    manager = _staff_users([manager_id], "manager")[0] if manager_id else distributor.channel_manager
    return Visit.objects.create(distributor=distributor, manager=manager, planned_date=planned_date, type=type,
                                topics=(topics or "").strip(), created_by=_actor(actor))


def _lock(visit_id: int) -> Visit:
    return Visit.objects.select_for_update(of=("self",)).select_related("distributor").get(pk=visit_id)


def _check_transition(visit, target):
    if target not in Visit.TRANSITIONS.get(visit.status, ()):
        raise InvalidTransition(visit.get_status_display(), St(target).label)


@transaction.atomic
def update_visit(*, visit_id: int, actor, staff_participant_ids=None, manager_id=None, **fields) -> Visit:
    """Change a planned visit's plan, or correct a completed visit's record; a cancelled
    visit is closed."""
    visit = _lock(visit_id)
    if visit.status == St.CANCELLED:
        raise InvalidTransition(visit.get_status_display(), _("edited"))
    allowed = PLAN_FIELDS + RECORD_FIELDS + (("visit_date",) if visit.status == St.COMPLETED else ())
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationFailed(fields={k: [_("This field cannot be changed.")] for k in unknown})
    fields = _clean_text(fields)
    errors = {}
    for name in ("planned_date", "visit_date"):
        if name in fields:
            _required(errors, name, fields[name])
    if "type" in fields and fields["type"] not in Visit.Type.values:
        errors["type"] = [_("Choose a visit type.")]
    if fields.get("visit_date") and fields["visit_date"] > timezone.localdate():
        errors["visit_date"] = [_("The visit date cannot be in the future.")]
    if errors:
        raise ValidationFailed(fields=errors)
    for name, value in fields.items():
        setattr(visit, name, value)
    if manager_id:
        visit.manager = _staff_users([manager_id], "manager")[0]
    visit.save()
    if staff_participant_ids is not None:
        visit.staff_participants.set(_staff_users(staff_participant_ids, "staff_participants"))
    return visit


@transaction.atomic
def complete_visit(*, visit_id: int, visit_date: dt.date, actor, type: str | None = None,  # noqa: A002
                   participants: str = "", staff_participant_ids=None, topics: str = "", problems: str = "",
                   internal_notes: str = "", actions: list[dict] | None = None) -> Visit:
    """Record what happened at a planned visit; the distributor's users get the summary
    (never the internal notes), each action's owner is told."""
    visit = _lock(visit_id)
    if visit.status == St.COMPLETED:
        return visit  # a retry is a no-op
    _check_transition(visit, St.COMPLETED)
    errors = {}
    _required(errors, "visit_date", visit_date)
    if visit_date and visit_date > timezone.localdate():
        errors["visit_date"] = [_("The visit date cannot be in the future.")]
    if not (topics or visit.topics or "").strip():
        errors["topics"] = [_("Note what was discussed.")]
    if type and type not in Visit.Type.values:
        errors["type"] = [_("Choose a visit type.")]
    if errors:
        raise ValidationFailed(_("The visit record is incomplete."), fields=errors)
    staff = _staff_users(staff_participant_ids, "staff_participants")
    visit.status, visit.visit_date, visit.completed_at = St.COMPLETED, visit_date, timezone.now()
    visit.type = type or visit.type
    visit.participants, visit.problems = participants.strip(), problems.strip()
    visit.topics, visit.internal_notes = (topics or visit.topics).strip(), internal_notes.strip()
    visit.save()
    visit.staff_participants.set(staff)
    for i, data in enumerate(actions or []):
        # The distributor reads its actions in the visit summary: no separate notice.
        _create_action(visit, actor=actor, field_prefix=f"actions.{i}.", tell_distributor=False, **data)
    from . import notify

    transaction.on_commit(lambda: notify.visit_completed(visit.pk))
    return visit


@transaction.atomic
def record_visit(*, distributor_id: int, visit_date: dt.date, actor, manager_id: int | None = None,
                 **record) -> Visit:
    """A visit that was not planned beforehand (a call, an unplanned stop): planned and
    completed at once."""
    visit = create_visit(distributor_id=distributor_id, planned_date=visit_date, actor=actor, manager_id=manager_id,
                         type=record.get("type") or Visit.Type.ON_SITE, topics=record.get("topics", ""))
    return complete_visit(visit_id=visit.pk, visit_date=visit_date, actor=actor, **record)


@transaction.atomic
def cancel_visit(*, visit_id: int, actor, reason: str = "") -> Visit:
    visit = _lock(visit_id)
    if visit.status == St.CANCELLED:
        return visit
    _check_transition(visit, St.CANCELLED)
    visit.status, visit.cancel_reason = St.CANCELLED, (reason or "").strip()[:255]
    visit.save()
    return visit


# --- actions -------------------------------------------------------------------------


def _create_action(visit, *, actor, description: str = "", owner_type: str = VisitAction.Owner.STAFF,
                   owner_user_id: int | None = None, due_date: dt.date | None = None,
                   field_prefix: str = "", tell_distributor: bool = True) -> VisitAction:
    errors = {}
    _required(errors, f"{field_prefix}description", description)
    if owner_type not in VisitAction.Owner.values:
        errors[f"{field_prefix}owner_type"] = [_("Choose who is responsible.")]
    if owner_type == VisitAction.Owner.STAFF and not owner_user_id:
        errors[f"{field_prefix}owner_user"] = [_("Choose the member of staff responsible.")]
    if errors:
        raise ValidationFailed(_("Some actions are invalid."), fields=errors)
    owner = (_staff_users([owner_user_id], f"{field_prefix}owner_user")[0]
             if owner_type == VisitAction.Owner.STAFF else None)
    action = VisitAction.objects.create(visit=visit, description=description.strip()[:255], owner_type=owner_type,
                                        owner_user=owner, due_date=due_date)
    if owner_type == VisitAction.Owner.STAFF or tell_distributor:
        from . import notify

        transaction.on_commit(lambda: notify.action_assigned(action.pk, actor_id=getattr(actor, "pk", None)))
    return action


@transaction.atomic
def add_action(*, visit_id: int, actor, **data) -> VisitAction:
    visit = _lock(visit_id)
    if visit.status == St.CANCELLED:
        raise ValidationFailed(_("A cancelled visit takes no actions."))
    return _create_action(visit, actor=actor, **data)


@transaction.atomic
def complete_action(*, action_id: int, actor) -> VisitAction:
    """Mark an action done. A distributor user may close only his distributor's actions."""
    action = VisitAction.objects.select_for_update(of=("self",)).select_related("visit").get(pk=action_id)
    distributor_id = getattr(actor, "distributor_id", None)
    if distributor_id and (distributor_id != action.visit.distributor_id
                           or action.owner_type != VisitAction.Owner.DISTRIBUTOR):
        raise NotAllowed(_("Only actions assigned to your company can be marked done here."))
    if action.status == VisitAction.Status.DONE:
        return action
    action.status, action.done_at, action.done_by = VisitAction.Status.DONE, timezone.now(), _actor(actor)
    action.save()
    return action


@transaction.atomic
def reopen_action(*, action_id: int, actor) -> VisitAction:
    action = VisitAction.objects.select_for_update(of=("self",)).get(pk=action_id)
    if getattr(actor, "distributor_id", None):
        raise NotAllowed()
    action.status, action.done_at, action.done_by = VisitAction.Status.OPEN, None, None
    action.save()
    return action


# --- photos --------------------------------------------------------------------------


@transaction.atomic
def add_photo(*, visit_id: int, upload, actor) -> VisitPhoto:
    """A JPG or PNG taken at the visit; the type is read from the content."""
    visit = _lock(visit_id)
    if visit.status == St.CANCELLED:
        raise ValidationFailed(_("A cancelled visit takes no photos."))
    if upload is None:
        raise ValidationFailed(fields={"photo": [_("Choose a photo.")]})
    ext = validate_document(upload, field="photo")
    if ext not in PHOTO_TYPES:
        raise ValidationFailed(fields={"photo": [_("Only JPG and PNG photos are accepted.")]})
    original, upload.name = upload.name[:255], f"photo.{ext}"  # stored under the type its content has
    photo = VisitPhoto.objects.create(visit=visit, file=upload, original_filename=original,
                                      uploaded_by=_actor(actor))
    record(action=AuditLog.Action.CREATE, instance=photo, distributor_id=visit.distributor_id,
           message=_("Photo added to the visit."), actor=actor)
    return photo
