"""Training notifications (category "training"), sent after commit or from the daily job."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from dms.accounts.models import User
from dms.notifications.models import Category
from dms.notifications.services import notify

from .models import Completion, DeadlineReminder


def _distributor_users(distributor_id: int):
    return User.objects.filter(distributor_id=distributor_id, is_active=True)


def certificate_issued(completion_id: int) -> None:
    with scopes_disabled():
        c = Completion.objects.select_related("course", "user").get(pk=completion_id)
        notify([c.user], category=Category.TRAINING,
               title=_("Certificate issued: %(course)s") % {"course": c.course.title},
               body=_("Certificate number %(number)s.") % {"number": c.certificate_number},
               url=reverse("training_portal:certificate", args=[c.pk]))


def deadline(mandate, distributor, stage: str, due) -> None:
    """One reminder stage about a mandatory course to the distributor's users (the channel
    manager too once it is overdue)."""
    course, date = mandate.course.title, due.isoformat()
    if stage == DeadlineReminder.Stage.OVERDUE:
        title = _("Mandatory course overdue: %(course)s (deadline %(date)s)") % {"course": course, "date": date}
    elif stage == DeadlineReminder.Stage.DUE_SOON:
        title = _("Mandatory course due by %(date)s: %(course)s") % {"course": course, "date": date}
    else:
        title = _("New mandatory course: %(course)s, to complete by %(date)s") % {"course": course, "date": date}
    users = list(_distributor_users(distributor.pk))
    notify(users, category=Category.TRAINING, title=title, url=reverse("training_portal:course", args=[mandate.course_id]))
    if stage == DeadlineReminder.Stage.OVERDUE and distributor.channel_manager_id:
        notify([distributor.channel_manager], category=Category.TRAINING,
               title=_("%(name)s has not completed the mandatory course %(course)s (deadline %(date)s)") % {
                   "name": distributor.name, "course": course, "date": date},
               url=reverse("training:record", args=[distributor.pk]))
